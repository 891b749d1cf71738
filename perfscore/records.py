"""Stage 2 — normalise: raw registers -> the member roster and one long table of records.

A *record* is one member's part in one register row: a proposal with three proposers gives
three records (positions 1–3, roles 领衔/附议/附议). Every record keeps its source cell.
All work is vectorised over whole columns; problems are collected for every bad cell at once.

``Records.members`` columns: member_id, name, sector, committee, study_group, work_group,
standing (bool), term_start, term_end (datetime64, NaT when open), roster_row, then one column
per roster column the rules declare (``input.roster_columns``: 联络组 …, the cell's text).

``Records.records`` columns: member_id, kind, item_id, title, date (datetime64), type, subtype,
status, level, marks, merged_into, role, position, n_authors, sheet, row, source (e.g. ``提案!F14``).

``Records.bodies`` holds the records credited to a body the rules declare (``bodies``: 社法委 …)
rather than to a member: the same columns with ``body`` (its declared name) for member_id.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from .errors import DataError, Problem, Reason, Severity
from .inputformat import (
    INFO_ADOPTED,
    INFO_NOT_ADOPTED,
    RECORD_KINDS,
    ROLE_CO,
    ROLE_LEAD,
    ROLE_PARTICIPANT,
    VOCABULARIES,
    Column,
    Vocabulary,
    declared_roster_columns,
)
from .layout import MEMBER_DETAILS
from .reading import RawTable, RawWorkbook, match_key
from .text import (
    LIST_SEPARATORS,
    WHITE_SPACE,
    excel_column,
    rows_matching,
    split_names,
    strip_name_tag,
    where_matching,
)

__all__ = [
    "Records",
    "normalise",
    "RECORD_COLUMNS",
    "MEMBER_COLUMNS",
    "MEMBER_DETAILS",
    "GROUP_DIMENSIONS",
    "parse_dates",
]

RECORD_COLUMNS = [
    "member_id",
    "kind",
    "item_id",
    "title",
    "date",
    "type",
    "subtype",
    "status",
    "level",
    "marks",
    "merged_into",
    "role",
    "position",
    "n_authors",
    "sheet",
    "row",
    "source",
]
MEMBER_COLUMNS = [*MEMBER_DETAILS, "roster_row"]
# The members' group columns and their names (界别 …): how results are grouped and capped.
GROUP_DIMENSIONS = {
    "sector": "界别",
    "committee": "专委会",
    "study_group": "学习组",
    "work_group": "工作组",
}


@dataclass(frozen=True)
class Records:
    members: pd.DataFrame
    records: pd.DataFrame
    year: int
    sheets: dict[str, str]  # sheet key -> the sheet's name in this workbook
    problems: list[Problem] = field(default_factory=list)
    as_of: pd.Timestamp | None = None  # set by up_to: the records stand as they did that day
    bodies: pd.DataFrame = field(default_factory=lambda: _no_records(body=True))
    # The records of the register rows --skip-bad-rows left out (RECORD_COLUMNS, then
    # ``faults``: the keys of the row's columns that had errors, joined by ","); none otherwise.
    skipped: pd.DataFrame = field(default_factory=lambda: _no_skipped())

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def up_to(self, day: date | pd.Timestamp) -> Records:
        """The records dated on or before ``day`` (the whole day counts), as they stood then.

        Information items take the status they had on ``day``: 已采用 only when an adoption dated
        on or before ``day`` exists. Members and problems are kept as they are.
        """
        kept = self.records[self.records["date"] <= pd.Timestamp(day)].copy()
        kept = _mark_information_adopted(kept).reset_index(drop=True)
        bodies = self.bodies[self.bodies["date"] <= pd.Timestamp(day)].reset_index(drop=True)
        dates = self.skipped["date"]
        skipped = self.skipped[dates.isna() | (dates <= pd.Timestamp(day))].reset_index(drop=True)
        return replace(self, records=kept, as_of=pd.Timestamp(day), bodies=bodies, skipped=skipped)


class _Context:
    """What normalising one workbook carries along: the office's vocabularies, and the problems
    found so far (collected per kind of fault for whole columns at once)."""

    def __init__(self, vocabularies: dict[str, Vocabulary]) -> None:
        self.vocabularies = vocabularies
        self.problems: list[Problem] = []
        self.bodies: list[pd.DataFrame] = []  # records credited to a declared body, per register

    def cells(
        self,
        table: RawTable,
        key: str,
        mask: pd.Series,
        reason: Reason,
        message: str,
        suggestion: str = "",
        severity: Severity = Severity.ERROR,
        values: pd.Series | None = None,
    ) -> None:
        if not mask.any():
            return
        bad = table.frame.loc[mask, ["row", key]]
        shown = values[mask] if values is not None else bad[key]
        for row, value in zip(bad["row"].tolist(), shown.tolist()):
            self.problems.append(
                Problem(
                    severity,
                    reason,
                    message,
                    table.sheet_name,
                    table.cell(key, row),
                    str(value),
                    suggestion,
                )
            )


def normalise(
    raw: RawWorkbook,
    year: int | None = None,
    vocabularies: dict[str, Vocabulary] = VOCABULARIES,
    *,
    skip_bad_rows: bool = False,
    allow_duplicates: bool = False,
    bodies: dict[str, str] | None = None,
) -> Records:
    """Turn raw registers into members and records. Raises DataError listing every error.

    ``vocabularies`` are the words the cells may hold (the defaults plus an office's own).
    With ``skip_bad_rows``, the smallest part with an error is left out and each error becomes
    a warning saying what was skipped, for each member it concerned: a name that matches no
    member (or several) drops that name only, its row-mates keep their records; any other error
    drops its register row. Errors that are not about one register row (the roster, a missing
    sheet or column) still stop. Two identical records (same member, register, name, date and
    words) are an error naming both cells unless ``allow_duplicates`` counts them both.
    ``bodies`` maps each spelling of a body the rules declare to its name: a name cell naming
    one gives a record credited to the body (``Records.bodies``), not an unknown-member error."""
    out = _Context(vocabularies)
    out.problems.extend(raw.problems)
    roster = raw.tables["roster"]

    registers = {key: t for key, t in raw.tables.items() if key != "roster"}
    parsed = _parse_date_columns({key: t.frame["date"] for key, t in registers.items()})
    assessment_year = year or _infer_year(list(parsed.values()))
    if assessment_year is None:
        for key, table in registers.items():
            _dates(table, "date", out, year=None, required=True, parsed=parsed[key])
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.BAD_DATE,
                "无法确定考核年度：各登记表中没有可识别的日期",
                suggestion="请改正日期，或在规则文件中写明 year，或用 --year 指定",
            )
        )
        raise DataError(f"{raw.path.name} 有错误，未计分", out.problems)
    members = _members(roster, out, assessment_year)
    _refuse_template_examples(roster, members, [t.sheet for t in registers.values()], out)
    resolver = _MemberResolver(members, roster, bodies or {})
    _check_bodies_are_not_members(resolver, members, roster, out)

    frames: list[pd.DataFrame] = []
    authors_by_info = None
    for key in ("proposals", "information", "reports", "attendance", "activities", "duties"):
        if key not in registers:
            continue
        table = registers[key]
        dates = _dates(table, "date", out, year=assessment_year, required=True, parsed=parsed[key])
        records = _register_records(table, dates, resolver, out)
        frames.append(records)
        if key == "information":
            authors_by_info = records
    if "adoptions" in registers:
        table = registers["adoptions"]
        dates = _dates(
            table, "date", out, year=assessment_year, required=True, parsed=parsed["adoptions"]
        )
        frames.append(_adoption_records(table, dates, authors_by_info, out, bodies=bool(bodies)))
    records = pd.concat(frames, ignore_index=True) if frames else _no_records()
    del frames, authors_by_info  # the concatenated table is the only copy kept
    _check_duplicates(records, out, allow=allow_duplicates)
    _check_id_forms(roster, members, records, out)
    records = _mark_information_adopted(records)
    date_letters = {t.sheet_name: t.letters.get("date", "") for t in registers.values()}
    made = records  # every record made, a bad date's among them: whom a skipped row concerned
    records = _drop_outside_year(
        records, assessment_year, date_letters, out, year_given=year is not None
    )
    out.problems = _one_problem_per_flagged_cell(out.problems)
    skipped = _no_skipped()
    if skip_bad_rows:
        registers_by_name = {t.sheet_name for t in registers.values()}
        out.bodies = _bodies_without_bad_rows(out.bodies, out.problems, registers_by_name)
        columns = {
            t.sheet_name: {letter: key for key, letter in t.letters.items()}
            for t in registers.values()
        }
        names = dict(zip(members["member_id"], members["name"]))
        records, out.problems, skipped = _skip_bad_rows(records, out.problems, columns, made, names)
    del made
    if any(p.severity is Severity.ERROR for p in out.problems):
        errors = [p for p in out.problems if p.severity is Severity.ERROR]
        raise DataError(f"{raw.path.name} 有 {len(errors)} 处错误，未计分", out.problems)
    # By sheet, row and position, stable (equal keys keep their order); sheet names sort as text.
    sheet_order, _ = pd.factorize(records["sheet"], sort=True)
    order = np.lexsort((records["position"].to_numpy(), records["row"].to_numpy(), sheet_order))
    records = records[RECORD_COLUMNS].take(order).reset_index(drop=True)
    sheets = {key: table.sheet_name for key, table in raw.tables.items()}
    credited = _body_records(out.bodies, assessment_year)
    return Records(
        members=members,
        records=records,
        year=assessment_year,
        sheets=sheets,
        problems=out.problems,
        bodies=credited,
        skipped=skipped,
    )


def _body_records(frames: list[pd.DataFrame], year: int) -> pd.DataFrame:
    """The records credited to bodies, of the assessment year, by sheet, row and position."""
    if not frames:
        return _no_records(body=True)
    records = pd.concat(frames, ignore_index=True)
    records = records[records["date"].dt.year == year].drop(columns="member_id")
    records = _mark_information_adopted(records.rename(columns={"body": "member_id"}))
    records = records.sort_values(["sheet", "row", "position"], kind="stable")
    return records[RECORD_COLUMNS].rename(columns={"member_id": "body"}).reset_index(drop=True)


# --- the roster -------------------------------------------------------------------------------


def _members(table: RawTable, out: _Context, year: int) -> pd.DataFrame:
    f = table.frame
    for key in ("member_id", "name", "sector"):
        col = table.sheet.column(key)
        out.cells(
            table, key, f[key] == "", Reason.MISSING_VALUE, f"“{col.header}”不能为空", values=f[key]
        )
    dup = f["member_id"].duplicated(keep=False) & (f["member_id"] != "")
    out.cells(table, "member_id", dup, Reason.DUPLICATE_ID, "委员编号重复", "每位委员一个唯一编号")
    members = pd.DataFrame(
        {
            "member_id": f["member_id"],
            "name": strip_name_tag(f["name"]),
            "sector": f["sector"],
            "committee": f.get("committee", ""),
            "study_group": f.get("study_group", ""),
            "work_group": f.get("work_group", ""),
            "standing": _choice(table, "standing", out) == "是" if "standing" in f else False,
            "term_start": _dates(table, "term_start", out, year=year, required=False),
            "term_end": _dates(table, "term_end", out, year=year, required=False),
            "roster_row": f["row"],
        }
    )
    extra = declared_roster_columns(table.sheet)
    for column in extra:  # the office's own group columns (联络组 …), after the built-in ones
        members[column] = f[column]
    bad_term = (
        members["term_start"].notna()
        & members["term_end"].notna()
        & (members["term_start"] > members["term_end"])
    )
    out.cells(table, "term_end", bad_term, Reason.BAD_DATE, "任职终止早于任职起始")
    return members[[*MEMBER_COLUMNS, *extra]].reset_index(drop=True)


def _refuse_template_examples(
    roster: RawTable, members: pd.DataFrame, sheets: list, out: _Context
) -> None:
    """The grey example rows of ``perfscore template`` left in the roster are not members: an
    error at each, or five invented members would be scored. A row is an example when its name
    is one the registers' examples use, its id one the template numbers them with (0001 …),
    its 常委 cell 否 and every group cell the roster's example word (经济界, 提案委, 第一学习组,
    第一工作组), and the examples are all there, as the template leaves them: a single roster row
    that looks like one example is taken for a member."""
    examples = {col.key: col.example for col in roster.sheet.columns if col.example}
    names = {
        name
        for sheet in sheets
        for col in sheet.columns
        if col.kind in ("names", "member")
        for name in col.example.split("、")
        if name
    } | {examples.get("name", "")}
    groups = [
        key for key in ("sector", "committee", "study_group", "work_group") if key in examples
    ]
    if not groups or not names - {""}:
        return
    example = members["name"].isin(names)
    for key in groups:
        example &= members[key] == examples[key]
    if "standing" in examples:  # 否 in the examples
        example &= ~members["standing"].astype(bool)
    if examples.get("member_id", "").isdigit():  # 0001 … 0005, as the template numbers them
        width = len(examples["member_id"])
        numbers = [str(n).zfill(width) for n in range(1, len(names) + 1)]
        example &= members["member_id"].isin(numbers)
    if set(members.loc[example, "name"]) != names - {""}:
        return  # one look-alike row is a member; the template leaves every example together
    for name, row in zip(members.loc[example, "name"], members.loc[example, "roster_row"]):
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.TEMPLATE_EXAMPLE,
                "这一行是填表模板中的示例（灰色斜体），不是委员",
                roster.sheet_name,
                roster.cell("name", row),
                name,
                "填写前请删除模板中的示例行：委员名单和每张登记表中的灰色斜体行",
            )
        )


class _MemberResolver:
    """Finds the member a name-or-ID token means: an ID first, then a name unique in the roster."""

    def __init__(self, members: pd.DataFrame, roster: RawTable, bodies: dict[str, str]):
        self.bodies = bodies  # each spelling of a declared body -> its name
        self.ids = set(members["member_id"].tolist())
        counts = members["name"].value_counts()
        unique = members[members["name"].map(counts) == 1]
        self.by_name = pd.Series(unique["member_id"].to_numpy(), index=unique["name"].to_numpy())
        self.ambiguous = members[members["name"].map(counts) > 1]
        self.names = sorted(set(members["name"]))
        self.roster = roster
        self._hints: dict[
            tuple[str, str], str
        ] = {}  # (kind, token) -> suggestion, as a name repeats

    def resolve(self, tokens: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """tokens -> (member_id or '', is_ambiguous, is_unknown)."""
        as_id = tokens.where(tokens.isin(self.ids), "")
        names = strip_name_tag(tokens)
        by_name = names.map(self.by_name).astype(object).where(lambda ids: ids.notna(), "")
        member_id = as_id.where(as_id != "", by_name)
        ambiguous = (member_id == "") & names.isin(set(self.ambiguous["name"]))
        unknown = (member_id == "") & ~ambiguous
        return member_id, ambiguous, unknown

    def body_of(self, tokens: pd.Series) -> np.ndarray:
        """tokens -> the declared body each names ('' for none), as written or without a tag."""
        if not self.bodies:
            return np.full(len(tokens), "", dtype=object)
        found = tokens.map(self.bodies)
        found = found.where(found.notna(), strip_name_tag(tokens).map(self.bodies))
        return found.fillna("").to_numpy(dtype=object)

    def candidates(self, name: str) -> str:
        if ("candidates", name) not in self._hints:
            self._hints[("candidates", name)] = self._candidates(name)
        return self._hints[("candidates", name)]

    def near_miss(self, token: str) -> str:
        if ("near_miss", token) not in self._hints:
            self._hints[("near_miss", token)] = self._near_miss(token)
        return self._hints[("near_miss", token)]

    def _candidates(self, name: str) -> str:
        rows = self.ambiguous[self.ambiguous["name"] == name]
        places = [
            f"{mid}（{self.roster.sheet_name}!{self.roster.cell('member_id', r)}）"
            for mid, r in zip(rows["member_id"], rows["roster_row"])
        ]
        return f"名单中有 {len(places)} 位“{name}”：{'、'.join(places)}；请改填委员编号"

    def _near_miss(self, token: str) -> str:
        if (
            token.isdigit()
        ):  # an ID typed as a number loses its leading zeros (0297 -> 297), or gains them
            same = sorted(i for i in self.ids if i.isdigit() and i.lstrip("0") == token.lstrip("0"))
            if same:
                return (
                    f"名单中有编号 {'、'.join(same)}：编号的前导零可能丢失或多出，"
                    "请把两张表的编号列都设为“文本”格式后重新填写"
                )
        close = difflib.get_close_matches(
            strip_name_tag(pd.Series([token])).iloc[0], self.names, n=3, cutoff=0.5
        )
        return f"是不是：{'、'.join(close)}？" if close else "请核对委员名单中的姓名或编号"


def _check_bodies_are_not_members(
    resolver: _MemberResolver, members: pd.DataFrame, roster: RawTable, out: _Context
) -> None:
    """A declared body's spelling that is also a member's name or id would credit the one or the
    other without the clerk knowing: an error at the member's roster cell."""
    if not resolver.bodies:
        return
    spellings = set(resolver.bodies)
    clash = members["name"].isin(spellings) | members["member_id"].isin(spellings)
    for name, row in zip(members.loc[clash, "name"], members.loc[clash, "roster_row"]):
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.AMBIGUOUS_MEMBER,
                "委员的姓名或编号与规则中登记的单位（bodies）相同",
                roster.sheet_name,
                roster.cell("name", row),
                name,
                "请改用不同的单位名称或写法（规则文件 bodies 中），或在登记表中用委员编号",
            )
        )


