"""Which messages a citizen can see, so the citizen languages are judged complete on them.

Staff pages stay in Japanese and English. The citizen languages (plain Japanese, Chinese,
Korean, Vietnamese, Portuguese) must translate every message of the sources listed here:
the public booking pages, the manage/find pages, e-mails and ``.ics``, the kiosk, the display
board, the survey, the privacy and accessibility pages and the error pages.

``citizen_msgids()`` runs Django's own ``makemessages`` over a copy of exactly these files,
so the scope is what gettext extracts from them, not a hand-kept list.
"""

import shutil
import tempfile
from contextlib import chdir
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

CITIZEN_SOURCES = (
    "config/settings.py",
    "templates/*.html",
    "templates/organization/_contact.html",
    "templates/organization/_privacy_default.html",
    "templates/organization/accessibility.html",
    "templates/organization/privacy.html",
    "templates/organization/_privacy_body.html",
    "templates/reservations/*.html",
    "templates/reservations/email/*",
    "templates/reservations/counter/_display_board.html",
    "templates/reservations/counter/_display_board_head.html",
    "templates/reservations/counter/_kiosk_return.html",
    "templates/reservations/counter/display.html",
    "templates/reservations/counter/kiosk.html",
    "templates/reservations/counter/kiosk_base.html",
    "templates/reservations/counter/kiosk_own_phone.html",
    "templates/reservations/counter/kiosk_privacy.html",
    "templates/reservations/counter/kiosk_refused.html",
    "templates/reservations/counter/kiosk_ticket.html",
    "templates/reservations/counter/survey.html",
    "templates/reservations/counter/survey_thanks.html",
    "reservations/forms.py",
    "reservations/availability.py",
    "reservations/requirements.py",
    "reservations/names.py",
    "organization/calendar.py",
    "organization/selectors.py",
    "config/languages.py",
    "reservations/views/booking.py",
    "reservations/views/manage.py",
    "reservations/emails.py",
    "reservations/documents.py",
    "reservations/contact.py",
    "reservations/codes.py",
    "reservations/ratelimit.py",
    "reservations/services/booking.py",
    "reservations/services/booking_rules.py",
    "reservations/services/kiosk.py",
    "reservations/services/checkin.py",
    "reservations/services/survey.py",
    "reservations/templatetags/*.py",
    "organization/templatetags/*.py",
    "organization/context_processors.py",
)


def citizen_source_files(base=None):
    base = Path(base or settings.BASE_DIR)
    files = set()
    for pattern in CITIZEN_SOURCES:
        files.update(path for path in base.glob(pattern) if path.is_file())
    return sorted(files)


def citizen_msgids(base=None):
    """The (msgctxt, msgid) pairs gettext extracts from the citizen-facing sources."""
    base = Path(base or settings.BASE_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in citizen_source_files(base):
            target = root / path.relative_to(base)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        (root / "locale").mkdir()
        with chdir(root), override_settings(LOCALE_PATHS=[root / "locale"]):
            call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
        catalog = polib.pofile(str(root / "locale" / "en" / "LC_MESSAGES" / "django.po"))
        return {(entry.msgctxt, entry.msgid) for entry in catalog if not entry.obsolete}
