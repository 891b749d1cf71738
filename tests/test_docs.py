"""The reference docs agree with the code: generated docs are current, and every declared sheet,
column, word, rules key, command and JSON field is documented."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import typing
from pathlib import Path

import pandas as pd
import pytest
import typer
import typer.main
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from perfscore import reading
from perfscore.cli import app
from perfscore.errors import Reason
from perfscore.inputformat import SHEETS, VOCABULARIES
from perfscore.records import parse_dates
from perfscore.rules import parse_rules, schema
from perfscore.text import split_names
from tools import docgen

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SAMPLE = ROOT / "samples" / "2023.xlsx"
DEFAULT_RULES = ROOT / "rules" / "default.yaml"
REGENERATE = f"run: {docgen.COMMAND}"


def _doc(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing; {REGENERATE}"
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The lines under ``heading`` (a whole heading line, or its start followed by a space) up to
    the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line == heading or line.startswith(heading + " ")),
        None,
    )
    if start is None:
        raise AssertionError(f"heading {heading!r} not found")
    body = []
    for line in lines[start + 1 :]:
        hashes = len(line) - len(line.lstrip("#"))
        if 0 < hashes <= level and line[hashes : hashes + 1] == " ":
            break
        body.append(line)
    return "\n".join(body)


def _table_keys(section: str) -> set[str]:
    """The `key`s in the first column of the section's first table."""
    table = re.search(r"(?:^\|.*\n?)+", section, flags=re.MULTILINE)
    assert table, "no table in the section"
    return set(re.findall(r"^\| `([^`]+)` \|", table.group(0), flags=re.MULTILINE))


def _row(section: str, first_cell: str) -> str:
    rows = [line for line in section.splitlines() if line.startswith(f"| {first_cell} |")]
    assert len(rows) == 1, f"expected one table row starting with {first_cell!r}, found {len(rows)}"
    return rows[0]


# --- (a) the generated docs on disk are current ---------------------------------------------


@pytest.mark.locked_deps  # docs/commands.md holds --help as the locked typer and click print it
@pytest.mark.parametrize("name", sorted(docgen.REGIONS))
def test_generated_doc_is_current(name: str) -> None:
    on_disk = _doc(name)
    assert on_disk == docgen.render(name), f"docs/{name} is out of date; {REGENERATE}"


def test_docgen_fills_regions_and_keeps_prose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in docgen.REGIONS:
        shutil.copyfile(DOCS / name, tmp_path / name)
    assert docgen.main(["--docs-dir", str(tmp_path)]) == 0
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    target = tmp_path / "commands.md"
    text = target.read_text(encoding="utf-8")
    stale = text.replace("## `perfscore assess`", "## `perfscore 改过的命令`", 1)
    stale = stale.replace("退出码（所有命令相同）：", "退出码（手写的说明）：", 1)
    target.write_text(stale, encoding="utf-8")
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert target.read_text(encoding="utf-8") == stale, "--check must not write"
    assert "commands.md" in capsys.readouterr().err
    assert docgen.main(["--docs-dir", str(tmp_path)]) == 0
    rewritten = target.read_text(encoding="utf-8")
    assert "改过的命令" not in rewritten, "the generated region is rewritten"
    assert "退出码（手写的说明）：" in rewritten, "the prose outside the regions is kept"
    assert docgen.main(["--check", "--docs-dir", str(tmp_path)]) == 0


def test_docgen_reports_a_missing_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in docgen.REGIONS:
        shutil.copyfile(DOCS / name, tmp_path / name)
    target = tmp_path / "rules.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(
        re.sub(r"<!-- (BEGIN|END) GENERATED: model Grade -->\n", "", text), encoding="utf-8"
    )
    assert docgen.main(["--docs-dir", str(tmp_path)]) == 1
    assert "model Grade" in capsys.readouterr().err
    with pytest.raises(docgen.MarkerError, match="no END marker"):
        docgen.fill("<!-- BEGIN GENERATED: a -->\n", {"a": lambda: ["x"]})
    with pytest.raises(docgen.MarkerError, match="has no region 'b'"):
        docgen.fill("<!-- BEGIN GENERATED: b -->\n<!-- END GENERATED: b -->\n", {})


