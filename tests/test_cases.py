"""Rule test cases as data: every tests/cases/*.yaml is one test; adding a case needs no Python.

A case names its rules (``rules:`` a file path from the repository root, or ``rules_yaml:`` the
rules inline), gives the workbook as rows per sheet (the first row is the header; YAML dates
become date cells), and says what must come out:

```yaml
description: 全体会议无故缺席扣 10 分
rules: rules/anqing-2018.yaml
sheets:
  委员名单:
    - [委员编号, 姓名, 界别]
    - ["001", 张三, 经济界]
  会议出勤:
    - [会议名称, 会议类型, 日期, 委员, 出勤情况]
    - [一次全会, 全体会议, 2023-01-08, 张三, 缺席]
expect:
  members:                 # any of: total, grade, rank, sector_rank, committee_rank, checklist_done
    "001": {total: 40, grade: 不称职}
  ledger:                  # the member's complete ledger: [rule id, points] or [rule id, points, source]
    "001":
      - [meetings.start, 50]
      - [meetings.plenary, -10, 会议出勤!D2]
  groups:                  # 分组统计: dimension label: group: columns (members, sum, mean …);
    界别:                  # the dimension lists exactly these groups
      经济界: {members: 1, mean: 40}
  bodies:                  # 单位统计: body: columns (records, or a record kind: proposal …)
    社法委: {records: 1, report: 1}
  shortlists:              # award id: the winners' keys (member ids, item ids) in list order
    excellent_member: ["001"]
  warnings: [不在任期内]    # text each expected warning contains
  errors: [委员名单中没有此人]  # the case expects a DataError whose problems contain these texts
```
Points compare to 0.005. A case gives only the sheets its rules test: the registers it leaves
out are absent on purpose, so cases are assessed with ``allow_missing_sheets`` (the error a
missing register gives without it is tested in tests/test_misreads.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import perfscore
from perfscore import DataError

from .conftest import ROOT, write_workbook

CASES = sorted((ROOT / "tests" / "cases").glob("*.yaml"))
CASE_KEYS = {"description", "rules", "rules_yaml", "sheets", "expect"}
EXPECT_KEYS = {"members", "ledger", "groups", "bodies", "shortlists", "warnings", "errors"}


def load_case(path: Path) -> dict:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"{path.name}: unknown keys {unknown}"
    assert ("rules" in case) != ("rules_yaml" in case), (
        f"{path.name}: give exactly one of rules / rules_yaml"
    )
    assert set(case["expect"]) <= EXPECT_KEYS, (
        f"{path.name}: unknown expect keys {set(case['expect']) - EXPECT_KEYS}"
    )
    return case


def _cell(value):
    return value if isinstance(value, (dt.date, int, float)) or value is None else str(value)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = load_case(path)
    workbook = write_workbook(
        tmp_path / "case.xlsx",
        {name: [[_cell(v) for v in row] for row in rows] for name, rows in case["sheets"].items()},
    )
    if "rules_yaml" in case:
        rules = tmp_path / "rules.yaml"
        rules.write_text(case["rules_yaml"], encoding="utf-8")
    else:
        rules = ROOT / case["rules"]
    expect = case["expect"]

    if "errors" in expect:
        with pytest.raises(DataError) as caught:
            perfscore.assess(workbook, rules=rules, allow_missing_sheets=True)
        texts = [str(p) for p in caught.value.problems]
        for wanted in expect["errors"]:
            assert any(wanted in t for t in texts), f"no error containing {wanted!r} in {texts}"
        return

    result = perfscore.assess(workbook, rules=rules, allow_missing_sheets=True)
    members = result.members.set_index("member_id")
    for member_id, fields in (expect.get("members") or {}).items():
        row = members.loc[str(member_id)]
        for field, wanted in fields.items():
            got = row[field]
            if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
                assert float(got) == pytest.approx(wanted, abs=0.005), (
                    f"{member_id} {field}: {got} != {wanted}"
                )
            else:
                assert str(got) == str(wanted), f"{member_id} {field}: {got} != {wanted}"

    for member_id, wanted_lines in (expect.get("ledger") or {}).items():
        lines = result.ledger[result.ledger["member_id"] == str(member_id)]
        got = [
            (rule, round(float(points), 2), source)
            for rule, points, source in zip(lines["rule_id"], lines["points"], lines["source"])
        ]
        unmatched = _unmatched(got, wanted_lines)
        assert not unmatched, (
            f"{member_id} ledger:\n got  {sorted(got)}\n want {wanted_lines}\n {unmatched}"
        )
        total = members.loc[str(member_id), "total"]
        assert float(lines["points"].sum()) == pytest.approx(float(total), abs=0.005)

    for label, wanted_groups in (expect.get("groups") or {}).items():
        rows = result.groups[result.groups["dimension"] == label].set_index("group")
        assert sorted(rows.index) == sorted(wanted_groups), f"{label}: {list(rows.index)}"
        for group, fields in wanted_groups.items():
            for field, wanted in fields.items():
                got = rows.loc[group, field]
                assert float(got) == pytest.approx(wanted, abs=0.005), (
                    f"{label} {group} {field}: {got} != {wanted}"
                )

    if "bodies" in expect:
        bodies = result.bodies.set_index("body")
        assert sorted(bodies.index) == sorted(expect["bodies"]), list(bodies.index)
        for body, fields in expect["bodies"].items():
            for field, wanted in fields.items():
                assert bodies.loc[body, field] == wanted, f"{body} {field}"

    lists = {sl.award.id: sl for sl in result.shortlists}
    for award_id, wanted in (expect.get("shortlists") or {}).items():
        got = [str(key) for key in lists[award_id].winners["key"]]
        assert got == [str(key) for key in wanted], f"{award_id}: {got} != {wanted}"

    texts = [str(p) for p in result.warnings]
    for wanted in expect.get("warnings") or []:
        assert any(wanted in t for t in texts), f"no warning containing {wanted!r} in {texts}"


def _unmatched(got: list[tuple], wanted: list[list]) -> str:
    """'' when ``got`` is exactly ``wanted``; an expected line without a source matches any source.

    Lines with a source are matched first, so they cannot be taken by a source-less expectation.
    """
    remaining = list(got)
    for spec in sorted(wanted, key=lambda spec: len(spec) < 3):
        rule, points = spec[0], round(float(spec[1]), 2)
        found = next(
            (
                line
                for line in remaining
                if line[:2] == (rule, points) and (len(spec) < 3 or line[2] == spec[2])
            ),
            None,
        )
        if found is None:
            return f"missing {spec}"
        remaining.remove(found)
    return f"unexpected {remaining}" if remaining else ""
