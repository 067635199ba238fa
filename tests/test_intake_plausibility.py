"""Plausibility of each row: Indonesia, the district, named villages, precision, duplicates."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import lahan_geo as lg
from conftest import by_id

VILLAGES = gpd.GeoDataFrame(
    {"nama": ["Tumbang", "Sembuluh"], "kecamatan": ["Danau Sembuluh", "Danau Sembuluh"]},
    geometry=[shapely.box(112.0, -2.6, 112.1, -2.5), shapely.box(112.1, -2.6, 112.2, -2.5)],
    crs="EPSG:4326",
)


def plots_from(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    return lg.read_plots(pd.DataFrame({"id": [f"P{i}" for i in range(n)], **columns}))


def test_outside_indonesia_and_swaps():
    plots = plots_from(lat=["48.858370", "112.250000", "-2.500000"],
                       lon=["2.294481", "-2.550000", "112.250000"])
    assert "lies outside Indonesia" in plots["input_problem"].iloc[0]
    assert "di luar Indonesia" in plots["input_problem_id"].iloc[0]
    assert plots.geometry.iloc[1].equals(shapely.Point(112.25, -2.55))
    assert "swapped in this row" in plots["input_notes"].iloc[1]
    assert plots["input_notes"].iloc[2] is None


def test_vector_geometry_written_lat_lon_is_swapped_back():
    gdf = gpd.GeoDataFrame({"id": ["A", "B"]}, crs=4326,
                           geometry=[shapely.Point(-2.55, 112.25), shapely.Point(10.0, 50.0)])
    plots = lg.read_plots(gdf)
    assert plots.geometry.iloc[0].equals(shapely.Point(112.25, -2.55))
    assert "latitude and longitude were swapped" in plots["input_notes"].iloc[0]
    assert "outside Indonesia" in plots["input_problem"].iloc[1]


def test_precision_rules():
    plots = plots_from(lat=["-2.512345", "-2.512", "-2.51", "-2.5"],
                       lon=["112.234567", "112.234", "112.23", "112.2"],
                       akurasi=["5", "", "", ""])
    assert plots["accuracy_m"].iloc[0] == 5.0
    assert plots["accuracy_m"].iloc[1] == pytest.approx(55.7)
    assert "accuracy_m set to 56 m" in plots["input_notes"].iloc[1]
    assert "uncertain by ~557 m" in plots["input_problem"].iloc[2]
    assert "uncertain by ~5,566 m" in plots["input_problem"].iloc[3]
    assert lg.intake.plots.MAX_IMPLIED_UNCERTAINTY_M == 500.0


def test_stated_accuracy_raised_by_coarse_writing_and_unreadable_accuracy():
    plots = plots_from(lat=["2°31'12\" LS", "-2.512345"], lon=["112°14'4\" BT", "112.234567"],
                       akurasi=["3 m", "bagus"])
    assert plots["accuracy_m"].iloc[0] == pytest.approx(15.5)  # whole seconds: ±15.5 m
    assert "coarser than the stated accuracy of 3 m" in plots["input_notes"].iloc[0]
    assert math.isnan(plots["accuracy_m"].iloc[1])
    assert "accuracy 'bagus' in column 'akurasi' is not metres" in plots["input_notes"].iloc[1]


def test_duplicates_are_noted_on_every_row_concerned():
    raw = pd.DataFrame({"id": ["A", "B", "A", "C"],
                        "lat": ["-2.512345", "-2.612345", "-2.712345", "-2.612345"],
                        "lon": ["112.234567", "112.334567", "112.434567", "112.334567"]})
    read = lg.read_plots(raw)
    notes = read["input_notes"].tolist()
    assert "plot id 'A' is also used by row 3" in notes[0]
    assert "plot id 'A' is also used by row 1" in notes[2]
    assert "same coordinates as row 4 (plot 'C')" in notes[1]
    assert "same coordinates as row 2 (plot 'B')" in notes[3]
    assert read["input_problem"].isna().all()  # notes, not problems


def test_within_the_district_and_named_villages():
    plots = lg.read_plots(pd.DataFrame({
        "id": ["in", "wrong-village", "just-out", "far-out", "no-name"],
        "desa": ["Tumbang", "Desa Tumbang", "Sembuluh", "Sembuluh", ""],
        "lat": ["-2.550000", "-2.550000", "-2.550000", "-2.550000", "-2.550000"],
        "lon": ["112.050000", "112.150000", "112.200100", "112.300000", "112.060000"],
    }), within=VILLAGES)
    rows = by_id(plots)
    assert rows.loc["in", "input_notes"] is None
    assert rows.loc["wrong-village", "input_notes"] == (
        "the list names desa 'Desa Tumbang' but the plot lies in 'Sembuluh' (within= boundary)")
    assert "lies ~11 m outside the within= boundary" in rows.loc["just-out", "input_notes"]
    assert rows.loc["just-out", "input_problem"] is None
    assert "lies ~11,132 m outside" in rows.loc["far-out", "input_problem"]
    assert rows.loc["far-out"].geometry is None
    assert rows.loc["no-name", "input_notes"] is None
    assert plots.attrs["lahan_geo"]["within"] == {"names_compared": {"desa": "nama"}}


def test_within_from_a_file_and_kecamatan_names(tmp_path):
    path = tmp_path / "kec.gpkg"
    VILLAGES.dissolve("kecamatan").reset_index()[["kecamatan", "geometry"]].to_file(path)
    plots = lg.read_plots(pd.DataFrame({
        "id": ["a", "b"], "kecamatan": ["Danau Sembuluh", "Seruyan Hilir"],
        "lat": ["-2.550000", "-2.550000"], "lon": ["112.050000", "112.150000"]}), within=path)
    assert plots["input_notes"].iloc[0] is None
    assert "names kecamatan 'Seruyan Hilir' but the plot lies in 'Danau Sembuluh' (boundary " \
           "kec.gpkg)" in plots["input_notes"].iloc[1]


def test_polygon_partly_outside_and_within_errors(tmp_path):
    plot = shapely.box(112.19, -2.56, 112.21, -2.54)
    plots = lg.read_plots(gpd.GeoDataFrame({"id": ["p"]}, geometry=[plot], crs=4326),
                          within=VILLAGES)
    assert "50% of the polygon lies outside the within= boundary" in plots["input_notes"].iloc[0]
    with pytest.raises(lg.CRSError, match=r"within= boundary .* no CRS"):
        lg.read_plots(plots, within=VILLAGES.set_crs(None, allow_override=True))
    with pytest.raises(lg.InputError, match="does not exist"):
        lg.read_plots(plots, within=tmp_path / "none.gpkg")


def test_real_seruyan_boundaries(shared_wilayah):
    kab = gpd.read_file(shared_wilayah / "kalteng_kab.gpkg")
    seruyan = kab[kab["kode"] == "62.07"]
    plots = lg.read_plots(pd.DataFrame({
        "id": ["kuala-pembuang", "palangka-raya"],
        "lat": ["-3.391000", "-2.209000"], "lon": ["112.548000", "113.913000"]}),
        within=seruyan)
    assert plots["input_problem"].iloc[0] is None
    assert "outside the within= boundary" in plots["input_problem"].iloc[1]


def test_polygon_repairs_and_non_plots():
    bowtie = "POLYGON ((112.3 -2.5, 112.3004 -2.5003, 112.3004 -2.5, 112.3 -2.5003, 112.3 -2.5))"
    line = "LINESTRING (112.3 -2.5, 112.4 -2.5)"
    gdf = gpd.GeoDataFrame({"id": ["bow", "line", "z"]}, crs=4326, geometry=[
        shapely.from_wkt(bowtie), shapely.from_wkt(line), shapely.Point(112.3, -2.5, 10)])
    plots = by_id(lg.read_plots(gdf))
    assert plots.loc["bow"].geometry.is_valid
    assert "repaired with make_valid (Self-intersection" in plots.loc["bow", "input_notes"]
    assert "a LineString is not a plot" in plots.loc["line", "input_problem"]
    assert "height (Z) dropped" in plots.loc["z", "input_notes"]
    assert not plots.loc["z"].geometry.has_z
