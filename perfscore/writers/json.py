"""The assessment as JSON: the same content as the workbook, in one document (see docs/json.md).

Keys are English (stable for scripts); values keep the workbook's Chinese words. Dates are
ISO strings, missing values null. The bytes depend only on the input file (its name and
content), the rules and the perfscore version: no timestamps.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import __version__
from ..assessment import Assessment
from .common import atomic_path

if TYPE_CHECKING:
    from ..awards import Shortlist

__all__ = ["write_json", "write_shortlists_json", "assessment_document", "JSON_FORMAT_VERSION"]

JSON_FORMAT_VERSION = 1


# How a table goes into a document: as a list of row objects (``_records``), or, when the
# document is written, as a placeholder that ``_dumps`` replaces with the rows' text.
_Rows = Callable[[pd.DataFrame], Any]


def assessment_document(a: Assessment) -> dict:
    """The assessment as JSON values (what :func:`write_json` writes)."""
    return _assessment_document(a, _records)


def _assessment_document(a: Assessment, rows: _Rows) -> dict:
    rules = a.rules.rules
    return {
        "format": "perfscore-assessment",
        "format_version": JSON_FORMAT_VERSION,
        "perfscore_version": __version__,
        "source": a.source_name,
        "unit": a.unit,
        "unit_from": a.unit_from,
        "year": a.year,
        "masked": a.mask or None,
        "rules": {
            "file": Path(a.rules.path).name,
            "scheme": rules.scheme,
            "version": rules.version,
            "sha256": a.rules.sha256,
            "settings": rules.settings.model_dump(),
            "categories": [{"id": c.id, "name": c.name} for c in rules.categories],
            "grades": [
                {"grade": g.grade, "min": g.min, "requires_checklist": g.requires_checklist}
                for g in rules.grades
            ],
            "checklist": (
                {"name": rules.checklist.name, "items": [i.name for i in rules.checklist.items]}
                if rules.checklist is not None
                else None
            ),
        },
        "members": rows(a.members),
        "ledger": rows(a.ledger),
        "checklist": rows(a.checklist),
        "groups": rows(a.groups),
        "awards": [_shortlist_document(sl, rows) for sl in a.shortlists],
        **({"bodies": rows(a.bodies)} if rules.bodies else {}),
        "problems": [
            {
                "severity": p.severity.name.lower(),
                "reason": str(p.reason),
                "sheet": p.sheet,
                "cell": p.cell,
                "value": p.value,
                "message": p.message,
                "suggestion": p.suggestion,
            }
            for p in a.problems
        ],
    }


def _shortlist_document(sl: Shortlist, rows: _Rows) -> dict:
    return {
        "id": sl.award.id,
        "name": sl.award.name,
        "pool": sl.award.pool,
        "pool_size": sl.pool_size,
        "quota": sl.quota,
        "quota_text": sl.quota_text,
        "notes": sl.notes,
        "winners": rows(sl.winners),
        "near_misses": rows(sl.near_misses),
        "balance": rows(sl.balance),
    }


def write_shortlists_json(a: Assessment, lists: list, out: Path) -> None:
    def document(rows: _Rows) -> dict:
        return {
            "format": "perfscore-shortlists",
            "format_version": JSON_FORMAT_VERSION,
            "perfscore_version": __version__,
            "source": a.source_name,
            "year": a.year,
            "awards": [_shortlist_document(sl, rows) for sl in lists],
        }

    text = _dumps(document)
    with atomic_path(out) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def write_json(a: Assessment, out: Path) -> None:
    text = _dumps(lambda rows: _assessment_document(a, rows))
    with atomic_path(out) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as JSON values: dates as 2023-05-24, every missing value as null."""
    out = frame.astype(object)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = frame[column].dt.strftime("%Y-%m-%d").astype(object)
    return out.where(frame.notna(), None).to_dict(orient="records")


# --- writing: json.dumps(indent=1) bytes, the tables made column by column --------------------
#
# json.dumps uses its C encoder only without indentation; with it, every value of every row goes
# through Python code, which is slow for a long ledger. The document is dumped with each
# table as a placeholder, and each placeholder is replaced by the text json.dumps would have
# written for the table's rows: the same bytes, each distinct value encoded once.


