"""Screening through windows gives the whole layer's answer (issue #14).

``lg.screen(plots, forest=path)`` reads only the layers' features near the plots
(:func:`lahan_geo.layers.source.layer_window`), cut to the window's box, and
:func:`lahan_geo.pipeline.widen` reads wider for the plots whose nearest decisive
boundary lies beyond it. Every test here compares, column by column, with the same
plots screened on the layers read whole.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

import lahan_geo as lg
from lahan_geo.errors import LayerError
from lahan_geo.layers.source import layer_window

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
FOREST = SAMPLE / "kawasan_hutan.gpkg"  # EPSG:4326
ZONING = SAMPLE / "pola_ruang.gpkg"  # EPSG:32749: a projected layer, cut in its own CRS


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))


def assert_same_rows(windowed: pd.DataFrame, whole: pd.DataFrame) -> None:
    """Every column equal, in the same order, NaN equal to NaN."""
    assert list(windowed.columns) == list(whole.columns)
    for column in windowed.columns:
        if column == windowed.geometry.name:
            continue
        a, b = windowed[column].tolist(), whole[column].tolist()
        same = [x == y or (pd.isna(x) is True and pd.isna(y) is True)
                if not isinstance(x, (list, dict)) else x == y for x, y in zip(a, b)]
        assert all(same), (column, [(i, x, y) for i, (x, y, ok) in
                                    enumerate(zip(a, b, same)) if not ok][:3])


def whole_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return lg.read_forest_area(FOREST), lg.read_zoning(ZONING)


def test_screen_on_paths_reads_windows_and_agrees_with_whole_layers() -> None:
    everything = lg.read_plots(SAMPLE / "seruyan_plots.csv")
    plots = everything.iloc[np.argsort(everything.geometry.y.fillna(0).to_numpy())[:12]]
    windowed = lg.screen(plots, forest=FOREST, zoning=ZONING)
    forest, zoning = whole_layers()
    whole = lg.screen(plots, forest=forest, zoning=zoning)
    info = windowed.attrs["lahan_geo"]["layers"]
    assert "window" in info["forest"] and "window" in info["zoning"]
    assert info["forest"]["window"]["distances_unknown"] == 0
    assert "window" not in whole.attrs["lahan_geo"]["layers"]["forest"]
    assert windowed["boundary_distance_m"].notna().sum() == whole[
        "boundary_distance_m"].notna().sum() > 8
    assert_same_rows(windowed, whole)


@pytest.mark.parametrize("margin_m", [150.0, 700.0])
def test_narrow_windows_are_widened_until_every_boundary_is_found(margin_m: float) -> None:
    """Most plots' boundaries lie outside a naive window; widening finds each of them."""
    plots = lg.read_plots(SAMPLE / "seruyan_plots.csv")
    forest = lg.read_forest_area(FOREST, around=plots, margin_m=margin_m)
    zoning = lg.read_zoning(ZONING, around=plots, margin_m=margin_m)
    assert forest.attrs["lahan_geo"]["window"]["clipped"] > 0  # cut to the box
    windowed = lg.screen(plots, forest=forest, zoning=zoning)
    whole = lg.screen(plots, forest=whole_layers()[0], zoning=whole_layers()[1])
    window = windowed.attrs["lahan_geo"]["layers"]["forest"]["window"]
    assert window["widened"], "the naive window must not have been enough"
    assert window["widened"][0]["margin_m"] == pytest.approx(margin_m * 4)
    assert window["distances_unknown"] == 0
    beyond = whole["boundary_distance_m"] > margin_m
    assert beyond.sum() >= 5  # plots whose nearest boundary lies outside the naive window
    assert_same_rows(windowed, whole)


def _far_boundary_layer(folder: Path) -> tuple[Path, gpd.GeoDataFrame]:
    """One HP block 60 km wide with an APL enclave (a hole filled), beside an HK block."""
    enclave = Polygon([(112.30, -2.50), (112.32, -2.50), (112.33, -2.52), (112.30, -2.53)])
    hp = Polygon(box(111.8, -2.9, 112.35, -2.2).exterior.coords, [enclave.exterior.coords])
    hk = box(112.35, -2.9, 112.9, -2.2)
    layer = gpd.GeoDataFrame({"FUNGSIKWS": [100300.0, 100700.0, 100200.0]},
                             geometry=[hp, enclave, hk], crs=4326)
    path = folder / "hutan_far.shp"
    layer.to_file(path, engine="pyogrio")
    plots = gpd.GeoDataFrame({
        "id": ["deep", "enclave", "edge", "across"],
        "geometry": [shapely.Point(111.85, -2.55),  # ~6 km to the west edge (layer's end)
                     shapely.Point(112.31, -2.51),  # inside the APL enclave
                     shapely.Point(112.348, -2.6),  # 220 m from the HP/HK boundary
                     shapely.Point(112.6, -2.55)]}, crs=4326)
    return path, plots


def test_boundary_far_outside_the_first_window(tmp_path: Path) -> None:
    path, points = _far_boundary_layer(tmp_path)
    plots = lg.read_plots(points)
    forest = lg.read_forest_area(path, around=plots, margin_m=500.0)
    windowed = lg.screen(plots, forest=forest)
    whole = lg.screen(plots, forest=lg.read_forest_area(path))
    assert_same_rows(windowed, whole)
    distance = dict(zip(whole["plot_id"], whole["boundary_distance_m"]))
    assert distance["edge"] < 300 and distance["deep"] > 3_000


