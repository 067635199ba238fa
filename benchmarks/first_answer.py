"""The cold first answer (issue #14): ``python benchmarks/first_answer.py [--quick]``.

An analyst downloads the forest-estate and spatial-plan layers once (Shapefile or
GeoPackage) and screens a district's 31 plots from a CSV. Each measurement runs in a
FRESH process, so Python's start-up and imports count, as the user feels them; the
time is from starting the process to the answer in hand (printing it and the
interpreter's tear-down are not counted), the peak memory is the process's
``ru_maxrss`` at that moment.

- **by hand**: the geopandas script an analyst would write: read the CSV into points,
  ``gpd.read_file`` both layers (pyogrio), ``gpd.sjoin`` the points with each, and
  ``gpd.sjoin_nearest`` of the points, projected to their UTM zone (EPSG:327xx), to
  the forest polygons' boundaries (``forest.boundary``) in that CRS;
- **cold**: ``lg.screen("plots.csv", forest=path, zoning=path)`` with
  ``LAHAN_GEO_CACHE`` pointing at a new empty folder;
- **warm**: the same again in a new process, with the cache the cold run filled;
- **notebook**: ``read_plots``, ``read_forest_area(path, around=plots)``,
  ``read_zoning(path, around=plots)``, then ``screen``, with an empty cache.

Layers (:mod:`generate`): the province role is ``FULL_LAYER`` (2.8M vertices per
layer; ``QUICK_LAYER`` with ``--quick``); the national role is ``NATIONAL_LAYER`` for
the forest estate (28M vertices over Indonesia's extent, ~0.45 GB per file) with the
province's zoning layer, as an analyst combines the Ministry's national forest layer
with the province's RTRW. Plots: :func:`generate.plots_csv` (31, and 100 in the full
run, in one ~40 x 50 km district). The operating system's file cache is filled
before each comparison (every layer file read once), so that neither side pays for
the disk. Each measurement is repeated (``--repeat``, best time kept) and interleaved
with its baseline. A measurement that times out (``--timeout``, 900 s) or fails is a
FAIL. :func:`targets` returns the rows for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

#: Seconds one measurement may take before it counts as a FAIL.
TIMEOUT_S = 900.0
#: The warm answer may take this many times the by-hand script.
WARM_FACTOR = 1.5

# --------------------------------------------------------------------------------------
# What each fresh process runs (argument: one JSON object). Each prints one line
# ``RESULT {...}`` with ``answer_at`` (time.time() when the answer was in hand).
# --------------------------------------------------------------------------------------
_PRELUDE = """\
import time
started_at = time.time()
import json, resource, sys
args = json.loads(sys.argv[1])
"""

_REPORT = """\
report["answer_at"] = answer_at
report["started_at"] = started_at
report["imported_at"] = imported_at
report["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print("RESULT " + json.dumps(report), flush=True)
"""

BY_HAND = _PRELUDE + """\
import geopandas as gpd
import numpy as np
import pandas as pd
imported_at = time.time()
table = pd.read_csv(args["plots"])
points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                          crs="EPSG:4326")
forest = gpd.read_file(args["forest"], engine="pyogrio")
zoning = gpd.read_file(args["zoning"], engine="pyogrio")
in_forest = gpd.sjoin(points, forest)
in_zoning = gpd.sjoin(points, zoning)
zone = np.floor((points.geometry.x.to_numpy() + 180.0) / 6.0).astype(int) + 1
epsg = np.where(points.geometry.y.to_numpy() < 0, 32700, 32600) + zone
nearest = []
for code in sorted(set(epsg.tolist())):
    edges = gpd.GeoDataFrame(geometry=forest.boundary.to_crs(code))
    nearest.append(gpd.sjoin_nearest(points[epsg == code].to_crs(code), edges,
                                     distance_col="distance_m"))
nearest = pd.concat(nearest)
answer_at = time.time()
report = {"plots": len(points), "forest_pairs": len(in_forest), "zoning_pairs": len(in_zoning),
          "nearest_rows": len(nearest), "utm_epsg": sorted(set(epsg.tolist())),
          "nan_distances": int(nearest["distance_m"].isna().sum())}
""" + _REPORT

_SUMMARY = """\
import hashlib
geoms = result.geometry
located = (geoms.notna() & ~geoms.is_empty).to_numpy()
table = result.drop(columns=[result.geometry.name])
text = table.to_json(orient="split", default_handler=str, double_precision=10)
digest = hashlib.sha256(text.encode() + b"".join(
    g.wkb if g is not None else b"-" for g in geoms)).hexdigest()[:16]
