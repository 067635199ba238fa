"""The layer cache trusts nothing it finds on disk, and never changes a result (issue #19).

Each test reproduces a case of the audit: layer names with glob characters, a layer
edited in memory, a planted pickle, a forged pickle-free entry, a cache folder others
can write to, and tampered or foreign entries under hypothesis.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

import lahan_geo as lg
from conftest import KM, UTM49S, X0, Y0, plots_at, raw_forest, raw_zoning, utm
from lahan_geo.errors import CacheWarning
from lahan_geo.layers import cache
from lahan_geo.layers import subdivide as sd
from lahan_geo.overlay import forget_pieces


def forget_memory() -> None:
    """What a new process would not have: every in-memory memo of derived geometry."""
    forget_pieces()
    sd._SUBDIVIDED.clear()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(where))
    forget_memory()
    yield where
    forget_memory()


def entries(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))


# --------------------------------------------------------------------------------------
# Names with glob characters
# --------------------------------------------------------------------------------------
def test_shapefiles_named_with_brackets_each_get_their_own_hash_and_answer(tmp_path, folder):
    hutan = tmp_path / "hutan[2023].shp"
    apl = tmp_path / "hutan_apl[2024].shp"
    raw_forest().to_file(hutan)
    other = raw_forest()
    other["FUNGSIKWS"] = 100700.0  # everything APL
    other.to_file(apl)
    plots = plots_at({f"p{i}": utm(5 + 10 * i, 5) for i in range(7)})

    first = lg.read_forest_area(hutan)
    second = lg.read_forest_area(apl)
    empty = hashlib.sha256(b"").hexdigest()
    assert first.attrs["lahan_geo"]["sha256"] not in (empty, second.attrs["lahan_geo"]["sha256"])
    assert second.attrs["lahan_geo"]["cache"] == "stored"  # not served the first layer
    assert second["forest_function"].tolist() == ["APL"] * 7
    assert cache.file_sha256(hutan) == hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(tmp_path.glob("hutan[[]2023].*")))).hexdigest()

    with_cache = [lg.screen(plots, forest=p) for p in (hutan, apl)]
    os.environ["LAHAN_GEO_CACHE"] = "off"
    without = [lg.screen(plots, forest=p) for p in (hutan, apl)]
    for got, want in zip(with_cache, without):
        pd.testing.assert_frame_equal(got, want)
    assert with_cache[0]["status"].tolist() != with_cache[1]["status"].tolist()
    assert (with_cache[0].attrs["lahan_geo"]["layers"]["forest"]["sha256"]
            != with_cache[1].attrs["lahan_geo"]["layers"]["forest"]["sha256"])


# --------------------------------------------------------------------------------------
# A layer edited in memory
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("disk", ["on", "off"])
def test_layer_edited_in_memory_is_screened_with_its_new_boundaries(tmp_path, folder,
                                                                    monkeypatch, disk):
    if disk == "off":
        monkeypatch.setenv("LAHAN_GEO_CACHE", "off")
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    forest = lg.read_forest_area(path)
    plots = plots_at({"a": utm(5, 5)})  # in the HK block, 5 km from every edge
    before = lg.screen(plots, forest=forest)["boundary_distance_m"].iloc[0]
    assert 4_990 < before < 5_010

    shrunk = gpd.GeoSeries([box(X0, Y0, X0 + 8 * KM, Y0 + 10 * KM)], crs=UTM49S).to_crs(4326)
    forest.loc[0, "geometry"] = shrunk.iloc[0]  # HK now ends 3 km east of the plot
    after = lg.screen(plots, forest=forest)["boundary_distance_m"].iloc[0]
    assert 2_990 < after < 3_010


def test_fingerprint_follows_geometry_crs_and_categories():
    layer = lg.read_forest_area(raw_forest())
    base = cache.layer_fingerprint(layer, ["forest_function"])
    assert cache.layer_fingerprint(layer.copy(), ["forest_function"]) == base
    moved = layer.copy()
    moved.geometry.values[3] = shapely.affinity.translate(moved.geometry.iloc[3], 1e-9)
    assert cache.layer_fingerprint(moved, ["forest_function"]) != base
    relabelled = layer.copy()
    relabelled.loc[2, "forest_function"] = "HK"
    assert cache.layer_fingerprint(relabelled, ["forest_function"]) != base
    assert cache.layer_fingerprint(layer) != base
    assert cache.layer_fingerprint(layer.set_crs(3857, allow_override=True)) != (
        cache.layer_fingerprint(layer))


# --------------------------------------------------------------------------------------
# Planted and forged entries
# --------------------------------------------------------------------------------------
class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_planted_pickle_never_runs(tmp_path, folder):
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Planted(probe)))
    assert probe.exists()  # the payload is live: unpickling it runs code

    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    plots = plots_at({"a": utm(57, 1), "b": utm(50.05, 1)})
    cold = lg.screen(plots, forest=lg.read_forest_area(path))
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(marker))
    planted = entries(folder)
    assert planted and any(p.suffix == ".layer" for p in planted)
    for entry in planted:
        entry.write_bytes(payload)
    (folder / "read_forest_area-0123.pkl").write_bytes(payload)  # the old scheme's name
    forget_memory()
    with pytest.warns(CacheWarning, match="rejected"):
        again = lg.screen(plots, forest=lg.read_forest_area(path))
    assert not marker.exists()
    pd.testing.assert_frame_equal(again, cold)


def _far_lines(count: int) -> bytes:
    """An npz in the cache's own layout: boundaries ~23,000 km away from everything."""
    far = np.array([shapely.LineString([(-2.0e7, -2.0e7), (-2.0e7 + 1, -2.0e7)])] * count,
                   dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **cache._geometries_to(far))
    return buffer.getvalue()


