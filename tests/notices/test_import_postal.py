"""An unknown postal code, or one of another town than the address, is a warning in the
import report's per-row list: the row is stored, the staff see which one to check."""

import pytest
from django.urls import reverse

from notices import services
from notices.models import Certificate
from organization.models import Role
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

HEADER = ",".join(services.COLUMNS)


def _line(record, number, postal, address):
    return ",".join(
        [record, number, "山田 太郎", "ヤマダ タロウ", postal, address, "", "active",
         "jr-commuter", "2026-05-01", "2026-10-31", ""]
    )  # fmt: skip


def test_postal_code_unknown_or_of_another_town_is_a_warning_with_its_line(client, rule):
    data = "\n".join(
        [
            HEADER,
            _line("OK-1", "R1", "100-0001", "東京都千代田区千代田1-1"),
            _line("BAD-2", "R2", "000-0000", "東京都千代田区千代田1-1"),
            _line("FAR-3", "R3", "100-0001", "大阪府大阪市北区梅田1-1"),
        ]
    ).encode()

    run = services.certificates_import(data=data, file_name="a.csv")

    assert (run.created, run.refused, run.warned) == (3, 0, 2)
    assert Certificate.objects.count() == 3  # warned rows are stored
    warnings = list(run.row_warnings.values_list("line", "reason"))
    assert [line for line, _reason in warnings] == [3, 4]
    assert "BAD-2" in warnings[0][1] and "000-0000" in warnings[0][1]
    assert "FAR-3" in warnings[1][1] and "千代田" in warnings[1][1]

    member = make_staff_member(role=Role.MANAGER)
    client.force_login(member.user)
    page = client.get(reverse("notices:import_report", args=[run.pk])).content.decode()
    assert "BAD-2" in page and "FAR-3" in page and "OK-1" not in page
