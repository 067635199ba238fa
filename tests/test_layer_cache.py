"""Prepared layers are cached by content: a second load is served, a changed file never."""

from __future__ import annotations

import geopandas as gpd
import pytest

import lahan_geo as lg
from conftest import raw_forest, raw_zoning
from lahan_geo.errors import CacheWarning


def test_second_load_is_a_cache_hit_with_identical_content(tmp_path):
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    first = lg.read_forest_area(path)
    second = lg.read_forest_area(path)
    assert first.attrs["lahan_geo"]["cache"] == "stored"
    assert second.attrs["lahan_geo"]["cache"] == "hit"
    assert second.drop(columns="geometry").equals(first.drop(columns="geometry"))
    assert second.geometry.equals(first.geometry)
    assert second.attrs["lahan_geo"]["sha256"] == first.attrs["lahan_geo"]["sha256"]


def test_changed_file_is_never_served_from_the_cache(tmp_path):
    path = tmp_path / "kawasan_hutan.gpkg"
    raw = raw_forest()
    raw.to_file(path, driver="GPKG")
    before = lg.read_forest_area(path)
    raw.loc[0, "FUNGSIKWS"] = 100700.0  # HK becomes APL
    raw.to_file(path, driver="GPKG")
    after = lg.read_forest_area(path)
    assert after.attrs["lahan_geo"]["cache"] == "stored"
    assert before["forest_function"].iloc[0] == "HK"
    assert after["forest_function"].iloc[0] == "APL"
    assert after.attrs["lahan_geo"]["sha256"] != before.attrs["lahan_geo"]["sha256"]


def test_other_options_are_other_entries(tmp_path):
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    coarse = lg.read_forest_area(path)
    fine = lg.read_forest_area(path, accuracy_class=1)
    assert coarse.attrs["lahan_geo"]["tolerance_m"] == 125.0
    assert fine.attrs["lahan_geo"]["tolerance_m"] == 50.0


def test_zoning_mapping_change_invalidates(tmp_path):
    path = tmp_path / "pola_ruang.gpkg"
    raw_zoning().to_file(path, driver="GPKG")
    default = lg.read_zoning(path)
    mapping = tmp_path / "kab.toml"
    mapping.write_text('version = "k1"\nsource_columns = ["NAMOBJ"]\n'
                       '[classes.x]\ngroup = "budidaya"\npermission = "allowed"\n'
                       '[[match]]\nclass = "x"\npatterns = ["entah"]\n', encoding="utf-8")
    custom = lg.read_zoning(path, mapping=mapping)
    assert default["zone_class"].isna().sum() == 1
    assert custom["zone_class"].tolist().count("x") == 1


def test_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    lg.read_forest_area(path)
    entries = list((tmp_path / "cache").glob("read_forest_area-*.layer"))
    assert len(entries) == 1
    entries[0].write_bytes(b"not a layer")
    with pytest.warns(CacheWarning, match="rejected"):
        again = lg.read_forest_area(path)
    assert again.attrs["lahan_geo"]["cache"] == "stored"
    assert isinstance(again, gpd.GeoDataFrame) and len(again) == 7


def test_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_CACHE", "off")
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    assert lg.read_forest_area(path).attrs["lahan_geo"]["cache"] == "off"
    assert lg.read_forest_area(path).attrs["lahan_geo"]["cache"] == "off"


def test_decisive_boundaries_are_cached_and_give_the_same_distances(tmp_path, monkeypatch):
    from conftest import plots_at, utm
    from lahan_geo.overlay import forget_pieces

    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    plots = plots_at({"a": utm(57, 1), "b": utm(15, 5), "c": utm(50.05, 1)})
    first = lg.screen(plots, forest=lg.read_forest_area(path))
    assert list((tmp_path / "cache").glob("geometries-*.npz"))
    forget_pieces()  # a new process: only the disk cache is left
    second = lg.screen(plots, forest=lg.read_forest_area(path))
    assert first["boundary_distance_m"].tolist() == second["boundary_distance_m"].tolist()
    assert first["rules"].tolist() == second["rules"].tolist()


def test_cached_geometries_come_back_byte_identical(tmp_path, monkeypatch):
    import numpy as np
    import pytest
    import shapely

    from lahan_geo.layers.cache import cached_geometries

    monkeypatch.setenv("LAHAN_GEO_CACHE", str(tmp_path))
    holed = shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 2, 2))
    sets = {
        "lines": [shapely.LineString([(0.1, 0.2), (1e6 + 0.3, -9e6)]),
                  shapely.LineString([(2, 2), (3, 3), (4, 5)])],
        "points": [shapely.Point(114.123456789, -2.5), shapely.Point(0, 0)],
        "polygons": [holed, shapely.box(5, 5, 6, 6)],
        "multi": [shapely.MultiPolygon([holed, shapely.box(9, 9, 10, 10)])],
        "mixed": [shapely.Point(1, 2), shapely.LineString([(0, 0), (1, 1)])],
        "with empty": [shapely.LineString(), shapely.LineString([(0, 0), (1, 1)])],
    }
    for name, geoms in sets.items():
        built = np.array(geoms, dtype=object)
        first = cached_geometries(("sha", name), lambda b=built: b)
        again = cached_geometries(("sha", name), lambda: pytest.fail("not served"))
        assert [g.wkb for g in again] == [g.wkb for g in built], name
        assert first is built
    assert len(list(tmp_path.glob("geometries-*.npz"))) == len(sets)
