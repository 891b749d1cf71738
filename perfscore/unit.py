"""The unit (单位) a workbook belongs to: which 政协 (a 县区, a 市) kept these registers.

A workbook names its unit in a cell above the roster's header, or near the top of an
instructions sheet (填表说明), in either of two ways:

* one cell ``单位：城关区政协`` (also ``单位名称：…``, ``填报单位：…``; a colon of either width);
* a cell ``单位`` (or ``单位名称``, ``填报单位``) with the name in the next filled cell to its right,
  on a row of at most three filled cells (a row of column headers such as 单位 | 职务 is not one).

The name lets ``perfscore combine`` compare units without a rules file per unit; a workbook
that names none is called by its file name (see :func:`perfscore.api.assess`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["unit_in_rows", "UNIT_LABELS", "UNIT_FROM_WORKBOOK", "UNIT_FROM_FILE_NAME"]

UNIT_LABELS = ("单位", "单位名称", "填报单位")
UNIT_FROM_WORKBOOK = "工作簿"
UNIT_FROM_FILE_NAME = "文件名"
_LABELLED = re.compile(r"^\s*(?:填报)?单位(?:名称)?\s*[:：]\s*(\S.*?)\s*$")
_SPACE = re.compile(r"\s+")


def unit_in_rows(rows: Iterable[Sequence[object]]) -> str:
    """The first unit named in ``rows`` (lists of cell values), or '' when none is."""
    for row in rows:
        cells = ["" if v is None else str(v).strip() for v in row]
        for index, text in enumerate(cells):
            if not text:
                continue
            labelled = _LABELLED.match(text)
            if labelled:
                return _clean(labelled.group(1))
            if _SPACE.sub("", text).rstrip(":：") in UNIT_LABELS and sum(map(bool, cells)) <= 3:
                following = next((t for t in cells[index + 1 :] if t), "")
                if following and _SPACE.sub("", following).rstrip(":：") not in UNIT_LABELS:
                    return _clean(following)
    return ""


def _clean(name: str) -> str:
    return _SPACE.sub(" ", name.replace("\u3000", " ")).strip()
