"""Writes of the notices app, one module per job:

- ``rows``: reading an issuance-record export (columns, header, each row checked);
- ``storing``: storing one chunk of rows (upserts, repeated ids, held moves, warnings);
- ``imports``: import runs, chunk by chunk, resumed or failed, never silent;
- ``moves``: staff confirming the record ids an import held as moves;
- ``batches``: the due letters of a rule, numbered, rendered as PDF, printed, mailed;
- ``residents``: releasing a booking match, anonymising old residents.

Tasks (``notices/tasks.py``) import these services; a service never imports the tasks
at module level: it enqueues on commit through a lazy import.
"""

from notices.services.batches import (
    CHUNK_SIZE,
    document_numbers_reserve,
    letter_batch_mark,
    letter_chunk_render,
    letter_chunks_redispatch,
    letters_create_due,
)
from notices.services.imports import (
    certificates_import,
    import_file,
    import_run_fail,
    import_run_process,
    import_run_resume,
    import_run_start,
    import_runs_resume,
)
from notices.services.moves import import_moves_confirm
from notices.services.residents import booking_match_release, residents_anonymise
from notices.services.rows import COLUMNS, REQUIRED, STATUS_WORDS, ImportRefused

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "REQUIRED",
    "STATUS_WORDS",
    "ImportRefused",
    "booking_match_release",
    "certificates_import",
    "document_numbers_reserve",
    "import_file",
    "import_moves_confirm",
    "import_run_fail",
    "import_run_process",
    "import_run_resume",
    "import_run_start",
    "import_runs_resume",
    "letter_batch_mark",
    "letter_chunk_render",
    "letter_chunks_redispatch",
    "letters_create_due",
    "residents_anonymise",
]
