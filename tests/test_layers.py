"""Forest codes and labels, zoning names, and the mapping file."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

import lahan_geo as lg
from lahan_geo.layers import forest_function_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100100.0, "HL"), (1001, "HL"), ("1001", "HL"), ("100100.0", "HL"),
        (1002, "HK"), (10023, "HK"), (100200.0, "HK"), (100211, "HK"), (100251.0, "HK"),
        (1003, "HP"), (100300, "HP"), (1004, "HPT"), (100400.0, "HPT"),
        (1005, "HPK"), (100500, "HPK"), (1007, "APL"), (100700.0, "APL"),
        (0, None), (0.0, None), (5001, None), (5003, None), (123456, None), (None, None),
        (float("nan"), None),
        ("Hutan Lindung", "HL"), ("HUTAN PRODUKSI TERBATAS", "HPT"),
        ("Hutan Produksi Tetap", "HP"), ("Hutan Produksi yang dapat Dikonversi", "HPK"),
        ("Kawasan Suaka Alam/Kawasan Pelestarian Alam", "HK"), ("Taman Nasional", "HK"),
        ("Areal Penggunaan Lain", "APL"), ("Tidak Terdefinisi", None), ("hpt", "HPT"),
    ],
)
def test_forest_function_of(value, expected):
    assert forest_function_of(value) == expected


def test_code_zero_stays_unknown_even_with_a_label():
    raw = gpd.GeoDataFrame({"FUNGSIKWS": [0.0], "deskripsi": ["Areal Penggunaan Lain"]},
                           geometry=[box(0, 0, 1, 1)], crs=4326)
    assert lg.read_forest_area(raw)["forest_function"].iloc[0] is None


def test_label_only_layer_and_lower_case_fields_and_old_decree_fields():
    raw = gpd.GeoDataFrame(
        {"fungsi": ["Hutan Lindung", "Areal Penggunaan Lain"],
         "noskpnjk": ["SK.292/Menhut-II/2011", None]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    forest = lg.read_forest_area(raw)
    assert forest["forest_function"].tolist() == ["HL", "APL"]
    assert forest["forest_decree"].tolist() == ["SK.292/Menhut-II/2011", None]


def test_forest_layer_without_function_column_names_the_fix():
    raw = gpd.GeoDataFrame({"foo": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(lg.LayerError, match="function_column="):
        lg.read_forest_area(raw)


def test_missing_layer_file_is_a_clear_error(tmp_path):
    with pytest.raises(lg.LayerError, match="does not exist"):
        lg.read_forest_area(tmp_path / "nope.gpkg")


@pytest.mark.parametrize(
    ("name", "cls", "permission"),
    [
        ("Kawasan Permukiman Perdesaan", "permukiman", "allowed"),
        ("Kawasan Permukiman Perkotaan", "permukiman", "allowed"),
        ("Kawasan Perdagangan dan Jasa", "perdagangan_jasa", "allowed"),
        ("Kawasan Peruntukan Pertanian Tanaman Pangan", "pertanian", "kkpr"),
        ("Kawasan Perkebunan", "perkebunan", "kkpr"),
        ("Kawasan Hutan Produksi", "hutan_produksi", "forest"),
        ("Kawasan Hutan Lindung", "hutan_lindung", "forest"),
        ("Kawasan Suaka Alam", "konservasi", "forest"),
        ("Kawasan Rawan Bencana Banjir", "rawan_bencana", "hazard"),
        ("KRB III", "rawan_bencana", "hazard"),
        ("Lahan Sawah yang Dilindungi", "lsd", "lsd"),
        ("LSD", "lsd", "lsd"),
        ("Sempadan Sungai", "sempadan", "protected"),
        ("Kawasan Pertanian Pangan Berkelanjutan", "lp2b", "lp2b"),
        ("Kawasan Peruntukan Industri", "industri", "kkpr"),
        ("Kawasan Pertambangan", "pertambangan", "kkpr"),
        ("Ruang Terbuka Hijau", "rth", "protected"),
        ("Badan Air", "badan_air", "protected"),
        ("KAWASAN  PERMUKIMAN-PERDESAAN", "permukiman", "allowed"),
    ],
)
def test_zone_names_map_to_classes(name, cls, permission):
    zoning = lg.read_zoning(gpd.GeoDataFrame({"namobj": [name]}, geometry=[box(0, 0, 1, 1)],
                                             crs=32749))
    assert zoning["zone_class"].iloc[0] == cls
    assert zoning["zone_permission"].iloc[0] == permission
    assert zoning["zone_name"].iloc[0] == name


def test_user_mapping_file_overrides_the_default(tmp_path):
    mapping = tmp_path / "kab.toml"
    mapping.write_text(
        'version = "kab-1"\nsource_columns = ["ZONA"]\n'
        '[classes.dagang]\ngroup = "budidaya"\npermission = "allowed"\n'
        '[[match]]\nclass = "dagang"\npatterns = ["^k 1$"]\n', encoding="utf-8")
    zoning = lg.read_zoning(
        gpd.GeoDataFrame({"ZONA": ["K-1", "R-2"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                         crs=32749), mapping=mapping)
    assert zoning["zone_class"].tolist() == ["dagang", None]
    assert zoning.attrs["lahan_geo"]["unknown_values"] == ["R-2"]
    assert zoning.attrs["lahan_geo"]["mapping_version"] == "kab-1"


def test_mapping_with_undefined_class_is_refused(tmp_path):
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[[match]]\nclass = "nope"\npatterns = ["x"]\n', encoding="utf-8")
    with pytest.raises(lg.LayerError, match="'nope'"):
        lg.load_zoning_mapping(mapping)


def nan_polygon():
    import warnings

    import numpy as np
    from shapely import Polygon

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely warns about the NaN
        return Polygon([(4, 0), (np.nan, 0), (5, 1), (4, 1)])


def test_hostile_layer_geometries_are_repaired_or_left_out_and_recorded():
    from shapely import GeometryCollection, LineString, Point, Polygon

    geoms = [
        box(0, 0, 1, 1),
        Polygon([(1, 0), (2, 1), (2, 0), (1, 1)]),  # bowtie
        GeometryCollection([box(2, 0, 3, 1), LineString([(2, 0), (3, 1)]),
                            GeometryCollection([box(5, 5, 6, 6)])]),  # nested collection
        Polygon([(3, 0, 5), (4, 0, 5), (4, 1, 5), (3, 1, 5)]),  # Z
        nan_polygon(),  # NaN coordinate
        Polygon(),  # empty
        None,
        Point(5, 5),  # not an area
    ]
    raw = gpd.GeoDataFrame({"FUNGSIKWS": [1001] * len(geoms)}, geometry=geoms, crs=4326)
    forest = lg.read_forest_area(raw)
    notes = forest["geometry_repair"].tolist()
    assert len(forest) == len(geoms)
    assert notes[0] is None and notes[5] is None and notes[6] is None
    assert notes[1].startswith("make_valid")
    assert notes[2] == "GeometryCollection: polygonal parts kept"
    assert forest.geometry.iloc[2].area == 2.0
    assert notes[3] == "height (Z) dropped" and not forest.geometry.iloc[3].has_z
    assert "non-finite" in notes[4] and forest.geometry.iloc[4].is_empty
    assert "no area" in notes[7]
    assert forest.attrs["lahan_geo"]["repairs"] == 5
    present = forest.geometry.dropna()
    assert present.is_valid.all()


def test_overlapping_polygons_of_different_functions_are_reported_and_strictest_wins():
    import pandas as pd

    x, y = 600_000.0, 9_700_000.0
    raw = gpd.GeoDataFrame(
        {"FUNGSIKWS": [100700.0, 100100.0, 100700.0]},
        geometry=[box(x, y, x + 2000, y + 2000), box(x + 1000, y + 1000, x + 3000, y + 3000),
                  box(x + 5000, y + 5000, x + 6000, y + 6000)], crs=32749)
    forest = lg.read_forest_area(raw)
    report = forest.attrs["lahan_geo"]["overlaps"]
    assert report["pairs"] == 1
    assert report["examples"] == [{"rows": [0, 1], "functions": ["APL", "HL"]}]
    point = box(x + 1200, y + 1200, x + 1800, y + 1800).centroid
    plots = lg.read_plots(gpd.GeoDataFrame({"id": ["both"]}, geometry=[point], crs=32749))
    row = lg.screen(plots, forest=forest).iloc[0]
    assert row["forest_function"] == "HL"
    assert pd.notna(row["boundary_distance_m"])
