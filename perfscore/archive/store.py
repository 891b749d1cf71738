"""The archive file (履职档案): a SQLite database holding every assessed year of a term.

Writing: :func:`add_year` stores one year in one transaction (``BEGIN IMMEDIATE``): a crash, a
kill or Ctrl-C part way leaves the archive as it was (SQLite's rollback journal), and a second
process adding at the same time waits for the first (up to ``BUSY_SECONDS``) instead of failing
or corrupting the file. The journal is the default rollback journal, not WAL, so that an archive
at rest is one file an office can copy.

Reading: :func:`open_readonly` opens the file read-only (a ``file:…?mode=ro`` URI), checks that it
is a perfscore archive (``PRAGMA application_id`` and the ``meta`` table) of this schema version,
and runs ``PRAGMA quick_check`` before anything is read.

The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` lists the steps, step
``i`` taking a file from version ``i`` to ``i + 1`` (step 0 creates schema v1 in an empty file).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import UsageError
from ..rules import Rules
from .year import ArchiveYear

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "BUSY_SECONDS",
    "open_for_writing",
    "open_readonly",
    "migrate",
    "add_year",
    "AddResult",
    "archived_years",
]

APPLICATION_ID = 0x50534152  # "PSAR": PRAGMA application_id of every perfscore archive
FORMAT = "perfscore-archive"
BUSY_SECONDS = 120  # how long an import waits for another process's import to finish

Step = Callable[[sqlite3.Connection], None]


def _create_v1(conn: sqlite3.Connection) -> None:
    script = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
    code = "\n".join(line.split("--")[0] for line in script.splitlines())  # comments dropped
    for statement in code.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("format", FORMAT), ("created_by", f"perfscore {__version__}")],
    )


# Step i takes the schema from version i to i + 1. Append a step (never edit one) to change it.
MIGRATIONS: list[Step] = [_create_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, steps: Sequence[Step] = MIGRATIONS) -> int:
    """Bring the open archive up to ``len(steps)``, each step in its own transaction, and
    return the version reached. A file newer than ``steps`` know is refused."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(steps):
        raise UsageError(
            f"履职档案的格式版本为 {version}，比本版 perfscore（支持到 {len(steps)}）新；请升级 perfscore"
        )
    for target in range(version + 1, len(steps) + 1):
        with _transaction(conn):
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= target:  # another process got there first
                continue
            steps[target - 1](conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
    return max(version, len(steps))


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT; any exception (KeyboardInterrupt included) rolls back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    target = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    conn = sqlite3.connect(target, uri=True, isolation_level=None, timeout=BUSY_SECONDS)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
    return conn


def _not_an_archive(path: Path, detail: str) -> UsageError:
    return UsageError(
        f"{path.name} 不是 perfscore 履职档案（{detail}）；请指定由 perfscore assess --archive 或 perfscore archive add 建立的档案文件"
    )


def _check(
    conn: sqlite3.Connection,
    path: Path,
    *,
    allow_empty: bool,
    tables: Sequence[str] | None = (),
) -> int:
    """The archive's schema version after checking it is one (0 for an empty new file).

    ``tables``: () runs ``PRAGMA quick_check`` over the whole file; a list checks only those
    tables and their indexes (what a caller is about to read); None skips it."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        held = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise _not_an_archive(path, f"不是 SQLite 数据库或文件已损坏：{exc}") from None
    if app_id == 0 and version == 0 and not held and allow_empty:
        return 0
    if app_id != APPLICATION_ID or "meta" not in held:
        raise _not_an_archive(path, "是其他程序的 SQLite 数据库" if held else "文件是空的")
    try:
        fmt = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if tables is None:
            status = [("ok",)]
        elif not tables:
            status = conn.execute("PRAGMA quick_check").fetchall()
        else:
            status = [
                row
                for t in tables
                if t in held  # a table an older schema lacks: the version check says so
                for row in conn.execute(f"PRAGMA quick_check({t})").fetchall()
            ]
            status = [row for row in status if row[0] != "ok"] or [("ok",)]
    except sqlite3.DatabaseError as exc:
        raise _not_an_archive(path, f"文件已损坏：{exc}") from None
    if fmt is None or fmt[0] != FORMAT:
        raise _not_an_archive(path, "meta 表中没有 perfscore 档案的标记")
    if [row[0] for row in status] != ["ok"]:
        problems = "；".join(str(row[0]) for row in status[:3])
        raise UsageError(
            f"履职档案 {path.name} 已损坏（SQLite quick_check：{problems}）；请用备份的档案文件"
        )
    return version


PAGE_SIZE = 16384  # fewer, larger pages: a year's million ledger lines insert faster
CACHE_KIB = 65536  # the writer's page cache (SQLite's default is 2 MB)


def open_for_writing(path: str | Path, *, verify: bool = True) -> sqlite3.Connection:
    """Open (or create) an archive for adding years; brought up to the current schema.
    ``verify``: run ``quick_check`` over the whole file first (skipped when the caller has just
    checked what it read, as ``assess --archive`` has)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} 是文件夹；--archive 须是档案文件，如 档案.sqlite")
    if not path.parent.exists():
        raise UsageError(f"档案所在目录不存在：{path.parent}")
    conn = _connect(path, readonly=False)
    try:
        if _check(conn, path, allow_empty=True, tables=() if verify else None) == 0:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first table
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # the members index grows every year
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _recover(path: Path) -> None:
    """Roll back what an import killed part way left in the journal beside the archive.

    SQLite does this on the next write connection; a read-only one cannot, and reads the file
    as it is. A write connection reads one row, which rolls a hot journal back (under SQLite's
    locks: a journal in use by a live import is not touched) and changes nothing else."""
    conn = _connect(path, readonly=False)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        pass  # not an archive, or damaged: the checks below say so
    finally:
        conn.close()


