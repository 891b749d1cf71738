"""The rule language: what a rules file may say, as pydantic models.

A rules file describes one office's 积分办法: a base score, categories of items, each item
matching some records and giving points for them, caps and floors, grade bands, and a
checklist (双五个一). Field descriptions below are the reference documentation (docs/rules.md
is generated from them), so they are written for the clerk who edits the YAML.
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..inputformat import DEFAULT_FORMAT, RECORD_KINDS, SHEETS, VOCABULARIES, InputFormat
from ..layout import MEMBER_DETAILS, OTHER_LINES, RESULT_COLUMNS

__all__ = [
    "Condition",
    "Match",
    "Case",
    "Credit",
    "Item",
    "Category",
    "Grade",
    "ChecklistItem",
    "Checklist",
    "Settings",
    "GroupScoring",
    "InputSpec",
    "LineCount",
    "TermCondition",
    "Consequence",
    "Award",
    "AwardScore",
    "Prerequisites",
    "GroupCap",
    "MinShare",
    "Term",
    "Documents",
    "Body",
    "Rules",
    "MATCH_FIELDS",
]

RecordKind = Literal["proposal", "information", "adoption", "report", "meeting", "activity", "duty"]
assert set(get_args(RecordKind)) == set(RECORD_KINDS)

# Fields of a normalised record that `match` and `points_by` may look at.
MATCH_FIELDS = (
    "type",
    "subtype",
    "status",
    "level",
    "role",
    "marks",
)  # `standing` is the member's, not the record's
MatchField = Literal["type", "subtype", "status", "level", "role", "marks"]
# The fields' names in the Chinese texts about rules (summaries, checks).
MATCH_FIELD_NAMES = {
    "type": "类型",
    "subtype": "形式",
    "status": "状态",
    "level": "级别",
    "role": "角色",
    "marks": "标记",
}

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s.:]+$")]

# Every number a rules file gives is finite and at most this large: a total stays a finite
# number even when a member has many thousands of records at the largest value.
LARGEST = 1_000_000
Number = Annotated[float, Field(allow_inf_nan=False, ge=-LARGEST, le=LARGEST)]
# A name that becomes a column header, a sheet's name or a line of the ledger.
Name = Annotated[str, Field(min_length=1, max_length=100)]
# Excel's sheet names: at most 31 characters, none of these, not starting or ending with '.
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
AWARD_SHEET_PREFIX = "评优-"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """Conditions on a record's fields. Every listed condition must hold; a list means "any of"."""

    type: list[str] | None = Field(
        None,
        description="类型：提案方式（个人/联名/集体）、会议类型、活动类型、采用/批示、双五个一项目",
    )
    subtype: list[str] | None = Field(None, description="活动形式：全程/部分、口头/书面")
    status: list[str] | None = Field(
        None,
        description="状态：提案（立案/不立案/并案/转社情民意）、出勤（出席/请假/请假未批准/缺席/迟到/早退）、调研成果（提交/采用/批示）、社情民意（已采用/未采用）",
    )
    level: list[str] | None = Field(None, description="采用或批示级别：县/市/省/全国")
    role: list[str] | None = Field(
        None,
        description="委员在记录中的角色：领衔（第一提案人、第一作者）、附议（其余联名者）、参加；"
        "单位：登记的单位（bodies）署名的记录，记给该单位对应专委会的每位委员，只有写了 单位 的条件才计这种记录",
    )
    marks: list[str] | None = Field(None, description="提案标记，含其一即可：重点提案/优秀提案")
    standing: bool | None = Field(None, description="true 只计常委；false 只计非常委；不写则都计")
    unless: Condition | None = Field(
        None,
        description="除外：符合这里所有条件的记录不计，如 {type: [发言], subtype: [书面]}（书面发言除外）。"
        "某一栏为空的记录不符合该栏的条件，所以不被除外",
    )


class Match(Condition):
    """Which records an item counts: a record kind, and conditions on its fields."""

    kind: RecordKind = Field(
        description="记录种类：proposal 提案、information 社情民意、adoption 信息采用/批示、report 调研报告、meeting 会议出勤、activity 活动、duty 双五个一登记"
    )


class Case(_Strict):
    """One case of ``cases``: the points for records meeting ``when``. The first case that fits wins."""

    when: Condition | None = Field(
        None, description="条件（同 match 中的字段，如 {type: [个人]}）；不写表示“其余情况”"
    )
    points: Number = Field(description="符合条件的记录的分值")


class Credit(_Strict):
    """How a record with several authors credits them (联名提案、合写信息)."""

    mode: Literal["each", "split", "first_only"] = Field(
        "each",
        description="each：每位作者都得该项分值（可用 points_by: role 区分领衔/附议）；split：领衔者得 lead_share，其余人平分剩余；first_only：只计第一作者",
    )
    lead_share: float = Field(
        0.5,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="split 时第一作者所得份额（0–1）；独著者得全部",
    )
    max_authors: int | None = Field(
        None,
        ge=1,
        le=LARGEST,
        description="只计前 N 位作者（如集体提案只计 3 位主要执笔人）；不写则不限",
    )


class Period(_Strict):
    """A target per month or quarter (每月一次集体学习、每季度一次、偶数月): each period is met
    when the member has at least ``at_least`` matching records dated in it."""

    every: Literal["month", "quarter"] = Field(description="周期：month 每月；quarter 每季度")
    months: list[Annotated[int, Field(ge=1, le=12)]] | None = Field(
        None,
        min_length=1,
        description="（every: month）只要求这些月份，如 [2, 4, 6, 8, 10, 12]（偶数月）；不写则每月都要求",
    )
    at_least: int = Field(1, ge=1, le=LARGEST, description="每个周期至少几条符合的记录")
    met: Number = Field(0, description="每达到一个周期加的分")
    missed: Number = Field(0, description="每缺一个周期扣的分（写负数，如 -2）")

    @model_validator(mode="after")
    def _sensible(self) -> Period:
        if self.months is not None and self.every != "month":
            raise ValueError("months 只用于 every: month")
        if self.months is not None and len(set(self.months)) != len(self.months):
            raise ValueError("months 中有重复的月份")
        if self.missed > 0:
            raise ValueError(f"missed 是缺一个周期扣的分，应写负数或 0（写的是 {self.missed:g}）")
        if self.met == 0 and self.missed == 0:
            raise ValueError("met 和 missed 至少写一个（达到加分，或缺少扣分）")
        return self


