"""The Word documents an office circulates, in the 公文 layout of :mod:`.official`:

* :func:`write_progress_notice` — the quarterly (monthly) 履职情况通报 from ``perfscore report``;
* :func:`write_annual_notice` — the annual 考核情况通报 from ``perfscore notice``;
* :func:`write_award_notice` — the award 公示 from ``perfscore shortlist`` (names in full, as a
  公示 must be);
* :func:`write_rules_document` — the scheme as a printable 办法 from ``rules show --out``.

Each is written atomically and gives the same bytes for the same input. The 文号, the date and
the contact line are left as placeholders (〔    〕  号, ____年__月__日) for the office to fill in;
the issuing unit comes from the rules' ``documents.unit``. Results scored with the shipped
example scheme carry its notice under the title.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..quarterly import ProgressReport

from ..assessment import Assessment
from ..layout import POOL_LABELS
from ..rules import LoadedRules
from ..rules.example import EXAMPLE_HEADING, EXAMPLE_SCHEME_NOTICE, example_notice
from ..rules.schema import POOL_UNIT
from .commit import ResultSet
from .official import OfficialDocument, OfficialStyle

__all__ = [
    "write_progress_notice",
    "write_annual_notice",
    "write_award_notice",
    "write_rules_document",
    "annual_notice_path",
    "award_notice_path",
    "listed_grades",
    "grade_counts",
    "NUMBER_PLACEHOLDER",
    "DATE_PLACEHOLDER",
    "UNIT_PLACEHOLDER",
]

NUMBER_PLACEHOLDER = "〔    〕    号"
DATE_PLACEHOLDER = "        年    月    日"
UNIT_PLACEHOLDER = "（发文单位）"
_NUMERALS = "一二三四五六七八九十"
_STATUS_WORDS = {"on_pace": "达标", "behind": "落后"}


def _document(loaded: LoadedRules, title: str) -> OfficialDocument:
    doc = OfficialDocument(OfficialStyle.from_rules(loaded.rules), title=title)
    doc.title(title)
    doc.centred(NUMBER_PLACEHOLDER)
    notice = example_notice(loaded)
    if notice:
        doc.paragraph(notice, bold_lead=f"【{EXAMPLE_HEADING}】")
    return doc


def _unit(loaded: LoadedRules) -> str:
    return loaded.rules.documents.unit or UNIT_PLACEHOLDER


def _numbered(index: int, text: str) -> str:
    return f"{_NUMERALS[index] if index < len(_NUMERALS) else index + 1}、{text}"


def _people(n: int) -> str:
    return f"{n} 人"


def _share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


# --- the annual 考核情况通报 ----------------------------------------------------------------------


def annual_notice_path(workbook: str | Path, year: int) -> Path:
    """``<workbook folder>/2023年度委员履职考核情况通报.docx``."""
    return Path(workbook).with_name(f"{year}年度委员履职考核情况通报.docx")


def listed_grades(assessment: Assessment) -> list[str]:
    """The grades the annual 通报 names members of: ``documents.listed_grades``, else the best
    and the worst grade."""
    rules = assessment.rules.rules
    grades = [band.grade for band in rules.grades]
    chosen = rules.documents.listed_grades
    if chosen is not None:
        return [g for g in grades if g in chosen]
    return [grades[0], grades[-1]] if len(grades) > 1 else grades


def grade_counts(assessment: Assessment) -> list[tuple[str, int]]:
    """(grade, members) for every grade of the rules, best first, zero counts included."""
    counts = assessment.members["grade"].value_counts()
    return [(band.grade, int(counts.get(band.grade, 0))) for band in assessment.rules.rules.grades]


def write_annual_notice(assessment: Assessment, out: str | Path) -> Path:
    """The annual 考核情况通报: totals and grade counts, group summaries, the members of the
    listed grades by name (by 界别), the consequences, then the issuing unit and date."""
    a, rules = assessment, assessment.rules.rules
    m = a.members
    decimals = rules.settings.decimals
    title = f"关于{a.year}年度委员履职考核情况的通报"
    doc = _document(a.rules, title)
    doc.paragraph("各位委员：", indent=False)
    doc.paragraph(
        f"根据《{rules.scheme}》，对 {a.year} 年度委员履职情况进行了量化考核。现将考核情况通报如下。"
    )

    section = 0
    doc.heading(_numbered(section, "总体情况"))
    section += 1
    counts = grade_counts(a)
    total = len(m)
    grades_text = "，".join(f"{grade} {n} 人" for grade, n in counts)
    doc.paragraph(
        f"参加考核的委员共 {total} 人，平均得分 {m['total'].mean():.{decimals}f} 分，"
        f"最高 {m['total'].max():.{decimals}f} 分，最低 {m['total'].min():.{decimals}f} 分。"
        f"考核等次为：{grades_text}。"
    )
    if rules.checklist is not None:
        done = int((m["checklist_done"] == m["checklist_total"]).sum())
        doc.paragraph(
            f"{rules.checklist.name}（{len(rules.checklist.items)} 项）全部完成的委员 {done} 人，"
            f"占 {_share(done, total)}。"
        )
    bands = {band.grade: band for band in rules.grades}
    doc.table(
        pd.DataFrame(
            {
                "等次": [g for g, _ in counts],
                "分数": [
                    f"{bands[g].min:g} 分及以上" if bands[g].min is not None else "其余"
                    for g, _ in counts
                ],
                "人数": [n for _, n in counts],
                "占比": [_share(n, total) for _, n in counts],
            }
        ),
        numeric=["人数", "占比"],
        caption="表 1  考核等次分布",
    )

    doc.heading(_numbered(section, "各界别、专委会情况"))
    section += 1
    grades = [band.grade for band in rules.grades]
    present = set(a.groups["dimension"])
    labels = [label for label in ("界别", "专委会") if label in present]
    for number, label in enumerate(labels):
        g = a.groups[a.groups["dimension"] == label]
        if g.empty:
            continue
        best = g.sort_values(["group_rank", "group"]).iloc[0]
        doc.heading(f"（{_NUMERALS[number]}）{label}", level=2)
        score_word = "平均分" if rules.groups.score == "mean" else "总分合计"
        doc.paragraph(
            f"{len(g)} 个{label}中，{score_word}最高的是{best['group']}"
            f"（{best['score']:.{decimals}f} 分）。各{label}情况见下表。"
        )
        table = pd.DataFrame(
            {
                label: g["group"],
                "人数": g["members"].astype(int),
                "平均分": g["mean"],
                "名次": g["group_rank"].astype(int),
                **{grade: g[grade].astype(int) for grade in grades},
            }
        ).sort_values(["名次", label])
        doc.table(
            table,
            numeric=["人数", "平均分", "名次", *grades],
            decimals=decimals,
            caption=f"表 {number + 2}  各{label}考核情况",
        )

    for grade in listed_grades(a):
        named = m[m["grade"] == grade]
        doc.heading(_numbered(section, f"{grade}等次委员名单（{len(named)} 人）"))
        section += 1
        if named.empty:
            doc.paragraph(f"本年度没有{grade}等次的委员。")
            continue
        doc.paragraph("按界别排列，界别内按得分从高到低：")
        for sector in sorted(dict.fromkeys(named["sector"])):
            names = named.loc[named["sector"] == sector, "name"].tolist()
            doc.paragraph("、".join(names) + "。", bold_lead=f"{sector}（{len(names)} 人）：")

    if rules.consequences:
        doc.heading(_numbered(section, "处理意见"))
        section += 1
        flagged = m[m["consequences"] != ""]
        if flagged.empty:
            doc.paragraph("本年度没有需要按办法处理的委员。")
        for consequence in rules.consequences:
            names = flagged.loc[
                flagged["consequences"].str.contains(consequence.name, regex=False), "name"
            ].tolist()
            if names:
                note = f"（{consequence.note}）" if consequence.note else ""
                doc.paragraph(
                    "、".join(names) + "。",
                    bold_lead=f"{consequence.name}{note}（{len(names)} 人）：",
                )
    doc.signature(_unit(a.rules), DATE_PLACEHOLDER)
    return doc.save(out)


# --- the award 公示 -------------------------------------------------------------------------------


def award_notice_path(workbook: str | Path, year: int) -> Path:
    """``<workbook folder>/2023年度评优公示.docx``."""
    return Path(workbook).with_name(f"{year}年度评优公示.docx")


def write_award_notice(assessment: Assessment, lists: list, out: str | Path) -> Path:
    """The award 公示: each award's winners with names in full, 界别 and the reason, then the
    公示 period and the contact line as placeholders."""
    a, rules = assessment, assessment.rules.rules
    names = "、".join(sl.award.name for sl in lists)
    title = f"关于{a.year}年度{names}评选结果的公示"
    doc = _document(a.rules, title)
    doc.paragraph(
        f"根据《{rules.scheme}》有关规定，依据 {a.year} 年度委员履职考核结果，经评选，"
        f"拟确定以下人选（项目）为 {a.year} 年度{names}，现予以公示。"
    )
    for index, sl in enumerate(lists):
        unit = "名" if sl.award.pool == "members" else POOL_UNIT[sl.award.pool]  # 名, 件, 条, 篇
        count = f"{len(sl.winners)} {unit}"
        doc.heading(_numbered(index, f"{sl.award.name}（{count}）"))
        w = sl.winners
        if w.empty:
            doc.paragraph("本项评选没有人选。")
            continue
        if sl.award.pool == "members":
            table = pd.DataFrame(
                {
                    "序号": w["place"].astype(int),
                    "姓名": w["label"],
                    "界别": w["sector"],
                    "专委会": w["committee"],
                    "考核得分": w["score"],
                    "主要依据": w["facts"],
                }
            )
            numeric = ["序号", "考核得分"]
        else:
            table = pd.DataFrame(
                {
                    "序号": w["place"].astype(int),
                    POOL_LABELS[sl.award.pool]: w["label"],
                    "界别": w["sector"],
                    "情况": w["facts"],
                }
            )
            numeric = ["序号"]
        doc.table(table, numeric=numeric, decimals=rules.settings.decimals)
    doc.heading(_numbered(len(lists), "公示期间及联系方式"))
    doc.paragraph(f"公示时间：{DATE_PLACEHOLDER.strip()}至{DATE_PLACEHOLDER.strip()}。")
    doc.paragraph(
        "公示期间，如对上述人选（项目）有异议，请以书面、电话等方式向"
        f"{_unit(a.rules)}反映。反映情况须实事求是，以书面形式反映的须署真实姓名。"
    )
    doc.paragraph("联系人：            联系电话：            ")
    doc.signature(_unit(a.rules), DATE_PLACEHOLDER)
    return doc.save(out)


# --- the quarterly 通报 ---------------------------------------------------------------------------


def write_progress_notice(
    report: ProgressReport, out: str | Path, *, into: ResultSet | None = None
) -> Path:
    """The quarterly (monthly) 履职情况通报 of a :class:`perfscore.quarterly.ProgressReport`:
    总体情况, 进度较好, 需提醒, 各界别/专委会情况 (tables), and how progress is judged."""
    from .quarterly import group_table, lagging_lines, pace_rule, reminder_groups, summary_rows

    p, a = report.period, report.assessment
    loaded, c = a.rules, report.counts
    decimals = report.decimals
    title = f"关于{p.title}委员履职情况的通报"
    doc = _document(loaded, title)
    doc.paragraph("各位委员：", indent=False)
    doc.paragraph(
        f"现将{p.title}（{p.dates()}）委员履职情况通报如下，请各位委员对照进度，"
        "做好下一阶段履职工作。"
    )

    doc.heading("一、总体情况")
    for heading, text in summary_rows(report):
        if heading == EXAMPLE_HEADING:  # said under the title
            continue
        doc.paragraph(f"{text}。".replace("。。", "。"), bold_lead=f"{heading}：")

    doc.heading("二、进度较好的分组")
    groups = report.groups
    best_lines = []
    for dimension, g in groups.groupby("dimension", sort=False):
        g = g[g["members"] > 0].sort_values(
            ["behind_share", "points_mean"], ascending=[True, False]
        )
        top = g.head(3)
        if top.empty:
            continue
        best_lines.append(
            (
                dimension,
                "；".join(
                    f"{group}（在任 {int(members)} 人，平均积分 {mean:.{decimals}f} 分，"
                    f"进度落后 {int(behind)} 人）"
                    for group, members, mean, behind in zip(
                        top["group"], top["members"], top["points_mean"], top["behind"]
                    )
                ),
            )
        )
    if not best_lines:
        doc.paragraph("没有可比较的分组。")
    for dimension, text in best_lines:
        doc.paragraph(text + "。", bold_lead=f"{dimension}：")
    lagging = lagging_lines(report)
    if lagging:
        doc.paragraph("进度落后较多的分组：", indent=True)
        for dimension, text in lagging:
            doc.paragraph(text + "。", bold_lead=f"{dimension}：")

    doc.heading("三、需提醒的委员")
    reminders = reminder_groups(report)
    if not reminders:
        doc.paragraph("没有需要提醒的委员。")
    else:
        doc.paragraph(
            f"以下 {c.reminders} 位委员进度落后或{p.noun}没有履职记录，请抓紧补上（括号内为已完成项数或情况）："
        )
        for sector, names in reminders:
            doc.paragraph("、".join(names) + "。", bold_lead=f"{sector}（{len(names)} 人）：")

    doc.heading("四、各界别、专委会情况")
    table = group_table(report)
    wanted = [
        "分组",
        "在任人数",
        "平均积分",
        "平均完成项数",
        "达标",
        "落后",
        f"{p.noun}没有履职记录",
        "需提醒",
    ]
    for number, dimension in enumerate(
        d for d in ("界别", "专委会") if d in set(table["分组类型"])
    ):
        part = table[table["分组类型"] == dimension][wanted].rename(columns={"分组": dimension})
        doc.heading(f"（{_NUMERALS[number]}）{dimension}", level=2)
        doc.table(
            part,
            numeric=[col for col in part.columns if col != dimension],
            decimals=decimals,
        )

    doc.heading("五、进度怎样判断")
    for text in pace_rule(report):
        doc.paragraph(text)
    doc.signature(_unit(loaded), DATE_PLACEHOLDER)
    return doc.save(out, into=into)


# --- the 办法 ---------------------------------------------------------------------------------------


def write_rules_document(loaded: LoadedRules, out: str | Path) -> Path:
    """The scheme as a printable 办法: each category's items as a table, then the total, the
    checklist, the grades and the other provisions (from :func:`perfscore.rules.summary.summarise`)."""
    from ..rules.summary import summarise

    summary = summarise(loaded.rules)
    doc = OfficialDocument(OfficialStyle.from_rules(loaded.rules), title=summary.title)
    doc.title(summary.title)
    doc.centred(f"（{loaded.rules.version}）")
    if example_notice(loaded):
        doc.paragraph(EXAMPLE_SCHEME_NOTICE, bold_lead="【示例】")
    elif summary.source:
        doc.paragraph(summary.source, bold_lead="依据：")
    for section in summary.sections:
        doc.heading(section.title)
        doc.table(
            pd.DataFrame(
                {
                    "计分项": [r.item for r in section.rows],
                    "计分内容": [r.what for r in section.rows],
                    "分值": [r.points for r in section.rows],
                    "计分方式": [r.how for r in section.rows],
                }
            ),
            widths=[2, 3, 3, 3],
        )
    n = len(summary.sections)
    doc.heading(_numbered(n, "总分"))
    for text in summary.totals:
        doc.paragraph(f"{text}。")
    if summary.checklist:
        n += 1
        head, *items = summary.checklist
        doc.heading(_numbered(n, head))
        for number, text in enumerate(items, start=1):
            doc.paragraph(f"{number}. {text}。")
    n += 1
    doc.heading(_numbered(n, "等次"))
    for text in summary.grades:
        doc.paragraph(f"{text}。")
    if summary.groups:
        n += 1
        doc.heading(_numbered(n, "分组与单位"))
        for text in summary.groups:
            doc.paragraph(f"{text}。")
    n += 1
    doc.heading(_numbered(n, "其他规定"))
    for text in summary.settings:
        doc.paragraph(f"{text}。")
    return doc.save(out)
