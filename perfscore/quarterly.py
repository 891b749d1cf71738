"""The quarterly report (季度/月度履职进度通报): members' progress during the year — points to
date, checklist pace, who to remind.

A progress report scores the records dated up to the end of a period with the same rules as
the annual assessment (so the Q4 report's points are the year's totals), and compares each
member with the end of the previous period of the same length.

* :class:`Period` — a quarter (``2023Q2``), a month (``2023-05``) or the quarter up to a day
  (``--as-of 2023-06-15``); :func:`parse_quarter`, :func:`parse_month`, :func:`parse_day`,
  :func:`resolve_period` and :func:`last_complete_quarter` (``today`` is injectable for tests).
* :func:`assess_progress` — workbook -> :class:`ProgressReport` (plain DataFrames).

Its files are laid out by :mod:`perfscore.writers.quarterly`; :func:`perfscore.report` (what
``perfscore report`` calls) computes the report and writes them.

The on-pace rule (docs/scoring.md §8; in Chinese in docs/cron.md): a member in office is on pace when the checklist
items done by the period end are at least ``floor(items × share)``, where ``share`` is the part
of the member's months in office this year that has elapsed by the period end (months count
fractionally by day: 30 June is 6/12 of a full year; a member who joined on 1 May is 2/8 of the
way through their year on 30 June). A member whose term starts after the period end (未到任) or
ended before it (已离任) is not judged and never listed for a reminder.

``ProgressReport.members`` columns (one row per roster member, by 界别 then member_id):
member_id, name, sector, committee, study_group, work_group, standing, term_start, term_end,
the roster columns the rules declare (``input.roster_columns``), status (``in_office``/``not_started``/``left``), points, points_previous, points_change (NaN
without a previous period), rank (by points to date, 1, 2, 2, 4), checklist_total,
checklist_done, checklist_done_previous, checklist_change (<NA> without a previous period),
checklist_expected, checklist_missing, share (of the member's year elapsed, 0–1), pace
(``on_pace``/``behind``, '' when not judged), period_records (activity records in the period),
no_activity (in office and no activity record in the period), reminder (behind or no_activity).

``ProgressReport.groups`` columns (members in office only; by dimension, furthest behind first):
dimension, group, members, points_mean, change_mean, checklist_mean, on_pace, behind,
behind_share, no_activity, reminders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .assessment import Assessment, assess_scores, dimension_cells, group_dimensions
from .errors import Problem, Severity, UsageError
from .layout import MEMBER_DETAILS
from .reading import read_workbook
from .records import Records, normalise
from .rules import LoadedRules, load_rules
from .scoring import round_points, score
from .scoring.registers import with_absent_registers
from .text import NAME_SEPARATORS
from .years import FIRST_YEAR, LAST_YEAR

__all__ = [
    "Period",
    "ProgressReport",
    "ProgressCounts",
    "parse_quarter",
    "parse_month",
    "parse_day",
    "resolve_period",
    "last_complete_quarter",
    "assess_progress",
    "NOT_ATTENDED",
]

PeriodKind = Literal["quarter", "month", "as_of"]
StageCallback = Callable[[str], None]  # called with a stage's name as the stage starts

# Meeting records that are not activity: the member did not attend.
NOT_ATTENDED = ("请假", "请假未批准", "缺席")
_QUARTER_NAMES = "一二三四"
_SHARE_EPSILON = 1e-9  # floor(10 × 6/12) must be 5 even with float noise


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period within one year: ``start`` and ``end`` are both included."""

    kind: PeriodKind
    start: date
    end: date
    # The end of the whole quarter or month when the period stops early at ``end`` because it
    # has not finished yet (a report on 5 December for the fourth quarter); None otherwise.
    full_end: date | None = None

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first_month = 3 * (number - 1) + 1
        return cls("quarter", date(year, first_month, 1), _month_end(year, first_month + 2))

    @classmethod
    def month(cls, year: int, number: int) -> Period:
        return cls("month", date(year, number, 1), _month_end(year, number))

    @classmethod
    def as_of(cls, day: date) -> Period:
        """The quarter containing ``day``, up to ``day``."""
        return cls("as_of", Period.quarter(day.year, _quarter_of(day)).start, day)

    def cut_at(self, day: date) -> Period:
        """This period up to ``day`` (a day inside it), still named as the whole period."""
        return Period(self.kind, self.start, day, full_end=self.full_end or self.end)

    @property
    def unfinished(self) -> bool:
        return self.full_end is not None

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def label(self) -> str:
        """The short name used in file names: 2023Q2, 2023-05, 2023-06-15."""
        if self.kind == "quarter":
            return f"{self.year}Q{_quarter_of(self.end)}"
        if self.kind == "month":
            return f"{self.end:%Y-%m}"
        return f"{self.end:%Y-%m-%d}"

    @property
    def title(self) -> str:
        """2023年第二季度, 2023年5月, 截至2023年6月15日."""
        cut = f"（截至{self.end.month}月{self.end.day}日）" if self.unfinished else ""
        if self.kind == "quarter":
            return f"{self.year}年第{_QUARTER_NAMES[_quarter_of(self.end) - 1]}季度{cut}"
        if self.kind == "month":
            return f"{self.year}年{self.end.month}月{cut}"
        return f"截至{self.year}年{self.end.month}月{self.end.day}日"

    @property
    def noun(self) -> str:
        """How the text refers to the period: 本季度, 本月, 本期."""
        return {"quarter": "本季度", "month": "本月", "as_of": "本期"}[self.kind]

    @property
    def report_name(self) -> str:
        return {"quarter": "季度履职通报", "month": "月度履职通报", "as_of": "履职进度通报"}[
            self.kind
        ]

    @property
    def previous(self) -> Period | None:
        """The period of the same length just before (for ``as_of``: the previous quarter);
        None when it would fall in the year before (records to date start afresh each year)."""
        before = self.start - timedelta(days=1)
        if before.year != self.year:
            return None
        if self.kind == "month":
            return Period.month(before.year, before.month)
        return Period.quarter(before.year, _quarter_of(before))

    @property
    def since_previous(self) -> str:
        """Heading of the change column: 比上季度末, 比上月末."""
        return "比上月末" if self.kind == "month" else "比上季度末"

    def dates(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


_QUARTER_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]?\s*[Qq]\s*(?P<q>[1-4])|年\s*第?\s*(?P<cn>[1-4一二三四])\s*季度?)$"
)
_MONTH_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m>\d{1,2})|年\s*(?P<cm>\d{1,2})\s*月(?:份)?)$"
)
_DAY_RE = re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?$")


