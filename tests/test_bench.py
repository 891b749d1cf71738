"""The benchmark script runs end to end on a tiny size and reports every stage (not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT


def test_benchmark_reports_every_stage_and_its_floors(tmp_path):
    report = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "30x500", "--runs", "1", "--out-dir",
                           str(tmp_path), "--json", str(report)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text())["results"][0]
    stages = result["assess"]["stages"]
    assert list(stages) == ["setup", "read", "normalise", "score", "rank", "write"]
    assert all(stage["seconds"] >= 0 and stage["peak_mb"] > 0 for stage in stages.values())
    assert result["assess"]["ledger_lines"] > 0
    assert result["floor"]["import"] > 0 and result["floor"]["read"] > 0
    assert result["plain"]["total"] > 0
    assert "| 30x500 |" in done.stdout  # the table
    assert (tmp_path / "30x500-考核结果.xlsx").exists()
