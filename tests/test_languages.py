"""Seven languages for citizens, Japanese and English for staff, and each booking's
e-mails and calendar file in the language it was made in."""

import datetime as dt
import re
import unicodedata

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from organization.models import Role
from reservations import tasks
from reservations.models import Reservation
from tests.organization.factories import make_staff_member
from tests.reservations.factories import add_clerk, as_kiosk, at
from tests.reservations.test_views import FUTURE_DAY, details_url, form_data
from tests.reservations.test_views import procedure as procedure

pytestmark = pytest.mark.django_db

CITIZEN_LANGUAGES = {
    # code: (<html lang>, its name in itself)
    "ja": ("ja", "日本語"),
    "ja-easy": ("ja", "やさしい にほんご"),
    "en": ("en", "English"),
    "zh-hans": ("zh-Hans", "简体中文"),
    "ko": ("ko", "한국어"),
    "vi": ("vi", "Tiếng Việt"),
    "pt-br": ("pt-BR", "Português (Brasil)"),
}


def _html_lang(content: str) -> str:
    return re.search(r'<html lang="([^"]+)"', content).group(1)


def test_the_seven_citizen_languages_are_offered_each_in_its_own_language(client):
    assert [code for code, _name in settings.LANGUAGES] == list(CITIZEN_LANGUAGES)

    content = client.get("/").content.decode()

    for code, (lang, name) in CITIZEN_LANGUAGES.items():
        assert '<option value="%s" lang="%s"' % (code, lang) in content
        assert ">%s</option>" % name in unicodedata.normalize("NFC", content)


@pytest.mark.parametrize(("accept", "lang"), [("ko-KR,ko;q=0.9", "ko"), ("pt-BR", "pt-BR")])
def test_the_language_comes_from_the_browser(client, accept, lang):
    response = client.get("/", headers={"accept-language": accept})

    assert _html_lang(response.content.decode()) == lang


@pytest.mark.parametrize("code", list(CITIZEN_LANGUAGES))
def test_the_switch_changes_the_language_and_it_is_remembered(client, code):
    response = client.post(reverse("set_language"), {"language": code, "next": "/book/"})

    assert response.status_code == 302 and response["Location"] == "/book/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
    page = client.get("/book/").content.decode()  # the cookie, no Accept-Language
    assert _html_lang(page) == CITIZEN_LANGUAGES[code][0]
    assert '<option value="%s" lang="%s" selected>' % (code, CITIZEN_LANGUAGES[code][0]) in page


def test_the_switch_is_outside_the_collapsed_menu_and_works_without_script(client):
    content = client.get("/").content.decode()

    switch = content.index('class="lang-switch')
    assert switch < content.index('id="main-nav"')  # not hidden behind the menu button
    form = content[content.rindex("<form", 0, switch) : content.index("</form>", switch)]
    assert 'method="post"' in form and 'action="/i18n/setlang/"' in form
    assert 'type="submit"' in form and "csrfmiddlewaretoken" in form