def parse_quarter(text: str) -> Period:
    """``2023Q2`` (also 2023q2, 2023-Q2, 2023年第二季度) -> the quarter."""
    found = _QUARTER_RE.match(text.strip())
    if not found:
        raise UsageError(f"无法识别的季度“{text}”：请写成年份加 Q 加季度号，如 2023Q2")
    number = found["q"] or found["cn"]
    number = int(number) if number.isdigit() else _QUARTER_NAMES.index(number) + 1
    return Period.quarter(int(found["y"]), number)


def parse_month(text: str) -> Period:
    """``2023-05`` (also 2023-5, 2023/05, 2023年5月) -> the month."""
    found = _MONTH_RE.match(text.strip())
    number = int(found["m"] or found["cm"]) if found else 0
    if found is None or not 1 <= number <= 12:
        raise UsageError(f"无法识别的月份“{text}”：请写成年-月，如 2023-05")
    return Period.month(int(found["y"]), number)


def parse_day(text: str) -> date:
    """``2023-06-30`` (also 2023/6/30, 2023.6.30, 2023年6月30日) -> the day."""
    found = _DAY_RE.match(text.strip())
    try:
        if not found:
            raise ValueError
        return date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        raise UsageError(f"无法识别的日期“{text}”：请写成年-月-日，如 2023-06-30") from None


def last_complete_quarter(today: date) -> Period:
    """The last quarter that ended before ``today`` (on 1 July: Q2; on 30 June: Q1)."""
    current = Period.quarter(today.year, _quarter_of(today))
    before = current.start - timedelta(days=1)
    return Period.quarter(before.year, _quarter_of(before))


def _today() -> date:
    return date.today()


