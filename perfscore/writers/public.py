"""Public versions (公开版): the slim files ``--mask`` writes for posting where anyone can read.

A public version holds only what is meant to be read outside the office: the rank, the masked
name (张**; or the member's ID with ``--mask-ids``), the grade (the progress for a 通报, the
award for a shortlist) and the columns the user asks for. No ledger, no data notes, no award
deliberations, no member IDs (unless they replace the names), no source file name: in a small
committee those identify people as surely as names do. The file names say 公开版, so a public
version is not taken for the award 公示 (which names people in full) or for the office's own
results.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..privacy import MaskMode
    from ..quarterly import ProgressReport

from ..assessment import Assessment
from ..layout import POOL_LABELS
from ..privacy import NameMask, masked_name
from ..rules import LoadedRules
from ..rules.example import example_notice, is_example
from .common import atomic_path
from .csv import safe_csv_lines
from .xlsx import FrontSheet, write_tables

__all__ = [
    "PUBLIC_COLUMNS",
    "public_names",
    "public_ranking",
    "write_public_ranking",
    "public_progress_path",
    "write_public_progress",
    "public_shortlists_path",
    "write_public_shortlists",
]

# Extra columns the user may ask for, by their header, with the members column behind each.
PUBLIC_COLUMNS = {
    "界别": "sector",
    "专委会": "committee",
    "总分": "total",
    "界别内名次": "sector_rank",
    "专委会内名次": "committee_rank",
}
_PACE = {"on_pace": "达标", "behind": "落后"}
_STATUS = {"not_started": "未到任", "left": "已离任"}


def public_names(members: pd.DataFrame, mode: str) -> pd.Series:
    """The names a public version shows: 张** (``mode`` "name") or the member ID ("id")."""
    if mode == "id":
        return members["member_id"].astype(str)
    return members["name"].astype(str).map(masked_name)


def _suffix(rules: LoadedRules) -> str:
    return "（示例办法计算）" if is_example(rules) else ""


def public_ranking(
    assessment: Assessment, *, mode: str = "name", columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """名次, 姓名 (masked), 等次, then ``columns`` (headers from :data:`PUBLIC_COLUMNS`)."""
    unknown = [c for c in columns if c not in PUBLIC_COLUMNS]
    if unknown:
        from ..errors import UsageError

        raise UsageError(
            f"公开版没有“{'、'.join(unknown)}”一列；可加的列：{'、'.join(PUBLIC_COLUMNS)}"
        )
    m = assessment.members
    table = pd.DataFrame({"名次": m["rank"], "姓名": public_names(m, mode), "等次": m["grade"]})
    for header in columns:
        table[header] = m[PUBLIC_COLUMNS[header]]
    return table


def _subtitle(year: int, mode: str) -> str:
    shown = "以委员编号代替姓名" if mode == "id" else "姓名只显示第一个字"
    return f"考核年度：{year} 年    公开版（{shown}）"


def _write(
    out: Path, table: pd.DataFrame, title: str, subtitle: str, rules: LoadedRules, decimals: int
) -> Path:
    if out.suffix.lower() == ".csv":
        with atomic_path(out) as tmp:
            tmp.write_text(safe_csv_lines(table, decimals=decimals), encoding="utf-8-sig")
    else:
        page_title = title + _suffix(rules)
        front = FrontSheet(
            title=title,
            subtitle=subtitle,
            table=table,
            notice=example_notice(rules),
            name="公开名单",
        )
        write_tables(out, [], title=page_title, decimals=decimals, front=front)
    return out


def write_public_ranking(
    assessment: Assessment, out: Path, *, mode: str = "name", columns: tuple[str, ...] = ()
) -> Path:
    """The assessment's public version: one sheet (公开名单) or a CSV."""
    table = public_ranking(assessment, mode=mode, columns=columns)
    return _write(
        Path(out),
        table,
        f"{assessment.year}年度委员履职考核结果",
        _subtitle(assessment.year, mode),
        assessment.rules,
        assessment.rules.rules.settings.decimals,
    )


def public_progress_path(report: ProgressReport, folder: Path) -> Path:
    """``<folder>/2023Q2-季度履职通报-公开版.xlsx``."""
    return Path(folder) / f"{report.period.label}-{report.period.report_name}-公开版.xlsx"


def write_public_progress(report: ProgressReport, folder: Path, *, mode: MaskMode = "name") -> Path:
    """A progress report's public version: 名次, 姓名 (masked), 界别, 进度, in rank order."""
    m = report.members.sort_values("rank", kind="stable")
    pace = m["pace"].map(_PACE).fillna("")
    pace = pace.where(m["status"] == "in_office", m["status"].map(_STATUS).fillna(""))
    table = pd.DataFrame(
        {"名次": m["rank"], "姓名": public_names(m, mode), "界别": m["sector"], "进度": pace}
    )
    return _write(
        public_progress_path(report, folder),
        table,
        f"{report.period.title}委员履职进度",
        _subtitle(report.year, mode),
        report.assessment.rules,
        report.decimals,
    )


def public_shortlists_path(workbook: str | Path, year: int) -> Path:
    """``<workbook folder>/2023年度评优名单-公开版.xlsx``."""
    return Path(workbook).with_name(f"{year}年度评优名单-公开版.xlsx")


def write_public_shortlists(
    assessment: Assessment, lists: list, out: Path, *, mode: MaskMode = "name"
) -> Path:
    """The shortlists' public version: one sheet per award, 序号, the masked name (or the
    title of a proposal or information, names in it masked) and 界别; no reasons, no IDs."""
    mask = NameMask.from_members(assessment.members, mode)
    ids = dict(zip(assessment.members["member_id"], public_names(assessment.members, mode)))
    fronts = []
    for sl in lists:
        w = sl.winners
        if sl.award.pool == "members":
            label = ("姓名", w["key"].map(ids).fillna(w["label"].map(masked_name)))
        else:
            label = (POOL_LABELS[sl.award.pool], mask.series(w["label"].astype(str)))
        fronts.append(
            FrontSheet(
                title=f"{assessment.year}年度{sl.award.name}名单",
                subtitle=_subtitle(assessment.year, mode),
                table=pd.DataFrame({"序号": w["place"], label[0]: label[1], "界别": w["sector"]}),
                notice=example_notice(assessment.rules),
                name=f"{sl.award.name}"[:31],
            )
        )
    write_tables(
        Path(out),
        [],
        title=f"{assessment.year}年度评优名单（公开版）{_suffix(assessment.rules)}",
        decimals=assessment.rules.rules.settings.decimals,
        front=fronts,
    )
    return Path(out)
