"""Furigana on the plain-Japanese pages: readings from the analyser, corrected by the
administrators, never inside tags, scripts or form options."""

import pytest
from django.conf import settings
from django.urls import reverse

from organization import furigana, services
from organization.models import ReadingCorrection

NONE = ("test", {})  # no corrections


def test_known_words_get_their_reading_in_hiragana():
    html = furigana.ruby_text("住民票の写しは市役所の窓口で。", NONE)

    assert "<ruby>住民票<rp>（</rp><rt>じゅうみんひょう</rt><rp>）</rp></ruby>" in html
    assert "<rt>しやくしょ</rt>" in html and "<rt>まどぐち</rt>" in html
    assert "の" in html and "<ruby>の" not in html  # kana stay as they are


def test_okurigana_stay_outside_the_ruby():
    assert furigana.reading_text("受け取ります", NONE) == "受（う）け取（と）ります"
    assert furigana.reading_text("手続き", NONE) == "手続（てつづ）き"


def test_plain_text_puts_the_reading_in_brackets_after_the_word():
    text = furigana.reading_text("在留カードと本人確認書類", NONE)

    assert text == "在留（ざいりゅう）カードと本人確認書類（ほんにんかくにんしょるい）"


def test_text_without_kanji_is_left_alone():
    assert furigana.ruby_html("<p>English &amp; かな</p>", NONE) == "<p>English &amp; かな</p>"


def test_no_ruby_in_tags_scripts_styles_titles_options_text_areas_or_existing_ruby():
    html = (
        "<title>予約</title><p title='予約'>予約</p><script>var s='予約';</script>"
        "<style>/* 予約 */</style><select><option>日本語</option></select>"
        "<textarea>予約</textarea><ruby>予約<rt>よやく</rt></ruby>"
    )

    result = furigana.ruby_html(html, NONE)

    assert result.count("<ruby>") == 2  # the paragraph's and the one already there
    assert "<p title='予約'><ruby>予約<rp>" in result
    for kept in ("<title>予約</title>", "var s='予約';", "/* 予約 */", "<option>日本語</option>"):
        assert kept in result
    assert "<textarea>予約</textarea>" in result


@pytest.mark.django_db
def test_an_administrators_reading_wins_and_applies_at_once():
    assert "<rt>しんまち</rt>" in furigana.ruby_text("新町")  # the analyser's guess

    services.reading_correction_save(
        correction=ReadingCorrection(surface="新町", reading="アラマチ")
    )

    assert ReadingCorrection.objects.get().reading == "あらまち"  # stored in hiragana
    assert "<ruby>新町<rp>（</rp><rt>あらまち</rt>" in furigana.ruby_text("新町の住民票")
    assert "<rt>じゅうみんひょう</rt>" in furigana.ruby_text("新町の住民票")

    services.reading_corrections_delete(corrections=ReadingCorrection.objects.all())
    assert "<rt>しんまち</rt>" in furigana.ruby_text("新町")


@pytest.mark.django_db
def test_a_reading_must_be_hiragana_and_the_word_must_have_kanji():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.reading_correction_save(
            correction=ReadingCorrection(surface="みどり", reading="midori")
        )

    assert set(error.value.message_dict) == {"surface", "reading"}
    assert not ReadingCorrection.objects.exists()


@pytest.mark.django_db
def test_the_admin_saves_a_reading(admin_client):
    response = admin_client.post(
        reverse("admin:organization_readingcorrection_add"),
        {"surface": "上町", "reading": "うわまち"},
    )

    assert response.status_code == 302
    assert furigana.reading_text("上町") == "上町（うわまち）"


@pytest.mark.django_db
def test_pages_get_ruby_only_in_plain_japanese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja-easy"
    easy = client.get("/book/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    japanese = client.get("/book/").content.decode()

    assert "<ruby>予約<rp>（</rp><rt>よやく</rt><rp>）</rp></ruby>" in easy
    assert '<html lang="ja">' in easy
    assert "<ruby>" not in japanese


def test_dates_and_weekdays_are_read_as_dates():
    known = ("dates", dict(furigana.BUILT_IN))

    text = furigana.reading_text("12月1日（火）と20日（日）", known)

    assert text == "12月（がつ）1日（ついたち）（火（か））と20日（はつか）（日（にち））"
    assert "<rt>げつ</rt>" in furigana.ruby_html("<th>月</th>", known)  # a calendar column


def test_weekday_names_and_minutes_are_read_as_they_are_said():
    known = ("weekdays-minutes", dict(furigana.BUILT_IN))

    days = furigana.reading_text("月曜日から金曜日、日曜日", known)
    minutes = furigana.reading_text("5分、30分、1分", known)

    assert days == "月曜日（げつようび）から金曜日（きんようび）、日曜日（にちようび）"
    assert minutes == "5分（ふん）、30分（ぷん）、1分（ぷん）"
    counts = furigana.reading_text("1095日と14日間、日本語", known)
    assert counts == "1095日（にち）と14日間（じゅうよっかかん）、日本語（にほんご）"
