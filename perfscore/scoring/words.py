"""Words that make a record score nothing, and records an award uses that were not scored.

A rule that scores records by a word (``points_by: {subtype: {国家: 10, 省: 8, 地市: 6, 县: 4}}``)
gives nothing to a record its ``match`` selects but whose word it does not list (市): the clerk
meant a level, the rules do not know the word, and the total silently lacks the points. The same
for a 双五个一 item no rule names (联系一村 for 联一村): the checklist is silently not done. Both
are errors naming the cell, with the listed words and the closest of them; writing the word into
the rules (``市: 0`` to score it nothing on purpose) settles it.

An award shortlist reads every record as written; one that picks an item whose record was not
scored (outside the member's term) gets a warning naming it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Protocol

import numpy as np
import pandas as pd

from ..errors import Problem, Reason, Severity
from ..inputformat import RECORD_KINDS, InputFormat
from ..rules import Rules
from ..rules.schema import POOL_KIND, Award
from .conditions import RecordTable

__all__ = ["known_words", "unlisted_word_problems", "unscored_award_problems"]

# The register column each record field is read from, where it is not the field's own name.
_COLUMN_OF = {"type": "type", "subtype": "subtype", "level": "level", "status": "status"}
_FIELD_NAMES = {"type": "类型", "subtype": "形式", "level": "级别", "status": "状态"}


def known_words(input_format: InputFormat) -> dict[tuple[str, str], set[str]]:
    """(record kind, field) -> the standard words of the field's vocabulary (the office's own
    included). A standard word a rule leaves out is left out on purpose (出席 in a rule that only
    deducts); a word outside them is one the rules could not have meant to leave out."""
    kind_of = {sheet_key: kind for kind, sheet_key in RECORD_KINDS.items()}
    known: dict[tuple[str, str], set[str]] = {}
    for sheet in input_format.sheets:
        kind = kind_of.get(sheet.key)
        for column in sheet.columns:
            vocabulary = input_format.vocabularies.get(column.vocabulary)
            if kind is not None and vocabulary is not None:
                known[(kind, column.key)] = set(vocabulary.words)
    return known


def unlisted_word_problems(
    table: RecordTable,
    rules: Rules,
    letters: dict[str, dict[str, str]],
    known: dict[tuple[str, str], set[str]],
) -> list[Problem]:
    """An error per record that an item's ``match`` selects but whose word its ``points_by``
    does not list, and per 双五个一 record whose item no rule names, when the word is not a
    standard word of its vocabulary (``known``, from :func:`known_words`). ``letters``: sheet
    name -> column key -> column letter, for the cell."""
    problems: list[Problem] = []
    for category in rules.categories:
        for item in category.items:
            if not item.points_by:
                continue
            by_field, table_of_points = next(iter(item.points_by.items()))
            if by_field == "marks" or by_field not in table.frame:
                continue  # several marks per record: an unlisted one beside a listed one is normal
            kind = item.match.kind
            p = table.kind_rows(kind)
            p = p[table.condition(item.match, kind, p)]
            values = table.array(by_field)[p]
            words = pd.Series(values, dtype=object).fillna("").astype(str)
            expected = [*table_of_points, *known.get((kind, by_field), ())]
            missed = (~words.isin(expected) & (words != "")).to_numpy()
            listed = list(table_of_points)
            problems.extend(
                _word_problem(
                    table,
                    row,
                    word,
                    by_field,
                    letters,
                    f"计分项“{item.name}”（{category.id}.{item.id}）按{_FIELD_NAMES.get(by_field, by_field)}计分，"
                    f"但没有列出“{word}”，这条记录不得分",
                    listed,
                    f"或在规则文件该项的 points_by.{by_field} 中写上“{word}”及其分值（不计分写 0）",
                )
                for row, word in _first_per_cell(table, p[missed], words[missed].tolist())
            )
    problems.extend(_duty_items(table, rules, letters, known.get(("duty", "type"), set())))
    return problems


def _duty_items(
    table: RecordTable, rules: Rules, letters: dict[str, dict[str, str]], standard: set[str]
) -> list[Problem]:
    """双五个一 records whose item no checklist clause or scoring item names."""
    named: set[str] = set()
    clauses = [c for i in (rules.checklist.items if rules.checklist else []) for c in i.any_of]
    clauses += [i.match for c in rules.categories for i in c.items]
    for clause in clauses:
        if clause.kind == "duty" and clause.type is not None:
            named.update(clause.type)
    if not named:
        return []
    p = table.kind_rows("duty")
    words = pd.Series(table.array("type")[p], dtype=object).fillna("").astype(str)
    missed = (~words.isin([*named, *standard]) & (words != "")).to_numpy()
    listed = sorted(named)
    return [
        _word_problem(
            table,
            row,
            word,
            "type",
            letters,
            f"“{word}”不是规则中的双五个一项目，这条记录不计入任何一项",
            listed,
            "或在规则文件 input.words.duty_item 中把它登记为某一项的别名",
        )
        for row, word in _first_per_cell(table, p[missed], words[missed].tolist())
    ]


def _first_per_cell(
    table: RecordTable, p: np.ndarray, words: list[str]
) -> Iterator[tuple[int, str]]:
    """(row position, word) once per register cell: a row of several members is one cell."""
    seen: set[tuple[str, int]] = set()
    sheets, rows = table.array("sheet")[p], table.array("row")[p]
    for position, word, sheet, row in zip(p.tolist(), words, sheets.tolist(), rows.tolist()):
        if (sheet, row) not in seen:
            seen.add((sheet, row))
            yield position, word


def _word_problem(
    table: RecordTable,
    position: int,
    word: str,
    field: str,
    letters: dict[str, dict[str, str]],
    message: str,
    listed: list[str],
    otherwise: str,
) -> Problem:
    sheet = str(table.array("sheet")[position])
    row = int(table.array("row")[position])
    letter = letters.get(sheet, {}).get(_COLUMN_OF.get(field, field), "")
    close = difflib.get_close_matches(word, listed, n=2, cutoff=0.3)
    close += [w for w in listed if word in w and w not in close]  # 市 -> 地市
    hint = f"是不是：{'、'.join(close[:2])}？" if close else ""
    return Problem(
        Severity.ERROR,
        Reason.UNLISTED_WORD,
        message,
        sheet,
        f"{letter}{row}",
        word,
        f"{hint}规则列出的词：{'、'.join(listed)}；请改为其中之一，{otherwise}",
    )


class AwardList(Protocol):
    """An award's shortlist as this check reads it (:class:`perfscore.awards.Shortlist`): the
    award and its winners, whose ``key`` column names each candidate item."""

    @property
    def award(self) -> Award: ...

    @property
    def winners(self) -> pd.DataFrame: ...


def unscored_award_problems(
    shortlists: Iterable[AwardList], written: RecordTable, scored: RecordTable
) -> list[Problem]:
    """A warning for each listed candidate (a proposal or information item) whose first author's
    record was not scored: outside the member's term, say."""
    problems = []
    for shortlist in shortlists:
        pool = shortlist.award.pool
        if pool == "members" or shortlist.winners.empty:
            continue
        kind = POOL_KIND[pool]
        scored_keys = _lead_keys(scored, kind)
        rows = written.kind_rows(kind)
        rows = rows[written.array("position")[rows] == 1]
        source = dict(
            zip(
                written.array("item_id")[rows].tolist(),
                written.array("source")[rows].tolist(),
                strict=True,
            )
        )
        for key in shortlist.winners["key"].astype(str):
            if key in scored_keys or key not in source:
                continue
            sheet, _, cell = str(source[key]).partition("!")
            problems.append(
                Problem(
                    Severity.WARNING,
                    Reason.OUTSIDE_TERM,
                    f"“{shortlist.award.name}”名单列入了 {key}，但它第一作者的这条记录没有计分"
                    "（如不在委员任期内）",
                    sheet,
                    cell,
                    key,
                    "请核对这件的日期和委员的任职起止日期；如不应参评，请从名单中去掉",
                )
            )
    return problems


def _lead_keys(table: RecordTable, kind: str) -> set[str]:
    rows = table.kind_rows(kind)
    rows = rows[table.array("position")[rows] == 1]
    return set(table.array("item_id")[rows].astype(str).tolist())
