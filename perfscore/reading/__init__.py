"""Stage 1 — read: a workbook file -> one raw table per register, with Excel row numbers.

Sheets are found by name or alias, the header row is found by its words (a title row above it,
merged header cells and two-row headers are common), and every cell keeps its place: each
table carries the Excel row number of every row and the column letter of every declared
column, so later stages can say ``提案!F14``.

Reading uses python-calamine (Rust): it reads .xlsx, .xlsm, .xls and .ods alike; a folder of
.csv files (one per sheet) is read too. ``to_python(skip_empty_area=False)`` gives the grid
from A1, empty leading rows and columns included, so list positions are Excel rows and columns
as they are. Cells are cleaned once per distinct text. The input is opened read-only and never
written. Before anything is loaded, sizes are checked, so a hostile file (a zip bomb, a sheet
claiming a million rows by sixteen thousand columns) is refused with a message instead of
exhausting memory.

Modules, in the order data passes through them:

* :mod:`.guards` — limits and the checks a file passes before any reader allocates for it;
* :mod:`.sources` — a calamine workbook or a folder of CSV files, behind one interface;
* :mod:`.xlsxparts` — a sheet's XML inside an .xlsx, and the cells calamine reads as empty;
* :mod:`.header` — which rows are the header, and which column is which;
* :mod:`.tables` — the rows below the header -> a :class:`RawTable` of clean text;
* :mod:`.registers` — the stage: every declared register -> :class:`RawWorkbook`;
* :mod:`.matching` — how sheet names and headers are compared.
"""

from __future__ import annotations

from .guards import LIMITS, Limits
from .matching import match_key
from .registers import RawWorkbook, read_workbook
from .sources import SUPPORTED_SUFFIXES, CalamineBook, open_source, open_workbook
from .tables import RawTable

__all__ = [
    "RawTable",
    "RawWorkbook",
    "read_workbook",
    "SUPPORTED_SUFFIXES",
    "match_key",
    "LIMITS",
    "Limits",
    "open_source",
    "open_workbook",
    "CalamineBook",
]
