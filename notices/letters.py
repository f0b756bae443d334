"""Letters as PDF: one function turns the letter template and its context into bytes.

WeasyPrint lays the letter out on A4 with the address in the window of a 長形3号
envelope and embeds a subset of the IPAex font. Letters carry residents' names and
addresses, so the PDF is made by ``config.documents.html_to_pdf``, whose URL fetcher
refuses every remote and ``file://`` URL: the template inlines its CSS and the QR code
(a data: URL), and needs nothing else.
"""

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from config.documents import html_to_pdf, qr_png
from notices.models import Letter
from notices.parsing import format_wareki
from organization.models import person_name
from reservations.models import DocumentRule


def booking_url(letter: Letter) -> str:
    return "%s/book/%s/?letter=%s" % (settings.SITE_URL, letter.rule.procedure.code, letter.code)


# One short line per citizen language at the foot of the letter (issue 19): the letter
# stays Japanese, and a resident who reads another language learns what it is about
# and where to book (the QR code and the address in the booking box). Fixed sentences,
# not the page catalogues: a letter is printed the same whatever language the staff
# member's pages are in. Words as in docs/glossary.md; the やさしい日本語 line is in
# kana with spaces, as paper has no furigana.
OTHER_LANGUAGE_LINES = (
    (
        "ja-easy",
        "ja",
        "やさしい にほんご：「{certificate}」を あたらしく する ための てがみです。"
        "よやくは うえの QRコード か アドレスから できます。",
    ),
    (
        "en",
        "en",
        "English: About renewing your certificate ({certificate}). "
        "Book online with the QR code or the address above.",
    ),
    (
        "zh-hans",
        "zh-Hans",
        "简体中文：关于更新您的证明书（{certificate}）的通知。请用上方的二维码或网址在网上预约。",
    ),
    (
        "ko",
        "ko",
        "한국어: 증명서({certificate}) 갱신 안내입니다. "
        "위의 QR 코드 또는 주소에서 온라인으로 예약하십시오.",
    ),
    (
        "vi",
        "vi",
        "Tiếng Việt: Thông báo gia hạn giấy chứng nhận ({certificate}). "
        "Đặt lịch hẹn trực tuyến: mã QR hoặc địa chỉ ở trên.",
    ),
    (
        "pt-br",
        "pt-BR",
        "Português: Aviso de renovação do seu certificado ({certificate}). "
        "Agendamento on-line: código QR ou endereço acima.",
    ),
)


def other_language_lines(certificate_type) -> list[dict]:
    """``[{"lang": "ko", "html": …}]``: each line with the certificate's name in that
    language, or its Japanese name (marked ``lang="ja"``) where it has no translation."""
    from modeltranslation.utils import build_localized_fieldname

    lines = []
    for code, html_lang, sentence in OTHER_LANGUAGE_LINES:
        own = getattr(certificate_type, build_localized_fieldname("name", code), None)
        name = (
            escape(own)
            if own
            else format_html('<span lang="ja">{}</span>', certificate_type.name_ja)
        )
        before, _, after = escape(sentence).partition("{certificate}")
        text = before + name + after
        lines.append({"lang": html_lang, "html": mark_safe(text)})
    return lines


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
    name = person_name(head.user) if head else ""
    return " ".join(part for part in (city_name, "%s長" % department.name, name) if part)


def letter_context(letter: Letter, *, today=None, documents: list[str] | None = None) -> dict:
    """``documents``: the texts of the procedure's active document rules when the caller
    read them already (a chunk reads them once); None reads them here."""
    # Letters are Japanese whatever the language of the page that asks for them (a
    # preview from an English staff page): the translated texts are read in Japanese.
    with translation.override("ja"):
        if documents is None:
            documents = active_document_texts([letter.rule.procedure_id])[letter.rule.procedure_id]
        return _letter_context(letter, today=today, documents=documents)


def active_document_texts(procedure_ids) -> dict[int, list[str]]:
    """The texts of the active document rules of each procedure, in their order: one
    query for every letter of a chunk."""
    texts = {procedure_id: [] for procedure_id in procedure_ids}
    for rule in DocumentRule.objects.filter(procedure_id__in=texts, is_active=True):
        texts[rule.procedure_id].append(rule.text)
    return texts


def _letter_context(letter: Letter, *, today, documents: list[str]) -> dict:
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
        "other_languages": other_language_lines(letter.certificate.certificate_type),
        "body": _body(letter),
        "booking_url": url,
        # A PNG, inline: drawing the SVG's path took half the time of a letter.
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode(),
        "documents": documents,
    }


def render_pdf(letters: list[Letter], *, today=None) -> bytes:
    """One PDF with one page per letter, in the order given."""
    with translation.override("ja"):
        documents = active_document_texts({letter.rule.procedure_id for letter in letters})
        contexts = [
            letter_context(letter, today=today, documents=documents[letter.rule.procedure_id])
            for letter in letters
        ]
        html = render_to_string("notices/letters.html", {"letters": contexts})
    return html_to_pdf(html)
