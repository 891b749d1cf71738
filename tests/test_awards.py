"""Award shortlists, computed by hand: the quota line inside a tie, sub-quotas that push a
higher score out (and say so), prerequisites, and percentage quotas.

The members below score 10 points per 视察 (no other rules), so their totals are chosen by
how many inspections they have:

    001 A 经济界 5 → 50     002 B 经济界 4 → 40     003 C 教育界 4 → 40
    004 D 教育界 4 → 40     005 E 民盟   3 → 30     006 F 民盟   2 → 20

Grades: 优秀 ≥ 25, else 称职 — so F (20) is 称职. Only A has a 立案 proposal.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import perfscore
from perfscore.cli import app

from .conftest import roster, write_workbook

MEMBERS = [
    ("001", "A", "经济界", 5),
    ("002", "B", "经济界", 4),
    ("003", "C", "教育界", 4),
    ("004", "D", "教育界", 4),
    ("005", "E", "民盟", 3),
    ("006", "F", "民盟", 2),
]

BASE_RULES = """\
scheme: 评优测试
year: 2023
categories:
  - id: acts
    name: 活动
    items:
      - {id: visit, name: 视察, match: {kind: activity, type: [视察]}, points: 10}
grades:
  - {grade: 优秀, min: 25}
  - {grade: 称职}
awards:
"""


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "awards.xlsx")


def make_workbook(path: Path, standing: tuple[str, ...] = ()) -> Path:
    """The workbook above; the members in ``standing`` are 常委."""
    activities = [["活动名称", "活动类型", "日期", "参加委员"]]
    for _mid, name, _, visits in MEMBERS:
        activities += [[f"视察{n}", "视察", dt.date(2023, 3, n + 1), name] for n in range(visits)]
    proposals = [
        ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态", "标记"],
        # P1 联名 立案 重点 → 10 + 10 + 2 = 22      P2 个人 立案 重点 → 10 + 10 = 20
        ["P1", "提案一", dt.date(2023, 1, 5), "联名", "B、C", "立案", "重点提案"],
        ["P2", "提案二", dt.date(2023, 1, 6), "个人", "C", "立案", "重点提案"],
        # P3 联名 立案 → 12 (dated 01-07)     P4 集体 立案 → 12 (dated 01-08)
        ["P3", "提案三", dt.date(2023, 1, 7), "联名", "D、E", "立案", ""],
        ["P4", "提案四", dt.date(2023, 1, 8), "集体", "E", "立案", ""],
        # P5 个人 不立案 → 0, and fails the 立案 prerequisite; A's proposal
        ["P5", "提案五", dt.date(2023, 1, 9), "个人", "F", "不立案", ""],
        ["P6", "提案六", dt.date(2023, 1, 10), "个人", "A", "立案", ""],
    ]
    members = [
        [mid, name, sector, "", "", "", "是" if mid in standing else ""]
        for mid, name, sector, _ in MEMBERS
    ]
    return write_workbook(
        path,
        {
            "委员名单": roster(*members),
            "活动": activities,
            "提案": proposals,
        },
    )


def shortlist(tmp_path: Path, workbook: Path, award_yaml: str):
    rules = tmp_path / "rules.yaml"
    rules.write_text(BASE_RULES + award_yaml, encoding="utf-8")
    [result] = perfscore.assess(workbook, rules=rules).shortlists
    return result


def keys(frame) -> list[str]:
    return list(frame["key"])


def reasons(frame) -> dict[str, str]:
    return dict(zip(frame["key"], frame["note"]))


def test_the_quota_line_inside_a_tie_includes_everyone_tied(tmp_path, workbook):
    # Quota 2: A (50) then B (40, first of B/C/D by member_id). The line is 40; C and D also
    # have 40, so with ties_at_line: include all four are listed — two more than the quota.
    result = shortlist(
        tmp_path,
        workbook,
        """\
  - {id: m, name: 优秀委员, pool: members, quota: 2, ties_at_line: include}
