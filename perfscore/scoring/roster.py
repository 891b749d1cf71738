"""The members by position and the records that score, as arrays (docs/scoring.md §1).

A member's *code* is their position in the roster (``Records.members``, 0 … size-1). Records
naming someone not on the roster (never from ``normalise``) get codes from ``size`` on, so they
still score but take no start, base, cap or checklist line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, Reason, Severity
from .conditions import RecordTable, standing_codes

__all__ = ["Roster", "scored_records", "written_records", "term_text"]


class Roster:
    """The roster as arrays by member code. ``ids`` are the member ids by code (the roster's,
    then those of records naming someone not on it); ``record_codes`` the code of each record of
    the frame it was built over; ``standing`` the 常委 flag by code (1, 0, -1 when unknown);
    ``term_start`` and ``term_end`` by code (NaT when open or unknown). ``members`` is the roster
    as given. The roster's member ids are unique (ValueError otherwise)."""

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
        if not index.is_unique:
            raise ValueError("the roster lists a member_id twice")
        codes = index.get_indexer(record_ids)
        unknown = codes < 0
        ids = members["member_id"].array
        if unknown.any():
            extra_codes, extra = pd.factorize(record_ids[unknown].to_numpy())
            codes[unknown] = self.size + extra_codes
            ids = pd.array([*ids, *extra], dtype=record_ids.dtype)  # type: ignore[arg-type]  # pandas-stubs allows only timedelta dtypes for a list here
        self.record_codes = codes.astype(np.int64)
        self.ids = ids
        n_all = len(ids)
        self.standing = np.concatenate(
            [standing_codes(members["standing"]), np.full(n_all - self.size, -1, dtype=np.int8)]
        )
        self.term_start = _extended(members["term_start"], n_all)
        self.term_end = _extended(members["term_end"], n_all)

    def months(self, year: int) -> np.ndarray:
        """Months of ``year`` in office by code (0 for someone not on the roster: never pro-rated)."""
        months = np.zeros(len(self.ids), dtype=np.int64)
        months[: self.size] = _months_in_office(self.members, year).to_numpy()
        return months


def written_records(frame: pd.DataFrame, roster: Roster) -> RecordTable:
    """Every record of ``frame`` (the frame ``roster`` was built over) as written: no term
    policy, no 并案 credit."""
    member = roster.record_codes
    return RecordTable(frame, np.arange(len(frame)), member, roster.standing[member])


def _extended(column: pd.Series, size: int) -> np.ndarray:
    values = column.to_numpy()
    if size == len(values):
        return values
    return np.concatenate(
        [values, np.full(size - len(values), np.datetime64("NaT"), dtype=values.dtype)]
    )


def scored_records(
    frame: pd.DataFrame, roster: Roster, policy: str, merged_credit: str
) -> tuple[RecordTable, list[Problem], bool]:
    """The records that score, as a table over ``frame``: the term policy (docs/scoring.md §1)
    drops records dated outside the member's term (``skip``, each one a warning) or keeps them
    (``count``, still a warning); then the 并案 credit drops merged originals (``none``) or gives
    them the status of the case they merged into (``as_target``, a new frame). The table's
    ``member`` are roster codes, its ``standing`` the members' 常委 flags. The flag says whether
    the table holds every record of ``frame`` as written (nothing dropped or changed)."""
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
                f"{name}（{mid}）的记录日期 {date:%Y-%m-%d} 不在任期内（{term_text(start, end)}），{action}",
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
                return RecordTable(frame, rows, member, roster.standing[member]), problems, False
    whole = len(rows) == len(frame)
    member = member[rows]
    return RecordTable(frame, rows, member, roster.standing[member]), problems, whole


def _months_in_office(members: pd.DataFrame, year: int) -> pd.Series:
    """Months of ``year`` with at least one day in office, by member_id (12 for a full year)."""
    year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    # pandas-stubs types clip's bounds as numbers; pandas clips datetimes by Timestamps.
    start = members["term_start"].fillna(year_start).clip(lower=year_start)  # type: ignore[call-overload]
    end = members["term_end"].fillna(year_end).clip(upper=year_end)  # type: ignore[call-overload]
    months = (end.dt.month - start.dt.month + 1).where(end >= start, 0).astype(int)
    return pd.Series(months.to_numpy(), index=members["member_id"].to_numpy())


def term_text(start: Any, end: Any) -> str:  # Timestamps, or missing
    left = f"{start:%Y-%m-%d}" if pd.notna(start) else "年初"
    right = f"{end:%Y-%m-%d}" if pd.notna(end) else "年底"
    return f"{left} 至 {right}"
