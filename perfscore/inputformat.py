"""The input workbook's format: its sheets, their columns and the words allowed in them.

This module is the single declaration that the reader, the normaliser, the docs and the sample
generator all follow. Sheet names and headers are Chinese; each has aliases (other Chinese
wordings and English names) so that an office's own workbook is read without renaming.

Value vocabularies map every accepted spelling (已立案, 是 …) to one canonical word (立案).
A *closed* vocabulary rejects a word it does not know; an *open* one keeps it as written
(after alias folding) so that an office may use meeting or activity types of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "Column",
    "Sheet",
    "Vocabulary",
    "SHEETS",
    "VOCABULARIES",
    "RECORD_KINDS",
    "RECORD_FIELDS",
    "INFO_ADOPTED",
    "INFO_NOT_ADOPTED",
    "ROLE_LEAD",
    "ROLE_CO",
    "ROLE_PARTICIPANT",
    "ROLE_BODY",
    "sheet_by_key",
    "InputFormat",
    "DEFAULT_FORMAT",
    "declared_roster_columns",
]

ColumnKind = Literal["id", "text", "names", "member", "date", "flag", "choice"]

ROLE_LEAD = "领衔"
ROLE_CO = "附议"
ROLE_PARTICIPANT = "参加"
# A record credited to a declared body, given to each member of the body's 专委会 when a rule
# asks for it (``role: [单位]``): see perfscore.scoring.bodies.
ROLE_BODY = "单位"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    vocabulary: str = ""  # key into VOCABULARIES for kind == "choice" / "flag"
    help: str = ""
    example: str = ""

    @property
    def all_headers(self) -> tuple[str, ...]:
        return (self.header, self.key, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.key, *self.aliases)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class Vocabulary:
    key: str
    name: str
    words: dict[str, tuple[str, ...]]  # canonical word -> accepted spellings
    closed: bool = True
    default: str = ""  # used for an empty cell; "" means the cell is required

    def alias_map(self) -> dict[str, str]:
        """Every accepted spelling (and the canonical word itself) -> canonical word."""
        mapping: dict[str, str] = {}
        for canonical, spellings in self.words.items():
            for spelling in (canonical, *spellings):
                mapping[spelling] = canonical
                mapping[spelling.lower()] = canonical
        return mapping


VOCABULARIES: dict[str, Vocabulary] = {
    v.key: v
    for v in [
        Vocabulary(
            "flag",
            "是/否",
            {
                "是": (
                    "Y",
                    "y",
                    "yes",
                    "Yes",
                    "YES",
                    "1",
                    "√",
                    "✓",
                    "true",
                    "True",
                    "TRUE",
                    "常委",
                ),
                "否": ("N", "n", "no", "No", "NO", "0", "×", "false", "False", "FALSE", "不是"),
            },
            default="否",
        ),
        Vocabulary(
            "proposal_form",
            "提案方式",
            {
                "个人": ("个人提案",),
                "联名": ("联名提案", "多人"),
                "集体": ("集体提案", "界别", "党派", "专委会"),
            },
        ),
        Vocabulary(
            "proposal_status",
            "提案状态",
            {
                "立案": ("已立案", "是", "予以立案", "同意立案"),
                "不立案": ("不予立案", "未立案", "否", "不立"),
                "并案": ("并案处理", "合并", "已并案"),
                "转社情民意": ("转为社情民意", "转社情民意信息", "转意见建议", "转来信", "转办"),
            },
        ),
        Vocabulary(
            "proposal_mark",
            "提案标记",
            {
                "重点提案": ("重点", "重点督办", "重点督办提案"),
                "优秀提案": ("优秀", "好提案", "年度优秀提案"),
            },
        ),
        Vocabulary(
            "adoption_event",
            "采用/批示",
            {"采用": ("已采用", "录用", "采纳", "刊用"), "批示": ("领导批示", "获批示", "签批")},
        ),
        Vocabulary(
            "level",
            "级别",
            {
                "县": ("县级", "区", "区级", "县区"),
                "市": ("市级", "地市", "州", "州级"),
                "省": ("省级", "自治区"),
                "全国": ("全国级", "国家", "国家级", "中央", "全国政协"),
            },
        ),
        Vocabulary(
            "report_outcome",
            "调研成果",
            {
                "提交": ("撰写", "已提交", "完成"),
                "采用": ("已采用", "录用", "采纳"),
                "批示": ("领导批示", "获批示"),
            },
            default="提交",
        ),
        Vocabulary(
            "meeting_type",
            "会议类型",
            {
                "全体会议": ("全会", "政协全会", "全体委员会议"),
                "常委会议": ("常委会", "常务委员会议"),
                "专题协商会": ("协商会",),
                "双月座谈会": ("座谈会",),
                "主席会议": (),
            },
            closed=False,
        ),
        Vocabulary(
            "attendance",
            "出勤情况",
            {
                "出席": ("参加", "到会", "出勤", "√", "✓", "是"),
                "请假": ("事假", "病假", "公假", "已请假", "请假已批准"),
                "请假未批准": ("未批准请假", "请假未批", "请假未获批准"),
                "缺席": ("无故缺席", "未到", "缺勤", "×", "否"),
                "迟到": (),
                "早退": (),
            },
        ),
        Vocabulary(
            "activity_type",
            "活动类型",
            {
                "视察": (),
                "调研": ("调查研究",),
                "民主监督": ("监督",),
                "座谈": (),
                "宣讲": ("政策宣讲",),
                "培训": ("履职培训", "学习培训"),
                "读书": ("读书活动",),
                "界别活动": (),
                "公益": ("公益活动", "志愿服务"),
                "发言": ("大会发言", "会议发言"),
            },
            closed=False,
        ),
        Vocabulary(
            "activity_form",
            "活动形式",
            {
                "全程": ("全部", "全程参加"),
                "部分": ("部分参加", "半程"),
                "口头": ("口头发言",),
                "书面": ("书面发言",),
            },
            closed=False,
        ),
        Vocabulary(
            "duty_item",
            "双五个一项目",
            {
                "践一诺": (),
                "献一策": (),
                "提一案": (),
                "联一村": (),
                "帮一企": (),
                "参加一次履职培训": ("履职培训", "培训"),
                "撰写一篇调研报告": ("调研报告",),
                "提交一条社情民意信息": ("社情民意信息", "社情民意"),
                "开展一次政策宣讲": ("政策宣讲", "宣讲"),
                "讲好一个履职故事": ("履职故事",),
            },
            closed=False,
        ),
    ]
}


def _col(
    key: str,
    header: str,
    kind: ColumnKind = "text",
    *,
    required: bool = False,
    aliases: tuple[str, ...] = (),
    vocabulary: str = "",
    help: str = "",
    example: str = "",
) -> Column:
    return Column(key, header, kind, required, aliases, vocabulary, help, example)


_DATE_HELP = "日期单元格，或 2023-05-24、2023/5/24、2023.5.24、2023年5月24日 等文字"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "roster",
        "委员名单",
        required=True,
        aliases=("委员", "名单", "委员信息", "members", "roster"),
        help="每位委员一行。委员编号为文本，前导零保留。",
        columns=(
            _col(
                "member_id",
                "委员编号",
                "id",
                required=True,
                aliases=("编号", "委员证号", "ID", "id"),
                help="唯一编号（文本）",
                example="0001",
            ),
            _col(
                "name",
                "姓名",
                required=True,
                aliases=("委员姓名", "name"),
                help="委员姓名",
                example="张三",
            ),
            _col(
                "sector",
                "界别",
                required=True,
                aliases=("所在界别", "sector"),
                help="所属界别",
                example="经济界",
            ),
            _col(
                "committee",
                "专委会",
                aliases=("所属专委会", "专门委员会", "committee"),
                help="所属专门委员会",
                example="提案委",
            ),
            _col(
                "study_group",
                "学习组",
                aliases=("学习小组", "study_group"),
                help="学习组；多个用顿号分隔",
                example="第一学习组",
            ),
            _col(
                "work_group",
                "工作组",
                aliases=("活动组", "联络组", "work_group"),
                help="工作组/活动组；多个用顿号分隔",
                example="第一工作组",
            ),
            _col(
                "standing",
                "常委",
                "flag",
                aliases=("是否常委", "standing"),
                vocabulary="flag",
                help="是/否，空为否",
                example="否",
            ),
            _col(
                "term_start",
                "任职起始",
                "date",
                aliases=("任职开始", "起始日期", "term_start"),
                help="年中增补的委员填增补日期；空为全年在任",
                example="2023-01-01",
            ),
            _col(
                "term_end",
                "任职终止",
                "date",
                aliases=("任职结束", "终止日期", "term_end"),
                help="年中离任的委员填离任日期；空为全年在任",
                example="",
            ),
        ),
    ),
    Sheet(
        "proposals",
        "提案",
        aliases=("提案登记", "提案情况", "proposals"),
        help="每件提案一行。提案人按顺序填写，第一位为第一提案人（领衔），其余为附议/联名。",
        columns=(
            _col(
                "item_id",
                "提案编号",
                "id",
                required=True,
                aliases=("案号", "提案号", "编号", "proposal_id"),
                example="2023001",
            ),
            _col(
                "title",
                "标题",
                required=True,
                aliases=("案由", "提案标题", "title"),
                example="关于加快县域物流体系建设的提案",
            ),
            _col(
                "date",
                "提交日期",
                "date",
                required=True,
                aliases=("日期", "提交时间", "date"),
                help=_DATE_HELP,
                example="2023-01-10",
            ),
            _col(
                "type",
                "提案方式",
                "choice",
                aliases=("方式", "类型", "提案类型", "form"),
                vocabulary="proposal_form",
                help="个人/联名/集体；空则按提案人数判断",
                example="联名",
            ),
            _col(
                "members",
                "提案人",
                "names",
                required=True,
                aliases=(
                    "提案者",
                    "提案委员",
                    "第一提案人",
                    "领衔人",
                    "领衔提案人",
                    "附议人",
                    "联名人",
                    "联名提案人",
                    "proposers",
                ),
                help="按顺序，用顿号分隔；姓名或委员编号。也可分几列填写（如“第一提案人”“附议人”），按列的先后读取",
                example="张三、李四",
            ),
            _col(
                "status",
                "状态",
                "choice",
                required=True,
                aliases=("审查结果", "立案情况", "是否立案", "status"),
                vocabulary="proposal_status",
                help="立案/不立案/并案/转社情民意",
                example="立案",
            ),
            _col(
                "merged_into",
                "并入案号",
                "id",
                aliases=("并案至", "merged_into"),
                help="并案时填写并入的提案编号",
                example="",
            ),
            _col(
                "marks",
                "标记",
                "choice",
                aliases=("评定", "重点/优秀", "marks"),
                vocabulary="proposal_mark",
                help="重点提案、优秀提案，可多个",
                example="重点提案",
            ),
        ),
    ),
    Sheet(
        "information",
        "社情民意",
        aliases=("社情民意信息", "信息报送", "information"),
        help="每条信息一行；采用和批示另记在“信息采用”表。",
        columns=(
            _col(
                "item_id",
                "信息编号",
                "id",
                required=True,
                aliases=("编号", "info_id"),
                example="X2023-001",
            ),
            _col(
                "title",
                "标题",
                required=True,
                aliases=("信息标题", "title"),
                example="关于规范农村集体资产管理的建议",
            ),
            _col(
                "date",
                "报送日期",
                "date",
                required=True,
                aliases=("日期", "报送时间", "date"),
                help=_DATE_HELP,
                example="2023-03-02",
            ),
            _col(
                "members",
                "作者",
                "names",
                required=True,
                aliases=("报送人", "撰稿人", "authors"),
                help="按顺序，用顿号分隔",
                example="王五",
            ),
        ),
    ),
    Sheet(
        "adoptions",
        "信息采用",
        aliases=("采用情况", "采用批示", "adoptions"),
        help="每次采用或批示一行：同一条信息可在多个级别采用，各记一行。",
        columns=(
            _col(
                "item_id",
                "信息编号",
                "id",
                required=True,
                aliases=("编号", "info_id"),
                example="X2023-001",
            ),
            _col(
                "type",
                "类别",
                "choice",
                required=True,
                aliases=("事项", "采用/批示", "event"),
                vocabulary="adoption_event",
                help="采用/批示",
                example="采用",
            ),
            _col(
                "level",
                "级别",
                "choice",
                required=True,
                aliases=("采用级别", "批示级别", "level"),
                vocabulary="level",
                help="县/市/省/全国",
                example="市",
            ),
            _col(
                "date",
                "日期",
                "date",
                required=True,
                aliases=("采用日期", "date"),
                help=_DATE_HELP,
                example="2023-04-18",
            ),
            _col("note", "备注", aliases=("说明", "note"), example="市委办公室刊发"),
        ),
    ),
    Sheet(
        "reports",
        "调研报告",
        aliases=("调研", "调研成果", "reports"),
        help="每篇调研报告一行。",
        columns=(
            _col(
                "item_id",
                "报告编号",
                "id",
                required=True,
                aliases=("编号", "report_id"),
                example="D2023-01",
            ),
            _col(
                "title",
                "标题",
                required=True,
                aliases=("报告标题", "title"),
                example="关于全市养老服务体系的调研报告",
            ),
            _col(
                "date",
                "日期",
                "date",
                required=True,
                aliases=("完成日期", "提交日期", "date"),
                help=_DATE_HELP,
                example="2023-06-30",
            ),
            _col(
                "members",
                "作者",
                "names",
                required=True,
                aliases=("执笔人", "authors"),
                help="按顺序，用顿号分隔",
                example="赵六、钱七",
            ),
            _col(
                "status",
                "成果",
                "choice",
                aliases=("成果情况", "outcome"),
                vocabulary="report_outcome",
                help="提交/采用/批示，空为提交",
                example="采用",
            ),
        ),
    ),
    Sheet(
        "attendance",
        "会议出勤",
        aliases=("会议", "出勤", "考勤", "attendance", "meetings"),
        help="每位委员每次会议一行。",
        columns=(
            _col(
                "title",
                "会议名称",
                required=True,
                aliases=("会议", "meeting"),
                example="政协第十届委员会第二次会议",
            ),
            _col(
                "type",
                "会议类型",
                "choice",
                required=True,
                aliases=("类型", "meeting_type"),
                vocabulary="meeting_type",
                help="全体会议/常委会议/专题协商会/双月座谈会 等",
                example="全体会议",
            ),
            _col(
                "date",
                "日期",
                "date",
                required=True,
                aliases=("会议日期", "date"),
                help=_DATE_HELP,
                example="2023-01-08",
            ),
            _col(
                "members",
                "委员",
                "member",
                required=True,
                aliases=("姓名", "委员姓名", "member"),
                help="一行一位委员",
                example="张三",
            ),
            _col(
                "status",
                "出勤情况",
                "choice",
                required=True,
                aliases=("出勤", "状态", "attendance"),
                vocabulary="attendance",
                help="出席/请假/请假未批准/缺席/迟到/早退",
                example="出席",
            ),
        ),
    ),
    Sheet(
        "activities",
        "活动",
        aliases=("履职活动", "活动参加", "activities"),
        help="每次活动一行，参加委员可多人（顿号分隔）。",
        columns=(
            _col(
                "title",
                "活动名称",
                required=True,
                aliases=("活动", "名称", "activity"),
                example="全市重点项目建设视察",
            ),
            _col(
                "type",
                "活动类型",
                "choice",
                required=True,
                aliases=("类型", "activity_type"),
                vocabulary="activity_type",
                help="视察/调研/民主监督/座谈/宣讲/培训/读书/界别活动/公益/发言",
                example="视察",
            ),
            _col(
                "subtype",
                "形式",
                "choice",
                aliases=("参加形式", "方式", "form"),
                vocabulary="activity_form",
                help="培训填 全程/部分；发言填 口头/书面",
                example="",
            ),
            _col(
                "date",
                "日期",
                "date",
                required=True,
                aliases=("活动日期", "date"),
                help=_DATE_HELP,
                example="2023-05-16",
            ),
            _col(
                "members",
                "参加委员",
                "names",
                required=True,
                aliases=("委员", "参加人员", "members"),
                help="用顿号分隔",
                example="张三、李四",
            ),
        ),
    ),
    Sheet(
        "duties",
        "双五个一",
        aliases=("双五个一台账", "履职台账", "duties"),
        help="委员完成“双五个一”各项的登记，每项一行。",
        columns=(
            _col(
                "members",
                "委员",
                "member",
                required=True,
                aliases=("姓名", "member"),
                example="张三",
            ),
            _col(
                "type",
                "项目",
                "choice",
                required=True,
                aliases=("事项", "item"),
                vocabulary="duty_item",
                help="践一诺/献一策/提一案/联一村/帮一企/参加一次履职培训/撰写一篇调研报告/提交一条社情民意信息/开展一次政策宣讲/讲好一个履职故事",
                example="联一村",
            ),
            _col(
                "date",
                "日期",
                "date",
                required=True,
                aliases=("完成日期", "date"),
                help=_DATE_HELP,
                example="2023-04-02",
            ),
            _col(
                "title",
                "内容",
                aliases=("说明", "具体内容", "content"),
                example="联系某某村，协调修建灌溉渠",
            ),
        ),
    ),
)

INFO_ADOPTED, INFO_NOT_ADOPTED = "已采用", "未采用"

# The fields a record of each kind carries, and the words they can hold: a vocabulary key, or
# a fixed tuple of words the normaliser sets. A rule that asks a kind for another field, or for
# a word that cannot occur, can never match.
_AUTHORED_ROLES = (ROLE_LEAD, ROLE_CO, ROLE_BODY)
RECORD_FIELDS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "proposal": {
        "type": "proposal_form",
        "status": "proposal_status",
        "marks": "proposal_mark",
        "role": _AUTHORED_ROLES,
    },
    "information": {"status": (INFO_ADOPTED, INFO_NOT_ADOPTED), "role": _AUTHORED_ROLES},
    "adoption": {"type": "adoption_event", "level": "level", "role": _AUTHORED_ROLES},
    "report": {"status": "report_outcome", "role": _AUTHORED_ROLES},
    "meeting": {"type": "meeting_type", "status": "attendance", "role": (ROLE_PARTICIPANT,)},
    "activity": {
        "type": "activity_type",
        "subtype": "activity_form",
        "role": (ROLE_PARTICIPANT, ROLE_BODY),
    },
    "duty": {"type": "duty_item", "role": (ROLE_PARTICIPANT,)},
}

# The register each record kind comes from: one record per member named in a row; `adoption`
# records are one per author of the information item, per 采用/批示 row.
RECORD_KINDS: dict[str, str] = {
    "proposal": "proposals",
    "information": "information",
    "adoption": "adoptions",
    "report": "reports",
    "meeting": "attendance",
    "activity": "activities",
    "duty": "duties",
}


@dataclass(frozen=True)
class InputFormat:
    """The sheets and vocabularies one office's workbooks use: the defaults plus its own words."""

    sheets: tuple[Sheet, ...]
    vocabularies: dict[str, Vocabulary]

    def customised(
        self,
        sheet_names: dict[str, list[str]] | None = None,
        headers: dict[str, dict[str, list[str]]] | None = None,
        words: dict[str, dict[str, list[str]]] | None = None,
        roster_columns: list[str] | None = None,
    ) -> InputFormat:
        """More sheet names, more headers per column, more words (or spellings) per vocabulary,
        and more columns of the roster (``roster_columns``: headers of group columns such as
        联络组, each a required text column whose key is its header).

        Keys must exist (the rules schema checks them); extra names are added after the defaults.
        A roster column's header is no longer an alias of a built-in column (联络组 of 工作组).
        """
        sheet_names, headers, words = sheet_names or {}, headers or {}, words or {}
        new_columns = tuple(roster_columns or ())
        declared = {_folded(header) for header in new_columns}

        def aliases(sheet: Sheet, col: Column) -> tuple[str, ...]:
            more = (*col.aliases, *headers.get(sheet.key, {}).get(col.key, ()))
            if sheet.key != "roster":
                return more
            return tuple(alias for alias in more if _folded(alias) not in declared)

        sheets = tuple(
            replace(
                sheet,
                aliases=(*sheet.aliases, *sheet_names.get(sheet.key, ())),
                columns=tuple(replace(col, aliases=aliases(sheet, col)) for col in sheet.columns)
                + (
                    tuple(
                        Column(header, header, "text", required=True, help="本单位登记的分组列")
                        for header in new_columns
                    )
                    if sheet.key == "roster"
                    else ()
                ),
            )
            for sheet in self.sheets
        )
        vocabularies = dict(self.vocabularies)
        for key, extra in words.items():
            vocab = vocabularies[key]
            merged = {word: tuple(spellings) for word, spellings in vocab.words.items()}
            for word, spellings in extra.items():
                merged[word] = (*merged.get(word, ()), *spellings)
            vocabularies[key] = replace(vocab, words=merged)
        return InputFormat(sheets=sheets, vocabularies=vocabularies)


DEFAULT_FORMAT = InputFormat(sheets=SHEETS, vocabularies=VOCABULARIES)


def _folded(text: str) -> str:
    """Headers compared as the rules schema compares a declared column: case and spaces aside."""
    return "".join(text.split()).casefold()


def declared_roster_columns(sheet: Sheet) -> list[str]:
    """The roster's columns an office declared (``input.roster_columns``), in their order."""
    builtin = {col.key for col in SHEETS[0].columns}
    return [col.key for col in sheet.columns if col.key not in builtin]


def sheet_by_key(key: str) -> Sheet:
    for sheet in SHEETS:
        if sheet.key == key:
            return sheet
    raise KeyError(key)
