"""The assessment years perfscore accepts."""

from __future__ import annotations

from .errors import UsageError

__all__ = ["FIRST_YEAR", "LAST_YEAR", "check_year"]

# The CPPCC's first year, and a last year that leaves room for every date sum (a quarter's
# end, the next year's first day) within Python's dates.
FIRST_YEAR, LAST_YEAR = 1949, 2999


def check_year(year: int | None, what: str = "考核年度") -> int | None:
    """``year`` itself, or UsageError if it is given and outside FIRST_YEAR..LAST_YEAR."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(
            f"{what} {year} 无效：须是 {FIRST_YEAR} 至 {LAST_YEAR} 之间的四位年份，如 2023"
        )
    return year
