"""Stage 3 — score: records + rules -> the ledger (积分明细), one line per award of points.

The rule semantics, one module per step of docs/scoring.md:

* :mod:`.roster` — members as codes; which records score (term policy, 并案 credit);
* :mod:`.conditions` — the rules' conditions over records as arrays (:class:`RecordTable`);
* :mod:`.items` — a category's lines: start, items, credit, stack/count/from_nth, caps, pro-rating;
* :mod:`.checklist` — the checklist (双五个一) per member and item;
* :mod:`.ledger` — the ledger as parts and lines, bounds (caps and floors);
* :mod:`.rounding` — points to the rules' decimals;
* :mod:`.stage` — :func:`score`, which runs them in order, and :class:`Scoring`, its result.

Array helpers that know nothing of rules live in :mod:`perfscore.frames`.

How it stays fast at 1 million records: the records are turned once per run into numpy arrays
(:class:`RecordTable`): each member's position in the roster, and for every field a rule can test
(kind, type, status …) integer codes over its few distinct values. A condition is then a lookup
in a small table of booleans indexed by code, and each item looks only at the records of its
kind. Each item yields a :class:`~.ledger.Part` (record positions, member codes, points, notes);
the ledger DataFrame is built once, at the end, from all parts.

``Scoring.ledger`` columns: member_id, category, category_name, rule_id, rule_name, points,
date, sheet, row, source, item_id, title, note. Lines not from a sheet have row 0, source ''.

``Scoring.checklist`` columns: member_id, item, done, count, date, source — one row per member
per checklist item; ``count`` is how many records match it, ``source`` the cell of the earliest.
"""

from __future__ import annotations

from .checklist import CHECKLIST_COLUMNS, checklist_applies
from .conditions import RecordTable
from .ledger import LEDGER_COLUMNS, LedgerLines
from .rounding import round_points
from .stage import Scoring, score

__all__ = [
    "Scoring",
    "score",
    "LEDGER_COLUMNS",
    "CHECKLIST_COLUMNS",
    "LedgerLines",
    "RecordTable",
    "round_points",
    "checklist_applies",
]
