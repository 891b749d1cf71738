"""A national year on one machine: twelve L-sized units assessed as a folder, then combined.

Generates (once; reused afterwards) twelve units of bench/generate.py's L size, each from its
own seed and with its own unit name above the roster: 600,000 members and 12 million register
rows in all. Then, in one invocation so that the ratios are measured under the same load:

* ``one``: ``perfscore assess`` on the first unit alone (the unit time the folder is held to);
* ``folder N``: ``perfscore assess FOLDER`` on folders of the first N units (N = 1, 2, 4, 8, 12
  by default; each folder holds links to the generated files, so nothing is copied);
* ``combine``: ``perfscore combine`` on the twelve results (and ``assess FOLDER --combined``
  is what the folder run of twelve does in one command: see ``--with-combined``).

Each run is a fresh ``perfscore`` process (the installed console script). Wall time is measured
around the process; memory is sampled every 100 ms from /proc (``smaps_rollup``) over the process
and all its descendants (the batch's worker processes and their ledger CSV children), summed:
as RSS (pages a forked child shares with its parent count twice, so an upper bound) and as PSS
(shared pages divided among the processes sharing them: what they held together). The load
average (``/proc/loadavg``) is recorded before and after each run.

Usage::

    uv run python bench/national.py --dir /tmp/national            # generate if needed, measure
    uv run python bench/national.py --dir /tmp/national --units 4 --steps 1,2,4
    uv run python bench/national.py --dir /tmp/national --generate-only --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

UNITS = [
    "城关区政协",
    "东湖区政协",
    "西山区政协",
    "南岭县政协",
    "北川县政协",
    "青山县政协",
    "白水县政协",
    "长乐县政协",
    "安平县政协",
    "永宁县政协",
    "清河县政协",
    "石门县政协",
]
FIRST_SEED = 101


def unit_path(folder: Path, index: int, size: str = "L") -> Path:
    units = "units" if size == "L" else f"units-{size}"
    return folder / units / f"{index + 1:02d}-{UNITS[index]}.xlsx"


def _generate_one(args: tuple[str, str, int, str]) -> str:
    from generate import generate

    size, path, seed, unit = args
    return str(generate(size, Path(path), seed=seed, unit=unit))


def generate_units(folder: Path, count: int, jobs: int, size: str = "L") -> list[Path]:
    """The first ``count`` units, written if missing (``jobs`` at a time)."""
    unit_path(folder, 0, size).parent.mkdir(parents=True, exist_ok=True)
    work = [(size, str(unit_path(folder, i, size)), FIRST_SEED + i, UNITS[i]) for i in range(count)]
    missing = [w for w in work if not Path(w[1]).exists()]
    if missing:
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            for done in pool.map(_generate_one, missing):
                print(f"generated {done}", file=sys.stderr, flush=True)
    return [Path(w[1]) for w in work]


class TreeSampler:
    """Peak memory of a process and all its descendants together, sampled from /proc every
    ``interval`` seconds: the summed RSS (an upper bound: a page a forked child shares with its
    parent counts twice) and the summed PSS (each shared page divided among its processes).
    Also the CPU time of every process seen in the tree, each at its last sample: the folder's
    workers are children of the fork server, not of the command, so the command's rusage does
    not count them."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0  # summed RSS
        self.peak_pss_mb = 0.0  # summed PSS: shared pages divided among their processes
        self.peak_processes = 0
        self._cpu_ticks: dict[int, int] = {}  # pid -> its own user + system time, last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return pids

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            rss, pss, alive = 0, 0, 0
            for pid in self._tree():
                try:
                    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                fields_after_name = stat.rsplit(")", 1)[1].split()
                self._cpu_ticks[pid] = int(fields_after_name[11]) + int(fields_after_name[12])
                fields = {
                    line.split(":")[0]: int(line.split()[1])
                    for line in text.splitlines()
                    if line.startswith(("Rss:", "Pss:"))
                }
                rss += fields.get("Rss", 0)
                pss += fields.get("Pss", 0)
                alive += 1
            if rss / 1024 > self.peak_mb:
                self.peak_mb = rss / 1024
                self.peak_processes = alive
            self.peak_pss_mb = max(self.peak_pss_mb, pss / 1024)

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def _perfscore() -> str:
    candidate = Path(sys.executable).with_name("perfscore")
    return str(candidate) if candidate.exists() else "perfscore"


def run(args: list[str]) -> dict:
    """Run one perfscore command; its wall time, summed peak RSS and the load around it."""
    load_before = _loadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(process.pid)
    out, err = process.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{err[-3000:]}")
    return {
        "command": " ".join(Path(a).name if "/" in a else a for a in args),
        "seconds": wall,
        # CPU time of the process tree: sampled from /proc (each process up to its last sample),
        # or the rusage of the descendants the command waited for, whichever is larger
        "cpu_seconds": max(
            sampler.cpu_seconds,
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        ),
        "peak_mb_summed_rss": peak,
        "peak_mb_summed_pss": sampler.peak_pss_mb,
        "processes_at_peak": sampler.peak_processes,
        "load_before": load_before,
        "load_after": _loadavg(),
        "stdout_tail": out.strip().splitlines()[-3:],
    }


