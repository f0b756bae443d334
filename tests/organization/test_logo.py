"""The city's logo: an SVG is cleaned of all that runs or loads, a PNG is decoded and
written again, anything else is refused; it is served with its own strict headers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from PIL import Image

from organization import selectors, services
from organization.logo import MAX_BYTES, logo_clean
from organization.models import LogoType
from tests.organization.factories import ENTITY_ATTACKS, HOSTILE_SVGS, png

pytestmark = pytest.mark.django_db


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge image (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# --- Cleaning -----------------------------------------------------------------------------


@pytest.mark.parametrize("svg", HOSTILE_SVGS.values(), ids=HOSTILE_SVGS.keys())
def test_a_hostile_svg_is_stripped_of_everything_that_runs_or_loads(svg):
    cleaned = logo_clean(svg).content.decode().lower()

    for bad in ("script", "onload", "onclick", "foreignobject", "javascript", "evil", "data:"):
        assert bad not in cleaned
    for bad in ("<a", "<image", "<animate", "<set", "iframe", "@import"):
        assert bad not in cleaned
    assert cleaned.startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_a_clean_svg_keeps_its_drawing():
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs>'
        '<linearGradient id="g"><stop offset="0" stop-color="#0a0"/></linearGradient></defs>'
        '<circle cx="5" cy="5" r="4" fill="url(#g)" style="stroke:#000"/>'
        '<use xlink:href="#g"/><text x="1" y="9">市</text></svg>'
    ).encode()

    cleaned = logo_clean(svg).content.decode()

    assert 'viewBox="0 0 10 10"' in cleaned
    assert 'fill="url(#g)"' in cleaned and 'style="stroke:#000"' in cleaned
    assert 'href="#g"' in cleaned and "<text" in cleaned and "市" in cleaned


@pytest.mark.parametrize("svg", ENTITY_ATTACKS.values(), ids=ENTITY_ATTACKS.keys())
def test_svgs_with_entities_or_a_dtd_are_refused(svg):
    with pytest.raises(ValidationError, match="DTD"):
        logo_clean(svg)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\0" * 20, "PNG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "cannot be read"),
        (png(2500, 10), "pixels"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * MAX_BYTES + b"</svg>", "KB"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "cannot be read"),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>", "not an SVG"),
        (png_declaring(100_000, 100_000), "pixels"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'>"
            + b"<g>" * 5000
            + b"</g>" * 5000
            + b"</svg>",
            "complex",
        ),
    ],
    ids=[
        "gif",
        "fake png",
        "huge png",
        "too many bytes",
        "broken svg",
        "html",
        "png bomb",
        "deep svg",
    ],
)
def test_a_file_that_is_not_a_safe_logo_is_refused_with_a_message(data, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        logo_clean(data)


def test_a_png_is_decoded_and_written_again():
    # given a real PNG with a second file appended to it
    data = png() + b"<script>alert(1)</script>"

    logo = logo_clean(data)

    assert logo.content_type == LogoType.PNG
    assert b"script" not in logo.content
    assert Image.open(io.BytesIO(logo.content)).size == (40, 20)


# --- Serving ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "policy"),
    [
        (HOSTILE_SVGS["script"], "image/svg+xml", "default-src 'none'; style-src 'unsafe-inline'"),
        (png(), "image/png", "default-src 'none'"),
    ],
)
def test_the_logo_is_served_with_its_own_strict_headers(client, data, content_type, policy):
    services.site_settings_update(logo=logo_clean(data))
    version = selectors.site_settings().logo_version

    response = client.get(reverse("site_logo"), {"v": version})
    unversioned = client.get(reverse("site_logo"))
    again = client.get(reverse("site_logo"), HTTP_IF_NONE_MATCH='"%s"' % version)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Security-Policy"].startswith(policy)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" not in unversioned["Cache-Control"]
    assert again.status_code == 304
    assert b"script" not in response.content


def test_the_header_shows_the_logo_once_there_is_one(client, city):
    assert "site-logo" not in client.get("/").content.decode()

    services.site_settings_update(logo=logo_clean(png()))
    version = selectors.site_settings().logo_version

    header = client.get("/").content.decode().split("</header>")[0]
    assert 'src="%s?v=%s"' % (reverse("site_logo"), version) in header


def test_without_a_logo_the_logo_address_is_404(client):
    assert client.get(reverse("site_logo")).status_code == 404