class Item(_Strict):
    """One scoring item: which records, how many points each, and how they are counted."""

    id: Identifier = Field(description="规则编号，在同一类别内唯一，出现在积分明细中")
    name: Name = Field(description="中文名称，出现在积分明细和报表中")
    match: Match = Field(description="计入哪些记录")
    points: Number | None = Field(None, description="每条记录的分值（负数为扣分）")
    points_by: dict[MatchField, dict[str, Number]] | None = Field(
        None,
        description="按某一字段取分值，如 {status: {出席: 5, 缺席: -10}}；未列出的取值不计分",
    )
    cases: list[Case] | None = Field(
        None,
        min_length=1,
        description="按多个字段取分值：依次列出情况，记录取第一个符合的情况的分值，都不符合则不计分。"
        "如个人提案 15 分、联名领衔 10 分、附议 5 分。points、points_by、cases 三者写一个",
    )
    credit: Credit = Field(default_factory=Credit, description="多位作者时如何计分")
    count: Literal["each", "once"] = Field(
        "each",
        description="each：每条记录都计；once：每位委员只计一次（取分值最高的一条，同分取最早）",
    )
    from_nth: int = Field(
        1,
        ge=1,
        le=LARGEST,
        description="从第 N 条起计分（按日期顺序），如“第 2 件起每件加 5 分”填 2",
    )
    stack: Literal["cumulative", "highest"] = Field(
        "cumulative",
        description="同一事项（同一编号，如一条信息在多个级别采用）的多条记录：cumulative 逐级累加；highest 只取最高一条",
    )
    per_period: Period | None = Field(
        None,
        description="按月或季度计：每个周期达到 at_least 条加 met 分，缺一个周期扣 missed 分；"
        "写了 per_period 就不写 points、points_by、cases。任期不满整个周期的月份（季度）不要求，"
        "进度报告（report）只计已结束的周期",
    )
    max: Number | None = Field(None, description="本项封顶分（不小于 0）")
    min: Number | None = Field(None, description="本项最低分（扣分项的下限，如 -20；不大于 0）")
    note: str = Field("", description="说明，显示在规则摘要中")

    @model_validator(mode="after")
    def _one_way_of_points(self) -> Item:
        given = [key for key in ("points", "points_by", "cases") if getattr(self, key) is not None]
        if self.per_period is not None:
            if given:
                raise ValueError(
                    f"写了 per_period 就不写 {'、'.join(given)}（分值写在 per_period 的 met、missed 中）"
                )
            changed = [
                key
                for key, default in (("count", "each"), ("from_nth", 1), ("stack", "cumulative"))
                if getattr(self, key) != default
            ]
            if changed:
                raise ValueError(
                    f"写了 per_period 就不写 {'、'.join(changed)}（按周期计，不按条计）"
                )
            return self._bounds()
        if len(given) != 1:
            raise ValueError(
                "points、points_by、cases 须且只须写一个"
                + (f"（现在写了 {'、'.join(given)}）" if given else "")
            )
        if self.points_by is not None and len(self.points_by) != 1:
            raise ValueError("points_by 只能按一个字段取分值")
        return self._bounds()

    def _bounds(self) -> Item:
        if self.max is not None and self.max < 0:
            raise ValueError(f"本项封顶分 max 不能小于 0（写的是 {self.max:g}）；扣分的下限写 min")
        if self.min is not None and self.min > 0:
            raise ValueError(f"本项最低分 min 不能大于 0（写的是 {self.min:g}）；加分的上限写 max")
        return self


def _repeated(values: Iterable[str]) -> list[str]:
    """The values that occur more than once, sorted (one pass: linear in the number of values)."""
    counts = Counter(values)
    return sorted(value for value, count in counts.items() if count > 1)


# Headers of the 分项得分 sheet besides the categories' names, and of the 双五个一 sheet besides
# the checklist items' names: a name taking one of them would overwrite that column.
BREAKDOWN_COLUMNS = frozenset(
    {"名次", "委员编号", "姓名", "界别", "基础分", "总分封顶调整", "总分", "等次"}
)
CHECKLIST_COLUMNS = frozenset({"委员编号", "姓名", "界别", "完成项数", "未完成项目"})


# Column names of an assessment's member table and words of the ledger's rule ids: a category
# id must not take one of them.
RESERVED_CATEGORY_IDS = frozenset(
    {*MEMBER_DETAILS, *RESULT_COLUMNS, *OTHER_LINES, "pro_rate", "checklist", "start", "cap"}
)


class Category(_Strict):
    """A group of items with its own subtotal, cap and floor (会议、提案、信息 …)."""

    id: Identifier = Field(
        description="类别编号，唯一；不能用 total、base、rank、name 等结果表已有的列名"
    )
    name: Name = Field(
        description="中文名称（分项得分表的列名），各类别不同，不能用该表已有的列名（姓名、总分等）"
    )
    start: Number = Field(0, description="起始分：从 N 分起扣（如会议 50 分起扣）；0 表示从零累加")
    standing: bool | None = Field(
        None,
        description="true 本类只适用于常委（起始分和各项都只计常委）；false 只适用于非常委；不写则适用于全体",
    )
    max: Number | None = Field(None, description="本类封顶分（不小于起始分）")
    min: Number | None = Field(None, description="本类最低分（如扣完为止填 0；不大于起始分）")
    items: list[Item] = Field(min_length=1, description="本类的计分项")

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_CATEGORY_IDS:
            raise ValueError(
                f"类别编号“{value}”是结果表中已有的列名，请换一个（如 {value}_points）"
            )
        return value

    @field_validator("name")
    @classmethod
    def _not_a_column(cls, value: str) -> str:
        if value in BREAKDOWN_COLUMNS:
            raise ValueError(f"类别名称“{value}”是分项得分表中已有的列名，请换一个")
        return value

    @model_validator(mode="after")
    def _unique_item_ids(self) -> Category:
        dupes = _repeated(item.id for item in self.items)
        if dupes:
            raise ValueError(f"计分项编号重复：{'、'.join(dupes)}")
        if self.max is not None and self.max < self.start:
            raise ValueError(
                f"类别“{self.name}”的封顶分 max {self.max:g} 小于起始分 start {self.start:g}"
            )
        if self.min is not None and self.min > self.start:
            raise ValueError(
                f"类别“{self.name}”的最低分 min {self.min:g} 大于起始分 start {self.start:g}"
            )
        return self


