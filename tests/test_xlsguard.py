"""perfscore/reading/guards/xls.py: an .xls is checked, the way calamine reads it, before calamine opens it.

calamine parses every sheet of an .xls when the workbook is opened and allocates from what the
file declares; where that is absurd the process aborts in Rust, before any Python check. These
tests build .xls files with a small compound-file writer (calamine reads what it writes), damage
them the ways that made calamine abort, and check:

* the rule xlsguard follows is calamine's: calamine alone, in a forked child with a memory limit,
  aborts asking for exactly the bytes xlsguard predicts, and opens the files xlsguard lets by;
* perfscore refuses those files with its message and exit 2 (the CLI runs in a forked child,
  tests.test_hostile.invoke_isolated, so an abort fails the test instead of ending pytest);
* valid files, the committed LibreOffice .xls among them, read exactly as before;
* whatever the bytes, the check answers with a UsageError or not at all, never another exception.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import struct
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfscore import reading
from perfscore.errors import UsageError
from perfscore.reading.guards import xls as xlsguard

from .test_hostile import invoke_isolated, rules_path

REAL_XLS = Path(__file__).resolve().parent / "fixtures" / "real" / "real.xls"
LIMIT = reading.LIMITS.cells_per_sheet
CELL_BYTES = 40  # what calamine's xls reader reserves a cell with (position and value)

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="runs calamine in a forked process (POSIX)"
)


# --- writing .xls files -----------------------------------------------------------------------------

FREE, END, FATSECT, DIFSECT = 0xFFFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FFFD, 0xFFFF_FFFC
BOF, EOF = 0x0809, 0x000A


def record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def label(row: int, column: int, text: str) -> bytes:
    """A LABEL cell (BIFF8: the text as UTF-16)."""
    return record(
        0x0204, struct.pack("<HHHHB", row, column, 15, len(text), 1) + text.encode("utf-16-le")
    )


def dimensions(first_row: int, row_end: int, first_column: int, column_end: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, row_end, first_column, column_end, 0))


def bof(kind: int) -> bytes:
    return record(BOF, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def biff(sheets: list[tuple[str, list[bytes]]], globals_: list[bytes] = ()) -> bytes:
    """A BIFF8 Workbook stream: the globals (BOF, CODEPAGE, ``globals_``, a BOUNDSHEET for each
    sheet, EOF), then each sheet's BOF, records and EOF."""

    def boundsheet(position: int, name: str) -> bytes:
        return record(
            0x0085, struct.pack("<IBBBB", position, 0, 0, len(name), 1) + name.encode("utf-16-le")
        )

    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200)) + b"".join(globals_)
    offset = len(head) + sum(len(boundsheet(0, name)) for name, _ in sheets) + 4
    bodies, positions = [], []
    for _, records in sheets:
        positions.append(offset + sum(map(len, bodies)))
        bodies.append(bof(0x0010) + b"".join(records) + record(EOF))
    return (
        head
        + b"".join(boundsheet(p, name) for p, (name, _) in zip(positions, sheets))
        + record(EOF)
        + b"".join(bodies)
    )


