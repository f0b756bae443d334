"""Madoguchi settings, driven by environment variables. Self-contained sections live
beside this module and are called from here: the environment readers (config/env.py),
the beat schedule (config/beat.py), the file storage (config/s3.py) and logging
(config/logging_config.py).

Every variable is listed in README.md ("Configuration"). A ``.env`` file in the project
directory is read if present; real environment variables win over it.

Without ``DATABASE_URL`` and ``REDIS_URL`` the app runs embedded: a SQLite file under
``var/``, tasks executed eagerly in the web process, a cache in an SQLite file beside it
(shared by every process) and e-mails written to files. With them it runs as a server:
PostgreSQL, Redis as Celery broker and cache, Celery workers and one beat.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from config.beat import beat_schedule
from config.env import env_bool, env_float, env_int, env_list
from config.logging_config import logging_config
from config.s3 import default_storage, s3_bucket

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MADOGUCHI_VAR_DIR", BASE_DIR / "var"))

load_dotenv(BASE_DIR / ".env", override=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/.

    A server set-up with several web hosts must set SECRET_KEY so they all share it.
    """
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The city's name and address for a fresh install, until an administrator saves the site
# settings (admin: 組織 → サイト設定), which then are used everywhere.
CITY_NAME = os.environ.get("CITY_NAME", "みどり市")
CITY_HALL_ADDRESS = os.environ.get("CITY_HALL_ADDRESS", "〒123-0001 みどり市本町1丁目1番1号")
# Where citizens can ask for help (error pages, the "too many requests" page, the find
# page): read through reservations.contact.city_contact().
CITY_PHONE = os.environ.get("CITY_PHONE", "0120-123-456")
CITY_OPENING_HOURS = os.environ.get(
    "CITY_OPENING_HOURS", "平日 8:30～17:15（土日祝・年末年始を除く）"
)
CITY_OPENING_HOURS_EN = os.environ.get(
    "CITY_OPENING_HOURS_EN",
    "Weekdays 8:30–17:15 (closed at weekends, on public holidays and over the New Year)",
)
# Public address of the site, used in e-mails and printed letters (links must be absolute).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: its TranslationAdmin and the translated fields of the apps below.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "config.two_step.TwoStepLoginConfig",  # django_otp.plugins.otp_totp, named in Japanese
    "organization",
    "reservations",
    "notices",
    "complaints",
    "dashboards",
    "outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.languages.StaffLanguageMiddleware",
    # Readings (<ruby>) on the kanji of plain-Japanese pages, after they are rendered.
    "organization.furigana.FuriganaMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "organization.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organization.context_processors.staff",
                "organization.context_processors.site",
                "config.languages.languages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (embedded default): WAL lets readers run beside the one writer, and IMMEDIATE
# transactions take the write lock at BEGIN, so a booking transaction re-checks the
# slot while no other writer can slip in between (DESIGN.md, "No double booking").
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "madoguchi.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not memory: concurrency tests use several connections at once.
            "TEST": {"NAME": VAR_DIR / "test-madoguchi.sqlite3"},
        }
    }
