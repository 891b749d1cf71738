"""The command line's own words in Chinese: usage errors, help headings and option notes.

typer and click word their usage errors ("Missing argument", "No such command") and help
("Usage:", "Options", "Show this message and exit.") in English, and depending on the typer
version click is either a separate package with gettext or a copy inside typer without it. So
the translation does not go through gettext: :class:`ChineseGroup` runs the command tree, turns
each usage error into a Chinese message built from the error's own fields (which parameter,
which option, which choices), and gives every command a help formatter that writes Chinese
headings and notes. The same words reach a terminal, ``CliRunner`` and cron mail.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from typer.core import TyperGroup

__all__ = ["ChineseGroup", "usage_error_text"]

_HEADINGS = {
    "Usage": "用法",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
}

# Notes typer and click add to a parameter's help, and the help option's own text.
_NOTES = [
    (re.compile(r"Show this message and exit\.?"), "显示本帮助并退出。"),
    (re.compile(r"\[default: (.*?)\]"), r"[默认：\1]"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[env var: (.*?)\]"), r"[环境变量：\1]"),
    (re.compile(r"\(dynamic\)"), "（运行时决定）"),
]

# Type placeholders typer shows beside a parameter that has no metavar of its own.
_METAVARS = [
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
    (re.compile(r"<list\[Path\]>"), "<文件…>"),
    (re.compile(r"<list\[str\]>"), "<文字…>"),
    (re.compile(r"<dir>"), "<文件夹>"),
    (re.compile(r"<file>"), "<文件>"),
    (re.compile(r"<path>|<Path>"), "<路径>"),
    (re.compile(r"<directory>"), "<文件夹>"),
    (re.compile(r"<int>|<integer>|INTEGER"), "<整数>"),
    (re.compile(r"<float>|FLOAT"), "<数字>"),
    (re.compile(r"<text>|<str>|TEXT"), "<文字>"),
]


def _sub(text: str, table: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in table:
        text = pattern.sub(replacement, text)
    return text


def _formatter_class(base: type) -> type:
    class ChineseHelpFormatter(base):
        """click's help formatter with Chinese headings, notes and type placeholders."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, _sub(args, _METAVARS), prefix or "用法：")

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

        def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
            rows = [(_sub(term, _METAVARS), _sub(text, _NOTES)) for term, text in rows]
            super().write_dl(rows, *args, **kwargs)

    return ChineseHelpFormatter


def _context_class(base: Any) -> type:
    return type(
        "ChineseContext", (base,), {"formatter_class": _formatter_class(base.formatter_class)}
    )


def _localise(command: Any, contexts: dict[type, type]) -> None:
    """Give ``command`` and every command under it the Chinese help formatter."""
    base = type(command).context_class
    if base not in contexts:
        contexts[base] = _context_class(base)
    command.context_class = contexts[base]
    for sub in getattr(command, "commands", {}).values():
        _localise(sub, contexts)


def _name(param: Any) -> str:
    """A parameter as the user types it: ``--year`` for an option, its metavar for an argument."""
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return "/".join(sorted(opts, key=len, reverse=True))
    metavar = getattr(param, "metavar", None)
    return _sub(metavar or (param.name or "").upper(), _METAVARS)


# Reasons click and typer give for a value they cannot use, as the clerk should read them.
_BAD_VALUE = [
    (re.compile(r"valid integer|is not a valid int", re.I), "应为整数"),
    (re.compile(r"valid number|valid float|is not a valid float", re.I), "应为数字"),
    (re.compile(r"does not exist", re.I), "文件或文件夹不存在"),
    (re.compile(r"is a directory", re.I), "这是一个文件夹，这里需要一个文件"),
    (re.compile(r"is a file", re.I), "这是一个文件，这里需要一个文件夹"),
    (re.compile(r"is not readable", re.I), "无法读取（没有权限）"),
    (re.compile(r"is not writable", re.I), "无法写入（没有权限）"),
    (re.compile(r"is not one of|valid choice|Input should be", re.I), "不是可选的值"),
    (re.compile(r"date|datetime", re.I), "应为日期，如 2023-12-31"),
]


