"""The library API: what each CLI command calls. Anything the CLI does, a Python caller can do.

>>> import perfscore
>>> result = perfscore.assess("samples/2023.xlsx")             # doctest: +SKIP
>>> result.members[["name", "total", "grade", "rank"]].head()   # doctest: +SKIP
>>> perfscore.write_outputs(result, "2023-考核结果.xlsx")          # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .assessment import Assessment, RegisterRead, SkippedPoints, assess_scores
from .awards import shortlists
from .errors import DataError, Problem, Reason, Severity, UsageError, in_reading_order
from .history import read_history
from .quarterly import Period, ProgressReport, assess_progress, resolve_period
from .reading import read_workbook
from .records import RECORD_COLUMNS, normalise
from .rules import LoadedRules, load_rules
from .rules.schema import MATCH_FIELDS
from .scoring import score
from .scoring.registers import scored_registers, with_absent_registers
from .scoring.words import known_words, unlisted_word_problems, unscored_award_problems
from .text import number_text
from .unit import UNIT_FROM_FILE_NAME, UNIT_FROM_WORKBOOK
from .years import check_year

if TYPE_CHECKING:
    from .combine import UnitResult

__all__ = [
    "assess",
    "check",
    "report",
    "CheckReport",
    "written_files",
    "default_output_path",
    "write_outputs",
    "select_shortlists",
    "write_shortlists",
    "write_notice",
    "write_rules_document",
    "write_public",
    "default_public_path",
    "OUTPUT_SUFFIXES",
    "archive_assessment",
    "combine",
    "write_combined",
]

OUTPUT_SUFFIXES = (".xlsx", ".json")
ASSESSMENT_SUFFIXES = (*OUTPUT_SUFFIXES, ".csv")  # the assessment also as a flat ranking
StageCallback = Callable[[str], None]  # called with a stage's name as the stage starts


def assess(
    workbook: str | Path,
    rules: str | Path | LoadedRules | None = None,
    *,
    year: int | None = None,
    previous: Sequence[str | Path] | None = None,
    as_of: date | None = None,
    skip_bad_rows: bool = False,
    allow_duplicates: bool = False,
    allow_missing_sheets: bool = False,
    on_stage: StageCallback | None = None,
    archive: str | Path | None = None,
    unit: str | None = None,
    consequences: bool = True,
) -> Assessment:
    """Score one workbook: read -> normalise -> score -> assess -> award shortlists.

    ``rules`` is a rules file (the shipped default when None) or rules already loaded.
    ``previous`` lists earlier years' result files (.json or .xlsx), used by ``consequences``.
    ``archive`` is the term's archive (履职档案, read only here; see :func:`archive_assessment`):
    ``consequences`` read the earlier years of ``unit`` from it (None: the unit the workbook
    names, '' when it names none; see :func:`perfscore.archive.add_year`), and the term-level
    ones need it.
    ``consequences=False`` skips the rules' consequences (the 处理提示 column stays empty): for
    callers that do not show them.
    ``skip_bad_rows`` leaves out the names or register rows with errors (each listed as a
    warning) instead of stopping; ``allow_duplicates`` counts identical records each time
    instead of stopping; ``allow_missing_sheets`` scores a workbook that lacks a register the
    rules score (its items give everyone 0; a warning says so) instead of stopping, as the
    rules' ``input.optional_sheets`` does for the registers it lists.
    ``as_of`` scores only the records dated on or before that day (points to date).
    ``on_stage`` is called with each stage's name as it starts: 读取, 整理, 计分, 排名 (ranking
    and the award shortlists; a stage ends when the next starts, the last when this returns). Raises DataError (the workbook has
    errors) or UsageError (bad file or rules); the input file is only read.
    """
    step = on_stage or (lambda _stage: None)
    if previous and archive is not None:
        raise UsageError("--previous 与 --archive 只用一个：有履职档案时，往年结果从档案中读取")
    check_year(year)
    if as_of is not None:
        check_year(as_of.year, "截止日期的年份")
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(rules)
    history = read_history(list(previous or []))
    input_format = loaded.rules.input_format()
    step("读取")
    raw = with_absent_registers(
        read_workbook(workbook, input_format), loaded, allow=allow_missing_sheets
    )
    step("整理")
    records = normalise(
        raw,
        year=year or loaded.rules.year,
        vocabularies=input_format.vocabularies,
        skip_bad_rows=skip_bad_rows,
        allow_duplicates=allow_duplicates,
        bodies=loaded.rules.body_names(),
    )
    if as_of is not None:
        records = records.up_to(as_of)
    if archive is not None:
        from .archive.terms import archive_history

        history = archive_history(
            archive, loaded.rules, records.year, raw.unit if unit is None else unit
        )
    step("计分")
    scoring = score(records, loaded.rules)
    scoring = _with_points_not_counted(scoring, records, loaded)
    records, skipped_points = _with_points_skipped(records, loaded, scoring.ledger)
    letters = {table.sheet_name: table.letters for table in raw.tables.values()}
    unlisted = unlisted_word_problems(
        scoring.records, loaded.rules, letters, known_words(input_format)
    )
    if unlisted and not skip_bad_rows:
        raise DataError(
            f"{Path(workbook).name} 有 {len(unlisted)} 处错误，未计分",
            [*records.problems, *unlisted],
        )
    step("排名")
    assessment = assess_scores(
        records,
        scoring,
        loaded,
        source_name=Path(workbook).name,
        history=history,
        consequences=consequences,
    )
    lists = shortlists(
        loaded.rules, assessment.members, assessment.ledger, scoring.written, records.members
    )
    skipped = [replace(p, severity=Severity.WARNING) for p in unlisted]  # --skip-bad-rows
    unscored = unscored_award_problems(lists, scoring.written, scoring.records)
    scored = scored_registers(loaded.rules)
    registers = tuple(
        RegisterRead(sheet.name, raw.tables[sheet.key].sheet_name, len(raw.tables[sheet.key].frame))
        if sheet.key in raw.tables
        else RegisterRead(
            sheet.name,
            scored=sheet.key in scored,
            optional=sheet.key in loaded.rules.input.optional_sheets,
        )
        for sheet in input_format.sheets
    )
    return replace(
        assessment,
        shortlists=lists,
        problems=[*assessment.problems, *skipped, *unscored],
        registers=registers,
        skipped=skipped_points,
        **cast(dict[str, Any], unit_of(raw.unit, workbook)),
    )


def _with_points_not_counted(scoring: Any, records: Any, loaded: LoadedRules) -> Any:
    """Each record left out for being outside its member's term says how many points it would
    have had: those records alone are scored once more with the term policy set to count them,
    and the lines of each one's cell and member are added up (alone, as caps and count limits
    would treat them without the member's other records)."""
    outside = [
        p for p in scoring.problems if p.reason is Reason.OUTSIDE_TERM and p.member_id and p.cell
    ]
    if not outside or loaded.rules.settings.outside_term != "skip":
        return scoring
    rules = loaded.rules
    counting = rules.model_copy(
        update={"settings": rules.settings.model_copy(update={"outside_term": "count"})}
    )
    left_out = {(p.member_id, f"{p.sheet}!{p.cell}") for p in outside}
    frame = records.records
    keys = pd.MultiIndex.from_arrays([frame["member_id"], frame["source"]])
    points = _points_alone(records, frame[keys.isin(list(left_out))], counting)
    decimals = rules.settings.decimals

    def noted(problem: Problem) -> Problem:
        value = points.get((problem.member_id, f"{problem.sheet}!{problem.cell}"))
        shown = number_text(round(float(value or 0), decimals))
        return replace(problem, message=f"{problem.message}（若计入：{shown} 分）")

    return replace(scoring, problems=[noted(p) if p in outside else p for p in scoring.problems])


