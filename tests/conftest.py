"""Shared fixtures: real workbooks built from a few lines of data, and the CLI runner."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
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
# runs meanwhile. The folder lives in its own temporary directory, removed at the end.


class _BundleBuild:
    def __init__(self) -> None:
        import tempfile
        import threading

        self.folder = Path(tempfile.mkdtemp(prefix="perfscore-bundle-")) / "perfscore-offline"
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._build, name="offline-bundle", daemon=True)
        self.thread.start()

    def _build(self) -> None:
        import sys

        sys.path.insert(0, str(ROOT / "tools"))
        try:
            import offline_bundle

            offline_bundle.build(self.folder)
        except BaseException as exc:  # reported by the tests that wait for the folder
            self.error = exc

    def result(self) -> Path:
        self.thread.join()
        if self.error is not None:
            raise AssertionError(f"building the offline folder failed: {self.error}")
        return self.folder

    def remove(self) -> None:
        self.thread.join()
        shutil.rmtree(self.folder.parent, ignore_errors=True)


_bundle: _BundleBuild | None = None


def pytest_collection_modifyitems(session, config, items) -> None:
    global _bundle
    wanted = [item for item in items if item.get_closest_marker("bundle")]
    if wanted:
        items[:] = [item for item in items if not item.get_closest_marker("bundle")] + wanted
        _bundle = _BundleBuild()


def pytest_sessionfinish(session, exitstatus) -> None:
    if _bundle is not None:
        _bundle.remove()


@pytest.fixture(scope="session")
def offline_bundle() -> Path:
    """The offline installation folder built by tools/offline_bundle.py for every target."""
    if _bundle is None:
        pytest.fail("the offline_bundle fixture is for tests marked bundle")
    return _bundle.result()
