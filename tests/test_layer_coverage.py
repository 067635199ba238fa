"""The full-layer shortcuts give exactly what the general GEOS operations gave (issue #14).

``decisive_boundaries`` (one union per outcome) and the forest layer's overlap report
(bounding boxes first, hole fills known to touch) are checked against the methods
they replace, kept here as the oracle: ``union_all`` per outcome and
``STRtree.query(predicate="overlaps")``. Layers are the benchmark's province-like
coverages (strips with holes, enclaves filling them) at a small size, and hand-made
cases for what a coverage may break: nested enclaves, duplicates, overlaps, shared
edges, multipolygons, islands in holes, near-miss rings, invalid input.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, affinity, box

import lahan_geo as lg
from lahan_geo.layers.coverage import hole_fills, ring_keys
from lahan_geo.layers.source import repair_polygons
from lahan_geo.overlay.kernel import cut_lines, decisive_boundaries

_SPEC = importlib.util.spec_from_file_location(
    "lahan_geo_bench_generate", Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = generate  # its dataclasses look their module up there
_SPEC.loader.exec_module(generate)

SMALL = generate.LayerSpec(big=5, big_vertices=3_000, small=120, small_vertices=40)


# ----------------------------------------------------------------------------- oracles
def old_region_boundary(polygons: np.ndarray) -> np.ndarray:
    """The method replaced: dissolve the region, take its rings."""
    return shapely.get_parts(shapely.boundary(shapely.union_all(polygons)))


def old_decisive_boundaries(geoms, keys, none_key) -> np.ndarray:
    lines = []
    for key in sorted({k for k in keys if k != none_key}, key=repr):
        members = geoms[[k == key for k in keys]]
        members = members[~pd.isna(members)]
        if len(members):
            lines.extend(old_region_boundary(members))
    return cut_lines(np.asarray(lines, dtype=object))


def old_overlaps(gdf: gpd.GeoDataFrame, shown: int = 20) -> dict:
    """The overlap report as it was computed before (the predicate on every box pair)."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = np.flatnonzero(~pd.isna(geoms))
    present = present[~shapely.is_empty(geoms[present])]
    if len(present) < 2:
        return {"pairs": 0, "examples": []}
    left, right = shapely.STRtree(geoms[present]).query(geoms[present], predicate="overlaps")
    keep = left < right
    left, right = present[left[keep]], present[right[keep]]
    functions = gdf["forest_function"].to_numpy(dtype=object)
    pairs = [(int(a), int(b)) for a, b in zip(left, right) if functions[a] != functions[b]]
    return {"pairs": len(pairs),
            "examples": [{"rows": [a, b], "functions": [functions[a], functions[b]]}
                         for a, b in pairs[:shown]]}


