"""The member's dossier (履职档案, 一人一档): one document per member for the term, read from the
archive and written as .xlsx and .docx (A4).

Sections: 基本情况; 逐年对比 (each year side by side: 界别, 专委会, 常委, total, grade, ranks,
category subtotals, checklist items done, consequences); 提案; 社情民意信息采用; 调研报告; 获奖;
处理提示 (each year's and the term conditions); 积分明细 (every ledger line with its source cell).

With ``mask`` the member's name shows as 张** and no other member is named (every name of the
unit's members is masked wherever it occurs as text); file names then use the member's ID.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import UsageError
from ..privacy import NameMask, mask_frame, masked_name
from .store import open_readonly
from .term import latest_rules, term_consequences

if TYPE_CHECKING:
    from ..writers.commit import ResultSet
    from ..writers.official import OfficialStyle

__all__ = ["Dossier", "find_members", "member_dossier", "write_dossier", "write_dossiers"]


@dataclass(frozen=True)
class Dossier:
    unit: str
    member_id: str
    name: str
    term: str
    years: list[int]
    tables: dict[str, pd.DataFrame]  # section title -> table, in document order
    decimals: int
    masked: bool = False
    style: OfficialStyle | None = None  # the Word layout of the latest year's rules

    @property
    def title(self) -> str:
        return f"{self.name}履职档案"

    @property
    def subtitle(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if self.years else ""
        unit = f"{self.unit}　" if self.unit else ""
        return f"{unit}{self.term}　委员编号 {self.member_id}　在档年度 {span}"


def find_members(conn: sqlite3.Connection, who: str, unit: str | None = None) -> pd.DataFrame:
    """Members whose ID or name is ``who``: unit, member_id, name (latest year's), sector."""
    by_id = pd.read_sql_query(  # each year's row by its key, year by year
        "SELECT m.unit, m.member_id, m.name, m.sector, m.year FROM years y CROSS JOIN members m "
        "ON m.unit = y.unit AND m.year = y.year AND m.member_id = ?"
        + (" WHERE y.unit = ?" if unit is not None else ""),
        conn,
        params=(who, unit) if unit is not None else (who,),
    )
    by_name = pd.read_sql_query(  # a name is looked for row by row
        "SELECT unit, member_id, name, sector, year FROM members WHERE name = ?"
        + (" AND unit = ?" if unit is not None else ""),
        conn,
        params=(who, unit) if unit is not None else (who,),
    )
    found = pd.concat([by_id, by_name], ignore_index=True).sort_values(
        ["unit", "member_id", "year"], kind="stable"
    )
    return found.drop_duplicates(["unit", "member_id"], keep="last").drop(columns="year")


def _one_member(conn: sqlite3.Connection, who: str, unit: str | None) -> tuple[str, str]:
    found = find_members(conn, who, unit)
    if found.empty:
        raise UsageError(f"履职档案中没有委员“{who}”（按委员编号或姓名查找）")
    if len(found) > 1:
        listing = "；".join(
            f"{f'{of_unit} ' if of_unit else ''}{member_id} {name}（{sector}）"
            for of_unit, member_id, name, sector in zip(
                found["unit"], found["member_id"], found["name"], found["sector"]
            )
        )
        raise UsageError(
            f"档案中有 {len(found)} 位委员符合“{who}”：{listing}。请改用委员编号，或用 --unit 指定单位"
        )
    row = found.iloc[0]
    return str(row["unit"]), str(row["member_id"])


def member_dossier(
    archive: str | Path | sqlite3.Connection,
    who: str,
    *,
    unit: str | None = None,
    mask: bool = False,
) -> Dossier:
    """The dossier of the member whose ID or name is ``who`` (``unit`` to choose among units)."""
    if isinstance(archive, sqlite3.Connection):
        return _dossier(archive, *_one_member(archive, who, unit), mask=mask)
    conn = open_readonly(archive)
    try:
        return _dossier(conn, *_one_member(conn, who, unit), mask=mask)
    finally:
        conn.close()


def _dossier(conn: sqlite3.Connection, unit: str, member_id: str, *, mask: bool) -> Dossier:
    key = (unit, member_id)
    years_info = pd.read_sql_query(
        "SELECT year, members, checklist_name, term FROM years WHERE unit = ? ORDER BY year",
        conn,
        params=(unit,),
    )
    rows = pd.read_sql_query(  # year by year, each a lookup by the table's key
        "SELECT m.* FROM years y CROSS JOIN members m "
        "ON m.unit = y.unit AND m.year = y.year AND m.member_id = ? WHERE y.unit = ? "
        "ORDER BY m.year",
        conn,
        params=(member_id, unit),
    )
    categories = pd.read_sql_query(
        "SELECT year, category, name, position FROM categories WHERE unit = ?",
        conn,
        params=(unit,),
    )
    ledger = pd.read_sql_query(
        "SELECT l.year, l.line, r.category_name, l.rule_id, r.rule_name, r.kind, l.points, "
        "l.date, l.source, l.item_id, l.title, l.note "
        "FROM years y CROSS JOIN ledger l ON l.unit = y.unit AND l.year = y.year "  # year by year
        "LEFT JOIN rule_items r ON r.unit = l.unit AND r.year = l.year AND r.rule_id = l.rule_id "
        "WHERE y.unit = ? AND l.member_id = ? ORDER BY l.year, l.line",
        conn,
        params=key,
    )
    keys = [member_id, *sorted({str(k) for k in ledger["item_id"] if k})]  # the member, their items
    awards = pd.read_sql_query(
        "SELECT year, award_name, pool, key, label, note FROM awards WHERE unit = ? "
        f"AND key IN ({', '.join('?' * len(keys))}) ORDER BY year, award_id, place",
        conn,
        params=(unit, *keys),
    )
    _, rules = latest_rules(conn, unit)
    term_wide = term_consequences(conn, unit, rules, pd.Series([member_id]))
    years = [int(y) for y in rows["year"]]
    name = str(rows["name"].iloc[-1])
    tables = {
        "逐年对比": _side_by_side(
            rows,
            years_info,
            categories,
            [item.name for item in rules.checklist.items] if rules.checklist else [],
        ),
        "提案": _items(ledger, "proposal"),
        "社情民意信息采用": _items(ledger, "adoption"),
        "调研报告": _items(ledger, "report"),
        "获奖": _awards(awards, member_id, ledger),
        "处理提示": _consequences(rows, term_wide.iloc[0]),
        "积分明细": _ledger(ledger),
    }
    term = str(years_info["term"].iloc[-1]) if len(years_info) else ""
    decimals = rules.settings.decimals
    if mask:
        names = pd.read_sql_query(
            "SELECT DISTINCT member_id, name FROM members WHERE unit = ?", conn, params=(unit,)
        )
        masker = NameMask.from_members(names)
        tables = {title: mask_frame(table, masker) for title, table in tables.items()}
        tables["逐年对比"].columns = [masker.text(str(c)) for c in tables["逐年对比"].columns]
        name = masked_name(name)
    from ..writers.official import OfficialStyle

    return Dossier(
        unit,
        member_id,
        name,
        term,
        years,
        tables,
        decimals,
        masked=mask,
        style=OfficialStyle.from_rules(rules),
    )


def _side_by_side(
    rows: pd.DataFrame,
    years_info: pd.DataFrame,
    categories: pd.DataFrame,
    item_order: list[str],
) -> pd.DataFrame:
    """One column per year; rows: groups, total, grade, ranks, subtotals, checklist items (in
    ``item_order``, the latest rules' order; items only earlier rules had come last).
    Built from plain records: a member has a handful of years."""
    years = [int(y) for y in rows["year"]]
    info = {int(r["year"]): r for r in years_info.to_dict(orient="records")}
    by_year = {int(r["year"]): r for r in rows.to_dict(orient="records")}
    r = [by_year[y] for y in years]
    lines: list[tuple[str, list]] = [
        ("界别", [m["sector"] for m in r]),
        ("专委会", [m["committee"] for m in r]),
        ("常委", ["是" if m["standing"] else "否" for m in r]),
        ("总分", [_number(m["total"]) for m in r]),
        ("等次", [m["grade"] for m in r]),
        ("名次", [f"{int(m['rank'])}/{int(info[y]['members'])}" for y, m in zip(years, r)]),
        ("界别内名次", [_rank(m["sector_rank"]) for m in r]),
        ("专委会内名次", [_rank(m["committee_rank"]) for m in r]),
    ]
    names = {(int(c["year"]), c["category"]): c for c in categories.to_dict(orient="records")}
    found = []
    for y, m in zip(years, r):
        for category, value in json.loads(m["subtotals"]).items():
            c = names.get((y, category), {"name": category, "position": 99})
            found.append((c["position"], y, c["name"], value))
    points: dict[str, dict[int, float]] = {}
    for _, y, category, value in sorted(found, key=lambda x: (x[0], x[1])):
        points.setdefault(category, {})[y] = value
    for category, of in points.items():
        lines.append((f"分项：{category}", [_number(of.get(y)) for y in years]))
    name = next(
        (str(info[y]["checklist_name"]) for y in years if info[y]["checklist_name"]), "清单"
    )
    lines.append(
        (f"{name}完成", [f"{int(m['checklist_done'])}/{int(m['checklist_total'])}" for m in r])
    )
    items: dict[str, dict[int, str]] = {}  # item -> year -> what the cell shows
    for y, m in zip(years, r):
        for item, source in json.loads(m["checklist_items"]).items():
            items.setdefault(item, {})[y] = ("✓ " + (source or "")).strip()
        for item in filter(None, str(m["checklist_missing"]).split("、")):
            items.setdefault(item, {})[y] = "未完成"
    place = {item: i for i, item in enumerate(item_order)}
    for item in sorted(items, key=lambda i: (place.get(i, len(place)), i)):
        lines.append((f"{name}：{item}", [items[item].get(y, "") for y in years]))
    lines.append(("处理提示", [m["consequences"] for m in r]))
    table = {"项目": [label for label, _ in lines]}
    for i, year in enumerate(years):
        table[f"{year}年"] = [values[i] for _, values in lines]
    return pd.DataFrame(table)


def _number(value: float | None) -> str:
    if value is None or value != value:
        return ""
    return f"{float(value):g}"


def _rank(value: float | None) -> str:
    return "" if value is None or value != value else str(int(value))


def _items(ledger: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The member's items of one record kind: one row per item per year, its points summed."""
    lines = ledger[ledger["kind"] == kind]
    columns = ["年度", "编号", "标题", "日期", "计分项", "得分", "来源单元格"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    lines = lines.assign(item=lines["item_id"].where(lines["item_id"] != "", lines["source"]))
    grouped = lines.groupby(["year", "item"], sort=False)
    table = grouped.agg(
        item_id=("item_id", "first"),
        title=("title", "first"),
        date=("date", "first"),
        rules=("rule_name", lambda v: "、".join(dict.fromkeys(v))),
        points=("points", "sum"),
        source=("source", "first"),
    ).reset_index()
    return pd.DataFrame(
        {
            "年度": table["year"],
            "编号": table["item_id"],
            "标题": table["title"],
            "日期": table["date"].fillna(""),
            "计分项": table["rules"],
            "得分": table["points"].astype(float),
            "来源单元格": table["source"],
        },
        columns=columns,
    )


def _awards(awards: pd.DataFrame, member_id: str, ledger: pd.DataFrame) -> pd.DataFrame:
    """Awards the member won, and awards won by proposals or information the member wrote."""
    own_items = set(zip(ledger["year"], ledger["item_id"]))
    mine = awards[
        ((awards["pool"] == "members") & (awards["key"] == member_id))
        | (
            (awards["pool"] != "members")
            & pd.Series(
                [(y, k) in own_items for y, k in zip(awards["year"], awards["key"])],
                index=awards.index,
                dtype=bool,
            )
        )
    ]
    return pd.DataFrame(
        {
            "年度": mine["year"],
            "评选": mine["award_name"],
            "入选": mine["label"].where(mine["pool"] != "members", "本人"),
            "说明": mine["note"],
        }
    )


def _consequences(rows: pd.DataFrame, term_wide: str) -> pd.DataFrame:
    each = rows[rows["consequences"] != ""]
    table = pd.DataFrame({"年度": each["year"].astype(str), "处理提示": each["consequences"]})
    if term_wide:
        table = pd.concat(
            [table, pd.DataFrame({"年度": ["任期"], "处理提示": [term_wide]})], ignore_index=True
        )
    return table


def _ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "年度": ledger["year"],
            "类别": ledger["category_name"].fillna(""),
            "规则编号": ledger["rule_id"],
            "规则名称": ledger["rule_name"].fillna(""),
            "分值": ledger["points"].astype(float),
            "日期": ledger["date"].fillna(""),
            "来源单元格": ledger["source"],
            "编号": ledger["item_id"],
            "标题": ledger["title"],
            "说明": ledger["note"],
        }
    )


# --- writing ------------------------------------------------------------------------------------


def dossier_paths(dossier: Dossier, out_dir: Path) -> tuple[Path, Path]:
    stem = (
        f"{dossier.member_id}-履职档案-公示"
        if dossier.masked
        else f"{dossier.member_id}-{dossier.name}-履职档案"
    )
    return out_dir / f"{stem}.xlsx", out_dir / f"{stem}.docx"


def write_dossier(
    dossier: Dossier, out_dir: str | Path, *, into: ResultSet | None = None
) -> list[Path]:
    """Write the dossier as .xlsx and .docx into ``out_dir``, the two as one result set (both
    or neither; see :mod:`perfscore.writers.commit`), or into the result set ``into``; the
    paths."""
    from ..writers.commit import ResultSet
    from ..writers.xlsx import write_tables
    from .word import Section, write_document

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"输出目录不存在：{out_dir}")
    xlsx, docx = dossier_paths(dossier, out_dir)
    about = pd.DataFrame(
        {
            "项目": ["姓名", "委员编号", "单位", "届次", "在档年度"],
            "内容": [
                dossier.name,
                dossier.member_id,
                dossier.unit or "（未写单位）",
                dossier.term,
                "、".join(str(y) for y in dossier.years),
            ],
        }
    )
    with nullcontext(into) if into is not None else ResultSet(out_dir) as result:
        write_tables(
            xlsx,
            [("基本情况", about), *dossier.tables.items()],
            title=f"{dossier.title}（{dossier.term}）",
            decimals=dossier.decimals,
            key_columns=("项目", "年度"),
            grade_column="__none__",
            into=result,
        )
        sections = [
            Section(title, table=table, decimals=dossier.decimals, widths=widths)
            for title, (table, widths) in _on_paper(dossier.tables).items()
        ]
        write_document(
            docx, dossier.title, dossier.subtitle, sections, style=dossier.style, into=result
        )
    return [xlsx, docx]