DATABASE_ENGINE = "postgresql" if "postgresql" in DATABASES["default"]["ENGINE"] else "sqlite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------
# Without Redis (embedded mode) the cache is one SQLite file shared by every process:
# rate limits, availability versions and cached master data must agree across gunicorn
# workers. A file of its own, so cache writes never wait for a booking's write lock on
# the app's database (config/sqlitecache.py).
EMBEDDED_CACHE = {
    "BACKEND": "config.sqlitecache.SQLiteCache",
    "LOCATION": str(VAR_DIR / "cache.sqlite3"),
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Seconds a Redis call (cache or broker) may take before it is given up, and how long
# after such a failure this process skips Redis altogether (the circuit breaker): a
# hung Redis costs a request at most about REDIS_TIMEOUT, once per breaker period.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "").strip() or 1)
REDIS_BREAKER_SECONDS = float(os.environ.get("REDIS_BREAKER_SECONDS", "").strip() or 5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "madoguchi",
            # A Redis that hangs must not hang the pages: give up after REDIS_TIMEOUT
            # seconds, then skip Redis for REDIS_BREAKER_SECONDS (config/cache.py).
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Only the test suite turns this on (pyproject.toml); servers always use workers.
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
    CELERY_TASK_EAGER_PROPAGATES = True
else:
    CACHES = {"default": EMBEDDED_CACHE}
    CELERY_BROKER_URL = "memory://localhost/"
    # Embedded mode has no worker: tasks run in the process that enqueues them.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task that is not acknowledged within this time is delivered again (acks_late);
# longer than the longest task, so a slow batch is not run twice while it still works.
# Publishing a task must never hang a request whose change is committed: connecting and
# every socket read or write give up after REDIS_TIMEOUT, and a failed publish is not
# retried (the outbox row, or a sweeper, carries the work to a later send).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: a new PostgreSQL connection (a new server process) for every
# e-mail. With it set, the worker keeps Django's own rules instead: CONN_MAX_AGE and the
# health check, applied at each task's start and end (config/celery.py).
CELERY_DB_REUSE_MAX = 1_000_000

# The whole beat schedule, with why each job runs when it runs (config/beat.py).
CELERY_BEAT_SCHEDULE = beat_schedule()

# --- Booking rules -------------------------------------------------------------------
# A cancelled slot is offered again only after this delay, so that people who trade
# slots cannot cancel and hand a slot to someone waiting to book it at once.
# How long computed free times are cached (0: computed on every request, for measuring).
AVAILABILITY_CACHE_SECONDS = env_int("AVAILABILITY_CACHE_SECONDS", 60)
BOOKING_RERELEASE_DELAY_MINUTES = env_int("BOOKING_RERELEASE_DELAY_MINUTES", 30)
# Rate limits: (requests, period in seconds), counted in the cache over a sliding window;
# a refused request does not count. Keys: per client IP address, or "..._contact" per
# e-mail address or phone number. See README "Rate limits" for why each is what it is.
RATE_LIMITS = {
    "availability": (env_int("RATE_LIMIT_AVAILABILITY", 120), 60),
    # Only valid booking forms count (a form error costs nothing). Mobile carriers and
    # the city hall's Wi-Fi put many people behind one address: per address generous,
    # per person (e-mail or phone) tight.
    "book": (env_int("RATE_LIMIT_BOOK", 60), 600),
    "book_contact": (env_int("RATE_LIMIT_BOOK_CONTACT", 5), 600),
    # A booking's own pages: one change of time is about 15 requests, and a carrier or the
    # city hall's Wi-Fi puts many citizens behind one address (links cannot be guessed).
    "manage": (env_int("RATE_LIMIT_MANAGE", 120), 60),
    # Find my booking: each valid request may send an e-mail, so per person it is tight
    # (against mail bombing), per address enough for a family or a shared Wi-Fi.
    "find": (env_int("RATE_LIMIT_FIND", 20), 600),
    "find_contact": (env_int("RATE_LIMIT_FIND_CONTACT", 3), 3600),
    # The waiting-room board polls every few seconds; several screens may share one
    # address: generous, only against floods.
    "display": (env_int("RATE_LIMIT_DISPLAY", 600), 60),
    # Survey answers and complaint-free public posts: a person answers once a visit.
    "survey": (env_int("RATE_LIMIT_SURVEY", 20), 600),
}
# The counter: how early and late a booked citizen may check in at the kiosk, how long
# after the booked time an absent citizen becomes a no-show, how long a called citizen
# has to come to the counter, and the no-show policy (after N no-shows in D days the
# next online booking must be confirmed by e-mail).
CHECKIN_EARLY_MINUTES = env_int("CHECKIN_EARLY_MINUTES", 60)
CHECKIN_LATE_MINUTES = env_int("CHECKIN_LATE_MINUTES", 15)
NO_SHOW_AFTER_MINUTES = env_int("NO_SHOW_AFTER_MINUTES", 30)
# The check-in kiosk: its ticket, check-in and refusal screens go back to the start by
# themselves after this many seconds; the walk-in ticket estimates the wait only from
# at least this many handling times measured today for the procedure.
KIOSK_RETURN_SECONDS = env_int("KIOSK_RETURN_SECONDS", 20)
KIOSK_WAIT_MIN_SAMPLES = env_int("KIOSK_WAIT_MIN_SAMPLES", 3)
# Personal data (names, contacts, addresses, comments) is anonymised this many days
# after the booking, letter or complaint it belongs to (organization/retention.py).
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 3 * 365)
# The satisfaction survey after a visit can be answered for this many days.
SURVEY_OPEN_DAYS = env_int("SURVEY_OPEN_DAYS", 14)
CALLED_NO_SHOW_MINUTES = env_int("CALLED_NO_SHOW_MINUTES", 10)
# Longer than a chunk of letters ever takes to render (a few seconds), so a working
# render is rarely repeated; short enough that a lost one is noticed within minutes.
LETTER_CHUNK_RETRY_SECONDS = env_int("LETTER_CHUNK_RETRY_SECONDS", 300)
# The envelope window the letters' address block must sit in (長形3号 with a 90 × 45 mm
# window, 23 mm from the left and 13 mm from the top of the folded A4 sheet), and how far
# inside its edges every glyph and bar stays. A letter whose block does not fit is held
# back and listed for staff (notices/addressblock.py).
LETTER_WINDOW_LEFT_MM = env_float("LETTER_WINDOW_LEFT_MM", 23)
LETTER_WINDOW_TOP_MM = env_float("LETTER_WINDOW_TOP_MM", 13)
LETTER_WINDOW_WIDTH_MM = env_float("LETTER_WINDOW_WIDTH_MM", 90)
LETTER_WINDOW_HEIGHT_MM = env_float("LETTER_WINDOW_HEIGHT_MM", 45)
LETTER_WINDOW_CLEARANCE_MM = env_float("LETTER_WINDOW_CLEARANCE_MM", 3)
# The customer barcode's size in points: Japan Post reads 8 to 11.5 (10: bars 0.6 mm
# wide every 1.2 mm, 3.6 mm tall).
LETTER_BARCODE_POINTS = min(max(env_float("LETTER_BARCODE_POINTS", 9), 8), 11.5)
# Capacity-aware sending (notices/capacity.py): the daily job sends a rule's letters in
# weekly waves so that the bookings expected from them stay under this share of the
# qualified clerks' free slots; a held letter still goes no later than its certificate's
# expiry minus LETTER_RENEWAL_LEAD_DAYS. A rule's conversion (letters booked within 30
# days) is measured once LETTER_CONVERSION_MIN_LETTERS letters are 30 days old; until
# then LETTER_DEFAULT_CONVERSION is assumed.
LETTER_CAPACITY_SHARE = min(max(env_float("LETTER_CAPACITY_SHARE", 0.7), 0.05), 1.0)
LETTER_RENEWAL_LEAD_DAYS = max(env_int("LETTER_RENEWAL_LEAD_DAYS", 14), 0)
LETTER_DEFAULT_CONVERSION = min(max(env_float("LETTER_DEFAULT_CONVERSION", 0.5), 0.01), 1.0)
LETTER_CONVERSION_MIN_LETTERS = max(env_int("LETTER_CONVERSION_MIN_LETTERS", 50), 1)
LETTER_FORECAST_WEEKS = min(max(env_int("LETTER_FORECAST_WEEKS", 12), 1), 52)
# Certificate imports (notices): a job read in chunks of IMPORT_CHUNK_ROWS records, each
# one transaction. Limits that make a bad row a per-row error, not a failed import: a
# cell over IMPORT_MAX_CELL_CHARS characters, a line over IMPORT_MAX_LINE_BYTES bytes.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 2000)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 1000)
IMPORT_MAX_LINE_BYTES = env_int("IMPORT_MAX_LINE_BYTES", 64 * 1024)
# A task imports for this long, then queues itself again for the rest.
IMPORT_TASK_SECONDS = env_int("IMPORT_TASK_SECONDS", 60)
# An unfinished import without progress for this long is queued again (a chunk takes a
# second or two); after IMPORT_MAX_ATTEMPTS such restarts it is marked failed.
IMPORT_RETRY_SECONDS = env_int("IMPORT_RETRY_SECONDS", 120)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 5)
NO_SHOW_POLICY_COUNT = env_int("NO_SHOW_POLICY_COUNT", 2)
NO_SHOW_POLICY_DAYS = env_int("NO_SHOW_POLICY_DAYS", 183)
# A satisfaction figure from fewer survey answers than this is shown as 参考値
# (indicative only) on every dashboard, chart, table, CSV and PDF.
DASHBOARD_MIN_ANSWERS = env_int("DASHBOARD_MIN_ANSWERS", 30)
# How many proxies in front of the app add to X-Forwarded-For (0: use the peer address).
FORWARDED_FOR_HOPS = env_int("FORWARDED_FOR_HOPS", 0)
# The access log (organization.AccessLog) writes a page that refreshes itself (the
# counter queue) once in this many seconds for the same clerk and the same people.
ACCESS_LOG_REPEAT_SECONDS = env_int("ACCESS_LOG_REPEAT_SECONDS", 600)

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"

