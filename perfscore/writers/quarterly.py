"""The quarterly report's files (履职进度通报): ``<period>-季度履职通报.xlsx`` and ``.md``.

Both open with the summary (counts, the groups furthest behind, the members to remind), then
the detail (groups, every member). The tables are built here once, with Chinese headings, and
written by :func:`perfscore.writers.xlsx.write_tables` and :mod:`perfscore.writers.markdown`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..quarterly import ProgressReport
from ..rules.example import EXAMPLE_HEADING, example_notice
from .commit import ResultSet
from .common import member_columns
from .markdown import inline, table, write_markdown
from .xlsx import write_tables

__all__ = [
    "report_paths",
    "write_progress",
    "summary_rows",
    "summary_sentence",
    "pace_rule",
    "member_table",
    "group_table",
    "reminder_groups",
    "lagging_groups",
    "lagging_lines",
    "progress_markdown",
    "LAGGING_PER_DIMENSION",
]

LAGGING_PER_DIMENSION = 3
_STATUS = {"in_office": "在任", "not_started": "未到任", "left": "已离任"}
_PACE = {"on_pace": "达标", "behind": "落后"}


def report_paths(report: ProgressReport, folder: Path) -> tuple[Path, Path, Path]:
    """``<folder>/2023Q2-季度履职通报.xlsx``, ``.md`` and ``.docx``: the same names every run."""
    stem = f"{report.period.label}-{report.period.report_name}"
    return folder / f"{stem}.xlsx", folder / f"{stem}.md", folder / f"{stem}.docx"


def write_progress(report: ProgressReport, folder: Path) -> list[Path]:
    """Write the three files into ``folder`` as one result set: the workbook, the Markdown and
    the Word 通报 (:func:`perfscore.writers.documents.write_progress_notice`). The earlier set
    is replaced by the new one as a unit (see :mod:`perfscore.writers.commit`), never one file
    of each."""
    from .documents import write_progress_notice

    xlsx, md, docx = report_paths(report, Path(folder))
    sheets = [
        ("摘要", pd.DataFrame(_summary_sheet(report), columns=["项目", "内容"])),
        ("需提醒委员", member_table(report, reminders_only=True)),
        ("分组进度", group_table(report)),
        ("委员进度", member_table(report)),
    ]
    if report.problems:
        sheets.append(("数据提示", _problems_table(report)))
    text = progress_markdown(report)
    with ResultSet(xlsx.parent) as result:
        write_tables(
            xlsx,
            sheets,
            title=f"{report.period.title}委员履职进度通报",
            decimals=report.decimals,
            into=result,
        )
        write_markdown(text, md, into=result)
        write_progress_notice(report, docx, into=result)
    return [xlsx, md, docx]


# --- the summary -------------------------------------------------------------------------------


def _points(report: ProgressReport, value: float) -> str:
    return f"{value:.{report.decimals}f}"


def _signed(report: ProgressReport, value: Any) -> str:  # a number, or missing
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):+.{report.decimals}f}"


def _months(share: float) -> str:
    return f"{share * 12:.2f}".rstrip("0").rstrip(".")


def summary_rows(report: ProgressReport) -> list[tuple[str, str]]:
    """(heading, text) lines: the period, the source, and the counts; first the example
    scheme's notice when the rules are the shipped example."""
    p, c, a = report.period, report.counts, report.assessment
    rules = a.rules.rules
    rows = [(EXAMPLE_HEADING, example_notice(a.rules))] if example_notice(a.rules) else []
    rows += [
        ("通报期间", f"{p.title}（{p.dates()}）"),
        ("数据来源", f"{a.source_name} 中 {p.end:%Y-%m-%d} 及以前的记录（{report.year} 年度）"),
        ("积分办法", f"{rules.scheme}（{rules.version}）"),
    ]
    others = [
        f"{n} 人{label}" for n, label in ((c.not_started, "尚未到任"), (c.left, "已离任")) if n
    ]
    rows.append(
        (
            "在任委员",
            f"{c.in_office} 人" + (f"；另有 {'、'.join(others)}，不作进度评价" if others else ""),
        )
    )
    if report.checklist_total:
        due = (
            f"全年在任的委员到 {p.end.month} 月 {p.end.day} 日应完成 {c.expected_full_year} 项"
            f"（{report.checklist_total} 项 × {_months(c.full_year_share)}/12，舍去小数）"
        )
        rows.append(
            (f"{report.checklist_name}进度", f"达标 {c.on_pace} 人，落后 {c.behind} 人；{due}")
        )
    else:
        rows.append(("完成进度", "规则文件没有完成清单（checklist），不判断进度"))
    rows.append((f"{p.noun}没有履职记录", f"{c.no_activity} 人"))
    reasons = "进度落后或" if report.checklist_total else ""
    rows.append(("需要提醒", f"{c.reminders} 人（{reasons}{p.noun}没有履职记录）"))
    change = (
        "" if c.change_mean is None else f"，{p.since_previous} {_signed(report, c.change_mean)} 分"
    )
    rows.append(
        (
            "平均积分",
            f"{_points(report, c.points_mean)} 分（在任委员，按同一积分办法计到期末）{change}",
        )
    )
    if report.previous is None:
        rows.append(
            (
                "对比",
                f"{p.title}是本年度第一个{'月' if p.kind == 'month' else '季度'}，没有上期可比",
            )
        )
    else:
        rows.append(("对比", f"与{report.previous.title}末（{report.previous.end:%Y-%m-%d}）相比"))
    if report.problems:
        rows.append(("数据提示", f"{len(report.problems)} 条，见通报工作簿的“数据提示”表"))
    return rows


