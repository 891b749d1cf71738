"""The documents an office circulates: the Word 通报, 考核情况通报, 公示 and 办法 (公文 layout), the
leadership sheet of the result workbook, the public versions (--mask), and the example-scheme
label. What a reader sees on paper is checked in tests/test_documents_print.py (LibreOffice)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import perfscore
from perfscore.cli import app
from perfscore.privacy import masked_name
from perfscore.rules import DEFAULT_RULES, load_rules
from perfscore.rules.example import EXAMPLE_NOTICE, is_example
from perfscore.writers.official import OfficialDocument, OfficialStyle

from .conftest import roster, write_workbook

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# A small committee: eight members over three 界别, proposals that spread them over the grades.
SMALL_RULES = """\
scheme: 测试单位积分办法
version: "1"
base: 10
categories:
  - id: proposals
    name: 提案
    items:
      - id: filed
        name: 提案立案
        match: {kind: proposal, status: [立案]}
        points_by: {role: {领衔: 10, 附议: 4}}
grades:
  - grade: 优秀
    min: 30
  - grade: 良好
    min: 20
  - grade: 称职
    min: 14
  - grade: 不称职
consequences:
  - name: 约谈
    grades: [不称职]
awards:
  - id: excellent_member
    name: 优秀委员
    pool: members
    requires: {grades: [优秀]}
    quota: 2
"""
MEMBERS = [
    ["0001", "欧阳明", "经济界", "经济委"],
    ["0002", "张三丰", "经济界", "经济委"],
    ["0003", "李四海", "教育界", "提案委"],
    ["0004", "王五湖", "教育界", "提案委"],
    ["0005", "赵六合", "农业界", "经济委"],
    ["0006", "钱七星", "农业界", "提案委"],
    ["0007", "孙八达", "教育界", "经济委"],
    ["0008", "周九如", "经济界", "提案委"],
]
PROPOSALS = [  # (lead, co-signers): 欧阳明 30, 张三丰 24, 李四海 14, others less
    ("0001", ""),
    ("0001", "0002"),
    ("0001", "0002、0003"),
    ("0002", "0003"),
    ("0003", ""),
    ("0004", "0005"),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """(workbook, rules) of the small committee."""
    import datetime as dt

    folder = tmp_path_factory.mktemp("small")
    rows = [["提案编号", "提案标题", "提交日期", "提案人", "立案情况"]]
    for n, (lead, others) in enumerate(PROPOSALS, start=1):
        authors = lead + ("、" + others if others else "")
        rows.append([f"2023{n:03d}", f"关于第{n}件事的提案", dt.date(2023, 3, n), authors, "立案"])
    book = write_workbook(folder / "2023.xlsx", {"委员名单": roster(*MEMBERS), "提案": rows})
    rules = folder / "测试办法.yaml"
    rules.write_text(SMALL_RULES, encoding="utf-8")
    return book, rules


@pytest.fixture(scope="module")
def result(small):
    book, rules = small
    return perfscore.assess(book, rules)


@pytest.fixture(scope="module")
def example_result(small):
    """The small committee under the shipped example scheme (it has a checklist: 提一案 …), which
    scores registers the small committee's workbook does not keep."""
    return perfscore.assess(small[0], allow_missing_sheets=True)


@pytest.fixture(scope="module")
def documents(small) -> dict[str, Path]:
    """The four documents of the small committee, written through the command line."""
    book, rules = small
    runner = CliRunner()
    folder = book.parent
    for args in (
        ["notice", str(book), "-r", str(rules), "-q"],
        ["report", str(book), "-r", str(rules), "--quarter", "2023Q1", "-q"],
        ["shortlist", str(book), "-r", str(rules), "--out", str(folder / "2023年度评优公示.docx")],
        ["rules", "show", str(rules), "--out", str(folder / "积分办法.docx")],
    ):
        run = runner.invoke(app, args)
        assert run.exit_code == 0, (args, run.output)
    return {
        "notice": folder / "2023年度委员履职考核情况通报.docx",
        "report": folder / "2023Q1-季度履职通报.docx",
        "award": folder / "2023年度评优公示.docx",
        "rules": folder / "积分办法.docx",
    }