def open_readonly(path: str | Path, tables: Sequence[str] = ()) -> sqlite3.Connection:
    """Open an archive to read it: read-only, checked (see the module), current schema; a
    journal left by a killed import is rolled back first (:func:`_recover`). ``tables`` limits
    ``quick_check`` to the tables the caller reads (the whole file when empty)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到履职档案：{path}")
    journal = Path(f"{path}-journal")
    if journal.is_file() and journal.stat().st_size > 0:
        _recover(path)
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise _not_an_archive(path, str(exc)) from None
    try:
        version = _check(conn, path, allow_empty=False, tables=tables)
        if version < SCHEMA_VERSION:
            raise UsageError(
                f"履职档案 {path.name} 的格式版本为 {version}，须先升级：perfscore archive upgrade {path}"
            )
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"履职档案 {path.name} 的格式版本为 {version}，比本版 perfscore（{SCHEMA_VERSION}）新；请升级 perfscore"
            )
    except BaseException:
        conn.close()
        raise
    return conn


def archived_years(conn: sqlite3.Connection, unit: str | None = None) -> pd.DataFrame:
    """The years kept: unit, year, term, imported_at, source_name, members, ledger_lines."""
    query = (
        "SELECT unit, year, term, imported_at, source_name, input_sha256, rules_sha256, members, "
        "ledger_lines FROM years"
    )
    params: tuple = ()
    if unit is not None:
        query += " WHERE unit = ?"
        params = (unit,)
    return pd.read_sql_query(query + " ORDER BY unit, year", conn, params=params)


# --- adding a year ----------------------------------------------------------------------------


class AddResult:
    """What :func:`add_year` did: the year, whether it replaced one, and the rows written."""

    def __init__(self, unit: str, year: int, replaced: bool, members: int, lines: int):
        self.unit, self.year, self.replaced = unit, year, replaced
        self.members, self.lines = members, lines

    def __repr__(self) -> str:
        return f"AddResult(unit={self.unit!r}, year={self.year}, replaced={self.replaced}, members={self.members}, lines={self.lines})"


_YEAR_TABLES = ("members", "categories", "rule_items", "ledger", "awards")


def add_year(
    path: str | Path,
    entry: ArchiveYear,
    *,
    unit: str | None = None,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
    verify: bool = True,
) -> AddResult:
    """Store one assessed year in the archive at ``path`` (created if missing), in one transaction.

    ``unit`` keys the year among the units sharing the archive; None takes the unit the workbook
    named (``entry.unit``, '' when it named none). Such a default is refused while the archive
    holds years stored without a unit and none under the named one: those may be this unit's
    earlier years, and the clerk says which (``--unit ""`` or ``--unit NAME``).

    Refused (UsageError, the archive untouched): the rules declare no term, or another term than
    the archive holds for ``unit``, or a year outside it; the year is there already and not
    ``replace``. A replacement deletes the year's rows and keeps an audit row in ``replacements``.
    ``progress`` is called with each table's name as its rows are written (inside the transaction).
    ``verify=False`` skips the whole-file quick_check (see :func:`open_for_writing`).
    """
    term = entry.rules.term
    if term is None:
        raise UsageError(
            f"规则文件 {entry.rules_name} 没有写届次（term）；写入履职档案须在规则中写明，如 "
            "term: {name: 第十届, first_year: 2022, last_year: 2026}"
        )
    if entry.year not in term.years:
        raise UsageError(
            f"{entry.year} 年度不在规则所写的{term.name}（{term.first_year}–{term.last_year}）内，不能写入履职档案"
        )
    step = progress or (lambda _table: None)
    path = Path(path)
    defaulted = unit is None
    unit = entry.unit if unit is None else unit
    conn = open_for_writing(path, verify=verify)
    try:
        with _transaction(conn):
            if defaulted and unit:
                _refuse_ambiguous_unit(conn, path, unit)
            held = conn.execute(
                "SELECT name, first_year, last_year FROM terms WHERE unit = ?", (unit,)
            ).fetchone()
            if held is None:
                conn.execute(
                    "INSERT INTO terms (unit, name, first_year, last_year) VALUES (?, ?, ?, ?)",
                    (unit, term.name, term.first_year, term.last_year),
                )
            elif tuple(held) != (term.name, term.first_year, term.last_year):
                raise UsageError(
                    f"履职档案 {path.name} 中{_unit_text(unit)}是{held[0]}（{held[1]}–{held[2]}）的档案，"
                    f"而规则文件 {entry.rules_name} 写的是{term.name}（{term.first_year}–{term.last_year}）；"
                    "不同届次请用不同的档案文件"
                )
            old = conn.execute(
                "SELECT imported_at, source_name, input_sha256, rules_sha256 FROM years "
                "WHERE unit = ? AND year = ?",
                (unit, entry.year),
            ).fetchone()
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if old is not None:
                if not replace:
                    raise UsageError(
                        f"履职档案 {path.name} 中{_unit_text(unit)}已有 {entry.year} 年度（{old[1]}，{old[0]} 写入）；"
                        "如要替换，请加 --replace（替换会记录在档案的 replacements 表中）"
                    )
                for table in _YEAR_TABLES:
                    conn.execute(
                        f"DELETE FROM {table} WHERE unit = ? AND year = ?", (unit, entry.year)
                    )
                conn.execute("DELETE FROM years WHERE unit = ? AND year = ?", (unit, entry.year))
                conn.execute(
                    "INSERT INTO replacements (unit, year, replaced_at, old_imported_at, old_source_name, "
                    "old_input_sha256, old_rules_sha256, new_source_name, new_input_sha256, new_rules_sha256) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        unit,
                        entry.year,
                        now,
                        *old,
                        entry.source_name,
                        entry.input_sha256,
                        entry.rules_sha256,
                    ),
                )
            _insert_year(conn, entry, unit, now, step)
    except sqlite3.OperationalError as exc:
        raise UsageError(f"无法写入履职档案 {path.name}：{exc}") from None
    except sqlite3.DatabaseError as exc:
        raise UsageError(
            f"履职档案 {path.name} 已损坏（{exc}），未写入；请用备份的档案文件"
        ) from None
    finally:
        conn.close()
    return AddResult(unit, entry.year, old is not None, len(entry.members), len(entry.ledger))


def _refuse_ambiguous_unit(conn: sqlite3.Connection, path: Path, unit: str) -> None:
    """The workbook names ``unit`` and no --unit was given: refused when the archive has years
    stored without a unit and none of ``unit`` (they may be this unit's, under no name)."""
    held = {r[0] for r in conn.execute("SELECT unit FROM terms")}
    if "" not in held or unit in held:
        return
    years = "、".join(
        str(r[0]) for r in conn.execute("SELECT year FROM years WHERE unit = '' ORDER BY year")
    )
    raise UsageError(
        f"履职档案 {path.name} 中已有未写单位的年度（{years or '无'}），而本年度的工作簿写明单位“{unit}”。"
        f'若是同一单位，请加 --unit "" 照旧写入未写单位的档案；若是另一个单位，请加 --unit {unit}'
    )


def _unit_text(unit: str) -> str:
    return f"“{unit}”" if unit else ""


def _insert_year(
    conn: sqlite3.Connection, e: ArchiveYear, unit: str, now: str, step: Callable[[str], None]
) -> None:
    rules = e.rules
    conn.execute(
        "INSERT INTO years VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            unit,
            e.year,
            rules.term.name if rules.term else "",
            now,
            e.source_name,
            e.input_sha256,
            e.result_name,
            e.rules_name,
            e.rules_sha256,
            e.rules_text,
            rules.scheme,
            rules.checklist.name if rules.checklist else "",
            __version__,
            len(e.members),
            len(e.ledger),
        ),
    )
    m = e.members
    step("members")
    _insert(
        conn,
        "members",
        unit,
        e.year,
        [
            m["member_id"],
            m["name"],
            m["sector"],
            m["committee"],
            m["study_group"],
            m["work_group"],
            m["standing"].astype(bool).astype(int),
            _dates(m["term_start"]),
            _dates(m["term_end"]),
            m["total"],
            m["grade"],
            m["grade_note"],
            m["rank"],
            m["sector_rank"],
            m["committee_rank"],
            m["checklist_done"],
            m["checklist_total"],
            m["checklist_missing"],
            m["consequences"],
            m["base"],
            m["checklist_bonus"],
            m["total_adjust"],
            _subtotals_json(m, [c.id for c in rules.categories]),
            _checklist_json(m["member_id"], e.checklist),
        ],
    )
    conn.executemany(
        "INSERT INTO categories VALUES (?, ?, ?, ?, ?)",
        [(unit, e.year, c.id, c.name, i) for i, c in enumerate(rules.categories)],
    )
    conn.executemany(
        "INSERT INTO rule_items VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(unit, e.year, *row) for row in _rule_items(rules, e.ledger)],
    )
    step("ledger")
    led = e.ledger
    order = _member_order(led["member_id"])
    _insert(
        conn,
        "ledger",
        unit,
        e.year,
        [
            led["member_id"],
            pd.Series(np.arange(len(led)), index=led.index),
            led["rule_id"],
            led["points"],
            _dates(led["date"]),
            led["source"],
            led["item_id"],
            led["title"],
            led["note"],
        ],
        order=order,
    )
    step("awards")
    a = e.awards
    if len(a):
        _insert(
            conn,
            "awards",
            unit,
            e.year,
            [
                a["award_id"],
                a["award_name"],
                a["pool"],
                a["place"],
                a["key"],
                a["label"],
                a["score"],
                a["note"],
            ],
        )
    step("done")


