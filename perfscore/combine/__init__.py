"""Many units compared: the results of ``assess`` for each unit (a 市's 县区, a province's cities)
read back and put side by side (``perfscore combine``).

Each result file (考核结果 .xlsx or .json, as ``assess`` writes them) is one unit, named by the
单位 its workbook gave (see :mod:`perfscore.unit`). A term archive (履职档案, SQLite) gives every
unit it holds for the year (see :mod:`perfscore.combine.archive`), read into the same per-unit
record, so results and archives compare alike and can be given together. Results must be of one year and, unless the
caller allows otherwise, scored under one rules file (the same SHA-256): otherwise the totals
do not compare, and the files are refused with a list of which file used which.

:func:`combine` returns a :class:`Combined`: per-unit comparison tables, each with each unit's
rank on each measure, and every member of every unit ranked together.

Ranks among units: the best value is rank 1; the direction of each measure is in its header
(高者为先 / 低者为先); equal values share a rank and the next rank is skipped (1, 2, 2, 4), as
everywhere in perfscore. Ranks are taken on the values as shown (averages to two decimal places,
percentages to one), so two units that look equal rank equal. Units are listed by average total,
best first, and units with the same average in the order they were given.

Members across units: ranked by total (1, 2, 2, 4); members with the same total are listed in
the order of their units (as given), then in their own unit's ranking order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..history import JSON_BYTES
from ..layout import YEAR_LABEL
from ..reading import open_workbook
from ..reading.guards.files import read_bounded

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = [
    "UnitResult",
    "Combined",
    "read_unit",
    "unit_of_assessment",
    "compare_units",
    "expand_results",
    "combine",
    "RESULT_SUFFIXES",
    "is_archive",
    "MEAN_DECIMALS",
    "PERCENT_DECIMALS",
]

RESULT_SUFFIXES = (".xlsx", ".json")
ARCHIVE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
SQLITE_HEADER = b"SQLite format 3\x00"
RESULT_MARK = "-考核结果"
MEAN_DECIMALS = 2  # averages and medians as shown, and ranked
PERCENT_DECIMALS = 1  # shares and completion rates (in %) as shown, and ranked
HIGHER = "高者为先"
PARALLEL_BYTES = 8 * 1024**2  # results larger than this together are read in parallel
LOWER = "低者为先"


@dataclass(frozen=True)
class UnitResult:
    """One unit's result read back: who its members are and what they scored.

    ``members`` columns: member_id, name, sector, committee, total, grade, unit_rank,
    checklist_done, checklist_total, checklist_missing, then one column per category name
    (the categories' subtotals), in the rules' order.
    """

    path: Path
    unit: str
    unit_from: str  # 工作簿 / 文件名 (as the result says), or 结果文件名 for a result without one
    year: int
    rules_file: str
    rules_sha256: str
    grades: tuple[str, ...]  # best first
    categories: tuple[str, ...]
    checklist_name: str  # '' without a checklist
    checklist_items: tuple[str, ...]
    awards: dict[str, int]  # award name -> winners
    members: pd.DataFrame
    masked: bool = False

    @property
    def rules_label(self) -> str:
        return f"{self.rules_file}（SHA-256 {self.rules_sha256[:12]}…）"


@dataclass(frozen=True)
class Combined:
    """The comparison: ``tables`` by sheet name (in order), ``members`` (every member of every
    unit ranked together), and what a reader must know (``notes``)."""

    units: list[UnitResult]
    year: int
    tables: dict[str, pd.DataFrame]
    members: pd.DataFrame
    mixed_rules: bool
    grades: tuple[str, ...]
    categories: tuple[str, ...]
    checklist_name: str
    checklist_items: tuple[str, ...]
    awards: tuple[str, ...]
    notes: list[str] = field(default_factory=list)


# --- finding and reading results ---------------------------------------------------------------


def is_archive(path: Path) -> bool:
    """Whether ``path`` is given as an archive: a SQLite file, or named like one (an empty or
    damaged ``.sqlite`` then gets the archive reader's message, not "not a result")."""
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        return True
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def expand_results(paths: list[str | Path]) -> list[Path]:
    """Files as given; a folder becomes the results in it (``*-考核结果.xlsx`` / ``.json``, not the
    masked ``-考核结果-公示`` copies), sorted by name. An archive (:func:`is_archive`) is kept as
    given. The same file given twice counts once."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(
                f
                for f in path.iterdir()
                if f.is_file()
                and f.suffix.lower() in RESULT_SUFFIXES
                and f.stem.endswith(RESULT_MARK)
                and not f.name.startswith((".", "~$"))
            )
            if not inside:
                raise UsageError(
                    f"文件夹 {path} 中没有考核结果（“…{RESULT_MARK}.xlsx”或“.json”）；"
                    "请先对各单位运行 perfscore assess"
                )
            found.extend(inside)
        elif not path.is_file():
            raise UsageError(f"找不到考核结果文件：{path}")
        elif path.suffix.lower() not in RESULT_SUFFIXES and not is_archive(path):
            raise UsageError(
                f"{path.name} 不是考核结果：请给 perfscore assess 写出的 .xlsx 或 .json 文件、存放它们的文件夹，"
                "或履职档案（.sqlite）"
            )
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def read_unit(path: str | Path) -> UnitResult:
    """One unit's result file (.xlsx or .json as ``perfscore assess`` writes them)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到考核结果文件：{path}")
    if path.suffix.lower() == ".json":
        return _read_json(path)
    return _read_xlsx(path)


def _not_a_result(path: Path, detail: str) -> UsageError:
    return UsageError(
        f"{path.name} 不是 perfscore 写出的考核结果文件（{detail}）；"
        "请给 perfscore assess 写出的“考核结果”.xlsx 或 .json"
    )


def _fallback_unit(path: Path) -> str:
    stem = path.stem
    return stem[: -len(RESULT_MARK)] if stem.endswith(RESULT_MARK) else stem


def unit_members(frame: pd.DataFrame, categories: dict[str, str]) -> pd.DataFrame:
    """A unit's ``members`` (:class:`UnitResult`) from the members of an assessment, as a .json
    result or the archive holds them (``rank`` the unit's rank, the category subtotals in columns
    by category id); ``categories``: id -> name, in the rules' order."""
    return pd.DataFrame(
        {
            "member_id": frame["member_id"].astype(str),
            "name": frame["name"].astype(str),
            "sector": frame["sector"].fillna("").astype(str),
            "committee": frame["committee"].fillna("").astype(str),
            "total": frame["total"].astype(float),
            "grade": frame["grade"].astype(str),
            "unit_rank": frame["rank"].astype(int),
            "checklist_done": frame["checklist_done"].astype(int),
            "checklist_total": frame["checklist_total"].astype(int),
            "checklist_missing": frame["checklist_missing"].fillna("").astype(str),
            **{name: frame[cid].astype(float) for cid, name in categories.items()},
        }
    )


def _read_json(path: Path) -> UnitResult:
    data = read_bounded(path, JSON_BYTES, "考核结果文件")  # regular files only, size-limited
    try:
        doc = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise _not_a_result(path, "JSON 嵌套过深") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _not_a_result(path, f"无法读取：{exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != "perfscore-assessment":
        raise _not_a_result(path, "不是考核结果 JSON")
    try:
        return _unit_from_document(doc, path)
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_a_result(path, f"缺少或无法识别 {exc}") from None


def unit_of_assessment(assessment: Assessment, path: Path) -> UnitResult:
    """The unit that :func:`read_unit` reads back from the result written for ``assessment`` at
    ``path``, taken from the assessment in memory: a folder run with ``--combined`` compares its
    units without reading their results again. Its members, totals and words are the ones the
    result file holds (the workbook's and the JSON's members are the same table)."""
    rules = assessment.rules.rules
    document = {
        "unit": assessment.unit,
        "unit_from": assessment.unit_from,
        "year": assessment.year,
        "masked": assessment.mask or None,
        "rules": {
            "file": Path(assessment.rules.path).name,
            "sha256": assessment.rules.sha256,
            "categories": [{"id": c.id, "name": c.name} for c in rules.categories],
            "grades": [{"grade": g.grade} for g in rules.grades],
            "checklist": (
                {"name": rules.checklist.name, "items": [i.name for i in rules.checklist.items]}
                if rules.checklist is not None
                else None
            ),
        },
        "members": assessment.members,
        "awards": [{"name": s.award.name, "winners": s.winners} for s in assessment.shortlists],
    }
    return _unit_from_document(document, path)


def _unit_from_document(doc: dict[str, Any], path: Path) -> UnitResult:
    """A unit from an assessment's JSON document (``members`` as records or as a frame)."""
    rules = doc["rules"]
    categories = {c["id"]: c["name"] for c in rules["categories"]}
    grades = tuple(g["grade"] for g in rules["grades"])
    checklist = rules.get("checklist") or {}
    members = unit_members(pd.DataFrame(doc["members"]), categories).reset_index(drop=True)
    items = checklist.get("items")
    if items is None:  # a result without the rules' item list: the checklist records' items
        items = list(dict.fromkeys(r["item"] for r in doc.get("checklist", [])))
    return UnitResult(
        path=path,
        unit=str(doc.get("unit") or _fallback_unit(path)),
        unit_from=str(doc.get("unit_from") or "结果文件名"),
        year=int(doc["year"]),
        rules_file=str(rules["file"]),
        rules_sha256=str(rules["sha256"]),
        grades=grades,
        categories=tuple(categories.values()),
        checklist_name=str(checklist.get("name") or ("清单" if items else "")),
        checklist_items=tuple(items),
        awards={a["name"]: len(a["winners"]) for a in doc.get("awards", [])},
        members=members,
        masked=bool(doc.get("masked")),
    )


_XLSX_SHEETS = ("总排名", "分项得分", "规则", "评优说明")


def _read_xlsx(path: Path) -> UnitResult:

    book = open_workbook(path)  # the guarded reader every input goes through
    try:
        names = list(book.sheet_names)
        if "总排名" not in names or "规则" not in names:
            raise _not_a_result(path, "没有“总排名”或“规则”工作表")
        settings = {str(row[0]): row[1] for row in book.rows("规则")[1:] if len(row) >= 2}
        categories = tuple(
            key.removeprefix("类别：") for key in settings if key.startswith("类别：")
        )
        grades = tuple(key.removeprefix("等次：") for key in settings if key.startswith("等次："))
        ranking = _frame(book.rows("总排名"))
        label = next((c.removesuffix("完成") for c in ranking.columns if c.endswith("完成")), "")
        items_text = settings.get(f"{label}项目") if label else None
        if label and items_text is None:  # no item list in 规则: the checklist sheet's columns
            if label not in names:
                raise _not_a_result(path, f"没有“{label}项目”")
            header = _frame(book.rows(label)).columns
            items = tuple(header[list(header).index("未完成项目") + 1 :])
        else:
            items = tuple(str(items_text).split("、")) if items_text else ()
        breakdown = _frame(book.rows("分项得分")) if categories and "分项得分" in names else None
        awards = {}
        if "评优说明" in names:
            summary = _frame(book.rows("评优说明"))
            awards = {
                str(name): int(float(count))
                for name, count in zip(summary["评选"], summary["入选数"], strict=True)
            }
    except (KeyError, ValueError, StopIteration) as exc:
        raise _not_a_result(path, f"缺少或无法识别 {exc}") from None
    finally:
        book.close()
    try:
        done = (
            ranking[f"{label}完成"].astype(str).str.split("/", n=1, expand=True) if label else None
        )
        members = pd.DataFrame(
            {
                "member_id": _texts(ranking["委员编号"]),
                "name": _texts(ranking["姓名"]),
                "sector": _texts(ranking["界别"]),
                "committee": _texts(ranking["专委会"]),
                "total": pd.to_numeric(ranking["总分"]).astype(float),
                "grade": _texts(ranking["等次"]),
                "unit_rank": pd.to_numeric(ranking["名次"]).astype(int),
                "checklist_done": done[0].astype(int) if done is not None else 0,
                "checklist_total": done[1].astype(int) if done is not None else 0,
                "checklist_missing": _texts(ranking[f"{label}未完成项目"]) if label else "",
            }
        )
        if breakdown is not None:
            if not np.array_equal(
                _texts(breakdown["委员编号"]).to_numpy(), members["member_id"].to_numpy()
            ):
                raise _not_a_result(path, "“分项得分”与“总排名”的委员不一致")
            for name in categories:
                members[name] = pd.to_numeric(breakdown[name]).astype(float).to_numpy()
    except (KeyError, ValueError, TypeError) as exc:
        raise _not_a_result(path, f"缺少或无法识别 {exc}") from None
    try:
        year = int(float(settings[YEAR_LABEL]))
        sha = str(settings.get("规则文件校验值") or settings["规则文件 SHA-256"])
        rules_file = str(settings["规则文件"])
    except (KeyError, ValueError) as exc:
        raise _not_a_result(path, f"“规则”表缺少 {exc}") from None
    unit = str(settings.get("单位") or "").strip()
    return UnitResult(
        path=path,
        unit=unit or _fallback_unit(path),
        unit_from=str(settings.get("单位名称来自") or "") if unit else "结果文件名",
        year=year,
        rules_file=rules_file,
        rules_sha256=sha,
        grades=grades,
        categories=categories,
        checklist_name=label,
        checklist_items=items,
        awards=awards,
        members=members,
        masked="姓名显示" in settings,
    )


def _frame(rows: list[list]) -> pd.DataFrame:
    header, *body = rows
    return pd.DataFrame(body, columns=[str(h) for h in header])


def _texts(series: pd.Series) -> pd.Series:
    """Cells as text: numbers stored as numbers (an ID typed as 1001) read back without '.0'."""
    if pd.api.types.is_numeric_dtype(series):
        return series.map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))
    return series.fillna("").astype(str)


def read_units(paths: list[Path], workers: int | None = None) -> list[UnitResult]:
    """Read each result, in parallel over the machine's cores when there are several large ones
    (starting a process costs more than reading a few small results)."""
    if workers is None and sum(p.stat().st_size for p in paths) < PARALLEL_BYTES:
        workers = 1
    workers = max(1, min(len(paths), workers or os.cpu_count() or 1))
    if workers == 1:
        return [read_unit(p) for p in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(read_unit, paths))


# --- the comparison ----------------------------------------------------------------------------


def combine(
    paths: list[str | Path],
    *,
    year: int | None = None,
    allow_mixed_rules: bool = False,
    workers: int | None = None,
) -> Combined:
    """Compare the units whose results are ``paths``: result files, folders of them, and term
    archives (every unit an archive holds for ``year``; ``year`` may be left out when each
    archive holds one year). Units are listed as given, an archive's by unit name.

    Raises UsageError when there is nothing to compare, when two results are of the same unit,
    when the results are of different years (or not of ``year``), when an archive holds several
    years and ``year`` is not given, or when they were scored under different rules files and
    ``allow_mixed_rules`` is not set (each message lists which file used which)."""
    from .archive import archive_units

    files = expand_results(paths)
    if not files:
        raise UsageError("没有要汇总的考核结果：请给各单位的考核结果文件，或存放它们的文件夹")
    archives = {f for f in files if is_archive(f)}
    read = iter(read_units([f for f in files if f not in archives], workers))
    units = [u for f in files for u in (archive_units(f, year) if f in archives else [next(read)])]
    return compare_units(units, year=year, allow_mixed_rules=allow_mixed_rules)


def compare_units(
    units: list[UnitResult], *, year: int | None = None, allow_mixed_rules: bool = False
) -> Combined:
    """Compare ``units`` (read from results, or taken from assessments with
    :func:`unit_of_assessment`), refusing them as :func:`combine` does."""
    if year is not None and any(u.year != year for u in units):
        raise UsageError(
            f"以下考核结果不是 {year} 年度的：\n"
            + _listing([u for u in units if u.year != year], lambda u: f"{u.year} 年度")
            + f"\n请只给 {year} 年度的结果，或改正 --year"
        )
    _refuse_duplicates(units)
    years = {u.year for u in units}
    if len(years) > 1:
        raise UsageError(
            "这些考核结果不是同一年度的，不能放在一起比较：\n"
            + _listing(units, lambda u: f"{u.year} 年度")
            + "\n请只给同一年度的结果"
        )
    mixed = len({u.rules_sha256 for u in units}) > 1
    if mixed and not allow_mixed_rules:
        raise UsageError(
            "这些考核结果所用的积分办法不同（规则文件的 SHA-256 不同），分数不能直接比较：\n"
            + _listing(units, lambda u: f"规则文件 {u.rules_label}")
            + "\n请用同一个规则文件重新考核各单位；如确需并列比较，加 --allow-mixed-rules（各表会注明）"
        )
    return _compare(units, mixed)


def _listing(units: list[UnitResult], what: Callable[[UnitResult], str]) -> str:
    return "\n".join(f"  {u.path.name}（{u.unit}）：{what(u)}" for u in units)


def _refuse_duplicates(units: list[UnitResult]) -> None:
    by_unit: dict[str, list[UnitResult]] = {}
    for u in units:
        by_unit.setdefault(u.unit, []).append(u)
    twice = {name: us for name, us in by_unit.items() if len(us) > 1}
    if twice:
        lines = [f"  {name}：{'、'.join(u.path.name for u in us)}" for name, us in twice.items()]
        raise UsageError(
            "同一个单位有不止一个考核结果，汇总会重复计算：\n"
            + "\n".join(lines)
            + "\n请每个单位只给一个结果；单位名称取自工作簿的“单位：…”（委员名单表头上方或填表说明中），"
            "没有写明时取文件名"
        )


def _ordered_union(lists: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for values in lists for x in values))


