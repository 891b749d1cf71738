"""The reading stage: every register the input format declares, found by sheet name or alias
and made into a :class:`~.tables.RawTable`."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, Problem, Reason, Severity
from ..inputformat import DEFAULT_FORMAT, InputFormat, Sheet
from .header import HEADER_SEARCH_ROWS, filled_head, find_header
from .layout import sheet_layouts
from .matching import match_key
from .sources import CalamineBook, CsvFolder, open_source
from .tables import RawTable, flagged_cell_problems, hidden_rows_read, table_from_rows

__all__ = ["RawWorkbook", "read_workbook", "cyclic_gc_paused"]


@dataclass(frozen=True)
class RawWorkbook:
    path: Path
    tables: dict[str, RawTable]  # by sheet key ('roster', 'proposals', …)
    problems: list[Problem] = field(default_factory=list)
    unit: str = ""  # the unit the workbook names (see perfscore.unit), '' when it names none
    # The registers (keys) the workbook has no sheet for: none by their names, and none whose
    # header rows hold their required columns (that sheet is an error proposing the rename).
    absent: tuple[str, ...] = ()


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
    try:
        found, problems, claimed = _place_sheets(source, input_format)
        source.read_ahead([actual for _, actual in found if actual is not None])
        return _read_sheets(path, source, found, input_format, problems, claimed)
    finally:
        source.close()


def _place_sheets(
    source: CalamineBook | CsvFolder, input_format: InputFormat
) -> tuple[list[tuple[Sheet, str | None]], list[Problem], set[str]]:
    """Each register's sheet, found by its name or an alias. Two sheets answering to one register
    (a hidden old 调研报告 beside the current 调研成果) are an error naming both: which one the
    clerk keeps up cannot be told, so neither is read. Also returns the sheets named by such
    errors."""
    problems: list[Problem] = []
    claimed: set[str] = set()
    found: list[tuple[Sheet, str | None]] = []
    for sheet in input_format.sheets:
        names = {match_key(n) for n in sheet.all_names}
        matches = [name for name in source.sheet_names if match_key(name) in names]
        if len(matches) > 1:
            described = "、".join(
                f"“{name}”" + ("（隐藏的工作表）" if source.is_hidden(name) else "")
                for name in matches
            )
            problems.append(
                Problem(
                    Severity.ERROR,
                    Reason.DUPLICATE_SHEET,
                    f"{described}都是“{sheet.name}”登记表，无法确定该读哪一张",
                    matches[0],
                    suggestion="删除不用的那张（隐藏的工作表也要删除），或把它移到另一个工作簿",
                )
            )
            found.append((sheet, None))
            claimed.update(matches)
            continue
        found.append((sheet, matches[0] if matches else None))
    return found, problems, claimed


def _read_sheets(
    path: Path,
    source: CalamineBook | CsvFolder,
    found: list[tuple[Sheet, str | None]],
    input_format: InputFormat,
    problems: list[Problem],
    claimed: set[str],
) -> RawWorkbook:
    tables: dict[str, RawTable] = {}
    used: set[str] = set(claimed)
    layouts = sheet_layouts(path) if isinstance(source, CalamineBook) else {}
    for sheet, actual in found:
        if actual is not None:
            used.add(actual)
        if actual is None:
            aliases = {match_key(n) for n in sheet.all_names}
            if sheet.required and not any(match_key(name) in aliases for name in claimed):
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
        if source.is_hidden(actual):
            problems.append(
                Problem(
                    Severity.WARNING,
                    Reason.HIDDEN_READ,
                    f"读取了隐藏的工作表“{actual}”作为“{sheet.name}”登记表",
                    actual,
                    suggestion="请确认这张表的内容是本年度的；不用的表请删除",
                )
            )
        merged = source.merged(actual)
        layout = layouts.get(actual)
        table = table_from_rows(sheet, actual, source.rows(actual), merged, problems, layout)
        if table is not None:
            tables[sheet.key] = table
            problems.extend(flagged_cell_problems(table, source.flagged_cells(actual)))
            hidden = source.hidden_rows(actual)
            if hidden is None:
                hidden = layout.hidden_rows if layout is not None else ()
            problems.extend(hidden_rows_read(table, hidden))
    unread, proposed = _unread_sheets(source, used, input_format, found)
    problems.extend(unread)
    duplicated = {match_key(name) for name in claimed}
    absent = tuple(
        sheet.key
        for sheet, actual in found
        if actual is None
        and sheet.key not in proposed
        and not any(match_key(n) in duplicated for n in sheet.all_names)
    )
    if "roster" not in tables:  # without the roster no record can be matched to a member
        raise DataError(f"{path.name} 无法读取：{len(problems)} 处问题", problems)
    unit = _unit_named(source, tables["roster"], used, problems)
    # Other registers with errors are left out here; normalise reports these problems together
    # with every fault it finds in the registers that could be read.
    return RawWorkbook(path=path, tables=tables, problems=problems, unit=unit, absent=absent)


_UNIT_SEARCH_ROWS = 40  # an instructions sheet names its unit near the top


def _unit_named(
    source: CalamineBook | CsvFolder, roster: RawTable, used: set[str], problems: list[Problem]
) -> str:
    """The unit named above the roster's header, else on an instructions sheet (填表说明);
    a warning when the two name different units (the roster's is used)."""
    from ..unit import unit_in_rows

    on_roster = unit_in_rows(roster.above)
    notes = [
        name
        for name in source.sheet_names
        if name not in used and match_key(name).endswith("说明") and source.has_content(name)
    ]
    on_notes = next(
        (found for name in notes if (found := unit_in_rows(source.rows(name)[:_UNIT_SEARCH_ROWS]))),
        "",
    )
    if on_roster and on_notes and on_roster != on_notes:
        problems.append(
            Problem(
                Severity.WARNING,
                Reason.BAD_VALUE,
                f"“{roster.sheet_name}”表写的单位是“{on_roster}”，“{notes[0]}”中写的是“{on_notes}”；"
                f"按“{on_roster}”",
                roster.sheet_name,
                suggestion="请把两处改为同一个单位名称",
            )
        )
    return on_roster or on_notes


# Sheets offices keep beside the registers that are not data.
_NOT_REGISTERS = ("说明", "填表说明", "目录", "封面", "汇总", "统计", "选项")


def _unread_sheets(
    source: CalamineBook | CsvFolder,
    used: set[str],
    input_format: InputFormat,
    found: list[tuple[Sheet, str | None]],
) -> tuple[list[Problem], set[str]]:
    """For every visible sheet with content that no register took: an error when its header rows
    hold every required column of a register (出勤登记 is 会议出勤 renamed: left unread, every
    deduction would vanish), else a warning. Only the first rows are looked at. Also returns the
    keys of the registers without a sheet that such an error proposes a sheet for."""
    problems = []
    proposed: set[str] = set()
    known = "、".join(sheet.name for sheet in input_format.sheets)
    for name in source.sheet_names:
        if (
            name in used
            or match_key(name).endswith(_NOT_REGISTERS)
            or source.is_hidden(name)
            or not source.has_content(name)
        ):
            continue
        head = source.head_rows(name, HEADER_SEARCH_ROWS + 1)
        register = _register_by_header(head, [sheet for sheet, _ in found])
        if register is not None:
            read_as = dict((s.key, actual) for s, actual in found).get(register.key)
            if read_as is None:
                proposed.add(register.key)
                advice = (
                    f"如果它就是“{register.name}”，请把表名改为“{register.name}”，"
                    "或在规则文件 input.sheets 中登记这个表名；如果不是，请删除这张表或改动它的表头"
                )
            else:
                advice = (
                    f"如果它是“{register.name}”的一部分，请把它的行并入“{read_as}”表；"
                    "如果是不用的旧表，请删除或移到另一个工作簿"
                )
            problems.append(
                Problem(
                    Severity.ERROR,
                    Reason.UNPLACED_SHEET,
                    f"工作表“{name}”的表头含有“{register.name}”登记表的全部必填列，"
                    "但表名不是 perfscore 认识的名称，未读取",
                    name,
                    suggestion=advice,
                )
            )
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
    return problems, proposed


def _register_by_header(head_rows: list[list], registers: list[Sheet]) -> Sheet | None:
    """The register whose required columns the header rows hold, if any."""
    head = filled_head(head_rows, [])
    for sheet in registers:
        header = find_header(sheet, head)
        if header.first is not None and all(
            c.key in header.positions for c in sheet.columns if c.required
        ):
            return sheet
    return None
