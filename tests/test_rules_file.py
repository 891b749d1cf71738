"""Rules files: safe YAML, every problem reported at once with its line and column."""

from __future__ import annotations

import pytest

import perfscore
from perfscore import RulesError, parse_rules
from perfscore.cli import app

from .conftest import DEFAULT_RULES

DEFAULT_TEXT = DEFAULT_RULES.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def problems(text: str) -> list[perfscore.Problem]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, name="office.yaml")
    return caught.value.problems


def test_the_shipped_rules_load():
    loaded = perfscore.load_rules()
    assert loaded.rules.scheme.startswith("双五个一")
    assert len(loaded.sha256) == 64
    assert [g.grade for g in loaded.rules.grades] == ["优秀", "良好", "称职", "不称职"]


def test_an_unknown_key_names_its_line_and_suggests_the_right_key():
    text = DEFAULT_TEXT.replace("    max: 25", "    maxx: 25")
    [problem] = problems(text)
    assert problem.cell == f"{line_of(text, 'maxx: 25')}:5"
    assert "maxx" in problem.message
    assert "max" in problem.suggestion
    assert problem.place.startswith("office.yaml:")


def test_every_problem_is_reported_in_one_pass():
    text = (
        DEFAULT_TEXT.replace("    max: 25", "    maxx: 25")
        .replace("points: 1.5", "points: 很多")
        .replace("kind: report}", "kind: reprot}", 1)
    )
    found = problems(text)
    lines = sorted(int(p.cell.split(":")[0]) for p in found)
    assert lines == sorted(
        [line_of(text, "maxx: 25"), line_of(text, "points: 很多"), line_of(text, "kind: reprot}")]
    )
    assert any("应为数字" in p.message for p in found)
    assert any("proposal" in p.message and "reprot" in p.message for p in found)


def test_a_duplicate_key_is_an_error():
    text = DEFAULT_TEXT.replace("base: 10 ", "base: 10\nbase: 5 #")
    [problem] = problems(text)
    assert "重复" in problem.message
    assert problem.cell.startswith(f"{line_of(text, 'base: 5')}:")


def test_a_yaml_syntax_error_names_its_line():
    text = "scheme: x\ncategories: [\n  - id: a\n"
    [problem] = problems(text)
    assert "YAML" in problem.message
    assert problem.cell


def test_python_tags_are_refused_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"scheme: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(RulesError):
        parse_rules(text)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("grades", "message"),
    [
        ("[{grade: A, min: 80}, {grade: B, min: 90}, {grade: C}]", "从高到低"),
        ("[{grade: A, min: 80}, {grade: B, min: 60}]", "最后一档"),
        ("[{grade: A}, {grade: B}]", "须写 min"),
    ],
)
def test_grade_bands_must_descend_and_end_open(grades, message):
    text = DEFAULT_TEXT[: DEFAULT_TEXT.index("grades:")] + f"grades: {grades}\n"
    found = problems(text)
    assert any(message in p.message for p in found), [str(p) for p in found]


def test_an_item_needs_exactly_one_way_of_giving_points():
    text = DEFAULT_TEXT.replace("        points: 1.5\n", "")
    found = problems(text)
    assert any("points、points_by、cases 须且只须写一个" in p.message for p in found)


def test_rules_check_command(runner, tmp_path):
    good = runner.invoke(app, ["rules", "check", str(DEFAULT_RULES)])
    assert good.exit_code == 0 and "没有发现错误" in good.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_TEXT.replace("    max: 25", "    maxx: 25"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(bad)])
    assert result.exit_code == 1
    assert f"bad.yaml:{line_of(bad.read_text(encoding='utf-8'), 'maxx')}:5" in result.output
    assert "Traceback" not in result.output


