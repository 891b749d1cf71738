"""The assessment as JSON: the same content as the workbook, in one document (see docs/json.md).

Keys are English (stable for scripts); values keep the workbook's Chinese words. Dates are
ISO strings, missing values null. The bytes depend only on the input file (its name and
content), the rules and the perfscore version: no timestamps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import __version__
from ..assessment import Assessment
from .common import atomic_path

if TYPE_CHECKING:
    from ..awards import Shortlist

__all__ = ["write_json", "write_shortlists_json", "assessment_document", "JSON_FORMAT_VERSION"]

JSON_FORMAT_VERSION = 1


def assessment_document(a: Assessment) -> dict:
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
        "members": _records(a.members),
        "ledger": _records(a.ledger),
        "checklist": _records(a.checklist),
        "groups": _records(a.groups),
        "awards": [_shortlist_document(sl) for sl in a.shortlists],
        **({"bodies": _records(a.bodies)} if rules.bodies else {}),
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


def _shortlist_document(sl: Shortlist) -> dict:
    return {
        "id": sl.award.id,
        "name": sl.award.name,
        "pool": sl.award.pool,
        "pool_size": sl.pool_size,
        "quota": sl.quota,
        "quota_text": sl.quota_text,
        "notes": sl.notes,
        "winners": _records(sl.winners),
        "near_misses": _records(sl.near_misses),
        "balance": _records(sl.balance),
    }


def write_shortlists_json(a: Assessment, lists: list, out: Path) -> None:
    document = {
        "format": "perfscore-shortlists",
        "format_version": JSON_FORMAT_VERSION,
        "perfscore_version": __version__,
        "source": a.source_name,
        "year": a.year,
        "awards": [_shortlist_document(sl) for sl in lists],
    }
    with atomic_path(out) as tmp:
        tmp.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n",
            encoding="utf-8",
        )


def write_json(a: Assessment, out: Path) -> None:
    text = json.dumps(assessment_document(a), ensure_ascii=False, indent=1, allow_nan=False)
    with atomic_path(out) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as JSON values: dates as 2023-05-24, every missing value as null."""
    out = frame.astype(object)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = frame[column].dt.strftime("%Y-%m-%d").astype(object)
    return out.where(frame.notna(), None).to_dict(orient="records")
