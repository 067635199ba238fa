"""Layers in a projected CRS (a district plan in UTM 49S) screen as fast and as right.

A layer whose CRS is a plot's own UTM zone is measured as it is (its own boundary
pieces, the plots' metric geometry reused); in any other zone its pieces are cropped
to the zone's band before they are projected. These tests screen the same plots,
in zone 49 and zone 50, on EPSG:32749 layers both ways: through that fast path, and
through the general one (every piece projected, nothing cropped, every plot
transformed), and compare every column; and they check the distances against plain
shapely in each plot's zone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

import lahan_geo as lg
from lahan_geo.overlay import driver, forget_pieces

UTM49S = "EPSG:32749"
HK, APL, HL, HP, UNKNOWN = 100200.0, 100700.0, 100100.0, 100300.0, 0.0


def voronoi_forest(codes: tuple[float, ...], seed: int = 5) -> gpd.GeoDataFrame:
    """A forest coverage over lon 111.5-116 (UTM zones 49 and 50), drawn in UTM 49S.

    Cells of a Voronoi diagram of 60 seeds, with a hole (no polygon) around
    114.3 E, 2.0 S; their edges are densified in lon/lat, then every vertex
    transformed to UTM 49S, as a district's GIS exports a plan.
    """
    rng = np.random.default_rng(seed)
    extent = box(111.5, -3.5, 116.0, -0.8)
    seeds = shapely.multipoints(np.column_stack([rng.uniform(111.5, 116.0, 60),
                                                 rng.uniform(-3.5, -0.8, 60)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=extent))
    cells = shapely.intersection(cells, extent)
    cells = shapely.difference(cells, box(114.2, -2.1, 114.4, -1.9))
    cells = shapely.segmentize(cells, 0.01)
    function = rng.choice(np.asarray(codes), len(cells))
    layer = gpd.GeoDataFrame({"FUNGSIKWS": function, "NOSKKWS": "SK.1/2024"},
                             geometry=cells, crs=4326)
    return layer.to_crs(UTM49S)


def kalteng_forest(shared_wilayah) -> gpd.GeoDataFrame:
    """The real kecamatan of Kalimantan Tengah (110.7-115.8 E) as a forest layer in UTM 49S."""
    kec = gpd.read_file(shared_wilayah / "kalteng_kec.gpkg")
    codes = np.array([HK, HL, HP, APL, APL, UNKNOWN])
    function = codes[kec["kode"].str[-2:].astype(int).to_numpy() % len(codes)]
    layer = gpd.GeoDataFrame({"FUNGSIKWS": function}, geometry=kec.geometry.to_numpy(),
                             crs=kec.crs)
    return layer.to_crs(UTM49S)


def kalteng_points(shared_wilayah) -> gpd.GeoDataFrame:
    """The real villages of Kalimantan Tengah, as points at their centroids."""
    desa = gpd.read_file(shared_wilayah / "kalteng_desa.gpkg")
    return lg.read_plots(gpd.GeoDataFrame(
        {"id_lahan": desa["kode"]}, geometry=gpd.points_from_xy(desa["lng"], desa["lat"]),
        crs=4326))


def plots_over(west: float, east: float, n: int = 400, seed: int = 9) -> gpd.GeoDataFrame:
    """Points, 40 m parcels and a few 3 km parcels over lon ``west``-``east``, lat 3.4-0.9 S.

    The large parcels' edges are longer than :data:`lahan_geo.metric.MAX_SEGMENT_DEG`,
    so their metric geometry gains vertices and cannot stand for their transform.
    """
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(west, east, n), rng.uniform(-3.4, -0.9, n)
    half = np.where(np.arange(n) % 40 == 1, 0.0135, 0.00018)
    geoms = np.where(np.arange(n) % 2 == 0, shapely.points(lon, lat),
                     shapely.box(lon - half, lat - half, lon + half, lat + half))
    return lg.read_plots(gpd.GeoDataFrame({"id_lahan": [f"P{i:04d}" for i in range(n)]},
                                          geometry=geoms, crs=4326))


def parcels_across(layer: gpd.GeoDataFrame, n: int, seed: int = 4) -> gpd.GeoDataFrame:
    """``n`` parcels of 40 x 40 m centred on the layer's edges (crossing them)."""
    rng = np.random.default_rng(seed)
    rings = shapely.get_parts(shapely.boundary(np.asarray(layer.to_crs(4326).geometry.array)))
    at = shapely.line_interpolate_point(rng.choice(rings, n), rng.uniform(0, 1, n),
                                        normalized=True)
    x, y, h = shapely.get_x(at), shapely.get_y(at), 0.00018
    return lg.read_plots(gpd.GeoDataFrame({"id_lahan": [f"E{i:04d}" for i in range(n)]},
                                          geometry=shapely.box(x - h, y - h, x + h, y + h),
                                          crs=4326))


def screen_both(plots, forest, zoning, monkeypatch):
    """Screen through the fast path and through the general one (no disk cache)."""
    forget_pieces()
    fast = lg.screen(plots, forest=forest, zoning=zoning)
    with monkeypatch.context() as patched:
        patched.setattr(driver, "is_zone_crs", lambda crs, epsg: False)
        patched.setattr(driver, "in_zone_band",
                        lambda geoms, crs, epsg: np.ones(len(geoms), dtype=bool))
        patched.setenv("LAHAN_GEO_CACHE", "off")
        forget_pieces()
        general = lg.screen(plots, forest=forest, zoning=zoning)
    forget_pieces()
    return fast, general


