"""Stage 3 — score: records + rules -> the ledger (积分明细), one line per award of points.

The order in which rules apply is documented in docs/scoring.md; this module follows it step
by step. Each rule item is applied to all records at once (vectorised); the only Python loop is
over the rules file's items. Caps, floors, start scores, the base and the checklist bonus are
ledger lines of their own, so a member's total is exactly the sum of their lines.

How it stays fast at 1 million records: the records are turned once per run into numpy arrays
(:class:`RecordTable`): each member's position in the roster, and for every field a rule can test
(kind, type, status …) integer codes over its few distinct values. A condition is then a lookup
in a small table of booleans indexed by code, and each item looks only at the records of its
kind. Each item yields a :class:`_Part` (record positions, member codes, points, notes); the
ledger DataFrame is built once, at the end, from all parts.

``Scoring.ledger`` columns: member_id, category, category_name, rule_id, rule_name, points,
date, sheet, row, source, item_id, title, note. Lines not from a sheet have row 0, source ''.

``Scoring.checklist`` columns: member_id, item, done, count, date, source — one row per member
per checklist item; ``count`` is how many records match it, ``source`` the cell of the earliest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import Problem, Reason, Severity
from .periods import period_lines
from .records import Records
from .rules import Category, Condition, Item, Match, Rules
from .text import number_text, percent_text

__all__ = [
    "Scoring",
    "score",
    "LEDGER_COLUMNS",
    "round_points",
    "RecordTable",
    "condition_mask",
    "factorize_values",
    "joined_texts",
    "stable_sorted",
    "checklist_applies",
]

LEDGER_COLUMNS = [
    "member_id",
    "category",
    "category_name",
    "rule_id",
    "rule_name",
    "points",
    "date",
    "sheet",
    "row",
    "source",
    "item_id",
    "title",
    "note",
]
CHECKLIST_COLUMNS = ["member_id", "item", "done", "count", "date", "source"]
_RECORD_ORDER = ["date", "sheet", "row", "position"]
_FIELDS = ("type", "subtype", "status", "level", "role")
_EPSILON = 1e-9


class Scoring:
    """What scoring produced: the ledger, the checklist and the problems found.

    ``ledger`` is built on first use from ``lines`` (the ledger's parts as arrays), so that the
    assessment, which lists the ledger member by member in ranking order, can build its copy
    straight from the parts; a caller that reads ``ledger`` gets the same frame as always.
    ``checklist_done`` (with ``lines``) is the checklist's ``done`` column as a matrix, checklist
    item by member in roster order, for the assessment to count without matching ids."""

    def __init__(
        self,
        ledger: pd.DataFrame | None = None,
        checklist: pd.DataFrame | None = None,
        problems: list[Problem] | None = None,
        *,
        lines: _Lines | None = None,
        checklist_done: np.ndarray | None = None,
    ) -> None:
        if ledger is None and lines is None:
            raise TypeError("Scoring needs a ledger")
        self._ledger = ledger
        self.lines = lines
        self.checklist = checklist
        self.checklist_done = checklist_done
        self.problems = list(problems or [])

    @property
    def ledger(self) -> pd.DataFrame:
        if self._ledger is None:
            self._ledger = self.lines.frame()
        return self._ledger

    def __repr__(self) -> str:
        return f"Scoring(<{len(self.lines) if self.lines is not None else len(self._ledger)} ledger lines>, problems={len(self.problems)})"


def score(records: Records, rules: Rules) -> Scoring:
    """Apply ``rules`` to ``records``; see docs/scoring.md for the exact order."""
    members = records.members
    settings = rules.settings
    roster = _Roster(members, records.records["member_id"], year=records.year, as_of=records.as_of)
    table, problems = _records_table(
        records.records, roster, settings.outside_term, settings.merged_credit
    )

    def rounded(part: _Part | None) -> _Part | None:
        if part is not None:
            part.points = _round(part.points, settings.decimals, settings.rounding)
        return part

    parts: list[_Part | None] = []
    everyone = np.arange(roster.size)
    if rules.base:
        parts.append(
            _member_part(everyone, rules.base, "", "", "base", "基础分", "每位委员的基础分")
        )
    months = roster.months(records.year) if settings.pro_rate == "months" else None
    for category in rules.categories:
        parts.extend(_category_parts(table, roster, category, rounded, months))

    checklist, done = _checklist(table, roster, rules)
    if rules.checklist is not None and rules.checklist.bonus:
        applies = checklist_applies(rules, members)
        complete = np.flatnonzero((done | ~applies).all(axis=0))
        asked = applies.sum(axis=0)[complete]
        parts.append(
            _member_part(
                complete,
                rules.checklist.bonus,
                "",
                "",
                "checklist.bonus",
                f"{rules.checklist.name}全部完成",
                np.array(
                    [f"{rules.checklist.name} {n} 项全部完成" for n in range(len(applies) + 1)],
                    dtype=object,
                )[asked],
            )
        )

    parts = [p for p in parts if p is not None and len(p)]
    if not parts:  # nothing scored at all: only a total floor can add lines
        return Scoring(
            ledger=_ledger_without_lines(roster, rules), checklist=checklist, problems=problems
        )
    parts.append(
        rounded(
            _bound_part(
                parts, everyone, rules.total.max, rules.total.min, "", "", "total.cap", "总分上下限"
            )
        )
    )
    lines = _Lines([p for p in parts if p is not None and len(p)], table, roster)
    return Scoring(checklist=checklist, problems=problems, lines=lines, checklist_done=done)


def round_points(values: pd.Series, decimals: int, mode: str) -> pd.Series:
    """Round to ``decimals`` places: half_up (away from zero) or half_even, tolerant of float noise."""
    return pd.Series(_round(values.to_numpy(dtype=float), decimals, mode), index=values.index)


def _round(values: np.ndarray, decimals: int, mode: str) -> np.ndarray:
    factor = 10.0**decimals
    scaled = np.abs(values) * factor
    floor = np.floor(scaled + _EPSILON)
    frac = scaled - floor
    half = np.abs(frac - 0.5) < 1e-6
    if mode == "half_even":
        up = (frac > 0.5 + 1e-6) | (half & (floor % 2 == 1))
    else:
        up = (frac > 0.5 + 1e-6) | half
    result = np.sign(values) * (floor + up) / factor
    return result + 0.0  # + 0.0 turns -0.0 into 0.0


# --- the members and the records as arrays -----------------------------------------------------


class _Roster:
    """The members by position (code 0 … size-1, roster order). Records naming someone not on
    the roster (never from ``normalise``) get codes from ``size`` on, so they still score but
    take no start, base, cap or checklist line, as before."""

    def __init__(
        self,
        members: pd.DataFrame,
        record_ids: pd.Series,
        *,
        year: int = 0,
        as_of: pd.Timestamp | None = None,
    ) -> None:
        self.members = members
        self.year = year  # the assessment year, and the day a progress report stands on
        self.as_of = as_of
        self.size = len(members)
        index = pd.Index(members["member_id"])
        if not index.is_unique:  # refused as before (normalise never gives such a roster)
            record_ids.to_frame().merge(
                members[["member_id"]], on="member_id", how="left", validate="many_to_one"
            )
        codes = index.get_indexer(record_ids)
        unknown = codes < 0
        ids = members["member_id"].array
        if unknown.any():
            extra_codes, extra = pd.factorize(record_ids[unknown].to_numpy())
            codes[unknown] = self.size + extra_codes
            ids = pd.array([*ids, *extra], dtype=record_ids.dtype)
        self.record_codes = codes.astype(np.int64)
        self.ids = ids  # member_id by code, the unknown ones after the roster
        n_all = len(ids)
        standing = np.full(n_all, -1, dtype=np.int8)  # 1 常委, 0 not, -1 unknown (matches neither)
        values = members["standing"]
        standing[: self.size][(values == True).to_numpy(dtype=bool)] = 1  # noqa: E712 — as ``== True`` compared before
        standing[: self.size][(values == False).to_numpy(dtype=bool)] = 0  # noqa: E712
        self.standing = standing
        self.term_start = _extended(members["term_start"], n_all)
        self.term_end = _extended(members["term_end"], n_all)

    def months(self, year: int) -> np.ndarray:
        """Months of ``year`` in office by code (0 for someone not on the roster: never pro-rated)."""
        months = np.zeros(len(self.ids), dtype=np.int64)
        months[: self.size] = _months_in_office(self.members, year).to_numpy()
        return months


def _extended(column: pd.Series, size: int) -> np.ndarray:
    values = column.to_numpy()
    if size == len(values):
        return values
    return np.concatenate(
        [values, np.full(size - len(values), np.datetime64("NaT"), dtype=values.dtype)]
    )


class RecordTable:
    """The records being scored: ``rows`` are their positions in ``frame`` (records outside the
    term or dropped 并案 originals are not among them); every array here is over those rows.

    ``member`` is each row's roster code and ``standing`` its member's 常委 flag (1, 0, or -1 for
    someone not on the roster); the award shortlists, reading the records on their own, have
    neither (None). A field's codes are kept per record kind (a condition always looks at one
    kind's records): ``codes(name, kind)`` is over ``kind_rows(kind)``, and ``within[r]`` is
    row r's place there."""

    def __init__(
        self,
        frame: pd.DataFrame,
        rows: np.ndarray,
        member: np.ndarray | None,
        standing: np.ndarray | None,
    ) -> None:
        self.frame = frame
        self.rows = rows
        self.n = len(rows)
        self.member = member
        self.standing = standing
        self._codes: dict[tuple[str, str], tuple[np.ndarray, pd.Index]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._kinds: dict[str, np.ndarray] = {}
        self._luts: dict[tuple, np.ndarray] = {}
        self.within = np.zeros(self.n, dtype=np.int64)

    def array(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            values = self.frame[name].to_numpy()
            self._arrays[name] = (
                values if self.n == len(values) else values[self.rows]
            )  # rows ascending: all or some
        return self._arrays[name]

    def all_codes(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """Codes into the field's distinct values over all the rows."""
        if (name, "") not in self._codes:
            self._codes[name, ""] = factorize_values(self.array(name))
        return self._codes[name, ""]

    def kind_rows(self, kind: str) -> np.ndarray:
        if kind not in self._kinds:
            codes, uniques = self.all_codes("kind")
            where = uniques.get_indexer([kind])[0]
            rows = np.flatnonzero(codes == where) if where >= 0 else np.zeros(0, dtype=np.int64)
            self.within[rows] = np.arange(len(rows))
            self._kinds[kind] = rows
        return self._kinds[kind]

    def codes(self, name: str, kind: str) -> tuple[np.ndarray, pd.Index]:
        """Codes into the field's distinct values among ``kind``'s rows (-1 for NaN)."""
        if (name, kind) not in self._codes:
            values = self.array(name)[self.kind_rows(kind)]
            self._codes[name, kind] = factorize_values(values)
        return self._codes[name, kind]

    def field(self, name: str, kind: str, p: np.ndarray, key, build) -> np.ndarray:
        """``build(distinct values)`` (one entry more, for NaN, last) spread to the rows ``p`` of
        ``kind``; built once per field, kind and ``key``."""
        codes, uniques = self.codes(name, kind)
        if (name, kind, key) not in self._luts:
            self._luts[name, kind, key] = build(uniques)
        return self._luts[name, kind, key][codes[self.within[p]]]

    def condition(self, condition: Condition | None, kind: str, p: np.ndarray) -> np.ndarray:
        """Which of the rows ``p`` (all of ``kind``) meet every listed condition (as ``condition_mask``)."""
        mask = np.ones(len(p), dtype=bool)
        if condition is None:
            return mask
        for name in _FIELDS:
            allowed = getattr(condition, name)
            if allowed is not None:
                mask &= self.field(
                    name,
                    kind,
                    p,
                    ("isin", tuple(allowed)),
                    lambda uniques, allowed=allowed: np.append(uniques.isin(allowed), False),
                )
        if condition.marks is not None:
            pattern = "|".join(re.escape(mark) for mark in condition.marks)
            if pattern:
                mask &= self.field(
                    "marks",
                    kind,
                    p,
                    ("contains", pattern),
                    lambda uniques: np.append(_contains(uniques, pattern), False),
                )
            else:
                mask[:] = False
        if condition.standing is not None:
            if self.standing is None:  # records without members' 常委 flag, as condition_mask would
                raise KeyError("standing")
            mask &= self.standing[p] == int(condition.standing)
        if condition.unless is not None:  # an empty cell does not meet ``unless``: it stays
            mask &= ~self.condition(condition.unless, kind, p)
        return mask

    def match(self, match: Match) -> np.ndarray:
        """The rows (positions, ascending) a ``match`` clause selects."""
        rows = self.kind_rows(match.kind)
        return rows[self.condition(match, match.kind, rows)]


def factorize_values(values: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` (codes, distinct values), faster when equal values come in runs, as a
    register's kind, sheet or type mostly do: only the first value of each run is hashed."""
    if len(values) > 1000:
        try:
            changes = np.asarray(values[1:] != values[:-1], dtype=bool)
        except (TypeError, ValueError):
            changes = None
        if changes is not None:
            heads = np.flatnonzero(np.concatenate([[True], changes]))
            if len(heads) * 4 < len(values):
                codes, uniques = pd.factorize(values[heads])
                return np.repeat(codes, np.diff(np.append(heads, len(values)))), pd.Index(uniques)
    codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques)


def stable_sorted(frame: pd.DataFrame, columns: list[str], ascending: list[bool]) -> pd.DataFrame:
    """``frame.sort_values(columns, ascending=ascending, kind="stable")``, sorting on fewer
    columns when it can: a frame often comes already in order of its last keys (members in
    roster order by id, the ranking by total and id, items numbered in the order registered),
    and a stable sort on the leading keys alone then gives the same order. Sorting text is
    the costly part."""
    needed = next(
        (n for n in range(len(columns)) if _in_order(frame, columns[n:], ascending[n:])),
        len(columns),
    )
    if not needed:
        return frame.copy(deep=False)
    return frame.sort_values(columns[:needed], ascending=ascending[:needed], kind="stable")


def _in_order(frame: pd.DataFrame, columns: list[str], ascending: list[bool]) -> bool:
    """Whether each row comes, by ``columns`` (compared in turn), no later than the next: True
    only for columns of numbers, dates or text without missing values (ordered as sorting them
    would order them); False whenever unsure."""
    undecided = np.ones(max(len(frame) - 1, 0), dtype=bool)  # pairs equal on the columns so far
    for k, (column, up) in enumerate(zip(columns, ascending)):
        values = frame[column]
        if (
            not (values.dtype.kind in "biufM" or isinstance(values.dtype, pd.StringDtype))
            or values.isna().any()
        ):
            return False
        array = values.to_numpy()
        first, then = array[:-1][undecided], array[1:][undecided]
        if (first > then if up else first < then).any():
            return False
        if k + 1 < len(columns):
            undecided[undecided] = first == then
            if not undecided.any():
                break
    return True


def joined_texts(
    codes: np.ndarray, uniques: pd.Index, texts: np.ndarray, separator: str
) -> pd.Series:
    """``texts.groupby(keys).agg(separator.join)`` (keys given as codes into ``uniques``, -1 for
    none) without a Python call per group: the k-th text of every group is appended at once,
    for k = 1, 2, … (a group has a few texts)."""
    keep = codes >= 0
    codes, values = codes[keep], texts[keep]
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    starts = (
        np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
        if len(codes)
        else np.zeros(0, dtype=np.int64)
    )
    sizes = np.diff(np.append(starts, len(codes)))
    joined = values[starts].copy()
    for k in range(1, int(sizes.max(initial=0))):
        more = sizes > k
        joined[more] = joined[more] + separator + values[starts[more] + k]
    return pd.Series(joined, index=uniques.take(codes[starts]), dtype=object)


def _contains(uniques: pd.Index, pattern: str) -> np.ndarray:
    found = pd.Series(uniques).str.contains(pattern, regex=True)
    return found.fillna(False).to_numpy(dtype=bool)


def _records_table(
    frame: pd.DataFrame, roster: _Roster, policy: str, merged_credit: str
) -> tuple[RecordTable, list[Problem]]:
    """Term policy (docs/scoring.md §1), then the 并案 credit, as row positions over ``frame``."""
    member = roster.record_codes
    dates = frame["date"].to_numpy()
    outside = (dates < roster.term_start[member]) | (dates > roster.term_end[member])
    problems: list[Problem] = []
    if outside.any():
        action = "未计分" if policy == "skip" else "照常计分（outside_term: count）"
        names = np.append(
            roster.members["name"].to_numpy(dtype=object),
            [np.nan] * (len(roster.ids) - roster.size),
        )
        at = np.flatnonzero(outside)
        who = member[at]
        problems = [
            Problem(
                Severity.WARNING,
                Reason.OUTSIDE_TERM,
                f"{name}（{mid}）的记录日期 {date:%Y-%m-%d} 不在任期内（{_term(start, end)}），{action}",
                sheet,
                source.split("!")[-1],
                member_id=mid,
            )
            for mid, name, date, start, end, sheet, source in zip(
                frame["member_id"].iloc[at],
                names[who],
                frame["date"].iloc[at],
                pd.Series(roster.term_start[who]),
                pd.Series(roster.term_end[who]),
                frame["sheet"].iloc[at],
                frame["source"].iloc[at],
            )
        ]
    rows = (
        np.flatnonzero(~outside) if (policy == "skip" and outside.any()) else np.arange(len(frame))
    )

    if merged_credit != "as_merged" and len(rows):
        kept = frame.iloc[rows]
        merged = ((kept["kind"] == "proposal") & (kept["status"] == "并案")).to_numpy()
        if merged.any():
            if merged_credit == "none":
                rows = rows[~merged]
            else:  # as_target: the status of the case it merged into (from the kept records)
                recs = kept.reset_index(drop=True)
                proposals = (
                    recs.loc[recs["kind"] == "proposal"]
                    .drop_duplicates("item_id")
                    .set_index("item_id")["status"]
                )
                target_status = recs.loc[merged, "merged_into"].map(proposals)
                recs = recs.copy()
                recs.loc[merged, "status"] = target_status.fillna("并案")
                frame, member, rows = recs, member[rows], np.arange(len(recs))
                return RecordTable(frame, rows, member, roster.standing[member]), problems
    member = member[rows]
    return RecordTable(frame, rows, member, roster.standing[member]), problems


# --- parts of the ledger -----------------------------------------------------------------------


@dataclass
class _Part:
    """Ledger lines of one rule: from records (``rows`` into the table) or per member (no rows)."""

    member: np.ndarray  # member codes
    points: np.ndarray
    note: np.ndarray  # object array of str
    rows: np.ndarray | None
    category: str
    category_name: str
    rule_id: str
    rule_name: str
    note_object: bool = (
        False  # notes joined from pieces: the ledger's note column is then object, not str, dtype
    )

    def __len__(self) -> int:
        return len(self.member)


def _member_part(
    member: np.ndarray,
    points,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
    note,
) -> _Part:
    """Lines not tied to a sheet cell (base, start, caps, bonus)."""
    n = len(member)
    return _Part(
        member=np.asarray(member, dtype=np.int64),
        points=np.broadcast_to(np.asarray(points, dtype=float), (n,)).copy(),
        note=np.broadcast_to(np.asarray(note, dtype=object), (n,)).copy(),
        rows=None,
        category=category,
        category_name=category_name,
        rule_id=rule_id,
        rule_name=rule_name,
    )


def _category_parts(
    table: RecordTable, roster: _Roster, category: Category, rounded, months: np.ndarray | None
) -> list[_Part]:
    """A category's lines: its start score, each item's lines and caps, the pro-rating of what
    records earned (when set), and last the category's own cap."""
    member_codes = np.arange(roster.size)
    if category.standing is not None:  # a category for 常委 only (or for the others only)
        member_codes = member_codes[roster.standing[: roster.size] == int(category.standing)]
    earned: list[_Part | None] = []  # lines from records, with the items' caps
    for item in category.items:
        if item.per_period is not None:
            item_parts = [
                rounded(p) for p in _period_parts(table, roster, item, category, member_codes)
            ]
        else:
            item_parts = [rounded(_item_part(table, item, category))]
        earned.extend(item_parts)
        earned.append(
            rounded(
                _bound_part(
                    item_parts,
                    member_codes,
                    item.max,
                    item.min,
                    category.id,
                    category.name,
                    f"{category.id}.{item.id}.cap",
                    f"{item.name}上下限",
                )
            )
        )
    lines = list(earned)
    if category.start:
        lines.insert(
            0,
            _member_part(
                member_codes,
                category.start,
                category.id,
                category.name,
                f"{category.id}.start",
                f"{category.name}起始分",
                f"{category.name}从 {number_text(category.start)} 分起计",
            ),
        )
    if months is not None:
        lines.append(rounded(_pro_rate_part(earned, months, category)))
    lines.append(
        rounded(
            _bound_part(
                lines,
                member_codes,
                category.max,
                category.min,
                category.id,
                category.name,
                f"{category.id}.cap",
                f"{category.name}上下限",
            )
        )
    )
    return [part for part in lines if part is not None and len(part)]


def _period_parts(
    table: RecordTable, roster: _Roster, item: Item, category: Category, member_codes: np.ndarray
) -> list[_Part]:
    """A per-period item's lines (see :mod:`perfscore.periods`): one per required period of each
    member the category applies to, met (with its first record's cell) or missed."""
    kind = item.match.kind
    p = table.kind_rows(kind)
    if category.standing is not None:
        p = p[table.standing[p] == int(category.standing)]
    p = p[table.condition(item.match, kind, p)]
    position = table.array("position")
    if item.credit.max_authors is not None:
        p = p[position[p] <= item.credit.max_authors]
    if item.credit.mode == "first_only":
        p = p[position[p] == 1]
    member = table.member[p]
    on_roster = member < roster.size
    p, member = p[on_roster], member[on_roster]
    found = period_lines(
        item.per_period,
        roster.year,
        members=member_codes,
        term_start=roster.term_start[: roster.size],
        term_end=roster.term_end[: roster.size],
        record_member=member,
        record_date=table.array("date")[p],
        record_order=_record_order(table)[p],
        rows=p,
        as_of=roster.as_of,
    )
    spec = item.per_period
    common = dict(
        category=category.id,
        category_name=category.name,
        rule_id=f"{category.id}.{item.id}",
        rule_name=item.name,
        note_object=True,
    )
    return [
        _Part(
            member=found.met_member,
            points=np.full(len(found.met_member), float(spec.met)),
            note=found.met_note,
            rows=found.met_rows,
            **common,
        ),
        _Part(
            member=found.missed_member,
            points=np.full(len(found.missed_member), float(spec.missed)),
            note=found.missed_note,
            rows=None,
            **common,
        ),
    ]


def _item_part(table: RecordTable, item: Item, category: Category) -> _Part:
    kind = item.match.kind
    p = table.kind_rows(kind)
    if category.standing is not None:
        p = p[table.standing[p] == int(category.standing)]
    p = p[table.condition(item.match, kind, p)]
    credit = item.credit
    position = table.array("position")
    if credit.max_authors is not None:
        p = p[position[p] <= credit.max_authors]
    if credit.mode == "first_only":
        p = p[position[p] == 1]

    note_object = False
    if item.points is not None:
        points = np.full(len(p), float(item.points))
        note = np.full(len(p), "", dtype=object)
    elif item.cases is not None:
        # The first case whose condition holds gives the points; records fitting none score nothing.
        masks = [table.condition(case.when, kind, p) for case in item.cases]
        points = np.select(masks, [case.points for case in item.cases], default=np.nan)
        labels = [_condition_label(case.when) for case in item.cases]
        note = np.array([*labels, ""], dtype=object)[
            np.select(masks, range(len(labels)), default=len(labels))
        ]
        note_object = True
        keep = ~np.isnan(points)
        p, points, note = p[keep], points[keep], note[keep]
    else:
        by_field, table_of_points = next(iter(item.points_by.items()))
        key = ("points_by", tuple(table_of_points.items()))
        if by_field == "marks":  # a proposal may carry several marks: each listed one scores

            def build(uniques: pd.Index) -> np.ndarray:
                values = pd.Series(uniques)
                has = {
                    mark: values.str.contains(f"(?:^|、){re.escape(mark)}(?:$|、)", regex=True)
                    for mark in table_of_points
                }
                sums = sum(
                    (has[mark] * value for mark, value in table_of_points.items()),
                    pd.Series(0.0, index=values.index),
                )
                sums = sums.where(pd.concat(has, axis=1).any(axis=1) if has else False)
                return np.append(sums.to_numpy(dtype=float), np.nan)
        else:

            def build(uniques: pd.Index) -> np.ndarray:
                return np.append(
                    pd.Series(uniques).map(table_of_points).astype(float).to_numpy(), np.nan
                )

        points = table.field(by_field, kind, p, key, build)
        keep = ~np.isnan(points)
        p, points = p[keep], points[keep]
        note = table.field(
            by_field,
            kind,
            p,
            "text",
            lambda uniques: np.append(pd.Series(uniques).astype(str).to_numpy(dtype=object), "nan"),
        )

    if credit.mode == "split":
        n = table.array("n_authors")[p]
        if credit.max_authors:
            n = np.minimum(n, credit.max_authors)
        first = position[p] == 1
        others = (1 - credit.lead_share) / np.where(n > 1, n - 1, 1)
        share = np.where(n == 1, 1.0, np.where(first, credit.lead_share, others))
        points = points * share
        split_note = np.where(
            n == 1,
            "",
            np.where(
                first,
                f"分摊：第一作者得 {percent_text(credit.lead_share)}",
                _texts("分摊：其余 ", n - 1, f" 人平分 {percent_text(1 - credit.lead_share)}"),
            ),
        ).astype(object)
        note = _join(note, split_note)
        note_object = True

    if item.stack == "highest" or item.count == "once" or item.from_nth > 1:
        p, points, note = _counted(table, item, p, points, note)
        note_object = True

    return _Part(
        member=table.member[p],
        points=points.astype(float),
        note=note,
        rows=p,
        category=category.id,
        category_name=category.name,
        rule_id=f"{category.id}.{item.id}",
        rule_name=item.name,
        note_object=note_object,
    )


def _counted(table: RecordTable, item: Item, p: np.ndarray, points: np.ndarray, note: np.ndarray):
    """stack: highest, count: once and from_nth, on the item's lines (docs/scoring.md §2.6–7)."""
    lines = pd.DataFrame(
        {
            "member_id": table.member[p],
            "item_id": table.frame["item_id"].array.take(table.rows[p]),
            "points": points,
            "note": note,
            "date": table.array("date")[p],
            "sheet": table.frame["sheet"].array.take(table.rows[p]),
            "row": table.array("row")[p],
            "position": table.array("position")[p],
            "_p": p,
        }
    )
    if item.stack == "highest":
        lines = _keep_best(lines, ["member_id", "item_id"])
        lines = lines.assign(
            note=_join(lines["note"].to_numpy(dtype=object), "同一事项只取最高一项")
        )
    if item.count == "once":
        lines = _keep_best(lines, ["member_id"])
        lines = lines.assign(note=_join(lines["note"].to_numpy(dtype=object), "只计一次"))
    if item.from_nth > 1:
        lines = lines.sort_values(_RECORD_ORDER, kind="stable")
        nth = (lines.groupby("member_id", sort=False).cumcount() + 1).to_numpy()
        later = nth >= item.from_nth
        lines = lines[later]
        lines = lines.assign(
            note=_join(lines["note"].to_numpy(dtype=object), _texts("第 ", nth[later], " 条"))
        )
    return (
        lines["_p"].to_numpy(),
        lines["points"].to_numpy(dtype=float),
        lines["note"].to_numpy(dtype=object),
    )


def _texts(before: str, values: np.ndarray, after: str, show=str) -> np.ndarray:
    """before + show(v) + after for each v (as ``before + series.astype(str) + after`` with the
    default ``show``), made once per distinct value and shared by the lines that have it.
    Floats are told apart by their bits, so 0.0 and -0.0 keep their own texts."""
    values = np.asarray(values)
    is_float = values.dtype.kind == "f"
    distinct, codes = np.unique(
        values.view(f"i{values.itemsize}") if is_float else values, return_inverse=True
    )
    distinct = distinct.view(values.dtype) if is_float else distinct
    texts = np.array([before + show(value) + after for value in distinct.tolist()], dtype=object)
    return texts[codes.reshape(-1)] if len(values) else np.zeros(0, dtype=object)


def _join(left: np.ndarray, right) -> np.ndarray:
    """Two notes per line joined by '；' when both are given, else whichever is.

    Joined once per distinct pair of notes (a rule's notes have a few distinct texts): joining
    line by line would make a string object per line, and the ledger, taking its notes in
    ranking order, reads every object it holds."""
    right = np.broadcast_to(np.asarray(right, dtype=object), left.shape)
    left_codes, left_texts = pd.factorize(left, use_na_sentinel=False)
    right_codes, right_texts = pd.factorize(right, use_na_sentinel=False)
    pair, pairs = pd.factorize(left_codes.astype(np.int64) * len(right_texts) + right_codes)
    first, then = (
        np.asarray(left_texts, dtype=object)[pairs // max(len(right_texts), 1)],
        np.asarray(right_texts, dtype=object)[pairs % max(len(right_texts), 1)],
    )
    both = (first != "") & (then != "")
    return (first + np.where(both, "；", "").astype(object) + then)[pair]


def condition_mask(recs: pd.DataFrame, condition: Condition | None) -> pd.Series:
    """Records meeting every condition listed (a list of values means any of them)."""
    mask = pd.Series(True, index=recs.index)
    if condition is None:
        return mask
    for name in ("type", "subtype", "status", "level", "role"):
        allowed = getattr(condition, name)
        if allowed is not None:
            mask &= recs[name].isin(allowed)
    if condition.marks is not None:
        pattern = "|".join(re.escape(mark) for mark in condition.marks)
        mask &= recs["marks"].str.contains(pattern, regex=True) if pattern else False
    if condition.standing is not None:
        mask &= recs["standing"] == condition.standing
    if condition.unless is not None:
        mask &= ~condition_mask(recs, condition.unless)
    return mask


def _condition_label(condition: Condition | None) -> str:
    """A short note naming what a case matched: '个人' or '联名、领衔' or '其余'."""
    if condition is None:
        return "其余"
    values = [
        v
        for name in ("type", "subtype", "status", "level", "role", "marks")
        for v in (getattr(condition, name) or [])
    ]
    if condition.standing is not None:
        values.append("常委" if condition.standing else "非常委")
    if condition.unless is not None:
        values.append(f"不含{_condition_label(condition.unless)}")
    return "、".join(values)


def _keep_best(lines: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys``, the line with the most points; earliest (date, sheet, row) on ties."""
    ordered = lines.assign(_neg=-lines["points"]).sort_values(
        ["_neg", *_RECORD_ORDER], kind="stable"
    )
    return (
        ordered.drop_duplicates(keys).drop(columns="_neg").sort_values(_RECORD_ORDER, kind="stable")
    )


def _sums(parts: list[_Part | None], size: int = 0) -> np.ndarray:
    """Each member code's sum of the parts' points (0 without lines), by code from 0 to at least
    ``size`` - 1, added up line by line in ledger order (see :func:`_grouped_sums`)."""
    nonempty = [part for part in parts if part is not None and len(part)]
    if not nonempty:
        return np.zeros(size)
    return _grouped_sums(
        np.concatenate([part.member for part in nonempty]),
        np.concatenate([part.points for part in nonempty]),
        size,
    )


def _grouped_sums(member: np.ndarray, points: np.ndarray, size: int = 0) -> np.ndarray:
    """Sums of ``points`` by ``member`` code (0 … at least ``size`` - 1), bit for bit as
    ``groupby(member).sum()``: that sums with compensation (``np.bincount``'s plain running sums
    can differ in the last bit). The codes are given to groupby as a categorical, which it
    groups by as they are, instead of hashing a million codes first."""
    size = max(size, int(member.max(initial=-1)) + 1)
    keys = pd.Categorical.from_codes(member, categories=pd.RangeIndex(size))
    return pd.Series(points).groupby(keys, observed=False).sum().to_numpy()


def _bound_part(
    parts: list[_Part | None],
    member_codes: np.ndarray,
    upper: float | None,
    lower: float | None,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
) -> _Part | None:
    """Lines that bring each member's sum of ``parts`` within [lower, upper]."""
    if upper is None and lower is None:
        return None
    sums = _sums(parts, int(member_codes.max(initial=-1)) + 1)[member_codes]
    adjust = np.zeros(len(sums))
    notes = np.full(len(sums), "", dtype=object)
    for bound, beyond, word in (
        (upper, sums > (upper or 0) + _EPSILON, "封顶"),
        (lower, sums < (lower or 0) - _EPSILON, "保底"),
    ):
        if bound is None or not beyond.any():
            continue
        adjust[beyond] = bound - sums[beyond]
        notes[beyond] = _texts(
            f"{word} {number_text(bound)} 分（原为 ",
            np.round(sums[beyond], 4).astype(float),
            " 分）",
            number_text,
        )
    hit = adjust != 0
    return _member_part(
        member_codes[hit], adjust[hit], category, category_name, rule_id, rule_name, notes[hit]
    )


def _pro_rate_part(
    item_parts: list[_Part | None], months: np.ndarray, category: Category
) -> _Part | None:
    """Scale a part-year member's points earned from records in this category to a full year
    (× 12 / months in office). The start score is not scaled; the category's cap applies after."""
    lines = [part for part in item_parts if part is not None and len(part)]
    if not lines:
        return None
    who = pd.unique(np.concatenate([part.member for part in lines]))  # in order of first line
    earned = _sums(lines)[who]
    served = months[who]
    part_year = (served > 0) & (served < 12) & (earned != 0)
    if not part_year.any():
        return None
    who, points, m = who[part_year], earned[part_year], served[part_year]
    notes = [
        f"任职 {n} 个月，本类记录得分 {number_text(round(p, 4))} 分按全年折算 ×12/{n}"
        for n, p in zip(m, points)
    ]
    return _member_part(
        who,
        points * (12 / m - 1),
        category.id,
        category.name,
        f"{category.id}.pro_rate",
        f"{category.name}任期折算",
        np.array(notes, dtype=object),
    )


class _Lines:
    """The ledger as its parts, in order: one array per column over all lines, and the ledger
    DataFrame built from them in one construction (in ledger order, or in any order asked)."""

    def __init__(self, parts: list[_Part], table: RecordTable, roster: _Roster) -> None:
        self.parts = parts
        self.table = table
        self.roster = roster
        lengths = np.array([len(part) for part in parts])
        # which and rows as 32-bit integers: taking them in ranking order (a million lines read
        # in no particular order) costs a quarter of what 64-bit ones do
        self.which = np.repeat(
            np.arange(len(parts), dtype=np.int32), lengths
        )  # the part of each line
        self.member = np.concatenate([part.member for part in parts])  # roster codes
        self.points = np.concatenate([part.points for part in parts]).astype(float)
        self.rows = np.concatenate(
            [
                table.rows[part.rows]
                if part.rows is not None
                else np.full(len(part), -1, dtype=np.int64)
                for part in parts
            ]
        ).astype(np.int32)  # positions in the records frame, -1 for none

    def __len__(self) -> int:
        return len(self.member)

    def sums(self, keep=None) -> np.ndarray:
        """Sums of points by member code (every code), over all lines or over the parts
        ``keep(part)`` accepts (see :func:`_grouped_sums`)."""
        size = len(self.roster.ids)
        if keep is not None:
            return _sums([part for part in self.parts if keep(part)], size)
        return _grouped_sums(self.member, self.points, size)

    def frame(
        self, order: np.ndarray | None = None, names: pd.Series | None = None
    ) -> pd.DataFrame:
        """The ledger; with ``order``, its lines in that order (positions); with ``names`` (the
        roster's names), a name column after member_id."""
        parts, table = self.parts, self.table
        which, member, rows = self.which, self.member, self.rows
        notes = np.concatenate([part.note for part in parts])
        points = self.points
        if order is not None:
            which, member, rows, notes, points = (
                which[order],
                member[order],
                rows[order],
                notes[order],
                points[order],
            )
        which, rows = (
            which.astype(np.intp),
            rows.astype(np.intp),
        )  # as pandas takes them, converted once

        def constant(attr: str):
            return pd.array([getattr(part, attr) for part in parts], dtype="str").take(which)

        from_records = any(part.rows is not None for part in parts)
        per_member = any(part.rows is None for part in parts)
        frame = table.frame

        def as_before(values, name: str) -> pd.Series:
            """A column as concatenating per-rule frames made it: the records' dtype for their
            lines, str for lines per member, object where the two differ."""
            kinds = {frame[name].dtype} if from_records else set()
            if per_member:
                kinds.add(pd.StringDtype(na_value=np.nan))
            dtype = kinds.pop() if len(kinds) == 1 else np.dtype(object)
            return values if values.dtype == dtype else pd.Series(values, dtype=dtype, copy=False)

        def cells(name: str) -> pd.Series:
            if from_records:
                return as_before(frame[name].array.take(rows, allow_fill=True, fill_value=""), name)
            return pd.Series(np.full(len(rows), "", dtype=object), dtype="str", copy=False)

        any_object = any(part.note_object for part in parts)
        date = (
            frame["date"].array.take(rows, allow_fill=True)
            if from_records
            else pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]").array
        )
        row = np.append(frame["row"].to_numpy(), 0)[
            rows
        ]  # row -1 (no sheet row) takes the 0 appended
        columns = {"member_id": as_before(self.roster.ids.take(member), "member_id")}
        if names is not None:
            taken = names.array.take(
                np.where(member < self.roster.size, member, -1), allow_fill=True
            )
            columns["name"] = (
                taken
                if taken.dtype == names.dtype
                else pd.Series(taken, dtype=names.dtype, copy=False)
            )
        columns.update(
            {
                "category": constant("category"),
                "category_name": constant("category_name"),
                "rule_id": constant("rule_id"),
                "rule_name": constant("rule_name"),
                "points": points,
                "date": date,
                "sheet": cells("sheet"),
                "row": row.astype(int, copy=False),
                "source": cells("source"),
                "item_id": cells("item_id"),
                "title": cells("title"),
                "note": pd.Series(notes, dtype=object if any_object else "str", copy=False),
            }
        )
        return pd.DataFrame(columns, copy=False)


def _ledger_without_lines(roster: _Roster, rules: Rules) -> pd.DataFrame:
    """The ledger when nothing scored: empty, or the total's floor lines alone."""
    settings = rules.settings
    ledger = _empty_ledger()
    member_ids = roster.members["member_id"]
    total_cap = _bound_lines(
        ledger, member_ids, rules.total.max, rules.total.min, "", "", "total.cap", "总分上下限"
    )
    if len(total_cap):
        total_cap["points"] = round_points(
            total_cap["points"], settings.decimals, settings.rounding
        )
        ledger = pd.concat([ledger, total_cap], ignore_index=True)
    ledger = ledger[LEDGER_COLUMNS].reset_index(drop=True)
    ledger["row"] = ledger["row"].astype(int)
    return ledger


def _bound_lines(
    lines: pd.DataFrame,
    member_ids: pd.Series,
    upper: float | None,
    lower: float | None,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
) -> pd.DataFrame:
    """Lines (as a ledger frame) that bring each member's sum of ``lines`` within [lower, upper]."""
    if upper is None and lower is None:
        return _empty_ledger()
    sums = (
        lines.groupby("member_id", sort=False)["points"].sum().reindex(member_ids, fill_value=0.0)
    )
    adjust = pd.Series(0.0, index=sums.index)
    notes = pd.Series("", index=sums.index)
    if upper is not None:
        over = sums > upper + _EPSILON
        adjust[over] = upper - sums[over]
        notes[over] = (
            f"封顶 {number_text(upper)} 分（原为 "
            + sums[over].round(4).map(number_text).astype(str)
            + " 分）"
        )
    if lower is not None:
        under = sums < lower - _EPSILON
        adjust[under] = lower - sums[under]
        notes[under] = (
            f"保底 {number_text(lower)} 分（原为 "
            + sums[under].round(4).map(number_text).astype(str)
            + " 分）"
        )
    hit = adjust != 0
    return _member_lines(
        pd.Series(sums.index[hit]),
        adjust[hit].to_numpy(),
        category,
        category_name,
        rule_id,
        rule_name,
        notes[hit].to_numpy(),
    )


def _member_lines(
    member_ids: pd.Series,
    points,
    category: str,
    category_name: str,
    rule_id: str,
    rule_name: str,
    note,
) -> pd.DataFrame:
    """Lines not tied to a sheet cell, as a ledger frame."""
    n = len(member_ids)
    return pd.DataFrame(
        {
            "member_id": member_ids.to_numpy(),
            "category": category,
            "category_name": category_name,
            "rule_id": rule_id,
            "rule_name": rule_name,
            "points": np.broadcast_to(np.asarray(points, dtype=float), (n,)).copy(),
            "date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "sheet": "",
            "row": 0,
            "source": "",
            "item_id": "",
            "title": "",
            "note": np.broadcast_to(np.asarray(note, dtype=object), (n,)).copy(),
        }
    )


def _empty_ledger() -> pd.DataFrame:
    return _member_lines(pd.Series([], dtype=object), 0.0, "", "", "", "", "")


# --- term, checklist -------------------------------------------------------------------------


def _months_in_office(members: pd.DataFrame, year: int) -> pd.Series:
    """Months of ``year`` with at least one day in office, by member_id (12 for a full year)."""
    year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    start = members["term_start"].fillna(year_start).clip(lower=year_start)
    end = members["term_end"].fillna(year_end).clip(upper=year_end)
    months = (end.dt.month - start.dt.month + 1).where(end >= start, 0).astype(int)
    return pd.Series(months.to_numpy(), index=members["member_id"].to_numpy())


def _term(start, end) -> str:
    left = f"{start:%Y-%m-%d}" if pd.notna(start) else "年初"
    right = f"{end:%Y-%m-%d}" if pd.notna(end) else "年底"
    return f"{left} 至 {right}"


def _checklist(
    table: RecordTable, roster: _Roster, rules: Rules
) -> tuple[pd.DataFrame, np.ndarray]:
    """The checklist table, and whether each member on the roster has done each item (items ×
    members, as the table's ``done`` column)."""
    size = roster.size
    if rules.checklist is None:
        return pd.DataFrame(columns=CHECKLIST_COLUMNS), np.zeros((0, size), dtype=bool)
    frame, member = table.frame, table.member
    when = _record_order(table)
    pair, pair_member = _member_sources(table)
    n_codes = len(roster.ids)
    latest = np.iinfo(np.int64).max

    items = rules.checklist.items
    counts = np.zeros((len(items), size), dtype=np.int64)
    first = np.full((len(items), size), -1, dtype=np.int64)
    for k, item in enumerate(items):
        mask = np.zeros(table.n, dtype=bool)
        for clause in item.any_of:
            mask[table.match(clause)] = True
        # Several records of one register row (e.g. one proposal) count once.
        hit = np.zeros(len(pair_member), dtype=bool)
        hit[pair[mask]] = True
        counts[k] = np.bincount(pair_member[hit], minlength=n_codes)[:size]
        # Each member's earliest matching record (the first row among equally early ones).
        matched = np.flatnonzero(mask)
        who, key = member[matched], when[matched]
        earliest = np.full(n_codes, latest, dtype=np.int64)
        np.minimum.at(earliest, who, key)
        matched = matched[key == earliest[who]]
        first_row = np.full(n_codes, latest, dtype=np.int64)
        np.minimum.at(first_row, member[matched], matched)
        found = np.flatnonzero(first_row[:size] != latest)
        first[k, found] = table.rows[first_row[found]]

    at_least = np.array([item.at_least for item in items])[:, None]
    applies = checklist_applies(rules, roster.members)
    done = (counts >= at_least) & applies
    firsts = first.reshape(-1)
    checklist = pd.DataFrame(
        {
            "member_id": np.tile(roster.members["member_id"].to_numpy(), len(items)),
            "item": pd.array([item.name for item in items], dtype="str").take(
                np.repeat(np.arange(len(items)), size)
            ),
            "done": done.reshape(-1),
            "count": counts.reshape(-1),
            "date": frame["date"].array.take(firsts, allow_fill=True),
            "source": pd.Series(
                frame["source"].array.take(firsts, allow_fill=True, fill_value=""),
                dtype=frame["source"].dtype,
            ),
        },
        copy=False,
    )
    if not applies.all():  # an item asked of some members only: the others have no row for it
        checklist = checklist[applies.reshape(-1)].reset_index(drop=True)
    return checklist, done


def checklist_applies(rules: Rules, members: pd.DataFrame) -> np.ndarray:
    """Whether each checklist item is asked of each member (items × members in roster order):
    an item with ``who`` only of the members its roster conditions pick."""
    items = rules.checklist.items if rules.checklist is not None else []
    applies = np.ones((len(items), len(members)), dtype=bool)
    for k, item in enumerate(items):
        scope = item.who
        if scope is None:
            continue
        if scope.standing is not None:
            applies[k] &= (members["standing"] == scope.standing).fillna(False).to_numpy(dtype=bool)
        for column in ("sector", "committee", "study_group", "work_group"):
            values = getattr(scope, column)
            if values is not None:
                applies[k] &= members[column].isin(values).to_numpy(dtype=bool)
    return applies


def _record_order(table: RecordTable) -> np.ndarray:
    """A number per row that orders the rows by date, sheet, row and position (NaT and a missing
    sheet last, as ``sort_values``); equal numbers only for equal keys."""
    keys = _record_order_keys(table)
    if keys is not None and np.prod([float(size) for _, size in keys]) < 2.0**62:
        composite = keys[0][0].astype(np.int64, copy=True)
        for values, size in keys[1:]:
            composite *= size
            composite += values
        return composite
    # keys too wide for one integer: the place in a sort by the records' own columns
    frame = table.frame
    by_date = pd.DataFrame({key: frame[key].array.take(table.rows) for key in _RECORD_ORDER})
    order = by_date.sort_values(_RECORD_ORDER, kind="stable").index.to_numpy()
    place = np.empty(table.n, dtype=np.int64)
    place[order] = np.arange(table.n)
    return place


def _record_order_keys(table: RecordTable) -> list[tuple[np.ndarray, int]] | None:
    """(date, sheet, row, position) as small non-negative integers in sort order, with their
    ranges; None when that is not possible (times of day, a sheet name that is not text)."""
    if table.n == 0:
        return None
    dates = table.array("date")
    if dates.dtype.kind != "M" or np.datetime_data(dates.dtype)[0] not in (
        "D",
        "h",
        "m",
        "s",
        "ms",
        "us",
        "ns",
    ):
        return None
    day = np.int64(np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(dates.dtype)[0]))
    ticks = dates.view(np.int64)
    missing = np.isnat(dates)
    days, rest = np.divmod(ticks, day)
    if missing.any():
        if rest[~missing].any():  # a time of day: sort as the columns
            return None
        low = days[~missing].min() if not missing.all() else 0
        days -= low
        span = int(days[~missing].max(initial=0)) + 1
        days[missing] = span  # NaT last
    else:
        if rest.any():
            return None
        low = days.min()
        days -= low
        span = int(days.max()) + 1

    codes, uniques = table.all_codes("sheet")
    if not all(isinstance(value, str) for value in uniques):
        return None
    ranks = np.empty(len(uniques) + 1, dtype=np.int64)
    ranks[np.argsort(np.array(list(uniques), dtype=object), kind="stable")] = np.arange(
        len(uniques)
    )
    ranks[-1] = len(uniques)  # missing sheet last
    keys = [(days, span + 1), (ranks[codes], len(uniques) + 1)]
    for name in ("row", "position"):
        values = table.array(name)
        low, high = int(values.min()), int(values.max())
        keys.append((values - low if low else values, high - low + 1))
    return keys


def _member_sources(table: RecordTable) -> tuple[np.ndarray, np.ndarray]:
    """An id per distinct (member, source cell) of the rows, and each id's member. A source cell
    names one sheet and row, so rows are first grouped by (member, sheet, row); only where one
    member has several records of one row are the cells themselves compared.

    The records come sheet by sheet and row by row, so a member's records of one register row
    are neighbours once the rows are put in member order (a stable sort of small integers, by
    radix): the groups are then runs, found without hashing a key per row."""
    member = table.member
    sheet, _ = table.all_codes("sheet")
    row = table.array("row").astype(np.int64)
    low = row.min(initial=0)
    span = int(row.max(initial=0) - low) + 1
    sheets = int(sheet.max(initial=0)) + 2
    source = table.array("source")
    if float(member.max(initial=0) + 1) * sheets * span >= 2.0**62:
        cells, cell_values = pd.factorize(source)
        pair, _ = pd.factorize(member.astype(np.int64) * (len(cell_values) + 1) + cells + 1)
        return pair, _pair_members(pair, member)
    register_row = (sheet + 1) * span + (row - low)
    if member.max(initial=0) < 2**16 - 1 and not (np.diff(register_row) < 0).any():
        by_member = np.argsort(member.astype(np.uint16), kind="stable")
        who, where = member[by_member], register_row[by_member]
        starts = np.concatenate([[True], (who[1:] != who[:-1]) | (where[1:] != where[:-1])])
        if starts.all():  # no member has two records of one row: each row is its own pair
            return np.arange(table.n), member.astype(np.int64)
        groups = np.empty(table.n, dtype=np.int64)
        groups[by_member] = np.cumsum(starts) - 1
    else:
        groups, _ = pd.factorize(member.astype(np.int64) * (sheets * span) + register_row)
    pair = _by_cell(groups, source)
    return pair, _pair_members(pair, member)


def _by_cell(groups: np.ndarray, source: np.ndarray) -> np.ndarray:
    """``groups`` (codes from 0) with each group of several rows split by source cell."""
    pair = groups.astype(np.int64)
    several = np.bincount(groups)[groups] > 1 if len(groups) else np.zeros(0, dtype=bool)
    if several.any():
        at = np.flatnonzero(several)
        cells, cell_values = pd.factorize(source[at])
        refined, _ = pd.factorize(pair[at] * (len(cell_values) + 1) + cells + 1)
        pair[at] = int(groups.max()) + 1 + refined
    return pair


def _pair_members(pair: np.ndarray, member: np.ndarray) -> np.ndarray:
    pair_member = np.zeros(int(pair.max(initial=-1)) + 1, dtype=np.int64)
    pair_member[pair] = member
    return pair_member
