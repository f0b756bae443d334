from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organization")

    def ready(self):
        from organization.signals import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="organization_role_groups")
