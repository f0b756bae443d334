"""The booking form's error summary (GOV.UK pattern): every problem, in the order the
fields are shown, each linking to its field."""

import pytest

from tests.reservations.test_views import details_url, form_data
from tests.reservations.test_views import procedure as procedure

pytestmark = pytest.mark.django_db


def test_the_error_summary_lists_and_links_each_problem(client, procedure):
    data = form_data(procedure, agree=False, name="", kana="yamada")

    response = client.post(details_url(procedure), data, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    start = content.index('id="form-errors"')
    summary = content[start : content.index("</ul>", start)]
    assert 'href="#id_name"' in summary
    assert 'href="#id_kana"' in summary
    for rule in procedure.document_rules.all():
        assert 'href="#id_rule_%d"' % rule.pk in summary
    assert "Please write the reading in hiragana or katakana." in summary


def test_the_error_summary_lists_the_missing_contact_after_the_name(client, procedure):
    """In the order the fields are shown: the contact problem came first although the
    name field does (helper 43)."""
    data = form_data(procedure, name="", email="", phone="")

    response = client.post(details_url(procedure), data, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    start = content.index('id="form-errors"')
    summary = content[start : content.index("</ul>", start)]
    assert summary.index('href="#id_name"') < summary.index('href="#id_email"')