class Grade(_Strict):
    """One grade band. Bands are listed from the highest; a total gets the first band whose
    ``min`` it reaches (``min`` included). The last band has no ``min`` and takes the rest, so
    there are no gaps: 89.5 with bands 90 / 80 is 良好."""

    grade: Name = Field(description="等次名称，如 优秀；各档不同")
    min: Number | None = Field(None, description="最低分（含）；最后一档不写")
    requires_checklist: bool = Field(
        False, description="须完成清单（如双五个一）全部项目才能评为此等次；未完成者降入下一档"
    )


class Scope(_Strict):
    """Which members something applies to, by their roster columns; every condition given must
    hold, a list means "any of"."""

    standing: bool | None = Field(None, description="true 只对常委；false 只对非常委")
    sector: list[str] | None = Field(None, description="界别为其中之一")
    committee: list[str] | None = Field(None, description="专委会为其中之一")
    study_group: list[str] | None = Field(None, description="学习组为其中之一")
    work_group: list[str] | None = Field(None, description="工作组/活动组为其中之一")

    @model_validator(mode="after")
    def _says_something(self) -> Scope:
        if all(getattr(self, key) is None for key in type(self).model_fields):
            raise ValueError(
                "who 至少写一个条件（standing、sector、committee、study_group、work_group）"
            )
        return self


class ChecklistItem(_Strict):
    """One item of a checklist: done when the member has enough records matching any clause."""

    name: Name = Field(
        description="清单项目名称，如 提一案（双五个一表的列名：各项不同，不能用姓名、界别等已有的列名）"
    )
    any_of: list[Match] = Field(min_length=1, description="满足其中任一条件的记录即算完成")
    at_least: int = Field(
        1,
        ge=1,
        le=LARGEST,
        description="至少要有几条符合的记录（如“参加会议或活动不少于 3 次”填 3）",
    )
    who: Scope | None = Field(
        None,
        description="只对哪些委员要求此项，如 {standing: true}（常委每年提交一份履职报告）；"
        "其余委员没有这一项：不算未完成，也不计入应完成的项数。不写则对全体委员",
    )

    @field_validator("name")
    @classmethod
    def _not_a_column(cls, value: str) -> str:
        if value in CHECKLIST_COLUMNS:
            raise ValueError(f"清单项目名称“{value}”是双五个一表中已有的列名，请换一个")
        return value


class Checklist(_Strict):
    """A completion checklist such as 双五个一: done / not done per item, with the record that met it."""

    name: Name = Field("双五个一", description="清单名称")
    items: list[ChecklistItem] = Field(min_length=1, description="清单项目")
    bonus: Number = Field(0, description="全部完成时加分（0 为不加分）")

    @model_validator(mode="after")
    def _unique_names(self) -> Checklist:
        dupes = _repeated(item.name for item in self.items)
        if dupes:
            raise ValueError(f"清单项目重复：{'、'.join(dupes)}")
        return self


class GroupScoring(_Strict):
    """How groups (界别、专委会、学习组、工作组/活动组) are scored and ranked in 分组统计."""

    score: Literal["mean", "sum"] = Field(
        "mean", description="小组得分：mean 成员平均分；sum 成员总分之和"
    )
    dimensions: list[str] = Field(
        default_factory=lambda: ["sector", "committee", "study_group", "work_group"],
        description="统计哪些分组：sector 界别、committee 专委会、study_group 学习组、work_group 工作组/活动组，"
        "或 input.roster_columns 中登记的委员名单列（如 联络组、委员工作室）；"
        "两种用“/”连起来是嵌套的分组，如 committee/work_group（各专委会下的活动小组，"
        "组名如“经济委·第一小组”）或 committee/联络组",
    )

    @field_validator("dimensions")
    @classmethod
    def _shaped(cls, dimensions: list[str]) -> list[str]:
        for dimension in dimensions:
            parts = dimension.split("/")
            if len(parts) > 2 or any(not part.strip() for part in parts):
                raise ValueError(
                    f"分组“{dimension}”的写法不对：写一种分组，或两种用“/”连起来（如 committee/work_group）"
                )
            if len(parts) == 2 and parts[0] == parts[1]:
                raise ValueError(f"嵌套分组“{dimension}”的两层须不同")
        dupes = _repeated(dimensions)
        if dupes:
            raise ValueError(f"分组重复：{'、'.join(dupes)}")
        return dimensions


class LineCount(_Strict):
    """Ledger lines of one rule counted over this year and earlier years (e.g. unexcused absences)."""

    rule: str = Field(description="计分项的规则编号，如 meetings.plenary")
    note: list[str] | None = Field(
        None, description="只数说明中含这些词之一的明细，如 [缺席, 请假未批准]"
    )
    at_least: int = Field(1, ge=1, le=LARGEST, description="至少几条")
    years: int = Field(
        1,
        ge=1,
        le=100,
        description="在本年度及之前共几年内累计（大于 1 时须用 --previous 提供往年结果）",
    )


class TermCondition(_Strict):
    """A condition over the whole term (届) so far: this year and the term's earlier years kept in
    the archive (``perfscore assess --archive``). Without an archive such a consequence is an
    error, never a silent "no".

    Either ledger lines counted over the term (``rule``, ``note``, then ``at_least`` or
    ``fewer_than``), or grades in consecutive years within the term (``grades``, ``years_running``)."""

    rule: str | None = Field(
        None, description="数任期内这一计分项的明细条数，如 activities.training、meetings.plenary"
    )
    note: list[str] | None = Field(
        None, description="只数说明中含这些词之一的明细，如 [缺席, 请假未批准]"
    )
    at_least: int | None = Field(
        None, ge=1, description="任期内至少几条时适用，如“任期内无故缺席全会 3 次”填 3"
    )
    fewer_than: int | None = Field(
        None, ge=1, description="任期内少于几条时适用，如“任期内未参加过全员培训”填 1"
    )
    grades: list[str] | None = Field(
        None, description="任期内有连续 years_running 年等次都在其中，如 [基本称职, 不称职]"
    )
    years_running: int = Field(2, ge=1, description="与 grades 一起用：连续几年")

    @model_validator(mode="after")
    def _one_kind(self) -> TermCondition:
        if (self.rule is None) == (self.grades is None):
            raise ValueError("term 须写 rule（数明细）或 grades（连续几年的等次）其中一个")
        if self.rule is not None and (self.at_least is None) == (self.fewer_than is None):
            raise ValueError("term 数明细时须写 at_least 或 fewer_than 其中一个")
        if self.rule is None and (self.note or self.at_least or self.fewer_than):
            raise ValueError("note、at_least、fewer_than 只和 rule 一起用")
        return self