# --- registers --------------------------------------------------------------------------------


def _register_records(
    table: RawTable, dates: pd.Series, resolver: _MemberResolver, out: _Context
) -> pd.DataFrame:
    """One record per member named in each row of a register (proposals, meetings, …)."""
    sheet = table.sheet
    f = table.frame
    kind = next(kind for kind, sheet_key in RECORD_KINDS.items() if sheet_key == sheet.key)
    for col in sheet.columns:
        if col.required and col.kind not in ("date", "choice"):
            out.cells(
                table, col.key, f[col.key] == "", Reason.MISSING_VALUE, f"“{col.header}”不能为空"
            )
    if "item_id" in f:
        dup = f["item_id"].duplicated(keep=False) & (f["item_id"] != "")
        out.cells(
            table, "item_id", dup, Reason.DUPLICATE_ID, f"“{sheet.column('item_id').header}”重复"
        )

    status = _choice(table, "status", out)
    rows = pd.DataFrame(
        {
            "kind": kind,
            "item_id": f.get("item_id", ""),
            "title": f.get("title", ""),
            "date": dates,
            "type": _choice(table, "type", out),
            "subtype": _choice(table, "subtype", out),
            "status": status,
            "level": "",
            "marks": _marks(table, out) if "marks" in f else "",
            "merged_into": f.get("merged_into", ""),
            "sheet": table.sheet_name,
            "row": f["row"],
        },
        index=f.index,
    )

    named = _named_members(f["members"], resolver)
    tokens = named.tokens
    # the cell each name is in: problems with a name and its records cite it
    name_cells = _name_cells(table, named, resolver)

    def cells_of(mask: np.ndarray) -> list[str]:
        if name_cells is not None:
            return name_cells[mask].tolist()
        rows_of = table.frame.loc[tokens.index[mask], "row"].tolist()
        return [table.cell("members", row) for row in rows_of]

    _report_unresolved(table, tokens, named.ambiguous, named.unknown, resolver, out, cells_of)
    twice = named.twice
    where = (
        f"在这一行的“{sheet.column('members').header}”中" if name_cells is not None else "在本格中"
    )
    for token, cell in zip(tokens[twice].tolist(), cells_of(twice)):
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.DUPLICATE_ID,
                f"同一位委员{where}出现两次",
                table.sheet_name,
                cell,
                token,
                "每位委员只写一次（名字和编号不要重复写）",
            )
        )

    # The source cell per register row, shared by the row's records.
    rows["source"] = table.sheet_name + "!" + table.letters["members"] + rows["row"].astype(str)
    one_each = len(named.row_positions) == len(rows) and (named.position == 1).all()
    records = (
        rows if one_each else rows.take(named.row_positions)
    )  # one member per row: the rows as they are
    records["member_id"] = named.member_id
    records["position"] = named.position
    records["n_authors"] = named.n_authors
    if sheet.column("members").kind == "names" and kind != "activity":
        # the column type pandas gives text made by np.where, even for a register with no rows
        records["role"] = pd.array(
            _choose(records["position"].to_numpy() == 1, ROLE_LEAD, ROLE_CO),
            dtype=_NUMPY_TEXT,  # type: ignore[arg-type]  # pandas-stubs allows only timedelta dtypes for an object array here
        )
    else:
        records["role"] = ROLE_PARTICIPANT
    records["source"] = records.pop("source")  # after role, in the column order records always had
    if name_cells is not None:  # names spread over several columns: each cites its own column
        records["source"] = (table.sheet_name + "!" + name_cells).astype(object)
    if kind == "proposal":
        _check_proposal_form(table, rows["type"], named, out)
        records["type"] = _proposal_form(records)
        _check_merged(table, status, out)
    if named.body.any():
        credited = named.body != ""
        out.bodies.append(records[credited].assign(body=named.body[credited]))
    resolved = records["member_id"] != ""
    return records if resolved.all() else records[resolved]