report = {
    "plots": len(result), "located": int(located.sum()),
    "status": {str(k): int(v) for k, v in result["status"].value_counts().sort_index().items()},
    "nan_forest_distance": int(result["boundary_distance_m"].isna().to_numpy()[located].sum()),
    "nan_zone_distance": int(result["zone_boundary_distance_m"].isna().to_numpy()[located].sum()),
    "digest": digest, "lahan_geo": report_from,
}
"""

LAHAN_GEO = _PRELUDE + """\
import lahan_geo as lg
imported_at = time.time()
report_from = lg.__file__
result = lg.screen(args["plots"], forest=args["forest"], zoning=args["zoning"])
answer_at = time.time()
""" + _SUMMARY + _REPORT

NOTEBOOK = _PRELUDE + """\
import lahan_geo as lg
imported_at = time.time()
report_from = lg.__file__
plots = lg.read_plots(args["plots"])
forest = lg.read_forest_area(args["forest"], around=plots)
zoning = lg.read_zoning(args["zoning"], around=plots)
result = lg.screen(plots, forest=forest, zoning=zoning)
answer_at = time.time()
""" + _SUMMARY + _REPORT

CHILDREN = {"by hand": BY_HAND, "cold": LAHAN_GEO, "warm": LAHAN_GEO, "notebook": NOTEBOOK}


# --------------------------------------------------------------------------------------
# Running them
# --------------------------------------------------------------------------------------
def run_child(kind: str, paths: dict[str, str], cache: str, timeout: float = TIMEOUT_S
              ) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; its report, or ``{"error": ...}``.

    ``seconds`` is from starting the process to the answer in hand; ``startup_s`` is
    Python's start-up and ``imports_s`` the imports of geopandas or lahan_geo.
    """
    env = {**os.environ, "LAHAN_GEO_CACHE": cache}
    if env.get("PYTHONPATH"):  # the child runs elsewhere: keep relative entries meaning this
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) if entry else entry
            for entry in env["PYTHONPATH"].split(os.pathsep))
    cmd = [sys.executable, "-c", CHILDREN[kind], json.dumps(paths)]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="lahan-geo-first-cwd-") as cwd:
        spawned = time.time()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False, env=env, cwd=cwd)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout ({timeout:g} s)", "timeout": True, "load": load}
        wall = time.time() - spawned
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT ")),
                None)
    if done.returncode or line is None:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return {"error": "error: " + lines[-1][-300:] if lines else f"exit {done.returncode}",
                "stderr": lines[-60:], "load": load}
    report = json.loads(line[len("RESULT "):])
    report.update(seconds=report["answer_at"] - spawned, wall_s=wall, load=load,
                  startup_s=report["started_at"] - spawned,
                  imports_s=report["imported_at"] - report["started_at"])
    return report


def layer_folder_files(paths: dict[str, str]) -> set[Path]:
    """The files named like the layers (to notice what a run left next to them)."""
    return {file for key in ("forest", "zoning")
            for file in Path(paths[key]).parent.glob(Path(paths[key]).stem + "*")
            if file.is_file()}


def prime_file_cache(paths: dict[str, str]) -> None:
    """Read every file of the layers once, so that no measurement pays for the disk."""
    for key in ("forest", "zoning", "plots"):
        path = Path(paths[key])
        for file in sorted(path.parent.glob(path.stem + ".*")) if path.suffix == ".shp" \
                else [path]:
            with open(file, "rb") as fh:
                while fh.read(1 << 24):
                    pass


@dataclass
class Case:
    """One comparison: a layer role and format, a plot set, the runs wanted."""

    role: str  # "province" or "national"
    fmt: str  # "shp" or "gpkg"
    n_plots: int
    kinds: tuple[str, ...]
    paths: dict[str, str] = field(default_factory=dict)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        extra = "" if self.n_plots == 31 else f", {self.n_plots} plots"
        return f"{self.role}, {self.fmt}{extra}"

    def best(self, kind: str) -> dict[str, Any] | None:
        """The fastest successful run of ``kind``, else its first failure, else None."""
        runs = self.runs.get(kind, [])
        good = [r for r in runs if "error" not in r]
        if good:
            return min(good, key=lambda r: r["seconds"])
        return runs[0] if runs else None