def test_generated_output_is_stable() -> None:
    for name in docgen.REGIONS:
        first = docgen.render(name)
        assert first == docgen.render(name)
        assert first.endswith("\n") and not first.endswith("\n\n")


# --- (b) every key of every rules model is in docs/rules.md -----------------------


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _all_rule_models() -> list[type[BaseModel]]:
    """Walk the models from Rules, independently of docgen's own walk."""
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [schema.Rules]
    while todo:
        model = todo.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return seen


def test_rule_model_walk_finds_every_model() -> None:
    names = {m.__name__ for m in _all_rule_models()}
    assert {
        "Rules",
        "Settings",
        "Total",
        "Category",
        "Item",
        "Match",
        "Credit",
        "Checklist",
        "ChecklistItem",
        "Grade",
    } <= names
    assert set(docgen.rule_models()) == set(_all_rule_models())


@pytest.mark.parametrize("model", _all_rule_models(), ids=lambda m: m.__name__)
def test_every_rules_key_is_documented(model: type[BaseModel]) -> None:
    section = _section(_doc("rules.md"), f"## {model.__name__}")
    documented = _table_keys(section)
    for key, field in model.model_fields.items():
        assert key in documented, f"{model.__name__}.{key} is not in docs/rules.md; {REGENERATE}"
        assert field.description, (
            f"{model.__name__}.{key} has no description= in perfscore/rules/schema.py"
        )
        assert field.description in _row(section, f"`{key}`")
    assert documented == set(model.model_fields), "the doc lists keys the model does not have"


# --- (c) every sheet, column and word is in docs/input-format.md ----------------------------


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.key)
def test_every_sheet_and_column_is_documented(sheet) -> None:
    section = _section(_doc("input-format.md"), f"## {sheet.name}")
    for name in sheet.all_names:
        assert f"`{name}`" in section or f"**{name}**" in section, (
            f"sheet name {name!r} not documented"
        )
    for col in sheet.columns:
        row = _row(section, col.header)
        for header in col.all_headers:
            assert header in row, (
                f"{sheet.name}: header {header!r} of column {col.header!r} not documented"
            )
        assert ("| 是 |" if col.required else "| 否 |") in row
        if col.example:
            assert f"| {col.example} |" in row


@pytest.mark.parametrize("vocab", list(VOCABULARIES.values()), ids=lambda v: v.key)
def test_every_vocabulary_word_is_documented(vocab) -> None:
    section = _section(_doc("input-format.md"), f"### {vocab.name}")
    for word, spellings in vocab.words.items():
        row = _row(section, word)
        for spelling in spellings:
            assert spelling in row, (
                f"{vocab.name}: spelling {spelling!r} of {word!r} not documented"
            )
    assert ("**不接受**" if vocab.closed else "**接受**") in section
    if vocab.default:
        assert f"按“{vocab.default}”计" in section


def test_input_format_prose_on_reading_is_true(tmp_path: Path) -> None:
    """Title rows, the 15-row header search, spaced headers, blank and 合计 rows behave as documented."""
    import xlsxwriter

    text = _doc("input-format.md")
    for suffix in reading.SUPPORTED_SUFFIXES:
        assert f"`{suffix}`" in text
    assert (
        "前 15 行" in text and "`姓　名`" in text and "`合计：2件`" in text and "`小计(3)`" in text
    )
    path = tmp_path / "登记.xlsx"
    book = xlsxwriter.Workbook(str(path))
    roster = book.add_worksheet("委员名单")
    for r in range(14):  # title rows: the header is on row 15
        roster.write_string(r, 0, "2023 年度委员名单" if r == 0 else "")
    for c, header in enumerate(["委员编号", "姓　名", "界  别"]):
        roster.write_string(14, c, header)
    roster.write_row(15, 0, ["0001", "张三", "经济界"])
    roster.write_row(16, 0, ["0002", "李四", "教育界"])
    roster.write_row(18, 0, ["合计：2人"])  # row 17 is blank
    proposals = book.add_worksheet("提案")
    proposals.write_row(0, 0, ["提案编号", "标题", "提交\n日期", "提案人", "状态"])
    proposals.write_row(1, 0, ["2023001", "关于某事的提案", "2023-01-10", "张三", "立案"])
    proposals.write_row(2, 0, ["小计(3)"])
    proposals.write_row(3, 0, ["合计"])
    book.close()

    raw = reading.read_workbook(path)
    assert raw.tables["roster"].frame["member_id"].tolist() == ["0001", "0002"]
    assert raw.tables["roster"].frame["name"].tolist() == ["张三", "李四"]
    assert raw.tables["proposals"].frame["item_id"].tolist() == ["2023001"]
    assert raw.tables["proposals"].frame["date"].tolist() == ["2023-01-10"]


