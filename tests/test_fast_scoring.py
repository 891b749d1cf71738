"""The shortcuts scoring and ranking take for speed give what the plain ways give.

Each shortcut is checked on real workbooks against a way of getting the same answer that does
not take it, written out here in plain pandas: the rules' conditions on coded arrays against
``isin``/``str.contains`` on the records, the ledger in ranking order and the checklist columns
against matching member ids, the shortlists from the scoring's reused codes against shortlists
from a fresh table, the checklist on records in another order or with repeated records against
the checklist on the records as read, the totals against sums of the ledger's lines, the notes
against texts written out here from docs/scoring.md, and the sort shortcut against sort_values.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from perfscore.assessment import assess_scores
from perfscore.awards import shortlists
from perfscore.frames import grouped_sums, stable_sorted
from perfscore.reading import read_workbook
from perfscore.records import normalise
from perfscore.rules import load_rules
from perfscore.scoring import RecordTable, round_points, score
from perfscore.text import number_text, percent_text

from .conftest import DEFAULT_RULES, SAMPLE

HAND = Path(__file__).resolve().parent / "fixtures" / "hand"
WORKBOOKS = {
    "sample": (SAMPLE, DEFAULT_RULES),
    "hand": (HAND / "hand.xlsx", HAND / "hand-rules.yaml"),
}


@pytest.fixture(scope="module", params=sorted(WORKBOOKS))
def read(request):
    """(records, loaded rules) of a real workbook, as ``perfscore.assess`` reads them."""
    workbook, rules_file = WORKBOOKS[request.param]
    loaded = load_rules(rules_file)
    input_format = loaded.rules.input_format()
    records = normalise(
        read_workbook(workbook, input_format),
        year=loaded.rules.year,
        vocabularies=input_format.vocabularies,
    )
    return records, loaded


@pytest.fixture(scope="module")
def sample():
    loaded = load_rules(DEFAULT_RULES)
    input_format = loaded.rules.input_format()
    records = normalise(
        read_workbook(SAMPLE, input_format),
        year=loaded.rules.year,
        vocabularies=input_format.vocabularies,
    )
    return records, loaded


def _condition_mask(recs: pd.DataFrame, condition) -> pd.Series:
    """Records meeting every condition listed (a list of values means any of them): the plain
    pandas reading of docs/rules.md's ``match``."""
    mask = pd.Series(True, index=recs.index)
    if condition is None:
        return mask
    for name in ("type", "subtype", "status", "level", "role"):
        allowed = getattr(condition, name)
        if allowed is not None:
            mask &= recs[name].isin(allowed)
    if condition.marks is not None:
        pattern = "|".join(re.escape(mark) for mark in condition.marks)
        mask &= recs["marks"].str.contains(pattern, regex=True) if pattern else False
    if condition.standing is not None:
        mask &= recs["standing"] == condition.standing
    return mask


def _clauses(rules):
    """(kind, condition) for every ``match`` and ``when`` of the rules' items, the checklist's
    clauses and the awards' ``score`` and ``has`` clauses."""
    for category in rules.categories:
        for item in category.items:
            yield item.match.kind, item.match
            for case in item.cases or []:
                if case.when is not None:
                    yield item.match.kind, case.when
    for item in rules.checklist.items if rules.checklist else []:
        yield from ((clause.kind, clause) for clause in item.any_of)
    for award in rules.awards:
        yield from ((clause.match.kind, clause.match) for clause in award.score or [])
        yield from ((clause.kind, clause) for clause in award.requires.has or [])


def test_conditions_on_coded_arrays_select_what_isin_and_contains_select(read):
    records, loaded = read
    frame = records.records
    standing = frame["member_id"].map(records.members.set_index("member_id")["standing"])
    with_standing = frame.assign(standing=standing)
    table = score(records, loaded.rules).written
    checked = 0
    for kind, clause in _clauses(loaded.rules):
        rows = table.kind_rows(kind)
        fast = table.condition(clause, kind, rows)
        plain = _condition_mask(with_standing.iloc[rows], clause).to_numpy(dtype=bool)
        assert fast.tolist() == plain.tolist(), clause
        checked += 1
    assert checked > 10


def test_the_ledger_in_ranking_order_and_the_checklist_columns_are_those_matching_ids_give(read):
    records, loaded = read
    scoring = score(records, loaded.rules)
    result = assess_scores(records, scoring, loaded)
    members = result.members

    ledger = scoring.ledger
    place = pd.Index(members["member_id"]).get_indexer(ledger["member_id"])
    place = np.where(place >= 0, place, len(members))
    plain = ledger.take(np.argsort(place, kind="stable")).reset_index(drop=True)
    names = records.members["name"]
    at = pd.Index(records.members["member_id"]).get_indexer(plain["member_id"])
    plain.insert(1, "name", pd.Series(names.array.take(at, allow_fill=True), dtype=names.dtype))
    assert_frame_equal(result.ledger, plain, check_exact=True)

    checklist = scoring.checklist
    done = checklist.groupby("member_id", sort=False)["done"].sum()
    missing = checklist[~checklist["done"]].groupby("member_id", sort=False)["item"].agg("、".join)
    assert len(checklist) == len(members) * len(loaded.rules.checklist.items)
    assert members["checklist_done"].tolist() == members["member_id"].map(done).tolist()
    assert (
        members["checklist_missing"].tolist()
        == members["member_id"].map(missing).astype(object).fillna("").tolist()
    )


