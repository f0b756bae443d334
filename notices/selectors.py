"""Reads of the notices app: who is due a letter, and who cannot be sent one."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from notices.capacity import rule_forecast
from notices.due import (
    due_certificates,
    latest_key,
    matching_booking,
    open_bookings_by_name,
    same_case,
)
from notices.models import (
    BookingMatchRelease,
    Certificate,
    Letter,
    LetterChunk,
    NoticeRule,
    Resident,
    ResidentStatus,
)
from reservations.models import Reservation


def split_by_address(certificates) -> tuple[list[Certificate], list[Certificate]]:
    """(can be mailed, exceptions for staff). An exception has an incomplete address or
    an address block that does not fit in the envelope's window (it is never printed
    clipped); its ``mail_problem`` says which. Each certificate gets ``address_block``
    (its layout) and ``has_barcode`` (False: the letter is printed without the customer
    barcode, its postal code or 住所表示番号 missing) and ``postal_warning`` (the postal
    code is unknown to Japan Post's data or belongs to another town; "" when it agrees)."""
    from notices.addressblock import resident_address_block
    from notices.postal import postal_code_warning

    mailable, exceptions = [], []
    for certificate in certificates:
        resident = certificate.resident
        block = resident_address_block(resident)
        certificate.address_block = block
        certificate.mail_problem = block.problem
        certificate.has_barcode = block.barcode is not None
        certificate.postal_warning = postal_code_warning(
            resident.postal_code, "%s %s" % (resident.address_line1, resident.address_line2)
        )
        (mailable if block.fits else exceptions).append(certificate)
    return mailable, exceptions


def sample_certificate(rule: NoticeRule) -> Certificate:
    """An unsaved certificate of a fictitious resident, for previewing a letter."""
    today = dt.date.today()
    resident = Resident(
        resident_number="SAMPLE",
        name="見本 太郎",
        kana="ミホン タロウ",
        postal_code="123-4567",
        address_line1="%s本町1丁目2番3号" % settings.CITY_NAME,
        address_line2="みほんハイツ101号",
    )
    return Certificate(
        resident=resident,
        certificate_type=rule.certificate_type,
        issued_on=today - dt.timedelta(days=150),
        expires_on=today + dt.timedelta(days=30),
    )


def chunk_residents(*, chunk: LetterChunk) -> QuerySet[Resident]:
    """The residents whose letters are in ``chunk`` (their keys only: for the access log)."""
    return Resident.objects.filter(letters__chunk=chunk).only("pk")


def recent_batches(*, user, limit: int = 10) -> list:
    """The latest letter batches with their parts and how many letters led to a booking."""
    from django.db.models import Count, Prefetch, Q

    converted = Exists(Reservation.objects.filter(referral_code=OuterRef("code")))
    batches = list(
        visible_batches(user)
        .select_related("rule")
        .prefetch_related(Prefetch("chunks", queryset=LetterChunk.objects.order_by("index")))
        .annotate(
            converted=Count(
                "letters",
                filter=Q(letters__in=Letter.objects.filter(converted)),
            )
        )
        # Named again: a query with GROUP BY drops the model's ordering, and the oldest
        # batches came first (the newest ten no longer on the page past ten batches).
        .order_by("-created_at", "-pk")[:limit]
    )
    return batches


# --- Need-to-know ---------------------------------------------------------------------
# Certificates, their residents, rules, letters and imports belong to the department that
# owns the certificate type. Its staff see them; managers and administrators see all;
# anyone else nothing (views answer 404, counts leave them out).

ALL_DEPARTMENTS = None
NO_DEPARTMENT = 0  # a department id no row has: sees nothing


def certificate_department(user) -> int | None:
    """The department whose certificates ``user`` may see, or ALL_DEPARTMENTS (None)
    for managers, administrators and superusers."""
    from organization.models import Role
    from organization.selectors import staff_member_for_user

    if user.is_superuser:
        return ALL_DEPARTMENTS
    member = staff_member_for_user(user)
    if member is None:
        return NO_DEPARTMENT
    if member.role in (Role.MANAGER, Role.ADMINISTRATOR):
        return ALL_DEPARTMENTS
    if member.role == Role.DEPARTMENT_STAFF:
        return member.department_id
    return NO_DEPARTMENT


def _scoped(queryset: QuerySet, user, path: str) -> QuerySet:
    department = certificate_department(user)
    if department is ALL_DEPARTMENTS:
        return queryset
    return queryset.filter(**{path: department})


def visible_certificate_types(user) -> QuerySet:
    from notices.models import CertificateType

    return _scoped(CertificateType.objects.all(), user, "department_id")


def visible_rules(user) -> QuerySet[NoticeRule]:
    return _scoped(NoticeRule.objects.all(), user, "certificate_type__department_id")


def visible_batches(user) -> QuerySet:
    from notices.models import LetterBatch

    return _scoped(LetterBatch.objects.all(), user, "rule__certificate_type__department_id")


def visible_chunks(user) -> QuerySet[LetterChunk]:
    return _scoped(LetterChunk.objects.all(), user, "batch__rule__certificate_type__department_id")


def visible_certificates(user) -> QuerySet[Certificate]:
    return _scoped(Certificate.objects.all(), user, "certificate_type__department_id")


def visible_residents(user) -> QuerySet[Resident]:
    department = certificate_department(user)
    if department is ALL_DEPARTMENTS:
        return Resident.objects.all()
    return Resident.objects.filter(
        Exists(
            Certificate.objects.filter(
                resident=OuterRef("pk"), certificate_type__department_id=department
            )
        )
    )


def visible_letters(user) -> QuerySet[Letter]:
    return _scoped(Letter.objects.all(), user, "rule__certificate_type__department_id")


def visible_import_runs(user) -> QuerySet:
    """Imports made for the user's department (an import by a manager may hold any
    department's rows: managers and administrators only)."""
    from notices.models import ImportRun

    return _scoped(ImportRun.objects.all(), user, "department_id")


@dataclass
class NoLetter:
    """A resident with a certificate expiring in a rule's window who gets no letter."""

    certificate: Certificate
    reason: str
    booking: Reservation | None = None  # the booking matched by name and kana alone
    letter: Letter | None = None
    planned_on: dt.date | None = None  # held back for capacity: the wave it goes with


def residents_without_letter(*, rule: NoticeRule, today: dt.date) -> list[NoLetter]:
    """Everyone holding a certificate of the rule's type that expires within its window
    and who gets no letter today, with why: renewed; booked since (the booking, matched
    by name and kana only, which staff may release); moved, deceased, opted out; a
    letter already made; an incomplete address or one that does not fit the envelope's
    window; held back for the counter's capacity until a later wave (notices/capacity.py).
    In a constant number of queries."""
    window = Certificate.objects.filter(
        certificate_type=rule.certificate_type,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=rule.days_before_expiry),
    ).select_related("resident", "certificate_type")
    certificates = list(window.order_by("expires_on", "resident__resident_number"))
    known = _WindowFacts.read(rule, today, certificates)
    found, to_check = [], []
    for certificate in certificates:
        reason = known.reason_not_due(certificate)
        if reason is not None:
            found.append(reason)
        elif certificate.pk in known.due:
            to_check.append(certificate)
    mailable, held = split_by_address(to_check)
    found += [NoLetter(certificate, certificate.mail_problem) for certificate in held]
    found += [
        _held_for_capacity(certificate, known.plan)
        for certificate in mailable
        if not known.plan.sends_on(certificate.pk, today)
    ]
    found.sort(key=lambda item: (item.certificate.expires_on, item.certificate.resident_id))
    return found


