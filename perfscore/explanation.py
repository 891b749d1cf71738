"""Why a member has the total they have: their ledger lines, subtotals and checklist.

``explain(assessment, "张三")`` (or a member ID) answers "why 86.5?" line by line; the terminal
writer prints it and the CLI's ``perfscore explain`` calls it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd

from .assessment import Assessment
from .errors import Reason, Severity, UsageError
from .privacy import MaskMode

__all__ = ["Explanation", "explain", "MemberNotFound"]


class MemberNotFound(UsageError):
    """No member, or more than one, answers to the name or ID asked for."""


@dataclass(frozen=True)
class Explanation:
    member: pd.Series  # the member's row of Assessment.members
    lines: pd.DataFrame  # the member's ledger lines, in ledger order
    checklist: pd.DataFrame  # item, done, date, source
    subtotals: dict[str, float]  # category name -> subtotal
    year: int
    scheme: str
    decimals: int
    term: str  # '' for a member in office all year, else e.g. 2023-06-15 至 年底
    notes: list  # problems about this member (records outside the term …)
    # warnings about the workbook as a whole (hidden rows or sheets, a register allowed to be
    # absent …): they may bear on any member's points
    workbook_notes: list = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(self.member["total"])


def explain(assessment: Assessment, who: str, *, mask: MaskMode | None = None) -> Explanation:
    """The explanation for the member with ID or name ``who`` (a name must be unique).

    ``mask`` ("name" or "id", see :mod:`perfscore.privacy`): found by the real name or ID, shown
    masked — the member's name and every name in the lines, also in a "not found" message.
    """
    if mask:
        from .privacy import NameMask, mask_assessment

        try:
            member_id = explain(assessment, who).member["member_id"]
        except MemberNotFound as exc:
            raise MemberNotFound(
                NameMask.from_members(assessment.members, mask).text(exc.message)
            ) from None
        return explain(mask_assessment(assessment, mask), member_id)
    members = assessment.members
    who = who.strip()
    found = members[members["member_id"] == who]
    if found.empty:
        found = members[members["name"] == who]
    if len(found) > 1:
        listed = "、".join(
            f"{mid}（{sector}）" for mid, sector in zip(found["member_id"], found["sector"])
        )
        raise MemberNotFound(f"有 {len(found)} 位委员名叫“{who}”：{listed}；请改用委员编号")
    if found.empty:
        close = difflib.get_close_matches(who, members["name"].tolist(), n=3, cutoff=0.5)
        hint = f"；是不是：{'、'.join(close)}？" if close else ""
        raise MemberNotFound(f"找不到委员“{who}”（按编号或姓名）{hint}")
    member = found.iloc[0]
    lines = assessment.ledger[assessment.ledger["member_id"] == member["member_id"]].reset_index(
        drop=True
    )
    checklist = assessment.checklist[assessment.checklist["member_id"] == member["member_id"]].drop(
        columns="member_id"
    )
    subtotals = {name: float(member[cid]) for cid, name in assessment.category_names.items()}
    start, end = member["term_start"], member["term_end"]
    term = (
        ""
        if pd.isna(start) and pd.isna(end)
        else (f"{start:%Y-%m-%d} 至 " if pd.notna(start) else "年初至 ")
        + (f"{end:%Y-%m-%d}" if pd.notna(end) else "年底")
    )
    notes = [p for p in assessment.problems if p.member_id == member["member_id"]]
    workbook_notes = [
        p
        for p in assessment.problems
        if p.reason in _WORKBOOK_NOTES and not p.member_id and p.severity is Severity.WARNING
    ]
    return Explanation(
        member=member,
        lines=lines,
        checklist=checklist.reset_index(drop=True),
        subtotals=subtotals,
        year=assessment.year,
        scheme=assessment.rules.rules.scheme,
        decimals=assessment.rules.rules.settings.decimals,
        term=term,
        notes=notes,
        workbook_notes=workbook_notes,
    )


# What was read (or not) for the whole workbook, which the member's lines do not show: hidden
# rows, columns or sheets read as written; a register the rules score but the workbook lacks,
# or a sheet not read because its name is not a register's.
_WORKBOOK_NOTES = {Reason.HIDDEN_READ, Reason.MISSING_SHEET}
