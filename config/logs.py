"""Keep citizens' personal data, and the links that open it, out of the logs.

The code logs ids, never names or contacts; this is the net under it. Every log line
(the app's, Celery's, gunicorn's access log) passes ``redact``: e-mail addresses and
phone numbers become placeholders, and the secret part of a manage or survey link and
a letter's code in a URL are cut, so a log reader cannot open someone's booking.
Exception tracebacks are formatted first and redacted as text.
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornBaseLogger

_REDACTIONS = [
    (re.compile(r"(/(?:booking|survey)/)[^/?#\s\"']+"), r"\1[token]"),
    (re.compile(r"([?&]letter=)[^&#\s\"']+"), r"\1[code]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\d.])0\d{1,4}[-‐−]?\d{1,4}[-‐−]?\d{3,4}(?![\d.])"), "[phone]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_traceback_formatter = logging.Formatter()


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redact(_traceback_formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's access log with the request line, path, query and referrer redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
