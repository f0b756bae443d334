"""Reading a rendered letter back as a post office's machine would: the page image from
``pdftoppm`` and the words' boxes from ``pdftotext -bbox``."""

import re
import subprocess
from pathlib import Path

from PIL import Image

DPI = 300
MM = DPI / 25.4  # pixels per millimetre
PT = 25.4 / 72  # millimetres per point
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def page_images(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(path), str(tmp_path / "page")],
        check=True,
    )
    return [Image.open(page).convert("L") for page in sorted(tmp_path.glob("page-*.png"))]


def dark_box(image: Image.Image, box_mm: tuple[float, float, float, float]):
    """(left, top, right, bottom) in mm of every dark pixel inside ``box_mm``; None if none."""
    left, top, right, bottom = (round(v * MM) for v in box_mm)
    region = image.crop((left, top, right, bottom)).point(lambda v: 255 if v < 128 else 0)
    found = region.getbbox()
    if found is None:
        return None
    return tuple((v + offset) / MM for v, offset in zip(found, (left, top, left, top), strict=True))


def read_barcode_bars(image: Image.Image, box_mm: tuple[float, float, float, float]) -> str:
    """The bars of the customer barcode printed lowest inside ``box_mm``, as F (long),
    A (ascender), D (descender) and T (timing), read from the pixels alone: the band of
    rows with ink at the bottom of the box, separated from the text above by blank rows;
    in it, each run of inked columns is a bar, classified by which of the band's top and
    bottom it reaches."""
    left, top, right, bottom = (round(v * MM) for v in box_mm)
    region = image.crop((left, top, right, bottom))
    width, height = region.size
    pixels = region.load()
    inked_rows = [y for y in range(height) if any(pixels[x, y] < 128 for x in range(width))]
    assert inked_rows, "nothing printed"
    band_bottom = inked_rows[-1]
    band_top = band_bottom
    while band_top - 1 in set(inked_rows):
        band_top -= 1
    band_height = band_bottom - band_top + 1
    columns = [
        [y for y in range(band_top, band_bottom + 1) if pixels[x, y] < 128] for x in range(width)
    ]
    bars, x = [], 0
    while x < width:
        if not columns[x]:
            x += 1
            continue
        start = x
        while x < width and columns[x]:
            x += 1
        ys = [y for column in columns[start:x] for y in column]
        reaches_top = min(ys) <= band_top + band_height * 0.15
        reaches_bottom = max(ys) >= band_bottom - band_height * 0.15
        bars.append(
            {(True, True): "F", (True, False): "A", (False, True): "D"}.get(
                (reaches_top, reaches_bottom), "T"
            )
        )
    return "".join(bars)


def words(pdf: bytes, tmp_path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, every word with its box (left, top, right, bottom) in mm."""
    path = tmp_path / "letters-bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append(
            [(text, *(float(v) * PT for v in box)) for *box, text in re.findall(WORD, page)]
        )
    return pages
