"""Many workbooks at once: ``perfscore assess a.xlsx b.xlsx …`` or a folder of workbooks.

Each workbook is assessed into its own output, in parallel over the machine's cores; a failure
in one does not stop the others, and every file's outcome (exit code and message) is reported.
A folder of .csv files is one workbook (one file per sheet), not many.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PerfscoreError, UsageError
from .workbook import SUPPORTED_SUFFIXES

__all__ = ["BatchItem", "expand_workbooks", "assess_many"]


@dataclass(frozen=True)
class BatchItem:
    """What happened to one workbook of a batch."""

    workbook: Path
    out: Path | None  # None when nothing was written
    exit_code: int  # 0 done, 1 data errors, 2 could not run
    message: str = ""  # why it failed ('' when done)
    members: int = 0
    grades: dict[str, int] = field(default_factory=dict)


def expand_workbooks(paths: list[Path]) -> list[Path]:
    """Files as given; a folder of workbooks becomes its workbooks (sorted, lock files and
    perfscore's own results left out); a folder of .csv files stays one workbook."""
    workbooks: list[Path] = []
    for path in paths:
        if path.is_dir() and not any(path.glob("*.csv")):
            workbooks.extend(
                sorted(
                    f
                    for f in path.iterdir()
                    if f.suffix.lower() in SUPPORTED_SUFFIXES
                    and not f.name.startswith(("~$", "."))
                    and "-考核结果" not in f.stem
                )
            )
        else:
            workbooks.append(path)
    return workbooks


def assess_many(
    workbooks: list[Path],
    rules: str | Path | None = None,
    *,
    out_dir: Path | None = None,
    year: int | None = None,
    skip_bad_rows: bool = False,
    allow_duplicates: bool = False,
    workers: int | None = None,
    on_done: Callable[[BatchItem], None] | None = None,
) -> list[BatchItem]:
    """Assess each workbook into ``out_dir`` (default: beside it) as ``<name>-考核结果.xlsx``,
    using up to ``workers`` processes (default: the number of cores). Results keep input order.
    ``on_done`` is called with each workbook's item as that workbook finishes (in finishing order)."""
    _refuse_shared_outputs(workbooks, out_dir)
    jobs = [(Path(w), rules, out_dir, year, skip_bad_rows, allow_duplicates) for w in workbooks]
    done = on_done or (lambda _item: None)
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    if workers == 1:
        items = []
        for job in jobs:
            items.append(_assess_one(job))
            done(items[-1])
        return items
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_assess_one, job): i for i, job in enumerate(jobs)}
        finished: dict[int, BatchItem] = {}
        for future in as_completed(futures):
            finished[futures[future]] = item = future.result()
            done(item)
    return [finished[i] for i in range(len(jobs))]


def output_path(workbook: Path, out_dir: Path | None) -> Path:
    """Where a batch writes ``workbook``'s result: beside it, or in ``out_dir``."""
    from .api import default_output_path

    target = default_output_path(workbook)
    return Path(out_dir) / target.name if out_dir is not None else target


def _refuse_shared_outputs(workbooks: list[Path], out_dir: Path | None) -> None:
    """Two workbooks whose results would go to one file (a.xlsx and a.ods; or two folders'
    2023.xlsx into one --out) stop the batch before any work: one result would be lost."""
    by_target: dict[Path, list[Path]] = {}
    for workbook in workbooks:
        by_target.setdefault(output_path(Path(workbook), out_dir).absolute(), []).append(workbook)
    shared = {target: books for target, books in by_target.items() if len(books) > 1}
    if shared:
        lines = [
            f"{'、'.join(str(b) for b in books)} 的结果都会写到 {target.name}"
            for target, books in shared.items()
        ]
        raise UsageError(
            "；".join(lines) + "。请改名其中的工作簿，或分别运行并用 --out 指定不同的结果文件"
        )


def _assess_one(job: tuple) -> BatchItem:
    """One workbook, start to finish; every failure becomes an item, never an exception."""
    from .api import assess, write_outputs

    workbook, rules, out_dir, year, skip_bad_rows, allow_duplicates = job
    target = output_path(workbook, out_dir)
    try:
        result = assess(
            workbook,
            rules,
            year=year,
            skip_bad_rows=skip_bad_rows,
            allow_duplicates=allow_duplicates,
        )
        write_outputs(result, target, source=workbook)
    except PerfscoreError as exc:
        first = "；".join(str(p) for p in exc.problems[:3])
        more = f"（另有 {len(exc.problems) - 3} 处）" if len(exc.problems) > 3 else ""
        return BatchItem(
            workbook, None, exc.exit_code, exc.message + (f"：{first}{more}" if first else "")
        )
    except Exception as exc:  # a bug must not stop the other files; say so plainly
        return BatchItem(workbook, None, 2, f"内部错误：{type(exc).__name__}: {exc}")
    grades = result.members["grade"].value_counts()
    return BatchItem(
        workbook,
        target,
        0,
        "",
        len(result.members),
        {band.grade: int(grades.get(band.grade, 0)) for band in result.rules.rules.grades},
    )