class Consequence(_Strict):
    """A consequence staff act on (约谈、劝辞), possibly needing earlier years' results.

    It applies when every condition given holds; earlier years come from ``perfscore assess
    --previous`` (an earlier year's 考核结果 .xlsx or .json) or from the term's archive
    (``--archive``), which ``term`` conditions need."""

    name: str = Field(description="处理名称，如 约谈、劝其辞去委员职务")
    grades: list[str] | None = Field(None, description="等次为其中之一，如 [不称职]")
    years_running: int = Field(
        1, ge=1, le=100, description="与 grades 一起用：连续几年（含本年度）等次都在 grades 中"
    )
    lines: LineCount | None = Field(
        None, description="某计分项的明细条数达到 at_least（可跨年累计）"
    )
    term: TermCondition | None = Field(
        None,
        description="任期内的条件（读履职档案，须用 --archive）：如任期内未参加全员培训、连续两年基本称职以下、任期内无故缺席全会 N 次",
    )
    note: str = Field("", description="说明")

    @model_validator(mode="after")
    def _has_a_condition(self) -> Consequence:
        if self.grades is None and self.lines is None and self.term is None:
            raise ValueError(f"处理“{self.name}”须写 grades、lines 或 term 至少一个条件")
        return self


# The built-in group columns of the roster, by the names rules use for them.
GROUP_COLUMNS = ("sector", "committee", "study_group", "work_group")
# Headers of the 总排名 and 分组统计 sheets besides the roster's: a declared roster column is
# written beside them, so it cannot take one of their names.
RESULT_HEADERS: tuple[str, ...] = (
    "名次",
    "总分",
    "等次",
    "等次说明",
    "界别内名次",
    "专委会内名次",
    "处理提示",
)
RESULT_HEADERS += ("分组类型", "分组", "dimension", "group")
# Characters a declared roster column's name cannot hold: "/" joins nested dimensions and "·"
# the group names of a nested group.
ROSTER_COLUMN_FORBIDDEN = "/·"


def _group_columns(spec: InputSpec | None) -> list[str]:
    """The group dimensions rules may name: the built-in ones, then the declared roster columns."""
    return [*GROUP_COLUMNS, *(spec.roster_columns if spec is not None else [])]


def _folded(text: str) -> str:
    """How a declared column's name is compared with the roster's headers: case and spaces aside."""
    return "".join(text.split()).casefold()


if TYPE_CHECKING:  # the keys are known at run time only: plain text for the type checker
    SheetKey = str
    ColumnKey = str
    VocabularyKey = str
else:  # pydantic rejects any other key, naming the allowed ones
    SheetKey = Literal[tuple(sheet.key for sheet in SHEETS)]
    ColumnKey = Literal[tuple(sorted({col.key for sheet in SHEETS for col in sheet.columns}))]
    VocabularyKey = Literal[tuple(VOCABULARIES)]


class InputSpec(_Strict):
    """How this office's workbooks are written, beyond the built-in format: other sheet names,
    other column headers, and other words. Everything here is added to the defaults."""

    sheets: dict[SheetKey, list[str]] = Field(
        default_factory=dict,
        description="工作表的其他名称，如 {proposals: [提案汇总表]}；键为 roster、proposals 等（见 input-format.md）",
    )
    headers: dict[SheetKey, dict[ColumnKey, list[str]]] = Field(
        default_factory=dict,
        description="列的其他表头，如 {proposals: {members: [提案者姓名]}}；列的键见 input-format.md",
    )
    words: dict[VocabularyKey, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="本单位用的词：{词表: {规范词: [其他写法]}}，如 {activity_type: {表彰: []}, attendance: {请假: [公出]}}；"
        "新词加入词表，已有的词可添加写法",
    )
    optional_sheets: list[str] = Field(
        default_factory=list,
        description="本单位可以没有的登记表，写键或表名，如 [reports] 或 [调研报告]（本年度没有调研报告登记）。"
        "规则按某张登记表计分而工作簿中没有这张表是错误；写在这里的表没有时照常计分（终端摘要和“数据提示”注明规则写明可以没有），"
        "按它计分的项目全体委员都得 0 分。委员名单不能写在这里",
    )
    roster_columns: list[Name] = Field(
        default_factory=list,
        description="委员名单中本单位另有的分组列，写表头，如 [联络组, 委员工作室]：每位委员的组名读入，"
        "可写在 groups.dimensions（单独统计，或嵌套如 committee/联络组）和评选的 group_cap.dimension 中。"
        "一格可填多个组（顿号分隔），可以为空；登记了而委员名单中没有这一列是错误。"
        "表头不能是委员名单已有的列（委员编号、姓名、界别、专委会、学习组、工作组、常委、任职起始、任职终止）；"
        "是已有列的其他写法（如 联络组 本是工作组的别名）时，这一表头只读作登记的新列",
    )

    @field_validator("optional_sheets")
    @classmethod
    def _known_registers(cls, names: list[str]) -> list[str]:
        """Each entry as its register's key: a key, the register's name or one of its aliases."""
        by_name = {_folded(text): sheet.key for sheet in SHEETS for text in sheet.all_names if text}
        unknown = [name for name in names if _folded(name) not in by_name]
        if unknown:  # every one at once, each with the closest register name
            spelled = [
                text for sheet in SHEETS if sheet.key != "roster" for text in sheet.all_names
            ]
            guesses = [
                difflib.get_close_matches(name, spelled, n=1, cutoff=0.3) for name in unknown
            ]
            named = "、".join(
                f"“{name}”" + (f"（是不是 {guess[0]}？）" if guess else "")
                for name, guess in zip(unknown, guesses)
            )
            known = "、".join(
                f"{sheet.key}（{sheet.name}）" for sheet in SHEETS if sheet.key != "roster"
            )
            raise ValueError(f"{named}不是登记表：可写 {known}")
        keys = []
        for name in names:
            key = by_name[_folded(name)]
            if key == "roster":
                raise ValueError("委员名单不能没有：optional_sheets 中不能写委员名单")
            if key not in keys:
                keys.append(key)
        return keys

    @field_validator("roster_columns")
    @classmethod
    def _new_columns(cls, columns: list[str]) -> list[str]:
        roster = next(sheet for sheet in SHEETS if sheet.key == "roster")
        taken = {
            _folded(text): col.header for col in roster.columns for text in (col.header, col.key)
        }
        taken |= {_folded(text): text for text in (*RESULT_HEADERS, *RESERVED_CATEGORY_IDS)}
        for column in columns:
            if _folded(column) in taken:
                raise ValueError(
                    f"“{column}”是委员名单或总排名表已有的列（{taken[_folded(column)]}），不能登记；"
                    "登记的是本单位另有的列，如 联络组、委员工作室"
                )
            bad = sorted({c for c in column if c in ROSTER_COLUMN_FORBIDDEN})
            if bad or column != column.strip():
                raise ValueError(
                    f"列名“{column}”不能含 {' '.join(bad) or '首尾空格'}（“/”连接嵌套分组，“·”连接嵌套的组名）"
                )
        dupes = _repeated(_folded(column) for column in columns)
        if dupes:
            raise ValueError(f"roster_columns 中的列重复：{'、'.join(dupes)}")
        return columns

    @model_validator(mode="after")
    def _columns_belong_to_their_sheet(self) -> InputSpec:
        for sheet in SHEETS:
            wrong = [
                key
                for key in self.headers.get(sheet.key, {})
                if key not in {col.key for col in sheet.columns}
            ]
            if wrong:
                raise ValueError(
                    f"工作表 {sheet.key}（{sheet.name}）没有列 {'、'.join(wrong)}；"
                    f"可用：{'、'.join(col.key for col in sheet.columns)}"
                )
        return self


