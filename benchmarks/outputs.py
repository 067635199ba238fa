"""Outputs at scale (issue #14): each writer against its plain baseline, and the CLI end to end.

    .venv/bin/python benchmarks/outputs.py            # 100,000 plots, the province layers
    .venv/bin/python benchmarks/outputs.py --quick    # 20,000 plots, the quick layers

Writers. The result is the output tests' six-plot result (tests/_result_factory.py:
every status, list columns, Indonesian text, formula-like text, an invalid row without
geometry) repeated to N rows with unique ids. In one fresh process, each writer is
timed right after its baseline on the same frame:

- ``to_geopackage`` and ``to_geojson`` against ``GeoDataFrame.to_file(engine="pyogrio")``
  of the result with its list columns joined (what the writers write);
- ``to_csv`` against ``DataFrame.to_csv`` of that frame (geometry written as WKT text);
- ``to_excel`` against pandas ``to_excel(engine="xlsxwriter")`` of the very cells of
  sheet ``Lahan``, read back from the workbook just written.

CLI. N generated plots (``generate.make_points``: villages' clusters over the province,
0.5% without coordinates) written as a CSV (id, lat, lon), then
``lahan-geo screen plots.csv --forest F --zoning Z --out DIR --no-details`` in a fresh
process, first with an empty layer cache (cold), then again with the cache it filled
(warm). The child times each step by wrapping the functions the command calls (reading
the CSV, each layer, the screening, each writer, the overview map, the swap of the
output set); peak memory is the child's ``ru_maxrss``.

:func:`targets` gives the rows for ``benchmarks/run.py``. Never part of the tests.
"""

from __future__ import annotations

import argparse
import copy
import csv
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "src"), str(ROOT / "tests")]

import generate  # noqa: E402

#: Plots per mode, and the layer spec the CLI reads.
MODES = {"full": (100_000, generate.FULL_LAYER), "quick": (20_000, generate.QUICK_LAYER)}
#: Largest ratio writer / baseline that passes.
WRITER_RATIO = 2.0
#: Seconds the CLI may take end to end.
CLI_SECONDS = 60.0
_WRITERS = (("gpkg", "GeoPackage", "to_file"), ("geojson", "GeoJSON", "to_file"),
            ("csv", "CSV", "to_csv"), ("xlsx", "workbook", "pandas+xlsxwriter"))


# ------------------------------------------------------------------ children

