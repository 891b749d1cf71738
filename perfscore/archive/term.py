"""End of term (换届): every member's years side by side, the term average, grades, awards and
the consequences the rules define, ranked — read from the archive.

``TermReport.members`` columns: place (1, 2, 2, 4 on equal averages), member_id, name, sector,
committee, years (how many years archived), one ``total_<year>`` and ``grade_<year>`` per year,
average, best_grade, worst_grade, awards (名称 and year, joined by 、), consequences (each year's,
as ``<year>：…``, then the term conditions evaluated over the whole term).
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import RulesError, UsageError
from ..rules import Rules, parse_rules
from .store import open_readonly
from .terms import referenced_rules, term_condition

__all__ = ["TermReport", "term_report", "write_term_report", "latest_rules", "term_consequences"]


@dataclass(frozen=True)
class TermReport:
    unit: str
    term: str
    first_year: int
    last_year: int
    years: list[int]
    members: pd.DataFrame
    rules: Rules
    decimals: int


def latest_rules(conn: sqlite3.Connection, unit: str) -> tuple[int, Rules]:
    """The latest archived year of ``unit`` and the rules it was assessed with."""
    row = conn.execute(
        "SELECT year, rules_text, rules_name FROM years WHERE unit = ? ORDER BY year DESC LIMIT 1",
        (unit,),
    ).fetchone()
    if row is None:
        raise UsageError(f"履职档案中没有{f'“{unit}”的' if unit else ''}任何年度")
    try:
        return int(row[0]), _parsed(row[1], row[2])
    except RulesError as exc:
        raise UsageError(f"档案中 {row[0]} 年度的规则无法读取：{exc.message}") from None


@functools.lru_cache(maxsize=8)
def _parsed(text: str, name: str) -> Rules:
    """Rules text parsed once per process (the dossiers of --all read the same rules)."""
    return parse_rules(text, name)


def term_consequences(
    conn: sqlite3.Connection, unit: str, rules: Rules, member_ids: pd.Series
) -> pd.Series:
    """The term conditions of ``rules`` that hold for each member over every archived year
    (names joined by 、, '' when none), indexed like ``member_ids``."""
    terms = [(c.name, c.term) for c in rules.consequences if c.term is not None]
    result = pd.Series("", index=member_ids.index, dtype=object)
    if not terms:
        return result
    one = len(member_ids) == 1
    params: tuple = (unit, str(member_ids.iloc[0])) if one else (unit,)
    grades = pd.read_sql_query(
        "SELECT m.year, m.member_id, m.grade FROM "
        + (  # one member: their row of each year by the table's key
            "years y CROSS JOIN members m ON m.unit = y.unit AND m.year = y.year "
            "WHERE y.unit = ? AND m.member_id = ?"
            if one
            else "members m WHERE m.unit = ?"
        ),
        conn,
        params=params,
    )
    wanted = [r for r in referenced_rules(rules) if any(term.rule == r for _, term in terms)]
    if wanted:
        marks = ", ".join("?" * len(wanted))
        source = (  # one member: their lines year by year, not a scan of every line
            "years y CROSS JOIN ledger l ON l.unit = y.unit AND l.year = y.year "
            "WHERE y.unit = ? AND l.member_id = ?"
            if one
            else "ledger l WHERE l.unit = ?"
        )
        lines = pd.read_sql_query(
            f"SELECT l.year, l.member_id, l.rule_id, l.note FROM {source} AND l.rule_id IN ({marks})",
            conn,
            params=(*params, *wanted),
        )
    else:
        lines = pd.DataFrame(columns=["year", "member_id", "rule_id", "note"])
    for name, term in terms:
        applies = term_condition(term, member_ids, grades, lines)
        result = result.where(~applies, result + np.where(result == "", "", "、") + name)
    return result


def term_report(archive: str | Path, unit: str | None = None) -> TermReport:
    """Every member of ``unit``'s term in the archive, ranked by the average of their totals
    over the years archived (a member with fewer years is averaged over those). ``unit`` None:
    the archive's only unit ('' when it holds several, which the error then lists)."""
    conn = open_readonly(archive)
    try:
        if unit is None:
            held = [r[0] for r in conn.execute("SELECT unit FROM terms ORDER BY unit")]
            unit = held[0] if len(held) == 1 else ""
        term = conn.execute(
            "SELECT name, first_year, last_year FROM terms WHERE unit = ?", (unit,)
        ).fetchone()
        if term is None:
            units = [r[0] for r in conn.execute("SELECT unit FROM terms ORDER BY unit")]
            raise UsageError(
                f"履职档案中没有{f'单位“{unit}”' if unit else '未写单位的年度'}"
                + (f"；档案中的单位：{'、'.join(units)}（用 --unit 选择）" if units else "")
            )
        _, rules = latest_rules(conn, unit)
        rows = pd.read_sql_query(
            "SELECT year, member_id, name, sector, committee, total, grade, consequences "
            "FROM members WHERE unit = ? ORDER BY year, member_id",
            conn,
            params=(unit,),
        )
        awards = pd.read_sql_query(
            "SELECT year, award_name, key FROM awards WHERE unit = ? AND pool = 'members' "
            "ORDER BY year, award_id",
            conn,
            params=(unit,),
        )
        years = sorted(int(y) for y in rows["year"].unique())
        latest = rows.drop_duplicates("member_id", keep="last").set_index("member_id")
        members = latest[["name", "sector", "committee"]].copy()
        members["years"] = rows.groupby("member_id").size()
        wide_total = rows.pivot(index="member_id", columns="year", values="total")
        wide_grade = rows.pivot(index="member_id", columns="year", values="grade")
        for year in years:
            members[f"total_{year}"] = wide_total[year]
            members[f"grade_{year}"] = wide_grade[year].fillna("")
        members["average"] = wide_total.mean(axis=1)
        order = {band.grade: i for i, band in enumerate(rules.grades)}
        rank = rows["grade"].map(order).fillna(len(order))
        by_member = rank.groupby(rows["member_id"])
        names = pd.Series({i: g for g, i in order.items()})
        members["best_grade"] = by_member.min().map(names).fillna("")
        members["worst_grade"] = by_member.max().map(names).fillna("")
        won = awards.assign(text=awards["year"].astype(str) + awards["award_name"])
        members["awards"] = (
            won.groupby("key")["text"].agg("、".join).reindex(members.index).fillna("")
        )
        yearly = rows[rows["consequences"] != ""]
        yearly = yearly.assign(text=yearly["year"].astype(str) + "：" + yearly["consequences"])
        each_year = yearly.groupby("member_id")["text"].agg("；".join).reindex(members.index)
        term_wide = term_consequences(
            conn, unit, rules, pd.Series(members.index, index=members.index)
        )
        parts = pd.DataFrame({"y": each_year.fillna(""), "t": term_wide.fillna("")})
        members["consequences"] = np.where(
            (parts["y"] != "") & (parts["t"] != ""),
            parts["y"] + "；任期：" + parts["t"],
            np.where(parts["t"] != "", "任期：" + parts["t"], parts["y"]),
        )
    finally:
        conn.close()
    members = members.reset_index().sort_values(
        ["average", "member_id"], ascending=[False, True], kind="stable"
    )
    members.insert(0, "place", members["average"].rank(method="min", ascending=False).astype(int))
    return TermReport(
        unit=unit,
        term=term[0],
        first_year=int(term[1]),
        last_year=int(term[2]),
        years=years,
        members=members.reset_index(drop=True),
        rules=rules,
        decimals=rules.settings.decimals,
    )


