"""Benchmark the term archive: five years at a given size assessed into one archive.

For each year (2022–2026, each drawn with its own seed; the same members every year) one run of
what ``perfscore assess YEAR.xlsx --archive 档案.sqlite`` does, timed stage by stage in this
process: reading the term's earlier years from the archive, the assessment, writing the result
workbook, and the import (one transaction). Then the archive's size, one member's dossier
(query + .xlsx + .docx) and the end-of-term ranking, timed after the imports.

Targets: import (with the history read) ≤ 25% of that year's assess time (assess + write);
one dossier < 0.5 s in-process.

Usage: uv run python bench/archive.py L [--years 5] [--out-dir bench/out/archive]
Not a timed test: run it by hand and copy the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import SIZES, generate  # noqa: E402

FIRST_YEAR = 2022


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "out" / "archive")
    parser.add_argument("--dossier-runs", type=int, default=5)
    parser.add_argument(
        "--dossier-only",
        action="store_true",
        help="time the dossier and the term ranking on the archive a full run left",
    )
    args = parser.parse_args()
    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)

    import perfscore
    from perfscore.api import archive_assessment
    from perfscore.archive import archive_history
    from perfscore.archive.dossier import member_dossier, write_dossier
    from perfscore.archive.store import open_readonly
    from perfscore.archive.term import term_report, write_term_report
    from perfscore.rules import load_rules

    last = FIRST_YEAR + args.years - 1
    rules_path = out / "rules.yaml"
    rules_path.write_text(
        (ROOT / "rules" / "default.yaml").read_text(encoding="utf-8")
        + f"\nterm: {{name: 第十届, first_year: {FIRST_YEAR}, last_year: {last}}}\n",
        encoding="utf-8",
    )
    rules = load_rules(rules_path)
    archive = out / f"{args.size}-档案.sqlite"
    if not args.dossier_only:
        for leftover in (archive, Path(f"{archive}-journal")):
            leftover.unlink(missing_ok=True)

    def cpu() -> float:
        """CPU seconds of this process and its waited-for children (the ledger CSV writer)."""
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    rows = []
    results_path = out / f"{args.size}-archive-results.json"
    if args.dossier_only:
        rows = json.loads(results_path.read_text(encoding="utf-8"))["years"]
    for year in range(FIRST_YEAR, last + 1) if not args.dossier_only else ():
        book = generate(
            args.size, out / f"{args.size}-{year}.xlsx", year=year, registers_seed=year - 1900
        )
        c0, t0 = cpu(), time.perf_counter()
        archive_history(archive, rules.rules, year)  # what assess --archive reads first
        c1, t1 = cpu(), time.perf_counter()
        # The generator's registers break two of the misread checks (a 联名 proposal with one
        # author, repeated attendance rows): those rows are skipped or counted, as the flags say.
        result = perfscore.assess(book, rules, skip_bad_rows=True, allow_duplicates=True)
        c2, t2 = cpu(), time.perf_counter()
        perfscore.write_outputs(result, out / f"{args.size}-{year}-考核结果.xlsx")
        c3, t3 = cpu(), time.perf_counter()
        added = archive_assessment(result, archive, workbook=book, verify=False)  # as the CLI
        c4, t4 = cpu(), time.perf_counter()
        row = {
            "year": year,
            "members": added.members,
            "ledger_lines": added.lines,
            "history_s": t1 - t0,
            "assess_s": t2 - t1,
            "write_s": t3 - t2,
            "import_s": t4 - t3,
            "archive_mb": archive.stat().st_size / 1e6,
            "cpu_history_s": c1 - c0,
            "cpu_assess_s": c2 - c1,
            "cpu_write_s": c3 - c2,
            "cpu_import_s": c4 - c3,
        }
        row["share"] = (row["history_s"] + row["import_s"]) / (row["assess_s"] + row["write_s"])
        row["cpu_share"] = (row["cpu_history_s"] + row["cpu_import_s"]) / (
            row["cpu_assess_s"] + row["cpu_write_s"]
        )
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        del result

    member = "M000001"
    t0 = time.perf_counter()
    conn = open_readonly(archive)  # with the whole-file quick_check
    summary_open = time.perf_counter() - t0
    query, write, cpu_total = [], [], []
    try:
        for _ in range(args.dossier_runs):
            t0, c0 = time.perf_counter(), time.process_time()
            dossier = member_dossier(conn, member)
            t1 = time.perf_counter()
            write_dossier(dossier, out)
            t2 = time.perf_counter()
            query.append(t1 - t0)
            write.append(t2 - t1)
            cpu_total.append(time.process_time() - c0)
    finally:
        conn.close()
    t0 = time.perf_counter()
    report = term_report(archive)
    t1 = time.perf_counter()
    write_term_report(report, out / f"{args.size}-任期考核.xlsx")
    t2 = time.perf_counter()
    summary = {
        "size": args.size,
        "years": rows,
        "archive_mb": archive.stat().st_size / 1e6,
        "dossier_query_s": statistics.median(query),
        "dossier_write_s": statistics.median(write),
        "dossier_s": statistics.median(q + w for q, w in zip(query, write)),
        "dossier_cpu_s": statistics.median(cpu_total),
        "dossier_lines": len(dossier.tables["积分明细"]),
        "open_check_s": summary_open,
        "term_report_s": t1 - t0,
        "term_write_s": t2 - t1,
    }
    results_path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print()
    print(
        "| year | ledger lines | history s | assess s | write s | import s | share (wall) "
        "| share (CPU) | archive MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['year']} | {r['ledger_lines']:,} | {r['history_s']:.2f} | "
            f"{r['assess_s']:.2f} | {r['write_s']:.2f} | {r['import_s']:.2f} | "
            f"{r['share']:.1%} | {r['cpu_share']:.1%} | {r['archive_mb']:.0f} |"
        )
    print()
    print(
        f"dossier of {member} ({summary['dossier_lines']} ledger lines, median of {args.dossier_runs}): "
        f"query {summary['dossier_query_s']:.3f} s + write {summary['dossier_write_s']:.3f} s = "
        f"{summary['dossier_s']:.3f} s (CPU {summary['dossier_cpu_s']:.3f} s); term ranking {summary['term_report_s']:.2f} s + write "
        f"{summary['term_write_s']:.2f} s; opening the archive with its quick_check "
        f"{summary['open_check_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
