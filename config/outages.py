"""What "a service the app needs is down or restarting" looks like as an exception.

The database, Redis, the broker or the object store did not answer: the request failed
as a whole and may simply be sent again in a moment. The error page answers these with
503 and Retry-After (``config.views.server_error``); the rate limits take back what such
a request counted (``reservations.ratelimit.counted``), so a citizen who retries
through an outage, as the page asks, is not refused for it afterwards.
"""

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerUnavailable

from config.cache import OUTAGE as REDIS_OUTAGE
from config.storage import OUTAGE as STORAGE_OUTAGE

SERVICE_DOWN = (
    OperationalError,
    InterfaceError,
    BrokerUnavailable,
    *REDIS_OUTAGE,
    *STORAGE_OUTAGE,
)
