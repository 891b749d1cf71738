"""A scheme in plain Chinese: what a member gets for what — the table an office pastes into its
notice (``perfscore rules show``).

:func:`summarise` turns rules into rows of text; :func:`summary_markdown` renders them. The terminal
writer renders the same rows as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..inputformat import SHEETS
from .schema import (
    MATCH_FIELD_NAMES,
    POOL_UNIT,
    Award,
    Case,
    Category,
    Condition,
    Item,
    Match,
    Rules,
    Scope,
)

__all__ = ["SchemeSummary", "SummaryRow", "summarise", "summary_markdown", "KIND_NAMES"]

KIND_NAMES = {  # record kinds as the rules' summaries and the shortlists name them
    "proposal": "提案",
    "information": "社情民意信息",
    "adoption": "信息采用/批示",
    "report": "调研报告",
    "meeting": "会议",
    "activity": "活动",
    "duty": "双五个一登记",
}
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class SummaryRow:
    item: str  # 计分项
    what: str  # 计分内容
    points: str  # 分值
    how: str  # 计分方式（分摊、只计一次、封顶 …）


@dataclass(frozen=True)
class SummarySection:
    title: str
    rows: list[SummaryRow]


@dataclass(frozen=True)
class SchemeSummary:
    title: str
    source: str
    sections: list[SummarySection]
    totals: list[str]  # 基础分、总分上限 …
    checklist: list[str]
    grades: list[str]
    settings: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # 分组与单位: only when the rules declare
    # roster columns of their own or bodies


def summarise(rules: Rules) -> SchemeSummary:
    sections = [_section(n, category) for n, category in enumerate(rules.categories)]
    totals = [f"基础分：每位委员 {_num(rules.base)} 分" if rules.base else "不设基础分"]
    if rules.total.max is not None:
        totals.append(f"总分最高 {_num(rules.total.max)} 分")
    if rules.total.min is not None:
        totals.append(f"总分最低 {_num(rules.total.min)} 分")
    checklist: list[str] = []
    if rules.checklist is not None:
        spec = rules.checklist
        checklist.append(
            f"{spec.name}（{len(spec.items)} 项）"
            + (f"，全部完成加 {_num(spec.bonus)} 分" if spec.bonus else "，只记完成情况，不加分")
        )
        for entry in spec.items:
            clauses = "；或".join(_match_text(clause) for clause in entry.any_of)
            times = f"至少 {entry.at_least} 次" if entry.at_least > 1 else "有一条即算完成"
            who = f"，只对{_scope_text(entry.who)}" if entry.who is not None else ""
            checklist.append(f"{entry.name}：{clauses}（{times}{who}）")
    grades = []
    for band in rules.grades:
        bound = f"{_num(band.min)} 分及以上" if band.min is not None else "其余"
        condition = (
            f"，且须完成{rules.checklist.name}全部项目（否则降一档）"
            if band.requires_checklist and rules.checklist
            else ""
        )
        grades.append(f"{band.grade}：{bound}{condition}")
    s = rules.settings
    settings = [
        f"每条得分保留 {s.decimals} 位小数（{'四舍五入' if s.rounding == 'half_up' else '银行家舍入'}），总分为各条之和",
        "任期以外日期的记录不计分" if s.outside_term == "skip" else "任期以外日期的记录照常计分",
        {
            "as_merged": "并案的原提案按“并案”计分",
            "as_target": "并案的原提案按并入提案的状态计分",
            "none": "并案的原提案不计分",
        }[s.merged_credit],
        "年中增补、离任委员按任职月数折算为全年"
        if s.pro_rate == "months"
        else "年中增补、离任委员不折算",
        "总分相同名次并列（如 1、2、2、4）",
    ]
    if rules.input.optional_sheets:
        optional = "、".join(
            sheet.name for sheet in SHEETS if sheet.key in rules.input.optional_sheets
        )
        settings.append(
            f"工作簿可以没有这些登记表：{optional}（没有时，按它计分的项目全体委员都得 0 分）"
        )
    return SchemeSummary(
        title=rules.scheme,
        source=rules.source,
        sections=sections,
        totals=totals,
        checklist=checklist,
        grades=grades,
        settings=settings,
        awards=[_award_text(award, rules) for award in rules.awards],
        groups=_groups_text(rules),
    )


def summary_markdown(summary: SchemeSummary) -> str:
    lines = [f"# {summary.title}", ""]
    if summary.source:
        lines += [f"依据：{summary.source}", ""]
    for section in summary.sections:
        lines += [
            f"## {section.title}",
            "",
            "| 计分项 | 计分内容 | 分值 | 计分方式 |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(r.item)} | {_cell(r.what)} | {_cell(r.points)} | {_cell(r.how)} |"
            for r in section.rows
        ]
        lines.append("")
    lines += ["## 总分", "", *[f"- {t}" for t in summary.totals], ""]
    if summary.checklist:
        head, *items = summary.checklist
        lines += [f"## {head}", "", *[f"- {t}" for t in items], ""]
    lines += ["## 等次", "", *[f"- {g}" for g in summary.grades], ""]
    if summary.awards:
        lines += ["## 评优", "", *[f"- {t}" for t in summary.awards], ""]
    if summary.groups:
        lines += ["## 分组与单位", "", *[f"- {t}" for t in summary.groups], ""]
    lines += ["## 其他规定", "", *[f"- {t}" for t in summary.settings], ""]
    return "\n".join(lines)


_POOLS = {
    "members": "委员",
    "proposals": "提案",
    "information": "社情民意信息",
    "reports": "调研报告",
}


def _groups_text(rules: Rules) -> list[str]:
    """分组与单位: the roster's own group columns, the groups counted, the bodies — said only
    when the rules declare roster columns or bodies."""
    columns, bodies = rules.input.roster_columns, rules.bodies
    if not columns and not bodies:
        return []
    lines = []
    if columns:
        lines.append(
            f"委员名单另有的分组列：{'、'.join(columns)}（每格可填多个组，用顿号分隔；可以为空）"
        )
    names = [
        "/".join(_SCOPE_FIELD.get(part, part) for part in dimension.split("/"))
        for dimension in rules.groups.dimensions
    ]
    if names:
        how = "平均分" if rules.groups.score == "mean" else "总分合计"
        nested = (
            "；“甲/乙”为嵌套分组，如 专委会/联络组 为各专委会下的联络组"
            if any("/" in name for name in names)
            else ""
        )
        lines.append(f"分组统计：{'、'.join(names)}（按{how}排名次{nested}）")
    capped = [
        f"{award.name}每个{_SCOPE_FIELD.get(cap.dimension, cap.dimension)}"
        + (f"最多 {cap.max} 个名额" if cap.max is not None else "的名额按候选人数比例")
        for award in rules.awards
        if (cap := award.group_cap) is not None and cap.dimension in columns
    ]
    lines += [f"评优名额：{text}" for text in capped]
    for body in bodies:
        notes = [f"又写作 {'、'.join(body.aliases)}"] if body.aliases else []
        notes += [f"对应专委会 {body.committee}"] if body.committee else []
        lines.append(f"单位：{body.name}" + (f"（{'，'.join(notes)}）" if notes else ""))
    if bodies:
        lines.append(
            "登记表的委员栏中写单位名称的记录归该单位，列在单位统计表中，不给委员计分"
            "（计分项写“角色为单位”的，记给该单位对应专委会的每位委员）；"
            "同一格中的委员照常按位次计分（第一位为领衔）；既不是委员也不是登记的单位的名称是错误"
        )
    return lines


def _award_text(award: Award, rules: Rules) -> str:
    """One award in a line: who is considered, ranked by what, how many."""
    unit = POOL_UNIT[award.pool]
    quota = f"前 {award.quota} {unit}" if isinstance(award.quota, int) else f"候选的 {award.quota}"
    if award.pool == "members":
        names = {c.id: c.name for c in rules.categories}
        order = (
            "按"
            + "、".join(names[c] for c in award.rank_by)
            + ("得分之和" if len(award.rank_by) > 1 else "得分")
            if award.rank_by
            else "按总分"
        )
    else:
        clauses = "；".join(
            f"{_match_text(clause.match)}每条 {_num(clause.points)} 分"
            for clause in award.score or []
        )
        order = f"按得分（{clauses}）"
    needs = ["有" + _match_text(clause) for clause in award.requires.has or []]
    if award.requires.grades:
        needs.insert(0, "等次为" + "/".join(award.requires.grades))
    if award.requires.checklist_complete and rules.checklist is not None:
        needs.insert(0, f"完成{rules.checklist.name}")
    if award.requires.min_score is not None:
        needs.append(f"得分不低于 {_num(award.requires.min_score)}")
    condition = f"；须{'，'.join(needs)}" if needs else ""
    return f"{award.name}：从{_POOLS[award.pool]}中{order}取{quota}{condition}"


def _section(index: int, category: Category) -> SummarySection:
    bounds = []
    if category.start:
        bounds.append(f"{_num(category.start)} 分起扣")
    if category.max is not None:
        bounds.append(f"最高 {_num(category.max)} 分")
    if category.min is not None:
        bounds.append(f"最低 {_num(category.min)} 分")
    if category.standing is not None:
        bounds.append("只适用于常委" if category.standing else "只适用于非常委")
    numeral = _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)
    title = f"{numeral}、{category.name}" + (f"（{'，'.join(bounds)}）" if bounds else "")
    return SummarySection(title=title, rows=[_row(item) for item in category.items])


def _row(item: Item) -> SummaryRow:
    return SummaryRow(
        item=item.name, what=_match_text(item.match), points=_points_text(item), how=_how_text(item)
    )


def _match_text(match: Match) -> str:
    conditions = _condition_text(match)
    return KIND_NAMES[match.kind] + (f"（{conditions}）" if conditions else "")


def _condition_text(condition: Condition | None) -> str:
    if condition is None:
        return ""
    parts = []
    for name in ("type", "subtype", "status", "level", "role"):
        values = getattr(condition, name)
        if values is not None:
            parts.append(f"{MATCH_FIELD_NAMES[name]}为{'/'.join(values)}")
    if condition.marks is not None:
        parts.append(f"标记含{'/'.join(condition.marks)}")
    if condition.standing is not None:
        parts.append("仅常委" if condition.standing else "仅非常委")
    if condition.unless is not None:
        parts.append(f"不含{_condition_text(condition.unless)}的")
    return "，".join(parts)


def _points_text(item: Item) -> str:
    if item.per_period is not None:
        spec = item.per_period
        parts = []
        if spec.met:
            parts.append(f"每达到一{_PERIOD_UNIT[spec.every]}{_signed(spec.met)}分")
        if spec.missed:
            parts.append(f"每缺一{_PERIOD_UNIT[spec.every]}{_signed(spec.missed)}分")
        return "，".join(parts)
    if item.points is not None:
        return f"每条{_signed(item.points)}分"
    if item.points_by is not None:
        field_name, table = next(iter(item.points_by.items()))
        return f"按{MATCH_FIELD_NAMES[field_name]}：" + "，".join(
            f"{value}{_signed(points).rstrip()}" for value, points in table.items()
        )
    return "；".join(_case_text(case) for case in item.cases or [])


def _case_text(case: Case) -> str:
    label = _condition_text(case.when) or "其余"
    return f"{label}{_signed(case.points).rstrip()}"


_PERIOD_UNIT = {"month": "个月", "quarter": "个季度"}
_SCOPE_FIELD = {
    "sector": "界别",
    "committee": "专委会",
    "study_group": "学习组",
    "work_group": "工作组",
}


def _scope_text(scope: Scope) -> str:
    """常委；界别为经济界/农业界的委员 …"""
    parts = []
    if scope.standing is not None:
        parts.append("常委" if scope.standing else "非常委")
    for key, label in _SCOPE_FIELD.items():
        values = getattr(scope, key)
        if values is not None:
            parts.append(f"{label}为{'/'.join(values)}的委员")
    return "中".join(parts) if len(parts) == 2 and scope.standing is not None else "、".join(parts)


def _period_text(item: Item) -> str:
    """每月至少 1 次（2、4、6、8、10、12 月）…"""
    spec = item.per_period
    assert spec is not None  # asked only of per-period items
    when = "每季度" if spec.every == "quarter" else "每月"
    months = (
        f"（只要求 {'、'.join(str(m) for m in sorted(spec.months))} 月）" if spec.months else ""
    )
    return (
        f"{when}至少 {spec.at_least} 次{months}；任期不满整个周期的不要求；进度报告只计已结束的周期"
    )


def _how_text(item: Item) -> str:
    parts = [_period_text(item)] if item.per_period is not None else []
    if "单位" in (item.match.role or []):  # inputformat.ROLE_BODY
        parts.append("单位署名的记录记给该单位对应专委会的每位委员，每人一份")
    credit = item.credit
    if credit.mode == "split":
        rest = 1 - credit.lead_share
        parts.append(f"多人合作时第一作者得 {_pct(credit.lead_share)}，其余平分 {_pct(rest)}")
    elif credit.mode == "first_only":
        parts.append("只计第一作者（第一提案人）")
    if credit.max_authors is not None:
        parts.append(f"只计前 {credit.max_authors} 位")
    if item.stack == "highest":
        parts.append("同一事项多个级别只取最高")
    if item.count == "once":
        parts.append("每人只计一次（取分值最高的一条）")
    if item.from_nth > 1:
        parts.append(f"第 {item.from_nth} 条起计分")
    if item.max is not None:
        parts.append(f"本项最多 {_num(item.max)} 分")
    if item.min is not None:
        parts.append(f"本项最多扣至 {_num(item.min)} 分")
    if item.note:
        parts.append(item.note)
    return "；".join(parts) or "每条都计"


def _cell(text: str) -> str:
    """A table cell: | escaped, and text from the rules file that starts like a formula
    (=, +, -, @) prefixed with an apostrophe, so it stays text when the table is pasted into
    a spreadsheet."""
    from ..writers.safety import neutralise

    return neutralise(text).replace("|", "\\|")


# Like text.number_text / percent_text; repeated here because this module (rules show) keeps
# pandas, which perfscore.text imports, out of its start-up.
def _num(value: float) -> str:
    return f"{value:g}"


def _signed(value: float) -> str:
    """2 -> ' 2 ', -2 -> '扣 2 ': deductions read as deductions."""
    return f"扣 {-value:g} " if value < 0 else f" {value:g} "


def _pct(share: float) -> str:
    return f"{share * 100:g}%"
