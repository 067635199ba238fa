"""lahan_geo benchmarks (issue #6): ``make bench`` / ``python benchmarks/run.py [--quick]``.

For the same generated inputs (see :mod:`generate`), one run measures and prints:

- ``lg.screen`` end to end (forest, zoning, decisive-boundary distances) and the time
  spent in its parts (boundaries, projection, containment, distance, polygon overlap);
- the bare shapely kernel (STRtree on the points, queried with the layer polygons:
  point-in-polygon pairs only, both layers);
- naive ``geopandas.sjoin`` (default predicate) on a subset, extrapolated linearly;
- PostGIS with GiST indexes, started on 127.0.0.1 by :mod:`postgis` (skipped with a
  message where it cannot start), doing the same work: ST_Intersects with both layers
  plus ST_Distance to the nearest decisive boundary (ST_Boundary of the layer
  dissolved per outcome) in each plot's UTM zone; and for parcels ST_Area(ST_Intersection);
- ``read_forest_area(path)`` twice (the layer cache), the national batch of 82,829
  real village centroids (when ../shared is present) and the dask engine on 1 and 2
  workers;

then checks that the engines agree (same pairs, categories, distances, overlap %) and
reports each target of the issue as pass/fail, without failing the run. Every
measurement runs in its own process; peak memory is that process's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import postgis  # noqa: E402

MODES: dict[str, dict[str, Any]] = {
    "quick": {"layer": "quick", "points": [20_000], "polygons": [300], "polygon_sample": 0,
              "sjoin": 1_000, "national": False, "dask_points": 10_000, "pg_variants": "join"},
    # --polygon-sample N screens only N parcels of each set and extrapolates (for code
    # whose per-parcel cost makes 100k parcels take hours); PostGIS always does them all.
    "full": {"layer": "full", "points": [10_000, 100_000, 1_000_000],
             "polygons": [10_000, 100_000], "polygon_sample": 0, "sjoin": 5_000,
             "national": True, "dask_points": 400_000, "pg_variants": "sub,join"},
}

#: lahan_geo's layer cache (LAHAN_GEO_CACHE) for the measurements: the benchmark's own,
#: never the user's. Warm for every lg.screen measurement but the "cold" one.
LAYER_CACHE = generate.DATA_DIR / "layer-cache"

#: The parts of lg.screen's time that compute what PostGIS's parcel query computes.
_OVERLAP_PARTS = ("containment", "subdivision", "polygon overlap")

TARGETS = {
    "e2e_vs_postgis": 2.0, "e2e_vs_sjoin": 100.0, "containment_vs_kernel": 1.5,
    "polygons_vs_postgis": 1.0, "layer_cache": 10.0, "memory_1m_mb": 4096.0,
}


class Runner:
    """Start one process per measurement and keep what they report."""

    def __init__(self, args: argparse.Namespace, out_dir: Path) -> None:
        self.args = args
        self.out_dir = out_dir
        self.results: dict[str, Any] = {}
        self.log: list[str] = []

    def run(self, key: str, spec: dict[str, Any], *, timeout: float = 6 * 3600,
            prefix: list[str] | None = None, cache: Path | None = None
            ) -> dict[str, Any] | None:
        """Run one task in a fresh process; ``cache`` is its LAHAN_GEO_CACHE folder."""
        cmd = [*(prefix or []), sys.executable, str(HERE / "tasks.py"), json.dumps(spec)]
        env = {**os.environ, "LAHAN_GEO_CACHE": str(cache or LAYER_CACHE)}
        print(f"  {key} ...", end="", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False, env=env)
        except subprocess.TimeoutExpired:
            print(f" timed out after {timeout:.0f} s")
            self.results[key] = {"error": f"timeout {timeout:.0f} s"}
            return None
        wall = time.perf_counter() - started
        line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT ")),
                    None)
        if done.returncode or line is None:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            print(f" failed ({'; '.join(tail)[:300]})")
            self.results[key] = {"error": " ".join(tail)[-300:]}
            return None
        result = json.loads(line[len("RESULT "):])
        result["wall_s"] = wall
        self.results[key] = result
        shown = result.get("seconds")
        print(f" {shown:.2f} s" if isinstance(shown, float) else " done", flush=True)
        return result


# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="20k points on a smaller layer, < 2 minutes")
    parser.add_argument("--points", help="comma-separated point-set sizes")
    parser.add_argument("--polygons", help="comma-separated parcel-set sizes")
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--national", action=argparse.BooleanOptionalAction, default=None,
                        help="screen the 82,829 real village centroids (default: full run)")
    parser.add_argument("--polygon-sample", type=int,
                        help="screen only this many parcels and extrapolate (0: all)")
    parser.add_argument("--pg-variants",
                        help="PostGIS point queries: sub (ST_Subdivide'd layers), join "
                             "(default: both in the full run, join in the quick one)")
    parser.add_argument("--profile", action="store_true",
                        help="only profile lg.screen on the largest point and parcel sets")
    parser.add_argument("--issue14", choices=("yes", "no", "only"), default="yes",
                        help="the first-answer, projected-layer, writer and CLI targets of "
                             "issue #14 (benchmarks/first_answer.py, projected.py, outputs.py)"
                             ": run them too (yes), not (no), or only them (only)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--render", type=Path, metavar="RESULTS.json",
                        help="print the report of a finished run again (from its JSON in "
                             "benchmarks/.data/results/), measuring nothing")
    args = parser.parse_args(argv)
    if args.render:
        return rerender(args)
    mode = dict(MODES["quick" if args.quick else "full"])
    mode["name"] = "quick" if args.quick else "full"
    if args.points:
        mode["points"] = [int(x) for x in args.points.split(",") if x]
    if args.polygons is not None:
        mode["polygons"] = [int(x) for x in args.polygons.split(",") if x]
    if args.national is not None:
        mode["national"] = args.national
    if args.polygon_sample is not None:
        mode["polygon_sample"] = args.polygon_sample
    if args.pg_variants:
        mode["pg_variants"] = args.pg_variants

    started = time.perf_counter()
    out_dir = generate.DATA_DIR / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(args, out_dir)
    print(f"lahan_geo benchmark, {mode['name']} run; inputs cached in {generate.DATA_DIR}")
    layer_info = prepare_inputs(mode)
    if args.profile:
        return profile(runner, mode)

    if args.issue14 == "only":
        rows = run_issue14(runner, quick=args.quick)
        report = "\n".join(render_issue14(rows))
        print()
        print(report)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (out_dir / f"{mode['name']}-issue14-{stamp}.txt").write_text(report + "\n")
        return 0
    layer = mode["layer"]
    print("measuring:")
    runner.run("layer_load", {"task": "layer_load", "layer": layer})
    point_sets = [f"points:{n}" for n in mode["points"]]
    if mode["national"] and generate.plots_path("national") is not None:
        point_sets.append("national")
    elif mode["national"]:
        runner.log.append("national batch skipped: ../shared/data/wilayah/"
                          "indonesia_desa_centroids.csv is absent")
    smallest = point_sets[0]
    # First screening with layers never seen before: an empty layer cache. Then make
    # sure the benchmark's cache holds what lg.screen derives from the layers, so the
    # other measurements see the steady state (as PostGIS's setup is not counted).
    with tempfile.TemporaryDirectory(prefix="lahan_geo_bench_cold_") as cold:
        runner.run(f"screen-cold {smallest}", {"task": "screen", "layer": layer,
                                               "plots": smallest}, cache=Path(cold))
    runner.run("warm-up", {"task": "screen", "layer": layer, "plots": smallest,
                           "sample": 200, "breakdown": False})
    if mode["polygons"]:  # the layers' edges and pieces, which parcels need
        runner.run("warm-up parcels", {"task": "screen", "layer": layer,
                                       "plots": f"polygons:{mode['polygons'][0]}",
                                       "sample": 200, "breakdown": False})
    if "national" in point_sets:  # boundaries in each of its 9 UTM zones
        runner.run("warm-up national", {"task": "screen", "layer": layer,
                                        "plots": "national", "breakdown": False})
    for plots in point_sets:
        keep = plots in (smallest, "national")
        runner.run(f"screen {plots}", {"task": "screen", "layer": layer, "plots": plots,
                                       "save_to": _artifact(out_dir, "screen", plots, keep)})
        runner.run(f"kernel {plots}", {"task": "kernel", "layer": layer, "plots": plots,
                                       "save_to": _artifact(out_dir, "kernel", plots, keep)})
    runner.run("sjoin", {"task": "sjoin", "layer": layer, "plots": point_sets[0],
                         "k": mode["sjoin"]})
    sample = mode["polygon_sample"]
    for n in mode["polygons"]:
        plots = f"polygons:{n}"
        if sample and n > sample:  # one sample stands for every size
            if n == mode["polygons"][0]:
                runner.run("screen parcels-sample", {
                    "task": "screen", "layer": layer, "plots": plots, "sample": sample,
                    "save_to": _artifact(out_dir, "screen", plots, True)})
            continue
        runner.run(f"screen {plots}", {"task": "screen", "layer": layer, "plots": plots,
                                       "save_to": _artifact(out_dir, "screen", plots,
                                                            n == mode["polygons"][0])})
    pg_version = None
    if not args.no_postgis:
        pg_version = run_postgis(runner, mode, point_sets, out_dir)
    else:
        runner.log.append("PostGIS skipped (--no-postgis)")
    if not args.no_dask:
        run_dask(runner, mode)
    run_checks(runner, mode, point_sets, out_dir)
    issue14 = run_issue14(runner, quick=args.quick) if args.issue14 == "yes" else []

    report = render(runner, mode, layer_info, pg_version, time.perf_counter() - started)
    if issue14:
        report += "\n" + "\n".join(render_issue14(issue14))
    print()
    print(report)
    payload = {"mode": mode, "layers": layer_info, "results": runner.results,
               "issue14": issue14,
               "postgis": pg_version, "notes": runner.log,
               "elapsed_s": time.perf_counter() - started}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"{mode['name']}-{stamp}.json").write_text(json.dumps(payload, indent=1,
                                                                      default=str))
    (out_dir / f"{mode['name']}-{stamp}.txt").write_text(report + "\n")
    if args.json:
        args.json.write_text(json.dumps(payload, indent=1, default=str))
    return 0


#: The modules measuring issue #14's targets, each with ``targets(quick)``.
ISSUE14_MODULES = ("first_answer", "projected", "outputs", "fullprep")


def run_issue14(runner: Runner, *, quick: bool) -> list[list[Any]]:
    """Measure issue #14's targets: ``[module, target, value, verdict]`` rows.

    Each module runs its own fresh processes (cold and warm caches matter there) and
    compares with its baseline in the same run; a module that fails is a FAIL row.
    """
    import importlib

    rows: list[list[Any]] = []
    for name in ISSUE14_MODULES:
        print(f"issue #14: {name} ...", flush=True)
        try:
            module = importlib.import_module(name)
            found = module.targets(quick=quick)
        except Exception as err:  # one module's failure must not hide the others
            rows.append([name, f"{name} could not run", f"{type(err).__name__}: {err}"[:300],
                         False])
            runner.log.append(f"issue #14 module {name} failed: {type(err).__name__}: {err}")
            continue
        rows.extend([name, target, value, ok] for target, value, ok in found)
    return rows


def render_issue14(rows: list[list[Any]]) -> list[str]:
    """The report's "targets (issue #14)" section."""
    out = ["", "targets (issue #14):"]
    for _, target, value, ok in rows:
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        out.append(f"  [{verdict}] {target}: {value}")
    return out