""",
    )
    assert keys(result.winners) == ["001", "002", "003", "004"]
    assert reasons(result.winners)["001"] == "符合参评条件，得分 50，在符合条件的候选中排第 1"
    assert reasons(result.winners)["003"] == "与名额线同分（40），一并列入"
    assert "名单比名额多 2 人" in result.notes[-1]


def test_the_quota_line_inside_a_tie_broken_by_the_stated_order(tmp_path, workbook):
    result = shortlist(
        tmp_path,
        workbook,
        """\
  - {id: m, name: 优秀委员, pool: members, quota: 2, ties_at_line: break}
""",
    )
    assert keys(result.winners) == ["001", "002"]
    assert keys(result.near_misses)[:2] == ["003", "004"]
    assert reasons(result.near_misses)["003"] == "与名额线同分（40），按先后规则排在名额之外"
    assert reasons(result.near_misses)["005"] == "低于名额线 10 分（名额线 40）"


def test_a_group_cap_pushes_a_higher_score_out_and_says_so(tmp_path, workbook):
    # At most 1 per 界别, quota 3: A (经济界) in; B (经济界, 40) out — 经济界 full; C (教育界) in;
    # D (教育界) out; E (民盟, 30) in although B and D scored more.
    result = shortlist(
        tmp_path,
        workbook,
        """\
  - id: m
    name: 优秀委员
    pool: members
    quota: 3
    ties_at_line: break
    group_cap: {dimension: sector, max: 1}
""",
    )
    assert keys(result.winners) == ["001", "003", "005"]
    missed = reasons(result.near_misses)
    assert missed["002"] == "界别“经济界”已入选 1 人，达到上限"
    assert missed["004"] == "界别“教育界”已入选 1 人，达到上限"
    balance = result.balance.set_index(["dimension", "group"])
    assert (
        balance.loc[("界别", "经济界"), "winners"] == 1
        and balance.loc[("界别", "经济界"), "candidates"] == 2
    )


def test_prerequisites_say_which_condition_failed(tmp_path, workbook):
    # Grade 优秀 required: F (称职) fails. A 立案 proposal required: only A (P6), B/C (P1), C (P2),
    # D/E (P3), E (P4) have one; F's only proposal P5 is 不立案.
    result = shortlist(
        tmp_path,
        workbook,
        """\
  - id: m
    name: 优秀委员
    pool: members
    quota: 6
    requires:
      grades: [优秀]
      has: [{kind: proposal, status: [立案], role: [领衔]}]
""",
    )
    # 领衔 of a 立案 proposal: A (P6), B (P1), C (P2), D (P3), E (P4) — all but F.
    assert keys(result.winners) == ["001", "002", "003", "004", "005"]
    assert reasons(result.near_misses)["006"] == "等次为称职，须为优秀"
    assert "符合条件的候选只有 5 人，名单比名额少 1 人" in result.notes


def test_a_condition_on_standing_reads_the_members_flag(tmp_path):
    # C (003) and E (005) are 常委. A 立案 proposal by a 常委 is required: C (P1, P2) and E (P3,
    # P4) have one; A has a 立案 proposal (P6) but is not 常委.
    standing = make_workbook(tmp_path / "standing.xlsx", standing=("003", "005"))
    result = shortlist(
        tmp_path,
        standing,
        """\
  - id: m
    name: 优秀委员
    pool: members
    quota: 6
    requires:
      has: [{kind: proposal, status: [立案], standing: true}]
""",
    )
    assert keys(result.winners) == ["003", "005"]
    assert reasons(result.near_misses)["001"] == "没有符合条件的记录：提案（立案、常委）"


@pytest.mark.parametrize(("rounding", "places"), [("half_up", 2), ("floor", 1), ("ceil", 2)])
def test_a_percentage_quota_is_rounded_as_stated(tmp_path, workbook, rounding, places):
    # 25% of 6 members = 1.5 → half_up 2, floor 1, ceil 2.
    result = shortlist(
        tmp_path,
        workbook,
        f"""\
  - {{id: m, name: 优秀委员, pool: members, quota: "25%", quota_rounding: {rounding}, ties_at_line: break}}
