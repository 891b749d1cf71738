"""Result sets: what one run writes is replaced as a unit, whatever stops it.

The writer lists its own write stages (``perfscore.writers.commit.STAGES``). Each kill test
runs a real write in a forked process (its own process group, the ledger CSV files written by
its forked child), pauses it at one stage with the test hook ``PERFSCORE_TEST_PAUSE``, sends
SIGINT, SIGTERM or SIGKILL to the writer, to its ledger child or to the whole group, and checks:

* a reader (``reading``, as ``--previous`` reads) sees the old complete set before the commit
  point and the new complete set after it — never one file of each;
* the next run settles the folder the same way (rolls the commit back or forward) and leaves
  nothing but the set: no staging folder, no temporary file;
* nothing is written to the system temporary folder (xlsxwriter's row files stay in the set's
  staging folder).

Ordinary failures — a read-only output folder, no permission, a full disk (a small tmpfs),
a file-size limit (RLIMIT_FSIZE) — each give their own one-line message and exit 2, and leave
the old set and no temporary file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import perfscore
import perfscore.writers.xlsx as xlsx
from perfscore.cli import app
from perfscore.quarterly import assess_progress, parse_quarter
from perfscore.writers.background import can_fork
from perfscore.writers.commit import STAGES, TEMP_PREFIX, OutputError, reading, recover
from perfscore.writers.quarterly import write_progress

from .conftest import roster, write_workbook

D = dt.date
RULES = """\
scheme: 中断测试办法
version: "1"
categories:
  - id: work
    name: 履职
    items:
      - id: activity
        name: 参加活动
        match: {kind: activity}
        points: 1
checklist:
  name: 两个一
  items:
    - name: 践一诺
      any_of: [{kind: duty, type: [践一诺]}]
    - name: 献一策
      any_of: [{kind: duty, type: [献一策]}]
grades:
  - grade: 好
    min: 2
  - grade: 其他
"""
LEDGER_LINES = 2  # the ledger goes to CSV beside the workbook above this many lines (here: 4)
OUT = "结果.xlsx"
ASSESS_NEW = {OUT, "结果-积分明细.csv"}
OLD_ASSESS = {
    OUT: b"old workbook",
    "结果-积分明细.csv": b"old ledger, part 1",
    "结果-积分明细-2.csv": b"old ledger, part 2",  # the new set has one part: this one goes
}
REPORT_NAMES = ("2023Q2-季度履职通报.xlsx", "2023Q2-季度履职通报.md", "2023Q2-季度履职通报.docx")
OLD_REPORT = {name: f"old {name}".encode() for name in REPORT_NAMES}


def _inputs(folder: Path) -> tuple[Path, Path]:
    rules = folder / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    book = write_workbook(
        folder / "2023.xlsx",
        {
            "委员名单": roster(["0001", "甲", "经济界"], ["0002", "乙", "教育界"]),
            "双五个一": [["委员", "项目", "日期"], ["甲", "践一诺", D(2023, 2, 10)]],
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察一", "视察", D(2023, 3, 31), "甲"],
                ["视察二", "视察", D(2023, 5, 30), "甲"],
                ["调研一", "调研", D(2023, 5, 20), "乙"],
                ["调研二", "调研", D(2023, 6, 20), "乙"],
            ],
        },
    )
    return book, rules


@dataclass(frozen=True)
class Job:
    """One kind of result set: how to write it, its old files and its new ones."""

    write: Callable[[Path], None]
    old: dict[str, bytes]
    new: dict[str, bytes | None]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    return _inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def assessment(inputs):
    return perfscore.assess(*inputs)


@pytest.fixture(scope="module")
def jobs(inputs, assessment) -> dict[str, Job]:
    book, rules = inputs
    result = assessment
    report = assess_progress(book, parse_quarter("2023Q2"), rules)

    def write_assessment(out_dir: Path) -> None:
        lines, xlsx.LEDGER_SHEET_LINES = xlsx.LEDGER_SHEET_LINES, LEDGER_LINES
        try:
            perfscore.write_outputs(result, out_dir / OUT)
        finally:
            xlsx.LEDGER_SHEET_LINES = lines

    def write_report(out_dir: Path) -> None:
        write_progress(report, out_dir)

    made = {}
    for kind, write, old in (
        ("assess", write_assessment, OLD_ASSESS),
        ("report", write_report, OLD_REPORT),
    ):
        reference = book.parent / f"new-{kind}"
        reference.mkdir()
        write(reference)
        new: dict[str, bytes | None] = {p.name: p.read_bytes() for p in reference.iterdir()}
        new.update({name: None for name in old if name not in new})
        made[kind] = Job(write, old, new)
    assert set(made["assess"].new) - {"结果-积分明细-2.csv"} == ASSESS_NEW
    return made


@pytest.fixture
def system_temp(tmp_path, monkeypatch) -> Path:
    """The system temporary folder, for this test: must stay empty (checked at the end)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert sorted(os.listdir(folder)) == [], "a file was left in the system temporary folder"


