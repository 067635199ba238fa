"""Screen the sample plots against the sample layers served by a local ArcGIS REST service.

Run from the repository root:

    PYTHONPATH=src:tests python benchmarks/service.py

Prints the time to screen from the files, and to fetch and screen from the service
(cold: nothing cached; cached: the same edit date, from the on-disk cache; offline:
the service stopped, from the cache) and the provenance recorded.
The service is the test suite's (tests/_arcgis_server.py) on 127.0.0.1, paging at the
real services' maxRecordCount (1,000) and, to show the cost of paging, at 2.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import lahan_geo as lg  # noqa: E402
from _arcgis_server import Layer, Service, description_fixture  # noqa: E402


def run(page: int) -> None:
    sample = ROOT / "sample_data"
    plots = lg.read_plots(sample / "seruyan_plots.csv")
    service = Service()
    forest_desc = description_fixture("kwshutan_ar_250k_072024")
    zoning_desc = description_fixture("pola_ruang_rtrw")
    forest_desc["maxRecordCount"] = zoning_desc["maxRecordCount"] = page
    forest_url = service.add(0, Layer(gpd.read_file(sample / "kawasan_hutan.gpkg"),
                                      forest_desc, date_fields=("TGLSKKWS",)))
    zoning_url = service.add(2, Layer(gpd.read_file(sample / "pola_ruang.gpkg"), zoning_desc))
    timings = {}
    start = time.perf_counter()
    lg.screen(plots, forest=sample / "kawasan_hutan.gpkg", zoning=sample / "pola_ruang.gpkg")
    timings["files"] = time.perf_counter() - start
    for run_name in ("cold", "cached", "offline"):
        if run_name == "offline":
            service.close()  # no service: the run must come from the cache
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lg.errors.LahanGeoWarning)
            result = lg.screen(plots, forest=forest_url, zoning=zoning_url)
        timings[run_name] = time.perf_counter() - start
    print(f"maxRecordCount {page}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    keys = ("service", "layer_name", "last_edit", "query", "fetched_at", "features", "pages",
            "service_cache", "window")
    info = result.attrs["lahan_geo"]["layers"]
    print(json.dumps({k: {x: v.get(x) for x in keys} for k, v in info.items()}, indent=1,
                     default=str))

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LAHAN_GEO_CACHE"] = cache
        for page in (1000, 2):
            run(page)