def usage_error_text(error: Any) -> str:
    """A click usage error as one Chinese sentence, built from the error's fields."""
    kinds = _exception_kinds()
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    param = getattr(error, "param", None)
    if isinstance(error, kinds["MissingParameter"]):
        kind = getattr(error, "param_type", None) or getattr(param, "param_type_name", "")
        what = "选项" if kind == "option" else "参数"
        return f"缺少{what} {_name(param)}。" if param is not None else "缺少参数。"
    if isinstance(error, kinds["NoSuchOption"]):
        text = f"没有选项 {getattr(error, 'option_name', '')}。"
        possible = list(getattr(error, "possibilities", None) or [])
        if possible:
            text += f"是不是要用 {'、'.join(sorted(possible))}？"
        return text
    if isinstance(error, kinds["BadOptionUsage"]):
        if "requires an argument" in message or "requires" in message:
            return f"选项 {getattr(error, 'option_name', '')} 后面要写一个值。"
        return f"选项 {getattr(error, 'option_name', '')} 的用法不对。"
    if isinstance(error, kinds["BadParameter"]):
        reason = _sub_first(message, _BAD_VALUE) or "无法使用"
        where = f"{_name(param)} " if param is not None else ""
        hint = getattr(error, "param_hint", None)
        if not where and hint:
            where = f"{hint if isinstance(hint, str) else '/'.join(hint)} "
        return f"{where}的值{reason}。"
    command = re.match(r"No such command '(.*)'\.", message)
    if command:
        return f"没有命令 {command.group(1)}。"
    if message.startswith("Missing command"):
        return "缺少命令。"
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if extra:
        return f"多余的参数：{extra.group(1)}。每个命令要哪些参数，见 --help。"
    return f"命令行有误：{message}"


def _sub_first(text: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    return next((reason for pattern, reason in table if pattern.search(text)), None)


def _exception_kinds() -> dict[str, tuple[type[BaseException], ...]]:
    """click's exception classes as the installed typer raises them (its own copy of click,
    or the click package), so both kinds are recognised."""
    names = [
        "MissingParameter",
        "NoSuchOption",
        "BadOptionUsage",
        "BadParameter",
        "UsageError",
        "Abort",
    ]
    found: dict[str, tuple[type[BaseException], ...]] = {name: () for name in names}
    sources = []
    try:
        from typer._click import exceptions as bundled

        sources.append(bundled)
    except ImportError:
        pass
    try:
        from click import exceptions as separate

        sources.append(separate)
    except ImportError:
        pass
    for source in sources:
        for name in names:
            kind = getattr(source, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                found[name] += (kind,)
    return found


class ChineseGroup(TyperGroup):
    """The top command group: Chinese help for every command, Chinese usage errors, and the
    exit codes the rest of perfscore uses (2 for a usage error)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _localise(self, {})

    def main(  # type: ignore[override]  # click declares main as overloads on standalone_mode
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        kinds = _exception_kinds()
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except kinds["UsageError"] as error:
            sys.exit(_report(error))
        except kinds["Abort"]:
            print("已中断。", file=sys.stderr)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def _report(error: Any) -> int:
    """Print a usage error the way perfscore prints every problem: what is wrong, then where
    to look. Returns the exit code."""
    ctx = getattr(error, "ctx", None)
    no_args_help = type(error).__name__ == "NoArgsIsHelpError"
    if ctx is not None and no_args_help:
        print(ctx.get_help(), file=sys.stderr)
        return 2
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
    lines.append(f"查看帮助：{ctx.command_path if ctx is not None else 'perfscore'} --help")
    lines.append("")
    lines.append(f"错误：{usage_error_text(error)}")
    print("\n".join(lines), file=sys.stderr)
    return 2
