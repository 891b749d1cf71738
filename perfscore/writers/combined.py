"""The comparison of units (汇总.xlsx or .json) that ``perfscore combine`` writes.

Workbook sheets: 单位对比 (members, average, median, highest and lowest total), 等次分布,
双五个一完成 (each item, and all items), 类别平均分, 评优入选 (when any unit has awards), each with
each unit's rank per measure; 图表 (a native chart per comparison); 委员总排名 (every member of
every unit ranked together); 各单位结果文件 (which file is which unit, under which rules);
说明 (how ranks are decided, and whether the rules differ). Written with :func:`perfscore.writers.xlsx.write_tables`, so it prints like every
other perfscore workbook. The JSON holds the same tables as arrays of records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import __version__
from ..combine import HIGHER, Combined, units_table
from .charts import CHART_SHEET, Chart, band_colours
from .common import atomic_path

__all__ = ["write_combined_xlsx", "write_combined_json", "combined_charts", "MEMBERS_SHEET"]

MEMBERS_SHEET = "委员总排名"
UNITS_SHEET = "各单位结果文件"
NOTES_SHEET = "说明"
# Series colours for charts with one series per item, category or award (Office's palette).
PALETTE = (
    "#4472C4",
    "#ED7D31",
    "#A5A5A5",
    "#FFC000",
    "#5B9BD5",
    "#70AD47",
    "#264478",
    "#9E480E",
    "#636363",
    "#997300",
    "#255E91",
    "#43682B",
)


def _title(c: Combined) -> str:
    mixed = "（各单位积分办法不同）" if c.mixed_rules else ""
    return f"{c.year}年度各单位委员履职考核汇总{mixed}"


def combined_charts(c: Combined) -> list[Chart]:
    """One chart per comparison, units as categories in the tables' order."""
    overview = c.tables["单位对比"]
    charts = [
        Chart(
            title="各单位平均分和中位数",
            data=overview[["单位", "平均分", "中位数", "人数"]],
            kind="bar",
            series=("平均分", "中位数"),
            value_title="分",
            series_colours=PALETTE[:2],
        )
    ]
    grades = c.tables["等次分布"]
    if c.grades:
        shares = [f"{g}占比（%）" for g in c.grades]
        charts.append(
            Chart(
                title="各单位等次分布（占比 %）",
                data=grades[["单位", *shares]],
                kind="bar",
                subtype="percent_stacked",
                series=tuple(shares),
                value_title="占比",
                series_colours=tuple(f for f, _ in band_colours(len(c.grades))),
                formats=dict.fromkeys(shares, "0.0"),
            )
        )
    checklist = c.tables.get(f"{c.checklist_name or '清单'}完成")
    if checklist is not None:
        charts.append(
            Chart(
                title=f"各单位{c.checklist_name}全部完成率（%）",
                data=checklist[["单位", "全部完成率（%）", "全部完成人数", "人数"]],
                kind="bar",
                series=("全部完成率（%）",),
                value_title="完成率（%）",
                formats={"全部完成率（%）": "0.0"},
            )
        )
        rates = [f"{item}完成率（%）" for item in c.checklist_items]
        charts.append(
            Chart(
                title=f"各单位{c.checklist_name}各项完成率（%）",
                data=checklist[["单位", *rates]],
                kind="bar",
                series=tuple(rates),
                value_title="完成率（%）",
                series_colours=PALETTE,
                formats=dict.fromkeys(rates, "0.0"),
                labels=False,
            )
        )
    categories = c.tables.get("类别平均分")
    if categories is not None:
        averages = [f"{name}平均分" for name in c.categories]
        charts.append(
            Chart(
                title="各单位各类别平均分",
                data=categories[["单位", *averages]],
                kind="bar",
                subtype="stacked",
                series=tuple(averages),
                value_title="平均分",
                series_colours=PALETTE,
            )
        )
    awards = c.tables.get("评优入选")
    if awards is not None:
        per_hundred = [f"{name}每百人入选" for name in c.awards]
        charts.append(
            Chart(
                title="各单位每百名委员评优入选数",
                data=awards[["单位", *per_hundred]],
                kind="bar",
                series=tuple(per_hundred),
                value_title="每百人入选",
                series_colours=PALETTE,
            )
        )
    return charts


def _notes_table(c: Combined) -> pd.DataFrame:
    rows = [("考核年度", str(c.year)), ("单位数", str(len(c.units)))]
    rows += [("委员数", str(len(c.members)))]
    rows += [("说明", note) for note in c.notes]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def write_combined_xlsx(c: Combined, out: Path) -> None:
    from .xlsx import write_tables

    sheets: list = list(c.tables.items())
    sheets.append((CHART_SHEET, combined_charts(c)))
    sheets.append((MEMBERS_SHEET, c.members))
    sheets.append((UNITS_SHEET, units_table(c)))
    sheets.append((NOTES_SHEET, _notes_table(c)))
    write_tables(
        out,
        sheets,
        title=_title(c),
        decimals=2,
        grades=c.grades,
        key_columns=("单位", "姓名"),
    )


def combined_document(c: Combined) -> dict:
    return {
        "format": "perfscore-combined",
        "format_version": 1,
        "perfscore_version": __version__,
        "year": c.year,
        "mixed_rules": c.mixed_rules,
        "rank_direction": f"各名次列的表头注明方向（{HIGHER}等），最好者为 1；相同者并列（1、2、2、4）",
        "notes": c.notes,
        "units": _records(units_table(c)),
        "tables": {name: _records(table) for name, table in c.tables.items()},
        "members": _records(c.members),
    }


def write_combined_json(c: Combined, out: Path) -> None:
    text = json.dumps(combined_document(c), ensure_ascii=False, indent=1, allow_nan=False)
    with atomic_path(out) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict(orient="records")
