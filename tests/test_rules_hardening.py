"""What `rules check` accepts always runs: each rules file that once passed the check and then
broke `assess` is refused at its line, and text from the rules is as safe as text from workbooks."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import perfscore
from perfscore import RulesError, parse_rules
from perfscore.cli import app
from perfscore.writers.safety import looks_like_formula

from .conftest import DEFAULT_RULES, SAMPLE

DEFAULT_TEXT = DEFAULT_RULES.read_text(encoding="utf-8")
FORMULA = "+cmd|' /C calc'!A0"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def refused(text: str) -> list[perfscore.Problem]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, name="office.yaml")
    return caught.value.problems


def edit(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def the_line(text: str, needle: str) -> tuple[str, perfscore.Problem]:
    """The one problem found, and the line it should be on."""
    [problem] = refused(text)
    assert problem.cell.split(":")[0] == str(line_of(text, needle)), problem
    return problem.message, problem


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e308", "1000001"])
def test_a_points_value_that_is_not_a_finite_everyday_number_is_refused(value):
    text = edit("        points: 3\n", f"        points: {value}\n")
    message, _ = the_line(text, f"points: {value}")
    assert "有限" in message or "不大于" in message or "不小于" in message


def test_a_nan_grade_minimum_is_refused():
    text = edit("    min: 75\n", "    min: .nan\n")
    message, _ = the_line(text, "min: .nan")
    assert ".nan" in message


def test_a_huge_base_is_refused():
    text = edit("base: 10 ", "base: 1e308 ")
    message, _ = the_line(text, "base: 1e308")
    assert "1000000" in message


def test_nan_award_points_are_refused():
    text = edit("points: 10}\n", "points: .nan}\n")
    the_line(text, "points: .nan}")


@pytest.mark.parametrize("key", ["start: .inf", "max: .nan", "bonus: -.inf"])
def test_every_number_of_the_language_is_finite(key):
    field = key.split(":")[0]
    old = {"start": "    start: 20\n", "max": "    max: 25\n", "bonus": "  bonus: 5\n"}[field]
    indent = old[: len(old) - len(old.lstrip())]
    the_line(edit(old, f"{indent}{key}\n"), key)


def test_a_category_max_below_its_start_is_refused():
    text = edit("    max: 25\n", "    max: -25\n")
    message, _ = the_line(text, "- id: proposals")
    assert "-25" in message and "起始分" in message


def test_a_category_min_above_its_start_is_refused():
    text = edit("    start: 20\n    min: 0\n", "    start: 20\n    min: 30\n")
    message, _ = the_line(text, "- id: meetings")
    assert "最低分" in message


def test_an_item_cap_below_zero_is_refused():
    text = edit("        max: 2\n", "        max: -2\n")
    message, _ = the_line(text, "id: not_filed")
    assert "max" in message


def test_a_total_minimum_above_its_maximum_is_refused():
    text = edit("  max: 100 ", "  max: 10\n  min: 20 ")
    message, _ = the_line(text, "total:")
    assert "20" in message and "10" in message


# --- names ---------------------------------------------------------------------------------------


def test_two_grades_with_one_name_are_refused():
    text = edit("  - grade: 称职\n", "  - grade: 良好\n")
    message, _ = the_line(text, "grades:")
    assert "良好" in message and "重复" in message


def test_two_categories_with_one_name_are_refused():
    text = edit("    name: 调研报告\n    max: 10", "    name: 提案\n    max: 10")
    message, _ = the_line(text, "categories:")
    assert "提案" in message and "重复" in message


@pytest.mark.parametrize("taken", ["总分", "姓名", "等次"])
def test_a_category_named_like_a_column_of_the_breakdown_is_refused(taken):
    text = edit("    name: 调研报告\n", f"    name: {taken}\n")
    the_line(text, f"name: {taken}")


def test_a_checklist_item_named_like_a_column_of_its_sheet_is_refused():
    text = edit("    - name: 联一村\n", "    - name: 姓名\n")
    message, _ = the_line(text, "name: 姓名")
    assert "姓名" in message


@pytest.mark.parametrize(
    "name", ["优秀/委员", "优秀[委员]", "优秀:委员", "优秀*", "优秀?", "'优秀"]
)
def test_an_award_name_that_cannot_name_a_sheet_is_refused(name):
    text = edit("    name: 优秀委员\n", f'    name: "{name}"\n')
    message, _ = the_line(text, 'name: "' + name)
    assert "评选名称" in message


def test_an_award_name_longer_than_a_sheet_name_allows_is_refused():
    long = "优秀委员" * 7 + "甲"  # 29 characters: 评优- and this make 32
    message, _ = the_line(edit("    name: 优秀委员\n", f"    name: {long}\n"), long)
    assert "28" in message


def test_two_award_names_that_make_one_sheet_name_are_refused():
    text = edit("    name: 优秀提案\n    pool: proposals", "    name: Best\n    pool: proposals")
    text = edit("    name: 优秀委员\n", "    name: best\n", text)
    message, _ = the_line(text, "awards:")
    assert "best" in message and "重复" in message


def test_a_reserved_share_on_a_field_the_candidates_lack_is_refused_at_its_line():
    """A proposal candidate is the whole proposal: it has a type, a status and marks, not a
    role (whose role?) — min_share on role once passed the check and stopped assess."""
    text = edit("match: {type: [集体]}, share", "match: {role: [领衔]}, share")
    message, _ = the_line(text, "role: [领衔]}, share")
    assert "min_share" in message and "角色" in message


# --- the file itself -----------------------------------------------------------------------------


def alias_bomb() -> str:
    """Nine levels of nine aliases: 9**9 values from about 340 bytes."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_with_a_line():
    text = alias_bomb()
    assert len(text.encode()) < 400
    started = time.perf_counter()
    [problem] = refused(text)
    assert time.perf_counter() - started < 2
    assert "别名" in problem.message and re.fullmatch(r"\d+:\d+", problem.cell)


