"""Documents the apps print or show: PDF from HTML, and QR codes (SVG and PNG).

One home for every app (letters, the managers' quarterly report, a booking's files,
the kiosk's set-up page); it imports no app.

PDFs may carry residents' names and addresses, so the URL fetcher refuses every remote
and ``file://`` URL: templates inline their CSS and images (data: URLs) and need
nothing else.

QR codes: inline SVG for pages (sharp on any screen), PNG for e-mails and letters.
zxing-cpp encodes (error correction M, the mask chosen by the standard's penalty rules)
in C++: about 1 ms a code, where the pure-Python encoder took 20–30 ms — a letter batch
and every confirmation e-mail pay that once per code.
"""

import io

import zxingcpp
from PIL import Image


def safe_fetcher():
    """WeasyPrint's fetcher limited to data: URLs (inline images such as the QR code):
    nothing remote, no files from the server's disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a complete HTML page, laid out by WeasyPrint with ``safe_fetcher``."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=safe_fetcher()).write_pdf()


QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks


def _symbol(text: str) -> tuple[int, int, bytes]:
    """(width, height, grey pixels) of the symbol, one pixel a module, no quiet zone."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    view = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    height, width = view.shape[:2]
    return width, height, view.tobytes()


def qr_modules(text: str) -> list[list[bool]]:
    """The symbol's modules, row by row (True is dark), without the quiet zone."""
    width, height, pixels = _symbol(text)
    return [[pixels[y * width + x] < 128 for x in range(width)] for y in range(height)]


def qr_svg(text: str, *, border: int = QUIET_ZONE) -> str:
    """An SVG of one path (a rectangle per run of dark modules), sized in modules."""
    rows = qr_modules(text)
    size = len(rows) + 2 * border
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append("M%d,%dh%dv1h-%dz" % (start + border, y + border, x - start, x - start))
    return (
        '<svg width="%dmm" height="%dmm" version="1.1" viewBox="0 0 %d %d" '
        'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        '<rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>'
        % (size, size, size, size, size, size, "".join(runs))
    )


def qr_png(text: str, *, scale: int = 8, border: int = 2) -> bytes:
    """A black-and-white PNG, ``scale`` pixels a module (sharp when printed or scaled)."""
    width, height, pixels = _symbol(text)
    image = Image.new("L", (width + 2 * border, height + 2 * border), 255)
    image.paste(Image.frombytes("L", (width, height), pixels), (border, border))
    image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
