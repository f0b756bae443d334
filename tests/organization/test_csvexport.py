import csv
import io
from decimal import Decimal

import pytest

from organization import csvexport

HOSTILE = [
    '=HYPERLINK("http://x","クリック")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1+1",
    "\u3000=1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
]


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(cell):
    rows = read(csvexport.csv_bytes([[cell, "ok"]]))

    assert rows == [["'" + cell, "ok"]]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (-5, "-5"),
        (-0.25, "-0.25"),
        (Decimal("-1.50"), "-1.50"),
        ("-5", "-5"),
        ("+3", "+3"),
        ("-0.25", "-0.25"),
        ("1e-3", "1e-3"),
        (0, "0"),
        (None, ""),
        ("2026-11-29", "2026-11-29"),
    ],
)
def test_numbers_stay_numbers(value, written):
    assert read(csvexport.csv_bytes([[value]])) == [[written]]


def test_ordinary_text_with_commas_quotes_and_newlines_comes_back_unchanged():
    cell = '山田 "太郎", 本庁舎\n1階 = 窓口'

    assert read(csvexport.csv_bytes([[cell]], header=["名前"])) == [["名前"], [cell]]


def test_the_download_names_the_file_safely_in_both_forms():
    response = csvexport.csv_response('../申請 "一覧"\r\n.csv', [["=1"]], header=["a"])

    disposition = response["Content-Disposition"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''" in disposition
    assert "/" not in disposition.split("filename*=")[1] and "\r" not in disposition
    assert "%E7%94%B3%E8%AB%8B" in disposition  # 申請, percent-encoded UTF-8
    assert read(response.content) == [["a"], ["'=1"]]


def test_a_streamed_download_is_neutralised_too():
    response = csvexport.csv_streaming_response("big.csv", ([n, "@x"] for n in range(3)))

    data = b"".join(response.streaming_content)
    assert read(data) == [["0", "'@x"], ["1", "'@x"], ["2", "'@x"]]
    assert "filename*=UTF-8''big.csv" in response["Content-Disposition"]