def _points_alone(records: Any, frame: pd.DataFrame, rules: Any) -> pd.Series:
    """The points of the records in ``frame`` scored by themselves (as caps and count limits treat
    them without their members' other records), summed by (member_id, source cell)."""
    alone = replace(records, records=frame.reset_index(drop=True))
    return score(alone, rules).ledger.groupby(["member_id", "source"])["points"].sum()


def _fields_read(rules: Any) -> dict[str, set[str]]:
    """Record kind -> the fields (register columns) whose words decide the points of the
    category items that score that kind; ``date`` when an item counts per month or quarter."""

    def of(condition: Any) -> set[str]:
        if condition is None:
            return set()
        return {f for f in MATCH_FIELDS if getattr(condition, f) is not None} | of(condition.unless)

    read: dict[str, set[str]] = {}
    for category in rules.categories:
        for item in category.items:
            fields = of(item.match) | set(item.points_by or {})
            for case in item.cases or []:
                fields |= of(case.when)
            if item.per_period is not None:
                fields.add("date")
            read.setdefault(item.match.kind, set()).update(fields)
    return read


def _with_points_skipped(
    records: Any, loaded: LoadedRules, ledger: pd.DataFrame
) -> tuple[Any, tuple[SkippedPoints, ...]]:
    """Each item ``--skip-bad-rows`` left out says how many points it would have had, where that
    can be known, and each member's total says how much those items would have changed it
    (:class:`SkippedPoints`).

    An item's points can be known when its faulty cells are none the rules read for its kind: a
    meeting row skipped for a bad date deducts what the rule gives its status (its date taken as
    inside the member's term). A faulty word the rules read (the status itself), a faulty name
    cell, or a name that matches no member: the points cannot be known, and the message says so
    (无法计算). Each knowable item is scored alone for its own message; the members' changes come
    from scoring every record with the knowable items added back and comparing each member's sum
    of ledger lines with ``ledger``'s, so caps, count limits and a checklist completed by a skipped
    item are in them."""
    skipped = records.skipped
    unknown_names = [
        p
        for p in records.problems
        if p.severity is Severity.WARNING
        and p.reason in (Reason.UNKNOWN_MEMBER, Reason.AMBIGUOUS_MEMBER)
        and p.message.startswith("已跳过“")
    ]
    if skipped.empty and not unknown_names:
        return records, ()
    read = _fields_read(loaded.rules)
    kinds = skipped["kind"] + "|" + skipped["faults"]
    knowable_kind = {
        key: not ({"members", "?"} | read.get(key.split("|")[0], set()))
        & set(key.split("|")[1].split(","))
        for key in kinds.unique()
    }
    knowable = kinds.map(knowable_kind).to_numpy(dtype=bool)
    decimals = loaded.rules.settings.decimals
    values = np.full(len(skipped), np.nan)  # the points of each skipped record, NaN: unknown
    if knowable.any():
        frame = skipped.loc[knowable, RECORD_COLUMNS].reset_index(drop=True)
        undated = frame["date"].isna()
        if undated.any():  # a bad date: taken as inside the member's term, in the year
            first = pd.Timestamp(records.year, 1, 1)
            starts = frame["member_id"].map(records.members.set_index("member_id")["term_start"])
            frame.loc[undated, "date"] = starts[undated].where(starts[undated] > first, first)
        points = _points_alone(records, frame, loaded.rules)
        keys = pd.MultiIndex.from_arrays([skipped["member_id"], skipped["source"]])
        looked = points.reindex(keys).fillna(0.0).to_numpy()
        values[knowable] = np.round(looked[knowable], decimals)
        every = pd.concat([records.records, frame], ignore_index=True)
        added = score(replace(records, records=every), loaded.rules).ledger
        changes = (
            added.groupby("member_id")["points"]
            .sum()
            .sub(ledger.groupby("member_id")["points"].sum(), fill_value=0.0)
        )
    else:
        changes = pd.Series(dtype=float)
    by_record = dict(zip(zip(skipped["member_id"], skipped["source"]), values.tolist()))
    unknown = set(unknown_names)

    def noted(problem: Problem) -> Problem:
        if problem.severity is not Severity.WARNING:
            return problem
        value = by_record.get((problem.member_id, f"{problem.sheet}!{problem.cell}"))
        if problem.member_id and value is not None:
            shown = (
                "若计入：无法计算，出错的单元格决定它得多少分"
                if math.isnan(value)
                else f"若单独计入：{number_text(value)} 分"
            )
            return replace(problem, message=f"{problem.message}（{shown}）")
        if problem in unknown:
            return replace(
                problem, message=f"{problem.message}（若计入：无法计算，不知道是哪位委员）"
            )
        return problem

    roster = records.members["member_id"]
    order = pd.Categorical(
        skipped["member_id"], categories=roster[roster.isin(skipped["member_id"])]
    )
    per_member = pd.DataFrame({"member_id": order, "value": values}).groupby(
        "member_id", observed=True
    )["value"]  # in roster order
    names = records.members.set_index("member_id")["name"]
    totals = [
        SkippedPoints(
            member_id,
            str(names.get(member_id, "")),
            int(items),
            round(float(changes.get(member_id, 0.0)), decimals) if counted else 0.0,
            int(items - counted),
        )
        for member_id, items, counted in zip(
            per_member.size().index, per_member.size(), per_member.count()
        )
    ]
    if unknown_names:
        totals.append(SkippedPoints("", "", len(unknown_names), 0.0, len(unknown_names)))
    return replace(records, problems=[noted(p) for p in records.problems]), tuple(totals)


