"""Reference docs generated from the code's own declarations, so they never drift.

Three Markdown files under ``docs/`` are rendered here, each from the declaration the program
itself follows:

* ``docs/input-format.md``   from :mod:`perfscore.inputformat` (``SHEETS``, ``VOCABULARIES``);
* ``docs/rules.md`` from the pydantic models of :mod:`perfscore.rules.schema`;
* ``docs/commands.md``       from the ``--help`` of every command of :mod:`perfscore.cli`.

Run ``uv run python -m perfscore.docgen`` to rewrite them, ``--check`` to only compare (exit 1
when a file is out of date). The prose a clerk needs beyond the declarations (date formats,
name lists …) is kept here as constants; the YAML examples are excerpts of ``rules/default.yaml``
and ``tests/test_docs.py`` validates each one against its model.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .inputformat import SHEETS, VOCABULARIES, Column, Sheet, Vocabulary
from .rules.schema import Rules

__all__ = [
    "input_format_markdown",
    "rules_reference_markdown",
    "commands_markdown",
    "rule_models",
    "iter_commands",
    "Snippet",
    "RULE_SNIPPETS",
    "RECIPES",
    "GENERATED_DOCS",
    "DOCS_DIR",
    "HELP_WIDTH",
    "main",
]

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
HELP_WIDTH = 100

_GENERATED_NOTE = (
    "<!-- 本文件由 perfscore/docgen.py 根据代码生成，请勿手工修改；"
    "修改代码后运行：uv run python -m perfscore.docgen -->"
)


def _cell(text: object) -> str:
    """Text safe inside one Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    """Inline code, with a fence long enough for any backticks inside."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# =============================================================================================
# docs/input-format.md
# =============================================================================================

_INPUT_INTRO = """\
# 输入工作簿格式 (Input workbook format)

perfscore 读取一个 Excel/WPS 工作簿（活动登记工作簿），其中每个工作表是一种登记表：委员名单、
提案、社情民意、会议出勤…… 本页列出每个工作表的名称、每一列的表头和可填的词。
除“委员名单”外，各登记表都可以没有；没有的表按“没有记录”处理。
运行 `perfscore template 2024.xlsx` 可生成按本格式排好的空白工作簿：各表的表头、可填词的下拉列表、
示例行和“填表说明”（加 `--rules 本单位办法.yaml` 则含本单位的表名、表头和用词）。

开发者提示：本页由 `perfscore/inputformat.py` 中的 `SHEETS` 和 `VOCABULARIES` 生成。"""

_INPUT_PRINCIPLE = """\
## 原则：总分只按单元格上写的内容计算

考核结果决定谁受表彰、谁被劝辞，所以 perfscore 最不能做的，是给出一份看上去正常、分数却算错了的结果。
它遵守一条原则：**总分必须是规则文件对工作簿中写下的单元格给出的分数**。凡是 perfscore 需要猜测
经办人本意的地方，都按**错误**处理：不计分、不写出结果、退出码为 1，指出工作表和单元格（如 `提案!F14`）
并给出修改建议；只有用户用命令行选项或规则文件中的键明确允许时，才按允许的方式处理。
不会改变任何总分的情况，以及由规则明确排除的记录，才是**警告**（照常计分，警告列在终端和结果的“数据提示”表中）。

### 是错误的（退出码 1，不写出结果）

| 情况 | perfscore 的提示 | 怎样允许 |
|---|---|---|
| 同一登记表有两张工作表（如隐藏的旧表“调研报告”和现用的“调研成果”，不论是否隐藏） | 指出两张表，两张都不读取 | 删除或移走不用的那张 |
| 同一列有两列（如隐藏的“出勤情况”和“出勤”，不论是否隐藏） | 指出两列的表头单元格 | 删除不用的列，或改它的表头 |
| 工作表的表头含有某登记表的全部必填列，但表名不是 perfscore 认识的名称（如把“会议出勤”改名为“出勤登记”） | 建议把表名改为登记表的名称 | 改表名，或在规则文件 `input.sheets` 中登记这个表名 |
| 同一条记录登记了两次（同一委员、同一会议或活动、同一日期） | 指出两个单元格 | `--allow-duplicates` |
| 提案、信息、调研报告的编号重复 | 指出重复的单元格 | — |
| 委员编号的形式与其他编号不同（如 `13` 混在 `0001`…`0030` 中），且登记表用到这位委员 | 给出可能的编号（如 `0013`） | 把编号列设为“文本”格式后重新填写 |
| 提案方式为“个人”却有几位提案人，或为“联名”“集体”却只有一位 | 指出提案方式单元格 | — |
| 规则按某列的词计分（`points_by`），记录写的词规则没有列出、也不是词表中的标准词（如规则列出 国家/省/地市/县，记录写“市”） | 列出规则中的词和最接近的词 | 改为规则中的词，或在规则中写上这个词及其分值（不计分写 0） |
| 双五个一项目不是规则中的项目、也不是词表中的词（如“联系一村”） | 提示最接近的项目（联一村） | 改为规则中的项目，或在 `input.words.duty_item` 中登记为别名 |
| 不认识的词（“不接受其他词”的词表）、名单中没有的人、无法识别的日期、必填的单元格为空、Excel 错误值 | 指出单元格 | `--skip-bad-rows`：名单中没有的姓名只跳过这个姓名，其他错误跳过整行，每个跳过的都逐条列出 |

### 是警告的（照常计分）

* 不在考核年度内、或不在委员任期内的记录：由考核年度和规则（`settings.outside_term`）明确排除，不计分，
  并指出每条未计的记录；任期外的记录还说明计入时是多少分。
* 读取了隐藏的工作表或隐藏的列：照常读取，提示经办人核对（隐藏的内容经办人可能看不到）。
* 评优名单列入的提案或信息，第一作者的记录没有计分（如不在任期内）。
* 表名和表头都不是登记表的工作表（如“联系电话”）：不读取，并给出提示；“说明”“目录”“封面”等表和隐藏的表不提示。
* 只写了月日的日期、公式没有保存计算结果等其他提示。

### perfscore 照经办人看到的样子读取
* 用单元格格式显示的数字按显示的样子读取：编号列中数字 `13` 设了格式 `0000`、显示为 `0013`，读作 `0013`。
* 合并的两行表头（如“提案人”合并在“第一提案人 | 附议人”之上）在 .xlsx、.xls、.ods 中同样识别；
  每条积分明细的来源单元格是写着这位委员姓名的单元格（附议人一列中的人，来源是附议人一列的单元格）。
