"""What perfscore prints on the terminal: the assessment summary, an explanation, problems.

Everything goes through a rich Console that the CLI creates: colour and tables on a terminal,
plain text when output is piped or run from cron.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import Problem, Severity

if TYPE_CHECKING:
    from ..assessment import Assessment, SkippedPoints
    from ..awards import Shortlist
    from ..explanation import Explanation
    from ..rules.summary import SchemeSummary

Justify = Literal["left", "right"]

__all__ = [
    "print_summary",
    "print_explanation",
    "print_problems",
    "print_rules_summary",
    "print_shortlists",
]

TOP_N = 10


def print_summary(console: Console, assessment: Assessment, written: Sequence[Path] = ()) -> None:
    m = assessment.members
    rules = assessment.rules.rules
    console.print(
        f"[bold]{assessment.year} 年度委员履职考核[/bold]  {_e(assessment.source_name)}  规则：{_e(rules.scheme)}（{_e(rules.version)}）"
    )
    counts = m["grade"].value_counts()
    grades = "  ".join(f"{band.grade} {int(counts.get(band.grade, 0))}" for band in rules.grades)
    console.print(f"考核委员 {len(m)} 人：{grades}", markup=False)
    if assessment.registers:
        registers = "、".join(r.text() for r in assessment.registers)
        console.print(f"读取的登记表：{registers}", markup=False)
    if assessment.skipped:
        print_skipped(console, assessment.skipped, rules.settings.decimals, limit=TOP_N)
    from ..rules.example import example_notice

    notice = example_notice(assessment.rules)
    if notice:
        console.print(f"注意：{notice}", style="yellow", markup=False)
    if rules.checklist is not None:
        complete = int((m["checklist_done"] == m["checklist_total"]).sum())
        console.print(f"{rules.checklist.name}全部完成 {complete} 人", markup=False)

    table = Table(title=f"前 {TOP_N} 名", title_justify="left", show_edge=False)
    columns: tuple[tuple[str, Justify], ...] = (
        ("名次", "right"),
        ("委员编号", "left"),
        ("姓名", "left"),
        ("界别", "left"),
        ("总分", "right"),
        ("等次", "left"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify)
    for row in m.head(TOP_N).itertuples(index=False):
        table.add_row(
            *_cells(
                row.rank,
                row.member_id,
                row.name,
                row.sector,
                _points(row.total, rules.settings.decimals),
                row.grade,
            )
        )
    console.print(table)
    print_problems(console, assessment.problems, limit=10)
    for path in written:
        console.print(f"已写入：{path}", markup=False)


def print_skipped(
    console: Console,
    skipped: Sequence[SkippedPoints],
    decimals: int,
    *,
    limit: int | None = None,
    planned: bool = False,
) -> None:
    """What --skip-bad-rows left out, member by member (``limit`` members at most, the rest
    counted and left to the 数据提示 sheet); ``planned`` when it is what it would leave out."""
    shown = skipped[:limit] if limit is not None else skipped
    more = len(skipped) - len(shown)
    console.print(
        f"--skip-bad-rows {'将跳过' if planned else '跳过'}的项目："
        + "；".join(s.text(decimals) for s in shown)
        + (f"；另有 {more} 位委员，见“数据提示”表" if more else ""),
        style="yellow",
        markup=False,
    )


def print_explanation(console: Console, explanation: Explanation) -> None:
    member = explanation.member
    decimals = explanation.decimals
    console.print(
        f"[bold]{_e(member['name'])}[/bold]（{_e(member['member_id'])}，{_e(member['sector'])}）  {explanation.year} 年度"
    )
    console.print(
        f"总分 [bold]{_points(member['total'], decimals)}[/bold]  等次 {_e(member['grade'])}  名次 {member['rank']}"
        f"（界别内 {_rank(member['sector_rank'])}，专委会内 {_rank(member['committee_rank'])}）"
    )
    if explanation.term:
        console.print(f"任期：{explanation.term}", markup=False)
    if member.get("grade_note"):
        console.print(f"等次说明：{member['grade_note']}", markup=False)
    table = Table(show_edge=False)
    columns: tuple[tuple[str, Justify], ...] = (
        ("规则编号", "left"),
        ("规则", "left"),
        ("分值", "right"),
        ("来源", "left"),
        ("说明", "left"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify, overflow="fold")
    for line in explanation.lines.itertuples(index=False):
        detail = line.note
        if line.title:
            detail = f"{line.title!s}；{detail!s}" if detail else line.title
        table.add_row(
            *_cells(
                line.rule_id, line.rule_name, _signed(line.points, decimals), line.source, detail
            )
        )
    console.print(table)
    for note in explanation.notes:
        console.print(f"提示：{note.place}  {note.message}", markup=False)
    for note in explanation.workbook_notes:
        console.print(f"工作簿提示：{note.place}  {note.message}", markup=False)
    subtotal = "  ".join(
        f"{name} {_points(value, decimals)}" for name, value in explanation.subtotals.items()
    )
    console.print(f"分项：{subtotal}", markup=False)
    console.print(
        f"合计：{len(explanation.lines)} 条明细之和 = {_points(explanation.total, decimals)}",
        markup=False,
    )
    if len(explanation.checklist):
        done = explanation.checklist[explanation.checklist["done"]]
        missing = explanation.checklist[~explanation.checklist["done"]]
        console.print(
            f"双五个一：完成 {len(done)}/{len(explanation.checklist)}"
            + (f"；未完成：{'、'.join(missing['item'])}" if len(missing) else ""),
            markup=False,
        )
        for row in done.itertuples(index=False):
            console.print(f"  √ {row.item}  {row.source}", markup=False)


def print_rules_summary(console: Console, summary: SchemeSummary) -> None:
    console.print(f"[bold]{_e(summary.title)}[/bold]")
    if summary.source:
        console.print(f"依据：{summary.source}", markup=False)
    for section in summary.sections:
        table = Table(title=section.title, title_justify="left", show_lines=True)
        for header in ("计分项", "计分内容", "分值", "计分方式"):
            table.add_column(header, overflow="fold")
        for row in section.rows:
            table.add_row(*_cells(row.item, row.what, row.points, row.how))
        console.print(table)
    for heading, lines in (
        ("总分", summary.totals),
        ("清单", summary.checklist),
        ("等次", summary.grades),
        ("评优", summary.awards),
        ("分组与单位", summary.groups),
        ("其他规定", summary.settings),
    ):
        if lines:
            console.print(f"[bold]{heading}[/bold]")
            for line in lines:
                console.print(f"  {line}", markup=False)


def print_shortlists(console: Console, lists: Iterable[Shortlist]) -> None:
    for sl in lists:
        console.print(
            f"[bold]{_e(sl.award.name)}[/bold]  候选 {sl.pool_size}，名额 {_e(sl.quota_text)}，入选 {len(sl.winners)}"
        )
        for note in sl.notes:
            console.print(f"  {note}", markup=False)
        key_label = "委员编号" if sl.award.pool == "members" else "编号"
        name_label = "姓名" if sl.award.pool == "members" else "标题"
        for title, rows, last in (
            ("入选", sl.winners, "说明"),
            ("差一点入选", sl.near_misses, "未入选原因"),
        ):
            if rows.empty:
                continue
            table = Table(title=title, title_justify="left", show_edge=False)
            columns: tuple[tuple[str, Justify], ...] = (
                ("序号", "right"),
                (key_label, "left"),
                (name_label, "left"),
                ("界别", "left"),
                ("得分", "right"),
                ("情况", "left"),
                (last, "left"),
            )
            for header, justify in columns:
                table.add_column(header, justify=justify, overflow="fold")
            for row in rows.itertuples(index=False):
                table.add_row(
                    *_cells(
                        row.place,
                        row.key,
                        row.label,
                        row.sector,
                        f"{row.score:g}",
                        row.facts,
                        row.note,
                    )
                )
            console.print(table)
        sectors = sl.balance[(sl.balance["dimension"] == "界别") & (sl.balance["winners"] > 0)]
        console.print(
            "各界别入选："
            + "，".join(
                f"{g} {w}/{c}"
                for g, w, c in zip(sectors["group"], sectors["winners"], sectors["candidates"])
            ),
            markup=False,
        )
        console.print()


def print_problems(console: Console, problems: Sequence[Problem], limit: int | None = None) -> None:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    for label, group, style in (("错误", errors, "red"), ("警告", warnings, "yellow")):
        if not group:
            continue
        console.print(f"[{style}]{label} {len(group)} 处：[/{style}]")
        shown = group if limit is None else group[:limit]
        for problem in shown:
            console.print(f"  {_problem_line(problem)}", markup=False, highlight=False)
        if len(shown) < len(group):
            console.print(
                f"  … 另有 {len(group) - len(shown)} 处，全部见输出文件（工作簿的“数据提示”表，或 JSON 的 problems）"
            )


def _e(value: object) -> str:
    """Workbook and rules text shown through rich: [ ] stay as written, never markup."""
    return escape(str(value))


def _cells(*values: object) -> list[str]:
    return [_e(v) for v in values]


def _problem_line(p: Problem) -> str:
    text = f"{p.place}  {p.message}" if p.place else p.message
    if p.value:
        text += f"（读到：{p.value}）"
    if p.suggestion:
        text += f" → {p.suggestion}"
    return text


def _points(value: Any, decimals: int) -> str:  # a number read from a table cell
    return f"{float(value):.{decimals}f}"


def _signed(value: Any, decimals: int) -> str:
    return f"{float(value):+.{decimals}f}"


def _rank(value: object) -> str:
    return "—" if value is None or str(value) in ("<NA>", "nan") else str(value)


def print_term_summary(console: Console, report: Any, top: int = 10) -> None:
    """The end-of-term ranking in brief: term, years, members, grade counts per year, the first
    ``top`` members and how many carry each consequence."""
    m = report.members
    years = "、".join(str(y) for y in report.years)
    console.print(
        f"{report.term}（{report.first_year}–{report.last_year}）"
        f"{'，' + report.unit if report.unit else ''}：在档年度 {years}，委员 {len(m)} 人。",
        markup=False,
    )
    table = Table(
        title=f"任期平均分前 {min(top, len(m))} 名", title_justify="left", show_edge=False
    )
    for header in (
        "名次",
        "委员编号",
        "姓名",
        "界别",
        *(f"{y}" for y in report.years),
        "平均分",
        "处理提示",
    ):
        table.add_column(header, overflow="fold")
    for row in m.head(top).itertuples(index=False):
        values = row._asdict()
        table.add_row(
            *_cells(
                values["place"],
                values["member_id"],
                values["name"],
                values["sector"],
                *(
                    f"{_points(values[f'total_{y}'], report.decimals)} {values[f'grade_{y}']}"
                    if values[f"total_{y}"] == values[f"total_{y}"]
                    else ""
                    for y in report.years
                ),
                _points(values["average"], report.decimals),
                values["consequences"],
            )
        )
    if top:
        console.print(table)
    flagged = (m["consequences"] != "").sum()
    console.print(f"有处理提示的委员 {flagged} 人。", markup=False)
