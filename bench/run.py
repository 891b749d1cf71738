"""Benchmark ``perfscore assess`` end to end at the sizes of bench/generate.py, against its floors.

For each size, each measurement runs in a fresh interpreter (so peak memory is that run's own,
from ``resource.getrusage(RUSAGE_SELF).ru_maxrss``), ``--runs`` times; the median is reported.

* ``assess``: what ``perfscore assess WORKBOOK --out OUT.xlsx`` does, through the library, with
  each stage timed by ``time.perf_counter`` (stage boundaries come from ``perfscore.assess``'s
  ``on_stage`` callback): setup (imports, rules), read, normalise, score, rank (assess_scores:
  totals, grades, ranks, groups; then the award shortlists), write. ``total`` is the wall time of the whole process,
  interpreter start included. Memory after a stage is the peak so far (ru_maxrss only grows);
  a forked child writes a long ledger's CSV: the peak of parent and child together is sampled as
  PSS from /proc every 20 ms ("N with child"), since their RSS share most pages.
* floor ``import``: ``python -c "import perfscore.api, pandas, python_calamine"``.
* floor ``read``: the plainest read of every sheet with python-calamine (``to_python``), in-process
  time; import + read is the least any run on this file can take.
* ``floor``: the same reading and the same amount of writing, the plain way: an interpreter that
  imports pandas, reads every sheet of the input with calamine (``to_python``) and writes with
  xlsxwriter (constant-memory mode, ``write_row``) a workbook of the same sheets, each with as many
  rows and columns as perfscore's result has (cells taken from the input's rows in turn). Its wall
  time, interpreter start included, is what the S target (end to end ≤ 1.5×) is judged against.
  The ledger CSV files written beside the workbook at M and L are not part of it.
* ``plain``: a plain pipeline on the same file: calamine read -> pandas (names split, points per
  register row, sums per member) -> xlsxwriter constant-memory write of the ranking (no ledger:
  the issue's reference pipeline). The L target is end to end, ledger included, within 2× this,
  measured in the same run.
* ``cli``: ``perfscore --help`` and ``perfscore rules check rules/default.yaml`` (target < 0.3 s).

Usage::

    uv run python bench/run.py S M L --runs 3            # table on stdout, JSON in bench/out/
    uv run python bench/run.py 30x500 --runs 1 --json r.json --out-dir /tmp/b
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

T0 = time.perf_counter()
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STAGES = ("setup", "read", "normalise", "score", "rank", "write")
_PROGRESS_STAGES = {"读取": "read", "整理": "normalise", "计分": "score", "排名": "rank"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _PssSampler:
    """The most memory this process and its children held at once, as PSS (proportional set
    size: a page shared by n processes counts 1/n to each, so the sum is what they take
    together; a forked child's RSS would count the pages it shares with its parent twice).
    Sampled every 20 ms from /proc on Linux; elsewhere it reports nothing."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.available = Path("/proc/self/smaps_rollup").exists()
        if self.available:
            self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.02):
            pids = (
                [me]
                + [
                    int(c)
                    for task in Path(f"/proc/{me}/task").iterdir()
                    for c in (task / "children").read_text().split()
                ]
                if Path(f"/proc/{me}/task").exists()
                else [me]
            )
            total = 0
            for pid in pids:
                try:
                    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                except OSError:
                    continue
                total += next(
                    (int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")),
                    0,
                )
            self.peak_mb = max(self.peak_mb, total / 1024)

    def stop(self) -> float | None:
        self._stop.set()
        if self.available:
            self._thread.join()
            return self.peak_mb
        return None


# --- workers: each runs in its own interpreter and prints one JSON line -------------------------


def worker_assess(workbook: str, out: str) -> dict:
    sys.path.insert(0, str(ROOT))
    marks: list[tuple[str, float, float]] = [("start", T0, _peak_mb())]

    def step(stage: str) -> None:
        marks.append((_PROGRESS_STAGES[stage], time.perf_counter(), _peak_mb()))

    sampler = _PssSampler()
    from perfscore.api import assess, write_outputs

    result = assess(workbook, on_stage=step)
    marks.append(("write", time.perf_counter(), _peak_mb()))
    write_outputs(result, Path(out), source=workbook)
    marks.append(("end", time.perf_counter(), _peak_mb()))
    # A stage lasts from its own mark to the next one; setup is from start to the first stage.
    names = ["setup", *[name for name, _, _ in marks[1:-1]]]
    stages = {
        name: {"seconds": marks[i + 1][1] - marks[i][1], "peak_mb": marks[i + 1][2]}
        for i, name in enumerate(names)
    }
    return {
        "stages": stages,
        "members": len(result.members),
        "ledger_lines": len(result.ledger),
        "peak_mb": _peak_mb(),
        # The long-ledger CSV is written by a forked child (perfscore.writers.background):
        # its own peak, which counts on top of the parent's while both run.
        "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "pss_peak_mb": sampler.stop(),
    }


def worker_read(workbook: str) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(workbook)
    cells = 0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
    return {"read_seconds": time.perf_counter() - start, "cells": cells, "peak_mb": _peak_mb()}


def worker_floor(workbook: str, out: str, shapes_json: str) -> dict:
    """The floor: import pandas, read every sheet with calamine, write sheets of the result's
    shapes with xlsxwriter's ordinary API."""
    import pandas  # noqa: F401  (part of the floor: every run imports it)
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(workbook)
    pool: list[list] = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        pool.extend(r for r in rows if any(v not in ("", None) for v in r))
    read = time.perf_counter()
    shapes = json.loads(Path(shapes_json).read_text(encoding="utf-8"))
    out_book = xlsxwriter.Workbook(out, {"constant_memory": True})
    cells = 0
    for name, height, width in shapes:
        ws = out_book.add_worksheet(name)
        for r in range(height):
            source = pool[r % len(pool)]
            row = (source * (width // max(len(source), 1) + 1))[:width]
            ws.write_row(r, 0, row)
        cells += height * width
    out_book.close()
    end = time.perf_counter()
    return {"read": read - start, "write": end - read, "cells": cells, "peak_mb": _peak_mb()}


def _result_shapes(result: Path, target: Path) -> None:
    """Each sheet of perfscore's result workbook as (name, rows, columns), for the floor."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(result))
    shapes = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        shapes.append((name, len(rows), max((len(r) for r in rows), default=0)))
    target.write_text(json.dumps(shapes, ensure_ascii=False), encoding="utf-8")


def worker_plain(workbook: str, out: str) -> dict:
    """The plain pipeline: read, score by a fixed table of points, write the ranking; no checks,
    no ledger written (the issue's reference pipeline; perfscore's run is held to 2× this with
    its ledger included)."""
    import pandas as pd
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(workbook)
    frames = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        head = next(i for i, r in enumerate(rows) if sum(1 for v in r if v not in ("", None)) > 2)
        frames[name] = pd.DataFrame(rows[head + 1 :], columns=[str(c) for c in rows[head]])
    read = time.perf_counter()
    roster = frames["委员名单"]
    by_name = pd.Series(roster["委员编号"].to_numpy(), index=roster["姓名"].to_numpy())
    points = {
        "提案": 5.0,
        "社情民意": 2.0,
        "调研报告": 4.0,
        "会议出勤": 1.0,
        "活动": 1.0,
        "双五个一": 0.5,
    }
    name_column = {
        "提案": "提案人",
        "社情民意": "作者",
        "调研报告": "作者",
        "会议出勤": "委员",
        "活动": "参加委员",
        "双五个一": "委员",
    }
    lines = []
    for sheet, value in points.items():
        f = frames[sheet]
        names = f[name_column[sheet]].astype(str).str.split("、").explode()
        lines.append(
            pd.DataFrame(
                {
                    "member_id": names.map(by_name).to_numpy(),
                    "sheet": sheet,
                    "row": names.index.to_numpy() + 2,
                    "points": value,
                }
            )
        )
    ledger = pd.concat(lines, ignore_index=True)
    totals = ledger.groupby("member_id")["points"].sum().reindex(roster["委员编号"], fill_value=0.0)
    ranking = pd.DataFrame(
        {
            "member_id": totals.index,
            "total": totals.to_numpy(),
            "rank": totals.rank(method="min", ascending=False).astype(int).to_numpy(),
        }
    )
    scored = time.perf_counter()
    book_out = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = book_out.add_worksheet("总排名")
    ws.write_row(0, 0, list(ranking.columns))
    for r, values in enumerate(ranking.itertuples(index=False), start=1):
        ws.write_row(r, 0, values)
    book_out.close()
    end = time.perf_counter()
    return {
        "read": read - start,
        "score": scored - read,
        "write": end - scored,
        "peak_mb": _peak_mb(),
    }


# --- the parent: runs the workers, takes medians, prints the table ------------------------------


def _run(args: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    try:
        return wall, json.loads(last)
    except json.JSONDecodeError:
        return wall, {}


def _median_run(args: list[str], runs: int) -> tuple[float, dict]:
    results = [_run(args) for _ in range(runs)]
    walls = [wall for wall, _ in results]
    median = statistics.median(walls)
    # The details of the run whose wall time is the median (or nearest to it).
    _wall, info = min(results, key=lambda item: abs(item[0] - median))
    return median, info


def _perfscore_script() -> str:
    candidate = Path(sys.executable).with_name("perfscore")
    return str(candidate) if candidate.exists() else "perfscore"


def measure(size: str, runs: int, out_dir: Path, *, plain: bool = True) -> dict:
    sys.path.insert(0, str(HERE))
    from generate import SIZES, generate

    if size in SIZES:
        members, rows = SIZES[size]
    else:
        members, rows = (int(v) for v in size.lower().split("x"))
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    workbook = generate((members, rows) if size not in SIZES else size, out_dir / f"{size}.xlsx")
    generated = time.perf_counter() - started
    py = sys.executable
    me = str(Path(__file__).resolve())
    result: dict = {
        "size": size,
        "members": members,
        "rows": rows,
        "workbook": str(workbook),
        "workbook_mb": workbook.stat().st_size / 1024**2,
        "generate_seconds": generated,
        "runs": runs,
    }

    wall, info = _median_run(
        [py, me, "--worker", "assess", str(workbook), str(out_dir / f"{size}-考核结果.xlsx")], runs
    )
    result["assess"] = {"total": wall, **info}
    import_wall, _ = _median_run([py, "-c", "import perfscore.api, pandas, python_calamine"], runs)
    _read_wall, read = _median_run([py, me, "--worker", "read", str(workbook)], runs)
    result["floor"] = {
        "import": import_wall,
        "read": read.get("read_seconds", float("nan")),
        "read_peak_mb": read.get("peak_mb"),
    }
    result["floor"]["import_read"] = import_wall + result["floor"]["read"]
    shapes = out_dir / f"{size}-shapes.json"
    _result_shapes(out_dir / f"{size}-考核结果.xlsx", shapes)
    floor_wall, floor_info = _median_run(
        [
            py,
            me,
            "--worker",
            "floor",
            str(workbook),
            str(out_dir / f"{size}-floor.xlsx"),
            str(shapes),
        ],
        runs,
    )
    result["floor"].update(
        total=floor_wall,
        floor_read=floor_info.get("read"),
        floor_write=floor_info.get("write"),
        cells=floor_info.get("cells"),
        peak_mb=floor_info.get("peak_mb"),
    )
    if plain:
        plain_wall, plain_info = _median_run(
            [py, me, "--worker", "plain", str(workbook), str(out_dir / f"{size}-plain.xlsx")], runs
        )
        result["plain"] = {"total": plain_wall, **plain_info}
    return result


def measure_cli(runs: int) -> dict:
    script = _perfscore_script()
    help_wall, _ = _median_run([script, "--help"], runs)
    check_wall, _ = _median_run(
        [script, "rules", "check", str(ROOT / "rules" / "default.yaml")], runs
    )
    return {"help": help_wall, "rules_check": check_wall}


def _peak_text(run: dict) -> str:
    pss = run.get("pss_peak_mb")
    return f"{run.get('peak_mb', 0):.0f}" + (
        f" ({_together_mb(run):.0f} with child)" if pss and run.get("child_peak_mb") else ""
    )


def _floor_text(floor: dict) -> str:
    if floor.get("floor_read") is None:
        return f"{floor['total']:.2f}"
    return (
        f"{floor['total']:.2f} (read {floor['floor_read']:.2f}, write {floor['floor_write']:.2f}, "
        f"{floor.get('cells', 0):,} cells)"
    )


def _together_mb(run: dict) -> float:
    """Peak memory of the run with its ledger child: the PSS peak where /proc has it, else the
    two RSS peaks added (an overestimate: the child shares most pages with its parent)."""
    if run.get("pss_peak_mb"):
        return max(run["pss_peak_mb"], run.get("peak_mb", 0))
    return run.get("peak_mb", 0) + (run.get("child_peak_mb") or 0)


def table(results: list[dict], cli: dict | None) -> str:
    lines = [
        "| size | members / rows | ledger lines | "
        + " | ".join(STAGES)
        + " | end to end | peak MB | import + read | floor (import, read, write) "
        "| × floor | plain pipeline | × plain | score+rank share |",
        "|" + "---|" * (len(STAGES) + 11),
    ]
    for r in results:
        a = r["assess"]
        stages = a.get("stages", {})
        cells = [f"{stages[s]['seconds']:.2f}" if s in stages else "–" for s in STAGES]
        share = (
            stages.get("score", {}).get("seconds", 0) + stages.get("rank", {}).get("seconds", 0)
        ) / a["total"]
        plain = r.get("plain")
        lines.append(
            f"| {r['size']} | {r['members']:,} / {r['rows']:,} | {a.get('ledger_lines', 0):,} | "
            + " | ".join(cells)
            + f" | {a['total']:.2f} | {_peak_text(a)} | {r['floor']['import']:.2f} + {r['floor']['read']:.2f} "
            f"= {r['floor']['import_read']:.2f} | {_floor_text(r['floor'])} "
            f"| {a['total'] / r['floor']['total']:.2f} | "
            + (
                f"{plain['total']:.2f} s, {plain['peak_mb']:.0f} MB | {a['total'] / plain['total']:.2f}"
                if plain
                else "– | –"
            )
            + f" | {share:.1%} |"
        )
    if cli:
        lines.append("")
        lines.append(
            f"`perfscore --help`: {cli['help']:.2f} s; `perfscore rules check rules/default.yaml`: {cli['rules_check']:.2f} s"
        )
    return "\n".join(lines)


def verdicts(results: list[dict], cli: dict | None) -> list[str]:
    """Each performance target (docs/performance.md), met or not, with the figures it was judged
    on."""
    lines = []
    for r in results:
        a, size = r["assess"], r["size"]
        stages = a.get("stages", {})
        share = (
            stages.get("score", {}).get("seconds", 0) + stages.get("rank", {}).get("seconds", 0)
        ) / a["total"]
        lines.append(
            f"{size}: score + rank {share:.1%} of end to end (target < 10%): {'met' if share < 0.10 else 'NOT met'}"
        )
        if size == "S":
            ratio = a["total"] / r["floor"]["total"]
            lines.append(
                f"S: {ratio:.2f}x its floor (target <= 1.5x): {'met' if ratio <= 1.5 else 'NOT met'}"
            )
        if size == "L":
            peak = _together_mb(a)
            lines.append(
                f"L: peak {peak:.0f} MB, parent and child together (target < 1,500): {'met' if peak < 1500 else 'NOT met'}"
            )
            if r.get("plain"):
                ratio = a["total"] / r["plain"]["total"]
                lines.append(
                    f"L: {ratio:.2f}x the plain pipeline (target <= 2x): {'met' if ratio <= 2 else 'NOT met'}"
                )
    if cli:
        for name, seconds in (("--help", cli["help"]), ("rules check", cli["rules_check"])):
            lines.append(
                f"perfscore {name}: {seconds:.2f} s (target < 0.3 s): {'met' if seconds < 0.3 else 'NOT met'}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--worker":
        kind, *rest = argv[1:]
        workers: dict[str, Callable[..., dict]] = {
            "assess": worker_assess,
            "read": worker_read,
            "floor": worker_floor,
            "plain": worker_plain,
        }
        info = workers[kind](*rest)
        print(json.dumps(info, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sizes",
        nargs="*",
        default=["S", "M", "L"],
        help="tiny, S, M, L, or MEMBERSxROWS (e.g. 30x500)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per measurement; the median is reported (default 3)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=HERE / "out",
        help="where workbooks and outputs go (default bench/out)",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain pipeline")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI start-up timings")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        results.append(measure(size, args.runs, args.out_dir, plain=not args.no_plain))
        print(f"{size}: {results[-1]['assess']['total']:.2f} s", file=sys.stderr, flush=True)
    cli = None if args.no_cli else measure_cli(args.runs)
    report = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "results": results,
        "cli": cli,
    }
    path = args.json or args.out_dir / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(table(results, cli))
    print()
    print("\n".join(f"- {line}" for line in verdicts(results, cli)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