* 合并的表头占两列时算一列，不算“同一列有两列”。
* 终端的摘要和结果的“数据提示”表逐个写明每张登记表读取了哪张工作表、多少行，或工作簿中没有这张表
  （规则按它计分时特别注明：没有这张表，这些项目都不得分）。"""

_INPUT_GENERAL = """\
## 通用说明

### 文件
* 支持 `.xlsx`、`.xlsm`、`.xls`（Excel）和 `.ods`（WPS/LibreOffice）文件。
* perfscore **只读取**工作簿，从不修改它；结果写入另一个文件（默认是工作簿旁的“<文件名>-考核结果.xlsx”）。
* 以 `~$` 开头的文件是 Excel/WPS 打开文件时留下的锁定文件，不是工作簿，请指定原文件。

### 工作表和表头
* 工作表按名称查找：写本页列出的名称或“也可叫作”中的任一名称都可以；不区分全角/半角和英文大小写。
* 表头所在行不必是第一行：表头上方可以有标题行（如“2023 年度提案登记表”），
  perfscore 在前 15 行中找含表头最多的一行作为表头行。
* 单位：在“委员名单”表头上方的一行写 `单位：城关区政协`（或一格写“单位”、右边一格写名称），
  也可以写在“填表说明”工作表的前几行。单位名称写入考核结果，`perfscore combine` 据此比较各单位；
  没有写明时用文件名（不含扩展名）作单位名称。
* 每列的表头写本页列出的“表头”或“可用的其他表头”中的任一个都可以；列的先后顺序不限。
* 表头中的空格和换行不影响识别：`姓　名`、`界  别`、分两行写的“提交日期”都可以认出。
* 本页没有列出的列（如“序号”“联系电话”）不读取，可以保留。
* “必填”列缺少时，该表无法读取，perfscore 会说明缺少哪一列以及表头可以怎样写。

### 行
* 空行（本页列出的各列都为空）不读取。
* 合计行不读取：第一个有内容的单元格以“合计”“总计”或“小计”开头的行，如 `合计`、`合计：2件`、`小计(3)`。
* 出错时，perfscore 会指出工作表名和单元格（如 `提案!F14`），一次列出所有错误；有错误时不计分，也不写出结果。

### 委员编号
* 委员编号按**文本**读取，`0001` 和 `1` 是不同的编号。
* 在 Excel 中把编号列设为“文本”格式（或先输入英文单引号，如 `'0001`），否则 Excel 会把 `0001` 存成数字 1，前导零丢失。

### 日期
日期列可以填：
* Excel 的日期单元格；
* 文字：`2023-05-24`、`2023/5/24`、`2023.5.24`、`2023年5月24日`；
* Excel 的日期序号（如 `45070`，即 2023-05-24）；
* 只写月日，如 `5月24日`：按考核年度计，并给出提示，建议写完整日期。

不在考核年度内的记录不计分，并给出提示。考核年度可用 `--year` 指定，或写在规则文件的 `year` 中；
都不写时取各登记表日期中最多的年份。

### 委员姓名和姓名列表
* 委员可以写姓名或委员编号。同名的委员须写委员编号。
* 一个单元格可写多位委员，用顿号 `、`、逗号 `，` `,`、分号 `；` `;`、斜杠 `/` 或空格分隔。
* 顺序有意义：第一位是第一提案人/第一作者（角色“领衔”），其余为“附议”（联名者、合写者）；
  活动的参加委员、会议出勤和“双五个一”中的委员，角色都是“参加”。
* 姓名后括号中的标注会被去掉：`张三（民盟）`、`张三(民盟)`、`张三【特邀】` 都按“张三”查找。
* 登记表中空格是分隔符：两字姓名中间不要为对齐加空格，`张 三` 会被当作“张”和“三”两个人。
  （“委员名单”的姓名列中，姓名里的空格会被去掉。）
* 填写的人不在委员名单中时，perfscore 会指出单元格，并提示名单中相近的姓名。

### 可填的词
选择类的列（如提案状态、出勤情况）须填下面“可填的词”中列出的词或其别名。
“不接受其他词”的词表中，写了不认识的词会报错；“接受其他词”的词表（如会议类型、活动类型）
会照原样保留不认识的词，以便规则文件按本单位的类型计分。"""

_KIND_HELP: dict[str, str] = {
    "id": "编号（按文本读取）",
    "text": "文字",
    "names": "委员姓名或编号，可多位",
    "member": "一位委员的姓名或编号",
    "date": "日期",
    "flag": "是/否",
    "choice": "可填的词",
}


def _vocab_anchor(vocab: Vocabulary) -> str:
    return f"vocab-{vocab.key}"


def _sheet_anchor(sheet: Sheet) -> str:
    return f"sheet-{sheet.key}"


def _column_help(col: Column) -> str:
    text = col.help or _KIND_HELP.get(col.kind, "")
    if col.vocabulary:
        vocab = VOCABULARIES[col.vocabulary]
        text += f"（词表：[{vocab.name}](#{_vocab_anchor(vocab)})）"
    return text


def _other_names(primary: str, names: tuple[str, ...]) -> list[str]:
    return [n for n in dict.fromkeys(names) if n != primary]


def _sheet_markdown(sheet: Sheet) -> list[str]:
    lines = [f'<a id="{_sheet_anchor(sheet)}"></a>', "", f"## {sheet.name}", ""]
    others = _other_names(sheet.name, (*sheet.aliases, sheet.key))
    lines.append(
        f"* 工作表名：**{sheet.name}**；也可叫作：{'、'.join(_code(n) for n in others) or '—'}"
    )
    lines.append(f"* {'**必须有**' if sheet.required else '可以没有'}")
    lines.append(f"* 一行是什么：{sheet.help or '—'}")
    lines.append("")
    rows = []
    for col in sheet.columns:
        aliases = _other_names(col.header, (*col.aliases, col.key))
        rows.append(
            [
                _cell(col.header),
                _cell("、".join(aliases)) or "—",
                "是" if col.required else "否",
                _cell(_column_help(col)),
                _cell(col.example) or "—",
            ]
        )
    lines += _table(["表头", "可用的其他表头", "必填", "内容", "示例"], rows)
    lines.append("")
    return lines


def _vocabulary_markdown(vocab: Vocabulary) -> list[str]:
    used_by = [
        f"{sheet.name}·{col.header}"
        for sheet in SHEETS
        for col in sheet.columns
        if col.vocabulary == vocab.key
    ]
    lines = [f'<a id="{_vocab_anchor(vocab)}"></a>', "", f"### {vocab.name}", ""]
    lines.append(f"* 用于：{'、'.join(used_by) or '—'}")
    if vocab.closed:
        lines.append("* 其他词：**不接受**（写了不认识的词会报错）")
    else:
        lines.append("* 其他词：**接受**（不认识的词照原样保留，规则文件可按它计分）")
    if vocab.default:
        lines.append(f"* 单元格为空时：按“{vocab.default}”计")
    else:
        lines.append("* 单元格为空时：必填的列报错；非必填的列视为未填写")
    lines.append("")
    rows = [
        [_cell(word), _cell("、".join(spellings)) or "—"] for word, spellings in vocab.words.items()
    ]
    lines += _table(["标准词", "也可写作"], rows)
    lines.append("")
    return lines


def input_format_markdown() -> str:
    """docs/input-format.md: every sheet, column and vocabulary of the input workbook."""
    lines = [_GENERATED_NOTE, "", _INPUT_INTRO, "", "## 工作表一览", ""]
    rows = [
        [
            f"[{sheet.name}](#{_sheet_anchor(sheet)})",
            "必须有" if sheet.required else "可以没有",
            _cell(sheet.help),
        ]
        for sheet in SHEETS
    ]
    lines += _table(["工作表", "是否必须", "一行是什么"], rows)
    lines += ["", _INPUT_PRINCIPLE, "", _INPUT_GENERAL, ""]
    for sheet in SHEETS:
        lines += _sheet_markdown(sheet)
    lines += [
        "## 可填的词（词表）",
        "",
        "左列是标准词（结果和规则文件中使用的词），右列是也可以填写的其他写法，填写后按标准词计。",
        "",
    ]
    for vocab in VOCABULARIES.values():
        lines += _vocabulary_markdown(vocab)
    return "\n".join(lines).rstrip() + "\n"


# =============================================================================================
# docs/rules.md
# =============================================================================================

_RULES_INTRO = """\
# 规则文件参考 (Rules file reference)

