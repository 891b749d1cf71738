"""The benchmark script runs end to end on a tiny size and reports every stage (not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_benchmark_reports_every_stage_and_its_floors(tmp_path):
    report = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "30x500",
            "--runs",
            "1",
            "--out-dir",
            str(tmp_path),
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text())["results"][0]
    stages = result["assess"]["stages"]
    assert list(stages) == ["setup", "read", "normalise", "score", "rank", "write"]
    assert all(stage["seconds"] >= 0 and stage["peak_mb"] > 0 for stage in stages.values())
    assert result["assess"]["ledger_lines"] > 0
    assert result["floor"]["import"] > 0 and result["floor"]["read"] > 0
    # the floor reads every sheet and writes as many cells as the result has, the plain way
    assert result["floor"]["floor_write"] > 0 and result["floor"]["cells"] > 500
    assert result["plain"]["total"] > 0
    assert "| 30x500 |" in done.stdout  # the table
    assert (tmp_path / "30x500-考核结果.xlsx").exists()
    # each target judged, with its figure (score + rank share at every size; the CLI times)
    assert "- 30x500: score + rank " in done.stdout and "(target < 10%)" in done.stdout
    assert "perfscore rules check: " in done.stdout


def test_each_target_is_judged_from_the_figures():
    sys.path.insert(0, str(ROOT / "bench"))
    from run import verdicts

    def run(size, total, score, rank, peak=100.0, child=0.0):
        return {
            "size": size,
            "assess": {
                "total": total,
                "peak_mb": peak,
                "child_peak_mb": child,
                "stages": {"score": {"seconds": score}, "rank": {"seconds": rank}},
            },
            "floor": {"total": 1.0},
            "plain": {"total": 10.0},
        }

    lines = verdicts(
        [run("S", 1.4, 0.05, 0.05), run("L", 21.0, 1.0, 1.5, peak=1200, child=400)],
        {"help": 0.1, "rules_check": 0.31},
    )
    assert "S: score + rank 7.1% of end to end (target < 10%): met" in lines
    assert "S: 1.40x its floor (target <= 1.5x): met" in lines
    assert "L: score + rank 11.9% of end to end (target < 10%): NOT met" in lines
    assert "L: peak 1600 MB, parent and child together (target < 1,500): NOT met" in lines
    assert "L: 2.10x the plain pipeline (target <= 2x): NOT met" in lines
    assert "perfscore rules check: 0.31 s (target < 0.3 s): NOT met" in lines
    shared = run("L", 21.0, 1.0, 1.5, peak=1200, child=1000)
    shared["assess"]["pss_peak_mb"] = 1350.0  # sampled together: the child shares most pages
    assert "L: peak 1350 MB, parent and child together (target < 1,500): met" in verdicts(
        [shared], None
    )
