"""The term archive (履职档案): years assessed into one SQLite file, term-level consequences, the
member's dossier, the end-of-term ranking, replacement and its audit, integrity after a killed
or interrupted import, two imports at once, read-only checks, the schema's migrations and the
SQL examples of docs/archive.md.

The hand fixture: three members over 2022–2024 under rules where the plenary starts at 70 and an
absence costs 20, a training gives 5, and 称职 needs 60:

    year  absent       trained      张三 001      李四 002      王五 003
    2022  张三          张三、李四     55 不称职      75 称职       70 称职
    2023  张三、王五     李四          50 不称职      75 称职       50 不称职
    2024  王五          —            70 称职       70 称职       50 不称职
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import perfscore
from perfscore.archive import (
    MIGRATIONS,
    SCHEMA_VERSION,
    add_year,
    migrate,
    open_for_writing,
    open_readonly,
    read_result,
)
from perfscore.archive.dossier import member_dossier
from perfscore.archive.term import term_report
from perfscore.cli import app

from .conftest import ROOT, roster, sha256, write_workbook

RULES = """\
scheme: 档案测试
term: {name: 第十届, first_year: 2022, last_year: 2026}
categories:
  - id: meetings
    name: 会议
    start: 70
    min: 0
    items:
      - id: plenary
        name: 全体会议
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {缺席: -20}
  - id: activities
    name: 活动
    items:
      - id: training
        name: 全员培训
        match: {kind: activity, type: [培训]}
        points: 5
grades:
  - {grade: 称职, min: 60}
  - {grade: 不称职}
checklist:
  items:
    - name: 参加一次履职培训
      any_of: [{kind: activity, type: [培训]}]
consequences:
  - name: 约谈
    grades: [不称职]
  - name: 未参加全员培训
    term: {rule: activities.training, fewer_than: 1}
  - name: 连续两年不称职
    term: {grades: [不称职], years_running: 2}
  - name: 多次缺席全会
    term: {rule: meetings.plenary, note: [缺席], at_least: 2}
"""

PLAN = {  # year -> (absent, trained)
    2022: (["张三"], ["张三", "李四"]),
    2023: (["张三", "王五"], ["李四"]),
    2024: (["王五"], []),
}
NAMES = ("张三", "李四", "王五")


def year_workbook(path: Path, year: int) -> Path:
    absent, trained = PLAN[year]
    meetings = [["会议名称", "会议类型", "日期", "委员", "出勤情况"]]
    meetings += [
        ["全体会议", "全体会议", dt.date(year, 1, 8), m, "缺席" if m in absent else "出席"]
        for m in NAMES
    ]
    sheets = {
        "委员名单": roster(
            ["001", "张三", "经济界", "经济委"],
            ["002", "李四", "经济界", "经济委"],
            ["003", "王五", "教育界", "教科卫体委"],
        ),
        "会议出勤": meetings,
        "活动": [["活动名称", "活动类型", "形式", "日期", "参加委员"]],  # none some years
    }
    if trained:
        sheets["活动"].append(
            ["全员培训班", "培训", "全程", dt.date(year, 4, 10), "、".join(trained)]
        )
    return write_workbook(path, sheets)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def archived_once(tmp_path_factory) -> Path:
    """The three years assessed into 档案.sqlite through the command line, once per module."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("archived")
    rules = folder / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    archive = folder / "档案.sqlite"
    for year in PLAN:
        book = year_workbook(folder / f"{year}.xlsx", year)
        done = CliRunner().invoke(
            app, ["assess", str(book), "-r", str(rules), "--archive", str(archive), "-q"]
        )
        assert done.exit_code == 0, done.output
    return folder


@pytest.fixture
def archived(archived_once: Path, tmp_path: Path, rules: Path) -> Path:
    """A copy of the archive and its workbooks in this test's folder (the rules file is the same)."""
    for path in archived_once.iterdir():
        if path.suffix in (".sqlite", ".xlsx"):
            shutil.copyfile(path, tmp_path / path.name)
    return tmp_path / "档案.sqlite"


