"""The ranking as one flat CSV table (总排名 with each category's subtotal), for other systems.

UTF-8 with a byte-order mark, so Excel and WPS open the Chinese correctly by double-click;
comma separated, CRLF line ends (what Excel writes). Numbers carry the rules' decimal places.
Text that a spreadsheet would run as a formula (=, +, -, @ at the start) gets a leading
apostrophe (see :mod:`perfscore.writers.safety`). Read it back with pandas::

    pd.read_csv("2023-考核结果.csv", dtype={"委员编号": str}, keep_default_na=False)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..assessment import Assessment
from ..text import per_distinct, rows_matching, text_array
from .common import atomic_path, breakdown_table, ranking_table
from .safety import formula_rows

__all__ = ["write_csv", "csv_table", "safe_csv_lines"]

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_table(a: Assessment) -> pd.DataFrame:
    """总排名's columns, then the 分项得分 columns it lacks (each category, 基础分 …)."""
    ranking = ranking_table(a)
    breakdown = breakdown_table(a)
    extra = [c for c in breakdown.columns if c not in ranking.columns]
    return pd.concat([ranking, breakdown[extra]], axis=1)


def write_csv(a: Assessment, out: Path) -> None:
    text = safe_csv_lines(csv_table(a), decimals=a.rules.rules.settings.decimals)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8-sig", newline="")


def safe_csv_lines(table: pd.DataFrame, *, decimals: int, header: bool = True) -> str:
    """``table`` (two or more columns; dates without time zone) as CSV text, formula-safe: byte for byte what
    ``table.to_csv(index=False, lineterminator="\\r\\n", float_format=f"%.{decimals}f",
    date_format="%Y-%m-%d")`` gives once every text cell that looks like a formula has been
    given a leading apostrophe (a test compares them), in a fifth of the time for a
    million-line ledger.

    Each column becomes its fields at once (one regex pass over a text column finds the few
    texts to neutralise or quote; numbers and dates are formatted a column at a time); a line
    is then one ``join``.
    pandas' writer goes through Python's csv module a row at a time instead."""
    fields = [_csv_fields(table[column], decimals) for column in table.columns]
    lines = [",".join(row) for row in zip(*fields)] if fields else [""] * len(table)
    if header:  # headers may come from the rules (a category's name): neutralised as text is
        lines.insert(
            0, ",".join(_text_fields(np.array([str(c) for c in table.columns], dtype=object)))
        )
    return "\r\n".join(lines) + "\r\n" if lines else ""


def _csv_fields(series: pd.Series, decimals: int) -> list[str]:
    """A column's CSV fields, worked out once per distinct value: a column that repeats its
    values (member, rule, points, date in a ledger) is formatted and quoted a few times only."""
    return per_distinct(
        series,
        lambda values: pd.Series(_fields_of(values, decimals), index=values.index, dtype=object),
    ).tolist()


def _fields_of(series: pd.Series, decimals: int) -> list[str]:
    missing = series.isna().to_numpy()
    if pd.api.types.is_float_dtype(series):
        texts = np.array([f"{v:.{decimals}f}" for v in series.tolist()], dtype=object)
    elif pd.api.types.is_datetime64_any_dtype(series):
        texts = series.to_numpy(dtype="datetime64[D]").astype(str).astype(object)
    elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        texts = series.astype(object).astype(str).to_numpy(dtype=object)
    else:  # text: formula-like text neutralised, then quoted where it must be
        return _text_fields(text_array(series))
    return np.where(missing, "", texts).tolist()


def _text_fields(texts: np.ndarray) -> list[str]:
    """Text as CSV fields: formula-like text neutralised, then quoted where it must be."""
    formula = formula_rows(texts.tolist())
    texts[formula] = "'" + texts[formula]
    return _quoted(texts).tolist()


def _quoted(texts: np.ndarray) -> np.ndarray:
    """CSV fields as Python's csv module writes them (minimal quoting): in quotes, with quotes
    doubled, when they hold a comma, a quote or a line break."""
    needs = rows_matching(texts.tolist(), _NEEDS_QUOTES)
    if needs.any():
        texts = texts.copy()
        texts[needs] = (
            '"' + pd.Series(texts[needs], dtype=object).str.replace('"', '""', regex=False) + '"'
        ).to_numpy()
    return texts
