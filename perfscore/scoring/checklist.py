"""The checklist (e.g. 双五个一): for each member on the roster and each checklist item, how many
of the member's register rows match it, whether that reaches ``at_least``, and the source cell of
the earliest matching record (docs/scoring.md §6).

Invariant: the table has one row per roster member per item asked of that member (an item with
``who`` is asked of some members only), in item order then roster order; a member without
matching records has count 0, done False, no date and source ''.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import Rules
from .conditions import RecordTable, standing_codes
from .items import RECORD_ORDER
from .roster import Roster

__all__ = ["CHECKLIST_COLUMNS", "checklist_table", "checklist_applies"]

CHECKLIST_COLUMNS = ["member_id", "item", "done", "count", "date", "source"]


def checklist_table(
    table: RecordTable, roster: Roster, rules: Rules
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
            applies[k] &= standing_codes(members["standing"]) == int(scope.standing)
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
    by_date = pd.DataFrame({key: frame[key].array.take(table.rows) for key in RECORD_ORDER})
    order = by_date.sort_values(RECORD_ORDER, kind="stable").index.to_numpy()
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
    unit = np.datetime_data(dates.dtype)[0]
    day = np.int64(np.timedelta64(1, "D") // np.timedelta64(1, unit))  # type: ignore[call-overload]  # numpy's stubs list the unit names as literals only
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
