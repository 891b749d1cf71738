"""Files saved by a real spreadsheet program: the same registers as .xlsx, .xls and .ods written
by LibreOffice, and as a folder of .csv files (one of them GBK), all give the same totals.

The fixtures in tests/fixtures/real/ are committed; tests/fixtures/real/make_real.py wrote
them (it needs LibreOffice, these tests do not). Their content, the same in every format:

委員名單 (traditional sheet name and headers, a merged title row above the header; 0003 typed
with full-width digits; 钱七 joined on 2023年7月1日, a date cell in the Chinese date style):
  0001 张三 经济界   0002 李四 经济界   ０００３ 王五 教育界   0004 赵六 民盟   0005 钱七 民盟
  then a blank row and "合计：5人".
提案 (title row; 序號 column; dates as an ISO date cell, 2023.3.15, ２０２３年４月２日 and a
Chinese-style date cell; 2023002 a number, the other numbers stored as text; a 合计 row):
  2023001 张三、李四 立案 重点提案 · 2023002 王五 已立案 · 2023003 赵六，张三 不立案 · 2023004 钱七 立案 (9月1日)
社情民意: X001 王五 · X002 李四、赵六 (2023/6/1 as text)
信息採用: X001 采用 市 · X001 采用 省 (dated 45070 as text, = 2023-05-24) · X002 采用 县
會議出勤 (title row): 全体会议 on 2023-01-08: 张三 出席, 李四 事假, 王五 缺席, 0004 (赵六 by ID) 出席,
  钱七 缺席 (before she joined: not scored, a warning)
活動: 视察 张三、王五 (2023-05-16 as text) · 调研 赵六、钱七 (6月20日, before 钱七 joined: not scored)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import perfscore

from .conftest import roster, sha256, write_workbook

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
FIXTURES = ["real.xlsx", "real.xls", "real.ods", "real-csv"]

REAL_RULES = """\
scheme: 真实文件测试用积分办法
version: "test"
settings:
  outside_term: skip
categories:
  - id: meetings
    name: 会议出勤
    items:
      - id: plenary
        name: 全体会议出勤
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {出席: 2, 请假: -2, 缺席: -10}
  - id: proposals
    name: 提案
    items:
      - id: filed
        name: 提案立案
        match: {kind: proposal, status: [立案]}
        points_by:
          role: {领衔: 10, 附议: 4}
      - id: key
        name: 重点提案
        match: {kind: proposal, marks: [重点提案], role: [领衔]}
        points: 5
  - id: information
    name: 社情民意信息
    items:
      - id: submitted
        name: 报送信息
        match: {kind: information}
        points: 1
      - id: adopted
        name: 信息采用
        match: {kind: adoption, type: [采用]}
        points_by:
          level: {县: 2, 市: 4, 省: 8}
  - id: activities
    name: 履职活动
    items:
      - id: events
        name: 视察调研
        match: {kind: activity, type: [视察, 调研]}
        points: 1.5
grades:
  - {grade: 优秀, min: 15}
  - {grade: 合格}
