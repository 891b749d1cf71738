"""Hostile input files never end perfscore with a signal: each is refused with a plain Chinese
message (exit 1 or 2), or read within bounds, in a child process under a memory limit.

Every file is generated here, in variants (where the far cell is, how its reference is written,
whether a ``<dimension>`` is there and what it says, how many sheets, which register a CSV row
breaks), so that no guard passes by matching one payload. Each run is ``perfscore`` in a fresh
interpreter whose address space is limited to what it holds after its imports plus 1 GB: a
reader that allocates for what a file claims rather than what it holds fails there (an abort, a
MemoryError reported as 内部错误) instead of passing on a large machine.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE
from .test_xlsguard import REAL_XLS, damaged_difat_chain, damaged_directory_chain, label, xls

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="the memory limit is set from /proc (Linux)"
)

# The child: import what a run needs, limit the address space to that plus 1 GB, then run each
# command as `perfscore` would, writing each outcome as it ends. Several commands share one
# child (the imports are most of a run's time); a child ended by a signal leaves fewer outcomes
# than commands, and the first missing one is the command that killed it.
CHILD = """
import contextlib, io, json, os, resource, sys
import pandas, numpy, python_calamine, opencc, xlsxwriter
import perfscore.api, perfscore.cli, perfscore.history, perfscore.writers.xlsx

def address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024

limit = address_space() + 1024**3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
commands, results = json.loads(sys.argv[1]), sys.argv[2]
for args in commands:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            perfscore.cli.app(args, prog_name="perfscore")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    with open(results, "a", encoding="utf-8") as file:
        file.write(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}) + "\\n")
"""

CHINESE = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def describe(self) -> str:
        return f"exit {self.code}\nstdout: {self.out[-2000:]}\nstderr: {self.err[-2000:]}"


def run_limited(*commands: list[str], timeout: float = 180) -> list[Outcome]:
    """Each command (``perfscore`` arguments) in one child under the memory limit; never a
    hang (a timeout fails). A command that ends the child by a signal gets the signal's
    negative number as its code."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.jsonl"
        done = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(commands), str(results)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "200", "PYDANTIC_DISABLE_PLUGINS": "__all__"},
        )
        lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
    outcomes = [Outcome(**json.loads(line)) for line in lines]
    if len(outcomes) < len(commands):
        outcomes.append(Outcome(done.returncode or -1, done.stdout, done.stderr))
    return outcomes


def assert_refused(outcome: Outcome, *, codes: tuple[int, ...] = (2,)) -> str:
    """A clean refusal: an exit code of its own (no signal), one Chinese message, no traceback,
    no 内部错误."""
    assert outcome.code >= 0, f"ended by signal {signal.Signals(-outcome.code).name}\n" + (
        outcome.describe()
    )
    assert outcome.code in codes, outcome.describe()
    text = outcome.out + outcome.err
    assert "Traceback" not in text and "内部错误" not in text, outcome.describe()
    assert CHINESE.search(text), outcome.describe()
    return text


# --- .xlsx files written part by part -----------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(path: Path, sheets: list[tuple[str, bytes]]) -> Path:
    """An .xlsx of these sheets, each given as the XML inside ``<worksheet>``."""
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    listed = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    package = "http://schemas.openxmlformats.org/package/2006"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{types}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxml'
            f'formats.org/officeDocument/2006/relationships"><sheets>{listed}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">{rels}'
            "</Relationships>",
        )
        for i, (_, body) in enumerate(sheets, 1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode()
                + body
                + b"</worksheet>",
            )
    return path