规则文件是一个 YAML 文本文件，写明本单位的积分办法：基础分、计分类别和计分项、封顶和保底、
完成清单（如“双五个一”）和等次。perfscore 自带的示例办法是 `rules/default.yaml`，
可复制后按本单位的办法修改，并用 `perfscore rules check 文件名.yaml` 检查。
分数的计算顺序见 [scoring.md](scoring.md)。

本页列出规则文件中每一个键：类型、不写时的默认值和含义。

* 写了本页没有列出的键会报错（并提示相近的键），以免拼错的键被悄悄忽略。
* “默认值”一栏写“**必填**”的键必须写；写“不写”的键可以省略，省略即表示没有该项（如不封顶）。
* 位置中的 `[]` 表示“列表中的每一项”，如 `categories[].items[]` 是每个类别下的每个计分项。
* **各计分项互相独立：一条记录可以同时被几个计分项计分**（如一件重点提案，既按“提案立案”计分，
  又按“重点提案”加分）。不想重复计分时，用 `match` 的条件把计分项分开（如一项写 `type: [全体会议]`，
  另一项写 `type: [常委会议]`），不要让“其他会议”这样的项也匹配全体会议。

开发者提示：本页由 `perfscore/rules/schema.py` 中的 pydantic 模型生成（键的说明取自 `Field(description=…)`）。"""

# A Chinese title per model, for the headings.
_MODEL_TITLES: dict[str, str] = {
    "Rules": "规则文件（顶层）",
    "Settings": "设置",
    "Total": "总分上下限",
    "Category": "计分类别",
    "Item": "计分项",
    "Match": "匹配条件",
    "Case": "按情况计分",
    "Condition": "条件",
    "Credit": "多位作者时的计分方式",
    "Checklist": "完成清单",
    "ChecklistItem": "清单项目",
    "Grade": "等次",
    "GroupScoring": "分组得分",
    "Consequence": "处理提示",
    "LineCount": "明细计数",
    "TermCondition": "任期内的条件",
    "Term": "届次",
    "InputSpec": "本单位登记表的写法",
    "Award": "评选",
    "AwardScore": "评选得分",
    "Prerequisites": "参评条件",
    "GroupCap": "分组名额上限",
    "MinShare": "保留名额",
    "Documents": "通报、公示的格式",
    "Scope": "适用的委员",
    "Period": "按周期计",
    "Body": "单位",
}

# Checks done by the models' validators (not visible in the field descriptions).
_MODEL_NOTES: dict[str, list[str]] = {
    "Rules": [
        "类别编号（`categories[].id`）不能重复。",
        "`settings.tie_break` 中的每一项须是类别编号或 `member_id`。",
        "有等次写了 `requires_checklist: true` 时，必须写 `checklist`。",
        "类别名称、等次名称、评选编号不能重复；评选名称也不能重复（不分大小写：每个评选的名单是一张工作表）。",
        "文件中的每个数都须是有限的数，绝对值不超过 1000000（不能写 .nan、.inf）。",
        "文字中不能有控制字符（如终端的转义序列）；别名（`&名称`、`*名称`）展开后不能比文件本身大得多；嵌套不超过 32 层。",
    ],
    "Category": [
        "同一类别内的计分项编号（`items[].id`）不能重复。",
        "类别编号不能用结果表已有的列名（total、base、rank、name 等），否则会报“是结果表中已有的列名”。",
        "类别名称不能用分项得分表已有的列名（姓名、总分、等次等），否则会报“是分项得分表中已有的列名”。",
        "封顶分 `max` 不能小于起始分 `start`，最低分 `min` 不能大于起始分（`start` 不写时为 0）。",
    ],
    "Item": [
        "points、points_by、cases 须且只须写一个。",
        "points_by 只能按一个字段取分值。",
        "本项封顶分 max 不能小于 0；扣分的下限写 min。",
        "本项最低分 min 不能大于 0；加分的上限写 max。",
        "积分明细中的规则编号为“类别编号.计分项编号”，如 `proposals.filed`。",
    ],
    "Match": [
        "各列表中的词与输入工作簿“可填的词”中的标准词一致，见 [input-format.md](input-format.md)。"
    ],
    "Checklist": [
        "清单项目名称（`items[].name`）不能重复，也不能用双五个一表已有的列名（姓名、界别、完成项数等）。"
    ],
    "Total": ["同时写 `max` 和 `min` 时，min 不能大于 max。"],
    "InputSpec": [
        "`roster_columns` 的列名不能是委员名单或总排名表已有的列（委员编号、姓名、名次、总分等），"
        "不能与类别编号相同，不能含“/”和“·”；`groups.dimensions` 和评选的 `group_cap.dimension` "
        "写的列须是自带的分组或在这里登记过，否则报错并给出行号。",
    ],
    "Body": [
        "各单位的名称和写法（`name`、`aliases`）不能重复。",
        "单位的名称或写法与某位委员的姓名或编号相同是错误（报在委员名单中该委员的姓名格）：不猜是委员还是单位。",
        "单位的记录在结果工作簿的“单位统计”表（JSON 的 `bodies`）中按记录种类计数，并列出来源单元格；"
        "它不给任何委员计分，除非计分项（或清单项目、评选条件）的 `match` 写了 `role: [单位]`："
        "这时本单位的每条记录记给 `committee` 专委会的每位委员（委员名单专委会一格中写了该专委会的，"
        "写两个专委会的委员两边都算），每人一份、作为唯一作者；不写 `role: [单位]` 的条件不计这种记录，"
        "提案、信息、调研报告评选的候选也不含它。",
    ],
    "Grade": [
        "等次须从高到低排列，各档 min 依次递减。",
        "最后一档等次不写 min（它接住其余所有分数），因此不会有空档。",
    ],
}


@dataclass(frozen=True)
class Snippet:
    """A worked YAML example for one model's section.

    ``path`` leads from the parsed YAML to the value the model validates (a list: each element).
    With ``excerpt`` (the default) the snippet is an excerpt of ``rules/default.yaml`` (keys and
    list items may be left out, nothing added or changed), and the tests check that it still is;
    a model the default rules do not use gets an illustrative snippet (``excerpt=False``).
    """

    model: str
    yaml: str
    path: tuple[str | int, ...] = ()
    excerpt: bool = True

    def value(self) -> Any:
        data = yaml.safe_load(self.yaml)
        for part in self.path:
            data = data[part]
        return data


RULE_SNIPPETS: dict[str, Snippet] = {
    s.model: s
    for s in [
        Snippet(
            "Rules",
            """\
