"""The reading stage: every register the input format declares, found by sheet name or alias
and made into a :class:`~.tables.RawTable`."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, Problem, Reason, Severity
from ..inputformat import DEFAULT_FORMAT, InputFormat, Sheet
from .matching import match_key
from .sources import CalamineBook, CsvFolder, open_source
from .tables import RawTable, flagged_cell_problems, table_from_rows

__all__ = ["RawWorkbook", "read_workbook", "cyclic_gc_paused"]


@dataclass(frozen=True)
class RawWorkbook:
    path: Path
    tables: dict[str, RawTable]  # by sheet key ('roster', 'proposals', …)
    problems: list[Problem] = field(default_factory=list)


def read_workbook(path: str | Path, input_format: InputFormat = DEFAULT_FORMAT) -> RawWorkbook:
    """Read every register the input format declares. Raises DataError if the roster cannot be
    read; other registers' problems travel in ``RawWorkbook.problems``."""
    with cyclic_gc_paused():
        return _read_workbook(Path(path), input_format)


@contextmanager
def cyclic_gc_paused():
    """Python's cycle collector paused for a stage that makes millions of lists and few cycles.

    Reading a sheet makes a list per row (a million at L) and everything is kept: each collection
    the allocations trigger walks every list made so far, for nothing. The collector is restored
    as it was when the stage ends, and any cycle made meanwhile is collected then as usual.
    Reference counting frees everything else, so memory does not grow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_workbook(path: Path, input_format: InputFormat) -> RawWorkbook:
    source = open_source(path)
    by_name = {match_key(name): name for name in source.sheet_names}
    found = [
        (
            sheet,
            next((by_name[match_key(n)] for n in sheet.all_names if match_key(n) in by_name), None),
        )
        for sheet in input_format.sheets
    ]
    try:
        source.read_ahead([actual for _, actual in found if actual is not None])
        return _read_sheets(path, source, found, input_format)
    finally:
        source.close()


def _read_sheets(
    path: Path,
    source: CalamineBook | CsvFolder,
    found: list[tuple[Sheet, str | None]],
    input_format: InputFormat,
) -> RawWorkbook:
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    used: set[str] = set()
    for sheet, actual in found:
        if actual is not None:
            used.add(actual)
        if actual is None:
            if sheet.required:
                problems.append(
                    Problem(
                        Severity.ERROR,
                        Reason.MISSING_SHEET,
                        f"缺少工作表“{sheet.name}”",
                        sheet.name,
                        suggestion=f"工作簿中的工作表：{'、'.join(source.sheet_names) or '（无）'}；"
                        f"可用的表名：{'、'.join(dict.fromkeys(sheet.all_names))}",
                    )
                )
            continue
        merged = source.merged(actual)
        table = table_from_rows(sheet, actual, source.rows(actual), merged, problems)
        if table is not None:
            tables[sheet.key] = table
            problems.extend(flagged_cell_problems(table, source.flagged_cells(actual)))
    problems.extend(_unread_sheets(source, used, input_format))
    if "roster" not in tables:  # without the roster no record can be matched to a member
        raise DataError(f"{path.name} 无法读取：{len(problems)} 处问题", problems)
    # Other registers with errors are left out here; normalise reports these problems together
    # with every fault it finds in the registers that could be read.
    return RawWorkbook(path=path, tables=tables, problems=problems)


# Sheets offices keep beside the registers that are not data.
_NOT_REGISTERS = ("说明", "填表说明", "目录", "封面", "汇总", "统计", "选项")


def _unread_sheets(
    source: CalamineBook | CsvFolder, used: set[str], input_format: InputFormat
) -> list[Problem]:
    """A warning for every sheet with content that no register took: a renamed 提案 sheet must
    not silently score nothing."""
    problems = []
    known = "、".join(sheet.name for sheet in input_format.sheets)
    for name in source.sheet_names:
        if (
            name in used
            or match_key(name).endswith(_NOT_REGISTERS)
            or source.is_hidden(name)
            or not source.has_content(name)
        ):
            continue
        problems.append(
            Problem(
                Severity.WARNING,
                Reason.MISSING_SHEET,
                f"工作表“{name}”未读取：它的名称不是 perfscore 认识的登记表",
                name,
                suggestion=f"如是登记表，请改用这些表名之一：{known}；或在规则文件 input.sheets 中登记这个表名",
            )
        )
    return problems
