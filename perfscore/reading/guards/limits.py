"""What perfscore agrees to read."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import UsageError

__all__ = ["Limits", "LIMITS", "check_whole_book"]


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
    # calamine parses every sheet of an .xls or .ods when it opens the file and holds them all:
    # together they may span as many cells as one full .xls sheet, or one per
    # ``xml_bytes_per_cell`` bytes of the file's records when those pay for more.
    whole_book_cells: int = 65_536 * 256


# Read as ``limits.LIMITS`` at each check, so that a test can lower a limit.
LIMITS = Limits()


def check_whole_book(file_name: str, areas: list[tuple[int, str]], size: int) -> None:
    """Refuse a workbook read whole at once (.xls, .ods) whose sheets' areas (cells, name)
    together exceed :attr:`Limits.whole_book_cells` and one cell per
    :attr:`Limits.xml_bytes_per_cell` bytes of its ``size``."""
    total = sum(cells for cells, _ in areas)
    budget = max(LIMITS.whole_book_cells, size // LIMITS.xml_bytes_per_cell)
    if total > budget:
        largest = max(areas)[1]
        raise UsageError(
            f"无法读取工作簿 {file_name}：{len(areas)} 个工作表的数据区域共 {total:,} 个单元格，"
            f"而其中填写的内容很少（{size:,} 字节），超出可处理的范围（最大的是“{largest}”）；"
            "请删除表格右侧和下方多余的行列（可能是误填的单元格）"
        )
