"""Keep docs/tutorial.md true: run its commands and put their real output under each one.

    uv run python tools/tutorial.py            # rerun every command, rewrite the outputs
    uv run python tools/tutorial.py --check    # exit 1 if the page differs from a fresh run

The prose is written in the Markdown file. Each ```console block holds commands (lines that
start with ``$ ``), each followed by what it printed; only those outputs are generated. The
commands run one after another in one empty folder, as a clerk would run them, through the
real command line (stdout and stderr together, 100 columns, no terminal; the moment an archive
was written, which differs every run, is shown as <写入时间>). An HTML comment
``<!-- tutorial: copy SOURCE NAME -->`` copies a file of the project into that folder first
(the filled-in workbook a clerk would have); ``<!-- tutorial: append NAME -->`` just before a
```yaml block appends that block to the file NAME there (a line the clerk adds to a rules file).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial.md"

_BLOCK = re.compile(r"^```console\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
_COPY = re.compile(r"<!-- tutorial: copy (\S+) (\S+) -->")
_MOMENT = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_APPEND = re.compile(
    r"<!-- tutorial: append (\S+) -->\s*```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL
)


def _run(command: str, folder: Path) -> str:
    args = shlex.split(command)
    assert args[0] == "perfscore", f"a tutorial command must start with perfscore: {command}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FORCE_COLOR", "NO_COLOR"))},
        "COLUMNS": "100",
        "TERM": "dumb",
    }
    run = subprocess.run(
        [sys.executable, "-c", "from perfscore.cli import main; main()", *args[1:]],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    text = run.stdout.replace(str(folder) + os.sep, "").replace(str(folder), ".")
    text = _MOMENT.sub("<写入时间>", text)  # when an archive was written: differs every run
    lines = [line.rstrip() for line in text.splitlines()]
    if run.returncode:
        lines.append(f"（退出码 {run.returncode}）")
    return "\n".join(lines)


def _console_block(body: str, folder: Path) -> str:
    commands = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    parts = [f"$ {command}\n{_run(command, folder)}".rstrip() for command in commands]
    return "\n".join(parts) + "\n"


def render(page: str, folder: Path) -> str:
    """``page`` with every console block's outputs made afresh by running it in ``folder``."""
    out: list[str] = []
    position = 0
    for block in _BLOCK.finditer(page):
        before = page[position : block.start()]
        for source, name in _COPY.findall(before):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, folder / name)
        for name, text in _APPEND.findall(before):
            with open(folder / name, "a", encoding="utf-8") as handle:
                handle.write("\n" + text)
        out.append(before)
        out.append(f"```console\n{_console_block(block.group(1), folder)}```\n")
        position = block.end()
    out.append(page[position:])
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新运行 docs/tutorial.md 中的命令，更新其输出。")
    parser.add_argument("--check", action="store_true", help="只检查，不写文件；不一致时退出码为 1")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="perfscore-tutorial-") as tmp:
        fresh = render(page, Path(tmp))
    if args.check:
        if fresh != page:
            print("docs/tutorial.md 已过期：运行 uv run python tools/tutorial.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(fresh, encoding="utf-8")
    print(f"已更新：{PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