@dataclass
class _WindowFacts:
    """What ``residents_without_letter`` looks up for the certificates of a window, each
    in one query: the latest issue of each resident, letters made, booking matches
    released, open bookings by name, the due certificates and the capacity plan."""

    latest: dict
    letters: dict
    released: set
    bookings: dict
    due: set
    plan: object
    rule: NoticeRule

    @classmethod
    def read(cls, rule: NoticeRule, today: dt.date, certificates: list) -> "_WindowFacts":
        latest = {}
        for certificate in Certificate.objects.filter(
            certificate_type=rule.certificate_type,
            resident_id__in={c.resident_id for c in certificates},
        ).only("resident_id", "issued_on", "expires_on", "source_id"):
            mine = latest.get(certificate.resident_id)
            if mine is None or latest_key(certificate) > latest_key(mine):
                latest[certificate.resident_id] = certificate
        # Each resident's letters under the rule, with the expiry of their certificate
        # (a letter for another record of the same case counts: ``due_certificates``).
        letters = {}
        # A letter for a record since moved to another resident counts for it too.
        for letter in (
            Letter.objects.filter(rule=rule)
            .filter(
                Q(resident_id__in={c.resident_id for c in certificates})
                | Q(certificate__in=certificates)
            )
            .select_related("certificate")
        ):
            for resident_id in {letter.resident_id, letter.certificate.resident_id}:
                letters.setdefault(resident_id, []).append(letter)
        released = set(
            BookingMatchRelease.objects.filter(rule=rule, certificate__in=certificates).values_list(
                "certificate_id", flat=True
            )
        )
        first_issue = min((c.issued_on for c in certificates), default=None)
        due = {c.pk for c in due_certificates(rule=rule, today=today)}
        plan = rule_forecast(rule=rule, today=today) if due else None
        bookings = open_bookings_by_name(rule, first_issue)
        return cls(latest, letters, released, bookings, due, plan, rule)

    def letter_of_case(self, certificate: Certificate):
        """The letter made for this certificate, or for another record of the same case
        (the same issue, or an expiry within the rule's window), else None."""
        letters = self.letters.get(certificate.resident_id, [])
        return next(
            (letter for letter in letters if letter.certificate_id == certificate.pk), None
        ) or next(
            (letter for letter in letters if same_case(self.rule, certificate, letter.certificate)),
            None,
        )

    def reason_not_due(self, certificate: Certificate) -> "NoLetter | None":
        """Why the certificate's holder is not due a letter at all; None when they are
        (or when only the address or the capacity may hold the letter back)."""
        from django.utils.translation import gettext as _

        resident = certificate.resident
        latest = self.latest[certificate.resident_id]
        if certificate.issued_on < latest.issued_on:
            return NoLetter(certificate, _("renewed: a newer certificate was issued"))
        if certificate.pk != latest.pk:
            return NoLetter(
                certificate,
                _("recorded twice: the letter goes with record %(record)s of the same issue")
                % {"record": latest.source_id},
            )
        if resident.status != ResidentStatus.ACTIVE:
            return NoLetter(certificate, resident.get_status_display())
        letter = self.letter_of_case(certificate)
        if letter is not None:
            return NoLetter(
                certificate,
                _("already sent: letter %(code)s of %(day)s")
                % {"code": letter.code, "day": timezone.localdate(letter.created_at)},
                letter=letter,
            )
        if certificate.pk not in self.released and (
            match := matching_booking(
                self.bookings, resident.name, resident.kana, certificate.issued_on
            )
        ):
            return NoLetter(
                certificate,
                _("booked since: booking %(code)s for %(day)s, matched by name and kana only")
                % {"code": match.code, "day": timezone.localdate(match.start_at)},
                booking=match,
            )
        return None


def _held_for_capacity(certificate: Certificate, plan) -> NoLetter:
    """A mailable certificate the capacity plan sends in a later wave."""
    from django.utils.translation import gettext as _

    planned = plan.planned_on.get(certificate.pk)
    return NoLetter(
        certificate,
        _("held back for the counter's capacity: planned for the wave of %(day)s")
        % {"day": planned}
        if planned
        else _(
            "held back for the counter's capacity: planned after %(day)s, still in time to renew"
        )
        % {"day": plan.horizon_end},
        planned_on=planned,
    )
