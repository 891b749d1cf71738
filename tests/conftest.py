"""Shared fixtures: real workbooks built from a few lines of data, and the CLI runner."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest
import typer.testing
import xlsxwriter
from typer.testing import CliRunner

import perfscore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "2023.xlsx"
DEFAULT_RULES = ROOT / "rules" / "default.yaml"

ROSTER_HEADER = [
    "委员编号",
    "姓名",
    "界别",
    "专委会",
    "学习组",
    "工作组",
    "常委",
    "任职起始",
    "任职终止",
]


def write_workbook(
    path: Path, sheets: dict[str, list[list]], *, title_rows: dict[str, str] | None = None
) -> Path:
    """Write ``sheets`` (name -> rows, the first row being the header) as a real .xlsx file.

    ``title_rows`` puts a title line above the header of the named sheets, as offices do.
    datetime.date values become date cells; everything else is written as given.
    """
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
    )
    book.set_properties({"created": dt.datetime(2023, 12, 31)})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        offset = 0
        if title_rows and name in title_rows:
            sheet.write_string(0, 0, title_rows[name])
            offset = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(
                        r + offset, c, dt.datetime(value.year, value.month, value.day), date_format
                    )
                elif isinstance(value, (int, float)):
                    sheet.write_number(r + offset, c, value)
                else:
                    sheet.write_string(r + offset, c, str(value))
    book.close()
    return path


def empty_registers() -> dict[str, list[list]]:
    """Every register but the roster as a sheet holding its header alone: a workbook that keeps
    each register the rules may score, with nothing entered in most."""
    from perfscore.inputformat import SHEETS

    return {s.name: [[c.header for c in s.columns]] for s in SHEETS if s.key != "roster"}


def roster(*members: list) -> list[list]:
    """Roster rows: each member as [id, name, 界别, 专委会, 学习组, 工作组, 常委, 起始, 终止] (may be shorter)."""
    return [ROSTER_HEADER, *[list(m) + [""] * (len(ROSTER_HEADER) - len(m)) for m in members]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def sample_result() -> perfscore.Assessment:
    """The shipped sample assessed once for the whole run with the default rules (read only:
    a test that changes it must copy it first)."""
    return perfscore.assess(SAMPLE)


def _build_once(build):
    """typer's test runner builds the click command from the Typer app on every invoke, a
    noticeable part of a small run; each app is built once per test process instead. The command
    holds no state between invocations: each ``main`` call makes its own context."""
    built: dict[int, tuple[object, object]] = {}

    def command(app):
        if id(app) not in built:
            built[id(app)] = (app, build(app))  # the app is kept, so its id is never reused
        return built[id(app)][1]

    return command


typer.testing._get_command = _build_once(typer.testing._get_command)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The shipped sample, copied so a test can never touch the repository's file."""
    target = tmp_path / "2023.xlsx"
    shutil.copyfile(SAMPLE, target)
    return target


# --- the offline installation folder -------------------------------------------------------
# Building it downloads wheels for six platform/Python targets: a minute of waiting on the
# package index and little CPU. When tests marked ``bundle`` are selected, the build starts on
# a thread as soon as the tests are collected, those tests run last, and the rest of the suite
# runs meanwhile. With pytest-xdist every worker collects the tests: the first to create the
# run's shared folder builds, and whichever worker runs the bundle tests waits for its mark.
# The run's first process (the only one, or xdist's controller) removes the folder at the end.

_RUN = "PERFSCORE_TEST_RUN"  # names the run's shared folder; inherited by xdist's workers


def _shared_folder() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / f"perfscore-bundle-{os.environ[_RUN]}"


def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # the run's first process
        os.environ[_RUN] = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        _compile_perfscore()
    # pytest caches each test module as rewritten for its assertions, unless bytecode writing is
    # off (PYTHONDONTWRITEBYTECODE): then every worker rewrites and compiles every test module
    # on every run, before its first test. The processes tests start keep the setting.
    sys.dont_write_bytecode = False


def _compile_perfscore() -> None:
    """Write the .pyc files of perfscore's modules, and where PYTHONDONTWRITEBYTECODE is set (as
    on CI machines) of the installed packages too, once for the run. With it set, Python never
    writes them, and every process a test starts would compile the package, pandas and the rest
    from source again (pip compiles on install; uv does with --compile-bytecode). Nothing is
    written where the files are current; a read-only tree is left as it is."""
    import compileall
    import sysconfig

    compileall.compile_dir(ROOT / "perfscore", quiet=2)
    if sys.flags.dont_write_bytecode:
        installed = Path(sysconfig.get_paths()["purelib"])
        compiled = any((installed / "pandas" / "__pycache__").glob("__init__.*.pyc"))
        # on every core the first time; checking files already compiled is quicker on one
        compileall.compile_dir(installed, quiet=2, workers=1 if compiled else 0)


class _BundleBuild:
    BUILT, FAILED = "built", "failed"

    def __init__(self, shared: Path) -> None:
        import threading

        self.shared = shared
        self.folder = shared / "perfscore-offline"
        self.thread = threading.Thread(target=self._build, name="offline-bundle", daemon=True)
        self.thread.start()

    def _build(self) -> None:
        import sys

        sys.path.insert(0, str(ROOT / "tools"))
        try:
            import offline_bundle

            offline_bundle.build(self.folder)
        except BaseException as exc:  # reported by the tests that wait for the folder
            (self.shared / self.FAILED).write_text(f"{type(exc).__name__}: {exc}")
        else:
            (self.shared / self.BUILT).touch()

    def join(self) -> None:
        self.thread.join()


_bundle: _BundleBuild | None = None


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what they leave out
def pytest_collection_modifyitems(session, config, items) -> None:
    """Slow tests first, so that on several workers the long ones start early and the short
    ones fill in at the end; the bundle tests last, once their folder is built."""
    global _bundle

    def place(item) -> int:
        if item.get_closest_marker("bundle"):
            return 2
        return 0 if item.get_closest_marker("slow") else 1

    items.sort(key=place)  # stable: each group keeps the collection's order
    wanted = [item for item in items if item.get_closest_marker("bundle")]
    if not wanted or config.option.collectonly:
        return
    shared = _shared_folder()
    try:
        shared.mkdir()
    except FileExistsError:
        return  # another worker of this run builds it
    _bundle = _BundleBuild(shared)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _bundle is not None:
        _bundle.join()
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(_shared_folder(), ignore_errors=True)


@pytest.fixture(scope="session")
def offline_bundle() -> Path:
    """The offline installation folder built by tools/offline_bundle.py for every target."""
    shared = _shared_folder()
    if not shared.is_dir():
        pytest.fail("the offline_bundle fixture is for tests marked bundle")
    if _bundle is not None:
        _bundle.join()
    deadline = time.monotonic() + 30 * 60
    while not (shared / _BundleBuild.BUILT).exists():
        failed = shared / _BundleBuild.FAILED
        if failed.exists():
            raise AssertionError(f"building the offline folder failed: {failed.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError("building the offline folder did not finish in 30 minutes")
        time.sleep(0.5)
    return shared / "perfscore-offline"
