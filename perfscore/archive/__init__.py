"""The term archive (履职档案, 一人一档): every assessed year of a 届 in one SQLite file, the
per-member dossiers and the end-of-term ranking read from it. See docs/archive.md.

>>> from perfscore.archive import add_year, read_result, write_dossier      # doctest: +SKIP
>>> add_year("档案.sqlite", read_result("2023-考核结果.json", rules="办法.yaml"))  # doctest: +SKIP
"""

from .store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    AddResult,
    add_year,
    archived_years,
    migrate,
    open_for_writing,
    open_readonly,
)
from .terms import archive_history, term_condition
from .year import ArchiveYear, file_sha256, from_assessment, read_result

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AddResult",
    "ArchiveYear",
    "add_year",
    "archive_history",
    "archived_years",
    "file_sha256",
    "from_assessment",
    "migrate",
    "open_for_writing",
    "open_readonly",
    "read_result",
    "term_condition",
]