def cfb(streams: dict[str, bytes], sector_size: int = 512) -> bytes:
    """An OLE2 compound file (version 3 with 512-byte sectors, 4 with 4096) holding ``streams``:
    those under 4096 bytes in the mini stream, the others in sectors of their own, FAT sectors
    beyond the header's 109 listed in DIFAT sectors. The directory is a chain of right siblings."""
    size, per = sector_size, sector_size // 4
    sectors: list[bytes] = []
    fat: list[int] = []

    def put(data: bytes) -> int:
        start, count = len(sectors), max(1, -(-len(data) // size))
        for i in range(count):
            sectors.append(data[i * size : (i + 1) * size].ljust(size, b"\0"))
            fat.append(start + i + 1 if i + 1 < count else END)
        return start

    mini, minifat, places = b"", [], {}
    for name, data in streams.items():
        if len(data) < 4096:
            first, count = len(mini) // 64, max(1, -(-len(data) // 64))
            minifat += [first + i + 1 if i + 1 < count else END for i in range(count)]
            mini += data.ljust(count * 64, b"\0")
            places[name] = (first if data else END, len(data))
        else:
            places[name] = (put(data), len(data))
    root = (
        put(mini),
        len(mini),
    )  # a sector even when empty: calamine wants one in a version 4 file
    minifat_start = put(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else END

    def entry(
        name: str, kind: int, start: int, length: int, child: int = FREE, right: int = FREE
    ) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(raw), kind, 1, FREE, right, child)
            + bytes(36)
            + struct.pack("<IQ", start, length)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, *root, child=1 if names else FREE) + b"".join(
        entry(name, 2, *places[name], right=i + 2 if i + 1 < len(names) else FREE)
        for i, name in enumerate(names)
    )
    directory_sectors = -(-len(directory) // size)
    directory_start = put(directory)
    fat_count = difat_count = 0
    while fat_count * per < len(sectors) + fat_count + difat_count:
        fat_count += 1
        difat_count = max(0, -(-(fat_count - 109) // (per - 1)))
    fat_ids = list(range(len(sectors), len(sectors) + fat_count))
    difat_ids = list(range(len(sectors) + fat_count, len(sectors) + fat_count + difat_count))
    fat += [FATSECT] * fat_count + [DIFSECT] * difat_count
    fat += [FREE] * (fat_count * per - len(fat))
    sectors += [struct.pack(f"<{per}I", *fat[i * per : (i + 1) * per]) for i in range(fat_count)]
    for i, _ in enumerate(difat_ids):
        chunk = fat_ids[109 + i * (per - 1) : 109 + (i + 1) * (per - 1)]
        sectors.append(
            struct.pack(
                f"<{per}I",
                *chunk,
                *[FREE] * (per - 1 - len(chunk)),
                difat_ids[i + 1] if i + 1 < len(difat_ids) else END,
            )
        )
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + struct.pack("<6H", 0x3E, 3 if size == 512 else 4, 0xFFFE, 9 if size == 512 else 12, 6, 0)
        + struct.pack("<4I", 0, 0 if size == 512 else directory_sectors, fat_count, directory_start)
        + struct.pack("<3I", 0, 4096, minifat_start)
        + struct.pack(
            "<3I", -(-len(minifat) * 4 // size), difat_ids[0] if difat_ids else END, difat_count
        )
        + struct.pack("<109I", *(fat_ids[:109] + [FREE] * 109)[:109])
    )
    return header.ljust(size, b"\0") + b"".join(sectors)


def xls(sheets: list[tuple[str, list[bytes]]], **options) -> bytes:
    return cfb({"Workbook": biff(sheets)}, **options)


# --- reading and changing a compound file's tables ------------------------------------------------


def header_field(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def set_u32(data: bytes, offset: int, value: int) -> bytes:
    changed = bytearray(data)
    struct.pack_into("<I", changed, offset, value)
    return bytes(changed)


def fat_offset(data: bytes, sector: int) -> int:
    """Where the FAT entry of ``sector`` is, in a 512-byte-sector file whose FAT is one sector."""
    return 512 + header_field(data, 76) * 512 + 4 * sector


# --- running calamine and perfscore where an abort cannot hurt ------------------------------------


def calamine_in_child(data: bytes, memory_gb: float = 2) -> str:
    """Open ``data`` as an .xls with calamine alone, in a forked child with ``memory_gb`` of address
    space to spare: 'ok', 'error' (an exception: calamine refused the file), or 'abort: ' and
    what the child wrote to file descriptor 2 before it died."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xls"
        path.write_bytes(data)
        native = tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:
            status = 3
            try:
                faulthandler.disable()
                os.dup2(native.fileno(), 2)
                vm_size = next(
                    int(line.split()[1]) * 1024
                    for line in open("/proc/self/status")
                    if line.startswith("VmSize")
                )
                limit = vm_size + int(memory_gb * 1024**3)
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                os.environ["RUST_BACKTRACE"] = "0"
                from python_calamine import CalamineWorkbook

                try:
                    CalamineWorkbook.from_path(str(path))
                    status = 0
                except BaseException:  # a panic in calamine arrives as pyo3's PanicException
                    status = 1
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        native.seek(0)
        stderr = native.read().decode("utf-8", "replace")
        native.close()
    if os.WIFSIGNALED(status):
        return f"abort: {stderr.strip()}"
    return {0: "ok", 1: "error"}.get(
        os.WEXITSTATUS(status), f"exit {os.WEXITSTATUS(status)}: {stderr}"
    )


def assess_isolated(tmp_path: Path, data: bytes, name: str = "登记.xls"):
    path = tmp_path / name
    path.write_bytes(data)
    outcome = invoke_isolated(
        ["assess", str(path), "--out", str(tmp_path / "out.json"), "--rules", str(rules_path())]
    )
    assert outcome.signal is None and not outcome.error_type, outcome.describe()
    assert not (tmp_path / "out.json").exists()
    return outcome


def refusal(data: bytes, tmp_path: Path, limit: int = LIMIT) -> str:
    path = tmp_path / "登记.xls"
    path.write_bytes(data)
    with pytest.raises(UsageError) as raised:
        xlsguard.check_xls(path, limit)
    return str(raised.value)


def passes(data: bytes, tmp_path: Path, limit: int = LIMIT) -> bool:
    path = tmp_path / "登记.xls"
    path.write_bytes(data)
    xlsguard.check_xls(path, limit)
    return True


# --- valid files -----------------------------------------------------------------------------------


def test_the_committed_xls_passes_and_reads_as_before(monkeypatch) -> None:
    """real.xls (LibreOffice's BIFF8): the check lets it by, finds the sheets calamine finds, and
    the registers read from it are the same with the check as without."""
    from python_calamine import CalamineWorkbook

    data = REAL_XLS.read_bytes()
    xlsguard.check_xls(REAL_XLS, LIMIT)
    stream = xlsguard._workbook_stream(data)
    assert [name for _, name in xlsguard._sheet_list(stream)] == CalamineWorkbook.from_path(
        str(REAL_XLS)
    ).sheet_names
    checked = reading.read_workbook(REAL_XLS)
    monkeypatch.setattr(xlsguard, "check_xls", lambda path, limit: None)
    unchecked = reading.read_workbook(REAL_XLS)
    assert (
        checked.tables.keys() == unchecked.tables.keys() and checked.problems == unchecked.problems
    )
    for key, table in checked.tables.items():
        assert (
            table.frame.equals(unchecked.tables[key].frame)
            and table.letters == unchecked.tables[key].letters
        )


MANY_CELLS = [label(row, column, f"第{row}行") for row in range(60) for column in range(8)]


@pytest.mark.parametrize("sector_size", [512, 4096])
@pytest.mark.parametrize("layout", ["mini stream", "own sectors", "DIFAT sectors"])
def test_files_calamine_reads_pass_the_check(tmp_path: Path, sector_size: int, layout: str) -> None:
    """The compound-file layouts calamine reads: a Workbook stream under 4096 bytes (in the mini
    stream), one in sectors of its own, and a file of 8 MB whose FAT needs DIFAT sectors."""
    sheets = [
        ("名单", [dimensions(0, 2, 0, 2), label(0, 0, "姓名"), label(1, 1, "张三")]),
        ("Sheet2", [label(0, 0, "x")]),
    ]
    if layout != "mini stream":
        sheets[1][1].extend(MANY_CELLS)
    stream = biff(sheets)
    streams = {
        "Workbook": stream,
        **({"Pad": bytes(8_000_000)} if layout == "DIFAT sectors" else {}),
    }
    data = cfb(streams, sector_size)
    assert (len(stream) < 4096) == (layout == "mini stream")
    assert (header_field(data, 72) > 0) == (
        layout == "DIFAT sectors" and sector_size == 512
    )  # DIFAT sectors

    assert passes(data, tmp_path)
    assert xlsguard._workbook_stream(data) == stream
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(tmp_path / "登记.xls"))
    assert book.get_sheet_by_name("名单").to_python() == [["姓名", ""], ["", "张三"]]


def test_a_workbook_of_excel_95_in_a_book_stream_is_checked_too(tmp_path: Path) -> None:
    data = cfb({"Book": biff([("名单", [dimensions(0, 0x100_0000, 0, 9)])])})
    assert "名单" in refusal(data, tmp_path)


# --- DIMENSIONS: what calamine reserves --------------------------------------------------------

# (first row, row end, first column, column end) -> (rows, columns) calamine reserves cells for
RESERVED = {
    (0, 9, 0, 9): (9, 9),
    (0x8100_0000, 9, 0, 9): (0x7F00_0009, 9),  # the damaged real.xls: 767,054,318,760 bytes
    (10, 9, 0, 9): (0xFFFF_FFFF, 9),  # a first row after the last one wraps
    (0xFFFF_FFFF, 1, 0, 9): (2, 9),  # … all the way round
    (9, 9, 0, 9): (0, 9),
    (0, 0x100_0000, 3, 9): (0x100_0000, 6),
    (0, 0x100_0000, 21, 20): (0x100_0000, 20),  # a first column after the last one counts as A
    (0, 0x100_0000, 300, 400): (0x100_0000, 400),  # … and so does one beyond IV
    (0, 0x100_0000, 20, 20): (0x100_0000, 0),
    (0, 0x100_0000, 0, 0): (1, 1),  # a row end or column end of 0: one cell
    (0, 0, 0, 0x4000): (1, 1),
}


@pytest.mark.parametrize("declared", list(RESERVED), ids=lambda d: "r{}-{} c{}-{}".format(*d))
def test_reserved_cells_follow_calamine(declared: tuple[int, int, int, int]) -> None:
    """The rule, and calamine itself: where the reservation is beyond the child's 2 GB, calamine
    aborts asking for exactly rows × columns × 40 bytes; where it is within, calamine opens the file."""
    rows, columns = RESERVED[declared]
    body = dimensions(*declared)[4:]
    assert xlsguard.reserved_cells(body)[:2] == (rows, columns)
    outcome = calamine_in_child(xls([("名单", [dimensions(*declared), label(0, 0, "姓名")])]))
    if rows * columns * CELL_BYTES > 2 * 1024**3:
        assert (
            outcome.startswith("abort:")
            and f"memory allocation of {rows * columns * CELL_BYTES} bytes failed" in outcome
        )
    else:
        assert outcome == "ok", outcome


def test_dimensions_records_of_other_lengths() -> None:
    biff5 = struct.pack("<4HH", 0, 11, 0, 10, 0)
    assert xlsguard.reserved_cells(biff5)[:2] == (11, 10)  # BIFF5: 16-bit rows
    assert xlsguard.reserved_cells(struct.pack("<IIHHHH", 0, 11, 0, 10, 0, 0))[:2] == (
        11,
        10,
    )  # 16 bytes: read as 14
    assert xlsguard.reserved_cells(bytes(12)) is None  # calamine refuses the record itself


@pytest.mark.parametrize(
    ("declared", "refused"),
    [
        ((0, 10, 0, 10), None),  # 100 cells: the limit
        ((0, 11, 0, 10), "11 行 × 10 列"),
        ((5, 16, 0, 10), "11 行 × 10 列"),  # a range, not from A1
        ((10, 9, 0, 9), "起始行 11 在结束行 9 之后"),
        ((0xFFFF_FFFF, 1, 0, 9), None),  # wraps round to 2 rows: calamine reserves 18 cells
        ((0, 9, 21, 20), "9 行 × 20 列"),
        ((0, 9, 20, 20), None),
    ],
)
def test_a_sheet_declaring_more_cells_than_the_limit_is_refused(
    tmp_path: Path, declared, refused
) -> None:
    data = xls(
        [
            ("名单", [label(0, 0, "姓名")]),
            ("提案", [dimensions(*declared), label(0, 0, "提案编号")]),
        ]
    )
    if refused is None:
        assert passes(data, tmp_path, limit=100)
    else:
        message = refusal(data, tmp_path, limit=100)
        assert (
            "无法读取工作簿 登记.xls" in message
            and "工作表“提案”" in message
            and refused in message
        )


def test_the_damaged_real_xls_is_refused_before_calamine(tmp_path: Path) -> None:
    data = bytearray(REAL_XLS.read_bytes())
    data[4574] = 0x81  # the high byte of 委員名單's DIMENSIONS first row
    assert calamine_in_child(bytes(data)).startswith(
        "abort: memory allocation of 767054318760 bytes failed"
    )
    message = refusal(bytes(data), tmp_path)
    assert "工作表“委員名單”声明的数据区域无效（起始行 2,164,260,865 在结束行 9 之后）" in message


def test_a_dimensions_record_beyond_an_xls_sheet_says_the_file_is_damaged(tmp_path: Path) -> None:
    outcome = assess_isolated(
        tmp_path, xls([("委员名单", [dimensions(0, 0x100_0000, 0, 9), label(0, 0, "姓名")])])
    )
    assert outcome.exit_code == 2, outcome.describe()
    assert "工作表“委员名单”的数据区域为 16,777,216 行 × 9 列，超出可处理的范围" in outcome.output
    assert "文件已损坏" in outcome.output


# --- cells far away ----------------------------------------------------------------------------


def test_cells_far_apart_are_refused_before_calamine_lays_them_out(tmp_path: Path) -> None:
    """calamine lays a sheet's cells out in one block from the first to the last row and column
    a cell names: columns are 16-bit in the file, so two damaged cells ask for gigabytes."""
    data = xls([("名单", [label(0, 0, "姓名"), label(0x4000, 0x4000, "x")])])
    assert calamine_in_child(data).startswith("abort: memory allocation of")
    message = refusal(data, tmp_path)
    assert "工作表“名单”的数据区域为 16,385 行 × 16,385 列" in message and "文件已损坏" in message


def test_the_last_cell_an_xls_sheet_can_hold_is_let_by(tmp_path: Path) -> None:
    assert passes(xls([("名单", [label(0, 0, "姓名"), label(65_535, 255, "x")])]), tmp_path)


def test_a_row_of_numbers_is_counted_to_its_last_column(tmp_path: Path) -> None:
    mulrk = record(
        0x00BD, struct.pack("<HH", 1_000, 0xFF00) + bytes(6 * 100) + struct.pack("<H", 0xFF00 + 99)
    )
    assert "1,001 行 × 65,380 列" in refusal(
        xls([("名单", [label(0, 0, "姓名"), mulrk])]), tmp_path
    )


def test_cells_of_an_embedded_chart_are_skipped_as_calamine_skips_them(tmp_path: Path) -> None:
    chart = [bof(0x0020), label(0x4000, 0x4000, "x"), dimensions(0, 0x100_0000, 0, 9), record(EOF)]
    data = xls([("名单", [label(0, 0, "姓名"), *chart, label(3, 3, "y")])])
    assert passes(data, tmp_path) and calamine_in_child(data) == "ok"
    after = xls([("名单", [label(0, 0, "姓名"), *chart, label(0x4000, 0x4000, "y")])])
    assert "16,385 行 × 16,385 列" in refusal(after, tmp_path)


# --- a damaged compound file ------------------------------------------------------------------------


def damaged_directory_chain(data: bytes) -> bytes:
    """The directory's first sector made to follow itself (one byte of the FAT)."""
    directory = header_field(data, 48)
    return set_u32(data, fat_offset(data, directory), directory)


def damaged_difat_chain(data: bytes) -> bytes:
    """A DIFAT sector that names itself as the next one."""
    free = (len(data) - 512) // 512  # a sector added at the end
    data = set_u32(data + b"\xff" * 512, 68, free)
    return set_u32(data, 512 + free * 512 + 508, free)


def damaged_minifat_chain(data: bytes) -> bytes:
    """The mini FAT declared 2³² − 1 sectors long, its one sector following itself."""
    minifat = header_field(data, 60)
    return set_u32(set_u32(data, 64, 0xFFFF_FFFF), fat_offset(data, minifat), minifat)


@pytest.mark.parametrize(
    "damage", [damaged_directory_chain, damaged_difat_chain, damaged_minifat_chain]
)
def test_a_compound_file_chain_that_loops_is_refused_before_calamine_follows_it(
    tmp_path: Path, damage
) -> None:
    data = damage(REAL_XLS.read_bytes())
    assert calamine_in_child(data).startswith("abort: memory allocation of")
    outcome = assess_isolated(tmp_path, data)
    assert outcome.exit_code == 2 and "无法读取工作簿 登记.xls：OLE" in outcome.output, (
        outcome.describe()
    )


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: d[:100], "文件头不完整"),
        (lambda d: d[:512], "文件头之后没有数据"),
        (lambda d: set_u32(d, 30, 0x0006_0008), "扇区大小无效"),
        (
            lambda d: set_u32(d, fat_offset(d, 10), 5000),
            "超出文件末尾",
        ),  # the Workbook stream's chain leaves the file
        (lambda d: set_u32(d, fat_offset(d, 10), FREE), "超出文件末尾"),
        (lambda d: d[:-1024], "超出文件末尾"),  # cut short: the directory is gone
    ],
)
def test_a_damaged_compound_file_is_refused_with_the_usual_message(
    tmp_path: Path, damage, reason
) -> None:
    message = refusal(damage(REAL_XLS.read_bytes()), tmp_path)
    assert (
        message.startswith("无法读取工作簿 登记.xls：")
        and reason in message
        and "文件是否损坏" in message
    )


# --- what is left to calamine ------------------------------------------------------------------


def test_files_without_a_workbook_stream_are_left_to_calamine(tmp_path: Path, runner) -> None:
    assert passes(b"PK\x03\x04 not an OLE2 file", tmp_path)
    assert passes(
        cfb({"EncryptedPackage": bytes(5000)}), tmp_path
    )  # an encrypted .xlsx is an OLE2 file


def test_an_encrypted_xls_is_reported_as_encrypted(tmp_path: Path, runner) -> None:
    """calamine stops at FILEPASS and says so; the sheets after it are encrypted and not checked."""
    from perfscore.cli import app

    filepass = record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    path = tmp_path / "加密.xls"
    path.write_bytes(
        cfb({"Workbook": biff([("名单", [dimensions(10, 9, 0, 9)])], globals_=[filepass])})
    )
    xlsguard.check_xls(path, LIMIT)
    result = runner.invoke(app, ["assess", str(path), "--out", str(tmp_path / "out.json")])
    assert result.exit_code == 2 and "文件已加密" in result.output, result.output


# --- whatever the bytes ---------------------------------------------------------------------------


@cache
def _bases() -> tuple[bytes, ...]:
    return (
        REAL_XLS.read_bytes(),
        cfb({"Workbook": biff([("名单", MANY_CELLS)])}, 4096),
        xls([("名单", [label(0, 0, "姓名")])]),
    )


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    base=st.integers(0, 2),
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_any_damage_gives_a_usage_error_or_nothing(tmp_path: Path, base: int, edits, cut) -> None:
    data = bytearray(_bases()[base])
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / "登记.xls"
    path.write_bytes(bytes(data))
    try:
        xlsguard.check_xls(path, LIMIT)
    except UsageError as exc:
        assert str(exc).startswith("无法读取工作簿 登记.xls："), exc
