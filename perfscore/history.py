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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import UsageError

__all__ = ["History", "read_history"]


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
        if not path.is_file():
            raise UsageError(f"找不到往年考核结果文件：{path}")
        year, year_grades, year_lines = (
            _read_json(path) if path.suffix.lower() == ".json" else _read_xlsx(path)
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
        f"{path.name} 不是 perfscore 写出的考核结果文件（{detail}）；--previous 须给往年的“考核结果”.xlsx 或 .json"
    )


def _read_json(path: Path) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        year = int(doc["year"])
        members = pd.DataFrame(doc["members"])[["member_id", "grade", "total"]]
        ledger = pd.DataFrame(doc["ledger"], columns=["member_id", "rule_id", "note"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    return year, members.astype({"member_id": str}), ledger.fillna("").astype(str)


def _read_xlsx(path: Path) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    sheets, settings, ledger = read_result_sheets(path)
    try:
        year = int(float(settings["考核年度"]))
        ranking = sheets["总排名"][["委员编号", "等次", "总分"]]
    except (KeyError, ValueError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    members = ranking.set_axis(["member_id", "grade", "total"], axis=1).astype(
        {"member_id": str, "grade": str}
    )
    return year, members, ledger[["member_id", "rule_id", "note"]].astype(str)


# The ledger's headers in a result workbook (积分明细) and its CSV files, and the fields they hold.
_LEDGER_HEADERS = {
    "委员编号": "member_id",
    "姓名": "name",
    "类别": "category_name",
    "规则编号": "rule_id",
    "规则名称": "rule_name",
    "分值": "points",
    "日期": "date",
    "来源单元格": "source",
    "编号": "item_id",
    "标题": "title",
    "说明": "note",
}


def ledger_csv_files(path: Path) -> list[Path]:
    """The CSV files beside a result workbook that hold its ledger when it was too long for a
    sheet: ``<name>-积分明细.csv``, ``-积分明细-2.csv`` …"""
    files = []
    while True:
        suffix = "" if not files else f"-{len(files) + 1}"
        candidate = path.with_name(f"{path.stem}-积分明细{suffix}.csv")
        if not candidate.is_file():
            return files
        files.append(candidate)


def read_result_sheets(
    path: Path, extra=lambda _name: False
) -> tuple[dict[str, pd.DataFrame], dict[str, object], pd.DataFrame]:
    """A result workbook's 总排名 and 规则 sheets (and those ``extra(name)`` selects) as frames,
    the 规则 sheet as a dict, and the whole ledger (from the 积分明细 sheets, or from the CSV
    files beside the workbook when the sheet says the ledger is there) with the columns
    member_id, name, category, category_name, rule_id, rule_name, points, date, source,
    item_id, title, note."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = {
            name: book.get_sheet_by_name(name).to_python()
            for name in book.sheet_names
            if name in ("总排名", "规则") or name.startswith("积分明细") or extra(name)
        }
    except (CalamineError, OSError, ValueError) as exc:
        raise UsageError(f"无法读取 {path.name}：{exc}") from None
    if "总排名" not in rows or "规则" not in rows:
        raise _not_a_result(path, "没有“总排名”或“规则”工作表")
    settings = {str(row[0]): row[1] for row in rows["规则"][1:] if len(row) >= 2}
    sheets = {name: _frame(r) for name, r in rows.items() if r}
    parts = [table for name, table in sorted(sheets.items()) if name.startswith("积分明细")]
    if parts and list(parts[0].columns) == ["说明"]:  # the ledger went to CSV beside the workbook
        files = ledger_csv_files(path)
        if not files:
            raise UsageError(
                f"{path.name} 的积分明细写在旁边的 CSV 文件（{path.stem}-积分明细.csv）中，但找不到该文件；"
                "请把它和结果工作簿放在同一文件夹"
            )
        parts = [
            pd.read_csv(
                file,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
            for file in files
        ]
    if parts:
        ledger = pd.concat(parts, ignore_index=True)
        missing = [h for h in _LEDGER_HEADERS if h not in ledger.columns]
        if missing:
            raise _not_a_result(path, f"积分明细缺少列 {'、'.join(missing)}")
        ledger = ledger[list(_LEDGER_HEADERS)].set_axis(list(_LEDGER_HEADERS.values()), axis=1)
    else:
        ledger = pd.DataFrame(columns=list(_LEDGER_HEADERS.values()))
    for column in (
        "member_id",
        "name",
        "category_name",
        "rule_id",
        "rule_name",
        "source",
        "item_id",
        "title",
        "note",
    ):
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
    header, *body = rows
    return pd.DataFrame(body, columns=[str(h) for h in header])
