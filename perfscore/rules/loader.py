"""Load a rules file: safe YAML, every key's line and column kept, all errors reported at once.

YAML is composed with the safe loader (no tags, no Python objects) into a node tree; the tree is
turned into plain data while each key's position is remembered, so a pydantic error at
``categories[0].items[1].poinst`` can be reported as ``rules.yaml:14:7``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import Problem, Reason, RulesError, Severity, UsageError
from .schema import Rules

__all__ = [
    "LoadedRules",
    "load_rules",
    "parse_rules",
    "check_rules_text",
    "DEFAULT_RULES",
    "SHIPPED_RULES_DIR",
    "Path_",
]


def _shipped_rules_dir() -> Path:
    # In a wheel the rule files are bundled as perfscore/shipped_rules; in a checkout they are
    # the repository's rules/ folder.
    package = Path(__file__).resolve().parent.parent
    bundled = package / "shipped_rules"
    return bundled if bundled.is_dir() else package.parent / "rules"


SHIPPED_RULES_DIR = _shipped_rules_dir()
DEFAULT_RULES = SHIPPED_RULES_DIR / "default.yaml"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedRules:
    """Validated rules plus where they came from (shown in the output's 规则 sheet), and the
    warnings a check of their meaning raised (words the sample vocabularies do not know)."""

    rules: Rules
    path: str
    sha256: str
    warnings: tuple[Problem, ...] = ()


def load_rules(path: str | Path | None = None) -> LoadedRules:
    """Read and validate a rules file; the shipped default when ``path`` is None."""
    rules_path = Path(path) if path is not None else DEFAULT_RULES
    try:
        data = rules_path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"找不到规则文件：{rules_path}") from None
    except IsADirectoryError:
        raise UsageError(f"{rules_path} 是文件夹，请指定规则文件") from None
    except OSError as exc:
        raise UsageError(f"无法读取规则文件 {rules_path}：{exc.strerror}") from None
    rules, warnings = check_rules_text(data, name=rules_path.name)
    return LoadedRules(
        rules=rules,
        path=str(rules_path),
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=tuple(warnings),
    )


def parse_rules(text: str | bytes, name: str = "rules.yaml") -> Rules:
    """Validate rules given as YAML text. Raises :class:`RulesError` listing every problem."""
    return check_rules_text(text, name)[0]


def check_rules_text(text: str | bytes, name: str = "rules.yaml") -> tuple[Rules, list[Problem]]:
    """Validate rules: the schema, then their meaning (see :mod:`.checks`).

    Returns the rules and the warnings; raises :class:`RulesError` with every error found.
    """
    from .checks import check_meaning

    rules, positions = _validate(text, name)
    problems = check_meaning(rules, positions, name)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise RulesError(f"规则文件 {name} 有 {len(errors)} 处错误", problems)
    return rules, problems


def _validate(text: str | bytes, name: str) -> tuple[Rules, dict[Path_, tuple[int, int]]]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = Problem(
                Severity.ERROR,
                Reason.RULES,
                "文件不是 UTF-8 编码（可能是 GBK/ANSI）",
                name,
                "1:1",
                suggestion="请用 UTF-8 编码另存：记事本“另存为”时编码选 UTF-8；WPS/VS Code 在右下角选编码",
            )
            raise RulesError(f"规则文件 {name} 无法读取", [problem]) from None
    full_width = _full_width_colons(text, name)
    if full_width:
        raise RulesError(f"规则文件 {name} 有 {len(full_width)} 处错误", full_width)
    try:
        # libyaml lets a tab pass where PyYAML refuses it (`base:\t10`): a text with a tab is
        # left to PyYAML, whose verdict is the one documented ("这一行用了 Tab 键缩进").
        node = yaml.compose(text, Loader=_FAST_LOADER if "\t" not in text else yaml.SafeLoader)
    except yaml.YAMLError:
        # PyYAML's own parser names the character at fault.
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise RulesError(f"规则文件 {name} 有错误", [_yaml_problem(exc, name)]) from None
    if node is None:
        raise RulesError(
            f"规则文件 {name} 是空的",
            [Problem(Severity.ERROR, Reason.RULES, "规则文件是空的", name, "1:1")],
        )
    positions: dict[Path_, tuple[int, int]] = {}
    problems: list[Problem] = []
    data = _to_data(node, (), positions, problems, name, yaml.constructor.SafeConstructor())
    if problems:
        raise RulesError(f"规则文件 {name} 有 {len(problems)} 处错误", problems)
    try:
        return Rules.model_validate(data), positions
    except ValidationError as exc:
        problems = [_problem_from(err, positions, name) for err in exc.errors()]
        problems.sort(key=lambda p: _line_key(p.cell))
        raise RulesError(f"规则文件 {name} 有 {len(problems)} 处错误", problems) from None


# libyaml's parser when PyYAML has it (ten times faster; the same nodes and positions), else PyYAML's.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A key followed by a full-width colon (base：60): YAML reads the whole line as text.
_FULL_WIDTH_KEY = re.compile(r"^(\s*-?\s*)([A-Za-z_][A-Za-z0-9_]*)\s*：")


def _full_width_colons(text: str, name: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _FULL_WIDTH_KEY.match(line)
        if found:
            column = len(found.group(1)) + len(found.group(2)) + 1
            problems.append(
                Problem(
                    Severity.ERROR,
                    Reason.RULES,
                    f"键“{found.group(2)}”后面用了全角冒号“：”",
                    name,
                    f"{number}:{column}",
                    suggestion="改为半角冒号“:”，冒号后加一个空格",
                )
            )
    return problems


def _yaml_problem(exc: yaml.YAMLError, name: str) -> Problem:
    """PyYAML's English message, said in Chinese with what to do."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.line + 1}:{mark.column + 1}" if mark else ""
    problem = str(getattr(exc, "problem", "") or exc)
    known = [
        ("'\\t'", "这一行用了 Tab 键缩进", "YAML 只能用空格缩进，请把 Tab 换成空格"),
        ("expected <block end>", "缩进没有对齐", "同一层的键要左边对齐；列表项的“-”要对齐"),
        (
            "could not find expected ':'",
            "缺少冒号“:”",
            "每个键后面要有半角冒号和一个空格，如 base: 60",
        ),
        (
            "mapping values are not allowed here",
            "这里不能有冒号",
            "冒号后要有空格；值里本身含冒号时，请给值加引号",
        ),
        ("found undefined alias", "用了未定义的 *别名", "去掉 * 号，或给值加引号"),
        (
            "found unexpected end of stream",
            "文件没有写完整（引号或括号没有配对）",
            "检查引号、[ ] 和 { } 是否成对",
        ),
    ]
    for needle, message, suggestion in known:
        if needle in problem or needle in str(exc):
            return Problem(
                Severity.ERROR, Reason.RULES, message, name, where, suggestion=suggestion
            )
    return Problem(
        Severity.ERROR,
        Reason.RULES,
        f"YAML 格式错误：{problem}",
        name,
        where,
        suggestion="检查这一行及上一行的缩进、冒号和引号",
    )


def _line_key(cell: str) -> tuple[int, int]:
    line, _, col = cell.partition(":")
    return (int(line or 0), int(col or 0))


def _to_data(
    node: yaml.Node,
    path: Path_,
    positions: dict,
    problems: list[Problem],
    name: str,
    constructor: yaml.constructor.SafeConstructor,
) -> Any:
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else constructor.construct_object(key_node)
            )
            where = f"{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
            if not isinstance(key, str):
                problems.append(Problem(Severity.ERROR, Reason.RULES, "键必须是文字", name, where))
                continue
            if key in result:
                problems.append(
                    Problem(Severity.ERROR, Reason.RULES, f"键“{key}”重复出现", name, where)
                )
                continue
            positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _to_data(value_node, (*path, key), positions, problems, name, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_data(child, (*path, i), positions, problems, name, constructor)
            for i, child in enumerate(node.value)
        ]
    if path == ("version",) and isinstance(node, yaml.ScalarNode):
        return (
            node.value
        )  # as written: `version: 2024.10` is the text 2024.10, not the number 2024.1
    return constructor.construct_object(node, deep=True)


