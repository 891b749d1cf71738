"""Stage 4 — assess: the ledger -> totals, grades, ranks, checklist completion, group summaries.

Totals are sums of ledger lines and nothing else. Grades follow the rules' bands (see
docs/scoring.md §5); ranks share places on equal totals (1, 2, 2, 4) overall, within 界别 and
within 专委会; members with equal totals are listed in ``settings.tie_break`` order.

``Assessment.members`` columns (one row per member, in ranking order): member_id, name, sector,
committee, study_group, work_group, standing, term_start, term_end, total, grade, grade_note (why
the grade is lower than the total alone gives, '' when it is not), rank,
sector_rank, committee_rank, checklist_done, checklist_total, checklist_missing, consequences
(处理提示, '' when none), then one column
per category id with the member's subtotal, then base, checklist_bonus and total_adjust (the
lines outside categories), so that total == sum of those columns.
``Assessment.groups`` columns: dimension, group, members, mean, sum, max, min, score (mean or
sum, as ``groups.score`` says), group_rank (within the dimension, 1, 2, 2, 4), one column per
grade, checklist_complete. Groups are listed by dimension, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re

import numpy as np
import pandas as pd

from .errors import Problem, Reason, Severity
from .awards import Shortlist, shortlists
from .history import History
from .records import Records
from .rules import LoadedRules
from .scoring import Scoring, round_points
from .text import NAME_SEPARATORS

__all__ = ["Assessment", "assess_scores", "GROUP_DIMENSIONS"]

# Lines outside any category, shown beside the category subtotals so that a row adds up.
OTHER_LINES = {"base": "base", "checklist_bonus": "checklist.bonus", "total_adjust": "total.cap"}
GROUP_DIMENSIONS = {"sector": "界别", "committee": "专委会", "study_group": "学习组", "work_group": "工作组"}


@dataclass(frozen=True)
class Assessment:
    """Everything one assessment produced: what the writers write."""

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

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def category_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.rules.rules.categories}


def assess_scores(records: Records, scoring: Scoring, rules: LoadedRules, source_name: str = "",
                  history: History | None = None) -> Assessment:
    settings = rules.rules.settings
    history = history or History()
    members = records.members.copy()
    ledger = scoring.ledger.merge(members[["member_id", "name"]], on="member_id", how="left")
    ledger.insert(1, "name", ledger.pop("name"))

    totals = ledger.groupby("member_id", sort=False)["points"].sum()
    members["total"] = round_points(members["member_id"].map(totals).fillna(0.0), settings.decimals, settings.rounding)
    subtotals = (ledger[ledger["category"] != ""].pivot_table(index="member_id", columns="category", values="points", aggfunc="sum")
                 .reindex(columns=[c.id for c in rules.rules.categories]).fillna(0.0))
    for category in subtotals.columns:
        members[category] = round_points(members["member_id"].map(subtotals[category]).fillna(0.0), settings.decimals, settings.rounding)
    for column, rule_id in OTHER_LINES.items():
        lines = ledger[ledger["rule_id"] == rule_id].groupby("member_id", sort=False)["points"].sum()
        members[column] = round_points(members["member_id"].map(lines).fillna(0.0), settings.decimals, settings.rounding)

    members = _add_checklist(members, scoring.checklist, rules)
    members["grade"] = _grades(members, rules)
    members["grade_note"] = _grade_notes(members, rules)
    members["rank"] = _rank(members["total"])
    members["sector_rank"] = _rank(members["total"], members["sector"])
    members["committee_rank"] = _rank(members["total"], members["committee"])
    members["consequences"], consequence_problems = _consequences(members, ledger, rules, history, records.year)
    members = _in_ranking_order(members, settings.tie_break)
    ledger = _ledger_in_order(ledger, members["member_id"])
    groups = _group_summaries(members, rules)
    awards = shortlists(rules.rules, members, records.records, ledger)

    ordered = ["member_id", "name", "sector", "committee", "study_group", "work_group", "standing", "term_start",
               "term_end", "total", "grade", "grade_note", "rank", "sector_rank", "committee_rank", "checklist_done",
               "checklist_total", "checklist_missing", "consequences", *subtotals.columns, *OTHER_LINES]
    return Assessment(
        members=members[ordered].reset_index(drop=True),
        ledger=ledger,
        checklist=scoring.checklist,
        groups=groups,
        rules=rules,
        year=records.year,
        source_name=source_name,
        problems=[*rules.warnings, *records.problems, *scoring.problems, *consequence_problems],
        shortlists=awards,
    )


def _add_checklist(members: pd.DataFrame, checklist: pd.DataFrame, rules: LoadedRules) -> pd.DataFrame:
    spec = rules.rules.checklist
    total = len(spec.items) if spec else 0
    members["checklist_total"] = total
    if not total:
        members["checklist_done"] = 0
        members["checklist_missing"] = ""
        return members
    done = checklist.groupby("member_id", sort=False)["done"].sum()
    missing = checklist[~checklist["done"]].groupby("member_id", sort=False)["item"].agg("、".join)
    members["checklist_done"] = members["member_id"].map(done).fillna(0).astype(int)
    members["checklist_missing"] = members["member_id"].map(missing).astype(object).fillna("")
    return members


def _grades(members: pd.DataFrame, rules: LoadedRules) -> pd.Series:
    """The first band whose min the total reaches, skipping bands whose checklist is unmet."""
    return _band(members, rules, complete=members["checklist_done"] == members["checklist_total"])


def _band(members: pd.DataFrame, rules: LoadedRules, complete: pd.Series | None) -> pd.Series:
    """The first band whose min the total reaches; with ``complete``, bands that require the
    checklist are skipped for members whose checklist is not complete."""
    grade = pd.Series(pd.NA, index=members.index, dtype=object)
    for band in rules.rules.grades:
        reaches = members["total"] >= band.min - 1e-9 if band.min is not None else pd.Series(True, index=members.index)
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
    note = (f"{name}完成 " + members["checklist_done"].astype(str) + "/" + members["checklist_total"].astype(str)
            + "，不能评为" + by_total + "（须全部完成）")
    return note.where(demoted, "").astype(object)


def _consequences(members: pd.DataFrame, ledger: pd.DataFrame, rules: LoadedRules, history: History,
                  year: int) -> tuple[pd.Series, list[Problem]]:
    """Each member's consequences (约谈、劝辞 …) joined by 、; earlier years come from ``history``."""
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
        if consequence.lines is not None:
            spec = consequence.lines
            this_year = ledger[["member_id", "rule_id", "note"]].assign(year=year)
            earlier = history.lines[(history.lines["year"] < year) & (history.lines["year"] > year - spec.years)]
            missing_years |= {y for y in range(year - spec.years + 1, year) if y not in history.years}
            lines = pd.concat([this_year, earlier], ignore_index=True)
            lines = lines[lines["rule_id"] == spec.rule]
            if spec.note is not None:
                lines = lines[lines["note"].str.contains("|".join(map(re.escape, spec.note)), regex=True)]
            counts = lines.groupby("member_id").size()
            applies &= members["member_id"].map(counts).fillna(0) >= spec.at_least
        result = result.where(~applies, result + np.where(result == "", "", "、") + consequence.name)
    problems = [
        Problem(Severity.WARNING, Reason.MISSING_VALUE,
                f"处理提示需要 {y} 年度的考核结果，但没有提供，按该年无记录判断",
                suggestion=f"用 --previous 指定 {y} 年度的“考核结果”文件")
        for y in sorted(missing_years)
    ]
    return result, problems


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
    return members.sort_values(keys, ascending=ascending, kind="stable")


