"""Each default rule fires on a geometry built for it, and the status follows severity."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from shapely import box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, by_id, plots_at, utm

KM = 1000.0


def ubox(x0_km: float, y0_km: float, x1_km: float, y1_km: float):
    return box(X0 + x0_km * KM, Y0 + y0_km * KM, X0 + x1_km * KM, Y0 + y1_km * KM)


@pytest.fixture(scope="module")
def result(forest, zoning):
    plots = plots_at(
        {
            "hk": utm(5, 5),
            "hl": utm(15, 5),
            "hp": utm(25, 5),
            "hpt": utm(35, 5),
            "hpk": utm(45, 5),
            "apl_permukiman": utm(57, 1),
            "apl_pertanian": utm(57, 3),
            "apl_lp2b": utm(57, 5),
            "apl_sempadan": utm(57, 7),
            "apl_unknown_zone": utm(57, 9),
            "apl_no_zoning": utm(67, 5),
            "code0": utm(75, 5),
            "beyond_layer": utm(85, 5),
            "near_hpk_apl": utm(50.05, 1),
            "hp_near_hl": utm(20.05, 5),
            "small_parcel": ubox(57, 1, 57.02, 1.03),
            "settled_hl": utm(15, 6),
            "near_zone_edge": utm(57, 2.01),
            "sliver_into_hpk": ubox(49.99, 1.0, 50.04, 1.03),
            "third_in_hpk": ubox(49.98, 1.2, 50.04, 1.23),
        },
        dikuasai_sebelum_penunjukan=["tidak"] * 16 + ["ya", "tidak", "tidak", "tidak"],
    )
    return by_id(lg.screen(plots, forest=forest, zoning=zoning))


@pytest.mark.parametrize(
    ("plot", "rule", "status"),
    [
        ("hk", "F1", "not_permitted"),
        ("hl", "F2", "needs_clearance"),
        ("hp", "F3", "needs_clearance"),
        ("hpt", "F3", "needs_clearance"),
        ("hpk", "F4", "needs_clearance"),
        ("settled_hl", "F5", "needs_clearance"),
        ("apl_permukiman", "F6", "clear"),
        ("code0", "F7", "verify"),
        ("beyond_layer", "F7", "verify"),
        ("near_hpk_apl", "B1", "verify"),
        ("apl_sempadan", "Z1", "not_permitted"),
        ("apl_pertanian", "Z2", "needs_clearance"),
        ("apl_lp2b", "Z3", "not_permitted"),
        ("apl_permukiman", "Z4", "clear"),
        ("apl_permukiman", "K3", "clear"),
        ("apl_unknown_zone", "Z5", "verify"),
        ("apl_no_zoning", "Z5", "verify"),
        ("near_zone_edge", "B2", "needs_clearance"),
        ("small_parcel", "S1", "clear"),
    ],
)
def test_rule_fires_with_expected_status(result, plot, rule, status):
    row = result.loc[plot]
    assert rule in row["rules"], (plot, row["rules"], row["reason_en"])
    assert row["status"] == status, (plot, row["rules"], row["reason_en"])


def test_forest_functions_reported(result):
    expected = {"hk": "HK", "hl": "HL", "hp": "HP", "hpt": "HPT", "hpk": "HPK",
                "apl_permukiman": "APL", "code0": None, "beyond_layer": None}
    assert {k: result.loc[k, "forest_function"] for k in expected} == expected
    assert result.loc["hl", "forest_overlap_pct"] == 100.0
    assert result.loc["apl_permukiman", "forest_overlap_pct"] == 0.0
    assert result.loc["hl", "forest_decree"] == "SK.529/Menhut-II/2012"


def test_boundary_between_equal_outcomes_is_not_a_doubt(result):
    # HP 50 m from HL: both need a PPKH, so the boundary decides nothing.
    row = result.loc["hp_near_hl"]
    assert row["rules"] == ["F3", "Z5"]
    assert "B1" not in row["rules"]
    # The nearest decisive boundary is the layer's edge (forest vs nothing), 5 km south.
    assert row["boundary_distance_m"] == pytest.approx(5000.0, abs=0.5)


def test_sliver_in_tolerance_band_is_b1_not_a_forest_rule(result):
    row = result.loc["sliver_into_hpk"]
    assert "F4" not in row["rules"]
    assert "B1" in row["rules"] and "F6" in row["rules"]
    assert row["status"] == "verify"
    assert row["forest_function"] == "APL"
    # The layer was drawn in UTM and stored in EPSG:4326; densifying its edges on the
    # way back moves them by centimetres.
    assert row["forest_overlap_pct"] == pytest.approx(20.0, abs=0.1)
    assert row["area_m2"] == pytest.approx(1500.0, abs=0.1)


def test_a_third_in_the_band_is_not_a_sliver(result):
    # 20 of 60 m inside HPK, all within the 126 m band, but a third of the plot.
    row = result.loc["third_in_hpk"]
    assert row["rules"][:2] == ["F4", "B1"] and "F6" not in row["rules"]
    assert row["status"] == "needs_clearance"
    assert row["forest_function"] == "HPK"
    assert row["forest_overlap_pct"] == pytest.approx(100 / 3, abs=0.1)


def test_clear_plot_explains_itself(result):
    row = result.loc["apl_permukiman"]
    assert row["rules"] == ["F6", "Z4", "K3"]  # no RDTR layer: the route depends on it
    assert row["clearances"] == [
        "KKPR: Konfirmasi if an integrated RDTR covers the plot, else Persetujuan KKPR"]
    assert "APL" in row["reason_en"] and "Permukiman" in row["reason_en"]
    assert "APL" in row["reason_id"] and "Persetujuan KKPR" in row["reason_id"]
    assert row["boundary_distance_m"] == pytest.approx(1000.0, abs=0.5)  # the layer's edge


def test_unknown_zone_name_is_named_in_reason(result):
    row = result.loc["apl_unknown_zone"]
    assert row["zone_class"] is None
    assert row["zone_name"] == "Kawasan Entah Apa"
    assert "'Kawasan Entah Apa'" in row["reason_en"]


def test_status_is_most_severe_of_fired_rules(result):
    severity = {s: i for i, s in enumerate(reversed(lg.STATUSES))}
    rules = lg.load_rules()
    for plot_id, row in result.iterrows():
        fired = [rules[r].status for r in row["rules"]]
        assert row["status"] == max(fired, key=severity.get), plot_id


def test_hl_apl_boundary_50m_is_verify_and_5km_inside_hl_needs_ppkh():
    layer = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSIKWS": [1001, 1007]},  # the 4-digit scheme, as integers
        geometry=[ubox(0, 0, 10, 10), ubox(10, 0, 20, 10)], crs=UTM49S))
    plots = plots_at({"apl_50m": utm(10.05, 5), "hl_5km": utm(5, 5), "apl_500m": utm(10.5, 5)})
    out = by_id(lg.screen(plots, forest=layer))
    assert out.loc["apl_50m", "status"] == "verify"
    assert out.loc["apl_50m", "rules"][:2] == ["F6", "B1"]
    assert out.loc["apl_50m", "boundary_distance_m"] == pytest.approx(50.0, abs=0.1)
    assert out.loc["hl_5km", "status"] == "needs_clearance"
    assert any("PPKH" in c for c in out.loc["hl_5km", "clearances"])
    assert "BPKH (regional forest-area office for the province)" in out.loc["hl_5km", "agencies"]
    assert "bpkh" in out.loc["hl_5km", "offices"]
    assert not any("BPKHTL" in a for a in out.loc["hl_5km", "agencies"])
    assert "B1" not in out.loc["apl_500m", "rules"]


def test_tolerance_override_applies(forest):
    plots = plots_at({"near": utm(50.05, 1)})
    assert "B1" not in lg.screen(plots, forest=forest, tolerance_m=10)["rules"].iloc[0]
    assert "B1" in lg.screen(plots, forest=forest, tolerance_m=60)["rules"].iloc[0]


def test_missing_layers_never_give_clear():
    plots = plots_at({"a": utm(57, 1)})
    out = lg.screen(plots)
    assert out["status"].iloc[0] == "verify"
    assert out["rules"].iloc[0] == ["F7", "Z5"]


def test_polygon_overlap_per_category_is_reported(result):
    row = result.loc["third_in_hpk"]
    # 'APL 1,200 m² (66.7 %); HPK 600 m² (33.3 %)', give or take the centimetres
    # of a UTM-drawn layer stored in EPSG:4326 and densified back.
    assert re.fullmatch(r"APL 1,(199|200|201) m² \(66\.[678] %\); HPK (599|600|601) m² "
                        r"\(33\.[345] %\)", row["forest_overlaps"]), row["forest_overlaps"]
    assert row["zone_overlaps"] == "permukiman 1,200 m² (66.7 %)"  # 20 m lie west of the plan
    assert result.loc["hl", "forest_overlaps"] is None  # a point has no area
