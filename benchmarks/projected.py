"""Screening on layers in a projected CRS (issue #14): EPSG:32749 against EPSG:4326.

    .venv/bin/python benchmarks/projected.py            # 100k points, 2.8M-vertex layers
    .venv/bin/python benchmarks/projected.py --quick    # 20k points, the quick layers
    .venv/bin/python benchmarks/projected.py --repeat 3 # 3 cold and 3 warm runs per version

Many district spatial plans arrive in UTM. The benchmark's forest and zoning layers
(EPSG:4326) are reprojected vertex by vertex to EPSG:32749, WGS 84 / UTM 49S
(``generate.projected_layer_path``), and the same plots, in UTM zones 49 and 50, are
screened on both versions, each run in a fresh process (``tasks.py`` ``screen``, the
layers already read): **cold** with an empty layer cache (decisive boundaries
derived, pieces projected and stored), **warm** with the cache the last cold run
filled. The runs alternate between the two versions; the fastest of ``--repeat``
cold runs, and of as many warm runs, counts (the machine is shared: the fastest run
is the one least slowed by others). Target: EPSG:32749 within 1.25x of EPSG:4326, warm and cold.

Also printed: how far the two versions' results differ. The edges of a UTM layer are
straight in UTM, those of a lon/lat layer straight in lon/lat, so plots within
centimetres of an edge may legitimately land on different sides, and distances
differ by the edges' curvature between the two.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

#: Most the EPSG:32749 run may take, as a multiple of the EPSG:4326 run's time.
TARGET_RATIO = 1.25

#: The two versions of the layers: (label, EPSG code passed to the task, None = 4326).
VERSIONS = (("EPSG:4326", None), ("EPSG:32749", generate.PROJECTED_EPSG))


def mode_of(quick: bool) -> dict[str, Any]:
    """Layer size and plot count of a full or quick run."""
    return {"layer": "quick", "points": 20_000} if quick else {"layer": "full",
                                                                "points": 100_000}


def _task(spec: dict[str, Any], cache: Path, timeout: float = 3600.0) -> dict[str, Any]:
    """Run one ``tasks.py`` measurement in a fresh process with ``cache`` as layer cache."""
    env = {**os.environ, "LAHAN_GEO_CACHE": str(cache)}
    try:
        done = subprocess.run([sys.executable, str(HERE / "tasks.py"), json.dumps(spec)],
                              capture_output=True, text=True, timeout=timeout, check=False,
                              env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT ")),
                None)
    if done.returncode or line is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": " ".join(tail)[-300:]}
    return json.loads(line[len("RESULT "):])


def measure(quick: bool = False, repeat: int = 2) -> dict[str, Any]:
    """Cold and warm ``lg.screen`` on both versions of the layers; raw figures by run."""
    mode = mode_of(quick)
    spec = generate.FULL_LAYER if mode["layer"] == "full" else generate.QUICK_LAYER
    for _, epsg in VERSIONS:  # generated and read outside the timings
        for kind in ("forest", "zoning"):
            generate.prepared_layer(kind, spec, epsg)
    generate.plots_path("points", mode["points"])
    work = Path(tempfile.mkdtemp(prefix="lahan_geo_projected_"))
    out: dict[str, Any] = {"mode": mode, "runs": {}}
    try:
        runs = [*(f"cold{i}" for i in range(1, repeat + 1)),
                *(f"warm{i}" for i in range(1, repeat + 1))]
        for run in runs:
            for label, epsg in VERSIONS:
                cache = work / f"cache-{epsg or 4326}"
                if run.startswith("cold"):  # empty; the last one is left for the warm runs
                    shutil.rmtree(cache, ignore_errors=True)
                saved = work / f"result-{epsg or 4326}.pkl"
                task = {"task": "screen", "layer": mode["layer"],
                        "plots": f"points:{mode['points']}", "epsg": epsg,
                        "save_to": str(saved) if run == "warm1" else None}
                print(f"  {run} {label} ...", end="", flush=True)
                result = _task(task, cache)
                out["runs"][f"{run} {label}"] = result
                seconds = result.get("seconds")
                print(f" {seconds:.2f} s" if seconds else f" {result.get('error')}",
                      flush=True)
        out["agreement"] = _agreement(work / "result-4326.pkl",
                                      work / f"result-{generate.PROJECTED_EPSG}.pkl")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _agreement(ours: Path, theirs: Path) -> dict[str, Any]:
    """Plots whose results differ between the 4326 and the 32749 version of the layers."""
    import numpy as np

    if not (ours.exists() and theirs.exists()):
        return {}
    with open(ours, "rb") as fh:
        a = pickle.load(fh)
    with open(theirs, "rb") as fh:
        b = pickle.load(fh)
    out: dict[str, Any] = {"plots": len(a)}
    for column in ("status", "forest_function", "zone_class"):
        same = (a[column] == b[column]) | (a[column].isna() & b[column].isna())
        out[f"{column} differs"] = int((~same).sum())
    for column in ("boundary_distance_m", "zone_boundary_distance_m"):
        diff = np.abs(a[column].to_numpy(float) - b[column].to_numpy(float))
        out[f"{column} max diff"] = float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0
    return out


def _seconds(raw: dict[str, Any], run: str, label: str) -> float | None:
    """The fastest of the cold runs, or of the warm runs."""
    keys = [k for k in raw["runs"] if k.startswith(run) and k.endswith(f" {label}")]
    times = [raw["runs"][k]["seconds"] for k in keys if "seconds" in raw["runs"][k]]
    return min(times) if times else None


def targets_of(raw: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """The targets rows of a :func:`measure` result."""
    n = raw["mode"]["points"]
    rows: list[tuple[str, str, bool | None]] = []
    for run in ("warm", "cold"):
        base = _seconds(raw, run, VERSIONS[0][0])
        projected = _seconds(raw, run, VERSIONS[1][0])
        name = (f"screen {n // 1000}k points, forest+zoning in EPSG:32749 within "
                f"{TARGET_RATIO}x of EPSG:4326 ({run})")
        if base is None or projected is None:
            rows.append((name, "not measured", None))
            continue
        ratio = projected / base
        rows.append((name, f"{projected:.2f} s vs {base:.2f} s = {ratio:.2f}x",
                     ratio <= TARGET_RATIO))
    return rows


def targets(quick: bool = False) -> list[tuple[str, str, bool | None]]:
    """Measure, and return (target, measured value with its ratio, PASS/FAIL/n/a) rows."""
    return targets_of(measure(quick))


def report(raw: dict[str, Any]) -> str:
    """The runs, where their time went, the agreement between versions, the targets."""
    lines = [f"lg.screen of {raw['mode']['points']:,} points, {raw['mode']['layer']} layers, "
             "each run a fresh process:"]
    for key, run in raw["runs"].items():
        if "seconds" not in run:
            lines.append(f"  {key:<20} error: {run.get('error')}")
            continue
        parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(
            run.get("parts", {}).items(), key=lambda kv: -kv[1]) if v >= 0.05)
        lines.append(f"  {key:<20} {run['seconds']:7.2f} s  peak {run['peak_mb']:,.0f} MB, "
                     f"load {run.get('load_before', 0):.1f}  ({parts})")
    if raw.get("agreement"):
        body = ", ".join(f"{k} {v:g}" for k, v in raw["agreement"].items())
        lines.append(f"EPSG:32749 vs EPSG:4326 results (edges straight in each CRS): {body}")
    lines.append("targets (issue #14):")
    for name, value, ok in targets_of(raw):
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"  [{verdict}] {name}: {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20k points, the quick layers")
    parser.add_argument("--repeat", type=int, default=2,
                        help="cold runs and warm runs per version (the fastest counts)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    raw = measure(args.quick, max(args.repeat, 1))
    print(report(raw))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
