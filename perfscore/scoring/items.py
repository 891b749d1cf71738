"""A category's ledger lines: its start score, each item's lines from the records (points,
cases, points_by, credit, stack, count, from_nth), the items' and the category's caps, and the
pro-rating of a part-year member's points (docs/scoring.md §2–4).

Each item is applied to all its kind's records at once; the only Python loop is over the rules
file's items.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..frames import joined_pairs, repeated_texts
from ..periods import period_lines
from ..rules import Category, Item
from ..text import number_text, percent_text
from .conditions import RecordTable, condition_label
from .ledger import Part, bound_part, member_part, part_sums
from .roster import Roster

__all__ = ["category_parts", "RECORD_ORDER"]

RECORD_ORDER = ["date", "sheet", "row", "position"]  # the order records are counted in


def category_parts(
    table: RecordTable,
    roster: Roster,
    category: Category,
    rounded: Callable[[Part | None], Part | None],
    months: np.ndarray | None,
) -> list[Part]:
    """A category's lines: its start score, each item's lines and caps, the pro-rating of what
    records earned (when set), and last the category's own cap."""
    member_codes = np.arange(roster.size)
    if category.standing is not None:  # a category for 常委 only (or for the others only)
        member_codes = member_codes[roster.standing[: roster.size] == int(category.standing)]
    earned: list[Part | None] = []  # lines from records, with the items' caps
    for item in category.items:
        if item.per_period is not None:
            item_parts = [
                rounded(part) for part in _period_parts(table, roster, item, category, member_codes)
            ]
        else:
            item_parts = [rounded(_item_part(table, item, category))]
        earned.extend(item_parts)
        earned.append(
            rounded(
                bound_part(
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
            member_part(
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
            bound_part(
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
    table: RecordTable, roster: Roster, item: Item, category: Category, member_codes: np.ndarray
) -> list[Part]:
    """A per-period item's lines (see :mod:`perfscore.periods`): one per period asked of each
    member the category applies to, met (with its first record's cell) or missed."""
    kind = item.match.kind
    p = table.kind_rows(kind)
    if category.standing is not None:
        assert table.standing is not None  # a member's records always carry the 常委 flag
        p = p[table.standing[p] == int(category.standing)]
    p = p[table.condition(item.match, kind, p)]
    position = table.array("position")
    if item.credit.max_authors is not None:
        p = p[position[p] <= item.credit.max_authors]
    if item.credit.mode == "first_only":
        p = p[position[p] == 1]
    p = p[table.member[p] < roster.size]
    # The order a period's first record is chosen in: date, then sheet, then row.
    sheet_codes, _ = table.all_codes("sheet")
    dates = table.array("date")[p].astype("datetime64[ns]").astype(np.int64)
    order = np.empty(len(p), dtype=np.int64)
    order[np.lexsort((table.array("row")[p], sheet_codes[p], dates))] = np.arange(len(p))
    spec = item.per_period
    assert spec is not None  # asked only of per-period items
    found = period_lines(
        spec,
        roster.year,
        members=member_codes,
        term_start=roster.term_start[: roster.size],
        term_end=roster.term_end[: roster.size],
        record_member=table.member[p],
        record_date=table.array("date")[p],
        record_order=order,
        rows=p,
        as_of=roster.as_of,
    )
    common: dict[str, Any] = dict(
        category=category.id,
        category_name=category.name,
        rule_id=f"{category.id}.{item.id}",
        rule_name=item.name,
        note_object=True,
    )
    return [
        Part(
            member=found.met_member,
            points=np.full(len(found.met_member), float(spec.met)),
            note=found.met_note,
            rows=found.met_rows,
            **common,
        ),
        Part(
            member=found.missed_member,
            points=np.full(len(found.missed_member), float(spec.missed)),
            note=found.missed_note,
            rows=None,
            **common,
        ),
    ]


def _item_part(table: RecordTable, item: Item, category: Category) -> Part:
    kind = item.match.kind
    p = table.kind_rows(kind)
    if category.standing is not None:
        assert table.standing is not None  # a member's records always carry the 常委 flag
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
        labels = [condition_label(case.when) for case in item.cases]
        note = np.array([*labels, ""], dtype=object)[
            np.select(masks, range(len(labels)), default=len(labels))
        ]
        note_object = True
        keep = ~np.isnan(points)
        p, points, note = p[keep], points[keep], note[keep]
    else:
        assert item.points_by is not None  # the schema requires one of points, points_by, cases
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
                if has:
                    sums = sums.where(pd.concat(has, axis=1).any(axis=1))
                else:
                    sums = pd.Series(np.nan, index=values.index)
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
                repeated_texts(
                    "分摊：其余 ", n - 1, f" 人平分 {percent_text(1 - credit.lead_share)}"
                ),
            ),
        ).astype(object)
        note = _joined_notes(note, split_note)
        note_object = True

    if item.stack == "highest" or item.count == "once" or item.from_nth > 1:
        p, points, note = _counted(table, item, p, points, note)
        note_object = True

    return Part(
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


def _counted(
    table: RecordTable, item: Item, p: np.ndarray, points: np.ndarray, note: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
            note=_joined_notes(lines["note"].to_numpy(dtype=object), "同一事项只取最高一项")
        )
    if item.count == "once":
        lines = _keep_best(lines, ["member_id"])
        lines = lines.assign(note=_joined_notes(lines["note"].to_numpy(dtype=object), "只计一次"))
    if item.from_nth > 1:
        lines = lines.sort_values(RECORD_ORDER, kind="stable")
        nth = (lines.groupby("member_id", sort=False).cumcount() + 1).to_numpy()
        later = nth >= item.from_nth
        lines = lines[later]
        lines = lines.assign(
            note=_joined_notes(
                lines["note"].to_numpy(dtype=object), repeated_texts("第 ", nth[later], " 条")
            )
        )
    return (
        lines["_p"].to_numpy(),
        lines["points"].to_numpy(dtype=float),
        lines["note"].to_numpy(dtype=object),
    )


def _keep_best(lines: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys``, the line with the most points; earliest (date, sheet, row) on ties."""
    ordered = lines.assign(_neg=-lines["points"]).sort_values(
        ["_neg", *RECORD_ORDER], kind="stable"
    )
    return (
        ordered.drop_duplicates(keys).drop(columns="_neg").sort_values(RECORD_ORDER, kind="stable")
    )


def _pro_rate_part(
    item_parts: list[Part | None], months: np.ndarray, category: Category
) -> Part | None:
    """Scale a part-year member's points earned from records in this category to a full year
    (× 12 / months in office). The start score is not scaled; the category's cap applies after."""
    lines = [part for part in item_parts if part is not None and len(part)]
    if not lines:
        return None
    who = pd.unique(np.concatenate([part.member for part in lines]))  # in order of first line
    earned = part_sums(lines)[who]
    served = months[who]
    part_year = (served > 0) & (served < 12) & (earned != 0)
    if not part_year.any():
        return None
    who, points, m = who[part_year], earned[part_year], served[part_year]
    notes = [
        f"任职 {n} 个月，本类记录得分 {number_text(round(p, 4))} 分按全年折算 ×12/{n}"
        for n, p in zip(m, points)
    ]
    return member_part(
        who,
        points * (12 / m - 1),
        category.id,
        category.name,
        f"{category.id}.pro_rate",
        f"{category.name}任期折算",
        np.array(notes, dtype=object),
    )


def _joined_notes(left: np.ndarray, right: np.ndarray | str) -> np.ndarray:
    """Two notes per line joined by '；' when both are given, else whichever is."""
    return joined_pairs(left, right, "；")
