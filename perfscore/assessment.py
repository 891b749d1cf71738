"""Stage 4 — assess: the ledger -> totals, grades, ranks, checklist completion, group summaries.

Totals are sums of ledger lines and nothing else. Grades follow the rules' bands (see
docs/scoring.md §5); ranks share places on equal totals (1, 2, 2, 4) overall, within 界别 and
within 专委会; members with equal totals are listed in ``settings.tie_break`` order.

``Assessment.members`` columns (one row per member, in ranking order): member_id, name, sector,
committee, study_group, work_group, standing, term_start, term_end, the roster columns the rules
declare (``input.roster_columns``, none by default), total, grade, grade_note (why
the grade is lower than the total alone gives, '' when it is not), rank,
sector_rank, committee_rank, checklist_done, checklist_total, checklist_missing, consequences
(处理提示, '' when none), then one column
per category id with the member's subtotal, then base, checklist_bonus and total_adjust (the
lines outside categories), so that total == sum of those columns.
``Assessment.groups`` columns: dimension, group, members, mean, sum, max, min, score (mean or
sum, as ``groups.score`` says), group_rank (within the dimension, 1, 2, 2, 4), one column per
grade, checklist_complete. Groups are listed by dimension, then by name.
``Assessment.bodies`` columns (one row per body the rules declare, in their order; no rows when
they declare none): body, committee, records (how many records name it), one column per record
kind (proposal, information, adoption, report, meeting, activity, duty) with its records of that
kind, sources (their cells, joined by 、).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .awards import Shortlist
from .errors import Problem, Reason, Severity
from .frames import stable_sorted
from .history import History
from .inputformat import RECORD_KINDS
from .layout import MEMBER_DETAILS, OTHER_LINES, RESULT_COLUMNS
from .records import GROUP_DIMENSIONS, Records
from .rules import LoadedRules
from .scoring import LedgerLines, Scoring, checklist_applies, round_points
from .text import NAME_SEPARATORS, number_text

# The columns of ``Assessment.bodies``.
BODY_COLUMNS = ["body", "committee", "records", *RECORD_KINDS, "sources"]

__all__ = [
    "Assessment",
    "RegisterRead",
    "SkippedPoints",
    "body_summary",
    "BODY_COLUMNS",
    "assess_scores",
    "GROUP_DIMENSIONS",
    "group_dimensions",
    "dimension_cells",
]


@dataclass(frozen=True)
class RegisterRead:
    """One register of the input format as this workbook gave it: the sheet read for it and its
    rows (blank and total rows left out), or ``sheet`` '' when the workbook has none."""

    name: str  # the register's own name (提案)
    sheet: str = ""  # the sheet read, as the workbook spells it (提案登记); '' when absent
    rows: int = 0
    scored: bool = False  # the rules have items scoring this register's records
    optional: bool = False  # the rules' input.optional_sheets lists it

    def text(self) -> str:
        if not self.sheet:
            return f"{self.name}：没有" + (
                "（规则写明可以没有，按它计分的项目都得 0 分）"
                if self.scored and self.optional
                else "（规则按它计分）"
                if self.scored
                else ""
            )
        named = "" if self.sheet == self.name else f"（工作表“{self.sheet}”）"
        return f"{self.name}{named} {self.rows} 行"


@dataclass(frozen=True)
class SkippedPoints:
    """What ``--skip-bad-rows`` left out for one member: how many items (records of skipped
    rows), how much the items whose points can be known would have changed the member's total
    (counted with the member's other records: caps, count limits and the checklist included),
    and how many cannot be known (their faulty cell decides their points). ``member_id`` ''
    stands for the names that match no member (or several): whose they are is unknown, so are
    their points."""

    member_id: str
    name: str
    items: int
    points: float = 0.0
    unknown: int = 0

    def text(self, decimals: int = 2) -> str:
        if not self.member_id:
            return f"不能确定是哪位委员的姓名 {self.items} 个：无法计算"
        head = f"{self.name}（{self.member_id}）{self.items} 项"
        if self.unknown == self.items:
            return f"{head}：无法计算"
        change = round(self.points, decimals)
        shown = ("+" if change > 0 else "") + number_text(change)
        return f"{head}：若计入，总分 {shown} 分" + (
            f"，另有 {self.unknown} 项无法计算" if self.unknown else ""
        )


@dataclass(frozen=True)
class Assessment:
    """Everything one assessment produced: what the writers write. ``shortlists`` are the award
    shortlists (:mod:`perfscore.awards`), which ``perfscore.assess`` adds as a step of its own."""

    members: pd.DataFrame
    ledger: pd.DataFrame
    checklist: pd.DataFrame
    groups: pd.DataFrame
    rules: LoadedRules
    year: int
    source_name: str
    problems: list[Problem] = field(default_factory=list)
    shortlists: list[Shortlist] = field(default_factory=list)
    mask: str = ""  # "name" or "id" once names are masked for publishing (perfscore.privacy)
    unit: str = ""  # the unit assessed (单位): as the workbook names it, else the file's name
    unit_from: str = ""  # where ``unit`` came from: 工作簿 or 文件名 (perfscore.unit)
    bodies: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BODY_COLUMNS))
    registers: tuple[RegisterRead, ...] = ()  # each register: which sheet was read, or absent
    skipped: tuple[SkippedPoints, ...] = ()  # per member, what --skip-bad-rows left out

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def category_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.rules.rules.categories}


def assess_scores(
    records: Records,
    scoring: Scoring,
    rules: LoadedRules,
    source_name: str = "",
    history: History | None = None,
    *,
    consequences: bool = True,
) -> Assessment:
    """Totals, grades, ranks and group summaries from ``scoring``, which must be
    ``score(records, rules.rules)``: its member codes are positions in ``records.members``
    (ValueError when its roster is another). The assessment has no shortlists (see
    :func:`perfscore.awards.shortlists`). ``consequences=False`` leaves the 处理提示 column empty
    without evaluating the rules' consequences: for outputs that do not show them (explain,
    shortlists, progress reports, check), which then need neither earlier years nor an archive."""
    settings = rules.rules.settings
    history = history or History()
    members = records.members.reset_index(
        drop=True
    )  # index: roster positions, kept through the sorting below
    lines = scoring.lines
    size = len(members)
    if scoring.roster.size != size or not np.array_equal(
        scoring.roster.ids[:size], members["member_id"].array
    ):
        raise ValueError("the scoring was made over another roster than these records'")

    def rounded(sums: np.ndarray) -> pd.Series:
        return round_points(
            pd.Series(sums[:size], index=members.index), settings.decimals, settings.rounding
        )

    members["total"] = rounded(lines.sums())
    categories = [c.id for c in rules.rules.categories]
    for category in categories:
        members[category] = rounded(lines.sums(category=category))
    for column, rule_id in OTHER_LINES.items():
        members[column] = rounded(lines.sums(rule_id=rule_id))

    members = _add_checklist(members, scoring.checklist_done, rules)
    members["grade"] = _grades(members, rules)
    members["grade_note"] = _grade_notes(members, rules)
    members["rank"] = _rank(members["total"])
    members["sector_rank"] = _rank(members["total"], members["sector"])
    members["committee_rank"] = _rank(members["total"], members["committee"])
    if consequences:
        members["consequences"], consequence_problems = _consequences(
            members, lambda: scoring.ledger, rules, history, records.year
        )
    else:
        members["consequences"], consequence_problems = "", []
    names = members["name"]  # in roster order
    members = _in_ranking_order(members, settings.tie_break)
    ledger = _ledger_in_member_order(lines, members.index.to_numpy(), names)
    groups = _group_summaries(members, rules)
    bodies = body_summary(records.bodies, rules)

    declared = rules.rules.input.roster_columns  # the office's own group columns (联络组 …)
    ordered = [*MEMBER_DETAILS, *declared, *RESULT_COLUMNS, *categories, *OTHER_LINES]
    return Assessment(
        members=members[ordered].reset_index(drop=True),
        ledger=ledger,
        checklist=scoring.checklist,
        groups=groups,
        rules=rules,
        year=records.year,
        source_name=source_name,
        problems=[*rules.warnings, *records.problems, *scoring.problems, *consequence_problems],
        bodies=bodies,
    )


def _ledger_in_member_order(
    lines: LedgerLines, order: np.ndarray, names: pd.Series
) -> pd.DataFrame:
    """The ledger with each line's member name (``names``, in roster order) after member_id:
    members in ``order`` (roster positions), each member's lines in ledger order; lines of
    anyone not on the roster last."""
    size = len(names)
    member = np.where(lines.member < size, lines.member, size)
    place = np.empty(size + 1, dtype=np.int64)
    place[order] = np.arange(len(order))
    place[size] = size
    keys = place[member].astype(np.uint16 if size < 2**16 - 1 else np.int64)  # radix sort
    return lines.frame(np.argsort(keys, kind="stable"), names=names)


def _add_checklist(members: pd.DataFrame, done: np.ndarray, rules: LoadedRules) -> pd.DataFrame:
    """Items done and the names of those not done (joined by 、, in the rules' order), per
    member, from ``done`` (checklist items × members in roster order, ``Scoring.checklist_done``).
    Every member on the roster has a row per item in the checklist, so every member's count and
    missing names come from it: a member without records has done 0 and every item missing."""
    spec = rules.rules.checklist
    names = [item.name for item in spec.items] if spec else []
    if not names:
        members["checklist_total"] = 0
        members["checklist_done"] = 0
        members["checklist_missing"] = ""
        return members
    # Items asked of some members only (``who``) count for those members alone.
    applies = checklist_applies(rules.rules, members)
    members["checklist_total"] = applies.sum(axis=0).astype(int)
    members["checklist_done"] = (done & applies).sum(axis=0).astype(int)
    members["checklist_missing"] = pd.Series(
        _missing_items(done | ~applies, names), index=members.index, dtype="object"
    )
    return members


def _missing_items(done: np.ndarray, names: list[str]) -> np.ndarray:
    """Per member, the names of the items not done joined by 、 ('' for none): written once per
    distinct set of missing items."""
    sets, which = np.unique(~done.T, axis=0, return_inverse=True)
    texts = np.array(
        ["、".join(name for name, missing in zip(names, row) if missing) for row in sets.tolist()],
        dtype=object,
    )
    return texts[which.reshape(-1)]


def _grades(members: pd.DataFrame, rules: LoadedRules) -> pd.Series:
    """The first band whose min the total reaches, skipping bands whose checklist is unmet."""
    return _band(members, rules, complete=members["checklist_done"] == members["checklist_total"])


def _band(members: pd.DataFrame, rules: LoadedRules, complete: pd.Series | None) -> pd.Series:
    """The first band whose min the total reaches; with ``complete``, bands that require the
    checklist are skipped for members whose checklist is not complete."""
    grade = pd.Series(pd.NA, index=members.index, dtype=object)
    for band in rules.rules.grades:
        reaches = (
            members["total"] >= band.min - 1e-9
            if band.min is not None
            else pd.Series(True, index=members.index)
        )
        if band.requires_checklist and complete is not None:
            reaches &= complete
        grade = grade.where(grade.notna() | ~reaches, band.grade)
    return grade.astype(str)


def _grade_notes(members: pd.DataFrame, rules: LoadedRules) -> pd.Series:
    """Why a member's grade is lower than the total alone would give ('' when it is not):
    e.g. 双五个一完成 7/10，不能评为优秀（须全部完成）."""
    by_total = _band(members, rules, complete=None)
    demoted = by_total != members["grade"]
    spec = rules.rules.checklist
    name = spec.name if spec else "清单"
    note = pd.Series("", index=members.index, dtype=object)
    if demoted.any():  # written for the demoted members only
        low = members[demoted]
        note[demoted] = (
            f"{name}完成 "
            + low["checklist_done"].astype(str)
            + "/"
            + low["checklist_total"].astype(str)
            + "，不能评为"
            + by_total[demoted]
            + "（须全部完成）"
        ).to_numpy(dtype=object)
    return note


def _consequences(
    members: pd.DataFrame,
    ledger: Callable[[], pd.DataFrame],
    rules: LoadedRules,
    history: History,
    year: int,
) -> tuple[pd.Series, list[Problem]]:
    """Each member's consequences (约谈、劝辞 …) joined by 、; earlier years come from ``history``.
    ``ledger()`` gives this year's ledger (built only if a consequence counts lines)."""
    result = pd.Series("", index=members.index, dtype=object)
    missing_years: set[int] = set()
    for consequence in rules.rules.consequences:
        applies = pd.Series(True, index=members.index)
        if consequence.grades is not None:
            applies &= members["grade"].isin(consequence.grades)
            for back in range(1, consequence.years_running):
                earlier = history.grades[history.grades["year"] == year - back]
                if earlier.empty:
                    missing_years.add(year - back)
                hit = set(earlier.loc[earlier["grade"].isin(consequence.grades), "member_id"])
                applies &= members["member_id"].isin(hit)
        if consequence.term is not None:
            applies &= _term_applies(consequence, members, ledger, history, year, missing_years)
        if consequence.lines is not None:
            spec = consequence.lines
            this_year = ledger()[["member_id", "rule_id", "note"]].assign(year=year)
            earlier = history.lines[
                (history.lines["year"] < year) & (history.lines["year"] > year - spec.years)
            ]
            missing_years |= {
                y for y in range(year - spec.years + 1, year) if y not in history.years
            }
            lines = pd.concat([this_year, earlier], ignore_index=True)
            lines = lines[lines["rule_id"] == spec.rule]
            if spec.note is not None:
                lines = lines[
                    lines["note"].str.contains("|".join(map(re.escape, spec.note)), regex=True)
                ]
            counts = lines.groupby("member_id").size()
            applies &= members["member_id"].map(counts).fillna(0) >= spec.at_least
        result = result.where(
            ~applies, result + np.where(result == "", "", "、") + consequence.name
        )
    problems = [
        Problem(
            Severity.WARNING,
            Reason.MISSING_VALUE,
            f"处理提示需要 {y} 年度的考核结果，但没有提供，按该年无记录判断",
            suggestion=(
                f"先把 {y} 年度写入履职档案 {history.archive}（perfscore archive add）"
                if history.archive
                else f"用 --previous 指定 {y} 年度的“考核结果”文件"
            ),
        )
        for y in sorted(missing_years)
    ]
    return result, problems


def _term_applies(
    consequence: Any,
    members: pd.DataFrame,
    ledger: Any,
    history: History,
    year: int,
    missing: set[int],
) -> np.ndarray:
    """A term condition over this year and the term's earlier years in the archive; an error
    without an archive (the condition cannot be answered from one year)."""
    from .archive.terms import needs_archive_error, term_condition

    if not history.archive or history.term is None:
        raise needs_archive_error(consequence.name)
    first = history.term[0]
    missing |= {y for y in range(first, year) if y not in history.years}
    grades = pd.concat(
        [
            history.grades[["year", "member_id", "grade"]],
            members[["member_id", "grade"]].assign(year=year),
        ],
        ignore_index=True,
    )
    lines = history.lines[["year", "member_id", "rule_id", "note"]]
    if consequence.term.rule is not None:
        this_year = ledger()[["member_id", "rule_id", "note"]]
        this_year = this_year[this_year["rule_id"].to_numpy(dtype=object) == consequence.term.rule]
        lines = pd.concat([lines, this_year.assign(year=year)], ignore_index=True)
    return term_condition(consequence.term, members["member_id"], grades, lines)


def _rank(total: pd.Series, by: pd.Series | None = None) -> pd.Series:
    """1, 2, 2, 4 on equal totals; within groups when ``by`` is given (empty group -> NA)."""
    if by is None:
        return total.rank(method="min", ascending=False).astype(int)
    ranks = total.groupby(by).rank(method="min", ascending=False)
    return ranks.where(by != "").astype("Int64")


def _in_ranking_order(members: pd.DataFrame, tie_break: list[str]) -> pd.DataFrame:
    keys = ["total", *tie_break]
    ascending = [False, *[key == "member_id" for key in tie_break]]
    if "member_id" not in tie_break:  # a last, total order so the same input lists the same way
        keys.append("member_id")
        ascending.append(True)
    return stable_sorted(members, keys, ascending)


def group_dimensions(dimensions: list[str]) -> list[tuple[str, str]]:
    """(dimension, label) in output order: the plain ones in the usual order, then nested ones
    (committee/work_group → 专委会/工作组) as the rules list them. A roster column the rules
    declare (input.roster_columns) is its own label, after the built-in plain ones."""
    plain = [(key, label) for key, label in GROUP_DIMENSIONS.items() if key in dimensions]
    declared = [(d, d) for d in dimensions if "/" not in d and d not in GROUP_DIMENSIONS]
    nested = [
        (d, "/".join(GROUP_DIMENSIONS.get(part, part) for part in d.split("/")))
        for d in dimensions
        if "/" in d
    ]
    return plain + declared + nested


def dimension_cells(members: pd.DataFrame, dimension: str) -> pd.Series:
    """Each member's groups of ``dimension`` as roster text ('第一组、第三组'). A nested dimension
    pairs every outer group with every inner one: 经济委 and 第一小组 give '经济委·第一小组';
    a member without an outer or inner group is in none of its groups."""
    if "/" not in dimension:
        return members[dimension]
    outer, inner = dimension.split("/")
    pairs = members[[outer, inner]].fillna("").astype(str)
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(pairs))

    def combined(outer_cell: str, inner_cell: str) -> str:
        outers = [g for g in re.split(NAME_SEPARATORS, outer_cell) if g.strip()]
        inners = [g for g in re.split(NAME_SEPARATORS, inner_cell) if g.strip()]
        return "、".join(f"{o.strip()}·{i.strip()}" for o in outers for i in inners)

    texts = np.array([combined(o, i) for o, i in distinct], dtype=object)  # once per distinct pair
    return pd.Series(texts[codes], index=members.index, dtype=object)


