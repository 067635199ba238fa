"""The dask engine screens partitions on a cluster and gives the in-memory rows exactly.

Uses the synthetic landscape of conftest.py (UTM 49S): ~2,000 plots, points and
polygons, near and across decisive boundaries, outside every layer, and unusable rows.
Skipped when dask, distributed or dask-geopandas are not installed.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import lahan_geo as lg
from conftest import KM, UTM49S, X0, Y0
from lahan_geo.engines import ENGINES, run_engine
from lahan_geo.engines.dask import screen_dask, screen_provenance

dask = pytest.importorskip("dask", reason="dask is not installed (optional: the dask engine)")
dask_geopandas = pytest.importorskip(
    "dask_geopandas", reason="dask-geopandas is not installed (optional: the dask engine)")
distributed = pytest.importorskip(
    "distributed", reason="distributed is not installed (optional: the dask engine)")

N_POINTS, N_POLYGONS, N_BLANK = 1_700, 280, 20


@pytest.fixture(scope="module")
def plots() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(2026)
    # Points over the whole landscape and beyond it (x 595-690 km, y 9,698-9,712 km),
    # a third of them within 300 m of a block edge, where the tolerance decides.
    x = rng.uniform(X0 - 5 * KM, X0 + 90 * KM, N_POINTS)
    edges = X0 + KM * np.array([10, 20, 30, 40, 50, 70, 80], dtype=float)
    near = rng.random(N_POINTS) < 0.35
    x[near] = rng.choice(edges, near.sum()) + rng.uniform(-300, 300, near.sum())
    y = rng.uniform(Y0 - 2 * KM, Y0 + 12 * KM, N_POINTS)
    points = list(shapely.points(x, y))
    # Parcels of 20-80 m, some straddling block and zone edges.
    cx = rng.choice(edges, N_POLYGONS) + rng.uniform(-400, 400, N_POLYGONS)
    cy = Y0 + rng.choice([2, 4, 6, 8, 5], N_POLYGONS) * KM + rng.uniform(-200, 200, N_POLYGONS)
    w, h = rng.uniform(20, 80, (2, N_POLYGONS))
    parcels = list(shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    geoms = points + parcels + [None] * N_BLANK
    n = len(geoms)
    raw = gpd.GeoDataFrame({
        "id_lahan": [f"L{i:05d}" for i in range(n)],
        "garapan lama": rng.choice(np.array(["ya", "tidak", ""], dtype=object), n),
        "akurasi": rng.choice(np.array(["5", "10 m", "", "30"], dtype=object), n),
        "desa": rng.choice(np.array(["Sembuluh", "Pembuang Hulu", None], dtype=object), n),
    }, geometry=gpd.GeoSeries(geoms, crs=UTM49S))
    order = rng.permutation(n)  # mix points, parcels and blanks across partitions
    return lg.read_plots(raw.iloc[order].reset_index(drop=True))


@pytest.fixture(scope="module")
def expected(plots, forest, zoning) -> gpd.GeoDataFrame:
    return lg.screen(plots, forest=forest, zoning=zoning)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as local:
        yield local


def exact_frame(plots: gpd.GeoDataFrame, npartitions: int):
    """A dask frame that keeps pandas' own dtypes (no conversion to pyarrow strings)."""
    with dask.config.set({"dataframe.convert-string": False}):
        return dask_geopandas.from_geopandas(plots, npartitions=npartitions)


def test_the_plots_exercise_every_status(expected):
    assert set(expected["status"]) == set(lg.STATUSES)
    assert expected["area_m2"].notna().sum() == N_POLYGONS
    assert expected["rules"].map(lambda r: "B1" in r).sum() > 50


def test_cluster_result_is_identical_row_for_row(cluster, plots, forest, zoning, expected):
    ddf = exact_frame(plots, npartitions=7)
    with distributed.Client(cluster) as client:
        lazy = screen_dask(ddf, forest=forest, zoning=zoning)
        assert isinstance(lazy, dask_geopandas.GeoDataFrame)
        assert lazy.npartitions == 7
        result = lazy.compute()
        assert len(client.nthreads()) == 2
    assert type(result) is type(expected)
    assert result.attrs == {}
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    assert result.crs == expected.crs
    assert lazy._meta.dtypes.equals(result.dtypes)


