"""Is a result scored under the shipped example scheme (``rules/default.yaml``)?

Its points are perfscore's own, not any office's: results scored with it carry
:data:`EXAMPLE_NOTICE` wherever they appear (terminal, workbook, 通报), so nobody circulates
example points as an office's own. A copy of the file, byte for byte, counts as the example
too; once an office edits it, it is the office's scheme.
"""

from __future__ import annotations

import hashlib
from functools import cache

from .loader import DEFAULT_RULES, LoadedRules

__all__ = [
    "EXAMPLE_HEADING",
    "EXAMPLE_NOTICE",
    "EXAMPLE_SCHEME_NOTICE",
    "is_example",
    "example_notice",
]

EXAMPLE_HEADING = "示例办法"

EXAMPLE_NOTICE = (
    "本结果按 perfscore 自带的示例积分办法（rules/default.yaml）计算，分值为示例，"
    "不是本单位的正式办法；正式使用请按本单位的积分办法修改规则文件。"
)

EXAMPLE_SCHEME_NOTICE = (
    "本办法是 perfscore 自带的示例积分办法（rules/default.yaml），分值为示例，"
    "不是任何单位的正式办法；各单位请按本单位的积分办法修改后使用。"
)


@cache
def _example_sha256() -> str:
    try:
        return hashlib.sha256(DEFAULT_RULES.read_bytes()).hexdigest()
    except OSError:
        return ""


def is_example(rules: LoadedRules) -> bool:
    """The rules are the shipped example file, unchanged."""
    return bool(rules.sha256) and rules.sha256 == _example_sha256()


def example_notice(rules: LoadedRules) -> str:
    """:data:`EXAMPLE_NOTICE` for the shipped example, '' for an office's own rules."""
    return EXAMPLE_NOTICE if is_example(rules) else ""
