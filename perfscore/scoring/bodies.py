"""Records credited to a body (``Records.bodies``) given to the members of its 专委会, for the
rules that ask for them with ``role: [单位]`` (docs/scoring.md §1).

A body's record gives no member points by itself. When a ``match`` of the rules lists the role
单位 and the body names its 专委会 (``bodies[].committee``), each member whose 专委会 cell names
that committee gets a copy of the record with role 单位, first and only author; a ``match``
that does not list 单位 never selects such a copy (:meth:`RecordTable.condition`).
"""

from __future__ import annotations

import pandas as pd

from ..inputformat import ROLE_BODY
from ..records import RECORD_COLUMNS, Records
from ..rules import Rules
from ..text import NAME_SEPARATORS

__all__ = ["with_body_credit", "asks_for_body_credit"]


def asks_for_body_credit(rules: Rules) -> bool:
    """Whether any ``match`` of the rules (items, checklist items, awards) lists role 单位."""
    clauses = [item.match for category in rules.categories for item in category.items]
    if rules.checklist is not None:
        clauses += [clause for entry in rules.checklist.items for clause in entry.any_of]
    for award in rules.awards:
        clauses += [*(award.requires.has or []), *(clause.match for clause in award.score or [])]
    return any(ROLE_BODY in (clause.role or []) for clause in clauses)


def with_body_credit(records: Records, rules: Rules) -> tuple[pd.DataFrame, bool]:
    """``records.records`` with a copy of each body's record for each member of its 专委会
    (after the members' own records), and whether any copy was made."""
    committees = {body.name: body.committee for body in rules.bodies if body.committee}
    credited = records.bodies[records.bodies["body"].isin(list(committees))]
    if credited.empty or not asks_for_body_credit(rules):
        return records.records, False
    # (member, committee) pairs: a member of two committees is in both.
    cells = records.members[["member_id", "committee"]]
    pairs = cells.assign(committee=cells["committee"].str.split(NAME_SEPARATORS, regex=True))
    pairs = pairs.explode("committee")
    pairs["committee"] = pairs["committee"].str.strip()
    pairs = pairs[pairs["committee"].notna() & (pairs["committee"] != "")]
    copies = (
        credited.assign(committee=credited["body"].map(committees))
        .drop(columns="body")
        .merge(pairs, on="committee", how="inner", sort=False)
        .drop(columns="committee")
    )
    if copies.empty:
        return records.records, False
    copies = copies.assign(role=ROLE_BODY, position=1, n_authors=1)[RECORD_COLUMNS]
    frame = pd.concat([records.records, copies], ignore_index=True)
    return frame, True
