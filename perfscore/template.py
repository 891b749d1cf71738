"""The entry workbook (填表模板): an empty register workbook in an office's input format.

``perfscore template 2024.xlsx --rules 本单位办法.yaml`` writes one sheet per register of the
input format (as the rules' ``input`` customises it), each with its header row and example
rows, and in front of them a sheet 填表说明 that explains every sheet and column. The file is
made so that what a clerk types is what perfscore reads:

* dropdown lists from the vocabularies, the office's own words included, kept on a hidden
  sheet 选项 and referenced as ranges (an inline list stops at 255 characters); a closed
  vocabulary rejects other words (Excel's "stop" alert), an open one only asks (an
  "information" alert), because an office may score meeting or activity types of its own;
* date columns formatted as dates; every other column formatted as text, so that an ID
  typed as 0001 keeps its leading zeros (a name column may hold IDs too);
* example rows in grey italics, with a note saying to delete them. The examples agree with each
  other (every member they name is on the example roster, the adoption names the example
  information item), so the template as written assesses without errors;
* the office's own sheet names and headers (the first it declares in ``input``) where they read
  back as the same sheet and column; otherwise the built-in ones.

The workbook is written atomically and is the same bytes for the same rules and year.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .errors import UsageError
from .inputformat import Column, InputFormat, Sheet, Vocabulary
from .reading import match_key
from .rules import LoadedRules, load_rules
from .text import excel_column
from .years import check_year

__all__ = ["write_template", "INSTRUCTIONS_SHEET", "OPTIONS_SHEET", "EXAMPLE_YEAR"]

INSTRUCTIONS_SHEET = "填表说明"
OPTIONS_SHEET = "选项"
EXAMPLE_YEAR = 2023  # the year the examples in inputformat.py are written in

_LAST_ROW = 1_048_575  # Excel's last row (0-based): validations and formats cover whole columns
_FIXED_CREATED = dt.datetime(2000, 1, 1)
_REQUIRED_FILL, _OPTIONAL_FILL = "#F8CBAD", "#DDEBF7"
_EXAMPLE_FONT = "#808080"
_LINE_HEIGHT = 15
_MAX_COMBINED_MARKS = 4  # a multi-word column lists every combination of up to this many words
_EXCEL_FORBIDDEN = set("[]:*?/\\")

_KIND_HELP = {
    "id": "编号（文本）",
    "text": "文字",
    "names": "委员姓名或编号，可多位，用顿号“、”分隔",
    "member": "一位委员的姓名或编号",
    "date": "日期",
    "flag": "是/否",
    "choice": "从下拉列表中选",
}


def write_template(
    out: str | Path,
    rules: str | Path | LoadedRules | None = None,
    *,
    year: int | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an empty entry workbook (.xlsx) for the rules' input format; return its path.

    ``rules``: a rules file or loaded rules (the shipped default when None); its ``input`` key
    adds the office's own sheet names, headers and words. ``year``: the year of the example
    rows' dates (default: the rules' ``year``, else the year the file name starts with, as in
    2024.xlsx, else this year). Refuses to replace an existing
    file unless ``overwrite``. Raises UsageError for a bad path or rules.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"填表模板只能写成 .xlsx 文件：{out.name}")
    if out.is_dir():
        raise UsageError(f"{out} 是文件夹，请指定要写出的 .xlsx 文件名")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")
    if out.exists() and not overwrite:
        raise UsageError(f"文件已存在：{out}；如要替换，请加 --force")
    check_year(year, "示例年度")
    loaded = rules if isinstance(rules, LoadedRules) else load_rules(rules)
    spec = loaded.rules.input
    layout = _layout(loaded.rules.input_format(), spec.sheets, spec.headers, spec.words)
    year = year or loaded.rules.year or _year_in_name(out) or dt.date.today().year
    rules_name = Path(loaded.path).name if rules is not None else ""
    _write(out, layout, year, rules_name)
    return out


# --- what goes where ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Choices:
    """The words offered in one column's dropdown."""

    vocabulary: Vocabulary
    words: tuple[str, ...]
    closed: bool
    multiple: bool  # several words in one cell (标记: 重点提案、优秀提案)


