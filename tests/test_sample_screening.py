"""The synthetic sample screens as its generator intended, plot by plot.

The generator (sample_data/make_sample_data.py) places every plot for a reason and
checks the facts with plain shapely; expected_outcomes.csv records them. This test
compares the whole pipeline (read_plots, read_forest_area, read_zoning, screen)
with that independent construction.
"""

from __future__ import annotations

import pandas as pd
import pytest

import lahan_geo as lg


@pytest.fixture(scope="module")
def screened(sample_dir):
    plots = pd.concat([lg.read_plots(sample_dir / "seruyan_plots.csv"),
                       lg.read_plots(sample_dir / "seruyan_bidang.geojson")], ignore_index=True)
    forest = lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg")
    zoning = lg.read_zoning(sample_dir / "pola_ruang.gpkg")
    rdtr = lg.read_rdtr(sample_dir / "rdtr_terintegrasi.gpkg")
    result = lg.screen(plots, forest=forest, zoning=zoning, rdtr=rdtr)
    expected = pd.read_csv(sample_dir / "expected_outcomes.csv", keep_default_na=False)
    return result, expected, forest


def test_every_plot_screens_as_intended(screened):
    result, expected, _ = screened
    assert result["plot_id"].tolist() == expected["id_lahan"].tolist()
    for row, want in zip(result.itertuples(), expected.itertuples()):
        assert row.status == want.intended_status, (row.plot_id, row.rules, row.reason_en)
        function = row.forest_function or ("unknown" if want.intended_forest_function
                                           == "unknown" else "none")
        assert function == want.intended_forest_function, row.plot_id
        assert row.land_title_class == want.intended_land_title_class, row.plot_id
        if want.forest_boundary_distance_m:
            assert row.boundary_distance_m == pytest.approx(
                float(want.forest_boundary_distance_m), abs=0.2), row.plot_id


def test_every_status_and_forest_function_occurs(screened):
    result, _, forest = screened
    assert set(result["status"]) == set(lg.STATUSES)
    assert set(result["forest_function"].dropna()) == {"HK", "HL", "HP", "HPT", "HPK", "APL"}
    assert forest.attrs["lahan_geo"]["repairs"] == 1
    assert forest.attrs["lahan_geo"]["unknown_features"] >= 1


def test_district_report_shape(screened):
    result, _, _ = screened
    points = result[result["source_file"].str.endswith("seruyan_plots.csv")]
    assert len(points) == 31
    assert (points["status"] == "invalid").sum() == 2


def test_kkpr_route_follows_the_sample_rdtr(screened):
    result, _, _ = screened
    allowed = result[result["rules"].map(lambda r: "Z4" in r)].set_index("plot_id")
    routes = allowed["rules"].map(lambda r: next(k for k in r if k.startswith("K"))).to_dict()
    assert {p for p, k in routes.items() if k == "K1"} == {"SRY-001", "SRY-002"}
    assert set(routes.values()) == {"K1", "K2"} and len(routes) > 10
    assert allowed.loc["SRY-001", "rdtr_coverage"] == "covered"
    assert allowed.loc["SRY-003", "rdtr_coverage"] == "not_covered"


def test_land_title_rules_decide_where_the_maps_allow(screened):
    result, _, _ = screened
    rows = result.set_index("plot_id")
    assert rows.loc["SRY-001", "land_status"] == "Aset Pemda (BMD)"
    for plot, rule, status in [("SRY-003", "T1", "clear"), ("SRY-001", "T3", "needs_clearance"),
                               ("SRY-005", "T5", "clear"), ("SRY-008", "T6", "needs_clearance"),
                               ("SRY-014", "T7", "not_permitted"), ("SRY-021", "T8", "verify"),
                               ("SRY-013", "T9", "verify"), ("SRY-023", "T4", "needs_clearance"),
                               ("SRY-029", "T2", "needs_clearance")]:
        assert rule in rows.loc[plot, "rules"], plot
        assert rows.loc[plot, "status"] == status, plot
    unknown = result.attrs["lahan_geo"]["unknown_land_status_values"]
    assert "Bekas balai desa" in str(unknown)
    assert set(rows.loc[rows.index.str.startswith("SRY-B"), "land_title_class"]) == {"not_given"}


def test_sample_offices_resolve_to_bpkh_xxi(screened):
    result, _, _ = screened
    agencies = {a for items in result["agencies_id"] for a in items}
    assert "BPKH Wilayah XXI Palangka Raya" in agencies
    assert "BPKH (wilayah sesuai provinsi)" not in agencies  # KODE_PROV 62 everywhere
