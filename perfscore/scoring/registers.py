"""Registers the rules score that the workbook lacks.

A rule that scores a register's records gives every member 0 for it when the workbook has no
sheet for that register: every deduction of a missing 会议出勤 vanishes, every point of a missing
调研报告 too. The clerk must say that this is meant (a county that keeps no 调研报告 register this
year): the rules' ``input.optional_sheets`` declares it (no problem then; the outputs' line
about each register says it), the ``--allow-missing-sheets`` flag makes it a warning; otherwise
it is an error naming the register, the names its sheet may have and the items that score it.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import Problem, Reason, Severity
from ..inputformat import RECORD_KINDS, InputFormat
from ..reading import RawWorkbook
from ..rules import LoadedRules, Rules
from ..rules.schema import Condition, Item, Match

__all__ = ["scored_registers", "absent_register_problems", "with_absent_registers"]


def _reads_status(condition: Condition | None) -> bool:
    return condition is not None and (
        condition.status is not None or _reads_status(condition.unless)
    )


def _registers_of(match: Match, item: Item | None = None) -> list[str]:
    """The registers whose sheets the records ``match`` selects (and ``item`` scores) come from.
    An adoption's authors are the information item's; an information item's 已采用 or 未采用 is
    whether the adoptions register has an adoption of it."""
    registers = [RECORD_KINDS[match.kind]]
    if match.kind == "adoption":
        registers.append(RECORD_KINDS["information"])
    reads_status = _reads_status(match) or (
        item is not None
        and (
            (item.points_by is not None and "status" in item.points_by)
            or any(_reads_status(case.when) for case in item.cases or [])
        )
    )
    if match.kind == "information" and reads_status:
        registers.append(RECORD_KINDS["adoption"])
    return registers


def scored_registers(rules: Rules) -> dict[str, list[str]]:
    """Register key -> the items (类别·项目, 清单·项目) whose points depend on its records, for
    every register some item scores."""
    scored: dict[str, list[str]] = {}
    for category in rules.categories:
        for item in category.items:
            for key in _registers_of(item.match, item):
                scored.setdefault(key, []).append(f"{category.name}·{item.name}")
    if rules.checklist is not None:
        for entry in rules.checklist.items:
            label = f"{rules.checklist.name}·{entry.name}"
            for match in entry.any_of:
                for key in _registers_of(match):
                    if label not in scored.setdefault(key, []):
                        scored[key].append(label)
    return scored


def absent_register_problems(
    absent: tuple[str, ...], rules: Rules, input_format: InputFormat, *, allow: bool = False
) -> list[Problem]:
    """A problem per register in ``absent`` (the registers the workbook has no sheet for) that
    the rules score: an error, or a warning when ``allow`` (``--allow-missing-sheets``) is
    given; none for the rules' ``input.optional_sheets`` (the rules say it, and the outputs'
    line about each register says it again)."""
    scored = scored_registers(rules)
    problems = []
    for sheet in input_format.sheets:
        if sheet.key not in absent or sheet.key not in scored:
            continue
        items = "、".join(scored[sheet.key])
        names = "、".join(dict.fromkeys(sheet.all_names))
        checklist = rules.checklist is not None and any(
            label.startswith(f"{rules.checklist.name}·") for label in scored[sheet.key]
        )
        zero = f"规则中的 {items} 按它计分，没有这张表，这些项目全体委员都得 0 分" + (
            "（清单项目都算未完成）" if checklist else ""
        )
        if sheet.key in rules.input.optional_sheets:
            continue  # the register line of the outputs says so (RegisterRead)
        if allow:
            problems.append(
                Problem(
                    Severity.WARNING,
                    Reason.MISSING_SHEET,
                    f"工作簿中没有“{sheet.name}”登记表（按 --allow-missing-sheets 照常计分）：{zero}",
                    sheet.name,
                    suggestion=f"如本年度有这类登记，请补上这张表（表名可用：{names}）",
                )
            )
            continue
        problems.append(
            Problem(
                Severity.ERROR,
                Reason.MISSING_SHEET,
                f"工作簿中没有“{sheet.name}”登记表：{zero}",
                sheet.name,
                suggestion=f"请补上这张表（表名可用：{names}）；如本年度确实没有这类登记，"
                f"在规则文件 input.optional_sheets 中写上 {sheet.key}（或 {sheet.name}），"
                "或运行时加 --allow-missing-sheets",
            )
        )
    return problems


def with_absent_registers(raw: RawWorkbook, loaded: LoadedRules, *, allow: bool) -> RawWorkbook:
    """``raw`` with the problems of :func:`absent_register_problems` added, which normalising
    reports with the rest."""
    missing = absent_register_problems(
        raw.absent, loaded.rules, loaded.rules.input_format(), allow=allow
    )
    return replace(raw, problems=[*raw.problems, *missing]) if missing else raw
