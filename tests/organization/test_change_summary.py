"""The access log's summary of an admin change names the fields as the forms do."""

import pytest

from organization import services

pytestmark = pytest.mark.django_db


def test_the_change_summary_names_fields_as_the_forms_do_in_japanese():
    """A shift's "From" read 「変更前」 (the admin's word for "before a change") and a
    user's "First name" stayed in English in the Japanese log (helper 44)."""
    from django.contrib.auth import get_user_model

    from reservations.models import Shift

    shift = services.change_summary('[{"changed": {"fields": ["From"]}}]', model=Shift)
    user = services.change_summary(
        '[{"changed": {"fields": ["First name", "Active"]}}]', model=get_user_model()
    )

    assert "開始" in shift and "変更前" not in shift
    assert "First name" not in user and "Active" not in user
