"""Screen the sample plots against the sample layers served by a local ArcGIS REST service.

Run from the repository root:

    PYTHONPATH=src:tests python benchmarks/service.py

Prints the time to fetch and screen (cold: nothing cached; cached: the same run again,
served from the on-disk cache with the service stopped) and the provenance recorded.
The service is the test suite's (tests/_arcgis_server.py) on 127.0.0.1, paging at the
real services' maxRecordCount (1,000) and, to show the cost of paging, at 2.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
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
    for run_name in ("cold", "cached"):
        if run_name == "cached":
            service.close()  # offline: the second run must come from the cache
        start = time.perf_counter()
        try:
            result = lg.screen(plots, forest=forest_url, zoning=zoning_url)
        except lg.LahanGeoError as err:
            print(f"{run_name}: {err}")
            continue
        timings[run_name] = time.perf_counter() - start
    if service.thread.is_alive():
        service.close()
    print(f"maxRecordCount {page}: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    info = result.attrs["lahan_geo"]["layers"]
    print(json.dumps({k: {x: v.get(x) for x in ("service", "layer_name", "last_edit", "query",
                                                 "fetched_at", "features", "pages", "cache",
                                                 "window")} for k, v in info.items()},
                     indent=1, default=str))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LAHAN_GEO_CACHE"] = cache
        for page in (1000, 2):
            run(page)
