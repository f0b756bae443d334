"""No personal data in URLs, logs or error pages.

Personal data are the citizen's name, kana, e-mail, phone and address; the secret part
of a manage or survey link opens them, so it is kept out of logs and pages too.
"""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from config.logs import GunicornLogger, RedactPersonalData, redact
from reservations import services
from reservations.models import Reservation
from tests.reservations.test_views import details_url, form_data

pytestmark = pytest.mark.django_db

NAME, KANA, EMAIL, PHONE = (
    "窓口 花子",
    "まどぐち はなこ",
    "hanako.madoguchi@example.jp",
    "090-8765-4321",
)
PERSONAL = [NAME, KANA, EMAIL, PHONE, "09087654321"]


@pytest.fixture
def procedure():
    from tests.reservations.factories import procedure_with
    from tests.reservations.test_views import FUTURE_DAY

    return procedure_with("登録する印鑑", clerk_days=[FUTURE_DAY], code="inkan")


def logged_text(records) -> str:
    handler_filter = RedactPersonalData()
    formatter = logging.Formatter("%(name)s %(message)s")
    lines = []
    for record in records:
        handler_filter.filter(record)
        lines.append(formatter.format(record))
    return "\n".join(lines)


def test_a_whole_booking_leaves_no_personal_data_or_link_secret_in_the_logs(
    client, procedure, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    data = form_data(procedure, name=NAME, kana=KANA, email=EMAIL, phone=PHONE)
    booked = client.post(details_url(procedure), data)
    token = booked["Location"].split("/booking/")[1].strip("/")
    client.get(booked["Location"])
    client.get(reverse("reservations:manage", args=[token + "x"]))  # a mistyped link: 404
    client.post(reverse("reservations:cancel", args=[token]))

    # A reminder whose e-mail fails: the exception's text names the address.
    def refused(message, fail_silently=False):
        raise OSError("SMTP 550 recipient refused: <%s> tel %s" % (EMAIL, PHONE))

    from django.core.mail import EmailMultiAlternatives

    from outbox.models import Email
    from reservations import tasks

    again = client.post(details_url(procedure, hour=10), data)
    assert again.status_code == 302
    reservation = Reservation.objects.get(status="confirmed")
    monkeypatch.setattr(EmailMultiAlternatives, "send", refused)
    monkeypatch.setattr("reservations.selectors.reminders_due", lambda day: [reservation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reservations_send_reminders()

    text = logged_text(caplog.records)
    assert "Outbox e-mail booking-reminder:%s not sent" % reservation.pk in text
    stored_errors = " ".join(Email.objects.values_list("last_error", flat=True))
    for value in [*PERSONAL, token]:
        assert value not in text
        assert value not in stored_errors


def test_every_log_line_passes_the_filter():
    handlers = settings.LOGGING["handlers"]
    filters = settings.LOGGING["filters"]
    for handler in handlers.values():
        assert any(
            filters[name]["()"] == "config.logs.RedactPersonalData"
            for name in handler.get("filters", [])
        )


def test_the_access_log_cuts_link_secrets_and_letter_codes():
    line = redact("GET /booking/K7Q2XB.abcdef123/cancel/?x=1 HTTP/1.1 /book/jr/?letter=K7Q2XB")

    assert "K7Q2XB" not in line and "abcdef123" not in line
    assert "/booking/[token]/cancel/" in line
    conf = Path(settings.BASE_DIR, "gunicorn.conf.py").read_text()
    assert 'logger_class = "config.logs.GunicornLogger"' in conf
    assert issubclass(GunicornLogger, object)


def test_error_pages_echo_neither_the_link_nor_personal_data(client, procedure, monkeypatch):
    data = form_data(procedure, name=NAME, kana=KANA, email=EMAIL, phone=PHONE)
    token = client.post(details_url(procedure), data)["Location"].split("/booking/")[1]
    missing = client.get("/booking/%s" % token.replace(".", "x."))  # a mistyped link
    assert missing.status_code == 404
    assert not any(value in missing.content.decode() for value in PERSONAL)

    def fails(**kwargs):
        raise RuntimeError("cannot book %s %s" % (NAME, EMAIL))

    monkeypatch.setattr(services, "reservation_book", fails)
    client.raise_request_exception = False
    response = client.post(details_url(procedure, hour=10), data)

    assert response.status_code == 500
    body = response.content.decode()
    assert NAME not in body and EMAIL not in body


PERSONAL_FIELDS = re.compile(
    r'name="(name|kana|email|phone|address\w*|postal_code|citizen_\w+|contact\w*)"'
)


def test_no_form_sends_personal_data_in_the_url():
    """Forms that take personal data are POSTed: a GET form would put it in the URL
    (browser history, proxies, access logs)."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        for form in re.findall(r"<form[^>]*>.*?</form>", text, flags=re.S):
            if 'method="post"' in form:
                continue
            if PERSONAL_FIELDS.search(form):
                offenders.append(str(template))
    assert offenders == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_stored_files_are_not_served_by_their_path_even_with_debug_on(client, settings, tmp_path):
    """Helper 41 downloaded /media/letters/…pdf, names and addresses, logged out, from a
    trial run with DEBUG on (what ./dev start uses)."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "letters-1-001.pdf").write_bytes("%PDF-1.7 山田 太郎".encode())
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        response = client.get("/media/letters/letters-1-001.pdf")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()

    assert response.status_code == 404
    body = b"".join(getattr(response, "streaming_content", [response.content]))
    assert "山田".encode() not in body
