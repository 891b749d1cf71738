"""Header detection: which of a sheet's first rows names the declared columns, and where.

A title row above the header, merged header cells and two-row headers are common; the header is
the row, or two rows read together, whose cells name the most declared columns. A two-row header
(a merged group header such as 提案人 over 第一提案人 | 附议人) is taken as two rows whenever its
lower row holds nothing but header words, so the sub-header row is never read as data.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from ..inputformat import Sheet
from .matching import match_key

__all__ = ["HEADER_SEARCH_ROWS", "Header", "filled_head", "find_header", "merge_fills"]

HEADER_SEARCH_ROWS = 15


def merge_fills(merged: list) -> set[tuple[int, int]]:
    """The cells a merged range spreads its value to on its right (0-based row, column): a
    header merged across two columns names one column, not two."""
    return {
        (r, c)
        for (r0, c0), (r1, c1) in merged
        if r0 <= HEADER_SEARCH_ROWS
        for r in range(r0, min(r1, HEADER_SEARCH_ROWS) + 1)
        for c in range(c0 + 1, c1 + 1)
    }


def filled_head(rows: list[list], merged: list) -> list[list[str]]:
    """The first rows as text, each merged range's value copied into all its cells (openpyxl
    and calamine give the value only in the top-left cell)."""
    head = [[str(v) if v not in (None, "") else "" for v in row] for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(head):
            continue
        value = head[r0][c0] if c0 < len(head[r0]) else ""
        for r in range(r0, min(r1, len(head) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(head[r]) and not head[r][c]:
                    head[r][c] = value
    return head


@dataclass
class Header:
    """The header found: its first and last row (0-based), each column key's column indexes, and
    the fields named by two columns (key -> their indexes), which cannot be read without a guess."""

    first: int | None = None
    last: int = -1
    positions: dict[str, list[int]] = field(default_factory=dict)
    twice: dict[str, list[int]] = field(default_factory=dict)


def find_header(
    sheet: Sheet, head: list[list[str]], fills: AbstractSet[tuple[int, int]] = frozenset()
) -> Header:
    """The header: the row, or two rows read together, whose cells name the most declared columns.

    A two-row header reads each column from its lower cell where that names a column, else its
    upper cell; it wins over the upper row alone when it names as many columns and its lower row
    holds only header words. A column whose header cell is a merge's copy of the cell to its left
    (``fills``) is the same column as that one, not a second column of the field. A name list
    (提案人 …) may be spread over several columns; any other field named by two columns is
    reported in ``Header.twice``.
    """
    lookup = {match_key(h): col.key for col in sheet.columns for h in col.all_headers}
    multi = {col.key for col in sheet.columns if col.kind == "names"}
    best: tuple[int, Header] = (0, Header())
    for index in range(min(len(head), HEADER_SEARCH_ROWS)):
        candidates = [(index, head[index], [index] * len(head[index]), 0)]
        if index + 1 < len(head):
            upper, lower = head[index], head[index + 1]
            width = max(len(upper), len(lower))
            from_lower = [c < len(lower) and match_key(lower[c]) in lookup for c in range(width)]
            combined = [
                lower[c] if from_lower[c] else (upper[c] if c < len(upper) else "")
                for c in range(width)
            ]
            rows_of = [index + 1 if from_lower[c] else index for c in range(width)]
            lower_words = [match_key(v) for v in lower if v]
            only_headers = bool(lower_words) and all(w in lookup for w in lower_words)
            candidates.append((index + 1, combined, rows_of, 1 if only_headers else -1))
        for last, cells, rows_of, preference in candidates:
            header = Header(index, last)
            for col_index, value in enumerate(cells):
                key = lookup.get(match_key(value)) if value else None
                if key is None or (rows_of[col_index], col_index) in fills:
                    continue  # not a header word, or a merged header cell spread over this column
                if key not in header.positions:
                    header.positions[key] = [col_index]
                elif key in multi:
                    header.positions[key].append(col_index)
                else:
                    header.twice.setdefault(key, list(header.positions[key])).append(col_index)
            found = len(header.positions)
            wins_tie = preference > 0 and best[1].first == index  # the two rows over the upper one
            if found > best[0] or (found and found == best[0] and wins_tie):
                best = (found, header)
    return best[1]
