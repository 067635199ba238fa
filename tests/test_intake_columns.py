"""read_plots finds its columns from Indonesian and English headers; explicit options win."""

from __future__ import annotations

import pandas as pd
import pytest

import lahan_geo as lg
from lahan_geo.intake.columns import guess_columns


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Lintang", "Bujur"], {"lat": "Lintang", "lon": "Bujur"}),
        (["LATITUDE", "LONGITUDE"], {"lat": "LATITUDE", "lon": "LONGITUDE"}),
        (["lat", "long"], {"lat": "lat", "lon": "long"}),
        (["Y", "X"], {"lat": "Y", "lon": "X"}),
        ([" Lintang  Selatan ", "Bujur_Timur"], {"lat": " Lintang  Selatan ",
                                                 "lon": "Bujur_Timur"}),
        (["Koordinat"], {"coords": "Koordinat"}),
        (["Titik koordinat (lat, long)"], {}),  # not a header lahan_geo can be sure of
        (["Easting", "Northing", "Zone"], {"easting": "Easting", "northing": "Northing",
                                           "zone": "Zone"}),
        (["X (Timur)", "Y (Utara)"], {"easting": "X (Timur)", "northing": "Y (Utara)"}),
        (["WKT"], {"geometry": "WKT"}),
        (["Poligon"], {"geometry": "Poligon"}),
        (["Desa/Kelurahan", "Kecamatan", "Luas (m2)", "Akurasi (m)"],
         {"desa": "Desa/Kelurahan", "kecamatan": "Kecamatan", "area": "Luas (m2)",
          "accuracy": "Akurasi (m)"}),
        (["Kelurahan"], {"desa": "Kelurahan"}),
    ],
)
def test_headers(headers, expected):
    assert guess_columns(headers) == expected


def test_guess_is_reported_and_options_override_it():
    raw = pd.DataFrame({
        "Kode": ["A", "B"], "lat": ["-2.512345", "-2.612345"], "lon": ["112.234567", "112.3"],
        "Lat GPS": ["-2.512350", "-2.612350"], "Lon GPS": ["112.234560", "112.334560"],
    })
    guessed = lg.read_plots(raw)
    assert guessed.attrs["lahan_geo"]["columns"] == {"id": "Kode", "lat": "lat", "lon": "lon"}
    chosen = lg.read_plots(raw, lat_col="Lat GPS", lon_col="Lon GPS")
    assert chosen.attrs["lahan_geo"]["columns"]["lat"] == "Lat GPS"
    assert chosen.geometry.iloc[1].x == pytest.approx(112.33456)
    by_mapping = lg.read_plots(raw, columns={"lat": "Lat GPS", "lon": "Lon GPS", "id": "lat"})
    assert by_mapping["plot_id"].tolist() == ["-2.512345", "-2.612345"]


def test_override_moves_a_column_to_another_role():
    raw = pd.DataFrame({"x": ["612345"], "y": ["9723456"]})
    plots = lg.read_plots(raw, columns={"easting": "x", "northing": "y"}, crs="49S")
    assert plots.attrs["lahan_geo"]["columns"] == {"easting": "x", "northing": "y"}
    assert plots["input_problem"].iloc[0] is None


def test_bad_overrides():
    raw = pd.DataFrame({"lat": ["-2.5"], "lon": ["112.3"]})
    with pytest.raises(lg.InputError, match=r"columns\['zone'\]='Zona' is not a column"):
        lg.read_plots(raw, columns={"zone": "Zona"})
    with pytest.raises(lg.InputError, match=r"unknown role\(s\) 'height'"):
        lg.read_plots(raw, columns={"height": "lat"})


def test_unusual_header_names_found_through_the_options_below_a_title(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Rekap lahan\nkode,posisi_ls,posisi_bt\nA,-2.512345,112.234567\n")
    plots = lg.read_plots(path, lat_col="posisi_ls", lon_col="posisi_bt", id_col="kode")
    assert plots["plot_id"].tolist() == ["A"]
    assert plots["source_row"].tolist() == [3]


def test_single_koordinat_column_with_polygon_corners():
    raw = pd.DataFrame({"Koordinat": [
        "-2.512345, 112.234567",
        "-2.5000, 112.3000; -2.5000, 112.3004; -2.5003, 112.3004; -2.5003, 112.3000",
    ]})
    plots = lg.read_plots(raw)
    assert plots.geometry.iloc[0].geom_type == "Point"
    assert plots.geometry.iloc[1].geom_type == "Polygon"
    assert "ring was not closed" in plots["input_notes"].iloc[1]


def test_original_columns_kept_and_clashing_ones_replaced():
    raw = pd.DataFrame({"id": ["A"], "lat": ["-2.512345"], "lon": ["112.234567"],
                        "source_row": [99], "input_problem": ["old"], "Keterangan": ["aset"]})
    plots = lg.read_plots(raw)
    assert plots["source_row"].tolist() == [1]
    assert plots["input_problem"].tolist() == [None]
    assert plots["Keterangan"].tolist() == ["aset"]
    added = [*lg.intake.plots.ADDED_COLUMNS, "geometry"]
    assert list(plots.columns[-len(added):]) == added


def test_settled_column():
    raw = pd.DataFrame({"lat": ["-2.512345"] * 3, "lon": ["112.234567", "112.2", "112.3"],
                        "Garapan lama": ["Ya", "tidak", "?"]})
    assert lg.read_plots(raw)["settled_before_designation"].tolist() == [True, False, None]
