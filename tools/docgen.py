"""Fill the generated regions of the reference docs from the code's own declarations.

The prose of ``docs/input-format.md``, ``docs/rules.md`` and ``docs/commands.md`` is written in
the Markdown files. Between the markers

    <!-- BEGIN GENERATED: name -->
    <!-- END GENERATED: name -->

this script writes what the program itself follows:

* ``docs/input-format.md``: the sheets, columns and vocabularies of :mod:`perfscore.inputformat`;
* ``docs/rules.md``: the structure and every key of the pydantic models of
  :mod:`perfscore.rules.schema` (one region per model, ``model Name``);
* ``docs/commands.md``: the ``--help`` of every command of :mod:`perfscore.cli`.

Run ``uv run python -m tools.docgen`` to rewrite the regions, ``--check`` to only compare (exit 1
when a region is out of date or a marker is missing). This script is a development tool: it is
not part of the installed package.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from perfscore.inputformat import SHEETS, VOCABULARIES, Column, Sheet, Vocabulary
from perfscore.rules.schema import Rules

__all__ = [
    "DOCS_DIR",
    "HELP_WIDTH",
    "REGIONS",
    "MarkerError",
    "fill",
    "render",
    "rule_models",
    "iter_commands",
    "main",
]

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
HELP_WIDTH = 100
COMMAND = "uv run python -m tools.docgen"

_MARKER = re.compile(r"^<!-- (BEGIN|END) GENERATED: ([^>]+?) -->$", re.MULTILINE)


class MarkerError(ValueError):
    """A doc's generated regions do not match the regions the generator has for it."""


def _cell(text: object) -> str:
    """Text safe inside one Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    """Inline code, with a fence long enough for any backticks inside."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# --- docs/input-format.md ---------------------------------------------------------------------

_KIND_HELP: dict[str, str] = {
    "id": "编号（按文本读取）",
    "text": "文字",
    "names": "委员姓名或编号，可多位",
    "member": "一位委员的姓名或编号",
    "date": "日期",
    "flag": "是/否",
    "choice": "可填的词",
}


def _vocab_anchor(vocab: Vocabulary) -> str:
    return f"vocab-{vocab.key}"


def _sheet_anchor(sheet: Sheet) -> str:
    return f"sheet-{sheet.key}"


def _column_help(col: Column) -> str:
    text = col.help or _KIND_HELP.get(col.kind, "")
    if col.vocabulary:
        vocab = VOCABULARIES[col.vocabulary]
        text += f"（词表：[{vocab.name}](#{_vocab_anchor(vocab)})）"
    return text


def _other_names(primary: str, names: tuple[str, ...]) -> list[str]:
    return [n for n in dict.fromkeys(names) if n != primary]


def _sheet_markdown(sheet: Sheet) -> list[str]:
    lines = [f'<a id="{_sheet_anchor(sheet)}"></a>', "", f"## {sheet.name}", ""]
    others = _other_names(sheet.name, (*sheet.aliases, sheet.key))
    lines.append(
        f"* 工作表名：**{sheet.name}**；也可叫作：{'、'.join(_code(n) for n in others) or '—'}"
    )
    lines.append(
        "* **必须有**"
        if sheet.required
        else "* 规则按它计分时须有（本单位确实没有这类登记时，在规则的 `input.optional_sheets` 中写明）；"
        "规则不按它计分时可以没有"
    )
    lines.append(f"* 一行是什么：{sheet.help or '—'}")
    lines.append("")
    rows = []
    for col in sheet.columns:
        aliases = _other_names(col.header, (*col.aliases, col.key))
        rows.append(
            [
                _cell(col.header),
                _cell("、".join(aliases)) or "—",
                "是" if col.required else "否",
                _cell(_column_help(col)),
                _cell(col.example) or "—",
            ]
        )
    lines += _table(["表头", "可用的其他表头", "必填", "内容", "示例"], rows)
    lines.append("")
    return lines


