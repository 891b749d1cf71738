"""One assessed year as the archive stores it: from an assessment in memory, or read back from a
result file perfscore wrote (考核结果 .json or .xlsx, the ledger's CSV files beside it included).

``ArchiveYear.members`` has the columns of ``Assessment.members``; ``ledger``: member_id,
category, category_name, rule_id, rule_name, points, date, source, item_id, title, note;
``checklist``: member_id, item, done, count, date, source; ``awards``: award_id, award_name,
pool, place, key, label, score, note (the winners only).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import RulesError, UsageError
from ..layout import POOL_LABELS, YEAR_LABEL
from ..rules import DEFAULT_RULES, Rules, parse_rules
from ..scoring.ledger import LEDGER_COLUMNS
from ..unit import UNIT_FROM_WORKBOOK

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["ArchiveYear", "from_assessment", "read_result", "file_sha256"]

# The ledger's columns the archive keeps: the source cell names the sheet and row.
LEDGER_FIELDS = [c for c in LEDGER_COLUMNS if c not in ("sheet", "row")]
AWARD_FIELDS = ["award_id", "award_name", "pool", "place", "key", "label", "score", "note"]


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    source_name: str  # the workbook's file name
    input_sha256: str | None  # None when the workbook was not given
    result_name: str  # the result file read back ('' for an assessment in memory)
    rules: Rules
    rules_name: str
    rules_sha256: str
    rules_text: str
    members: pd.DataFrame
    ledger: pd.DataFrame
    checklist: pd.DataFrame
    awards: pd.DataFrame
    unit: str = ""  # the unit the workbook named ('' when it named none): the archive's default


def _named_unit(unit: object, unit_from: object) -> str:
    """The unit a result says its workbook named; '' when the name came from the file name."""
    return str(unit or "").strip() if unit_from == UNIT_FROM_WORKBOOK else ""


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rules_text(path: Path, sha256: str, what: str) -> str:
    """The rules file's text, which must be the file whose SHA-256 the assessment recorded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取规则文件 {path}：{exc.strerror or exc}") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise UsageError(
            f"规则文件 {path.name} 与{what}所用的规则不同（SHA-256 不符）；请给出考核该年度时所用的规则文件（--rules）"
        )
    return data.decode("utf-8-sig")


def from_assessment(assessment: Assessment, workbook: str | Path | None) -> ArchiveYear:
    """The year an assessment in memory holds; ``workbook`` is the input file (for its SHA-256)."""
    if assessment.mask:
        raise UsageError("已隐去姓名的考核结果不能写入履职档案；档案须保存委员的真实姓名")
    loaded = assessment.rules
    text = _rules_text(Path(loaded.path), loaded.sha256, "本次考核")
    ledger = assessment.ledger
    winners = [
        sl.winners.assign(award_id=sl.award.id, award_name=sl.award.name, pool=sl.award.pool)
        for sl in assessment.shortlists
    ]
    awards = (
        pd.concat(winners, ignore_index=True)[AWARD_FIELDS]
        if winners
        else pd.DataFrame(columns=AWARD_FIELDS)
    )
    return ArchiveYear(
        year=assessment.year,
        source_name=assessment.source_name,
        input_sha256=file_sha256(workbook) if workbook and Path(workbook).is_file() else None,
        result_name="",
        rules=loaded.rules,
        rules_name=Path(loaded.path).name,
        rules_sha256=loaded.sha256,
        rules_text=text,
        members=assessment.members,
        ledger=ledger[LEDGER_FIELDS],
        checklist=assessment.checklist,
        awards=awards,
        unit=_named_unit(assessment.unit, assessment.unit_from),
    )


# --- reading a result file back ---------------------------------------------------------------


