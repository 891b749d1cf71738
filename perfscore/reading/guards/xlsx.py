"""Checks of an .xlsx/.ods zip before calamine reads it: the unpacked size, the compression
ratio of each part, and the used range each sheet declares."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ...errors import UsageError
from ..failures import unreadable
from ..xlsxparts import column_index, sheet_xml
from . import limits

__all__ = ["check_zip", "check_declared_size", "too_many_cells"]


def check_zip(path: Path) -> None:
    """Refuse a zip whose parts unpack to an absurd size (a zip bomb) before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError) as exc:
        raise unreadable(path, exc) from None
    total = sum(p.file_size for p in parts)
    if total > limits.LIMITS.unzipped_bytes:
        raise UsageError(
            f"{path.name} 解压后达 {total / 1024**3:.1f} GB，超出可处理的范围；文件可能已损坏或不是正常的工作簿"
        )
    for part in parts:
        if part.file_size > 10 * 1024**2 and part.file_size > limits.LIMITS.compression_ratio * max(
            part.compress_size, 1
        ):
            raise UsageError(
                f"{path.name} 中的 {part.filename} 压缩比异常（{part.file_size:,} 字节压缩为 "
                f"{part.compress_size:,} 字节）；文件可能是恶意构造的，已拒绝读取"
            )


_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def check_declared_size(path: Path, name: str) -> None:
    """An .xlsx sheet declares its used range; refuse an absurd one before calamine allocates it."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    try:
        head = sheet_xml(path, name, limit=4096) or b""
    except Exception:  # unreadable parts are calamine's to report
        return
    found = _DIMENSION.search(head)
    if found:
        height, width = int(found.group(2)), column_index(found.group(1).decode()) + 1
        too_many_cells(name, height, width)


def too_many_cells(name: str, height: int, width: int) -> None:
    """Refuse a sheet of ``height`` rows by ``width`` columns beyond the cell limit."""
    if height * width > limits.LIMITS.cells_per_sheet:
        raise UsageError(
            f"工作表“{name}”的数据区域为 {height:,} 行 × {width:,} 列，超出可处理的范围"
            f"（{limits.LIMITS.cells_per_sheet:,} 个单元格）；请删除表格右侧和下方多余的行列（可能是误填的单元格）"
        )