@dataclass(frozen=True)
class _Field:
    column: Column
    header: str
    choices: _Choices | None


@dataclass(frozen=True)
class _Register:
    sheet: Sheet
    name: str
    fields: tuple[_Field, ...]


def _layout(
    fmt: InputFormat,
    own_names: dict[str, list[str]],
    own_headers: dict[str, dict[str, list[str]]],
    own_words: dict[str, dict[str, list[str]]],
) -> list[_Register]:
    names = _sheet_names(fmt, own_names)
    registers = []
    for sheet in fmt.sheets:
        headers = _headers(sheet, own_headers.get(sheet.key, {}))
        fields = tuple(
            _Field(col, headers[col.key], _choices(col, fmt, own_words)) for col in sheet.columns
        )
        registers.append(_Register(sheet, names[sheet.key], fields))
    return registers


def _valid_sheet_name(name: str) -> bool:
    reserved = {match_key(INSTRUCTIONS_SHEET), match_key(OPTIONS_SHEET)}
    return (
        0 < len(name) <= 31
        and not (_EXCEL_FORBIDDEN & set(name))
        and not name.startswith("'")
        and not name.endswith("'")
        and match_key(name) not in reserved
    )


def _sheet_names(fmt: InputFormat, own: dict[str, list[str]]) -> dict[str, str]:
    """The office's first own name for each sheet, where the reader finds that sheet by it."""
    wanted = {
        s.key: next((n for n in own.get(s.key, ()) if _valid_sheet_name(n)), s.name)
        for s in fmt.sheets
    }
    if len({match_key(n) for n in wanted.values()}) == len(wanted) and _reads_back(fmt, wanted):
        return wanted
    return {s.key: s.name for s in fmt.sheets}


def _reads_back(fmt: InputFormat, names: dict[str, str]) -> bool:
    present = {match_key(n): n for n in names.values()}
    for sheet in fmt.sheets:  # the reader takes, per sheet, the first of its names the workbook has
        found = next(
            (present[match_key(n)] for n in sheet.all_names if match_key(n) in present), None
        )
        if found != names[sheet.key]:
            return False
    return True


def _headers(sheet: Sheet, own: dict[str, list[str]]) -> dict[str, str]:
    """The office's first own header for each column, where it reads back as that column."""
    lookup = {
        match_key(h): col.key for col in sheet.columns for h in col.all_headers
    }  # as the reader builds it
    headers = {}
    for col in sheet.columns:
        mine = next((h for h in own.get(col.key, ()) if lookup.get(match_key(h)) == col.key), None)
        headers[col.key] = mine or col.header
    if len({match_key(h) for h in headers.values()}) < len(headers):
        return {col.key: col.header for col in sheet.columns}
    return headers


def _choices(
    col: Column, fmt: InputFormat, own_words: dict[str, dict[str, list[str]]]
) -> _Choices | None:
    if not col.vocabulary:
        return None
    vocab = fmt.vocabularies[col.vocabulary]
    # The canonical words (the office's new words are among them), then the office's own
    # spellings of existing words (公出 for 请假): what its clerks write. The built-in
    # spellings (已立案, 是 …) are still read, but not offered.
    words = list(vocab.words)
    for spellings in own_words.get(col.vocabulary, {}).values():
        words += [s for s in spellings if s not in words]
    multiple = col.key == "marks"
    if multiple and len(words) <= _MAX_COMBINED_MARKS:
        words = [
            "、".join(combo)
            for n in range(1, len(words) + 1)
            for combo in itertools.combinations(words, n)
        ]
        return _Choices(vocab, tuple(words), vocab.closed, multiple=False)
    return _Choices(vocab, tuple(words), vocab.closed and not multiple, multiple)


# --- the example rows -----------------------------------------------------------------------------


def _year_in_name(path: Path) -> int | None:
    """2024.xlsx, 2024年登记.xlsx -> 2024: the year a clerk names the workbook after."""
    found = re.match(r"((?:19|20)\d\d)(?!\d)", Path(path).stem)
    return int(found.group(1)) if found else None


