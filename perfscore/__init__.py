"""perfscore — score CPPCC members' annual duty performance (政协委员年度履职考核积分).

The pipeline runs one way, one module per stage::

    reading.read_workbook    -> RawWorkbook      (sheets, headers, Excel row numbers)
    records.normalise        -> Records          (members + one row per member per record)
    scoring.score            -> Scoring          (the ledger: one line per award of points)
    assessment.assess_scores -> Assessment       (totals, grades, ranks, groups)
    awards.shortlists        -> list[Shortlist]  (评优名单, added to the Assessment)
    writers.*                -> xlsx / json / csv / terminal, laid out as ``layout`` says

:func:`assess` runs the first five; :func:`write_outputs` the writers.
:func:`assess_progress` (:mod:`.quarterly`) scores the records up to a period's end (季度履职进度);
:func:`report` (``perfscore report``) also writes it (:mod:`.writers.quarterly`).
``frames`` holds array helpers shared by the stages; ``history`` reads earlier results back.
:func:`write_template` writes an empty entry workbook in the input format (填表模板, ``perfscore template``).
Names are imported on first use, so ``perfscore --help`` does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "assess": "api",
    "check": "api",
    "write_outputs": "api",
    "default_output_path": "api",
    "write_public": "api",
    "write_notice": "api",
    "write_rules_document": "api",
    "write_template": "template",
    "explain": "explanation",
    "report": "api",
    "assess_progress": "quarterly",
    "Period": "quarterly",
    "ProgressReport": "quarterly",
    "mask_assessment": "privacy",
    "load_rules": "rules",
    "parse_rules": "rules",
    "Rules": "rules",
    "LoadedRules": "rules",
    "Assessment": "assessment",
    "Problem": "errors",
    "PerfscoreError": "errors",
    "DataError": "errors",
    "UsageError": "errors",
    "RulesError": "errors",
}

__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:
    from .api import (
        assess,
        check,
        default_output_path,
        report,
        write_notice,
        write_outputs,
        write_public,
        write_rules_document,
    )
    from .assessment import Assessment
    from .errors import DataError, PerfscoreError, Problem, RulesError, UsageError
    from .explanation import explain
    from .privacy import mask_assessment
    from .quarterly import Period, ProgressReport, assess_progress
    from .rules import LoadedRules, Rules, load_rules, parse_rules
    from .template import write_template


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'perfscore' has no attribute {name!r}")