def rerender(args: argparse.Namespace) -> int:
    """Print the report of a finished run from its JSON (after changing the report)."""
    payload = json.loads(args.render.read_text())
    runner = Runner(args, args.render.parent)
    runner.results, runner.log = payload["results"], payload["notes"]
    elapsed = payload.get("elapsed_s")
    if elapsed is None:  # runs before elapsed_s was stored: their own report has it
        text = args.render.with_suffix(".txt")
        found = re.search(r"run, ([\d.]+) min\)", text.read_text()) if text.is_file() else None
        elapsed = float(found.group(1)) * 60 if found else 0.0
    print(render(runner, payload["mode"], payload["layers"], payload["postgis"], elapsed))
    if payload.get("issue14"):
        print("\n".join(render_issue14(payload["issue14"])))
    return 0


def _artifact(out_dir: Path, what: str, plots: str, keep: bool) -> str | None:
    return str(out_dir / f"{what}-{plots.replace(':', '-')}.pkl") if keep else None


def prepare_inputs(mode: dict[str, Any]) -> dict[str, Any]:
    """Generate (or find in the cache) every input of the run, and describe the layers."""
    import shapely

    spec = generate.QUICK_LAYER if mode["layer"] == "quick" else generate.FULL_LAYER
    started = time.perf_counter()
    info = {}
    for kind in ("forest", "zoning"):
        layer = generate.load(generate.prepared_layer(kind, spec))
        info[kind] = {"features": len(layer),
                      "vertices": int(shapely.get_num_coordinates(layer.geometry.array).sum()),
                      "file": generate.layer_path(kind, spec).name}
    for n in mode["points"]:
        generate.plots_path("points", n)
    for n in mode["polygons"]:
        generate.plots_path("polygons", n)
    if not mode.get("no_dask"):
        generate.plots_path("points", mode["dask_points"])
    if mode["national"]:
        generate.plots_path("national")
    print(f"inputs ready ({time.perf_counter() - started:.1f} s)")
    return info


