"""The city's logo, checked and cleaned when it is uploaded.

A PNG must really be a PNG: Pillow decodes it and writes it again, which drops whatever
else the file carried (text chunks, a second file appended to it). An SVG is an XML
document that a browser runs as a page when it is opened by itself, so it is parsed with
``defusedxml`` (no DTD, no entities: no billion laughs, no external entity) and rebuilt
from an allow-list of drawing elements and attributes: no script, no foreignObject, no
event handler, no link or reference outside the document, no ``javascript:`` or
``data:`` URL, no CSS that loads anything. The logo is also served with its own strict
Content-Security-Policy (``organization.views.site_logo``).
"""

import hashlib
import io
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organization.models import LogoType

MAX_BYTES = 512 * 1024
MAX_PIXELS = 2000
MAX_ELEMENTS = 5000
MAX_DEPTH = 64  # the copy below recurses: far below Python's recursion limit

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle",
        "ellipse", "line", "polyline", "polygon", "text", "tspan", "linearGradient",
        "radialGradient", "stop", "clipPath", "mask", "pattern", "style",
    }
)  # fmt: skip
# Elements whose text is kept (the others hold only child elements).
TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan", "style"})
ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "viewBox", "preserveAspectRatio", "width", "height", "x", "y",
        "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points",
        "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
        "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
        "stroke-dasharray", "stroke-dashoffset", "opacity", "color", "clip-path", "clip-rule",
        "mask", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
        "spreadMethod", "patternUnits", "patternTransform", "patternContentUnits",
        "clipPathUnits", "maskUnits", "maskContentUnits", "font-family", "font-size",
        "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing",
        "dx", "dy", "visibility", "display", "version", "role", "aria-label", "lang",
    }
)  # fmt: skip
# A url() may only point inside the document: url(#gradient).
FOREIGN_URL = re.compile(r"url\s*\(\s*(?![\s'\"]*#)", re.I)
DANGEROUS_CSS = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:16]


def logo_clean(data: bytes) -> Logo:
    """The uploaded file as a safe PNG or SVG; ``ValidationError`` with a message for the
    administrator if it is neither, too large, or cannot be made safe."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: at most %(size)d KB.") % {"size": MAX_BYTES // 1024}
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Logo(_clean_png(data), LogoType.PNG)
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return Logo(_clean_svg(data), LogoType.SVG)
    raise ValidationError(_("The logo must be a PNG or SVG file."))


def _clean_png(data: bytes) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValidationError(_("The logo must be a PNG or SVG file."))
            if image.width > MAX_PIXELS or image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The logo is too large: at most %(pixels)d × %(pixels)d pixels.")
                    % {"pixels": MAX_PIXELS}
                )
            image.load()
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except Image.DecompressionBombError as error:
        raise ValidationError(
            _("The logo is too large: at most %(pixels)d × %(pixels)d pixels.")
            % {"pixels": MAX_PIXELS}
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This PNG file cannot be read.")) from error
    return out.getvalue()


def _clean_svg(data: bytes) -> bytes:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ValidationError(
            _("This SVG file declares a DTD or entities, which are not allowed.")
        ) from error
    except (ParseError, ValueError) as error:
        raise ValidationError(_("This SVG file cannot be read.")) from error
    if root.tag != "{%s}svg" % SVG:
        raise ValidationError(_("This file is not an SVG image."))
    if sum(1 for _element in root.iter()) > MAX_ELEMENTS or _depth(root) > MAX_DEPTH:
        raise ValidationError(_("This SVG file is too complex for a logo."))
    clean = Element("svg", {"xmlns": SVG})
    _copy_attributes(root, clean)
    _copy_children(root, clean)
    return tostring(clean, encoding="utf-8", xml_declaration=False)


def _depth(root: Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _local_name(tag) -> str | None:
    """An SVG element's name, or None for anything in another namespace (or a comment)."""
    if not isinstance(tag, str) or not tag.startswith("{%s}" % SVG):
        return None
    return tag.split("}", 1)[1]


def _copy_children(source: Element, target: Element) -> None:
    keep_text = _local_name(source.tag) in TEXT_ELEMENTS
    for child in source:
        name = _local_name(child.tag)
        if name not in ELEMENTS:
            continue  # with everything inside it
        copy = SubElement(target, name)
        _copy_attributes(child, copy)
        if name in TEXT_ELEMENTS and child.text:
            copy.text = _safe_css(child.text) if name == "style" else child.text
        if keep_text and child.tail:
            copy.tail = child.tail
        _copy_children(child, copy)


def _copy_attributes(source: Element, target: Element) -> None:
    for key, value in source.attrib.items():
        if key in ("{%s}href" % XLINK, "href"):
            # use/gradient references inside the document only.
            if value.strip().startswith("#"):
                target.set("href", value.strip())
            continue
        if key == "{%s}lang" % XML:
            target.set("lang", value)
            continue
        if key not in ATTRIBUTES:
            continue  # event handlers, foreign namespaces, anything unknown
        if key == "style":
            value = _safe_css(value)
        elif FOREIGN_URL.search(value) or DANGEROUS_CSS.search(value):
            continue
        if value:
            target.set(key, value)


def _safe_css(css: str) -> str:
    """Inline CSS without anything that loads or runs: such CSS is dropped as a whole."""
    if FOREIGN_URL.search(css) or DANGEROUS_CSS.search(css) or "\\" in css:
        return ""
    return css
