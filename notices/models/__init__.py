"""The notices app's models, one module per subject: residents and certificates,
imports, letters."""

from notices.models.imports import (
    ImportRowError,
    ImportRowMove,
    ImportRowWarning,
    ImportRun,
    ImportStatus,
    MoveStatus,
)
from notices.models.letters import (
    DEFAULT_LETTER_TEXT,
    BatchStatus,
    BookingMatchRelease,
    DocumentSerial,
    Letter,
    LetterBatch,
    LetterChunk,
    LetterStatus,
    NoticeRule,
)
from notices.models.residents import (
    Certificate,
    CertificateType,
    Resident,
    ResidentStatus,
)

__all__ = [
    "DEFAULT_LETTER_TEXT",
    "BatchStatus",
    "BookingMatchRelease",
    "Certificate",
    "CertificateType",
    "DocumentSerial",
    "ImportRowError",
    "ImportRowMove",
    "ImportRowWarning",
    "ImportRun",
    "ImportStatus",
    "Letter",
    "LetterBatch",
    "LetterChunk",
    "LetterStatus",
    "MoveStatus",
    "NoticeRule",
    "Resident",
    "ResidentStatus",
]