def test_aliases_that_repeat_a_little_are_fine():
    text = edit("  - id: excellent_proposal", "  - id: excellent_proposal")
    text = text.replace(
        "      has: [{kind: proposal, status: [立案]}]         # 须为",
        "      has: [&filed {kind: proposal, status: [立案]}]  # 须为",
    ).replace(
        "      - {match: {kind: proposal, status: [立案]}, points: 10}",
        "      - {match: *filed, points: 10}",
    )
    assert "*filed" in text
    rules = parse_rules(text)
    assert rules.awards[1].score[0].match.status == ["立案"]


@pytest.mark.parametrize(
    "text",
    [
        "scheme: " + "[" * 5000 + "]" * 5000 + "\n",
        "scheme: x\nsource:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(200)),
        "scheme:\t" + "[" * 50 + "]" * 50 + "\n",  # a tab: read by PyYAML's own parser
    ],
    ids=["flow", "block", "pure-python-parser"],
)
def test_deep_nesting_is_refused_with_a_line(text):
    found = refused(text)
    assert any("嵌套太深" in p.message or "Tab" in p.message for p in found), found
    assert all(re.fullmatch(r"\d+:\d+", p.cell) for p in found)


@pytest.mark.parametrize("value", ["!foo x", "!!python/object:os.system x", "!!set {a: null}"])
def test_a_value_with_an_unknown_tag_is_refused_with_its_line(value):
    text = edit("scheme: ", f"scheme: {value}\nold_scheme: ")
    found = refused(text)
    assert any(p.cell.startswith("9:") for p in found), found


@pytest.mark.parametrize(
    "escaped", ["\\ud800", "\\e[31m红", "\\x07", "\\u202e"], ids=["surrogate", "esc", "bell", "rlo"]
)
def test_text_with_a_control_character_or_lone_surrogate_is_refused_with_its_line(escaped):
    text = edit("scheme: 双五个一", f'scheme: "{escaped}"\nold: 双五个一')
    found = refused(text)
    assert found[0].cell.startswith("9:") and "U+" in found[0].message