def unit_of(named: str, workbook: str | Path) -> dict[str, str]:
    """The unit an assessment is of: the one the workbook names, else the workbook's file name
    (its stem; a folder of CSV files: the folder's name)."""
    if named:
        return {"unit": named, "unit_from": UNIT_FROM_WORKBOOK}
    return {"unit": Path(workbook).stem, "unit_from": UNIT_FROM_FILE_NAME}


def report(
    workbook: str | Path,
    period: Period | None = None,
    *,
    rules: str | Path | LoadedRules | None = None,
    out_dir: str | Path | None = None,
    today: date | None = None,
    on_stage: StageCallback | None = None,
    allow_missing_sheets: bool = False,
) -> tuple[ProgressReport, list[Path]]:
    """``perfscore report``: compute the quarterly report for ``period`` (the last complete
    quarter before ``today`` when None) and write it into ``out_dir`` (beside the workbook when
    None) as ``<period>-<report name>.xlsx`` and ``.md``, each replaced atomically. Returns the
    report and the absolute paths written. ``on_stage`` and ``allow_missing_sheets`` are as for
    :func:`perfscore.quarterly.assess_progress`, then 写出通报."""
    from .writers.quarterly import report_paths, write_progress

    step = on_stage or (lambda _stage: None)
    period = period or resolve_period(today=today)
    folder = (Path(out_dir) if out_dir is not None else Path(workbook).parent).absolute()
    if not folder.is_dir():  # before the long part: a cron job with a wrong path fails at once
        raise UsageError(f"输出目录不存在：{folder}")
    result = assess_progress(
        workbook, period, rules, on_stage=on_stage, allow_missing_sheets=allow_missing_sheets
    )
    if any(path.resolve() == Path(workbook).resolve() for path in report_paths(result, folder)):
        raise UsageError(f"输出文件不能与输入文件相同：{workbook}")
    step("写出通报")
    return result, write_progress(result, folder)


