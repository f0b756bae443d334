"""QR codes read back: what a phone's camera would decode from the PNG of a letter or an
e-mail, and the SVG of a page drawn module for module."""

import io
import re

import zxingcpp
from PIL import Image

from config.documents import QUIET_ZONE, qr_modules, qr_png, qr_svg

URL = "https://madoguchi.city.example.jp/book/juminhyo/?letter=ABCD-EFGH-1234"


def test_the_png_decodes_to_the_text_it_was_made_from():
    image = Image.open(io.BytesIO(qr_png(URL))).convert("L")

    read = zxingcpp.read_barcode(image)

    assert read is not None and read.text == URL
    assert read.format == zxingcpp.BarcodeFormat.QRCode


def test_japanese_text_survives_the_round_trip():
    text = "予約番号 ABCD-1234 みどり市役所"

    read = zxingcpp.read_barcode(Image.open(io.BytesIO(qr_png(text))).convert("L"))

    assert read.text == text


def test_the_svg_draws_exactly_the_dark_modules_inside_its_quiet_zone():
    modules = qr_modules(URL)
    svg = qr_svg(URL)
    size = len(modules) + 2 * QUIET_ZONE
    drawn = set()
    for x, y, width in re.findall(r"M(\d+),(\d+)h(\d+)v1", svg):
        for column in range(int(x), int(x) + int(width)):
            drawn.add((int(y) - QUIET_ZONE, column - QUIET_ZONE))

    dark = {(y, x) for y, row in enumerate(modules) for x, on in enumerate(row) if on}
    assert drawn == dark
    assert 'viewBox="0 0 %d %d"' % (size, size) in svg