def _vocabulary_markdown(vocab: Vocabulary) -> list[str]:
    used_by = [
        f"{sheet.name}·{col.header}"
        for sheet in SHEETS
        for col in sheet.columns
        if col.vocabulary == vocab.key
    ]
    lines = [f'<a id="{_vocab_anchor(vocab)}"></a>', "", f"### {vocab.name}", ""]
    lines.append(f"* 用于：{'、'.join(used_by) or '—'}")
    if vocab.closed:
        lines.append("* 其他词：**不接受**（写了不认识的词会报错）")
    else:
        lines.append("* 其他词：**接受**（不认识的词照原样保留，规则文件可按它计分）")
    if vocab.default:
        lines.append(f"* 单元格为空时：按“{vocab.default}”计")
    else:
        lines.append("* 单元格为空时：必填的列报错；非必填的列视为未填写")
    lines.append("")
    rows = [
        [_cell(word), _cell("、".join(spellings)) or "—"] for word, spellings in vocab.words.items()
    ]
    lines += _table(["标准词", "也可写作"], rows)
    lines.append("")
    return lines


def _sheet_index() -> list[str]:
    rows = [
        [
            f"[{sheet.name}](#{_sheet_anchor(sheet)})",
            "必须有" if sheet.required else "规则按它计分时须有",
            _cell(sheet.help),
        ]
        for sheet in SHEETS
    ]
    return _table(["工作表", "是否必须", "一行是什么"], rows)


def _sheets() -> list[str]:
    return [line for sheet in SHEETS for line in _sheet_markdown(sheet)]


def _vocabularies() -> list[str]:
    return [line for vocab in VOCABULARIES.values() for line in _vocabulary_markdown(vocab)]


# --- docs/rules.md ----------------------------------------------------------------------------

# A Chinese title per model, for its heading and the structure table.
_MODEL_TITLES: dict[str, str] = {
    "Rules": "规则文件（顶层）",
    "Settings": "设置",
    "Total": "总分上下限",
    "Category": "计分类别",
    "Item": "计分项",
    "Match": "匹配条件",
    "Case": "按情况计分",
    "Condition": "条件",
    "Credit": "多位作者时的计分方式",
    "Checklist": "完成清单",
    "ChecklistItem": "清单项目",
    "Grade": "等次",
    "GroupScoring": "分组得分",
    "Consequence": "处理提示",
    "LineCount": "明细计数",
    "InputSpec": "本单位登记表的写法",
    "Award": "评选",
    "AwardScore": "评选得分",
    "Prerequisites": "参评条件",
    "GroupCap": "分组名额上限",
    "MinShare": "保留名额",
    "Documents": "通报、公示的格式",
    "Scope": "适用的委员",
    "Period": "按周期计",
    "TermCondition": "任期内的条件",
    "Term": "届次",
    "Body": "单位",
}


def _model_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation refers to: Category in list[Category], Checklist | None, …"""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _model_in(arg)
    return found


def _is_list(annotation: Any) -> bool:
    """list[X], or list[X] | None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return origin is list


def _model_places(root: type[BaseModel] = Rules) -> list[tuple[str, type[BaseModel]]]:
    """(YAML path, model) for every place a model appears under ``root``, depth first."""
    places: list[tuple[str, type[BaseModel]]] = []

    def walk(model: type[BaseModel], path: str, stack: tuple[type[BaseModel], ...]) -> None:
        places.append((path, model))
        if model in stack:
            return
        for key, field in model.model_fields.items():
            for sub in _model_in(field.annotation):
                sub_path = f"{path}.{key}" if path else key
                walk(sub, sub_path + ("[]" if _is_list(field.annotation) else ""), (*stack, model))

    walk(root, "", ())
    return places


def rule_models(root: type[BaseModel] = Rules) -> dict[type[BaseModel], list[str]]:
    """Every model reachable from ``root`` in depth-first order, with the YAML paths it appears at."""
    found: dict[type[BaseModel], list[str]] = {}
    for path, model in _model_places(root):
        found.setdefault(model, []).append(path)
    return found


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _link(model: type[BaseModel]) -> str:
    return f"[{model.__name__}](#{_anchor(model)})"


_SIMPLE_TYPES: dict[Any, str] = {str: "文字", float: "数字", int: "整数", bool: "`true` 或 `false`"}


