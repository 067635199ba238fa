"""Issue #7, end to end: hostile cell text from a plot list reaches the workbook and CSV
as plain text; writes are atomic; an output never overwrites an input.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import lahan_geo as lg
from lahan_geo import cli
from lahan_geo.outputs import excel as excel_module
from test_hostile_files import assert_clean_error

HOSTILE_TEXT = [
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1+2",
    '=HYPERLINK("http://192.0.2.1/x","klik")',
    "baris satu\nbaris dua",
    "kontrol\x01\x08\x1fakhir",
    "\t=1+1",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, forest, zoning):
    folder = tmp_path_factory.mktemp("hostile_out")
    source = folder / "daftar.csv"
    n = len(HOSTILE_TEXT)
    pd.DataFrame({
        "id_lahan": HOSTILE_TEXT,
        "lintang": ["-2.704300"] * (n - 1) + ["=1+1"],
        "bujur": ["112.412338"] * n,
        "desa": HOSTILE_TEXT,
        "keterangan": list(reversed(HOSTILE_TEXT)),
    }).to_csv(source, index=False)
    plots = lg.read_plots(source)
    result = lg.screen(plots, forest=forest, zoning=zoning)
    return source, plots, result, folder


def test_hostile_text_survives_intake_and_screening_unchanged(hostile_run):
    _, plots, result, _ = hostile_run
    expected_ids = [t.strip() for t in HOSTILE_TEXT]  # ids are trimmed, nothing else
    assert plots["plot_id"].tolist() == expected_ids
    assert result["plot_id"].tolist() == expected_ids
    assert result["desa"].tolist() == HOSTILE_TEXT
    assert result["status"].tolist()[:-1] == ["clear"] * (len(HOSTILE_TEXT) - 1)
    assert result["status"].iloc[-1] == "invalid"  # '=1+1' is no latitude
    assert "'=1+1'" in result["input_problem"].iloc[-1]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_workbook_holds_hostile_text_as_text_never_as_formulas(hostile_run):
    _, _, result, folder = hostile_run
    path = lg.to_excel(result, folder / "hasil.xlsx")
    sheet = load_workbook(path)["Lahan"]
    header = [c.value for c in sheet[1]]
    cells = {name: [sheet.cell(row=r, column=header.index(name) + 1)
                    for r in range(2, 2 + len(HOSTILE_TEXT))]
             for name in ("ID Lahan", "Desa", "keterangan")}
    sanitized = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t) for t in HOSTILE_TEXT]
    assert [c.value for c in cells["Desa"]] == sanitized
    assert [c.value for c in cells["keterangan"]] == list(reversed(sanitized))
    assert [c.value for c in cells["ID Lahan"]] == [t.strip() for t in sanitized]
    for column in cells.values():
        assert all(c.data_type == "s" for c in column)
    assert sanitized[6] == "kontrolakhir" and sanitized[5] == "baris satu\nbaris dua"
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    assert "cmd|" in xml  # the text is there, as an inline string


def test_the_written_workbook_reads_back_with_the_same_hostile_ids(hostile_run):
    _, plots, result, folder = hostile_run
    path = lg.to_excel(result, folder / "again.xlsx")
    again = lg.read_plots(path, sheet="Lahan")
    sanitized = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t).strip() for t in HOSTILE_TEXT]
    assert again["plot_id"].tolist() == sanitized
    assert again["input_problem"].isna().tolist() == plots["input_problem"].isna().tolist()


def test_csv_output_defuses_formula_like_text(hostile_run):
    _, _, result, folder = hostile_run
    path = lg.to_csv(result, folder / "hasil.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(HOSTILE_TEXT)
    for row, text in zip(rows, HOSTILE_TEXT):
        if text.startswith(("=", "+", "-", "@", "\t")):
            assert row["desa"] == "'" + text
        else:
            assert row["desa"] == text
        assert not row["plot_id"].startswith(("=", "+", "-", "@"))


def test_geojson_is_byte_identical_when_written_twice(hostile_run):
    _, _, result, folder = hostile_run
    first = lg.to_geojson(result, folder / "a.geojson").read_bytes()
    second = lg.to_geojson(result, folder / "b.geojson").read_bytes()
    assert first == second and b"cmd|" in first


def test_a_failed_write_leaves_the_previous_output_untouched(hostile_run, monkeypatch):
    _, _, result, folder = hostile_run
    target = folder / "atomic.xlsx"
    lg.to_excel(result, target)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(excel_module, "write_summary", boom)
    with pytest.raises(RuntimeError, match="disk full halfway"):
        lg.to_excel(result, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("writer", ["to_csv", "to_excel", "to_geojson", "to_geopackage"])
def test_writing_over_an_input_is_refused_whatever_the_path_spelling(tmp_path, forest, writer,
                                                                      monkeypatch):
    suffix = {"to_csv": ".csv", "to_excel": ".xlsx", "to_geojson": ".geojson",
              "to_geopackage": ".gpkg"}[writer]
    source = tmp_path / "data" / f"plots{suffix}"
    source.parent.mkdir()
    frame = pd.DataFrame({"id_lahan": ["A"], "lintang": ["-2.704300"], "bujur": ["112.412338"]})
    if suffix == ".csv":
        frame.to_csv(source, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(source, index=False)
    else:
        lg.read_plots(frame)[["plot_id", "geometry"]].to_file(source)
    result = lg.screen(lg.read_plots(source), forest=forest)
    before = source.read_bytes()
    (tmp_path / "link").symlink_to(source.parent)
    monkeypatch.chdir(tmp_path)
    for spelling in (source, f"data/../data/plots{suffix}", tmp_path / "link" / source.name):
        with pytest.raises(lg.InputError, match="is one of the input files") as info:
            getattr(lg, writer)(result, spelling, protect=[source])
        assert_clean_error(info, "plots")
    assert source.read_bytes() == before


def test_writing_over_the_plot_list_of_the_result_is_refused_without_protect(tmp_path, forest):
    source = tmp_path / "plots.csv"
    source.write_text("id_lahan,lintang,bujur\nA,-2.704300,112.412338\n")
    result = lg.screen(lg.read_plots(source), forest=forest)
    with pytest.raises(lg.InputError, match="is one of the input files"):
        lg.to_csv(result, source)


def test_the_command_line_refuses_to_overwrite_an_input_in_its_out_folder(tmp_path, capsys):
    out = tmp_path / "hasil"
    out.mkdir()
    source = out / "hasil_screening.csv"  # the plot list has the name of an output
    source.write_text("id_lahan,lintang,bujur\nA,-2.704300,112.412338\n")
    before = source.read_bytes()
    status = cli.main(["screen", str(source), "--out", str(out), "--no-details"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "is one of the input files" in err and "Traceback" not in err
    assert source.read_bytes() == before
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    shutil.rmtree(out)


def test_screen_checks_geometry_of_a_frame_edited_after_read_plots(forest):
    import numpy as np
    from shapely import Point

    plots = lg.read_plots(pd.DataFrame({"id_lahan": ["A", "B"], "lintang": ["-2.704300"] * 2,
                                        "bujur": ["112.412338"] * 2}))
    with np.errstate(invalid="ignore"):
        plots.loc[1, "geometry"] = Point(np.nan, np.nan)
        result = lg.screen(plots, forest=forest)
    assert result["plot_id"].tolist() == ["A", "B"]
    assert result["status"].iloc[1] == "invalid" and "Fix:" in result["input_problem"].iloc[1]
