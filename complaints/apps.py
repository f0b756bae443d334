from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_append_only(sender, using="default", **kwargs):
    from complaints.db_guard import ensure_append_only

    ensure_append_only(using)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        post_migrate.connect(
            _ensure_append_only, sender=self, dispatch_uid="complaints_append_only"
        )