def _consequences(archive: Path, year: int) -> dict[str, str]:
    with sqlite3.connect(archive) as conn:
        rows = conn.execute(
            "SELECT member_id, consequences FROM members WHERE year = ? ORDER BY member_id",
            (year,),
        )
        return dict(rows.fetchall())


def test_term_rules_read_the_archive(archived):
    # 2022, the term's first year: only this year is known.
    assert _consequences(archived, 2022) == {"001": "约谈", "002": "", "003": "未参加全员培训"}
    # 2023: 张三 不称职 in 2022 and 2023, absent twice; 王五 never trained.
    assert _consequences(archived, 2023) == {
        "001": "约谈、连续两年不称职、多次缺席全会",
        "002": "",
        "003": "约谈、未参加全员培训",
    }
    # 2024: 张三 称职 again, but the run of 2022–2023 and the two absences are in the term.
    assert _consequences(archived, 2024) == {
        "001": "连续两年不称职、多次缺席全会",
        "002": "",
        "003": "约谈、未参加全员培训、连续两年不称职、多次缺席全会",
    }


def test_a_term_rule_without_an_archive_says_it_needs_one(tmp_path, rules, runner):
    book = year_workbook(tmp_path / "2022.xlsx", 2022)
    done = runner.invoke(app, ["assess", str(book), "-r", str(rules)])
    assert done.exit_code == 2
    assert "未参加全员培训" in done.output and "--archive" in done.output
    assert not (tmp_path / "2022-考核结果.xlsx").exists()


def test_commands_that_show_no_consequences_need_no_archive(tmp_path, rules, runner):
    book = year_workbook(tmp_path / "2022.xlsx", 2022)
    checked = runner.invoke(app, ["check", str(book), "-r", str(rules)])
    assert checked.exit_code == 0, checked.output
    explained = runner.invoke(app, ["explain", str(book), "张三", "-r", str(rules)])
    assert explained.exit_code == 0, explained.output
    assert "55" in explained.output


def test_the_archive_holds_the_year_whole(archived, tmp_path, rules):
    with sqlite3.connect(archived) as conn:
        years = conn.execute(
            "SELECT year, term, source_name, input_sha256, rules_sha256, rules_text FROM years"
        ).fetchall()
        assert [y[0] for y in years] == [2022, 2023, 2024]
        assert all(y[1] == "第十届" for y in years)
        assert years[0][3] == sha256(tmp_path / "2022.xlsx")
        assert years[0][5] == RULES and years[0][4] == sha256(rules)
        assert conn.execute("SELECT name, first_year, last_year FROM terms").fetchall() == [
            ("第十届", 2022, 2026)
        ]
        # every member's total is the sum of their ledger lines, each with its source cell
        sums = conn.execute(
            "SELECT m.year, m.member_id, m.total, SUM(l.points) FROM members m JOIN ledger l "
            "USING (unit, member_id, year) GROUP BY m.year, m.member_id"
        ).fetchall()
        assert len(sums) == 9 and all(abs(t - s) < 1e-9 for _, _, t, s in sums)
        absent = conn.execute(
            "SELECT source FROM ledger WHERE rule_id = 'meetings.plenary' AND member_id = '001' "
            "ORDER BY year"
        ).fetchall()
        assert absent == [("会议出勤!D2",), ("会议出勤!D2",)]
        groups = conn.execute(
            "SELECT sector, committee FROM members WHERE member_id = '003' AND year = 2024"
        ).fetchone()
        assert groups == ("教育界", "教科卫体委")


