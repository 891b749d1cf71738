"""Stage 3 — score: records + rules -> :class:`Scoring` (the ledger, the checklist, problems).

The order in which rules apply is documented in docs/scoring.md; :func:`score` follows it step
by step: the term policy and the 并案 credit (:mod:`.roster`), the base, each category
(:mod:`.items`), the checklist and its bonus (:mod:`.checklist`), the total's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import Problem
from ..records import Records
from ..rules import Rules
from .bodies import with_body_credit
from .checklist import checklist_applies, checklist_table
from .conditions import RecordTable
from .items import category_parts
from .ledger import LedgerLines, Part, bound_part, member_part
from .roster import Roster, scored_records, written_records
from .rounding import round_array

__all__ = ["Scoring", "score"]


@dataclass(frozen=True, repr=False)
class Scoring:
    """What scoring produced, over the roster it was given (``Records.members``, whose positions
    are the member codes used here).

    ``lines``: the ledger as columns over its lines (:class:`~.ledger.LedgerLines`); ``ledger``
    the same as a DataFrame (columns ``LEDGER_COLUMNS``, built on first use).
    ``checklist``: one row per roster member per checklist item (``CHECKLIST_COLUMNS``), and
    ``checklist_done`` its ``done`` column as a matrix, checklist item by member code.
    ``records``: the records scored (after the term policy and the 并案 credit), as arrays;
    ``written``: every record as written (no term policy, no 并案 credit), as arrays: the same
    table as ``records`` when scoring dropped or changed no record. Both have roster codes.
    ``roster``: the members by code. ``problems``: warnings found while scoring.
    """

    lines: LedgerLines
    checklist: pd.DataFrame
    checklist_done: np.ndarray
    records: RecordTable
    written: RecordTable
    roster: Roster
    problems: list[Problem]

    @cached_property
    def ledger(self) -> pd.DataFrame:
        return self.lines.frame()

    def __repr__(self) -> str:
        return f"Scoring(<{len(self.lines)} ledger lines>, problems={len(self.problems)})"


def score(records: Records, rules: Rules) -> Scoring:
    """Apply ``rules`` to ``records``; see docs/scoring.md for the exact order."""
    settings = rules.settings
    frame, body_credit = with_body_credit(records, rules)
    roster = Roster(records.members, frame["member_id"], year=records.year, as_of=records.as_of)
    table, problems, whole = scored_records(
        frame, roster, settings.outside_term, settings.merged_credit
    )
    table.body_credit = body_credit

    def rounded(part: Part | None) -> Part | None:
        if part is not None:
            part.points = round_array(part.points, settings.decimals, settings.rounding)
        return part

    parts: list[Part | None] = []
    everyone = np.arange(roster.size)
    if rules.base:
        parts.append(
            member_part(everyone, rules.base, "", "", "base", "基础分", "每位委员的基础分")
        )
    months = roster.months(records.year) if settings.pro_rate == "months" else None
    for category in rules.categories:
        parts.extend(category_parts(table, roster, category, rounded, months))

    checklist, done = checklist_table(table, roster, rules)
    if rules.checklist is not None and rules.checklist.bonus:
        # Complete: every item asked of the member (items with ``who`` only of some) is done.
        applies = checklist_applies(rules, records.members)
        complete = np.flatnonzero((done | ~applies).all(axis=0))
        asked = applies.sum(axis=0)[complete]
        notes = np.array(
            [f"{rules.checklist.name} {n} 项全部完成" for n in range(len(applies) + 1)],
            dtype=object,
        )
        parts.append(
            member_part(
                complete,
                rules.checklist.bonus,
                "",
                "",
                "checklist.bonus",
                f"{rules.checklist.name}全部完成",
                notes[asked],
            )
        )
    parts.append(
        rounded(
            bound_part(
                parts, everyone, rules.total.max, rules.total.min, "", "", "total.cap", "总分上下限"
            )
        )
    )
    written = table if whole else written_records(frame, roster)
    written.body_credit = body_credit
    return Scoring(
        lines=LedgerLines([p for p in parts if p is not None and len(p)], table, roster),
        checklist=checklist,
        checklist_done=done,
        records=table,
        roster=roster,
        problems=problems,
        written=written,
    )
