"""How sheet names, headers and words are compared when a workbook is read."""

from __future__ import annotations

import re
from functools import lru_cache

from ..text import fold_width

__all__ = ["match_key"]

_SPACES = re.compile(r"\s+")


def match_key(text: str) -> str:
    """How sheet names, headers and words are compared: width, case, white space and
    traditional characters folded (委員名單 = 委员名单; 姓　名 = 姓名; 提交\\n日期 = 提交日期)."""
    return _to_simplified(_SPACES.sub("", fold_width(str(text))).lower())


@lru_cache(maxsize=4096)
def _to_simplified(text: str) -> str:
    if text.isascii():
        return text
    return _converter().convert(text)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")
