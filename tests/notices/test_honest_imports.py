"""Imports say what they did: impossible era dates and repeated record ids are reported
row by row, with the lines to compare."""

import datetime as dt

import pytest

from notices import parsing
from notices.models import Certificate
from tests.notices.test_import import certificate_type, csv, row, run_import  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    [
        "平成31年5月1日",
        "H31.5.1",
        "平成32年1月1日",
        "令和元年4月30日",
        "昭和64年1月8日",
        "平成元年1月7日",
    ],
)
def test_dates_outside_their_era_are_refused(written):
    with pytest.raises(parsing.ParseError, match=r"2019|1989"):
        parsing.parse_date(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("平成31年4月30日", dt.date(2019, 4, 30)), ("昭和64年1月7日", dt.date(1989, 1, 7))],
)
def test_the_last_day_of_an_era_is_accepted(written, expected):
    assert parsing.parse_date(written) == expected


def test_an_impossible_era_date_is_a_row_error_and_the_other_rows_import():
    run = run_import(csv(row(record="A", issued="平成31年5月1日"), row(record="B", number="R2")))

    assert [error["line"] for error in run.errors] == [2]
    assert "平成31年5月1日" in run.errors[0]["reason"]
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["B"]


def test_a_repeated_record_id_names_both_lines_and_whether_the_data_differs():
    run = run_import(
        csv(
            row(record="A"),
            row(record="B", number="R2"),
            row(record="A"),  # the same data again
            row(record="A", expires="2026-12-31"),  # different data
        )
    )

    reasons = {error["line"]: error["reason"] for error in run.errors}
    assert set(reasons) == {4, 5}
    assert "2" in reasons[4] and "A" in reasons[4]
    assert "2" in reasons[5]
    assert reasons[4] != reasons[5]  # the conflicting one says so
    assert Certificate.objects.get(source_id="A").expires_on == dt.date(2026, 10, 31)


def test_a_date_before_the_present_era_began_names_its_first_day_only():
    with pytest.raises(parsing.ParseError) as refused:
        parsing.parse_date("令和元年4月30日")

    assert "2019-05-01" in str(refused.value) and "—" not in str(refused.value)


def test_control_characters_and_line_breaks_in_names_are_refused_not_printed():
    run = run_import(
        csv(
            row(record="A", name="山田\x07太郎"),
            row(record="B", number="R2", name='"山田\n太郎"'),
            row(record="C", number="R3"),
        )
    )

    assert [error["line"] for error in run.errors] == [2, 3]
    assert all("name" in error["reason"] for error in run.errors)
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["C"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_in_names_are_refused_too(separator):
    """U+2028 printed 「太郎 様」 on top of the customer barcode (helper 41)."""
    run = run_import(
        csv(row(record="A", name="改行%s太郎" % separator), row(record="B", number="R2"))
    )

    assert [error["line"] for error in run.errors] == [2]
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["B"]


def test_a_name_the_letter_font_cannot_print_is_stored_with_a_warning_and_held_back():
    """𠮷 (U+20BB7) is not in IPAex: printed, it was a box in the window and the greeting."""
    from notices.addressblock import address_block

    run = run_import(csv(row(record="A", name="髙橋 𠮷郎"), row(record="B", number="R2")))

    assert run.errors == [] and run.created == 2
    (warning,) = run.row_warnings.filter(reason__contains="印刷できない")
    assert warning.line == 2 and "𠮷" in warning.reason
    held = address_block(
        postal_code="123-4567", address_line1="みどり市本町1-1", address_line2="", name="髙橋 𠮷郎"
    )
    assert "𠮷" in held.problem and held.lines == []
    printable = address_block(
        postal_code="123-4567", address_line1="みどり市本町1-1", address_line2="", name="髙橋 吉郎"
    )
    assert printable.problem == "" and printable.lines


def test_a_reading_not_in_kana_is_refused():
    text = csv(row(record="A"), row(record="B", number="R2")).replace(
        "ヤマダ タロウ", "yamada taro", 1
    )
    run = run_import(text)

    assert [error["line"] for error in run.errors] == [2]
    assert "yamada taro" in run.errors[0]["reason"]


@pytest.mark.parametrize(
    ("issued", "expires"),
    [("0001-01-01", "9999-12-31"), ("1899-12-31", "1900-06-30"), ("2026-01-01", "2200-01-01")],
)
def test_dates_that_cannot_be_right_are_refused(issued, expires):
    run = run_import(csv(row(record="A", issued=issued, expires=expires)))

    assert [error["line"] for error in run.errors] == [2]
    assert not Certificate.objects.exists()


def test_an_issue_date_after_today_is_refused():
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    run = run_import(
        csv(row(record="A", issued="R99.1.1", expires="R99.12.31"), row(record="B", number="R2"))
        + row(record="C", number="R3", issued=tomorrow.isoformat(), expires="2100-01-01")
        + "\n"
    )

    assert [error["line"] for error in run.errors] == [2, 4]
    assert list(Certificate.objects.values_list("source_id", flat=True)) == ["B"]


@pytest.mark.parametrize("start", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0"])
def test_an_excel_workbook_is_refused_with_how_to_save_it_as_csv(tmp_path, start):
    """Helper 41 uploaded an .xlsx and read that it was neither UTF-8 nor Shift_JIS."""
    from django.core.management import CommandError, call_command

    path = tmp_path / "records.xlsx"
    path.write_bytes(start + bytes(range(256)) * 4)

    with pytest.raises(CommandError, match="Excel") as refused:
        call_command("import_certificates", str(path))
    assert "CSV UTF-8" in str(refused.value)


def test_a_spreadsheets_empty_rows_are_skipped_not_refused():
    """An empty row saved by a spreadsheet is a line of commas, not a refused record."""
    run = run_import(csv(row(record="A"), ",,,,,,,,,,,,", row(record="B", number="R2"), ",,,"))

    assert run.errors == [] and run.created == 2
