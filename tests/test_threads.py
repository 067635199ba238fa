"""Results never depend on how many threads the nearest-boundary searches use."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import box

import lahan_geo as lg
from lahan_geo import threads


def _batch(rng: np.random.Generator):
    seeds = shapely.multipoints(np.column_stack([rng.uniform(113.6, 114.4, 30),
                                                 rng.uniform(-2.4, -1.6, 30)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box(113.6, -2.4,
                                                                             114.4, -1.6)))
    cells = shapely.intersection(cells, box(113.6, -2.4, 114.4, -1.6))
    forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSI": rng.choice(["HK", "HL", "HP", "APL"], len(cells))}, geometry=cells,
        crs="EPSG:4326"))
    xy = np.column_stack([rng.uniform(113.6, 114.4, 400), rng.uniform(-2.4, -1.6, 400)])
    geoms = np.concatenate([shapely.points(xy[:300]),
                            shapely.box(xy[300:, 0], xy[300:, 1], xy[300:, 0] + 0.001,
                                        xy[300:, 1] + 0.001)])
    plots = lg.read_plots(gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(geoms))]},
                                           geometry=geoms, crs="EPSG:4326"))
    return plots, forest


def test_many_threads_give_the_same_table_as_one(monkeypatch):
    plots, forest = _batch(np.random.default_rng(5))
    with threads.limited(1):
        one = lg.screen(plots, forest=forest)
    monkeypatch.setattr(threads, "MIN_PER_THREAD", 7)  # chunks of a few plots each
    calls = []
    real = threads.ThreadPoolExecutor

    def counting(n):
        calls.append(n)
        return real(n)

    monkeypatch.setattr(threads, "ThreadPoolExecutor", counting)
    with threads.limited(4):
        many = lg.screen(plots, forest=forest)
    assert calls and max(calls) == 4  # the searches did run on 4 threads
    pd.testing.assert_frame_equal(pd.DataFrame(one), pd.DataFrame(many))


def test_the_thread_count_follows_the_environment(monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_THREADS", "3")
    assert threads.threads() == 3
    with threads.limited(1):
        assert threads.threads() == 1
    monkeypatch.setenv("LAHAN_GEO_THREADS", "zero")  # nonsense: the default
    assert 1 <= threads.threads() <= threads.MAX_THREADS


def test_a_layer_query_shared_among_threads_gives_one_query_s_pairs(monkeypatch):
    from lahan_geo.overlay.kernel import _query_layer

    rng = np.random.default_rng(8)
    plots = shapely.points(rng.uniform(0, 100, 3000), rng.uniform(0, 100, 3000))
    layer = shapely.buffer(shapely.points(rng.uniform(0, 100, 40), rng.uniform(0, 100, 40)),
                           rng.uniform(1, 20, 40), quad_segs=8)
    tree = shapely.STRtree(plots)
    expected = tree.query(layer, predicate="intersects")
    monkeypatch.setattr(threads, "MIN_PER_THREAD", 7)
    with threads.limited(3):
        shared = _query_layer(tree, layer, "intersects")
    assert expected.shape[1] > 1000
    np.testing.assert_array_equal(shared, expected)  # same pairs, same order
