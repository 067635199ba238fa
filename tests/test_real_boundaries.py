"""Screening on real Kalimantan Tengah village geometry (../shared/data/wilayah).

Forest layers are assembled from Seruyan's real village polygons, each village given
a forest function, and written in both code schemes and both field-name cases, as
official exports vary. Skipped where ../shared is absent.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import lahan_geo as lg

FUNCTIONS = ["APL", "HL", "HP", "HPT", "HPK", "HK", "APL", "APL"]
FOUR = {"HL": 1001, "HK": 1002, "HP": 1003, "HPT": 1004, "HPK": 1005, "APL": 1007}


@pytest.fixture(scope="module")
def villages(shared_wilayah):
    desa = gpd.read_file(shared_wilayah / "kalteng_desa.gpkg")
    seruyan = desa[desa["kode"].str.startswith("62.07.")].sort_values("kode")
    seruyan = seruyan.reset_index(drop=True)
    seruyan["function"] = [FUNCTIONS[i % len(FUNCTIONS)] for i in range(len(seruyan))]
    return seruyan


def forest_variant(villages, scheme: str, case: str) -> gpd.GeoDataFrame:
    codes = villages["function"].map(FOUR)
    values = codes * 100.0 if scheme == "6-digit float" else codes.astype(int)
    field = "FUNGSIKWS" if case == "upper" else "fungsikws"
    decree = "NOSKKWS" if case == "upper" else "noskkws"
    return gpd.GeoDataFrame({field: values, decree: "SK.529/Menhut-II/2012"},
                            geometry=villages.geometry.values, crs=villages.crs)


@pytest.fixture(scope="module")
def plots(villages):
    points = villages.geometry.representative_point()
    return lg.read_plots(pd.DataFrame({
        "id_lahan": villages["kode"],
        "lintang": [f"{p.y:.7f}" for p in points],
        "bujur": [f"{p.x:.7f}" for p in points],
    }))


def test_all_code_schemes_and_field_cases_screen_identically(villages, plots):
    outputs = []
    for scheme in ("4-digit int", "6-digit float"):
        for case in ("upper", "lower"):
            forest = lg.read_forest_area(forest_variant(villages, scheme, case))
            result = lg.screen(plots, forest=forest)
            outputs.append(result.drop(columns=["geometry"]).to_json())
    assert len(set(outputs)) == 1


def test_function_of_each_village_is_found_away_from_boundaries(villages, plots):
    forest = lg.read_forest_area(forest_variant(villages, "6-digit float", "upper"))
    result = lg.screen(plots, forest=forest)
    assert len(result) == len(villages) == 100
    metric = villages.to_crs(32749)
    points = gpd.GeoSeries(plots.geometry.values, crs=4326).to_crs(32749)
    inner = np.array([metric.geometry.iloc[i].boundary.distance(points.iloc[i]) > 200
                      for i in range(len(metric))])
    assert inner.sum() > 80
    got = result["forest_function"].to_numpy()[inner]
    expected = villages["function"].to_numpy()[inner]
    assert (got == expected).all()
    estate = villages["function"] != "APL"
    assert (result.loc[inner & estate.to_numpy(), "status"] != "clear").all()
    assert (result["forest_decree"].dropna() == "SK.529/Menhut-II/2012").all()


def test_point_50m_inside_apl_village_next_to_hl_village_is_verify(villages):
    forest = lg.read_forest_area(forest_variant(villages, "6-digit float", "upper"))
    metric = villages.to_crs(32749)
    apl = metric[metric["function"] == "APL"]
    hl = metric[metric["function"] == "HL"]
    pair = next((a, h) for a in apl.geometry for h in hl.geometry
                if a.touches(h) and a.intersection(h).length > 500)
    a, h = pair
    shared = shapely.line_merge(a.intersection(h))
    middle = shapely.line_interpolate_point(shared, 0.5, normalized=True) \
        if shared.geom_type == "LineString" else shapely.get_parts(shared)[0].centroid
    # Walk from the shared boundary towards the APL village until 50 m away from HL.
    target = a.representative_point()
    direction = np.array([target.x - middle.x, target.y - middle.y])
    direction /= np.linalg.norm(direction)
    step = next(s for s in np.arange(10, 400, 0.5)
                if h.distance(shapely.Point(*(np.array([middle.x, middle.y]) + s * direction)))
                >= 50.0)
    point = shapely.Point(*(np.array([middle.x, middle.y]) + step * direction))
    assert a.contains(point)
    plot = lg.read_plots(gpd.GeoDataFrame({"id": ["near"]}, geometry=[point], crs=32749))
    result = lg.screen(plot, forest=forest).iloc[0]
    assert result["forest_function"] == "APL"
    assert "B1" in result["rules"]
    assert result["status"] == "verify"
    assert 45 <= result["boundary_distance_m"] <= 55
