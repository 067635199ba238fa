"""Mislabelled layers end in a one-line CRS error, bounded in time and memory (issue #19).

The audit's layer: UTM metres labelled EPSG:4326. Screened, it was densified as a
"150,000-degree" extent until the kernel killed it (24 GB) or, under a memory cap,
it ended in ``std::bad_alloc``. The screening runs here in a child process capped at
2 GB of address space and 120 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

import lahan_geo as lg
from conftest import KM, UTM49S, X0, Y0, raw_forest
from lahan_geo import metric
from lahan_geo.errors import CRSError, InputError

SRC = Path(__file__).resolve().parents[1] / "src"
TESTS = Path(__file__).resolve().parent


def mislabelled(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer in UTM 49S metres, labelled EPSG:4326."""
    return raw.to_crs(UTM49S).set_crs(4326, allow_override=True)


def bounded(code: str, timeout: float = 120.0) -> dict:
    """Run ``code`` in a child process with 2 GB of address space; return what it printed."""
    script = textwrap.dedent("""
        import json, resource, sys
        try:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        except (ValueError, OSError):
            pass
        sys.path[:0] = [{src!r}, {tests!r}]
        import lahan_geo as lg
        from conftest import plots_at, raw_forest, utm
        try:
        {body}
            print(json.dumps({{"ok": True}}))
        except Exception as err:
            print(json.dumps({{"error": type(err).__name__, "message": str(err)}}))
    """)
    body = textwrap.indent(textwrap.dedent(code), " " * 4)
    script = script.format(src=str(SRC), tests=str(TESTS), body=body)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_utm_layer_labelled_degrees_is_refused_within_2_gb(tmp_path):
    path = tmp_path / "kawasan_hutan.gpkg"
    mislabelled(raw_forest()).to_file(path, driver="GPKG")
    got = bounded(f"""
        plots = plots_at({{"a": utm(5, 5), "b": utm(57, 1)}})
        lg.screen(plots, forest={str(path)!r})
    """)
    assert got.get("error") == "CRSError", got
    message = got["message"]
    assert "\n" not in message
    assert str(path) in message and "EPSG:4326" in message
    assert "look like metres" in message and "9,710,000" in message
    assert "set_crs('EPSG:32749', allow_override=True)" in message


def test_mislabelled_geodataframe_is_refused_before_any_work():
    with pytest.raises(CRSError, match=r"the GeoDataFrame .* look like metres"):
        lg.read_forest_area(mislabelled(raw_forest()))


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_densifying_past_the_budget_is_refused_even_without_the_layer_check():
    got = bounded("""
        import geopandas as gpd
        from shapely import box
        from lahan_geo.metric import to_metric
        metres = gpd.GeoSeries([box(600_000, 9_550_000, 750_000, 9_710_000)], crs=4326)
        to_metric(metres, 32749)
    """)
    assert got.get("error") == "CRSError", got
    assert "look like metres" in got["message"] and "\n" not in got["message"]


def test_honest_work_past_the_budget_says_which_budget(monkeypatch):
    monkeypatch.setattr(metric, "MAX_DENSIFIED_VERTICES", 1_000)
    edges = gpd.GeoSeries([box(112.0, -3.0, 113.0, -2.0)], crs=4326)  # 4,000 vertices
    with pytest.raises(InputError, match=r"more than the budget of 1,000 .*MAX_DENSIFIED"):
        metric.to_metric(edges, 32749)
    monkeypatch.setattr(metric, "MAX_DENSIFIED_VERTICES", 10_000)
    assert len(metric.to_metric(edges, 32749).iloc[0].exterior.coords) > 4_000


def test_honest_layers_still_fit_their_crs():
    assert metric.crs_misfit(raw_forest().total_bounds, raw_forest().crs) is None
    in_metres = raw_forest().to_crs(UTM49S)
    assert metric.crs_misfit(in_metres.total_bounds, in_metres.crs) is None
    layer = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + KM, Y0 + KM)], crs=UTM49S)
    assert len(lg.read_forest_area(layer.assign(FUNGSIKWS=100100.0))) == 1