def test_default_dask_strings_keep_every_screening_column_identical(plots, forest, zoning,
                                                                     expected):
    # from_geopandas turns object columns into pyarrow strings ('ya' flags, None notes):
    # the engine restores read_plots' columns, so the screening is unchanged.
    ddf = dask_geopandas.from_geopandas(plots, npartitions=5)
    result = screen_dask(ddf, forest=forest, zoning=zoning).compute(scheduler="synchronous")
    screening = [*lg.RESULT_COLUMNS, "geometry"]
    pd.testing.assert_frame_equal(result[screening], expected[screening], check_exact=True)
    own = ["id_lahan", "desa"]  # the plot list's own columns: same values, dask's dtype
    assert (result[own].astype(object).where(result[own].notna(), None).values.tolist()
            == expected[own].astype(object).where(expected[own].notna(), None).values.tolist())


def test_without_a_client_and_with_paths(tmp_path, monkeypatch, plots, forest, zoning,
                                         expected):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))
    forest_path = tmp_path / "kh.gpkg"
    forest.drop(columns=["forest_function", "forest_decree", "forest_decree_date",
                         "geometry_repair"]).to_file(forest_path)
    ddf = exact_frame(plots, npartitions=3)
    result = screen_dask(ddf, forest=forest_path, zoning=zoning,
                         broadcast=False).compute(scheduler="synchronous")
    memory = lg.screen(plots, forest=forest_path, zoning=zoning)
    pd.testing.assert_frame_equal(result, memory, check_exact=True)
    assert result["status"].tolist() == expected["status"].tolist()


def test_tolerance_and_rules_are_passed_through(plots, forest, zoning):
    ddf = exact_frame(plots, npartitions=4)
    result = screen_dask(ddf, forest=forest, zoning=zoning, tolerance_m=0.0).compute(
        scheduler="synchronous")
    memory = lg.screen(plots, forest=forest, zoning=zoning, tolerance_m=0.0)
    pd.testing.assert_frame_equal(result, memory, check_exact=True)
    assert (result["tolerance_m"] == 0.0).all()


def test_constraint_layers_are_sent_along(cluster, plots, forest, zoning):
    peat = lg.read_constraint(gpd.GeoDataFrame(
        geometry=[shapely.box(X0 + 52 * KM, Y0, X0 + 60 * KM, Y0 + 6 * KM)], crs=UTM49S),
        rule="X1")
    river = lg.read_constraint(gpd.GeoDataFrame(
        geometry=[shapely.LineString([(X0 + 55 * KM, Y0 - KM), (X0 + 66 * KM, Y0 + 11 * KM)])],
        crs=UTM49S), rule="X4", setback_m=100.0)
    memory = lg.screen(plots, forest=forest, zoning=zoning, layers=[peat, river])
    assert memory["rules"].map(lambda r: "X1" in r).sum() > 10
    with distributed.Client(cluster):
        result = screen_dask(exact_frame(plots, 3), forest=forest, zoning=zoning,
                             layers=[peat, river]).compute()
    pd.testing.assert_frame_equal(result, memory, check_exact=True)


def test_provenance_matches_the_in_memory_attrs(cluster, plots, forest, zoning, expected):
    ddf = exact_frame(plots, npartitions=4)
    with distributed.Client(cluster):
        lazy = screen_dask(ddf, forest=forest, zoning=zoning)
        info = screen_provenance(ddf, forest=forest, zoning=zoning, result=lazy)
    want = expected.attrs["lahan_geo"]
    assert info.pop("engine") == "dask"
    assert info == want
    before = screen_provenance(ddf, forest=forest, zoning=zoning)
    assert before["status_counts"] is None
    assert before["layers"] == want["layers"]


def test_run_engine_routes_by_name(plots, forest, zoning, expected):
    assert ENGINES == ("memory", "dask")
    memory = run_engine("memory", plots, forest=forest, zoning=zoning)
    pd.testing.assert_frame_equal(memory, expected)
    lazy = run_engine("dask", exact_frame(plots, 2), forest=forest, zoning=zoning,
                      broadcast=False)
    pd.testing.assert_frame_equal(lazy.compute(scheduler="synchronous"), expected)


def test_refuses_what_is_not_a_dask_frame_of_read_plots(plots, forest):
    with pytest.raises(lg.InputError, match=r"dask_geopandas\.GeoDataFrame"):
        screen_dask(plots, forest=forest)
    bare = dask_geopandas.from_geopandas(
        gpd.GeoDataFrame(geometry=plots.geometry.iloc[:10]), npartitions=1)
    with pytest.raises(lg.InputError, match="read_plots"):
        screen_dask(bare, forest=forest)
    with pytest.raises(lg.InputError, match="Client"):
        screen_dask(exact_frame(plots, 1), forest=forest, broadcast=True)


def test_screen_engine_dask_is_the_public_route(plots, forest, zoning, expected):
    lazy = lg.screen(exact_frame(plots, 3), forest=forest, zoning=zoning, engine="dask")
    pd.testing.assert_frame_equal(lazy.compute(scheduler="synchronous"), expected)