"""

EXPECTED_TOTALS = {
    # 出席 +2; 2023001 领衔 10 + 重点 5 (2023003 不立案: 0); 视察 1.5      = 2 + 15 + 1.5
    "0001": 18.5,
    # 事假 = 请假 −2; 2023001 附议 4; X002 报送 1 + 县级采用 2           = −2 + 4 + 3
    "0002": 5.0,
    # 缺席 −10; 2023002 (已立案) 领衔 10; X001 报送 1 + 市 4 + 省 8; 视察 1.5 = −10 + 10 + 13 + 1.5
    "0003": 14.5,
    # 出席 +2 (named by ID); 2023003 不立案 0; X002 报送 1 + 县 2; 调研 1.5  = 2 + 3 + 1.5
    "0004": 6.5,
    # 2023004 领衔 10 (9月1日, in her term); the meeting and the 调研 before 7月1日 not scored
    "0005": 10.0,
}


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "real-rules.yaml"
    path.write_text(REAL_RULES, encoding="utf-8")
    return path


def _fingerprint(path: Path) -> dict[str, str]:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return {f.name: sha256(f) for f in files}


@pytest.mark.parametrize("name", FIXTURES)
def test_each_format_gives_the_hand_computed_totals(name: str, rules_file: Path) -> None:
    path = REAL / name
    before = _fingerprint(path)
    result = perfscore.assess(path, rules_file)
    totals = dict(zip(result.members["member_id"], result.members["total"]))
    assert totals == EXPECTED_TOTALS
    assert result.year == 2023
    assert result.members.set_index("member_id")["grade"].to_dict() == {
        "0001": "优秀",
        "0002": "合格",
        "0003": "合格",
        "0004": "合格",
        "0005": "合格",
    }
    assert _fingerprint(path) == before, "the input must only be read"


@pytest.mark.parametrize("name", FIXTURES)
def test_each_format_names_the_same_source_cells(name: str, rules_file: Path) -> None:
    """Title rows are counted: the first proposal is on Excel row 3, under the merged title and
    the header; sheet names are given as the workbook spells them (traditional characters)."""
    ledger = perfscore.assess(REAL / name, rules_file).ledger
    lines = {
        (m, r): s
        for m, r, s in ledger[["member_id", "rule_id", "source"]].itertuples(index=False)
        if r != "information.adopted"
    }
    assert lines[("0001", "proposals.key")] == "提案!E3"
    assert lines[("0002", "proposals.filed")] == "提案!E3"
    assert lines[("0003", "proposals.filed")] == "提案!E4"
    assert lines[("0005", "proposals.filed")] == "提案!E6"
    assert lines[("0002", "meetings.plenary")] == "會議出勤!D4"
    assert lines[("0004", "meetings.plenary")] == "會議出勤!D6"
    assert lines[("0004", "activities.events")] == "活動!D3"
    adopted = sorted(ledger.loc[ledger["rule_id"] == "information.adopted", "source"])
    assert adopted == ["信息採用!C2", "信息採用!C3", "信息採用!C4", "信息採用!C4"]


@pytest.mark.parametrize("name", FIXTURES)
def test_each_format_warns_about_the_records_before_a_members_term(
    name: str, rules_file: Path
) -> None:
    result = perfscore.assess(REAL / name, rules_file)
    assert sorted(p.place for p in result.problems) == ["會議出勤!D7", "活動!D3"]
    assert all("不在任期内" in p.message for p in result.problems)


def test_the_fixtures_were_written_by_libreoffice() -> None:
    """Not by openpyxl or xlsxwriter: regenerate them with make_real.py, not by hand."""
    with zipfile.ZipFile(REAL / "real.xlsx") as xlsx:
        assert "LibreOffice" in xlsx.read("docProps/app.xml").decode()
        assert "xl/sharedStrings.xml" in xlsx.namelist()
        styles = xlsx.read("xl/styles.xml").decode()
        assert "yyyy\\年m\\月d\\日" in styles, "LibreOffice's own Chinese date style"
        assert '<mergeCell ref="A1:I1"/>' in xlsx.read("xl/worksheets/sheet1.xml").decode()
    with zipfile.ZipFile(REAL / "real.ods") as ods:
        assert "LibreOffice" in ods.read("meta.xml").decode()
    assert (REAL / "real.xls").read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1"), (
        "an OLE2 (BIFF8) file"
    )


def test_the_csv_folder_mixes_gbk_and_utf8() -> None:
    roster_csv = (REAL / "real-csv" / "委員名單.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        roster_csv.decode("utf-8")
    assert "委員編號" in roster_csv.decode("gbk")
    assert "提案編號" in (REAL / "real-csv" / "提案.csv").read_bytes().decode("utf-8")


def test_cli_assesses_the_csv_folder(runner, rules_file: Path, tmp_path: Path) -> None:
    from perfscore.cli import app

    out = tmp_path / "结果.json"
    result = runner.invoke(
        app, ["assess", str(REAL / "real-csv"), "--rules", str(rules_file), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()


# --- words written in traditional characters ---------------------------------------------------
# Sheet names and headers are folded (委員名單 = 委员名单); the words in cells are folded the same
# way, so a closed word (請假) is not "unknown" and an open one (全體會議) still meets its rules.


def _traditional_words_book(tmp_path: Path, meeting_type: str, status: str) -> Path:
    return write_workbook(
        tmp_path / "繁體.xlsx",
        {
            "委員名單": roster(["0001", "张三", "经济界"], ["0002", "李四", "经济界"]),
            "會議出勤": [
                ["會議名稱", "會議類型", "日期", "委員", "出勤情況"],
                ["政协第十届委员会第二次会议", meeting_type, "2023-01-08", "张三", status],
                ["政协第十届委员会第二次会议", "全体会议", "2023-01-08", "李四", "出席"],
            ],
        },
    )


def test_a_closed_word_in_traditional_characters_reads_as_its_simplified_form(
    tmp_path: Path, rules_file: Path
) -> None:
    result = perfscore.assess(
        _traditional_words_book(tmp_path, "全体会议", "請假"), rules_file, allow_missing_sheets=True
    )
    assert dict(zip(result.members["member_id"], result.members["total"])) == {
        "0001": -2.0,
        "0002": 2.0,
    }


def test_an_open_word_in_traditional_characters_meets_the_rules_of_its_simplified_form(
    tmp_path: Path, rules_file: Path
) -> None:
    result = perfscore.assess(
        _traditional_words_book(tmp_path, "全體會議", "请假"), rules_file, allow_missing_sheets=True
    )
    assert dict(zip(result.members["member_id"], result.members["total"])) == {
        "0001": -2.0,
        "0002": 2.0,
    }
