"""perfscore on a Chinese Windows console (GBK code page), simulated with PYTHONIOENCODING=gbk.

Every command prints readable Chinese there: no UnicodeEncodeError, and what it prints decodes
as GBK. A name with a character outside GBK is shown with a replacement mark, not a crash.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEFAULT_RULES, SAMPLE, empty_registers, roster, write_workbook

pytestmark = pytest.mark.slow

GBK = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}


def _perfscore(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from perfscore.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        env=GBK,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["assess", "2023.xlsx"], 0, "已写入"),
        (["explain", "2023.xlsx", "0001"], 0, "总分"),
        (["check", "2023.xlsx"], 0, "警告"),
        (["rules", "show"], 0, "基础分"),
        (["assess"], 2, "缺少参数"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_commands_print_gbk(tmp_path: Path, args: list[str], code: int, expected: str) -> None:
    shutil.copy(SAMPLE, tmp_path / "2023.xlsx")
    run = _perfscore(*args, cwd=tmp_path)
    out, err = run.stdout.decode("gbk"), run.stderr.decode("gbk")
    assert run.returncode == code, err
    assert "UnicodeEncodeError" not in err and "Traceback" not in err
    assert expected in out + err


def test_a_name_outside_gbk_is_replaced_not_fatal(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["0001", "吉𠮷", "经济界", "经济委"]),
            **empty_registers(),
            "提案": [
                ["提案编号", "提案标题", "提交日期", "提案人", "提案方式", "状态"],
                ["1", "关于物流的提案", "2023-03-01", "吉𠮷", "个人", "立案"],
            ],
        },
    )
    run = _perfscore("explain", book.name, "0001", "--rules", str(DEFAULT_RULES), cwd=tmp_path)
    out = run.stdout.decode("gbk")
    assert run.returncode == 0, run.stderr.decode("gbk")
    assert "吉?" in out and "总分" in out