""",
    )
    assert result.quota == places
    assert result.quota_text.startswith("25% × 6 = 1.5 → ")
    assert len(result.winners) == places


def test_a_reserved_share_for_collective_proposals_pushes_a_higher_score_out(tmp_path, workbook):
    # Scores: P1 22, P2 20, P3 12, P4 12 (集体), P5 0, P6 10. 立案 required: P5 out.
    # Quota 2, at least 20% collective: ceil(0.2 × 2) = 1 place kept → P4 (12) first; then P1 (22).
    # P2 (20) scores above the line (12) but the places are used: it says so. P3 ties the line
    # at 12 and is broken by date (P3 01-07 is earlier than P4 01-08, but P4 holds the reserved place).
    result = shortlist(
        tmp_path,
        workbook,
        """\
  - id: p
    name: 优秀提案
    pool: proposals
    requires: {has: [{kind: proposal, status: [立案]}]}
    score:
      - {match: {kind: proposal, status: [立案]}, points: 10}
      - {match: {kind: proposal, marks: [重点提案]}, points: 10}
      - {match: {kind: proposal, type: [联名, 集体]}, points: 2}
    quota: 2
    min_share: {name: 集体提案, match: {type: [集体]}, share: 0.2}
    ties_at_line: break
""",
    )
    assert keys(result.winners) == ["P1", "P4"]
    assert list(result.winners["score"]) == [22, 12]
    assert reasons(result.winners)["P4"] == "集体提案保留名额"
    missed = reasons(result.near_misses)
    assert missed["P2"] == "分数高于名额线，但名额已用于集体提案保留名额"
    assert missed["P3"] == "与名额线同分（12），按先后规则排在名额之外"
    assert missed["P5"] == "没有符合条件的记录：提案（立案）"
    facts = dict(zip(result.winners["key"], result.winners["facts"]))
    assert facts["P1"] == "联名，立案，重点提案；作者：B（领衔）、C（附议）"


def test_shortlist_command_and_assess_workbook(tmp_path, workbook, runner):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        BASE_RULES + "  - {id: m, name: 优秀委员, pool: members, quota: 2, ties_at_line: break}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["shortlist", str(workbook), "--rules", str(rules), "--out", str(tmp_path / "sl.xlsx")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert (
        "优秀委员" in result.output
        and "差一点入选" in result.output
        and "与名额线同分（40）" in result.output
    )
    import openpyxl

    assert openpyxl.load_workbook(tmp_path / "sl.xlsx").sheetnames == [
        "评优-优秀委员",
        "评优说明",
        "评优名额平衡",
    ]
    assessed = runner.invoke(
        app, ["assess", str(workbook), "--rules", str(rules), "--out", str(tmp_path / "a.xlsx")]
    )
    assert assessed.exit_code == 0, assessed.output
    assert "评优-优秀委员" in openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames
    unknown = runner.invoke(
        app, ["shortlist", str(workbook), "--rules", str(rules), "--award", "优秀提案"]
    )
    assert unknown.exit_code == 2 and "优秀委员（m）" in unknown.output


def test_every_entry_of_the_samples_shortlists_carries_its_reason():
    from .conftest import SAMPLE

    lists = perfscore.assess(SAMPLE).shortlists
    assert [sl.award.name for sl in lists] == ["优秀委员", "优秀提案", "优秀社情民意信息"]
    for sl in lists:
        assert len(sl.winners) > 0 and len(sl.near_misses) > 0
        assert (sl.winners["note"] != "").all() and (sl.near_misses["note"] != "").all(), (
            sl.award.name
        )


FOUR_BEST_RULES = """\
scheme: 四个最佳测试
year: 2023
settings: {tie_break: [member_id]}
categories:
  - id: acts
    name: 活动
    items:
      - {id: visit, name: 视察, match: {kind: activity, type: [视察]}, points: 10}
  - id: props
    name: 提案
    items:
      - {id: filed, name: 立案提案, match: {kind: proposal, status: [立案]}, points: 5}
