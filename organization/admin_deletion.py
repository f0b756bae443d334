"""Deleting in the admin what other records still need.

A department, procedure, counter, staff member or user that bookings, visits, letters
or complaints point to cannot be deleted (``on_delete=PROTECT``). Django then lists
every one of those records; when the administrator may not delete them (bookings are
never deleted in the admin) it says instead that the account "lacks the permission to
delete 予約", as if someone else could. This mixin says what is in the way, as counts
(the records themselves hold citizens' names), and what to do instead.
"""

from collections import Counter

from django.contrib.admin.utils import NestedObjects
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import router
from django.utils.text import capfirst
from django.utils.translation import ngettext


def protected_counts(objs, using: str) -> list[str]:
    """One line per kind of record that keeps ``objs`` from being deleted, with its
    count ("予約: 1,234件"), also those in the way of what the deletion would cascade to
    (a user's staff record and its bookings)."""
    collector = NestedObjects(using=using)
    collector.collect(objs)
    counts = Counter(capfirst(type(obj)._meta.verbose_name_plural) for obj in collector.protected)
    return [
        ngettext("%(things)s: %(count)s record", "%(things)s: %(count)s records", count)
        % {"things": name, "count": intcomma(count)}
        for name, count in sorted(counts.items())
    ]


class ExplainsProtectedDeletion:
    """For the admin of a model other records protect (``PROTECT``): the deletion page
    lists what is in the way as counts, never "no permission", and says what to do
    instead (``instead_of_deleting``, shown under the list)."""

    delete_confirmation_template = "admin/madoguchi/delete_confirmation.html"
    instead_of_deleting = None

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Nothing can be deleted while they exist, whoever asks: say that.
            perms_needed = set()
            protected = protected_counts(objs, router.db_for_write(self.model))
        return deleted, model_count, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {"instead_of_deleting": self.instead_of_deleting, **(extra_context or {})}
        return super().delete_view(request, object_id, extra_context)
