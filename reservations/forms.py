import re
import secrets
import unicodedata

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

from organization.templatetags.translated import tr
from reservations import names, requirements
from reservations.codes import normalize_code, normalize_phone
from reservations.models import HOLD_MINUTES

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# As the database columns hold them (RFC 5321's 254 for an address).
EMAIL_MAX_LENGTH, PHONE_MAX_LENGTH = 254, 20
# A Japanese number with its area code: 0, then not 0 (00… is an international prefix),
# 10 or 11 digits in all; and how it may be written (digits, hyphens, spaces, brackets).
JAPANESE_PHONE = re.compile(r"0[1-9]\d{8,9}")
PHONE_AS_WRITTEN = re.compile(r"[0-9()+\- ]+")


class WidthFoldedEmailField(forms.EmailField):
    """An e-mail address typed with a Japanese input method on (ｊａｎｅ＠example.jp) is
    folded to half-width first, as phone numbers and names are."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or ""))


# Every text field refuses a NUL (Django's ProhibitNullCharactersValidator); its own
# Japanese reads "please type something" (「何か文字を入力してください」), and other citizen
# languages had none. Set for every form in ReservationsConfig.ready().
UNUSABLE_CHARACTER_MESSAGE = _(
    "This contains a character that cannot be used here. Please type it again."
)

RULES_CHANGED_MESSAGE = _(
    "The document rules have changed since this page was shown. Please read them again "
    "and tick each one to agree; your other details are kept."
)


class CitizenDetailsForm(forms.Form):
    """Who is coming, and one checkbox per required-document rule of the procedure."""

    # Errors of the whole form that concern some of its fields (by code): the error
    # summary links to the first, and each is marked as the one to change.
    error_fields = {"no_contact": ("email", "phone")}

    # Any script, as on the residence card.
    name = forms.CharField(
        label=_("Name"),
        max_length=names.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages={
            "required": _("Please give your name as on your residence card or passport."),
            "null_characters_not_allowed": _(
                "Your name contains characters that cannot be stored."
            ),
            "max_length": _("Please shorten your name to %(limit_value)d characters."),
        },
        help_text=_(
            "As on your residence card or passport, in any script, e.g. 山田 太郎, Jane Doe"
        ),
    )
    kana = forms.CharField(
        label=_("Reading of your name in kana"),
        max_length=names.NAME_MAX_LENGTH,
        required=False,
        help_text=_("Needed only if your name has kanji, e.g. ヤマダ タロウ"),
        error_messages={
            "null_characters_not_allowed": _("Please write the reading in hiragana or katakana."),
            "max_length": _("Please shorten the reading to %(limit_value)d characters."),
        },
    )
    email = WidthFoldedEmailField(
        label=_("E-mail"),
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=_("We send the confirmation and a reminder here."),
        error_messages={
            "max_length": _("Please check the e-mail address: it is too long to be one."),
        },
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PHONE_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Please give a Japanese phone number with its area code, "
                "e.g. 090-1234-5678 or 03-1234-5678."
            ),
        },
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("e.g. 090-1234-5678 or 03-1234-5678"),
    )
    # A new random key each time the form is shown (128 bits): sending the same form
    # twice (a retry after a lost answer, a double click) books once.
    idempotency_key = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, rules=(), email_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(16))
        self.rules = list(rules)
        self.email_required = email_required
        if email_required:
            self.fields["email"].required = True
            self.fields["email"].help_text = _(
                "Required: this booking is held for %(minutes)s minutes until you confirm it "
                "from the e-mail we send."
            ) % {"minutes": HOLD_MINUTES}
            self.fields["email"].error_messages["required"] = _(
                "Please give your e-mail address: this booking is confirmed from the e-mail "
                "we send."
            )
        # Rules whose wording changed (or that came into force) since the form was shown:
        # the citizen agreed to something else. Their ticks are dropped and the version
        # fields carry the current number, so the page shows the wording in force to be
        # read and agreed to again.
        self.changed_rules = []
        if self.is_bound:
            self.data = self.data.copy()
            for rule in self.rules:
                shown = str(self.data.get("rule_%d_version" % rule.pk, "")).strip()
                if shown != str(rule.version):
                    self.changed_rules.append(rule)
                    self.data.pop("rule_%d" % rule.pk, None)
                    self.data["rule_%d_version" % rule.pk] = str(rule.version)
        for rule in self.rules:
            required_message = (
                _("This rule has changed since the page was shown: please read it and tick it.")
                if rule in self.changed_rules
                else _("Please confirm that you will bring this.")
            )
            self.fields["rule_%d" % rule.pk] = forms.BooleanField(
                label=tr(rule, "text"),
                required=True,
                error_messages={"required": required_message},
            )
            self.fields["rule_%d_version" % rule.pk] = forms.IntegerField(
                widget=forms.HiddenInput, initial=rule.version
            )

    def consent_fields(self):
        return [self["rule_%d" % rule.pk] for rule in self.rules]

    def detail_fields(self):
        return [self[name] for name in ("name", "kana", "email", "phone")]

    def version_fields(self):
        return [self["rule_%d_version" % rule.pk] for rule in self.rules]

    def clean_name(self):
        name = names.normalize_name(self.cleaned_data["name"])
        problem = names.name_problems(name, "ア").get("name")
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean_kana(self):
        # NFKC turns half-width katakana into full-width; spaces are folded.
        kana = names.normalize_name(self.cleaned_data["kana"])
        problem = names.name_problems("x", kana).get("kana")
        if problem:
            raise forms.ValidationError(problem)
        return kana

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        digits = normalize_phone(phone)
        if not JAPANESE_PHONE.fullmatch(digits):
            raise forms.ValidationError(
                _(
                    "Please give a Japanese phone number with its area code, "
                    "e.g. 090-1234-5678 or 03-1234-5678."
                )
            )
        # Kept as written (folded: ０９０ー… → 090-…) when that is a plain phone
        # number; otherwise (⑴⑵ fold to "(1)(2)", longer than the column) its digits.
        written = unicodedata.normalize("NFKC", phone)
        if len(written) <= PHONE_MAX_LENGTH and PHONE_AS_WRITTEN.fullmatch(written):
            return written
        return digits

    def clean(self):
        cleaned = super().clean()
        if "name" in cleaned and "kana" in cleaned and not cleaned["kana"]:
            problem = names.name_problems(cleaned["name"], "").get("kana")
            if problem:
                self.add_error("kana", problem)
        if self.changed_rules:
            raise forms.ValidationError(RULES_CHANGED_MESSAGE, code="rules_changed")
        key = cleaned.get("idempotency_key", "")
        if key and not IDEMPOTENCY_KEY_PATTERN.match(key):
            raise forms.ValidationError(
                _("This form is out of date. Please reload the page and try again.")
            )
        given = cleaned.get("email") or cleaned.get("phone")
        if not given and not self.errors.get("phone") and not self.errors.get("email"):
            for name in self.error_fields["no_contact"]:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                # The message under the two fields, then the field's own help.
                attrs["aria-describedby"] = "contact-error %s_helptext" % self[name].auto_id
            raise forms.ValidationError(
                _("Please give an e-mail address or a phone number, so we can reach you."),
                code="no_contact",
            )
        return cleaned

    @property
    def contact_error(self) -> str:
        """The "give an e-mail address or a phone number" error, shown under the two
        fields as well as in the summary."""
        for error in self.non_field_errors().as_data():
            if error.code == "no_contact":
                return " ".join(error.messages)
        return ""

    def consented_rules(self) -> dict[int, int]:
        """Rule id → version shown, for every rule ticked."""
        return {
            rule.pk: self.cleaned_data["rule_%d_version" % rule.pk]
            for rule in self.rules
            if self.cleaned_data.get("rule_%d" % rule.pk)
        }


class AnswersForm(forms.Form):
    """The procedure's questions before the documents, one group of radio buttons each
    (fields ``q_<question id>``); answered on their own step, then carried as hidden
    fields by the details form, which checks them again."""

    def __init__(self, *args, questions=(), hidden=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[requirements.field_name(question)] = forms.TypedChoiceField(
                label=question.label,
                choices=[(choice.pk, choice.label) for choice in question.choices.all()],
                coerce=int,
                widget=forms.HiddenInput if hidden else forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer."),
                    "invalid_choice": _("Please choose one of the answers shown."),
                },
            )

    def chosen(self) -> dict:
        """Question id → choice (valid forms only)."""
        return requirements.chosen_from_data(self.questions, self.cleaned_data)


class RulesAgreementForm(forms.Form):
    """Agreement to document rules whose wording changed since the booking was made (the
    reschedule confirmation asks for it again, with the new wording and its version)."""

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(rules)
        for rule in self.rules:
            self.fields["rule_%d" % rule.pk] = forms.BooleanField(
                label=tr(rule, "text"),
                required=True,
                error_messages={"required": _("Please confirm that you will bring this.")},
            )
            self.fields["rule_%d_version" % rule.pk] = forms.IntegerField(
                widget=forms.HiddenInput, initial=rule.version
            )

    def consent_fields(self):
        return [self["rule_%d" % rule.pk] for rule in self.rules]

    def version_fields(self):
        return [self["rule_%d_version" % rule.pk] for rule in self.rules]

    def consented_rules(self) -> dict[int, int]:
        return {
            rule.pk: self.cleaned_data["rule_%d_version" % rule.pk]
            for rule in self.rules
            if self.cleaned_data.get("rule_%d" % rule.pk)
        }


class FindBookingForm(forms.Form):
    """Find my booking: the code (optional with an e-mail address) and the e-mail address
    or phone number used; with a phone number, the booking's date as a second check."""

    code = forms.CharField(
        label=_("Booking code"),
        required=False,
        max_length=20,
        help_text=_("e.g. AC3D-EF7H. Optional if you give your e-mail address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    contact = forms.CharField(
        label=_("E-mail address or phone number used for the booking"),
        max_length=254,
        error_messages={"required": _("Please give the e-mail address or phone number.")},
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )
    day = forms.DateField(
        label=_("Date of the booking (only with a phone number)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please give a date like 2026-12-01.")},
        help_text=_("A booking made with a phone number only is shown here after this check."),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if code and not re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code):
            raise forms.ValidationError(
                _("A booking code has 8 letters and digits, e.g. AC3D-EF7H.")
            )
        return code

    def clean(self):
        cleaned = super().clean()
        contact = unicodedata.normalize("NFKC", cleaned.get("contact", "")).strip()
        if not contact:
            return cleaned
        cleaned["email_key"] = cleaned["phone_key"] = ""
        if "@" in contact:
            try:
                validators.validate_email(contact)
            except forms.ValidationError:
                self.add_error("contact", _("Please check the e-mail address."))
                return cleaned
            cleaned["email_key"] = contact.lower()
            return cleaned
        phone = normalize_phone(contact)
        if not JAPANESE_PHONE.fullmatch(phone):
            self.add_error(
                "contact",
                _("Please give an e-mail address, or a phone number like 090-1234-5678."),
            )
            return cleaned
        cleaned["phone_key"] = phone
        if not cleaned.get("code"):
            self.add_error("code", _("With a phone number, please give the booking code too."))
        if not cleaned.get("day") and "day" not in self.errors:
            self.add_error("day", _("With a phone number, please give the date of the booking."))
        return cleaned


