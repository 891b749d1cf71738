"""Problems found in input or rules, and the exceptions that carry them.

Every stage reports what is wrong as :class:`Problem` records (where, what was found, what is
wrong, what to do) and collects them all before stopping, so a clerk can fix a workbook in one
pass. The CLI turns the exceptions below into exit codes:

* :class:`DataError`  -> exit 1 (the input has errors; nothing was written)
* :class:`UsageError` -> exit 2 (could not run: bad arguments, unreadable file, bad rules)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Severity",
    "Reason",
    "Problem",
    "in_reading_order",
    "PerfscoreError",
    "DataError",
    "UsageError",
    "RulesError",
]


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


class Reason(StrEnum):
    """Why a problem was raised: a stable taxonomy that tests and scripts can rely on."""

    MISSING_SHEET = "missing_sheet"
    MISSING_COLUMN = "missing_column"
    MISSING_VALUE = "missing_value"
    BAD_DATE = "bad_date"
    BAD_VALUE = "bad_value"
    UNKNOWN_MEMBER = "unknown_member"
    AMBIGUOUS_MEMBER = "ambiguous_member"
    DUPLICATE_ID = "duplicate_id"
    DUPLICATE_SHEET = "duplicate_sheet"
    DUPLICATE_COLUMN = "duplicate_column"
    UNPLACED_SHEET = "unplaced_sheet"
    HIDDEN_READ = "hidden_read"
    UNLISTED_WORD = "unlisted_word"
    DUPLICATE_RECORD = "duplicate_record"
    UNKNOWN_REFERENCE = "unknown_reference"
    OUTSIDE_TERM = "outside_term"
    OUTSIDE_YEAR = "outside_year"
    EXCEL_ERROR = "excel_error"
    UNCOMPUTED_FORMULA = "uncomputed_formula"
    UNREADABLE = "unreadable"
    RULES = "rules"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, with its place.

    ``sheet`` and ``cell`` name the place in the workbook (``cell`` like ``D37``); for rules files
    ``sheet`` holds the file name and ``cell`` the ``line:column``.
    """

    severity: Severity
    reason: Reason
    message: str
    sheet: str = ""
    cell: str = ""
    value: str = ""
    suggestion: str = ""
    member_id: str = (
        ""  # the member a problem is about, when it is about one (e.g. a record outside the term)
    )

    @property
    def place(self) -> str:
        if self.sheet and self.cell:
            separator = ":" if self.reason is Reason.RULES else "!"
            return f"{self.sheet}{separator}{self.cell}"
        return self.sheet or self.cell

    def __str__(self) -> str:
        parts = [f"[{self.severity}]"]
        if self.place:
            parts.append(self.place)
        text = " ".join(parts) + " " + self.message
        if self.value:
            text += f"（读到的值：{self.value!r}）"
        if self.suggestion:
            text += f"；{self.suggestion}"
        return text


_CELL = re.compile(r"([A-Z]*)(\d*)")


def in_reading_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` as a clerk works through them: problems with no place first, then sheet by
    sheet (in the order the sheets first appear in ``problems``), each sheet top to bottom and
    left to right. Problems at one cell keep their order."""
    sheets: dict[str, int] = {}
    for problem in problems:
        sheets.setdefault(problem.sheet, len(sheets))

    def key(problem: Problem) -> tuple[bool, int, int, int]:
        cell = _CELL.fullmatch(problem.cell)
        column, row = cell.groups() if cell else ("", "")
        letters = 0
        for letter in column:
            letters = letters * 26 + ord(letter) - 64
        return (bool(problem.sheet), sheets[problem.sheet], int(row or 0), letters)

    return sorted(problems, key=key)


class PerfscoreError(Exception):
    """Base class of every error perfscore raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        return self.message


class DataError(PerfscoreError):
    """The workbook has errors a clerk must fix; nothing was written."""

    exit_code = 1


class UsageError(PerfscoreError):
    """perfscore could not run: bad arguments, a missing or unreadable file."""

    exit_code = 2


class RulesError(UsageError):
    """The rules file is invalid; ``problems`` carry each error with its line and column."""