def test_forged_pickle_free_entry_cannot_move_a_plot_to_clear(tmp_path, folder):
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    plots = plots_at({"near": utm(50.05, 1)})  # 50 m inside APL from the HPK edge
    cold = lg.screen(plots, forest=lg.read_forest_area(path))
    assert cold["status"].iloc[0] == "verify"
    forged = _far_lines(4)
    geometries = entries(folder, "geometries-*.npz")
    assert geometries
    # as the audit wrote it (a bare npz), and in the envelope with a made-up MAC
    for envelope in (b"", cache._MAGIC + bytes(32)):
        for entry in geometries:
            entry.write_bytes(envelope + forged)
        forget_memory()
        with pytest.warns(CacheWarning, match="rejected"):
            forged_run = lg.screen(plots, forest=lg.read_forest_area(path))
        assert forged_run["status"].iloc[0] == "verify"
        pd.testing.assert_frame_equal(forged_run, cold)


def test_entry_copied_under_another_name_is_refused(folder):
    assert cache.write_entry("pages-a.json", b"layer A")
    assert cache.write_entry("pages-b.json", b"layer B")
    (folder / "pages-b.json").write_bytes((folder / "pages-a.json").read_bytes())
    with pytest.warns(CacheWarning, match="authentication code"):
        assert cache.read_entry("pages-b.json") is None
    assert not (folder / "pages-b.json").exists()  # removed, to be rebuilt
    assert cache.read_entry("pages-a.json") == b"layer A"


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "header"])
def test_damaged_entries_are_refused(folder, damage):
    data = bytes(range(256)) * 40
    assert cache.write_entry("blob.bin", data)
    raw = bytearray((folder / "blob.bin").read_bytes())
    if damage == "flip":
        raw[-100] ^= 0x01
    elif damage == "truncate":
        raw = raw[:-1]
    elif damage == "empty":
        raw = bytearray()
    else:
        raw[0] ^= 0x20
    (folder / "blob.bin").write_bytes(bytes(raw))
    with pytest.warns(CacheWarning, match="rejected"):
        assert cache.read_entry("blob.bin") is None


def test_a_key_others_can_read_is_replaced(folder):
    assert cache.write_entry("blob.bin", b"data")
    key = folder / ".hmac-key"
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    with pytest.warns(CacheWarning, match="replaced with a new one"):
        assert cache.read_entry("blob.bin") is None
    assert cache.write_entry("blob.bin", b"data")
    assert key.stat().st_mode & 0o777 == 0o600 and cache.read_entry("blob.bin") == b"data"


def test_names_are_file_names_not_paths(folder):
    for name in ("../x", "/etc/passwd", ".hmac-key", "a/b", "", "x" * 300):
        with pytest.raises(ValueError, match="not usable"):
            cache.read_entry(name)


