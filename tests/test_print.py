"""Every output prints: LibreOffice (headless) converts each workbook and the CSV to PDF without
error, and the PDF shows what a clerk expects — every member's name beside their total, the
column headers and the title with the year on every page, A4, the columns fitted to the page
width (no page carries only the right-hand columns), a page number on every page.

Needs LibreOffice (``soffice``) and poppler's ``pdftotext``/``pdfinfo``; ``.ci/run`` installs
them where it can (``apt-get install libreoffice-calc fonts-noto-cjk poppler-utils``). Where
they are missing the tests are skipped, saying so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import perfscore
from perfscore.privacy import mask_assessment

from .conftest import SAMPLE, roster, write_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (SOFFICE and PDFTOTEXT and PDFINFO),
        reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed: "
        "run .ci/run, or apt-get install libreoffice-calc fonts-noto-cjk poppler-utils",
    ),
]

HOSTILE = '=HYPERLINK("http://x","y")'
CONVERT_TIMEOUT = 600  # seconds: far more than the sample's workbook takes
# The pages of the sample's assessment not turned into PDF: the middle of 积分明细, all
# ledger lines laid out as on the pages around them. Rendering them would be most of the
# conversion; the test checks that the pages on both sides of the gap are ledger pages, and the
# page numbers printed on the others still count every page.
NOT_RENDERED = range(61, 140)


def to_pdf(
    sources: list[Path],
    outdir: Path,
    infilter: str | None = None,
    not_rendered: range | None = None,
) -> list[Path]:
    """Convert with a throw-away LibreOffice profile (no clash with a running LibreOffice),
    leaving out the pages ``not_rendered`` (of any source that has them)."""
    profile = outdir / "lo-profile"
    export = "pdf"
    if not_rendered is not None:
        ranges = f"1-{not_rendered.start - 1};{not_rendered.stop}-100000"
        export = "pdf:calc_pdf_Export:" + json.dumps(
            {"PageRange": {"type": "string", "value": ranges}}
        )
    command = [
        SOFFICE,
        "--headless",
        "--norestore",
        "--nologo",
        f"-env:UserInstallation={profile.as_uri()}",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        export,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT)
    assert run.returncode == 0, run.stderr
    pdfs = [outdir / f"{source.stem}.pdf" for source in sources]
    for pdf in pdfs:
        assert pdf.is_file() and pdf.stat().st_size > 1000, (
            f"{pdf.name} was not written: {run.stdout} {run.stderr}"
        )
    return pdfs


def pages(pdf: Path) -> list[str]:
    """Each page's text, laid out as printed (one table row per line)."""
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        [PDFINFO, "-f", "1", "-l", "100000", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    ]


def is_a4(size: tuple[float, float]) -> bool:
    return sorted(round(v) for v in size) == [595, 842]


def header_sheet(text: str) -> str:
    """The sheet name printed at the right of a page's header line."""
    return next(line for line in text.splitlines() if line.strip()).split()[-1]


def by_sheet(texts: list[str]) -> dict[str, list[str]]:
    """Pages grouped by the sheet they print."""
    sheets: dict[str, list[str]] = {}
    for text in texts:
        sheets.setdefault(header_sheet(text), []).append(text)
    return sheets


_PAGE_NUMBER = re.compile(r"第 (\d+) 页，共 (\d+) 页")


def page_numbers(texts: list[str]) -> list[tuple[int, int]]:
    """(page number, pages in all) as printed at the foot of each page."""
    feet = [[line for line in text.splitlines() if line.strip()][-1] for text in texts]
    found = [_PAGE_NUMBER.search(foot) for foot in feet]
    assert all(found), [foot for foot, match in zip(feet, found) if not match][:3]
    return [(int(m[1]), int(m[2])) for m in found if m]


