from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organization")

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from organization import signals
        from organization.db_guard import AppendOnlyTable, append_only_register
        from organization.models import AccessLog

        append_only_register(AppendOnlyTable(AccessLog._meta.db_table))
        post_migrate.connect(signals.ensure_role_groups, dispatch_uid="organization_role_groups")
        # Every app's append-only tables, once all of them are migrated.
        post_migrate.connect(
            signals.ensure_append_only, sender=self, dispatch_uid="organization_append_only"
        )
        post_save.connect(
            signals.admin_change_logged, sender=LogEntry, dispatch_uid="organization_admin_log"
        )