class AwardScore(_Strict):
    """Points an item (a proposal, an information item) gets for each of its records that
    matches; the item's score is the sum over all clauses and records."""

    match: Match = Field(
        description="计分的记录：提案池用 {kind: proposal, …}；信息池用 {kind: information, …} 或 {kind: adoption, …}（每次采用/批示）"
    )
    points: Number = Field(description="每条符合的记录加的分")


class Prerequisites(_Strict):
    """What a candidate must meet to be considered; every condition given must hold."""

    grades: list[str] | None = Field(None, description="（委员池）等次须为其中之一，如 [优秀]")
    checklist_complete: bool = Field(False, description="（委员池）须完成清单全部项目")
    min_score: Number | None = Field(None, description="得分（委员池为总分）不低于此值")
    has: list[Match] | None = Field(
        None,
        description="须有符合这些条件的记录（每个条件至少一条）：委员池如 [{kind: proposal, status: [立案]}]（本年至少一件立案提案）；"
        "提案/信息池如 [{kind: proposal, status: [立案]}]",
    )
    no_lines: LineCount | None = Field(
        None,
        description="（委员池）不得有这些积分明细，如 {rule: meetings.plenary, note: [缺席, 请假未批准]}（全会无故缺席者不得评选）；"
        "at_least 和 years 在此不用",
    )


class GroupCap(_Strict):
    """A sub-quota by group: at most ``max`` winners per group, or as many as the group's share
    of the pool (rounded up)."""

    dimension: str = Field(
        "sector",
        description="按哪种分组：sector 界别、committee 专委会、study_group 学习组、work_group 工作组，"
        "或 input.roster_columns 中登记的列（如 联络组）；提案、信息按第一作者所在的组",
    )
    max: int | None = Field(None, ge=1, le=LARGEST, description="每组最多入选几人（件）")
    proportional: bool = Field(
        False, description="每组最多入选：名额 × 本组候选数 ÷ 候选总数，向上取整"
    )

    @model_validator(mode="after")
    def _one_rule(self) -> GroupCap:
        if (self.max is None) == (not self.proportional):
            raise ValueError("group_cap 须写 max 或 proportional: true 其中一个")
        return self


class MinShare(_Strict):
    """At least ``share`` of the winners must meet ``match`` (e.g. 20% collective proposals):
    that many places are kept for them first."""

    name: str = Field(description="名称，如 集体提案")
    match: Condition = Field(description="条件，如 {type: [集体]}")
    share: float = Field(gt=0, le=1, allow_inf_nan=False, description="至少占入选数的比例，如 0.2")


_POOL_NAMES = {
    "members": "委员",
    "proposals": "提案",
    "information": "信息",
    "reports": "调研报告",
}
# The records an item pool's candidates are: each candidate is one such item (its first author's).
POOL_KIND = {"proposals": "proposal", "information": "information", "reports": "report"}
# The measure word a pool's candidates are counted in (3 人, 5 件, 2 条, 1 篇).
POOL_UNIT = {"members": "人", "proposals": "件", "information": "条", "reports": "篇"}