def archive_assessment(
    assessment: Assessment,
    archive: str | Path,
    *,
    workbook: str | Path | None = None,
    unit: str | None = None,
    replace_year: bool = False,
    on_stage: StageCallback | None = None,
    verify: bool = True,
) -> Any:
    """Store the assessed year in the archive (created if missing), in one transaction; see
    :func:`perfscore.archive.add_year`. ``workbook`` is the input file, for its SHA-256;
    ``unit`` None stores the year under the unit the workbook names ('' when it names none);
    ``replace_year`` replaces a year already there (``--replace``).
    ``verify=False`` skips the whole-file quick_check, for a caller that has just read the
    archive through :func:`assess` (which checked the tables it read).
    ``on_stage`` is called with 写入档案 as this starts."""
    from .archive import add_year, from_assessment

    if on_stage is not None:
        on_stage("写入档案")
    return add_year(
        archive,
        from_assessment(assessment, workbook),
        unit=unit,
        replace=replace_year,
        verify=verify,
    )


@dataclass(frozen=True)
class CheckReport:
    """Every problem a workbook has under some rules: what ``perfscore check`` prints."""

    workbook: str
    problems: list[Problem]
    # with skip_bad_rows and no error left: per member, what assess --skip-bad-rows would skip
    skipped: tuple[SkippedPoints, ...] = ()
    decimals: int = 2  # the rules' decimals, for the points in ``skipped``

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def check(
    workbook: str | Path,
    rules: str | Path | LoadedRules | None = None,
    *,
    year: int | None = None,
    allow_duplicates: bool = False,
    allow_missing_sheets: bool = False,
    skip_bad_rows: bool = False,
    on_stage: StageCallback | None = None,
) -> CheckReport:
    """Read, normalise and score ``workbook`` without writing anything; report every problem,
    in reading order (:func:`perfscore.errors.in_reading_order`).

    A workbook with errors is also scored without the rows that have them, so the warnings of
    the later stages (records outside a member's term, say) come in the same report instead of
    after every error is fixed. With ``skip_bad_rows``, the report is what ``assess`` with it
    would say: each skipped part as a warning with its points, and per member what was skipped
    (``CheckReport.skipped``). ``on_stage`` is as for :func:`assess`. Raises UsageError only
    when the file or the rules cannot be read at all."""
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(rules)
    skipped: tuple[SkippedPoints, ...] = ()
    try:
        assessment = (
            assess(  # consequences are not the workbook's problems (term ones need an archive)
                workbook,
                loaded,
                year=year,
                allow_duplicates=allow_duplicates,
                allow_missing_sheets=allow_missing_sheets,
                skip_bad_rows=skip_bad_rows,
                on_stage=on_stage,
                consequences=False,
            )
        )
        problems, skipped = assessment.problems, assessment.skipped
    except DataError as exc:
        past = _warnings_past_errors(workbook, loaded, year, allow_duplicates, exc.problems)
        # a skipped part is reported again past the errors, with its points: that one is kept
        again = {(p.place, p.reason) for p in past}
        problems = [
            *(
                p
                for p in exc.problems
                if p.severity is Severity.ERROR or (p.place, p.reason) not in again
            ),
            *past,
        ]
    return CheckReport(
        workbook=str(workbook),
        problems=in_reading_order(problems),
        skipped=skipped,
        decimals=loaded.rules.settings.decimals,
    )


