"""The indexed overlay agrees with a plain per-plot shapely evaluation on random data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from lahan_geo.overlay import overlay_layer

FUNCTIONS = ["HK", "HL", "HP", "HPT", "HPK", "APL", None]
OUTCOME = {"HK": "no", "HL": "ppkh", "HP": "ppkh", "HPT": "ppkh", "HPK": "release",
           "APL": "none", None: "unknown"}


def random_layer(rng: np.random.Generator) -> gpd.GeoDataFrame:
    seeds = shapely.multipoints(rng.uniform(0, 20_000, (60, 2)))
    extent = box(0, 0, 20_000, 20_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=extent))
    cells = shapely.intersection(cells, extent)
    # Leave a hole in the coverage, so "uncovered" and the layer edge are exercised.
    cells = np.array([c.difference(box(9_000, 9_000, 11_000, 11_000)) for c in cells])
    values = rng.choice(len(FUNCTIONS), len(cells))
    f = pd.Series([FUNCTIONS[v] for v in values], dtype=object)
    return gpd.GeoDataFrame({"f": f}, geometry=cells)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_points_match_plain_shapely(seed):
    rng = np.random.default_rng(seed)
    layer = random_layer(rng)
    points = shapely.points(rng.uniform(-500, 20_500, (400, 2)))
    ov = overlay_layer(gpd.GeoSeries(points), layer, "f", outcome=OUTCOME.get,
                       tolerance_m=np.full(len(points), 100.0))
    regions = {}
    for key in set(OUTCOME.values()) - {"unknown"}:
        members = [g for g, v in zip(layer.geometry, layer["f"]) if OUTCOME[v] == key]
        if members:
            regions[key] = shapely.union_all(members)
    boundaries = shapely.union_all([r.boundary for r in regions.values()])
    for i, point in enumerate(points):
        under = {v for g, v in zip(layer.geometry, layer["f"]) if g.intersects(point)}
        assert set(ov.values(ov.core_mask[i])) == under
        assert bool(ov.uncovered[i]) == (not under)
        assert ov.distance_m[i] == pytest.approx(point.distance(boundaries), abs=1e-6)


def test_polygon_overlap_areas_match_plain_shapely():
    rng = np.random.default_rng(7)
    layer = random_layer(rng)
    corners = rng.uniform(0, 19_900, (150, 2))
    plots = [box(x, y, x + rng.uniform(20, 100), y + rng.uniform(20, 100)) for x, y in corners]
    ov = overlay_layer(gpd.GeoSeries(plots), layer, "f", outcome=OUTCOME.get,
                       tolerance_m=np.full(len(plots), 30.0))
    for i, plot in enumerate(plots):
        expected = {}
        for g, v in zip(layer.geometry, layer["f"]):
            part = plot.intersection(g)
            if part.area > 0:
                expected[v] = expected.get(v, 0.0) + part.area
        got = ov.overlap_m2[i]
        assert set(got) == set(expected)
        for v, a in expected.items():
            assert got[v] == pytest.approx(a, rel=1e-6, abs=1e-3)
        # Every category under the plot is either core or a band sliver, never lost.
        seen = set(ov.values(ov.core_mask[i])) | set(ov.values(ov.band_mask[i]))
        assert seen == set(expected)
