"""Result sets: the files one run writes into an output folder, replaced together or not at all.

A *result set* is every file one command writes for one result: the assessment workbook and
the ledger CSV files beside it (``结果.xlsx``, ``结果-积分明细.csv`` …), a progress report's
``.xlsx`` and ``.md``, a single ``.json`` or ``.csv``. A reader must find either the old complete
set or the new complete set, never a new workbook beside an old ledger, nor half a file, whatever
stops the run (an error, a full disk, Ctrl-C, SIGTERM or SIGKILL to the process, to the ledger
writer child or to the whole process group). POSIX renames one file at a time, so a set is
replaced in three steps, with a manifest that makes the second step the only one that counts:

1. **Staging.** :class:`ResultSet` makes a staging folder inside the output folder,
   ``.perfscore-<host>.<pid>.<random>.tmp`` (the one prefix every temporary file perfscore
   writes carries; ``<pid>`` is the run's process). Each file of the set is written there under
   its final name (:meth:`ResultSet.path`); a writer's scratch files (xlsxwriter's row files)
   go in its ``scratch`` folder (:attr:`ResultSet.scratch`). Nothing outside the staging folder
   changes. An error, Ctrl-C or SIGTERM removes the staging folder (after stopping a ledger
   writer child); the old set stays as it was.
2. **Commit point.** When every file is complete and flushed to disk (fsync), the manifest
   ``COMMIT`` (the names to install, and the old members to remove, such as ledger CSV files
   the new set no longer has) is written in the staging folder and renamed into place: one
   rename. Before it the old set is the result; after it, the new one.
3. **Install.** Each staged file is renamed over its target, old members are removed and the
   staging folder is deleted. SIGINT and SIGTERM are held during steps 2 and 3 and act just
   after (the new set is then complete); only SIGKILL or a power cut stops them half-way.

**Recovery.** Every run that writes into a folder first settles what earlier runs left there,
under the folder's lock (:func:`recover`): a staging folder with a ``COMMIT`` manifest is
*rolled forward* (step 3 is finished: its owner died after the commit point); one without is
*rolled back* (deleted) when its owner is gone — same host and no such process — or it is older
than :data:`STALE_AFTER`. A concurrent run's staging folder is never touched. Temporary files
of the older form ``.<name>.<pid>.<hex>.tmp<.suffix>`` whose process is gone are removed too.

**Locking.** ``flock`` on the output folder itself, so no lock file is left: exclusive while
recovering and committing (a few renames), shared while a reader reads (:func:`reading`).
Two runs writing the same set at once each stage their own files; the one that commits last
leaves its set.

**Readers.** :func:`reading` yields the file a reader should open for a result file — the
staged copy while a committed set waits to be rolled forward, else the file itself — and holds
the shared lock meanwhile, so a commit is never read half-installed. A person opening the files
in Excel during step 3 (a few renames, milliseconds) may still see one file of each set.

**Test hook.** :func:`checkpoint` marks the write stages listed in :data:`STAGES`. With the
environment variable ``PERFSCORE_TEST_PAUSE=<stage>@<folder>`` (for tests only) a process
reaching ``<stage>`` writes ``<folder>/<stage>.<pid>`` and waits until ``<folder>/go`` exists
(at most :data:`PAUSE_SECONDS`), so that a test can signal it exactly there.

Use::

    with ResultSet(folder) as result:      # commits on success, rolls back on any exception
        write_a(result.path("a.xlsx"))
        write_b(result.path("a.md"))
        result.retire(["a-积分明细.csv"])   # an old member the new set does not have
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from ..errors import UsageError

__all__ = [
    "ResultSet",
    "OutputError",
    "Terminated",
    "recover",
    "reading",
    "checkpoint",
    "STAGES",
    "TEMP_PREFIX",
    "STALE_AFTER",
    "PAUSE_SECONDS",
]

TEMP_PREFIX = ".perfscore-"
STALE_AFTER = 24 * 3600  # seconds: a staging folder this old is abandoned, whoever owns it
PAUSE_SECONDS = 20.0
# The write stages, in order, at which :func:`checkpoint` is called (see the module docstring).
STAGES = (
    "staging",  # the staging folder exists, nothing is written yet
    "ledger-csv",  # the ledger writer child has written part of a ledger CSV file
    "workbook",  # a workbook is complete in the staging folder
    "markdown",  # a report's .md file is complete in the staging folder
    "document",  # a Word document is complete in the staging folder
    "commit",  # every file is staged and flushed; the manifest is not written yet
    "committed",  # the manifest is in place; nothing is installed yet
    "installing",  # the first file of the set is installed, the others are not
    "installed",  # every file is installed; the staging folder is not removed yet
)
# What signal.signal takes and gives back: a function, SIG_DFL or SIG_IGN, or None (a handler
# set outside Python).
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
_MANIFEST = "COMMIT"
_FILES = "files"
_SCRATCH = "scratch"
_NAME = re.compile(
    r"^" + re.escape(TEMP_PREFIX) + r"(?P<host>[A-Za-z0-9_-]*)\.(?P<pid>\d+)\.[0-9a-f]+\.tmp$"
)
_OLD_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{12}\.tmp(\.[^.]+)?$")


class OutputError(UsageError):
    """The output could not be written for an ordinary reason (read-only folder, full disk,
    file-size limit): exit 2 with one line saying which; the old result set is untouched."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while a result set was being written: unwinds like Ctrl-C, so the
    staging folder is removed."""


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:64]


def checkpoint(stage: str) -> None:
    """Mark reaching write stage ``stage`` (one of STAGES); pauses only under the test hook."""
    hook = os.environ.get("PERFSCORE_TEST_PAUSE", "")
    if not hook:
        return
    wanted, _, folder = hook.partition("@")
    if wanted != stage or not folder:
        return
    Path(folder, f"{stage}.{os.getpid()}").touch()
    deadline = time.monotonic() + PAUSE_SECONDS
    while not Path(folder, "go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)


class ResultSet:
    """A set of files written into ``folder`` and replaced as a unit (see the module).

    Use as a context manager: leaving the block normally commits; an exception (or SIGTERM)
    rolls back and re-raises — an ordinary failure to write (permissions, full disk, file-size
    limit) as :class:`OutputError`."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._names: list[str] = []
        self._retired: set[str] = set()
        self._staging: Path | None = None
        self._committed = False
        self._restore: list[tuple[int, _Handler]] = []

    # --- what writers use --------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """Where to write the set's file ``name`` (a plain file name in the output folder)."""
        if self._staging is None:
            raise RuntimeError("ResultSet used outside its with block")
        if Path(name).name != name or name in ("", ".", "..") or name.startswith(TEMP_PREFIX):
            raise ValueError(f"not a plain file name: {name!r}")
        if name not in self._names:
            self._names.append(name)
        return self._staging / _FILES / name

    @property
    def scratch(self) -> Path:
        """A folder for the writers' own temporary files; removed with the staging folder."""
        if self._staging is None:
            raise RuntimeError("ResultSet used outside its with block")
        return self._staging / _SCRATCH

    def retire(self, names: Iterable[str]) -> None:
        """Old members of the set: removed at the commit unless the new set writes them too."""
        self._retired.update(Path(name).name for name in names)

    # --- the protocol --------------------------------------------------------------------------

    def __enter__(self) -> ResultSet:
        self._guard_signals()
        try:
            with _locked(self.folder, exclusive=True):
                recover(self.folder, locked=True)
            name = f"{TEMP_PREFIX}{_host()}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
            self._staging = staging = self.folder / name
            os.mkdir(staging)
            (staging / _FILES).mkdir()
            (staging / _SCRATCH).mkdir()
            checkpoint("staging")
        except BaseException as exc:
            self._abort(exc)
            raise _plain(exc, self.folder) from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            try:
                self._commit()
            except BaseException as exc:
                self._abort(exc)
                if self._committed:  # the new set stands; the next run finishes installing it
                    raise
                raise _plain(exc, self.folder) from None
            return
        self._abort(error)
        plain = _plain(error, self.folder)
        if plain is not error:
            raise plain from None

    def _commit(self) -> None:
        staging = self._staging
        assert staging is not None
        files = staging / _FILES
        for name in self._names:
            _fsync(files / name)  # FileNotFoundError here is a writer that forgot a file
        _fsync(files, directory=True)
        checkpoint("commit")
        manifest = {
            "install": list(self._names),
            "remove": sorted(self._retired - set(self._names)),
        }
        with _locked(self.folder, exclusive=True), _signals_held():
            recover(self.folder, locked=True)  # anything settled meanwhile goes first
            part = staging / f"{_MANIFEST}.part"
            with open(part, "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(part, staging / _MANIFEST)  # the commit point
            self._committed = True
            _fsync(staging, directory=True)
            checkpoint("committed")
            _install(self.folder, staging, manifest)
            self._staging = None
        self._unguard_signals()

    def _abort(self, error: BaseException | None = None) -> None:
        if error is not None:
            _release(error)
        staging, self._staging = self._staging, None
        # Past the commit point the staging folder holds the new set: recovery rolls it forward.
        if staging is not None and not self._committed:
            shutil.rmtree(staging, ignore_errors=True)
        self._unguard_signals()

    def _guard_signals(self) -> None:
        """In the main thread: SIGTERM unwinds (so the staging folder is removed) and a
        file-size limit gives EFBIG instead of killing the process with SIGXFSZ."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._restore.append((signal.SIGTERM, signal.signal(signal.SIGTERM, _terminate)))
        xfsz = getattr(signal, "SIGXFSZ", None)
        if xfsz is not None:
            self._restore.append((xfsz, signal.signal(xfsz, signal.SIG_IGN)))

    def _unguard_signals(self) -> None:
        while self._restore:
            signum, handler = self._restore.pop()
            signal.signal(signum, handler)


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then let them act (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda s, _f: pending.append(s)) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(pending):
            signal.raise_signal(number)


def _install(folder: Path, staging: Path, manifest: dict) -> None:
    """Step 3: move the staged files into place, remove retired ones, delete the staging folder.
    Safe to repeat after an interruption (files already moved are skipped)."""
    files = staging / _FILES
    installed = 0
    for name in manifest["install"]:
        source = files / name
        if source.exists():
            os.replace(source, folder / name)
            installed += 1
            if installed == 1:
                checkpoint("installing")
    for name in manifest["remove"]:
        (folder / name).unlink(missing_ok=True)
    _fsync(folder, directory=True)
    checkpoint("installed")
    shutil.rmtree(staging, ignore_errors=True)


def recover(folder: str | Path, *, locked: bool = False) -> None:
    """Settle what earlier runs left in ``folder``: roll committed sets forward, remove the
    staging folders and temporary files of runs that are gone. Runs still going are left
    alone. ``locked``: the caller holds the folder's exclusive lock."""
    folder = Path(folder)
    if not locked:
        with _locked(folder, exclusive=True):
            recover(folder, locked=True)
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        found = _NAME.match(entry.name)
        if found and entry.is_dir(follow_symlinks=False):
            manifest = _manifest(Path(entry.path))
            if manifest is not None:
                _install(folder, Path(entry.path), manifest)
            elif _abandoned(entry, found["host"], int(found["pid"])):
                shutil.rmtree(entry.path, ignore_errors=True)
            continue
        old = _OLD_TEMP.match(entry.name)
        if (
            old
            and entry.is_file(follow_symlinks=False)
            and _abandoned(entry, None, int(old["pid"]))
        ):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _manifest(staging: Path) -> dict | None:
    try:
        manifest = json.loads((staging / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = [*manifest.get("install", []), *manifest.get("remove", [])]
    if not all(isinstance(n, str) and n and Path(n).name == n and n != ".." for n in names):
        return None  # not a manifest perfscore wrote: leave the set as it is
    return manifest


def _abandoned(entry: os.DirEntry, host: str | None, pid: int) -> bool:
    """Its owner is gone: this host (or no host recorded) and no such process, or too old."""
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    if age > STALE_AFTER:
        return True
    if host not in (None, _host()) or pid == os.getpid():
        return False
    return not _alive(pid)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there: trust only the age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[Path]:
    """Read a result file as part of a complete set: yields the path to open — the staged copy
    while a committed set waits to be rolled forward (a path that does not exist when that set
    removes the file) — and holds the folder's shared lock meanwhile."""
    path = Path(path)
    with _locked(path.parent, exclusive=False):
        yield _settled(path)


def _settled(path: Path) -> Path:
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if _NAME.match(entry.name) and entry.is_dir(follow_symlinks=False):
                manifest = _manifest(Path(entry.path))
                staged = Path(entry.path, _FILES, path.name)
                if manifest and path.name in manifest["install"] and staged.is_file():
                    return staged
                if manifest and path.name in manifest["remove"]:
                    return staged  # does not exist: the new set has no such file
    return path


@contextlib.contextmanager
def _locked(folder: Path, *, exclusive: bool) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the manifest still decides which set counts
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield  # a missing folder: the caller's own open or mkdir says so
        return
    try:
        # A file system without flock (some network shares): go on unlocked.
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _fsync(path: Path, *, directory: bool = False) -> None:
    if directory and os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _release(error: BaseException | None) -> None:
    """Let go of what the failed writer still holds (xlsxwriter's open zip file, whose
    finaliser would otherwise try to finish it and print a traceback on the full disk)."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


_MESSAGES = {
    errno.ENOSPC: "磁盘空间不足，无法写出结果到 {folder}；原有结果未改动。请清理磁盘后重新运行",
    errno.EDQUOT: "磁盘配额已用完，无法写出结果到 {folder}；原有结果未改动。请清理后重新运行",
    errno.EFBIG: "文件超过系统允许的大小（ulimit -f），无法写出结果到 {folder}；原有结果未改动",
    errno.EROFS: "输出目录是只读的，无法写出结果：{folder}；请换一个输出目录",
    errno.EACCES: "没有输出目录的写入权限，无法写出结果：{folder}；请检查权限或换一个输出目录",
    errno.EPERM: "没有输出目录的写入权限，无法写出结果：{folder}；请检查权限或换一个输出目录",
}


def _plain(error: BaseException, folder: Path) -> BaseException:
    """An ordinary failure to write as an OutputError with one plain line; others unchanged."""
    cause = error
    if not isinstance(cause, OSError) and cause.args and isinstance(cause.args[0], OSError):
        cause = cause.args[0]  # xlsxwriter's FileCreateError wraps the OSError
    if isinstance(cause, OSError) and cause.errno in _MESSAGES:
        return OutputError(_MESSAGES[cause.errno].format(folder=folder))
    return error