scheme: 双五个一履职考核积分办法（perfscore 默认）
version: "2023.1"
base: 10                 # 基础分：每位委员先得 10 分
total:
  max: 100               # 总分封顶 100 分
categories:
  - id: proposals
    name: 提案
    max: 25
    items:
      - id: key
        name: 重点提案
        match: {kind: proposal, marks: [重点提案], role: [领衔]}
        points: 5
grades:
  - grade: 优秀
    min: 85
  - grade: 良好
    min: 75
  - grade: 称职
    min: 60
  - grade: 不称职
""",
        ),
        Snippet(
            "Settings",
            """\
settings:
  decimals: 2            # 每条明细保留两位小数，总分是明细之和
  rounding: half_up      # 四舍五入
  outside_term: skip     # 委员任期外的记录不计分（如年中增补委员增补前的会议）
  tie_break: [member_id] # 总分相同名次并列（1、2、2、4），并列者按委员编号排列
""",
            ("settings",),
        ),
        Snippet(
            "Total",
            """\
total:
  max: 100               # 总分封顶 100 分
""",
            ("total",),
        ),
        Snippet(
            "Category",
            """\
categories:
  # 会议出勤：20 分起扣，扣完为止
  - id: meetings
    name: 会议出勤
    start: 20
    min: 0
    items:
      - id: plenary
        name: 全体会议出勤
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {请假: -2, 请假未批准: -10, 缺席: -10, 迟到: -1, 早退: -1}
""",
            ("categories",),
        ),
        Snippet(
            "Item",
            """\
items:
  - id: filed
    name: 提案立案
    match: {kind: proposal, status: [立案]}
    points_by:
      role: {领衔: 10, 附议: 4}     # 第一提案人 10 分，附议（联名）每人 4 分
    credit: {max_authors: 5}         # 只计前 5 位提案人
  - id: not_filed
    name: 提案未立案
    match: {kind: proposal, status: [不立案], role: [领衔]}
    points: 1
    note: 鼓励提出提案，不立案的第一提案人得 1 分，最多 2 分
    max: 2
""",
            ("items",),
        ),
        Snippet(
            "Match",
            """\
match: {kind: meeting, type: [常委会议], standing: true}
""",
            ("match",),
        ),
        Snippet(
            "Case",
            """\
cases:
  - when: {type: [个人]}              # 个人提案 15 分
    points: 15
  - when: {type: [联名], role: [领衔]}  # 联名提案的领衔者 10 分
    points: 10
  - points: 5                        # 其余情况（附议）5 分
""",
            ("cases",),
            excerpt=False,
        ),
        Snippet(
            "Condition",
            """\
when: {type: [联名], role: [领衔]}
""",
            ("when",),
            excerpt=False,
        ),
        Snippet(
            "Credit",
            """\
credit: {mode: split, lead_share: 0.6}   # 合写的信息：第一作者得 60%，其余平分 40%
""",
            ("credit",),
        ),
        Snippet(
            "Checklist",
            """\
checklist:
  name: 双五个一
  bonus: 5               # 十项全部完成加 5 分
  items:
    - name: 践一诺
      any_of: [{kind: duty, type: [践一诺]}]
    - name: 提一案
      any_of: [{kind: duty, type: [提一案]}, {kind: proposal}]
""",
            ("checklist",),
        ),
        Snippet(
            "ChecklistItem",
            """\
- name: 参加一次履职培训
  any_of: [{kind: duty, type: [参加一次履职培训]}, {kind: activity, type: [培训]}]
""",
            (),
        ),
        Snippet(
            "GroupScoring",
            """\
groups:
  score: mean                      # 小组得分取成员平均分
  dimensions: [sector, work_group] # 只统计界别和工作组（活动组）
""",
            ("groups",),
            excerpt=False,
        ),
        Snippet(
            "LineCount",
            """\
rule: meetings.plenary   # 全体会议出勤这一计分项
note: [缺席, 请假未批准]  # 只数无故缺席和请假未获批准
at_least: 2              # 至少 2 次
years: 5                 # 本届 5 年内累计
""",
            excerpt=False,
        ),
        Snippet(
            "Consequence",
            """\
consequences:
  - name: 约谈
    grades: [不称职]
  - name: 劝其辞去委员职务
    grades: [不称职]
    years_running: 2       # 连续两年不称职（须用 --previous 提供上一年的考核结果）
  - name: 劝其辞去委员职务（多次缺席全会）
    lines: {rule: meetings.plenary, note: [缺席, 请假未批准], at_least: 2, years: 5}
