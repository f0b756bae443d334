"""The app configuration of django-otp's TOTP devices (the staff's two-step login)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoStepLoginConfig(AppConfig):
    """django-otp's TOTP devices, named in the admin's language (the package names its
    section 「OTP_TOTP」 and its model "TOTP device", untranslated)."""

    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = _("Two-step login")
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice._meta.verbose_name = _("authenticator app")
        TOTPDevice._meta.verbose_name_plural = _("authenticator apps")
