"""Award shortlists (评优名单): 优秀委员, 优秀提案, 优秀社情民意信息 — defensible, line by line.

For each award in the rules: build the pool of candidates (members, proposals or information
items) with a score; apply the prerequisites and exclusions; order by score and the stated
tie-breakers; fill the quota, keeping places for a minimum share (e.g. collective proposals)
and respecting group caps (e.g. at most 3 per 界别); and say for every winner and for the first
candidates left off why. A step of its own after the assessment (``perfscore.assess`` runs it):
it reads the members' results, the records and the ledger, never the workbook.

``Shortlist.winners`` / ``near_misses`` columns: place, key, label, sector, committee, score,
facts, note. ``Shortlist.balance`` columns: dimension, group, candidates, eligible, winners.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .frames import joined_texts, stable_sorted
from .inputformat import ROLE_BODY
from .records import GROUP_DIMENSIONS
from .rules.schema import POOL_KIND, POOL_UNIT, Award, Condition, GroupCap, Match, Rules
from .rules.summary import KIND_NAMES
from .scoring import RecordTable
from .scoring.conditions import condition_label, standing_codes
from .text import number_text, percent_text

__all__ = ["Shortlist", "shortlists", "SHORTLIST_COLUMNS"]

SHORTLIST_COLUMNS = ["place", "key", "label", "sector", "committee", "score", "facts", "note"]


@dataclass(frozen=True)
class Shortlist:
    award: Award
    quota: int  # places after rounding
    quota_text: str  # how the quota was reached, e.g. "10% × 320 = 32 人（四舍五入）"
    pool_size: int
    winners: pd.DataFrame
    near_misses: pd.DataFrame
    balance: pd.DataFrame
    notes: list[str]  # what happened at the quota line, reserved places …


def shortlists(
    rules: Rules,
    members: pd.DataFrame,
    ledger: pd.DataFrame,
    records: RecordTable,
    roster: pd.DataFrame,
) -> list[Shortlist]:
    """Every award the rules define, in the order written.

    ``members`` and ``ledger`` are the assessment's (``Assessment.members``, ``.ledger``);
    ``records`` every record as written (``Scoring.written``), whose ``member`` codes are
    positions in ``roster`` (``Records.members``; codes from its length on name someone not on
    it). Proposals and information items are credited to their first author."""
    if not rules.awards:
        return []
    return [_shortlist(award, rules, members, records, ledger, roster) for award in rules.awards]


def _shortlist(
    award: Award,
    rules: Rules,
    members: pd.DataFrame,
    table: RecordTable,
    ledger: pd.DataFrame,
    roster: pd.DataFrame,
) -> Shortlist:
    pool = _candidates(award, rules, members, table, roster)
    pool["reason"] = _prerequisite_reasons(award, rules, pool, table, ledger)
    pool["eligible"] = pool["reason"] == ""
    pool = _ordered(pool, award, rules)
    quota, quota_text = _quota(award, len(pool))
    picked, reasons, winner_notes, notes = _select(award, pool, quota)
    pool["picked"] = picked
    pool["reason"] = reasons
    pool["note"] = winner_notes
    listed = np.flatnonzero(picked.to_numpy())
    left_off = np.flatnonzero(~picked.to_numpy())[: award.show_next]
    facts = _facts(award, pool.iloc[np.concatenate([listed, left_off])], table, roster, rules)
    winners, losers = pool.iloc[listed], pool.iloc[left_off]
    return Shortlist(
        award=award,
        quota=quota,
        quota_text=quota_text,
        pool_size=len(pool),
        winners=_table(winners, winners["note"], facts[: len(listed)]),
        near_misses=_table(losers, losers["reason"], facts[len(listed) :]),
        balance=_balance(pool),
        notes=notes,
    )


# --- the pool ---------------------------------------------------------------------------------


def _candidates(
    award: Award, rules: Rules, members: pd.DataFrame, table: RecordTable, roster: pd.DataFrame
) -> pd.DataFrame:
    """The pool with its scores. ``facts`` (who wrote it, how it was adopted …) are written later,
    for the candidates listed only (:func:`_facts`)."""
    groups = [*GROUP_DIMENSIONS, *rules.input.roster_columns]
    if award.pool == "members":  # every column of the members' results, category subtotals included
        pool = members.rename(columns={"member_id": "key", "name": "label"})
        # The total, or the sum of the categories named in rank_by (四个最佳: one category each).
        pool["score"] = (
            members[award.rank_by].sum(axis=1).to_numpy()
            if award.rank_by
            else members["total"].to_numpy()
        )
        pool["date"] = pd.NaT
        return pool.assign(note="", member_id=pool["key"]).reset_index(drop=True)

    kind = POOL_KIND[award.pool]
    rows = table.kind_rows(kind)
    rows = rows[table.array("position")[rows] == 1]
    if table.body_credit:  # a body's record copied to its committee's members is no candidate
        rows = rows[table.array("role")[rows] != ROLE_BODY]
    pool = (
        table.frame[["item_id", "title", "member_id", "date", "type", "status", "marks"]]
        .iloc[rows]
        .reset_index(drop=True)
    )
    at = table.member[rows]
    at = np.where(at < len(roster), at, -1)
    for column in ["name", "standing", *groups]:  # the first author's
        pool[column] = roster[column].array.take(at, allow_fill=True)
    pool = pool.rename(columns={"item_id": "key", "title": "label"})
    pool["score"] = _item_scores(award, table, pool["key"], kind, rows)
    return pool.assign(note="").reset_index(drop=True)


def _item_scores(
    award: Award, table: RecordTable, keys: pd.Series, kind: str, pool_rows: np.ndarray
) -> np.ndarray:
    """Sum over score clauses of points × the item's matching records (one record per event).

    ``keys`` are the item ids of the records ``pool_rows`` (first authors of ``kind``); a clause
    on records of that same kind selects some of those records, whose keys are then found by
    position rather than by looking their ids up."""
    codes, distinct = pd.factorize(
        keys
    )  # a missing key (-1) counts no records, as the last entry below
    distinct = pd.Index(distinct)
    total = np.zeros(len(keys))
    position, item_id = table.array("position"), table.array("item_id")
    for clause in award.score or []:
        rows = table.match(clause.match)
        rows = rows[position[rows] == 1]
        if clause.match.kind == kind:  # a subset of pool_rows (both ascending)
            of_key = codes[np.searchsorted(pool_rows, rows)]
        else:
            of_key = distinct.get_indexer(item_id[rows])
        hits = np.bincount(of_key[of_key >= 0], minlength=len(distinct) + 1)
        hits[-1] = 0
        total = total + hits[codes] * clause.points
    return total


def _facts(
    award: Award,
    rows: pd.DataFrame,
    table: RecordTable,
    roster: pd.DataFrame,
    rules: Rules | None = None,
) -> np.ndarray:
    """What a listed candidate is: for a member, grade, checklist (when the rules have one) and
    the categories ranked by; for an item, its authors with roles, and its status and marks or
    each adoption event."""
    if not len(rows):
        return np.zeros(0, dtype=object)
    if award.pool == "members":
        facts = rows["grade"].astype(object)
        if rows["checklist_total"].gt(0).any():
            facts = (
                facts
                + "，清单完成 "
                + rows["checklist_done"].astype(str)
                + "/"
                + rows["checklist_total"].astype(str)
            )
        if award.rank_by:
            names = {c.id: c.name for c in rules.categories} if rules else {}
            facts = facts + "，得分：" + "+".join(names.get(c, c) for c in award.rank_by)
        return facts.to_numpy()
    return _item_facts(award, table, rows, roster).to_numpy()


def _item_facts(
    award: Award, table: RecordTable, pool: pd.DataFrame, roster: pd.DataFrame
) -> pd.Series:
    """Authors with roles (an author not on the roster by member id), status and marks; for
    information, each adoption event."""
    kind = POOL_KIND[award.pool]
    keys = set(pool["key"])

    def of_items(kind: str) -> np.ndarray:
        rows = table.kind_rows(kind)
        return rows[pd.Index(table.array("item_id")[rows]).isin(keys)]

    records = table.frame
    author_rows = of_items(kind)
    authors = records.iloc[author_rows]
    at = table.member[author_rows]
    names = roster["name"].array.take(np.where(at < len(roster), at, -1), allow_fill=True)
    names = pd.Series(names, index=authors.index).fillna(authors["member_id"])
    named = names + "（" + authors["role"] + "）"
    by_item = joined_texts(*pd.factorize(authors["item_id"]), named.to_numpy(dtype=object), "、")
    facts = pool["key"].map(by_item).astype(object).fillna("")
    if award.pool == "reports":
        detail = pool["status"].astype(object)
    elif award.pool == "proposals":
        detail = (
            pool["type"]
            + "，"
            + pool["status"]
            + np.where(pool["marks"] != "", "，" + pool["marks"], "")
        )
    else:
        events = records.iloc[of_items("adoption")]
        events = events[events["position"] == 1]
        labels = joined_texts(
            *pd.factorize(events["item_id"]),
            (events["level"] + "级" + events["type"]).to_numpy(dtype=object),
            "、",
        )
        detail = pool["key"].map(labels).astype(object).fillna("未采用")
    return detail + "；作者：" + facts


# --- prerequisites ----------------------------------------------------------------------------


def _prerequisite_reasons(
    award: Award, rules: Rules, pool: pd.DataFrame, table: RecordTable, ledger: pd.DataFrame
) -> pd.Series:
    """'' for an eligible candidate, else why not (the first condition it fails)."""
    reason = np.full(len(pool), "", dtype=object)

    def fail(mask: np.ndarray | pd.Series, text: str | Callable[[_Rows], Any]) -> None:
        """``text``: one text, or a function giving the texts of the candidates it is given."""
        newly = np.asarray(mask, dtype=bool) & (reason == "")
        if newly.any():
            reason[newly] = (
                text
                if isinstance(text, str)
                else np.asarray(text(_Rows(pool, newly)), dtype=object)
            )

    req = award.requires
    excluded = pool["key"].isin(award.exclude) | pool["label"].isin(award.exclude)
    fail(excluded, "不参评（规则 exclude 中列出）")
    if req.grades is not None:
        wanted = "/".join(req.grades)
        fail(
            ~pool["grade"].isin(req.grades),
            lambda p: _per_value(p["grade"], lambda grade: "等次为" + grade + f"，须为{wanted}"),
        )
    if req.checklist_complete:
        name = rules.checklist.name if rules.checklist else "清单"
        fail(
            pool["checklist_done"] < pool["checklist_total"],
            lambda p: (
                f"{name}未全部完成（"
                + p["checklist_done"].astype(str)
                + "/"
                + p["checklist_total"].astype(str)
                + "）"
            ),
        )
    if req.min_score is not None:
        floor = number_text(req.min_score)
        fail(
            pool["score"] < req.min_score - 1e-9,
            lambda p: "得分 " + p["score"].map(number_text) + f" 低于 {floor}",
        )
    owner = "member_id" if award.pool == "members" else "item_id"
    for clause in req.has or []:
        having = table.frame[owner].array.take(table.match(clause))
        fail(~pool["key"].isin(having), f"没有符合条件的记录：{_clause_text(clause)}")
    if req.no_lines is not None:
        spec = req.no_lines
        of_rule = np.flatnonzero(ledger["rule_id"].to_numpy(dtype=object) == spec.rule)
        lines = ledger[["member_id", "rule_name", "note", "source"]].iloc[
            of_rule
        ]  # the columns read below only
        if spec.note is not None:
            lines = lines[
                lines["note"].str.contains("|".join(map(re.escape, spec.note)), regex=True)
            ]
        first = lines.drop_duplicates("member_id").set_index("member_id")
        text = "有" + first["rule_name"] + "“" + first["note"] + "”（" + first["source"] + "）"
        fail(pool["key"].isin(first.index), lambda p: p["key"].map(text).astype(object).fillna(""))
    return pd.Series(reason, index=pool.index, dtype=object)


class _Rows:
    """Some rows of a frame, read a column at a time: the texts of the failing candidates read
    two or three columns, and selecting every column of a wide pool would cost more."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray) -> None:
        self.frame = frame
        self.rows = rows

    def __getitem__(self, column: str) -> pd.Series:
        return self.frame[column][self.rows]