def test_shortlists_from_the_scorings_codes_equal_shortlists_from_a_fresh_table(read):
    records, loaded = read
    scoring = score(records, loaded.rules)
    result = assess_scores(records, scoring, loaded)
    frame = records.records
    member = pd.Index(records.members["member_id"]).get_indexer(frame["member_id"])
    fresh = RecordTable(frame, np.arange(len(frame)), member, scoring.written.standing.copy())
    reused, plain = (
        shortlists(loaded.rules, result.members, result.ledger, table, records.members)
        for table in (scoring.written, fresh)
    )
    assert [s.award.id for s in reused] == [s.award.id for s in plain]
    for mine, theirs in zip(reused, plain):
        for name in ("winners", "near_misses", "balance"):
            assert_frame_equal(
                getattr(mine, name),
                getattr(theirs, name),
                check_exact=True,
                obj=f"{mine.award.id}.{name}",
            )
        assert (mine.quota, mine.quota_text, mine.pool_size, mine.notes) == (
            theirs.quota,
            theirs.quota_text,
            theirs.pool_size,
            theirs.notes,
        )


def test_totals_and_subtotals_are_the_rounded_sums_of_the_ledger_lines_bit_for_bit(read):
    records, loaded = read
    result = assess_scores(records, score(records, loaded.rules), loaded)
    settings = loaded.rules.settings
    members = result.members.set_index("member_id")
    ledger = result.ledger
    columns = {
        "total": ledger,
        **{c.id: ledger[ledger["category"] == c.id] for c in loaded.rules.categories},
    }
    for column, lines in columns.items():
        sums = (
            lines.groupby("member_id", sort=False)["points"]
            .sum()
            .reindex(members.index, fill_value=0.0)
        )
        expected = round_points(sums, settings.decimals, settings.rounding)
        assert (members[column].to_numpy() == expected.to_numpy()).all(), column


def test_the_checklist_does_not_depend_on_the_order_of_the_records(read):
    records, loaded = read
    shuffled = records.records.sample(frac=1.0, random_state=7).reset_index(drop=True)
    before = score(records, loaded.rules).checklist
    after = score(dataclasses.replace(records, records=shuffled), loaded.rules).checklist
    assert_frame_equal(after, before, check_exact=True)


def _repeated(records, rows: np.ndarray, source: pd.Series | None = None):
    """The records with the rows ``rows`` each given again right after itself (with another
    source cell when ``source`` gives one)."""
    frame = records.records
    again = frame.iloc[rows].copy()
    if source is not None:
        again["source"] = source.to_numpy()
    order = np.argsort(np.concatenate([np.arange(len(frame)), rows]), kind="stable")
    return dataclasses.replace(
        records,
        records=pd.concat([frame, again], ignore_index=True).iloc[order].reset_index(drop=True),
    )


def test_several_records_of_one_register_cell_count_once(sample):
    records, loaded = sample
    before = score(records, loaded.rules).checklist
    duty = np.flatnonzero((records.records["kind"] == "duty").to_numpy())[:40]
    after = score(_repeated(records, duty), loaded.rules).checklist
    assert_frame_equal(after, before, check_exact=True)


def test_records_of_one_register_row_in_other_cells_count_apart(sample):
    records, loaded = sample
    frame = records.records
    before = score(records, loaded.rules).checklist
    first = np.flatnonzero(((frame["kind"] == "duty") & (frame["type"] == "践一诺")).to_numpy())[0]
    member, cell = frame.at[first, "member_id"], frame.at[first, "source"]
    elsewhere = pd.Series([cell + "0"])  # the same sheet and row, another cell
    after = score(_repeated(records, np.array([first]), elsewhere), loaded.rules).checklist
    changed = (after["member_id"] == member) & (after["item"] == "践一诺")
    assert after.loc[changed, "count"].tolist() == [before.loc[changed, "count"].iloc[0] + 1]
    assert_frame_equal(after[~changed], before[~changed], check_exact=True)


