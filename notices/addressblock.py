"""The address block of a letter, laid out to stay inside the envelope's window.

Geometry (all in millimetres from the top-left corner of the A4 sheet, folded in three
so that its top third faces the window of a 長形3号 envelope): the window is
``LETTER_WINDOW_WIDTH_MM`` × ``LETTER_WINDOW_HEIGHT_MM`` (90 × 45) at
``LETTER_WINDOW_LEFT_MM`` (23) from the left and ``LETTER_WINDOW_TOP_MM`` (13) from the
top. Every glyph and bar stays ``LETTER_WINDOW_CLEARANCE_MM`` (3) inside its edges, since
the sheet shifts in the envelope: the block's safe area is 84 × 39 mm at 26 / 16 mm.

Inside it, from the top: the postal code, the address lines, the name with 様 and the
customer barcode (2 mm of blank above it, as Japan Post asks). Lines are measured here
with the font's own advance widths, so the PDF never wraps or clips them: each is an
absolutely placed line that does not wrap. Too long an address first shrinks (down to
``ADDRESS_MIN_PT``), then wraps only between address components (都道府県, 市区町村,
町域, 番地, 建物; the component names come from Japan Post's data through
``notices.postal``), never inside one. A name shrinks but never wraps. A block that still
does not fit is not printed: ``AddressBlock.problem`` says why, and the letter is held
back and listed for staff.
"""

import functools
import re
import subprocess
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notices import postal
from notices.barcode import CustomerBarcode, customer_barcode

PT_MM = 25.4 / 72
LINE_HEIGHT = 1.3  # em: the font's glyph boxes (0.88 up, 0.2 down) lie inside it
POSTAL_PT = 11
ADDRESS_MAX_PT, ADDRESS_MIN_PT = 11.0, 8.0
NAME_MAX_PT, NAME_MIN_PT = 15.0, 10.0
NAME_GAP_MM = 1.5
BARCODE_GAP_MM = 2.0  # Japan Post's quiet zone above the bars
FONT_FAMILY = "IPAexGothic"
INSET_MM = 0.25

# Bar sizes at 10 pt, in millimetres (the manual's standard size; it scales 8–11.5 pt).
BAR_WIDTH_10PT, BAR_PITCH_10PT = 0.6, 1.2
BAR_LONG_10PT, BAR_SEMI_10PT, BAR_TIMING_10PT = 3.6, 2.4, 1.2


