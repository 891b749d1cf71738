"""The command line speaks Chinese: usage errors, help headings and option notes.

Every usage error a clerk can trigger, and every command's --help, is read here and must hold
no English word beyond the names a clerk types (commands, options, file kinds).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from perfscore.cli import app

# Words a clerk types or sees on files: command and option names, file kinds, product names.
ALLOWED = {
    "perfscore", "assess", "check", "explain", "shortlist", "report", "template", "rules",
    "show", "notice", "archive", "add", "info", "upgrade", "dossier", "term", "combine",
    "xlsx", "xlsm", "xls", "ods", "csv", "json", "md", "yaml", "yml", "docx", "sqlite", "pdf",
    "CSV", "JSON", "YAML", "Markdown", "Excel", "WPS", "CPU", "cron", "PERFSCORE", "DEBUG",
    "NO", "FORK", "SHA", "ID", "default", "year", "input", "Word", "LibreOffice", "Windows", "SQLite", "uv",
}  # fmt: skip

USAGE_ERRORS = [
    ([], None),  # no command: the help, exit 2
    (["assess"], "缺少参数 工作簿"),
    (["nope"], "没有命令 nope"),
    (["assess", "a.xlsx", "--year", "abc"], "--year 的值应为整数"),
    (["assess", "a.xlsx", "--bogus"], "没有选项 --bogus"),
    (["assess", "a.xlsx", "--rules"], "选项 --rules 后面要写一个值"),
    (["rules", "check"], "缺少参数 规则文件"),
    (["rules"], None),
    (["explain", "a.xlsx"], "缺少参数 委员"),
    (["check", "a", "b"], "多余的参数：b"),
]


def _english_words(text: str, typed: list[str] = ()) -> list[str]:
    """Words of three or more Latin letters that are not option names, paths, allowed words or
    what the user typed."""
    text = re.sub(r"-\n\s*", "-", text)  # an option name the help wrapped at its hyphen
    text = re.sub(r"--?[A-Za-z][\w-]*", "", text)  # option names
    text = re.sub(r"[\w./-]+\.(?:yaml|xlsx|md|json|csv|docx|sqlite|py)\b", "", text)  # files
    text = re.sub(r"\d{4}Q\d|\d{4}-\d\d", "", text)  # periods such as 2023Q2
    text = re.sub(r"\b[a-z_]+(?:\.[a-z_]+)+\b", "", text)  # rules keys: documents.unit
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED and w not in typed]


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS, ids=lambda v: " ".join(v or []))
def test_usage_errors_are_chinese(args: list[str], expected: str | None) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text
    assert _english_words(text, args) == [], text
    if expected is None:  # bare group: its help
        assert "用法：" in text and "命令：" in text
    else:
        assert f"错误：{expected}" in text, text
        assert "查看帮助：" in text


def _commands(group: typer.Typer) -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(group)
    paths: list[list[str]] = [[]]

    def walk(command, prefix: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", _commands(app), ids=lambda p: " ".join(p) or "perfscore")
def test_help_is_chinese(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法："), text
    assert "显示本帮助并退出" in text
    assert _english_words(text) == [], text


def test_usage_error_through_the_installed_entry_point() -> None:
    """The console script (perfscore.cli:main) prints the same Chinese message on stderr."""
    run = subprocess.run(
        [sys.executable, "-c", "from perfscore.cli import main; main()", "assess"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "错误：缺少参数 工作簿" in run.stderr
    assert run.stdout == ""
