"""The languages of the pages: seven for citizens, Japanese and English for staff.

LocaleMiddleware picks the language from the language cookie (set by the switcher,
Django's ``set_language``) or else the browser's Accept-Language. Staff pages stay in
Japanese and English: ``StaffLanguageMiddleware`` renders them in Japanese when the
chosen language is plain Japanese and in English for the other foreign languages,
without changing the choice (the citizen pages keep it).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

# What <html lang> and lang="" say for each language code (BCP 47): やさしい日本語 is
# Japanese to a screen reader and a browser.
HTML_LANG = {"ja-easy": "ja", "zh-hans": "zh-Hans", "pt-br": "pt-BR"}

# Staff pages by their address. The kiosk, the display board and the survey live
# beside the counter's pages but are the citizens'.
STAFF_PREFIXES = (
    "/staff/",
    "/counter/",
    "/notices/",
    "/complaints/",
    "/dashboards/",
    "/admin/",
    "/accounts/",
)
CITIZEN_EXCEPTIONS = ("/counter/kiosk/",)
STAFF_EXCEPTIONS_OF_EXCEPTIONS = ("/counter/kiosk/enrol/",)


def html_lang(code: str | None) -> str:
    code = (code or settings.LANGUAGE_CODE).lower()
    return HTML_LANG.get(code, code)


def is_staff_path(path: str) -> bool:
    if path.startswith(STAFF_EXCEPTIONS_OF_EXCEPTIONS):
        return True
    if path.startswith(CITIZEN_EXCEPTIONS):
        return False
    return path.startswith(STAFF_PREFIXES)


def staff_language(code: str | None) -> str:
    """The staff pages' language for a chosen one: itself if Japanese or English,
    Japanese for plain Japanese, English for the other languages."""
    code = (code or settings.LANGUAGE_CODE).lower()
    if code in settings.STAFF_LANGUAGES:
        return code
    return "ja" if code.startswith("ja") else "en"


# The booking's language, carried by the links of its e-mails (``?lang=vi``): a link
# opened in a mail app's browser would otherwise follow the phone's language, and no
# browser ever asks for やさしい日本語 (helper 47).
LINK_LANGUAGE_PARAM = "lang"


class StaffLanguageMiddleware:
    """After LocaleMiddleware: a citizen page opened from an e-mail's link is in the
    booking's language (remembered, as the switcher does; the switcher still changes
    it); on staff pages, only Japanese or English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        linked = request.GET.get(LINK_LANGUAGE_PARAM, "")
        staff = is_staff_path(request.path_info)
        if staff or linked not in dict(settings.LANGUAGES):
            linked = ""
        if linked:
            translation.activate(linked)
            request.LANGUAGE_CODE = linked
        if staff:
            language = staff_language(translation.get_language())
            if language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if linked:
            remember_language(response, linked)
        return response


def remember_language(response, code: str) -> None:
    """Keep ``code`` in the language cookie, as Django's ``set_language`` does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def languages(request):
    """The switcher's choices (each named in its own language, with its lang attribute)
    and the page's ``html_lang``; staff pages offer Japanese and English only."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    if request is not None and is_staff_path(request.path_info):
        codes = [code for code in codes if code in settings.STAFF_LANGUAGES]
    choices = [
        {
            "code": code,
            "name_local": get_language_info(code)["name_local"],
            "html_lang": html_lang(code),
            "current": code == current,
        }
        for code in codes
    ]
    return {"language_choices": choices, "html_lang": html_lang(current)}