def cases(quick: bool, only: str | None = None) -> list[Case]:
    """The comparisons of a quick or full run (those whose label contains ``only``).

    Their inputs are generated when missing.
    """
    province = generate.QUICK_LAYER if quick else generate.FULL_LAYER
    wanted = [Case("province", "shp", 31, ("by hand", "cold", "warm", "notebook")),
              Case("province", "gpkg", 31, ("by hand", "cold", "warm"))]
    if not quick:
        wanted += [Case("province", "shp", 100, ("by hand", "cold")),
                   Case("national", "shp", 31, ("by hand", "cold", "warm")),
                   Case("national", "gpkg", 31, ("by hand", "cold", "warm"))]
    wanted = [case for case in wanted if only is None or only in case.label]
    for case in wanted:
        forest_spec = generate.NATIONAL_LAYER if case.role == "national" else province
        case.paths = {"plots": str(generate.plots_csv(case.n_plots)),
                      "forest": str(generate.layer_file("forest", forest_spec, case.fmt)),
                      "zoning": str(generate.layer_file("zoning", province, case.fmt))}
    return wanted


def measure(case: Case, repeat: int, timeout: float = TIMEOUT_S) -> Iterator[str]:
    """Run the case's measurements ``repeat`` times, interleaved; yield a line per run."""
    prime_file_cache(case.paths)
    for attempt in range(repeat):
        cache = tempfile.mkdtemp(prefix="lahan-geo-first-cache-")
        try:
            for kind in case.kinds:
                if any("error" in r for r in case.runs.get(kind, [])):
                    continue  # failed or timed out once: do not wait for it again
                if kind == "notebook":  # cold too: its own empty cache
                    shutil.rmtree(cache, ignore_errors=True)
                    os.mkdir(cache, 0o700)
                if kind == "warm" and "error" in case.runs.get("cold", [{}])[-1]:
                    report = {"error": "not run: the cold run did not fill the cache"}
                else:
                    before = layer_folder_files(case.paths)
                    report = run_child(kind, case.paths, cache, timeout)
                    # e.g. a .qix index: note it and remove it, the next run gets the
                    # download as it arrived
                    left = sorted(layer_folder_files(case.paths) - before)
                    if left:
                        report["left_files"] = [file.name for file in left]
                        for file in left:
                            file.unlink()
                case.runs.setdefault(kind, []).append(report)
                yield f"  {case.label:<24} {kind:<9} #{attempt + 1}  {describe(report)}"
        finally:
            shutil.rmtree(cache, ignore_errors=True)


def describe(report: dict[str, Any]) -> str:
    """One line for a run: seconds, peak memory, and lahan_geo's statuses."""
    if "error" in report:
        return report["error"]
    if report.get("left_files"):
        text = f"[left next to the layers, removed: {', '.join(report['left_files'])}] "
    else:
        text = ""
    text += (f"{report['seconds']:7.2f} s  (start-up {report['startup_s']:.2f} s, imports "
             f"{report['imports_s']:.2f} s)  peak {report['peak_mb']:,.0f} MB  "
             f"load {report['load']:.1f}")
    if "status" in report:
        statuses = ", ".join(f"{k} {v}" for k, v in report["status"].items())
        text += (f"  | {statuses}; NaN distances of {report['located']} located: forest "
                 f"{report['nan_forest_distance']}, zone {report['nan_zone_distance']}")
    return text


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------
def compare(case: Case, kind: str, factor: float) -> tuple[str, bool]:
    """``kind``'s best time against the by-hand script's: value text, PASS."""
    mine, hand = case.best(kind), case.best("by hand")
    if mine is None or hand is None:
        return "not measured", False
    if "error" in mine:
        return f"{kind}: {mine['error']}", False
    if "error" in hand:
        return f"by hand: {hand['error']}", False
    ratio = mine["seconds"] / hand["seconds"]
    value = (f"{mine['seconds']:.1f} s vs {hand['seconds']:.1f} s by hand ({ratio:.2f}x; "
             f"peak {mine['peak_mb']:,.0f} vs {hand['peak_mb']:,.0f} MB)")
    return value, ratio <= factor


def rows(done: list[Case], quick: bool) -> list[tuple[str, str, bool | None]]:
    """The target rows of finished cases."""
    out: list[tuple[str, str, bool | None]] = []
    size = " [quick layer]" if quick else ""
    for case in done:
        value, ok = compare(case, "cold", 1.0)
        out.append((f"cold first answer <= by-hand script ({case.label})", value + size, ok))
    for case in done:
        if "warm" in case.kinds and case.role == "province":
            value, ok = compare(case, "warm", WARM_FACTOR)
            out.append((f"warm answer <= {WARM_FACTOR}x by-hand script ({case.label})",
                        value + size, ok))
    for case in done:
        if "notebook" in case.kinds:
            value, ok = compare(case, "notebook", 1.0)
            out.append((f"notebook flow cold (read_* around=plots, screen) <= by-hand "
                        f"script ({case.label})", value + size, ok))
    out.append(nan_row(done))
    for role in dict.fromkeys(case.role for case in done):
        out.append(same_answer_row([c for c in done if c.role == role and c.n_plots == 31],
                                   role))
    return out