def _plain_type(annotation: Any) -> str:
    """A type in plain words: list[str] -> 文字列表 …"""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " 或 ".join(_plain_type(a) for a in args if a is not type(None))
    if origin is Literal:
        return "以下之一：" + "、".join(_code(str(a)) for a in args)
    if origin is list:
        inner = args[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return f"列表，每项见 {_link(inner)}"
        return f"{_plain_type(inner)}列表，如 `[a, b]`"
    if origin is dict:
        key, value = args
        return f"键值对 `{{键: 值}}`，键为{_plain_type(key)}，值为{_plain_type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"键值对，见 {_link(annotation)}"
    return _SIMPLE_TYPES.get(annotation, getattr(annotation, "__name__", str(annotation)))


_KNOWN_PATTERNS = {r"^[^\s.:]+$": "不含空格、`.`、`:`"}


def _constraints(field: FieldInfo) -> list[str]:
    is_list = _is_list(field.annotation)
    words: list[str] = []
    for meta in field.metadata:
        name = type(meta).__name__
        if name == "Ge":
            words.append(f"≥ {meta.ge}")
        elif name == "Gt":
            words.append(f"> {meta.gt}")
        elif name == "Le":
            words.append(f"≤ {meta.le}")
        elif name == "Lt":
            words.append(f"< {meta.lt}")
        elif name == "MinLen":
            words.append(
                f"至少 {meta.min_length} 项" if is_list else f"至少 {meta.min_length} 个字"
            )
        elif name == "MaxLen":
            words.append(
                f"最多 {meta.max_length} 项" if is_list else f"最多 {meta.max_length} 个字"
            )
        elif getattr(meta, "pattern", None):
            words.append(_KNOWN_PATTERNS.get(meta.pattern, f"须符合正则 `{meta.pattern}`"))
    return words


def _yaml_inline(value: Any) -> str:
    if isinstance(value, str) and (value == "" or yaml.safe_load(value) != value):
        return json.dumps(value, ensure_ascii=False)  # a string YAML would read otherwise: quote it
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip()
    return text.removesuffix("...").strip()


def _plain_default(field: FieldInfo) -> str:
    if field.is_required():
        return "**必填**"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]  # the models' factories take no argument
        if isinstance(value, BaseModel):
            return "各项取默认值"
        return _code(_yaml_inline(value))
    if field.default is None:
        return "不写"
    return _code(_yaml_inline(field.default))


def _model_markdown(model: type[BaseModel], paths: list[str]) -> list[str]:
    name = model.__name__
    title = _MODEL_TITLES.get(name, "")
    lines = [
        f'<a id="{_anchor(model)}"></a>',
        "",
        f"## {name}" + (f" — {title}" if title else ""),
        "",
    ]
    where = "、".join(_code(p) if p else "文件顶层" for p in paths)
    lines.append(f"位置：{where}")
    lines.append("")
    doc = " ".join((model.__doc__ or "").split())
    if doc:
        lines += [f"> {doc}", ""]
    rows = []
    for key, field in model.model_fields.items():
        kind = _plain_type(field.annotation)
        limits = _constraints(field)
        if limits:
            kind += "（" + "，".join(limits) + "）"
        rows.append(
            [_code(key), _cell(kind), _cell(_plain_default(field)), _cell(field.description or "—")]
        )
    lines += _table(["键", "类型", "默认值", "含义"], rows)
    return lines


def _structure() -> list[str]:
    rows = [
        [_code(path) if path else "文件顶层", _link(model), _MODEL_TITLES.get(model.__name__, "")]
        for path, model in _model_places()
    ]
    return _table(["YAML 中的位置", "见", "是什么"], rows)


def _rules_regions() -> dict[str, Callable[[], list[str]]]:
    regions: dict[str, Callable[[], list[str]]] = {"structure": _structure}
    for model, paths in rule_models().items():
        regions[f"model {model.__name__}"] = functools.partial(_model_markdown, model, paths)
    return regions


# --- docs/commands.md -------------------------------------------------------------------------