grades:
  - {grade: 优秀, min: 25}
  - {grade: 称职}
awards:
  - {id: best_proposer, name: 提案优胜, pool: members, rank_by: [props], quota: 2, ties_at_line: break}
  - {id: best_duty, name: 履职献策, pool: members, rank_by: [acts], quota: 1}
  - {id: best_overall, name: 综合, pool: members, rank_by: [acts, props], quota: 2}
"""


def test_member_awards_ranked_by_a_category_or_a_sum_of_categories_in_one_run(tmp_path, workbook):
    """By hand — 立案 proposals give each author 5: A P6 5, B P1 5, C P1+P2 10, D P3 5, E P3+P4 10,
    F (P5 不立案) 0. Visits: A 50, B 40, C 40, D 40, E 30, F 20.
    提案优胜 (props, 2 places, ties broken by member_id): C 10, E 10.
    履职献策 (acts, 1 place): A 50.   综合 (acts + props): A 55, C 50 (B 45, D 45 behind)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(FOUR_BEST_RULES, encoding="utf-8")
    lists = perfscore.assess(workbook, rules=rules).shortlists
    by_name = {sl.award.name: sl for sl in lists}
    assert list(by_name) == ["提案优胜", "履职献策", "综合"]
    assert list(by_name["提案优胜"].winners["key"]) == ["003", "005"]
    assert list(by_name["提案优胜"].winners["score"]) == [10, 10]
    assert list(by_name["履职献策"].winners["key"]) == ["001"]
    assert list(by_name["综合"].winners["key"]) == ["001", "003"]
    assert list(by_name["综合"].winners["score"]) == [55, 50]
    assert list(by_name["综合"].near_misses["key"])[:2] == ["002", "004"]
    assert "活动+提案" in by_name["综合"].winners["facts"].iloc[0]


def test_rank_by_names_a_category_of_the_rules(tmp_path):
    text = FOUR_BEST_RULES.replace("rank_by: [props]", "rank_by: [proposals]")
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text)
    assert "proposals" in caught.value.problems[0].message


def test_a_pool_of_research_reports(tmp_path):
    """By hand: R1 采用 5; R2 批示 8; R3 提交 1, and it fails the 采用-or-批示 prerequisite.
    Quota 2: R2 8, R1 5; R3 is the first left off, with the reason."""
    book = write_workbook(
        tmp_path / "reports.xlsx",
        {
            "委员名单": roster(["001", "甲", "经济界"], ["002", "乙", "教育界"]),
            "调研报告": [
                ["报告编号", "报告标题", "完成日期", "执笔人", "成果情况"],
                ["R1", "报告一", dt.date(2023, 4, 1), "甲、乙", "采用"],
                ["R2", "报告二", dt.date(2023, 5, 1), "乙", "批示"],
                ["R3", "报告三", dt.date(2023, 6, 1), "甲", "提交"],
            ],
            "活动": [["活动名称", "活动类型", "日期", "参加委员"]],  # the rules score it
        },
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        BASE_RULES
        + """\
  - id: best_report
    name: 优秀调研报告
    pool: reports
    requires: {has: [{kind: report, status: [采用, 批示]}]}
    score:
      - {match: {kind: report, status: [采用]}, points: 5}
      - {match: {kind: report, status: [批示]}, points: 8}
      - {match: {kind: report, status: [提交]}, points: 1}
    quota: 2
""",
        encoding="utf-8",
    )
    [result] = perfscore.assess(book, rules=rules).shortlists
    assert list(result.winners["key"]) == ["R2", "R1"]
    assert list(result.winners["score"]) == [8, 5]
    assert list(result.near_misses["key"]) == ["R3"]
    assert result.near_misses["note"].iloc[0] == "没有符合条件的记录：调研报告（采用、批示）"
    assert list(result.winners["facts"]) == [
        "批示；作者：乙（领衔）",
        "采用；作者：甲（领衔）、乙（附议）",
    ]


