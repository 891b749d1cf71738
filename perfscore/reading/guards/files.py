"""Only regular files are read, and never more of them than a limit.

A FIFO named .xlsx would block the reader forever, ``/dev/zero`` or ``/dev/urandom`` (or a
symbolic link to them) would be read until memory runs out; they are refused before any read,
from the status of the file itself (``fstat`` on a descriptor opened without blocking), so a
name swapped between the check and the read changes nothing. Reads stop one byte past their
limit. File names that are not valid UTF-8 (GBK bytes from a Windows zip) are opened by their
bytes and shown decoded (see :func:`shown_name`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ...errors import UsageError

__all__ = ["open_regular", "read_bounded", "check_regular", "shown_name", "shown_path"]


def shown_name(path: Path | str) -> str:
    """A file name for messages: bytes that are not UTF-8 (kept as surrogates by Python) are
    decoded as GB18030, which Windows in China writes, else shown as U+FFFD."""
    name = Path(path).name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def open_regular(path: Path, what: str = "文件") -> int:
    """A read-only descriptor of ``path`` (links followed), or UsageError if it is missing, not
    readable, or not a regular file. The caller closes it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"找不到{what}：{shown_path(path)}") from None
    except OSError as exc:
        raise UsageError(f"无法读取{what} {shown_name(path)}：{exc.strerror or exc}") from None
    try:
        _check_mode(os.fstat(fd).st_mode, path, what)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_regular(path: Path, what: str = "文件") -> None:
    """UsageError unless ``path`` is a regular file (opened without blocking to find out)."""
    os.close(open_regular(path, what))


def read_bounded(path: Path, limit: int, what: str = "文件") -> bytes:
    """The bytes of the regular file ``path``; UsageError if it holds more than ``limit``."""
    fd = open_regular(path, what)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise _too_big(path, what, size, limit)
        parts, got = [], 0
        while chunk := os.read(fd, min(1 << 24, limit + 1 - got)):
            parts.append(chunk)
            got += len(chunk)
            if got > limit:  # grew while being read
                raise _too_big(path, what, got, limit)
        return b"".join(parts)
    finally:
        os.close(fd)


def _check_mode(mode: int, path: Path, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = (
        "文件夹"
        if stat.S_ISDIR(mode)
        else "管道（FIFO）"
        if stat.S_ISFIFO(mode)
        else "设备"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "套接字"
        if stat.S_ISSOCK(mode)
        else "特殊文件"
    )
    raise UsageError(
        f"{shown_name(path)} 是{kind}，不是普通文件，已拒绝读取；请指定{what}本身（Excel/WPS 保存的文件）"
    )


def _too_big(path: Path, what: str, size: int, limit: int) -> UsageError:
    return UsageError(
        f"{what} {shown_name(path)} 有 {size:,} 字节，超出可处理的范围（{limit:,} 字节）；"
        "文件可能已损坏或不是正常的登记表"
    )


def shown_path(path: Path | str) -> str:
    """:func:`shown_name` for a whole path."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
