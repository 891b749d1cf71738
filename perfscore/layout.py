"""The columns of an assessment's member table, and the layout of perfscore's result files
(考核结果): sheet names and Chinese column labels.

One definition, used by the stages that make the tables (:mod:`perfscore.records`,
:mod:`perfscore.assessment`), by the rules' checks (a category id must not take a column's
name), by the writers that lay the files out (:mod:`perfscore.writers`) and by the readers that
read them back (:mod:`perfscore.history`, for ``--previous``): a label changed here changes them
all. Plain data, no imports: cheap for ``perfscore rules check``.
"""

from __future__ import annotations

__all__ = [
    "MEMBER_DETAILS",
    "RESULT_COLUMNS",
    "OTHER_LINES",
    "SHEETS",
    "MEMBER_LABELS",
    "RESULT_LABELS",
    "LEDGER_LABELS",
    "YEAR_LABEL",
    "POOL_LABELS",
]

# Who a member is: the columns every table of members (the roster, results, progress) opens with.
MEMBER_DETAILS = [
    "member_id",
    "name",
    "sector",
    "committee",
    "study_group",
    "work_group",
    "standing",
    "term_start",
    "term_end",
]

# ``Assessment.members`` after MEMBER_DETAILS: the member's result (then one column per category
# with its subtotal, then OTHER_LINES).
RESULT_COLUMNS = [
    "total",
    "grade",
    "grade_note",
    "rank",
    "sector_rank",
    "committee_rank",
    "checklist_done",
    "checklist_total",
    "checklist_missing",
    "consequences",
]

# Ledger lines outside any category, by the member column that sums them (beside the category
# subtotals, so that a row adds up to the total): column -> rule_id.
OTHER_LINES = {"base": "base", "checklist_bonus": "checklist.bonus", "total_adjust": "total.cap"}

# The assessment workbook's sheets by key, in the order written.
SHEETS = {
    "ranking": "总排名",
    "breakdown": "分项得分",
    "checklist": "双五个一",
    "checklist_sources": "双五个一来源",  # the cell each checklist item was met by
    "ledger": "积分明细",  # continued on 积分明细(2) …, or beside the workbook as 积分明细 CSV files
    "groups": "分组统计",
    "bodies": "单位统计",  # only when the rules declare bodies
    "rules": "规则",
    "problems": "数据提示",
}

# Who a row is about: the columns every member table opens with.
MEMBER_LABELS = {
    "member_id": "委员编号",
    "name": "姓名",
    "sector": "界别",
    "committee": "专委会",
    "study_group": "学习组",
    "work_group": "工作组",
}

# A member's result in the ranking (总排名) and the breakdown (分项得分).
RESULT_LABELS = {"rank": "名次", "total": "总分", "grade": "等次"}

# The ledger's columns (积分明细, in the workbook and in the CSV files beside it), in order.
LEDGER_LABELS = {
    "member_id": "委员编号",
    "name": "姓名",
    "category_name": "类别",
    "rule_id": "规则编号",
    "rule_name": "规则名称",
    "points": "分值",
    "date": "日期",
    "source": "来源单元格",
    "item_id": "编号",
    "title": "标题",
    "note": "说明",
}

# The row of the 规则 sheet that gives the assessment year.
YEAR_LABEL = "考核年度"

# The column that names an award's candidates, by the award's pool: in the 评优 sheets, the
# public lists and the 公示 notice.
POOL_LABELS = {
    "members": "姓名",
    "proposals": "提案标题",
    "information": "信息标题",
    "reports": "报告标题",
}
