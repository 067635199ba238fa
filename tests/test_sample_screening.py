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
    result = lg.screen(plots, forest=forest, zoning=zoning)
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
