"""Master data of the procedures citizens book: the procedure, the questions it asks at
booking and the document rules (what to bring, what the citizen consents to)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from organization.models import TranslatedTextsMixin, require_unique_name

# How long a booking that must be confirmed from the e-mail holds its time.
HOLD_MINUTES = 15


def _hold_help_text() -> str:
    return gettext(
        "The booking is held for %(minutes)s minutes until the citizen confirms it from the e-mail."
    ) % {"minutes": HOLD_MINUTES}


class Procedure(TranslatedTextsMixin, models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Used in the booking address.")
    )
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=120)
    department = models.ForeignKey(
        "organization.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    slot_interval_minutes = models.PositiveSmallIntegerField(
        _("start every (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Bookable start times follow this step from the start of each shift."),
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    lead_time_minutes = models.PositiveIntegerField(
        _("book at least (minutes before)"),
        default=60,
        help_text=_("The latest a booking can be made before its start."),
    )
    change_cutoff_minutes = models.PositiveIntegerField(
        _("cancel or change until (minutes before)"),
        default=120,
        help_text=_("After this, the citizen must phone the department to change or cancel."),
    )
    requires_email_confirmation = models.BooleanField(
        _("requires e-mail confirmation"),
        default=False,
        help_text=lazy(_hold_help_text, str)(),
    )
    qualified_staff = models.ManyToManyField(
        "organization.StaffMember",
        verbose_name=_("qualified staff"),
        related_name="qualified_procedures",
        blank=True,
    )
    is_active = models.BooleanField(_("bookable online"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self):
        return self.name

    def clean(self):
        require_unique_name(
            self, Procedure.objects, _("There is already a procedure named %(name)s.")
        )

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    def change_deadline(self, start: dt.datetime) -> dt.datetime:
        """Until when a booking starting at ``start`` can be changed or cancelled online."""
        return start - dt.timedelta(minutes=self.change_cutoff_minutes)


MAX_QUESTIONS_PER_PROCEDURE = 3


class ProcedureQuestion(models.Model):
    """A question asked before the documents (「どなたが申請しますか」), whose answer
    decides which document rules apply to the applicant (see ``requirements.py``)."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    label = models.CharField(_("question"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("question before the documents")
        verbose_name_plural = _("questions before the documents")

    def __str__(self):
        return self.label

    def clean(self):
        others = ProcedureQuestion.objects.filter(procedure_id=self.procedure_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if self.procedure_id and others.count() >= MAX_QUESTIONS_PER_PROCEDURE:
            raise ValidationError(
                _("A procedure asks at most %(count)d questions.")
                % {"count": MAX_QUESTIONS_PER_PROCEDURE}
            )


class QuestionChoice(models.Model):
    """One answer a citizen can give to a question (「本人」, 「代理人」)."""

    question = models.ForeignKey(
        ProcedureQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    label = models.CharField(_("answer"), max_length=200)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return "%s: %s" % (self.question.label, self.label)


class DocumentRule(TranslatedTextsMixin, models.Model):
    """A required-document rule the citizen must agree to before booking.

    Changing the text makes a new version, however it is saved: ``save()`` numbers it
    from the stored row, and a database trigger (migration 0008) does the same for
    writes that bypass ``save()``. Consents keep the wording and version agreed to.
    """

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="document_rules",
    )
    text = models.TextField(_("rule"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_active = models.BooleanField(_("in force"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    # Empty: the rule applies to everyone. Otherwise it applies when, for each question
    # with a chosen answer here, the applicant gave one of them (see requirements.py).
    applies_when = models.ManyToManyField(
        QuestionChoice,
        verbose_name=_("applies only for these answers"),
        blank=True,
        related_name="rules",
        help_text=_(
            "Leave empty for a rule that applies to everyone. With answers chosen, the rule "
            "applies only to applicants who gave one of them (for each question concerned)."
        ),
    )

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = _("required-document rule")
        verbose_name_plural = _("required-document rules")

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        # The stored row, not this object, says which version is current: another
        # process may have changed the rule since this object was loaded. A change of
        # the wording in any language is a new version.
        self.stale_translations = []
        if not self._state.adding and self.pk is not None:
            columns = rule_text_columns()
            stored = type(self).objects.filter(pk=self.pk).values_list(*columns, "version").first()
            if stored is not None:
                *texts, version = stored
                changed = tuple(texts) != tuple(getattr(self, column) for column in columns)
                self.version = version + 1 if changed else version
                self._drop_stale_translations(dict(zip(columns, texts, strict=True)))
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "version", *columns}
        super().save(*args, **kwargs)

    def _drop_stale_translations(self, stored: dict[str, str]) -> None:
        """The Japanese wording changed and a translation did not: that translation
        says what the rule used to say, and a citizen reading it would agree to the old
        rule. It is emptied, so that language shows the Japanese (modeltranslation's
        fallback) until someone translates the new wording; ``stale_translations``
        names the languages emptied, for the admin to say so."""
        source = build_localized_fieldname("text", "ja")
        if stored[source] == getattr(self, source):
            return
        for code, _name in settings.LANGUAGES:
            column = build_localized_fieldname("text", code)
            old = stored[column]
            if column != source and old and getattr(self, column) == old:
                setattr(self, column, "")
                self.stale_translations.append(code)


def rule_text_columns() -> list[str]:
    """The rule's wording in each language (``text_ja``, ``text_en`` …)."""
    return [build_localized_fieldname("text", code) for code, _name in settings.LANGUAGES]