def run_postgis(runner: Runner, mode: dict[str, Any], point_sets: list[str], out_dir: Path
                ) -> str | None:
    problem = postgis.postgis_problem()
    if problem:
        runner.log.append(f"PostGIS skipped: {problem}")
        print(f"  PostGIS skipped: {problem}")
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        runner.log.append("PostGIS skipped: psycopg is not installed (pip install "
                          "'psycopg[binary]')")
        return None
    layer = mode["layer"]
    try:
        with postgis.postgis() as dsn:
            server = postgis.shared_server()
            version = server.version() if server else "external server"
            runner.run("pg_setup", {"task": "pg_setup", "dsn": dsn, "layer": layer})
            variants = [v for v in mode["pg_variants"].split(",") if v]
            for plots in point_sets:
                for variant in variants:
                    keep = plots in (point_sets[0], "national") and variant == variants[0]
                    runner.run(f"pg_points/{variant} {plots}", {
                        "task": "pg_points", "dsn": dsn, "layer": layer, "plots": plots,
                        "variant": variant,
                        "save_to": _artifact(out_dir, f"pg-{variant}", plots, keep)})
            for n in mode["polygons"]:
                plots = f"polygons:{n}"
                runner.run(f"pg_polygons {plots}", {
                    "task": "pg_polygons", "dsn": dsn, "layer": layer, "plots": plots,
                    "save_to": _artifact(out_dir, "pg", plots, n == mode["polygons"][0])})
    except postgis.PostGISUnavailable as err:
        runner.log.append(f"PostGIS skipped: {err}")
        print(f"  PostGIS skipped: {err}")
        return None
    return version