def test_dossier_values_by_hand(archived, tmp_path, runner):
    dossier = member_dossier(archived, "张三")
    side = dossier.tables["逐年对比"].set_index("项目")
    assert list(side.columns) == ["2022年", "2023年", "2024年"]
    assert list(side.loc["总分"]) == ["55", "50", "70"]
    assert list(side.loc["等次"]) == ["不称职", "不称职", "称职"]
    # totals 55/75/70 → 3rd; 50/75/50 → 2nd (shared with 王五); 70/70/50 → 1st (shared)
    assert list(side.loc["名次"]) == ["3/3", "2/3", "1/3"]
    assert list(side.loc["分项：会议"]) == ["50", "50", "70"]
    assert list(side.loc["分项：活动"]) == ["5", "0", "0"]
    assert list(side.loc["双五个一：参加一次履职培训"]) == ["✓ 活动!E2", "未完成", "未完成"]
    assert list(side.loc["双五个一完成"]) == ["1/1", "0/1", "0/1"]
    ledger = dossier.tables["积分明细"]
    assert ledger.groupby("年度")["分值"].sum().to_dict() == {2022: 55.0, 2023: 50.0, 2024: 70.0}
    assert sorted(ledger["规则编号"]) == sorted(
        ["meetings.start"] * 3 + ["meetings.plenary"] * 2 + ["activities.training"]
    )
    consequences = dossier.tables["处理提示"].set_index("年度")["处理提示"].to_dict()
    assert consequences == {
        "2022": "约谈",
        "2023": "约谈、连续两年不称职、多次缺席全会",
        "2024": "连续两年不称职、多次缺席全会",
        "任期": "连续两年不称职、多次缺席全会",
    }

    out = tmp_path / "out"
    out.mkdir()
    before = sha256(archived)
    done = runner.invoke(app, ["dossier", str(archived), "张三", "--out-dir", str(out)])
    assert done.exit_code == 0, done.output
    assert sha256(archived) == before  # read only
    assert sorted(p.name for p in out.iterdir()) == [
        "001-张三-履职档案.docx",
        "001-张三-履职档案.xlsx",
    ]
    text = _docx_text(out / "001-张三-履职档案.docx")
    assert "张三履职档案" in text and "会议出勤!D2" in text and "连续两年不称职" in text
    assert "w:orient" not in text  # portrait A4
    sheet = pd.read_excel(
        out / "001-张三-履职档案.xlsx", sheet_name="逐年对比", engine="calamine", dtype=str
    )
    assert list(sheet.columns) == ["项目", "2022年", "2023年", "2024年"]


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("word/document.xml").decode("utf-8")


def test_masked_dossier_names_nobody(archived, tmp_path, runner):
    out = tmp_path / "masked"
    out.mkdir()
    done = runner.invoke(app, ["dossier", str(archived), "001", "--mask", "--out-dir", str(out)])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["001-履职档案-公示.docx", "001-履职档案-公示.xlsx"]
    for path in out.iterdir():
        with zipfile.ZipFile(path) as book:
            content = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
        assert "张**" in content
        assert not any(name in content for name in NAMES)