class Award(_Strict):
    """An award shortlist: a pool of candidates, prerequisites, an order, a quota and sub-quotas.

    Every candidate on the list and the first ones left off carry the reason."""

    id: Identifier = Field(description="评选编号，如 excellent_member；--award 用它或名称选择")
    name: Name = Field(
        description=f"评选名称，如 优秀委员；名单写在工作表“{AWARD_SHEET_PREFIX}名称”中，所以各评选名称不同，"
        f"不超过 {31 - len(AWARD_SHEET_PREFIX)} 个字，不含 {' '.join(SHEET_NAME_FORBIDDEN[:-1])} 和反斜杠，不以 ' 开头或结尾"
    )
    pool: Literal["members", "proposals", "information", "reports"] = Field(
        description="候选：members 委员、proposals 提案、information 社情民意信息、reports 调研报告"
    )
    rank_by: list[Identifier] | None = Field(
        None,
        min_length=1,
        description="（委员池）按哪些类别得分之和排序，写类别编号，如 [proposals]（提案优胜）或 "
        "[activities, information]；不写则按总分。同一办法可有多个委员池评选，各按不同类别排序",
    )
    score: list[AwardScore] | None = Field(
        None,
        description="（提案、信息、调研报告池）每件的得分：各条件符合的记录分值之和。委员池按总分或 rank_by，不写此项",
    )
    requires: Prerequisites = Field(default_factory=Prerequisites, description="参评条件")
    exclude: list[str] = Field(
        default_factory=list,
        description="不参评的委员（编号或姓名，如主席会议成员）或提案、信息编号",
    )
    quota: int | str = Field(description='名额：人（件）数，如 46；或候选总数的百分比，如 "10%"')
    quota_rounding: Literal["half_up", "floor", "ceil"] = Field(
        "half_up", description="百分比名额的取整：half_up 四舍五入、floor 向下、ceil 向上"
    )
    tie_break: list[str] | None = Field(
        None,
        description="得分相同者的先后：委员池可写类别编号（高者先）和 member_id；提案、信息池可写 date（早者先）和 item_id。"
        "不写则委员池用 settings.tie_break，提案、信息池用 [date, item_id]",
    )
    ties_at_line: Literal["include", "break"] = Field(
        "include",
        description="名额线上同分：include 同分者全部入选（名单会超过名额，并注明）；break 按 tie_break 取舍",
    )
    group_cap: GroupCap | None = Field(
        None, description="分组名额限制（如每个界别最多 3 人，或按界别人数比例）"
    )
    min_share: MinShare | None = Field(None, description="保留名额（如集体提案不少于 20%）")
    show_next: int = Field(5, ge=0, le=50, description="名单后列出几位（件）差一点入选的候选及原因")

    @field_validator("quota")
    @classmethod
    def _quota_form(cls, value: int | str) -> int | str:
        if isinstance(value, str):
            text = value.strip()
            if not text.endswith("%"):
                raise ValueError('quota 写人数（如 46）或百分比（如 "10%"）')
            try:
                share = float(text[:-1])
            except ValueError:
                raise ValueError(f"quota 的百分比写法不对：{value}") from None
            if not 0 < share <= 100:
                raise ValueError("quota 的百分比须在 0% 到 100% 之间")
            return text
        if value < 1:
            raise ValueError("quota 至少为 1")
        if value > LARGEST:
            raise ValueError(f"quota 不能超过 {LARGEST}")
        return value

    @field_validator("name")
    @classmethod
    def _a_sheet_name(cls, value: str) -> str:
        room = 31 - len(AWARD_SHEET_PREFIX)
        if len(value) > room:
            raise ValueError(
                f"评选名称最多 {room} 个字（名单工作表名为“{AWARD_SHEET_PREFIX}名称”，Excel 的工作表名最多 31 个字），"
                f"这里有 {len(value)} 个字"
            )
        bad = sorted({c for c in value if c in SHEET_NAME_FORBIDDEN})
        if bad:
            raise ValueError(f"评选名称不能含 {' '.join(bad)}（Excel 的工作表名不能有这些字符）")
        if value.startswith("'") or value.endswith("'"):
            raise ValueError("评选名称不能以 ' 开头或结尾（Excel 的工作表名不允许）")
        return value

    @model_validator(mode="after")
    def _pool_fits(self) -> Award:
        if self.pool == "members" and self.score is not None:
            raise ValueError(f"评选“{self.name}”的候选是委员，按总分排序，不写 score")
        if self.pool != "members" and not self.score:
            raise ValueError(f"评选“{self.name}”的候选是{_POOL_NAMES[self.pool]}，须写 score")
        if self.pool != "members" and self.rank_by is not None:
            raise ValueError(
                f"评选“{self.name}”：rank_by 只用于委员池；{_POOL_NAMES[self.pool]}按 score 排序"
            )
        if self.pool == "members" and self.min_share is not None:
            raise ValueError(
                f"评选“{self.name}”：min_share 只用于提案、信息池（按提案方式等条件保留名额）"
            )
        if self.pool != "members" and (
            self.requires.grades or self.requires.checklist_complete or self.requires.no_lines
        ):
            raise ValueError(
                f"评选“{self.name}”：grades、checklist_complete、no_lines 只用于委员池"
            )
        kinds = {
            "proposals": {"proposal"},
            "information": {"information", "adoption"},
            "reports": {"report"},
            "members": set(),
        }[self.pool]
        wrong = [clause.match.kind for clause in self.score or [] if clause.match.kind not in kinds]
        if wrong:
            raise ValueError(
                f"评选“{self.name}”的 score 只能计 {'、'.join(sorted(kinds))} 记录，不能计 {'、'.join(wrong)}"
            )
        return self


class Settings(_Strict):
    """Settings no published scheme states, made explicit."""

    decimals: int = Field(
        2, ge=0, le=4, description="分数保留的小数位数（每条明细先按此取舍，总分为明细之和）"
    )
    rounding: Literal["half_up", "half_even"] = Field(
        "half_up", description="取舍方式：half_up 四舍五入；half_even 银行家舍入"
    )
    outside_term: Literal["skip", "count"] = Field(
        "skip",
        description="委员任期（任职起始/终止）以外日期的记录：skip 不计分并提示；count 照常计分",
    )
    merged_credit: Literal["as_merged", "as_target", "none"] = Field(
        "as_merged",
        description="并案提案的原提案如何计分：as_merged 按“并案”状态计（由状态为并案的计分项给分）；"
        "as_target 按并入的提案的状态计（并入的提案立案，则原提案也按立案计）；none 原提案不计分",
    )
    pro_rate: Literal["none", "months"] = Field(
        "none",
        description="年中增补或离任委员：none 不折算；months 按任职月数折算为全年：每个类别中由记录得到的分"
        "（不含起始分）× 12 ÷ 任职月数，再按本类上下限封顶；任职月数为考核年度中在任至少一天的月份数",
    )
    tie_break: list[str] = Field(
        default_factory=lambda: ["member_id"],
        description="总分相同者名次并列（1、2、2、4）；此处列出并列者的排列顺序：类别编号（该类得分高者在前）或 member_id（编号小者在前）",
    )


class Total(_Strict):
    """Bounds on the total: open-ended when neither is given."""

    max: Number | None = Field(None, description="总分封顶；不写则不设上限")
    min: Number | None = Field(None, description="总分下限（不大于 max）；不写则不设下限")

    @model_validator(mode="after")
    def _min_below_max(self) -> Total:
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"总分下限 min {self.min:g} 大于总分上限 max {self.max:g}")
        return self


