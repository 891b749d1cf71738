"""perfscore — score CPPCC members' annual duty performance (政协委员年度履职考核积分).

The pipeline runs one way, one module per stage::

    workbook.read_workbook   -> RawWorkbook   (sheets, headers, Excel row numbers)
    records.normalise        -> Records       (members + one row per member per record)
    scoring.score            -> Scoring       (the ledger: one line per award of points)
    assessment.assess_scores -> Assessment    (totals, grades, ranks, groups)
    writers.*                -> xlsx / json / terminal

:func:`assess` runs the first four; :func:`write_outputs` the writers.
:func:`assess_progress` runs them on the records up to a period's end (季度履职进度, ``perfscore report``).
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
    "write_template": "template",
    "explain": "explain",
    "report": "progress",
    "assess_progress": "progress",
    "Period": "progress",
    "ProgressReport": "progress",
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
    from .api import assess, check, default_output_path, write_outputs
    from .assessment import Assessment
    from .errors import DataError, PerfscoreError, Problem, RulesError, UsageError
    from .explain import explain
    from .privacy import mask_assessment
    from .progress import Period, ProgressReport, assess_progress, report
    from .rules import LoadedRules, Rules, load_rules, parse_rules
    from .template import write_template


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'perfscore' has no attribute {name!r}")
