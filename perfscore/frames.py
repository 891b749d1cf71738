"""Array and index machinery shared by the stages: codes over distinct values, stable sorts
that skip keys already in order, texts joined per group, sums per code.

Nothing here knows about rules, members or records; each function states the pandas expression
it gives the result of (bit for bit) and does it without a Python call per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "factorize_values",
    "stable_sorted",
    "joined_texts",
    "grouped_sums",
    "repeated_texts",
    "joined_pairs",
]


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


def repeated_texts(
    before: str, values: np.ndarray, after: str, show: Callable[[Any], str] = str
) -> np.ndarray:
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


def joined_pairs(left: np.ndarray, right: np.ndarray | str, separator: str) -> np.ndarray:
    """Two texts per row (``right`` may be one text for all) joined by ``separator`` when both
    are non-empty, else whichever is.

    Joined once per distinct pair (columns such as a rule's notes have a few distinct texts):
    joining row by row would make a string object per row, and a frame taking them in another
    order reads every object it holds."""
    right = np.broadcast_to(np.asarray(right, dtype=object), left.shape)
    left_codes, left_texts = pd.factorize(left, use_na_sentinel=False)
    right_codes, right_texts = pd.factorize(right, use_na_sentinel=False)
    pair, pairs = pd.factorize(left_codes.astype(np.int64) * len(right_texts) + right_codes)
    first, then = (
        np.asarray(left_texts, dtype=object)[pairs // max(len(right_texts), 1)],
        np.asarray(right_texts, dtype=object)[pairs % max(len(right_texts), 1)],
    )
    both = (first != "") & (then != "")
    return (first + np.where(both, separator, "").astype(object) + then)[pair]


def grouped_sums(member: np.ndarray, points: np.ndarray, size: int = 0) -> np.ndarray:
    """Sums of ``points`` by ``member`` code (0 … at least ``size`` - 1), bit for bit as
    ``groupby(member).sum()``: that sums with compensation (``np.bincount``'s plain running sums
    can differ in the last bit). The codes are given to groupby as a categorical, which it
    groups by as they are, instead of hashing a million codes first."""
    size = max(size, int(member.max(initial=-1)) + 1)
    keys = pd.Categorical.from_codes(member, categories=pd.RangeIndex(size))
    return pd.Series(points).groupby(keys, observed=False).sum().to_numpy()  # type: ignore[call-overload]  # pandas-stubs does not list a Categorical as groupby keys
