"""Checks of what a valid rules file means: conditions that can never match a record.

The schema says a rules file is well formed; these checks say it can work with the input
format. A condition on a field the record kind does not have, or on a word no record can hold,
would silently score nothing — so it is an error, reported at its line. A word an open
vocabulary does not know (an office's own meeting type) is only a warning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..errors import Problem, Reason, Severity
from ..inputformat import RECORD_FIELDS, Vocabulary
from .schema import MATCH_FIELD_NAMES, MATCH_FIELDS, POOL_KIND, Condition, Rules

__all__ = ["check_meaning"]

_KIND_NAMES = {
    "proposal": "提案",
    "information": "社情民意",
    "adoption": "信息采用",
    "report": "调研报告",
    "meeting": "会议出勤",
    "activity": "活动",
    "duty": "双五个一登记",
}

Positions = dict[tuple, tuple[int, int]]


def check_meaning(rules: Rules, positions: Positions, name: str) -> list[Problem]:
    checker = _Checker(positions, name, rules.input_format().vocabularies)
    for c, category in enumerate(rules.categories):
        for i, item in enumerate(category.items):
            at: tuple[str | int, ...] = ("categories", c, "items", i)
            kind: str = item.match.kind
            checker.condition(kind, item.match, (*at, "match"))
            if item.points_by is not None:
                for field, table in item.points_by.items():
                    checker.values(kind, field, list(table), (*at, "points_by", field), keys=True)
            for k, case in enumerate(item.cases or []):
                if case.when is not None:
                    checker.condition(kind, case.when, (*at, "cases", k, "when"))
    if rules.checklist is not None:
        for i, entry in enumerate(rules.checklist.items):
            for k, clause in enumerate(entry.any_of):
                checker.condition(clause.kind, clause, ("checklist", "items", i, "any_of", k))
    for a, award in enumerate(rules.awards):
        for k, clause in enumerate(award.requires.has or []):
            at = ("awards", a, "requires", "has", k)
            checker.condition(clause.kind, clause, at)
        for k, scored in enumerate(award.score or []):
            at = ("awards", a, "score", k, "match")
            checker.condition(scored.match.kind, scored.match, at)
        if award.min_share is not None:
            kind = POOL_KIND[award.pool]  # the records min_share looks at
            at = ("awards", a, "min_share", "match")
            checker.condition(kind, award.min_share.match, at)
            for field in ("subtype", "level", "role"):
                if getattr(award.min_share.match, field) is not None:
                    checker.add(
                        Severity.ERROR,
                        (*at, field),
                        f"评选“{award.name}”的 min_share 只能按 type、status、marks 保留名额，"
                        f"不能按{MATCH_FIELD_NAMES[field]}（{field}）",
                        "候选是整件提案或信息，没有这一项",
                    )
    top = rules.total.max
    for g, band in enumerate(rules.grades):
        if top is not None and band.min is not None and band.min > top:
            checker.add(
                Severity.WARNING,
                ("grades", g, "min"),
                f"等次“{band.grade}”的最低分 {band.min:g} 高于总分上限 {top:g}，永远达不到",
            )
    return sorted(checker.problems, key=lambda p: tuple(int(x) for x in p.cell.split(":")))


class _Checker:
    def __init__(self, positions: Positions, name: str, vocabularies: dict[str, Vocabulary]):
        self.vocabularies = vocabularies
        self.positions = positions
        self.name = name
        self.problems: list[Problem] = []

    def add(self, severity: Severity, path: tuple, message: str, suggestion: str = "") -> None:
        line, col = self._where(path)
        self.problems.append(
            Problem(
                severity, Reason.RULES, message, self.name, f"{line}:{col}", suggestion=suggestion
            )
        )

    def _where(self, path: tuple) -> tuple[int, int]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (1, 1)

    def condition(self, kind: str, condition: Condition, path: tuple) -> None:
        for field in MATCH_FIELDS:
            values = getattr(condition, field)
            if values is not None:
                self.values(kind, field, values, (*path, field))
        if condition.unless is not None:
            self.condition(kind, condition.unless, (*path, "unless"))

    def values(
        self, kind: str, field: str, values: Iterable[str], path: tuple, *, keys: bool = False
    ) -> None:
        fields = RECORD_FIELDS[kind]
        if field not in fields:
            self.add(
                Severity.ERROR,
                path,
                f"{_KIND_NAMES[kind]}记录（{kind}）没有“{MATCH_FIELD_NAMES[field]}”（{field}），此条件永远不会满足",
                f"{kind} 可用的字段：{'、'.join(fields)}",
            )
            return
        allowed = fields[field]
        for index, value in enumerate(values):
            where = (*path, value) if keys else (*path, index)
            if isinstance(allowed, tuple):
                self._fixed(kind, field, value, allowed, where)
            else:
                self._vocabulary(kind, field, value, allowed, where)

    def _fixed(
        self, kind: str, field: str, value: str, allowed: tuple[str, ...], where: tuple
    ) -> None:
        if value not in allowed:
            self.add(
                Severity.ERROR,
                where,
                f"{_KIND_NAMES[kind]}记录的“{MATCH_FIELD_NAMES[field]}”不会是“{value}”，此条件永远不会满足",
                f"可用：{'、'.join(allowed)}",
            )

    def _vocabulary(self, kind: str, field: str, value: str, key: str, where: tuple) -> None:
        vocab = self.vocabularies[key]
        if value in vocab.words:
            return
        canonical = vocab.alias_map().get(value)
        if canonical is not None:
            self.add(
                Severity.ERROR,
                where,
                f"“{value}”在读入时会统一写作“{canonical}”，规则中须写“{canonical}”，否则永远不会满足",
                f"改为“{canonical}”",
            )
            return
        close = difflib.get_close_matches(value, list(vocab.alias_map()), n=1, cutoff=0.5)
        hint = (
            f"是不是“{vocab.alias_map()[close[0]]}”？"
            if close
            else f"常用的词：{'、'.join(vocab.words)}"
        )
        if vocab.closed:
            self.add(
                Severity.ERROR, where, f"{vocab.name}没有“{value}”这个值，此条件永远不会满足", hint
            )
        else:
            self.add(
                Severity.WARNING,
                where,
                f"“{value}”不是常见的{vocab.name}；若本单位的登记表就这样写，请在 input.words.{key} 中登记这个词",
                hint,
            )