def _example(col: Column, year: int) -> str | dt.date:
    """A column's example, moved into ``year`` (dates, and IDs that carry the year)."""
    text = col.example
    if col.kind in ("date", "id"):
        text = text.replace(str(EXAMPLE_YEAR), str(year))
    if col.kind == "date" and text:
        return dt.date.fromisoformat(text)
    return text


def _example_rows(registers: list[_Register], year: int) -> dict[str, list[list]]:
    """One example row per register; the roster gets one row per member the examples name."""
    rows = {r.sheet.key: [[_example(f.column, year) for f in r.fields]] for r in registers}
    roster = next(r for r in registers if r.sheet.key == "roster")
    keys = [f.column.key for f in roster.fields]
    first = rows["roster"][0]
    named = list(
        dict.fromkeys(
            name
            for r in registers
            if r.sheet.key != "roster"
            for f in r.fields
            if f.column.kind in ("names", "member")
            for name in f.column.example.split("、")
            if name
        )
    )
    width = len(str(first[keys.index("member_id")])) if "member_id" in keys else 4
    for number, name in enumerate([n for n in named if n != first[keys.index("name")]], start=2):
        row = [
            value if key not in ("term_start", "term_end") else ""
            for key, value in zip(keys, first)
        ]
        row[keys.index("member_id")] = str(number).zfill(width)
        row[keys.index("name")] = name
        rows["roster"].append(row)
    return rows


# --- writing ----------------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` UTF-16 units (Excel's limits on validation messages)."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit - 1 and index < len(text) - 1:
            return text[:index] + "…"
    return text


def _write(out: Path, registers: list[_Register], year: int, rules_name: str) -> None:
    import xlsxwriter

    from .writers.common import atomic_path
    from .writers.xlsx import SHEET_FONT_PROPERTIES

    examples = _example_rows(registers, year)
    with atomic_path(out) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                # The results' font (宋体, GB2312): Chinese set in a Chinese font on screen and paper.
                "default_format_properties": dict(SHEET_FONT_PROPERTIES),
            },
        )
        book.set_properties(
            {
                "title": f"{year}年度政协委员履职登记",
                "created": _FIXED_CREATED,
                "author": "perfscore",
            }
        )
        formats = _Formats(book)
        instructions = book.add_worksheet(INSTRUCTIONS_SHEET)
        sheets = {r.sheet.key: book.add_worksheet(r.name) for r in registers}
        options = book.add_worksheet(OPTIONS_SHEET)
        ranges = _write_options(options, registers, formats)
        for register in registers:
            _write_register(
                sheets[register.sheet.key],
                register,
                examples[register.sheet.key],
                ranges,
                formats,
                year,
            )
        _write_instructions(instructions, registers, year, rules_name, formats)
        instructions.activate()
        options.hide()
        book.close()