def test_input_format_prose_on_values_is_true() -> None:
    text = _doc("input-format.md")

    # Every date written in the doc is read as 2023-05-24 (the month-day one without a year).
    dates = parse_dates(
        pd.Series(["2023-05-24", "2023/5/24", "2023.5.24", "2023年5月24日", "45070"])
    )
    assert all(
        text.count(f"`{d}`")
        for d in ["2023-05-24", "2023/5/24", "2023.5.24", "2023年5月24日", "45070"]
    )
    assert (dates.dates == pd.Timestamp("2023-05-24")).all()
    month_day = parse_dates(pd.Series(["5月24日"]))
    assert "`5月24日`" in text and month_day.yearless.all()
    assert (month_day.in_year(2023) == pd.Timestamp("2023-05-24")).all()

    # The name separators the doc lists all split a cell, and a bracketed tag is dropped.
    line = next(line for line in text.splitlines() if "一个单元格可写多位委员" in line)
    for sep in ["、", "，", ",", "；", ";", "/"]:
        assert f"`{sep}`" in line
        assert split_names(pd.Series([f"张三{sep}李四"])).tolist() == ["张三", "李四"], sep
    assert "空格" in line and split_names(pd.Series(["张三 李四"])).tolist() == ["张三", "李四"]
    from perfscore.text import strip_name_tag

    for tagged in ["张三（民盟）", "张三(民盟)", "张三【特邀】"]:
        assert f"`{tagged}`" in text
        assert strip_name_tag(pd.Series([tagged])).tolist() == ["张三"]


# --- (d) every command has help and an example ----------------------------------------------


def _commands() -> list[tuple[str, typing.Any]]:
    root = typer.main.get_command(app)
    found = []

    def walk(command, name: str) -> None:
        found.append((name, command))
        for sub_name, sub in sorted(getattr(command, "commands", {}).items()):
            if not sub.hidden:
                walk(sub, f"{name} {sub_name}")

    walk(root, "perfscore")
    return found


@pytest.mark.parametrize("name,command", _commands(), ids=[name for name, _ in _commands()])
def test_every_command_has_help_and_example(name: str, command) -> None:
    assert (command.help or "").strip(), f"`{name}` has no help text"
    assert f"## `{name}`" in _doc("commands.md"), (
        f"`{name}` is not in docs/commands.md; {REGENERATE}"
    )
    if hasattr(command, "commands"):
        return  # a group: its help lists its commands
    doc = command.callback.__doc__ or ""
    examples = [line.strip() for line in doc.splitlines() if line.strip().startswith("示例：")]
    assert examples, f"the docstring of `{name}` has no line starting with 示例："
    assert all(e.removeprefix("示例：").startswith(name + " ") for e in examples), (
        f"an example of `{name}` does not run `{name}`: {examples}"
    )


def test_commands_doc_has_fixed_width_help() -> None:
    names = [name for name, _, _ in docgen.iter_commands()]
    assert sorted(names) == sorted(name for name, _ in _commands())
    for name, command, ctx in docgen.iter_commands():
        assert ctx.terminal_width == docgen.HELP_WIDTH
        assert command.get_help(ctx).startswith(f"用法：{name}")


