"""Conditions of the rules (``match``, ``when``, ``has``, ``min_share``) over records as arrays.

:class:`RecordTable` holds a frame's rows as numpy arrays with integer codes over each field's
few distinct values, so that a condition is a lookup in a small table of booleans indexed by
code. Scoring builds one over the records it scores; the award shortlists build one over every
record as written, and one over a pool of candidates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from ..frames import factorize_values
from ..inputformat import ROLE_BODY
from ..rules import Condition, Match

__all__ = ["RecordTable", "FIELDS", "standing_codes", "condition_label"]

FIELDS = ("type", "subtype", "status", "level", "role")  # conditions listing allowed values


def standing_codes(values: pd.Series) -> np.ndarray:
    """A 常委 flag per row as 1 (True), 0 (False) or -1 (missing or anything else: a condition on
    ``standing`` meets neither)."""
    codes = np.full(len(values), -1, dtype=np.int8)
    codes[(values == True).to_numpy(dtype=bool)] = 1  # noqa: E712 — elementwise, NA is neither
    codes[(values == False).to_numpy(dtype=bool)] = 0  # noqa: E712
    return codes


class RecordTable:
    """Rows of a records frame as arrays: ``rows`` are their positions in ``frame``, ascending
    (all of them, or those that score: records outside the term or dropped 并案 originals are
    then not among them); every array here is over those rows.

    ``member`` is each row's roster code and ``standing`` its member's 常委 flag (1, 0, or -1 for
    someone not on the roster); a table over something other than records (a pool of award
    candidates) has member codes -1, and without ``standing`` (None) a condition on the 常委
    flag raises KeyError. A field's codes are kept per record kind (a condition on records looks
    at one kind's records): ``codes(name, kind)`` is over ``kind_rows(kind)``, and ``within[r]``
    is row r's place there; ``codes(name, None)`` is over all the rows."""

    def __init__(
        self,
        frame: pd.DataFrame,
        rows: np.ndarray,
        member: np.ndarray,
        standing: np.ndarray | None,
    ) -> None:
        self.frame = frame
        self.rows = rows
        self.n = len(rows)
        self.member = member
        self.standing = standing
        self._codes: dict[tuple[str, str], tuple[np.ndarray, pd.Index]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._kinds: dict[str, np.ndarray] = {}
        self._luts: dict[tuple, np.ndarray] = {}
        self.within = np.zeros(self.n, dtype=np.int64)
        # Rows credited to a body's members (role 单位) are among the rows: a match selects
        # them only when it lists that role (perfscore.scoring.bodies).
        self.body_credit = False

    def array(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            values = self.frame[name].to_numpy()
            self._arrays[name] = (
                values if self.n == len(values) else values[self.rows]
            )  # rows ascending: all or some
        return self._arrays[name]

    def all_codes(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """Codes into the field's distinct values over all the rows."""
        if (name, "") not in self._codes:
            self._codes[name, ""] = factorize_values(self.array(name))
        return self._codes[name, ""]

    def kind_rows(self, kind: str) -> np.ndarray:
        if kind not in self._kinds:
            codes, uniques = self.all_codes("kind")
            where = uniques.get_indexer(pd.Index([kind]))[0]
            rows = np.flatnonzero(codes == where) if where >= 0 else np.zeros(0, dtype=np.int64)
            self.within[rows] = np.arange(len(rows))
            self._kinds[kind] = rows
        return self._kinds[kind]

    def codes(self, name: str, kind: str | None) -> tuple[np.ndarray, pd.Index]:
        """Codes into the field's distinct values among ``kind``'s rows (-1 for NaN); over all
        the rows when ``kind`` is None."""
        if kind is None:
            return self.all_codes(name)
        if (name, kind) not in self._codes:
            values = self.array(name)[self.kind_rows(kind)]
            self._codes[name, kind] = factorize_values(values)
        return self._codes[name, kind]

    def field(
        self,
        name: str,
        kind: str | None,
        p: np.ndarray,
        key: Hashable,
        build: Callable[[pd.Index], np.ndarray],
    ) -> np.ndarray:
        """``build(distinct values)`` (one entry more, for NaN, last) spread to the rows ``p`` of
        ``kind`` (of any kind when None); built once per field, kind and ``key``."""
        codes, uniques = self.codes(name, kind)
        if (name, kind, key) not in self._luts:
            self._luts[name, kind, key] = build(uniques)
        return self._luts[name, kind, key][codes[p if kind is None else self.within[p]]]

    def condition(self, condition: Condition | None, kind: str | None, p: np.ndarray) -> np.ndarray:
        """Which of the rows ``p`` (all of ``kind``, or of any kind when None) meet every listed
        condition of ``condition``: a field's condition lists the values allowed (a missing
        value meets none); ``marks`` holds when the marks contain any listed one (an empty list
        meets nothing); ``standing`` compares the member's 常委 flag; ``unless`` drops the rows
        that meet every condition it lists. A ``match`` (not a ``when``) that does not list the
        role 单位 leaves out the copies of bodies' records (``body_credit``). A condition on a field the
        frame lacks raises KeyError (the rules' checks refuse such rules before scoring)."""
        mask = np.ones(len(p), dtype=bool)
        if condition is None:
            return mask
        if (
            self.body_credit
            and isinstance(condition, Match)
            and ROLE_BODY not in (condition.role or [])
        ):
            mask &= ~self.field(
                "role",
                kind,
                p,
                ("isin", (ROLE_BODY,)),
                lambda uniques: np.append(uniques.isin([ROLE_BODY]), False),
            )
        for name in FIELDS:
            allowed = getattr(condition, name)
            if allowed is not None:
                mask &= self.field(
                    name,
                    kind,
                    p,
                    ("isin", tuple(allowed)),
                    functools.partial(_isin_or_missing, allowed=allowed),
                )
        if condition.marks is not None:
            pattern = "|".join(re.escape(mark) for mark in condition.marks)
            if pattern:
                mask &= self.field(
                    "marks",
                    kind,
                    p,
                    ("contains", pattern),
                    lambda uniques: np.append(_contains(uniques, pattern), False),
                )
            else:
                mask[:] = False
        if condition.standing is not None:
            if self.standing is None:  # a table without members' 常委 flag
                raise KeyError("standing")
            mask &= self.standing[p] == int(condition.standing)
        if condition.unless is not None:  # a row with an empty cell does not meet it: it stays
            mask &= ~self.condition(condition.unless, kind, p)
        return mask

    def match(self, match: Match) -> np.ndarray:
        """The rows (positions, ascending) a ``match`` clause selects."""
        rows = self.kind_rows(match.kind)
        return rows[self.condition(match, match.kind, rows)]


def _contains(uniques: pd.Index, pattern: str) -> np.ndarray:
    found = pd.Series(uniques).str.contains(pattern, regex=True)
    return found.fillna(False).to_numpy(dtype=bool)


def condition_label(condition: Condition | None) -> str:
    """A short text naming what a condition asks: '个人' or '联名、领衔' or '立案、常委'; '其余'
    for no condition (a case that takes the rest)."""
    if condition is None:
        return "其余"
    values = [v for name in (*FIELDS, "marks") for v in (getattr(condition, name) or [])]
    if condition.standing is not None:
        values.append("常委" if condition.standing else "非常委")
    if condition.unless is not None:
        values.append(f"不含{condition_label(condition.unless)}")
    return "、".join(values)


def _isin_or_missing(uniques: pd.Index, allowed: list[str]) -> np.ndarray:
    """Which distinct values are allowed, and one entry more (False) for NaN."""
    return np.append(uniques.isin(allowed), False)