class _Formats:
    def __init__(self, book):
        self.text = book.add_format({"num_format": "@", "valign": "vcenter"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "vcenter"})
        common = {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
        }
        self.required = book.add_format({**common, "bg_color": _REQUIRED_FILL})
        self.optional = book.add_format({**common, "bg_color": _OPTIONAL_FILL})
        example = {"italic": True, "font_color": _EXAMPLE_FONT, "valign": "vcenter"}
        self.example_text = book.add_format({**example, "num_format": "@"})
        self.example_date = book.add_format({**example, "num_format": "yyyy-mm-dd"})
        self.title = book.add_format({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.heading = book.add_format(
            {"bold": True, "font_size": 12, "valign": "vcenter", "bottom": 1}
        )
        self.note = book.add_format({"text_wrap": True, "valign": "top"})
        self.cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
        self.table_header = book.add_format(
            {"bold": True, "border": 1, "bg_color": _OPTIONAL_FILL, "valign": "vcenter"}
        )


def _write_options(
    sheet: Worksheet, registers: list[_Register], formats: _Formats
) -> dict[tuple[str, str], str]:
    """One column per distinct word list; (sheet key, column key) -> the list's range."""
    columns: dict[tuple[str, ...], str] = {}
    ranges = {}
    for register in registers:
        for field in register.fields:
            if field.choices is None:
                continue
            words = field.choices.words
            if words not in columns:
                col = len(columns)
                sheet.write_string(0, col, field.choices.vocabulary.name, formats.table_header)
                for row, word in enumerate(words, start=1):
                    sheet.write_string(row, col, word, formats.text)
                sheet.set_column(col, col, max(12, max(_display_width(w) for w in words) + 2))
                letter = excel_column(col)
                columns[words] = f"='{OPTIONS_SHEET}'!${letter}$2:${letter}${len(words) + 1}"
            ranges[(register.sheet.key, field.column.key)] = columns[words]
    return ranges


def _help(field: _Field, year: int) -> str:
    text = field.column.help or _KIND_HELP[field.column.kind]
    return text.replace(str(EXAMPLE_YEAR), str(year)) if field.column.kind == "date" else text


def _write_register(
    sheet: Worksheet,
    register: _Register,
    examples: list[list],
    ranges: dict,
    formats: _Formats,
    year: int,
) -> None:
    for col, field in enumerate(register.fields):
        is_date = field.column.kind == "date"
        values = [str(row[col]) for row in examples if row[col] != ""]
        width = (
            max([_display_width(field.header), *map(_display_width, values), 8 if is_date else 6])
            + 3
        )
        sheet.set_column(col, col, min(width, 40), formats.date if is_date else formats.text)
        sheet.write_string(
            0, col, field.header, formats.required if field.column.required else formats.optional
        )
        sheet.data_validation(1, col, _LAST_ROW, col, _validation(register, field, ranges, year))
    for row, values in enumerate(examples, start=1):
        for col, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    row, col, dt.datetime(value.year, value.month, value.day), formats.example_date
                )
            elif value != "":
                sheet.write_string(row, col, value, formats.example_text)
            else:
                sheet.write_blank(row, col, None, formats.example_text)
    rows = "第 2 行" if len(examples) == 1 else f"第 2–{len(examples) + 1} 行"
    sheet.write_comment(
        1, 0, f"{rows}（灰色斜体）是示例，填写前请删除。", {"x_scale": 1.6, "y_scale": 0.6}
    )
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, _LINE_HEIGHT * 2)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_header(f"&L{year}年度 {register.name.replace('&', '&&')}")
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _validation(register: _Register, field: _Field, ranges: dict, year: int) -> dict:
    col = field.column
    options = {
        "input_title": _clip(field.header, 32),
        "input_message": _clip(_help(field, year), 255),
    }
    choices = field.choices
    if choices is not None:
        words = "、".join(choices.words)
        options.update(validate="list", source=ranges[(register.sheet.key, col.key)])
        if choices.closed:
            options.update(
                error_type="stop",
                error_title="不能填这个词",
                error_message=_clip(f"“{field.header}”只能从下拉列表中选：{words}", 255),
            )
        else:
            more = "；一格可填几个，用顿号分隔" if choices.multiple else ""
            options.update(
                error_type="information",
                error_title="不是列表中的词",
                error_message=_clip(
                    f"“{field.header}”常用的词：{words}{more}。如果是本单位的类型，点“确定”保留。",
                    255,
                ),
            )
        return options
    if col.kind == "date":
        return {
            **options,
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2100, 12, 31),
            "error_type": "information",
            "error_title": "不是日期",
            "error_message": f"请填写日期，如 {year}-05-24 或 {year}年5月24日。如果确认无误，点“确定”保留。",
        }
    return {**options, "validate": "any"}