def check_printed_workbook(
    pdf: Path, title: str, first_headers: dict[str, str], not_rendered: range | None = None
) -> dict[str, list[str]]:
    """What every printed workbook must show; returns the pages by sheet for further checks.

    ``first_headers``: sheet -> the header of its first column, which must be on every page of
    that sheet (the header row repeats, and no page holds only columns that spilled over).
    ``not_rendered``: the pages left out of the PDF, which the printed numbers still count."""
    texts = pages(pdf)
    sizes = page_sizes(pdf)
    assert len(sizes) == len(texts) > 0
    assert all(is_a4(size) for size in sizes), sorted(set(sizes))
    numbers = page_numbers(texts)
    total = numbers[-1][1]
    skipped = set(not_rendered or ())
    assert numbers == [(n, total) for n in range(1, total + 1) if n not in skipped], numbers
    for (number, _), text in zip(numbers, texts):
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[0].lstrip().startswith(title), (number, lines[0])
    sheets = by_sheet(texts)
    for sheet, header in first_headers.items():
        assert sheet in sheets, (sheet, list(sheets))
        for number, text in enumerate(sheets[sheet], start=1):
            assert re.search(rf"^\s*{re.escape(header)}\s", text, re.MULTILINE), (sheet, number)
    return sheets


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The sample's assessment workbook, CSV, shortlist and progress report workbooks, and a small
    workbook with hostile names (plain and masked), each converted to PDF once."""
    folder = tmp_path_factory.mktemp("print")
    result = perfscore.assess(SAMPLE)
    assessment = perfscore.write_outputs(result, folder / "2023-考核结果.xlsx")
    ranking_csv = perfscore.write_outputs(result, folder / "2023-总排名.csv")

    from perfscore.api import write_shortlists
    from perfscore.quarterly import assess_progress, parse_quarter
    from perfscore.writers.quarterly import write_progress

    shortlists = write_shortlists(result, result.shortlists, folder / "2023-评优建议名单.xlsx")
    report = next(
        p
        for p in write_progress(assess_progress(SAMPLE, parse_quarter("2023Q2")), folder)
        if p.suffix == ".xlsx"
    )

    small = write_workbook(
        folder / "small.xlsx",
        {
            "委员名单": roster(
                ["0001", "=HYPERLINK", "经济界", "经济委"], ["0002", "欧阳明", "教育界", "提案委"]
            ),
            "提案": [
                ["提案编号", "提案标题", "提交日期", "提案人", "立案情况"],
                ["2023001", HOSTILE, dt.date(2023, 3, 1), "0001", "立案"],
            ],
        },
    )
    small_result = perfscore.assess(small, allow_missing_sheets=True)  # proposals only
    small_result = dataclasses.replace(  # the reader strips a trailing (…) from roster names
        small_result,
        members=small_result.members.replace({"name": {"=HYPERLINK": HOSTILE}}),
        ledger=small_result.ledger.replace({"name": {"=HYPERLINK": HOSTILE}}),
    )
    hostile = perfscore.write_outputs(small_result, folder / "hostile.xlsx")
    hostile_csv = perfscore.write_outputs(small_result, folder / "hostile.csv")
    masked = perfscore.write_outputs(mask_assessment(small_result), folder / "masked.xlsx")

    pdfs = to_pdf(
        [assessment, shortlists, report, hostile, masked], folder, not_rendered=NOT_RENDERED
    )  # the other workbooks have fewer pages than the first left out
    csv_pdfs = to_pdf(
        [ranking_csv, hostile_csv], folder, infilter="CSV:44,34,76,1"
    )  # comma, ", UTF-8, header row
    names = [
        "assessment",
        "shortlists",
        "report",
        "hostile",
        "masked",
        "ranking_csv",
        "hostile_csv",
    ]
    return {"result": result, **dict(zip(names, [*pdfs, *csv_pdfs]))}


def test_the_assessment_workbook_prints_with_headers_titles_and_page_numbers(printed):
    result = printed["result"]
    sheets = check_printed_workbook(
        printed["assessment"],
        f"{result.year}年度委员履职考核结果",
        {
            "总排名": "名次",
            "分项得分": "名次",
            "双五个一": "委员编号",
            "积分明细": "委员编号",
            "分组统计": "分组类型",
            "规则": "项目",
        },
        not_rendered=NOT_RENDERED,
    )
    texts = pages(printed["assessment"])
    numbers = [number for number, _ in page_numbers(texts)]
    sheet_of = [header_sheet(text) for text in texts]
    around = [numbers.index(NOT_RENDERED.start - 1), numbers.index(NOT_RENDERED.stop)]
    assert [sheet_of[i] for i in around] == ["积分明细", "积分明细"], (
        "the pages not rendered must all be ledger pages: change NOT_RENDERED"
    )
    ledger = [n for n, sheet in zip(numbers, sheet_of) if sheet == "积分明细"]
    assert ledger[-1] - ledger[0] + 1 > 50  # the ledger's pages, counting those not rendered
    front = len(sheets["领导阅览版"])  # printed first, then the ranking: landscape
    assert all(
        w > h for w, h in page_sizes(printed["assessment"])[front : front + len(sheets["总排名"])]
    )


def test_every_member_is_printed_beside_their_total_and_grade(printed):
    result = printed["result"]
    ranking = "\n".join(by_sheet(pages(printed["assessment"]))["总排名"])
    lines = ranking.splitlines()
    missing = []
    for member in result.members.itertuples(index=False):
        # one printed line holds the member's ID, name, total and grade: the row was not split
        pattern = re.compile(
            rf"\b{member.member_id}\s+{re.escape(member.name)}\s.*\s{member.total:.2f}\s+{member.grade}\b"
        )
        if not any(pattern.search(line) for line in lines):
            missing.append((member.member_id, member.name, member.total))
    assert not missing, missing[:5]


def test_the_charts_page_prints_each_chart(printed):
    charts = "\n".join(by_sheet(pages(printed["assessment"]))["图表"])
    for title in ("等次分布", "各界别平均分", "各专委会平均分", "双五个一各项完成人数"):
        assert charts.count(title) >= 2, title  # the table's heading and the chart's own title


def test_the_shortlist_and_progress_report_workbooks_print_alike(printed):
    result = printed["result"]
    sheets = check_printed_workbook(
        printed["shortlists"], f"{result.year}年度评优建议名单", {"评优说明": "评选"}
    )
    assert any(name.startswith("评优-") for name in sheets)
    check_printed_workbook(printed["report"], "2023年", {"委员进度": "委员编号"})


def test_formula_text_prints_as_written(printed):
    text = "\n".join(pages(printed["hostile"]))
    assert HOSTILE in text
    assert HOSTILE in "\n".join(pages(printed["hostile_csv"]))


def test_masked_workbook_prints_no_real_name(printed):
    text = "\n".join(pages(printed["masked"]))
    assert "欧阳明" not in text and HOSTILE not in text
    assert "欧**" in text and "=**" in text


def test_the_csv_ranking_prints_every_name_and_total(printed):
    # A spreadsheet opening a CSV reads numbers as numbers: 100.00 shows as 100, and 委员编号 0161
    # as 161 — the CSV is for programs (pandas reads it back exactly); people get the workbook.
    result = printed["result"]
    lines = "\n".join(pages(printed["ranking_csv"])).splitlines()
    missing = [
        m.name
        for m in result.members.itertuples(index=False)
        if not any(
            re.search(rf"\s{re.escape(m.name)}\s.*\s{m.total:g}(\s|$)", line) for line in lines
        )
    ]
    assert not missing, missing[:5]


def test_the_leadership_sheet_prints_first_in_portrait_with_every_member(printed):
    result = printed["result"]
    texts = pages(printed["assessment"])
    sheets = by_sheet(texts)
    assert next(iter(sheets)) == "领导阅览版"
    front = sheets["领导阅览版"]
    assert all(w < h for w, h in page_sizes(printed["assessment"])[: len(front)])  # portrait
    assert "单位：" in front[0] and "考核年度：2023 年" in front[0] and "制表日期" in front[0]
    lines = {" ".join(line.split()) for line in "\n".join(front).splitlines()}
    # one printed line holds the rank, name, 界别, total and grade, in that order
    missing = [
        m.name
        for m in result.members.itertuples(index=False)
        if not any(
            line.startswith(f"{m.rank} {m.name} {m.sector} {m.total:.2f} {m.grade}")
            for line in lines
        )
    ]
    assert not missing, missing[:5]
    assert all(line.count("名次") <= 1 for line in lines)
    assert sum("名次" in page for page in front) == len(front)  # the header on every page
