"""The Word documents as a reader gets them: LibreOffice converts each of the sample's four
documents (考核情况通报, 季度通报, 评优公示, 办法) to PDF once, and the PDF holds the titles, the names
and the real figures, on A4 pages numbered "— n —", set in a Noto CJK font with the Simplified
Chinese glyph forms.

About the glyph forms: Debian's fonts-noto-cjk ships one collection (.ttc) per weight whose
faces (SC, TC, JP, KR, HK) share one CFF font program, so ``pdffonts`` names every embedded
subset ``NotoSansCJKjp-…`` whichever face was chosen; the name cannot tell SC from JP. What
decides the forms is the text language (``w:lang w:eastAsia="zh-CN"``, which LibreOffice
applies as OpenType ``locl``): a probe in the same layout is rendered beside its twin marked
ja-JP, and the two must differ (骨, 直 and 角 are drawn differently in Japanese).

Needs LibreOffice and poppler-utils (``.ci/run`` installs libreoffice-writer); skipped without.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import perfscore
from perfscore.quarterly import assess_progress, parse_quarter
from perfscore.rules import load_rules
from perfscore.writers.documents import (
    write_annual_notice,
    write_award_notice,
    write_progress_notice,
    write_rules_document,
)
from perfscore.writers.official import OfficialDocument, OfficialStyle

from .conftest import SAMPLE
from .test_print import PDFINFO, PDFTOTEXT, SOFFICE, is_a4, page_sizes, to_pdf

PDFFONTS = shutil.which("pdffonts")
WRITER = shutil.which("lowriter")  # libreoffice-writer: soffice alone may have only Calc
PDFTOPPM = shutil.which("pdftoppm")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (SOFFICE and WRITER and PDFTOTEXT and PDFINFO and PDFFONTS and PDFTOPPM),
        reason="LibreOffice Writer (soffice, lowriter) or poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm) "
        "is not installed: run .ci/run, or apt-get install libreoffice-writer fonts-noto-cjk "
        "poppler-utils",
    ),
]

PROBE_TEXT = "直骨角"


def _probe(path: Path, language: str) -> Path:
    """The layout's body text, large, with the East Asian language given."""
    doc = OfficialDocument(OfficialStyle(body_size=36, line_pitch=50))
    doc.paragraph(PROBE_TEXT, indent=False)
    data = doc.to_bytes()
    if language != "zh-CN":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                part = source.read(info.filename)
                if info.filename.endswith(".xml"):
                    part = part.replace(b'w:eastAsia="zh-CN"', f'w:eastAsia="{language}"'.encode())
                target.writestr(info, part)
        data = out.getvalue()
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def printed_documents(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("documents")
    result = perfscore.assess(SAMPLE)
    report = assess_progress(SAMPLE, parse_quarter("2023Q2"))
    sources = {
        "notice": write_annual_notice(result, folder / "notice.docx"),
        "report": write_progress_notice(report, folder / "report.docx"),
        "award": write_award_notice(result, result.shortlists, folder / "award.docx"),
        "rules": write_rules_document(load_rules(None), folder / "rules.docx"),
        "probe": _probe(folder / "probe.docx", "zh-CN"),
        "probe_ja": _probe(folder / "probe_ja.docx", "ja-JP"),
    }
    pdfs = to_pdf(list(sources.values()), folder)
    return {"result": result, "progress": report, **dict(zip(sources, pdfs))}


def text_of(pdf: Path) -> str:
    """The PDF's text with all white space removed (CJK lines break anywhere, even in a name)."""
    text = subprocess.run(
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", text)


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def fonts_of(pdf: Path) -> list[str]:
    out = subprocess.run(
        [PDFFONTS, str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [line.split()[0] for line in out if line.strip()]


@pytest.mark.parametrize("kind", ["notice", "report", "award", "rules"])
def test_each_document_prints_on_numbered_a4_pages_in_a_cjk_font(printed_documents, kind):
    pdf = printed_documents[kind]
    sizes = page_sizes(pdf)
    assert sizes and all(is_a4(size) for size in sizes), sorted(set(sizes))
    for number, page in enumerate(pages_of(pdf), start=1):
        assert f"—{number}—" in page, (kind, number)
    fonts = fonts_of(pdf)
    cjk = [f for f in fonts if "CJK" in f]
    assert cjk, fonts  # the Chinese is set in Noto CJK, not in boxes
    assert all("+Noto" in f for f in cjk), fonts


def test_the_text_language_gives_simplified_chinese_glyph_forms(printed_documents, tmp_path):
    def png(pdf: Path) -> bytes:
        stem = tmp_path / pdf.stem
        subprocess.run([PDFTOPPM, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(stem)])
        return next(tmp_path.glob(f"{pdf.stem}*.png")).read_bytes()

    assert PROBE_TEXT in text_of(printed_documents["probe"])
    assert png(printed_documents["probe"]) != png(printed_documents["probe_ja"])


def test_the_annual_notice_holds_the_grade_counts_and_the_named_members(printed_documents):
    text = text_of(printed_documents["notice"])
    result = printed_documents["result"]
    m = result.members
    assert "关于2023年度委员履职考核情况的通报" in text
    # The sample's grades from the assessment: 28 优秀, 137 良好, 140 称职, 15 不称职 of 320.
    counts = m["grade"].value_counts()
    assert [counts[g] for g in ("优秀", "良好", "称职", "不称职")] == [28, 137, 140, 15]
    assert "优秀28人，良好137人，称职140人，不称职15人" in text
    assert f"参加考核的委员共{len(m)}人" in text
    missing = [n for n in m.loc[m["grade"].isin(["优秀", "不称职"]), "name"] if n not in text]
    assert not missing
    assert "示例办法" in text


def test_the_award_notice_holds_every_winner_in_full(printed_documents):
    text = text_of(printed_documents["award"])
    for shortlist in printed_documents["result"].shortlists:
        assert f"{shortlist.award.name}（{len(shortlist.winners)}名）" in text
        missing = [
            label for label in shortlist.winners["label"] if re.sub(r"\s+", "", label) not in text
        ]
        assert not missing, (shortlist.award.name, missing[:3])
    assert "公示时间" in text and "联系电话" in text


def test_the_quarterly_notice_holds_the_counts_and_the_reminders(printed_documents):
    text = text_of(printed_documents["report"])
    c = printed_documents["progress"].counts
    assert "关于2023年第二季度委员履职情况的通报" in text
    assert f"达标{c.on_pace}人，落后{c.behind}人" in text
    for heading in ("总体情况", "进度较好的分组", "需提醒的委员", "各界别、专委会情况"):
        assert heading in text
    m = printed_documents["progress"].members
    reminded = m.loc[m["reminder"], "name"]
    assert len(reminded) == c.reminders and all(name in text for name in reminded)


def test_the_rules_document_holds_every_item(printed_documents):
    text = text_of(printed_documents["rules"])
    rules = load_rules(None).rules
    assert re.sub(r"\s+", "", rules.scheme) in text
    names = [item.name for category in rules.categories for item in category.items]
    missing = [name for name in names if re.sub(r"\s+", "", name) not in text]
    assert not missing