def resolve_period(
    quarter: str | None = None,
    month: str | None = None,
    as_of: str | None = None,
    *,
    today: date | None = None,
) -> Period:
    """The period the options name (at most one of them), else the last complete quarter before
    today. A quarter or month that has not ended by ``today`` is cut at ``today``
    (:meth:`Period.cut_at`: its title says 截至 that day); one that has not begun is refused."""
    given = [
        (name, value)
        for name, value in (("--quarter", quarter), ("--month", month), ("--as-of", as_of))
        if value is not None
    ]
    if len(given) > 1:
        raise UsageError(f"{'、'.join(name for name, _ in given)} 只能写一个：请只指定一个通报期间")
    today = today or _today()
    if quarter is None and month is None and as_of is None:
        return last_complete_quarter(today)
    try:
        if as_of is not None:
            period = Period.as_of(parse_day(as_of))
        else:
            period = parse_quarter(quarter) if quarter is not None else parse_month(month or "")
    except (ValueError, OverflowError):  # 9999-12-31: its quarter would end in year 10000
        period = None
    if period is None or not FIRST_YEAR <= period.end.year <= LAST_YEAR:
        raise UsageError(
            f"通报期间“{as_of or month or quarter}”无效：须在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间"
        )
    if as_of is not None:
        return period
    if period.start > today:
        raise UsageError(
            f"{quarter or month} 还没有开始（今天是 {today:%Y-%m-%d}）：请指定已经开始的季度或月份"
        )
    return period.cut_at(today) if period.end > today else period


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressCounts:
    """The numbers a report's summary opens with."""

    members: int
    in_office: int
    not_started: int
    left: int
    on_pace: int
    behind: int
    no_activity: int
    reminders: int
    expected_full_year: int  # checklist items due by the period end for a member in office all year
    full_year_share: float  # the share of the year elapsed by the period end (0.5 on 30 June)
    points_mean: float
    change_mean: float | None  # None without a previous period


@dataclass(frozen=True)
class ProgressReport:
    """A progress report: the members and groups tables (see the module docstring for columns),
    and the assessment as of the period end they come from."""

    period: Period
    previous: Period | None
    members: pd.DataFrame
    groups: pd.DataFrame
    assessment: Assessment
    problems: list[Problem] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.assessment.year

    @property
    def decimals(self) -> int:
        return self.assessment.rules.rules.settings.decimals

    @property
    def checklist_name(self) -> str:
        spec = self.assessment.rules.rules.checklist
        return spec.name if spec else ""

    @property
    def checklist_total(self) -> int:
        spec = self.assessment.rules.rules.checklist
        return len(spec.items) if spec else 0

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def counts(self) -> ProgressCounts:
        m = self.members
        active = m[m["status"] == "in_office"]
        return ProgressCounts(
            members=len(m),
            in_office=len(active),
            not_started=int((m["status"] == "not_started").sum()),
            left=int((m["status"] == "left").sum()),
            on_pace=int((active["pace"] == "on_pace").sum()),
            behind=int((active["pace"] == "behind").sum()),
            no_activity=int(active["no_activity"].sum()),
            reminders=int(active["reminder"].sum()),
            expected_full_year=_expected(self.checklist_total, _full_year_share(self.period)),
            full_year_share=_full_year_share(self.period),
            points_mean=_mean(active["points"]),
            change_mean=_mean(active["points_change"]) if self.previous is not None else None,
        )


def assess_progress(
    workbook: str | Path,
    period: Period,
    rules: str | Path | LoadedRules | None = None,
    *,
    on_stage: StageCallback | None = None,
    allow_missing_sheets: bool = False,
) -> ProgressReport:
    """Score the records dated up to ``period.end`` (and up to the previous period's end) and
    compare them. ``on_stage`` is called with each stage's name as it starts: 读取, 整理, 计分,
    统计. Raises DataError (the workbook has errors) or UsageError (bad file or rules, or a
    period outside the workbook's assessment year); the workbook is read once, never written.
    ``allow_missing_sheets`` is as for :func:`perfscore.api.assess`.
    """
    step = on_stage or (lambda _stage: None)
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(rules)
    input_format = loaded.rules.input_format()
    step("读取")
    raw = with_absent_registers(
        read_workbook(workbook, input_format), loaded, allow=allow_missing_sheets
    )
    step("整理")
    records = normalise(
        raw,
        year=loaded.rules.year,
        vocabularies=input_format.vocabularies,
        bodies=loaded.rules.body_names(),
    )
    if period.start.year != records.year or period.end.year != records.year:
        raise UsageError(
            f"通报期间 {period.title}（{period.label}）不在工作簿 {Path(workbook).name} 的考核年度 "
            f"{records.year} 年内：请用 --quarter 指定 {records.year} 年的季度（如 {records.year}Q4），"
            f"或改用 {period.year} 年的登记工作簿"
        )
    step("计分")
    source_name = Path(workbook).name
    now, problems = _assess_at(records, loaded, period.end, source_name)
    before = (
        _assess_at(records, loaded, period.previous.end, source_name)[0]
        if period.previous
        else None
    )
    step("统计")
    members = _member_progress(records, now, before, period, loaded)
    groups = _group_progress(members, loaded)
    return ProgressReport(
        period=period,
        previous=period.previous,
        members=members,
        groups=groups,
        assessment=now,
        problems=problems,
    )