def run_dask(runner: Runner, mode: dict[str, Any]) -> None:
    try:
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as err:
        runner.log.append(f"dask engine skipped: {err} (pip install 'dask[distributed]' "
                          "dask-geopandas)")
        return
    plots = f"points:{mode['dask_points']}"
    for workers in (1, 2):
        runner.run(f"dask {workers}w", {"task": "dask_scale", "layer": mode["layer"],
                                        "plots": plots, "workers": workers})


def run_checks(runner: Runner, mode: dict[str, Any], point_sets: list[str], out_dir: Path
               ) -> None:
    variant = mode["pg_variants"].split(",")[0]
    for plots in [point_sets[0], *(["national"] if "national" in point_sets else [])]:
        screen_file = _artifact(out_dir, "screen", plots, True)
        pg_file = _artifact(out_dir, f"pg-{variant}", plots, True)
        if not Path(screen_file).exists():
            continue
        runner.run(f"check {plots}", {
            "task": "check", "layer": mode["layer"], "plots": plots, "screen_file": screen_file,
            "kernel_file": _artifact(out_dir, "kernel", plots, True),
            "pg_file": pg_file if Path(pg_file).exists() else None})
    if mode["polygons"]:
        plots = f"polygons:{mode['polygons'][0]}"
        pg_file = _artifact(out_dir, "pg", plots, True)
        if Path(pg_file).exists():
            runner.run(f"check {plots}", {
                "task": "check", "layer": mode["layer"], "plots": plots, "kind": "polygons",
                "screen_file": _artifact(out_dir, "screen", plots, True), "pg_file": pg_file})