def lagging_lines(report: ProgressReport) -> list[tuple[str, str]]:
    """(dimension, '农业界 落后 16/32 人（50%）；…') for the groups furthest behind."""
    lagging = lagging_groups(report)
    return [
        (
            str(dimension),
            "；".join(
                f"{group} 落后 {behind}/{members} 人（{share * 100:.0f}%）"
                for group, behind, members, share in zip(
                    rows["group"], rows["behind"], rows["members"], rows["behind_share"]
                )
            ),
        )
        for dimension, rows in lagging.groupby("dimension", sort=False)
    ]


def _summary_sheet(report: ProgressReport) -> list[tuple[str, str]]:
    rows = summary_rows(report)
    rows += [(f"进度落后较多的{dimension}", text) for dimension, text in lagging_lines(report)]
    rows.append(("需要提醒的委员", f"{report.counts.reminders} 人，见“需提醒委员”表"))
    return rows


def summary_sentence(report: ProgressReport) -> str:
    """One line for the terminal or a cron log."""
    c, p = report.counts, report.period
    pace = (
        f"{report.checklist_name}进度达标 {c.on_pace} 人、落后 {c.behind} 人，"
        if report.checklist_total
        else ""
    )
    return (
        f"{p.title}：在任委员 {c.in_office} 人，{pace}{p.noun}没有履职记录 {c.no_activity} 人，"
        f"需提醒 {c.reminders} 人。"
    )


def pace_rule(report: ProgressReport) -> list[str]:
    """The on-pace rule in words (also in docs/scoring.md §8, docs/cron.md and ``perfscore report --help``)."""
    name, p = report.checklist_name, report.period
    quiet = f"{p.noun}没有履职记录"
    if report.checklist_total:
        lines = [
            f"{name}进度：到期末应完成的项数 = 全部项数 × 已过的任期比例，舍去小数；已完成项数不少于应完成项数为“达标”，否则为“落后”。",
            (
                "已过的任期比例按月计：全年在任的委员，第一季度末为 3/12，第二季度末为 6/12，依此类推；期末不在月底时，当月按已过天数折算。"
                "年中到任或离任的委员，按本年任期内已过的月数 ÷ 本年任期的月数计算（如 5 月 1 日到任，6 月 30 日为 2/8）。"
            ),
            "期末尚未到任、或期末之前已离任的委员不作进度评价，也不列入提醒名单。",
        ]
        remind = f"需要提醒：进度落后，或{quiet}。"
    else:
        lines = [
            "规则文件没有完成清单（checklist），不判断进度；期末尚未到任或已离任的委员不列入提醒名单。"
        ]
        remind = f"需要提醒：{quiet}。"
    return [
        *lines,
        f"{quiet}：{p.noun}内（{p.dates()}）、任期之内没有任何登记记录；会议请假、请假未批准、缺席和信息被采用不算履职记录。",
        remind,
        f"积分按同一积分办法计算到期末（{p.end:%Y-%m-%d}），含基础分和起始分，所以第四季度的积分就是全年考核总分。",
    ]


def lagging_groups(
    report: ProgressReport, per_dimension: int = LAGGING_PER_DIMENSION
) -> pd.DataFrame:
    """The groups furthest behind: in each dimension, up to ``per_dimension`` groups with someone
    behind, the largest share behind first (``report.groups`` is already in that order)."""
    g = report.groups
    g = g[g["behind"] > 0]
    return g.groupby("dimension", sort=False).head(per_dimension)


def reminder_groups(report: ProgressReport) -> list[tuple[str, list[str]]]:
    """(界别, ['张三（4/10 项）', '李四（本季度没有履职记录）', …]) for the members to remind."""
    m = report.members[report.members["reminder"]]
    if m.empty:
        return []
    parts = pd.Series("", index=m.index, dtype=object)
    if report.checklist_total:
        parts = m["checklist_done"].astype(str) + f"/{report.checklist_total} 项"
    quiet = f"{report.period.noun}没有履职记录"
    parts = parts.where(~m["no_activity"], parts.where(parts == "", parts + "，") + quiet)
    # A name two members share (two 王伟) is told apart by the member ID.
    shared = report.members["name"].duplicated(keep=False)
    twice = m["name"].isin(set(report.members.loc[shared, "name"]))
    parts = parts.where(~twice, m["member_id"].map(inline) + "，" + parts)
    labels = m["name"].map(inline) + "（" + parts + "）"
    return [
        (sector, labels[m["sector"] == sector].tolist()) for sector in dict.fromkeys(m["sector"])
    ]