""",
            ("consequences", 0),
            excerpt=False,
        ),
        Snippet(
            "TermCondition",
            """\
consequences:
  - name: 提醒参加全员培训
    term: {rule: activities.training, fewer_than: 1}   # 任期内没有参加过履职培训
  - name: 劝其辞去委员职务（连续两年称职以下）
    term: {grades: [不称职], years_running: 2}          # 任期内任意连续两年不称职
  - name: 劝其辞去委员职务（任期内多次缺席全会）
    term: {rule: meetings.plenary, note: [缺席, 请假未批准], at_least: 3}
""",
            ("consequences", 0, "term"),
            excerpt=False,
        ),
        Snippet(
            "Term",
            """\
term:
  name: 第十届
  first_year: 2022
  last_year: 2026
""",
            ("term",),
            excerpt=False,
        ),
        Snippet(
            "InputSpec",
            """\
input:
  sheets:
    proposals: [提案汇总表]              # 本单位的提案表叫“提案汇总表”
  headers:
    proposals: {members: [提案者姓名]}   # 提案人一列的表头写作“提案者姓名”
  words:
    activity_type: {表彰: []}            # 新的活动类型
    attendance: {请假: [公出]}           # “公出”按请假计
  roster_columns: [联络组, 委员工作室]    # 委员名单中本单位另有的分组列
""",
            ("input",),
            excerpt=False,
        ),
        Snippet(
            "Body",
            """\
bodies:
  - {name: 社法委, aliases: [社会和法制委员会], committee: 社会和法制委员会}
  - {name: 办公室}
""",
            ("bodies", 0),
            excerpt=False,
        ),
        Snippet(
            "Award",
            """\
awards:
  - id: excellent_proposal
    name: 优秀提案
    pool: proposals
    requires:
      has: [{kind: proposal, status: [立案]}]
    score:
      - {match: {kind: proposal, status: [立案]}, points: 10}
      - {match: {kind: proposal, marks: [重点提案]}, points: 10}
    quota: "5%"
    min_share: {name: 集体提案, match: {type: [集体]}, share: 0.2}
    ties_at_line: break
""",
            ("awards", 0),
            excerpt=False,
        ),
        Snippet(
            "AwardScore",
            """\
match: {kind: adoption, type: [采用], level: [省]}
points: 6
""",
            excerpt=False,
        ),
        Snippet(
            "Prerequisites",
            """\
grades: [优秀]
checklist_complete: true
has: [{kind: proposal, status: [立案]}]
""",
            excerpt=False,
        ),
        Snippet(
            "GroupCap",
            """\
dimension: sector
max: 4
""",
            excerpt=False,
        ),
        Snippet(
            "Scope",
            """\
standing: true           # 只对常委
""",
            excerpt=False,
        ),
        Snippet(
            "Period",
            """\
every: month
months: [2, 4, 6, 8, 10, 12]   # 偶数月
at_least: 1
met: 2                         # 每达到一个月加 2 分
missed: -3                     # 每缺一个月扣 3 分
""",
            excerpt=False,
        ),
        Snippet(
            "MinShare",
            """\
name: 集体提案
match: {type: [集体]}
share: 0.2
""",
            excerpt=False,
        ),
        Snippet(
            "Documents",
            """\
documents:
  unit: 政协××市委员会办公室        # 落款和领导阅览版标题下的单位
  listed_grades: [优秀, 不称职]     # 年度通报中列出名单的等次
  body_font: 仿宋                   # 本单位电脑上的仿宋字体名
""",
            ("documents",),
            excerpt=False,
        ),
        Snippet(
            "Grade",
            """\
grades:
  - grade: 优秀
    min: 85
    requires_checklist: true   # 评为优秀须完成双五个一全部十项，否则降为良好
  - grade: 良好
    min: 75
  - grade: 称职
    min: 60
  - grade: 不称职
""",
            ("grades",),
        ),
    ]
}


def _model_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation refers to: Category in list[Category], Checklist | None, …"""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _model_in(arg)
    return found


