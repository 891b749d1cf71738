"""What the reader and the normaliser accept: workbooks as offices really keep them.

Each test builds a small, real .xlsx file (conftest.write_workbook), scores it through the
public API (``perfscore.assess``) and checks what came out: the members, the ledger lines
(积分明细) with their source cells, and the warnings.

The tests score with their own small rules file (READING_RULES below), not the shipped
default, so that a change to the default scheme's points does not change what these tests
say about reading:
  proposals.filed        提案 立案: 领衔 10 / 附议 4 (the ledger note names the role)
  meetings.plenary       全体会议 请假 −2 / 缺席 −10
  information.adopted    采用 县 2 / 市 4 / 省 8 / 全国 15, split 60% to the first author, the rest shared
  information.instructed 批示 市 5 / 省 10 / 全国 20, split the same way
  activities.events      视察、调研 1.5 each
No caps, no base, no checklist; records outside a member's term are skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import perfscore
from perfscore.errors import DataError, Reason, Severity

from .conftest import roster, write_workbook

# 提案人 is column E, so a proposer's source cell is 提案!E<row>.
PROPOSAL_HEADER = ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态"]
ATTENDANCE_HEADER = ["会议名称", "会议类型", "日期", "委员", "出勤情况"]
ACTIVITY_HEADER = ["活动名称", "活动类型", "日期", "参加委员"]  # 日期 is column C
INFORMATION_HEADER = ["信息编号", "标题", "报送日期", "作者"]
ADOPTION_HEADER = ["信息编号", "类别", "级别", "日期"]  # 级别 is column C

MEMBERS = roster(
    ["0001", "张三", "经济界"],
    ["0002", "李四", "经济界"],
    ["0003", "王五", "教育界"],
    ["0004", "赵六", "教育界"],
    ["0005", "钱七", "民盟"],
    ["0006", "孙八", "民盟"],
)


def proposal(item_id: str, proposers, status: str = "立案", date="2023-05-24") -> list:
    return [item_id, f"关于{item_id}号事项的提案", date, "", proposers, status]


READING_RULES = """\
scheme: 读取测试用积分办法
version: "test"
settings:
  outside_term: skip
input:  # each test's workbook holds only the registers it is about
  optional_sheets: [proposals, information, adoptions, attendance, activities]
categories:
  - id: meetings
    name: 会议出勤
    items:
      - id: plenary
        name: 全体会议出勤
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {请假: -2, 缺席: -10}
  - id: proposals
    name: 提案
    items:
      - id: filed
        name: 提案立案
        match: {kind: proposal, status: [立案]}
        points_by:
          role: {领衔: 10, 附议: 4}
  - id: information
    name: 社情民意信息
    items:
      - id: adopted
        name: 信息采用
        match: {kind: adoption, type: [采用]}
        points_by:
          level: {县: 2, 市: 4, 省: 8, 全国: 15}
        credit: {mode: split, lead_share: 0.6}
      - id: instructed
        name: 领导批示
        match: {kind: adoption, type: [批示]}
        points_by:
          level: {市: 5, 省: 10, 全国: 20}
        credit: {mode: split, lead_share: 0.6}
  - id: activities
    name: 履职活动
    items:
      - id: events
        name: 视察调研
        match: {kind: activity, type: [视察, 调研]}
        points: 1.5
grades:
  - grade: 合格
