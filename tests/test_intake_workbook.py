"""Acceptance: the mixed, messy workbook of issue #3 parses row by row (see intake_corpus)."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely

import lahan_geo as lg
from intake_corpus import messy_workbook

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("messy") / "daftar_lahan_campur.xlsx"
    truth = messy_workbook.build(path)
    return path, truth, lg.read_plots(path)


def metres(a: shapely.Point, lat: float, lon: float) -> float:
    return GEOD.inv(a.x, a.y, lon, lat)[2]


def test_every_row_is_there_in_order_with_its_source(workbook):
    path, truth, plots = workbook
    assert len(truth) >= 40
    assert len(plots) == len(truth)
    assert list(zip(plots["source_sheet"], plots["source_row"])) == list(truth)
    assert set(plots["source_file"]) == {str(path)}
    blocks = plots.attrs["lahan_geo"]["blocks"]
    assert [b["sheet"] for b in blocks] == ["Daftar Lahan", "Titik Gabungan", "UTM"]
    assert blocks[0]["read"]["skipped_sheets"] == ["Petunjuk"]
    assert blocks[0]["read"]["header_row"] == 5
    assert blocks[0]["read"]["blank_rows"] == [16]
    assert blocks[0]["columns"]["lat"] == "Lintang"
    assert blocks[0]["columns"]["geometry"] == "Batas Lahan (WKT)"
    assert blocks[0]["columns"]["accuracy"] == "Akurasi GPS (m)"
    assert blocks[2]["columns"]["zone"] == "Zona"


def test_parseable_rows_lie_within_one_metre_of_the_truth(workbook):
    _, truth, plots = workbook
    worst = 0.0
    checked = 0
    for (sheet, row), expected in truth.items():
        got = plots[(plots["source_sheet"] == sheet) & (plots["source_row"] == row)].iloc[0]
        if not expected.parseable:
            continue
        assert got["input_problem"] is None, (sheet, row, got["input_problem"])
        geom = got.geometry
        if expected.polygon is not None:
            wanted = shapely.make_valid(messy_workbook.polygon_of(expected))
            assert geom.symmetric_difference(wanted).area < 1e-14, (sheet, row)
            # Hausdorff distance in degrees, times metres per degree (an upper bound here)
            error = shapely.hausdorff_distance(geom, wanted) * 111_320
        else:
            assert geom.geom_type == "Point", (sheet, row)
            error = metres(geom, expected.lat, expected.lon)
        worst = max(worst, error)
        checked += 1
        assert error <= 1.0, (sheet, row, error)
    assert checked >= 30
    print(f"\nmessy workbook: {len(truth)} rows, {checked} parseable, max error {worst:.3f} m")


def test_every_unparseable_row_has_its_specific_problem(workbook):
    _, truth, plots = workbook
    bad = 0
    for (sheet, row), expected in truth.items():
        got = plots[(plots["source_sheet"] == sheet) & (plots["source_row"] == row)].iloc[0]
        if expected.parseable:
            continue
        bad += 1
        assert got.geometry is None
        problem, problem_id = got["input_problem"], got["input_problem_id"]
        assert expected.problem in problem, (sheet, row, problem)
        assert problem.startswith(f"sheet '{sheet}', row {row}"), problem
        assert problem_id.startswith(f"lembar '{sheet}', baris {row}"), problem_id
        assert "Fix:" in problem and "Perbaikan:" in problem_id
    assert bad >= 12


def test_notes_say_what_was_corrected_or_assumed(workbook):
    _, truth, plots = workbook
    for (sheet, row), expected in truth.items():
        got = plots[(plots["source_sheet"] == sheet) & (plots["source_row"] == row)].iloc[0]
        if expected.note is not None:
            assert got["input_notes"] and expected.note in got["input_notes"], (sheet, row)
        elif expected.parseable:
            assert got["input_notes"] is None, (sheet, row, got["input_notes"])


def test_accuracy_from_column_and_from_written_precision(workbook):
    _, truth, plots = workbook
    for (sheet, row), expected in truth.items():
        got = plots[(plots["source_sheet"] == sheet) & (plots["source_row"] == row)].iloc[0]
        if expected.accuracy_m is not None:
            assert got["accuracy_m"] == pytest.approx(expected.accuracy_m), (sheet, row)
        elif expected.parseable and sheet == "Daftar Lahan":
            assert math.isnan(got["accuracy_m"]) or got["accuracy_m"] == 3.5, (sheet, row)
    assert np.nanmax(plots["accuracy_m"]) < 500


def test_screening_the_workbook_keeps_every_row(workbook, forest):
    _, truth, plots = workbook
    result = lg.screen(plots, forest=forest)
    assert len(result) == len(truth)
    invalid = result["status"] == "invalid"
    assert invalid.tolist() == [not t.parseable for t in truth.values()]
