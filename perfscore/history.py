"""Earlier years' results, read back from perfscore's own outputs (考核结果 .json or .xlsx, with
the ledger's CSV files beside a workbook whose ledger was too long for a sheet), or from the
archive (履职档案, :func:`perfscore.archive.archive_history`).

Consequences such as "不称职 two years running" or "unexcused plenary absences within the term"
need earlier years; offices keep last year's result file, or the term's archive.

``History.grades`` columns: year, member_id, grade, total.
``History.lines`` columns: year, member_id, rule_id, note (the earlier ledgers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import UsageError
from .layout import LEDGER_LABELS, MEMBER_LABELS, RESULT_LABELS, SHEETS, YEAR_LABEL
from .reading import open_workbook
from .reading.guards.files import read_bounded, shown_name, shown_path
from .writers.commit import reading

__all__ = ["History", "read_history", "read_result_sheets", "ledger_csv_files"]

JSON_BYTES = 1024**3  # a year's result with a ledger of millions of lines is far smaller


@dataclass(frozen=True)
class History:
    grades: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["year", "member_id", "grade", "total"])
    )
    lines: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["year", "member_id", "rule_id", "note"])
    )
    files: tuple[str, ...] = ()
    archive: str = ""  # the archive's file name when the history was read from one
    term: tuple[int, int] | None = None  # the first and last year of the archive's term

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
    data = read_bounded(path, JSON_BYTES, "往年考核结果文件")
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
    (积分明细 and its continuations, or the CSV files beside the workbook), by the labels
    :mod:`perfscore.layout` gives them."""
    sheets, settings, ledger = read_result_sheets(path)
    member_columns = [MEMBER_LABELS["member_id"], RESULT_LABELS["grade"], RESULT_LABELS["total"]]
    try:
        year = int(float(str(settings[YEAR_LABEL])))
        ranking = sheets[SHEETS["ranking"]][member_columns]
    except (KeyError, ValueError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    members = ranking.set_axis(["member_id", "grade", "total"], axis=1).astype(
        {"member_id": str, "grade": str}
    )
    return year, members, ledger[["member_id", "rule_id", "note"]].astype(str)


def ledger_csv_files(path: Path) -> list[Path]:
    """The CSV files beside a result workbook that hold its ledger when it was too long for a
    sheet: ``<name>-积分明细.csv``, ``-积分明细-2.csv`` …"""
    files: list[Path] = []
    while True:
        suffix = "" if not files else f"-{len(files) + 1}"
        candidate = path.with_name(f"{path.stem}-{SHEETS['ledger']}{suffix}.csv")
        if not candidate.is_file():
            return files
        files.append(candidate)


def read_result_sheets(
    path: Path, extra: Callable[[str], bool] = lambda _name: False
) -> tuple[dict[str, pd.DataFrame], dict[str, object], pd.DataFrame]:
    """A result workbook's 总排名 and 规则 sheets (and those ``extra(name)`` selects) as frames,
    the 规则 sheet as a dict, and the whole ledger (from the 积分明细 sheets, or from the CSV
    files beside the workbook when the sheet says the ledger is there) with the columns
    member_id, name, category, category_name, rule_id, rule_name, points, date, source,
    item_id, title, note."""
    ranking_sheet, rules_sheet, ledger_sheet = SHEETS["ranking"], SHEETS["rules"], SHEETS["ledger"]
    book = open_workbook(path)  # the guarded reader of register workbooks, within its limits
    try:
        rows = {
            name: book.rows(name)
            for name in book.sheet_names
            if name in (ranking_sheet, rules_sheet) or name.startswith(ledger_sheet) or extra(name)
        }
    finally:
        book.close()
    if ranking_sheet not in rows or rules_sheet not in rows:
        raise _not_a_result(path, f"没有“{ranking_sheet}”或“{rules_sheet}”工作表")
    settings = {str(row[0]): row[1] for row in rows[rules_sheet][1:] if len(row) >= 2}
    sheets = {name: _frame(r) for name, r in rows.items() if r}
    parts = [table for name, table in sorted(sheets.items()) if name.startswith(ledger_sheet)]
    if parts and list(parts[0].columns) == ["说明"]:  # the ledger went to CSV beside the workbook
        files = ledger_csv_files(path)
        if not files:
            raise UsageError(
                f"{path.name} 的{ledger_sheet}写在旁边的 CSV 文件（{path.stem}-{ledger_sheet}.csv）中，"
                "但找不到该文件；请把它和结果工作簿放在同一文件夹"
            )
        parts = [
            pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for file in files
        ]
    labels = list(LEDGER_LABELS.values())
    if parts:
        ledger = pd.concat(parts, ignore_index=True)
        missing = [label for label in labels if label not in ledger.columns]
        if missing:
            raise _not_a_result(path, f"{ledger_sheet}缺少列 {'、'.join(missing)}")
        ledger = ledger[labels].set_axis(list(LEDGER_LABELS), axis=1)
    else:
        ledger = pd.DataFrame(columns=list(LEDGER_LABELS))
    for column in LEDGER_LABELS:
        if column not in ("points", "date"):
            ledger[column] = ledger[column].astype(str)
    ledger["points"] = pd.to_numeric(ledger["points"]).astype(float)
    ledger["date"] = pd.to_datetime(ledger["date"].replace("", None), errors="coerce")
    ledger.insert(
        2,
        "category",
        ledger["rule_id"].str.split(".").str[0].where(ledger["category_name"] != "", ""),
    )
    return sheets, settings, ledger


def _frame(rows: list[list]) -> pd.DataFrame:
    if not rows:
        raise ValueError("表格为空")
    header, *body = rows
    return pd.DataFrame(body, columns=[str(h) for h in header])
