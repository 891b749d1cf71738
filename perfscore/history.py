"""Earlier years' results, read back from perfscore's own outputs (考核结果 .json or .xlsx).

Consequences such as "不称职 two years running" or "unexcused plenary absences within the term"
need earlier years; offices keep last year's result file, so that file is the history.

``History.grades`` columns: year, member_id, grade, total.
``History.lines`` columns: year, member_id, rule_id, note (the earlier ledgers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import UsageError
from .layout import LEDGER_LABELS, MEMBER_LABELS, RESULT_LABELS, SHEETS, YEAR_LABEL
from .reading import open_workbook
from .reading.guards.files import read_bounded, shown_name, shown_path
from .writers.commit import reading

__all__ = ["History", "read_history"]

_JSON_BYTES = 1024**3  # a year's result with a ledger of millions of lines is far smaller


@dataclass(frozen=True)
class History:
    grades: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["year", "member_id", "grade", "total"])
    )
    lines: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["year", "member_id", "rule_id", "note"])
    )
    files: tuple[str, ...] = ()

    @property
    def years(self) -> set[int]:
        return {int(y) for y in self.grades["year"].unique()}


def read_history(paths: list[str | Path]) -> History:
    """Read earlier results; two files for the same year are refused."""
    grades, lines, files = [], [], []
    seen: dict[int, str] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"找不到往年考核结果文件：{shown_path(path)}")
        with reading(path) as settled:  # a complete result set, never one being replaced
            year, year_grades, year_lines = (
                _read_json(settled) if path.suffix.lower() == ".json" else _read_xlsx(settled)
            )
        if year in seen:
            raise UsageError(f"{path.name} 与 {seen[year]} 都是 {year} 年度的结果，请只给一个")
        seen[year] = path.name
        grades.append(year_grades.assign(year=year))
        lines.append(year_lines.assign(year=year))
        files.append(path.name)
    if not files:
        return History()
    return History(
        grades=pd.concat(grades, ignore_index=True)[["year", "member_id", "grade", "total"]],
        lines=pd.concat(lines, ignore_index=True)[["year", "member_id", "rule_id", "note"]],
        files=tuple(files),
    )


def _not_a_result(path: Path, detail: str) -> UsageError:
    return UsageError(
        f"{shown_name(path)} 不是 perfscore 写出的考核结果文件（{detail}）；--previous 须给往年的“考核结果”.xlsx 或 .json"
    )


def _read_json(path: Path) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    data = read_bounded(path, _JSON_BYTES, "往年考核结果文件")
    try:
        doc = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise _not_a_result(path, "JSON 嵌套过深") from None
    except ValueError as exc:  # not UTF-8, or not JSON
        raise _not_a_result(path, f"不是有效的 JSON：{exc}") from None
    try:
        year = int(doc["year"])
        members = pd.DataFrame(doc["members"])[["member_id", "grade", "total"]]
        ledger = pd.DataFrame(doc["ledger"], columns=["member_id", "rule_id", "note"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    return year, members.astype({"member_id": str}), ledger.fillna("").astype(str)


def _read_xlsx(path: Path) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """The year (规则 sheet), each member's grade and total (总排名) and the ledger lines
    (积分明细 and its continuations), by the labels :mod:`perfscore.layout` gives them. The
    workbook is read through the same guarded reader as a register workbook: only the sheets
    needed are parsed, each within the reader's limits."""
    ranking_sheet, rules_sheet, ledger_sheet = SHEETS["ranking"], SHEETS["rules"], SHEETS["ledger"]
    book = open_workbook(path)
    try:
        sheets = {
            name: book.rows(name)
            for name in book.sheet_names
            if name in (ranking_sheet, rules_sheet) or name.startswith(ledger_sheet)
        }
    finally:
        book.close()
    if ranking_sheet not in sheets or rules_sheet not in sheets:
        raise _not_a_result(path, f"没有“{ranking_sheet}”或“{rules_sheet}”工作表")
    settings = {str(row[0]): row[1] for row in sheets[rules_sheet][1:] if len(row) >= 2}
    member_columns = [MEMBER_LABELS["member_id"], RESULT_LABELS["grade"], RESULT_LABELS["total"]]
    line_columns = [LEDGER_LABELS[key] for key in ("member_id", "rule_id", "note")]
    try:
        year = int(float(str(settings[YEAR_LABEL])))
        ranking = _frame(sheets[ranking_sheet])[member_columns]
        ledger_parts = [
            _frame(rows) for name, rows in sorted(sheets.items()) if name.startswith(ledger_sheet)
        ]
        ledger = pd.concat(ledger_parts, ignore_index=True)[line_columns] if ledger_parts else None
    except (KeyError, ValueError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    members = ranking.set_axis(["member_id", "grade", "total"], axis=1).astype(
        {"member_id": str, "grade": str}
    )
    lines = (
        ledger.set_axis(["member_id", "rule_id", "note"], axis=1)
        if ledger is not None
        else pd.DataFrame(columns=["member_id", "rule_id", "note"])
    )
    return year, members, lines.astype(str)


def _frame(rows: list[list]) -> pd.DataFrame:
    if not rows:
        raise ValueError("表格为空")
    header, *body = rows
    return pd.DataFrame(body, columns=[str(h) for h in header])
