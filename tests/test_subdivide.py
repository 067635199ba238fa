"""subdivide cuts big polygons into small, valid, non-overlapping pieces that cover them
exactly; subdivided_layer caches the pieces by the layer's content."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Point, Polygon, box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0
from lahan_geo.errors import LayerError
from lahan_geo.layers import subdivide as sd
from lahan_geo.layers.subdivide import subdivide, subdivided_layer


def circle(n: int, r: float = 1000.0, x: float = X0, y: float = Y0) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.c_[x + r * np.cos(t), y + r * np.sin(t)]


def star(n: int, seed: int, x: float = X0, y: float = Y0, r: float = 1000.0) -> Polygon:
    """A star-shaped polygon of n vertices whose radius wanders between r/10 and r."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    radius = rng.uniform(r / 10, r, n)
    return Polygon(np.c_[x + radius * np.cos(t), y + radius * np.sin(t)])


def grid_polygon(cells: int, seed: int) -> Polygon:
    """The largest polygon of a random union of 10 m grid cells: many vertices on cut lines."""
    rng = np.random.default_rng(seed)
    ij = np.argwhere(rng.random((cells, cells)) < 0.6)
    union = shapely.union_all(shapely.box(X0 + 10 * ij[:, 0], Y0 + 10 * ij[:, 1],
                                          X0 + 10 * ij[:, 0] + 10, Y0 + 10 * ij[:, 1] + 10))
    return max(shapely.get_parts(union), key=lambda p: p.area)


def assert_pieces(geoms, pieces, source, max_vertices):
    """Valid single polygons within the limit that tile each source exactly."""
    geoms = np.asarray(geoms, dtype=object)
    assert pieces.dtype == object and pieces.ndim == 1
    assert source.dtype == np.int64 and source.shape == pieces.shape
    assert np.all(np.diff(source) >= 0)
    assert (shapely.get_type_id(pieces) == 3).all()  # Polygon, never Multi
    assert not shapely.is_empty(pieces).any()
    assert shapely.is_valid(pieces).all()
    assert shapely.get_num_coordinates(pieces).max(initial=0) <= max_vertices
    for i, geom in enumerate(geoms):
        mine = pieces[source == i]
        if geom is None or geom.is_empty:
            assert not len(mine)
            continue
        area = geom.area
        union = shapely.union_all(mine)
        assert abs(shapely.area(mine).sum() - area) <= 1e-9 * area
        assert shapely.area(shapely.symmetric_difference(union, geom)) <= 1e-9 * area
        assert abs(shapely.area(mine).sum() - union.area) <= 1e-9 * area  # no overlap


def wkb(pieces):
    return [bytes(w) for w in shapely.to_wkb(pieces)]


def test_polygon_of_thousands_of_vertices_is_cut_within_the_limit():
    disc = Polygon(circle(5000))
    pieces, source = subdivide([disc], max_vertices=256)
    assert len(pieces) >= 5000 // 256
    assert_pieces([disc], pieces, source, 256)
    boxes = shapely.box(*shapely.bounds(pieces).T)
    assert shapely.area(boxes).max() < 0.1 * shapely.area(shapely.envelope(disc))


def test_polygon_with_many_holes():
    holes = [circle(40, 30.0, X0 - 700 + 140 * i, Y0 - 700 + 140 * j)
             for i in range(11) for j in range(11)]
    block = Polygon(box(X0 - 800, Y0 - 800, X0 + 800, Y0 + 800).exterior, holes)
    assert block.is_valid and shapely.get_num_coordinates(block) > 4000
    pieces, source = subdivide([block], max_vertices=64)
    assert_pieces([block], pieces, source, 64)


def test_hole_whose_ring_alone_exceeds_the_limit():
    ring = Polygon(box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000).exterior, [circle(1000)])
    assert shapely.get_num_coordinates(ring) == 5 + 1001
    pieces, source = subdivide([ring], max_vertices=64)
    assert_pieces([ring], pieces, source, 64)
    assert not any(shapely.get_num_interior_rings(pieces))  # every piece cuts the hole open


def test_multipolygon_parts_are_cut_or_kept_each_on_its_own():
    small = Polygon([(X0 + 5000, Y0), (X0 + 5010, Y0), (X0 + 5005, Y0 + 10)])
    multi = MultiPolygon([Polygon(circle(3000)), small])
    pieces, source = subdivide([multi], max_vertices=128)
    assert_pieces([multi], pieces, source, 128)
    assert wkb([small])[0] in wkb(pieces)


