"""Stage 3 — score: records + rules -> the ledger (积分明细), one line per award of points.

The order in which rules apply is documented in docs/scoring.md; this module follows it step
by step. Each rule item is applied to all records at once (vectorised); the only Python loop is
over the rules file's items. Caps, floors, start scores, the base and the checklist bonus are
ledger lines of their own, so a member's total is exactly the sum of their lines.

``Scoring.ledger`` columns: member_id, category, category_name, rule_id, rule_name, points,
date, sheet, row, source, item_id, title, note. Lines not from a sheet have row 0, source ''.

``Scoring.checklist`` columns: member_id, item, done, count, date, source — one row per member
per checklist item; ``count`` is how many records match it, ``source`` the cell of the earliest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import Problem, Reason, Severity
from .records import Records
from .rules import Category, Condition, Item, Match, Rules
from .text import number_text, percent_text

__all__ = ["Scoring", "score", "LEDGER_COLUMNS", "round_points"]

LEDGER_COLUMNS = [
    "member_id", "category", "category_name", "rule_id", "rule_name", "points", "date", "sheet",
    "row", "source", "item_id", "title", "note",
]
CHECKLIST_COLUMNS = ["member_id", "item", "done", "count", "date", "source"]
_RECORD_ORDER = ["date", "sheet", "row", "position"]
_EPSILON = 1e-9


@dataclass(frozen=True)
class Scoring:
    ledger: pd.DataFrame
    checklist: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def score(records: Records, rules: Rules) -> Scoring:
    """Apply ``rules`` to ``records``; see docs/scoring.md for the exact order."""
    members = records.members
    settings = rules.settings
    recs, problems = _apply_term_policy(records.records, members, settings.outside_term)
    recs = _credit_merged(recs, settings.merged_credit)
    recs = recs.merge(members[["member_id", "standing"]], on="member_id", how="left", validate="many_to_one")

    def rounded(lines: pd.DataFrame) -> pd.DataFrame:
        lines["points"] = round_points(lines["points"], settings.decimals, settings.rounding)
        return lines

    parts: list[pd.DataFrame] = []
    if rules.base:
        parts.append(_member_lines(members["member_id"], rules.base, "", "", "base", "基础分", "每位委员的基础分"))
    months = _months_in_office(members, records.year) if settings.pro_rate == "months" else None
    for category in rules.categories:
        parts.extend(_category_lines(recs, members, category, rounded, months))

    checklist = _checklist(recs, members["member_id"], rules)
    if rules.checklist is not None and rules.checklist.bonus:
        done_all = checklist.groupby("member_id", sort=False)["done"].all()
        winners = done_all.index[done_all.to_numpy()]
        parts.append(_member_lines(pd.Series(winners), rules.checklist.bonus, "", "", "checklist.bonus",
                                   f"{rules.checklist.name}全部完成", f"{rules.checklist.name} {len(rules.checklist.items)} 项全部完成"))

    ledger = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else _empty_ledger()
    total_cap = _bound_lines(ledger, members["member_id"], rules.total.max, rules.total.min, "", "", "total.cap", "总分上下限")
    ledger = pd.concat([ledger, rounded(total_cap)], ignore_index=True) if len(total_cap) else ledger
    ledger = ledger[LEDGER_COLUMNS].reset_index(drop=True)
    ledger["row"] = ledger["row"].astype(int)
    return Scoring(ledger=ledger, checklist=checklist, problems=problems)


def round_points(values: pd.Series, decimals: int, mode: str) -> pd.Series:
    """Round to ``decimals`` places: half_up (away from zero) or half_even, tolerant of float noise."""
    factor = 10.0**decimals
    scaled = np.abs(values.to_numpy(dtype=float)) * factor
    floor = np.floor(scaled + _EPSILON)
    frac = scaled - floor
    half = np.abs(frac - 0.5) < 1e-6
    if mode == "half_even":
        up = (frac > 0.5 + 1e-6) | (half & (floor % 2 == 1))
    else:
        up = (frac > 0.5 + 1e-6) | half
    result = np.sign(values.to_numpy(dtype=float)) * (floor + up) / factor
    return pd.Series(result + 0.0, index=values.index)  # + 0.0 turns -0.0 into 0.0


# --- categories and items ----------------------------------------------------------------------

def _category_lines(recs: pd.DataFrame, members: pd.DataFrame, category: Category, rounded,
                    months: pd.Series | None) -> list[pd.DataFrame]:
    """A category's lines: its start score, each item's lines and caps, the pro-rating of what
    records earned (when set), and last the category's own cap."""
    if category.standing is not None:  # a category for 常委 only (or for the others only)
        members = members[members["standing"] == category.standing]
        recs = recs[recs["standing"] == category.standing]
    member_ids = members["member_id"]
    earned: list[pd.DataFrame] = []  # lines from records, with the items' caps
    for item in category.items:
        item_lines = rounded(_item_lines(recs, item, category))
        earned.append(item_lines)
        earned.append(rounded(_bound_lines(item_lines, member_ids, item.max, item.min, category.id, category.name,
                                           f"{category.id}.{item.id}.cap", f"{item.name}上下限")))
    lines = list(earned)
    if category.start:
        lines.insert(0, _member_lines(member_ids, category.start, category.id, category.name, f"{category.id}.start",
                                      f"{category.name}起始分", f"{category.name}从 {number_text(category.start)} 分起计"))
    if months is not None:
        lines.append(rounded(_pro_rate_lines(earned, months, category)))
    so_far = pd.concat([part for part in lines if len(part)] or [_empty_ledger()], ignore_index=True)
    lines.append(rounded(_bound_lines(so_far, member_ids, category.max, category.min, category.id, category.name,
                                      f"{category.id}.cap", f"{category.name}上下限")))
    return [part for part in lines if len(part)]