# --- (e) the YAML examples in docgen validate and come from rules/default.yaml ----------------


def _fits(part: object, node: object) -> bool:
    """``part`` is ``node`` with some keys or list items left out (list order kept)."""
    if isinstance(part, dict):
        return isinstance(node, dict) and all(
            k in node and _fits(v, node[k]) for k, v in part.items()
        )
    if isinstance(part, list):
        if not isinstance(node, list):
            return False
        rest = iter(node)
        return all(any(_fits(p, n) for n in rest) for p in part)
    return type(part) is type(node) and part == node


def _found_in(part: object, tree: object) -> bool:
    if _fits(part, tree):
        return True
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    return any(_found_in(part, child) for child in children)


def test_excerpt_check_can_fail() -> None:
    default = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    assert _found_in({"match": {"kind": "meeting", "type": ["全体会议"]}}, default)
    assert not _found_in({"match": {"kind": "meeting", "type": ["不存在的会议"]}}, default)
    assert not _found_in([{"grade": "良好"}, {"grade": "优秀"}], default)  # order matters


_EXAMPLE = re.compile(r"^示例（(?P<source>[^）]*)）：\n\n```yaml\n(?P<yaml>.*?)\n```$", re.M | re.S)


def _rules_example(model: type[BaseModel]) -> tuple[str, bool] | None:
    """The YAML example under a model's section of docs/rules.md, and whether it says it is an
    excerpt of rules/default.yaml."""
    found = _EXAMPLE.search(_section(_doc("rules.md"), f"## {model.__name__}"))
    if found is None:
        return None
    return found["yaml"], found["source"].startswith("摘自 `rules/default.yaml`")


def _example_value(model: type[BaseModel], text: str) -> object:
    """The part of an example the excerpt check compares: an example written under its key
    (``match:``, ``categories:``) is unwrapped by that key."""
    value = yaml.safe_load(text)
    keys = {path.rsplit(".", 1)[-1].removesuffix("[]") for path in docgen.rule_models()[model]}
    if model is not schema.Rules and isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key in keys:
            value = value[key]
    return value


def _example_values(model: type[BaseModel], text: str) -> list[object]:
    """The values of an example the model validates: the keys of the model's places in a rules
    file (``consequences[].term`` gives consequences and term) are followed down, through
    lists, to the values under the last of them."""
    value = yaml.safe_load(text)
    if model is schema.Rules:
        return [value]
    places = {
        part.removesuffix("[]")
        for path in docgen.rule_models()[model]
        for part in path.split(".")
        if part
    }

    def reach(node: object) -> list[object]:
        if isinstance(node, list):
            return [found for element in node for found in reach(element)]
        if isinstance(node, dict) and (inner := [key for key in node if key in places]):
            return [found for key in inner for found in reach(node[key])]
        return [node]

    return reach(value)


@pytest.mark.parametrize("model", _all_rule_models(), ids=lambda m: m.__name__)
def test_rules_example_validates(model: type[BaseModel]) -> None:
    example = _rules_example(model)
    assert example is not None, f"the {model.__name__} section of docs/rules.md has no example"
    text, excerpt = example
    for element in _example_values(model, text):
        model.model_validate(element)
    if model is schema.Rules:
        parse_rules(text)
    if excerpt:
        default = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
        assert _found_in(_example_value(model, text), default), (
            f"the {model.__name__} example in docs/rules.md is no longer an excerpt of "
            "rules/default.yaml"
        )


_ITEM = {"id": "a", "name": "甲", "match": {"kind": "proposal"}}
_RULES = {
    "scheme": "办法",
    "categories": [{"id": "c", "name": "类", "items": [{**_ITEM, "points": 1}]}],
    "grades": [{"grade": "优秀", "min": 90}, {"grade": "其他"}],
}