# Relative column widths of the Word tables (A4 portrait), by column header.
_PAPER_WIDTHS = {
    "年度": 1.6,
    "编号": 2.4,
    "标题": 5,
    "日期": 2.3,
    "计分项": 2.4,
    "得分": 1.7,
    "来源单元格": 2.5,
    "类别": 2,
    "规则名称": 2.6,
    "分值": 1.7,
    "说明": 2.6,
    "评选": 2.5,
    "入选": 4,
    "处理提示": 8,
}


def _on_paper(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, list[float]]]:
    """The tables as the Word document shows them, with their column widths: the ledger
    without the rule and item codes (the workbook has every column), so it fits a page."""
    out = {}
    for title, table in tables.items():
        if title == "积分明细":
            table = table.drop(columns=["规则编号", "编号"])
        if title == "逐年对比":
            widths = [3.0] + [2.0] * (len(table.columns) - 1)
        else:
            widths = [_PAPER_WIDTHS.get(str(c), 2.0) for c in table.columns]
        out[title] = (table, widths)
    return out


def write_dossiers(
    archive: str | Path,
    out_dir: str | Path,
    *,
    unit: str | None = None,
    mask: bool = False,
    on_done: Callable[[str], None] | None = None,
) -> list[Path]:
    """Every member's dossier (of ``unit``, or of every unit) into ``out_dir``, all as one
    result set; the paths."""
    from ..writers.commit import ResultSet

    conn = open_readonly(archive)
    written: list[Path] = []
    try:
        query = "SELECT DISTINCT unit, member_id FROM members" + (
            " WHERE unit = ?" if unit is not None else ""
        )
        keys = conn.execute(
            query + " ORDER BY unit, member_id", (unit,) if unit is not None else ()
        ).fetchall()
        if not keys:
            raise UsageError("履职档案中没有委员")
        if not Path(out_dir).is_dir():
            raise UsageError(f"输出目录不存在：{out_dir}")
        with ResultSet(out_dir) as result:  # every dossier, or none
            for member_unit, member_id in keys:
                dossier = _dossier(conn, member_unit, member_id, mask=mask)
                written += write_dossier(dossier, out_dir, into=result)
                if on_done is not None:
                    on_done(member_id)
    finally:
        conn.close()
    return written