# --------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="folder modes are POSIX")
def test_folder_others_can_write_to_is_not_used(tmp_path, folder):
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    path = tmp_path / "kawasan_hutan.gpkg"
    raw_forest().to_file(path, driver="GPKG")
    with pytest.warns(CacheWarning, match=r"not used: others can write to it.*chmod 700"):
        layer = lg.read_forest_area(path)
    assert layer.attrs["lahan_geo"]["cache"] == "off"
    lg.screen(plots_at({"a": utm(50.05, 1)}), forest=layer)
    assert not list(folder.iterdir())
    assert not cache.write_entry("x.bin", b"x") and cache.read_entry("x.bin") is None


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="giving a folder to another user needs root")
def test_folder_of_another_user_is_not_used(folder):
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.warns(CacheWarning, match="belongs to another user"):
        assert not cache.write_entry("x.bin", b"x")
    assert not list(folder.iterdir())


def test_created_folder_is_private_and_temp_files_do_not_outlive_a_run(folder, monkeypatch):
    assert cache.write_entry("x.bin", b"x")
    if os.name == "posix":
        assert folder.stat().st_mode & 0o077 == 0
    stale = folder / ".tmp-left-by-a-killed-run"
    stale.write_bytes(b"x" * 1000)
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    fresh = folder / ".tmp-being-written-now"
    fresh.write_bytes(b"x")
    cache._SWEPT.discard(str(folder))  # a new run
    assert cache.read_entry("x.bin") == b"x"
    assert not stale.exists() and fresh.exists()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", full)
    assert not cache.write_entry("y.bin", b"y" * 10_000)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".hmac-key", ".tmp-being-written-now", "x.bin"]


def test_layers_are_stored_without_pickle(tmp_path, folder):
    path = tmp_path / "pola_ruang.gpkg"
    raw_zoning().to_file(path, driver="GPKG")
    first = lg.read_zoning(path)
    second = lg.read_zoning(path)
    assert second.attrs["lahan_geo"]["cache"] == "hit"
    pd.testing.assert_frame_equal(second, first, check_exact=True)
    assert [type(v) for v in second["zone_allows_outlet"]] == [
        type(v) for v in first["zone_allows_outlet"]]
    (stored,) = entries(folder, "read_zoning-*.layer")
    payload = stored.read_bytes()[len(cache._MAGIC) + 32:]
    assert payload[8:18] == b'{"attrs": '  # JSON, then GeoParquet: data, no pickle
    assert payload.endswith(b"PAR1") and b"\x80\x04\x95" not in payload


# --------------------------------------------------------------------------------------
# The cache can never change a result
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def layer_files(tmp_path_factory):
    where = tmp_path_factory.mktemp("layers")
    raw_forest().to_file(where / "kawasan_hutan.gpkg", driver="GPKG")
    raw_zoning().to_file(where / "pola_ruang.gpkg", driver="GPKG")
    return where / "kawasan_hutan.gpkg", where / "pola_ruang.gpkg"


_plot = st.tuples(st.floats(-5, 85), st.floats(-3, 13), st.sampled_from([0.0, 0.05, 0.4, 2.0]))
_damage = st.sampled_from(["flip", "truncate", "foreign", "keep"])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spots=st.lists(_plot, min_size=1, max_size=6), damages=st.lists(_damage, min_size=1),
       data=st.data())
def test_cold_warm_tampered_and_foreign_caches_give_identical_results(
        tmp_path_factory, monkeypatch, layer_files, spots, damages, data):
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(folder))
    geoms = {f"p{i}": (utm(x, y) if size == 0 else utm(x, y).buffer(size * KM, 4))
             for i, (x, y, size) in enumerate(spots)}
    plots = plots_at(geoms)
    forest_path, zoning_path = layer_files

    def run() -> pd.DataFrame:
        forget_memory()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CacheWarning)
            return lg.screen(plots, forest=lg.read_forest_area(forest_path),
                             zoning=lg.read_zoning(zoning_path))

    cold = run()
    warm = run()
    pd.testing.assert_frame_equal(warm, cold, check_exact=True)
    stored = entries(folder)
    assert stored
    contents = {p: p.read_bytes() for p in stored}
    for i, entry in enumerate(stored):
        damage = damages[i % len(damages)]
        raw = bytearray(contents[entry])
        if damage == "flip":
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] ^= 1 << data.draw(st.integers(0, 7))
        elif damage == "truncate":
            raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
        elif damage == "foreign":
            other = stored[(i + 1) % len(stored)]
            raw = bytearray(contents[other]) if other != entry else raw[:-1]
        entry.write_bytes(bytes(raw))
    pd.testing.assert_frame_equal(run(), cold, check_exact=True)
    pd.testing.assert_frame_equal(run(), cold, check_exact=True)  # rebuilt entries again