def folder_of(units: list[Path], folder: Path) -> Path:
    """A fresh folder holding hard links (or copies) of ``units``; old results removed."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for unit in units:
        target = folder / unit.name
        try:
            os.link(unit, target)
        except OSError:
            shutil.copy2(unit, target)
    return folder


def measure(base: Path, units: list[Path], steps: list[int], combined: bool, members: int) -> dict:
    perfscore = _perfscore()
    results: dict = {
        "units": [u.name for u in units],
        "cpus": os.cpu_count(),
        "members_per_unit": members,
    }
    one = folder_of(units[:1], base / "run-one")
    results["one"] = run([perfscore, "assess", str(one / units[0].name), "--quiet"])
    print(f"one unit: {results['one']['seconds']:.1f} s", file=sys.stderr, flush=True)
    results["folders"] = []
    for n in steps:
        folder = folder_of(units[:n], base / f"run-{n}")
        command = [perfscore, "assess", str(folder), "--quiet"]
        if combined and n == steps[-1]:
            command += ["--combined", str(folder / "汇总.xlsx")]
        entry = run(command)
        entry["units"] = n
        if combined and n == steps[-1]:
            # the combine step of the one command: from the last unit's result committed to
            # the combined workbook written (the units are compared as the workers hand them back)
            last_result = max(p.stat().st_mtime for p in folder.glob("*-考核结果.xlsx"))
            entry["combined_step_seconds"] = (folder / "汇总.xlsx").stat().st_mtime - last_result
        results["folders"].append(entry)
        print(f"folder of {n}: {entry['seconds']:.1f} s", file=sys.stderr, flush=True)
    last = base / f"run-{steps[-1]}"
    outputs = sorted(str(p) for p in last.glob("*-考核结果.xlsx"))
    results["combine"] = run([perfscore, "combine", *outputs, "--out", str(last / "汇总-2.xlsx")])
    results["combine"]["units"] = len(outputs)
    print(f"combine: {results['combine']['seconds']:.1f} s", file=sys.stderr, flush=True)
    return results


def table(results: dict) -> str:
    one = results["one"]["seconds"]
    per = results["members_per_unit"]
    lines = [
        "| run | units | members | wall s | × one unit | vs N × one unit | CPU s | peak MB, summed PSS | peak MB, summed RSS | processes at peak | load before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        _row("one unit alone", 1, results["one"], one, per),
    ]
    for entry in results["folders"]:
        lines.append(_row("assess folder", entry["units"], entry, one, per))
    c = results["combine"]
    step = results["folders"][-1].get("combined_step_seconds")
    if step is not None:
        lines.append(
            f"| assess folder --combined: its combine step | {results['folders'][-1]['units']} "
            f"| {results['folders'][-1]['units'] * per:,} | {step:.1f} | – | – | – | – | – | – | – |"
        )
    lines.append(
        f"| combine | {c['units']} | {c['units'] * per:,} | {c['seconds']:.1f} | – | – "
        f"| {c['cpu_seconds']:.1f} "
        f"| {c['peak_mb_summed_pss']:.0f} | {c['peak_mb_summed_rss']:.0f} | {c['processes_at_peak']} "
        f"| {c['load_before']:.1f} → {c['load_after']:.1f} |"
    )
    return "\n".join(lines)


def _row(label: str, n: int, entry: dict, one: float, per: int) -> str:
    return (
        f"| {label} | {n} | {n * per:,} | {entry['seconds']:.1f} | {entry['seconds'] / one:.2f} "
        f"| {entry['seconds'] / (n * one):.2f} | {entry['cpu_seconds']:.1f} "
        f"| {entry['peak_mb_summed_pss']:.0f} "
        f"| {entry['peak_mb_summed_rss']:.0f} "
        f"| {entry['processes_at_peak']} | {entry['load_before']:.1f} → {entry['load_after']:.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/national"))
    parser.add_argument("--units", type=int, default=12, help="how many units (at most 12)")
    parser.add_argument(
        "--steps", default="1,2,4,8,12", help="folder sizes to run, comma-separated"
    )
    parser.add_argument("--jobs", type=int, default=2, help="generator processes")
    parser.add_argument("--size", default="L", help="unit size of bench/generate.py (default L)")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--with-combined",
        action="store_true",
        help="the largest folder run also writes the combined workbook (assess --combined)",
    )
    args = parser.parse_args(argv)
    count = min(args.units, len(UNITS))
    units = generate_units(args.dir, count, args.jobs, args.size)
    if args.generate_only:
        return 0
    steps = [n for n in (int(s) for s in args.steps.split(",")) if 1 <= n <= count]
    from generate import SIZES

    results = measure(args.dir, units, steps, args.with_combined, SIZES[args.size][0])
    results["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.dir / f"national-{stamp}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2)
    )
    print(table(results))
    print(f"\nuptime at the end: {results['uptime']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