def iter_commands() -> Iterator[tuple[str, Any, Any]]:
    """Every visible command of the CLI, depth first: (full name, command, context).

    The contexts use a fixed width of :data:`HELP_WIDTH`, so help text is the same on any terminal.
    """
    import typer
    import typer.main

    from perfscore.cli import app

    root = typer.main.get_command(app)

    def walk(command: Any, name: str, parent: Any) -> Iterator[tuple[str, Any, Any]]:
        # the command's own context class: the Chinese help the command line prints
        ctx = command.context_class(
            command,
            parent=parent,
            info_name=name.split()[-1],
            terminal_width=HELP_WIDTH,
            max_content_width=HELP_WIDTH,
        )
        yield name, command, ctx
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            return
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            yield from walk(sub, f"{name} {sub_name}", ctx)

    yield from walk(root, "perfscore", None)


def _commands() -> list[str]:
    lines: list[str] = []
    for name, command, ctx in iter_commands():
        text = command.get_help(ctx)
        lines += [
            f"## `{name}`",
            "",
            "```text",
            *(line.rstrip() for line in text.splitlines()),
            "```",
            "",
        ]
    return lines


# --- filling the regions ----------------------------------------------------------------------

# Each doc's regions: name -> lines. rules.md has one region per model, so its set is computed.
REGIONS: dict[str, Callable[[], dict[str, Callable[[], list[str]]]]] = {
    "input-format.md": lambda: {
        "sheet-index": _sheet_index,
        "sheets": _sheets,
        "vocabularies": _vocabularies,
    },
    "rules.md": _rules_regions,
    "commands.md": lambda: {"commands": _commands},
}


def fill(text: str, regions: dict[str, Callable[[], list[str]]], doc: str = "doc") -> str:
    """``text`` with every generated region's content replaced by its renderer's lines.

    Raises :class:`MarkerError` when a marker is unpaired or repeated, names a region the
    generator does not have, or a region the generator has is missing from ``text``."""
    out: list[str] = []
    seen: set[str] = set()
    position = 0
    open_name: str | None = None
    for marker in _MARKER.finditer(text):
        kind, name = marker.groups()
        if kind == "BEGIN":
            if open_name is not None:
                raise MarkerError(f"{doc}: region {open_name!r} has no END marker before {name!r}")
            if name not in regions:
                raise MarkerError(f"{doc}: the generator has no region {name!r}")
            if name in seen:
                raise MarkerError(f"{doc}: region {name!r} appears twice")
            seen.add(name)
            out.append(text[position : marker.end()])
            out.append("\n" + "\n".join(regions[name]()).strip("\n") + "\n")
            open_name = name
        else:
            if name != open_name:
                raise MarkerError(f"{doc}: END marker for {name!r} without its BEGIN marker")
            open_name = None
        position = marker.start() if kind == "END" else marker.end()
    if open_name is not None:
        raise MarkerError(f"{doc}: region {open_name!r} has no END marker")
    missing = [name for name in regions if name not in seen]
    if missing:
        raise MarkerError(
            f"{doc}: no region for {', '.join(missing)}; add "
            + " ".join(
                f"<!-- BEGIN GENERATED: {n} --> <!-- END GENERATED: {n} -->" for n in missing
            )
        )
    out.append(text[position:])
    return "".join(out)


def render(name: str, docs_dir: Path = DOCS_DIR) -> str:
    """The doc ``name`` under ``docs_dir`` with its generated regions filled in."""
    path = docs_dir / name
    return fill(path.read_text(encoding="utf-8"), REGIONS[name](), f"docs/{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.docgen", description="根据代码填写 docs/ 下参考文档中的生成部分。"
    )
    parser.add_argument(
        "--check", action="store_true", help="只检查：有文件与生成结果不同时退出码为 1，不写文件"
    )
    parser.add_argument("--docs-dir", type=Path, default=DOCS_DIR, help="文档目录")
    args = parser.parse_args(argv)
    status = 0
    for name in REGIONS:
        path = args.docs_dir / name
        if not path.is_file():
            print(f"缺少：{path}", file=sys.stderr)
            status = 1
            continue
        try:
            text = render(name, args.docs_dir)
        except MarkerError as exc:
            print(f"标记有误：{exc}", file=sys.stderr)
            status = 1
            continue
        if text == path.read_text(encoding="utf-8"):
            continue
        if args.check:
            print(f"过期：{path}（运行：{COMMAND}）", file=sys.stderr)
            status = 1
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"已更新：{path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