@pytest.mark.parametrize(
    "model,data,note",
    [
        ("Item", {**_ITEM}, "points、points_by、cases 须且只须写一个"),
        (
            "Item",
            {**_ITEM, "points": 1, "points_by": {"role": {"领衔": 2}}},
            "points、points_by、cases 须且只须写一个",
        ),
        (
            "Item",
            {**_ITEM, "points_by": {"role": {"领衔": 2}, "status": {"立案": 1}}},
            "points_by 只能按一个字段取分值",
        ),
        ("Item", {**_ITEM, "points": 1, "max": -1}, "本项封顶分 max 不能小于 0"),
        ("Item", {**_ITEM, "points": 1, "min": 2}, "本项最低分 min 不能大于 0"),
        (
            "Grade",
            {
                **_RULES,
                "grades": [
                    {"grade": "良好", "min": 80},
                    {"grade": "优秀", "min": 90},
                    {"grade": "其他"},
                ],
            },
            "等次须从高到低排列，各档 min 依次递减",
        ),
        (
            "Grade",
            {**_RULES, "grades": [{"grade": "优秀", "min": 90}]},
            "最后一档等次不写 min（它接住其余所有分数）",
        ),
        (
            "Category",
            {**_RULES, "categories": [{**_RULES["categories"][0], "id": "total"}]},
            "是结果表中已有的列名",
        ),
        ("Rules", {**_RULES, "categories": _RULES["categories"] * 2}, "不能重复"),
        (
            "Rules",
            {**_RULES, "settings": {"tie_break": ["nonexistent"]}},
            "须是类别编号或 `member_id`",
        ),
        (
            "Rules",
            {
                **_RULES,
                "grades": [
                    {"grade": "优秀", "min": 90, "requires_checklist": True},
                    {"grade": "其他"},
                ],
            },
            "必须写 `checklist`",
        ),
    ],
)
def test_the_notes_in_the_rules_reference_are_enforced(model: str, data: dict, note: str) -> None:
    """Each hand-written note under a model is a rule the validators enforce; most quote their message."""
    from pydantic import ValidationError

    section = _section(_doc("rules.md"), f"## {model}")
    assert note in section
    validated = (
        schema.Item if model == "Item" else schema.Rules
    )  # Category notes are checked inside Rules
    with pytest.raises(ValidationError) as caught:
        validated.model_validate(data)
    if "`" not in note and "不能重复" not in note:
        assert note in str(caught.value), "the note should quote the validator's message"


