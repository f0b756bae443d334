"""Translated admin-entered texts of the complaints (see organization/translation.py)."""

from modeltranslation.translator import register

from complaints.models import Category, SeverityLevel
from organization.translation import CitizenTextOptions


@register(SeverityLevel)
class SeverityLevelTranslation(CitizenTextOptions):
    fields = ("name",)


@register(Category)
class CategoryTranslation(CitizenTextOptions):
    fields = ("name",)
