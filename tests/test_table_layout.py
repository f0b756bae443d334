"""Every table of the app's pages scrolls inside its own box on a phone: wrapped in
``.table-responsive``, so a wide table never makes the whole page scroll sideways."""

from pathlib import Path

from django.conf import settings

# Laid out to fit by design, or not on a screen: PDFs, e-mails, the display board, the
# month grid and the admin's preview.
FITTED = {
    "reservations/_month.html",
    "reservations/counter/_display_board.html",
    "admin/reservations/procedure/requirements_preview.html",
    "notices/letters.html",
    "dashboards/review_pdf.html",
}


def _unwrapped_tables(text: str) -> list[int]:
    lines, start = [], 0
    while (found := text.find("<table", start)) >= 0:
        opened = text[:found].rfind('<div class="table-responsive')
        closed = text[:found].rfind("</div>")
        if opened < 0 or closed > opened:
            lines.append(text[:found].count("\n") + 1)
        start = found + 1
    return lines


def test_every_table_on_a_page_scrolls_in_its_own_box():
    root = Path(settings.BASE_DIR) / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name in FITTED or "/email/" in name or name.endswith("_pdf.html"):
            continue
        found += ["%s:%d" % (name, line) for line in _unwrapped_tables(path.read_text())]

    assert found == []