def _json_text(values: pd.Series) -> pd.Series:
    """Texts as JSON strings, quoted and escaped, a column at a time (cells and names hold no
    control characters: workbook sheet names and cell references cannot). Only the few texts
    with a quote or a backslash are rewritten."""
    text = values.astype(str)
    needs = text.str.contains(r'["\\]', regex=True)
    if needs.any():
        odd = text[needs].str.replace("\\", "\\\\", regex=False)
        text = text.where(~needs, odd.str.replace('"', '\\"', regex=False))
    return '"' + text + '"'


def _subtotals_json(members: pd.DataFrame, categories: list[str]) -> pd.Series:
    """Each member's category subtotals as a JSON object, built a column at a time."""
    text = pd.Series("{", index=members.index, dtype=object)
    for i, category in enumerate(categories):
        points = members[category].to_numpy(dtype=float)
        numbers = np.where(np.isfinite(points), points.astype(str), "null").astype(object)
        text = text + ("," if i else "") + json.dumps(category, ensure_ascii=False) + ":" + numbers
    return text + "}"


def _checklist_json(member_ids: pd.Series, checklist: pd.DataFrame) -> pd.Series:
    """Each member's checklist items done, as a JSON object item -> the cell that met it, in
    the checklist's order: the pieces of all members are made at once, then joined member by
    member with one ``np.add.reduceat`` (string concatenation inside numpy's loop)."""
    result = np.full(len(member_ids), "{}", dtype=object)
    done = checklist[["member_id", "item", "source"]][checklist["done"].astype(bool).to_numpy()]
    at = pd.Index(member_ids).get_indexer(done["member_id"])
    keep = at >= 0
    if not keep.any():
        return pd.Series(result, index=member_ids.index)
    done, at = done[keep], at[keep]
    item_codes, items = pd.factorize(done["item"])
    keys = np.array(
        ["," + json.dumps(str(i), ensure_ascii=False) + ":" for i in items], dtype=object
    )
    pieces = keys[item_codes] + _json_text(done["source"].fillna("")).to_numpy(dtype=object)
    order = np.argsort(at, kind="stable")
    at, pieces = at[order], pieces[order]
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
    joined = pd.Series(np.add.reduceat(pieces, starts), dtype=object).str[1:]  # the first comma
    result[at[starts]] = ("{" + joined + "}").to_numpy(dtype=object)
    return pd.Series(result, index=member_ids.index)


