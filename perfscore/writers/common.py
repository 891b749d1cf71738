"""What every writer shares: table views of an assessment with the Chinese column labels of
:mod:`perfscore.layout`, atomic writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..assessment import Assessment
from ..layout import LEDGER_LABELS, MEMBER_LABELS, POOL_LABELS, RESULT_LABELS, YEAR_LABEL
from ..privacy import MASK_LABELS
from .commit import ResultSet

if TYPE_CHECKING:
    from ..awards import Shortlist

__all__ = [
    "atomic_path",
    "shortlist_sheets",
    "member_columns",
    "ranking_table",
    "leadership_table",
    "checklist_sources_table",
    "breakdown_table",
    "checklist_table",
    "ledger_table",
    "groups_table",
    "rules_table",
    "problems_table",
]


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield the path to write ``target`` at; it replaces ``target`` when the block ends
    without an error. A one-file result set (:class:`perfscore.writers.commit.ResultSet`):
    any failure or interruption leaves ``target`` as it was and no temporary file."""
    target = Path(target)
    with ResultSet(target.parent) as result:
        yield result.path(target.name)


def _checklist_label(a: Assessment) -> str:
    spec = a.rules.rules.checklist
    return spec.name if spec else "清单"


def member_columns(m: pd.DataFrame) -> dict[str, pd.Series]:
    """Who a row is about, with the Chinese headers every member table uses: ID, name, groups."""
    return {label: m[column] for column, label in MEMBER_LABELS.items()}


def ranking_table(a: Assessment) -> pd.DataFrame:
    """总排名: the roster columns the rules declare (联络组 …) after 工作组; the checklist's
    columns only when the rules define a checklist."""
    m = a.members
    label = _checklist_label(a)
    table = pd.DataFrame(
        {
            RESULT_LABELS["rank"]: m["rank"],
            **member_columns(m),
            **{column: m[column] for column in a.rules.rules.input.roster_columns},
            "常委": m["standing"].map({True: "是", False: ""}),
            RESULT_LABELS["total"]: m["total"],
            RESULT_LABELS["grade"]: m["grade"],
            "等次说明": m["grade_note"],
            "界别内名次": m["sector_rank"],
            "专委会内名次": m["committee_rank"],
        }
    )
    if a.rules.rules.checklist is not None:
        table[f"{label}完成"] = (
            m["checklist_done"].astype(str) + "/" + m["checklist_total"].astype(str)
        )
        table[f"{label}未完成项目"] = m["checklist_missing"]
    if a.rules.rules.consequences:
        table["处理提示"] = m["consequences"]
    return table


def leadership_table(a: Assessment) -> pd.DataFrame:
    """The ranking as leadership reads it (领导阅览版): 名次, 姓名, 界别, 总分, 等次, 说明 — 说明
    says why a grade is lower than the total gives and what consequence applies; a column
    empty for everyone is left out."""
    m = a.members
    notes = m["grade_note"].fillna("").astype(str)
    consequences = m["consequences"].fillna("").astype(str)
    both = (notes != "") & (consequences != "")
    note = notes.where(~both, notes + "；") + consequences
    table = pd.DataFrame(
        {
            "名次": m["rank"],
            "姓名": m["name"],
            "界别": m["sector"],
            "总分": m["total"],
            "等次": m["grade"],
            "说明": note,
        }
    )
    empty = [c for c in table.columns if table[c].astype(str).eq("").all()]
    return table.drop(columns=empty)


def breakdown_table(a: Assessment) -> pd.DataFrame:
    m = a.members
    table = pd.DataFrame(
        {"名次": m["rank"], "委员编号": m["member_id"], "姓名": m["name"], "界别": m["sector"]}
    )
    for category, name in a.category_names.items():
        table[name] = m[category]
    rules = a.rules.rules
    if rules.base or (m["base"] != 0).any():
        table["基础分"] = m["base"]
    if rules.checklist is not None and rules.checklist.bonus:
        table[f"{rules.checklist.name}奖励"] = m["checklist_bonus"]
    if (m["total_adjust"] != 0).any():
        table["总分封顶调整"] = m["total_adjust"]
    table["总分"] = m["total"]
    table["等次"] = m["grade"]
    return table


def checklist_table(a: Assessment) -> pd.DataFrame:
    """One row per member, one column per checklist item: ✓ and the date of the record that
    met it (✓ alone when that record has no date), or 未完成. The source cells are in
    :func:`checklist_sources_table` (the 双五个一来源 sheet)."""
    m = a.members
    table = pd.DataFrame(
        {
            "委员编号": m["member_id"],
            "姓名": m["name"],
            "界别": m["sector"],
            "完成项数": m["checklist_done"],
            "未完成项目": m["checklist_missing"],
        }
    )
    if a.checklist.empty:
        return table
    dates = pd.to_datetime(a.checklist["date"], errors="coerce").dt.strftime("%Y-%m-%d")
    done = "✓ " + dates.fillna("")
    shown = a.checklist.assign(cell=done.str.rstrip().where(a.checklist["done"], "未完成"))
    return _by_item(a, table, shown)