def _warnings_past_errors(
    workbook: str | Path,
    loaded: LoadedRules,
    year: int | None,
    allow_duplicates: bool,
    found: list[Problem],
) -> list[Problem]:
    """The warnings scoring gives once the rows with errors are left out: the ones about other
    rows than those, and not already in ``found``."""
    try:
        rest = assess(
            workbook,
            loaded,
            year=year,
            skip_bad_rows=True,
            allow_duplicates=allow_duplicates,
            allow_missing_sheets=True,  # reported in ``found`` when not allowed
            consequences=False,
        ).problems
    except DataError:  # errors no row can be skipped for (roster, sheets, columns)
        return []
    rows_with_errors = {(p.sheet, _row_of(p.cell)) for p in found if p.severity is Severity.ERROR}
    seen = set(found)
    return [
        p
        for p in rest
        if p.severity is Severity.WARNING
        and (p.sheet, _row_of(p.cell)) not in rows_with_errors
        and p not in seen
    ]


def _row_of(cell: str) -> str:
    return cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def default_output_path(workbook: str | Path, *, masked: bool = False) -> Path:
    """``2023.xlsx`` -> ``2023-考核结果.xlsx`` beside it (``2023-考核结果-公示.xlsx`` when masked,
    so the masked copy never replaces the office's own)."""
    path = Path(workbook)
    return path.with_name(f"{path.stem}-考核结果{'-公示' if masked else ''}.xlsx")