def _assess_at(
    records: Records, rules: LoadedRules, day: date, source_name: str
) -> tuple[Assessment, list[Problem]]:
    """The assessment of the records dated on or before ``day`` — what ``assess(as_of=day)`` gives —
    and the problems worth reporting (not the consequences', which need earlier years' results)."""
    to_date = records.up_to(day)
    scoring = score(to_date, rules.rules)
    assessment = assess_scores(to_date, scoring, rules, source_name=source_name, consequences=False)
    return assessment, [*rules.warnings, *to_date.problems, *scoring.problems]


# --- members -----------------------------------------------------------------------------------


def _member_progress(
    records: Records, now: Assessment, before: Assessment | None, period: Period, rules: LoadedRules
) -> pd.DataFrame:
    settings = rules.rules.settings
    columns = [
        *MEMBER_DETAILS,
        *rules.rules.input.roster_columns,
        "total",
        "rank",
        "checklist_total",
        "checklist_done",
        "checklist_missing",
    ]
    m = now.members[columns].rename(columns={"total": "points"}).copy()
    end, start = pd.Timestamp(period.end), pd.Timestamp(period.start)

    m["status"] = np.select(
        [m["term_start"] > end, m["term_end"] < end], ["not_started", "left"], "in_office"
    )
    if before is not None:
        earlier = before.members.set_index("member_id")
        m["points_previous"] = m["member_id"].map(earlier["total"]).astype(float)
        m["points_change"] = round_points(
            m["points"] - m["points_previous"], settings.decimals, settings.rounding
        )
        m["checklist_done_previous"] = m["member_id"].map(earlier["checklist_done"]).astype("Int64")
        m["checklist_change"] = (m["checklist_done"] - m["checklist_done_previous"]).astype("Int64")
    else:
        m["points_previous"] = np.nan
        m["points_change"] = np.nan
        m["checklist_done_previous"] = pd.array([pd.NA] * len(m), dtype="Int64")
        m["checklist_change"] = pd.array([pd.NA] * len(m), dtype="Int64")

    m["share"] = _elapsed_share(m["term_start"], m["term_end"], records.year, period.end)
    m["checklist_expected"] = np.floor(m["checklist_total"] * m["share"] + _SHARE_EPSILON).astype(
        int
    )
    judged = (m["status"] == "in_office") & (m["checklist_total"] > 0)
    m["pace"] = np.where(
        ~judged, "", np.where(m["checklist_done"] >= m["checklist_expected"], "on_pace", "behind")
    )

    activity = _activity_counts(records.records, m, start, end)
    m["period_records"] = m["member_id"].map(activity).fillna(0).astype(int)
    m["no_activity"] = (m["status"] == "in_office") & (m["period_records"] == 0)
    m["reminder"] = (m["pace"] == "behind") | m["no_activity"]

    m = m.sort_values(["sector", "member_id"], kind="stable").reset_index(drop=True)
    return m[
        [
            *MEMBER_DETAILS,
            *rules.rules.input.roster_columns,
            "status",
            "points",
            "points_previous",
            "points_change",
            "rank",
            "checklist_total",
            "checklist_done",
            "checklist_done_previous",
            "checklist_change",
            "checklist_expected",
            "checklist_missing",
            "share",
            "pace",
            "period_records",
            "no_activity",
            "reminder",
        ]
    ]


def _month_position(days: pd.Series, *, start_of_day: bool) -> pd.Series:
    """Months of the year elapsed at the end of each day (30 June -> 6.0), or at its start."""
    day = days.dt.day - (1 if start_of_day else 0)
    return (days.dt.month - 1) + day / days.dt.days_in_month