_NUMPY_TEXT = pd.Series(
    np.array([""])
).dtype  # what pandas makes of numpy's fixed-width text ('str' in pandas 3)


def _choose(condition: np.ndarray, yes: str, no: str) -> np.ndarray:
    """``np.where(condition, yes, no)`` as Python strings shared by every row (np.where would make
    fixed-width numpy text, turned into a new string object per row when pandas stores it)."""
    return np.array([no, yes], dtype=object)[condition.astype(np.intp)]


def _no_records(*, body: bool = False) -> pd.DataFrame:
    """An empty records table with the columns' real types (a workbook with only a roster);
    with ``body``, the bodies' table (``body`` for member_id)."""
    records = pd.DataFrame({column: pd.Series(dtype=object) for column in RECORD_COLUMNS})
    records = records.astype(
        {"date": "datetime64[ns]", "position": int, "n_authors": int, "row": int}
    )
    return records.rename(columns={"member_id": "body"}) if body else records


@dataclass(frozen=True)
class _Named:
    """The members a name-list column names: one entry per token, in row order then cell order."""

    tokens: pd.Series  # the token as written; index = the row's index label
    row_positions: np.ndarray  # position of the token's row in the column
    position: np.ndarray  # 1-based place of the token in its cell
    n_authors: np.ndarray  # tokens in the cell
    member_id: np.ndarray  # '' when not resolved
    ambiguous: pd.Series
    unknown: pd.Series
    twice: np.ndarray  # the member was named earlier in the same cell
    body: np.ndarray  # the declared body the token names ('' for a member or an unknown name)