def write_outputs(
    assessment: Assessment,
    out: str | Path,
    *,
    source: str | Path | None = None,
    on_stage: StageCallback | None = None,
) -> Path:
    """Write the assessment to ``out`` (.xlsx, .json, or .csv for the flat ranking), atomically.
    Refuses to overwrite ``source``. To publish, mask first: ``perfscore.privacy.mask_assessment``.
    ``on_stage`` is called with 写出结果 as this starts."""
    if on_stage is not None:
        on_stage("写出结果")
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in ASSESSMENT_SUFFIXES:
        raise UsageError(f"不支持的输出格式“{out.suffix}”：请使用 {'、'.join(ASSESSMENT_SUFFIXES)}")
    if source is not None and out.resolve() == Path(source).resolve():
        raise UsageError(f"输出文件不能与输入文件相同：{out}")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")
    if suffix == ".json":
        from .writers.json import write_json

        write_json(assessment, out)
    elif suffix == ".csv":
        from .writers.csv import write_csv

        write_csv(assessment, out)
    else:
        from .writers.xlsx import write_xlsx

        write_xlsx(assessment, out)
    return out


def written_files(assessment: Assessment, out: str | Path) -> list[Path]:
    """Every file ``write_outputs(assessment, out)`` writes: the output, and for a workbook whose
    ledger is too long for it, the CSV files beside it that hold the ledger."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        return [out]
    from .writers.xlsx import LEDGER_SHEET_LINES, ledger_csv_paths

    extra = (
        ledger_csv_paths(out, len(assessment.ledger))
        if len(assessment.ledger) > LEDGER_SHEET_LINES
        else []
    )
    return [out, *extra]


def select_shortlists(assessment: Assessment, awards: list[str] | None = None) -> list:
    """The assessment's shortlists, or those whose id or name is in ``awards``."""
    lists = assessment.shortlists
    if not lists:
        raise UsageError(
            f"规则文件 {Path(assessment.rules.path).name} 没有定义评选（awards），无法生成评优名单"
        )
    if not awards:
        return lists
    known = {key: sl for sl in lists for key in (sl.award.id, sl.award.name)}
    unknown = [name for name in awards if name not in known]
    if unknown:
        choices = "、".join(f"{sl.award.name}（{sl.award.id}）" for sl in lists)
        raise UsageError(f"规则中没有评选“{'、'.join(unknown)}”；可选：{choices}")
    wanted = {known[name].award.id for name in awards}
    return [sl for sl in lists if sl.award.id in wanted]  # in the rules' order, each once


def _check_target(out: Path, suffixes: tuple[str, ...], source: str | Path | None) -> None:
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"不支持的输出格式“{out.suffix}”：请使用 {'、'.join(suffixes)}")
    if source is not None and out.resolve() == Path(source).resolve():
        raise UsageError(f"输出文件不能与输入文件相同：{out}")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")


def write_shortlists(
    assessment: Assessment,
    lists: list,
    out: str | Path,
    *,
    source: str | Path | None = None,
    on_stage: StageCallback | None = None,
) -> Path:
    """Write shortlists alone: .xlsx (one sheet per award, 评优说明, 评优名额平衡), .json, or
    .docx (the award 公示 with names in full, :func:`perfscore.writers.documents.write_award_notice`).
    ``on_stage`` is called with 写出名单 as this starts."""
    if on_stage is not None:
        on_stage("写出名单")
    out = Path(out)
    _check_target(out, (*OUTPUT_SUFFIXES, ".docx"), source)
    if out.suffix.lower() == ".docx":
        from .writers.documents import write_award_notice

        write_award_notice(assessment, lists, out)
    elif out.suffix.lower() == ".json":
        from .writers.json import write_shortlists_json

        write_shortlists_json(assessment, lists, out)
    else:
        from .writers.common import shortlist_sheets
        from .writers.xlsx import write_tables

        write_tables(
            out,
            shortlist_sheets(lists),
            title=f"{assessment.year}年度评优建议名单",
            decimals=assessment.rules.rules.settings.decimals,
        )
    return out