def test_small_polygons_are_kept_whole_and_unchanged():
    tiny = Polygon([(X0, Y0), (X0 + 1, Y0), (X0, Y0 + 1)])
    at_limit = Polygon(circle(63))  # 64 coordinates with the closing one
    pieces, source = subdivide([tiny, at_limit], max_vertices=64)
    assert wkb(pieces) == wkb([tiny, at_limit])
    assert source.tolist() == [0, 1]


def test_none_and_empty_geometries_give_no_pieces():
    disc = Polygon(circle(1000))
    geoms = [None, Polygon(), disc, MultiPolygon(), shapely.from_wkt("POINT EMPTY"), None]
    pieces, source = subdivide(geoms, max_vertices=256)
    assert set(source.tolist()) == {2}
    assert_pieces(geoms, pieces, source, 256)
    for nothing in ([], [None, Polygon()], np.array([None], dtype=object)):
        pieces, source = subdivide(nothing)
        assert pieces.shape == source.shape == (0,)
        assert pieces.dtype == object and source.dtype == np.int64


def test_source_positions_follow_the_input_and_the_order_is_deterministic():
    geoms = [star(800, 1), None, box(X0, Y0, X0 + 5, Y0 + 5), star(3000, 2, X0 + 5000),
             MultiPolygon([star(300, 3, X0 + 9000), star(300, 4, X0 + 12000)])]
    first = subdivide(geoms, max_vertices=100)
    second = subdivide(np.array(geoms, dtype=object), max_vertices=100)
    assert wkb(first[0]) == wkb(second[0])
    assert first[1].tolist() == second[1].tolist()
    assert sorted(set(first[1].tolist())) == [0, 2, 3, 4]
    assert first[1].tolist().count(2) == 1
    assert_pieces(geoms, *first, 100)
    # within a source, pieces go west to east
    for i in (0, 3, 4):
        xmin = shapely.bounds(first[0][first[1] == i])[:, 0]
        assert np.all(np.diff(xmin) >= 0)


def test_grid_drawn_polygons_with_vertices_on_the_cut_lines(monkeypatch):
    halve, redone = sd._halve, []

    def spy(parts, source, *args, exact):
        if exact:
            redone.extend(source.tolist())
        return halve(parts, source, *args, exact=exact)

    monkeypatch.setattr(sd, "_halve", spy)
    geoms = [grid_polygon(40, seed) for seed in range(3)]
    pieces, source = subdivide(geoms, max_vertices=32)
    assert redone  # clip_by_rect gave invalid pieces, the exact overlay took over
    assert_pieces(geoms, pieces, source, 32)


@pytest.mark.parametrize("bad_clip", ["wrong_but_valid", "invalid", "raises"])
def test_a_bad_fast_clip_is_caught_and_redone_exactly(monkeypatch, bad_clip):
    calls = []

    def clip(geom, rect):
        calls.append(rect)
        if bad_clip == "wrong_but_valid":  # the whole half box, as GEOS bug #605 could
            return shapely.clip_by_rect(shapely.envelope(geom), *rect)
        if bad_clip == "invalid":  # a bow tie
            x0, y0, x1, y1 = shapely.bounds(shapely.clip_by_rect(geom, *rect))
            return Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
        raise shapely.errors.GEOSException("TopologyException: forced")

    monkeypatch.setattr(sd, "_clip_by_rect", clip)
    geoms = [star(2000, 5), box(X0, Y0, X0 + 1, Y0 + 1)]
    pieces, source = subdivide(geoms, max_vertices=128)
    assert calls
    assert_pieces(geoms, pieces, source, 128)