def _name_cells(table: RawTable, named: _Named, resolver: _MemberResolver) -> np.ndarray | None:
    """The cell each name is written in (``F3``), one per token, when a register spreads its
    names over several columns (第一提案人 | 附议人): the column the name is in, not the first.
    None when the names are in one column (each row's cell is then the cell of its names)."""
    extra = table.frame.attrs.get("extra_columns", {}).get("members")
    parts = [f"members@{i}" for i in range(len(extra or []) + 1)]
    if not extra or not all(part in table.frame for part in parts):
        return None
    rows = table.frame["row"].to_numpy()[named.row_positions].astype(str)
    letters = [table.letters["members"], *(excel_column(i) for i in extra)]
    index = table.frame.index
    counts = np.zeros((len(index), len(parts)), dtype=np.int64)
    for j, part in enumerate(parts):
        tokens = _member_tokens(table.frame[part], resolver)
        counts[:, j] = np.bincount(index.get_indexer(tokens.index), minlength=len(index))
    before = counts.cumsum(axis=1)[named.row_positions]  # names up to and including each part
    column = np.minimum((before < named.position[:, None]).sum(axis=1), len(parts) - 1)
    return (np.asarray(letters, dtype=object)[column] + rows).astype(object)


def _named_members(cells: pd.Series, resolver: _MemberResolver) -> _Named:
    """Split and resolve a name-list column. Both depend on a cell's text only, so they run once
    per distinct cell text (and resolving once per distinct token), then spread to every row."""
    codes, distinct = pd.factorize(cells, use_na_sentinel=False)
    per_cell = _member_tokens(pd.Series(distinct), resolver)  # index: the distinct cell's code
    cell_of_token = per_cell.index.to_numpy()
    token_codes, distinct_tokens = pd.factorize(per_cell, use_na_sentinel=False)
    member_of_distinct, ambiguous, unknown = (
        part.to_numpy() for part in resolver.resolve(pd.Series(distinct_tokens))
    )
    body_of_distinct = resolver.body_of(pd.Series(distinct_tokens, dtype=object))
    body_of_distinct[member_of_distinct != ""] = ""  # a member's name or id is the member
    unknown = unknown & (body_of_distinct == "")
    ambiguous = ambiguous & (body_of_distinct == "")
    member_id, ambiguous, unknown, body = (
        member_of_distinct[token_codes],
        ambiguous[token_codes],
        unknown[token_codes],
        body_of_distinct[token_codes],
    )
    counts = np.bincount(cell_of_token, minlength=len(distinct))
    twice = np.zeros(len(member_id), dtype=bool)
    if counts.max(initial=0) > 1:  # a member named twice in one cell needs a cell of two names
        # (cell, member) pairs as one integer each: duplicates found on numbers, not on texts
        member_codes, members = pd.factorize(member_of_distinct)
        pair = cell_of_token.astype(np.int64) * (len(members) + 1) + member_codes[token_codes]
        twice = (member_id != "") & pd.Series(pair).duplicated().to_numpy()
    first = np.cumsum(counts) - counts  # where each distinct cell's tokens start
    per_row = counts[codes]
    row_positions = np.repeat(np.arange(len(cells)), per_row)
    within = np.arange(len(row_positions)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    take = np.repeat(first[codes], per_row) + within
    index = cells.index[row_positions]
    return _Named(
        tokens=pd.Series(per_cell.to_numpy()[take], index=index),
        row_positions=row_positions,
        position=within + 1,
        n_authors=per_row[row_positions],
        member_id=member_id[take],
        ambiguous=pd.Series(ambiguous[take], index=index),
        unknown=pd.Series(unknown[take], index=index),
        twice=twice[take],
        body=body[take],
    )


def _member_tokens(cells: pd.Series, resolver: _MemberResolver) -> pd.Series:
    """Name-list cells -> one token per member named, in cell order (index = the cell's row).

    Split on 、，,;； first; a piece that still has spaces is one member when it names one with
    the spaces removed (张 三 padded for alignment), else several names separated by spaces.
    """
    pieces = _split_list(cells)
    pieces = where_matching(pieces, WHITE_SPACE, lambda part: part.str.strip())
    pieces = pieces[pieces != ""]
    spaced = pd.Series(rows_matching(pieces.tolist(), WHITE_SPACE), index=pieces.index)
    if not spaced.any():
        return pieces
    order = pieces.groupby(level=0).cumcount().astype(float)
    joined = pieces[spaced].str.replace(r"\s+", "", regex=True)
    whole = (resolver.resolve(joined)[0] != "").to_numpy()
    lists = pieces[spaced][~whole].str.split(r"\s+", regex=True)
    split = lists.explode()
    # Each name keeps its piece's place, then its place within the piece (a cell may have several such pieces).
    per_piece = lists.str.len().to_numpy()  # type: ignore[misc]  # pandas-stubs types .str for text only; .str.len() also counts list items
    within = np.arange(per_piece.sum()) - np.repeat(np.cumsum(per_piece) - per_piece, per_piece)
    split_order = pd.Series(
        np.repeat(order[spaced][~whole].to_numpy(), per_piece) + within / 1000, index=split.index
    )
    combined = pd.DataFrame(
        {
            "token": pd.concat([pieces[~spaced], joined[whole], split]),
            "order": pd.concat([order[~spaced], order[spaced][whole], split_order]),
        }
    )
    combined = (
        combined.reset_index(names="cell")
        .sort_values(["cell", "order"], kind="stable")
        .set_index("cell")
    )
    return combined["token"].rename_axis(None)


def _split_list(cells: pd.Series) -> pd.Series:
    """The non-empty pieces of ``cells.str.split(LIST_SEPARATORS).explode()``, in order, index = the
    cell's label. All cells are split in one regex pass over their texts joined by a mark."""
    texts = cells.tolist()
    try:
        joined = _MARK.join(texts) + _MARK
    except TypeError:  # not all text
        joined = None
    if joined is None or joined.count(_MARK) != len(
        texts
    ):  # not text, or a cell holds the mark itself
        pieces = cells.str.split(LIST_SEPARATORS, regex=True).explode()
        return pieces[pieces.notna() & (pieces != "")]
    found = np.array(_PIECE_OR_MARK.findall(joined), dtype=object)
    mark = found == _MARK
    cell = np.cumsum(mark)  # a piece's cell: the marks before it (each cell ends with one)
    return pd.Series(found[~mark], index=cells.index[cell[~mark]], dtype=object)


# Between two cells' texts: not a separator, not white space, not in any real cell (xlsx cannot hold it).
_MARK = "\x01"
# A maximal run of characters that are not a list separator, or the mark.
_PIECE_OR_MARK = re.compile("[^" + LIST_SEPARATORS[1:-2] + _MARK + "]+|" + _MARK)


def _adoption_records(
    table: RawTable,
    dates: pd.Series,
    info: pd.DataFrame | None,
    out: _Context,
    *,
    bodies: bool = False,
) -> pd.DataFrame:
    """One record per author of the information item, per adoption or instruction event; with
    ``bodies``, also one per body credited with the item (in ``out.bodies``)."""
    f = table.frame
    events = pd.DataFrame(
        {
            "kind": "adoption",
            "item_id": f["item_id"],
            "date": dates,
            "type": _choice(table, "type", out),
            "level": _choice(table, "level", out),
            "sheet": table.sheet_name,
            "row": f["row"],
            "source": table.sheet_name + "!" + table.letters["level"] + f["row"].astype(str),
        }
    )
    authors = (info if info is not None else pd.DataFrame(columns=RECORD_COLUMNS))[
        ["item_id", "member_id", "title", "role", "position", "n_authors"]
    ]
    by_bodies = (
        pd.concat(
            [f[f["kind"] == "information"] for f in out.bodies] if bodies else [],
            ignore_index=True,
        )
        if bodies and out.bodies
        else pd.DataFrame(columns=["item_id", "body", "kind"])
    )
    known = events["item_id"].isin(
        set(authors["item_id"].tolist()) | set(by_bodies["item_id"].tolist())
    )
    out.cells(
        table,
        "item_id",
        ~known & (f["item_id"] != ""),
        Reason.UNKNOWN_REFERENCE,
        "“社情民意”表中没有这个信息编号",
        "先在“社情民意”表登记这条信息",
    )
    merged = events.merge(authors, on="item_id", how="inner")
    for column in ("subtype", "status", "marks", "merged_into"):
        merged[column] = ""
    if len(by_bodies):
        credited = events.merge(
            by_bodies[["item_id", "body", "title", "role", "position", "n_authors"]],
            on="item_id",
            how="inner",
        )
        out.bodies.append(
            credited.assign(member_id="", subtype="", status="", marks="", merged_into="")
        )
    return merged


def _mark_information_adopted(records: pd.DataFrame) -> pd.DataFrame:
    adopted = set(
        records.loc[
            (records["kind"] == "adoption") & (records["type"] == "采用"), "item_id"
        ].tolist()
    )
    is_info = records["kind"] == "information"
    records.loc[is_info, "status"] = _choose(
        records.loc[is_info, "item_id"].isin(adopted).to_numpy(), INFO_ADOPTED, INFO_NOT_ADOPTED
    )
    return records


def _proposal_form(records: pd.DataFrame) -> pd.Series:
    """个人/联名 from the number of proposers where the 提案方式 cell is empty."""
    implied = _choose(records["n_authors"].to_numpy() > 1, "联名", "个人")
    return records["type"].where(records["type"] != "", implied)


def _check_proposal_form(table: RawTable, written: pd.Series, named: _Named, out: _Context) -> None:
    """提案方式 as written must fit the number of proposers: 个人 has one, 联名 more than one
    (the points differ, so a mismatch is an error). A 集体 proposal may name one member (the
    one who presents it for the group): it scores as written."""
    if "type" not in table.frame:
        return
    proposers = pd.Series(0, index=table.frame.index)
    first = named.position == 1
    proposers.loc[named.tokens.index[first]] = named.n_authors[first]
    checks = [
        (
            (written == "个人") & (proposers > 1),
            Severity.ERROR,
            "提案方式为“个人”，但提案人不止一位",
            "个人提案只写一位提案人；多人提出的请把提案方式改为“联名”",
        ),
        (
            (written == "联名") & (proposers == 1),
            Severity.ERROR,
            "提案方式为“联名”，但只写了一位提案人",
            "把附议人也写在提案人一格中（用顿号分隔），或把提案方式改为“个人”",
        ),
    ]
    for mask, severity, message, suggestion in checks:
        out.cells(
            table,
            "type",
            mask,
            Reason.BAD_VALUE,
            message,
            suggestion,
            severity=severity,
            values=written + "（提案人 " + proposers.astype(str) + " 位）",
        )


def _check_merged(table: RawTable, status: pd.Series, out: _Context) -> None:
    """并入案号 must name a proposal of the sheet; a 并案 proposal should give one."""
    f = table.frame
    if "merged_into" not in f:
        return
    target = f["merged_into"]
    unknown = (target != "") & ~target.isin(set(f["item_id"].tolist()))
    out.cells(
        table, "merged_into", unknown, Reason.UNKNOWN_REFERENCE, "并入的提案编号在“提案”表中不存在"
    )
    out.cells(
        table,
        "merged_into",
        (status == "并案") & (target == ""),
        Reason.MISSING_VALUE,
        "并案提案须填写并入案号",
        severity=Severity.WARNING,
    )


def _report_unresolved(
    table: RawTable,
    tokens: pd.Series,
    ambiguous: pd.Series,
    unknown: pd.Series,
    resolver: _MemberResolver,
    out: _Context,
    cells_of: Callable[[np.ndarray], list[str]],
) -> None:
    """An error per name that matches several members or none, at the cell the name is in."""
    for token, cell in zip(tokens[ambiguous].tolist(), cells_of(ambiguous.to_numpy())):
        name = strip_name_tag(pd.Series([token])).iloc[0]
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.AMBIGUOUS_MEMBER,
                "姓名对应多位委员",
                table.sheet_name,
                cell,
                token,
                resolver.candidates(name),
            )
        )
    for token, cell in zip(tokens[unknown].tolist(), cells_of(unknown.to_numpy())):
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.UNKNOWN_MEMBER,
                "委员名单中没有此人",
                table.sheet_name,
                cell,
                token,
                resolver.near_miss(token),
            )
        )


