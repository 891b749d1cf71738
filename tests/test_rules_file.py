"""Rules files: safe YAML, every problem reported at once with its line and column."""

from __future__ import annotations

from pathlib import Path

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
    text = (DEFAULT_TEXT.replace("    max: 25", "    maxx: 25")
            .replace("points: 1.5", "points: 很多")
            .replace("kind: report}", "kind: reprot}", 1))
    found = problems(text)
    lines = sorted(int(p.cell.split(":")[0]) for p in found)
    assert lines == sorted([line_of(text, "maxx: 25"), line_of(text, "points: 很多"), line_of(text, "kind: reprot}")])
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
    assert good.exit_code == 0 and "没有发现问题" in good.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_TEXT.replace("    max: 25", "    maxx: 25"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(bad)])
    assert result.exit_code == 2
    assert f"bad.yaml:{line_of(bad.read_text(encoding='utf-8'), 'maxx')}:5" in result.output
    assert "Traceback" not in result.output


def test_assess_with_a_missing_rules_file_exits_2(runner, sample_copy, tmp_path):
    result = runner.invoke(app, ["assess", str(sample_copy), "--rules", str(tmp_path / "none.yaml")])
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
    joined = plain.members.set_index("member_id")["total"].to_frame("plain").join(more.members.set_index("member_id")["total"])
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