# Staff login: after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked for AXES_COOLOFF_MINUTES (django-axes); a good password
# resets the count. Attempts are kept in the database, so every web worker sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "organization.views.locked_out"
AXES_VERBOSE = False
# A second factor (TOTP, an authenticator app) is required for managers and
# administrators: they see everyone's data and change the master data. On by default
# in production (off with DEBUG, for trying the demo); the tests switch it on where
# they test it.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "Madoguchi"
LOGIN_REDIRECT_URL = "organization:staff_home"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "ja"
# Citizen pages come in these seven (chosen from the browser's Accept-Language, switched
# on every page, remembered in the language cookie); staff pages only in the first and
# the third (STAFF_LANGUAGES, config/languages.py). The codes are Django's; the locale
# directories are ja, ja_Easy, en, zh_Hans, ko, vi, pt_BR.
LANGUAGES = [
    ("ja", _("Japanese")),
    ("ja-easy", _("Plain Japanese")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ko", _("Korean")),
    ("vi", _("Vietnamese")),
    ("pt-br", _("Brazilian Portuguese")),
]
STAFF_LANGUAGES = ["ja", "en"]
# やさしい日本語 is not one of Django's languages: its name, and that it is written left to
# right, for get_language_info() and the language switcher.
LANG_INFO["ja-easy"] = {
    "bidi": False,
    "code": "ja-easy",
    "name": "Plain Japanese",
    "name_local": "やさしい にほんご",
}
# As the city writes it (Django says "Português Brasileiro").
LANG_INFO["pt-br"] = {**LANG_INFO["pt-br"], "name_local": "Português (Brasil)"}
# Admin-entered texts (procedure names, document rules, locations, the city's texts…)
# are django-modeltranslation fields, one column per language (name_ja, name_ja_easy,
# name_en …). A text not translated yet falls back to the Japanese, for every language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ja"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ja",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Hashed, compressed, long-cached static files need ``collectstatic`` first (the server
# set-up and the Docker image run it). Without them (DEBUG, tests) files are served
# straight from the source folders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)


# Files the app writes (letter PDFs, uploaded imports) go through Django's default
# storage: a folder (MEDIA_ROOT) on one machine, an S3-compatible object store (AWS S3,
# SeaweedFS, MinIO…) when S3_BUCKET is set, so that web and worker processes on different
# hosts share them. Staff download them through the app (its access checks and access
# log), never from the object store directly: the bucket stays private.
S3_BUCKET = s3_bucket()
S3_TIMEOUT = env_float("S3_TIMEOUT", 10.0)
DEFAULT_STORAGE = default_storage(S3_BUCKET, S3_TIMEOUT)

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------
# Without a mail server, e-mails are written as files under var/mail so a user can read them.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
# The outbox relay (outbox/services.py): a failed send is retried after
# OUTBOX_RETRY_SECONDS, doubling each time up to OUTBOX_RETRY_MAX_SECONDS, and is marked
# failed (for an administrator to send again) after OUTBOX_MAX_ATTEMPTS attempts. A
# relay's claim on a row lasts OUTBOX_LEASE_SECONDS: longer than any send takes.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 30)
# Where workers run, the relay starts this long after a commit that promised an e-mail:
# the commits meanwhile share its run (one batch, one connection to the mail server).
OUTBOX_RELAY_DELAY_SECONDS = env_float("OUTBOX_RELAY_DELAY_SECONDS", 0.5)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "madoguchi@city.example.jp")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
# HTTPS_ONLY (default: on unless DEBUG) turns on the redirect to HTTPS, HSTS and secure
# cookies together; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS_ONLY)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS_ONLY)
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging --------------------------------------------------------------------------
# Plain lines on the console, personal data redacted (config/logging_config.py).
LOGGING = logging_config(celery_eager=CELERY_TASK_ALWAYS_EAGER)