# --------------------------------------------------------------------------------------
def profile(runner: Runner, mode: dict[str, Any]) -> int:
    """Profile lg.screen on the largest point set and the largest parcel set."""
    prof_dir = generate.DATA_DIR / "profiles"
    prof_dir.mkdir(parents=True, exist_ok=True)
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable)
                                                                           .parent))
    sets = [f"points:{max(mode['points'])}"]
    if mode["polygons"]:
        sets.append(f"polygons:{max(mode['polygons'])}")
    for plots in sets:
        name = plots.replace(":", "-")
        sample = mode["polygon_sample"] if plots.startswith("polygons") else 0
        if py_spy:
            raw = prof_dir / f"{mode['name']}-{name}.pyspy.txt"
            runner.run(f"py-spy {plots}", {"task": "screen", "layer": mode["layer"],
                                           "plots": plots, "breakdown": False,
                                           "sample": sample},
                       prefix=[py_spy, "record", "-r", "25", "-f", "raw", "-o", str(raw),
                               "--"])
            if raw.exists():
                what = f"first {sample:,} of {plots}" if sample else plots
                print(f"\n== lg.screen on {what}: py-spy samples ({raw})")
                print(summarize_collapsed(raw))
        else:
            out = prof_dir / f"{mode['name']}-{name}.prof"
            res = runner.run(f"cProfile {plots}", {"task": "profile", "layer": mode["layer"],
                                                   "plots": plots, "out": str(out),
                                                   "sample": sample})
            if res:
                print(f"\n== lg.screen on {plots}: cProfile ({out})")
                print(res["report"])
    return 0


