"""`perfscore combine`: three small units compared, with every figure computed by hand below.

Rules (RULES): 视察 2 points, 提案 5 points; checklist 两个一 = 提一案 (any proposal) and 联一村
(a 联一村 duty); grades 优秀 ≥ 7, 合格 ≥ 2, else 不合格; award 优秀委员: graded 优秀, 1 place.

甲县政协 (named above the roster): 张三 提案 + 视察 = 7 (优秀, 2/2), 李四 视察 = 2 (合格, 联一村 1/2),
  王五 0 (不合格, 0/2). Mean 3.00, median 2.00; 活动 avg 4/3 = 1.33, 提案 5/3 = 1.67; 优秀委员 1.
乙县政协 (named on 填表说明): 钱七 提案 = 5 (合格, 2/2), 赵六 视察×2 = 4 (合格, 联一村 1/2).
  Mean 4.50, median 4.50; 活动 2.00, 提案 2.50; 优秀委员 0 (no one 优秀).
丙县 (names no unit: the file name): 孙八 提案 + 视察 = 7 (优秀, 提一案 1/2), 周九 2, 吴十 2
  (合格, 0/2), 郑一 0 (不合格). Mean 11/4 = 2.75, median 2.00; 活动 6/4 = 1.50, 提案 5/4 = 1.25; 优秀委员 1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from perfscore.api import archive_assessment, assess, combine, write_combined, write_outputs
from perfscore.cli import app
from perfscore.errors import UsageError

from .conftest import roster, write_workbook

RULES = """\
scheme: 汇总测试办法
term: {name: 第十届, first_year: 2022, last_year: 2026}
categories:
  - id: acts
    name: 活动
    items:
      - {id: visit, name: 视察, match: {kind: activity, type: [视察]}, points: 2}
  - id: props
    name: 提案
    items:
      - {id: any, name: 提案, match: {kind: proposal}, points: 5}
checklist:
  name: 两个一
  items:
    - name: 提一案
      any_of: [{kind: proposal}]
    - name: 联一村
      any_of: [{kind: duty, type: [联一村]}]
grades:
  - {grade: 优秀, min: 7}
  - {grade: 合格, min: 2}
  - {grade: 不合格}
awards:
  - id: star
    name: 优秀委员
    pool: members
    requires: {grades: [优秀]}
    quota: 1
"""

PROPOSALS = ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态"]
ACTIVITIES = ["活动名称", "活动类型", "日期", "参加委员"]
DUTIES = ["委员", "项目", "日期"]


def _unit_a(path: Path, year: int = 2023) -> Path:
    d = dt.date(year, 5, 1)
    return write_workbook(
        path,
        {
            "委员名单": roster(
                ["001", "张三", "经济界"], ["002", "李四", "教育界"], ["003", "王五", "经济界"]
            ),
            "提案": [PROPOSALS, ["P1", "关于一", d, "个人", "张三", "立案"]],
            "活动": [ACTIVITIES, ["视察一", "视察", d, "张三、李四"]],
            "双五个一": [DUTIES, ["张三", "联一村", d], ["李四", "联一村", d]],
        },
        title_rows={"委员名单": "单位：甲县政协"},
    )


def _unit_b(path: Path) -> Path:
    d = dt.date(2023, 6, 1)
    return write_workbook(
        path,
        {
            "填表说明": [["2023年度委员履职登记 · 填表说明"], ["单位", "乙县政协"]],
            "委员名单": roster(["001", "赵六", "经济界"], ["002", "钱七", "教育界"]),
            "提案": [PROPOSALS, ["P1", "关于二", d, "个人", "钱七", "立案"]],
            "活动": [ACTIVITIES, ["视察一", "视察", d, "赵六"], ["视察二", "视察", d, "赵六"]],
            "双五个一": [DUTIES, ["赵六", "联一村", d], ["钱七", "联一村", d]],
        },
    )


def _unit_c(path: Path, year: int = 2023) -> Path:
    d = dt.date(year, 7, 1)
    return write_workbook(
        path,
        {
            "委员名单": roster(
                ["001", "孙八", "经济界"],
                ["002", "周九", "教育界"],
                ["003", "吴十", "教育界"],
                ["004", "郑一", "经济界"],
            ),
            "提案": [PROPOSALS, ["P1", "关于三", d, "个人", "孙八", "立案"]],
            "活动": [ACTIVITIES, ["视察一", "视察", d, "孙八、周九、吴十"]],
            "双五个一": [DUTIES],  # kept, nothing entered
        },
    )


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The three units assessed under RULES: their .xlsx and .json results, in the order A, B, C,
    and one archive holding the three (甲县政协 and 乙县政协 under the unit their workbooks name,
    丙县, which names none, under --unit 丙县). Made once for the module; the tests only read
    them (a test that adds to the archive copies it first)."""
    tmp_path = tmp_path_factory.mktemp("units")
    rules = tmp_path / "汇总测试.yaml"
    rules.write_text(RULES, encoding="utf-8")
    archive = tmp_path / "档案.sqlite"
    results: dict[str, list] = {"xlsx": [], "json": [], "assessments": []}
    for make, name in ((_unit_a, "a"), (_unit_b, "b"), (_unit_c, "丙县")):
        workbook = make(tmp_path / f"{name}.xlsx")
        result = assess(workbook, rules)
        archive_assessment(
            result, archive, workbook=workbook, unit="丙县" if name == "丙县" else None
        )
        results["assessments"].append(result)
        for suffix in ("xlsx", "json"):
            out = tmp_path / f"{name}-考核结果.{suffix}"
            write_outputs(result, out, source=workbook)
            results[suffix].append(out)
    return {"rules": rules, "dir": tmp_path, "archive": archive, **results}


