"""The ledger (积分明细) as parts: one :class:`Part` per rule that gave points, and
:class:`LedgerLines`, all parts as columns over every line, from which the ledger DataFrame is
built once, in ledger order or in any order asked.

Invariant: a member's total is exactly the sum of their lines; caps, floors, start scores, the
base and the checklist bonus are lines of their own (:func:`member_part`, :func:`bound_part`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from ..frames import grouped_sums, repeated_texts
from ..text import number_text
from .conditions import RecordTable
from .roster import Roster
from .rounding import EPSILON

__all__ = ["LEDGER_COLUMNS", "Part", "LedgerLines", "member_part", "bound_part", "part_sums"]

LEDGER_COLUMNS = [
    "member_id",
    "category",
    "category_name",
    "rule_id",
    "rule_name",
    "points",
    "date",
    "sheet",
    "row",
    "source",
    "item_id",
    "title",
    "note",
]


@dataclass
class Part:
    """Ledger lines of one rule: from records (``rows`` into the table) or per member (no rows)."""

    member: np.ndarray  # member codes
    points: np.ndarray
    note: np.ndarray  # object array of str
    rows: np.ndarray | None
    category: str
    category_name: str
    rule_id: str
    rule_name: str
    note_object: bool = (
        False  # notes joined from pieces: the ledger's note column is then object, not str, dtype
    )

    def __len__(self) -> int:
        return len(self.member)


def member_part(
    member: np.ndarray,
    points: np.ndarray | float,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
    note: np.ndarray | str,
) -> Part:
    """Lines not tied to a sheet cell (base, start, caps, bonus)."""
    n = len(member)
    return Part(
        member=np.asarray(member, dtype=np.int64),
        points=np.broadcast_to(np.asarray(points, dtype=float), (n,)).copy(),
        note=np.broadcast_to(np.asarray(note, dtype=object), (n,)).copy(),
        rows=None,
        category=category,
        category_name=category_name,
        rule_id=rule_id,
        rule_name=rule_name,
    )


def part_sums(parts: Sequence[Part | None], size: int = 0) -> np.ndarray:
    """Each member code's sum of the parts' points (0 without lines), by code from 0 to at least
    ``size`` - 1, added up line by line in ledger order (see :func:`perfscore.frames.grouped_sums`)."""
    nonempty = [part for part in parts if part is not None and len(part)]
    if not nonempty:
        return np.zeros(size)
    return grouped_sums(
        np.concatenate([part.member for part in nonempty]),
        np.concatenate([part.points for part in nonempty]),
        size,
    )


def bound_part(
    parts: Sequence[Part | None],
    member_codes: np.ndarray,
    upper: float | None,
    lower: float | None,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
) -> Part | None:
    """Lines that bring each member's sum of ``parts`` within [lower, upper]."""
    if upper is None and lower is None:
        return None
    sums = part_sums(parts, int(member_codes.max(initial=-1)) + 1)[member_codes]
    adjust = np.zeros(len(sums))
    notes = np.full(len(sums), "", dtype=object)
    for bound, beyond, word in (
        (upper, sums > (upper or 0) + EPSILON, "封顶"),
        (lower, sums < (lower or 0) - EPSILON, "保底"),
    ):
        if bound is None or not beyond.any():
            continue
        adjust[beyond] = bound - sums[beyond]
        notes[beyond] = repeated_texts(
            f"{word} {number_text(bound)} 分（原为 ",
            np.round(sums[beyond], 4).astype(float),
            " 分）",
            number_text,
        )
    hit = adjust != 0
    return member_part(
        member_codes[hit], adjust[hit], category, category_name, rule_id, rule_name, notes[hit]
    )