def _ledger_in_order(ledger: pd.DataFrame, member_order: pd.Series) -> pd.DataFrame:
    position = pd.Series(np.arange(len(member_order)), index=member_order.to_numpy())
    ordered = ledger.assign(_member=ledger["member_id"].map(position), _line=np.arange(len(ledger)))
    return ordered.sort_values(["_member", "_line"], kind="stable").drop(columns=["_member", "_line"]).reset_index(drop=True)


def _group_summaries(members: pd.DataFrame, rules: LoadedRules) -> pd.DataFrame:
    """Per group of each dimension: a member in two 学习组 counts once in each, never twice in one."""
    grades = [band.grade for band in rules.rules.grades]
    spec = rules.rules.groups
    frames = []
    for column, label in GROUP_DIMENSIONS.items():
        if column not in spec.dimensions:
            continue
        groups = members[column].str.split(NAME_SEPARATORS, regex=True).explode()
        groups = groups[groups.notna() & (groups != "")]
        if groups.empty:
            continue
        rows = members.loc[groups.index].assign(group=groups.to_numpy())
        rows = rows.drop_duplicates(["member_id", "group"])
        by = rows.groupby("group", sort=True)
        settings = rules.rules.settings
        summary = pd.DataFrame({
            "members": by.size(),
            "mean": round_points(by["total"].mean(), settings.decimals, settings.rounding),
            "sum": round_points(by["total"].sum(), settings.decimals, settings.rounding),
            "max": by["total"].max(),
            "min": by["total"].min(),
        })
        summary["score"] = summary[spec.score]
        summary["group_rank"] = summary["score"].rank(method="min", ascending=False).astype(int)
        counts = pd.crosstab(rows["group"], rows["grade"]).reindex(columns=grades, fill_value=0)
        summary = summary.join(counts).fillna(0)
        complete = (rows["checklist_done"] == rows["checklist_total"]) & (rows["checklist_total"] > 0)
        summary["checklist_complete"] = complete.groupby(rows["group"]).sum()
        summary = summary.reset_index(names="group")
        summary.insert(0, "dimension", label)
        frames.append(summary)
    if not frames:
        return pd.DataFrame(columns=["dimension", "group", "members", "mean", "sum", "max", "min", "score", "group_rank",
                                     *grades, "checklist_complete"])
    result = pd.concat(frames, ignore_index=True)
    for grade in grades:
        result[grade] = result[grade].astype(int)
    return result