class Term(_Strict):
    """The 届 (term) these rules belong to, e.g. 第十届, 2022–2026. The archive (``--archive``) keeps
    one term per unit: a year outside these years, or assessed under rules of another term, is
    refused."""

    name: str = Field(min_length=1, description="届次名称，如 第十届")
    first_year: int = Field(ge=2000, le=2100, description="本届第一个考核年度，如 2022")
    last_year: int = Field(ge=2000, le=2100, description="本届最后一个考核年度，如 2026")

    @model_validator(mode="after")
    def _years_in_order(self) -> Term:
        if self.last_year < self.first_year:
            raise ValueError("term 的 last_year 不能早于 first_year")
        if self.last_year - self.first_year > 9:
            raise ValueError("一届不超过 10 个年度，请检查 first_year 和 last_year")
        return self

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class Documents(_Strict):
    """The documents an office circulates (通报、公示、办法): who issues them, which grades are
    named in the annual 通报, and the fonts and sizes of the 公文 layout (GB/T 9704-2012).

    Font names are as Word and WPS know them; where a font is missing, LibreOffice falls back
    to a Chinese font of the same kind."""

    unit: str = Field(
        "",
        description="发文单位，如 政协××市委员会办公室；印在通报、公示的落款和领导阅览版的标题下。不写则留出空位待填",
    )
    listed_grades: list[str] | None = Field(
        None,
        description="年度考核情况通报中列出名单的等次，如 [优秀, 不称职]；不写则列出最高和最低两档",
    )
    title_font: str | None = Field(None, description="标题字体；不写为 方正小标宋简体")
    body_font: str | None = Field(None, description="正文字体；不写为 仿宋_GB2312")
    heading1_font: str | None = Field(None, description="一级标题（一、）字体；不写为 黑体")
    heading2_font: str | None = Field(
        None, description="二级标题（（一））字体；不写为 楷体_GB2312"
    )
    latin_font: str | None = Field(None, description="数字和西文字体；不写为 Times New Roman")
    title_size: float | None = Field(
        None, ge=8, le=40, description="标题字号（磅）；不写为 22（2号）"
    )
    body_size: float | None = Field(
        None, ge=8, le=30, description="正文字号（磅）；不写为 16（3号）"
    )
    table_size: float | None = Field(
        None, ge=7, le=20, description="表格字号（磅）；不写为 12（小4号）"
    )


class Body(_Strict):
    """A body (专委会, 办公室 …) that a register may name where a member's name goes: a research
    report led by 社法委, a proposal of 提案委. Its records are kept and counted for it in 单位统计,
    and give no member points unless a ``match`` lists ``role: [单位]``: then each member of the
    body's ``committee`` gets the record, as its only author. Members named beside the body in
    the same cell score as usual (by their place in the cell: the first named is 领衔)."""

    name: Name = Field(description="单位名称，如 社法委（单位统计表中的名称）")
    aliases: list[Name] = Field(
        default_factory=list, description="登记表中的其他写法，如 [社会和法制委员会]"
    )
    committee: str = Field(
        "",
        description="对应的专委会（委员名单“专委会”列中的写法），写在单位统计表中。"
        "计分项的 match 写 role: [单位] 时，本单位的每条记录记给这个专委会的每位委员（如专委会牵头的调研报告每位委员加 2 分）；"
        "不写则只统计，不给任何委员计分",
    )