def test_end_of_term_ranking(archived, runner, tmp_path):
    report = term_report(archived)
    m = report.members.set_index("member_id")
    assert list(report.members["member_id"]) == ["002", "001", "003"]
    assert list(report.members["place"]) == [1, 2, 3]
    assert m.loc["001", "average"] == pytest.approx((55 + 50 + 70) / 3)
    assert m.loc["003", "average"] == pytest.approx((70 + 50 + 50) / 3)
    assert m.loc["001", "worst_grade"] == "不称职" and m.loc["002", "worst_grade"] == "称职"
    assert m.loc["003", "consequences"].endswith(
        "任期：未参加全员培训、连续两年不称职、多次缺席全会"
    )
    assert m.loc["002", "consequences"] == ""

    out = tmp_path / "任期.xlsx"
    done = runner.invoke(app, ["term", str(archived), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "第十届" in done.output and "李四" in done.output
    table = pd.read_excel(out, sheet_name="任期排名", engine="calamine", dtype={"委员编号": str})
    assert list(table["委员编号"]) == ["002", "001", "003"]
    assert list(table["2023年等次"]) == ["称职", "不称职", "不称职"]


def test_a_year_is_refused_then_replaced_with_an_audit_row(archived, tmp_path, rules, runner):
    book = tmp_path / "2024.xlsx"
    before = sha256(archived)
    again = runner.invoke(app, ["assess", str(book), "-r", str(rules), "--archive", str(archived)])
    assert again.exit_code == 2
    assert "已有 2024 年度" in again.output and "--replace" in again.output
    assert sha256(archived) == before

    PLAN[2024] = ([], [])  # the register corrected: 王五 was there after all
    try:
        corrected = year_workbook(tmp_path / "2024-更正.xlsx", 2024)
    finally:
        PLAN[2024] = (["王五"], [])
    done = runner.invoke(
        app,
        ["assess", str(corrected), "-r", str(rules), "--archive", str(archived), "--replace"],
    )
    assert done.exit_code == 0, done.output
    with sqlite3.connect(archived) as conn:
        audit = conn.execute(
            "SELECT year, old_source_name, old_input_sha256, new_source_name, new_input_sha256 "
            "FROM replacements"
        ).fetchall()
        assert audit == [(2024, "2024.xlsx", sha256(book), "2024-更正.xlsx", sha256(corrected))]
        total = conn.execute(
            "SELECT total FROM members WHERE year = 2024 AND member_id = '003'"
        ).fetchone()
        assert total == (70.0,)
        assert conn.execute("SELECT COUNT(*) FROM members WHERE year = 2024").fetchone() == (3,)


def test_another_term_or_a_year_outside_it_is_refused(archived, tmp_path, rules):
    other = tmp_path / "第十一届.yaml"
    other.write_text(
        RULES.replace(
            "第十届, first_year: 2022, last_year: 2026",
            "第十一届, first_year: 2027, last_year: 2031",
        ),
        encoding="utf-8",
    )
    result = perfscore.assess(year_workbook(tmp_path / "x.xlsx", 2022), rules, archive=archived)
    entry = perfscore.archive.from_assessment(result, None)
    wrong = type(entry)(
        **{**entry.__dict__, "rules": perfscore.rules.parse_rules(other.read_text())}
    )
    with pytest.raises(perfscore.errors.UsageError, match="不在规则所写的第十一届"):
        add_year(archived, wrong)
    later = type(entry)(
        **{
            **entry.__dict__,
            "year": 2027,
            "rules": perfscore.rules.parse_rules(other.read_text()),
        }
    )
    with pytest.raises(perfscore.errors.UsageError, match="是第十届（2022–2026）的档案"):
        add_year(archived, later)


def test_archive_add_reads_results_back(tmp_path, rules, runner, monkeypatch):
    """A year added from its result file (.json; .xlsx with the ledger in CSV beside it) holds
    what assess --archive stores."""
    import perfscore.writers.xlsx as xlsx

    direct = tmp_path / "direct.sqlite"
    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 2)  # the ledger goes to CSV beside the workbook
    for year, suffix in ((2022, ".json"), (2023, ".xlsx")):
        book = year_workbook(tmp_path / f"{year}.xlsx", year)
        result = perfscore.assess(book, rules, archive=direct)
        perfscore.api.archive_assessment(result, direct, workbook=book)
        perfscore.write_outputs(result, tmp_path / f"{year}-考核结果{suffix}")
    assert (tmp_path / "2023-考核结果-积分明细.csv").exists()

    added = tmp_path / "added.sqlite"
    for year, suffix in ((2022, ".json"), (2023, ".xlsx")):
        done = runner.invoke(
            app,
            [
                "archive",
                "add",
                str(added),
                str(tmp_path / f"{year}-考核结果{suffix}"),
                "-r",
                str(rules),
                "-w",
                str(tmp_path / f"{year}.xlsx"),
            ],
        )
        assert done.exit_code == 0, done.output
    query = {
        "members": "SELECT year, member_id, name, sector, total, grade, rank, consequences, "
        "checklist_done FROM members ORDER BY year, member_id",
        "ledger": "SELECT year, member_id, rule_id, points, date, source, note FROM ledger "
        "ORDER BY year, member_id, line",
        "subtotals": "SELECT year, member_id, subtotals FROM members ORDER BY year, member_id",
        "years": "SELECT year, source_name, input_sha256, rules_sha256, rules_text FROM years",
    }
    with sqlite3.connect(direct) as a, sqlite3.connect(added) as b:
        for name, sql in query.items():
            assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), name

    wrong_rules = tmp_path / "other.yaml"
    wrong_rules.write_text(RULES + "\n# 改过\n", encoding="utf-8")
    done = runner.invoke(
        app,
        [
            "archive",
            "add",
            str(added),
            str(tmp_path / "2022-考核结果.json"),
            "-r",
            str(wrong_rules),
        ],
    )
    assert done.exit_code == 2 and "SHA-256 不符" in done.output