def body_summary(credited: pd.DataFrame, rules: LoadedRules) -> pd.DataFrame:
    """Per body the rules declare: how many records name it, by kind, and their cells
    (``Records.bodies`` → ``Assessment.bodies``). A body no record names has a row of zeros."""
    declared = rules.rules.bodies
    if not declared:
        return pd.DataFrame(columns=BODY_COLUMNS)
    names = [body.name for body in declared]
    kinds = list(RECORD_KINDS)
    body = pd.Index(names).get_indexer(pd.Index(credited["body"]))
    kind = pd.Index(kinds).get_indexer(pd.Index(credited["kind"]))
    counts = np.bincount(body * len(kinds) + kind, minlength=len(names) * len(kinds))
    table = pd.DataFrame(counts.reshape(len(names), len(kinds)), columns=kinds)
    table.insert(0, "records", table.sum(axis=1))
    table.insert(0, "committee", [b.committee for b in declared])
    table.insert(0, "body", names)
    cells = credited.groupby("body", sort=False)["source"].agg(
        lambda s: "、".join(dict.fromkeys(s))
    )
    table["sources"] = cells.reindex(names).fillna("").to_numpy()
    return table[BODY_COLUMNS]


def _group_summaries(members: pd.DataFrame, rules: LoadedRules) -> pd.DataFrame:
    """Per group of each dimension: a member in two 学习组 counts once in each, never twice in one."""
    grades = [band.grade for band in rules.rules.grades]
    grade_codes = pd.Index(grades).get_indexer(pd.Index(members["grade"]))
    spec = rules.rules.groups
    frames = []
    for column, label in group_dimensions(spec.dimensions):
        at, group, names = _group_members(dimension_cells(members, column))
        if not len(at):
            continue
        rows = pd.DataFrame(
            {
                key: members[key].to_numpy()[at]
                for key in ("total", "checklist_done", "checklist_total")
            }
        )
        rows["group"] = group
        by = rows.groupby("group", sort=True)
        settings = rules.rules.settings
        summary = pd.DataFrame(
            {
                "members": by.size(),
                "mean": round_points(by["total"].mean(), settings.decimals, settings.rounding),
                "sum": round_points(by["total"].sum(), settings.decimals, settings.rounding),
                "max": by["total"].max(),
                "min": by["total"].min(),
            }
        )
        summary.index = pd.Index(
            names, name="group"
        )  # every name has members: codes 0 … len(names) - 1
        summary["score"] = summary[spec.score]
        summary["group_rank"] = summary["score"].rank(method="min", ascending=False).astype(int)
        group = by.ngroup().to_numpy()
        grade = grade_codes[at]
        graded = grade >= 0
        counts = np.bincount(
            group[graded] * len(grades) + grade[graded], minlength=len(summary) * len(grades)
        )
        by_grade = pd.DataFrame(
            counts.reshape(len(summary), len(grades)),
            index=summary.index,
            columns=pd.Index(grades, name="grade"),
        )
        summary = summary.join(by_grade).fillna(0)
        complete = (
            (rows["checklist_done"] == rows["checklist_total"]) & (rows["checklist_total"] > 0)
        ).to_numpy()
        summary["checklist_complete"] = np.bincount(group[complete], minlength=len(summary))
        summary = summary.reset_index(names="group")
        summary.insert(0, "dimension", label)
        frames.append(summary)
    if not frames:
        return pd.DataFrame(
            columns=[
                "dimension",
                "group",
                "members",
                "mean",
                "sum",
                "max",
                "min",
                "score",
                "group_rank",
                *grades,
                "checklist_complete",
            ]
        )
    result = pd.concat(frames, ignore_index=True)
    for grade in grades:
        result[grade] = result[grade].astype(int)
    return result


