"""`perfscore assess` on the shipped sample: every output, every member explained by its ledger."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import perfscore
from perfscore.cli import app
from perfscore.writers.commit import OutputError

from .conftest import SAMPLE, sha256

SHEETS = [
    "领导阅览版",
    "总排名",
    "分项得分",
    "双五个一",
    "双五个一来源",
    "积分明细",
    "分组统计",
    "图表",
    "规则",
]


def test_assess_writes_the_sheets_beside_the_workbook(runner, sample_copy):
    before = sha256(sample_copy)
    result = runner.invoke(app, ["assess", str(sample_copy)])
    assert result.exit_code == 0, result.output
    out = sample_copy.with_name("2023-考核结果.xlsx")
    assert out.exists()
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[: len(SHEETS)] == SHEETS
    assert sha256(sample_copy) == before, "the input workbook must never be modified"
    assert "考核委员" in result.output and "已写入" in result.output


def test_total_is_the_sum_of_ledger_lines_for_every_member(sample_result):
    sums = sample_result.ledger.groupby("member_id")["points"].sum()
    members = sample_result.members.set_index("member_id")
    assert len(members) >= 300
    diff = (members["total"] - sums.reindex(members.index).fillna(0)).abs()
    assert diff.max() < 0.005, diff.sort_values().tail()


def test_breakdown_columns_add_up_to_the_total(sample_result):
    m = sample_result.members
    parts = [c.id for c in sample_result.rules.rules.categories] + [
        "base",
        "checklist_bonus",
        "total_adjust",
    ]
    assert ((m[parts].sum(axis=1) - m["total"]).abs() < 0.005).all()


def test_every_scored_line_from_a_sheet_names_its_cell(sample_result):
    ledger = sample_result.ledger
    from_sheets = ledger[ledger["row"] > 0]
    assert len(from_sheets) > 1000
    pattern = r"^[^!]+![A-Z]+\d+$"
    assert from_sheets["source"].str.match(pattern).all()
    assert (from_sheets["source"].str.extract(r"(\d+)$")[0].astype(int) == from_sheets["row"]).all()


def test_ranks_share_places_on_equal_totals(sample_result):
    m = sample_result.members
    expected = m["total"].rank(method="min", ascending=False).astype(int)
    assert (m["rank"] == expected).all()
    assert m["rank"].is_monotonic_increasing
    assert m["rank"].iloc[0] == 1


def test_grades_follow_the_bands_and_the_checklist(sample_result):
    m = sample_result.members
    complete = m["checklist_done"] == m["checklist_total"]
    cases = {
        "below 60": (m["total"] < 60, {"不称职"}),
        "85 and over, checklist complete": ((m["total"] >= 85) & complete, {"优秀"}),
        "85 and over, checklist not complete": ((m["total"] >= 85) & ~complete, {"良好"}),
        "75 to under 85": ((m["total"] >= 75) & (m["total"] < 85), {"良好"}),
    }
    for label, (rows, grades) in cases.items():
        assert rows.any(), f"the sample should have members {label}"
        assert set(m.loc[rows, "grade"]) == grades, label
    demoted = m[(m["total"] >= 85) & ~complete]
    assert (demoted["grade_note"].str.contains("不能评为优秀")).all()
    assert (m.loc[m["grade"] == "优秀", "grade_note"] == "").all()


def test_group_summaries_count_each_member_once_per_group(sample_result):
    groups = sample_result.groups
    sectors = groups[groups["dimension"] == "界别"]
    assert sectors["members"].sum() == len(sample_result.members)
    m = sample_result.members
    for row in sectors.itertuples():
        in_group = m[m["sector"] == row.group]
        assert row.members == len(in_group)
        assert row.mean == pytest.approx(in_group["total"].mean(), abs=0.005)


def test_json_twin_has_the_same_content(runner, sample_copy, tmp_path, sample_result):
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["assess", str(sample_copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["year"] == sample_result.year
    members = pd.DataFrame(doc["members"])
    assert list(members["member_id"]) == list(sample_result.members["member_id"])
    assert members["total"].tolist() == sample_result.members["total"].tolist()
    assert len(doc["ledger"]) == len(sample_result.ledger)
    assert doc["rules"]["sha256"] == sha256(Path(perfscore.load_rules().path))


def test_same_input_gives_the_same_bytes(runner, sample_copy, tmp_path):
    outputs = []
    for run in range(2):
        for suffix in ("xlsx", "json"):
            out = tmp_path / f"run{run}.{suffix}"
            assert (
                runner.invoke(app, ["assess", str(sample_copy), "--out", str(out)]).exit_code == 0
            )
            outputs.append(sha256(out))
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


@pytest.mark.parametrize("pick", ["first", "middle", "last"])
def test_explain_answers_for_any_member(runner, sample_result, pick):
    m = sample_result.members
    member = m.iloc[{"first": 0, "middle": len(m) // 2, "last": len(m) - 1}[pick]]
    result = runner.invoke(
        app, ["explain", str(SAMPLE), member["member_id"]], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    total = f"{member['total']:.2f}"
    assert f"= {total}" in result.output
    lines = sample_result.ledger[sample_result.ledger["member_id"] == member["member_id"]]
    assert f"{len(lines)} 条明细之和" in result.output
    for source in lines["source"][lines["source"] != ""].head(5):
        assert source in result.output


def test_explain_by_unique_name_matches_by_id(runner, sample_result):
    m = sample_result.members
    unique = m[~m["name"].duplicated(keep=False)].iloc[3]
    by_name = runner.invoke(app, ["explain", str(SAMPLE), unique["name"]], env={"COLUMNS": "200"})
    by_id = runner.invoke(
        app, ["explain", str(SAMPLE), unique["member_id"]], env={"COLUMNS": "200"}
    )
    assert by_name.exit_code == 0 and by_name.output == by_id.output


def test_explain_an_unknown_member_suggests_names(runner, sample_result):
    name = sample_result.members["name"].iloc[0]
    typo = name[:-1] + ("甲" if name[-1] != "甲" else "乙")
    result = runner.invoke(app, ["explain", str(SAMPLE), typo])
    assert result.exit_code == 2
    assert "找不到委员" in result.output and f"是不是：{name}" in result.output


def test_explain_shows_a_mid_year_members_term_and_skipped_record(runner):
    # 0320 胡俊洋 joined 2023-06-15; the 2023-01-08 plenary row (会议出勤!D354) is outside the term.
    result = runner.invoke(app, ["explain", str(SAMPLE), "0320"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "任期：2023-06-15 至 年底" in result.output
    assert "提示：会议出勤!D354" in result.output and "不在任期内" in result.output


def test_a_ledger_too_long_for_the_workbook_goes_beside_it_whole(runner, sample_copy, monkeypatch):
    import csv

    import perfscore.writers.xlsx as xlsx

    monkeypatch.setattr(
        xlsx, "LEDGER_SHEET_LINES", 100
    )  # the sample's ~7,700 lines count as "long"
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 5001)  # and split over two CSV files
    result = runner.invoke(app, ["assess", str(sample_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = sample_copy.with_name("2023-考核结果.xlsx")
    parts = [
        sample_copy.with_name("2023-考核结果-积分明细.csv"),
        sample_copy.with_name("2023-考核结果-积分明细-2.csv"),
    ]
    for part in parts:
        assert part.exists() and f"已写入：{part}" in result.output
    rows = []
    for part in parts:
        with part.open(encoding="utf-8-sig", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    expected = perfscore.assess(sample_copy).ledger
    assert len(rows) == len(expected)
    assert abs(sum(float(r["分值"]) for r in rows) - expected["points"].sum()) < 0.01
    note = [
        row[0]
        for row in openpyxl.load_workbook(out, read_only=True)["积分明细"].iter_rows(
            values_only=True
        )
    ]
    assert any(parts[0].name in str(line) for line in note)


def test_the_ledger_beside_is_written_on_another_core_with_the_same_bytes(
    sample_result, tmp_path, monkeypatch
):
    """Where it can fork (Linux, 2+ cores), the long-ledger CSV is written by a child process
    while the workbook is written: the files are those of the one-core way, byte for byte."""
    import perfscore.writers.xlsx as xlsx
    from perfscore.writers.background import can_fork

    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 100)
    result = sample_result
    outputs = {}
    for way, env in (("forked", "0"), ("in order", "1")):
        monkeypatch.setenv("PERFSCORE_NO_FORK", env)
        out = tmp_path / way / "结果.xlsx"
        out.parent.mkdir()
        perfscore.write_outputs(result, out)
        outputs[way] = sorted((p.name, p.read_bytes()) for p in out.parent.iterdir())
    assert [name for name, _ in outputs["forked"]] == ["结果-积分明细.csv", "结果.xlsx"]
    assert outputs["forked"] == outputs["in order"]
    monkeypatch.setenv("PERFSCORE_NO_FORK", "0")
    assert can_fork() == (sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1)


@pytest.mark.parametrize("no_fork", ["0", "1"])
def test_a_failure_writing_the_ledger_beside_leaves_no_workbook_and_no_temporary_file(
    sample_result, tmp_path, monkeypatch, no_fork
):
    import perfscore.writers.xlsx as xlsx

    def disk_full(*_args):
        raise OSError(28, "磁盘空间不足")

    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 100)
    monkeypatch.setattr(xlsx, "_write_ledger_csv", disk_full)
    monkeypatch.setenv("PERFSCORE_NO_FORK", no_fork)
    result = sample_result
    out = tmp_path / "结果.xlsx"
    with pytest.raises(OutputError, match=r"^磁盘空间不足"):
        perfscore.write_outputs(result, out)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_reported_as_such_not_as_an_internal_error(runner, sample_copy, monkeypatch):
    import perfscore.writers.xlsx as xlsx

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 100)
    monkeypatch.setattr(xlsx, "_write_ledger_csv", disk_full)
    result = runner.invoke(app, ["assess", str(sample_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert result.output.startswith("磁盘空间不足，无法写出结果到")
    assert len(result.output.strip().splitlines()) == 1
    assert "内部错误" not in result.output
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == [sample_copy.name]


def test_a_failure_building_the_sheets_leaves_no_ledger_writer_behind(
    sample_result, tmp_path, monkeypatch
):
    import perfscore.writers.xlsx as xlsx

    def broken(_assessment):
        raise RuntimeError("图表出错")

    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 100)
    monkeypatch.setattr(xlsx, "assessment_charts", broken)
    monkeypatch.setenv("PERFSCORE_NO_FORK", "0")
    result = sample_result
    with pytest.raises(RuntimeError, match="图表出错"):
        perfscore.write_outputs(result, tmp_path / "结果.xlsx")
    assert list(tmp_path.iterdir()) == []  # no CSV, no temporary file, nothing still being written


def test_a_ledger_writer_killed_midway_is_reported_and_its_temporary_file_removed(
    sample_result, tmp_path, monkeypatch
):
    import signal

    import perfscore.writers.xlsx as xlsx
    from perfscore.writers.background import can_fork
    from perfscore.writers.common import atomic_path

    monkeypatch.setenv("PERFSCORE_NO_FORK", "0")
    if not can_fork():
        pytest.skip("the ledger is written in order here: there is no child to lose")

    def killed(_table, out, _decimals):
        path = xlsx.ledger_csv_paths(out, 1)[0]
        with atomic_path(path) as tmp:
            tmp.write_text("委员编号,姓名\r\n", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would

    monkeypatch.setattr(xlsx, "LEDGER_SHEET_LINES", 100)
    monkeypatch.setattr(xlsx, "_write_ledger_csv", killed)
    result = sample_result
    with pytest.raises(OSError, match="后台写出进程异常退出（退出码 -9）"):
        perfscore.write_outputs(result, tmp_path / "结果.xlsx")
    assert list(tmp_path.iterdir()) == []