def _item_lines(recs: pd.DataFrame, item: Item, category: Category) -> pd.DataFrame:
    sel = recs[match_mask(recs, item.match)]
    credit = item.credit
    if credit.max_authors is not None:
        sel = sel[sel["position"] <= credit.max_authors]
    if credit.mode == "first_only":
        sel = sel[sel["position"] == 1]

    if item.points is not None:
        points = pd.Series(float(item.points), index=sel.index)
        note = pd.Series("", index=sel.index)
    elif item.cases is not None:
        # The first case whose condition holds gives the points; records fitting none score nothing.
        masks = [condition_mask(sel, case.when).to_numpy() for case in item.cases]
        points = pd.Series(np.select(masks, [case.points for case in item.cases], default=np.nan), index=sel.index)
        labels = [_condition_label(case.when) for case in item.cases]
        note = pd.Series(np.select(masks, labels, default=""), index=sel.index).astype(object)
        keep = points.notna()
        sel, points, note = sel[keep], points[keep], note[keep]
    else:
        by_field, table = next(iter(item.points_by.items()))
        if by_field == "marks":  # a proposal may carry several marks: each listed one scores
            has = {mark: sel["marks"].str.contains(f"(?:^|、){re.escape(mark)}(?:$|、)", regex=True) for mark in table}
            points = sum((has[mark] * value for mark, value in table.items()), pd.Series(0.0, index=sel.index))
            points = points.where(pd.concat(has, axis=1).any(axis=1) if has else False)
            note = sel["marks"].astype(str)
        else:
            points = sel[by_field].map(table).astype(float)
            note = sel[by_field].astype(str)
        keep = points.notna()
        sel, points, note = sel[keep], points[keep], note[keep]

    if credit.mode == "split":
        n = sel["n_authors"].clip(upper=credit.max_authors) if credit.max_authors else sel["n_authors"]
        others = (1 - credit.lead_share) / (n - 1).where(n > 1, 1)
        share = np.where(n == 1, 1.0, np.where(sel["position"] == 1, credit.lead_share, others))
        points = points * share
        split_note = np.where(
            n == 1, "",
            np.where(sel["position"] == 1, f"分摊：第一作者得 {percent_text(credit.lead_share)}",
                     "分摊：其余 " + (n - 1).astype(str) + f" 人平分 {percent_text(1 - credit.lead_share)}"))
        note = _join_notes(note, pd.Series(split_note, index=sel.index))

    lines = sel.assign(points=points, note=note)
    if item.stack == "highest":
        lines = _keep_best(lines, ["member_id", "item_id"])
        lines = lines.assign(note=_join_notes(lines["note"], "同一事项只取最高一项"))
    if item.count == "once":
        lines = _keep_best(lines, ["member_id"])
        lines = lines.assign(note=_join_notes(lines["note"], "只计一次"))
    if item.from_nth > 1:
        lines = lines.sort_values(_RECORD_ORDER, kind="stable")
        nth = lines.groupby("member_id", sort=False).cumcount() + 1
        lines = lines[nth >= item.from_nth]
        lines = lines.assign(note=_join_notes(lines["note"], "第 " + nth[nth >= item.from_nth].astype(str) + " 条"))

    return pd.DataFrame({
        "member_id": lines["member_id"],
        "category": category.id,
        "category_name": category.name,
        "rule_id": f"{category.id}.{item.id}",
        "rule_name": item.name,
        "points": lines["points"].astype(float),
        "date": lines["date"],
        "sheet": lines["sheet"],
        "row": lines["row"],
        "source": lines["source"],
        "item_id": lines["item_id"],
        "title": lines["title"],
        "note": lines["note"],
    })