def write_notice(
    assessment: Assessment, out: str | Path, *, source: str | Path | None = None
) -> Path:
    """The annual 考核情况通报 (.docx) of ``assessment``: grade counts, group summaries, the
    members of the listed grades by name and the consequences (``perfscore notice``)."""
    from .writers.documents import write_annual_notice

    out = Path(out)
    _check_target(out, (".docx",), source)
    return write_annual_notice(assessment, out)


def write_rules_document(rules: str | Path | LoadedRules | None, out: str | Path) -> Path:
    """The scheme as a printable 办法 (.docx, 公文 layout) or Markdown (.md): ``rules show --out``."""
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(rules)
    out = Path(out)
    _check_target(out, (".docx", ".md"), loaded.path)
    if out.suffix.lower() == ".md":
        from .rules.summary import summarise, summary_markdown
        from .writers.markdown import write_markdown

        write_markdown(summary_markdown(summarise(loaded.rules)), out)
        return out
    from .writers.documents import write_rules_document as write_docx

    return write_docx(loaded, out)


def default_public_path(workbook: str | Path) -> Path:
    """``2023.xlsx`` -> ``2023-考核结果-公开版.xlsx`` beside it."""
    path = Path(workbook)
    return path.with_name(f"{path.stem}-考核结果-公开版.xlsx")


def write_public(
    assessment: Assessment,
    out: str | Path,
    *,
    mode: str = "name",
    columns: tuple[str, ...] | list[str] = (),
    source: str | Path | None = None,
) -> Path:
    """The public version (公开版) of an assessment: 名次, the masked name (张**, or the member's
    ID when ``mode`` is "id"), 等次, and the ``columns`` asked for (headers from
    :data:`perfscore.writers.public.PUBLIC_COLUMNS`)
    — no ledger, no internal sheet, no ID, no source file name. .xlsx (one sheet) or .csv.
    ``assessment`` may be masked already or not: the names are masked here."""
    from .writers.public import write_public_ranking

    out = Path(out)
    _check_target(out, (".xlsx", ".csv"), source)
    return write_public_ranking(assessment, out, mode=mode, columns=tuple(columns))


def combine(
    results: Sequence[str | Path] | Sequence[UnitResult],
    *,
    year: int | None = None,
    allow_mixed_rules: bool = False,
    workers: int | None = None,
) -> Any:
    """Compare units: ``results`` are ``assess`` results (.xlsx or .json), folders of them, or
    term archives (every unit an archive holds for ``year``, which an archive of several years
    needs). Returns a :class:`perfscore.combine.Combined`; raises UsageError for results of
    different years, of one unit twice, or (unless ``allow_mixed_rules``) scored under different
    rules. ``results`` may instead be units already in memory (``BatchItem.unit`` of a folder
    run with ``keep_units``), compared as they are."""
    from .combine import UnitResult, compare_units
    from .combine import combine as run_combine

    units = [r for r in results if isinstance(r, UnitResult)]
    if units:
        if len(units) != len(results):
            raise TypeError("combine takes result paths or units in memory, not both")
        return compare_units(units, year=year, allow_mixed_rules=allow_mixed_rules)
    paths = [r for r in results if not isinstance(r, UnitResult)]
    return run_combine(paths, year=year, allow_mixed_rules=allow_mixed_rules, workers=workers)


def write_combined(
    combined: Any, out: str | Path, *, on_stage: StageCallback | None = None
) -> Path:
    """Write the comparison to ``out`` (.xlsx or .json), atomically."""
    if on_stage is not None:
        on_stage("写出结果")
    out = Path(out)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"不支持的输出格式“{out.suffix}”：请使用 {'、'.join(OUTPUT_SUFFIXES)}")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")
    if any(out.resolve() == u.path.resolve() for u in combined.units):
        raise UsageError(f"输出文件不能与输入的考核结果相同：{out}")
    if out.suffix.lower() == ".json":
        from .writers.combined import write_combined_json

        write_combined_json(combined, out)
    else:
        from .writers.combined import write_combined_xlsx

        write_combined_xlsx(combined, out)
    return out
