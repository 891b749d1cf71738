"""Masking members' names for outputs that are published (公示): 欧阳明 -> 欧**, or -> 委员编号.

Masking works on the data, before any writer runs, so every output path (workbook, JSON, CSV,
Markdown, terminal, file names derived from the data) shows the same masked value::

    masked = mask_assessment(result)              # 张三 -> 张**
    masked = mask_assessment(result, mode="id")   # 张三 -> 0001 (the member's ID)

Names are replaced wherever they occur as text: the name columns, and inside free text such as
ledger titles and notes, problem messages ("胡俊洋（0320）的记录日期 …") and shortlist reasons — also
when written with spaces (张 三) or a tag (张三（民盟）). The same helpers mask any other table:
``mask_frame(frame, NameMask.from_members(result.members))``. A short name can also occur
inside ordinary words (a member named 文明 masks "文明城市" to "文**城市"): for publishing, too
much masking is the safe side.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Literal, Protocol, TypeVar

import pandas as pd

from .errors import Problem

__all__ = [
    "MaskMode",
    "MASK_MODES",
    "MASK_LABELS",
    "masked_name",
    "NameMask",
    "mask_frame",
    "mask_assessment",
]

MaskMode = Literal["name", "id"]
MASK_MODES: tuple[str, ...] = ("name", "id")
MASK_LABELS = {"name": "只显示姓名的第一个字（如 张**）", "id": "姓名以委员编号代替"}


class _HasMembers(Protocol):
    """A result whose ``members`` table names the members (an assessment, a report)."""

    @property
    def members(self) -> pd.DataFrame: ...


T = TypeVar("T", bound=_HasMembers)
_ID_TWICE = re.compile(r"\b([0-9A-Za-z_.-]+)[（(]\1[）)]")


def masked_name(name: str) -> str:
    """The first character and two stars, whatever the length: 张三 -> 张**, 欧阳明 -> 欧**."""
    name = name.strip()
    return name[:1] + "**" if name else name


class NameMask:
    """Replaces every occurrence of the given names in text.

    ``replacements`` maps each real name to what is shown instead. Names shorter than two
    characters are not masked inside text (they would hit ordinary words everywhere).
    """

    def __init__(self, replacements: Mapping[str, str]):
        self.replacements = {
            re.sub(r"\s+", "", k): v
            for k, v in replacements.items()
            if len(re.sub(r"\s+", "", k)) >= 2
        }
        self._pattern = _names_pattern(self.replacements) if self.replacements else None

    @classmethod
    def from_members(cls, members: pd.DataFrame, mode: MaskMode = "name") -> NameMask:
        """From a table with ``name`` and ``member_id`` columns (``Assessment.members``).

        In ``id`` mode a name shared by two members becomes 张** in free text (which of them is
        meant cannot be known there); the name columns still get each row's own ID.
        """
        if mode not in MASK_MODES:
            raise ValueError(f"mode must be one of {MASK_MODES}, not {mode!r}")
        names = members["name"].astype(str).str.strip()
        if mode == "name":
            return cls({name: masked_name(name) for name in names if name})
        ids = members["member_id"].astype(str)
        shared = set(names[names.duplicated(keep=False)])
        return cls(
            {
                name: masked_name(name) if name in shared else member_id
                for name, member_id in zip(names, ids)
                if name
            }
        )

    def text(self, value: str) -> str:
        if self._pattern is None or not value:
            return value
        masked = self._pattern.sub(
            lambda m: self.replacements[re.sub(r"\s+", "", m.group(0))], value
        )
        # "胡俊洋（0320）" masked by ID reads "0320（0320）": say it once.
        return _ID_TWICE.sub(r"\1", masked) if masked != value else masked

    def series(self, values: pd.Series) -> pd.Series:
        return values.map(lambda v: self.text(v) if isinstance(v, str) else v)


def mask_frame(
    frame: pd.DataFrame, mask: NameMask, *, by_row: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` with the names in every text cell masked (column headers untouched).

    ``by_row`` maps a name column to the column holding what replaces it row by row (in ``id``
    mode: ``{"name": "member_id"}``), for tables where each row belongs to one member.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = mask.series(series)
    for name_column, source in (by_row or {}).items():
        if name_column in out.columns and source in out.columns:
            out[name_column] = (
                frame[source].astype(str).where(frame[name_column].astype(str) != "", "")
            )
    return out


def mask_assessment(assessment: T, mode: MaskMode = "name") -> T:
    """A copy of ``assessment`` with members' names masked in every table and message.

    ``mode``: ``"name"`` shows 张** (first character kept); ``"id"`` shows the member's ID.
    Works field by field, so it masks any result dataclass whose ``members`` table has ``name``
    and ``member_id`` columns — an :class:`~perfscore.assessment.Assessment`, and tables added
    later (award shortlists, a progress report holding an assessment): every DataFrame, text,
    list and nested dataclass is masked. ``rules`` fields are kept as they are (the rules hold
    no name that is printed); ``mask`` fields are set to ``mode``, so writers can say so.
    """
    mask = NameMask.from_members(assessment.members, mode)
    by_row = {"name": "member_id"} if mode == "id" else None
    return _masked(assessment, mask, by_row, mode)


def _masked(value: Any, mask: NameMask, by_row: Mapping[str, str] | None, mode: str) -> Any:
    if isinstance(value, pd.DataFrame):
        return mask_frame(value, mask, by_row=by_row)
    if isinstance(value, str):
        return mask.text(value)
    if isinstance(value, Problem):
        return dataclasses.replace(
            value,
            message=mask.text(value.message),
            value=mask.text(value.value),
            suggestion=mask.text(value.suggestion),
        )
    if isinstance(value, list | tuple):
        return type(value)(_masked(v, mask, by_row, mode) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init or f.name == "rules":
                continue
            changes[f.name] = (
                mode if f.name == "mask" else _masked(getattr(value, f.name), mask, by_row, mode)
            )
        return dataclasses.replace(value, **changes)
    return value  # numbers, dates, rules models (an award's settings), None


def _names_pattern(replacements: Mapping[str, str]) -> re.Pattern:
    """One regex for all names, as a trie (fast on thousands of cells); spaces allowed between
    characters (张 三). Longer names win: 欧阳明 before 欧阳."""
    trie: dict = {}
    for name in replacements:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def continuation(node: dict) -> str:
        branches = [re.escape(ch) + continuation(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        group = r"\s*" + (branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")")
        return f"(?:{group})?" if "" in node else group

    first = "".join(sorted(re.escape(ch) for ch in trie))
    return re.compile(
        f"(?=[{first}])(?:"
        + "|".join(re.escape(ch) + continuation(child) for ch, child in sorted(trie.items()))
        + ")"
    )
