"""A check shared by the append-only records' tests (the access log, the complaint
timeline): a row can be neither changed nor deleted, through the model or in SQL."""

import pytest
from django.db import DatabaseError, transaction

from organization.models import AppendOnlyError


def assert_append_only(row, **change):
    """``row`` refuses ``change`` and its deletion in Python (``save``/``delete``) and in the
    database (a queryset ``update``/``delete``, which the triggers refuse)."""
    for field, value in change.items():
        setattr(row, field, value)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    same_row = type(row).objects.filter(pk=row.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        same_row.update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        same_row.delete()