# --- records that would count twice, ids typed in another form -------------------------------

# Two records are the same when all of these agree (the register, the member, what and when).
_SAME_RECORD = ["kind", "member_id", "item_id", "title", "date", "type", "subtype", "level", "role"]
_WHAT = {
    "meeting": "会议",
    "activity": "活动",
    "duty": "项目",
    "adoption": "采用或批示",
    "proposal": "提案",
    "information": "信息",
    "report": "报告",
}


def _check_duplicates(records: pd.DataFrame, out: _Context, *, allow: bool) -> None:
    """A record entered twice counts twice: an error naming both cells, unless allowed.
    Proposals, information and reports with a number are left to the repeated-number check of
    their register."""
    numbered = records["kind"].isin(["proposal", "information", "report"]) & (
        records["item_id"] != ""
    )
    candidates = records[~numbered & (records["member_id"] != "")]
    repeated = candidates.duplicated(subset=_SAME_RECORD, keep=False)
    if not repeated.any():
        return
    same = candidates[repeated]
    first = same.groupby(_SAME_RECORD, sort=False, dropna=False)["source"].transform("first")
    later = same[same["source"] != first]
    pairs = sorted(
        set(zip(later["sheet"], later["row"], later["source"], first[later.index], later["kind"]))
    )
    for sheet, _row, source, original, kind in pairs:
        what = _WHAT.get(kind, "记录")
        if allow:
            out.problems.append(
                Problem(
                    Severity.WARNING,
                    Reason.DUPLICATE_RECORD,
                    f"与 {original} 相同（同一委员、同一{what}、同一日期），按 --allow-duplicates 两次都计分",
                    sheet,
                    source.split("!", 1)[1],
                )
            )
            continue
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.DUPLICATE_RECORD,
                f"与 {original} 是同一条记录（同一委员、同一{what}、同一日期），会重复计分",
                sheet,
                source.split("!", 1)[1],
                suggestion="删去重复的一行；确是两次不同的记录时，加 --allow-duplicates 照常计分",
            )
        )


