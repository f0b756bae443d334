"""How citizens reach the city hall, for pages that must say it (the "too many
requests" page, the find-my-booking page, the confirmation page).

One place to read it from: today the settings (CITY_NAME, CITY_PHONE,
CITY_OPENING_HOURS[_EN]); when the city's site settings record holds them, only this
function changes.
"""

from django.conf import settings
from django.utils.translation import get_language


def city_contact() -> dict[str, str]:
    english = get_language() == "en"
    hours = settings.CITY_OPENING_HOURS
    if english and getattr(settings, "CITY_OPENING_HOURS_EN", ""):
        hours = settings.CITY_OPENING_HOURS_EN
    return {
        "name": settings.CITY_NAME,
        "phone": settings.CITY_PHONE,
        "phone_href": "tel:" + "".join(ch for ch in settings.CITY_PHONE if ch.isdigit()),
        "hours": hours,
    }
