"""The progress display: on a terminal, a large input shows each stage (done or running, and its
seconds) on stderr; pipes, cron, --quiet and small inputs get exactly the usual output.

Every run is the real command in a child process: on a pseudo-terminal (``pty.openpty``) for
what staff see, on plain pipes for what cron and scripts see. "Large" is decided by the size
on disk (``LARGE_INPUT_BYTES``), so the large workbook here is a small one that also carries an
incompressible embedded part (as a scanned letterhead would): above the threshold, yet scored
in a second.
"""

from __future__ import annotations

import os
import pty
import random
import re
import select
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from perfscore.cli import LARGE_INPUT_BYTES, STAGE_LABELS, app

from .conftest import ROOT, empty_registers, roster, sha256, write_workbook

ASSESS_STAGES = ["读取工作簿", "整理记录", "计分", "排名与评优", "写出结果"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SHOW_CURSOR = (
    "\x1b[?25h"  # rich hides the cursor while its display runs, and shows it again at the end
)
TIMEOUT = 120


def _env() -> dict[str, str]:
    """The caller's environment without the switches that make rich guess differently."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"}
    }
    return {**env, "TERM": "xterm-256color", "COLUMNS": "120"}


def on_terminal(*args: str) -> tuple[int, str]:
    """Run ``perfscore args`` with stdout and stderr on one pseudo-terminal; (exit code, all it printed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfscore", *args],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    try:
        while select.select([master], [], [], TIMEOUT)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child has gone and closed its end
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=TIMEOUT), b"".join(chunks).decode("utf-8")


def on_pipes(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perfscore", *args],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def final_display(printed: str) -> list[str]:
    """The display's last frame, one string per line without escapes (rich redraws the whole
    display each time: after clearing its lines, then once more when it stops)."""
    assert SHOW_CURSOR in printed, f"no progress display in: {printed!r}"
    before_end = printed.split(SHOW_CURSOR)[0]
    frame = before_end.rsplit("\x1b[2K", 1)[1]
    return [" ".join(ANSI.sub("", line).split()) for line in frame.splitlines() if line.strip()]


def after_display(printed: str) -> str:
    return ANSI.sub("", printed.split(SHOW_CURSOR, 1)[1]).replace("\r\n", "\n")


def small_workbook(path: Path) -> Path:
    members = roster(
        ["0001", "张三", "经济界"], ["0002", "李四", "经济界"], ["0003", "王五", "教育界"]
    )
    proposals = [
        ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态"],
        ["2023001", "关于完善公共交通线网的建议", "2023-05-24", "个人", "张三", "立案"],
    ]
    return write_workbook(path, {"委员名单": members, **empty_registers(), "提案": proposals})


def make_large(path: Path) -> Path:
    """Add an incompressible embedded part, stored, so the file is just over the threshold."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(
            "xl/media/image1.png", random.Random(8).randbytes(LARGE_INPUT_BYTES + 64 * 1024)
        )
    assert path.stat().st_size >= LARGE_INPUT_BYTES
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """small/2023.xlsx and large/2023.xlsx: the same registers; the large one over the threshold."""
    root = tmp_path_factory.mktemp("books")
    (root / "small").mkdir()
    (root / "large").mkdir()
    small = small_workbook(root / "small" / "2023.xlsx")
    large = make_large(small_workbook(root / "large" / "2023.xlsx"))
    assert small.stat().st_size < LARGE_INPUT_BYTES
    return {"small": small, "large": large}


@pytest.fixture(scope="module")
def piped(books) -> dict[str, subprocess.CompletedProcess]:
    """Both workbooks assessed on plain pipes, as cron or a script runs them (results beside each)."""
    return {size: on_pipes("assess", str(path)) for size, path in books.items()}


@pytest.mark.slow
def test_a_large_workbook_on_a_terminal_shows_each_stage_done_with_its_seconds(
    books, piped, tmp_path
):
    out = tmp_path / "结果.xlsx"
    code, printed = on_terminal("assess", str(books["large"]), "--out", str(out))

    assert code == 0, printed
    lines = final_display(printed)
    assert len(lines) == len(ASSESS_STAGES), lines  # one line per stage, in order, each done
    for line, label in zip(lines, ASSESS_STAGES, strict=True):
        assert re.fullmatch(rf"√ {label} 完成 \d+\.\d 秒", line), line
    summary = after_display(printed)  # the usual summary comes after the display, not inside it
    assert "考核委员 3 人" in summary and f"已写入：{out}" in summary
    assert not any(label in summary for label in ("读取工作簿", "整理记录", "排名与评优"))
    # The display changes nothing that is written.
    assert sha256(out) == sha256(books["large"].with_name("2023-考核结果.xlsx"))


@pytest.mark.slow
def test_without_a_terminal_nothing_extra_is_printed_and_the_outputs_are_the_same(books, piped):
    small, large = piped["small"], piped["large"]
    assert small.returncode == large.returncode == 0, large.stderr
    assert large.stderr == small.stderr == ""
    assert "\x1b" not in large.stdout
    assert not any(label in large.stdout for label in ("读取工作簿", "整理记录", "排名与评优"))
    # A large input prints exactly what a small one does (the folder name aside).
    assert large.stdout.replace(str(books["large"].parent), "<dir>") == small.stdout.replace(
        str(books["small"].parent), "<dir>"
    )
    assert "已写入：<dir>/2023-考核结果.xlsx" in large.stdout.replace(
        str(books["large"].parent), "<dir>"
    )
    assert sha256(books["large"].with_name("2023-考核结果.xlsx")) == sha256(
        books["small"].with_name("2023-考核结果.xlsx")
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "size, extra", [("small", []), ("large", ["--quiet"])], ids=["small input", "--quiet"]
)
def test_no_display_for_a_small_input_or_with_quiet(books, tmp_path, size, extra):
    out = tmp_path / "结果.xlsx"
    code, printed = on_terminal("assess", str(books[size]), "--out", str(out), *extra)

    assert code == 0, printed
    assert out.exists()
    assert "\x1b[?25l" not in printed  # no live display was ever started
    assert not any(
        label in printed for label in ("读取工作簿", "整理记录", "排名与评优", "写出结果")
    )
    if extra:
        assert printed == ""  # --quiet: errors only
    else:
        assert "考核委员 3 人" in printed


@pytest.mark.slow
def test_an_error_marks_its_stage_unfinished_and_is_printed_below_the_display(books, tmp_path):
    code, printed = on_terminal(
        "assess", str(books["large"]), "--out", str(tmp_path / "没有这个目录" / "结果.xlsx")
    )

    assert code == 2
    lines = final_display(printed)
    assert [line.split()[:3] for line in lines] == [
        ["√", label, "完成"] for label in ASSESS_STAGES[:-1]
    ] + [["×", "写出结果", "未完成"]]
    assert f"输出目录不存在：{tmp_path / '没有这个目录'}" in after_display(printed)
    assert "Traceback" not in printed


@pytest.mark.slow
def test_a_folder_of_workbooks_shows_how_many_are_done(books, tmp_path):
    folder = tmp_path / "县区"
    folder.mkdir()
    shutil.copyfile(books["large"], folder / "甲县.xlsx")
    shutil.copyfile(books["small"], folder / "乙县.xlsx")

    code, printed = on_terminal("assess", str(folder))

    assert code == 0, printed
    [line] = final_display(printed)
    assert re.fullmatch(r"考核工作簿 ━+ 2/2 \d+\.\d 秒", line), line
    assert "完成 2 个，出错 0 个" in after_display(printed)


@pytest.mark.slow
def test_report_on_a_terminal_shows_its_own_stages(books, tmp_path):
    code, printed = on_terminal(
        "report", str(books["large"]), "--quarter", "2023Q2", "--out-dir", str(tmp_path)
    )

    assert code == 0, printed
    labels = [line.split()[1] for line in final_display(printed)]
    assert labels == [STAGE_LABELS[s] for s in ("读取", "整理", "计分", "统计", "写出通报")]
    assert all(line.startswith("√") for line in final_display(printed))
    assert str(tmp_path / "2023Q2-季度履职通报.xlsx") in after_display(printed)


def test_the_help_states_the_threshold(runner):
    result = runner.invoke(app, ["assess", "--help"], env={"COLUMNS": "300"})
    assert f"输入合计 {LARGE_INPUT_BYTES // 1024**2} MB 以上" in result.output