def _check_id_forms(
    roster: RawTable, members: pd.DataFrame, records: pd.DataFrame, out: _Context
) -> None:
    """A roster whose ids are zero-padded numbers of one length (0001 … 0320) and one id that
    is a number of another length (13): the cell was a number and lost its zeros, so the id
    will not match other years. An error when the member has records, naming the likely id."""
    ids = members["member_id"]
    digits = ids.str.fullmatch(r"\d+").fillna(False).astype(bool)
    if digits.sum() < 2:
        return
    lengths = ids[digits].str.len()
    width = int(lengths.mode().max())
    if width < 2 or not ids[digits & (ids.str.len() == width)].str.startswith("0").any():
        return  # plain numbers (1, 2, … 300) are a scheme of their own
    odd = digits & (ids.str.len() != width) & ids.isin(set(records["member_id"].tolist()))
    example = ids[digits & (ids.str.len() == width)].iloc[0]
    for member_id, row in zip(ids[odd].tolist(), members.loc[odd, "roster_row"].tolist()):
        stripped = member_id.lstrip("0") or "0"
        likely = stripped.zfill(width) if len(stripped) <= width else ""
        hint = f"可能是“{likely}”：" if likely and likely not in set(ids) else ""
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.BAD_VALUE,
                f"委员编号“{member_id}”与名单中其他编号的格式不同（其他为 {width} 位数字，如 {example}）",
                roster.sheet_name,
                roster.cell("member_id", row),
                member_id,
                f"{hint}编号列是数字格式时前导零会丢失；请把编号列设为“文本”格式后重新填写",
            )
        )


# --- cell values ------------------------------------------------------------------------------


def _choice(table: RawTable, key: str, out: _Context) -> pd.Series:
    """Map a column's words to canonical ones through the vocabulary's aliases. A column the
    sheet does not declare is ''; an optional column the workbook lacks takes the default."""
    if not any(col.key == key for col in table.sheet.columns):
        return pd.Series("", index=table.frame.index)
    col: Column = table.sheet.column(key)
    vocab = out.vocabularies[col.vocabulary]
    if key not in table.frame:
        return pd.Series(vocab.default, index=table.frame.index)
    values = table.frame[key]
    mapped = _canonical(values, vocab)
    empty = values == ""
    if vocab.default:
        mapped = mapped.where(~empty, vocab.default)
    elif col.required:
        out.cells(
            table,
            key,
            empty,
            Reason.MISSING_VALUE,
            f"“{col.header}”不能为空",
            f"可填：{'、'.join(vocab.words)}",
        )
    unknown = mapped.isna() & ~empty
    if vocab.closed:
        out.cells(
            table,
            key,
            unknown,
            Reason.BAD_VALUE,
            f"“{col.header}”的值不认识",
            f"可填：{'、'.join(vocab.words)}（或在规则文件中添加别名）",
        )
        return mapped.fillna("")
    return mapped.fillna(values)


def _canonical(values: pd.Series, vocab: Vocabulary) -> pd.Series:
    """Cell words -> canonical words (NaN when unknown). Width, spaces, case and traditional
    characters are folded (請假 = 请假); the lookup runs once per distinct word."""
    folded = _folded_aliases(vocab)
    lookup = {value: folded.get(match_key(value)) for value in values.unique() if value}
    return values.map(lookup).astype(object)


_FOLDED: dict[tuple, dict[str, str]] = {}  # a vocabulary's words -> its folded spellings


def _folded_aliases(vocab: Vocabulary) -> dict[str, str]:
    """Each accepted spelling, folded as cells are (match_key) -> its canonical word. Made once
    per vocabulary: every register's word columns look words up in it."""
    key = tuple(vocab.words.items())
    if key not in _FOLDED:
        if len(_FOLDED) >= 64:  # an office's own vocabularies, run after run in one process
            _FOLDED.clear()
        _FOLDED[key] = {match_key(spelling): word for spelling, word in vocab.alias_map().items()}
    return _FOLDED[key]