def _by_unit(table: pd.DataFrame, column: str) -> dict:
    return dict(zip(table["单位"], table[column], strict=True))


def test_three_units_compared_with_hand_computed_figures(units):
    c = combine(units["xlsx"])
    assert [u.unit for u in c.units] == ["甲县政协", "乙县政协", "丙县"]
    assert [u.unit_from for u in c.units] == ["工作簿", "工作簿", "文件名"]

    overview = c.tables["单位对比"]
    assert list(overview["单位"]) == ["乙县政协", "甲县政协", "丙县"]  # by average, best first
    assert _by_unit(overview, "人数") == {"甲县政协": 3, "乙县政协": 2, "丙县": 4}
    assert _by_unit(overview, "平均分") == {"甲县政协": 3.0, "乙县政协": 4.5, "丙县": 2.75}
    assert _by_unit(overview, "中位数") == {"甲县政协": 2.0, "乙县政协": 4.5, "丙县": 2.0}
    assert _by_unit(overview, "平均分名次（高者为先）") == {"乙县政协": 1, "甲县政协": 2, "丙县": 3}
    # equal medians share a place: 1, 2, 2
    assert _by_unit(overview, "中位数名次（高者为先）") == {"乙县政协": 1, "甲县政协": 2, "丙县": 2}
    assert _by_unit(overview, "最高分") == {"甲县政协": 7.0, "乙县政协": 5.0, "丙县": 7.0}

    grades = c.tables["等次分布"]
    assert _by_unit(grades, "优秀人数") == {"甲县政协": 1, "乙县政协": 0, "丙县": 1}
    assert _by_unit(grades, "合格人数") == {"甲县政协": 1, "乙县政协": 2, "丙县": 2}
    assert _by_unit(grades, "不合格人数") == {"甲县政协": 1, "乙县政协": 0, "丙县": 1}
    assert _by_unit(grades, "优秀占比（%）") == {"甲县政协": 33.3, "乙县政协": 0.0, "丙县": 25.0}
    assert _by_unit(grades, "优秀占比名次（高者为先）") == {"甲县政协": 1, "丙县": 2, "乙县政协": 3}
    assert _by_unit(grades, "不合格占比名次（低者为先）") == {
        "乙县政协": 1,
        "丙县": 2,
        "甲县政协": 3,
    }

    checklist = c.tables["两个一完成"]
    assert _by_unit(checklist, "全部完成人数") == {"甲县政协": 1, "乙县政协": 1, "丙县": 0}
    assert _by_unit(checklist, "全部完成率（%）") == {
        "甲县政协": 33.3,
        "乙县政协": 50.0,
        "丙县": 0.0,
    }
    assert _by_unit(checklist, "提一案完成人数") == {"甲县政协": 1, "乙县政协": 1, "丙县": 1}
    assert _by_unit(checklist, "联一村完成人数") == {"甲县政协": 2, "乙县政协": 2, "丙县": 0}
    assert _by_unit(checklist, "联一村完成率（%）") == {
        "甲县政协": 66.7,
        "乙县政协": 100.0,
        "丙县": 0.0,
    }
    assert _by_unit(checklist, "提一案名次（高者为先）") == {
        "乙县政协": 1,
        "甲县政协": 2,
        "丙县": 3,
    }

    categories = c.tables["类别平均分"]
    assert _by_unit(categories, "活动平均分") == {"甲县政协": 1.33, "乙县政协": 2.0, "丙县": 1.5}
    assert _by_unit(categories, "提案平均分") == {"甲县政协": 1.67, "乙县政协": 2.5, "丙县": 1.25}
    assert _by_unit(categories, "活动名次（高者为先）") == {"乙县政协": 1, "丙县": 2, "甲县政协": 3}

    awards = c.tables["评优入选"]
    assert _by_unit(awards, "优秀委员入选数") == {"甲县政协": 1, "乙县政协": 0, "丙县": 1}
    assert _by_unit(awards, "优秀委员每百人入选") == {
        "甲县政协": 33.33,
        "乙县政协": 0.0,
        "丙县": 25.0,
    }
    assert _by_unit(awards, "优秀委员名次（每百人入选，高者为先）") == {
        "甲县政协": 1,
        "丙县": 2,
        "乙县政协": 3,
    }

    m = c.members
    assert list(zip(m["总名次"], m["单位"], m["姓名"], m["总分"], strict=True)) == [
        (1, "甲县政协", "张三", 7.0),
        (1, "丙县", "孙八", 7.0),
        (3, "乙县政协", "钱七", 5.0),
        (4, "乙县政协", "赵六", 4.0),
        (5, "甲县政协", "李四", 2.0),
        (5, "丙县", "周九", 2.0),
        (5, "丙县", "吴十", 2.0),
        (8, "甲县政协", "王五", 0.0),
        (8, "丙县", "郑一", 0.0),
    ]
    assert list(m["单位内名次"]) == [1, 1, 1, 2, 2, 2, 2, 3, 4]