def segments(lines: np.ndarray) -> np.ndarray:
    """The lines' segments, each with its ends in order, sorted: equal sets compare equal."""
    coords, owner = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
    same = owner[1:] == owner[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    out = np.where(swap[:, None], np.hstack([b, a]), np.hstack([a, b]))
    return out[np.lexsort(out.T[::-1])]


def assert_same_lines(new: np.ndarray, old: np.ndarray) -> None:
    np.testing.assert_array_equal(segments(new), segments(old))
    assert shapely.equals(shapely.union_all(new), shapely.union_all(old))


# ----------------------------------------------------------------------------- layers
@pytest.fixture(scope="module", params=[("forest", 11), ("forest", 5), ("zoning", 23)])
def province(request) -> gpd.GeoDataFrame:
    kind, seed = request.param
    return generate.make_layer(kind, SMALL, seed)


def _groups(layer: gpd.GeoDataFrame) -> list[np.ndarray]:
    column = "FUNGSIKWS" if "FUNGSIKWS" in layer else "NAMOBJ"
    geoms = np.asarray(layer.geometry.array, dtype=object)
    return [geoms[(layer[column] == v).to_numpy()] for v in sorted(set(layer[column]))]


def test_generated_layer_is_the_shape_the_shortcuts_are_for(province):
    geoms = np.asarray(province.geometry.array, dtype=object)
    host = hole_fills(geoms)
    assert (host[SMALL.big:] >= 0).all() and (host[:SMALL.big] == -1).all()
    assert shapely.get_num_interior_rings(geoms[:SMALL.big]).sum() == SMALL.small


def test_decisive_boundaries_match_the_dissolve_for_forest_outcomes(province):
    column = "FUNGSIKWS" if "FUNGSIKWS" in province else "NAMOBJ"
    geoms = np.asarray(province.geometry.array, dtype=object)
    # Outcomes as the rules group them: several values share one, one value is "none".
    values = sorted(set(province[column]))
    outcome = {v: i % 3 for i, v in enumerate(values)}
    keys = [outcome[v] for v in province[column]]
    new = decisive_boundaries(geoms, keys, 2)
    old = old_decisive_boundaries(geoms, keys, 2)
    assert_same_lines(new, old)
    assert shapely.get_num_coordinates(new).max() <= 32


def _strip_with_holes():
    holes = [box(2, 2, 4, 4), box(6, 2, 8, 4), box(2, 6, 4, 8), box(6, 6, 8, 8)]
    strip = Polygon(box(0, 0, 10, 10).exterior, [h.exterior for h in holes])
    return strip, holes


def _cases() -> dict[str, list]:
    strip, holes = _strip_with_holes()
    ring_in = box(2, 2, 4, 4).difference(box(2.5, 2.5, 3.5, 3.5))  # enclave with its own hole
    backwards = list(holes[1].exterior.coords)[::-1]
    reversed_start = Polygon([*backwards[1:], backwards[1]])
    return {
        "hole fills": [strip, *holes],
        "some holes left (other outcome)": [strip, holes[0], holes[3]],
        "nested enclaves": [strip, ring_in, box(2.5, 2.5, 3.5, 3.5)],
        "nested, inner not filled": [strip, ring_in],
        "ring started elsewhere, reversed": [strip, reversed_start],
        "duplicate enclaves": [strip, holes[0], holes[0]],
        "enclave overlapping its hole": [strip, box(2, 2, 4.5, 4)],
        "extra vertex on the ring": [strip, Polygon([(2, 2), (3, 2), (4, 2), (4, 4), (2, 4)])],
        "shared edges": [box(0, 0, 10, 10), box(10, 0, 20, 10), box(0, 10, 20, 12)],
        "T-junction": [box(0, 0, 10, 10), box(10, 0, 20, 5), box(10, 5, 20, 10)],
        "overlap": [box(0, 0, 10, 10), box(5, 5, 15, 15)],
        "contained": [box(0, 0, 10, 10), box(2, 2, 3, 3)],
        "touching at a point": [box(0, 0, 1, 1), box(1, 1, 2, 2)],
        "multipolygon with island in a hole": [
            shapely.MultiPolygon([strip, box(2.5, 2.5, 3.5, 3.5)]), holes[0]],
        "multipolygon enclaves": [strip, shapely.MultiPolygon(holes[:2]), holes[2]],
        "apart": [box(0, 0, 1, 1), box(3, 0, 4, 1)],
        "enclave loose in its hole": [strip, box(2.5, 2.5, 3.5, 3.5)],
        "enclave in its hole touching one side": [strip, box(2, 2.5, 3, 3.5)],
        "holed strips side by side": [strip, affinity.translate(strip, 10, 0)],
        "holed strips overlapping": [strip, affinity.translate(strip, 5, 1)],
        "holed strip over a hole": [strip, affinity.translate(strip, 1, 1)],
        "with None and empty": [strip, None, Polygon(), holes[0]],
        "one": [strip],
    }


def test_hole_fills_are_exact_fills_only():
    strip, holes = _strip_with_holes()
    assert hole_fills(np.array([strip, *holes, box(20, 0, 21, 1)])).tolist() == [-1, 0, 0, 0,
                                                                                 0, -1]
    # an enclave that overlaps the strip, or one of two duplicates, is not a fill
    assert hole_fills(np.array([strip, box(2, 2, 4.5, 4)])).tolist() == [-1, -1]
    assert hole_fills(np.array([strip, holes[0], holes[0]])).tolist() == [-1, -1, -1]


def test_invalid_input_is_repaired_then_gives_the_same_lines():
    strip, holes = _strip_with_holes()
    bowtie = Polygon([(20, 0), (22, 2), (22, 0), (20, 2)])
    spike = Polygon([(10, 0), (14, 0), (14, 4), (12, 4), (12, 6), (12, 4), (10, 4)])
    raw = gpd.GeoDataFrame(geometry=[strip, holes[0], bowtie, spike, holes[1]], crs=3857)
    fixed, repairs = repair_polygons(raw)
    assert repairs == 2
    geoms = np.asarray(fixed.geometry.array, dtype=object)
    keys = [0] * len(geoms)
    assert_same_lines(decisive_boundaries(geoms, keys, 1),
                      old_decisive_boundaries(geoms, keys, 1))


def _forest(geoms, codes) -> gpd.GeoDataFrame:
    raw = gpd.GeoDataFrame({"FUNGSIKWS": codes}, geometry=list(geoms), crs=4326)
    return lg.read_forest_area(raw)


def test_overlap_report_matches_the_predicate_on_a_province_with_overlaps():
    layer = generate.make_layer("forest", SMALL, 11)
    geoms = np.asarray(layer.geometry.array, dtype=object).copy()
    rng = np.random.default_rng(3)
    moved = rng.choice(np.arange(SMALL.big, len(geoms)), 30, replace=False)
    # some enclaves pushed half out of their hole, some grown, one copied onto a strip
    for k, i in enumerate(moved):
        geoms[i] = (affinity.translate(geoms[i], 0.004, 0.0) if k % 2
                    else affinity.scale(geoms[i], 1.3, 1.3))
    extra = [geoms[SMALL.big], affinity.translate(geoms[SMALL.big + 1], 0.3, 0.0),
             shapely.MultiPolygon([geoms[SMALL.big + 2], box(111.0, -3.5, 111.3, -3.2)])]
    codes = [*layer["FUNGSIKWS"], 100700.0, 100100.0, 0.0]
    forest = _forest([*geoms, *extra], codes)
    report = forest.attrs["lahan_geo"]["overlaps"]
    assert report == old_overlaps(forest)
    assert report["pairs"] > 10  # the case exercised: many real overlaps, in query order


@pytest.mark.parametrize("seed", [11, 5])
def test_overlap_report_on_the_untouched_province_is_empty_like_before(seed):
    forest = lg.read_forest_area(generate.make_layer("forest", SMALL, seed))
    assert forest.attrs["lahan_geo"]["overlaps"] == old_overlaps(forest) == {
        "pairs": 0, "examples": []}


@pytest.mark.parametrize("case", list(_cases()))
def test_overlap_report_matches_the_predicate_on_edge_cases(case):
    geoms = [g for g in _cases()[case] if g is not None]
    codes = [[100100.0, 100300.0, 100700.0, 0.0][i % 4] for i in range(len(geoms))]
    forest = _forest(geoms, codes)
    assert forest.attrs["lahan_geo"]["overlaps"] == old_overlaps(forest)


def test_hole_fill_of_a_multipolygon_host_is_still_tested():
    strip, holes = _strip_with_holes()
    host = shapely.MultiPolygon([strip, box(2.5, 2.5, 3.5, 3.5)])  # an island in the hole
    forest = _forest([host, holes[0]], [100100.0, 100700.0])
    assert forest.attrs["lahan_geo"]["overlaps"]["pairs"] == 1
    assert forest.attrs["lahan_geo"]["overlaps"] == old_overlaps(forest)


# ----------------------------------------------------------------------------- ring keys
def _same_cycle(a: np.ndarray, b: np.ndarray) -> bool:
    """Brute force: b is a rotation of a, or of a reversed (closing vertex dropped)."""
    a, b = a[:-1], b[:-1]
    if len(a) != len(b):
        return False
    return any((np.roll(c, k, axis=0) == b).all() for c in (a, a[::-1]) for k in range(len(a)))


def test_ring_keys_equal_exactly_for_the_same_cycle():
    rng = np.random.default_rng(8)
    rings = []
    for _ in range(40):
        n = int(rng.integers(3, 9))
        pts = rng.integers(0, 4, (n, 2)).astype(float)  # small grid: repeats happen
        variants = [pts, np.roll(pts, int(rng.integers(n)), axis=0), pts[::-1],
                    np.roll(pts[::-1], 1, axis=0)]
        if n > 3:
            changed = pts.copy()
            changed[int(rng.integers(n))] += 0.5
            variants.append(changed)
        rings += [np.vstack([v, v[:1]]) for v in variants]
    geoms = shapely.linearrings(np.concatenate(rings),
                                indices=np.repeat(np.arange(len(rings)), [len(r) for r in rings]))
    keys = ring_keys(geoms)
    known = [i for i, k in enumerate(keys) if k is not None]
    assert len(known) > len(rings) // 2
    for i in known:
        for j in known:
            assert (keys[i] == keys[j]) == _same_cycle(rings[i], rings[j]), (i, j)
