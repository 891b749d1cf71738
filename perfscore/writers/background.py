"""A piece of writing done on the second core while the first goes on: at L, the long-ledger
CSV files (about 5 s) are written by a forked child process while the parent writes the
workbook (about 5 s), so the write stage takes the longer of the two, not their sum.

Forking shares the assessment with the child without copying or pickling it (pages are copied
only where the child writes). It is used only on Linux with more than one core; elsewhere (and
on Windows, where there is no fork) the work is simply done at once, in order. Either way the
caller sees the same thing: :meth:`Background.wait` returns when the work is done and raises
its exception, if any, in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable

__all__ = ["Background", "can_fork"]


def can_fork() -> bool:
    """Whether work can go to a forked child here: Linux (macOS's system libraries are not
    fork-safe), more than one core, and not switched off with PERFSCORE_NO_FORK=1."""
    return (sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1
            and os.environ.get("PERFSCORE_NO_FORK", "") not in ("1", "true", "yes"))


class Background:
    """``work()`` run in a forked child process (or at once where that cannot be); use as a
    context manager, or call :meth:`wait` — leaving the ``with`` block always waits for the
    child, so no half-written file is left by a child cut short."""

    def __init__(self, work: Callable[[], None]):
        self._process = None
        if not can_fork():
            work()
            return
        sys.stdout.flush()  # the child flushes the standard streams it inherits on exit
        sys.stderr.flush()
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(work, send), daemon=True)
        self._process.start()
        send.close()

    def wait(self) -> None:
        """Return when the work is done; raise its exception in the caller if it failed."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            outcome = self._receive.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            outcome = None
            process.join()
            if process.exitcode:
                outcome = OSError(f"后台写出进程异常退出（退出码 {process.exitcode}），文件未写完")
        finally:
            self._receive.close()
        process.join()
        if isinstance(outcome, BaseException):
            raise outcome

    def __enter__(self) -> Background:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            self.wait()
            return
        try:  # the caller failed: still let the child finish its files before going on
            self.wait()
        except Exception:
            pass  # the caller's own error is the one to report


def _child(work: Callable[[], None], send) -> None:
    try:
        work()
        send.send(None)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        try:
            send.send(exc)
        except Exception:  # an exception that does not pickle: its text will do
            send.send(OSError(str(exc)))
    finally:
        send.close()
