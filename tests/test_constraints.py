"""Constraint layers (X1-X4): peat, moratorium, rights, and setbacks measured in metres."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, by_id, plots_at, utm

KM = 1000.0


def ubox(x0, y0, x1, y1):
    return box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


@pytest.fixture(scope="module")
def constraint_layers():
    peat = lg.read_constraint(gpd.GeoDataFrame(geometry=[ubox(56, 0.2, 57, 0.8)], crs=UTM49S),
                              rule="X1", name="KHG Sungai Seruyan")
    pippib = lg.read_constraint(gpd.GeoDataFrame(geometry=[ubox(58, 0.2, 59, 0.8)],
                                                 crs=UTM49S).to_crs(4326), rule="X2")
    hgu = lg.read_constraint(gpd.GeoDataFrame({"jenis": ["HGU"]},
                                              geometry=[ubox(60, 0.2, 61, 0.8)], crs=UTM49S),
                             rule="X3", name="HGU PT Contoh")
    river = lg.read_constraint(
        gpd.GeoDataFrame({"KELAS": ["sungai kecil"]},
                         geometry=[LineString([(X0 + 55 * KM, Y0 + 1.5 * KM),
                                               (X0 + 60 * KM, Y0 + 1.5 * KM)])], crs=UTM49S),
        rule="X4", class_column="KELAS", setbacks={"sungai besar": 100, "sungai kecil": 50})
    return [peat, pippib, hgu, river]


def test_each_constraint_rule_fires(forest, zoning, constraint_layers):
    plots = plots_at({
        "peat": utm(56.5, 0.5), "pippib": utm(58.5, 0.5), "hgu": utm(60.5, 0.5),
        "river_30m": utm(57, 1.53), "river_100m": utm(57, 1.4), "free": utm(62.5, 0.5),
        "parcel_touching_peat": ubox(56.99, 0.3, 57.03, 0.33),
    })
    out = by_id(lg.screen(plots, forest=forest, zoning=zoning, layers=constraint_layers))
    assert "X1" in out.loc["peat", "rules"] and out.loc["peat", "status"] == "not_permitted"
    assert "KHG Sungai Seruyan" in out.loc["peat", "reason_en"]
    assert "X2" in out.loc["pippib", "rules"]
    assert out.loc["pippib", "status"] == "needs_clearance"
    assert "X3" in out.loc["hgu", "rules"] and "HGU PT Contoh" in out.loc["hgu", "reason_id"]
    assert "X4" in out.loc["river_30m", "rules"]
    assert out.loc["river_30m", "status"] == "not_permitted"
    assert "X4" not in out.loc["river_100m", "rules"]
    assert not {"X1", "X2", "X3", "X4"} & set(out.loc["free", "rules"])
    assert "X1" in out.loc["parcel_touching_peat", "rules"]


def test_constraint_provenance_is_recorded(forest, constraint_layers):
    out = lg.screen(plots_at({"a": utm(57, 1)}), forest=forest, layers=constraint_layers)
    names = [k for k in out.attrs["lahan_geo"]["layers"] if k.startswith("constraint_")]
    assert names == ["constraint_1_X1", "constraint_2_X2", "constraint_3_X3", "constraint_4_X4"]
    assert out.attrs["lahan_geo"]["layers"]["constraint_4_X4"]["setback_m"] == [50.0]


def test_unknown_river_class_takes_the_widest_setback_and_says_so():
    river = lg.read_constraint(
        gpd.GeoDataFrame({"KELAS": ["parit"]}, geometry=[LineString([(0, 0), (1, 0)])],
                         crs=UTM49S),
        rule="X4", class_column="KELAS", setbacks={"sungai besar": 100, "sungai kecil": 50})
    assert river["setback_m"].iloc[0] == 100.0
    assert "widest" in river["setback_note"].iloc[0]


def test_lines_without_setback_are_refused():
    with pytest.raises(lg.LayerError, match="setback_m="):
        lg.read_constraint(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0)])],
                                            crs=UTM49S), rule="X4")


def test_constraint_rule_missing_from_rules_is_refused(forest):
    layer = lg.read_constraint(gpd.GeoDataFrame(geometry=[ubox(0, 0, 1, 1)], crs=UTM49S),
                               rule="X9")
    with pytest.raises(lg.InputError, match="X9"):
        lg.screen(plots_at({"a": utm(57, 1)}), forest=forest, layers=[layer])


def test_constraint_layer_without_crs_is_refused():
    with pytest.raises(lg.CRSError, match="read_constraint"):
        lg.read_constraint(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), rule="X1")
