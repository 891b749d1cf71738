"""Targets per month or quarter (每月一次集体学习、每季度一次、偶数月): which periods each member
must meet, which they met, and the ledger lines that follow (``per_period`` in the rules).

A period is required of a member when the member is in office for the whole of it (a member who
joins on 15 June is not asked for June) and, in a progress report (``as_of``), when it has
ended by that day. Each required period gives one line: ``met`` points with the cell of the
period's first matching record, or ``missed`` points naming the period and how many records it
had. Everything is computed with arrays over members × periods; the only loop is over the (at
most twelve) periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .rules.schema import Period

__all__ = ["PeriodLines", "period_lines", "period_bounds"]


@dataclass(frozen=True)
class PeriodLines:
    """Lines of a per-period item: ``met_*`` for periods met (``met_rows`` are the positions of
    each period's first matching record), ``missed_*`` for periods missed (no record)."""

    met_member: np.ndarray
    met_rows: np.ndarray
    met_note: np.ndarray
    missed_member: np.ndarray
    missed_note: np.ndarray


def period_bounds(
    spec: Period, year: int
) -> list[tuple[str, pd.Timestamp, pd.Timestamp, list[int]]]:
    """(label, first day, last day, months) of each period the rule asks for in ``year``."""
    if spec.every == "quarter":
        return [
            (
                f"{year}年第{'一二三四'[q]}季度",
                pd.Timestamp(year, 3 * q + 1, 1),
                pd.Timestamp(year, 3 * q + 3, 1) + pd.offsets.MonthEnd(0),
                [3 * q + 1, 3 * q + 2, 3 * q + 3],
            )
            for q in range(4)
        ]
    months = sorted(spec.months) if spec.months else list(range(1, 13))
    return [
        (
            f"{year}年{m}月",
            pd.Timestamp(year, m, 1),
            pd.Timestamp(year, m, 1) + pd.offsets.MonthEnd(0),
            [m],
        )
        for m in months
    ]


def period_lines(
    spec: Period,
    year: int,
    *,
    members: np.ndarray,
    term_start: np.ndarray,
    term_end: np.ndarray,
    record_member: np.ndarray,
    record_date: np.ndarray,
    record_order: np.ndarray,
    rows: np.ndarray,
    as_of: pd.Timestamp | None = None,
) -> PeriodLines:
    """The lines for ``members`` (codes into ``term_start``/``term_end``, datetime64 with NaT for
    an open end) given the matching records: their member codes, dates, an order that sorts
    them (date, sheet, row) and their positions ``rows`` (what a met line points to)."""
    periods = period_bounds(spec, year)
    month_to_period = np.full(13, -1, dtype=np.int64)
    for index, (_, _, _, months) in enumerate(periods):
        month_to_period[months] = index
    dates = pd.DatetimeIndex(record_date)
    known = ~np.asarray(dates.isna())
    in_year = known & (np.asarray(dates.year.fillna(0), dtype=np.int64) == year)
    month = np.where(in_year, np.asarray(dates.month.fillna(0), dtype=np.int64), 0)
    period = month_to_period[month]
    counted = period >= 0
    size = len(term_start)
    n_periods = len(periods)

    # Records per (member, period), and each cell's first record in the stated order.
    key = record_member[counted] * n_periods + period[counted]
    counts = np.bincount(key, minlength=size * n_periods).reshape(size, n_periods)
    first = np.full(size * n_periods, -1, dtype=np.int64)
    if counted.any():
        order = np.lexsort((record_order[counted], key))
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        first[sorted_key[starts]] = rows[counted][order][starts]
    by_member = first.reshape(size, n_periods)

    start = pd.DatetimeIndex(term_start)
    end = pd.DatetimeIndex(term_end)
    met_member, met_rows, met_note, missed_member, missed_note = [], [], [], [], []
    for index, (label, first_day, last_day, _) in enumerate(periods):
        if as_of is not None and last_day > as_of:
            continue  # a period not yet over is not asked for in a progress report
        whole = (np.asarray(start.isna()) | np.asarray(start <= first_day)) & (
            np.asarray(end.isna()) | np.asarray(end >= last_day)
        )
        required = members[whole[members]]
        n = counts[required, index]
        done = n >= spec.at_least
        if spec.met:
            who = required[done]
            met_member.append(who)
            met_rows.append(by_member[who, index])
            met_note.append(_notes(label, n[done], None))
        if spec.missed:
            who = required[~done]
            missed_member.append(who)
            missed_note.append(_notes(label, n[~done], spec.at_least))
    return PeriodLines(
        met_member=_joined(met_member, np.int64),
        met_rows=_joined(met_rows, np.int64),
        met_note=_joined(met_note, object),
        missed_member=_joined(missed_member, np.int64),
        missed_note=_joined(missed_note, object),
    )


def _notes(label: str, counts: np.ndarray, at_least: int | None) -> np.ndarray:
    """'2023年3月达到（2 次）' for a met period; '2023年3月未达到（1 次，至少 2 次）' for a
    missed one: each distinct count written once."""
    distinct, inverse = np.unique(counts, return_inverse=True)
    texts = [
        f"{label}达到（{value} 次）"
        if at_least is None
        else f"{label}未达到（{value} 次，至少 {at_least} 次）"
        for value in distinct.tolist()
    ]
    return np.array(texts, dtype=object)[inverse] if len(counts) else np.zeros(0, dtype=object)


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)