def test_citizen_texts_are_in_the_chosen_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    assert "예약" in client.get("/book/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "lịch hẹn" in client.get("/book/").content.decode().lower()


@pytest.mark.parametrize(("chosen", "staff_lang"), [("ja-easy", "ja"), ("ko", "en"), ("en", "en")])
def test_staff_pages_are_japanese_or_english_only(client, chosen, staff_lang):
    clerk = make_staff_member(role=Role.COUNTER_STAFF)
    client.force_login(clerk.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen

    content = client.get(reverse("reservations:queue")).content.decode()

    assert _html_lang(content) == staff_lang
    assert "<ruby>" not in content
    options = re.findall(r'<option value="([^"]+)" lang=', content)
    assert options == ["ja", "en"]
    # The citizen pages keep the language chosen.
    assert _html_lang(client.get("/").content.decode()) == CITIZEN_LANGUAGES[chosen][0]


def test_the_login_page_is_english_for_a_korean_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    content = client.get(reverse("login")).content.decode()

    assert _html_lang(content) == "en"


def test_error_pages_are_in_the_active_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get("/booking/no-such-thing/")

    assert response.status_code == 404
    assert _html_lang(response.content.decode()) == "zh-Hans"
    assert "找不到" in response.content.decode() or "页面" in response.content.decode()


def test_the_kiosk_offers_every_language_and_goes_back_to_japanese_at_the_start(client):
    as_kiosk(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    start = client.get(reverse("reservations:kiosk")).content.decode()
    buttons = re.findall(r'<button type="submit" name="language" value="([^"]+)" lang=', start)
    assert buttons == list(CITIZEN_LANGUAGES)
    assert _html_lang(start) == "vi"

    # "Done" on a ticket, or its countdown, leads to ?start: Japanese for the next person.
    response = client.get(reverse("reservations:kiosk") + "?start")
    assert response.status_code == 302 and response["Location"] == reverse("reservations:kiosk")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    assert _html_lang(client.get(reverse("reservations:kiosk")).content.decode()) == "ja"


def test_the_display_board_shows_japanese_and_the_chosen_language(client):
    korean = client.get(reverse("reservations:display") + "?language=ko").content.decode()
    assert '<span lang="ja">番号</span>' in korean
    with translation.override("ko"):
        # Korean where its catalogue has the board's labels, else English (never the
        # Japanese twice, once marked as Korean).
        if gettext("Now calling") != "呼出中の番号":
            assert '<span lang="ko">%s</span>' % gettext("Number") in korean
        else:
            assert '<span lang="en">Number</span>' in korean
    assert "/display/board/?language=ko" in korean  # the refresh keeps it

    board = client.get(reverse("reservations:display_board") + "?language=pt-br").content.decode()
    assert '<span lang="ja">' in board
    assert '<span lang="pt-BR"' in board or '<span lang="en">Number</span>' in board

    # Japanese chosen: Japanese and English, as before.
    japanese = client.get(reverse("reservations:display")).content.decode()
    assert '<span lang="en" class="display-en">Now calling</span>' in japanese


def _book_in(client, procedure, language, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(details_url(procedure), form_data(procedure), follow=True)
    return response, Reservation.objects.get()


def test_a_korean_booking_gets_its_confirmation_reminder_and_calendar_in_korean(
    client,
    procedure,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    response, reservation = _book_in(client, procedure, "ko", django_capture_on_commit_callbacks)

    assert reservation.language == "ko"
    assert "예약이 확정되었습니다" in response.content.decode()
    confirmation = mail.outbox[0]
    assert confirmation.subject.startswith("예약 확정")
    assert "년" in confirmation.subject  # the date written the Korean way
    html = confirmation.alternatives[0].content
    assert '<html lang="ko">' in html
    ics = next(
        a[1] for a in confirmation.attachments if isinstance(a, tuple) and a[0].endswith(".ics")
    )
    assert "예약 번호" in ics or "지참" in ics

    # The reminder the day before, sent by a job (no request, no language active).
    mail.outbox.clear()
    monkeypatch.setattr(
        "reservations.tasks.timezone.now", lambda: at(FUTURE_DAY - dt.timedelta(days=1), 10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reservations_send_reminders() == 1
    assert mail.outbox[0].subject.startswith("내일 예약 안내")

    # The .ics downloaded from the manage page is in that page's language (whoever
    # clicks reads it); the one attached to the e-mail above is the booking's.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    token = re.search(r"/booking/([^/]+)/", confirmation.body).group(1)
    ics_download = client.get(reverse("reservations:ics", args=[token])).content.decode()
    assert "예약 번호" in ics_download or "지참" in ics_download


def test_a_plain_japanese_booking_gets_readings_in_its_email(
    client,
    procedure,
    django_capture_on_commit_callbacks,
):
    response, reservation = _book_in(
        client, procedure, "ja-easy", django_capture_on_commit_callbacks
    )

    assert reservation.language == "ja-easy"
    assert "<ruby>" in response.content.decode()
    message = mail.outbox[0]
    # The subject stays short: readings in the text and the HTML only.
    assert "予約" in message.subject and "（よやく）" not in message.subject
    assert "本人確認書類（ほんにんかくにんしょるい）" in message.body
    assert "<ruby>予約<rp>（</rp><rt>よやく</rt>" in message.alternatives[0].content


def test_the_emails_link_opens_the_booking_in_its_language_on_any_phone(
    client,
    procedure,
    django_capture_on_commit_callbacks,
):
    """Helper 47: a やさしい日本語 booking's link, opened in a mail app's browser set to
    Japanese, showed standard Japanese; no browser ever asks for plain Japanese."""
    _book_in(client, procedure, "ja-easy", django_capture_on_commit_callbacks)
    link = re.search(r"https?://[^/\s]+(/booking/\S+\?lang=ja-easy)", mail.outbox[0].body)
    phone = type(client)()  # another browser: no cookie, asks for Japanese

    page = phone.get(link.group(1), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    after = phone.get(reverse("reservations:find"), HTTP_ACCEPT_LANGUAGE="ja")

    assert "<ruby>" in page
    assert "<ruby>" in after.content.decode()  # remembered, as the switch does


def test_a_reschedule_takes_the_language_of_the_page_it_was_made_on(
    client,
    procedure,
    django_capture_on_commit_callbacks,
):
    add_clerk(procedure, day=FUTURE_DAY + dt.timedelta(days=1))
    _response, reservation = _book_in(client, procedure, "ko", django_capture_on_commit_callbacks)
    token = re.search(r"/booking/([^/]+)/", mail.outbox[0].body).group(1)
    mail.outbox.clear()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    url = reverse("reservations:reschedule_confirm", args=[token, FUTURE_DAY, "%02d%02d" % (10, 0)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, follow=True)

    moved = Reservation.objects.exclude(pk=reservation.pk).get()
    assert moved.language == "pt-br"
    assert "agendamento" in (mail.outbox[0].subject + mail.outbox[0].body).lower()


@pytest.mark.parametrize(
    ("language", "words"),
    [("ko", "문제가 발생했습니다"), ("vi", "Đã xảy ra lỗi"), ("pt-br", "Ocorreu um erro")],
)
def test_the_error_page_speaks_the_residents_language_too(rf, language, words):
    """A 500 keeps its Japanese and English and adds the resident's own language."""
    from django.utils import translation

    from config.views import server_error

    with translation.override(language):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            page = server_error(rf.get("/")).content.decode()

    assert words in page and "ただいま処理できませんでした" in page
    assert 'lang="%s"' % ("pt-BR" if language == "pt-br" else language) in page
