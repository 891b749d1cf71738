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
from collections.abc import Sequence
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
    charts = [
        _unit_bars(
            "各单位平均分和中位数",
            c.tables["单位对比"],
            ("平均分", "中位数"),
            "分",
            beside=("人数",),
        )
    ]
    if c.grades:
        charts.append(
            _unit_bars(
                "各单位等次分布（占比 %）",
                c.tables["等次分布"],
                [f"{g}占比（%）" for g in c.grades],
                "占比",
                subtype="percent_stacked",
                colours=tuple(f for f, _ in band_colours(len(c.grades))),
                percent=True,
            )
        )
    checklist = c.tables.get(f"{c.checklist_name or '清单'}完成")
    if checklist is not None:
        charts.append(
            _unit_bars(
                f"各单位{c.checklist_name}全部完成率（%）",
                checklist,
                ("全部完成率（%）",),
                "完成率（%）",
                beside=("全部完成人数", "人数"),
                colours=(),
                percent=True,
            )
        )
        charts.append(
            _unit_bars(
                f"各单位{c.checklist_name}各项完成率（%）",
                checklist,
                [f"{item}完成率（%）" for item in c.checklist_items],
                "完成率（%）",
                percent=True,
                labels=False,
            )
        )
    categories = c.tables.get("类别平均分")
    if categories is not None:
        charts.append(
            _unit_bars(
                "各单位各类别平均分",
                categories,
                [f"{name}平均分" for name in c.categories],
                "平均分",
                subtype="stacked",
            )
        )
    awards = c.tables.get("评优入选")
    if awards is not None:
        charts.append(
            _unit_bars(
                "各单位每百名委员评优入选数",
                awards,
                [f"{name}每百人入选" for name in c.awards],
                "每百人入选",
            )
        )
    return charts


def _unit_bars(
    title: str,
    table: pd.DataFrame,
    series: Sequence[str],
    value_title: str,
    *,
    beside: Sequence[str] = (),
    subtype: str = "",
    colours: tuple[str, ...] = PALETTE,
    percent: bool = False,
    labels: bool = True,
) -> Chart:
    """A bar per unit for each of ``series``, columns of the comparison ``table`` (units in its
    order); ``beside``: columns shown in the chart's table, not plotted; ``percent``: the series
    are percentages, shown to one decimal place."""
    return Chart(
        title=title,
        data=table[["单位", *series, *beside]],
        kind="bar",
        subtype=subtype,
        series=tuple(series),
        value_title=value_title,
        series_colours=colours,
        formats=dict.fromkeys(series, "0.0") if percent else {},
        labels=labels,
    )


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
