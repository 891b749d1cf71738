"""Generate benchmark workbooks of a given size: members and register rows, in the sample's format.

Sizes (members / register rows, spread over the registers as in a real year):

    tiny   30 /       500   (the test of the benchmark script)
    S     300 /    10,000
    M   5,000 /   200,000
    L  50,000 / 1,000,000

Everything is drawn with numpy's Generator(PCG64) from a fixed seed, whole columns at once, so
the same size always gives the same workbook. Registers name members by name (unique by
construction, as the resolver must then look every name up); 提案 and 会议出勤 have a merged
title row above the header, and 活动 an empty first row, so that Excel row numbers are checked
at every size. Written with xlsxwriter in constant-memory mode, each sheet's rows through
perfscore's table writer (a column at a time); dates are date cells.

A unit name (``--unit 甲县政协``) goes in a row above the roster's header as ``单位：甲县政协``,
where perfscore reads it; ``--seed`` draws a different year of the same size (the national
benchmark, bench/national.py, makes twelve units this way).

Usage: uv run python bench/generate.py S [--out bench/out/S.xlsx] [--seed 8] [--unit 甲县政协]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perfscore.inputformat import SHEETS, VOCABULARIES  # noqa: E402

__all__ = ["SIZES", "generate", "default_path"]

SIZES = {"tiny": (30, 500), "S": (300, 10_000), "M": (5_000, 200_000), "L": (50_000, 1_000_000)}
OUT_DIR = Path(__file__).resolve().parent / "out"
YEAR = 2023
SEED = 8
# Share of register rows per register (a member-per-row register such as 会议出勤 dominates).
SHARES = {
    "attendance": 0.42,
    "activities": 0.14,
    "duties": 0.24,
    "proposals": 0.08,
    "information": 0.06,
    "adoptions": 0.03,
    "reports": 0.03,
}


def _first_serial(year: int) -> int:
    """Excel's serial day number of 1 January of ``year``."""
    return (dt.date(year, 1, 1) - dt.date(1899, 12, 30)).days