def test_assess_with_a_missing_rules_file_exits_2(runner, sample_copy, tmp_path):
    result = runner.invoke(
        app, ["assess", str(sample_copy), "--rules", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2
    assert "找不到规则文件" in result.output
    assert not sample_copy.with_name("2023-考核结果.xlsx").exists()


def test_a_scheme_with_other_points_changes_the_scores(sample_copy, tmp_path):
    richer = tmp_path / "richer.yaml"
    richer.write_text(DEFAULT_TEXT.replace("base: 10 ", "base: 15 "), encoding="utf-8")
    plain = perfscore.assess(sample_copy)
    more = perfscore.assess(sample_copy, rules=richer)
    ledger = more.ledger
    assert (ledger.loc[ledger["rule_id"] == "base", "points"] == 15).all()
    assert len(ledger[ledger["rule_id"] == "base"]) == len(more.members)
    joined = (
        plain.members.set_index("member_id")["total"]
        .to_frame("plain")
        .join(more.members.set_index("member_id")["total"])
    )
    assert ((joined["total"] - joined["plain"]) <= 5 + 1e-9).all()
    assert (joined["total"] > joined["plain"]).any()


def test_a_category_id_may_not_take_a_result_column_name():
    text = DEFAULT_TEXT.replace("id: reports", "id: total")
    [problem] = problems(text)
    assert "total" in problem.message and "列名" in problem.message
    assert problem.cell.startswith(f"{line_of(text, 'id: total')}:")


def test_an_unquoted_version_number_is_read_as_text():
    rules = parse_rules(DEFAULT_TEXT.replace('version: "2023.1"', "version: 2023.1"))
    assert rules.version == "2023.1"


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("type: [全体会议]}", "type: [全体会议], level: [市]}", "level: [市]", "没有“级别”"),
        ("status: [立案]}", "status: [已立案]}", "已立案", "须写“立案”"),
        (
            "{kind: information}\n        points: 2",
            "{kind: information, status: [采用]}\n        points: 2",
            "status: [采用]",
            "不会是“采用”",
        ),
        ("subtype: {全程: 3, 部分: 1}", "subtype: {全程: 3, 部份: 1}", "部份", None),
        (
            "level: {县: 2, 市: 4, 省: 8, 全国: 15}",
            "level: {县: 2, 市: 4, 省级别: 8, 全国: 15}",
            "省级别",
            "没有“省级别”",
        ),
    ],
    ids=[
        "field-the-kind-lacks",
        "alias-instead-of-word",
        "word-that-cannot-occur",
        "open-vocabulary-warns",
        "closed-vocabulary-errs",
    ],
)
def test_a_condition_that_can_never_match_is_found_with_its_line(old, new, needle, message):
    text = DEFAULT_TEXT.replace(old, new, 1)
    assert text != DEFAULT_TEXT
    if message is None:  # an office's own activity form: a warning, and the rules still load
        _rules, warnings = perfscore.rules.check_rules_text(text, "office.yaml")
        [warning] = warnings
        assert "部份" in warning.message and warning.cell.startswith(f"{line_of(text, needle)}:")
        return
    [problem] = problems(text)
    assert message in problem.message, str(problem)
    assert problem.cell.startswith(f"{line_of(text, needle)}:")


def test_a_never_matching_condition_stops_assess(runner, sample_copy, tmp_path):
    rules = tmp_path / "office.yaml"
    rules.write_text(
        DEFAULT_TEXT.replace("status: [立案]}", "status: [已立案]}", 1), encoding="utf-8"
    )
    result = runner.invoke(app, ["assess", str(sample_copy), "--rules", str(rules)])
    assert result.exit_code == 2
    assert f"office.yaml:{line_of(rules.read_text(encoding='utf-8'), '已立案')}" in result.output
    assert not sample_copy.with_name("2023-考核结果.xlsx").exists()


def test_rules_check_reads_a_missing_file_as_could_not_run(runner, tmp_path):
    result = runner.invoke(app, ["rules", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "找不到规则文件" in result.output


def test_rules_show_summarises_the_scheme_in_chinese(runner):
    result = runner.invoke(app, ["rules", "show", str(DEFAULT_RULES), "--markdown"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# 双五个一履职考核积分办法")
    assert "## 一、会议出勤（20 分起扣，最低 0 分）" in text
    assert (
        "| 全体会议出勤 | 会议（类型为全体会议） | 按状态：请假扣 2，请假未批准扣 10，缺席扣 10，迟到扣 1，早退扣 1 | 每条都计 |"
        in text
    )
    assert "多人合作时第一作者得 60%，其余平分 40%" in text
    assert "优秀：85 分及以上，且须完成双五个一全部项目（否则降一档）" in text
    assert "- 提一案：双五个一登记（类型为提一案）；或提案（有一条即算完成）" in text
    for category in perfscore.load_rules().rules.categories:
        for item in category.items:
            assert f"| {item.name} |" in text


def test_a_version_is_kept_as_written():
    assert (
        parse_rules(DEFAULT_TEXT.replace('version: "2023.1"', "version: 2024.10")).version
        == "2024.10"
    )


@pytest.mark.parametrize("edit", [("base: 10", "base:\t10"), ("decimals: 2", "decimals: 2\t")])
def test_a_tab_in_a_rules_file_is_refused_with_its_line_whichever_yaml_parser_is_installed(edit):
    """libyaml, used for speed, lets some tabs pass that PyYAML refuses; the documented verdict
    (PyYAML's) holds either way."""
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    before, after = edit
    assert before in text
    with pytest.raises(RulesError) as caught:
        parse_rules(text.replace(before, after, 1))
    line = text[: text.index(before)].count("\n") + 1
    assert any(
        "Tab" in p.message and p.cell.startswith(f"{line}:") for p in caught.value.problems
    ), caught.value.problems
