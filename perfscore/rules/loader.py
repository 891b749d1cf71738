"""Load a rules file: safe YAML, every key's line and column kept, all errors reported at once.

YAML is composed with the safe loader (no tags, no Python objects) into a node tree; the tree is
turned into plain data while each key's position is remembered, so a pydantic error at
``categories[0].items[1].poinst`` can be reported as ``rules.yaml:14:7``.
"""

from __future__ import annotations

import difflib
import gc
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

    # A large file makes many small objects at once; the cycle collector, run again and again
    # as they accumulate, would make the check's time grow with the square of the file's size.
    collecting = gc.isenabled()
    gc.disable()
    try:
        rules, positions = _validate(text, name)
    finally:
        if collecting:
            gc.enable()
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
    # libyaml lets a tab pass where PyYAML refuses it (`base:\t10`): a text with a tab is
    # left to PyYAML, whose verdict is the one documented ("这一行用了 Tab 键缩进").
    loader = _FAST_LOADER if "\t" not in text else yaml.SafeLoader
    try:
        # libyaml refuses nesting beyond 1000 levels itself and its composer shares an alias's
        # node, so its tree is small; MAX_DEPTH and the alias budget are applied below.
        node = (
            yaml.compose(text, Loader=loader)
            if loader is _FAST_LOADER
            else _compose(text, loader, name)
        )
    except yaml.YAMLError:
        # PyYAML's own parser names the character at fault.
        try:
            node = _compose(text, yaml.SafeLoader, name)
        except yaml.YAMLError as exc:
            raise RulesError(f"规则文件 {name} 有错误", [_yaml_problem(exc, name)]) from None
    if node is None:
        raise RulesError(
            f"规则文件 {name} 是空的",
            [Problem(Severity.ERROR, Reason.RULES, "规则文件是空的", name, "1:1")],
        )
    reading = _Reading(name, budget=len(text) + _EXPANSION_ALLOWANCE)
    try:
        data = _to_data(node, (), reading)
    except _TooLarge as exc:
        mark = exc.node.start_mark
        problem = Problem(
            Severity.ERROR,
            Reason.RULES,
            f"别名（*名称）展开后的内容太多（超过 {len(text) + _EXPANSION_ALLOWANCE:,} 项）",
            name,
            f"{mark.line + 1}:{mark.column + 1}",
            suggestion="别名（&名称 与 *名称）只用于重复少量内容；请把内容直接写出",
        )
        raise RulesError(f"规则文件 {name} 有错误", [problem]) from None
    positions, problems = reading.positions, reading.problems
    if problems:
        raise RulesError(f"规则文件 {name} 有 {len(problems)} 处错误", problems)
    try:
        return Rules.model_validate(data), positions
    except ValidationError as exc:
        problems = [_problem_from(err, positions, name) for err in exc.errors()]
        problems.sort(key=lambda p: _line_key(p.cell))
        raise RulesError(f"规则文件 {name} 有 {len(problems)} 处错误", problems) from None


def _compose(text: str, loader: type, name: str) -> yaml.Node | None:
    """PyYAML's composer recurses once per level of nesting: the shape is checked first."""
    shape = _shape_problem(text, loader, name)
    if shape is not None:
        raise RulesError(f"规则文件 {name} 有错误", [shape])
    return yaml.compose(text, Loader=loader)


# Bounds on a rules file's shape, checked on the stream of parser events before any tree is
# built: nesting deeper than any rules file needs, and aliases (*name) that would expand into
# more values than the file could hold written out (nine aliases of nine aliases of … make
# hundreds of millions of values from a few hundred bytes).
MAX_DEPTH = 32
_EXPANSION_ALLOWANCE = 10_000


def _shape_problem(text: str, loader: type, name: str) -> Problem | None:
    """Refuse nesting beyond MAX_DEPTH and alias expansion beyond the file's own size, with the
    line where it happens; one pass over the parser's events (no recursion, no tree)."""
    budget = len(text) + _EXPANSION_ALLOWANCE
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    open_sizes: list[int] = []  # values inside each open collection so far
    open_anchors: list[str | None] = []
    total = 0

    def where(event: yaml.Event) -> str:
        mark = event.start_mark
        return f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "?"

    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_sizes) >= MAX_DEPTH:
                return Problem(
                    Severity.ERROR,
                    Reason.RULES,
                    f"嵌套太深（超过 {MAX_DEPTH} 层）",
                    name,
                    where(event),
                    suggestion="规则文件不需要这么多层；检查这里的括号和缩进",
                )
            open_sizes.append(1)
            open_anchors.append(event.anchor)
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            size = open_sizes.pop()
            anchor = open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor, 1) if event.anchor is not None else 1
        else:
            continue
        total += size if isinstance(event, yaml.AliasEvent) else 1
        if open_sizes:
            open_sizes[-1] += size
        if total > budget or (open_sizes and open_sizes[-1] > budget):
            return Problem(
                Severity.ERROR,
                Reason.RULES,
                f"别名 *{getattr(event, 'anchor', '')} 展开后的内容太多（超过 {budget:,} 项）",
                name,
                where(event),
                suggestion="别名（&名称 与 *名称）只用于重复少量内容；请把内容直接写出",
            )
    return None


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