def docx_text(path: Path) -> str:
    """The text of the body, paragraph by paragraph (table cells too)."""
    import docx

    document = docx.Document(str(path))
    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p"))


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


# --- the 公文 layout ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["notice", "report", "award", "rules"])
def test_each_document_is_a4_with_the_standard_margins_fonts_and_page_number(documents, kind):
    path = documents[kind]
    body = _part(path, "word/document.xml")
    # A4 in twentieths of a point; margins 37/35/28/26 mm.
    assert re.search(r'<w:pgSz w:w="1190[5-7]" w:h="1683[7-9]"', body)
    margins = dict(re.findall(r'w:(top|bottom|left|right)="(\d+)"', body.split("<w:pgMar")[1]))
    assert {k: round(int(v) / 56.693) for k, v in margins.items()} == {
        "top": 37,
        "bottom": 35,
        "left": 28,
        "right": 26,
    }
    styles = _part(path, "word/styles.xml")
    defaults = styles.split("<w:docDefaults>")[1].split("</w:docDefaults>")[0]
    assert 'w:eastAsia="仿宋_GB2312"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    # Every run names its East Asian font: 小标宋 for the title, 黑体 and 楷体 for headings.
    runs = re.findall(r"<w:r>.*?</w:r>", body)
    assert runs and all('w:eastAsia="' in run for run in runs if "<w:t" in run)
    assert 'w:eastAsia="方正小标宋简体"' in body and '<w:sz w:val="44"/>' in body  # 22 pt
    assert 'w:eastAsia="黑体"' in body
    if kind != "rules":
        assert 'w:eastAsia="楷体_GB2312"' in body or kind == "award"
    footer = next(
        _part(path, n) for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer")
    )
    assert "PAGE" in footer and "— " in footer and " —" in footer


def test_the_same_input_gives_the_same_bytes(documents, small, tmp_path):
    runner = CliRunner()
    again = tmp_path / "again.docx"
    book, rules = small
    run = runner.invoke(app, ["notice", str(book), "-r", str(rules), "--out", str(again), "-q"])
    assert run.exit_code == 0, run.output
    assert again.read_bytes() == documents["notice"].read_bytes()
    with zipfile.ZipFile(again) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and "<cp:revision>1</cp:revision>" in core


def test_fonts_and_sizes_come_from_the_rules(tmp_path, small):
    sample = small[0]
    text = DEFAULT_RULES.read_text(encoding="utf-8") + (
        "\ndocuments:\n  unit: 政协某某市委员会办公室\n  body_font: 仿宋\n  title_size: 20\n"
        "  listed_grades: [不称职]\n"
    )
    rules = tmp_path / "本单位.yaml"
    rules.write_text(text, encoding="utf-8")
    out = tmp_path / "通报.docx"
    run = CliRunner().invoke(
        app,
        ["notice", str(sample), "-r", str(rules), "-o", str(out), "-q", "--allow-missing-sheets"],
    )
    assert run.exit_code == 0, run.output
    body = _part(out, "word/document.xml")
    assert 'w:eastAsia="仿宋"' in body and '<w:sz w:val="40"/>' in body
    assert "仿宋_GB2312" not in body
    words = docx_text(out)
    assert "政协某某市委员会办公室" in words
    assert "不称职等次委员名单" in words and "优秀等次委员名单" not in words
    assert EXAMPLE_NOTICE not in words  # an edited copy is the office's own scheme