def _elapsed_share(term_start: pd.Series, term_end: pd.Series, year: int, end: date) -> pd.Series:
    """The part of each member's months in office this year that has elapsed by ``end`` (0–1)."""
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    # pandas-stubs types clip's bounds as numbers; pandas clips datetimes by Timestamps.
    begins = _month_position(
        term_start.fillna(first).clip(lower=first, upper=last),  # type: ignore[call-overload]
        start_of_day=True,
    )
    ends = _month_position(
        term_end.fillna(last).clip(lower=first, upper=last),  # type: ignore[call-overload]
        start_of_day=False,
    )
    now = _month_position(pd.Series([pd.Timestamp(end)]), start_of_day=False).iloc[0]
    span = ends - begins
    elapsed = (np.minimum(now, ends) - begins).clip(lower=0)
    return (elapsed / span.where(span > 0)).fillna(0.0).clip(upper=1.0)


def _full_year_share(period: Period) -> float:
    one = pd.Series([pd.NaT], dtype="datetime64[ns]")
    return float(_elapsed_share(one, one, period.year, period.end).iloc[0])


def _expected(total: int, share: float) -> int:
    return math.floor(total * share + _SHARE_EPSILON)


def _activity_counts(
    recs: pd.DataFrame, members: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.Series:
    """Activity records per member in [start, end] and within the member's term: every record
    the member is named in, except adoptions of their information (others' act) and meetings they
    did not attend (请假, 请假未批准, 缺席)."""
    mask = (recs["date"] >= start) & (recs["date"] <= end) & (recs["kind"] != "adoption")
    mask &= ~((recs["kind"] == "meeting") & recs["status"].isin(NOT_ATTENDED))
    active = recs.loc[mask, ["member_id", "date"]].merge(
        members[["member_id", "term_start", "term_end"]], on="member_id", how="left"
    )
    in_term = ~(active["date"] < active["term_start"]) & ~(active["date"] > active["term_end"])
    return active[in_term].groupby("member_id").size()


# --- groups ------------------------------------------------------------------------------------

GROUP_COLUMNS = [
    "dimension",
    "group",
    "members",
    "points_mean",
    "change_mean",
    "checklist_mean",
    "on_pace",
    "behind",
    "behind_share",
    "no_activity",
    "reminders",
]


def _group_progress(members: pd.DataFrame, rules: LoadedRules) -> pd.DataFrame:
    """Per group of each dimension the rules list, members in office only (a member in two 学习组
    counts once in each); within a dimension, the group with the largest share behind first."""
    settings = rules.rules.settings
    active = members[members["status"] == "in_office"]
    frames = []
    for column, label in group_dimensions(rules.rules.groups.dimensions):
        cells = dimension_cells(active, column).astype(str)
        groups = cells.str.split(NAME_SEPARATORS, regex=True).explode().str.strip()
        groups = groups[groups.notna() & (groups != "")]
        if groups.empty:
            continue
        rows = active.loc[groups.index].assign(
            group=groups.to_numpy(), on=active["pace"] == "on_pace", late=active["pace"] == "behind"
        )
        rows = rows.drop_duplicates(["member_id", "group"])
        by = rows.groupby("group", sort=True)
        summary = pd.DataFrame(
            {
                "members": by.size(),
                "points_mean": round_points(
                    by["points"].mean(), settings.decimals, settings.rounding
                ),
                "change_mean": round_points(
                    by["points_change"].mean(), settings.decimals, settings.rounding
                ).where(by["points_change"].count() > 0),
                "checklist_mean": by["checklist_done"].mean().round(1),
                "on_pace": by["on"].sum().astype(int),
                "behind": by["late"].sum().astype(int),
                "no_activity": by["no_activity"].sum().astype(int),
                "reminders": by["reminder"].sum().astype(int),
            }
        )
        summary["behind_share"] = summary["behind"] / summary["members"]
        summary = summary.reset_index(names="group")
        summary = summary.sort_values(
            ["behind_share", "behind", "checklist_mean", "group"],
            ascending=[False, False, True, True],
            kind="stable",
        )
        summary.insert(0, "dimension", label)
        frames.append(summary)
    if not frames:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    return pd.concat(frames, ignore_index=True)[GROUP_COLUMNS]


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else 0.0
