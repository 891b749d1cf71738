"""What the search for hidden rows adds to reading an .xlsx: the time HiddenRowScan takes over the
4 MB pieces of every sheet's XML, the pieces the extent scan (reading/guards/xlsx.py) reads anyway.

The pieces are inflated first and only the search is timed: as the workbook is (most have no hidden
row), and with every other row of its largest sheet hidden (a filter over half the rows).

Usage: uv run python bench/hidden_rows.py bench/out/L.xlsx [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perfscore.reading.guards.xlsx import _PIECE  # noqa: E402
from perfscore.reading.xlsxparts import HiddenRowScan  # noqa: E402


def _pieces(xml: bytes) -> list[bytes]:
    return [xml[i : i + _PIECE] for i in range(0, len(xml), _PIECE)]


def _search(sheets: list[list[bytes]]) -> tuple[float, int]:
    """Seconds to search every sheet's pieces, and the hidden rows found."""
    start = time.perf_counter()
    found = 0
    for pieces in sheets:
        scan = HiddenRowScan()
        for piece in pieces:
            scan.feed(piece)
        found += sum(stop - first for first, stop in scan.result() or ())
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with zipfile.ZipFile(args.workbook) as book:
        xmls = [
            book.read(info)
            for info in book.infolist()
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        ]
    largest = max(xmls, key=len)
    half = re.sub(rb'<row r="(\d*[02468])"', rb'<row r="\1" hidden="1"', largest)
    cases = {
        f"every sheet as written ({sum(map(len, xmls)) / 2**20:.0f} MB)": [
            _pieces(x) for x in xmls
        ],
        f"largest sheet, every other row hidden ({len(half) / 2**20:.0f} MB)": [_pieces(half)],
    }
    for label, sheets in cases.items():
        runs = [_search(sheets) for _ in range(args.runs)]
        times = ", ".join(f"{seconds:.3f}" for seconds, _ in runs)
        print(f"{label}: {runs[0][1]:,} hidden rows; {times} s")


if __name__ == "__main__":
    main()