def _is_list(annotation: Any) -> bool:
    """list[X], or list[X] | None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return origin is list


def _model_places(root: type[BaseModel] = Rules) -> list[tuple[str, type[BaseModel]]]:
    """(YAML path, model) for every place a model appears under ``root``, depth first."""
    places: list[tuple[str, type[BaseModel]]] = []

    def walk(model: type[BaseModel], path: str, stack: tuple[type[BaseModel], ...]) -> None:
        places.append((path, model))
        if model in stack:
            return
        for key, field in model.model_fields.items():
            for sub in _model_in(field.annotation):
                sub_path = f"{path}.{key}" if path else key
                walk(sub, sub_path + ("[]" if _is_list(field.annotation) else ""), (*stack, model))

    walk(root, "", ())
    return places


def rule_models(root: type[BaseModel] = Rules) -> dict[type[BaseModel], list[str]]:
    """Every model reachable from ``root`` in depth-first order, with the YAML paths it appears at."""
    found: dict[type[BaseModel], list[str]] = {}
    for path, model in _model_places(root):
        found.setdefault(model, []).append(path)
    return found


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _link(model: type[BaseModel]) -> str:
    return f"[{model.__name__}](#{_anchor(model)})"


_SIMPLE_TYPES: dict[Any, str] = {str: "文字", float: "数字", int: "整数", bool: "`true` 或 `false`"}


def _plain_type(annotation: Any) -> str:
    """A type in plain words: list[str] -> 文字列表 …"""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " 或 ".join(_plain_type(a) for a in args if a is not type(None))
    if origin is Literal:
        return "以下之一：" + "、".join(_code(str(a)) for a in args)
    if origin is list:
        inner = args[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return f"列表，每项见 {_link(inner)}"
        return f"{_plain_type(inner)}列表，如 `[a, b]`"
    if origin is dict:
        key, value = args
        return f"键值对 `{{键: 值}}`，键为{_plain_type(key)}，值为{_plain_type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"键值对，见 {_link(annotation)}"
    return _SIMPLE_TYPES.get(annotation, getattr(annotation, "__name__", str(annotation)))


_KNOWN_PATTERNS = {r"^[^\s.:]+$": "不含空格、`.`、`:`"}


def _constraints(field: FieldInfo) -> list[str]:
    is_list = _is_list(field.annotation)
    words: list[str] = []
    for meta in field.metadata:
        name = type(meta).__name__
        if name == "Ge":
            words.append(f"≥ {meta.ge}")
        elif name == "Gt":
            words.append(f"> {meta.gt}")
        elif name == "Le":
            words.append(f"≤ {meta.le}")
        elif name == "Lt":
            words.append(f"< {meta.lt}")
        elif name == "MinLen":
            words.append(
                f"至少 {meta.min_length} 项" if is_list else f"至少 {meta.min_length} 个字"
            )
        elif name == "MaxLen":
            words.append(
                f"最多 {meta.max_length} 项" if is_list else f"最多 {meta.max_length} 个字"
            )
        elif getattr(meta, "pattern", None):
            words.append(_KNOWN_PATTERNS.get(meta.pattern, f"须符合正则 `{meta.pattern}`"))
    return words


def _yaml_inline(value: Any) -> str:
    if isinstance(value, str) and (value == "" or yaml.safe_load(value) != value):
        return json.dumps(value, ensure_ascii=False)  # a string YAML would read otherwise: quote it
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip()
    return text.removesuffix("...").strip()


def _plain_default(field: FieldInfo) -> str:
    if field.is_required():
        return "**必填**"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return "各项取默认值"
        return _code(_yaml_inline(value))
    if field.default is None:
        return "不写"
    return _code(_yaml_inline(field.default))


def _model_markdown(model: type[BaseModel], paths: list[str]) -> list[str]:
    name = model.__name__
    title = _MODEL_TITLES.get(name, "")
    lines = [
        f'<a id="{_anchor(model)}"></a>',
        "",
        f"## {name}" + (f" — {title}" if title else ""),
        "",
    ]
    where = "、".join(_code(p) if p else "文件顶层" for p in paths)
    lines.append(f"位置：{where}")
    lines.append("")
    doc = " ".join((model.__doc__ or "").split())
    if doc:
        lines += [f"> {doc}", ""]
    rows = []
    for key, field in model.model_fields.items():
        kind = _plain_type(field.annotation)
        limits = _constraints(field)
        if limits:
            kind += "（" + "，".join(limits) + "）"
        rows.append(
            [_code(key), _cell(kind), _cell(_plain_default(field)), _cell(field.description or "—")]
        )
    lines += _table(["键", "类型", "默认值", "含义"], rows)
    lines.append("")
    notes = _MODEL_NOTES.get(name, [])
    if notes:
        lines += ["注意：", ""] + [f"* {note}" for note in notes] + [""]
    snippet = RULE_SNIPPETS.get(name)
    if snippet is not None:
        source = (
            "摘自 `rules/default.yaml`，有删节"
            if snippet.excerpt
            else "示意，自带的 `rules/default.yaml` 未用到"
        )
        lines += [f"示例（{source}）：", "", "```yaml", snippet.yaml.rstrip("\n"), "```", ""]
    return lines


@dataclass(frozen=True)
class Recipe:
    """One need from the published schemes, and how a rules file says it (a YAML example)."""

    need: str
    keys: str
    yaml: str


# How to write what published schemes ask for (schemes.md "Rule primitives"), one example each.
# Every example is a rules-file fragment; tests check that each validates.
RECIPES: list[Recipe] = [
    Recipe(
        "每条记录得分，按类型或属性不同（书面发言 3 分、口头 2 分；全程培训 3 分、部分 1 分）",
        "`points`、`points_by`",
        """\
- id: speech
  name: 会议发言
  match: {kind: activity, type: [发言]}
  points_by:
    subtype: {书面: 3, 口头: 2}
""",
    ),
    Recipe(
        "出勤按状态给分或扣分（出席、请假、请假未批准、缺席、迟到、早退）",
        "`points_by: {status: …}`",
        """\
- id: plenary
  name: 全体会议出勤
  match: {kind: meeting, type: [全体会议]}
  points_by:
    status: {出席: 5, 请假: 0, 请假未批准: -5, 缺席: -10, 迟到: -1, 早退: -1}
""",
    ),
    Recipe(
        "只适用于常委的项目或类别；年中增补委员不计增补前的会议",
        "`match.standing`、类别 `standing`、`settings.outside_term`",
        """\
- id: standing_meetings
  name: 常委会议
  standing: true          # 整个类别（含起始分）只适用于常委
  start: 30
  min: 0
  items:
    - id: absent
      name: 常委会议缺席
      match: {kind: meeting, type: [常委会议]}
      points_by:
        status: {缺席: -10, 请假未批准: -10}
""",
    ),
    Recipe(
        "起始分扣减、扣完为止；封顶和保底（每项、每类、总分）",
        "类别 `start`、`max`、`min`；计分项 `max`、`min`；`total`",
        """\
- id: meetings
  name: 会议出勤
  start: 50               # 50 分起扣
  min: 0                  # 扣完为止
  items:
    - id: absent
      name: 无故缺席
      match: {kind: meeting, status: [缺席, 请假未批准]}
      points: -5
""",
    ),
    Recipe(
        "基础分；总分不封顶或封顶",
        "`base`、`total.max`",
        """\
base: 70
total:
  max: 120                # 不写 max 则不封顶
""",
    ),
    Recipe(
        "联名提案按角色计分：第一提案人 20、附议人各 15",
        "`points_by: {role: …}`",
        """\
- id: filed
  name: 提案立案
  match: {kind: proposal, status: [立案]}
  points_by:
    role: {领衔: 20, 附议: 15}
""",
    ),
    Recipe(
        "合写按比例分摊：第一作者得 60%，其余平分 40%（会出现小数）",
        "`credit: {mode: split, lead_share}`",
        """\
- id: submitted
  name: 报送信息
  match: {kind: information}
  points: 2
  credit: {mode: split, lead_share: 0.6}
""",
    ),
    Recipe(
        "只计第一提案人；集体提案只计前 3 位执笔人",
        "`credit: {mode: first_only}`、`credit: {max_authors: 3}`",
        """\
- id: collective
  name: 集体提案
  match: {kind: proposal, type: [集体], status: [立案]}
  points: 10
  credit: {max_authors: 3}
""",
    ),
    Recipe(
        "“有一件即得分”只计一次；个人和联名都有时取高者、不重复计",
        "`count: once`",
        """\
- id: has_proposal
  name: 有立案提案
  match: {kind: proposal, status: [立案]}
  points_by:
    role: {领衔: 15, 附议: 3}
  count: once             # 每人只计一次，取分值最高的一条
""",
    ),
    Recipe(
        "按两个条件定分值：个人提案 15，联名的第一提案人 10，其余 5",
        "`cases`",
        """\