def test_the_depth_limit_stops_a_limit_that_cannot_be_reached():
    # A reflex vertex inside a box leaves up to 8 coordinates however small the box:
    # with max_vertices=5, halving stops at MAX_DEPTH and keeps the piece.
    geoms = [star(60, 6)]
    pieces, source = subdivide(geoms, max_vertices=5)
    assert_pieces(geoms, pieces, source, max_vertices=10)
    assert shapely.get_num_coordinates(pieces).max() > 5


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="max_vertices"):
        subdivide([box(0, 0, 1, 1)], max_vertices=4)
    for bad in (64.5, float("nan"), float("inf"), "64", True, None):
        with pytest.raises(ValueError, match="max_vertices"):
            subdivide([box(0, 0, 1, 1)], max_vertices=bad)
    with pytest.raises(ValueError, match="max_vertices"):
        subdivided_layer(layer_with_hash([box(0, 0, 1, 1)]), max_vertices=64.5)
    assert len(subdivide([box(0, 0, 1, 1)], max_vertices=np.int64(5))[0]) == 1
    with pytest.raises(ValueError, match="one-dimensional"):
        subdivide(np.array([[box(0, 0, 1, 1)]], dtype=object))
    with pytest.raises(LayerError, match=r"positions \[1\] are Point"):
        subdivide([box(0, 0, 1, 1), Point(0, 0)])


def layer_with_hash(geoms, sha="0" * 64):
    layer = gpd.GeoDataFrame({"f": ["HL"] * len(geoms)}, geometry=list(geoms), crs=UTM49S)
    layer.attrs["lahan_geo"] = {"sha256": sha}
    return layer


def test_subdivided_layer_round_trips_through_the_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sd, "_SUBDIVIDED", {})
    path = tmp_path / "kawasan_hutan.gpkg"
    gpd.GeoDataFrame(
        {"FUNGSIKWS": [100100.0, 100700.0, 100300.0], "NOSKKWS": ["SK.529/Menhut-II/2012"] * 3,
         "TGLSKKWS": ["2012-09-06"] * 3},
        geometry=[star(3000, 7), box(X0 + 2000, Y0, X0 + 2100, Y0 + 100),
                  Polygon(box(X0 + 3000, Y0 - 2000, X0 + 7000, Y0 + 2000).exterior,
                          [circle(900, 1500, X0 + 5000)])],
        crs=UTM49S).to_file(path, driver="GPKG")
    forest = lg.read_forest_area(path)
    assert forest.attrs["lahan_geo"]["sha256"]

    first = subdivided_layer(forest, max_vertices=128)
    assert len(list((tmp_path / "cache").glob("geometries-*.npz"))) == 2  # pieces, sources
    assert subdivided_layer(forest, max_vertices=128) is first  # in-process memo
    assert not first[0].flags.writeable and not first[1].flags.writeable

    sd._SUBDIVIDED.clear()  # a new process: only the disk cache is left

    def no_work(*args, **kwargs):
        raise AssertionError("served from the cache, nothing to cut")

    monkeypatch.setattr(sd, "subdivide", no_work)
    again = subdivided_layer(lg.read_forest_area(path), max_vertices=128)
    assert wkb(again[0]) == wkb(first[0])
    assert again[1].tolist() == first[1].tolist()
    assert again[1].dtype == np.int64
    geoms = np.asarray(forest.geometry.array, dtype=object)
    assert_pieces(geoms, *again, 128)

    monkeypatch.undo()
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))
    other = subdivided_layer(forest, max_vertices=64)  # another limit, another entry
    assert len(list((tmp_path / "cache").glob("geometries-*.npz"))) == 4
    assert shapely.get_num_coordinates(other[0]).max() <= 64


def test_reordered_layer_with_the_same_attrs_is_not_served_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path))
    monkeypatch.setattr(sd, "_SUBDIVIDED", {})
    layer = layer_with_hash([star(1000, 8), box(X0 - 5000, Y0, X0 - 4990, Y0 + 10)])
    pieces, source = subdivided_layer(layer, max_vertices=128)
    assert source.tolist()[-1] == 1
    flipped = layer.iloc[::-1].reset_index(drop=True)
    assert flipped.attrs == layer.attrs  # pandas carries attrs over
    pieces, source = subdivided_layer(flipped, max_vertices=128)
    assert source.tolist()[0] == 0 and wkb(pieces[:1]) == wkb([layer.geometry.iloc[1]])
    assert_pieces(np.asarray(flipped.geometry.array, dtype=object), pieces, source, 128)


def test_layer_without_a_content_hash_is_cut_but_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path))
    monkeypatch.setattr(sd, "_SUBDIVIDED", {})
    layer = gpd.GeoDataFrame(geometry=[star(1000, 9)], crs=UTM49S)
    pieces, source = subdivided_layer(layer, max_vertices=128)
    assert len(pieces) > 1 and set(source.tolist()) == {0}
    assert not list(tmp_path.iterdir()) and not sd._SUBDIVIDED


