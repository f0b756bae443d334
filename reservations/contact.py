"""How citizens reach the city hall, for pages that must say it (the "too many
requests" page, the find-my-booking page, the confirmation page).

One place to read it from: the city's site settings (organization.SiteSettings, cached;
the admin edits them), in the page's language.
"""

from organization.selectors import site_settings


def city_contact() -> dict[str, str]:
    city = site_settings()
    phone = city.phone or ""
    return {
        "name": city.city_name,
        "phone": phone,
        "phone_href": "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+"),
        "hours": city.opening_hours,
    }
