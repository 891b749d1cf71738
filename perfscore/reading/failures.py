"""The message for a workbook that cannot be read: damaged, encrypted, or not a workbook."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

__all__ = ["unreadable", "unreadable_or_reraise"]


def unreadable(path: Path, exc: BaseException) -> UsageError:
    hint = (
        "文件已加密，请先取消密码"
        if type(exc).__name__ == "PasswordError"
        else "文件是否损坏、未保存完整，或不是 Excel/WPS 表格？"
    )
    return UsageError(f"无法读取工作簿 {path.name}：{exc}（{hint}）")


def unreadable_or_reraise(path: Path, exc: BaseException) -> UsageError:
    """:func:`unreadable` for a panic inside calamine (pyo3's PanicException derives from
    BaseException); an interrupt, an exit or a MemoryError goes on as it is."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
        raise exc
    return unreadable(path, exc)