def _problem_from(err: Any, positions: dict[Path_, tuple[int, int]], name: str) -> Problem:
    loc: Path_ = tuple(err["loc"])
    # Pydantic adds the model or union member name to a loc in some errors; keep real path parts.
    line, col = _nearest_position(loc, positions)
    dotted = _dotted(loc)
    kind = err["type"]
    suggestion = ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        message = f"不认识的键“{loc[-1]}”"
        suggestion = (
            f"是不是“{close[0]}”？"
            if close
            else (f"这里可用的键：{'、'.join(allowed)}" if allowed else "")
        )
    elif kind == "missing":
        message = f"缺少必填的键“{loc[-1]}”"
    else:
        message = f"{dotted}：{_chinese_message(err)}"
    return Problem(
        Severity.ERROR, Reason.RULES, message, name, f"{line}:{col}", suggestion=suggestion
    )


def _nearest_position(loc: Path_, positions: dict[Path_, tuple[int, int]]) -> tuple[int, int]:
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


def _dotted(loc: Path_) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "（文件顶层）"


def _chinese_message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    given = err.get("input")
    shown = f"（写的是 {given!r}）" if not isinstance(given, (dict, list)) else ""
    table = {
        "literal_error": f"取值不在允许范围内{shown}；可用：{'、'.join(_literal_choices(err))}{_did_you_mean(given, _literal_choices(err))}",
        "float_parsing": f"应为数字{shown}",
        "float_type": f"应为数字{shown}",
        "int_parsing": f"应为整数{shown}",
        "int_type": f"应为整数{shown}",
        "bool_parsing": f"应为 true 或 false{shown}",
        "bool_type": f"应为 true 或 false{shown}",
        "string_type": f"应为文字{shown}",
        "list_type": f"应为列表（- 开头的多行，或 [a, b]）{shown}",
        "dict_type": f"应为键值对{shown}",
        "model_type": f"应为键值对{shown}",
        "too_short": "至少要有一项",
        "string_pattern_mismatch": f"编号不能含空格、点或冒号{shown}",
        "greater_than": f"须大于 {err.get('ctx', {}).get('gt')}{shown}",
        "greater_than_equal": f"须不小于 {err.get('ctx', {}).get('ge')}{shown}",
        "less_than_equal": f"须不大于 {err.get('ctx', {}).get('le')}{shown}",
    }
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", msg))
    return table.get(kind, msg)


def _literal_choices(err: Any) -> list[str]:
    return re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))


def _did_you_mean(given: Any, choices: list[str]) -> str:
    close = (
        difflib.get_close_matches(str(given), choices, n=1, cutoff=0.5)
        if isinstance(given, str)
        else []
    )
    return f"；是不是“{close[0]}”？" if close else ""


def _allowed_keys(loc: Path_) -> list[str]:
    """The keys a mapping at ``loc`` may have, found by walking the schema."""
    model: Any = Rules
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return []
        model = _inner_model(fields[part].annotation)
    return list(getattr(model, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    """list[Item] -> Item; Checklist | None -> Checklist; dict[...] -> None."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None