- id: filed_once
  name: 立案提案
  match: {kind: proposal, status: [立案]}
  cases:
    - {when: {type: [个人]}, points: 15}
    - {when: {role: [领衔]}, points: 10}
    - {points: 5}         # 其余情况
  count: once
""",
    ),
    Recipe(
        "“第 2 件起每件加 5 分”；“每件 7.5 分，4 件及以上 30 分”",
        "`from_nth`；`points` + `max`",
        """\
- id: more_filed
  name: 第二件起立案提案
  match: {kind: proposal, status: [立案], role: [领衔]}
  points: 5
  from_nth: 2
""",
    ),
    Recipe(
        "按采用级别加分；同一条信息多级采用：逐级累加，或只取最高一级",
        "`points_by: {level: …}`、`stack`",
        """\
- id: adopted
  name: 信息采用
  match: {kind: adoption, type: [采用]}
  points_by:
    level: {县: 2, 市: 4, 省: 8, 全国: 15}
  stack: highest          # cumulative 为逐级累加
""",
    ),
    Recipe(
        "立案、不立案、并案、转社情民意分别计分；并案的原提案如何计",
        "`match.status`、`settings.merged_credit`",
        """\
settings:
  merged_credit: as_target   # 并案的原提案按并入提案的状态计分
""",
    ),
    Recipe(
        "“三个一”“双五个一”等清单：作为评等次的前提、作为加分，或两者都是；“至少 3 次”",
        "`checklist`（`any_of`、`at_least`、`bonus`）、等次 `requires_checklist`",
        """\
checklist:
  name: 三个一
  bonus: 0
  items:
    - name: 出席一次全会
      any_of: [{kind: meeting, type: [全体会议], status: [出席, 迟到, 早退]}]
    - name: 一件提案或一条信息
      any_of: [{kind: proposal}, {kind: information}]
    - name: 参加会议或活动三次
      any_of: [{kind: meeting, status: [出席]}, {kind: activity}]
      at_least: 3
""",
    ),
    Recipe(
        "等次分档，边界写明含不含（89.5 分落在哪一档）",
        "`grades`",
        """\
grades:
  - {grade: 优秀, min: 90}       # 90 分及以上（含 90）
  - {grade: 良好, min: 80}       # 80 至 90 以下：89.5 为良好
  - {grade: 称职, min: 60}
  - {grade: 不称职}              # 其余
""",
    ),
    Recipe(
        "需要往年结果的处理：连续两年不称职劝辞；多次无故缺席全会",
        "`consequences`（`grades`、`years_running`、`lines`）",
        """\
consequences:
  - name: 劝其辞去委员职务
    grades: [不称职]
    years_running: 2
""",
    ),
    Recipe(
        "评优名单：按分数取前 N 名或百分比，参评条件，每个界别名额上限，集体提案不少于 20%，名额线上同分如何处理",
        "`awards`（`pool`、`requires`、`quota`、`group_cap`、`min_share`、`ties_at_line`）",
        """\
awards:
  - id: excellent_member
    name: 优秀委员
    pool: members
    requires:
      grades: [优秀]
      no_lines: {rule: c.i, note: [缺席]}    # 有此类明细者不参评（c.i 换成本办法的规则编号）
    quota: "10%"
    group_cap: {dimension: sector, max: 4}
    ties_at_line: include
""",
    ),
    Recipe(
        "“除……以外”：书面发言以外的活动每次 1 分（某一栏为空的记录不算“是……”，照计）",
        "`unless`",
        """\
- id: activities
  name: 活动（书面发言除外）
  match: {kind: activity, unless: {type: [发言], subtype: [书面]}}
  points: 1
""",
    ),
    Recipe(
        "清单项目只对常委（或某些界别、专委会……）：常委每年提交一份履职报告",
        "清单项目 `who`",
        """\
checklist:
  name: 年度履职清单
  items:
    - name: 提一案
      any_of: [{kind: proposal}]
    - name: 履职报告
      any_of: [{kind: duty, type: [履职报告]}]
      who: {standing: true}          # 只对常委；非常委没有这一项
input:
  words:
    duty_item: {履职报告: []}
""",
    ),
    Recipe(
        "每月一次集体学习、每季度一次、偶数月：达到的周期加分，缺的周期扣分",
        "`per_period`（`every`、`months`、`at_least`、`met`、`missed`）",
        """\
- id: monthly_study
  name: 每月集体学习
  match: {kind: activity, type: [读书]}
  per_period: {every: month, at_least: 1, met: 1, missed: -2}
- id: quarterly_survey
  name: 偶数月调研
  match: {kind: activity, type: [调研]}
  per_period: {every: month, months: [2, 4, 6, 8, 10, 12], missed: -1}
""",
    ),
    Recipe(
        "按某一类或几类得分评选委员（“四个最佳”：履职献策、提案优胜……，同一次运行评出多项）；评选优秀调研报告",
        "`awards`（`rank_by`、`pool: reports`）",
        """\
categories:
  - id: duty
    name: 履职献策
    items:
      - {id: info, name: 社情民意信息, match: {kind: information}, points: 2}
  - id: proposals
    name: 提案
    items:
      - {id: filed, name: 立案提案, match: {kind: proposal, status: [立案], role: [领衔]}, points: 10}
awards:
  - {id: best_duty, name: 履职献策最佳, pool: members, rank_by: [duty], quota: 10}
  - {id: best_proposer, name: 提案优胜, pool: members, rank_by: [proposals], quota: 10}
  - {id: best_overall, name: 综合最佳, pool: members, rank_by: [duty, proposals], quota: 5}
  - id: best_report
    name: 优秀调研报告
    pool: reports
    requires: {has: [{kind: report, status: [采用, 批示]}]}
    score:
      - {match: {kind: report, status: [采用]}, points: 5}
      - {match: {kind: report, status: [批示]}, points: 8}
    quota: 5
""",
    ),
    Recipe(
        "界别、专委会、学习组、活动组的小组得分和排名；专委会下分活动小组（嵌套分组）",
        "`groups`",
        """\
groups:
  score: mean
  dimensions: [sector, committee, study_group, work_group, committee/work_group]
""",
    ),
    Recipe(
        "第五种分组：联络组（联络站）、委员工作室、专委会下的活动小组等本单位另有的名单列，"
        "单独统计、嵌套统计，评选时每组限额",
        "`input.roster_columns`、`groups.dimensions`、`awards[].group_cap`",
        """\
input:
  roster_columns: [联络组, 委员工作室]   # 委员名单中这两列的表头；缺列是错误
