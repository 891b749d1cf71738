"""`perfscore assess` on many workbooks: each into its own output, failures reported, none stopping the rest."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from perfscore.batch import assess_many, expand_workbooks
from perfscore.cli import app

from .conftest import SAMPLE, sha256


def test_a_folder_of_workbooks_is_assessed_file_by_file(runner, tmp_path):
    folder = tmp_path / "县区"
    folder.mkdir()
    for name in ("甲县.xlsx", "乙县.xlsx"):
        shutil.copyfile(SAMPLE, folder / name)
    (folder / "丙县.xlsx").write_bytes(b"not a workbook")
    (folder / "~$甲县.xlsx").write_bytes(b"lock")
    before = sha256(folder / "甲县.xlsx")

    result = runner.invoke(app, ["assess", str(folder)], env={"COLUMNS": "250"})
    assert result.exit_code == 2  # the worst file's code
    assert "完成 2 个，出错 1 个" in result.output
    assert (folder / "甲县-考核结果.xlsx").exists() and (folder / "乙县-考核结果.xlsx").exists()
    assert not (folder / "丙县-考核结果.xlsx").exists()
    assert "无法读取工作簿 丙县.xlsx" in result.output
    assert sha256(folder / "甲县.xlsx") == before


def test_several_files_into_an_output_folder_in_parallel(tmp_path):
    sources = []
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copyfile(SAMPLE, tmp_path / name)
        sources.append(tmp_path / name)
    out = tmp_path / "out"
    out.mkdir()
    items = assess_many(sources, out_dir=out, workers=2)
    assert [item.exit_code for item in items] == [0, 0]
    assert [item.out for item in items] == [out / "a-考核结果.xlsx", out / "b-考核结果.xlsx"]
    import openpyxl

    rankings = [
        list(openpyxl.load_workbook(item.out, read_only=True)["总排名"].iter_rows(values_only=True))
        for item in items
    ]
    assert (
        rankings[0] == rankings[1]
    )  # same content; the files differ only in the input name they record
    assert items[0].members == 320 and sum(items[0].grades.values()) == 320


def test_a_folder_of_csv_files_stays_one_workbook(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "委员名单.csv").write_text("委员编号,姓名,界别\n001,张三,经济界\n", encoding="utf-8")
    assert expand_workbooks([folder]) == [folder]


def _descendants(root: int) -> set[int]:
    """The processes below ``root`` (children, their children …), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _kill_the_reader_of(path: Path, stop: threading.Event) -> None:
    """SIGKILL the descendant of this process that has ``path`` open, as soon as one does."""
    target = str(path)
    while not stop.is_set():
        for pid in _descendants(os.getpid()):
            try:
                links = [
                    os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")
                ]
            except OSError:
                continue
            if target in links:
                os.kill(pid, signal.SIGKILL)
                return
        time.sleep(0.002)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds the worker through /proc")
def test_a_file_that_kills_its_worker_is_that_files_failure_and_the_others_finish(tmp_path):
    """The worker reading b.xlsx is killed (as a hostile file or the system's OOM killer would
    end it): b.xlsx is reported as failed with the signal, a.xlsx and c.xlsx are written."""
    sources = []
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        shutil.copyfile(SAMPLE, tmp_path / name)
        sources.append(tmp_path / name)
    out = tmp_path / "out"
    out.mkdir()
    stop = threading.Event()
    killer = threading.Thread(target=_kill_the_reader_of, args=(sources[1], stop), daemon=True)
    killer.start()
    try:
        items = assess_many(sources, out_dir=out, workers=2)
    finally:
        stop.set()
        killer.join()
    assert [item.exit_code for item in items] == [0, 2, 0]
    assert "进程意外终止" in items[1].message and "SIGKILL" in items[1].message
    assert items[1].out is None and not (out / "b-考核结果.xlsx").exists()
    assert (out / "a-考核结果.xlsx").exists() and (out / "c-考核结果.xlsx").exists()
    assert items[0].members == items[2].members == 320


@pytest.mark.slow
def test_without_fork_the_workers_are_new_interpreters_with_the_same_results(tmp_path, monkeypatch):
    """The Windows way (spawn), forced here with PERFSCORE_NO_FORK=1: the folder run and the
    ledger writer work without fork and write the same bytes as with it."""
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copyfile(SAMPLE, tmp_path / name)
    outputs = {}
    for mode in ("fork", "spawn"):
        out = tmp_path / mode
        out.mkdir()
        if mode == "spawn":
            monkeypatch.setenv("PERFSCORE_NO_FORK", "1")
        items = assess_many([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], out_dir=out, workers=2)
        assert [item.exit_code for item in items] == [0, 0], [item.message for item in items]
        outputs[mode] = {p.name: sha256(p) for p in out.iterdir()}
    assert outputs["fork"] == outputs["spawn"]