def summarize_collapsed(path: Path, top: int = 22) -> str:
    """Inclusive and self share per function from py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";")]
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    lines = [f"{'inclusive':>9} {'self':>6}  function (samples: {total})"]
    for f, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:8.1f}% {100 * own[f] / total:5.1f}%  {f}")
    lines.append("top self time:")
    for f, n in own.most_common(12):
        lines.append(f"{'':9} {100 * n / total:5.1f}%  {f}")
    return "\n".join(lines)


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file, _, _line = where.rpartition(":")
    for marker in ("site-packages/", "src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{name} ({file})"


# --------------------------------------------------------------------------------------
def _rate(n: float, seconds: float | None) -> float | None:
    return n / seconds if seconds else None


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:,.2f}x" if value < 10 else f"{value:,.0f}x"
    if value >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:,.2f}{unit}" if value < 10 else f"{value:,.1f}{unit}"


def render(runner: Runner, mode: dict[str, Any], layers: dict[str, Any],
           pg_version: str | None, elapsed: float) -> str:
    import geopandas
    import shapely

    r = runner.results
    out = []
    fv = layers["forest"]
    zv = layers["zoning"]
    out.append(f"lahan_geo benchmark ({mode['name']} run, {elapsed / 60:.1f} min) on "
               f"{os.cpu_count()} CPUs, {_mem_gb():.0f} GB RAM, Python "
               f"{platform.python_version()}, geopandas {geopandas.__version__}, shapely "
               f"{shapely.__version__} (GEOS {'.'.join(map(str, shapely.geos_version))})")
    out.append(f"layers: forest {fv['features']:,} polygons / {fv['vertices'] / 1e6:.2f}M "
               f"vertices, zoning {zv['features']:,} / {zv['vertices'] / 1e6:.2f}M, EPSG:4326 "
               "(lon 111-116, lat -3.5-0.5: UTM zones 49 and 50, both hemispheres)")
    out.append(f"PostGIS: {pg_version or 'not run'}")
    setup = r.get("pg_setup", {}).get("parts")
    if setup:
        out.append("PostGIS setup, once, not counted below (s): " + ", ".join(
            f"{k} {v:.1f}" for k, v in setup.items()))
    out.append("lg.screen rows: the layers already read; 'end to end' with lahan_geo's layer "
               "cache warm (decisive boundaries derived before), 'cold' with an empty one")
    out.append("")
    header = (f"{'plots':<17}{'engine':<31}{'seconds':>9}{'plots/s':>11}{'peak MB':>9}"
              f"{'vs PostGIS':>11}{'vs sjoin':>10}{'vs kernel':>10}")
    out.append(header)
    out.append("-" * len(header))
    sj = r.get("sjoin", {})
    sjoin_rate = _rate(sj.get("n", 0), sj.get("seconds"))
    best_pg_variant = {}
    targets: list[tuple[str, str, bool | None]] = []
    sets = [f"points:{n}" for n in mode["points"]] + (
        ["national"] if "screen national" in r else [])
    for plots in sets:
        label = "national 82,829" if plots == "national" else f"points {int(plots[7:]):,}"
        s = r.get(f"screen {plots}", {})
        k = r.get(f"kernel {plots}", {})
        pgs = {v: r.get(f"pg_points/{v} {plots}", {}) for v in ("sub", "join")}
        pgs = {v: x for v, x in pgs.items() if x.get("seconds")}
        pg_best = min(pgs.items(), key=lambda kv: kv[1]["seconds"]) if pgs else (None, {})
        best_pg_variant[plots] = pg_best[0]
        n = s.get("n") or k.get("n") or 0
        s_rate = _rate(n, s.get("seconds"))
        pg_rate = _rate(n, pg_best[1].get("seconds"))
        vs_pg = s_rate / pg_rate if s_rate and pg_rate else None
        vs_sj = s_rate / sjoin_rate if s_rate and sjoin_rate else None
        parts = s.get("parts", {})
        contain = parts.get("containment")
        kern = k.get("seconds")
        cold = r.get(f"screen-cold {plots}", {})
        if cold.get("seconds"):  # the label goes on this first row
            c_rate = _rate(n, cold["seconds"])
            out.append(f"{label:<17}{'lg.screen, cold layer cache':<31}"
                       f"{_fmt(cold['seconds']):>9}{_fmt(c_rate):>11}"
                       f"{_fmt(cold.get('peak_mb')):>9}"
                       f"{_fmt(c_rate / pg_rate if pg_rate else None, 'x'):>11}"
                       f"{_fmt(c_rate / sjoin_rate if sjoin_rate else None, 'x'):>10}")
        shown = "" if cold.get("seconds") else label
        out.append(f"{shown:<17}{'lg.screen end to end':<31}{_fmt(s.get('seconds')):>9}"
                   f"{_fmt(s_rate):>11}{_fmt(s.get('peak_mb')):>9}{_fmt(vs_pg, 'x'):>11}"
                   f"{_fmt(vs_sj, 'x'):>10}{'':>10}")
        if parts:
            detail = ", ".join(f"{p} {v:.1f}" for p, v in sorted(parts.items(),
                                                                 key=lambda kv: -kv[1]))
            out.append(f"{'':<17}  parts (s): {detail}; {s.get('utm_zones')} UTM zones")
        if contain:
            c_rate = _rate(n, contain)
            vs_sj_contain = (c_rate / sjoin_rate if c_rate and sjoin_rate
                             and plots != "national" else None)
            out.append(f"{'':<17}{'  containment part of screen':<31}{_fmt(contain):>9}"
                       f"{_fmt(c_rate):>11}{'':>9}{'':>11}{_fmt(vs_sj_contain, 'x'):>10}"
                       f"{_fmt(contain / kern if kern else None, 'x'):>10}")
        out.append(f"{'':<17}{'bare shapely kernel (pairs)':<31}{_fmt(kern):>9}"
                   f"{_fmt(_rate(n, kern)):>11}{_fmt(k.get('peak_mb')):>9}")
        if sjoin_rate and plots != "national":
            out.append(f"{'':<17}{'geopandas.sjoin (extrapolated)':<31}"
                       f"{_fmt(n / sjoin_rate):>9}{_fmt(sjoin_rate):>11}"
                       f"{_fmt(sj.get('peak_mb')):>9}")
        for v, x in pgs.items():
            what = "PostGIS GiST, subdivided" if v == "sub" else "PostGIS GiST, plain JOIN"
            out.append(f"{'':<17}{what:<31}{_fmt(x['seconds']):>9}"
                       f"{_fmt(_rate(n, x['seconds'])):>11}{_fmt(x.get('server_peak_mb')):>9}"
                       f"{'':>11}{'':>10}{'':>10}")
            out.append(f"{'':<17}  containment {x['containment_s']:.1f} s + distance "
                       f"{x['distance_s']:.1f} s; load+index {x['load_s']:.1f} s and boundary "
                       f"tables {x['zone_tables_s']:.1f} s not counted")
        if plots != "national":
            targets.append((f"end-to-end >= 2x PostGIS ({label})",
                            f"{_fmt(vs_pg, 'x')}", None if vs_pg is None
                            else vs_pg >= TARGETS["e2e_vs_postgis"]))
            # The sjoin computes containment only: print the like-for-like ratios too.
            like = ""
            if sjoin_rate and contain and kern:
                like = (f" (containment alone {_fmt(_rate(n, contain) / sjoin_rate, 'x')}; "
                        f"the bare kernel itself {_fmt(_rate(n, kern) / sjoin_rate, 'x')})")
            targets.append((f"end-to-end >= 100x naive sjoin ({label})",
                            f"{_fmt(vs_sj, 'x')}{like}",
                            None if vs_sj is None else vs_sj >= TARGETS["e2e_vs_sjoin"]))
            ratio = contain / kern if contain and kern else None
            targets.append((f"containment within 1.5x of the kernel ({label})",
                            f"{_fmt(ratio, 'x')} the kernel's time",
                            None if ratio is None else ratio <= TARGETS["containment_vs_kernel"]))
        out.append("")
    if sj:
        out.append(f"naive sjoin measured on {sj.get('n', 0):,} points "
                   f"({sj.get('seconds', 0):.1f} s, both layers), extrapolated linearly")
        out.append("")
    sampled = r.get("screen parcels-sample", {})
    for n in mode["polygons"]:
        plots = f"polygons:{n}"
        s = r.get(f"screen {plots}", {})
        label = "lg.screen end to end"
        if not s and sampled.get("seconds"):
            # fixed part (decisive boundaries) + per-parcel part scaled to n
            fixed = sampled["parts"].get("boundaries", 0.0)
            seconds = fixed + (sampled["seconds"] - fixed) * n / sampled["n"]
            s = {**sampled, "seconds": seconds, "peak_mb": None}
            label = f"lg.screen (est. from {sampled['n']:,})"
        pg = r.get(f"pg_polygons {plots}", {})
        s_rate = _rate(n, s.get("seconds"))
        pg_rate = _rate(n, pg.get("seconds"))
        ratio = s_rate / pg_rate if s_rate and pg_rate else None
        out.append(f"{f'parcels {n:,}':<17}{label:<31}"
                   f"{_fmt(s.get('seconds')):>9}{_fmt(s_rate):>11}{_fmt(s.get('peak_mb')):>9}"
                   f"{_fmt(ratio, 'x'):>11}")
        parts = s.get("parts", {})
        overlap_s = sum(parts.get(k, 0.0) for k in _OVERLAP_PARTS) if parts else None
        overlap_rate = _rate(n, overlap_s)
        overlap_ratio = overlap_rate / pg_rate if overlap_rate and pg_rate else None
        if overlap_s:
            out.append(f"{'':<17}{'  overlap part of screen':<31}{_fmt(overlap_s):>9}"
                       f"{_fmt(overlap_rate):>11}{'':>9}{_fmt(overlap_ratio, 'x'):>11}")
            out.append(f"{'':<17}    ({' + '.join(_OVERLAP_PARTS)}: which polygons lie under "
                       "each parcel and the m² of each category)")
        if pg:
            out.append(f"{'':<17}{'PostGIS ST_Area(ST_Intersection)':<31}"
                       f"{_fmt(pg.get('seconds')):>9}{_fmt(pg_rate):>11}"
                       f"{_fmt(pg.get('server_peak_mb')):>9}")
        if n == max(mode["polygons"]):
            targets.append((f"parcels overlap % >= PostGIS ({n:,}), overlap part of screen",
                            _fmt(overlap_ratio, "x"), None if overlap_ratio is None
                            else overlap_ratio >= TARGETS["polygons_vs_postgis"]))
            targets.append((f"parcels end to end >= PostGIS ({n:,}), incl. distances and "
                            "rules", _fmt(ratio, "x"),
                            None if ratio is None else ratio >= TARGETS["polygons_vs_postgis"]))
        out.append("")
    if sampled.get("seconds"):
        detail = ", ".join(f"{p} {v:.1f}" for p, v in sorted(sampled["parts"].items(),
                                                             key=lambda kv: -kv[1]))
        out.append(f"parcels: lg.screen measured on the first {sampled['n']:,} parcels of "
                   f"{sampled['of']:,} in {sampled['seconds']:.1f} s (peak "
                   f"{sampled['peak_mb']:,.0f} MB); parts (s): {detail}")
        out.append("  estimate = decisive boundaries (fixed) + the rest x n / "
                   f"{sampled['n']:,}")
        out.append("")
    for n in mode["polygons"]:
        parts = r.get(f"screen polygons:{n}", {}).get("parts", {})
        if parts:
            detail = ", ".join(f"{p} {v:.1f}" for p, v in sorted(parts.items(),
                                                                 key=lambda kv: -kv[1]))
            out.append(f"parcels {n:,}: lg.screen parts (s): {detail}")
    load = r.get("layer_load", {})
    if load.get("first"):
        ratio = load["first"] / load["second"]
        cache = "/".join(str(c) for c in load.get("cache", []))
        out.append(f"read_forest_area(path): first {load['first']:.2f} s, second "
                   f"{load['second']:.2f} s ({ratio:.1f}x; {load['file_mb']:.0f} MB GeoPackage; "
                   f"layer cache {cache}, in an empty temporary LAHAN_GEO_CACHE)")
        targets.append(("second layer load >= 10x faster", f"{ratio:.1f}x",
                        ratio >= TARGETS["layer_cache"]))
    big = f"points:{max(mode['points'])}" if mode["points"] else None
    if big and r.get(f"screen {big}", {}).get("peak_mb"):
        peak = r[f"screen {big}"]["peak_mb"]
        n_big = max(mode["points"])
        targets.append((f"peak memory < 4 GB ({n_big:,} points)", f"{peak:,.0f} MB",
                        peak < TARGETS["memory_1m_mb"] if n_big >= 1_000_000 else None))
    d1, d2 = r.get("dask 1w", {}), r.get("dask 2w", {})
    if d1.get("seconds") or d2.get("seconds"):
        parts = (d1 or d2).get("partitions")
        out.append(f"dask engine (screen_dask), {mode['dask_points']:,} points in {parts} "
                   "equal partitions (sorted by UTM zone), LocalCluster of processes, 1 thread "
                   "each; seconds = sending the layers + screening, the result kept on the "
                   "workers (persist):")
        for label, d in (("1 worker", d1), ("2 workers", d2)):
            if d.get("seconds"):
                peaks = ", ".join(f"{m:,.0f}" for m in d["worker_peak_mb"])
                phases = (f" (send layers {d['send_s']:.1f} s + screen {d['screen_s']:.1f} s; "
                          f"then .compute() into the client {d['gather_s']:.1f} s)"
                          if "send_s" in d else "")
                out.append(f"  {label:<10} {d['seconds']:8.1f} s "
                           f"{_rate(d['n'], d['seconds']):>9,.0f} plots/s{phases}, "
                           f"worker peak MB {peaks}")
        if d1.get("seconds") and d2.get("seconds"):
            out.append(f"  speed-up 1 -> 2 workers: {d1['seconds'] / d2['seconds']:.2f}x")
        out.append("")
    checks = {k: v for k, v in r.items() if k.startswith("check ")}
    if checks:
        out.append("agreement between engines:")
        for key, v in checks.items():
            body = ", ".join(f"{a}={b:g}" if isinstance(b, float) else f"{a}={b}"
                             for a, b in v.items() if a not in ("wall_s",))
            out.append(f"  {key[6:]}: {body}")
        out.append("")
    out.append("targets (issue #6):")
    for name, value, ok in targets:
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        out.append(f"  [{verdict}] {name}: {value}")
    loads = [v.get("load_before", 0.0) for v in r.values() if isinstance(v, dict)]
    busy = max(loads, default=0.0)
    if busy > 0.7 * (os.cpu_count() or 1):
        out.append(f"  note: the 1-minute load average reached {busy:.1f} on {os.cpu_count()} "
                   "CPUs before some measurements: other processes competed, timings are noisy")
    errors = {k: v["error"] for k, v in r.items() if isinstance(v, dict) and "error" in v}
    for k, e in errors.items():
        out.append(f"  error in {k}: {e}")
    for note in runner.log:
        out.append(f"  note: {note}")
    return "\n".join(out)


def _mem_gb() -> float:
    try:
        with open("/proc/meminfo") as fh:
            return int(fh.readline().split()[1]) / 2**20
    except OSError:
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