def match_mask(recs: pd.DataFrame, match: Match) -> pd.Series:
    """Which records a ``match`` clause selects: its kind, and every listed condition."""
    return (recs["kind"] == match.kind) & condition_mask(recs, match)


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
    return mask


def _condition_label(condition: Condition | None) -> str:
    """A short note naming what a case matched: '个人' or '联名、领衔' or '其余'."""
    if condition is None:
        return "其余"
    values = [v for name in ("type", "subtype", "status", "level", "role", "marks")
              for v in (getattr(condition, name) or [])]
    if condition.standing is not None:
        values.append("常委" if condition.standing else "非常委")
    return "、".join(values)


def _keep_best(lines: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys``, the line with the most points; earliest (date, sheet, row) on ties."""
    ordered = lines.assign(_neg=-lines["points"]).sort_values(["_neg", *_RECORD_ORDER], kind="stable")
    return ordered.drop_duplicates(keys).drop(columns="_neg").sort_values(_RECORD_ORDER, kind="stable")


def _bound_lines(lines: pd.DataFrame, member_ids: pd.Series, upper: float | None, lower: float | None,
                 category: str, category_name: str, rule_id: str, rule_name: str) -> pd.DataFrame:
    """Lines that bring each member's sum of ``lines`` within [lower, upper]."""
    if upper is None and lower is None:
        return _empty_ledger()
    sums = lines.groupby("member_id", sort=False)["points"].sum().reindex(member_ids, fill_value=0.0)
    adjust = pd.Series(0.0, index=sums.index)
    notes = pd.Series("", index=sums.index)
    if upper is not None:
        over = sums > upper + _EPSILON
        adjust[over] = upper - sums[over]
        notes[over] = f"封顶 {number_text(upper)} 分（原为 " + sums[over].round(4).map(number_text).astype(str) + " 分）"
    if lower is not None:
        under = sums < lower - _EPSILON
        adjust[under] = lower - sums[under]
        notes[under] = f"保底 {number_text(lower)} 分（原为 " + sums[under].round(4).map(number_text).astype(str) + " 分）"
    hit = adjust != 0
    return _member_lines(pd.Series(sums.index[hit]), adjust[hit].to_numpy(), category, category_name,
                         rule_id, rule_name, notes[hit].to_numpy())


def _member_lines(member_ids: pd.Series, points, category: str, category_name: str, rule_id: str,
                  rule_name: str, note) -> pd.DataFrame:
    """Lines not tied to a sheet cell (base, start, caps, bonus)."""
    n = len(member_ids)
    return pd.DataFrame({
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
    })


def _empty_ledger() -> pd.DataFrame:
    return _member_lines(pd.Series([], dtype=object), 0.0, "", "", "", "", "")


# --- term, checklist -------------------------------------------------------------------------

def _apply_term_policy(recs: pd.DataFrame, members: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, list[Problem]]:
    terms = recs[["member_id", "date"]].merge(members[["member_id", "term_start", "term_end", "name"]], on="member_id", how="left")
    outside = ((terms["date"] < terms["term_start"]) | (terms["date"] > terms["term_end"])).to_numpy()
    if not outside.any():
        return recs, []
    action = "未计分" if policy == "skip" else "照常计分（outside_term: count）"
    problems = [
        Problem(Severity.WARNING, Reason.OUTSIDE_TERM,
                f"{name}（{mid}）的记录日期 {date:%Y-%m-%d} 不在任期内（{_term(start, end)}），{action}",
                sheet, source.split("!")[-1], member_id=mid)
        for mid, name, date, start, end, sheet, source in zip(
            recs["member_id"][outside], terms["name"][outside], recs["date"][outside], terms["term_start"][outside],
            terms["term_end"][outside], recs["sheet"][outside], recs["source"][outside])
    ]
    return (recs[~outside] if policy == "skip" else recs), problems


def _credit_merged(recs: pd.DataFrame, policy: str) -> pd.DataFrame:
    """并案 originals: keep status 并案, take the status of the case they merged into, or drop."""
    merged = (recs["kind"] == "proposal") & (recs["status"] == "并案")
    if policy == "as_merged" or not merged.any():
        return recs
    if policy == "none":
        return recs[~merged]
    proposals = recs.loc[recs["kind"] == "proposal"].drop_duplicates("item_id").set_index("item_id")["status"]
    target_status = recs.loc[merged, "merged_into"].map(proposals)
    recs = recs.copy()
    recs.loc[merged, "status"] = target_status.fillna("并案")
    return recs


def _months_in_office(members: pd.DataFrame, year: int) -> pd.Series:
    """Months of ``year`` with at least one day in office, by member_id (12 for a full year)."""
    year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    start = members["term_start"].fillna(year_start).clip(lower=year_start)
    end = members["term_end"].fillna(year_end).clip(upper=year_end)
    months = (end.dt.month - start.dt.month + 1).where(end >= start, 0).astype(int)
    return pd.Series(months.to_numpy(), index=members["member_id"].to_numpy())


def _pro_rate_lines(item_lines: list[pd.DataFrame], months: pd.Series, category: Category) -> pd.DataFrame:
    """Scale a part-year member's points earned from records in this category to a full year
    (× 12 / months in office). The start score is not scaled; the category's cap applies after."""
    nonempty = [part for part in item_lines if len(part)]
    if not nonempty:
        return _empty_ledger()
    earned = pd.concat(nonempty, ignore_index=True).groupby("member_id", sort=False)["points"].sum()
    served = earned.index.map(months)
    part_year = ((served > 0) & (served < 12) & (earned != 0)).to_numpy()
    if not part_year.any():
        return _empty_ledger()
    who, points, m = earned.index[part_year], earned.to_numpy()[part_year], served.to_numpy()[part_year]
    notes = [f"任职 {n} 个月，本类记录得分 {number_text(round(p, 4))} 分按全年折算 ×12/{n}" for n, p in zip(m, points)]
    return _member_lines(pd.Series(who), points * (12 / m - 1), category.id, category.name, f"{category.id}.pro_rate",
                         f"{category.name}任期折算", np.array(notes, dtype=object))


def _term(start, end) -> str:
    left = f"{start:%Y-%m-%d}" if pd.notna(start) else "年初"
    right = f"{end:%Y-%m-%d}" if pd.notna(end) else "年底"
    return f"{left} 至 {right}"


def _checklist(recs: pd.DataFrame, member_ids: pd.Series, rules: Rules) -> pd.DataFrame:
    if rules.checklist is None:
        return pd.DataFrame(columns=CHECKLIST_COLUMNS)
    ordered = recs.sort_values(_RECORD_ORDER, kind="stable")
    parts = []
    for item in rules.checklist.items:
        mask = pd.Series(False, index=ordered.index)
        for clause in item.any_of:
            mask |= match_mask(ordered, clause)
        matched = ordered.loc[mask, ["member_id", "date", "source"]]
        # Several records of one register row (e.g. one proposal) count once.
        counts = matched.drop_duplicates(["member_id", "source"]).groupby("member_id", sort=False).size()
        first = matched.drop_duplicates("member_id")
        part = pd.DataFrame({"member_id": member_ids.to_numpy(), "item": item.name})
        part = part.merge(first, on="member_id", how="left", validate="one_to_one")
        part["count"] = part["member_id"].map(counts).fillna(0).astype(int)
        part["done"] = part["count"] >= item.at_least
        part["source"] = part["source"].fillna("")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[CHECKLIST_COLUMNS]


# --- notes -------------------------------------------------------------------------------------

def _join_notes(left: pd.Series, right) -> pd.Series:
    right = right if isinstance(right, pd.Series) else pd.Series(right, index=left.index)
    both = (left != "") & (right != "")
    return (left + np.where(both, "；", "") + right).astype(object)


