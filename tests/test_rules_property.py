"""Property: a shipped rules file, mutated, is either refused by `rules check` with a line for
every problem, or it assesses the sample: exit 0, 1 or 2, never an internal error, every total
a finite number.

Mutations: a number made NaN, ±inf, huge, negative, zero or fractional; a name made formula-like,
given control characters, made a duplicate of another name or made long; a key of one section
placed in another. Most examples run the library's stages in process on the sample read once
(reading and normalising are what every example shares); a few go through the CLI.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfscore import RulesError
from perfscore.assessment import assess_scores
from perfscore.cli import app
from perfscore.errors import DataError, UsageError
from perfscore.history import History
from perfscore.reading import read_workbook
from perfscore.records import normalise
from perfscore.rules import LoadedRules, check_rules_text
from perfscore.scoring import score
from perfscore.writers.json import write_json

from .conftest import ROOT, SAMPLE

SHIPPED = {
    path.name: path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("rules/*.yaml"))
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# PERFSCORE_RULES_EXAMPLES runs more (or fewer) examples than CI does.
EXAMPLES = int(os.environ.get("PERFSCORE_RULES_EXAMPLES", "200"))
CLI_EVERY = 30  # every 30th example that reaches assess goes through the CLI
SHARE_ASSESSED = 0.3

NUMBERS = [
    ".nan", ".inf", "-.inf", "1.0e+308", "-1.0e+308", "1000001", "1000000", "-1000000", "999999.5",
    "-25", "-1", "0", "0.5", "2", "30", "100",
]  # fmt: skip
NAMES = [
    "=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-称职", "=HYPERLINK(\"http://x\",\"y\")",
    "a\x1b[2Jb", "\x00", "tab\there", "\u202eabc", "a/b", "[x]", "x" * 28, "名" * 29, "名" * 101,
    "'quoted'", "",
]  # fmt: skip
NAME_KEYS = {"name", "grade", "scheme", "id"}
INT_TAG, FLOAT_TAG, STR_TAG = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "str"))


def _walk(node: yaml.Node, parent_key: str | None = None):
    """(mapping node, key, value node) for every key of every mapping, depth first."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield node, key.value, value
            yield from _walk(value, key.value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _walk(child, parent_key)


def _scalars_in(node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            yield from _scalars_in(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _scalars_in(child)


@st.composite
def mutated_rules(draw) -> tuple[str, str, str]:
    """(file name, what was changed, the mutated YAML text)."""
    name = draw(st.sampled_from(sorted(SHIPPED)))
    tree = yaml.compose(SHIPPED[name], Loader=_LOADER)
    entries = list(_walk(tree))
    kind = draw(st.sampled_from(["number", "number", "name", "duplicate", "move"]))
    if kind == "number":
        numbers = [n for n in _scalars_in(tree) if n.tag in (INT_TAG, FLOAT_TAG)]
        target = draw(st.sampled_from(numbers))
        value = draw(st.sampled_from(NUMBERS))
        change = f"{target.value} -> {value} at line {target.start_mark.line + 1}"
        tag = INT_TAG if re.fullmatch(r"-?\d+", value) else FLOAT_TAG
        target.value, target.tag, target.style = value, tag, None
    elif kind == "name":
        targets = [
            v for _, key, v in entries if key in NAME_KEYS and isinstance(v, yaml.ScalarNode)
        ]
        target = draw(st.sampled_from(targets))
        value = draw(st.sampled_from(NAMES))
        change = f"{target.value!r} -> {value!r}"
        target.value, target.tag, target.style = value, STR_TAG, '"'
    elif kind == "duplicate":
        by_key: dict[str, list[yaml.ScalarNode]] = {}
        for _, key, v in entries:
            if key in NAME_KEYS - {"scheme"} and isinstance(v, yaml.ScalarNode):
                by_key.setdefault(key, []).append(v)
        key = draw(st.sampled_from(sorted(k for k, v in by_key.items() if len(v) > 1)))
        first, second = draw(st.permutations(by_key[key]))[:2]
        change = f"{key}: {second.value!r} -> {first.value!r}"
        second.value = first.value
    else:  # a key of one mapping placed in another
        _, key, value = draw(st.sampled_from(entries))
        mappings = [m for m, _, _ in entries] + [tree]
        target_map = draw(st.sampled_from(mappings))
        if any(k.value == key for k, _ in target_map.value):
            target_map.value = [(k, value if k.value == key else v) for k, v in target_map.value]
        else:
            target_map.value = [*target_map.value, (yaml.ScalarNode(STR_TAG, key), value)]
        change = f"{key} placed in the mapping at line {target_map.start_mark.line + 1}"
    text = yaml.serialize(tree, Dumper=_DUMPER, allow_unicode=True, width=1000)
    return name, f"{kind}: {change}", text


class Sample:
    """The sample read and normalised once per input format and year; each result is written
    as JSON into ``folder`` (numbers a JSON file cannot hold are refused there)."""

    def __init__(self, folder: Path):
        self._records: dict[tuple[str, int | None], object] = {}
        self.json = folder / "结果.json"

    def records(self, loaded: LoadedRules):
        key = (loaded.rules.input.model_dump_json(), loaded.rules.year)
        if key not in self._records:
            input_format = loaded.rules.input_format()
            raw = read_workbook(SAMPLE, input_format)
            self._records[key] = normalise(
                raw, year=loaded.rules.year, vocabularies=input_format.vocabularies
            )
        return self._records[key]

    def assess(self, loaded: LoadedRules) -> int:
        """What `perfscore assess` does, in process; the exit code it would give."""
        try:
            records = self.records(loaded)
            result = assess_scores(
                records,
                score(records, loaded.rules),
                loaded,
                source_name=SAMPLE.name,
                history=History(),
            )
        except DataError:
            return 1
        except UsageError:
            return 2
        totals = result.members["total"].to_numpy(dtype=float)
        assert np.isfinite(totals).all(), result.members.loc[~np.isfinite(totals)]
        points = result.ledger["points"].to_numpy(dtype=float)
        assert np.isfinite(points).all()
        write_json(result, self.json)
        return 0


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Sample:
    return Sample(tmp_path_factory.mktemp("rules-property"))


@pytest.mark.slow
def test_a_mutated_shipped_rules_file_is_refused_at_a_line_or_assesses_cleanly(
    sample, runner, tmp_path
):
    counts: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(mutated_rules())
    def one(case: tuple[str, str, str]) -> None:
        name, change, text = case
        counts["examples"] += 1
        try:
            rules, warnings = check_rules_text(text, name=name)
        except RulesError as exc:
            assert exc.problems, change
            for problem in exc.problems:
                assert re.fullmatch(r"\d+:\d+", problem.cell), (change, problem)
            counts["refused"] += 1
            return
        counts["assessed"] += 1
        if counts["assessed"] % CLI_EVERY == 1:
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
            out = tmp_path / "out.json"
            result = runner.invoke(
                app, ["assess", str(SAMPLE), "--rules", str(path), "-o", str(out)]
            )
            assert result.exit_code in (0, 1, 2), (change, result.output)
            assert "内部错误" not in result.output, (change, result.output)
            if result.exit_code == 0:
                members = json.loads(out.read_text(encoding="utf-8"))["members"]
                assert all(math.isfinite(m["total"]) for m in members), change
            counts["cli"] += 1
            return
        loaded = LoadedRules(rules=rules, path=name, sha256="0" * 64, warnings=tuple(warnings))
        code = sample.assess(loaded)
        assert code in (0, 1, 2), change
        counts[f"exit {code}"] += 1

    one()
    print(dict(counts))  # shown with pytest -s: how the examples ended
    assert counts["examples"] >= EXAMPLES
    assert counts["assessed"] >= SHARE_ASSESSED * counts["examples"], counts
    assert counts["cli"] >= 2, counts