class Rules(_Strict):
    """A whole rules file."""

    scheme: str = Field(description="办法名称")
    version: str = Field(
        "1", description='版本号，写入结果的“规则”表（写成 2023.1 或 "2023.1" 均可）'
    )
    source: str = Field("", description="依据的文件及哪些部分为本工具补充")
    year: int | None = Field(
        None, ge=2000, le=2100, description="考核年度；不写则取记录日期中最多的年份"
    )
    term: Term | None = Field(
        None,
        description="届次及其年度（如 {name: 第十届, first_year: 2022, last_year: 2026}）：写入履职档案（--archive）须有此项",
    )
    settings: Settings = Field(default_factory=Settings, description="取舍、并列、任期等设置")
    base: Number = Field(0, description="基础分：每位委员先得此分")
    total: Total = Field(default_factory=Total, description="总分上下限")
    categories: list[Category] = Field(min_length=1, description="计分类别")
    checklist: Checklist | None = Field(None, description="完成清单（如双五个一）")
    grades: list[Grade] = Field(min_length=1, description="等次，从高到低")
    input: InputSpec = Field(
        default_factory=InputSpec, description="本单位登记表的其他表名、表头和用词"
    )
    groups: GroupScoring = Field(
        default_factory=GroupScoring, description="分组统计的得分和排名方式"
    )
    bodies: list[Body] = Field(
        default_factory=list,
        description="可在登记表的委员栏中出现的单位（专委会、办公室 …），如 "
        "[{name: 社法委, aliases: [社会和法制委员会]}]：写这些名称的记录归该单位，列在单位统计表中，"
        "不给任何委员计分（除非计分项写 role: [单位]，见 committee）；同一格中的委员照常计分。"
        "既不是委员也不是登记的单位的名称仍是错误",
    )
    consequences: list[Consequence] = Field(
        default_factory=list, description="处理提示（约谈、劝辞等），可依据往年结果"
    )
    awards: list[Award] = Field(
        default_factory=list, description="评优名单（优秀委员、优秀提案、优秀社情民意信息）"
    )
    documents: Documents = Field(
        default_factory=Documents, description="通报、公示等文件的发文单位、列名等次和字体字号"
    )

    @model_validator(mode="after")
    def _term_conditions_refer_to_the_rules(self) -> Rules:
        grade_names = {g.grade for g in self.grades}
        rule_ids = {f"{c.id}.{i.id}" for c in self.categories for i in c.items}
        for consequence in self.consequences:
            term = consequence.term
            if term is None:
                continue
            unknown = [g for g in term.grades or [] if g not in grade_names]
            if unknown:
                raise ValueError(
                    f"处理“{consequence.name}”的 term.grades 中 {'、'.join(unknown)} 不是本办法的等次"
                )
            if term.rule is not None and term.rule not in rule_ids:
                raise ValueError(
                    f"处理“{consequence.name}”的 term.rule “{term.rule}”不是计分项的规则编号"
                )
        return self

    def input_format(self) -> InputFormat:
        """The input format this office's workbooks follow: the defaults plus ``input``."""
        return DEFAULT_FORMAT.customised(
            self.input.sheets, self.input.headers, self.input.words, self.input.roster_columns
        )

    def body_names(self) -> dict[str, str]:
        """Every spelling of a declared body (its name, its aliases) -> its name."""
        return {text: body.name for body in self.bodies for text in (body.name, *body.aliases)}

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # `version: 2023.1` is a number to YAML; a clerk means the text.
        return (
            str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        )

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, categories: list[Category]) -> list[Category]:
        dupes = _repeated(c.id for c in categories)
        if dupes:
            raise ValueError(f"类别编号重复：{'、'.join(dupes)}")
        dupes = _repeated(c.name for c in categories)
        if dupes:
            raise ValueError(f"类别名称重复：{'、'.join(dupes)}（分项得分表每类一列，列名须不同）")
        return categories

    @field_validator("input")
    @classmethod
    def _columns_not_categories(cls, spec: InputSpec, info: ValidationInfo) -> InputSpec:
        ids = {c.id for c in info.data.get("categories") or []}
        taken = [column for column in spec.roster_columns if column in ids]
        if taken:
            raise ValueError(
                f"roster_columns 中的 {'、'.join(taken)} 与类别编号相同（结果表中各占一列），请换一个"
            )
        return spec

    @field_validator("groups")
    @classmethod
    def _known_dimensions(cls, groups: GroupScoring, info: ValidationInfo) -> GroupScoring:
        known = _group_columns(info.data.get("input"))
        for dimension in groups.dimensions:
            unknown = [part for part in dimension.split("/") if part not in known]
            if unknown:
                raise ValueError(
                    f"分组“{dimension}”中的 {'、'.join(unknown)} 不是分组：可用 {'、'.join(known)}；"
                    "委员名单中另有的列先在 input.roster_columns 中登记"
                )
        return groups

    @field_validator("bodies")
    @classmethod
    def _unique_bodies(cls, bodies: list[Body]) -> list[Body]:
        dupes = _repeated(
            _folded(text) for body in bodies for text in dict.fromkeys([body.name, *body.aliases])
        )
        if dupes:
            raise ValueError(f"单位的名称或写法重复：{'、'.join(dupes)}")
        return bodies

    @field_validator("awards")
    @classmethod
    def _unique_awards(cls, awards: list[Award], info: ValidationInfo) -> list[Award]:
        known = _group_columns(info.data.get("input"))
        for award in awards:
            if award.group_cap is not None and award.group_cap.dimension not in known:
                raise ValueError(
                    f"评选“{award.name}”的 group_cap.dimension “{award.group_cap.dimension}”不是分组："
                    f"可用 {'、'.join(known)}"
                )
        dupes = _repeated(a.id for a in awards)
        if dupes:
            raise ValueError(f"评选编号重复：{'、'.join(dupes)}")
        # Excel compares sheet names without case: 评优-A and 评优-a are the same sheet.
        dupes = _repeated(a.name.casefold() for a in awards)
        if dupes:
            raise ValueError(
                f"评选名称重复：{'、'.join(dupes)}（每个评选的名单是一张工作表，名称须不同，大小写不算不同）"
            )
        return awards

    @field_validator("grades")
    @classmethod
    def _bands_descend(cls, grades: list[Grade]) -> list[Grade]:
        dupes = _repeated(g.grade for g in grades)
        if dupes:
            raise ValueError(f"等次名称重复：{'、'.join(dupes)}")
        *upper, last = grades
        if last.min is not None:
            raise ValueError("最后一档等次不写 min（它接住其余所有分数）")
        for band in upper:
            if band.min is None:
                raise ValueError(f"等次“{band.grade}”须写 min（只有最后一档不写）")
        mins = [band.min for band in upper if band.min is not None]  # every one, checked above
        if any(a <= b for a, b in itertools.pairwise(mins)):
            raise ValueError("等次须从高到低排列，各档 min 依次递减")
        return grades

    @model_validator(mode="after")
    def _listed_grades_exist(self) -> Rules:
        known = [band.grade for band in self.grades]
        unknown = [g for g in self.documents.listed_grades or [] if g not in known]
        if unknown:
            raise ValueError(
                f"documents.listed_grades 中的 {'、'.join(unknown)} 不是等次；等次有：{'、'.join(known)}"
            )
        return self

    @model_validator(mode="after")
    def _unique_category_ids(self) -> Rules:
        ids = [c.id for c in self.categories]
        if self.checklist is not None and self.checklist.bonus:
            bonus_column = f"{self.checklist.name}奖励"
            if bonus_column in {c.name for c in self.categories}:
                raise ValueError(f"类别名称“{bonus_column}”与清单奖励的列名相同，请换一个")
        known = {"member_id", *ids}
        unknown = [key for key in self.settings.tie_break if key not in known]
        if unknown:
            raise ValueError(
                f"settings.tie_break 中的 {'、'.join(unknown)} 不是类别编号，也不是 member_id"
            )
        if any(g.requires_checklist for g in self.grades) and self.checklist is None:
            raise ValueError("等次要求完成清单（requires_checklist），但规则中没有 checklist")
        grade_names = {g.grade for g in self.grades}
        rule_ids = {f"{c.id}.{i.id}" for c in self.categories for i in c.items}
        for award in self.awards:
            unknown = [g for g in award.requires.grades or [] if g not in grade_names]
            if unknown:
                raise ValueError(
                    f"评选“{award.name}”的 requires.grades 中 {'、'.join(unknown)} 不是本办法的等次"
                )
            if award.requires.no_lines is not None and award.requires.no_lines.rule not in rule_ids:
                raise ValueError(
                    f"评选“{award.name}”的 no_lines.rule “{award.requires.no_lines.rule}”不是计分项的规则编号"
                )
            if award.requires.checklist_complete and self.checklist is None:
                raise ValueError(f"评选“{award.name}”要求完成清单，但规则中没有 checklist")
            unknown = [key for key in award.rank_by or [] if key not in ids]
            if unknown:
                raise ValueError(
                    f"评选“{award.name}”的 rank_by 中 {'、'.join(unknown)} 不是类别编号；可用：{'、'.join(ids)}"
                )
            allowed = {"member_id", *ids} if award.pool == "members" else {"date", "item_id"}
            wrong = [key for key in award.tie_break or [] if key not in allowed]
            if wrong:
                raise ValueError(
                    f"评选“{award.name}”的 tie_break 中 {'、'.join(wrong)} 不可用；可用：{'、'.join(sorted(allowed))}"
                )
        for consequence in self.consequences:
            unknown = [g for g in consequence.grades or [] if g not in grade_names]
            if unknown:
                raise ValueError(
                    f"处理“{consequence.name}”的 grades 中 {'、'.join(unknown)} 不是本办法的等次"
                )
            if consequence.lines is not None and consequence.lines.rule not in rule_ids:
                raise ValueError(
                    f"处理“{consequence.name}”的 lines.rule “{consequence.lines.rule}”不是计分项的规则编号"
                    f"（形如 类别编号.计分项编号，如 {next(iter(sorted(rule_ids)))}）"
                )
        return self