def _marks(table: RawTable, out: _Context) -> pd.Series:
    """Several marks in one cell -> canonical marks joined by 、 (order of the vocabulary)."""
    vocab = out.vocabularies["proposal_mark"]
    marks = table.frame["marks"]
    tokens = split_names(
        marks[marks != ""]
    )  # most proposals have no mark: an empty cell has no token
    mapped = _canonical(tokens, vocab)
    bad = mapped.isna()
    rows = table.frame.loc[tokens.index, "row"]
    for token, row in zip(tokens[bad].tolist(), rows[bad].tolist()):
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.BAD_VALUE,
                "“标记”的值不认识",
                table.sheet_name,
                table.cell("marks", row),
                token,
                f"可填：{'、'.join(vocab.words)}",
            )
        )
    joined = pd.Series("", index=table.frame.index)
    for mark in vocab.words:  # a handful of canonical marks, in vocabulary order
        has = mapped.eq(mark).groupby(level=0).any().reindex(table.frame.index, fill_value=False)
        joined = joined.where(~has, joined + mark + "、")
    return joined.str.rstrip("、")


# Digits are ASCII: the cells' full-width digits are folded to them before, and no other
# script's digits make a date.
_FULL_DATE = (
    r"^(?P<y>[0-9]{4})\s*[年./\-]\s*(?P<m>[0-9]{1,2})\s*[月./\-]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:[ T].*)?$"
)
_YEARLESS_DATE = r"^(?P<m>[0-9]{1,2})\s*[月./\-]\s*(?P<d>[0-9]{1,2})\s*日?$"
_SERIAL = r"^[0-9]{1,5}(?:\.[0-9]+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class ParsedDates:
    """A date column parsed: ``dates`` (NaT where not a full date) and the month-day cells."""

    dates: pd.Series
    month: pd.Series  # month of a cell written without a year (5月24日), else NaN
    day: pd.Series

    @property
    def yearless(self) -> pd.Series:
        return self.month.notna() & self.dates.isna()

    def in_year(self, year: int) -> pd.Series:
        """The dates, with month-day cells placed in ``year``."""
        yearless = self.yearless
        if not yearless.any():
            return self.dates.astype("datetime64[ns]")
        month, day = self.month[yearless], self.day[yearless]  # only these cells change
        filled = pd.to_datetime({"year": year, "month": month, "day": day}, errors="coerce")
        return self.dates.where(~yearless, filled).astype("datetime64[ns]")


def parse_dates(text: pd.Series) -> ParsedDates:
    """Date cells as text -> :class:`ParsedDates`, vectorised.

    Accepts what calamine gives for date cells (2023-05-24 00:00:00), Excel serial numbers,
    and text: 2023-05-24, 2023/5/24, 2023.5.24, 2023年5月24日, and 5月24日 (no year).
    Each distinct text is parsed once (a year has 365 days; a register has many rows).
    """
    codes, distinct = pd.factorize(text, use_na_sentinel=False)
    if len(distinct) == len(text):
        return _parse_dates(text)
    parsed = _parse_dates(pd.Series(distinct))

    def spread(values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(codes), index=text.index, name=values.name)

    return ParsedDates(spread(parsed.dates), spread(parsed.month), spread(parsed.day))


def _parse_date_columns(columns: dict[str, pd.Series]) -> dict[str, ParsedDates]:
    """Several date columns parsed together (each distinct text once over all of them): the
    parse costs the same few vectorised steps whatever the number of columns."""
    if not columns:
        return {}
    whole = parse_dates(pd.concat(list(columns.values()), ignore_index=True))
    parsed: dict[str, ParsedDates] = {}
    start = 0
    for key, column in columns.items():
        rows = slice(start, start + len(column))
        parsed[key] = ParsedDates(
            *(
                pd.Series(values.array[rows], index=column.index, name=values.name)
                for values in (whole.dates, whole.month, whole.day)
            )
        )
        start = rows.stop
    return parsed


def _parse_dates(text: pd.Series) -> ParsedDates:
    full = text.str.extract(_FULL_DATE).astype(float)
    full.loc[~full["y"].between(1900, 2200), "y"] = float(
        "nan"
    )  # 3023 for 2023 is a bad date, not a crash
    dates = pd.to_datetime(
        {"year": full["y"], "month": full["m"], "day": full["d"]}, errors="coerce"
    )
    dates = pd.Series(dates, index=text.index).astype("datetime64[ns]")
    unread = dates.isna() & text.ne("")
    if not unread.any():  # every cell a full date or empty: no serial numbers, no month-days
        no_number = pd.Series(np.nan, index=text.index)
        return ParsedDates(dates, no_number, no_number.copy())
    serial = text.str.fullmatch(_SERIAL) & unread
    if serial.any():
        days = pd.to_numeric(text[serial]).round(0)
        dates[serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).where(days >= 1)
    month_day = text.str.extract(_YEARLESS_DATE).astype(float)
    return ParsedDates(
        dates, month_day["m"].where(dates.isna()), month_day["d"].where(dates.isna())
    )


def _dates(
    table: RawTable,
    key: str,
    out: _Context,
    *,
    year: int | None,
    required: bool,
    parsed: ParsedDates | None = None,
) -> pd.Series:
    """A date column checked: errors for empty (if required) or unreadable cells, warnings for
    month-day cells (placed in the assessment year)."""
    values = table.frame[key] if key in table.frame else pd.Series("", index=table.frame.index)
    parsed = parsed or parse_dates(values)
    empty = values == ""
    col = table.sheet.column(key)
    if required:
        out.cells(table, key, empty, Reason.MISSING_VALUE, f"“{col.header}”不能为空")
    yearless = parsed.yearless
    dates = parsed.in_year(year) if year is not None else parsed.dates
    example = year if year is not None else date.today().year  # hints in the clerk's year
    out.cells(
        table,
        key,
        dates.isna() & ~empty & ~(yearless & (year is None)),
        Reason.BAD_DATE,
        f"“{col.header}”不是可识别的日期",
        f"请填写日期，如 {example}-05-24 或 {example}年5月24日",
    )
    if year is not None:
        out.cells(
            table,
            key,
            yearless & dates.notna(),
            Reason.BAD_DATE,
            f"日期未写年份，按考核年度 {year} 年计",
            f"请写完整日期，如 {year}年5月24日",
            severity=Severity.WARNING,
        )
    return dates


def _infer_year(parsed: list[ParsedDates]) -> int | None:
    """The year most records are dated in (the smaller one on a tie); None if no date is readable."""
    years = pd.concat([p.dates.dt.year for p in parsed]) if parsed else pd.Series(dtype=float)
    years = years.dropna()
    return int(years.mode().min()) if not years.empty else None