def test_layer_without_pieces_round_trips_too(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path))
    monkeypatch.setattr(sd, "_SUBDIVIDED", {})
    layer = layer_with_hash([None, Polygon()])
    for _ in range(2):
        pieces, source = subdivided_layer(layer)
        assert pieces.shape == source.shape == (0,) and source.dtype == np.int64
        sd._SUBDIVIDED.clear()


def test_cached_entries_that_do_not_fit_the_layer_are_refused():
    pieces = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)
    points = sd._as_points(np.array([0, 1]))
    assert sd._unpacked(pieces, points, 2)[1].tolist() == [0, 1]
    assert sd._unpacked(pieces, points, 1) is None  # a source past the layer's end
    assert sd._unpacked(pieces[:1], points, 2) is None
    assert sd._unpacked(pieces, sd._as_points(np.array([1, 0])), 2) is None
    assert sd._unpacked(pieces, shapely.points([0.5, 1.0], [0, 0]), 2) is None
    assert sd._unpacked(np.array([Point(0, 0), Point(1, 1)]), points, 2) is None


def test_damaged_or_switched_off_cache_still_gives_the_pieces(tmp_path, monkeypatch):
    monkeypatch.setattr(sd, "_SUBDIVIDED", {})
    layer = layer_with_hash([star(1000, 10), None])
    monkeypatch.setenv("LAHAN_GEO_CACHE", "off")
    off = subdivided_layer(layer, max_vertices=128)
    assert subdivided_layer(layer, max_vertices=128) is off  # the memo works without disk
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path))
    sd._SUBDIVIDED.clear()
    subdivided_layer(layer, max_vertices=128)
    for entry in tmp_path.glob("geometries-*.npz"):
        entry.write_bytes(b"not an npz")
    sd._SUBDIVIDED.clear()
    again = subdivided_layer(layer, max_vertices=128)
    assert wkb(again[0]) == wkb(off[0]) and again[1].tolist() == off[1].tolist()


def random_star(steps, radii, x, y, scale):
    """A star-shaped polygon: vertex k at angle steps[k] / 3600 of a turn, radius radii[k]."""
    t = 2 * np.pi * np.asarray(sorted(steps)) / 3600
    r = np.asarray(radii)
    return Polygon(np.c_[x + scale * r * np.cos(t), y + scale * r * np.sin(t)])


def stars(min_radius, max_radius):
    return st.integers(min_value=3, max_value=400).flatmap(lambda n: st.tuples(
        st.lists(st.integers(0, 3599), min_size=n, max_size=n, unique=True),
        st.lists(st.floats(min_radius, max_radius), min_size=n, max_size=n)))


@st.composite
def polygons(draw):
    """A random star-shaped polygon, sometimes with a random star cut out of it."""
    # Near the origin, in UTM metres (a polygon of 1 km or more: at 10^7 m the
    # coordinates' own rounding is ~2e-9 m) or in degrees, like the layers.
    (x, y), scale = draw(st.sampled_from([((0.0, 0.0), (10.0, 1e4)), ((X0, Y0), (1e3, 1e5)),
                                          ((112.8, -2.7), (0.01, 1.0))]).flatmap(
        lambda where: st.tuples(st.just(where[0]), st.floats(*where[1]))))
    geom = shapely.make_valid(random_star(*draw(stars(0.05, 1.0)), x, y, scale))
    if draw(st.booleans()):
        hole = shapely.make_valid(random_star(*draw(stars(0.01, 0.6)), x, y, scale))
        geom = shapely.difference(geom, hole)
    parts = shapely.get_parts(geom)
    parts = parts[shapely.area(parts) > 1e-3 * scale**2]  # no slivers left by the hole
    return shapely.union_all(parts)


@settings(max_examples=60, deadline=None)
@given(geom=polygons(), max_vertices=st.sampled_from([8, 16, 64]))
def test_pieces_of_random_polygons_tile_them_exactly(geom, max_vertices):
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return
    assert geom.is_valid
    pieces, source = subdivide([geom], max_vertices=max_vertices)
    assert_pieces([geom], pieces, source, max_vertices)
