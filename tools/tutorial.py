"""Keep docs/tutorial.md true: run its commands and put their real output under each one.

    uv run python tools/tutorial.py            # rerun every command, rewrite the outputs
    uv run python tools/tutorial.py --check    # exit 1 if the page differs from a fresh run

The prose is written in the Markdown file. Each ```console block holds commands (lines that
start with ``$ ``), each followed by what it printed; only those outputs are generated. The
commands run one after another in one empty folder, as a clerk would run them, through the
real command line (stdout and stderr together, 100 columns, no terminal; the moment an archive
was written, which differs every run, is shown as <写入时间>). Each command is a process of
its own, forked from one Python process started for the page with perfscore's modules imported:
the page does not pay an interpreter's start-up and imports per command. An HTML comment
``<!-- tutorial: copy SOURCE NAME -->`` copies a file of the project into that folder first
(the filled-in workbook a clerk would have); ``<!-- tutorial: append NAME -->`` just before a
```yaml block appends that block to the file NAME there (a line the clerk adds to a rules file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial.md"

COMMAND_TIMEOUT = 300  # seconds a command may take
_BLOCK = re.compile(r"^```console\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
_COPY = re.compile(r"<!-- tutorial: copy (\S+) (\S+) -->")
_MOMENT = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_APPEND = re.compile(
    r"<!-- tutorial: append (\S+) -->\s*```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL
)


# The process the commands are forked from. It reads one request per line on stdin (the
# command's arguments and the file for its output) and answers with the exit code. The child
# leaves the loop and runs the command as the top-level code of a fresh `python -c`
# interpreter would: stdout and stderr into one file, stdin empty, sys.argv[0] '-c', and the
# interpreter's own exit (atexit handlers, flushed streams, the exit code of SystemExit).
_SERVER = r"""
import importlib, json, os, pkgutil, sys

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as perfscore.cli.main does
import perfscore
for module in pkgutil.walk_packages(perfscore.__path__, "perfscore."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
request = None
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        break
    request = None
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"{os.waitstatus_to_exitcode(status)}\n")
    sys.stdout.flush()
if request is not None:
    output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(output, 1)
    os.dup2(output, 2)
    empty = os.open(os.devnull, os.O_RDONLY)
    os.dup2(empty, 0)
    sys.argv = ["-c", *request["args"]]
    from perfscore.cli import main

    main()
"""


class _Commands:
    """Runs perfscore commands in ``folder``, each in a fork of one prepared process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        env = {
            **{
                k: v for k, v in os.environ.items() if not k.startswith(("FORCE_COLOR", "NO_COLOR"))
            },
            "COLUMNS": "100",
            "TERM": "dumb",
        }
        self.server = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # the server and the command it runs are killed together
        )

    def run(self, command: str) -> str:
        args = shlex.split(command)
        assert args[0] == "perfscore", f"a tutorial command must start with perfscore: {command}"
        assert self.server.stdin is not None and self.server.stdout is not None
        with tempfile.NamedTemporaryFile(prefix="perfscore-tutorial-", delete=False) as handle:
            output = Path(handle.name)
        try:
            self.server.stdin.write(json.dumps({"args": args[1:], "output": str(output)}) + "\n")
            self.server.stdin.flush()
            if not select.select([self.server.stdout], [], [], COMMAND_TIMEOUT)[0]:
                self.kill()
                raise TimeoutError(
                    f"the tutorial's command ran over {COMMAND_TIMEOUT} s: {command}"
                )
            answer = self.server.stdout.readline()
            if not answer:
                raise RuntimeError(f"the tutorial's command process ended before: {command}")
            returncode = int(answer)
            text = output.read_bytes().decode("utf-8", "replace")
        finally:
            output.unlink(missing_ok=True)
        folder = self.folder
        text = text.replace(str(folder) + os.sep, "").replace(str(folder), ".")
        text = _MOMENT.sub("<写入时间>", text)  # when an archive was written: differs every run
        lines = [line.rstrip() for line in text.splitlines()]
        if returncode:
            lines.append(f"（退出码 {returncode}）")
        return "\n".join(lines)

    def close(self) -> None:
        """End the server once its last command is done."""
        if self.server.stdin is not None:
            self.server.stdin.close()
        try:
            self.server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """End the server and the command it is running, at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()


def _console_block(body: str, commands: _Commands) -> str:
    lines = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    parts = [f"$ {command}\n{commands.run(command)}".rstrip() for command in lines]
    return "\n".join(parts) + "\n"


def render(page: str, folder: Path) -> str:
    """``page`` with every console block's outputs made afresh by running it in ``folder``."""
    out: list[str] = []
    position = 0
    commands = _Commands(folder)
    done = False
    try:
        for block in _BLOCK.finditer(page):
            before = page[position : block.start()]
            for source, name in _COPY.findall(before):
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, folder / name)
            for name, text in _APPEND.findall(before):
                with open(folder / name, "a", encoding="utf-8") as handle:
                    handle.write("\n" + text)
            out.append(before)
            out.append(f"```console\n{_console_block(block.group(1), commands)}```\n")
            position = block.end()
        done = True
    finally:
        if done:
            commands.close()
        else:  # stopped by an error or an interrupt: leave no process behind
            commands.kill()
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
