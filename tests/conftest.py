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
