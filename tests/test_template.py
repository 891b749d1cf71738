"""perfscore template: an empty entry workbook in the input format, which perfscore reads back.

The round-trip tests fill a template the way a program (or a clerk) would — openpyxl loads it,
deletes the example rows, appends rows — then score it with perfscore.assess and compare with
totals worked out by hand from the shipped rules (rules/default.yaml):
  base 10; 会议出勤 starts at 20 (全体会议 请假 −2 / 缺席 −10; 常委会议 for 常委 迟到 −1);
  提案 (cap 25): 立案 领衔 10 / 附议 4, 不立案 领衔 1, 重点提案 领衔 +5, 优秀提案 领衔 +8;
  信息 (cap 20): 报送 2, 采用 县 2 / 市 4 / 省 8 (cumulative), 批示 市 5 — each split 60% to the
  first author, the rest shared; 调研报告 (cap 10): 采用 6 to each of the first three authors;
  活动 (cap 15): 培训 全程 3, 视察 1.5; 双五个一: 5 more only when all ten items are done;
  grades 优秀 ≥ 85 (with 双五个一 complete), 良好 ≥ 75, 称职 ≥ 60, else 不称职.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

import perfscore
from perfscore.cli import app
from perfscore.inputformat import SHEETS, VOCABULARIES
from perfscore.template import INSTRUCTIONS_SHEET, OPTIONS_SHEET, write_template

from .conftest import ROOT, SAMPLE, sha256

D = dt.date


def _range_words(book: openpyxl.Workbook, formula: str) -> list[str]:
    """The words of a list validation's range, e.g. '选项'!$C$2:$C$5."""
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula.lstrip("="))
    assert match, f"not a range on another sheet: {formula!r}"
    sheet, col, first, col2, last = match.groups()
    assert col == col2
    return [book[sheet][f"{col}{row}"].value for row in range(int(first), int(last) + 1)]


def _validations(sheet) -> dict[str, object]:
    """First column letter of each validation's range -> the validation."""
    return {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in sheet.data_validations.dataValidation
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "2024.xlsx", year=2024)


# --- what the template holds ------------------------------------------------------------------


def test_every_sheet_and_header_of_the_input_format_in_order(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, *(s.name for s in SHEETS), OPTIONS_SHEET]
    assert book.active.title == INSTRUCTIONS_SHEET, "the instructions open first"
    assert book[OPTIONS_SHEET].sheet_state == "hidden"
    for sheet in SHEETS:
        header = [c.value for c in book[sheet.name][1]]
        assert header == [col.header for col in sheet.columns]


