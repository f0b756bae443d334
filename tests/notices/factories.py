import datetime as dt

from notices.models import (
    Certificate,
    CertificateType,
    Letter,
    NoticeRule,
    Resident,
    ResidentStatus,
)
from reservations.models import Reservation
from tests.organization.factories import make_staff_member
from tests.reservations.factories import CounterFactory

TODAY = dt.date(2030, 6, 10)


_numbers = iter(range(10**6))
_letter_codes = iter(range(1000, 9999))


def holder(rule, *, expires_in=20, status=ResidentStatus.ACTIVE, postal="123-4567", **fields):
    n = next(_numbers)
    resident = Resident.objects.create(
        resident_number="R%d" % n,
        name=fields.get("name", "山田 太郎"),
        kana=fields.get("kana", "ヤマダ タロウ"),
        postal_code=postal,
        address_line1="みどり市本町1-2-3",
        status=status,
    )
    expires = TODAY + dt.timedelta(days=expires_in)
    certificate = Certificate.objects.create(
        source_id="C%d" % n,
        resident=resident,
        certificate_type=rule.certificate_type,
        issued_on=expires - dt.timedelta(days=182),
        expires_on=expires,
    )
    return certificate


def notice_rule(procedure, department, *, code: str, name: str) -> NoticeRule:
    """A renewal notice 30 days before expiry of certificate type ``code``, sent by
    ``department`` and inviting residents to book ``procedure``."""
    certificate_type = CertificateType.objects.create(
        code=code, name=name, procedure=procedure, department=department
    )
    return NoticeRule.objects.create(
        name="更新案内",
        certificate_type=certificate_type,
        days_before_expiry=30,
        procedure=procedure,
        sender=department,
    )


def booking_for(rule, *, name, kana, code="BOOK-0001", email_key="someone@example.jp"):
    """A booking of the rule's procedure on 2030-06-20 (made on 06-01) under ``name``."""
    at = dt.datetime(2030, 6, 20, 0, 0, tzinfo=dt.UTC)
    return Reservation.objects.create(
        procedure=rule.procedure,
        staff=make_staff_member(),
        counter=CounterFactory(),
        start_at=at,
        end_at=at + dt.timedelta(minutes=30),
        code=code,
        manage_nonce="x",
        citizen_name=name,
        citizen_kana=kana,
        email_key=email_key,
        created_at=dt.datetime(2030, 6, 1, tzinfo=dt.UTC),
    )


def batch_letters(rule, batch, count: int) -> list[Letter]:
    """``count`` letters of ``batch``, one to each of ``count`` new holders, made when the
    batch was."""
    letters = []
    for _ in range(count):
        certificate = holder(rule)
        letters.append(
            Letter.objects.create(
                rule=rule,
                resident=certificate.resident,
                certificate=certificate,
                code="L%04d-000" % next(_letter_codes),
                batch=batch,
                created_at=batch.created_at,
            )
        )
    return letters