def column_letters(index: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


ROSTER_ROWS = (
    '<row r="1">' + text_cell("A1", "委员编号") + text_cell("B1", "姓名") + "</row>"
    '<row r="2">' + text_cell("A2", "W001") + text_cell("B2", "张三") + "</row>"
)


def far_cell(rng: random.Random) -> tuple[str, int, int]:
    """A cell reference far enough that A1 to it is beyond the limits: (how it is written in
    the XML, its row, its column)."""
    row, column = rng.choice(
        [
            (1_048_576, 16_384),  # XFD1048576
            (rng.randint(700_000, 1_048_576), rng.randint(60, 16_384)),
            (rng.randint(3_000, 60_000), rng.randint(2_000, 16_384)),
            (rng.randint(200_000, 1_048_576), rng.randint(5, 40)),  # beyond the sparse budget
        ]
    )
    letters = column_letters(column)
    if rng.random() < 0.3:
        letters = letters.lower()
    quote = rng.choice(['"', "'"])
    spacing = rng.choice(["", " "])
    written = f"<c r{spacing}={spacing}{quote}{letters}{row}{quote}><v>{rng.randint(0, 9)}</v></c>"
    return written, row, column


def dimension(rng: random.Random, row: int, column: int) -> str:
    ref = rng.choice([None, "A1:B2", f"A1:{column_letters(column)}{row}", "A1", "A1:XFD1048576"])
    if ref is None:
        return ""
    quote = rng.choice(QUOTES)
    return f"<dimension ref={quote}{ref}{quote}/>"


QUOTES = ['"', "'"]


def hostile_register(path: Path, seed: int) -> Path:
    """A roster whose cells reach a far cell, written one of many ways."""
    rng = random.Random(seed)
    cell, row, column = far_cell(rng)
    where = rng.choice(["end", "first_row", "own_row", "row_without_r"])
    rows = ROSTER_ROWS
    if where == "first_row":
        rows = rows.replace("</row>", cell + "</row>", 1)
    elif where == "own_row":
        rows += f'<row r="{row}">{cell}</row>'
    elif where == "row_without_r":
        rows += f"<row>{cell}</row>"
    else:
        rows = rows[: rows.rindex("</row>")] + cell + "</row>"
    body = f"{dimension(rng, row, column)}<sheetData>{rows}</sheetData>"
    extra = [(f"说明{i}", b"<sheetData/>") for i in range(rng.randint(0, 2))]
    return xlsx(path, [*extra, ("委员名单", body.encode())])


def hostile_ods(path: Path, rows: int, columns: int, sheets: int = 1) -> Path:
    """An .ods whose roster (and ``sheets`` - 1 more sheets) repeats one value over ``rows`` ×
    ``columns`` cells."""
    table = (
        '<table:table table:name="{name}"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        f'</table:table-row><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>'
    )
    names = ["委员名单", *(f"附表{i}" for i in range(1, sheets))]
    content = (
        '<?xml version="1.0"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        "<office:body><office:spreadsheet>"
        + "".join(table.format(name=name) for name in names)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def many_unregistered_sheets(path: Path, count: int) -> Path:
    """A roster beside ``count`` sheets no register takes, each spanning tens of millions of
    cells with two values."""
    rng = random.Random(count)
    hostile = []
    for i in range(count):
        row, column = rng.randint(500_000, 1_048_576), rng.randint(20, 40)
        hostile.append(
            (
                f"附表{i}",
                f'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="{row}">'
                f'<c r="{column_letters(column)}{row}"><v>2</v></c></row></sheetData>'.encode(),
            )
        )
    roster = ("委员名单", f"<sheetData>{ROSTER_ROWS}</sheetData>".encode())
    return xlsx(path, [*hostile[: count // 2], roster, *hostile[count // 2 :]])


def rows_without_references(path: Path, width: int) -> Path:
    """Cells written without ``r`` follow the cell before them: ``width`` of them in a row
    after a tall column reach as far as a far reference would."""
    body = (
        "<sheetData>"
        + ROSTER_ROWS
        + '<row r="300000"><c r="A300000"><v>1</v></c>'
        + "<c><v>1</v></c>" * width
        + "</row></sheetData>"
    )
    return xlsx(path, [("委员名单", body.encode())])


CSV_REGISTERS = {
    "委员名单": ["委员编号,姓名,界别", *(f"W{i:03},委员{i},经济界" for i in range(20))],
    "提案": ["提案号,标题,提案人,提交日期", *(f"{i},题目,委员{i},2023-03-01" for i in range(20))],
}


def csv_folder(folder: Path, sheet: str, position: str, cells: int, quoted: bool, encoding: str):
    """A folder of CSV registers, one of whose rows holds ``cells`` empty fields."""
    folder.mkdir()
    for name, lines in CSV_REGISTERS.items():
        lines = list(lines)
        if name == sheet:
            at = {"first": 1, "middle": len(lines) // 2, "last": len(lines)}[position]
            lines.insert(at, ('"",' if quoted else ",") * cells)
        (folder / f"{name}.csv").write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return folder


def special_file(kind: str, path: Path) -> Path:
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to({"zero": "/dev/zero", "urandom": "/dev/urandom"}[kind])
    return path


def special_command(tmp_path: Path, kind: str, role: str) -> list[str]:
    """A command given a FIFO or a device as its workbook, its --previous, or a CSV register."""
    base = tmp_path / f"{kind}-{role}"
    base.mkdir()
    if role == "workbook":
        return ["check", str(special_file(kind, base / "登记.xlsx"))]
    if role == "previous":
        previous = special_file(kind, base / "2022-考核结果.xlsx")
        return ["assess", str(SAMPLE), "--previous", str(previous), "--out", str(base / "o.json")]
    (base / "委员名单.csv").write_text("\n".join(CSV_REGISTERS["委员名单"]) + "\n")
    special_file(kind, base / "提案.csv")
    return ["check", str(base)]


def previous_command(tmp_path: Path, name: str, data: bytes | str) -> list[str]:
    folder = tmp_path / f"previous-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    previous = folder / name
    if isinstance(data, str):
        previous.write_text(data)
    else:
        previous.write_bytes(data)
    return ["assess", str(SAMPLE), "--previous", str(previous), "--out", str(folder / "o.json")]


def far_xlsx_previous(tmp_path: Path) -> bytes:
    path = xlsx(
        tmp_path / "far.xlsx",
        [("总排名", b'<sheetData><row r="1"><c r="XFD1048576"><v>1</v></c></row></sheetData>')],
    )
    data = path.read_bytes()
    path.unlink()
    return data


def deep_json(depth: int) -> str:
    return '{"year": 2022, "members": ' + "[" * depth + "]" * depth + "}"


# --- the runs -------------------------------------------------------------------------------------


def test_one_of_each_hostile_input_is_refused_cleanly(tmp_path: Path):
    """The fast tier: one variant of each kind, in one child under the memory limit."""
    cases = [
        (
            ["check", str(hostile_register(tmp_path / "far.xlsx", 0))],
            ("委员名单", "超出可处理的范围"),
        ),
        (
            [
                "check",
                str(csv_folder(tmp_path / "csv", "委员名单", "last", 5_000_000, False, "utf-8")),
            ],
            ("委员名单.csv", "超出可处理的范围"),
        ),
        (special_command(tmp_path, "fifo", "workbook"), ("不是普通文件",)),
        (
            previous_command(tmp_path, "2022.xls", damaged_difat_chain(REAL_XLS.read_bytes())),
            ("无法读取工作簿 2022.xls",),
        ),
        (previous_command(tmp_path, "2022.json", deep_json(100_000)), ("不是 perfscore 写出的",)),
    ]
    outcomes = run_limited(*(command for command, _ in cases))
    for (command, words), outcome in zip(cases, outcomes, strict=False):
        message = assert_refused(outcome)
        assert all(word in message for word in words), (command, outcome.describe())
    assert len(outcomes) == len(cases)


@pytest.mark.slow
def test_registers_reaching_far_cells_written_many_ways_are_refused(tmp_path: Path):
    """Far cells at many places, references in either quote, with spaces around ``=``, in lower
    case; ``<dimension>`` absent, lying or absurd; cells without ``r``; .ods repeats."""
    paths = [hostile_register(tmp_path / f"far{seed}.xlsx", seed) for seed in range(24)]
    paths.append(rows_without_references(tmp_path / "rless.xlsx", 20_000))
    paths += [
        hostile_ods(tmp_path / f"repeat{rows}.ods", rows, columns)
        for rows, columns in ((9_000, 10_000), (1_048_570, 16_384), (600_000, 8))
    ]
    assert all(path.stat().st_size < 30_000 for path in paths)
    outcomes = run_limited(*(["check", str(path)] for path in paths))
    for path, outcome in zip(paths, outcomes, strict=False):
        message = assert_refused(outcome)
        assert "委员名单" in message and "超出可处理的范围" in message, (path, outcome.describe())
    assert len(outcomes) == len(paths)


@pytest.mark.slow
def test_workbooks_read_whole_on_opening_are_held_to_one_budget(tmp_path: Path):
    """calamine parses every sheet of an .xls or .ods when it opens the file: sheets each
    within the limits but together vast (cells far apart, repeats) are refused as a whole."""
    rng = random.Random(20)
    paths = []
    for count in (2, 3, 5, 8):
        sheets = []
        for i in range(count):
            row, column = rng.randint(40_000, 65_535), rng.randint(120, 255)
            sheets.append((f"表{i}", [label(0, 0, "姓名"), label(row, column, "x")]))
        path = tmp_path / f"sparse{count}.xls"
        path.write_bytes(xls(sheets))
        paths.append(path)
    paths += [hostile_ods(tmp_path / f"sheets{n}.ods", 1_999, 1_999, sheets=n) for n in (5, 12)]
    outcomes = run_limited(*(["check", str(path)] for path in paths))
    for path, outcome in zip(paths, outcomes, strict=False):
        message = assert_refused(outcome)
        assert "个工作表的数据区域共" in message and "超出可处理的范围" in message, (
            path,
            outcome.describe(),
        )
    assert len(outcomes) == len(paths)


@pytest.mark.slow
def test_many_large_sheets_that_are_not_registers_are_never_laid_out(tmp_path: Path):
    """Each such sheet is searched for a value (and warned about), never parsed: 3, 10 or 24 of
    them, of tens of millions of cells each, pass within the memory limit."""
    counts = (3, 10, 24)
    paths = [many_unregistered_sheets(tmp_path / f"many{n}.xlsx", n) for n in counts]
    outcomes = run_limited(*(["check", str(path)] for path in paths))
    for count, outcome in zip(counts, outcomes, strict=False):
        assert_refused(outcome, codes=(0, 1))
        text = outcome.out + outcome.err
        assert all(f"附表{i}" in text for i in range(count)), outcome.describe()
    assert len(outcomes) == len(counts)


@pytest.mark.slow
def test_csv_rows_of_millions_of_fields_are_refused(tmp_path: Path):
    variants = [
        ("提案", "first", 2_000_000, True, "utf-8"),
        ("提案", "middle", 3_000_000, False, "gb18030"),
        ("委员名单", "first", 4_500_000, False, "gb18030"),
        ("委员名单", "middle", 1_000_000, True, "utf-8"),
    ]
    folders = [csv_folder(tmp_path / f"csv{i}", *v) for i, v in enumerate(variants)]
    field = tmp_path / "field"
    field.mkdir()
    (field / "委员名单.csv").write_text("委员编号,姓名\nW001," + "张" * 300_000 + "\n")
    outcomes = run_limited(*(["check", str(folder)] for folder in [*folders, field]))
    for (sheet, *_), outcome in zip(variants, outcomes, strict=False):
        message = assert_refused(outcome)
        assert f"{sheet}.csv" in message and "超出可处理的范围" in message, outcome.describe()
    assert "委员名单.csv 的第 2 行无法读取" in assert_refused(outcomes[-1])
    assert len(outcomes) == len(variants) + 1


@pytest.mark.slow
def test_fifos_and_devices_are_refused_without_being_read(tmp_path: Path):
    cases = [
        (kind, role)
        for kind in ("fifo", "zero", "urandom")
        for role in ("workbook", "previous", "csv")
    ]
    outcomes = run_limited(*(special_command(tmp_path, *case) for case in cases), timeout=120)
    for case, outcome in zip(cases, outcomes, strict=False):
        message = assert_refused(outcome, codes=(2,))
        assert "不是普通文件" in message, (case, outcome.describe())
    assert len(outcomes) == len(cases)


@pytest.mark.slow
def test_hostile_and_damaged_files_given_as_previous_are_refused(tmp_path: Path):
    real = REAL_XLS.read_bytes()
    cases = [
        (previous_command(tmp_path, "2022.xls", damaged_difat_chain(real)), "无法读取工作簿"),
        (previous_command(tmp_path, "2022.xls", damaged_directory_chain(real)), "无法读取工作簿"),
        (
            previous_command(
                tmp_path,
                "2022.xls",
                xls([("总排名", [label(0, 0, "委员编号"), label(0x4000, 0x4000, "x")])]),
            ),
            "超出可处理的范围",
        ),
        (previous_command(tmp_path, "2022.xlsx", far_xlsx_previous(tmp_path)), "超出可处理的范围"),
        (previous_command(tmp_path, "2022.json", deep_json(10_000)), "不是 perfscore 写出的"),
        (previous_command(tmp_path, "2022.json", deep_json(300_000)), "不是 perfscore 写出的"),
    ]
    outcomes = run_limited(*(command for command, _ in cases))
    for (command, words), outcome in zip(cases, outcomes, strict=False):
        assert words in assert_refused(outcome), (command, outcome.describe())
        assert not Path(command[-1]).exists()
    assert len(outcomes) == len(cases)