def _lahan_geo_runs(done: list[Case]) -> Iterator[tuple[Case, str, dict[str, Any]]]:
    for case in done:
        for kind, runs in case.runs.items():
            if kind != "by hand":
                for report in runs:
                    if "error" not in report:
                        yield case, kind, report


def nan_row(done: list[Case]) -> tuple[str, str, bool | None]:
    """Every lahan_geo answer has both boundary distances for every located plot."""
    bad = list(dict.fromkeys(  # one entry per distinct finding, in order
        f"{case.label} {kind}: forest {r['nan_forest_distance']}, zone {r['nan_zone_distance']}"
        for case, kind, r in _lahan_geo_runs(done)
        if r["nan_forest_distance"] or r["nan_zone_distance"]))
    runs = sum(1 for _ in _lahan_geo_runs(done))
    if not runs:
        return "0 NaN boundary distances for located plots", "no lahan_geo answer", False
    value = "; ".join(bad) if bad else f"0 in {runs} answers"
    return "0 NaN boundary distances for located plots", value, not bad


def same_answer_row(done: list[Case], role: str) -> tuple[str, str, bool | None]:
    """cold, warm and notebook answers, from Shapefile and GeoPackage, are identical."""
    groups: dict[str, dict[str, int]] = {}  # digest -> "fmt kind" -> answers
    for case, kind, report in _lahan_geo_runs(done):
        keys = groups.setdefault(report["digest"], {})
        keys[f"{case.fmt} {kind}"] = keys.get(f"{case.fmt} {kind}", 0) + 1
    name = f"same answer from every path and format ({role})"
    if not groups:
        return name, "no lahan_geo answer", False
    if len(groups) == 1:
        return name, f"{sum(next(iter(groups.values())).values())} answers identical", True
    text = " differ from ".join(", ".join(f"{key} x{n}" for key, n in keys.items())
                               for keys in groups.values())
    return name, text, False


def run_all(quick: bool, repeat: int | None = None, timeout: float = TIMEOUT_S,
            only: str | None = None) -> tuple[list[Case], list[tuple[str, str, bool | None]]]:
    """Generate the inputs, measure every case (printing each run), return cases and rows."""
    repeat = repeat or (3 if quick else 2)
    print(f"first answer ({'quick' if quick else 'full'}, best of {repeat}, "
          f"timeout {timeout:g} s):", flush=True)
    done = cases(quick, only)
    for case in done:
        for line in measure(case, repeat, timeout):
            print(line, flush=True)
    used = sorted({r["lahan_geo"] for _, _, r in _lahan_geo_runs(done)})
    print(f"  lahan_geo imported from: {', '.join(used) or '-'}", flush=True)
    return done, rows(done, quick)


def targets(quick: bool = False) -> list[tuple[str, str, bool | None]]:
    """Measure and return (target, measured value with its ratio, PASS) rows.

    Every run's figures are also written as JSON (its path is printed).
    """
    done, found = run_all(quick)
    print(f"  figures: {save(done, found, quick)}", flush=True)
    return found


def save(done: list[Case], found: list[tuple[str, str, bool | None]], quick: bool) -> Path:
    """Write every run's figures as JSON under ``generate.DATA_DIR/results``."""
    folder = generate.DATA_DIR / "results"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    path = folder / f"first-answer-{'quick' if quick else 'full'}-{stamp}.json"
    data = {"cases": [{"label": c.label, "paths": c.paths, "runs": c.runs} for c in done],
            "targets": found}
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="the quick layer for the province role, no national layer")
    parser.add_argument("--repeat", type=int, help="runs of each measurement (best kept; "
                        "default 3 quick, 2 full)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S,
                        help=f"seconds per measurement (default {TIMEOUT_S:.0f})")
    parser.add_argument("--only", help="only the cases whose label contains this, "
                        "e.g. 'national, shp'")
    args = parser.parse_args(argv)
    done, found = run_all(args.quick, args.repeat, args.timeout, args.only)
    print("targets (issue #14):")
    for name, value, ok in found:
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {verdict}  {name}: {value}")
    print(f"figures: {save(done, found, args.quick)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