def _write_instructions(
    sheet: Worksheet, registers: list[_Register], year: int, rules_name: str, formats: _Formats
) -> None:
    widths = [14, 16, 6, 46, 24, 40]
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    total = sum(widths)
    last = len(widths) - 1
    row = 0

    def paragraph(text: str, fmt: Format) -> None:
        nonlocal row
        sheet.merge_range(row, 0, row, last, text, fmt)
        lines = sum(
            max(1, math.ceil(_display_width(part) / (total - 4))) for part in text.split("\n")
        )
        if lines > 1:
            sheet.set_row(row, _LINE_HEIGHT * lines + 3)
        row += 1

    paragraph(f"{year}年度政协委员履职登记工作簿 · 填表说明", formats.title)
    sheet.set_row(0, 24)
    for number, note in enumerate(_general_notes(registers, year, rules_name), start=1):
        paragraph(f"{number}. {note}", formats.note)
    for register in registers:
        row += 1
        sheet.set_row(row, 20)
        paragraph(
            f"工作表“{register.name}”{'（必须有）' if register.sheet.required else ''}：{register.sheet.help}",
            formats.heading,
        )
        sheet.write_row(
            row, 0, ["列", "表头", "必填", "说明", "示例", "可填的词"], formats.table_header
        )
        row += 1
        for letter_index, field in enumerate(register.fields):
            col = field.column
            example = str(_example(col, year)) if col.example else ""
            cells = [
                excel_column(letter_index),
                field.header,
                "是" if col.required else "",
                _help(field, year),
                example,
                _words_note(field),
            ]
            for c, text in enumerate(cells):
                sheet.write_string(row, c, text, formats.cell)
            lines = max(
                max(1, math.ceil(_display_width(text) / max(widths[c] - 2, 1)))
                for c, text in enumerate(cells)
            )
            if lines > 1:
                sheet.set_row(row, _LINE_HEIGHT * lines + 3)
            row += 1
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _words_note(field: _Field) -> str:
    choices = field.choices
    if choices is None:
        return ""
    vocab = choices.vocabulary
    words = "、".join(vocab.words)
    extra = [w for w in choices.words if w not in vocab.words and "、" not in w]
    if extra:
        words += f"（本单位的写法：{'、'.join(extra)}）"
    if field.column.key == "marks":
        words += "；可填几个，用顿号“、”分隔"
    rule = "只能选列表中的词" if vocab.closed else "也可填本单位的词"
    default = f"；空为“{vocab.default}”" if vocab.default else ""
    return f"{words}。{rule}{default}"


def _general_notes(registers: list[_Register], year: int, rules_name: str) -> list[str]:
    roster = next(r for r in registers if r.sheet.key == "roster")
    notes = [
        f"本工作簿用于登记委员全年的履职情况。填好后运行“perfscore assess 本文件名.xlsx”计算{year}年度考核得分；"
        "perfscore 只读取本文件，不会修改它。",
        "每个工作表是一种登记表（各表的内容见下文）。请不要修改工作表名称和第一行的表头；列的先后可以调整，"
        "右侧可以增加本单位需要的列（如序号、联系电话），这些列不读取。",
        "表头为橙色的列必填，蓝色的列可以不填。没有记录的登记表可以只留表头；"
        f"“{roster.name}”表必须有。空行和以“合计”“总计”“小计”开头的合计行不读取。",
        "各表第 2 行起灰色斜体的行是示例，填写前请删除（选中示例行，右键“删除”）。"
        "示例前后一致，保留也能计分，但示例中的委员会计入考核。",
        f"日期：直接填日期（如 {year}-05-24），也可以写成文字 {year}/5/24、{year}.5.24、{year}年5月24日。"
        "只写月日（如 5月24日）时按考核年度计，并会提示补上年份。不在考核年度内的记录不计分。",
        "委员：填姓名或委员编号；名单中有同名的委员时须填编号。一格填多位委员时用顿号“、”分隔，并按顺序填写："
        "第一位是第一提案人（领衔）或第一作者，其余是附议、联名或合写的委员。姓名后括号中的说明（如“张三（民盟）”）不影响识别。",
        "委员编号和其他编号按文本保存：本模板已把这些列设为“文本”格式，0001 不会变成 1。"
        "从别的表格粘贴时请用“选择性粘贴 → 数值”，以免带入数字格式。",
        "有下拉箭头的列从列表中选。下表标明“只能选列表中的词”的列不接受其他词；"
        "标明“也可填本单位的词”的列（如会议类型、活动类型）可以填本单位的类型，Excel 会先提示确认，"
        "积分办法中须有相应的计分规则。",
    ]
    if rules_name:
        notes.append(
            f"本模板按积分办法文件“{rules_name}”生成，下拉列表中含本单位的用词；考核时请使用同一个文件："
            f"perfscore assess 本文件名.xlsx --rules {rules_name}"
        )
    return notes
