"""The public booking pages on the kiosk tablet: nobody books or manages a booking there.

A booking made on the shared tablet would leave its confirmation page, with the link
that cancels or reschedules it, to the next person in the waiting area. An enrolled
kiosk browser asking for a booking page gets a screen with the QR code of that page
instead, to open it on one's own phone, and the kiosk's return to the start.
"""

from functools import wraps

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from config.documents import qr_svg
from reservations import selectors
from reservations.views.kiosk import KIOSK_COOKIE, kiosk_return


def is_kiosk(request) -> bool:
    """Whether this browser is an enrolled (not revoked) kiosk. Only a browser that
    carries the kiosk's cookie costs a query."""
    token = request.COOKIES.get(KIOSK_COOKIE)
    return bool(token) and selectors.kiosk_device_for_token(token) is not None


def own_phone_page(request, *, show_url: bool):
    """The screen that sends a booking page to the citizen's own phone."""
    url = request.build_absolute_uri(
        request.get_full_path() if request.method == "GET" else request.path
    )
    response = render(
        request,
        "reservations/counter/kiosk_own_phone.html",
        {"url": url, "show_url": show_url, "qr_svg": qr_svg(url), **kiosk_return()},
        # A refused POST (nothing was booked or changed) is not a success.
        status=200 if request.method == "GET" else 403,
    )
    # The same address answers other browsers with the page itself: never cache this.
    add_never_cache_headers(response)
    return response


def not_on_kiosk(view):
    """A public booking page (``/book/…``, ``/booking/…``): on an enrolled kiosk the
    own-phone screen instead. Telephone booking by staff (``staff_mode``) is not public
    and passes through. The address itself is shown only when it holds no manage token."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not kwargs.get("staff_mode") and is_kiosk(request):
            return own_phone_page(request, show_url="token" not in kwargs)
        return view(request, *args, **kwargs)

    return wrapper