class DateJumpForm(forms.Form):
    date = forms.DateField(
        label=_("Or type a date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please give a date like 2026-12-01.")},
    )


SCORE_CHOICES = [
    (5, _("5 — Very satisfied")),
    (4, _("4 — Satisfied")),
    (3, _("3 — Neither")),
    (2, _("2 — Dissatisfied")),
    (1, _("1 — Very dissatisfied")),
]


def _score_field(label, *, required: bool, required_message=None):
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message or _("Please choose an answer."),
            "invalid_choice": _("Please choose one of the answers from 5 to 1."),
        },
    )


class SurveyForm(forms.Form):
    overall = _score_field(
        _("Overall, how satisfied are you with your visit?"),
        required=True,
        required_message=_(
            "Please choose how satisfied you are overall, from 5 (very satisfied) to 1 "
            "(very dissatisfied). The other questions are optional."
        ),
    )
    waiting = _score_field(_("The waiting time"), required=False)
    staff = _score_field(_("The staff who served you"), required=False)
    clarity = _score_field(_("How clear the explanations were"), required=False)
    comment = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _(
                "Please keep your comment to %(limit_value)d characters (it has %(show_value)d)."
            )
        },
        help_text=_("Please do not write your name, address or other personal details."),
    )


class KioskEnrolForm(forms.Form):
    """Name the browser that becomes a kiosk, so that the admin can tell it apart."""

    name = forms.CharField(
        label=_("Name of this kiosk"),
        max_length=80,
        help_text=_("Where it stands, e.g. “1st floor waiting area, left”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
