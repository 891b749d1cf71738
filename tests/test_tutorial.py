"""docs/tutorial.md shows what each command really prints: its commands are run again here,
in order, in one folder, and the page must equal the fresh run (tools/tutorial.py rewrites it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import tutorial

pytestmark = pytest.mark.slow


def test_tutorial_output_is_current(tmp_path: Path) -> None:
    page = tutorial.PAGE.read_text(encoding="utf-8")
    fresh = tutorial.render(page, tmp_path)
    assert fresh == page, "docs/tutorial.md is out of date: uv run python tools/tutorial.py"


def test_tutorial_runs_every_command() -> None:
    import typer.main

    from perfscore.cli import app

    page = tutorial.PAGE.read_text(encoding="utf-8")
    run = {" ".join(line.split()[1:4]) for line in page.splitlines() if line.startswith("$ ")}
    root = typer.main.get_command(app)
    for name, command in root.commands.items():
        for sub in getattr(command, "commands", None) or [None]:
            full = f"perfscore {name} {sub}" if sub else f"perfscore {name}"
            assert any(f"{r} ".startswith(f"{full} ") for r in run), (
                f"the tutorial never runs {full}"
            )