def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def big_result(n: int) -> Any:
    """The output tests' result repeated to ``n`` rows with unique ids."""
    import geopandas as gpd
    import pandas as pd

    from _result_factory import make_result

    base = make_result()
    big = pd.concat([base] * -(-n // len(base)), ignore_index=True).iloc[:n]
    big = gpd.GeoDataFrame(big, geometry="geometry", crs=base.crs)
    big["plot_id"] = [f"KDMP-{i:06d}" for i in range(n)]
    big["source_row"] = range(2, n + 2)
    big.attrs = copy.deepcopy(base.attrs)
    return big


def _joined(result: Any) -> Any:
    """The result with list columns joined by "; ": the frame the baselines write."""
    frame = result.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: "; ".join(v) if isinstance(v, list) else v)
    return frame.infer_objects()


def writers_child(n: int) -> dict[str, Any]:
    """Time every writer and its baseline on ``n`` plots, in this process."""
    import pandas as pd
    from openpyxl import load_workbook

    from lahan_geo.outputs import to_csv, to_excel, to_geojson, to_geopackage

    result = big_result(n)
    frame = _joined(result)
    out = Path(tempfile.mkdtemp(prefix="lahan-bench-outputs-"))
    seconds: dict[str, float] = {}
    seconds["gpkg_base"] = _timed(lambda: frame.to_file(out / "b.gpkg", driver="GPKG",
                                                        engine="pyogrio"))
    seconds["gpkg"] = _timed(lambda: to_geopackage(result, out / "h.gpkg"))
    seconds["geojson_base"] = _timed(lambda: frame.to_file(out / "b.geojson",
                                                           driver="GeoJSON", engine="pyogrio"))
    seconds["geojson"] = _timed(lambda: to_geojson(result, out / "h.geojson"))
    seconds["csv_base"] = _timed(lambda: frame.to_csv(out / "b.csv", index=False))
    seconds["csv"] = _timed(lambda: to_csv(result, out / "h.csv"))
    seconds["xlsx"] = _timed(lambda: to_excel(result, out / "h.xlsx"))
    rows = list(load_workbook(out / "h.xlsx", read_only=True)["Lahan"].iter_rows(
        values_only=True))
    cells = pd.DataFrame(rows[1:], columns=rows[0])
    del rows
    seconds["xlsx_base"] = _timed(lambda: cells.to_excel(
        out / "b.xlsx", sheet_name="Lahan", index=False, engine="xlsxwriter"))
    for path in out.iterdir():
        path.unlink()
    out.rmdir()
    return {"n": n, "seconds": seconds, "cells": int(cells.size)}


def _wrap(owner: Any, name: str, step: str, steps: dict[str, float]) -> None:
    """Replace ``owner.name`` by a function that adds its seconds to ``steps[step]``."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            steps[step] = steps.get(step, 0.0) + time.perf_counter() - start

    setattr(owner, name, timed)


def cli_child(argv: list[str]) -> dict[str, Any]:
    """Run ``lahan-geo screen`` in this process with every step timed."""
    import lahan_geo.outputs as outputs
    from lahan_geo import cli
    from lahan_geo.outputs._atomic import OutputSet

    steps: dict[str, float] = {}
    for owner, name, step in (
            (cli, "read_plots", "read CSV"), (cli, "read_forest_area", "read forest layer"),
            (cli, "read_zoning", "read zoning layer"), (cli, "screen", "screen"),
            (outputs, "to_geopackage", "GeoPackage"), (outputs, "to_geojson", "GeoJSON"),
            (outputs, "to_csv", "CSV"), (outputs, "plot_overview", "overview PNG"),
            (outputs, "to_excel", "workbook"), (OutputSet, "commit", "swap output set")):
        _wrap(owner, name, step, steps)
    start = time.perf_counter()
    status = cli.main(argv)
    total = time.perf_counter() - start
    steps["other"] = total - sum(steps.values())
    return {"status": status, "main_s": total, "steps": steps}


# ------------------------------------------------------------------ parent

def _run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this file as a child with ``args``; return its RESULT and its wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {}),
                               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                              os.environ.get("PYTHONPATH", "")])})
    wall = time.perf_counter() - started
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT ")),
                None)
    if done.returncode or line is None:
        tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        return {"error": tail[-400:], "wall_s": wall}
    return {**json.loads(line[len("RESULT "):]), "wall_s": wall}


def plots_csv(n: int) -> Path:
    """The ``n`` generated plots as a CSV (id, lat, lon), written once under DATA_DIR."""
    path = generate.DATA_DIR / f"plots_{n}_v{generate.GENERATOR_VERSION}.csv"
    if path.exists():
        return path
    plots = generate.make_points(n)
    geoms = plots.geometry
    tmp = path.with_suffix(".tmp.csv")
    generate.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "lat", "lon"])
        for plot_id, geom in zip(plots["plot_id"], geoms, strict=True):
            if geom is None or geom.is_empty:
                out.writerow([plot_id, "", ""])
            else:
                out.writerow([plot_id, f"{geom.y:.6f}", f"{geom.x:.6f}"])
    tmp.replace(path)
    return path


def measure(quick: bool) -> dict[str, Any]:
    """Run the writers child and the CLI cold and warm; return what they reported."""
    n, spec = MODES["quick" if quick else "full"]
    forest = generate.layer_path("forest", spec)
    zoning = generate.layer_path("zoning", spec)
    plots = plots_csv(n)
    found: dict[str, Any] = {"n": n, "writers": _run_child(["--child-writers", str(n)])}
    with tempfile.TemporaryDirectory(prefix="lahan-bench-cli-") as work:
        cache = Path(work) / "layer-cache"
        cache.mkdir()
        for run in ("cold", "warm"):
            argv = ["screen", str(plots), "--forest", str(forest), "--zoning", str(zoning),
                    "--out", str(Path(work) / f"hasil_{run}"), "--no-details"]
            found[f"cli_{run}"] = _run_child(["--child-cli", json.dumps(argv)],
                                             env={"LAHAN_GEO_CACHE": str(cache)})
    return found


def rows(found: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """The target rows of :func:`measure`'s findings."""
    n = found["n"]
    label = f"{n // 1000}k"
    out: list[tuple[str, str, bool | None]] = []
    writers = found["writers"]
    for key, name, baseline in _WRITERS:
        row = f"{name} {label} within {WRITER_RATIO:g}x {baseline}"
        if "error" in writers:
            out.append((row, f"failed: {writers['error'][-120:]}", False))
            continue
        ours, theirs = writers["seconds"][key], writers["seconds"][f"{key}_base"]
        ratio = ours / theirs
        out.append((row, f"{ours:.1f} s vs {theirs:.1f} s = {ratio:.2f}x",
                    ratio <= WRITER_RATIO))
    for run in ("cold", "warm"):
        row = f"CLI end to end {label} < {CLI_SECONDS:g} s (peak MB), {run} layer cache"
        cli = found[f"cli_{run}"]
        if "error" in cli or cli.get("status"):
            why = cli.get("error") or f"exit status {cli.get('status')}"
            out.append((row, f"failed: {why[-120:]}", False))
            continue
        out.append((row, f"{cli['wall_s']:.1f} s, {cli['peak_mb']:,.0f} MB",
                    cli["wall_s"] < CLI_SECONDS))
    return out


def split_lines(found: dict[str, Any]) -> list[str]:
    """Where the CLI's time went, one line per run."""
    lines = []
    for run in ("cold", "warm"):
        cli = found[f"cli_{run}"]
        if "steps" not in cli:
            continue
        start = cli["wall_s"] - cli["main_s"]
        parts = [f"start-up {start:.1f}"] + [f"{k} {v:.1f}" for k, v in cli["steps"].items()]
        lines.append(f"  CLI {run}: " + ", ".join(parts) + " s")
    return lines


def targets(quick: bool = False) -> list[tuple[str, str, bool | None]]:
    """Measure and return (target, measured value with its ratio, PASS/FAIL) rows."""
    return rows(measure(quick))


def main(argv: list[str] | None = None) -> int:
    """Print the writers' and the CLI's rows, with the CLI's split of time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 plots, quick layers")
    parser.add_argument("--child-writers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-cli", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_writers or args.child_cli:
        found = (writers_child(args.child_writers) if args.child_writers
                 else cli_child(json.loads(args.child_cli)))
        found["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print("RESULT " + json.dumps(found))
        return 0
    found = measure(args.quick)
    for name, value, ok in rows(found):
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {name:<62} {value:<34} {verdict}")
    for line in split_lines(found):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