def test_a_window_holding_the_whole_layer_reads_it_whole(tmp_path: Path) -> None:
    path, points = _far_boundary_layer(tmp_path)
    plots = lg.read_plots(points)
    assert layer_window(path, (111.0, -3.5, 113.5, -1.5), 0.0, 0.0, kind="forest area") is None
    window = layer_window(path, plots, None, 125.0, kind="forest area")
    assert window is not None and window.margin_m > 10_000  # a file: 10 km + tolerance
    forest = lg.read_forest_area(path, around=(111.0, -3.5, 113.5, -1.5))
    assert "window" not in forest.attrs["lahan_geo"]
    assert forest.attrs["lahan_geo"]["features"] == 3


def test_a_frame_windowed_by_hand_keeps_unknown_distances_empty() -> None:
    """A GeoDataFrame cannot be read again: distances beyond its window stay NaN."""
    plots = lg.read_plots(SAMPLE / "seruyan_plots.csv")
    raw = gpd.read_file(FOREST)
    forest = lg.read_forest_area(raw, around=plots, margin_m=150.0)
    result = lg.screen(plots, forest=forest)
    window = result.attrs["lahan_geo"]["layers"]["forest"]["window"]
    assert window["distances_unknown"] > 0 and window["widened"] == []
    whole = lg.screen(plots, forest=lg.read_forest_area(FOREST))
    known = result["boundary_distance_m"].notna()
    assert known.sum() > 0
    assert np.allclose(result.loc[known, "boundary_distance_m"],
                       whole.loc[known, "boundary_distance_m"])
    found = whole["boundary_distance_m"].notna()
    assert (whole.loc[~known & found, "boundary_distance_m"] > 150).all()
    assert result["status"].tolist() == whole["status"].tolist()


def test_a_layer_file_changed_between_readings_is_refused(tmp_path: Path) -> None:
    path, points = _far_boundary_layer(tmp_path)
    plots = lg.read_plots(points)
    forest = lg.read_forest_area(path, around=plots, margin_m=500.0)
    layer = gpd.read_file(path)
    layer.loc[0, "FUNGSIKWS"] = 100500.0  # HP becomes HPK on the disk
    layer.to_file(path, engine="pyogrio")
    os.utime(path, ns=(1, 1))
    with pytest.raises(LayerError, match="changed while it was being screened"):
        lg.screen(plots, forest=forest)


def test_suggest_sites_on_paths_reads_around_the_plots_and_agrees() -> None:
    plots = lg.read_plots(SAMPLE / "seruyan_plots.csv")
    forest, zoning = whole_layers()
    result = lg.screen(plots, forest=forest, zoning=zoning)
    on_paths = lg.suggest_sites(result, forest=FOREST, zoning=ZONING)
    whole = lg.suggest_sites(result, forest=forest, zoning=zoning)
    assert whole.geometry.notna().sum() >= 5  # sites found, not only "none within 2 km"
    pd.testing.assert_frame_equal(pd.DataFrame(on_paths).drop(columns="geometry"),
                                  pd.DataFrame(whole).drop(columns="geometry"))
    found = whole.geometry.notna().to_numpy()
    assert shapely.equals_exact(np.asarray(on_paths.geometry.array)[found],
                                np.asarray(whole.geometry.array)[found], 1e-9).all()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_real_kecamatan_boundaries_windowed_and_whole_agree(shared_wilayah: Path,
                                                            tmp_path: Path, seed: int) -> None:
    """Real boundaries (kecamatan of Kalimantan Tengah as a forest layer): shared edges
    that coincide only to the digitizer's precision, holes, islands. A district's
    villages screened through a generous and a naive window give the whole answer."""
    kec = gpd.read_file(shared_wilayah / "kalteng_kec.gpkg")
    codes = np.array([100200.0, 100100.0, 100300.0, 100700.0, 100700.0, 0.0])
    layer = gpd.GeoDataFrame(
        {"FUNGSIKWS": codes[kec["kode"].str[-2:].astype(int).to_numpy() % len(codes)]},
        geometry=kec.geometry.to_numpy(), crs=kec.crs)
    path = tmp_path / "kawasan_kec.gpkg"
    layer.to_file(path, engine="pyogrio")
    desa = gpd.read_file(shared_wilayah / "kalteng_desa.gpkg")
    centre = desa.sample(1, random_state=seed).iloc[0]
    near = desa[((desa["lng"] - centre["lng"]).abs() < 0.25)
                & ((desa["lat"] - centre["lat"]).abs() < 0.25)].head(40)
    plots = lg.read_plots(gpd.GeoDataFrame(
        {"id": near["kode"]}, geometry=gpd.points_from_xy(near["lng"], near["lat"]), crs=4326))
    whole = lg.screen(plots, forest=lg.read_forest_area(path))
    assert whole["boundary_distance_m"].notna().all()
    for margin in (None, 300.0):
        forest = lg.read_forest_area(path, around=plots, margin_m=margin)
        assert "window" in forest.attrs["lahan_geo"]
        assert_same_rows(lg.screen(plots, forest=forest), whole)


def test_plots_spanning_most_of_a_layer_read_it_whole() -> None:
    """A district's plots over most of the sample layers: a window would save little."""
    plots = lg.read_plots(SAMPLE / "seruyan_plots.csv")
    result = lg.screen(plots, forest=FOREST, zoning=ZONING)
    for name in ("forest", "zoning"):
        assert "window" not in result.attrs["lahan_geo"]["layers"][name], name
    few = plots.iloc[np.argsort(plots.geometry.y.fillna(0).to_numpy())[:12]]
    assert "window" in lg.screen(few, forest=FOREST).attrs["lahan_geo"]["layers"]["forest"]