SURNAMES = np.array(
    list(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
        "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    )
)
GIVEN = np.array(
    list(
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏飞志宏春梅海波雪峰林斌婷晓东亮"
        "俊晨颖浩宇博凯欣怡嘉琳雅思佳慧德兴福荣瑞祥庆云立新永清民学忠振"
    )
)
SECTORS = np.array(
    [
        "中共",
        "民革",
        "民盟",
        "民建",
        "民进",
        "农工党",
        "九三学社",
        "无党派人士",
        "经济界",
        "教育界",
        "医药卫生界",
        "文化艺术界",
        "农业界",
    ]
)
COMMITTEES = np.array(
    ["提案委", "经济委", "农业农村委", "人口资源环境委", "教科卫体委", "社会和法制委", "文史委"]
)
TOPICS = np.array(
    [
        "加快县域物流体系建设",
        "完善居家社区养老服务体系",
        "推进中小学课后服务提质增效",
        "持续优化营商环境",
        "提升基层医疗卫生服务能力",
        "加强非物质文化遗产保护传承",
        "完善新能源汽车充电设施布局",
        "推进生活垃圾分类",
        "加强高标准农田建设",
        "推动制造业数字化转型",
        "完善公共交通线网",
        "发展银发经济",
    ]
)


def default_path(size: str) -> Path:
    return OUT_DIR / f"{size}.xlsx"


def _words(key: str) -> np.ndarray:
    return np.array(list(VOCABULARIES[key].words))


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct names of two to four characters: index -> (surname, given…) in mixed radix."""
    s, g = len(SURNAMES), len(GIVEN)
    codes = rng.permutation(s * g * (g + 1) * (1 if n < s * g * (g + 1) else g + 1))[:n]
    surname, rest = codes % s, codes // s
    first, rest = rest % g, rest // g
    second = rest % (g + 1)  # g means "no second character"
    third = rest // (g + 1)  # only for very large rosters
    out = SURNAMES[surname].astype(object) + GIVEN[first].astype(object)
    has_second = second < g
    out[has_second] += GIVEN[second[has_second]].astype(object)
    has_third = (third > 0) & (third <= g)
    out[has_third] += GIVEN[third[has_third] - 1].astype(object)
    return out


def _name_lists(
    rng: np.random.Generator, names: np.ndarray, weights: np.ndarray, rows: int, most: int
) -> np.ndarray:
    """Cells naming 1..most distinct members joined by 、 (the first is drawn by engagement)."""
    n = len(names)
    counts = rng.integers(1, most + 1, rows) if most > 1 else np.ones(rows, dtype=int)
    counts = np.minimum(counts, n)
    first = rng.choice(n, rows, p=weights)
    step = rng.integers(1, max(2, n // most), rows)  # first + j*step, j < most: distinct members
    cells = names[first].astype(object)
    for j in range(1, most):
        more = counts > j
        cells[more] = cells[more] + "、" + names[(first[more] + j * step[more]) % n]
    return cells


def _one_row_each(register: dict[str, np.ndarray], keys: tuple[str, ...], year: int = YEAR) -> None:
    """Make the rows unique on ``keys`` (the last one a date), as a register records each event
    once: a repeated row moves a day on within the year, until none repeats. perfscore refuses
    a record entered twice."""
    while True:
        repeated = pd.DataFrame({k: register[k] for k in keys}).duplicated().to_numpy()
        if not repeated.any():
            return
        day = register[keys[-1]][repeated] - _first_serial(year)
        register[keys[-1]][repeated] = _first_serial(year) + (day + 1) % 365


def _dates(rng: np.random.Generator, rows: int, year: int = YEAR) -> np.ndarray:
    return _first_serial(year) + rng.integers(0, 365, rows)  # Excel serial days within the year


def make_registers(
    members: int,
    rows: int,
    seed: int = SEED,
    year: int = YEAR,
    registers_seed: int | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Sheet key -> column key -> values (object arrays of text, or int serial days for dates).

    ``registers_seed`` draws the registers from another seed than the roster's, so that the
    years of one term have the same members (``year``: the year the dates fall in)."""
    rng = np.random.default_rng(seed)
    names = _names(rng, members)
    engagement = rng.beta(8, 3, members)
    weights = engagement / engagement.sum()
    ids = np.char.add("M", np.char.zfill(np.arange(1, members + 1).astype(str), 6)).astype(object)
    roster = {
        "member_id": ids,
        "name": names,
        "sector": SECTORS[rng.integers(0, len(SECTORS), members)].astype(object),
        "committee": COMMITTEES[rng.integers(0, len(COMMITTEES), members)].astype(object),
        "study_group": np.char.add(
            "第", np.char.add((rng.integers(1, 15, members)).astype(str), "学习组")
        ).astype(object),
        "work_group": np.char.add(
            "第", np.char.add((rng.integers(1, 8, members)).astype(str), "工作组")
        ).astype(object),
        "standing": np.where(rng.random(members) < 0.1, "是", "否").astype(object),
    }
    if registers_seed is not None:
        rng = np.random.default_rng(registers_seed)
    count = {key: max(1, int(rows * share)) for key, share in SHARES.items()}
    count["attendance"] += rows - sum(count.values())

    def choice(key: str, n: int, p: Sequence[float] | None = None) -> np.ndarray:
        words = _words(key)
        return words[rng.choice(len(words), n, p=p)].astype(object)

    def topics(n: int, suffix: str) -> np.ndarray:
        return np.char.add(
            np.char.add("关于", TOPICS[rng.integers(0, len(TOPICS), n)]), suffix
        ).astype(object)

    n = count["proposals"]
    status = choice("proposal_status", n, p=[0.84, 0.04, 0.09, 0.03])
    form = choice("proposal_form", n, p=[0.42, 0.52, 0.06])
    proposal_ids = np.char.add(
        f"P{year}", np.char.zfill(np.arange(1, n + 1).astype(str), 7)
    ).astype(object)
    filed = np.flatnonzero(status == "立案")
    merged_into = np.full(n, "", dtype=object)
    is_merged = status == "并案"
    merged_into[is_merged] = (
        proposal_ids[filed[rng.integers(0, len(filed), is_merged.sum())]] if len(filed) else ""
    )
    if not len(filed):
        status[is_merged] = "立案"
    marks = np.where(rng.random(n) < 0.04, "重点提案", "").astype(object)
    excellent = rng.random(n) < 0.05
    marks[excellent] = np.where(marks[excellent] == "", "优秀提案", marks[excellent] + "、优秀提案")
    marks[status != "立案"] = ""
    authors = _name_lists(rng, names, weights, n, 5)
    authors[form == "个人"] = names[rng.choice(members, (form == "个人").sum(), p=weights)]
    # A 联名 proposal names several proposers; one drawn with a single name is 个人.
    single = np.char.find(authors.astype(str), "、") < 0
    form[(form == "联名") & single] = "个人"
    proposals = {
        "item_id": proposal_ids,
        "title": topics(n, "的提案"),
        "date": _dates(rng, n, year),
        "type": form,
        "members": authors,
        "status": status,
        "merged_into": merged_into,
        "marks": marks,
    }

    n = count["information"]
    info_ids = np.char.add(f"X{year}-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(
        object
    )
    info_dates = _dates(rng, n, year)
    information = {
        "item_id": info_ids,
        "title": topics(n, "的建议"),
        "date": info_dates,
        "members": _name_lists(rng, names, weights, n, 3),
    }

    n = count["adoptions"]
    which = rng.integers(0, len(info_ids), n)
    adoptions = {
        "item_id": info_ids[which],
        "type": choice("adoption_event", n, p=[0.9, 0.1]),
        "level": choice("level", n, p=[0.35, 0.5, 0.12, 0.03]),
        "date": np.minimum(info_dates[which] + rng.integers(7, 40, n), _first_serial(year) + 364),
        "note": np.full(n, "", dtype=object),
    }
    _one_row_each(adoptions, ("item_id", "type", "level", "date"), year)

    n = count["reports"]
    reports = {
        "item_id": np.char.add(
            f"D{year}-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)
        ).astype(object),
        "title": topics(n, "的调研报告"),
        "date": _dates(rng, n, year),
        "members": _name_lists(rng, names, weights, n, 4),
        "status": choice("report_outcome", n, p=[0.65, 0.27, 0.08]),
    }

    n = count["attendance"]
    meeting_type = choice("meeting_type", n, p=[0.3, 0.1, 0.3, 0.3, 0.0])
    attendance = {
        "title": np.char.add("市政协", meeting_type.astype(str)).astype(object),
        "type": meeting_type,
        "date": _dates(rng, n, year),
        "members": names[rng.integers(0, members, n)],
        "status": choice("attendance", n, p=[0.85, 0.08, 0.01, 0.02, 0.02, 0.02]),
    }
    # 常委会议 rows name standing members only, as offices record them.
    standing = np.flatnonzero(roster["standing"] == "是")
    at_standing = attendance["type"] == "常委会议"
    if len(standing):
        attendance["members"][at_standing] = names[
            standing[rng.integers(0, len(standing), at_standing.sum())]
        ]
    _one_row_each(attendance, ("members", "title", "date"), year)

    n = count["activities"]
    activity_type = choice("activity_type", n)
    subtype = np.full(n, "", dtype=object)
    speech = activity_type == "发言"
    subtype[speech] = np.where(rng.random(speech.sum()) < 0.3, "口头", "书面")
    training = activity_type == "培训"
    subtype[training] = np.where(rng.random(training.sum()) < 0.8, "全程", "部分")
    activities = {
        # each row its own event: 视察活动（第12次）, so no member is recorded twice for one
        "title": np.char.add(
            np.char.add(activity_type.astype(str), "活动（第"),
            np.char.add(np.arange(1, n + 1).astype(str), "次）"),
        ).astype(object),
        "type": activity_type,
        "subtype": subtype,
        "date": _dates(rng, n, year),
        "members": _name_lists(rng, names, weights, n, 6),
    }

    n = count["duties"]
    duties = {
        "members": names[rng.integers(0, members, n)],
        "type": choice("duty_item", n),
        "date": _dates(rng, n, year),
        "title": np.full(n, "按计划完成", dtype=object),
    }
    _one_row_each(duties, ("members", "type", "date"), year)

    return {
        "roster": roster,
        "proposals": proposals,
        "information": information,
        "adoptions": adoptions,
        "reports": reports,
        "attendance": attendance,
        "activities": activities,
        "duties": duties,
    }


TITLE_ROWS = {"proposals": "{year}年度委员提案登记表", "attendance": "{year}年度委员会议出勤登记表"}
EMPTY_FIRST_ROW = {"activities"}  # an empty row above the header: row numbers must not shift


def _cells(column, data: dict[str, np.ndarray], height: int) -> np.ndarray:
    """A column's cells as the table writer takes them: dates as serial numbers, an empty text
    as None (no cell), a column the register does not fill as all None."""
    if column.key not in data:
        return np.full(height, None, dtype=object)
    values = data[column.key]
    return values if column.kind == "date" else np.where(values == "", None, values)


def write_workbook(
    path: Path, registers: dict[str, dict[str, np.ndarray]], unit: str = "", year: int = YEAR
) -> None:
    import xlsxwriter

    from perfscore.writers.sheetxml import ColumnStyle, TableSheet

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties(
        {"title": f"{year}年度委员履职登记（基准测试）", "created": dt.datetime(year, 12, 31)}
    )
    header = book.add_format({"bold": True, "align": "center", "bg_color": "#DDEBF7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    plain = book.add_format()
    for sheet in SHEETS:
        data = registers[sheet.key]
        ws = book.add_worksheet(sheet.name, worksheet_class=TableSheet)
        first = 0
        if sheet.key == "roster" and unit:
            ws.write_string(0, 0, f"单位：{unit}")
            first = 1
        elif sheet.key in TITLE_ROWS:
            ws.merge_range(
                0, 0, 0, len(sheet.columns) - 1, TITLE_ROWS[sheet.key].format(year=year), title
            )
            first = 1
        elif sheet.key in EMPTY_FIRST_ROW:
            first = 1
        ws.write_row(first, 0, [c.header for c in sheet.columns], header)
        # Each column's cells at once (perfscore's own table writer): dates as serial numbers
        # in the date format, text as inline strings, an empty text as no cell at all.
        height = len(next(iter(data.values())))
        table = pd.DataFrame({c.header: _cells(c, data, height) for c in sheet.columns})
        styles = [
            ColumnStyle("int", date) if c.kind == "date" else ColumnStyle("text", plain)
            for c in sheet.columns
        ]
        ws.write_table(table, styles, first_row=first + 1)
    book.close()


def generate(
    size: str | tuple[int, int],
    out: Path | None = None,
    *,
    force: bool = False,
    seed: int = SEED,
    unit: str = "",
    year: int = YEAR,
    registers_seed: int | None = None,
) -> Path:
    """Write the workbook of ``size`` (a name in SIZES, or (members, rows)) drawn from ``seed``,
    naming ``unit`` above the roster when given; reuse the file if present. ``year`` and
    ``registers_seed`` give other years of the same members (see :func:`make_registers`)."""
    members, rows = SIZES[size] if isinstance(size, str) else size
    name = size if isinstance(size, str) else f"{members}x{rows}"
    out = out or default_path(name)
    if out.exists() and not force:
        return out
    tmp = out.with_name(f".{out.stem}.tmp.xlsx")
    write_workbook(tmp, make_registers(members, rows, seed, year, registers_seed), unit, year)
    tmp.replace(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--force", action="store_true", help="write again even if the file exists")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--unit", default="", help="unit name written above the roster (单位：…)")
    parser.add_argument(
        "--year", type=int, default=YEAR, help="the year the register dates fall in"
    )
    parser.add_argument(
        "--registers-seed", type=int, help="seed of the registers alone (the roster keeps --seed)"
    )
    args = parser.parse_args()
    path = generate(
        args.size,
        args.out,
        force=args.force,
        seed=args.seed,
        unit=args.unit,
        year=args.year,
        registers_seed=args.registers_seed,
    )
    print(path)


if __name__ == "__main__":
    main()