class LedgerLines:
    """The ledger as columns over all its lines, in ledger order: rule by rule (``parts``, in the
    order docs/scoring.md gives), each rule's lines in order. ``member`` is each line's member
    code (a position in the roster scored; codes from ``roster.size`` on name someone not on
    it), ``points`` its points. :meth:`frame` builds the ledger DataFrame (columns
    ``LEDGER_COLUMNS``) in one construction, in this order or any order asked."""

    def __init__(self, parts: list[Part], table: RecordTable, roster: Roster) -> None:
        self.parts = parts
        self.table = table
        self.roster = roster
        lengths = np.array([len(part) for part in parts], dtype=np.int64)
        # which and rows as 32-bit integers: taking them in ranking order (a million lines read
        # in no particular order) costs a quarter of what 64-bit ones do
        self.which = np.repeat(np.arange(len(parts), dtype=np.int32), lengths)  # each line's part
        self.member = _joined([part.member for part in parts], np.int64)
        self.points = _joined([part.points for part in parts], float)
        self.rows = _joined(
            [
                table.rows[part.rows]
                if part.rows is not None
                else np.full(len(part), -1, dtype=np.int64)
                for part in parts
            ],
            np.int64,
        ).astype(np.int32)  # positions in the records frame, -1 for none

    def __len__(self) -> int:
        return len(self.member)

    def sums(self, *, category: str | None = None, rule_id: str | None = None) -> np.ndarray:
        """Sums of points by member code (every code, 0 without lines), over all lines or over
        the lines of ``category`` or of ``rule_id``; added up line by line in ledger order
        (see :func:`perfscore.frames.grouped_sums`)."""
        size = len(self.roster.ids)
        if category is None and rule_id is None:
            return grouped_sums(self.member, self.points, size)
        return part_sums(
            [
                part
                for part in self.parts
                if (category is None or part.category == category)
                and (rule_id is None or part.rule_id == rule_id)
            ],
            size,
        )

    def frame(
        self, order: np.ndarray | None = None, names: pd.Series | None = None
    ) -> pd.DataFrame:
        """The ledger; with ``order``, its lines in that order (positions); with ``names`` (the
        roster's names), a name column after member_id."""
        parts, table = self.parts, self.table
        which, member, rows = self.which, self.member, self.rows
        notes = _joined([part.note for part in parts], object)
        points = self.points
        if order is not None:
            which, member, rows, notes, points = (
                which[order],
                member[order],
                rows[order],
                notes[order],
                points[order],
            )
        which, rows = (
            which.astype(np.intp),
            rows.astype(np.intp),
        )  # as pandas takes them, converted once

        def constant(attr: str) -> ExtensionArray:
            return pd.array([getattr(part, attr) for part in parts], dtype="str").take(which)

        from_records = any(part.rows is not None for part in parts)
        per_member = any(part.rows is None for part in parts)
        frame = table.frame

        def typed(values: Any, name: str) -> pd.Series:
            """A column copied from the records (member_id, sheet, source, item_id, title) has
            the records' dtype when every line comes from a record, str when no line does, and
            object when the ledger holds both kinds of line and the two dtypes differ."""
            kinds = {frame[name].dtype} if from_records else set()
            if per_member:
                kinds.add(pd.StringDtype(na_value=np.nan))
            dtype = kinds.pop() if len(kinds) == 1 else np.dtype(object)
            return values if values.dtype == dtype else pd.Series(values, dtype=dtype, copy=False)

        def cells(name: str) -> pd.Series:
            if from_records:
                return typed(frame[name].array.take(rows, allow_fill=True, fill_value=""), name)
            return pd.Series(np.full(len(rows), "", dtype=object), dtype="str", copy=False)

        any_object = any(part.note_object for part in parts)
        date = (
            frame["date"].array.take(rows, allow_fill=True)
            if from_records
            else pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]").array
        )
        row = np.append(frame["row"].to_numpy(), 0)[
            rows
        ]  # row -1 (no sheet row) takes the 0 appended
        columns: dict[str, Any] = {"member_id": typed(self.roster.ids.take(member), "member_id")}
        if names is not None:
            taken = names.array.take(
                np.where(member < self.roster.size, member, -1), allow_fill=True
            )
            columns["name"] = (
                taken
                if taken.dtype == names.dtype
                else pd.Series(taken, dtype=names.dtype, copy=False)
            )
        columns.update(
            {
                "category": constant("category"),
                "category_name": constant("category_name"),
                "rule_id": constant("rule_id"),
                "rule_name": constant("rule_name"),
                "points": points,
                "date": date,
                "sheet": cells("sheet"),
                "row": row.astype(int, copy=False),
                "source": cells("source"),
                "item_id": cells("item_id"),
                "title": cells("title"),
                "note": pd.Series(notes, dtype=object if any_object else "str", copy=False),
            }
        )
        keys = LEDGER_COLUMNS if names is None else ["member_id", "name", *LEDGER_COLUMNS[1:]]
        return pd.DataFrame({key: columns[key] for key in keys}, copy=False)


def _joined(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)
