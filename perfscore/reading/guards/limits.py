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


# Read as ``limits.LIMITS`` at each check, so that a test can lower a limit.
LIMITS = Limits()
