"""How `rules check` time grows with the size of a rules file.

The shipped default rules with N extra categories (one item each) are checked in a fresh
interpreter per size, through the library (what `perfscore rules check` calls); the median of
``--runs`` is printed with the size in bytes and the time per megabyte::

    uv run python bench/rules_size.py 7500 15000 30000 60000 --runs 1

60,000 categories make an 8 MB file.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import sys, time
from pathlib import Path
from perfscore.rules import check_rules_text
data = Path(sys.argv[1]).read_bytes()
wall, cpu = time.perf_counter(), time.process_time()
check_rules_text(data, name="big.yaml")
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def rules_text(categories: int) -> str:
    head = (ROOT / "rules" / "default.yaml").read_text(encoding="utf-8")
    block = "".join(
        f"  - id: c{i}\n    name: 类别{i}\n    items:\n"
        f"      - {{id: a, name: 项{i}, match: {{kind: proposal, status: [立案]}}, points: 1}}\n"
        for i in range(categories)
    )
    return head.replace("categories:\n", "categories:\n" + block, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="extra categories per file")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| categories | MB | wall s | CPU s | CPU s per MB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"rules-{size}.yaml"
            path.write_text(rules_text(size), encoding="utf-8")
            mb = path.stat().st_size / 1e6
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, "-c", _CHILD, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
                runs.append(tuple(float(x) for x in out.stdout.split()))
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"| {size:,} | {mb:.1f} | {wall:.1f} | {cpu:.1f} | {cpu / mb:.2f} |", flush=True)


if __name__ == "__main__":
    main()