def test_a_result_without_a_checklist_and_with_a_report_award_archives_from_xlsx(tmp_path, runner):
    """Rules without a checklist and with a research-report award: the .xlsx result archives
    the same members and winners as the .json result of the same assessment."""
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["001", "甲", "经济界"], ["002", "乙", "教育界"]),
            "调研报告": [
                ["报告编号", "报告标题", "完成日期", "执笔人", "成果情况"],
                ["R1", "报告一", dt.date(2023, 4, 1), "甲、乙", "采用"],
                ["R2", "报告二", dt.date(2023, 5, 1), "乙", "批示"],
            ],
        },
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """\
scheme: 调研报告
term: {name: 第十届, first_year: 2022, last_year: 2026}
categories:
  - id: research
    name: 调研
    items:
      - {id: report, name: 调研报告, match: {kind: report}, points: 5}
grades:
  - {grade: 称职}
awards:
  - id: best_report
    name: 优秀调研报告
    pool: reports
    score:
      - {match: {kind: report, status: [采用]}, points: 5}
      - {match: {kind: report, status: [批示]}, points: 8}
    quota: 2
""",
        encoding="utf-8",
    )
    rows = {}
    for suffix in (".json", ".xlsx"):
        result = tmp_path / f"2023-考核结果{suffix}"
        assessed = runner.invoke(app, ["assess", str(book), "-r", str(rules), "-o", str(result)])
        assert assessed.exit_code == 0, assessed.output
        archive = tmp_path / f"{suffix[1:]}.sqlite"
        added = runner.invoke(app, ["archive", "add", str(archive), str(result), "-r", str(rules)])
        assert added.exit_code == 0, added.output
        with sqlite3.connect(archive) as conn:
            rows[suffix] = [
                conn.execute("SELECT * FROM members ORDER BY member_id").fetchall(),
                conn.execute("SELECT * FROM awards ORDER BY place").fetchall(),
            ]
        conn.close()
    members, awards = rows[".json"]
    # By hand: 甲 R1 5; 乙 R1 5 + R2 5 = 10. Winners: R2 (批示 8), R1 (采用 5).
    assert [(m[2], m[11], m[17], m[18], m[19]) for m in members] == [
        ("001", 5.0, 0, 0, ""),
        ("002", 10.0, 0, 0, ""),
    ]
    assert [(a[4], a[6], a[7], a[8]) for a in awards] == [
        ("reports", "R2", "报告二", 8.0),
        ("reports", "R1", "报告一", 5.0),
    ]
    assert rows[".xlsx"] == rows[".json"]