# --- docs/json.md describes what `assess --out x.json` writes --------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def assessment_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("json")
    source = tmp / "2023.xlsx"
    shutil.copyfile(SAMPLE, source)
    before = _sha256(SAMPLE)
    (tmp / "tmp").mkdir()
    out = tmp / "tmp" / "x.json"
    result = CliRunner().invoke(app, ["assess", str(source), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert _sha256(SAMPLE) == before
    return json.loads(out.read_text(encoding="utf-8"))


def _record_keys(records: list[dict]) -> set[str]:
    assert records, "the sample should give at least one record"
    return set().union(*(set(r) for r in records))


def test_json_top_level_keys_are_documented(assessment_json: dict) -> None:
    documented = _table_keys(_section(_doc("json.md"), "## 顶层键"))
    assert set(assessment_json) - documented == set(), "top-level keys missing from docs/json.md"
    assert documented - set(assessment_json) == set(), (
        "docs/json.md lists top-level keys the output lacks"
    )


def test_json_rules_keys_are_documented(assessment_json: dict) -> None:
    section = _section(_doc("json.md"), "## rules")
    assert _table_keys(section) == set(assessment_json["rules"])
    # documented as "every key of the rules file's settings": so it must be exactly those
    assert "rules.md#settings" in _row(section, "`settings`")
    assert set(assessment_json["rules"]["settings"]) == set(schema.Settings.model_fields)
    assert {"id", "name"} == _record_keys(assessment_json["rules"]["categories"])
    assert {"grade", "min", "requires_checklist"} == _record_keys(
        assessment_json["rules"]["grades"]
    )


# Columns named after the rules file: documented as a placeholder.
def _placeholders(doc: dict) -> dict[str, dict[str, set[str]]]:
    return {
        "members": {"<类别编号>": {c["id"] for c in doc["rules"]["categories"]}},
        "groups": {"<等次名称>": {g["grade"] for g in doc["rules"]["grades"]}},
    }


@pytest.mark.parametrize("array", ["members", "ledger", "checklist", "groups", "problems"])
def test_json_array_fields_are_documented(assessment_json: dict, array: str) -> None:
    documented = _table_keys(_section(_doc("json.md"), f"## {array}"))
    actual = _record_keys(assessment_json[array])
    placeholders = _placeholders(assessment_json).get(array, {})
    covered = set(documented)
    for placeholder, keys in placeholders.items():
        assert placeholder in documented, f"{array}: {placeholder} not documented"
        assert keys <= actual, f"{array}: every {placeholder} should be a field of every record"
        covered |= keys
    assert actual - covered == set(), f"{array} fields missing from docs/json.md"
    for keys in placeholders.values():  # the doc names the shipped rules' categories and grades
        assert all(f"`{key}`" in _section(_doc("json.md"), f"## {array}") for key in keys)
    assert documented - set(placeholders) - actual == set(), (
        f"docs/json.md lists {array} fields the output lacks"
    )


def test_json_problem_reasons_are_documented() -> None:
    section = _section(_doc("json.md"), "## problems")
    reasons = _table_keys(section.split("`reason` 的取值")[1])
    assert reasons == {str(reason) for reason in Reason}


def test_json_example_matches_the_output(assessment_json: dict) -> None:
    text = _doc("json.md")
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1, "docs/json.md should have one ```json example"
    example = json.loads(blocks[0])
    assert set(example) == set(assessment_json)
    assert set(example["rules"]) == set(assessment_json["rules"])
    for array in ["members", "ledger", "checklist", "groups", "problems"]:
        assert example[array], f"the example should show one {array} record"
        for record in example[array]:
            assert set(record) == set(assessment_json[array][0]), (
                f"the {array} example has other fields"
            )


# --- (f) every recipe in the guide of docs/rules.md is a valid part of a rules file ------------

_RECIPE_BASE = {
    "scheme": "示例",
    "categories": [
        {
            "id": "c",
            "name": "类",
            "items": [{"id": "i", "name": "项", "match": {"kind": "activity"}, "points": 1}],
        }
    ],
    "grades": [
        {"grade": "优秀", "min": 90},
        {"grade": "良好", "min": 80},
        {"grade": "称职", "min": 60},
        {"grade": "不称职"},
    ],
}


def _recipe_rules(snippet: str) -> dict:
    data = yaml.safe_load(snippet)
    rules = json.loads(json.dumps(_RECIPE_BASE, ensure_ascii=False))
    if isinstance(data, list) and all("items" in entry for entry in data):
        rules["categories"] = data
    elif isinstance(data, list):
        rules["categories"][0]["items"] = data
    else:
        rules.update(data)
    if "checklist" not in rules and any(g.get("requires_checklist") for g in rules["grades"]):
        rules["checklist"] = {"items": [{"name": "x", "any_of": [{"kind": "duty"}]}]}
    return rules


def _recipes() -> list[tuple[str, str]]:
    """(heading, YAML) of every recipe in the guide of docs/rules.md that shows one."""
    guide = _section(_doc("rules.md"), "## 怎样写本单位的积分办法")
    found = []
    for part in re.split(r"^### ", guide, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        block = re.search(r"^```yaml\n(.*?)\n```$", body, flags=re.M | re.S)
        if block:
            found.append((heading, block.group(1)))
    assert len(found) >= 20
    return found


@pytest.mark.parametrize("heading,recipe", _recipes(), ids=[h for h, _ in _recipes()])
def test_every_recipe_is_a_valid_rules_fragment(heading: str, recipe: str) -> None:
    from perfscore.rules import check_rules_text

    text = yaml.safe_dump(_recipe_rules(recipe), allow_unicode=True)
    _rules, warnings = check_rules_text(text, "recipe.yaml")  # raises RulesError on any error
    assert not warnings, [str(w) for w in warnings]
