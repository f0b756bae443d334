"""Letters as PDF: one function turns the letter template and its context into bytes.

WeasyPrint lays the letter out on A4 with the address in the window of a 長形3号
envelope and embeds a subset of the IPAex font. Letters carry residents' names and
addresses, so the URL fetcher refuses every remote and ``file://`` URL: the template
inlines its CSS and the QR code (a data: URL), and needs nothing else.
"""

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from notices.models import Letter
from notices.parsing import format_wareki
from reservations.documents import qr_png


def safe_fetcher():
    """WeasyPrint's fetcher limited to data: URLs (the inline QR code): nothing remote,
    no files from the server's disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


def booking_url(letter: Letter) -> str:
    return "%s/book/%s/?letter=%s" % (settings.SITE_URL, letter.rule.procedure.code, letter.code)


def _body(letter: Letter) -> str:
    """The rule's text with its placeholders filled; every value escaped."""
    values = {
        "name": letter.resident.name,
        "certificate": letter.certificate.certificate_type.name,
        "expires_on": format_wareki(letter.certificate.expires_on),
        "expires_on_iso": letter.certificate.expires_on.isoformat(),
        "certificate_en": letter.certificate.certificate_type.name_en
        or letter.certificate.certificate_type.name,
        "procedure": letter.rule.procedure.name,
    }
    text = escape(letter.rule.text)
    for key, value in values.items():
        text = text.replace("{%s}" % key, str(escape(value)))
    paragraphs = [p.replace("\n", "<br>") for p in text.split("\n\n")]
    return mark_safe("".join("<p>%s</p>" % p for p in paragraphs))


def _head_signature(city_name: str, department) -> str:
    """「みどり市 福祉課長 山田 一郎」: the department's head, as the rule names no signer."""
    head = department.head
    name = head.user.get_full_name() if head else ""
    return " ".join(part for part in (city_name, "%s長" % department.name, name) if part)


def letter_context(letter: Letter, *, today=None) -> dict:
    from notices.addressblock import resident_address_block
    from organization.selectors import site_settings

    rule = letter.rule
    url = booking_url(letter)
    resident = letter.resident
    block = resident_address_block(resident)
    city = site_settings()
    return {
        "letter": letter,
        "resident": letter.resident,
        "block": block,
        "sender": rule.sender,
        # Letters are in Japanese: the city's Japanese name and address.
        "city_name": city.city_name,
        "city_address": city.address,
        "document_number": letter.document_number,
        # 公文書: signed by the mayor or the head as the rule says, seal omitted.
        "signer": rule.signer or _head_signature(city.city_name, rule.sender),
        "contact": {
            "department": rule.sender.name,
            "location": rule.sender.location,
            "phone": rule.sender.phone or city.phone,
            "opening_hours": city.opening_hours,
        },
        "date": format_wareki(today or timezone.localdate()),
        "expires_on": format_wareki(letter.certificate.expires_on),
        "expires_on_iso": letter.certificate.expires_on.isoformat(),
        "certificate_en": letter.certificate.certificate_type.name_en
        or letter.certificate.certificate_type.name,
        "body": _body(letter),
        "booking_url": url,
        # A PNG, inline: drawing the SVG's path took half the time of a letter.
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode(),
        "documents": [r.text for r in rule.procedure.document_rules.filter(is_active=True)],
    }


def render_pdf(letters: list[Letter], *, today=None) -> bytes:
    """One PDF with one page per letter, in the order given."""
    from weasyprint import HTML

    html = render_to_string(
        "notices/letters.html",
        {"letters": [letter_context(letter, today=today) for letter in letters]},
    )
    return HTML(string=html, url_fetcher=safe_fetcher()).write_pdf()