def term_table(report: TermReport) -> pd.DataFrame:
    """The report's members with Chinese headers: what the workbook's 任期排名 sheet shows."""
    m = report.members
    table = pd.DataFrame(
        {
            "名次": m["place"],
            "委员编号": m["member_id"],
            "姓名": m["name"],
            "界别": m["sector"],
            "专委会": m["committee"],
            "在档年数": m["years"],
        }
    )
    for year in report.years:
        table[f"{year}年总分"] = m[f"total_{year}"]
        table[f"{year}年等次"] = m[f"grade_{year}"]
    table["任期平均分"] = m["average"].round(report.decimals)
    table["最好等次"] = m["best_grade"]
    table["最差等次"] = m["worst_grade"]
    table["获奖"] = m["awards"]
    table["处理提示"] = m["consequences"]
    return table


def write_term_report(report: TermReport, out: str | Path) -> Path:
    """The end-of-term workbook: 任期排名 and 说明 (term, years, how the ranking is made)."""
    from ..writers.xlsx import write_tables

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"任期考核结果须写为 .xlsx：{out}")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")
    about = pd.DataFrame(
        {
            "项目": ["单位", "届次", "本届年度", "档案中的年度", "排名方法", "处理提示"],
            "内容": [
                report.unit or "（未写单位）",
                report.term,
                f"{report.first_year}–{report.last_year}",
                "、".join(str(y) for y in report.years),
                "按在档各年度总分的平均分从高到低排列，平均分相同者名次并列（1、2、2、4），同分者按委员编号排列",
                "各年度考核时的处理提示，以及按最近一年规则中的任期条件（term）对全部在档年度判断的结果",
            ],
        }
    )
    write_tables(
        out,
        [("任期排名", term_table(report)), ("说明", about)],
        title=f"{report.term}（{report.first_year}–{report.last_year}）委员履职任期考核",
        decimals=report.decimals,
        grades=[band.grade for band in report.rules.grades],
        grade_column="__none__",
    )
    return out