"""


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "reading-rules.yaml"
    path.write_text(READING_RULES, encoding="utf-8")
    return path


@pytest.fixture
def assess(rules_file):
    """perfscore.assess with the rules above."""

    def run(path: Path, **kwargs):
        return perfscore.assess(path, rules=rules_file, **kwargs)

    return run


def lines(result, rule_id: str, member_id: str | None = None) -> pd.DataFrame:
    ledger = result.ledger
    rows = ledger[ledger["rule_id"] == rule_id]
    if member_id is not None:
        rows = rows[rows["member_id"] == member_id]
    return rows


def scored(result, rule_id: str) -> list[tuple]:
    """(member_id, points, source) of every line of one rule, sorted."""
    rows = lines(result, rule_id)
    return sorted(zip(rows["member_id"], rows["points"].round(2), rows["source"]))


def errors(result) -> list:
    return [p for p in result.problems if p.severity == "错误"]


# --- layout: title rows, aliases -----------------------------------------------------------------


def test_title_row_above_header_source_cells_name_the_true_excel_row(assess, tmp_path):
    # Row 1 is the title, row 2 the header, so the proposals sit on Excel rows 3 and 4.
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [PROPOSAL_HEADER, proposal("2023001", "张三"), proposal("2023002", "李四")],
        },
        title_rows={"委员名单": "政协委员名单（2023年）", "提案": "2023年度提案登记表"},
    )

    result = assess(path)

    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "提案!E3"),
        ("0002", 10.0, "提案!E4"),
    ]
    assert sorted(result.members["member_id"]) == ["0001", "0002", "0003", "0004", "0005", "0006"]
    assert errors(result) == []


def test_english_headers_and_sheet_names(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "members": [
                ["member_id", "name", "sector"],
                ["0001", "张三", "经济界"],
                ["0002", "李四", "教育界"],
            ],
            "proposals": [
                ["proposal_id", "title", "date", "proposers", "status"],
                ["2023001", "关于县域物流的提案", "2023-05-24", "张三、李四", "立案"],
            ],
        },
    )

    result = assess(path)

    assert sorted(zip(result.members["member_id"], result.members["name"])) == [
        ("0001", "张三"),
        ("0002", "李四"),
    ]
    assert dict(zip(result.members["member_id"], result.members["sector"])) == {
        "0001": "经济界",
        "0002": "教育界",
    }
    # proposers is column D here
    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "proposals!D2"),
        ("0002", 4.0, "proposals!D2"),
    ]


def test_chinese_alias_headers_and_sheet_names(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员信息": [
                ["编号", "委员姓名", "所在界别"],
                ["0001", "张三", "经济界"],
                ["0002", "李四", "教育界"],
            ],
            "提案登记": [
                ["案号", "案由", "提交时间", "提案者", "审查结果"],
                ["2023001", "关于县域物流的提案", "2023-05-24", "李四、张三", "已立案"],
            ],
        },
    )

    result = assess(path)

    assert sorted(result.members["member_id"]) == ["0001", "0002"]
    assert scored(result, "proposals.filed") == [
        ("0001", 4.0, "提案登记!D2"),
        ("0002", 10.0, "提案登记!D2"),
    ]


def test_header_found_whatever_the_column_order(assess, tmp_path):
    # Columns in an office's own order, with an extra column perfscore does not know.
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [
                ["状态", "序号", "提案人", "提案编号", "提交日期", "标题"],
                ["立案", 1, "王五", "2023001", "2023-05-24", "关于养老服务的提案"],
            ],
        },
    )

    result = assess(path)

    assert scored(result, "proposals.filed") == [("0003", 10.0, "提案!C2")]


@pytest.mark.parametrize(
    "spaced", ["姓　名", "姓  名", "姓\n名"], ids=["ideographic-space", "two-spaces", "line-break"]
)
def test_header_with_spaces_or_a_line_break_inside_is_recognised(assess, tmp_path, spaced):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": [["委员编号", spaced, "界　别"], ["0001", "张三", "经济界"]],
            "提案": [
                ["提案编号", "标题", "提交\n日期", "提案方式", "提 案 人", "状态"],
                proposal("2023001", "张三"),
            ],
        },
    )

    result = assess(path)

    assert list(result.members["name"]) == ["张三"]
    assert scored(result, "proposals.filed") == [("0001", 10.0, "提案!E2")]


# --- member IDs -----------------------------------------------------------------------------------


def test_member_ids_with_leading_zeros_stay_text(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["0007", "张三", "经济界"], ["0100", "李四", "经济界"]),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "0007、0100")],
        },
    )

    result = assess(path)

    assert sorted(result.members["member_id"]) == ["0007", "0100"]
    assert scored(result, "proposals.filed") == [
        ("0007", 10.0, "提案!E2"),
        ("0100", 4.0, "提案!E2"),
    ]


def test_id_typed_as_a_number_matches_roster_id_written_as_text(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["7", "张三", "经济界"], ["12", "李四", "经济界"]),
            "提案": [PROPOSAL_HEADER, proposal("2023001", 7), proposal("2023002", 12)],
        },
    )

    result = assess(path)

    assert sorted(result.members["member_id"]) == ["12", "7"]
    assert scored(result, "proposals.filed") == [("12", 10.0, "提案!E3"), ("7", 10.0, "提案!E2")]


def test_roster_id_typed_as_a_number_is_read_as_text_without_decimal_point(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster([7, "张三", "经济界"]),
            "提案": [PROPOSAL_HEADER, proposal(2023001, "7")],
        },
    )

    result = assess(path)

    assert list(result.members["member_id"]) == ["7"]
    filed = lines(result, "proposals.filed")
    assert list(filed["member_id"]) == ["7"]
    assert list(filed["item_id"]) == ["2023001"]  # not 2023001.0


# --- rows that are not records --------------------------------------------------------------------


def test_total_row_and_blank_rows_are_ignored(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": [*MEMBERS[:3], [], *MEMBERS[3:5]],  # a blank line inside the roster too
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张三"),  # row 2
                [],  # row 3: blank
                [None, None, None, None, None, None],  # row 4: blank
                proposal("2023002", "李四"),  # row 5
                ["合计", None, None, None, "2 件", None],  # row 6: total line
            ],
            "会议出勤": [
                ATTENDANCE_HEADER,
                ["十届二次全会", "全体会议", "2023-01-08", "王五", "请假"],  # row 2
                ["", "", "", "", ""],  # row 3: blank strings
                [" 合 计 ", "", "", "", "1"],  # row 4: total, spaced out
            ],
        },
    )

    result = assess(path)

    assert errors(result) == []
    assert sorted(result.members["member_id"]) == ["0001", "0002", "0003", "0004"]
    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "提案!E2"),
        ("0002", 10.0, "提案!E5"),
    ]
    assert scored(result, "meetings.plenary") == [("0003", -2.0, "会议出勤!D2")]


@pytest.mark.parametrize(
    "label",
    ["合计：2件", "合计（2件）", "总计 2 件"],
    ids=["colon-count", "bracket-count", "spaced-count"],
)
def test_total_row_with_a_count_in_the_same_cell_is_ignored(assess, tmp_path, label):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张三"),
                proposal("2023002", "李四"),
                [label],
            ],
        },
    )

    result = assess(path)

    assert errors(result) == []
    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "提案!E2"),
        ("0002", 10.0, "提案!E3"),
    ]


# --- dates ------------------------------------------------------------------------------------

MAY_24 = pd.Timestamp("2023-05-24")


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param(dt.date(2023, 5, 24), id="date-cell"),
        pytest.param(45070, id="excel-serial-number"),
        pytest.param("45070", id="serial-number-as-text"),
        pytest.param("2023-05-24", id="iso-text"),
        pytest.param("2023/5/24", id="slashes"),
        pytest.param("2023.5.24", id="dots"),
        pytest.param("2023年5月24日", id="chinese"),
        pytest.param("２０２３年５月２４日", id="full-width-digits"),
        pytest.param("２０２３－０５－２４", id="full-width-hyphens"),
        pytest.param(" 2023 年 5 月 24 日 ", id="chinese-with-spaces"),
        pytest.param("2023年05月24日", id="chinese-leading-zeros"),
        pytest.param("2023-05-24 09:30", id="text-with-time"),
    ],
)
def test_date_forms_are_all_read_as_the_same_day(assess, tmp_path, cell):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "活动": [ACTIVITY_HEADER, ["重点项目视察", "视察", cell, "张三"]],
        },
    )

    result = assess(path)

    events = lines(result, "activities.events")
    assert list(events["date"]) == [MAY_24]
    assert list(events["points"]) == [1.5]
    assert result.year == 2023
    assert result.warnings == []


def test_month_day_without_year_takes_the_assessment_year_and_warns_naming_the_cell(
    assess, tmp_path
):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "活动": [
                ACTIVITY_HEADER,
                ["重点项目视察", "视察", "2023-03-01", "张三"],  # row 2: fixes the year as 2023
                ["养老服务调研", "调研", "5月24日", "李四"],  # row 3: no year
            ],
        },
    )

    result = assess(path)

    assert list(lines(result, "activities.events", "0002")["date"]) == [MAY_24]
    about = [w for w in result.warnings if w.place == "活动!C3"]
    assert len(about) == 1, [str(w) for w in result.warnings]
    assert "2023" in about[0].message
    assert "5月24日" in str(about[0])


def test_month_day_uses_the_year_given_by_the_caller(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "活动": [ACTIVITY_HEADER, ["养老服务调研", "调研", "5月24日", "李四"]],
        },
    )

    result = assess(path, year=2023)

    assert list(lines(result, "activities.events", "0002")["date"]) == [MAY_24]
    assert [w.place for w in result.warnings] == ["活动!C2"]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("\u3000张三\u3000", id="ideographic-spaces"),
        pytest.param("\u00a0张三\u00a0", id="no-break-spaces"),
        pytest.param(" 张三 ", id="plain-spaces"),
        pytest.param("张三（民盟）", id="full-width-bracket-tag"),
        pytest.param("张三(民盟)", id="ascii-bracket-tag"),
        pytest.param("张三【特邀】", id="square-bracket-tag"),
        pytest.param("\u00a0张三（民盟）\u3000", id="tag-and-spaces"),
    ],
)
def test_spaces_and_tags_around_a_name_match_the_roster_name(assess, tmp_path, written):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [PROPOSAL_HEADER, proposal("2023001", written)],
        },
    )

    result = assess(path)

    assert scored(result, "proposals.filed") == [("0001", 10.0, "提案!E2")]


def test_roster_name_with_tag_and_spaces_is_matched_by_its_plain_name(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["0001", "\u3000张三（民盟）", "民盟"]),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "张三")],
        },
    )

    result = assess(path)

    assert list(result.members["name"]) == ["张三"]
    assert scored(result, "proposals.filed") == [("0001", 10.0, "提案!E2")]


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param("、", id="dunhao"),
        pytest.param("，", id="full-width-comma"),
        pytest.param(",", id="comma"),
        pytest.param(";", id="semicolon"),
        pytest.param("；", id="full-width-semicolon"),
        pytest.param(" ", id="space"),
        pytest.param("\u3000", id="ideographic-space"),
        pytest.param(", ", id="comma-and-space"),
    ],
)
def test_proposers_separated_by_any_usual_separator(assess, tmp_path, separator):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [PROPOSAL_HEADER, proposal("2023001", f"李四{separator}张三")],
        },
    )

    result = assess(path)

    filed = lines(result, "proposals.filed")
    # the first named is the lead (领衔), the other a co-signer (附议)
    assert sorted(zip(filed["member_id"], filed["points"], filed["note"])) == [
        ("0001", 4.0, "附议"),
        ("0002", 10.0, "领衔"),
    ]


def test_proposers_keep_their_order_across_mixed_separators(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [PROPOSAL_HEADER, proposal("2023001", "王五、张三，李四,赵六;钱七")],
        },
    )

    result = assess(path)

    filed = lines(result, "proposals.filed")
    roles = dict(zip(filed["member_id"], filed["note"]))
    assert roles == {"0003": "领衔", "0001": "附议", "0002": "附议", "0004": "附议", "0005": "附议"}
    assert dict(zip(filed["member_id"], filed["points"])) == {
        "0003": 10.0,
        "0001": 4.0,
        "0002": 4.0,
        "0004": 4.0,
        "0005": 4.0,
    }


# --- status words through aliases -------------------------------------------------------------------


def _proposal_book(status: str) -> dict:
    return {
        "委员名单": MEMBERS,
        "提案": [PROPOSAL_HEADER, proposal("2023001", "张三、李四", status=status)],
    }


def _meeting_book(status: str) -> dict:
    return {
        "委员名单": MEMBERS,
        "会议出勤": [ATTENDANCE_HEADER, ["十届二次全会", "全体会议", "2023-01-08", "张三", status]],
    }


def _adoption_book(event: str) -> dict:
    return {
        "委员名单": MEMBERS,
        "社情民意": [
            INFORMATION_HEADER,
            ["X2023-001", "关于规范农村集体资产管理的建议", "2023-03-02", "张三"],
        ],
        "信息采用": [ADOPTION_HEADER, ["X2023-001", event, "市", "2023-04-18"]],
    }


@pytest.mark.parametrize(
    "book, variant, canonical, rule_id, expected",
    [
        pytest.param(
            _proposal_book,
            "已立案",
            "立案",
            "proposals.filed",
            [("0001", 10.0), ("0002", 4.0)],
            id="已立案",
        ),
        pytest.param(
            _proposal_book,
            "予以立案",
            "立案",
            "proposals.filed",
            [("0001", 10.0), ("0002", 4.0)],
            id="予以立案",
        ),
        pytest.param(
            _meeting_book, "事假", "请假", "meetings.plenary", [("0001", -2.0)], id="事假"
        ),
        pytest.param(
            _meeting_book, "病假", "请假", "meetings.plenary", [("0001", -2.0)], id="病假"
        ),
        pytest.param(
            _adoption_book, "录用", "采用", "information.adopted", [("0001", 4.0)], id="录用"
        ),
        pytest.param(
            _adoption_book, "已采用", "采用", "information.adopted", [("0001", 4.0)], id="已采用"
        ),
        pytest.param(
            _adoption_book,
            "领导批示",
            "批示",
            "information.instructed",
            [("0001", 5.0)],
            id="领导批示",
        ),
    ],
)
def test_status_variants_score_like_the_canonical_word(
    assess, tmp_path, book, variant, canonical, rule_id, expected
):
    (tmp_path / "variant").mkdir()
    (tmp_path / "canonical").mkdir()
    with_variant = assess(write_workbook(tmp_path / "variant" / "2023.xlsx", book(variant)))
    with_canonical = assess(write_workbook(tmp_path / "canonical" / "2023.xlsx", book(canonical)))

    got = lines(with_variant, rule_id)
    assert sorted(zip(got["member_id"], got["points"])) == expected
    columns = ["member_id", "rule_id", "points", "source"]
    assert with_variant.ledger[columns].equals(with_canonical.ledger[columns])
    assert list(with_variant.members["total"]) == list(with_canonical.members["total"])


# --- records outside the term or the year ----------------------------------------------------------


def test_record_before_a_members_term_is_skipped_with_a_warning(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["0001", "张三", "经济界", "", "", "", "否", "2023-07-01"],
                ["0002", "李四", "经济界"],
            ),
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张三、李四", date="2023-03-01"),  # row 2: before 张三 joined
                proposal("2023002", "张三", date="2023-08-01"),  # row 3: within his term
            ],
        },
    )

    result = assess(path)

    # 李四 still gets his part of the joint proposal; 张三 only the one after 07-01
    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "提案!E3"),
        ("0002", 4.0, "提案!E2"),
    ]
    about = [w for w in result.warnings if w.reason == "outside_term"]
    assert [w.place for w in about] == ["提案!E2"]
    assert "张三" in about[0].message and "2023-03-01" in about[0].message


def test_record_after_a_member_left_is_skipped_with_a_warning(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["0001", "张三", "经济界", "", "", "", "否", "", dt.date(2023, 6, 30)]
            ),
            "会议出勤": [
                ATTENDANCE_HEADER,
                ["十届二次全会", "全体会议", "2023-01-08", "张三", "请假"],  # row 2: counted
                [
                    "十届常委会第五次会议",
                    "全体会议",
                    "2023-09-10",
                    "张三",
                    "缺席",
                ],  # row 3: after he left
            ],
        },
    )

    result = assess(path)

    assert scored(result, "meetings.plenary") == [("0001", -2.0, "会议出勤!D2")]
    assert [w.place for w in result.warnings if w.reason == "outside_term"] == ["会议出勤!D3"]


def test_record_dated_in_another_year_is_skipped_with_a_warning(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张三", date="2023-02-10"),
                proposal("2023002", "李四", date="2023-05-24"),
                proposal("2022099", "王五", date="2022-12-28"),  # row 4: last year's proposal
            ],
        },
    )

    result = assess(path)

    assert result.year == 2023
    assert scored(result, "proposals.filed") == [
        ("0001", 10.0, "提案!E2"),
        ("0002", 10.0, "提案!E3"),
    ]
    assert lines(result, "proposals.filed", "0003").empty
    about = [w for w in result.warnings if w.reason == "outside_year"]
    assert len(about) == 1, [str(w) for w in result.warnings]
    assert about[0].sheet == "提案" and about[0].cell.endswith("4")
    assert "2023" in about[0].message and "2022-12-28" in str(about[0])


# --- information adopted ------------------------------------------------------------------------


def test_an_adoption_row_credits_every_author_of_the_information_item(assess, tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "社情民意": [
                INFORMATION_HEADER,
                ["X2023-001", "关于规范农村集体资产管理的建议", "2023-03-02", "张三、李四、王五"],
                ["X2023-002", "关于加强校园周边交通管理的建议", "2023-03-05", "赵六"],
            ],
            "信息采用": [
                ADOPTION_HEADER,
                ["X2023-001", "采用", "市", "2023-04-18"],  # row 2
                ["X2023-001", "采用", "省", "2023-06-01"],
            ],  # row 3: the same item, one level up
        },
    )

    result = assess(path)

    # 市 4 and 省 8, cumulative; split 60% to the first author, the other two share 40%
    assert scored(result, "information.adopted") == [
        ("0001", 2.4, "信息采用!C2"),
        ("0001", 4.8, "信息采用!C3"),
        ("0002", 0.8, "信息采用!C2"),
        ("0002", 1.6, "信息采用!C3"),
        ("0003", 0.8, "信息采用!C2"),
        ("0003", 1.6, "信息采用!C3"),
    ]
    assert lines(result, "information.adopted", "0004").empty  # 赵六's item was not adopted
    adopted = lines(result, "information.adopted")
    assert set(adopted["item_id"]) == {"X2023-001"}


def test_cli_shows_the_month_day_warning_and_still_writes_the_result(rules_file, tmp_path):
    from typer.testing import CliRunner

    from perfscore.cli import app

    path = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": MEMBERS,
            "活动": [
                ACTIVITY_HEADER,
                ["重点项目视察", "视察", "2023-03-01", "张三"],
                ["养老服务调研", "调研", "5月24日", "李四"],
            ],
        },
    )
    out = tmp_path / "结果.xlsx"

    run = CliRunner().invoke(
        app, ["assess", str(path), "--rules", str(rules_file), "--out", str(out)]
    )

    assert run.exit_code == 0, run.output
    assert "活动!C3" in run.output
    assert "2023" in run.output
    assert out.exists()


def test_a_name_padded_with_a_space_is_one_member(tmp_path):
    # 张 三 is padded for alignment; a space between two whole names still separates them.
    path = write_workbook(
        tmp_path / "padded.xlsx",
        {
            "委员名单": roster(
                ["001", "张三", "经济界"], ["002", "李四", "教育界"], ["003", "王五", "民盟"]
            ),
            "提案": [
                ["提案编号", "标题", "提交日期", "提案人", "状态"],
                ["P1", "x", dt.date(2023, 1, 2), "王五、张 三、李四", "立案"],
                ["P2", "y", dt.date(2023, 1, 3), "李 四", "立案"],
                ["P3", "z", dt.date(2023, 1, 4), "张三 王五", "立案"],
            ],
        },
    )
    records = perfscore.assess(path, allow_missing_sheets=True).ledger
    filed = records[records["rule_id"] == "proposals.filed"]
    by_row = {
        src: list(zip(g["member_id"], g["note"])) for src, g in filed.groupby("source", sort=False)
    }
    assert sorted(by_row["提案!D2"]) == [("001", "附议"), ("002", "附议"), ("003", "领衔")]
    assert by_row["提案!D3"] == [("002", "领衔")]
    assert sorted(by_row["提案!D4"]) == [("001", "领衔"), ("003", "附议")]


def test_a_register_under_an_unknown_name_is_an_error_proposing_the_rename(tmp_path):
    path = write_workbook(
        tmp_path / "renamed.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "提案汇总表": [
                ["提案编号", "标题", "提交日期", "提案人", "状态"],
                ["P1", "x", dt.date(2023, 1, 2), "张三", "立案"],
            ],
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察", "视察", dt.date(2023, 3, 1), "张三"],
            ],
        },
    )
    with pytest.raises(DataError) as caught:
        perfscore.assess(path, allow_missing_sheets=True)
    [error] = [p for p in caught.value.problems if p.sheet == "提案汇总表"]
    assert error.severity is Severity.ERROR and error.reason is Reason.UNPLACED_SHEET
    assert "请把表名改为“提案”" in error.suggestion and "input.sheets" in error.suggestion


def test_a_sheet_that_is_no_register_is_a_warning(tmp_path):
    path = write_workbook(
        tmp_path / "other.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "联系电话": [["姓名", "电话"], ["张三", "123"]],
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察", "视察", dt.date(2023, 3, 1), "张三"],
            ],
        },
    )
    warnings = [
        p
        for p in perfscore.assess(path, allow_missing_sheets=True).warnings
        if p.sheet == "联系电话"
    ]
    assert len(warnings) == 1 and "未读取" in warnings[0].message


def test_a_total_row_marked_in_a_serial_number_column_is_ignored(tmp_path):
    # 序号 is not a declared column: 合计 there still marks the total row.
    path = write_workbook(
        tmp_path / "serial.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "调研报告": [
                ["序号", "报告编号", "标题", "日期", "作者"],
                [1, "D1", "报告一", dt.date(2023, 5, 1), "张三"],
                ["合计", "", "", "", ""],
            ],
        },
    )
    result = perfscore.assess(path, allow_missing_sheets=True)
    assert len(result.ledger[result.ledger["rule_id"] == "reports.report"]) == 1


def test_a_hidden_sheet_is_not_reported_as_unread(tmp_path):
    """Hidden sheets hold dropdown lists and the like; a visible one with an unknown name is
    reported (it may be a renamed register), a hidden one is not."""
    import openpyxl

    path = write_workbook(
        tmp_path / "hidden.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察", "视察", dt.date(2023, 3, 1), "张三"],
            ],
            "名录": [["界别", "状态"], ["经济界", "立案"]],
            "备用表": [["界别", "状态"], ["经济界", "立案"]],
        },
    )
    book = openpyxl.load_workbook(path)
    book["名录"].sheet_state = "hidden"
    book.save(path)
    unread = {
        p.sheet
        for p in perfscore.assess(path, allow_missing_sheets=True).warnings
        if "未读取" in p.message
    }
    assert unread == {"备用表"}
