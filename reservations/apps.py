from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = _("Reservations")

    def ready(self):
        from reservations import master_data_signals
        from reservations.emails import register_outbox_builders

        register_outbox_builders()
        master_data_signals.connect()
