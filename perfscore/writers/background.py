"""A piece of writing done on the second core while the first goes on: the long-ledger CSV
files are written by a forked child process while the parent writes the workbook, so the write
stage takes the longer of the two, not their sum (docs/performance.md has the figures).

Forking shares the assessment with the child without copying or pickling it (pages are copied
only where the child writes). It is used only on Linux with more than one core; elsewhere (and
on Windows, where there is no fork) the work is simply done at once, in order. Either way the
caller sees the same thing: :meth:`Background.wait` returns when the work is done and raises
its exception, if any, in the parent.

The child is a bare ``os.fork``: it runs the work, sends its outcome through a pipe and leaves
with ``os._exit``, never touching the standard streams, whose locks another thread of the
parent (a progress display) may have held at the moment of the fork. It dies with its parent
(the kernel sends it SIGKILL when the parent dies), and a parent that fails or is interrupted
stops it at once: what it wrote is in the caller's staging folder, which the caller removes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from types import TracebackType

__all__ = ["Background", "can_fork", "fork_switched_off"]


def fork_switched_off() -> bool:
    """PERFSCORE_NO_FORK=1: run as on a system without fork (Windows), for tests and for
    systems where forking misbehaves."""
    return os.environ.get("PERFSCORE_NO_FORK", "") in ("1", "true", "yes")


def can_fork() -> bool:
    """Whether work can go to a forked child here: Linux (macOS's system libraries are not
    fork-safe), more than one core, and not switched off with PERFSCORE_NO_FORK=1."""
    return (
        sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1 and not fork_switched_off()
    )


class Background:
    """``work()`` run in a forked child process (or at once where that cannot be); use as a
    context manager: leaving the ``with`` block waits for the child, or stops it when the
    block fails, so the caller never goes on while files are still being written."""

    def __init__(self, work: Callable[[], None]):
        self._pid: int | None = None
        if not can_fork():
            work()
            return
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _die_with(parent)
            _child(work, write_end)
        os.close(write_end)
        self._pid, self._read_end = pid, read_end

    def wait(self) -> None:
        """Return when the work is done; raise its exception in the caller if it failed."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        with os.fdopen(self._read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        if not payload:  # died without a word
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            raise OSError(f"后台写出进程异常退出（退出码 {code}），文件未写完")
        outcome = pickle.loads(payload)
        if isinstance(outcome, BaseException):
            raise outcome

    def cancel(self) -> None:
        """Stop the child, if any, and wait until it is gone."""
        pid, self._pid = self._pid, None
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.close(self._read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)

    def __enter__(self) -> Background:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            self.wait()
            return
        self.cancel()  # the caller failed or was interrupted: its error is the one to report


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when its parent dies (Linux's PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _child(work: Callable[[], None], write_end: int) -> None:
    status = 0
    try:
        try:
            work()
            payload = pickle.dumps(None)
        except BaseException as exc:
            status = 1
            try:
                payload = pickle.dumps(exc)
                pickle.loads(payload)  # some exceptions pickle but cannot be rebuilt
            except Exception:
                payload = pickle.dumps(OSError(f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(status)