# --- the tables --------------------------------------------------------------------------------


def member_table(report: ProgressReport, *, reminders_only: bool = False) -> pd.DataFrame:
    m = report.members
    if reminders_only:
        m = m[m["reminder"]]
    p, name = report.period, report.checklist_name or "清单"
    pace = m["pace"].map(_PACE).fillna("")
    pace = pace.where(m["status"] == "in_office", m["status"].map(_STATUS))
    return pd.DataFrame(
        {
            **member_columns(m),
            "任职状态": m["status"].map(_STATUS),
            "积分": m["points"],
            f"积分{p.since_previous}": m["points_change"],
            "名次": m["rank"],
            f"{name}已完成": m["checklist_done"],
            f"完成项{p.since_previous}": m["checklist_change"],
            "应完成": m["checklist_expected"],
            "进度": pace,
            f"{p.noun}履职记录": m["period_records"],
            "需提醒": m["reminder"].map({True: "是", False: ""}),
            "未完成项目": m["checklist_missing"],
        }
    )


def group_table(report: ProgressReport) -> pd.DataFrame:
    g, p = report.groups, report.period
    return pd.DataFrame(
        {
            "分组类型": g["dimension"],
            "分组": g["group"],
            "在任人数": g["members"].astype(int),
            "平均积分": g["points_mean"],
            f"平均积分{p.since_previous}": g["change_mean"],
            "平均完成项数": g["checklist_mean"],
            "达标": g["on_pace"].astype(int),
            "落后": g["behind"].astype(int),
            "落后比例(%)": (g["behind_share"] * 100).round(1),
            f"{p.noun}没有履职记录": g["no_activity"].astype(int),
            "需提醒": g["reminders"].astype(int),
        }
    )


def _problems_table(report: ProgressReport) -> pd.DataFrame:
    return pd.DataFrame(
        [(str(q.severity), q.place, q.message, q.value, q.suggestion) for q in report.problems],
        columns=["级别", "位置", "问题", "读到的值", "建议"],
    )


# --- Markdown ----------------------------------------------------------------------------------


def progress_markdown(report: ProgressReport) -> str:
    """The report as Markdown: a summary that reads as plain text when pasted into a message,
    then the rule, then the detail tables."""
    p = report.period
    lines = [f"# {p.title}委员履职进度通报", ""]
    lines += ["## 一、概况", ""]
    lines += [f"- {inline(heading)}：{inline(text)}" for heading, text in summary_rows(report)]

    lines += ["", "## 二、进度落后较多的分组", ""]
    lagging = lagging_lines(report)
    if not report.checklist_total:
        lines.append("规则文件没有完成清单，不判断进度。")
    elif not lagging:
        lines.append("没有进度落后的分组。")
    lines += [f"- {inline(dimension)}：{inline(text)}" for dimension, text in lagging]

    lines += ["", "## 三、需要提醒的委员", ""]
    reminders = reminder_groups(report)
    if not reminders:
        lines.append("没有需要提醒的委员。")
    for sector, names in reminders:
        lines.append(f"- {inline(sector)}（{len(names)} 人）：{'、'.join(names)}")

    lines += ["", "## 四、进度怎样判断", ""]
    lines += [f"- {inline(text)}" for text in pace_rule(report)]

    lines += ["", "## 五、分组明细", ""]
    groups = group_table(report)

    def number(value: Any) -> str:
        return "" if pd.isna(value) else f"{float(value):.{report.decimals}f}"

    for dimension in dict.fromkeys(groups["分组类型"]):
        part = groups[groups["分组类型"] == dimension].drop(columns="分组类型")
        lines += [f"### {inline(dimension)}", ""]
        lines += table(
            part,
            {
                "平均积分": number,
                f"平均积分{p.since_previous}": lambda v: _signed(report, v),
                "平均完成项数": lambda v: f"{float(v):.1f}",
                "落后比例(%)": lambda v: f"{float(v):.1f}",
            },
        )
        lines.append("")
    if groups.empty:
        lines += ["规则文件没有列出分组。", ""]

    lines += ["## 六、委员明细", ""]
    m = member_table(report)
    name = report.checklist_name or "清单"
    total = report.checklist_total
    detail = m.drop(columns=["专委会", "学习组", "工作组", "任职状态", "需提醒"])
    lines += table(
        detail,
        {
            "积分": number,
            f"积分{p.since_previous}": lambda v: _signed(report, v),
            f"{name}已完成": lambda v: f"{v}/{total}",
            f"完成项{p.since_previous}": lambda v: "" if pd.isna(v) else f"{int(v):+d}",
        },
    )
    lines.append("")
    if report.problems:
        lines += [
            f"读取工作簿时有 {len(report.problems)} 条数据提示，见通报工作簿的“数据提示”表。",
            "",
        ]
    return "\n".join(lines)