def _rule_items(rules: Rules, ledger: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """(rule_id, rule_name, category, category_name, kind) of every rule the ledger uses, and of
    every item of the rules; ``kind`` is the record kind an item counts ('' for caps, start
    scores and other lines not from one item)."""
    kinds: dict[str, str] = {
        f"{c.id}.{i.id}": i.match.kind for c in rules.categories for i in c.items
    }
    rows: dict[str, tuple[str, str, str, str, str]] = {
        f"{c.id}.{i.id}": (f"{c.id}.{i.id}", i.name, c.id, c.name, i.match.kind)
        for c in rules.categories
        for i in c.items
    }
    if len(ledger):
        codes, _ = pd.factorize(ledger["rule_id"])
        _, first = np.unique(codes, return_index=True)
        distinct = ledger[["rule_id", "rule_name", "category", "category_name"]].iloc[first]
        for rule_id, name, category, category_name in distinct.itertuples(index=False):
            rows.setdefault(
                rule_id,
                (rule_id, str(name), str(category), str(category_name), kinds.get(rule_id, "")),
            )
    return list(rows.values())


def _dates(values: pd.Series) -> pd.Series:
    """ISO dates as text, None where missing: each distinct date formatted once (a ledger has a
    million lines and a few hundred dates)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    codes, distinct = pd.factorize(values)
    texts = np.concatenate(
        [
            pd.DatetimeIndex(distinct).strftime("%Y-%m-%d").to_numpy(dtype=object),
            np.array([None], dtype=object),
        ]
    )
    return pd.Series(texts[codes], index=values.index, dtype=object)  # code -1 -> the None


def _member_order(member_ids: pd.Series) -> np.ndarray:
    """Positions that list the lines by member ID, each member's lines in their order. A ledger
    lists each member's lines together, so the blocks are sorted rather than every line."""
    ids = member_ids.to_numpy(dtype=object)
    if not len(ids):
        return np.arange(0)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    keys = ids[starts]
    if len(set(keys.tolist())) != len(keys):  # a member's lines apart: sort line by line
        codes, _ = pd.factorize(member_ids, sort=True)
        return np.argsort(codes, kind="stable")
    lengths = np.diff(np.r_[starts, len(ids)])
    by_key = np.argsort(keys.astype(str), kind="stable")
    first = starts[by_key]
    size = lengths[by_key]
    offsets = np.repeat(first - np.r_[0, np.cumsum(size)[:-1]], size)
    return offsets + np.arange(len(ids))


def _column(values: pd.Series, order: np.ndarray | None = None) -> list:
    """A column as Python values for sqlite3 (NaN/NA -> None), in ``order`` when given."""
    array: np.ndarray
    if pd.api.types.is_float_dtype(values.dtype):
        array = values.to_numpy(dtype=float)
        missing = np.isnan(array)
        if missing.any():
            array = array.astype(object)
            array[missing] = None
    elif pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        array = values.to_numpy(dtype=np.int64)
    elif pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        array = values.to_numpy(dtype=bool)
    else:
        # pandas takes None as the missing value; pandas-stubs types na_value without it.
        array = values.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    if order is not None:
        array = array[order]
    return array.tolist()


def _literal(value: str | int) -> str:
    """An SQL literal for a value the same on every row (the unit, the year)."""
    return str(int(value)) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _insert(
    conn: sqlite3.Connection,
    table: str,
    unit: str,
    year: int,
    columns: list[pd.Series],
    *,
    year_after: int = 0,
    order: np.ndarray | None = None,
) -> None:
    """INSERT the columns (each converted once, as a whole, in ``order`` when given) with
    ``unit`` and ``year`` in front, ``year`` placed after the first ``year_after`` columns for
    tables keyed by member first. The unit and year are written into the statement, not bound
    on every row."""
    lists = [_column(col, order) for col in columns]
    marks = ["?"] * len(lists)
    if year_after:
        marks.insert(year_after, _literal(year))
    else:
        marks.insert(0, _literal(year))
    marks.insert(0, _literal(unit))
    conn.executemany(f"INSERT INTO {table} VALUES ({', '.join(marks)})", zip(*lists))


def upgrade(path: str | Path) -> int:
    """Bring an existing archive up to this perfscore's schema; the version reached."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到履职档案：{path}")
    conn = _connect(path, readonly=False)
    try:
        _check(conn, path, allow_empty=False)
        return migrate(conn)
    finally:
        conn.close()


def archive_summary(path: str | Path) -> str:
    """What ``perfscore archive info`` prints: terms, years and replacements, as text."""
    conn = open_readonly(path)
    try:
        terms = conn.execute("SELECT unit, name, first_year, last_year FROM terms ORDER BY unit")
        lines = [f"{Path(path).name}：perfscore 履职档案，格式版本 {SCHEMA_VERSION}"]
        for unit, name, first, last in terms.fetchall():
            lines.append(f"{unit or '（未写单位）'}：{name}（{first}–{last}）")
            for row in conn.execute(
                "SELECT year, source_name, input_sha256, rules_name, rules_sha256, members, "
                "ledger_lines, imported_at FROM years WHERE unit = ? ORDER BY year",
                (unit,),
            ):
                year, source, input_sha, rules_name, rules_sha, members, lines_, when = row
                lines.append(
                    f"  {year} 年度：{source}（SHA-256 {(input_sha or '未记录')[:12]}），规则 {rules_name}"
                    f"（{rules_sha[:12]}），委员 {members} 人，明细 {lines_} 行，{when} 写入"
                )
        for row in conn.execute(
            "SELECT unit, year, replaced_at, old_source_name, new_source_name FROM replacements ORDER BY id"
        ):
            unit, year, when, old, new = row
            lines.append(f"替换：{unit or '（未写单位）'} {year} 年度，{when}，{old} → {new}")
    finally:
        conn.close()
    return "\n".join(lines)