def _group_members(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each member's groups from cells such as '第一组、第三组': (member positions, group codes,
    the group names in sorted order, which the codes index), member by member, groups in the
    order written, empties dropped, a group named twice in one cell kept once. The cells are
    split once per distinct text, and the groups are numbered so that they can be grouped by
    without hashing a name per member."""
    codes, distinct = pd.factorize(cells)
    pieces = pd.Series(distinct, dtype=cells.dtype).str.split(NAME_SEPARATORS, regex=True).explode()
    pieces = pieces[pieces.notna() & (pieces != "")]
    owner = pieces.index.to_numpy()
    names = pieces.to_numpy(dtype=object)
    once = ~pd.DataFrame({"owner": owner, "name": names}).duplicated().to_numpy()
    owner, names = owner[once], names[once]
    per_cell = np.bincount(owner, minlength=len(distinct))
    first = np.concatenate([[0], np.cumsum(per_cell)[:-1]]).astype(np.int64)
    members = np.flatnonzero(codes >= 0)
    cell = codes[members]
    repeat = per_cell[cell]
    at = np.repeat(members, repeat)
    k = np.arange(len(at)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    codes, sorted_names = pd.factorize(names, sort=True)
    return at, codes[np.repeat(first[cell], repeat) + k], np.asarray(sorted_names, dtype=object)