groups:
  dimensions: [sector, committee, 联络组, 委员工作室, committee/联络组]
awards:
  - id: excellent_member
    name: 优秀委员
    pool: members
    quota: 10
    group_cap: {dimension: 联络组, max: 2}   # 每个联络组最多 2 人
""",
    ),
    Recipe(
        "专委会、办公室牵头的调研报告（或提案、活动）：作者栏写单位名称，记录归单位，列在单位统计表中，不给委员计分",
        "`bodies`",
        """\
bodies:
  - {name: 社法委, aliases: [社会和法制委员会], committee: 社会和法制委员会}
  - {name: 办公室, aliases: [政协办公室]}
# 作者栏“社法委、张三”：报告归社法委（单位统计），张三照常计分（第 2 位，附议）；
# 既不是委员、也不在 bodies 中的名称（如未登记的“文史委”）仍是错误
categories:
  - id: reports
    name: 调研
    items:
      - {id: authored, name: 调研报告, match: {kind: report, role: [领衔, 附议]}, points: 10}
      # 只有写 role: [单位] 才计单位的记录：社法委的每篇报告，社会和法制委员会的每位委员加 2 分
      - {id: committee, name: 专委会调研报告, match: {kind: report, role: [单位]}, points: 2}
""",
    ),
    Recipe(
        "取舍（几位小数、四舍五入）、并列名次、年中增补委员按月折算",
        "`settings`",
        """\
settings:
  decimals: 2
  rounding: half_up
  tie_break: [member_id]   # 并列者排列顺序；也可先写类别编号，如 [proposals, member_id]
  pro_rate: months
""",
    ),
    Recipe(
        "本单位登记表的表名、表头、用词与自带格式不同",
        "`input`",
        """\
input:
  words:
    attendance: {请假: [公出]}
""",
    ),
]


def _recipes_markdown() -> list[str]:
    lines = [
        "## 怎样写本单位的积分办法",
        "",
        "先复制一份自带的办法（`rules/default.yaml`，或 `rules/` 中最接近的一家），再按下表修改。",
        "每改一次运行 `perfscore rules check 文件名` 检查，`perfscore rules show 文件名` 看中文摘要。",
        "",
        "自带的办法：`default.yaml`（双五个一）、`anqing-2018.yaml`、`guangshui-2017.yaml`、`jinan-2015.yaml`、"
        "`hefei-county-2022.yaml`、`minhang.yaml`、`yanbian-2022.yaml`，每个文件开头写明依据和哪些部分为补充；"
        "`example-frequency.yaml` 是示例（不是公开的办法）：每月集体学习、每季度调研、常委履职报告和“四个最佳”等评选。",
        "",
    ]
    for number, recipe in enumerate(RECIPES, start=1):
        lines += [f"### {number}. {recipe.need}", "", f"用：{recipe.keys}", ""]
        if recipe.yaml:
            lines += ["```yaml", recipe.yaml.rstrip("\n"), "```", ""]
    return lines


def rules_reference_markdown() -> str:
    """docs/rules.md: a guide from needs to keys, then every key of every rules model."""
    models = rule_models()
    lines = [_GENERATED_NOTE, "", _RULES_INTRO, "", *_recipes_markdown(), "## 结构一览", ""]
    rows = [
        [_code(path) if path else "文件顶层", _link(model), _MODEL_TITLES.get(model.__name__, "")]
        for path, model in _model_places()
    ]
    lines += _table(["YAML 中的位置", "见", "是什么"], rows)
    lines.append("")
    for model, paths in models.items():
        lines += _model_markdown(model, paths)
    return "\n".join(lines).rstrip() + "\n"


# =============================================================================================
# docs/commands.md
# =============================================================================================

_COMMANDS_INTRO = """\
# 命令参考 (Command reference)

下面是每个命令的 `--help` 输出。在命令行中运行 `perfscore 命令 --help` 可看到同样的内容。

退出码：`0` 完成；`1` 输入工作簿有错误（未写出任何结果）；`2` 无法运行（参数有误、文件无法读取、规则文件有误）。

开发者提示：本页由 `perfscore/cli.py` 的 typer 命令生成。"""


def iter_commands() -> Iterator[tuple[str, Any, Any]]:
    """Every visible command of the CLI, depth first: (full name, command, context).

    The contexts use a fixed width of :data:`HELP_WIDTH`, so help text is the same on any terminal.
    """
    import typer
    import typer.main

    from .cli import app

    root = typer.main.get_command(app)

    def walk(command: Any, name: str, parent: Any) -> Iterator[tuple[str, Any, Any]]:
        ctx = typer.Context(
            command,
            parent=parent,
            info_name=name.split()[-1],
            terminal_width=HELP_WIDTH,
            max_content_width=HELP_WIDTH,
        )
        yield name, command, ctx
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            return
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            yield from walk(sub, f"{name} {sub_name}", ctx)

    yield from walk(root, "perfscore", None)


def commands_markdown() -> str:
    """docs/commands.md: the --help text of every command and subcommand."""
    lines = [_GENERATED_NOTE, "", _COMMANDS_INTRO, ""]
    for name, command, ctx in iter_commands():
        text = command.get_help(ctx)
        lines += [
            f"## `{name}`",
            "",
            "```text",
            *(line.rstrip() for line in text.splitlines()),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


# =============================================================================================
# main
# =============================================================================================

GENERATED_DOCS: dict[str, Callable[[], str]] = {
    "input-format.md": input_format_markdown,
    "rules.md": rules_reference_markdown,
    "commands.md": commands_markdown,
}


def _stale(docs_dir: Path) -> list[tuple[Path, str]]:
    out = []
    for name, render in GENERATED_DOCS.items():
        path = docs_dir / name
        text = render()
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            out.append((path, text))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m perfscore.docgen", description="根据代码生成 docs/ 下的参考文档。"
    )
    parser.add_argument(
        "--check", action="store_true", help="只检查：有文件与生成结果不同时退出码为 1，不写文件"
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=DOCS_DIR, help=f"文档目录（默认 {DOCS_DIR}）"
    )
    args = parser.parse_args(argv)
    stale = _stale(args.docs_dir)
    if args.check:
        for path, _ in stale:
            print(f"过期：{path}（运行：uv run python -m perfscore.docgen）", file=sys.stderr)
        return 1 if stale else 0
    args.docs_dir.mkdir(parents=True, exist_ok=True)
    for path, text in stale:
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"已更新：{path}")
    if not stale:
        print("文档已是最新。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
