"""Write the outputs of fixed inputs and digest them; rewrite the committed digests on request.

The digests in ``outputs.json`` pin the bytes perfscore writes for the shipped sample and the
bench workbooks S and M (bench/generate.py): every part of each written .xlsx (unzipped, so the
digest names the part that changed) and every other file whole. ``tests/test_output_digests.py``
compares fresh outputs against them.

Changing ``outputs.json`` means the output changed on purpose (a new column, a new rule, a
library upgrade). Regenerate it deliberately, read the diff of which parts changed, and say why
in the commit message::

    uv run python tests/digests/update.py            # sample, S and M
    uv run python tests/digests/update.py sample S   # only these cases

The digests hold for the library versions recorded beside them (``versions``); with other
versions (the lowest-direct CI pass) the test skips, since a writer library may lay out bytes
differently.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = Path(__file__).resolve().parent / "outputs.json"
SAMPLE = ROOT / "samples" / "2023.xlsx"
CASES = ("sample", "S", "M")
# The libraries whose versions can change the bytes written (readers, writers, numbers).
LIBRARIES = ("pandas", "numpy", "openpyxl", "xlsxwriter", "python-calamine", "pyyaml", "pydantic")


def library_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in LIBRARIES}


def workbook_for(case: str, folder: Path) -> Path:
    """The input of ``case``: the shipped sample, or a bench workbook generated into ``folder``."""
    if case == "sample":
        return SAMPLE
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    return generate(case, folder / f"{case}.xlsx", force=True)


def file_digests(path: Path) -> dict[str, str]:
    """``{name: sha256}``: each part of an .xlsx as ``name!part``, any other file whole."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return {
                f"{path.name}!{info.filename}": hashlib.sha256(archive.read(info)).hexdigest()
                for info in archive.infolist()
            }
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}


def case_digests(case: str, folder: Path) -> dict[str, str]:
    """Write every output of ``case`` into ``folder`` and digest each file and .xlsx part.

    Every case: the assessment as .xlsx (with the ledger CSV files beside it when the ledger is
    too long for a sheet), .json and .csv. The sample and S also: the shortlists (.xlsx, .json)
    and the 2023Q2 quarterly report (.xlsx, .md), which score the records twice more.
    """
    import perfscore
    from perfscore.api import select_shortlists, write_shortlists, written_files

    folder.mkdir(parents=True, exist_ok=True)
    workbook = workbook_for(case, folder)
    assessment = perfscore.assess(workbook)
    written: list[Path] = []
    for suffix in (".xlsx", ".json", ".csv"):
        out = folder / f"{case}-考核结果{suffix}"
        perfscore.write_outputs(assessment, out)
        written += written_files(assessment, out)
    if case != "M":
        lists = select_shortlists(assessment)
        for suffix in (".xlsx", ".json"):
            written.append(write_shortlists(assessment, lists, folder / f"{case}-评优{suffix}"))
        quarter = folder / "quarterly"
        quarter.mkdir(exist_ok=True)
        from perfscore.quarterly import parse_quarter

        _, paths = perfscore.report(
            workbook, parse_quarter("2023Q2"), out_dir=quarter, today=date(2023, 7, 1)
        )
        written += paths
    digests: dict[str, str] = {}
    for path in written:
        digests.update(file_digests(path))
    return dict(sorted(digests.items()))


def load() -> dict:
    return json.loads(DIGESTS.read_text(encoding="utf-8"))


def main(argv: list[str]) -> None:
    import tempfile

    cases = argv or list(CASES)
    unknown = [case for case in cases if case not in CASES]
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    stored = load() if DIGESTS.exists() else {"versions": {}, "cases": {}}
    if stored["versions"] and stored["versions"] != library_versions() and argv:
        raise SystemExit(
            "library versions differ from the recorded ones: regenerate every case "
            "(no arguments) so the digests and versions stay together"
        )
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            stored["cases"][case] = case_digests(case, Path(tmp) / case)
            print(f"{case}: {len(stored['cases'][case])} digests")
    stored["versions"] = library_versions()
    DIGESTS.write_text(
        json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {DIGESTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
