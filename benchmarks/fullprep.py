"""What preparing a whole layer costs, cold (issue #14): the price a large batch pays once.

    .venv/bin/python benchmarks/fullprep.py            # the province layers (2.8M vertices)
    .venv/bin/python benchmarks/fullprep.py --quick    # the quick layers

Each measurement runs in a fresh process with an empty layer cache:

- ``read_forest_area`` of the whole forest layer (read, repair, normalise, overlap
  report, cache write);
- the first ``screen`` of 31 plots with both whole layers read first (decisive
  boundaries derived and projected, pieces cut, caches written);
- the by-hand geopandas script the issue compares with: read both layers, ``sjoin``
  the plots with each, ``sjoin_nearest`` to the forest boundaries in UTM.

The rows have no PASS/FAIL: the issue's cold target is for the windowed first answer
(benchmarks/run.py); these say what the full-layer path costs when a batch needs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate

PLOTS = 31
STEPS = ("by_hand", "read_forest_area", "first_screen")


def _spec(quick: bool) -> generate.LayerSpec:
    return generate.QUICK_LAYER if quick else generate.FULL_LAYER


def _child(step: str, quick: bool) -> dict[str, float]:
    """Run one measurement in this (fresh) process and return its seconds."""
    import geopandas as gpd

    forest_path = generate.layer_path("forest", _spec(quick))
    zoning_path = generate.layer_path("zoning", _spec(quick))
    plots = generate.make_points(PLOTS, seed=7)
    started = time.perf_counter()
    if step == "by_hand":
        forest = gpd.read_file(forest_path, engine="pyogrio")
        zoning = gpd.read_file(zoning_path, engine="pyogrio")
        points = plots[["plot_id", "geometry"]]
        gpd.sjoin(points, forest, how="left")
        gpd.sjoin(points, zoning, how="left")
        edges = gpd.GeoDataFrame(geometry=forest.boundary.to_crs(32749))
        gpd.sjoin_nearest(points.to_crs(32749), edges, distance_col="distance_m")
        return {"seconds": time.perf_counter() - started}
    import lahan_geo as lg

    forest = lg.read_forest_area(forest_path)
    read = time.perf_counter() - started
    if step == "read_forest_area":
        return {"seconds": read}
    zoning = lg.read_zoning(zoning_path)
    lg.screen(plots, forest, zoning, progress=False)
    return {"seconds": time.perf_counter() - started, "read_forest_area": read}


def measure(step: str, quick: bool) -> dict[str, float]:
    """Run :func:`_child` in a fresh process with an empty layer cache."""
    with tempfile.TemporaryDirectory(prefix="lahan-geo-fullprep-") as cache:
        env = {**os.environ, "LAHAN_GEO_CACHE": cache}
        args = [sys.executable, str(Path(__file__).resolve()), "--child", step]
        done = subprocess.run([*args, *(["--quick"] if quick else [])], env=env, check=True,
                              capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(quick: bool = False) -> dict[str, dict[str, float]]:
    """Every measurement, each in its own cold process."""
    for kind in ("forest", "zoning"):
        generate.layer_path(kind, _spec(quick))  # generated before any clock starts
    return {step: measure(step, quick) for step in STEPS}


def targets(quick: bool = False) -> list[tuple[str, str, bool | None]]:
    """Rows for benchmarks/run.py: the full-layer cold costs against the by-hand script."""
    got = rows(quick)
    hand = got["by_hand"]["seconds"]
    size = _spec(quick).label
    return [(f"full layer {size}: cold read_forest_area",
             f"{got['read_forest_area']['seconds']:.1f} s = "
             f"{got['read_forest_area']['seconds'] / hand:.1f}x by-hand script", None),
            (f"full layer {size}: cold read both + screen {PLOTS} plots",
             f"{got['first_screen']['seconds']:.1f} s = "
             f"{got['first_screen']['seconds'] / hand:.1f}x by-hand script "
             f"({hand:.1f} s)", None)]


def main() -> None:
    quick = "--quick" in sys.argv
    if "--child" in sys.argv:
        print(json.dumps(_child(sys.argv[sys.argv.index("--child") + 1], quick)))
        return
    for name, value, _ in targets(quick):
        print(f"{name}  {value}")


if __name__ == "__main__":
    main()
