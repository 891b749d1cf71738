"""Text on its way to a terminal or a log, made harmless and readable.

Names, titles and notes come from workbooks and file names that anyone can write: an ESC
sequence in a member's name would clear the screen or set the window title, a NUL would cut a
log line, a bidirectional override would reorder what the clerk reads. Every such character is
shown as a visible sign instead (ESC as ␛, NUL as ␀, U+202E as <U+202E>); tabs and line breaks
stay. File names that are not UTF-8 (GBK bytes from a Windows zip, kept by Python as
surrogates) are shown decoded as GB18030.

:class:`SafeConsole` applies :func:`visible` to every string rich renders, whether printed or in
a table cell, so the commands need not remember to.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

__all__ = ["visible", "SafeConsole"]

# C0 controls but tab and line feed, DEL and C1 controls, bidirectional marks and overrides,
# line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[^\s/\\：:，,（）()“”\"']+")


def visible(text: str) -> str:
    """``text`` with every control character made a visible sign, and undecoded file-name
    bytes decoded."""
    if _SURROGATES.search(text):
        text = _WORD.sub(_decoded, text)
    return _UNSAFE.sub(_sign, text)


def _decoded(word: re.Match) -> str:
    text = word.group()
    if not _SURROGATES.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape") if _escapes_only(text) else None
    if raw is not None:
        for encoding in ("gb18030", "utf-8"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return _SURROGATES.sub("\ufffd", text)


def _escapes_only(text: str) -> bool:
    """Whether every surrogate is one Python made of a byte (U+DC80..U+DCFF)."""
    return all("\udc80" <= ch <= "\udcff" for ch in _SURROGATES.findall(text))


def _sign(found: re.Match) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


class SafeConsole(Console):
    """A rich Console that shows every string it renders through :func:`visible`."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)