class _Reading:
    """What turning a node tree into data keeps: each key's position, the problems found, and
    how many more values the tree may expand into (see :func:`_to_data`)."""

    def __init__(self, name: str, budget: int):
        self.name = name
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()
        self.budget = budget


class _TooLarge(Exception):
    """Aliases expand the tree beyond what the file could hold written out."""

    def __init__(self, node: yaml.Node):
        self.node = node


def _to_data(node: yaml.Node, path: Path_, reading: _Reading) -> Any:
    """Plain data from a node tree. Each value expanded spends one unit of ``reading.budget``:
    an alias (*name) shares its anchor's node, so nine aliases of nine aliases of … expand
    a few hundred bytes into hundreds of millions of values; running out raises _TooLarge.
    Nesting deeper than MAX_DEPTH is refused where it starts."""
    reading.budget -= 1
    if reading.budget < 0:
        raise _TooLarge(node)
    where = f"{node.start_mark.line + 1}:{node.start_mark.column + 1}"
    name, problems = reading.name, reading.problems
    reading.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if len(path) >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
        problems.append(
            Problem(
                Severity.ERROR,
                Reason.RULES,
                f"嵌套太深（超过 {MAX_DEPTH} 层）",
                name,
                where,
                suggestion="规则文件不需要这么多层；检查这里的括号和缩进",
            )
        )
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            where = f"{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(Severity.ERROR, Reason.RULES, "键必须是文字", name, where))
                continue
            key = key_node.value
            if _text_problem(key, key_node, problems, name):
                continue
            if key in result:
                problems.append(
                    Problem(Severity.ERROR, Reason.RULES, f"键“{key}”重复出现", name, where)
                )
                continue
            reading.positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = _to_data(value_node, (*path, key), reading)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(child, (*path, i), reading) for i, child in enumerate(node.value)]
    if path == ("version",) and isinstance(node, yaml.ScalarNode):
        # as written: `version: 2024.10` is the text 2024.10, not the number 2024.1
        return None if _text_problem(node.value, node, problems, name) else node.value
    if node.tag not in _PLAIN_TAGS:
        problems.append(
            Problem(
                Severity.ERROR,
                Reason.RULES,
                f"不认识的标记 {_shown(node.tag)}",
                name,
                where,
                suggestion="规则文件不用 ! 开头的标记；值本身含 ! 时，请给值加引号",
            )
        )
        return None
    try:
        value = (
            node.value
            if node.tag == _STR_TAG
            else reading.constructor.construct_object(node, deep=True)
        )
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        problems.append(
            Problem(
                Severity.ERROR,
                Reason.RULES,
                f"无法读取这个值：{_shown(node.value)}（{getattr(exc, 'problem', None) or exc}）",
                name,
                where,
                suggestion="检查这个值的写法；文字请加引号",
            )
        )
        return None
    if isinstance(value, str) and _text_problem(value, node, problems, name):
        return None
    return value


# The tags of plain YAML values (a text, a number, true/false, a date, null); any other tag is
# refused rather than constructed.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}"
    for kind in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
_STR_TAG = "tag:yaml.org,2002:str"
# Characters no rules text needs and a terminal or a spreadsheet would act on: control
# characters other than tab and line break (escape sequences), lone surrogates (not text at
# all), and the bidirectional overrides that make text read other than it is stored.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _text_problem(text: str, node: yaml.Node, problems: list[Problem], name: str) -> bool:
    """Add a problem and return True when ``text`` holds a character no rules text may hold."""
    found = _BAD_CHARACTERS.search(text)
    if found is None:
        return False
    code = ord(found.group())
    kind = "不成对的代理字符" if 0xD800 <= code <= 0xDFFF else "控制字符"
    problems.append(
        Problem(
            Severity.ERROR,
            Reason.RULES,
            f"文字中有{kind} U+{code:04X}（第 {found.start() + 1} 个字符）",
            name,
            f"{node.start_mark.line + 1}:{node.start_mark.column + 1}",
            suggestion="删去这个字符；它在屏幕和表格中会显示为乱码或改变显示",
        )
    )
    return True


def _shown(text: str, limit: int = 40) -> str:
    """A value quoted for a message: escaped, and shortened when long."""
    shown = ascii(text) if _BAD_CHARACTERS.search(text) else text
    return shown if len(shown) <= limit else shown[:limit] + "…"


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
        "finite_number": f"应为有限的数字，不能是 .nan 或 .inf{shown}",
        "string_too_short": "不能为空",
        "string_too_long": f"太长：最多 {err.get('ctx', {}).get('max_length')} 个字",
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
