"""The units of one year in a term archive, as ``perfscore combine`` compares them: each unit's
stored year turned into the :class:`perfscore.combine.UnitResult` a result file gives, so the
comparison is the same whichever the units were read from.

The archive is opened as every reader opens it (:func:`perfscore.archive.store.open_readonly`:
read-only, checked to be a perfscore archive, ``quick_check`` over the tables read). Units are
listed by name; a year stored without a unit is called ``（未写单位）``. Each unit's members are in
its ranking order (total, then the rules' ``settings.tie_break``, then member ID), as its result
file lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..archive.store import open_readonly
from ..archive.term import _parsed
from ..errors import RulesError, UsageError

if TYPE_CHECKING:
    from . import UnitResult

__all__ = ["archive_units", "NO_UNIT", "UNIT_FROM_ARCHIVE"]

NO_UNIT = "（未写单位）"
UNIT_FROM_ARCHIVE = "履职档案"
_TABLES = ("years", "members", "awards")


def archive_units(path: str | Path, year: int | None = None) -> list[UnitResult]:
    """Every unit stored for ``year`` in the archive at ``path``, as :class:`UnitResult` (one per
    unit, by unit name). ``year`` may be left out when the archive holds one year only; otherwise
    the archive's years are listed in the error."""
    from ..assessment import _in_ranking_order
    from . import UnitResult, unit_members

    path = Path(path)
    conn = open_readonly(path, tables=_TABLES)
    try:
        years = [int(r[0]) for r in conn.execute("SELECT DISTINCT year FROM years ORDER BY year")]
        listed = "、".join(map(str, years))
        if not years:
            raise UsageError(f"履职档案 {path.name} 中还没有任何年度，没有可汇总的单位")
        if year is None:
            if len(years) > 1:
                raise UsageError(
                    f"履职档案 {path.name} 中有多个年度（{listed}）；请用 --year 指定要汇总的年度，如 --year {years[-1]}"
                )
            year = years[0]
        elif year not in years:
            raise UsageError(f"履职档案 {path.name} 中没有 {year} 年度（档案中的年度：{listed}）")
        stored = conn.execute(
            "SELECT unit, rules_name, rules_sha256, rules_text FROM years WHERE year = ? ORDER BY unit",
            (year,),
        ).fetchall()
        members = pd.read_sql_query(
            "SELECT unit, member_id, name, sector, committee, total, grade, rank, checklist_done, "
            "checklist_total, checklist_missing FROM members WHERE year = ?",
            conn,
            params=(year,),
        )
        subtotals = pd.read_sql_query(
            "SELECT m.unit, m.member_id, j.key AS category, j.value AS points "
            "FROM members AS m, json_each(m.subtotals) AS j WHERE m.year = ?",
            conn,
            params=(year,),
        )
        won = pd.read_sql_query(
            "SELECT unit, award_name, COUNT(*) AS winners FROM awards WHERE year = ? "
            "GROUP BY unit, award_name",
            conn,
            params=(year,),
        )
    finally:
        conn.close()
    wide = subtotals.pivot(index=["unit", "member_id"], columns="category", values="points")
    units = []
    for unit, rules_name, rules_sha, rules_text in stored:
        try:
            rules = _parsed(rules_text, rules_name)
        except RulesError as exc:
            raise UsageError(
                f"履职档案 {path.name} 中{unit or NO_UNIT} {year} 年度的规则无法读取：{exc.message}"
            ) from None
        own = members[members["unit"] == unit].reset_index(drop=True)
        points = wide.loc[unit] if unit in wide.index.get_level_values(0) else pd.DataFrame()
        ids = [c.id for c in rules.categories]
        by_id = points.reindex(index=own["member_id"], columns=ids).astype(float)
        for cid in ids:
            own[cid] = by_id[cid].to_numpy()
        own = _in_ranking_order(own, rules.settings.tie_break).reset_index(drop=True)
        frame = unit_members(own, {c.id: c.name for c in rules.categories})
        counts = won[won["unit"] == unit].set_index("award_name")["winners"]
        checklist = rules.checklist
        units.append(
            UnitResult(
                path=path,
                unit=unit or NO_UNIT,
                unit_from=UNIT_FROM_ARCHIVE,
                year=year,
                rules_file=rules_name,
                rules_sha256=rules_sha,
                grades=tuple(g.grade for g in rules.grades),
                categories=tuple(c.name for c in rules.categories),
                checklist_name=checklist.name if checklist else "",
                checklist_items=tuple(i.name for i in checklist.items) if checklist else (),
                awards={a.name: int(counts.get(a.name, 0)) for a in rules.awards},
                members=frame,
            )
        )
    return units
