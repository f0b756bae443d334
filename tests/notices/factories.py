import datetime as dt

from notices.models import Certificate, Resident, ResidentStatus

TODAY = dt.date(2030, 6, 10)


_numbers = iter(range(10**6))


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
