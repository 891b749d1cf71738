"""Many workbooks at once: ``perfscore assess a.xlsx b.xlsx …`` or a folder of workbooks.

Each workbook is assessed into its own output, in a process of its own, several at once over
the machine's cores; a failure in one does not stop the others, and every file's outcome (exit
code and message) is reported. A process that dies on a file (a signal, memory refused by the
system) is reported as that file's failure. A folder of .csv files is one workbook (one file per
sheet), not many.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PerfscoreError, UsageError
from .reading import SUPPORTED_SUFFIXES

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
    unit: Any = None  # the unit as ``combine`` compares it (perfscore.combine.UnitResult), if asked


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
    allow_missing_sheets: bool = False,
    workers: int | None = None,
    on_done: Callable[[BatchItem], None] | None = None,
    keep_units: bool = False,
) -> list[BatchItem]:
    """Assess each workbook into ``out_dir`` (default: beside it) as ``<name>-考核结果.xlsx``,
    using up to ``workers`` processes (default: the number of cores). Results keep input order.
    ``on_done`` is called with each workbook's item as that workbook finishes (in finishing order).
    With ``keep_units``, each assessed workbook's item carries its unit as ``combine`` compares
    it, so the units compare without reading their results back."""
    _refuse_shared_outputs(workbooks, out_dir)
    jobs = [
        (
            Path(w),
            rules,
            out_dir,
            year,
            skip_bad_rows,
            allow_duplicates,
            allow_missing_sheets,
            keep_units,
        )
        for w in workbooks
    ]
    done = on_done or (lambda _item: None)
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    return _run_isolated(jobs, workers, done)


def _run_isolated(
    jobs: list[tuple], workers: int, done: Callable[[BatchItem], None]
) -> list[BatchItem]:
    """The jobs over up to ``workers`` child processes, each taking one job at a time; a child
    that ends without sending its job's item (killed by a signal, aborted) makes that job a
    failure and is replaced for the jobs still waiting.

    Children start from a fork server that has imported perfscore once, so that no child
    inherits the parent's threads (the progress display); where the system has no fork
    (Windows), or PERFSCORE_NO_FORK=1 says so, each child is a new interpreter (spawn)."""
    import multiprocessing
    from multiprocessing.connection import wait

    from .writers.background import fork_switched_off

    context: Any
    if "forkserver" in multiprocessing.get_all_start_methods() and not fork_switched_off():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
    else:  # Windows, or PERFSCORE_NO_FORK=1: each worker a fresh interpreter
        context = multiprocessing.get_context("spawn")
    waiting = list(enumerate(jobs))
    busy: dict[Any, list[Any]] = {}  # connection -> [process, index of its job]
    finished: dict[int, BatchItem] = {}

    def finish(index: int, item: BatchItem) -> None:
        finished[index] = item
        done(item)

    def start() -> None:
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        busy[ours] = [process, None]

    def give(connection: Any) -> None:
        """The next job to this child, or the word to stop."""
        job = waiting.pop(0) if waiting else None
        busy[connection][1] = job[0] if job else None
        try:
            connection.send(job[1] if job else None)
        except OSError:  # the child ended meanwhile: the job waits for the next one
            busy[connection][1] = None
            if job:
                waiting.insert(0, job)

    try:
        for _ in range(min(workers, len(waiting))):
            start()
        for connection in list(busy):
            give(connection)
        while busy:
            sentinels: dict[Any, Any] = {
                entry[0].sentinel: connection for connection, entry in busy.items()
            }
            for ready in wait([*busy, *sentinels]):
                connection = sentinels.get(ready, ready)
                if connection not in busy:
                    continue  # both ends reported at once; handled
                process, index = busy[connection]
                if ready not in sentinels:  # the pipe itself: the child sent a result
                    try:
                        item = connection.recv()
                    except (EOFError, OSError):  # it ended: its sentinel says how
                        continue
                    finish(index, item)
                    give(connection)
                    continue
                process.join()
                connection.close()
                del busy[connection]
                if index is not None:
                    finish(index, _died(jobs[index][0], process.exitcode))
                if waiting:
                    start()
                    give(list(busy)[-1])
    finally:
        for connection, (process, _) in busy.items():
            process.kill()
            process.join()
            connection.close()
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


# Imported once by the fork server, so each child starts with them.
_PRELOAD = [
    "perfscore.api",
    "perfscore.privacy",
    "perfscore.writers.xlsx",
    "perfscore.writers.csv",
    "perfscore.writers.json",
    "python_calamine",
    "opencc",
    "defusedxml.ElementTree",
]


def _serve(connection: Any) -> None:
    """A child: jobs in, items out, until told to stop. Ctrl-C is the parent's to handle (it
    stops the children)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        while (job := connection.recv()) is not None:
            connection.send(_assess_one(job))
    except EOFError:  # the parent is gone
        pass


def _died(workbook: Path, exit_code: int | None) -> BatchItem:
    """The item of a job whose process ended without reporting."""
    import signal

    if exit_code is not None and exit_code < 0:
        try:
            how = f"收到信号 {signal.Signals(-exit_code).name}"
        except ValueError:
            how = f"收到信号 {-exit_code}"
    else:
        how = f"退出码 {exit_code}" if exit_code is not None else "没有结果"
    return BatchItem(
        workbook,
        None,
        2,
        f"处理这个文件的进程意外终止（{how}，可能是内存不足或文件是恶意构造的）；其余文件照常处理",
    )


def _assess_one(job: tuple) -> BatchItem:
    """One workbook, start to finish; every failure becomes an item, never an exception."""
    from .api import assess, write_outputs
    from .combine import unit_of_assessment

    workbook, rules, out_dir, year, skip_bad_rows, allow_duplicates, allow_missing, keep_units = job
    target = output_path(workbook, out_dir)
    try:
        result = assess(
            workbook,
            rules,
            year=year,
            skip_bad_rows=skip_bad_rows,
            allow_duplicates=allow_duplicates,
            allow_missing_sheets=allow_missing,
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
        unit_of_assessment(result, target) if keep_units else None,
    )
