import datetime as dt


class IsoDateConverter:
    """YYYY-MM-DD; an impossible date (2026-02-31) is a 404, not an error."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)


class HourMinuteConverter:
    """HHMM, e.g. 0930."""

    regex = r"(?:[01]\d|2[0-3])[0-5]\d"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value.strftime("%H%M") if hasattr(value, "strftime") else str(value)
