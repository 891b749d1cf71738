"""Check an .ods file before calamine opens it: calamine parses every sheet of an .ods as soon as
the workbook is opened, and lays each out in one dense block, repeated rows and cells
(``table:number-rows-repeated``, ``table:number-columns-repeated``) spelled out. A 1 KB file
repeating one value over 9,000 rows × 10,000 columns asks for 5 GB and aborts the process.

So ``content.xml`` is read first, as a stream, and each sheet's area — from A1 to the last cell
that holds a value, repeats counted — is held to the same budget as an .xlsx sheet
(:func:`~.xlsx.check_cell_budget`); empty cells repeated to the sheet's edge, which LibreOffice
writes for formatted areas, take no room and are not counted. Document type declarations are
refused (no entity can expand).
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from .limits import check_whole_book
from .xlsx import SheetExtent, check_cell_budget

__all__ = ["check_ods"]

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_PIECE = 1 << 20


class _Refused(Exception):
    pass


def check_ods(path: Path) -> None:
    """Raise UsageError if a sheet of the .ods at ``path`` would be laid out beyond the cell
    budget. Files that are not .ods zips are left alone (calamine reports them)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "content.xml" not in archive.namelist():
                return
            size = archive.getinfo("content.xml").file_size
            with archive.open("content.xml") as stream:
                sheets = _sheet_areas(stream)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        expat.ExpatError,
        _Refused,
    ):
        return  # calamine reports a damaged file (a broken deflate stream too) as it finds it
    for name, (rows, columns) in sheets.items():
        check_cell_budget(name, SheetExtent(rows, columns, size, True))
    check_whole_book(path.name, [(r * c, name) for name, (r, c) in sheets.items()], size)


def _sheet_areas(stream: IO[bytes]) -> dict[str, tuple[int, int]]:
    """Sheet name -> (rows, columns) from A1 to the last cell holding a value."""
    parser = expat.ParserCreate(namespace_separator=" ")
    areas: dict[str, tuple[int, int]] = {}
    state: dict[str, Any] = {
        "name": "",
        "row": 0,
        "repeat": 1,
        "column": 0,
        "rows": 0,
        "columns": 0,
    }
    cell: list = []  # the open cell: [column, repeat, has a value]

    def refuse(*_args: object) -> None:
        raise _Refused

    def start(tag: str, attributes: dict) -> None:
        if tag == f"{_TABLE} table":
            state.update(name=attributes.get(f"{_TABLE} name", ""), row=0, rows=0, columns=0)
        elif tag == f"{_TABLE} table-row":
            state["repeat"] = _count(attributes.get(f"{_TABLE} number-rows-repeated"))
            state["column"] = 0
        elif tag in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            repeat = _count(attributes.get(f"{_TABLE} number-columns-repeated"))
            cell[:] = [state["column"], repeat, f"{_OFFICE} value-type" in attributes]
            state["column"] += repeat
        elif tag == f"{_TEXT} p" and cell:
            cell[2] = True

    def end(tag: str) -> None:
        if tag in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            if cell and cell[2]:
                state["rows"] = max(state["rows"], state["row"] + state["repeat"])
                state["columns"] = max(state["columns"], cell[0] + cell[1])
            cell.clear()
        elif tag == f"{_TABLE} table-row":
            state["row"] += state["repeat"]
        elif tag == f"{_TABLE} table":
            areas[state["name"]] = (state["rows"], state["columns"])

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    while chunk := stream.read(_PIECE):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return areas


def _count(value: str | None) -> int:
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1
