from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = _("Reservations")

    def ready(self):
        from django.core.validators import ProhibitNullCharactersValidator

        from reservations import master_data_signals
        from reservations.emails import register_outbox_builders
        from reservations.forms import UNUSABLE_CHARACTER_MESSAGE

        register_outbox_builders()
        master_data_signals.connect()
        ProhibitNullCharactersValidator.message = UNUSABLE_CHARACTER_MESSAGE