def _drop_outside_year(
    records: pd.DataFrame,
    year: int,
    date_letters: dict[str, str],
    out: _Context,
    *,
    year_given: bool,
) -> pd.DataFrame:
    """Records dated in another year are not scored: a warning per register row, naming the
    date cell. When most rows are outside a year the user gave, the year is likely wrong: stop."""
    outside = records["date"].notna() & (records["date"].dt.year != year)
    if not outside.any():  # no warning, nothing dropped but the undated records
        keep = records["date"].notna()
        return records if keep.all() else records[keep]
    rows = ~records.duplicated(["sheet", "row"])
    first = outside & rows
    if year_given and first.sum() > 0.5 * rows.sum():
        years = records.loc[rows, "date"].dt.year.value_counts()
        out.problems.append(
            Problem(
                Severity.ERROR,
                Reason.OUTSIDE_YEAR,
                f"{rows.sum()} 条记录中有 {first.sum()} 条不在考核年度 {year} 年内，考核年度是否写错？",
                suggestion=f"记录最多的年份是 {int(years.index[0])} 年；请检查 --year 或规则文件中的 year",
            )
        )
        return records[~outside]
    for sheet, row, day in records.loc[first, ["sheet", "row", "date"]].itertuples(index=False):
        out.problems.append(
            Problem(
                Severity.WARNING,
                Reason.OUTSIDE_YEAR,
                f"日期不在考核年度 {year} 年内，未计分",
                sheet,
                f"{date_letters.get(sheet, '')}{row}",
                day.strftime("%Y-%m-%d"),
            )
        )
    keep = ~outside & records["date"].notna()
    return records if keep.all() else records[keep]


_ROW_OF_CELL = re.compile(r"^[A-Z]+(\d+)$")


def _bodies_without_bad_rows(
    frames: list[pd.DataFrame], problems: list[Problem], register_sheets: set[str]
) -> list[pd.DataFrame]:
    """The bodies' records less those of register rows that ``_skip_bad_rows`` leaves out (a
    row with an error other than an unreadable name)."""
    bad = {
        (p.sheet, int(found.group(1)))
        for p in problems
        if p.severity is Severity.ERROR
        and p.sheet in register_sheets
        and p.reason not in (Reason.UNKNOWN_MEMBER, Reason.AMBIGUOUS_MEMBER)
        and (found := _ROW_OF_CELL.match(p.cell)) is not None
    }
    if not bad:
        return frames
    kept = []
    for frame in frames:  # one frame per register
        keys = pd.MultiIndex.from_arrays([frame["sheet"], frame["row"].astype(int)])
        kept.append(frame[~keys.isin(list(bad))])
    return kept


def _skip_bad_rows(
    records: pd.DataFrame,
    problems: list[Problem],
    columns: dict[str, dict[str, str]],
    made: pd.DataFrame,
    names: dict[str, str],
) -> tuple[pd.DataFrame, list[Problem], pd.DataFrame]:
    """Leave out the smallest part that has an error, and say so for each member concerned.

    A name that matches no member (or several) is left out alone: its records were never made,
    and the other members of its row keep theirs. Any other error leaves out its register row;
    each member of the row gets a warning (shown by ``explain``), and a skipped meeting row
    says that its deduction is not counted. ``columns``: register sheet name -> column letter ->
    column key; ``names``: member ID -> name. Also returns the records left out, with the keys of their rows' faulty columns
    (``faults``; ``?`` for a fault at no column of the register)."""
    register_sheets = set(columns)
    bad: dict[tuple[str, int], list[Problem]] = {}
    kept: list[Problem] = []
    for p in problems:
        row = (
            _ROW_OF_CELL.match(p.cell)
            if p.severity is Severity.ERROR and p.sheet in register_sheets
            else None
        )
        if row is None:
            kept.append(p)
        elif p.reason in (Reason.UNKNOWN_MEMBER, Reason.AMBIGUOUS_MEMBER):
            kept.append(
                replace(
                    p,
                    severity=Severity.WARNING,
                    message=f"已跳过“{p.value}”（{p.message}）；同一行的其他委员照常计分",
                )
            )
        else:
            bad.setdefault((p.sheet, int(row.group(1))), []).append(p)
    if not bad:
        return records, kept, _no_skipped()

    def in_bad_rows(frame: pd.DataFrame) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([frame["sheet"], frame["row"].astype(int)])
        return keys.isin(list(bad))

    # ``made`` still holds the records of rows with a bad date; ``records`` no longer does
    concerned = made.loc[in_bad_rows(made), ["sheet", "row", "member_id", "kind", "source"]]
    named_rows = set()
    for sheet, row, member_id, kind, source in concerned.itertuples(index=False):
        named_rows.add((sheet, int(row)))
        causes = bad[(sheet, int(row))]
        why = "；".join(f"{c.place}：{c.message}" for c in causes)
        note = "；其中的请假、缺席等扣分也未计入，该委员得分可能偏高" if kind == "meeting" else ""
        kept.append(
            Problem(
                Severity.WARNING,
                causes[0].reason,
                f"已跳过此行（{why}），{names.get(member_id, '')}（{member_id}）在这一行的记录未计分{note}",
                sheet,
                source.split("!", 1)[1],
                causes[0].value,
                causes[0].suggestion,
                member_id=member_id,
            )
        )
    for place, causes in bad.items():
        if place not in named_rows:  # a row none of whose names could be read
            kept.extend(
                replace(c, severity=Severity.WARNING, message=f"已跳过此行（{c.message}）")
                for c in causes
            )
    skipped = made[in_bad_rows(made)][RECORD_COLUMNS].reset_index(drop=True)
    faults = {
        place: ",".join(
            sorted({columns[place[0]].get(c.cell.rstrip("0123456789"), "?") for c in causes})
        )
        for place, causes in bad.items()
    }
    skipped["faults"] = [
        faults[(sheet, int(row))] for sheet, row in zip(skipped["sheet"], skipped["row"])
    ]
    return records[~in_bad_rows(records)], kept, skipped


def _no_skipped() -> pd.DataFrame:
    return _no_records().assign(faults=pd.Series(dtype=object))


def _one_problem_per_flagged_cell(problems: list[Problem]) -> list[Problem]:
    """An Excel error value or an uncomputed formula is the real fault of its cell: the
    "cannot be empty" error the same cell also raised goes, and the formula note becomes an error."""
    flagged = {
        p.place for p in problems if p.reason in (Reason.EXCEL_ERROR, Reason.UNCOMPUTED_FORMULA)
    }
    empty_errors = {
        p.place
        for p in problems
        if p.place in flagged and p.reason is Reason.MISSING_VALUE and p.severity is Severity.ERROR
    }
    if not empty_errors:
        return problems
    kept = []
    for p in problems:
        if p.place in empty_errors and p.reason is Reason.MISSING_VALUE:
            continue
        if p.place in empty_errors and p.reason is Reason.UNCOMPUTED_FORMULA:
            p = replace(
                p,
                severity=Severity.ERROR,
                message=p.message.replace("，按空白处理", "，此格为必填"),
            )
        kept.append(p)
    return kept
