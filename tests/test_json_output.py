"""The JSON writer writes exactly what ``json.dumps(assessment_document(a), ensure_ascii=False,
indent=1, allow_nan=False)`` writes, for tables of every kind of column a result can hold: the
writer makes each table's text column by column, and this pins it to the standard library's
bytes, so that nothing a reader can see depends on how the text was made."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.writers.json import assessment_document

HAND = Path(__file__).resolve().parent / "fixtures" / "hand"

TEXTS = st.text(
    alphabet=st.sampled_from(list('ab张"\\\n\t\x00\x1f\u2028\ue000é😀 :,{}[]')), max_size=8
)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.1, 1e16, 1e-7, 86.5, -4.5]),
)
DATES = st.one_of(st.none(), st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31)))
MIXED = st.one_of(st.none(), TEXTS, st.integers(-(2**40), 2**40), FLOATS, st.booleans())


@st.composite
def tables(draw) -> pd.DataFrame:
    """A table with columns of the kinds results hold: text with gaps, floats (NaN, -0.0), ints,
    nullable ints, booleans, dates with NaT, and an object column of mixed values."""
    rows = draw(st.integers(0, 12))

    def column(values):
        return draw(st.lists(values, min_size=rows, max_size=rows))

    kinds = draw(
        st.lists(
            st.sampled_from(["text", "float", "int", "nullable", "bool", "date", "mixed"]),
            max_size=7,
        )
    )
    frame = pd.DataFrame(index=range(rows))
    for position, kind in enumerate(kinds):
        name = f"{kind}_{position}" if position % 3 else f"列 {position}"
        if kind == "text":
            frame[name] = pd.Series(column(st.one_of(st.none(), TEXTS)), dtype=object)
        elif kind == "float":
            frame[name] = pd.Series(column(FLOATS), dtype=float)
        elif kind == "int":
            frame[name] = pd.Series(column(st.integers(-(2**62), 2**62)), dtype=np.int64)
        elif kind == "nullable":
            frame[name] = pd.array(column(st.one_of(st.none(), st.integers(-99, 99))), "Int64")
        elif kind == "bool":
            frame[name] = pd.Series(column(st.booleans()), dtype=bool)
        elif kind == "date":
            frame[name] = pd.Series(column(DATES), dtype="datetime64[ns]")
        else:
            frame[name] = pd.Series(column(MIXED), dtype=object)
    return frame


@pytest.fixture(scope="module")
def hand_result() -> perfscore.Assessment:
    """A small result (the hand-computed fixture) whose tables the property test replaces."""
    return perfscore.assess(HAND / "hand.xlsx", HAND / "hand-rules.yaml")


def _standard(result: perfscore.Assessment) -> str:
    document = assessment_document(result)
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=tables(), groups=tables())
def test_written_json_is_what_json_dumps_writes(hand_result, tmp_path, ledger, groups):
    result = dataclasses.replace(hand_result, ledger=ledger, groups=groups)
    out = tmp_path / "结果.json"
    perfscore.write_outputs(result, out)
    assert out.read_text(encoding="utf-8") == _standard(result)


def test_the_sample_as_json_is_what_json_dumps_writes(sample_result, tmp_path: Path) -> None:
    out = tmp_path / "结果.json"
    perfscore.write_outputs(sample_result, out)
    assert out.read_text(encoding="utf-8") == _standard(sample_result)
    shortlists = tmp_path / "评优.json"
    perfscore.api.write_shortlists(sample_result, sample_result.shortlists, shortlists)
    document = json.loads(shortlists.read_text(encoding="utf-8"))
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    assert shortlists.read_text(encoding="utf-8") == text
    assert [award["id"] for award in document["awards"]] == [
        sl.award.id for sl in sample_result.shortlists
    ]


@pytest.mark.filterwarnings("ignore:DataFrame columns are not unique")  # pandas' to_dict
def test_columns_named_by_numbers_or_twice_are_written_as_json_dumps_writes(
    hand_result, tmp_path
) -> None:
    odd = pd.DataFrame([[1, "x", 2.5, True, "a", "b"]], columns=[0, 1.5, True, None, "k", "k"])
    result = dataclasses.replace(hand_result, ledger=odd, groups=odd.iloc[:0])
    out = tmp_path / "结果.json"
    perfscore.write_outputs(result, out)
    assert out.read_text(encoding="utf-8") == _standard(result)
    assert json.loads(out.read_text(encoding="utf-8"))["ledger"] == [
        {"0": 1, "1.5": "x", "true": 2.5, "null": True, "k": "b"}
    ]


def test_a_cell_written_like_a_placeholder_stays_as_written(sample_result, tmp_path) -> None:
    ledger = sample_result.ledger.copy()
    ledger.loc[0, "note"] = "\ue0000:0\ue000"
    result = dataclasses.replace(sample_result, ledger=ledger)
    out = tmp_path / "结果.json"
    perfscore.write_outputs(result, out)
    assert json.loads(out.read_text(encoding="utf-8"))["ledger"][0]["note"] == "\ue0000:0\ue000"


def test_an_infinite_number_is_refused_and_nothing_is_written(sample_result, tmp_path) -> None:
    ledger = sample_result.ledger.copy()
    ledger.loc[3, "points"] = float("inf")
    result = dataclasses.replace(sample_result, ledger=ledger)
    out = tmp_path / "结果.json"
    with pytest.raises(ValueError, match="JSON compliant"):
        perfscore.write_outputs(result, out)
    assert not out.exists() and not list(tmp_path.iterdir())