def test_previous_reads_a_result_whose_ledger_is_in_csv(tmp_path, rules, monkeypatch):
    import perfscore.writers.xlsx as xlsx

    plain = tmp_path / "plain.yaml"
    plain.write_text(
        re.sub(r"  - name: 未参加全员培训\n(    .*\n)*", "", RULES.split("  - name: 连续")[0])
        + "  - name: 连续缺席\n    lines: {rule: meetings.plenary, note: [缺席], at_least: 2, years: 2}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 2)
    last = perfscore.assess(year_workbook(tmp_path / "2022.xlsx", 2022), plain)
    previous = perfscore.write_outputs(last, tmp_path / "2022-考核结果.xlsx")
    assert (tmp_path / "2022-考核结果-积分明细.csv").exists()
    result = perfscore.assess(
        year_workbook(tmp_path / "2023.xlsx", 2023), plain, previous=[previous]
    )
    consequences = result.members.set_index("member_id")["consequences"]
    assert consequences["001"] == "约谈、连续缺席"  # absent in 2022 (from the CSV) and 2023
    assert consequences["003"] == "约谈"


# --- integrity: a killed import, Ctrl-C, two at once ------------------------------------------

CHILD = """\
import signal, sys, time
from perfscore.archive import add_year, read_result

# Ctrl-C interrupts, as at a terminal, even when the test run itself was started in the
# background of a shell, where SIGINT is ignored and children inherit that
signal.signal(signal.SIGINT, signal.default_int_handler)

archive, result, rules, pause, name = sys.argv[1:6]

def step(table):
    if table == "ledger":
        print(name, "in", flush=True)
        time.sleep(float(pause))

add_year(archive, read_result(result, rules), progress=step)
print(name, "done", flush=True)
"""


@pytest.fixture
def results(tmp_path: Path, rules: Path) -> dict[int, Path]:
    """Each year's result as JSON, and an archive holding 2022."""
    paths = {}
    archive = tmp_path / "档案.sqlite"
    for year in PLAN:
        result = perfscore.assess(
            year_workbook(tmp_path / f"{year}.xlsx", year), rules, archive=archive
        )
        if year == 2022:
            perfscore.api.archive_assessment(result, archive)
        paths[year] = perfscore.write_outputs(result, tmp_path / f"{year}-考核结果.json")
    return paths


def _child(tmp_path: Path, rules: Path, result: Path, pause: float, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(tmp_path / "档案.sqlite"),
            str(result),
            str(rules),
            str(pause),
            name,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _snapshot(archive: Path) -> list:
    conn = open_readonly(archive)
    try:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
            for t in ("years", "members", "ledger", "awards")
        ]
    finally:
        conn.close()


@pytest.mark.slow  # child processes, each importing pandas
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_import_killed_mid_transaction_leaves_the_archive_as_it_was(
    tmp_path, rules, results, sig
):
    archive = tmp_path / "档案.sqlite"
    before = _snapshot(archive)
    child = _child(tmp_path, rules, results[2023], 60, "A")
    assert child.stdout.readline().strip() == "A in"  # members written, inside the transaction
    child.send_signal(sig)
    child.wait(timeout=30)
    assert child.returncode != 0
    assert _snapshot(archive) == before  # quick_check passed; 2023 is not there, 2022 intact
    assert not Path(f"{archive}-journal").exists() or sig == signal.SIGKILL
    add_year(archive, read_result(results[2023], rules))  # and the next import works
    assert [r[1] for r in _snapshot(archive)[0]] == [2022, 2023]


SPILL = """\
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # every changed page goes to the file at once
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE members SET total = total + 1000")
conn.execute("DELETE FROM ledger")
print("in", flush=True)
time.sleep(60)
"""


@pytest.mark.slow  # a child process
def test_readers_roll_back_what_a_killed_writer_left_in_the_file(archived):
    before = _snapshot(archived)
    child = subprocess.Popen(
        [sys.executable, "-c", SPILL, str(archived)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "in"
    assert Path(f"{archived}-journal").stat().st_size > 0
    child.kill()
    child.wait(timeout=30)
    assert _snapshot(archived) == before  # read through open_readonly
    assert not Path(f"{archived}-journal").exists()
    assert term_report(archived).members["average"].max() < 1000


@pytest.mark.slow  # child processes, each importing pandas
def test_two_processes_importing_at_once(tmp_path, rules, results):
    archive = tmp_path / "档案.sqlite"
    first = _child(tmp_path, rules, results[2023], 1.0, "A")
    assert first.stdout.readline().strip() == "A in"  # A holds the write transaction
    started = time.monotonic()
    second = _child(tmp_path, rules, results[2024], 0, "B")
    out_a, err_a = first.communicate(timeout=60)
    out_b, err_b = second.communicate(timeout=60)
    assert first.returncode == 0, err_a
    assert second.returncode == 0, err_b
    assert "A done" in out_a and out_b.splitlines() == ["B in", "B done"]
    assert time.monotonic() - started >= 0.5  # B waited for A's transaction
    conn = open_readonly(archive)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = conn.execute("SELECT year, COUNT(*) FROM members GROUP BY year").fetchall()
        assert counts == [(2022, 3), (2023, 3), (2024, 3)]
    finally:
        conn.close()


# --- reading: checks, migrations, the documented SQL --------------------------------------------


def test_foreign_or_damaged_files_get_a_clear_message(archived, tmp_path, runner):
    text = tmp_path / "笔记.sqlite"
    text.write_text("不是数据库" * 100, encoding="utf-8")
    other = tmp_path / "其他.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    damaged = tmp_path / "损坏.sqlite"
    data = bytearray(archived.read_bytes())
    page = 4096
    data[page * 2 : len(data)] = b"\x5a" * (len(data) - page * 2)
    damaged.write_bytes(bytes(data))
    for path, words in [
        (text, "不是 SQLite 数据库"),
        (other, "其他程序的 SQLite 数据库"),
        (damaged, "损坏"),
        (tmp_path / "没有.sqlite", "找不到履职档案"),
    ]:
        before = path.read_bytes() if path.exists() else None
        done = runner.invoke(app, ["term", str(path)])
        assert done.exit_code == 2, (path, done.output)
        assert words in done.output, done.output
        assert "内部错误" not in done.output and "Traceback" not in done.output
        if before is not None:
            assert path.read_bytes() == before


def _ledger_schema(archive: Path, old: str, new: str) -> None:
    conn = sqlite3.connect(archive)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE name = 'ledger'", (old, new)
    )
    conn.commit()
    conn.close()


def test_a_reader_checks_only_the_tables_it_reads(archived, tmp_path, runner):
    """Ledger lines with an empty note where the schema says NOT NULL (quick_check reports it):
    combine, which reads the years, members and awards, compares the units; a dossier, which
    reads the ledger, is refused with the archive named as damaged."""
    _ledger_schema(archived, "note      TEXT NOT NULL,", "note      TEXT,")
    conn = sqlite3.connect(archived)
    conn.execute("UPDATE ledger SET note = NULL WHERE line = 0")
    conn.commit()
    conn.close()
    _ledger_schema(archived, "note      TEXT,", "note      TEXT NOT NULL,")
    before = archived.read_bytes()

    out = tmp_path / "汇总.xlsx"
    combined = runner.invoke(app, ["combine", str(archived), "--year", "2023", "--out", str(out)])
    assert combined.exit_code == 0, combined.output
    assert out.is_file()
    dossier = runner.invoke(app, ["dossier", str(archived), "张三", "--out-dir", str(tmp_path)])
    assert dossier.exit_code == 2, dossier.output
    assert "已损坏" in dossier.output and "NULL value in ledger.note" in dossier.output
    assert archived.read_bytes() == before


def test_schema_versions_and_a_migration_step(archived, tmp_path, runner):
    conn = open_readonly(archived)
    assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    conn.close()

    def add_remarks(conn):  # a v1 -> v2 step, as a later perfscore would append
        conn.execute("ALTER TABLE members ADD COLUMN remark TEXT NOT NULL DEFAULT ''")

    conn = open_for_writing(archived)
    try:
        assert migrate(conn, [*MIGRATIONS, add_remarks]) == SCHEMA_VERSION + 1
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION + 1,)
        assert conn.execute("SELECT COUNT(*), MIN(remark) FROM members").fetchone() == (9, "")
        assert migrate(conn, [*MIGRATIONS, add_remarks]) == SCHEMA_VERSION + 1  # idempotent
    finally:
        conn.close()
    done = runner.invoke(app, ["term", str(archived)])
    assert done.exit_code == 2 and "比本版 perfscore" in done.output

    fresh = tmp_path / "新.sqlite"
    conn = open_for_writing(fresh)  # an empty file: version 0 -> 1
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("PRAGMA application_id").fetchone() == (
            perfscore.archive.APPLICATION_ID,
        )
    finally:
        conn.close()


def test_the_documented_queries_run(archived):
    doc = (ROOT / "docs" / "archive.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", doc, flags=re.S)
    assert len(blocks) >= 4
    conn = sqlite3.connect(f"{archived.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for sql in blocks:
            rows = conn.execute(sql).fetchall()
            assert rows, sql
    finally:
        conn.close()


def test_info_lists_years_and_replacements(archived, runner):
    done = runner.invoke(app, ["archive", "info", str(archived)])
    assert done.exit_code == 0, done.output
    assert "第十届（2022–2026）" in done.output
    assert all(f"{y} 年度" in done.output for y in PLAN)


@pytest.mark.slow
def test_five_generated_years_into_one_archive(tmp_path, runner):
    """Five consecutive years of generated workbooks (the default rules with a term and term
    conditions) into one archive; then the dossier of every member and the term ranking."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        (ROOT / "rules" / "default.yaml").read_text(encoding="utf-8")
        + "\nterm: {name: 第十届, first_year: 2022, last_year: 2026}\n"
        "consequences:\n"
        "  - name: 提醒参加培训\n    term: {rule: activities.training, fewer_than: 1}\n"
        "  - name: 连续两年不称职\n    term: {grades: [不称职], years_running: 2}\n",
        encoding="utf-8",
    )
    archive = tmp_path / "档案.sqlite"
    for year in range(2022, 2027):
        book = generate((8, 150), tmp_path / f"{year}.xlsx", year=year, registers_seed=year)
        done = runner.invoke(
            app,
            [
                "assess",
                str(book),
                "-r",
                str(rules),
                "--archive",
                str(archive),
                "-q",
                "--skip-bad-rows",  # the generator writes a few rows the misread checks refuse
                "--allow-duplicates",
            ],
        )
        assert done.exit_code == 0, done.output
    with sqlite3.connect(archive) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT year), COUNT(*) FROM members").fetchone() == (
            5,
            40,
        )
        awards = conn.execute("SELECT COUNT(DISTINCT year) FROM awards").fetchone()
        assert awards == (5,)
        lines = conn.execute("SELECT SUM(ledger_lines) FROM years").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM ledger").fetchone() == (lines,)
    report = term_report(archive)
    assert len(report.members) == 8 and report.years == [2022, 2023, 2024, 2025, 2026]
    averages = report.members["average"].to_numpy()
    assert (averages[:-1] >= averages[1:]).all()
    out = tmp_path / "dossiers"
    out.mkdir()
    done = runner.invoke(app, ["dossier", str(archive), "--all", "--out-dir", str(out)])
    assert done.exit_code == 0, done.output
    assert len(list(out.glob("*.docx"))) == 8 and len(list(out.glob("*.xlsx"))) == 8
    first = report.members.iloc[0]
    dossier = member_dossier(archive, first["member_id"])
    side = dossier.tables["逐年对比"].set_index("项目")
    assert [float(v) for v in side.loc["总分"]] == [first[f"total_{y}"] for y in report.years]
