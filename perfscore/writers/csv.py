"""The ranking as one flat CSV table (总排名 with each category's subtotal), for other systems.

UTF-8 with a byte-order mark, so Excel and WPS open the Chinese correctly by double-click;
comma separated, CRLF line ends (what Excel writes). Numbers carry the rules' decimal places.
Text that a spreadsheet would run as a formula (=, +, -, @ at the start) gets a leading
apostrophe (see :mod:`perfscore.writers.safety`). Read it back with pandas::

    pd.read_csv("2023-考核结果.csv", dtype={"委员编号": str}, keep_default_na=False)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..assessment import Assessment
from .common import atomic_path, breakdown_table, ranking_table
from .safety import neutralise_frame

__all__ = ["write_csv", "csv_table"]


def csv_table(a: Assessment) -> pd.DataFrame:
    """总排名's columns, then the 分项得分 columns it lacks (each category, 基础分 …)."""
    ranking = ranking_table(a)
    breakdown = breakdown_table(a)
    extra = [c for c in breakdown.columns if c not in ranking.columns]
    return pd.concat([ranking, breakdown[extra]], axis=1)


def write_csv(a: Assessment, out: Path) -> None:
    table = neutralise_frame(csv_table(a))
    decimals = a.rules.rules.settings.decimals
    text = table.to_csv(index=False, float_format=f"%.{decimals}f", lineterminator="\r\n")
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8-sig", newline="")