@pytest.mark.parametrize(
    ("pool", "kind", "sheet", "header", "rows"),
    [
        (
            "proposals",
            "proposal",
            "提案",
            ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态", "标记"],
            [
                ["P1", "提案一", dt.date(2023, 3, 1), "个人", "甲", "立案", ""],
                ["P2", "提案二", dt.date(2023, 8, 1), "个人", "乙", "立案", ""],
            ],
        ),
        (
            "reports",
            "report",
            "调研报告",
            ["报告编号", "报告标题", "完成日期", "执笔人", "成果情况"],
            [
                ["P1", "报告一", dt.date(2023, 3, 1), "甲", "采用"],
                ["P2", "报告二", dt.date(2023, 8, 1), "乙", "采用"],
            ],
        ),
    ],
)
def test_a_listed_item_whose_record_was_not_scored_is_warned_about(
    tmp_path, pool, kind, sheet, header, rows
):
    """甲 joined on 2023-07-01, so his item P1 (dated 03-01) is outside his term and not scored;
    the award reads every item as written and lists both P1 and P2, and the clerk is told that
    P1 was not scored — for an item pool of proposals and of research reports alike."""
    book = write_workbook(
        tmp_path / f"{pool}.xlsx",
        {
            "委员名单": roster(
                ["001", "甲", "经济界", "", "", "", "", dt.date(2023, 7, 1)],
                ["002", "乙", "教育界"],
            ),
            sheet: [header, *rows],
            "活动": [["活动名称", "活动类型", "日期", "参加委员"]],  # the rules score it
        },
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        BASE_RULES
        + f"""\
  - id: best
    name: 优秀成果
    pool: {pool}
    score:
      - {{match: {{kind: {kind}}}, points: 1}}
    quota: 2
""",
        encoding="utf-8",
    )
    result = perfscore.assess(book, rules=rules)
    [shortlist] = result.shortlists
    assert sorted(shortlist.winners["key"]) == ["P1", "P2"]
    unscored = [p for p in result.problems if "名单列入" in p.message]
    assert [(p.reason, p.sheet, p.cell[-1:], p.value) for p in unscored] == [
        ("outside_term", sheet, "2", "P1")  # row 2: P1's record
    ]


def test_a_research_report_list_names_its_column_for_reports(tmp_path, runner):
    """The public list and the Word 公示 of a `pool: reports` award head the column naming each
    candidate 报告标题, as the full shortlist sheet does (not 信息标题)."""
    book = write_workbook(
        tmp_path / "reports.xlsx",
        {
            "委员名单": roster(["001", "甲", "经济界"], ["002", "乙", "教育界"]),
            "调研报告": [
                ["报告编号", "报告标题", "完成日期", "执笔人", "成果情况"],
                ["R1", "报告一", dt.date(2023, 4, 1), "甲", "采用"],
                ["R2", "报告二", dt.date(2023, 5, 1), "乙", "批示"],
            ],
            "活动": [["活动名称", "活动类型", "日期", "参加委员"]],  # the rules score it
        },
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        BASE_RULES
        + """\
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
    notice = tmp_path / "公示.docx"
    for args in (["--out", str(notice)], ["--mask"]):
        done = runner.invoke(app, ["shortlist", str(book), "-r", str(rules), *args])
        assert done.exit_code == 0, done.output
    public = pd.read_excel(
        tmp_path / "2023年度评优名单-公开版.xlsx", header=None, dtype=str, engine="calamine"
    )
    header = public.index[public[0] == "序号"][0]
    assert public.iloc[header].tolist() == ["序号", "报告标题", "界别"]
    assert public.iloc[header + 1 :, 1].tolist() == ["报告二", "报告一"]
    with zipfile.ZipFile(notice) as docx:
        text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    assert "报告标题" in text and "信息标题" not in text
