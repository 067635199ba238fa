"""``screen``'s fast path agrees with a plain per-plot shapely evaluation on random data.

``screen`` finds the polygons under each plot in the layer's own CRS (plots carried
into it), measures distances and split overlaps in each plot's UTM zone against
decisive boundaries derived once and cached, and skips the overlay geometry for
parcels wholly inside one polygon. The oracle here does none of that: for every plot
on its own it tests every polygon, unions the regions of each rule outcome, and
projects what it needs (densified, like any careful GIS user) into the plot's zone.

The layer is a random Voronoi coverage in EPSG:4326 across the 114° E meridian, so
plots fall in two UTM zones (49S and 50S), with a hole (no polygon) in the middle.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

import lahan_geo as lg
from lahan_geo.layers.forest import FOREST_ESTATE, FUNCTIONS_BY_RESTRICTION
from lahan_geo.metric import MAX_SEGMENT_DEG, utm_epsg
from lahan_geo.rules import load_rules, outcome_of

LABELS = ["HK", "HL", "HP", "HPT", "HPK", "APL"]
EXTENT = (113.6, -2.4, 114.4, -1.6)


def _layer(rng: np.random.Generator) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = EXTENT
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, 40),
                                                 rng.uniform(y0, y1, 40)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box(*EXTENT)))
    cells = shapely.intersection(cells, box(*EXTENT))
    hole = box(113.95, -2.05, 114.05, -1.95)
    cells = np.array([c.difference(hole) for c in cells])
    labels = rng.choice(LABELS, len(cells))
    return gpd.GeoDataFrame({"FUNGSI": labels}, geometry=cells, crs="EPSG:4326")


def _to_utm(geom: shapely.Geometry, epsg: int) -> shapely.Geometry:
    dense = shapely.segmentize(geom, MAX_SEGMENT_DEG)
    return gpd.GeoSeries([dense], crs="EPSG:4326").to_crs(epsg).iloc[0]


def _decisive_boundary(layer: gpd.GeoDataFrame) -> shapely.Geometry:
    """Boundaries between regions of different outcome under the default rules."""
    rules = load_rules()

    def outcome(f: str | None) -> object:
        return outcome_of(rules, {"forest_functions": [f] if f else [],
                                  "forest_unknown": f is None}, ["forest_"])

    regions = {}
    for geom, f in zip(layer.geometry, layer["forest_function"]):
        regions.setdefault(outcome(f), []).append(geom)
    none = outcome(None)
    lines = [shapely.union_all(g).boundary for k, g in regions.items() if k != none]
    return shapely.union_all(lines)


@pytest.fixture(scope="module", params=[11, 12])
def case(request):
    rng = np.random.default_rng(request.param)
    forest = lg.read_forest_area(_layer(rng))
    x0, y0, x1, y1 = EXTENT
    points = shapely.points(np.column_stack([rng.uniform(x0 - 0.02, x1 + 0.02, 300),
                                             rng.uniform(y0 - 0.02, y1 + 0.02, 300)]))
    corners = np.column_stack([rng.uniform(x0, x1, 120), rng.uniform(y0, y1, 120)])
    sizes = rng.uniform(0.0002, 0.004, (120, 2))  # ~20 m to ~450 m
    parcels = shapely.box(corners[:, 0], corners[:, 1], corners[:, 0] + sizes[:, 0],
                          corners[:, 1] + sizes[:, 1])
    geoms = np.concatenate([points, parcels])
    plots = lg.read_plots(gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(geoms))]},
                                           geometry=geoms, crs="EPSG:4326"))
    result = lg.screen(plots, forest=forest)
    return forest, geoms, result


def test_functions_and_coverage_match(case):
    forest, geoms, result = case
    for i, geom in enumerate(geoms):
        point = geom.geom_type == "Point"
        under = [f for g, f in zip(forest.geometry, forest["forest_function"])
                 if g.intersects(geom) and (point or g.intersection(geom).area > 0)]
        expected = min(under, key=FUNCTIONS_BY_RESTRICTION.index) if under else None
        row = result.iloc[i]
        if point:
            assert row["forest_function"] == expected, i
        else:  # slivers in the tolerance band may leave a parcel's function aside
            assert row["forest_function"] in (*under, None), i
        covered = shapely.union_all([g for g in forest.geometry if g.intersects(geom)])
        fully = covered.covers(geom) if not covered.is_empty else False
        if not under:
            assert "F7" in row["rules"], i
        elif point or fully:
            assert "F7" not in row["rules"], i


def test_boundary_distances_match(case):
    forest, geoms, result = case
    boundary = _decisive_boundary(forest)
    for i, geom in enumerate(geoms):
        epsg = utm_epsg(*shapely.get_coordinates(shapely.point_on_surface(geom))[0])
        expected = _to_utm(geom, epsg).distance(_to_utm(boundary, epsg))
        assert result["boundary_distance_m"].iloc[i] == pytest.approx(expected, abs=0.051), i


def test_forest_overlap_percentages_match(case):
    forest, geoms, result = case
    for i, geom in enumerate(geoms):
        if geom.geom_type == "Point":
            continue
        epsg = utm_epsg(*shapely.get_coordinates(shapely.point_on_surface(geom))[0])
        plot = _to_utm(geom, epsg)
        inside = sum(_to_utm(g, epsg).intersection(plot).area
                     for g, f in zip(forest.geometry, forest["forest_function"])
                     if f in FOREST_ESTATE and g.intersects(geom))
        expected = round(min(100.0, 100.0 * inside / plot.area), 2)
        assert result["forest_overlap_pct"].iloc[i] == pytest.approx(expected, abs=0.011), i
        assert result["area_m2"].iloc[i] == pytest.approx(plot.area, abs=0.051), i


def test_rows_come_back_in_order(case):
    _, geoms, result = case
    assert result["plot_id"].tolist() == [f"P{i}" for i in range(len(geoms))]
    assert pd.Series(result.geometry.to_numpy()).equals(pd.Series(geoms)) or all(
        a.equals(b) for a, b in zip(result.geometry, geoms))


def test_parcels_that_no_vertex_can_speak_for():
    """An enclave wholly inside a parcel, and a multipolygon with parts in two polygons.

    A parcel touching no polygon edge is located by one vertex; these two are not
    such parcels, and must still get every category under them, with its m².
    """
    hl = box(113.0, -2.0, 113.1, -1.9).difference(box(113.05, -1.95, 113.0502, -1.9498))
    enclave = box(113.05, -1.95, 113.0502, -1.9498)  # ~22 x 22 m of APL inside HL
    apl = box(113.1, -2.0, 113.2, -1.9)
    forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSI": ["HL", "APL", "APL"]}, geometry=[hl, enclave, apl], crs="EPSG:4326"))
    around = box(113.0495, -1.9505, 113.0507, -1.9493)  # ~130 x 130 m around the enclave
    split = shapely.MultiPolygon([box(113.02, -1.98, 113.0204, -1.9796),
                                  box(113.15, -1.98, 113.1504, -1.9796)])
    plots = lg.read_plots(gpd.GeoDataFrame({"id": ["around", "split"]},
                                           geometry=[around, split], crs="EPSG:4326"))
    result = lg.screen(plots, forest=forest, tolerance_m=0.0)
    for i, geom in enumerate([around, split]):
        epsg = utm_epsg(*shapely.get_coordinates(shapely.point_on_surface(geom))[0])
        plot = _to_utm(geom, epsg)
        inside = _to_utm(hl, epsg).intersection(plot).area
        assert 0 < inside < plot.area
        assert result["forest_overlap_pct"].iloc[i] == pytest.approx(
            round(100 * inside / plot.area, 2), abs=0.011)
        assert "APL" in result["forest_overlaps"].iloc[i]
        assert "HL" in result["forest_overlaps"].iloc[i]


def test_nearest_boundaries_beyond_the_zone_and_across_the_equator():
    """Each zone searches the boundaries within a degree of it first; farther, all of them.

    A lies in zone 49's band (107-115 degrees E) but 3.9 degrees west of the plots; B
    lies outside it, 3.5 degrees east, and is the nearer. A plot in zone 47 has no
    boundary in its band at all. North and south of the equator are one zone: the two
    mirror plots must be equally far.
    """
    a = box(108.0, -0.5, 108.1, 0.5)
    b = box(115.5, -0.5, 116.0, 0.5)
    forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSI": ["HL", "HL"]}, geometry=[a, b], crs="EPSG:4326"))
    geoms = [shapely.Point(112.0, 0.2), shapely.Point(112.0, -0.2), shapely.Point(100.0, 0.0),
             box(112.0, -0.01, 112.01, 0.01)]
    plots = lg.read_plots(gpd.GeoDataFrame({"id": list("NSWP")}, geometry=geoms,
                                           crs="EPSG:4326"))
    result = lg.screen(plots, forest=forest)
    boundary = _decisive_boundary(forest)
    for i, geom in enumerate(geoms):
        epsg = utm_epsg(*shapely.get_coordinates(shapely.point_on_surface(geom))[0])
        expected = _to_utm(geom, epsg).distance(_to_utm(boundary, epsg))
        assert result["boundary_distance_m"].iloc[i] == pytest.approx(expected, abs=0.051), i
    assert 380_000 < result["boundary_distance_m"].iloc[0] < 400_000  # B, not A (~434 km)
    assert result["boundary_distance_m"].iloc[0] == pytest.approx(
        result["boundary_distance_m"].iloc[1], abs=1e-3)