def test_dropdowns_list_the_vocabularies_from_ranges_on_the_hidden_sheet(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    for sheet in SHEETS:
        validations = _validations(book[sheet.name])
        for index, col in enumerate(sheet.columns):
            dv = validations[openpyxl.utils.get_column_letter(index + 1)]
            assert str(dv.sqref).endswith("1048576"), "the whole column, below the header"
            if not col.vocabulary:
                continue
            vocab = VOCABULARIES[col.vocabulary]
            assert dv.type == "list"
            words = _range_words(book, dv.formula1)
            if col.key == "marks":  # several marks in one cell: every combination is offered
                assert words == ["重点提案", "优秀提案", "重点提案、优秀提案"]
            else:
                assert words == list(vocab.words), f"{sheet.name}!{col.header}"
            # closed vocabularies refuse other words; open ones (会议类型, 活动类型 …) only ask
            assert (dv.errorStyle or "stop") == ("stop" if vocab.closed else "information"), (
                f"{sheet.name}!{col.header}"
            )
            assert dv.showErrorMessage and dv.error


def test_date_columns_are_dates_and_every_other_column_is_text(template: Path) -> None:
    """Text format keeps an ID typed as 0001 from becoming the number 1 (IDs go in name columns too)."""
    book = openpyxl.load_workbook(template)
    for sheet in SHEETS:
        dims = book[sheet.name].column_dimensions
        formats = {}
        for dim in dims.values():
            for index in range(dim.min, dim.max + 1):
                formats[index] = dim.number_format
        for index, col in enumerate(sheet.columns, start=1):
            assert formats[index] == ("yyyy-mm-dd" if col.kind == "date" else "@"), (
                f"{sheet.name}!{col.header}"
            )
        validations = _validations(book[sheet.name])
        for index, col in enumerate(sheet.columns, start=1):
            dv = validations[openpyxl.utils.get_column_letter(index)]
            assert dv.promptTitle == col.header and dv.prompt, (
                "selecting a cell shows what to write"
            )
            if col.kind == "date":  # text dates are accepted too: the alert only asks
                assert dv.type == "date" and dv.errorStyle == "information"


def test_example_rows_are_marked_and_consistent(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    roster = book["委员名单"]
    names = {roster.cell(row, 2).value for row in range(2, roster.max_row + 1)}
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert ws.max_row >= 2
        assert "示例" in ws["A2"].comment.text and "删除" in ws["A2"].comment.text
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.value is not None:
                    assert cell.font.i and cell.font.color.rgb.endswith("808080"), (
                        f"{sheet.name}!{cell.coordinate}"
                    )
        for index, col in enumerate(sheet.columns, start=1):
            if col.kind in ("names", "member"):
                for row in range(2, ws.max_row + 1):
                    assert set(ws.cell(row, index).value.split("、")) <= names, (
                        "every member named is on the roster"
                    )
    assert book["提案"]["C2"].value == dt.datetime(2024, 1, 10), (
        "examples are dated in the template's year"
    )
    assert book["委员名单"]["A2"].value == "0001"


def test_instructions_explain_every_sheet_and_column(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    text = "\n".join(
        str(c.value)
        for row in book[INSTRUCTIONS_SHEET].iter_rows()
        for c in row
        if c.value is not None
    )
    for sheet in SHEETS:
        assert f"工作表“{sheet.name}”" in text and sheet.help.replace("2023", "2024") in text
        for col in sheet.columns:
            assert col.header in text
            if col.help:
                assert col.help.replace("2023", "2024") in text, f"{sheet.name}!{col.header}"
    for date_form in ["2024-05-24", "2024/5/24", "2024.5.24", "2024年5月24日", "5月24日"]:
        assert date_form in text
    assert "顿号“、”分隔" in text and "第一提案人" in text and "示例" in text and "删除" in text
    assert "只能选列表中的词" in text and "也可填本单位的词" in text


def test_the_template_as_written_is_refused_for_its_examples_only(template: Path) -> None:
    """The grey example rows are not members: the untouched template is refused with one error
    at each example in 委员名单, and nothing else (the examples agree with each other, and the
    hidden 选项 sheet and 填表说明 are not taken for registers)."""
    with pytest.raises(perfscore.DataError) as refused:
        perfscore.assess(template)
    assert [(p.place, p.reason, p.value) for p in refused.value.problems] == [
        (f"委员名单!B{row}", "template_example", name)
        for row, name in enumerate(["张三", "李四", "王五", "赵六", "钱七"], start=2)
    ]


SHIPPED_RULES = sorted((ROOT / "rules").glob("*.yaml"))


@pytest.mark.parametrize("rules", SHIPPED_RULES, ids=[r.stem for r in SHIPPED_RULES])
def test_a_template_of_each_shipped_scheme_keeps_every_register_it_scores(
    rules: Path, tmp_path: Path
) -> None:
    """Each shipped scheme's template has a sheet for every register the scheme scores: it is
    refused for its example rows only, never for an absent register."""
    book = write_template(tmp_path / "模板.xlsx", rules)  # in the scheme's year, if it has one
    with pytest.raises(perfscore.DataError) as refused:
        perfscore.assess(book, rules)
    assert {p.reason for p in refused.value.problems} == {"template_example"}


@pytest.mark.parametrize("rules", SHIPPED_RULES, ids=[r.stem for r in SHIPPED_RULES])
def test_the_sample_has_every_register_each_shipped_scheme_scores(rules: Path) -> None:
    report = perfscore.check(SAMPLE, rules)
    assert not report.errors and not [p for p in report.problems if p.reason == "missing_sheet"]


# --- filled in, it round-trips ------------------------------------------------------------------

FILLED = {
    "委员名单": [
        ["0001", "张三", "经济界", "提案委", "第一学习组", "第一工作组", "是"],
        ["0002", "李四", "经济界", "提案委", "第一学习组", "第一工作组", "否"],
        ["0003", "王五", "教育界", "社法委", "第二学习组", "第二工作组", "否"],
        ["0007", "孙八", "教育界", "社法委", "第二学习组", "第二工作组", "否", D(2024, 7, 1)],
    ],
    "提案": [  # 提案编号 标题 提交日期 提案方式 提案人 状态 并入案号 标记
        [
            "2024001",
            "关于加快县域物流体系建设的提案",
            D(2024, 1, 10),
            "联名",
            "张三、李四",
            "立案",
            None,
            "重点提案",
        ],
        ["2024002", "关于老旧小区加装电梯的提案", "2024.3.15", "个人", "王五", "不立案"],
        [
            "2024003",
            "关于全民健身场地建设的提案",
            D(2024, 2, 1),
            None,
            "张三",
            "立案",
            None,
            "优秀提案",
        ],
    ],
    "社情民意": [["X2024-001", "关于规范农村集体资产管理的建议", D(2024, 3, 2), "王五、李四"]],
    "信息采用": [
        ["X2024-001", "采用", "市", D(2024, 4, 18), "市委办公室刊发"],
        ["X2024-001", "采用", "省", D(2024, 5, 20)],
        ["X2024-001", "批示", "市", "2024年6月3日"],
    ],
    "调研报告": [
        ["D2024-01", "关于全市养老服务体系的调研报告", D(2024, 6, 30), "王五、张三", "采用"]
    ],
    "会议出勤": [
        ["政协第十届委员会第三次会议", "全体会议", D(2024, 1, 8), "张三", "出席"],
        ["政协第十届委员会第三次会议", "全体会议", D(2024, 1, 8), "李四", "请假"],
        ["政协第十届委员会第三次会议", "全体会议", D(2024, 1, 8), "王五", "缺席"],
        ["政协第十届委员会第三次会议", "全体会议", D(2024, 1, 8), "孙八", "缺席"],
        ["常委会第五次会议", "常委会议", D(2024, 6, 1), "0001", "迟到"],
    ],
    "活动": [  # 活动名称 活动类型 形式 日期 参加委员
        ["履职能力培训班", "培训", "全程", D(2024, 4, 10), "张三、李四、王五"],
        ["重点项目建设视察", "视察", None, D(2024, 8, 20), "孙八"],
    ],
    "双五个一": [["张三", "联一村", D(2024, 4, 2), "联系某村，协调修建灌溉渠"]],
}

FILLED_TOTALS = {
    # 10 + meetings (20 − 常委会议迟到 1) + 提案 min(立案领衔 10 + 重点 5 + 立案领衔 10 + 优秀 8 = 33, 25)
    #    + 调研报告采用 6 + 培训全程 3                                         = 10 + 19 + 25 + 6 + 3
    "0001": 63.0,
    # 10 + (20 − 请假 2) + 附议 4 + 信息 (报送 2×0.4 + 市 4×0.4 + 省 8×0.4 + 批示 5×0.4 = 7.6) + 培训 3
    "0002": 42.6,
    # 10 + (20 − 缺席 10) + 不立案领衔 1 + 信息 (2×0.6 + 4×0.6 + 8×0.6 + 5×0.6 = 11.4) + 调研 6 + 培训 3
    "0003": 41.4,
    # 10 + 20 (the 1月8日 meeting was before his term: not scored) + 视察 1.5
    "0007": 31.5,
}


def _fill(
    template: Path,
    target: Path,
    rows_by_sheet: dict[str, list[list]],
    *,
    keep_examples: bool = False,
) -> Path:
    """Load the template, delete the example rows of every register (unless kept), append rows."""
    book = openpyxl.load_workbook(template)
    if not keep_examples:
        for sheet in book.worksheets[1:-1]:  # between 填表说明 and 选项
            sheet.delete_rows(2, sheet.max_row - 1)
    for name, rows in rows_by_sheet.items():
        for row in rows:
            book[name].append(row)
    book.save(target)
    return target


def test_a_filled_template_gives_the_hand_computed_totals(template: Path, tmp_path: Path) -> None:
    filled = _fill(template, tmp_path / "2024-已填写.xlsx", FILLED)
    result = perfscore.assess(filled)
    members = result.members.set_index("member_id")
    assert members["total"].to_dict() == pytest.approx(FILLED_TOTALS)
    assert members["grade"].to_dict() == {
        "0001": "称职",
        "0002": "不称职",
        "0003": "不称职",
        "0007": "不称职",
    }
    assert set(result.ledger["source"]) >= {
        "提案!E2",
        "提案!E4",
        "信息采用!C3",
        "会议出勤!D6",
        "活动!E2",
    }
    assert [(p.place, "任期" in p.message) for p in result.problems] == [("会议出勤!D5", True)]


def test_examples_kept_above_added_rows_are_refused(template: Path, tmp_path: Path) -> None:
    """A clerk who forgets to delete the examples is told at each example row; the rows added
    below them are read and raise nothing of their own."""
    rows = {
        "委员名单": [["0006", "周九", "农业界"]],
        "会议出勤": [["政协第十届委员会第三次会议", "全体会议", D(2024, 1, 8), "周九", "缺席"]],
    }
    with pytest.raises(perfscore.DataError) as refused:
        perfscore.assess(_fill(template, tmp_path / "kept.xlsx", rows, keep_examples=True))
    assert {p.reason for p in refused.value.problems} == {"template_example"}
    assert len(refused.value.problems) == 5


OFFICE_RULES = """\
scheme: 本单位办法（模板测试）
version: "test"
input:
  sheets:
    proposals: [提案汇总表]
  headers:
    proposals: {members: [提案者姓名]}
    attendance: {status: [到会情况]}
  words:
    attendance: {请假: [公出]}
    activity_type: {表彰: []}
categories:
  - id: meetings
    name: 会议
    items:
      - id: plenary
        name: 全体会议
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {出席: 2, 请假: -1, 缺席: -5}
  - id: duty
    name: 履职
    items:
      - id: proposal
        name: 立案提案
        match: {kind: proposal, status: [立案]}
        points_by:
          role: {领衔: 10, 附议: 4}
      - id: honour
        name: 表彰
        match: {kind: activity, type: [表彰]}
        points: 3
grades:
  - {grade: 优秀, min: 10}
  - {grade: 合格}
"""


def test_the_offices_own_sheet_names_headers_and_words(tmp_path: Path) -> None:
    rules = tmp_path / "本单位办法.yaml"
    rules.write_text(OFFICE_RULES, encoding="utf-8")
    template = write_template(tmp_path / "模板.xlsx", rules, year=2024)
    book = openpyxl.load_workbook(template)
    assert "提案汇总表" in book.sheetnames and "提案" not in book.sheetnames
    assert [c.value for c in book["提案汇总表"][1]][4] == "提案者姓名"
    assert [c.value for c in book["会议出勤"][1]][4] == "到会情况"
    attendance = _validations(book["会议出勤"])["E"]
    assert _range_words(book, attendance.formula1) == [*VOCABULARIES["attendance"].words, "公出"]
    activity = _validations(book["活动"])["B"]
    assert (
        _range_words(book, activity.formula1)[-1] == "表彰" and activity.errorStyle == "information"
    )
    notes = "\n".join(
        str(c.value) for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value
    )
    assert "本单位办法.yaml" in notes and "公出" in notes

    filled = _fill(
        template,
        tmp_path / "已填写.xlsx",
        {
            "委员名单": [["0001", "张三", "经济界"], ["0002", "李四", "经济界"]],
            "提案汇总表": [
                ["2024001", "关于某事的提案", D(2024, 3, 1), "联名", "张三、李四", "立案"]
            ],
            "会议出勤": [
                ["全会", "全体会议", D(2024, 1, 8), "张三", "公出"],
                ["全会", "全体会议", D(2024, 1, 8), "李四", "出席"],
            ],
            "活动": [["年度表彰", "表彰", None, D(2024, 12, 1), "李四"]],
        },
    )  # 社情民意, 信息采用, 调研报告, 双五个一 left empty: header only
    result = perfscore.assess(filled, rules)
    # 张三: 公出 = 请假 −1, 领衔 10 → 9; 李四: 出席 2, 附议 4, 表彰 3 → 9
    assert dict(zip(result.members["member_id"], result.members["total"])) == {
        "0001": 9.0,
        "0002": 9.0,
    }


def test_a_long_word_list_is_a_range_not_an_inline_list(tmp_path: Path) -> None:
    """Excel stops an inline list at 255 characters; a range has no such limit."""
    many = {f"本单位活动类型第{i:02d}项": [] for i in range(40)}
    rules = tmp_path / "多词.yaml"
    rules.write_text(
        OFFICE_RULES.replace(
            "activity_type: {表彰: []}", "activity_type: " + str(many).replace("'", "")
        ),
        encoding="utf-8",
    )
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", rules, year=2024))
    words = _range_words(book, _validations(book["活动"])["B"].formula1)
    assert len("、".join(words)) > 255 and words[-1] == "本单位活动类型第39项"


def test_same_rules_and_year_give_the_same_bytes(tmp_path: Path) -> None:
    first = write_template(tmp_path / "a.xlsx", year=2024)
    second = write_template(tmp_path / "b.xlsx", year=2024)
    assert sha256(first) == sha256(second)


# --- the command ----------------------------------------------------------------------------------


def test_cli_writes_the_template(runner, tmp_path: Path) -> None:
    out = tmp_path / "2024.xlsx"
    result = runner.invoke(app, ["template", str(out), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output and out.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["2024.xlsx"], "no temporary file left behind"


def test_cli_never_overwrites_an_existing_file_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "2024.xlsx"
    out.write_bytes(b"an office's filled workbook")
    result = runner.invoke(app, ["template", str(out)])
    assert result.exit_code == 2
    assert "文件已存在" in result.output and "--force" in result.output
    assert out.read_bytes() == b"an office's filled workbook"
    result = runner.invoke(app, ["template", str(out), "--force", "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == INSTRUCTIONS_SHEET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024.xlsx"]


@pytest.mark.parametrize("name", ["2024.xls", "2024.ods", "2024"])
def test_cli_writes_only_xlsx(runner, tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["template", str(tmp_path / name)])
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_reports_a_missing_rules_file(runner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["template", str(tmp_path / "2024.xlsx"), "--rules", str(tmp_path / "无.yaml")]
    )
    assert result.exit_code == 2 and "找不到规则文件" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_year_comes_from_the_file_name_when_not_given(tmp_path: Path) -> None:
    from perfscore.template import write_template

    book = write_template(tmp_path / "2021年登记.xlsx")
    sheet = openpyxl.load_workbook(book)["提案"]
    assert sheet["C2"].value.year == 2021  # the example proposal's date
