"""Booking codes, manage tokens and contact normalisation."""

import re
import secrets
import unicodedata

from django.core import signing
from django.utils.crypto import constant_time_compare

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied from paper stays right.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
_signer = signing.Signer(salt="reservations.manage", sep="~")
# The confirmation link's own secret: only the e-mail carries it, so that confirming
# proves the citizen received the e-mail (the manage link is already in the browser).
_confirm_signer = signing.Signer(salt="reservations.confirm-email", sep="~")


def new_booking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "%s-%s" % (raw[:4], raw[4:])


def normalize_code(text: str) -> str:
    """What a person typed (any width, case, spacing) as a stored code."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    cleaned = re.sub(r"[^A-Z0-9]", "", cleaned)
    if len(cleaned) != CODE_LENGTH:
        return cleaned
    return "%s-%s" % (cleaned[:4], cleaned[4:])


def new_manage_nonce() -> str:
    return secrets.token_urlsafe(12)


def manage_token(*, code: str, nonce: str) -> str:
    """The secret in the manage link: an HMAC-SHA256 signature (256 bits) over code and nonce.

    Nothing secret is stored: a leaked database gives no working links, and changing the
    nonce revokes a link.
    """
    return _signer.sign("%s.%s" % (code, nonce))


def parse_manage_token(token: str) -> tuple[str, str] | None:
    """(code, nonce) from a genuine token, None for a forged or damaged one."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    code, _sep, nonce = value.partition(".")
    if not code or not nonce:
        return None
    return code, nonce


def confirm_key_for(reservation) -> str:
    """The secret of ``reservation``'s confirmation link (its code and nonce, signed for
    that purpose alone)."""
    return _confirm_signer.signature("%s.%s" % (reservation.code, reservation.manage_nonce))


def confirm_key_matches(reservation, key: str) -> bool:
    return bool(key) and constant_time_compare(confirm_key_for(reservation), key)


def nonce_matches(stored: str, given: str) -> bool:
    return constant_time_compare(stored, given)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def normalize_phone(phone: str) -> str:
    """Digits only, full-width folded, +81 written as a leading 0."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("81") and (phone or "").strip().startswith("+"):
        digits = "0" + digits[2:]
    return digits


def manage_token_for(reservation) -> str:
    """The token of ``reservation``'s manage link (its code and nonce, signed)."""
    return manage_token(code=reservation.code, nonce=reservation.manage_nonce)