def zones_of(plots: gpd.GeoDataFrame) -> np.ndarray:
    """Each plot's UTM zone (EPSG:327zz), 0 where it has no geometry."""
    geoms = np.asarray(plots.geometry.array, dtype=object)
    lon = shapely.get_x(shapely.point_on_surface(geoms[~pd.isna(geoms)]))
    zones = np.zeros(len(geoms), dtype=int)
    zones[~pd.isna(geoms)] = 32700 + np.floor((lon + 180.0) / 6.0).astype(int) + 1
    return zones


def test_voronoi_layer_in_32749_screens_as_the_general_path(monkeypatch, sample_dir):
    forest = lg.read_forest_area(voronoi_forest((HK, HL, HP, APL, UNKNOWN)))
    zoning = lg.read_zoning(sample_dir / "pola_ruang.gpkg")
    assert zoning.crs.equals(UTM49S)
    plots = pd.concat([plots_over(111.6, 115.9), parcels_across(forest, 60)],
                      ignore_index=True)
    zones = zones_of(plots)
    assert {32749, 32750} <= set(zones.tolist())
    fast, general = screen_both(plots, forest, zoning, monkeypatch)
    pd.testing.assert_frame_equal(fast, general)
    # Plots of both zones lie near boundaries, inside and across polygons, in the hole.
    assert (fast["boundary_distance_m"][zones == 32750] < 2_000).any()
    assert fast["forest_function"][zones == 32750].nunique() >= 4
    assert fast["forest_overlap_pct"].between(0.1, 99.9).any()  # parcels across an edge


def test_sample_plots_on_sample_layers_in_32749_screen_as_the_general_path(
        monkeypatch, sample_dir):
    forest = lg.read_forest_area(gpd.read_file(sample_dir / "kawasan_hutan.gpkg").to_crs(UTM49S))
    zoning = lg.read_zoning(sample_dir / "pola_ruang.gpkg")
    plots = pd.concat([lg.read_plots(sample_dir / "seruyan_plots.csv"),
                       lg.read_plots(sample_dir / "seruyan_bidang.geojson"),
                       plots_over(114.05, 114.6, n=40)], ignore_index=True)
    # The layers lie in zone 49 only: zone-50 plots find their boundaries past the band.
    assert (zones_of(plots) == 32750).sum() >= 20
    fast, general = screen_both(plots, forest, zoning, monkeypatch)
    pd.testing.assert_frame_equal(fast, general)


def test_real_kecamatan_layer_in_32749_screens_as_the_general_path(monkeypatch, shared_wilayah):
    forest = lg.read_forest_area(kalteng_forest(shared_wilayah))
    plots = pd.concat([kalteng_points(shared_wilayah), plots_over(110.8, 115.8, n=300),
                       parcels_across(forest, 60)], ignore_index=True)
    assert {32749, 32750} <= set(zones_of(plots).tolist())
    fast, general = screen_both(plots, forest, None, monkeypatch)
    pd.testing.assert_frame_equal(fast, general)


def without_slivers(region, half_width_m: float = 0.5):
    """The region without holes whose area / perimeter is below ``half_width_m``."""
    return shapely.union_all([
        shapely.Polygon(p.exterior, [r for r in p.interiors
                                     if shapely.Polygon(r).area >= half_width_m * r.length])
        for p in shapely.get_parts(region)])


@pytest.mark.parametrize("shape", ["voronoi", "kalteng"])
def test_distances_on_a_32749_layer_match_plain_shapely_in_each_zone(shape, request):
    if shape == "voronoi":
        layer = voronoi_forest((HK, APL), seed=8)
        points = plots_over(111.6, 115.9, n=300, seed=3)
        points = points[points.geom_type == "Point"].reset_index(drop=True)
    else:
        shared = request.getfixturevalue("shared_wilayah")
        layer = kalteng_forest(shared)
        layer = layer.assign(FUNGSIKWS=np.where(layer["FUNGSIKWS"] == HK, HK, APL))
        points = kalteng_points(shared)
    forest = lg.read_forest_area(layer)
    forget_pieces()
    result = lg.screen(points, forest=forest)
    forget_pieces()
    # HK next to APL, either next to no polygon: every edge of both regions is decisive.
    # (The layer as read: real boundaries come repaired.) Each region's boundary is
    # carried to the plot's zone vertex by vertex: its edges are straight in UTM 49S.
    # Snap-rounded to 0.1 mm, holes thinner than 0.5 m (area / perimeter) left out:
    # cells sharing an edge that the transform to UTM left 1e-9 m apart, and the real
    # kecamatan's sub-metre gaps, are not boundaries.
    regions = [without_slivers(shapely.union_all(
        forest.geometry[forest["forest_function"] == f], grid_size=1e-4)) for f in ("HK", "APL")]
    edges = gpd.GeoSeries(shapely.boundary(regions), crs=UTM49S)
    zones = zones_of(points)
    assert {32749, 32750} <= set(zones.tolist())
    for epsg in (32749, 32750):
        here = zones == epsg
        where = points.geometry[here].to_crs(epsg)
        lines = np.asarray(edges.to_crs(epsg).array)
        expected = np.round(np.min([shapely.distance(np.asarray(where.array), line)
                                    for line in lines], axis=0), 1)
        got = result["boundary_distance_m"].to_numpy()[here]
        np.testing.assert_allclose(got, expected, atol=0.051)
        under = [set(forest["forest_function"][forest.intersects(p)])
                 for p in where.to_crs(UTM49S)]
        expected_function = ["HK" if "HK" in u else "APL" if u else None for u in under]
        assert result["forest_function"][here].tolist() == expected_function
