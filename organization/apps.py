from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organization")

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from config import checks  # noqa: F401 (registers the deployment checks)
        from organization import signals

        post_migrate.connect(signals.ensure_role_groups, dispatch_uid="organization_role_groups")
        # Every database guard of every app (config/db_guards.py), once all are migrated.
        post_migrate.connect(
            signals.check_database_guards, sender=self, dispatch_uid="database_guards"
        )
        post_save.connect(
            signals.admin_change_logged, sender=LogEntry, dispatch_uid="organization_admin_log"
        )
