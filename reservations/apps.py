from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_guard(sender, using="default", **kwargs):
    from reservations.db_guard import ensure_no_overlap_guard, ensure_rule_version_guard

    ensure_no_overlap_guard(using)
    ensure_rule_version_guard(using)


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = _("Reservations")

    def ready(self):
        from reservations.emails import register_outbox_builders

        register_outbox_builders()
        post_migrate.connect(_ensure_guard, sender=self, dispatch_uid="reservations_guard")