def _rank(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1, 2, 2, 4 on the values as shown; a unit without the value gets no rank."""
    ranked = values.rank(method="min", ascending=not higher_is_better)
    return ranked.astype("Int64")


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = pd.Series(whole, dtype=float).replace(0, np.nan)
    return (pd.Series(part, dtype=float) / whole * 100).round(PERCENT_DECIMALS)


def _compare(units: list[UnitResult], mixed: bool) -> Combined:
    grades = _ordered_union(u.grades for u in units)
    categories = _ordered_union(u.categories for u in units)
    items = _ordered_union(u.checklist_items for u in units)
    checklist_name = next((u.checklist_name for u in units if u.checklist_name), "")
    awards = _ordered_union(u.awards for u in units)

    names = [u.unit for u in units]
    counts = pd.Series([len(u.members) for u in units], dtype="int64")
    totals = [u.members["total"] for u in units]
    mean = pd.Series([t.mean() if len(t) else np.nan for t in totals]).round(MEAN_DECIMALS)
    median = pd.Series([t.median() if len(t) else np.nan for t in totals]).round(MEAN_DECIMALS)
    # The order every table lists the units in: by average total, best first; ties as given.
    order = np.lexsort((np.arange(len(units)), -mean.fillna(-np.inf).to_numpy()))

    def frame(columns: dict) -> pd.DataFrame:
        table = pd.DataFrame({"单位": names, **columns})
        if mixed:
            table.insert(1, "积分办法（各单位不同）", [u.rules_label for u in units])
        return table.iloc[order].reset_index(drop=True)

    overview = frame(
        {
            "人数": counts,
            f"人数名次（{HIGHER}）": _rank(counts),
            "平均分": mean,
            f"平均分名次（{HIGHER}）": _rank(mean),
            "中位数": median,
            f"中位数名次（{HIGHER}）": _rank(median),
            "最高分": pd.Series([t.max() if len(t) else np.nan for t in totals]),
            "最低分": pd.Series([t.min() if len(t) else np.nan for t in totals]),
            "结果文件": [u.path.name for u in units],
        }
    )

    grade_columns: dict = {"人数": counts}
    for grade in grades:
        n = pd.Series([int((u.members["grade"] == grade).sum()) for u in units], dtype="int64")
        grade_columns[f"{grade}人数"] = n
        grade_columns[f"{grade}占比（%）"] = _percent(n, counts)
    if grades:
        top, bottom = grades[0], grades[-1]
        grade_columns[f"{top}占比名次（{HIGHER}）"] = _rank(grade_columns[f"{top}占比（%）"])
        if bottom != top:
            grade_columns[f"{bottom}占比名次（{LOWER}）"] = _rank(
                grade_columns[f"{bottom}占比（%）"], higher_is_better=False
            )
    grade_table = frame(grade_columns)

    checklist_columns: dict = {"人数": counts}
    if items:
        complete = pd.Series(
            [
                int(
                    (
                        (m["checklist_done"] == m["checklist_total"]) & (m["checklist_total"] > 0)
                    ).sum()
                )
                for m in (u.members for u in units)
            ],
            dtype="int64",
        )
        checklist_columns["全部完成人数"] = complete
        checklist_columns["全部完成率（%）"] = _percent(complete, counts)
        checklist_columns[f"全部完成率名次（{HIGHER}）"] = _rank(
            checklist_columns["全部完成率（%）"]
        )
        done = [_items_done(u, items) for u in units]
        for item in items:
            n = pd.Series([d.get(item) for d in done], dtype="Int64")
            checklist_columns[f"{item}完成人数"] = n
            checklist_columns[f"{item}完成率（%）"] = _percent(n.astype(float), counts)
            checklist_columns[f"{item}名次（{HIGHER}）"] = _rank(
                checklist_columns[f"{item}完成率（%）"]
            )
    checklist_table = frame(checklist_columns)

    category_columns: dict = {"人数": counts}
    for name in categories:
        avg = pd.Series(
            [
                u.members[name].mean() if name in u.members and len(u.members) else np.nan
                for u in units
            ]
        ).round(MEAN_DECIMALS)
        category_columns[f"{name}平均分"] = avg
        category_columns[f"{name}名次（{HIGHER}）"] = _rank(avg)
    category_table = frame(category_columns)

    award_columns: dict = {"人数": counts}
    for name in awards:
        n = pd.Series([u.awards.get(name) for u in units], dtype="Int64")
        per_hundred = (n.astype(float) / counts.astype(float).replace(0, np.nan) * 100).round(
            MEAN_DECIMALS
        )
        award_columns[f"{name}入选数"] = n
        award_columns[f"{name}每百人入选"] = per_hundred
        award_columns[f"{name}名次（每百人入选，{HIGHER}）"] = _rank(per_hundred)
    award_table = frame(award_columns)

    members = _members_ranked(units, mixed)
    tables = {
        "单位对比": overview,
        "等次分布": grade_table,
        f"{checklist_name or '清单'}完成": checklist_table,
        "类别平均分": category_table,
        "评优入选": award_table,
    }
    if not items:
        del tables[f"{checklist_name or '清单'}完成"]
    if not categories:
        del tables["类别平均分"]
    if not awards:
        del tables["评优入选"]
    return Combined(
        units=units,
        year=units[0].year,
        tables=tables,
        members=members,
        mixed_rules=mixed,
        grades=grades,
        categories=categories,
        checklist_name=checklist_name,
        checklist_items=items,
        awards=awards,
        notes=_notes(units, mixed),
    )


def _items_done(unit: UnitResult, items: tuple[str, ...]) -> dict[str, int]:
    """Per checklist item of the unit, how many members completed it: the members less those
    whose missing items name it (counted once per distinct list of missing items)."""
    m = unit.members
    if not unit.checklist_items:
        return {}
    has_checklist = m["checklist_total"] > 0
    lists = m.loc[has_checklist, "checklist_missing"].value_counts()
    wrapped = {text: f"、{text}、" for text in lists.index}
    done = {}
    for item in unit.checklist_items:
        missing = sum(int(n) for text, n in lists.items() if f"、{item}、" in wrapped[text])
        done[item] = int(has_checklist.sum()) - missing
    return {item: done[item] for item in items if item in done}


def _members_ranked(units: list[UnitResult], mixed: bool) -> pd.DataFrame:
    parts = [
        u.members.assign(unit=u.unit, unit_order=i, rules=u.rules_label)
        for i, u in enumerate(units)
    ]
    every = pd.concat(parts, ignore_index=True)
    order = np.lexsort(
        (
            np.arange(len(every)),  # within a unit: its own ranking order (as read)
            every["unit_order"].to_numpy(),
            -every["total"].to_numpy(),
        )
    )
    every = every.iloc[order].reset_index(drop=True)
    table = pd.DataFrame(
        {
            "总名次": every["total"].rank(method="min", ascending=False).astype("int64"),
            "单位": every["unit"],
            "单位内名次": every["unit_rank"].astype("int64"),
            "委员编号": every["member_id"],
            "姓名": every["name"],
            "界别": every["sector"],
            "专委会": every["committee"],
            "总分": every["total"],
            "等次": every["grade"],
        }
    )
    if mixed:
        table.insert(2, "积分办法（各单位不同）", every["rules"])
    return table


def _notes(units: list[UnitResult], mixed: bool) -> list[str]:
    notes = [
        "各单位名次：按各表表头所注方向，最好者为第 1 名；数值相同者名次并列（1、2、2、4），"
        f"按表中显示的数值比较（平均分、中位数保留 {MEAN_DECIMALS} 位小数，百分比保留 {PERCENT_DECIMALS} 位小数）。",
        "单位按平均分从高到低排列；平均分相同时按给出结果文件的顺序。",
        "委员总排名：按总分从高到低，总分相同者名次并列（1、2、2、4），并列者按给出结果文件的顺序、再按各单位总排名中的顺序排列。",
        "评优名次按每百名委员入选数比较（各单位人数不同）。",
    ]
    if mixed:
        notes.insert(
            0,
            "注意：各单位所用的积分办法不同（规则文件的 SHA-256 不同），分数和等次不能直接比较；"
            "本汇总按 --allow-mixed-rules 照常并列，各表“积分办法”一列注明每个单位所用的规则文件。",
        )
    if any(u.masked for u in units):
        notes.append("部分或全部结果已隐去姓名（公示用），委员总排名中的姓名照结果文件显示。")
    return notes


def units_table(combined: Combined) -> pd.DataFrame:
    """Which file is which unit, scored under which rules: the 说明 sheet's list."""
    return pd.DataFrame(
        {
            "单位": [u.unit for u in combined.units],
            "单位名称来自": [u.unit_from for u in combined.units],
            "结果文件": [u.path.name for u in combined.units],
            "考核年度": [u.year for u in combined.units],
            "规则文件": [u.rules_file for u in combined.units],
            "规则文件 SHA-256": [u.rules_sha256 for u in combined.units],
            "人数": [len(u.members) for u in combined.units],
        }
    )