def read_result(
    path: str | Path, rules: str | Path | None = None, workbook: str | Path | None = None
) -> ArchiveYear:
    """A result file perfscore wrote, as the year to archive. ``rules`` is the rules file the
    year was assessed with (the shipped default when None; its SHA-256 must match the one the
    result records); ``workbook`` the input, for its SHA-256 (optional)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到考核结果文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        parts = _read_json(path)
    elif suffix == ".xlsx":
        parts = _read_xlsx(path)
    else:
        raise UsageError(f"{path.name}：考核结果须是 perfscore 写出的 .xlsx 或 .json")
    if parts.masked:
        raise UsageError(f"{path.name} 是隐去姓名的考核结果（公示用），不能写入履职档案")
    rules_path = Path(rules) if rules is not None else DEFAULT_RULES
    text = _rules_text(rules_path, parts.rules_sha256, f" {path.name} ")
    try:
        parsed = parse_rules(text, rules_path.name)
    except RulesError as exc:
        raise UsageError(f"规则文件 {rules_path.name} 有错误：{exc.message}") from None
    if parsed.checklist is not None and not parts.checklist_column:
        raise _not_a_result(path, f"“总排名”没有“{parsed.checklist.name}完成”列")
    members = _complete_members(parts.members, parts.breakdown, parsed)
    awards = parts.awards
    ids = {award.name[:28]: award.id for award in parsed.awards}  # a sheet name keeps 28 of them
    awards["award_id"] = awards["award_id"].map(lambda name: ids.get(str(name)[:28], name))
    return ArchiveYear(
        year=parts.year,
        source_name=parts.source_name,
        input_sha256=file_sha256(workbook) if workbook is not None else None,
        result_name=path.name,
        rules=parsed,
        rules_name=rules_path.name,
        rules_sha256=parts.rules_sha256,
        rules_text=text,
        members=members,
        ledger=parts.ledger,
        checklist=parts.checklist,
        awards=awards,
        unit=parts.unit,
    )


@dataclass(frozen=True)
class _ResultParts:
    """What a result file holds, before the rules it was assessed with are read."""

    year: int
    source_name: str
    rules_sha256: str
    masked: bool
    members: pd.DataFrame
    ledger: pd.DataFrame
    checklist: pd.DataFrame
    awards: pd.DataFrame
    unit: str
    # An .xlsx result's 分项得分 rows, one per member in ``members``' order (categories by their
    # Chinese names); None for a .json result, whose members carry the subtotals by id.
    breakdown: pd.DataFrame | None = None
    checklist_column: bool = True  # whether an .xlsx result's 总排名 has the 完成 column


def _not_a_result(path: Path, detail: str) -> UsageError:
    return UsageError(
        f"{path.name} 不是 perfscore 写出的考核结果文件（{detail}）；请给出“考核结果”.xlsx 或 .json"
    )


def _read_json(path: Path) -> _ResultParts:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != "perfscore-assessment":
            raise KeyError("format")
        year = int(doc["year"])
        members = pd.DataFrame(doc["members"])
        ledger = pd.DataFrame(doc["ledger"])
        ledger = ledger.reindex(columns=LEDGER_FIELDS)
        checklist = pd.DataFrame(
            doc["checklist"], columns=["member_id", "item", "done", "count", "date", "source"]
        )
        winners = [
            pd.DataFrame(a["winners"]).assign(
                award_id=a["id"], award_name=a["name"], pool=a["pool"]
            )
            for a in doc.get("awards", [])
        ]
        source, rules_sha, masked = doc["source"], doc["rules"]["sha256"], doc.get("masked")
        unit = _named_unit(doc.get("unit"), doc.get("unit_from"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    awards = (
        pd.concat(winners, ignore_index=True).reindex(columns=AWARD_FIELDS)
        if winners
        else pd.DataFrame(columns=AWARD_FIELDS)
    )
    for column in ("title", "note", "source", "item_id", "category", "category_name"):
        ledger[column] = ledger[column].fillna("").astype(str)
    ledger["member_id"] = ledger["member_id"].astype(str)
    checklist["source"] = checklist["source"].fillna("")
    return _ResultParts(
        year, str(source), str(rules_sha), bool(masked), members, ledger, checklist, awards, unit
    )


def _read_xlsx(path: Path) -> _ResultParts:
    from ..history import read_result_sheets

    sheets, settings, ledger = read_result_sheets(
        path, extra=lambda name: name in ("分项得分", "双五个一") or name.startswith("评优-")
    )
    try:
        year = int(float(str(settings[YEAR_LABEL])))
        source = str(settings["输入文件"])
        rules_sha = str(settings.get("规则文件校验值") or settings["规则文件 SHA-256"])
        masked = "姓名显示" in settings
        unit = _named_unit(settings.get("单位"), settings.get("单位名称来自"))
        ranking = sheets["总排名"]
        breakdown = sheets["分项得分"]
        members = pd.DataFrame(
            {
                "member_id": ranking["委员编号"].astype(str),
                "name": ranking["姓名"].astype(str),
                "sector": ranking["界别"].astype(str),
                "committee": ranking["专委会"].astype(str),
                "study_group": ranking["学习组"].astype(str),
                "work_group": ranking["工作组"].astype(str),
                "standing": ranking["常委"].astype(str) == "是",
                "term_start": pd.NaT,
                "term_end": pd.NaT,
                "total": pd.to_numeric(ranking["总分"]),
                "grade": ranking["等次"].astype(str),
                "grade_note": ranking["等次说明"].astype(str),
                "rank": pd.to_numeric(ranking["名次"]).astype(int),
                "sector_rank": pd.to_numeric(ranking["界别内名次"], errors="coerce"),
                "committee_rank": pd.to_numeric(ranking["专委会内名次"], errors="coerce"),
                "consequences": ranking["处理提示"].astype(str) if "处理提示" in ranking else "",
            }
        )
        done_column = next((c for c in ranking.columns if c.endswith("完成") and c != "完成"), None)
        if done_column is None:  # rules without a checklist (read_result checks they have none)
            members["checklist_done"] = 0
            members["checklist_total"] = 0
            members["checklist_missing"] = ""
        else:
            done_total = ranking[done_column].astype(str).str.split("/", expand=True)
            members["checklist_done"] = pd.to_numeric(done_total[0]).astype(int)
            members["checklist_total"] = pd.to_numeric(done_total[1]).astype(int)
            members["checklist_missing"] = ranking[done_column[:-2] + "未完成项目"].astype(str)
        by_member = breakdown.set_index(breakdown["委员编号"].astype(str)).reindex(
            members["member_id"]
        )
    except (KeyError, ValueError, StopIteration) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    checklist = _checklist_from_sheet(sheets.get("双五个一"))
    try:
        awards = _awards_from_sheets(sheets)
    except (KeyError, ValueError) as exc:
        raise _not_a_result(path, f"缺少 {exc}") from None
    return _ResultParts(
        year,
        source,
        rules_sha,
        masked,
        members,
        ledger,
        checklist,
        awards,
        unit,
        breakdown=by_member,
        checklist_column=done_column is not None,
    )


def _complete_members(
    members: pd.DataFrame, breakdown: pd.DataFrame | None, rules: Rules
) -> pd.DataFrame:
    """Category subtotals by id, and base / bonus / cap columns, for members read from a workbook
    (whose 分项得分 sheet, ``breakdown``, names categories by their Chinese names)."""
    if breakdown is None:
        for column in ("term_start", "term_end"):
            members[column] = pd.to_datetime(members[column], errors="coerce")
        return members
    names = {c.id: c.name for c in rules.categories}
    bonus = f"{rules.checklist.name}奖励" if rules.checklist else "清单奖励"
    for column, header in [
        *names.items(),
        ("base", "基础分"),
        ("checklist_bonus", bonus),
        ("total_adjust", "总分封顶调整"),
    ]:
        values = breakdown[header].tolist() if header in breakdown else [None] * len(members)
        members[column] = [float(value or 0) for value in values]  # an empty cell: 0
    return members


def _checklist_from_sheet(table: pd.DataFrame | None) -> pd.DataFrame:
    """双五个一 (one column per item: the cell that met it, 已完成 or 未完成) as one row per
    member per item; the count of records is not in the workbook (None)."""
    columns = ["member_id", "item", "done", "count", "date", "source"]
    if table is None or table.empty:
        return pd.DataFrame(columns=columns)
    items = [
        c for c in table.columns if c not in ("委员编号", "姓名", "界别", "完成项数", "未完成项目")
    ]
    long = table.assign(member_id=table["委员编号"].astype(str)).melt(
        id_vars="member_id", value_vars=items, var_name="item", value_name="cell"
    )
    cell = long["cell"].astype(str)
    done = cell != "未完成"
    return pd.DataFrame(
        {
            "member_id": long["member_id"],
            "item": long["item"],
            "done": done,
            "count": None,
            "date": pd.NaT,
            "source": cell.where(done & (cell != "已完成"), ""),
        }
    )


def _awards_from_sheets(sheets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = []
    for name, table in sheets.items():
        if not name.startswith("评优-") or "结果" not in table:
            continue
        # The pool is told by the column that names the candidates (姓名 for members).
        pool = next((pool for pool, label in POOL_LABELS.items() if label in table), None)
        if pool is None:
            raise KeyError(f"{name} 的{'或'.join(POOL_LABELS.values())}列")
        label = POOL_LABELS[pool]
        key = "委员编号" if pool == "members" else "编号"
        won = table[table["结果"] == "入选"]
        award_name = name.removeprefix("评优-")
        frames.append(
            pd.DataFrame(
                {
                    "award_id": award_name,
                    "award_name": award_name,
                    "pool": pool,
                    "place": pd.to_numeric(won["序号"]).astype(int),
                    "key": won[key].astype(str),
                    "label": won[label].astype(str),
                    "score": pd.to_numeric(won["得分"]),
                    "note": won["说明"].astype(str),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=AWARD_FIELDS)
    return pd.concat(frames, ignore_index=True)
