from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _drop_old_triggers(sender, using="default", **kwargs):
    from complaints.db_guard import drop_old_triggers

    drop_old_triggers(using)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from complaints.notify import register_outbox_builders

        register_outbox_builders()
        from complaints.db_guard import TIMELINE
        from organization.db_guard import append_only_register

        # Its triggers are (re)made after every migrate by organization's handler.
        append_only_register(TIMELINE)
        post_migrate.connect(
            _drop_old_triggers, sender=self, dispatch_uid="complaints_old_triggers"
        )
