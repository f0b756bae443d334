"""Translated admin-entered texts of the letters (see organization/translation.py)."""

from modeltranslation.translator import register

from notices.models import CertificateType
from organization.translation import CitizenTextOptions


@register(CertificateType)
class CertificateTypeTranslation(CitizenTextOptions):
    fields = ("name",)