def _seed(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _seen(folder: Path, names) -> dict[str, bytes | None]:
    """Each file of the set as a reader sees it (None: absent)."""
    seen = {}
    for name in names:
        with reading(folder / name) as path:
            seen[name] = path.read_bytes() if path.exists() else None
    return seen


def _on_disk(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# --- fast: the protocol without interruptions --------------------------------------------------


def test_a_new_set_replaces_the_old_one_whole_and_drops_its_extra_ledger_part(
    assessment, tmp_path, system_temp, monkeypatch
):
    out = tmp_path / "out"
    _seed(out, OLD_ASSESS)
    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", LEDGER_LINES)
    perfscore.write_outputs(assessment, out / OUT)
    written = _on_disk(out)
    assert sorted(written) == sorted(ASSESS_NEW)  # 结果-积分明细-2.csv is gone with the old set
    assert written[OUT].startswith(b"PK") and written["结果-积分明细.csv"].count(b"\r\n") == 5


def test_a_workbook_without_a_ledger_beside_it_removes_the_old_ledger_files(
    assessment, tmp_path, system_temp
):
    out = tmp_path / "out"
    _seed(out, OLD_ASSESS | {"结果-公示-积分明细.csv": b"another set", "结果-积分明细.txt": b"x"})
    perfscore.write_outputs(assessment, out / OUT)
    assert sorted(os.listdir(out)) == ["结果-公示-积分明细.csv", "结果-积分明细.txt", OUT]


def test_a_failed_write_leaves_the_old_set_and_no_temporary_file(
    assessment, tmp_path, system_temp, monkeypatch
):
    """xlsxwriter's row files (constant-memory mode) are in the staging folder, not in the
    system temporary folder, and go with it."""

    def broken(_assessment):
        raise RuntimeError("图表出错")

    out = tmp_path / "out"
    _seed(out, OLD_ASSESS)
    monkeypatch.setattr(xlsx, "assessment_charts", broken)
    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", LEDGER_LINES)
    with pytest.raises(RuntimeError, match="图表出错"):
        perfscore.write_outputs(assessment, out / OUT)
    assert _on_disk(out) == OLD_ASSESS


def test_the_next_run_removes_what_dead_runs_left_and_never_a_live_run_s_files(tmp_path):
    import socket

    host = "".join(c if c.isalnum() or c in "_-" else "_" for c in socket.gethostname())[:64]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out = tmp_path / "out"
        _seed(out, {"结果.xlsx": b"current"})
        names = {
            "dead": f"{TEMP_PREFIX}{host}.{dead.pid}.0a1b2c.tmp",
            "live": f"{TEMP_PREFIX}{host}.{live.pid}.0a1b2c.tmp",
            "elsewhere": f"{TEMP_PREFIX}otherhost.{dead.pid}.0a1b2c.tmp",
            "old-style": f".结果.{dead.pid}.0123456789ab.tmp.xlsx",
        }
        for key, name in names.items():
            if key == "old-style":
                (out / name).write_bytes(b"partial")
            else:
                (out / name / "files").mkdir(parents=True)
                (out / name / "files" / "结果.xlsx").write_bytes(b"partial")
        aged = out / f"{TEMP_PREFIX}otherhost.1.0d0e0f.tmp"
        aged.mkdir()
        os.utime(aged, (time.time() - 2 * 24 * 3600,) * 2)
        recover(out)
        assert sorted(os.listdir(out)) == sorted(["结果.xlsx", names["live"], names["elsewhere"]])
        assert (out / "结果.xlsx").read_bytes() == b"current"
    finally:
        live.kill()
        live.wait()


def test_writer_stages_are_listed_in_order():
    assert STAGES[0] == "staging" and STAGES[-1] == "installed"
    assert STAGES.index("commit") < STAGES.index("committed") < STAGES.index("installing")


# --- slow: kill the writer at every stage it lists ---------------------------------------------


@dataclass(frozen=True)
class Kill:
    stage: str
    target: str  # parent (the writer), child (its ledger CSV writer) or group
    signum: int

    def __str__(self) -> str:
        return f"{self.stage}-{self.target}-{signal.Signals(self.signum).name}"


INT, TERM, KILL = signal.SIGINT, signal.SIGTERM, signal.SIGKILL
# Every stage the writer lists, each signal to each target, in as few runs as that takes.
ASSESS_KILLS = [
    Kill("staging", "parent", KILL),
    Kill("ledger-csv", "child", KILL),
    Kill("ledger-csv", "child", TERM),
    Kill("ledger-csv", "child", INT),
    Kill("ledger-csv", "parent", KILL),  # the child dies with its parent
    Kill("ledger-csv", "group", INT),
    Kill("workbook", "parent", INT),
    Kill("workbook", "group", KILL),
    Kill("commit", "group", TERM),
    Kill("committed", "parent", KILL),
    Kill("installing", "parent", TERM),
]
REPORT_KILLS = [
    Kill("workbook", "parent", KILL),
    Kill("markdown", "group", KILL),
    Kill("document", "parent", INT),
    Kill("commit", "parent", TERM),
    Kill("committed", "group", INT),
    Kill("installing", "parent", KILL),
    Kill("installed", "group", TERM),
]


def test_the_kill_tests_cover_every_stage_the_writer_lists():
    assert {k.stage for k in ASSESS_KILLS} | {k.stage for k in REPORT_KILLS} == set(STAGES)
    for signum in (INT, TERM, KILL):
        for target in ("parent", "child", "group"):
            assert any(k.signum == signum and k.target == target for k in ASSESS_KILLS)


def _wait(pid: int, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    return None


def _interrupted_write(write: Callable[[], None], kill: Kill, pauses: Path) -> int:
    """Run ``write`` in a forked process group, pause it at ``kill.stage``, signal the target;
    the writer's wait status."""
    pauses.mkdir()
    pid = os.fork()
    if pid == 0:  # the writer: never returns into pytest
        code = 1
        try:
            os.setpgid(0, 0)
            os.environ["PERFSCORE_TEST_PAUSE"] = f"{kill.stage}@{pauses}"
            os.environ["PERFSCORE_NO_FORK"] = "0"
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            write()
            code = 0
        except KeyboardInterrupt:
            code = 130
        finally:
            os._exit(code)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    try:
        deadline = time.monotonic() + 60
        while not (markers := list(pauses.glob(f"{kill.stage}.*"))):
            assert time.monotonic() < deadline, f"the writer never reached {kill.stage}"
            assert _wait(pid, 0.01) is None, f"the writer ended before {kill.stage}"
        at = int(markers[0].name.rsplit(".", 1)[1])
        assert (at != pid) == (kill.stage == "ledger-csv"), "only the ledger is written by a child"
        if kill.target == "parent":
            os.kill(pid, kill.signum)
        elif kill.target == "child":
            os.kill(at, kill.signum)
        else:
            os.killpg(pid, kill.signum)
        (pauses / "go").touch()
        status = _wait(pid, 60)
        assert status is not None, "the writer did not stop"
        return status
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _check_interrupted(job: Job, kill: Kill, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _seed(out, job.old)
    status = _interrupted_write(lambda: job.write(out), kill, tmp_path / "pauses")
    if kill.signum == KILL and kill.target != "child":
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == KILL
    else:  # Ctrl-C, SIGTERM or a killed ledger writer: the writer unwinds and says so
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) in (1, 130), status
    committed = STAGES.index(kill.stage) >= STAGES.index("committed")
    expected = job.new if committed else job.old
    assert _seen(out, job.new) == expected, "a reader must see one complete set"
    recover(out)  # what the next run does first (the command-line test below runs it whole)
    assert _on_disk(out) == {k: v for k, v in expected.items() if v is not None}


@pytest.mark.slow
@pytest.mark.parametrize("kill", ASSESS_KILLS, ids=str)
def test_assess_killed_at_a_stage_leaves_the_old_or_the_new_set(jobs, kill, tmp_path, system_temp):
    if kill.stage == "ledger-csv" and not can_fork():
        pytest.skip("the ledger is written in order here: there is no child process")
    _check_interrupted(jobs["assess"], kill, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("kill", REPORT_KILLS, ids=str)
def test_report_killed_at_a_stage_leaves_the_old_or_the_new_set(jobs, kill, tmp_path, system_temp):
    _check_interrupted(jobs["report"], kill, tmp_path)


@pytest.mark.slow
def test_the_command_killed_with_its_group_then_run_again_leaves_only_the_new_set(tmp_path):
    """The real command line: `perfscore assess` killed (SIGKILL to its process group) while
    its workbook is staged; the old file stays; the next run replaces it and leaves nothing
    else; the system temporary folder (TMPDIR) stays empty."""
    book, rules = _inputs(tmp_path)
    out, pauses, temp = tmp_path / "out", tmp_path / "pauses", tmp_path / "system-temp"
    for folder in (out, pauses, temp):
        folder.mkdir()
    (out / OUT).write_bytes(b"old workbook")
    command = [sys.executable, "-m", "perfscore", "assess", str(book), "--rules", str(rules)]
    command += ["--out", str(out / OUT)]
    env = {**os.environ, "TMPDIR": str(temp), "PERFSCORE_TEST_PAUSE": f"workbook@{pauses}"}
    run = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list(pauses.glob("workbook.*")):
            assert run.poll() is None, run.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGKILL)
        assert run.wait(60) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        run.stderr.close()
    assert (out / OUT).read_bytes() == b"old workbook"
    assert [p.name for p in out.iterdir() if p.name.startswith(TEMP_PREFIX)], "a staging folder"
    env.pop("PERFSCORE_TEST_PAUSE")
    again = subprocess.run(command, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert os.listdir(out) == [OUT] and (out / OUT).read_bytes().startswith(b"PK")
    assert os.listdir(temp) == []


# --- slow: ordinary failures, each with its own message ----------------------------------------


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Path:
    folder.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _assess_command(tmp_path: Path, out_dir: Path) -> list[str]:
    book, rules = _inputs(tmp_path)
    return ["assess", str(book), "--rules", str(rules), "--out", str(out_dir / OUT)]


def _one_line_failure(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_a_read_only_output_folder(tmp_path, system_temp):
    with _tmpfs(tmp_path / "out", "1m") as out:
        (out / OUT).write_bytes(b"old workbook")
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(out)], capture_output=True)
        if remounted.returncode:
            pytest.skip(f"cannot remount read-only: {remounted.stderr.decode().strip()}")
        result = CliRunner().invoke(app, _assess_command(tmp_path, out))
        _one_line_failure(result, "输出目录是只读的，无法写出结果：")
        assert os.listdir(out) == [OUT] and (out / OUT).read_bytes() == b"old workbook"


@pytest.mark.slow
def test_a_full_disk(tmp_path, system_temp):
    with _tmpfs(tmp_path / "out", "256k") as out:
        _seed(out, OLD_ASSESS)
        free = os.statvfs(out)
        (out / "filler").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 8192))
        result = CliRunner().invoke(app, _assess_command(tmp_path, out))
        _one_line_failure(result, "磁盘空间不足，无法写出结果到")
        assert sorted(os.listdir(out)) == sorted([*OLD_ASSESS, "filler"])
        assert all((out / name).read_bytes() == data for name, data in OLD_ASSESS.items())


def _in_child(action: Callable[[], tuple[int, str]], before: Callable[[], None]) -> tuple[int, str]:
    """``action`` in a forked child after ``before`` (limits, user): its code and output."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            before()
            code, output = action()
        except BaseException as exc:
            code, output = -1, repr(exc)
        finally:
            os.write(write_end, f"{code}\n{output}".encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read().decode()
    os.waitpid(pid, 0)
    code, _, output = payload.partition("\n")
    return int(code), output


@dataclass
class _Outcome:
    exit_code: int
    output: str


@pytest.mark.slow
def test_a_file_size_limit(tmp_path, system_temp):
    """RLIMIT_FSIZE as `ulimit -f` sets it: writing past it is EFBIG (perfscore ignores
    SIGXFSZ while writing, so the signal does not end the process)."""
    out = tmp_path / "out"
    _seed(out, OLD_ASSESS)
    args = _assess_command(tmp_path, out)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    def run() -> tuple[int, str]:
        result = CliRunner().invoke(app, args)
        return result.exit_code, result.output

    code, output = _in_child(run, limit)
    _one_line_failure(_Outcome(code, output), "文件超过系统允许的大小（ulimit -f），无法写出结果到")
    assert _on_disk(out) == OLD_ASSESS


@pytest.mark.slow
def test_no_permission_to_write_the_output_folder(jobs, tmp_path, system_temp):
    """Root may write anywhere: the write runs as nobody, from inside the test's folder (its
    parents are closed to other users)."""
    out = tmp_path / "out"
    _seed(out, OLD_ASSESS)
    out.chmod(0o555)
    tmp_path.chmod(0o711)
    try:

        def as_nobody() -> None:
            os.chdir(tmp_path)
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)

        def run() -> tuple[int, str]:
            try:
                jobs["assess"].write(Path("out"))
            except OutputError as exc:
                return exc.exit_code, exc.message
            return 0, ""

        code, message = _in_child(run, as_nobody)
    finally:
        out.chmod(0o755)
        tmp_path.chmod(0o700)
    assert code == 2, message
    assert message.startswith("没有输出目录的写入权限，无法写出结果：")
    assert _on_disk(out) == OLD_ASSESS