def checklist_sources_table(a: Assessment) -> pd.DataFrame:
    """Where each completed checklist item was found: the source cell of the record that met
    it (已完成 when it has none), or 未完成 — the 双五个一 sheet's marks, traced."""
    m = a.members
    table = pd.DataFrame({"委员编号": m["member_id"], "姓名": m["name"]})
    if a.checklist.empty:
        return table
    shown = a.checklist.assign(cell=a.checklist["source"].where(a.checklist["done"], "未完成"))
    shown.loc[shown["done"] & (shown["cell"] == ""), "cell"] = "已完成"
    return _by_item(a, table, shown)


def _by_item(a: Assessment, table: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    items = list(dict.fromkeys(a.checklist["item"]))
    wide = shown.pivot(index="member_id", columns="item", values="cell").reindex(
        index=a.members["member_id"], columns=items
    )
    for item in items:  # a pair with no row: the item is not asked of that member (who)
        table[item] = wide[item].fillna("不要求").to_numpy()
    return table


def ledger_table(a: Assessment) -> pd.DataFrame:
    led = a.ledger
    return pd.DataFrame({label: led[column] for column, label in LEDGER_LABELS.items()})


def groups_table(a: Assessment) -> pd.DataFrame:
    g = a.groups
    grades = [band.grade for band in a.rules.rules.grades]
    score_label = {"mean": "平均分", "sum": "总分合计"}[a.rules.rules.groups.score]
    # The group score is the mean or the sum (groups.score): the rank says which, no column twice.
    table = pd.DataFrame(
        {
            "分组类型": g["dimension"],
            "分组": g["group"],
            "人数": g["members"],
            "平均分": g["mean"],
            "总分合计": g["sum"],
            f"小组名次（按{score_label}）": g["group_rank"],
            "最高分": g["max"],
            "最低分": g["min"],
        }
    )
    for grade in grades:
        table[grade] = g[grade]
    if a.rules.rules.checklist is not None:
        table[f"{_checklist_label(a)}全部完成"] = g["checklist_complete"]
    return table


def bodies_table(a: Assessment) -> pd.DataFrame:
    """单位统计: the records credited to each body the rules declare, by kind, with their cells."""
    from ..rules.summary import KIND_NAMES

    b = a.bodies
    table = pd.DataFrame({"单位": b["body"], "对应专委会": b["committee"], "记录数": b["records"]})
    for kind, label in KIND_NAMES.items():
        table[label] = b[kind]
    table["来源"] = b["sources"]
    return table


def rules_table(a: Assessment) -> pd.DataFrame:
    from ..rules.example import example_notice

    r = a.rules.rules
    s = r.settings
    example = example_notice(a.rules)
    rows = [
        ("输入文件", a.source_name),
        ("单位", a.unit),
        ("单位名称来自", a.unit_from),
        (YEAR_LABEL, str(a.year)),
        ("规则文件", Path(a.rules.path).name),
        ("办法名称", r.scheme),
        ("版本", r.version),
        ("规则文件校验值", a.rules.sha256),
        *([("说明", example)] if example else [("依据", r.source)]),
        ("基础分", f"{r.base:g}"),
        ("总分上限", "不设" if r.total.max is None else f"{r.total.max:g}"),
        ("总分下限", "不设" if r.total.min is None else f"{r.total.min:g}"),
        ("小数位数", str(s.decimals)),
        ("取舍方式", {"half_up": "四舍五入", "half_even": "银行家舍入"}[s.rounding]),
        ("任期外记录", {"skip": "不计分", "count": "照常计分"}[s.outside_term]),
        (
            "并案提案",
            {"as_merged": "按并案计分", "as_target": "按并入提案的状态计分", "none": "不计分"}[
                s.merged_credit
            ],
        ),
        (
            "年中增补、离任",
            {"none": "不折算", "months": "按任职月数折算为全年"}[s.pro_rate],
        ),
        ("并列规则", "总分相同名次并列（1、2、2、4）；并列者排列顺序：" + _tie_break_text(a)),
    ]
    for band in r.grades:
        bound = f"≥ {band.min:g}" if band.min is not None else "其余"
        extra = (
            f"，须完成{r.checklist.name}全部项目" if band.requires_checklist and r.checklist else ""
        )
        rows.append((f"等次：{band.grade}", bound + extra))
    if r.checklist is not None:
        rows.append((f"{r.checklist.name}项目", "、".join(i.name for i in r.checklist.items)))
        rows.append((f"{r.checklist.name}奖励", f"{r.checklist.bonus:g}"))
    for category in r.categories:
        bounds = [
            f"起始 {category.start:g}" if category.start else "",
            f"封顶 {category.max:g}" if category.max is not None else "",
            f"最低 {category.min:g}" if category.min is not None else "",
        ]
        rows.append(
            (
                f"类别：{category.name}",
                "，".join(b for b in bounds if b) or "不设上下限",
            )
        )
    if a.mask:
        rows.insert(2, ("姓名显示", MASK_LABELS[a.mask]))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def _tie_break_text(a: Assessment) -> str:
    """settings.tie_break in words: 会议出勤得分高者在前、委员编号小者在前."""
    names = a.category_names
    return "、".join(
        "委员编号小者在前" if key == "member_id" else f"{names.get(key, key)}得分高者在前"
        for key in a.rules.rules.settings.tie_break
    )


def problems_table(a: Assessment) -> pd.DataFrame:
    """The problems, after a line per register saying which sheet was read, and a line per
    member whose items --skip-bad-rows left out with the points they would have had (级别 说明)."""
    read = [
        ("说明", r.sheet, f"登记表“{r.name}”：读取工作表“{r.sheet}”，{r.rows} 行", "", "")
        if r.sheet
        else (
            "说明",
            "",
            f"登记表“{r.name}”：工作簿中没有"
            + (
                "，规则中按它计分的项目都不得分" + ("（规则写明可以没有）" if r.optional else "")
                if r.scored
                else ""
            ),
            "",
            "",
        )
        for r in a.registers
    ]
    decimals = a.rules.rules.settings.decimals
    skipped = [
        ("说明", "", f"--skip-bad-rows 跳过的项目：{s.text(decimals)}", "", "") for s in a.skipped
    ]
    return pd.DataFrame(
        [
            *read,
            *skipped,
            *((str(p.severity), p.place, p.message, p.value, p.suggestion) for p in a.problems),
        ],
        columns=["级别", "位置", "问题", "读到的值", "建议"],
    )


def shortlist_sheets(lists: Sequence[Shortlist]) -> list[tuple[str, pd.DataFrame]]:
    """One sheet per award (winners, then the first left off, each with the reason), then a
    sheet of how each quota was reached and a balance sheet by 界别 and 专委会."""
    sheets = []
    for sl in lists:
        key_label = "委员编号" if sl.award.pool == "members" else "编号"
        name_label = POOL_LABELS[sl.award.pool]
        rows = pd.concat(
            [sl.winners.assign(result="入选"), sl.near_misses.assign(result="未入选")],
            ignore_index=True,
        )
        sheets.append(
            (
                f"评优-{sl.award.name}"[:31],
                pd.DataFrame(
                    {
                        "结果": rows["result"],
                        "序号": rows["place"],
                        key_label: rows["key"],
                        name_label: rows["label"],
                        "界别": rows["sector"],
                        "专委会": rows["committee"],
                        "得分": rows["score"],
                        "情况": rows["facts"],
                        "说明": rows["note"],
                    }
                ),
            )
        )
    summary = pd.DataFrame(
        {
            "评选": [sl.award.name for sl in lists],
            "候选数": [sl.pool_size for sl in lists],
            "名额": [sl.quota_text for sl in lists],
            "入选数": [len(sl.winners) for sl in lists],
            "说明": ["；".join(sl.notes) for sl in lists],
        }
    )
    balance = pd.concat([sl.balance.assign(award=sl.award.name) for sl in lists], ignore_index=True)
    balance = pd.DataFrame(
        {
            "评选": balance["award"],
            "分组类型": balance["dimension"],
            "分组": balance["group"],
            "候选数": balance["candidates"],
            "符合条件": balance["eligible"],
            "入选数": balance["winners"],
        }
    )
    return [*sheets, ("评优说明", summary), ("评优名额平衡", balance)]


def table_views() -> list[tuple[str, Callable[[Assessment], pd.DataFrame]]]:
    """The assessment workbook's tables, in sheet order: (key in ``layout.SHEETS``, view). The
    checklist sheet is left out of the workbook when the rules define no checklist, the 单位统计
    sheet when they declare no bodies."""
    return [
        ("ranking", ranking_table),
        ("breakdown", breakdown_table),
        ("checklist", checklist_table),
        ("checklist_sources", checklist_sources_table),
        ("ledger", ledger_table),
        ("groups", groups_table),
        ("bodies", bodies_table),
        ("rules", rules_table),
        ("problems", problems_table),
    ]
