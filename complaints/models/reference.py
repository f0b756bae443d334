"""The complaints' reference data, edited by administrators: the severity policy
(factors, their weights, the levels and what each level requires), the categories and
the knowledge search's synonyms."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.models import TranslatedTextsMixin

LEVELS = [(n, format_lazy("{} {}", _("Level"), n)) for n in range(1, 5)]
level_validators = [MinValueValidator(1), MaxValueValidator(4)]


class Factor(models.TextChoices):
    """The four things the severity policy weighs."""

    DAMAGE = "damage", _("Damage")
    REACH = "reach", _("Reach")
    EMOTION = "emotion", _("Citizen's emotion")
    REPEAT = "repeat", _("Repeat")


class Damage(models.TextChoices):
    NONE = "none", _("None")
    INCONVENIENCE = "inconvenience", _("Inconvenience, time lost")
    FINANCIAL = "financial", _("Financial loss")
    LEGAL = "legal", _("Legal or rights issue")


class Reach(models.TextChoices):
    ONE = "one", _("One person")
    SEVERAL = "several", _("Several people")
    MANY = "many", _("Many residents")
    PUBLIC = "public", _("Public (media, social media, council)")


class Emotion(models.TextChoices):
    CALM = "calm", _("Calm")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    ANGRY = "angry", _("Angry")
    SEVERE = "severe", _("Very angry, threatening")


class Repeat(models.TextChoices):
    FIRST = "first", _("First time")
    REPEAT = "repeat", _("Has complained of this before")


FACTOR_CHOICES = {
    Factor.DAMAGE: Damage,
    Factor.REACH: Reach,
    Factor.EMOTION: Emotion,
    Factor.REPEAT: Repeat,
}


class Approver(models.TextChoices):
    """Who may approve the closing of a complaint of a level."""

    DEPARTMENT_HEAD = "department_head", _("Head of the owner department (or a manager)")
    MANAGER = "manager", _("A manager")


class SeverityWeight(models.Model):
    """Points one answer to one factor adds to a complaint's severity score."""

    factor = models.CharField(_("factor"), max_length=16, choices=Factor.choices)
    value = models.CharField(_("answer"), max_length=32)
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        ordering = ["factor", "points"]
        verbose_name = _("severity weight")
        verbose_name_plural = _("severity policy: weights")
        constraints = [
            models.UniqueConstraint(fields=["factor", "value"], name="severity_weight_unique")
        ]

    def __str__(self):
        return "%s: %s = %s" % (self.get_factor_display(), self.value_label, self.points)

    @property
    def value_label(self) -> str:
        choices = FACTOR_CHOICES.get(self.factor)
        return str(dict(choices.choices).get(self.value, self.value)) if choices else self.value

    value_label.fget.short_description = _("answer")

    def clean(self):
        choices = FACTOR_CHOICES.get(self.factor)
        if choices and self.value not in choices.values:
            raise ValidationError(
                {"value": _("Choose one of: %(values)s") % {"values": ", ".join(choices.values)}}
            )


class SeverityLevel(TranslatedTextsMixin, models.Model):
    """A level 1–4: the score that reaches it, who must be told, the deadlines."""

    level = models.PositiveSmallIntegerField(
        _("level"), unique=True, choices=LEVELS, validators=level_validators
    )
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=60)
    min_points = models.PositiveSmallIntegerField(
        _("from score"), help_text=_("The lowest severity score that reaches this level.")
    )
    initial_report_days = models.PositiveSmallIntegerField(
        _("initial report within (business days)")
    )
    progress_every_days = models.PositiveSmallIntegerField(
        _("progress report every (business days)"),
        help_text=_("0: no progress reports are required."),
    )
    closing_report_days = models.PositiveSmallIntegerField(
        _("closing report within (business days)")
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("departments answer within (business days)")
    )
    approver = models.CharField(_("closing approved by"), max_length=20, choices=Approver.choices)
    notify_department_heads = models.BooleanField(
        _("tell the heads of the departments concerned"), default=True
    )
    notify_managers = models.BooleanField(_("tell all managers"), default=False)

    class Meta:
        ordering = ["level"]
        verbose_name = _("severity level")
        verbose_name_plural = _("severity policy: levels")

    def __str__(self):
        return "%s %s" % (self.get_level_display(), self.name)

    def clean(self):
        # A higher level needs a higher score: otherwise a mild complaint would reach
        # 緊急 before it reached 注意.
        if self.level is None or self.min_points is None:
            return
        others = SeverityLevel.objects.exclude(pk=self.pk)
        lower = others.filter(level__lt=self.level, min_points__gte=self.min_points).first()
        higher = others.filter(level__gt=self.level, min_points__lte=self.min_points).first()
        clash = lower or higher
        if clash:
            raise ValidationError(
                {
                    "min_points": _(
                        "Level %(other)s starts at %(points)s points: a higher level must "
                        "start at a higher score than a lower one."
                    )
                    % {"other": clash.level, "points": clash.min_points}
                }
            )


class Category(TranslatedTextsMixin, models.Model):
    name = models.CharField(pgettext_lazy("title of a thing", "name"), max_length=60, unique=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self):
        return self.name


class KnowledgeSynonym(models.Model):
    """Words that mean the same for the knowledge search, edited by administrators: a
    search for one finds the cases that use any of them (写真, photo, 顔写真)."""

    words = models.CharField(
        _("words"),
        max_length=500,
        help_text=_("Words that mean the same, separated by commas (写真, photo, 顔写真)."),
    )

    class Meta:
        verbose_name = _("knowledge search synonym")
        verbose_name_plural = _("knowledge search synonyms")

    def __str__(self):
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [word.strip() for word in re.split(r"[,、，\n]", self.words) if word.strip()]
