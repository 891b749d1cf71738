"""`perfscore assess` on many workbooks: each into its own output, failures reported, none stopping the rest."""

from __future__ import annotations

import shutil

from perfscore.batch import assess_many, expand_workbooks
from perfscore.cli import app

from .conftest import SAMPLE, sha256


def test_a_folder_of_workbooks_is_assessed_file_by_file(runner, tmp_path):
    folder = tmp_path / "县区"
    folder.mkdir()
    for name in ("甲县.xlsx", "乙县.xlsx"):
        shutil.copyfile(SAMPLE, folder / name)
    (folder / "丙县.xlsx").write_bytes(b"not a workbook")
    (folder / "~$甲县.xlsx").write_bytes(b"lock")
    before = sha256(folder / "甲县.xlsx")

    result = runner.invoke(app, ["assess", str(folder)], env={"COLUMNS": "250"})
    assert result.exit_code == 2  # the worst file's code
    assert "完成 2 个，出错 1 个" in result.output
    assert (folder / "甲县-考核结果.xlsx").exists() and (folder / "乙县-考核结果.xlsx").exists()
    assert not (folder / "丙县-考核结果.xlsx").exists()
    assert "无法读取工作簿 丙县.xlsx" in result.output
    assert sha256(folder / "甲县.xlsx") == before


def test_several_files_into_an_output_folder_in_parallel(tmp_path):
    sources = []
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copyfile(SAMPLE, tmp_path / name)
        sources.append(tmp_path / name)
    out = tmp_path / "out"
    out.mkdir()
    items = assess_many(sources, out_dir=out, workers=2)
    assert [item.exit_code for item in items] == [0, 0]
    assert [item.out for item in items] == [out / "a-考核结果.xlsx", out / "b-考核结果.xlsx"]
    import openpyxl

    rankings = [
        list(openpyxl.load_workbook(item.out, read_only=True)["总排名"].iter_rows(values_only=True))
        for item in items
    ]
    assert (
        rankings[0] == rankings[1]
    )  # same content; the files differ only in the input name they record
    assert items[0].members == 320 and sum(items[0].grades.values()) == 320


def test_a_folder_of_csv_files_stays_one_workbook(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "委员名单.csv").write_text("委员编号,姓名,界别\n001,张三,经济界\n", encoding="utf-8")
    assert expand_workbooks([folder]) == [folder]