def test_json_results_give_the_same_comparison(units):
    from_xlsx, from_json = combine(units["xlsx"]), combine(units["json"])
    for name, table in from_xlsx.tables.items():
        expected = table.drop(columns=["结果文件"], errors="ignore")
        actual = from_json.tables[name].drop(columns=["结果文件"], errors="ignore")
        pd.testing.assert_frame_equal(actual, expected)
    pd.testing.assert_frame_equal(from_json.members, from_xlsx.members)


def test_the_workbook_and_json_outputs(units, runner):
    out = units["dir"] / "汇总.xlsx"
    result = runner.invoke(app, ["combine", *map(str, units["xlsx"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "汇总 3 个单位、9 名委员" in result.output
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [
        "单位对比",
        "等次分布",
        "两个一完成",
        "类别平均分",
        "评优入选",
        "图表",
        "委员总排名",
        "各单位结果文件",
        "说明",
    ]
    overview = book.get_sheet_by_name("单位对比").to_python()
    assert overview[1][:4] == ["乙县政协", 2.0, 3.0, 4.5]
    members = book.get_sheet_by_name("委员总排名").to_python()
    assert members[0][:3] == ["总名次", "单位", "单位内名次"] and len(members) == 10
    import zipfile

    with zipfile.ZipFile(out) as package:  # native charts: one per comparison
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 6

    out_json = units["dir"] / "汇总.json"
    result = runner.invoke(app, ["combine", *map(str, units["json"]), "--out", str(out_json)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["format"] == "perfscore-combined" and doc["mixed_rules"] is False
    assert [r["单位"] for r in doc["tables"]["单位对比"]] == ["乙县政协", "甲县政协", "丙县"]
    assert doc["members"][2] == {
        "总名次": 3,
        "单位": "乙县政协",
        "单位内名次": 1,
        "委员编号": "002",
        "姓名": "钱七",
        "界别": "教育界",
        "专委会": "",
        "总分": 5.0,
        "等次": "合格",
    }


def test_mixed_rules_are_refused_with_each_file_named(units, runner, tmp_path):
    other = tmp_path / "另一办法.yaml"
    other.write_text(RULES.replace("points: 5", "points: 6"), encoding="utf-8")
    workbook = _unit_c(tmp_path / "丙县.xlsx")
    write_outputs(assess(workbook, other), tmp_path / "丙县-考核结果.xlsx", source=workbook)
    results = [*units["xlsx"][:2], tmp_path / "丙县-考核结果.xlsx"]
    before = sorted(p.name for p in tmp_path.iterdir())

    result = runner.invoke(
        app, ["combine", *map(str, results), "--out", str(tmp_path / "汇总.xlsx")]
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "所用的积分办法不同" in text
    assert "a-考核结果.xlsx（甲县政协）：规则文件 汇总测试.yaml" in text
    assert "丙县-考核结果.xlsx（丙县）：规则文件 另一办法.yaml" in text
    assert "--allow-mixed-rules" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written

    allowed = combine(results, allow_mixed_rules=True)
    assert allowed.mixed_rules
    for table in [*allowed.tables.values(), allowed.members]:
        assert "积分办法（各单位不同）" in table.columns
    assert _by_unit(allowed.tables["单位对比"], "积分办法（各单位不同）")["丙县"].startswith(
        "另一办法.yaml"
    )
    assert allowed.notes[0].startswith("注意：各单位所用的积分办法不同")
    out = tmp_path / "汇总.xlsx"
    write_combined(allowed, out)
    book = CalamineWorkbook.from_path(str(out))
    for name in book.sheet_names:
        if name in ("图表", "各单位结果文件"):
            continue
        rows = book.get_sheet_by_name(name).to_python()
        assert "积分办法（各单位不同）" in rows[0] or any(
            "积分办法不同" in str(cell) for row in rows for cell in row
        ), name


def test_different_years_are_refused(units, tmp_path):
    workbook = _unit_c(tmp_path / "丁县.xlsx", year=2022)
    write_outputs(
        assess(workbook, units["rules"], year=2022),
        tmp_path / "丁县-考核结果.xlsx",
        source=workbook,
    )
    with pytest.raises(UsageError) as caught:
        combine([*units["xlsx"], tmp_path / "丁县-考核结果.xlsx"], allow_mixed_rules=True)
    message = caught.value.message
    assert "不是同一年度" in message
    assert "丁县-考核结果.xlsx（丁县）：2022 年度" in message
    assert "a-考核结果.xlsx（甲县政协）：2023 年度" in message


def test_one_unit_twice_is_refused(units, tmp_path):
    copy = tmp_path / "甲县副本-考核结果.xlsx"
    copy.write_bytes(units["xlsx"][0].read_bytes())
    with pytest.raises(UsageError, match="同一个单位有不止一个考核结果"):
        combine([*units["xlsx"], copy])
    # the same file given twice counts once
    assert len(combine([*units["xlsx"], units["xlsx"][0]]).units) == 3


@pytest.mark.slow
def test_assess_a_folder_with_combined(runner, tmp_path):
    folder = tmp_path / "各县区"
    folder.mkdir()
    rules = tmp_path / "汇总测试.yaml"
    rules.write_text(RULES, encoding="utf-8")
    _unit_a(folder / "a.xlsx")
    _unit_b(folder / "b.xlsx")
    _unit_c(folder / "丙县.xlsx")
    out = folder / "汇总.xlsx"
    args = ["assess", str(folder), "--rules", str(rules), "--combined", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "汇总 3 个单位、9 名委员" in result.output
    overview = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("单位对比").to_python()
    assert [row[0] for row in overview[1:]] == ["乙县政协", "甲县政协", "丙县"]
    # the units compared in memory are the units read back from the results: same bytes
    results = [str(folder / f"{stem}-考核结果.xlsx") for stem in ("a", "b", "丙县")]
    again = tmp_path / "再汇总.xlsx"
    assert runner.invoke(app, ["combine", *results, "--out", str(again)]).exit_code == 0
    assert out.read_bytes() == again.read_bytes()
    in_memory, read_back = tmp_path / "汇总.json", tmp_path / "再汇总.json"
    out.rename(tmp_path / "汇总.xlsx")  # a combined workbook left in the folder is no workbook
    result = runner.invoke(app, [*args[:-1], str(in_memory)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["combine", *results, "--out", str(read_back)]).exit_code == 0
    assert in_memory.read_bytes() == read_back.read_bytes()
    (tmp_path / "汇总.xlsx").rename(out)
    # run again: the combined workbook in the folder is not taken for a unit
    assert runner.invoke(app, args).exit_code == 0


def test_where_a_workbook_names_its_unit(tmp_path):
    from perfscore.reading import read_workbook

    people = roster(["001", "张三", "经济界"])
    # 单位：… above the roster's header
    named = write_workbook(
        tmp_path / "a.xlsx", {"委员名单": people}, title_rows={"委员名单": "单位：甲县政协"}
    )
    assert read_workbook(named).unit == "甲县政协"
    # a 单位 cell with the name beside it, on 填表说明
    notes = {"填表说明": [["填表说明"], ["单位", "乙县政协"]], "委员名单": people}
    assert read_workbook(write_workbook(tmp_path / "b.xlsx", notes)).unit == "乙县政协"
    # none named: '' (assess then uses the file name); a roster column 单位 is not a unit name
    plain = {"委员名单": [[*people[0], "单位"], [*people[1], "某公司"]]}
    assert read_workbook(write_workbook(tmp_path / "c.xlsx", plain)).unit == ""
    # both named, differently: the roster's, with a warning naming both
    both = write_workbook(
        tmp_path / "d.xlsx",
        {"填表说明": [["单位：丙县政协"]], "委员名单": people},
        title_rows={"委员名单": "单位：甲县政协"},
    )
    raw = read_workbook(both)
    assert raw.unit == "甲县政协"
    assert any("丙县政协" in p.message and "甲县政协" in p.message for p in raw.problems)


# --- units read from a term archive ------------------------------------------------------------


def _stored(archive: Path) -> list[tuple[str, int]]:
    from perfscore.archive import archived_years, open_readonly

    conn = open_readonly(archive)
    try:
        return list(archived_years(conn)[["unit", "year"]].itertuples(index=False, name=None))
    finally:
        conn.close()


def _same_comparison(actual, expected) -> None:
    assert list(actual.tables) == list(expected.tables)
    for name, table in expected.tables.items():
        pd.testing.assert_frame_equal(
            actual.tables[name].drop(columns=["结果文件"], errors="ignore"),
            table.drop(columns=["结果文件"], errors="ignore"),
        )
    pd.testing.assert_frame_equal(actual.members, expected.members)


def test_an_archive_gives_the_same_comparison_as_the_result_files(units, runner):
    archive = units["archive"]
    # without --unit, a year is stored under the unit its workbook names
    assert _stored(archive) == [("丙县", 2023), ("乙县政协", 2023), ("甲县政协", 2023)]

    from_archive = combine([archive])
    assert [u.unit for u in from_archive.units] == ["丙县", "乙县政协", "甲县政协"]  # by name
    assert {u.unit_from for u in from_archive.units} == {"履职档案"}
    a, b, c = units["xlsx"]
    _same_comparison(from_archive, combine([c, b, a]))  # the files in the archive's order
    # the hand-computed figures of the module docstring, read from the archive
    overview = from_archive.tables["单位对比"]
    assert _by_unit(overview, "平均分") == {"甲县政协": 3.0, "乙县政协": 4.5, "丙县": 2.75}
    assert _by_unit(overview, "结果文件") == dict.fromkeys(
        ["甲县政协", "乙县政协", "丙县"], "档案.sqlite"
    )
    assert _by_unit(from_archive.tables["两个一完成"], "联一村完成人数") == {
        "甲县政协": 2,
        "乙县政协": 2,
        "丙县": 0,
    }
    assert _by_unit(from_archive.tables["类别平均分"], "提案平均分") == {
        "甲县政协": 1.67,
        "乙县政协": 2.5,
        "丙县": 1.25,
    }
    assert _by_unit(from_archive.tables["评优入选"], "优秀委员入选数") == {
        "甲县政协": 1,
        "乙县政协": 0,
        "丙县": 1,
    }

    out = units["dir"] / "档案汇总.xlsx"
    result = runner.invoke(app, ["combine", str(archive), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "汇总 3 个单位、9 名委员（2023 年度）" in result.output
    overview = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("单位对比").to_python()
    assert [row[0] for row in overview[1:]] == ["乙县政协", "甲县政协", "丙县"]


def test_an_archive_of_several_years_needs_the_year(units, runner, tmp_path):
    archive = tmp_path / "档案.sqlite"
    archive.write_bytes(units["archive"].read_bytes())
    workbook = _unit_a(tmp_path / "甲县2022.xlsx", year=2022)
    args = ["assess", str(workbook), "--rules", str(units["rules"]), "--year", "2022"]
    result = runner.invoke(app, [*args, "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    assert ("甲县政协", 2022) in _stored(archive)  # the workbook's unit, no --unit typed

    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["combine", str(archive), "--out", str(out)])
    assert result.exit_code == 2
    assert "档案.sqlite 中有多个年度（2022、2023）；请用 --year 指定" in result.output
    assert not out.exists()

    assert [u.unit for u in combine([archive], year=2022).units] == ["甲县政协"]
    _same_comparison(combine([archive], year=2023), combine([units["archive"]]))
    with pytest.raises(UsageError, match="没有 2021 年度（档案中的年度：2022、2023）"):
        combine([archive], year=2021)
    with pytest.raises(UsageError, match="不是 2022 年度的"):  # a result file of another year
        combine([archive, units["xlsx"][0]], year=2022)


def test_mixed_rules_in_an_archive_or_beside_it_are_refused(units, tmp_path):
    other = tmp_path / "另一办法.yaml"
    other.write_text(RULES.replace("points: 5", "points: 6"), encoding="utf-8")
    workbook = _unit_c(tmp_path / "丁县.xlsx")
    scored = assess(workbook, other)
    result_file = tmp_path / "丁县-考核结果.xlsx"
    write_outputs(scored, result_file, source=workbook)
    archive = tmp_path / "档案.sqlite"
    archive.write_bytes(units["archive"].read_bytes())
    archive_assessment(scored, archive, workbook=workbook, unit="丁县")

    for given in ([archive], [units["archive"], result_file]):
        with pytest.raises(UsageError) as caught:
            combine(given)
        text = caught.value.message
        assert "所用的积分办法不同" in text
        assert "档案.sqlite（甲县政协）：规则文件 汇总测试.yaml" in text
        assert "（丁县）：规则文件 另一办法.yaml" in text
    allowed = combine([units["archive"], result_file], allow_mixed_rules=True)
    assert [u.unit for u in allowed.units] == ["丙县", "乙县政协", "甲县政协", "丁县"]
    assert "积分办法（各单位不同）" in allowed.members.columns

    # an archive and a result of a unit it holds: the unit twice
    with pytest.raises(UsageError, match="同一个单位有不止一个考核结果"):
        combine([units["archive"], units["xlsx"][2]])
    # a SQLite file of another program is not an archive
    import sqlite3

    foreign = tmp_path / "其他.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(UsageError, match=r"其他\.sqlite 不是 perfscore 履职档案"):
        combine([foreign])


def test_a_named_unit_is_not_stored_apart_from_unnamed_years(units, tmp_path):
    from perfscore.archive import add_year, read_result

    archive = tmp_path / "档案.sqlite"
    # 丙县's result names no unit: stored with none
    add_year(archive, read_result(units["json"][2], units["rules"]))
    assert _stored(archive) == [("", 2023)]
    a = units["assessments"][0]  # names 甲县政协: maybe the same unit, so the clerk says
    with pytest.raises(UsageError, match=r'已有未写单位的年度（2023）.*--unit "".*--unit 甲县政协'):
        archive_assessment(a, archive)
    archive_assessment(a, archive, unit="甲县政协")
    assert _stored(archive) == [("", 2023), ("甲县政协", 2023)]


def test_units_tied_for_the_best_average_are_all_named(runner, units, tmp_path):
    import json

    twin = tmp_path / "丁县-考核结果.json"
    document = json.loads(units["json"][0].read_text(encoding="utf-8"))
    twin.write_text(json.dumps({**document, "unit": "丁县政协"}), encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["combine", str(units["json"][0]), str(twin), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "平均分最高：甲县政协、丁县政协（" in result.output