@functools.cache
def _advance_widths() -> dict[int, float]:
    """The font's advance width of each character in em; empty when the font cannot be
    read (every character is then taken as 1 em, the widest the font has)."""
    try:
        from fontTools.ttLib import TTFont

        path = subprocess.run(
            ["fc-match", "-f", "%{file}", FONT_FAMILY],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        font = TTFont(path, lazy=True)
        units = font["head"].unitsPerEm
        metrics = font["hmtx"]
        return {code: metrics[name][0] / units for code, name in font.getBestCmap().items()}
    except Exception:  # no fontconfig, another font: the safe estimate
        return {}


def unprintable_characters(text: str) -> str:
    """The characters of ``text`` the letter's font has no glyph for, each once in order
    (printed, each would be a box: 𠮷 in a name, a stray symbol in an address); empty
    when the font cannot be read."""
    widths = _advance_widths()
    if not widths:
        return ""
    return "".join(dict.fromkeys(char for char in text if ord(char) not in widths))


def unprintable_problem(*texts: str) -> str:
    """Why a letter to these name and address lines cannot be printed as written, or ""."""
    missing = unprintable_characters("".join(texts))
    if not missing:
        return ""
    return str(
        _(
            "the name or address has characters the letter's font cannot print "
            "(%(characters)s): correct the record, with the usual form of the character"
        )
        % {"characters": " ".join(missing)}
    )


def text_width_mm(text: str, size_pt: float) -> float:
    widths = _advance_widths()
    return sum(widths.get(ord(char), 1.0) for char in text) * size_pt * PT_MM


def line_height_mm(size_pt: float) -> float:
    return size_pt * PT_MM * LINE_HEIGHT


@dataclass
class Line:
    text: str
    size_pt: float
    top_mm: float = 0.0

    @property
    def height_mm(self) -> float:
        return line_height_mm(self.size_pt)


@dataclass
class Bar:
    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float


@dataclass
class AddressBlock:
    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float
    lines: list[Line] = field(default_factory=list)
    barcode: CustomerBarcode | None = None
    bars: list[Bar] = field(default_factory=list)
    problem: str = ""  # why the letter cannot be printed; empty when it fits

    @property
    def fits(self) -> bool:
        return not self.problem

    @property
    def bars_path(self) -> str:
        """The bars as one SVG path in mm from the block's corner: one shape to draw,
        ten times faster in WeasyPrint than 67 boxes."""
        return "".join(
            "M%.3f %.3fh%.3fv%.3fh-%.3fz"
            % (bar.left_mm, bar.top_mm, bar.width_mm, bar.height_mm, bar.width_mm)
            for bar in self.bars
        )


def safe_area() -> tuple[float, float, float, float]:
    """(left, top, width, height) in mm of the window less its clearance."""
    clearance = settings.LETTER_WINDOW_CLEARANCE_MM
    return (
        settings.LETTER_WINDOW_LEFT_MM + clearance,
        settings.LETTER_WINDOW_TOP_MM + clearance,
        settings.LETTER_WINDOW_WIDTH_MM - 2 * clearance,
        settings.LETTER_WINDOW_HEIGHT_MM - 2 * clearance,
    )


def _sizes(largest: float, smallest: float) -> list[float]:
    sizes, size = [], largest
    while size >= smallest - 1e-9:
        sizes.append(round(size, 1))
        size -= 0.5
    return sizes


def _components(postal_code: str, line: str) -> list[str]:
    """An address line cut where a line may break: after the prefecture, the city
    (and its ward), the town (町域) as Japan Post names them for the postal code, and
    between the block numbers and a building; a space is always a boundary."""
    known = postal.components(postal_code)
    pieces = []
    for word in line.split():
        rest = word
        for name in known:
            if name and rest.startswith(name) and len(rest) > len(name):
                pieces.append(name)
                rest = rest[len(name) :]
        # the block numbers (３丁目30-8, 二千三百四十五番地) and what follows them
        match = re.match(
            r"^(.*?)((?:[0-9０-９〇一二三四五六七八九十百千]+(?:丁目|丁|番地|番|号|の|ノ|[-‐－ー−])?)+)(.*)$",
            rest,
        )
        if match and match.group(2) and any(c.isdigit() or c in "丁番号" for c in match.group(2)):
            before, numbers, after = match.groups()
            pieces += [piece for piece in (before, numbers, after) if piece]
        else:
            pieces.append(rest)
    return pieces


def _wrap(pieces: list[str], size_pt: float, width_mm: float) -> list[str] | None:
    """Pieces packed greedily into lines no wider than ``width_mm``; None when one piece
    alone is wider."""
    lines: list[str] = []
    for piece in pieces:
        if text_width_mm(piece, size_pt) > width_mm:
            return None
        if lines and text_width_mm(lines[-1] + piece, size_pt) <= width_mm:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def _bars(barcode: CustomerBarcode, top_mm: float, points: float) -> list[Bar]:
    scale = points / 10
    width, pitch = BAR_WIDTH_10PT * scale, BAR_PITCH_10PT * scale
    long, semi, timing = BAR_LONG_10PT * scale, BAR_SEMI_10PT * scale, BAR_TIMING_10PT * scale
    middle = (long - timing) / 2  # the timing bar's top
    shapes = {
        "F": (0.0, long),
        "A": (0.0, semi),
        "D": (long - semi, semi),
        "T": (middle, timing),
    }
    return [
        Bar(index * pitch, top_mm + shapes[kind][0], width, shapes[kind][1])
        for index, kind in enumerate(barcode.bars)
    ]


def barcode_size_mm(points: float | None = None) -> tuple[float, float]:
    """(width, height) of a customer barcode at ``points``."""
    scale = (points or settings.LETTER_BARCODE_POINTS) / 10
    return 66 * BAR_PITCH_10PT * scale + BAR_WIDTH_10PT * scale, BAR_LONG_10PT * scale


def _inner_area() -> tuple[float, float, float, float]:
    """The safe area, a quarter millimetre further in, so that rounding to the printer's
    dots never crosses it."""
    left, top, width, height = safe_area()
    return left + INSET_MM, top + INSET_MM, width - 2 * INSET_MM, height - 2 * INSET_MM


def address_block(
    *, postal_code: str, address_line1: str, address_line2: str, name: str
) -> AddressBlock:
    """Lay out one resident's address block in the window's safe area (positions are
    relative to the area's top-left corner)."""
    block = AddressBlock(*_inner_area())
    width, height = block.width_mm, block.height_mm
    if not postal_code or not address_line1:
        block.problem = str(_("address incomplete"))
    else:
        block.problem = unprintable_problem(name, postal_code, address_line1, address_line2)
    if block.problem:
        return block
    points = settings.LETTER_BARCODE_POINTS
    block.barcode = customer_barcode(postal_code, "%s %s" % (address_line1, address_line2))
    bar_width, bar_height = barcode_size_mm(points)
    barcode_height = BARCODE_GAP_MM + bar_height if block.barcode else 0.0

    addressee = "%s 様" % name
    name_size = next(
        (
            size
            for size in _sizes(NAME_MAX_PT, NAME_MIN_PT)
            if text_width_mm(addressee, size) <= width
        ),
        None,
    )
    if name_size is None:
        block.problem = str(_("the name does not fit in the envelope window on one line"))
        return block
    fixed = line_height_mm(POSTAL_PT) + NAME_GAP_MM + line_height_mm(name_size) + barcode_height

    raw_lines = [line for line in (address_line1, address_line2) if line]
    chosen = _fit_address(postal_code, raw_lines, width, height, fixed)
    if chosen is None:
        block.problem = str(_("the address does not fit in the envelope window"))
        return block

    size, address_lines = chosen
    y = 0.0
    block.lines.append(Line("〒%s" % postal_code, POSTAL_PT, y))
    y += line_height_mm(POSTAL_PT)
    for text in address_lines:
        block.lines.append(Line(text, size, y))
        y += line_height_mm(size)
    y += NAME_GAP_MM
    block.lines.append(Line(addressee, name_size, y))
    y += line_height_mm(name_size)
    if block.barcode:
        if bar_width > width:
            block.problem = str(_("the barcode does not fit in the envelope window"))
            return block
        block.bars = _bars(block.barcode, y + BARCODE_GAP_MM, points)
    return block


def _fit_address(postal_code: str, raw_lines: list[str], width: float, height: float, fixed):
    """(size, lines) of the address in ``width`` × ``height`` mm beside ``fixed`` mm of
    postal code, name and barcode: each line shrunk
    first, then wrapped between components, at the largest size that fits; None when
    nothing fits."""
    for size in _sizes(ADDRESS_MAX_PT, ADDRESS_MIN_PT):  # shrink first, one line each
        if all(text_width_mm(line, size) <= width for line in raw_lines) and (
            fixed + len(raw_lines) * line_height_mm(size) <= height
        ):
            return size, raw_lines
    for size in _sizes(ADDRESS_MAX_PT, ADDRESS_MIN_PT):  # then wrap between components
        wrapped = []
        for line in raw_lines:
            pieces = _wrap(_components(postal_code, line), size, width)
            if pieces is None:
                wrapped = None
                break
            wrapped += pieces
        if wrapped and fixed + len(wrapped) * line_height_mm(size) <= height:
            return size, wrapped
    return None


def resident_address_block(resident) -> AddressBlock:
    """The address block of a resident as stored (for the letter and for the letters
    list, which must agree on whether it fits)."""
    return address_block(
        postal_code=resident.postal_code,
        address_line1=resident.address_line1,
        address_line2=resident.address_line2,
        name=resident.name,
    )
