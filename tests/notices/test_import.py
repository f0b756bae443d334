import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from notices import parsing, services
from notices.models import Certificate, CertificateType, Resident, ResidentStatus
from organization.models import Role
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db

HEADER = ",".join(services.COLUMNS)


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def row(
    record="JR-1",
    number="R1",
    name="山田 太郎",
    postal="123-4567",
    status="active",
    ctype="jr-commuter",
    issued="2026-05-01",
    expires="2026-10-31",
):
    return ",".join(
        [
            record,
            number,
            name,
            "ヤマダ タロウ",
            postal,
            "みどり市本町1-1",
            "",
            status,
            ctype,
            issued,
            expires,
            "",
        ]
    )


@pytest.fixture(autouse=True)
def certificate_type():
    return CertificateType.objects.create(code="jr-commuter", name="JR定期券割引の証明書")


def run_import(text: str, encoding="utf-8"):
    return services.certificates_import(data=text.encode(encoding), file_name="records.csv")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-05-01", dt.date(2026, 5, 1)),
        ("2026/5/1", dt.date(2026, 5, 1)),
        ("20260501", dt.date(2026, 5, 1)),
        ("２０２６年５月１日", dt.date(2026, 5, 1)),
        ("令和8年5月1日", dt.date(2026, 5, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("R8.5.1", dt.date(2026, 5, 1)),
        ("Ｈ３０．１２．３", dt.date(2018, 12, 3)),
    ],
)
def test_dates_in_gregorian_and_wareki(written, expected):
    assert parsing.parse_date(written) == expected


@pytest.mark.parametrize("written", ["2026-02-30", "令和8年13月1日", "yesterday", ""])
def test_bad_dates_are_refused_with_a_reason(written):
    with pytest.raises(parsing.ParseError):
        parsing.parse_date(written)


@pytest.mark.parametrize(
    "written", ["123-4567", "1234567", "１２３－４５６７", "〒123ー4567", "123‐4567"]
)
def test_postal_codes_of_any_width_and_dash(written):
    assert parsing.parse_postal_code(written) == "123-4567"


def test_utf8_with_bom_and_shift_jis_both_import():
    text = csv(row())
    with_bom = services.certificates_import(
        data=b"\xef\xbb\xbf" + text.encode("utf-8"), file_name="a.csv"
    )
    Certificate.objects.all().delete()
    shift_jis = run_import(text, encoding="cp932")

    assert (with_bom.encoding, with_bom.created) == ("UTF-8", 1)
    assert (shift_jis.encoding, shift_jis.created) == ("CP932", 1)
    assert Resident.objects.get().name == "山田 太郎"


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_kept():
    report = run_import(
        csv(
            row(record="JR-1"),
            row(record="JR-2", issued="2026-13-01"),
            row(record="JR-3", ctype="unknown"),
            row(record="JR-4", postal="12-34"),
            row(record="JR-5", issued="2026-10-01", expires="2026-09-01"),
            row(record="", number="R9"),
            row(record="JR-1", number="R1"),
            row(record="JR-8", number="R8", status="somewhere"),
            row(record="JR-9", number="R9"),
        )
    )

    lines = [error["line"] for error in report.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert all(error["reason"] for error in report.errors)
    assert report.rows == 9
    assert sorted(Certificate.objects.values_list("source_id", flat=True)) == ["JR-1", "JR-9"]


def test_importing_the_same_file_again_changes_nothing():
    text = csv(row(record="JR-1"), row(record="JR-2", number="R2"))
    first = run_import(text)
    before = list(Resident.objects.values_list("id", "updated_at"))

    second = run_import(text)

    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert list(Resident.objects.values_list("id", "updated_at")) == before
    assert Certificate.objects.count() == 2


def test_a_changed_record_updates_by_record_id():
    run_import(csv(row(record="JR-1", expires="2026-10-31")))

    report = run_import(csv(row(record="JR-1", expires="2026-11-30", status="moved")))

    assert report.updated == 1
    certificate = Certificate.objects.get()
    assert certificate.expires_on == dt.date(2026, 11, 30)
    assert certificate.resident.status == ResidentStatus.MOVED


def test_an_empty_postal_code_is_kept_as_an_incomplete_address():
    run_import(csv(row(postal="")))

    assert not Resident.objects.get().has_complete_address


def test_a_file_in_another_encoding_or_without_the_columns_is_refused_whole():
    not_text = services.certificates_import(data=b"\x81\xff\xfe\x00\x80", file_name="x.csv")
    wrong_columns = services.certificates_import(data=b"a,b,c\n1,2,3\n", file_name="y.csv")

    assert not_text.errors and not_text.created == 0
    assert wrong_columns.errors[0]["line"] == 1
    assert Certificate.objects.count() == 0


def test_the_command_imports_and_fails_loudly_on_bad_rows(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(csv(row()), encoding="cp932")
    bad = tmp_path / "bad.csv"
    bad.write_text(csv(row(record="JR-2", issued="nope")), encoding="utf-8")

    call_command("import_certificates", str(good))
    with pytest.raises(CommandError):
        call_command("import_certificates", str(bad))

    output = capsys.readouterr().out
    assert "1 new" in output
    assert "line 2 (record id JR-2)" in output


def test_the_shipped_sample_imports_cleanly():
    from django.conf import settings

    from tests.reservations.factories import ProcedureFactory

    ProcedureFactory(code="jr-commuter-pass")
    sample = settings.BASE_DIR / "docs" / "samples" / "certificates-sample.csv"
    report = services.certificates_import(data=sample.read_bytes(), file_name=sample.name)

    assert report.errors == []
    assert report.created > 100


def test_staff_upload_page_imports_and_shows_the_report(
    client, certificate_type, django_capture_on_commit_callbacks
):
    member = make_staff_member(role=Role.DEPARTMENT_STAFF)
    certificate_type.department = member.department
    certificate_type.save()
    client.force_login(member.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "records.csv", csv(row(), row(record="JR-2", issued="x")).encode("cp932")
    )
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("notices:import"), {"file": upload})
    response = client.get(posted["Location"])

    content = response.content.decode()
    assert response.status_code == 200
    assert Certificate.objects.count() == 1
    assert ">3<" in content  # the refused row's line number


def test_upload_page_is_refused_to_counter_staff_and_anonymous(client):
    assert client.get(reverse("notices:import")).status_code == 302
    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)
    assert client.get(reverse("notices:import")).status_code == 403


def test_upload_without_a_file_gets_a_form_error(client):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    response = client.post(reverse("notices:import"), {})

    assert response.status_code == 200
    assert response.context["form"].errors
