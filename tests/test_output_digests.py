"""Same input -> same bytes: the outputs for the sample and the bench workbooks S and M match the
committed digests of every file and every .xlsx part (tests/digests/outputs.json).

A failure names the parts whose bytes changed. If the change is intended, regenerate the digests
with ``uv run python tests/digests/update.py`` and say in the commit why the output changed.
The digests hold for the library versions recorded with them; with other versions (the
lowest-direct CI pass) the test skips.
"""

from __future__ import annotations

import pytest

from .digests.update import case_digests, library_versions, load

pytestmark = pytest.mark.locked_deps


def _compare(case: str, folder) -> None:
    stored = load()
    if stored["versions"] != library_versions():
        pytest.skip(
            f"library versions {library_versions()} differ from those the digests were "
            f"recorded with {stored['versions']}"
        )
    expected = stored["cases"][case]
    actual = case_digests(case, folder)
    changed = sorted(
        name for name in expected.keys() & actual.keys() if expected[name] != actual[name]
    )
    assert (
        changed,
        sorted(expected.keys() - actual.keys()),
        sorted(actual.keys() - expected.keys()),
    ) == (
        [],
        [],
        [],
    ), "changed, missing, new parts (regenerate with tests/digests/update.py only on purpose)"


def test_outputs_keep_their_bytes_for_the_sample(tmp_path):
    _compare("sample", tmp_path)


@pytest.mark.slow
def test_outputs_keep_their_bytes_at_size_s(tmp_path):
    _compare("S", tmp_path)


@pytest.mark.slow
def test_outputs_keep_their_bytes_at_size_m(tmp_path):
    _compare("M", tmp_path)
