"""Term-level facts (任期内): consequences whose condition spans the term, read from the archive.

:func:`term_condition` answers one ``consequences[].term`` condition for a set of members from
their grades and ledger lines over the term's years; :func:`archive_history` reads those years
from the archive for ``perfscore assess --archive``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..history import History
from ..rules.schema import Rules, TermCondition

__all__ = ["term_condition", "archive_history", "needs_archive_error", "referenced_rules"]


def needs_archive_error(name: str) -> UsageError:
    return UsageError(
        f"处理“{name}”的条件是任期内的（term），需要本届各年度的考核结果：请用 --archive 指定履职档案（如 --archive 档案.sqlite）"
    )


def referenced_rules(rules: Rules) -> list[str]:
    """The rule ids whose ledger lines the consequences count (lines.rule and term.rule)."""
    ids = [c.lines.rule for c in rules.consequences if c.lines is not None]
    ids += [c.term.rule for c in rules.consequences if c.term is not None and c.term.rule]
    return sorted(set(ids))


def term_condition(
    condition: TermCondition,
    member_ids: pd.Series,
    grades: pd.DataFrame,
    lines: pd.DataFrame,
) -> np.ndarray:
    """Whether ``condition`` holds for each of ``member_ids``, given the term's ``grades``
    (year, member_id, grade) and ``lines`` (year, member_id, rule_id, note) — every year of the
    term so far, this one included."""
    if condition.rule is not None:
        of_rule = lines[lines["rule_id"].to_numpy(dtype=object) == condition.rule]
        if condition.note is not None:
            of_rule = of_rule[
                of_rule["note"].str.contains("|".join(map(re.escape, condition.note)), regex=True)
            ]
        counts = member_ids.map(of_rule.groupby("member_id").size()).fillna(0).to_numpy(dtype=int)
        if condition.at_least is not None:
            return counts >= condition.at_least
        return counts < condition.fewer_than
    # grades in `years_running` consecutive years, anywhere in the term so far
    assert condition.grades is not None  # the rules' schema requires rule or grades
    hit = grades[grades["grade"].isin(condition.grades)]
    if hit.empty:
        return np.zeros(len(member_ids), dtype=bool)
    years = np.arange(int(grades["year"].min()), int(grades["year"].max()) + 1)
    table = pd.crosstab(hit["member_id"], hit["year"]).reindex(columns=years, fill_value=0) > 0
    run = np.zeros(len(table), dtype=int)
    best = np.zeros(len(table), dtype=int)
    for year in years:  # a loop over the term's few years, each over all members at once
        run = np.where(table[year].to_numpy(), run + 1, 0)
        best = np.maximum(best, run)
    longest = pd.Series(best, index=table.index)
    return member_ids.map(longest).fillna(0).to_numpy(dtype=int) >= condition.years_running


def archive_history(path: str | Path, rules: Rules, year: int, unit: str = "") -> History:
    """Earlier years of ``year``'s term from the archive at ``path`` (none when the file does not
    exist yet): every member's grade and total, and the ledger lines of the rules the
    consequences count. The archive must hold the same term the rules declare."""
    from .store import open_readonly

    path = Path(path)
    term = rules.term
    if term is None:
        raise UsageError(
            "使用 --archive 时，规则文件须写明届次（term），如 term: {name: 第十届, first_year: 2022, last_year: 2026}"
        )
    span = (term.first_year, term.last_year)
    if not path.exists():
        return History(archive=path.name, term=span)
    wanted = referenced_rules(rules)
    # Only what the consequences read is read (and checked): rules without consequences read
    # nothing but the archive's term.
    tables = ["members", "ledger"] if wanted else ["members"] if rules.consequences else ["terms"]
    conn = open_readonly(path, tables=tables)
    try:
        held = conn.execute(
            "SELECT name, first_year, last_year FROM terms WHERE unit = ?", (unit,)
        ).fetchone()
        if held is not None and tuple(held) != (term.name, *span):
            raise UsageError(
                f"履职档案 {path.name} 是{held[0]}（{held[1]}–{held[2]}）的档案，而规则写的是{term.name}"
                f"（{term.first_year}–{term.last_year}）；不同届次请用不同的档案文件"
            )
        params = (unit, term.first_year, year)
        if not rules.consequences:
            return History(archive=path.name, term=span)
        grades = pd.read_sql_query(
            "SELECT year, member_id, grade, total FROM members "
            "WHERE unit = ? AND year >= ? AND year < ?",
            conn,
            params=params,
        )
        if wanted:
            marks = ", ".join("?" * len(wanted))
            lines = pd.read_sql_query(
                "SELECT year, member_id, rule_id, note FROM ledger "
                f"WHERE unit = ? AND year >= ? AND year < ? AND rule_id IN ({marks})",
                conn,
                params=(*params, *wanted),
            )
        else:
            lines = pd.DataFrame(columns=["year", "member_id", "rule_id", "note"])
    finally:
        conn.close()
    return History(grades=grades, lines=lines, files=(), archive=path.name, term=span)
