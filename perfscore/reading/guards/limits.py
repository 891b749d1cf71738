"""What perfscore agrees to read."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "LIMITS"]


@dataclass(frozen=True)
class Limits:
    """What perfscore agrees to read. Far beyond any real register (xlsx itself stops at
    1,048,576 rows); a file beyond them is refused before it is loaded."""

    cells_per_sheet: int = 40_000_000  # rows × columns of a sheet's used range
    unzipped_bytes: int = 4 * 1024**3  # the whole .xlsx/.ods, uncompressed
    compression_ratio: int = 200  # uncompressed / compressed, for any part larger than 10 MB
    # A sheet's area (A1 to its last cell) may exceed one cell per ``xml_bytes_per_cell`` bytes of
    # its XML only up to ``sparse_cells``: a stray cell far from a small table is read, a few
    # bytes standing for millions of empty cells are not.
    sparse_cells: int = 4_000_000
    xml_bytes_per_cell: int = 4
    csv_bytes: int = 1024**3  # one .csv file of a folder


# Read as ``limits.LIMITS`` at each check, so that a test can lower a limit.
LIMITS = Limits()