def test_an_unknown_listed_grade_is_an_error(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text(
        DEFAULT_RULES.read_text(encoding="utf-8") + "\ndocuments:\n  listed_grades: [特优]\n",
        encoding="utf-8",
    )
    run = CliRunner().invoke(app, ["rules", "check", str(rules)])
    assert run.exit_code == 1
    assert "特优" in run.output


def test_an_official_document_can_be_written_by_another_module(tmp_path):
    doc = OfficialDocument(OfficialStyle(body_size=14), title="委员履职档案")
    doc.title("委员履职档案")
    doc.heading("一、基本情况")
    doc.heading("（一）任职", level=2)
    doc.paragraph("张三，经济界。")
    doc.table(pd.DataFrame({"项目": ["提案"], "得分": [12.5]}), numeric=["得分"], decimals=1)
    out = doc.save(tmp_path / "档案.docx")
    text = docx_text(out)
    assert text.splitlines()[:4] == ["委员履职档案", "一、基本情况", "（一）任职", "张三，经济界。"]
    assert "12.5" in text and '<w:sz w:val="28"/>' in _part(out, "word/document.xml")


# --- what the documents say ---------------------------------------------------------------------


def test_the_annual_notice_gives_the_grade_counts_and_names_the_listed_grades(documents, result):
    text = docx_text(documents["notice"])
    assert "关于2023年度委员履职考核情况的通报" in text
    assert "〔    〕    号" in text and "年    月    日" in text
    # By hand: base 10; 欧阳明 leads three filed proposals (30) = 40; 张三丰 leads one (10) and
    # co-signs two (8) = 28; 李四海 10 + 4 + 4 = 28; 王五湖 20; 赵六合 14; the other three 10.
    assert result.members["total"].tolist() == [40, 28, 28, 20, 14, 10, 10, 10]
    assert "优秀 1 人，良好 3 人，称职 1 人，不称职 3 人" in text
    assert "参加考核的委员共 8 人" in text and "平均得分 20.00 分" in text
    assert "优秀等次委员名单（1 人）" in text and "经济界（1 人）：欧阳明。" in text
    assert "不称职等次委员名单（3 人）" in text
    assert "农业界（1 人）：钱七星。" in text and "教育界（1 人）：孙八达。" in text
    assert "约谈（3 人）：" in text
    for name in ("张三丰", "李四海", "王五湖", "赵六合"):  # 良好 and 称职 are not listed
        assert name not in text
    assert "经济界" in text and "提案委" in text  # the group tables
    assert EXAMPLE_NOTICE not in text


def test_the_award_notice_names_winners_in_full_with_sector_and_placeholders(documents, result):
    text = docx_text(documents["award"])
    assert "关于2023年度优秀委员评选结果的公示" in text
    assert "优秀委员（1 名）" in text and "欧阳明" in text and "经济界" in text
    assert "公示时间" in text and "联系人" in text and "联系电话" in text


def test_the_quarterly_notice_has_its_sections_and_reminders(documents):
    text = docx_text(documents["report"])
    for heading in ("总体情况", "进度较好", "需提醒的委员", "各界别、专委会情况", "进度怎样判断"):
        assert heading in text
    # 第一季度 is the first: no one has a checklist, so the reminders are those without records.
    assert "钱七星" in text and "欧阳明" not in text.split("需提醒的委员")[1].split("各界别")[0]


def test_the_rules_document_lists_every_item_and_grade(documents, small, tmp_path):
    text = docx_text(documents["rules"])
    assert "测试单位积分办法" in text and "提案立案" in text and "领衔 10" in text
    assert all(grade in text for grade in ("优秀：30 分及以上", "不称职：其余"))
    assert "示例积分办法" not in text
    out = tmp_path / "办法.docx"
    assert CliRunner().invoke(app, ["rules", "show", "--out", str(out)]).exit_code == 0
    text = docx_text(out)
    rules = load_rules(None).rules
    assert rules.scheme in text and "示例积分办法" in text
    for category in rules.categories:
        assert category.name in text
        assert all(item.name in text for item in category.items)


def test_report_writes_the_word_notice_beside_the_workbook_and_markdown(documents):
    folder = documents["report"].parent
    assert (folder / "2023Q1-季度履职通报.xlsx").exists()
    assert (folder / "2023Q1-季度履职通报.md").exists()


# --- the example scheme is labelled ------------------------------------------------------------


def test_results_of_the_example_scheme_are_labelled_and_others_are_not(tmp_path, small):
    sample = small[0]
    assert is_example(load_rules(None))
    assert not is_example(load_rules(DEFAULT_RULES.parent / "anqing-2018.yaml"))
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    run = runner.invoke(
        app,
        ["assess", str(sample), "-o", str(out), "--allow-missing-sheets"],
        env={"COLUMNS": "300"},
    )
    assert run.exit_code == 0 and "示例积分办法" in run.output
    book = openpyxl.load_workbook(out, read_only=True)
    front = [r[0] for r in book["领导阅览版"].iter_rows(max_row=4, values_only=True)]
    assert EXAMPLE_NOTICE in front
    rules_rows = dict(book["规则"].iter_rows(min_row=2, values_only=True))
    assert rules_rows["说明"] == EXAMPLE_NOTICE and "依据" not in rules_rows
    assert "本工具自定" not in str(rules_rows)
    own = tmp_path / "own.yaml"
    own.write_text(DEFAULT_RULES.read_text(encoding="utf-8") + "\n# 本单位\n", encoding="utf-8")
    run = runner.invoke(
        app, ["assess", str(sample), "-r", str(own), "-o", str(out), "--allow-missing-sheets"]
    )
    assert run.exit_code == 0 and "示例积分办法" not in run.output


# --- the result workbook on paper -------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, result) -> Path:
    return perfscore.write_outputs(result, tmp_path_factory.mktemp("book") / "2023-考核结果.xlsx")


def test_the_leadership_sheet_comes_first_with_title_unit_year_and_date(workbook, result):
    book = openpyxl.load_workbook(workbook)
    ws = book.worksheets[0]
    assert ws.title == "领导阅览版"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2023年度委员履职考核结果"
    assert "单位：" in rows[1][0] and "考核年度：2023 年" in rows[1][0] and "制表日期" in rows[1][0]
    header = rows.index(("名次", "姓名", "界别", "总分", "等次", "说明"))
    table = rows[header + 1 :]
    m = result.members
    assert [r[1] for r in table] == m["name"].tolist()
    assert [r[3] for r in table] == m["total"].tolist()
    assert [r[4] for r in table] == m["grade"].tolist()
    for col in range(6):  # no empty column
        assert any(r[col] not in (None, "") for r in table), col
    first = header + 2  # 1-based row of the first member
    for letter in "ADE":  # 名次, 总分, 等次 centred
        assert ws[f"{letter}{first}"].alignment.horizontal == "center"
    sizes = {ws.cell(r, c).font.sz for r in range(header + 1, ws.max_row + 1) for c in range(1, 7)}
    scale = ws.page_setup.scale or 100
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert min(sizes) * scale / 100 >= 10
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"


def test_every_workbook_names_an_east_asian_font(workbook, tmp_path, small, documents):
    runner = CliRunner()
    public = tmp_path / "公开版.xlsx"
    run = runner.invoke(
        app, ["assess", str(small[0]), "--mask", "-o", str(public), "-q", "--allow-missing-sheets"]
    )
    assert run.exit_code == 0, run.output
    blank = tmp_path / "2024.xlsx"
    assert runner.invoke(app, ["template", str(blank)]).exit_code == 0
    result = perfscore.assess(small[0], small[1])
    shortlists = perfscore.api.write_shortlists(result, result.shortlists, tmp_path / "评优.xlsx")
    for path in (workbook, public, documents["report"].with_suffix(".xlsx"), blank, shortlists):
        styles = _part(path, "xl/styles.xml")
        fonts = re.findall(r"<font>.*?</font>", styles, re.S)
        cells = [f for f in fonts if "Tahoma" not in f]  # Tahoma: the font of cell comments
        assert cells and all(
            '<name val="宋体"/>' in f and '<charset val="134"/>' in f and "scheme" not in f
            for f in cells
        ), path


def test_the_checklist_sheet_shows_ticks_and_dates_and_marks_missing_in_red(
    example_result, tmp_path
):
    result = example_result
    book = openpyxl.load_workbook(perfscore.write_outputs(result, tmp_path / "r.xlsx"))
    ws = book["双五个一"]
    headers = [c.value for c in ws[1]]
    item = "提一案"  # done by any proposal: by 0001-0005, on the date of their first
    col = headers.index(item) + 1
    done = result.checklist[(result.checklist["item"] == item)].set_index("member_id")
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    missing = 0
    for row, member_id in enumerate(ids, start=2):
        cell = ws.cell(row, col)
        record = done.loc[member_id]
        if record["done"]:
            assert cell.value == f"✓ {pd.Timestamp(record['date']):%Y-%m-%d}"
        else:
            missing += 1
            assert cell.value == "未完成" and cell.font.color.rgb.endswith("C00000")
    assert missing == 3
    assert not any("!" in str(c.value) for c in ws[2])  # no cell references on paper
    sources = book["双五个一来源"]
    source_headers = [c.value for c in sources[1]]
    column = source_headers.index(item) + 1
    for row in range(2, sources.max_row + 1):
        record = done.loc[sources.cell(row, 1).value]
        expected = record["source"] if record["done"] else "未完成"
        assert sources.cell(row, column).value == expected
    assert sources.cell(2, column).value.startswith("提案!")


# --- public versions ---------------------------------------------------------------------------


def _all_parts(path: Path) -> str:
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8-sig")
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_public_versions_hold_no_real_name_and_no_id(small, result, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "公开"
    folder.mkdir()
    source = folder / "2023.xlsx"
    shutil.copyfile(small[0], source)
    csv = folder / "公开.csv"
    r = ["-r", str(small[1])]
    for args in (
        ["assess", str(source), *r, "--mask", "--public-columns", "界别,总分", "-q"],
        ["assess", str(source), *r, "--mask", "-o", str(csv), "-q"],
        ["report", str(source), *r, "--quarter", "2023Q1", "--mask", "-q"],
        ["shortlist", str(source), *r, "--mask"],
    ):
        run = runner.invoke(app, args, env={"COLUMNS": "300"})
        assert run.exit_code == 0, (args, run.output)
    written = sorted(p for p in folder.iterdir() if p != source)
    assert [p.name for p in written] == [
        "2023-考核结果-公开版.xlsx",
        "2023Q1-季度履职通报-公开版.xlsx",
        "2023年度评优名单-公开版.xlsx",
        "公开.csv",
    ]
    m = result.members
    names = sorted({n for n in m["name"] if len(n) >= 2})
    ids = sorted(set(m["member_id"]))
    for path in written:
        text = _all_parts(path)
        assert not [n for n in names if n in text], path.name
        found = [
            i for i in ids if re.search(rf"(?<![0-9A-Za-z]){re.escape(i)}(?![0-9A-Za-z])", text)
        ]
        assert not found, (path.name, found[:5])
        assert "2023.xlsx" not in text and "积分明细" not in text and "数据提示" not in text
    book = openpyxl.load_workbook(folder / "2023-考核结果-公开版.xlsx")
    assert book.sheetnames == ["公开名单"]
    rows = list(book["公开名单"].iter_rows(values_only=True))
    assert rows[0][0] == "2023年度委员履职考核结果" and "公开版" in rows[1][0]
    header = rows.index(("名次", "姓名", "等次", "界别", "总分"))
    assert [r[1] for r in rows[header + 1 :]] == m["name"].map(masked_name).tolist()
    assert [r[2] for r in rows[header + 1 :]] == m["grade"].tolist()
    assert [r[4] for r in rows[header + 1 :]] == m["total"].tolist()


def test_an_unknown_public_column_is_refused(small, tmp_path):
    out = tmp_path / "x.xlsx"
    run = CliRunner().invoke(
        app,
        [
            "assess",
            str(small[0]),
            "--mask",
            "--public-columns",
            "委员编号",
            "-o",
            str(out),
            "--allow-missing-sheets",
        ],
    )
    assert run.exit_code == 2 and "委员编号" in run.output and not out.exists()
