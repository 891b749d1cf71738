"""An independent, hand-checked fixture: 10 members whose every total was computed on paper.

Given tests/fixtures/hand/hand.xlsx (written by make_hand.py) and hand-rules.yaml, each member's
total, grade and ranks below were derived by hand from docs/scoring.md — not by running
perfscore. The comments show the arithmetic line by line, with the source rows (Excel row
numbers; row 1 is the header). If a number here disagrees with the engine, re-derive it by hand
from docs/scoring.md before changing anything.

Rules in short (hand-rules.yaml):
  base 40; total max 100; decimals 2, half_up; outside_term skip; tie_break [information, member_id]
  meetings    start 20, min 0: 全体会议 请假 −2 / 请假未批准 −8 / 缺席 −8 / 迟到 −1 / 早退 −1;
              常委会议 (standing: true) 请假 −1 / 请假未批准 −5 / 缺席 −5;
              专题协商会·双月座谈会 请假未批准 −3 / 缺席 −3 / 迟到 −0.5 / 早退 −0.5
  proposals   max 30: filed 立案 领衔 10 / 附议 4, max_authors 3; merged 并案 领衔 5 / 附议 2;
              not_filed 不立案 领衔 1, item max 2; more_filed 立案 领衔 3 from_nth 2;
              key 重点提案 6 first_only
  information max 20: submitted 5, split lead_share 0.75; adopted 采用 县2/市4/省8/全国15
              stack highest; instructed 批示 市5/省10 stack cumulative
  activities  max 12: training 全程 3 / 部分 1; speech 书面 3 / 口头 2 count once;
              events 视察·调研 2, item max 6
  reports     max 10: 提交 3 / 采用 6 / 批示 8
  checklist   四个一 (提一案 = proposal OR duty 提一案; 联一村; 培训; 信息 = information OR duty
              提交一条社情民意信息), bonus 4 when all 4 done
  grades      优秀 ≥ 90 (requires checklist) / 良好 ≥ 80 / 称职 ≥ 60 / 不称职
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HAND = Path(__file__).resolve().parent / "fixtures" / "hand"
XLSX = HAND / "hand.xlsx"
RULES = HAND / "hand-rules.yaml"

# member_id: (name, total, grade, rank, sector_rank, committee_rank, checklist_done)
EXPECTED = {
    # 0001 王建国 (常委, 经济界, 经济委) — proposals category cap and total cap both bite
    #   base                                                   40
    #   meetings.start                                         20
    #   meetings.standing  会议出勤 r34 常委会议 请假           −1   → meetings 19
    #   proposals.filed    提案 r2 2023001 pos1 领衔            10
    #                      提案 r3 2023002 领衔                 10
    #                      提案 r4 2023003 领衔                 10
    #   proposals.more_filed  领衔立案 by date r2, r3, r4: first (r2) dropped → r3 3 + r4 3 = 6
    #   proposals.key      r2 重点提案, first_only pos1         6
    #     proposals sum 30 + 6 + 6 = 42 > 30 → proposals.cap  −12   → proposals 30
    #   information.submitted  X2023-01 sole author             5
    #   information.adopted    X2023-01 市 4 (r2), 省 8 (r3), stack highest → 8 only
    #     information 5 + 8 = 13
    #   activities  training 全程 3 (活动 r2), speech 书面 3 (r4), events 视察 2 (r9) + 调研 2 (r10)
    #     = 10 (events 4 ≤ 6, category 10 ≤ 12)
    #   reports  D2023-01 批示 8
    #   checklist 4/4 (提案, 联一村, 培训, 信息) → checklist.bonus 4
    #   sum 40 + 19 + 30 + 13 + 10 + 8 + 4 = 124 > 100 → total.cap −24 → 100
    #   100 ≥ 90, checklist complete → 优秀; rank 1
    "0001": ("王建国", 100.00, "优秀", 1, 1, 1, 4),
    # 0002 李秀英 (教育界, 提案委) — exactly on the 优秀 bound with a complete checklist
    #   base 40; meetings.start 20, all 出席 → 20
    #   proposals.filed  r2 2023001 pos2 附议 4 (≤ max_authors 3); r5 2023004 领衔 10 → 14
    #   more_filed: her only 领衔立案 (r5) is the 1st → dropped; key: pos2 → first_only drops → 0
    #   information  X2023-03 sole 5 + adopted 县 2 = 7
    #   activities   training 全程 3 + speech 口头 2 = 5
    #   checklist 4/4 → bonus 4
    #   total 40 + 20 + 14 + 7 + 5 + 4 = 90 → 90 ≥ 90 (min included), checklist done → 优秀
    #   rank 2 (shared with 0003)
    "0002": ("李秀英", 90.00, "优秀", 2, 1, 1, 4),
    # 0003 张伟 (常委, 经济界, 提案委) — status gates, item cap, cumulative stack, demoted
    #   base 40
    #   meetings.start 20; plenary r4 请假 −2; standing r22 缺席 −5; other r25 专题协商会 缺席 −3
    #     → 20 − 2 − 5 − 3 = 10
    #   proposals.filed   r2 2023001 pos3 附议 4; r6 2023005 pos1 领衔 10         = 14
    #   proposals.merged  r8 2023007 并案 pos2 附议                            2
    #   proposals.not_filed  r9, r10, r11 不立案 领衔 1 + 1 + 1 = 3 > max 2 → cap −1 = 2
    #   more_filed: only one 领衔立案 (r6) → dropped; key: pos3 → 0
    #     proposals 14 + 2 + 2 = 18 (≤ 30)
    #   information.submitted X2023-04 sole 5; instructed 市 5 (采用 r5) + 省 10 (r6), cumulative = 15
    #     information 20 — equal to max 20, not above → no information.cap line
    #   activities events 视察 r9 2
    #   checklist 2/4 (提案, 信息; no 联一村 — 帮一企 is not on the list —, no 培训) → no bonus
    #   total 40 + 10 + 18 + 20 + 2 = 90 → 优秀 requires checklist → skipped → 良好; rank 2
    "0003": ("张伟", 90.00, "良好", 2, 2, 1, 2),
    # 0004 刘洋 (民盟, 文史委) — 89.5, just below 90: 良好 even with a complete checklist
    #   base 40; meetings.start 20; other r30 双月座谈会 迟到 −0.5 → 19.5
    #   proposals.filed  r7 2023006 pos1 领衔 10; r13 2023012 领衔 10 = 20
    #   proposals.more_filed  r7 (01-10) dropped, r13 (03-05) 3 → proposals 23
    #   activities  training 部分 1 (活动 r3) + events 视察 2 (r9) = 3
    #   checklist 4/4: 提案 ✓, 联一村 ✓, 培训 ✓, 信息 via the duty 提交一条社情民意信息 (OR) ✓ → bonus 4
    #   total 40 + 19.5 + 23 + 3 + 4 = 89.5 → < 90 → 良好; rank 4
    "0004": ("刘洋", 89.50, "良好", 4, 1, 1, 4),
    # 0005 陈静 (教育界, 经济委) — exactly on the 良好 bound; count: once
    #   base 40; meetings 20 (all 出席)
    #   proposals.merged  r8 2023007 并案 pos1 领衔 5
    #   information.submitted X2023-05 sole 5
    #   activities  training 部分 1; speech 口头 2 (r7, 04-20) and 书面 3 (r8, 06-20):
    #     count once keeps the most points → 3 → activities 4
    #   reports  D2023-02 采用, credit each → 6
    #   checklist 3/4 (no 联一村) → no bonus
    #   total 40 + 20 + 5 + 5 + 4 + 6 = 80 → 80 ≥ 80 → 良好; rank 6
    "0005": ("陈静", 80.00, "良好", 6, 2, 3, 3),
    # 0006 杨帆 (民盟, 提案委) — split lead share; events item cap; standing item skipped
    #   base 40; meetings.start 20; r23 常委会议 缺席 but 杨帆 is not 常委 → standing: true
    #     excludes it → meetings 20
    #   proposals.filed  r6 2023005 pos2 附议 4
    #   information.submitted  X2023-02, 3 authors, pos1: 5 × 0.75 = 3.75
    #   activities events 视察 r9, 调研 r10, 视察 r11, 调研 r12 = 4 × 2 = 8 > 6 → cap −2 → 6
    #   checklist 2/4 → no bonus
    #   total 40 + 20 + 4 + 3.75 + 6 = 73.75 → 称职; rank 7
    "0006": ("杨帆", 73.75, "称职", 7, 3, 3, 2),
    # 0007 赵磊 (经济界, 文史委) — the meetings floor (min 0) bites
    #   base 40; meetings.start 20; plenary r8 缺席 −8, r18 请假未批准 −8;
    #     other r27 缺席 −3, r31 缺席 −3 → 20 − 22 = −2 < 0 → meetings.cap +2 → 0
    #   activities training 全程 3
    #   checklist 1/4
    #   total 40 + 0 + 3 = 43 → 不称职; rank 10
    "0007": ("赵磊", 43.00, "不称职", 10, 4, 3, 1),
    # 0008 黄敏 (教育界, 文史委, 任职起始 2023-07-01) — mid-year member
    #   base 40; meetings.start 20; r9 全体会议 01-10 缺席 is before 07-01 → not scored (would be −8)
    #     r32 双月座谈会 出席 → nothing → meetings 20
    #   reports D2023-02 (07-15) pos2 采用, each → 6
    #   activities events 调研 r12 (09-20) 2
    #   checklist 0/4
    #   total 40 + 20 + 6 + 2 = 68 → 称职; rank 9
    "0008": ("黄敏", 68.00, "称职", 9, 3, 2, 0),
    # 0009 周强 (民盟, 经济委) — split remainder rounded half_up; highest stack; category cap bites
    #   base 40; meetings.start 20; other r28 迟到 −0.5, r33 早退 −0.5 → 19
    #   proposals.filed r7 2023006 pos2 附议 4
    #   information.submitted X2023-02 pos2: 5 × (1 − 0.75) / (3 − 1) = 0.625 → half_up 0.63
    #                         X2023-06 sole 5
    #   information.adopted   X2023-06 省 8 (r7), 全国 15 (r8), stack highest → 15
    #     information 0.63 + 5 + 15 = 20.63 > 20 → information.cap −0.63 → 20
    #   activities speech 书面 3; reports D2023-03 提交 3
    #   checklist 2/4
    #   total 40 + 19 + 4 + 20 + 3 + 3 = 89 → 良好; rank 5
    "0009": ("周强", 89.00, "良好", 5, 2, 2, 2),
    # 0010 吴芳 (经济界, 提案委) — max_authors drops her; half_up shows in the total
    #   base 40; meetings 20
    #   proposals  r2 2023001 pos4 > max_authors 3 → no filed line; key first_only → none;
    #              r12 2023011 不立案 领衔 not_filed 1 → proposals 1
    #   information.submitted X2023-02 pos3: 5 × 0.25 / 2 = 0.625 → 0.63
    #   activities training 全程 3; reports D2023-03 pos2 提交 3
    #   checklist 4/4 (提案 via r12 as well as r2) → bonus 4
    #   total 40 + 20 + 1 + 0.63 + 3 + 3 + 4 = 71.63 → 称职; rank 8
    "0010": ("吴芳", 71.63, "称职", 8, 3, 4, 4),
}
# Ranks: 100 (1), 90 90 (2 2), 89.5 (4), 89 (5), 80 (6), 73.75 (7), 71.63 (8), 68 (9), 43 (10)
# 界别  经济界 0001 100 / 0003 90 / 0010 71.63 / 0007 43 → 1 2 3 4
#       教育界 0002 90 / 0005 80 / 0008 68 → 1 2 3;  民盟 0004 89.5 / 0009 89 / 0006 73.75 → 1 2 3
# 专委会 经济委 0001 / 0009 / 0005 → 1 2 3;  提案委 0002 90, 0003 90, 0006 73.75, 0010 71.63 → 1 1 3 4
#       文史委 0004 89.5 / 0008 68 / 0007 43 → 1 2 3

IDS = sorted(EXPECTED)


@pytest.fixture(scope="module")
def result():
    import perfscore

    return perfscore.assess(XLSX, rules=RULES)


@pytest.fixture(scope="module")
def members(result):
    return result.members.set_index("member_id", drop=False)


@pytest.fixture(scope="module")
def ledger(result):
    return result.ledger


def lines(ledger, member_id, **where):
    rows = ledger[ledger["member_id"] == member_id]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows


def test_every_member_once(members):
    assert sorted(members["member_id"]) == IDS
    assert len(members) == 10


@pytest.mark.parametrize("member_id", IDS)
def test_total_grade_rank(members, member_id):
    name, total, grade, rank, _, _, _ = EXPECTED[member_id]
    row = members.loc[member_id]
    assert row["name"] == name
    assert row["total"] == pytest.approx(total, abs=0.005)
    assert row["grade"] == grade
    assert int(row["rank"]) == rank


@pytest.mark.parametrize("member_id", IDS)
def test_group_ranks_and_checklist(members, member_id):
    _, _, _, _, sector_rank, committee_rank, done = EXPECTED[member_id]
    row = members.loc[member_id]
    assert int(row["sector_rank"]) == sector_rank
    assert int(row["committee_rank"]) == committee_rank
    assert int(row["checklist_done"]) == done


@pytest.mark.parametrize("member_id", IDS)
def test_total_is_sum_of_ledger(members, ledger, member_id):
    own = lines(ledger, member_id)
    assert round(float(own["points"].sum()), 2) == pytest.approx(
        float(members.loc[member_id, "total"]), abs=0.005
    )
    assert round(float(own["points"].sum()), 2) == pytest.approx(EXPECTED[member_id][1], abs=0.005)


def test_ranks_shared_and_skipped(members):
    ranks = sorted(int(r) for r in members["rank"])
    assert ranks == [1, 2, 2, 4, 5, 6, 7, 8, 9, 10]


def test_tied_members_listed_by_tie_break(result):
    # tie_break [information, member_id]: 0003 has information 20, 0002 has 7 → 0003 listed first
    order = list(result.members["member_id"])
    assert order.index("0003") < order.index("0002")


def test_base_and_start_lines(ledger):
    for member_id in IDS:
        base = lines(ledger, member_id, rule_id="base")
        assert list(base["points"]) == [40]
        assert list(base["category"]) == [""]
        assert list(lines(ledger, member_id, rule_id="meetings.start")["points"]) == [20]


def test_caps_0001(ledger):
    cap = lines(ledger, "0001", rule_id="proposals.cap")
    assert list(cap["points"]) == [pytest.approx(-12.0)]
    total_cap = lines(ledger, "0001", rule_id="total.cap")
    assert list(total_cap["points"]) == [pytest.approx(-24.0)]
    assert list(total_cap["category"]) == [""]
    assert list(lines(ledger, "0001", rule_id="checklist.bonus")["points"]) == [pytest.approx(4.0)]


def test_from_nth_and_first_only(ledger):
    more = lines(ledger, "0001", rule_id="proposals.more_filed")
    assert sorted(zip(more["row"], more["points"])) == [(3, 3.0), (4, 3.0)]
    assert set(more["sheet"]) == {"提案"}
    more4 = lines(ledger, "0004", rule_id="proposals.more_filed")
    assert list(zip(more4["row"], more4["points"])) == [(13, 3.0)]
    key = ledger[ledger["rule_id"] == "proposals.key"]
    assert list(zip(key["member_id"], key["points"])) == [("0001", 6.0)]


def test_max_authors_drops_fourth_proposer(ledger):
    filed = ledger[
        (ledger["rule_id"] == "proposals.filed")
        & (ledger["sheet"] == "提案")
        & (ledger["row"] == 2)
    ]
    assert sorted(zip(filed["member_id"], filed["points"])) == [
        ("0001", 10.0),
        ("0002", 4.0),
        ("0003", 4.0),
    ]
    assert lines(ledger, "0010", rule_id="proposals.filed").empty
    assert list(lines(ledger, "0010", rule_id="proposals.not_filed")["points"]) == [1.0]


def test_status_gates_and_item_cap_0003(ledger):
    assert sorted(lines(ledger, "0003", rule_id="proposals.filed")["points"]) == [4.0, 10.0]
    assert list(lines(ledger, "0003", rule_id="proposals.merged")["points"]) == [2.0]
    # three 不立案 lines of +1 and one item cap line of −1 (封顶)
    props = lines(ledger, "0003", category="proposals")
    assert sorted(props[props["row"].isin([9, 10, 11]) & (props["sheet"] == "提案")]["points"]) == [
        1.0,
        1.0,
        1.0,
    ]
    capped = props[props["points"] < 0]
    assert list(capped["points"]) == [pytest.approx(-1.0)]
    assert "封顶" in capped["note"].iloc[0]
    assert capped["rule_id"].iloc[0] != "proposals.cap"  # an item cap, not the category cap
    assert lines(ledger, "0003", rule_id="proposals.cap").empty


def test_stack_cumulative_0003(ledger):
    instructed = lines(ledger, "0003", rule_id="information.instructed")
    assert sorted(zip(instructed["row"], instructed["points"])) == [(5, 5.0), (6, 10.0)]
    assert set(instructed["sheet"]) == {"信息采用"}
    assert lines(ledger, "0003", rule_id="information.cap").empty  # exactly 20 is not above 20


def test_stack_highest(ledger):
    adopted = lines(ledger, "0001", rule_id="information.adopted")
    assert list(zip(adopted["row"], adopted["points"])) == [(3, 8.0)]
    adopted9 = lines(ledger, "0009", rule_id="information.adopted")
    assert list(zip(adopted9["row"], adopted9["points"])) == [(8, 15.0)]


def test_split_three_authors_half_up(ledger):
    split = ledger[
        (ledger["rule_id"] == "information.submitted")
        & (ledger["sheet"] == "社情民意")
        & (ledger["row"] == 3)
    ]
    got = {m: float(p) for m, p in zip(split["member_id"], split["points"])}
    assert got == {
        "0006": pytest.approx(3.75),
        "0009": pytest.approx(0.63),
        "0010": pytest.approx(0.63),
    }
    assert all(str(s).startswith("社情民意!") for s in split["source"])


def test_category_cap_information_0009(ledger):
    cap = lines(ledger, "0009", rule_id="information.cap")
    assert list(cap["points"]) == [pytest.approx(-0.63)]


def test_meetings_floor_0007(ledger):
    cap = lines(ledger, "0007", rule_id="meetings.cap")
    assert list(cap["points"]) == [pytest.approx(2.0)]
    meetings = lines(ledger, "0007", category="meetings")
    assert float(meetings["points"].sum()) == pytest.approx(0.0)


def test_standing_only_for_standing_members(ledger):
    assert list(lines(ledger, "0003", rule_id="meetings.standing")["points"]) == [-5.0]
    assert list(lines(ledger, "0001", rule_id="meetings.standing")["points"]) == [-1.0]
    # 杨帆 (not 常委) is recorded 缺席 at the 常委会议 in row 23: no line at all
    assert ledger[(ledger["sheet"] == "会议出勤") & (ledger["row"] == 23)].empty
    assert lines(ledger, "0006", category="meetings")["points"].sum() == pytest.approx(20.0)


def test_count_once_0005(ledger):
    speech = lines(ledger, "0005", rule_id="activities.speech")
    assert list(zip(speech["row"], speech["points"])) == [(8, 3.0)]


def test_item_cap_events_0006(ledger):
    events = lines(ledger, "0006", category="activities")
    assert sorted(events["points"]) == [-2.0, 2.0, 2.0, 2.0, 2.0]
    assert "封顶" in events[events["points"] < 0]["note"].iloc[0]


def test_checklist_bonus_only_when_complete(ledger):
    bonus = ledger[ledger["rule_id"] == "checklist.bonus"]
    assert sorted(bonus["member_id"]) == ["0001", "0002", "0004", "0010"]
    assert set(bonus["points"]) == {4.0}


def test_total_cap_only_0001(ledger):
    assert list(ledger[ledger["rule_id"] == "total.cap"]["member_id"]) == ["0001"]


def test_record_before_term_start_skipped(result, ledger):
    # 会议出勤 row 9: 黄敏 缺席 at the 01-10 全体会议, before her 任职起始 2023-07-01
    assert ledger[(ledger["sheet"] == "会议出勤") & (ledger["row"] == 9)].empty
    assert lines(ledger, "0008", rule_id="meetings.plenary").empty
    texts = [str(w) for w in result.warnings]
    assert any(("黄敏" in t or "0008" in t) for t in texts), texts
    about = [w for w in result.warnings if "黄敏" in str(w) or "0008" in str(w)]
    assert any(
        str(getattr(w, "reason", "")) == "outside_term" or "会议出勤" in str(w) for w in about
    ), texts


def test_cli_assess(tmp_path):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from perfscore.cli import app

    xlsx = tmp_path / "hand.xlsx"
    rules = tmp_path / "hand-rules.yaml"
    shutil.copyfile(XLSX, xlsx)
    shutil.copyfile(RULES, rules)
    out = tmp_path / "out.xlsx"
    run = CliRunner().invoke(app, ["assess", str(xlsx), "--rules", str(rules), "--out", str(out)])
    assert run.exit_code == 0, run.output
    book = load_workbook(out, read_only=True)
    for name in ["总排名", "分项得分", "双五个一", "积分明细", "分组统计", "规则"]:
        assert name in book.sheetnames
    book.close()