def test_the_checklist_is_the_same_with_a_roster_of_more_than_65535_members(sample):
    # Members' codes no longer fit 16 bits: the records' sources are then grouped by hashing.
    records, loaded = sample
    members = records.members
    extra = pd.DataFrame(
        {column: members[column].iloc[[0] * 70_000].to_numpy() for column in members}
    )
    extra["member_id"] = [f"X{i:06d}" for i in range(70_000)]
    extra["name"] = [f"名{i}" for i in range(70_000)]
    crowded = pd.concat([extra, members], ignore_index=True).astype(members.dtypes.to_dict())
    before = score(records, loaded.rules).checklist
    after = score(dataclasses.replace(records, members=crowded), loaded.rules).checklist
    after = after[after["member_id"].isin(set(members["member_id"]))].reset_index(drop=True)
    assert_frame_equal(after, before, check_exact=True)


def test_split_credit_and_cap_notes_read_as_documented(sample):
    records, loaded = sample
    ledger = score(records, loaded.rules).ledger
    share = 0.6  # rules/default.yaml, information.submitted: credit {mode: split, lead_share: 0.6}
    submitted = ledger[ledger["rule_id"] == "information.submitted"]
    information = records.records[records.records["kind"] == "information"]
    authors = submitted[["source", "member_id"]].merge(
        information[["source", "member_id", "position", "n_authors"]],
        how="left",
        validate="one_to_one",
    )
    lead = (authors["position"] == 1).to_numpy()
    others = (authors["n_authors"] - 1).to_numpy()
    expected = np.where(
        others == 0,
        "",
        np.where(
            lead,
            f"分摊：第一作者得 {percent_text(share)}",
            [f"分摊：其余 {n} 人平分 {percent_text(1 - share)}" for n in others],
        ),
    )
    assert submitted["note"].tolist() == expected.tolist()
    assert (others > 0).any() and (others == 0).any()

    for category in loaded.rules.categories:
        if category.max is None:
            continue
        lines = ledger[ledger["category"] == category.id]
        capped = lines[lines["rule_id"] == f"{category.id}.cap"]
        before = (
            lines[lines["rule_id"] != f"{category.id}.cap"].groupby("member_id")["points"].sum()
        )
        expected = [
            f"封顶 {number_text(category.max)} 分（原为 {number_text(round(before[m], 4))} 分）"
            for m in capped["member_id"]
        ]
        assert capped["note"].tolist() == expected


@pytest.mark.parametrize(
    "columns, ascending",
    [
        (["score", "key"], [False, True]),
        (["score", "date", "key"], [False, True, True]),
        (["key"], [True]),
        (["group", "key"], [True, False]),
    ],
)
@pytest.mark.parametrize("layout", ["as built", "by key", "sorted", "reversed"])
def test_stable_sorted_gives_the_order_sort_values_gives(columns, ascending, layout):
    rng = np.random.default_rng(3)
    n = 500
    frame = pd.DataFrame(
        {
            "score": rng.choice([0.0, -0.0, 1.5, 2.0, 10.0], n),
            "date": pd.to_datetime("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 20, n), unit="D"),
            "key": pd.array([f"K{i:04d}" for i in rng.permutation(n)], dtype="str"),
            "group": pd.array(rng.choice(["甲", "乙", "丙"], n), dtype="str"),
        },
        index=rng.permutation(n) + 100,
    )
    if layout == "by key":
        frame = frame.sort_values("key")
    elif layout == "sorted":
        frame = frame.sort_values(columns, ascending=ascending, kind="stable")
    elif layout == "reversed":
        frame = frame.iloc[::-1]
    assert_frame_equal(
        stable_sorted(frame, columns, ascending),
        frame.sort_values(columns, ascending=ascending, kind="stable"),
    )


def test_stable_sorted_sorts_columns_with_missing_values_as_sort_values_does():
    frame = pd.DataFrame(
        {"score": [1.0, np.nan, 1.0, 2.0], "key": pd.array(["b", "a", None, "c"], dtype="str")}
    )
    for columns, ascending in ((["score", "key"], [False, True]), (["key"], [True])):
        assert_frame_equal(
            stable_sorted(frame, columns, ascending),
            frame.sort_values(columns, ascending=ascending, kind="stable"),
        )


def test_sums_by_member_are_added_up_as_groupby_adds_them_up():
    # groupby's sum compensates rounding as it goes; plain running sums (np.bincount) can end
    # a bit apart, so the data below is chosen to tell the two apart.
    rng = np.random.default_rng(11)
    member = rng.integers(0, 300, 20_000)
    points = rng.choice([0.1, 0.2, 0.3, 1 / 3, 2.675, -1.2, 0.6], 20_000) * rng.choice(
        [1.0, 1e6], 20_000
    )
    expected = (
        pd.Series(points)
        .groupby(member, sort=False)
        .sum()
        .reindex(range(305), fill_value=0.0)
        .to_numpy()
    )
    sums = grouped_sums(member, points, 305)
    assert sums.view(np.int64).tolist() == expected.view(np.int64).tolist()
    assert (np.bincount(member, weights=points, minlength=305) != expected).any()
