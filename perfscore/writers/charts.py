"""Charts for a chair's meeting, as native spreadsheet charts on a 图表 sheet.

:class:`Chart` is a spec that :func:`perfscore.writers.xlsx.write_tables` draws: a small table
(first column the categories, then one column per series) written on the chart sheet, with the
chart beside it, one chart per printed page. :func:`assessment_charts` builds the assessment's
charts from its tables: grade distribution, mean score by 界别 and by 专委会, and completion of
each checklist item (双五个一).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ..assessment import Assessment

__all__ = ["Chart", "assessment_charts", "band_colours", "GRADE_WORD_COLOURS", "CHART_SHEET"]

CHART_SHEET = "图表"

# Fill and font colours by band, best first (Excel's good / neutral / bad styles and two between).
_GOOD = ("#C6EFCE", "#006100")
_BLUE = ("#DDEBF7", "#1F4E78")
_NEUTRAL = ("#FFEB9C", "#7F6000")
_ORANGE = ("#FCE4D6", "#843C0C")
_BAD = ("#FFC7CE", "#9C0006")


@dataclass(frozen=True)
class Chart:
    """One chart: ``data``'s first column names the categories; ``series`` are the columns
    plotted (default: every numeric column after the first). Other columns are shown in the
    table beside the chart but not plotted (e.g. 占比). ``colours`` gives one fill colour per
    category (e.g. grade bands); ``formats`` overrides a column's number format."""

    title: str
    data: pd.DataFrame
    kind: Literal["column", "bar", "pie"] = "column"
    series: tuple[str, ...] = ()
    value_title: str = ""
    colours: tuple[str, ...] = ()
    formats: dict[str, str] = field(
        default_factory=dict
    )  # column -> number format, e.g. {"占比（%）": "0.0"}
    subtype: str = ""  # xlsxwriter's chart subtype, e.g. "stacked", "percent_stacked"
    series_colours: tuple[str, ...] = ()  # one fill colour per plotted series (several series)
    labels: bool = True  # each value written on its bar

    def plotted(self) -> list[str]:
        if self.series:
            return list(self.series)
        return [c for c in self.data.columns[1:] if pd.api.types.is_numeric_dtype(self.data[c])]


# The usual grade words, for workbooks written without the rules' bands.
GRADE_WORD_COLOURS = {
    "优秀": _GOOD,
    "良好": _BLUE,
    "合格": _NEUTRAL,
    "称职": _NEUTRAL,
    "基本称职": _ORANGE,
    "基本合格": _ORANGE,
    "不合格": _BAD,
    "不称职": _BAD,
}


def band_colours(count: int) -> list[tuple[str, str]]:
    """(fill, font) colours for ``count`` bands, best first: green … red."""
    if count <= 0:
        return []
    if count == 1:
        return [_GOOD]
    middle = [_BLUE, _NEUTRAL, _ORANGE][: count - 2]
    middle += [_NEUTRAL] * (count - 2 - len(middle))
    return [_GOOD, *middle, _BAD]


def assessment_charts(a: Assessment) -> list[Chart]:
    """Grade distribution, mean by 界别 and by 专委会, checklist completion by item (those that apply)."""
    m = a.members
    grades = [band.grade for band in a.rules.rules.grades]
    counts = m["grade"].value_counts().reindex(grades, fill_value=0).astype(int)
    share = (counts / max(len(m), 1) * 100).round(1)
    charts = [
        Chart(
            title=f"等次分布（共 {len(m)} 人）",
            data=pd.DataFrame(
                {"等次": grades, "人数": counts.to_numpy(), "占比（%）": share.to_numpy()}
            ),
            kind="column",
            series=("人数",),
            value_title="人数",
            colours=tuple(f for f, _ in band_colours(len(grades))),
            formats={"占比（%）": "0.0"},
        )
    ]
    for dimension in ("界别", "专委会"):
        rows = a.groups[a.groups["dimension"] == dimension].sort_values(
            ["mean", "group"], ascending=[False, True], kind="stable"
        )
        if rows.empty:
            continue
        charts.append(
            Chart(
                title=f"各{dimension}平均分",
                data=pd.DataFrame(
                    {
                        dimension: rows["group"].to_numpy(),
                        "平均分": rows["mean"].to_numpy(),
                        "人数": rows["members"].astype(int).to_numpy(),
                    }
                ),
                kind="bar",
                series=("平均分",),
                value_title="平均分",
            )
        )
    spec = a.rules.rules.checklist
    if spec is not None and not a.checklist.empty:
        items = list(dict.fromkeys(a.checklist["item"]))
        by_item = a.checklist.groupby("item", sort=False)["done"]
        done = by_item.sum().reindex(items).fillna(0).astype(int)
        # The share of the members the item is asked of (an item with who: of some only).
        asked = by_item.size().reindex(items).fillna(0).clip(lower=1)
        charts.append(
            Chart(
                title=f"{spec.name}各项完成人数（共 {len(m)} 人）",
                data=pd.DataFrame(
                    {
                        "项目": items,
                        "完成人数": done.to_numpy(),
                        "完成率（%）": (done / asked * 100).round(1).to_numpy(),
                    }
                ),
                kind="bar",
                series=("完成人数",),
                value_title="完成人数",
                formats={"完成率（%）": "0.0"},
            )
        )
    return charts
