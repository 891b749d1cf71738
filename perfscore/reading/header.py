"""Header detection: which of a sheet's first rows names the declared columns, and where.

A title row above the header, merged header cells and two-row headers are common; the header is
the row, or two rows read together, whose cells name the most declared columns.
"""

from __future__ import annotations

from ..inputformat import Sheet
from .matching import match_key

__all__ = ["HEADER_SEARCH_ROWS", "filled_head", "find_header"]

HEADER_SEARCH_ROWS = 15


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


def find_header(
    sheet: Sheet, head: list[list[str]]
) -> tuple[int | None, int, dict[str, list[int]]]:
    """The header: the row, or two rows read together, whose cells name the most declared columns.

    Returns (first header row, last header row, column key -> column indexes). A two-row header
    reads each column from its lower cell where that names a column, else its upper cell.
    """
    lookup = {match_key(h): col.key for col in sheet.columns for h in col.all_headers}
    multi = {col.key for col in sheet.columns if col.kind == "names"}
    best: tuple[int, int | None, int, dict[str, list[int]]] = (0, None, -1, {})
    for index in range(min(len(head), HEADER_SEARCH_ROWS)):
        candidates = [(index, head[index])]
        if index + 1 < len(head):
            upper, lower = head[index], head[index + 1]
            width = max(len(upper), len(lower))
            combined = [
                (
                    lower[c]
                    if c < len(lower) and match_key(lower[c]) in lookup
                    else (upper[c] if c < len(upper) else "")
                )
                for c in range(width)
            ]
            candidates.append((index + 1, combined))
        for last, cells in candidates:
            positions: dict[str, list[int]] = {}
            for col_index, value in enumerate(cells):
                key = lookup.get(match_key(value)) if value else None
                if key is None:
                    continue
                if key not in positions:
                    positions[key] = [col_index]
                elif key in multi and col_index not in positions[key]:
                    positions[key].append(col_index)
            if len(positions) > best[0]:
                best = (len(positions), index, last, positions)
    return best[1], best[2], best[3]