def test_a_control_character_never_reaches_the_terminal(runner, tmp_path):
    rules = tmp_path / "office.yaml"
    rules.write_text(edit("scheme: 双五个一", 'scheme: "\\e[2J清屏"\nold: 双五个一'), "utf-8")
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "U+001B" in result.output
    assert "内部错误" not in result.output


@pytest.mark.slow
def test_checking_a_large_rules_file_takes_time_in_proportion_to_its_size():
    """6,000 categories (about 800 KB): the same work per category as for 600, to a factor of
    three (the machine's load varies); the full figures are in docs/performance.md."""

    def rules_with(categories: int) -> str:
        block = "".join(
            f"  - id: c{i}\n    name: 类别{i}\n    items:\n"
            f"      - {{id: a, name: 项{i}, match: {{kind: proposal}}, points: 1}}\n"
            for i in range(categories)
        )
        return DEFAULT_TEXT.replace("categories:\n", "categories:\n" + block, 1)

    def seconds(text: str) -> float:
        started = time.perf_counter()
        parse_rules(text)
        return time.perf_counter() - started

    small, large = rules_with(600), rules_with(6000)
    per_byte_small = min(seconds(small) for _ in range(2)) / len(small)
    per_byte_large = seconds(large) / len(large)
    assert per_byte_large < 3 * per_byte_small


# --- rule text in the outputs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_named(tmp_path_factory) -> tuple[Path, Path]:
    """The default rules with a category, a checklist, a checklist item, a grade and an award
    named like formulas; the sample assessed under them to .xlsx, .csv and .json."""
    text = (
        DEFAULT_TEXT.replace(
            "    name: 调研报告\n    max: 10", f'    name: "{FORMULA}"\n    max: 10'
        )
        .replace("  name: 双五个一\n", '  name: "=HYPERLINK(1)"\n')
        .replace("    - name: 联一村\n", '    - name: "@SUM(1)"\n')
        .replace("  - grade: 称职\n", '  - grade: "-称职"\n')
        .replace("    name: 优秀委员\n", '    name: "=1+1"\n')
    )
    folder = tmp_path_factory.mktemp("formula-named")
    rules = folder / "office.yaml"
    rules.write_text(text, encoding="utf-8")
    result = perfscore.assess(SAMPLE, rules)
    for suffix in ("xlsx", "csv", "json"):
        perfscore.write_outputs(result, folder / f"out.{suffix}")
    return folder, rules


@pytest.mark.slow
def test_rule_names_like_formulas_are_text_in_every_xlsx_cell(formula_named):
    folder, _ = formula_named
    book = openpyxl.load_workbook(folder / "out.xlsx")
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (
                        sheet.title,
                        cell.coordinate,
                    )
                    seen.add(cell.value)
    assert {FORMULA, "@SUM(1)", "-称职"} <= seen
    assert any(v.startswith("=HYPERLINK(1)") for v in seen)
    assert "评优-=1+1" in book.sheetnames


@pytest.mark.slow
def test_a_chart_title_from_the_rules_is_text_not_a_reference(formula_named):
    folder, _ = formula_named
    with zipfile.ZipFile(folder / "out.xlsx") as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    titled = [c for c in charts if "HYPERLINK(1)" in c]
    assert titled
    for chart in titled:
        title = chart[chart.index("<c:title>") : chart.index("</c:title>")]
        assert "<c:f>" not in title and "'=HYPERLINK(1)" in title


@pytest.mark.slow
def test_rule_names_like_formulas_are_neutralised_in_the_csv_header(formula_named):
    folder, _ = formula_named
    rows = list(csv.reader(io.StringIO((folder / "out.csv").read_text(encoding="utf-8-sig"))))
    assert "'" + FORMULA in rows[0]
    assert not [c for row in rows for c in row if looks_like_formula(c)]


@pytest.mark.slow
def test_rule_names_like_formulas_are_neutralised_in_rules_show(formula_named, runner):
    _, rules = formula_named
    result = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("|")]
    cells = [c.strip() for line in rows for c in line.split("|")]
    assert not [c for c in cells if looks_like_formula(c) and set(c) != {"-"}]