def _dumps(build: Callable[[_Rows], dict]) -> str:
    """``json.dumps(build(_records), ensure_ascii=False, indent=1, allow_nan=False)``, fast."""
    token = uuid.uuid4().hex  # no cell can hold this run's placeholders
    tables: list[pd.DataFrame] = []

    def placeholder(frame: pd.DataFrame) -> str:
        tables.append(frame)
        return f"\ue000{token}:{len(tables) - 1}\ue000"

    text = json.dumps(build(placeholder), ensure_ascii=False, indent=1, allow_nan=False)
    pattern = re.compile(rf'^( *)("[^"\n]*": )"\ue000{token}:(\d+)\ue000"', re.MULTILINE)
    return pattern.sub(lambda m: m[1] + m[2] + _rows_text(tables[int(m[3])], len(m[1])), text)


def _rows_text(frame: pd.DataFrame, indent: int) -> str:
    """The rows as json.dumps(indent=1) writes a list of objects that is the value of a key
    indented by ``indent`` spaces."""
    if not len(frame):
        return "[]"
    names = list(frame.columns)
    if not all(isinstance(name, str) for name in names) or len(set(names)) < len(names):
        # keys json.dumps would turn into text, or one key for two columns (the last value
        # wins): the standard library's own text, indented to its place
        text = json.dumps(_records(frame), ensure_ascii=False, indent=1, allow_nan=False)
        return text.replace("\n", "\n" + " " * indent)  # a JSON text has no raw newline inside
    item, field = " " * (indent + 1), " " * (indent + 2)
    if not len(frame.columns):
        return "[\n" + ",\n".join([item + "{}"] * len(frame)) + "\n" + " " * indent + "]"
    parts = np.empty((len(frame), 2 * len(frame.columns) + 1), dtype=object)
    for i, column in enumerate(frame.columns):
        key = json.dumps(column, ensure_ascii=False)
        parts[:, 2 * i] = f"{',' if i else item + '{'}\n{field}{key}: "
        parts[:, 2 * i + 1] = _values_text(frame.iloc[:, i])
    parts[:, -1] = f"\n{item}}}"
    parts[1:, 0] = ",\n" + parts[0, 0]  # the comma after the row before
    return "[\n" + "".join(parts.ravel().tolist()) + "\n" + " " * indent + "]"


def _values_text(series: pd.Series) -> np.ndarray:
    """Each value as json.dumps writes it, as _records gives it: dates as "2023-05-24", every
    missing value null."""
    missing = series.isna().to_numpy(dtype=bool)
    text = np.full(len(series), "null", dtype=object)
    if missing.all():
        return text
    values = series[~missing]
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        encoded = _strings_text(values.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
    elif pd.api.types.is_bool_dtype(dtype):
        encoded = np.where(values.to_numpy(dtype=bool), "true", "false").astype(object)
    elif pd.api.types.is_integer_dtype(dtype) and values.dtype.kind != "u":
        distinct, codes = np.unique(values.to_numpy(dtype=np.int64), return_inverse=True)
        encoded = np.array([str(v) for v in distinct.tolist()], dtype=object)[codes]
    elif pd.api.types.is_float_dtype(dtype):
        numbers = values.to_numpy(dtype=np.float64)
        if np.isinf(numbers).any():
            raise ValueError(f"Out of range float values are not JSON compliant: {series.name}")
        # distinct by bit pattern: 0.0 and -0.0 are written differently
        distinct, codes = np.unique(numbers.view(np.int64), return_inverse=True)
        floats = distinct.view(np.float64).tolist()
        encoded = np.array([float.__repr__(v) for v in floats], dtype=object)[codes]
    else:
        objects = values.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(objects, skipna=False) == "string":
            encoded = _strings_text(objects)
        else:  # mixed values: each as pandas' to_dict would give it to json.dumps
            encoded = np.array(
                [
                    json.dumps(
                        v.item() if isinstance(v, (np.number, np.bool_)) else v,
                        ensure_ascii=False,
                        allow_nan=False,
                    )
                    for v in objects
                ],
                dtype=object,
            )
    text[~missing] = encoded
    return text


def _strings_text(strings: np.ndarray) -> np.ndarray:
    codes, distinct = pd.factorize(strings)
    encoded = list(map(encode_basestring, distinct.tolist()))  # json.dumps(ensure_ascii=False)
    return np.array(encoded, dtype=object)[codes]