def _per_value(values: pd.Series, text: Callable[[pd.Series], Any]) -> np.ndarray:
    """``text(values)`` for a text made value by value, made once per distinct value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(text(pd.Series(distinct, dtype=values.dtype)), dtype=object)[codes]


def _clause_text(clause: Match) -> str:
    """'提案（立案）', '提案（立案、常委）', '社情民意信息'."""
    label = condition_label(clause)
    return KIND_NAMES[clause.kind] + (f"（{label}）" if label else "")


# --- order, quota, selection ------------------------------------------------------------------


def _ordered(pool: pd.DataFrame, award: Award, rules: Rules) -> pd.DataFrame:
    if award.pool == "members":
        keys = award.tie_break or rules.settings.tie_break
        columns, ascending = ["score"], [False]
        for key in keys:
            columns.append("key" if key == "member_id" else key)
            ascending.append(key == "member_id")
        if "key" not in columns:
            columns.append("key")
            ascending.append(True)
    else:
        keys = award.tie_break or ["date", "item_id"]
        columns = ["score", *("key" if k == "item_id" else k for k in keys)]
        ascending = [False, *(True for _ in keys)]
        if "key" not in columns:
            columns.append("key")
            ascending.append(True)
    if award.pool == "members":
        category_columns = [c for c in columns if c not in pool]
        if category_columns:
            raise KeyError(category_columns)
    return stable_sorted(pool, columns, ascending).reset_index(drop=True)


def _quota(award: Award, pool_size: int) -> tuple[int, str]:
    unit = POOL_UNIT[award.pool]
    if isinstance(award.quota, int):
        return award.quota, f"{award.quota} {unit}"
    share = float(award.quota.rstrip("%")) / 100
    exact = share * pool_size
    places = {
        "floor": math.floor(exact + 1e-9),
        "ceil": math.ceil(exact - 1e-9),
        "half_up": math.floor(exact + 0.5 + 1e-9),
    }[award.quota_rounding]
    rounding = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入"}[
        award.quota_rounding
    ]
    return max(
        places, 0
    ), f"{award.quota} × {pool_size} = {number_text(exact)} → {places} {unit}（{rounding}）"


def _select(
    award: Award, pool: pd.DataFrame, quota: int
) -> tuple[pd.Series, pd.Series, pd.Series, list[str]]:
    """Greedy selection over candidates in order: reserved places first, then the rest within
    group caps; then the tie at the line. The loops stop once the places are filled; the
    pool itself can be every proposal of the year.

    Returns who is picked, why each candidate listed as left off (the first ``show_next``) is
    not, a note per winner, and notes on the whole list."""
    eligible = pool["eligible"].to_numpy(dtype=bool)
    picked = np.zeros(len(pool), dtype=bool)
    reasons = pool["reason"].to_numpy(dtype=object).copy()
    notes_out = pool["note"].to_numpy(dtype=object).copy()
    notes: list[str] = []
    cap = award.group_cap
    group = pool[cap.dimension].fillna("").to_numpy() if cap else np.empty(0, dtype=object)
    limit = _group_limits(cap, pool, quota) if cap else {}
    count: dict[str, int] = {}
    n_picked = 0

    def room(i: int) -> bool:
        return cap is None or count.get(group[i], 0) < limit.get(group[i], 0)

    def take(i: int, note: str = "") -> None:
        nonlocal n_picked
        picked[i] = True
        n_picked += 1
        notes_out[i] = note
        if cap is not None:
            count[group[i]] = count.get(group[i], 0) + 1

    reserved = 0
    if award.min_share is not None and quota:
        reserved = math.ceil(award.min_share.share * quota - 1e-9)
        fits = _meets(pool, award.min_share.match)
        taken = 0
        for i in np.flatnonzero(eligible & fits).tolist():
            if taken == reserved:
                break
            if room(i):
                take(i, f"{award.min_share.name}保留名额")
                taken += 1
        notes.append(
            f"{award.min_share.name}保留 {reserved} 个名额（{percent_text(award.min_share.share)} × {quota}，向上取整），"
            f"实际入选 {taken} 个"
        )
    for i in np.flatnonzero(eligible).tolist():
        if picked[i]:
            continue
        if n_picked >= quota:
            break
        if not room(i):
            assert cap is not None  # room() refuses only under a cap
            reasons[i] = (
                f"{GROUP_DIMENSIONS.get(cap.dimension, cap.dimension)}“{group[i]}”已入选 {count.get(group[i], 0)} {POOL_UNIT[award.pool]}，达到上限"
            )
            continue
        take(i)

    scores = pool["score"].to_numpy()
    line = scores[picked].min() if picked.any() else None
    if line is not None:  # the tie at the line, in order: a tie taken may fill its group
        waiting = np.flatnonzero(eligible & ~picked)
        waiting = waiting[reasons[waiting] == ""]
        tied = waiting[np.abs(scores[waiting] - line) < 1e-9]
        if award.ties_at_line == "include":
            for i in tied:
                if room(i):
                    take(i, f"与名额线同分（{number_text(line)}），一并列入")
        else:  # nobody is taken, so whether a group has room stays as it is: one text for all
            tied = tied[np.array([room(i) for i in tied], dtype=bool)] if cap is not None else tied
            reasons[tied] = f"与名额线同分（{number_text(line)}），按先后规则排在名额之外"
    for i in np.flatnonzero(~picked)[: award.show_next]:  # why the listed ones are left off
        if reasons[i]:
            continue
        if line is not None and scores[i] > line + 1e-9 and award.min_share is not None:
            reasons[i] = f"分数高于名额线，但名额已用于{award.min_share.name}保留名额"
        elif line is not None:
            reasons[i] = (
                f"低于名额线 {number_text(line - scores[i])} 分（名额线 {number_text(line)}）"
            )
        else:
            reasons[i] = "名额为 0"
    order_among_eligible = np.cumsum(eligible)
    for i in np.flatnonzero(picked).tolist():
        if not notes_out[i]:
            notes_out[i] = (
                f"符合参评条件，得分 {number_text(scores[i])}，在符合条件的候选中排第 {order_among_eligible[i]}"
            )
    extra = int(picked.sum()) - quota
    if extra < 0:
        notes.append(
            f"符合条件的候选只有 {int(eligible.sum())} {POOL_UNIT[award.pool]}"
            + (
                "（部分因分组名额上限未入选）"
                if cap is not None and eligible.sum() > picked.sum()
                else ""
            )
            + f"，名单比名额少 {-extra} {POOL_UNIT[award.pool]}"
        )
    if extra > 0:
        notes.append(f"名额线上同分，一并列入，名单比名额多 {extra} {POOL_UNIT[award.pool]}")
    if cap is not None:
        notes.append(_cap_text(cap, limit))
    index = pool.index
    return (
        pd.Series(picked, index=index),
        pd.Series(reasons, index=index),
        pd.Series(notes_out, index=index),
        notes,
    )


def _meets(pool: pd.DataFrame, condition: Condition) -> np.ndarray:
    """Which candidates meet ``condition`` (a member's own 常委 flag, an item's first author's)."""
    everyone = np.arange(len(pool))
    no_member = np.full(len(pool), -1, dtype=np.int64)
    table = RecordTable(pool, everyone, no_member, standing_codes(pool["standing"]))
    return table.condition(condition, None, everyone)


def _group_limits(cap: GroupCap, pool: pd.DataFrame, quota: int) -> dict[str, int]:
    sizes = pool[cap.dimension].fillna("").value_counts()
    if cap.max is not None:
        return {str(g): cap.max for g in sizes.index}
    return {str(g): math.ceil(quota * n / len(pool) - 1e-9) for g, n in sizes.items()}


def _cap_text(cap: GroupCap, limit: dict[str, int]) -> str:
    label = GROUP_DIMENSIONS.get(cap.dimension, cap.dimension)
    if cap.max is not None:
        return f"每个{label}最多 {cap.max} 个名额"
    return f"各{label}名额按候选人数比例（向上取整）：" + "，".join(
        f"{g or '未填'} {n}" for g, n in sorted(limit.items())
    )


# --- tables -----------------------------------------------------------------------------------


def _table(rows: pd.DataFrame, note: pd.Series, facts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place": np.arange(1, len(rows) + 1),
            "key": rows["key"].to_numpy(),
            "label": rows["label"].to_numpy(),
            "sector": rows["sector"].fillna("").to_numpy(),
            "committee": rows["committee"].fillna("").to_numpy(),
            "score": rows["score"].to_numpy(dtype=float),
            "facts": facts,
            "note": note.to_numpy(),
        },
        columns=SHORTLIST_COLUMNS,
    )


def _balance(pool: pd.DataFrame) -> pd.DataFrame:
    frames = []
    eligible, picked = pool["eligible"].to_numpy(dtype=bool), pool["picked"].to_numpy(dtype=bool)
    for column in ("sector", "committee"):
        codes, groups = pd.factorize(pool[column].fillna(""))
        n = len(groups)
        frame = (
            pd.DataFrame(
                {
                    "candidates": np.bincount(codes, minlength=n),
                    "eligible": np.bincount(codes[eligible], minlength=n),
                    "winners": np.bincount(codes[picked], minlength=n),
                },
                index=groups,
            )
            .astype(int)
            .sort_index()
        )
        frames.append(frame.reset_index(names="group").assign(dimension=GROUP_DIMENSIONS[column]))
    return pd.concat(frames, ignore_index=True)[
        ["dimension", "group", "candidates", "eligible", "winners"]
    ]
