"""Translated admin-entered texts of the bookings (see organization/translation.py)."""

from modeltranslation.translator import register

from organization.translation import CitizenTextOptions
from reservations.models import (
    ClosedDay,
    Counter,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
)


@register(Procedure)
class ProcedureTranslation(CitizenTextOptions):
    fields = ("name", "description")


@register(DocumentRule)
class DocumentRuleTranslation(CitizenTextOptions):
    fields = ("text",)


@register(Counter)
class CounterTranslation(CitizenTextOptions):
    fields = ("name", "location")


@register(ClosedDay)
class ClosedDayTranslation(CitizenTextOptions):
    fields = ("reason",)


@register(ProcedureQuestion)
class ProcedureQuestionTranslation(CitizenTextOptions):
    fields = ("label",)


@register(QuestionChoice)
class QuestionChoiceTranslation(CitizenTextOptions):
    fields = ("label",)
