"""One measurement per process, so that peak memory (``ru_maxrss``) is its own.

``python benchmarks/tasks.py '{"task": "screen", "layer": "quick", "plots": "points:20000"}'``
prints one line ``RESULT {...json...}``. :mod:`run` starts one such process per
measurement. GEOS allocates outside Python's allocator, so ``tracemalloc`` would miss
most of the memory; the peak resident set size of the process is what is reported.
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

TASKS: dict[str, Callable[..., dict[str, Any]]] = {}


def task(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    TASKS[fn.__name__] = fn
    return fn


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def spec_of(layer: str) -> generate.LayerSpec:
    return {"quick": generate.QUICK_LAYER, "full": generate.FULL_LAYER}[layer]


def load_layers(layer: str, epsg: int | None = None) -> tuple[Any, Any]:
    """The prepared forest and zoning layers (EPSG:4326, or their copies in ``epsg``)."""
    spec = spec_of(layer)
    return (generate.load(generate.prepared_layer("forest", spec, epsg)),
            generate.load(generate.prepared_layer("zoning", spec, epsg)))


def load_plots(plots: str) -> Any:
    kind, _, n = plots.partition(":")
    return generate.load(generate.plots_path(kind, int(n or 0)))


def save(obj: Any, path: str | None) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)


def valid_mask(plots: Any) -> np.ndarray:
    geoms = np.asarray(plots.geometry.array, dtype=object)
    return plots["input_problem"].isna().to_numpy() & ~(geoms == None)  # noqa: E711


def utm_epsg_of(plots: Any) -> np.ndarray:
    """EPSG code of each plot's UTM zone as lahan_geo picks it (0: unusable), vectorized."""
    import shapely

    ok = valid_mask(plots)
    epsg = np.zeros(len(plots), dtype=int)
    geoms = np.asarray(plots.geometry.array, dtype=object)[ok]
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    zone = np.clip(np.floor((xy[:, 0] + 180.0) / 6.0).astype(int) + 1, 1, 60)
    epsg[ok] = 32700 + zone  # both hemispheres of a zone are measured in one (metric.py)
    return epsg


# --------------------------------------------------------------------------------------
# lahan_geo
# --------------------------------------------------------------------------------------
class _Clock:
    """Wall time per part of ``lg.screen``, by wrapping the calls that do the work."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.depth = 0

    def wrap(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:  # count nested calls once, in the outer part
                return fn(*args, **kwargs)
            self.depth += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[part] += time.perf_counter() - started
                self.depth -= 1

        return timed

    def install(self) -> None:
        """Wrap what exists of the functions doing the work (the internals evolve)."""
        import importlib

        import geopandas as gpd
        import shapely

        clock = self
        for module, name, part in (
            ("lahan_geo.overlay.driver", "layer_pieces", "boundaries"),
            ("lahan_geo.overlay.driver", "decisive_boundaries", "boundaries"),
            ("lahan_geo.overlay.driver", "subdivided_layer", "subdivision"),
            ("lahan_geo.overlay.driver", "cover", "containment"),
            ("lahan_geo.overlay.driver", "nearest_distance", "distance"),
            ("lahan_geo.overlay.driver", "crossing_overlaps", "polygon overlap"),
            ("lahan_geo.overlay.kernel", "_polygon_plot", "polygon overlap"),
            ("lahan_geo.overlay.driver", "to_metric", "projection"),
            ("lahan_geo.pipeline", "to_metric", "projection"),
            ("lahan_geo.pipeline", "utm_groups", "utm grouping"),
            ("lahan_geo.pipeline", "_recheck_geometry", "geometry checks"),
            ("lahan_geo.pipeline", "explain_all", "rules and texts"),
            ("lahan_geo.pipeline", "_describe", "describe"),
        ):
            mod = importlib.import_module(module)
            if hasattr(mod, name):
                setattr(mod, name, self.wrap(part, getattr(mod, name)))
        gpd.GeoDataFrame.to_crs = self.wrap("projection", gpd.GeoDataFrame.to_crs)
        gpd.GeoSeries.to_crs = self.wrap("projection", gpd.GeoSeries.to_crs)
        base = shapely.STRtree

        class TimedSTRtree(base):  # type: ignore[misc, valid-type]
            def __init__(self, geoms: Any, *args: Any, **kwargs: Any) -> None:
                arr = np.asarray(geoms, dtype=object)
                kind = shapely.get_type_id(arr[0]) if len(arr) else -1
                part = "distance" if kind == 1 else "containment"
                clock.wrap(part, super().__init__)(geoms, *args, **kwargs)

            def query(self, geometry: Any, predicate: Any = None, **kwargs: Any) -> Any:
                part = "polygon overlap" if predicate == "dwithin" else "containment"
                return clock.wrap(part, super().query)(geometry, predicate, **kwargs)

            def query_nearest(self, *args: Any, **kwargs: Any) -> Any:
                return clock.wrap("distance", super().query_nearest)(*args, **kwargs)

        shapely.STRtree = TimedSTRtree


@task
def screen(layer: str, plots: str, save_to: str | None = None, breakdown: bool = True,
           sample: int = 0, epsg: int | None = None) -> dict[str, Any]:
    """``lg.screen`` of the plot set (or of its first ``sample`` rows, a random sample).

    ``epsg``: on the layers' copies in that CRS (``generate.projected_layer_path``).
    """
    import lahan_geo as lg

    forest, zoning = load_layers(layer, epsg)
    frame = load_plots(plots)
    total = len(frame)
    if sample and sample < total:
        frame = frame.iloc[:sample]
    clock = _Clock()
    if breakdown:
        clock.install()
    base = rss_mb()
    started = time.perf_counter()
    result = lg.screen(frame, forest=forest, zoning=zoning)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    parts = {k: round(v, 3) for k, v in clock.seconds.items()}
    parts["other"] = round(seconds - sum(clock.seconds.values()), 3)
    save(result[["plot_id", "status", "forest_function", "zone_class", "boundary_distance_m",
                 "zone_boundary_distance_m", "forest_overlap_pct", "area_m2"]].copy(), save_to)
    return {"seconds": seconds, "n": len(frame), "of": total,
            "valid": int(valid_mask(frame).sum()), "peak_mb": peak, "base_mb": base,
            "parts": parts,
            "utm_zones": len(set(utm_epsg_of(frame).tolist()) - {0}),
            "status": result["status"].value_counts().to_dict()}


@task
def kernel(layer: str, plots: str, save_to: str | None = None) -> dict[str, Any]:
    """The bare kernel: one STRtree on the points, queried with each layer's polygons."""
    import shapely

    forest, zoning = load_layers(layer)
    frame = load_plots(plots)
    ok = np.flatnonzero(valid_mask(frame))
    points = np.asarray(frame.geometry.array, dtype=object)[ok]
    f_geoms = np.asarray(forest.geometry.array, dtype=object)
    z_geoms = np.asarray(zoning.geometry.array, dtype=object)
    base = rss_mb()
    started = time.perf_counter()
    tree = shapely.STRtree(points)
    f_poly, f_pt = tree.query(f_geoms, predicate="intersects")
    z_poly, z_pt = tree.query(z_geoms, predicate="intersects")
    seconds = time.perf_counter() - started
    save({"forest": (ok[f_pt], f_poly), "zoning": (ok[z_pt], z_poly)}, save_to)
    return {"seconds": seconds, "n": len(frame), "valid": len(ok), "peak_mb": peak_rss_mb(),
            "base_mb": base, "pairs": int(len(f_pt) + len(z_pt))}


@task
def sjoin(layer: str, plots: str, k: int) -> dict[str, Any]:
    """Naive geopandas.sjoin (default predicate) of ``k`` points with each layer."""
    import geopandas as gpd

    forest, zoning = load_layers(layer)
    frame = load_plots(plots)
    pts = frame.loc[valid_mask(frame), ["plot_id", "geometry"]].iloc[:k]
    base = rss_mb()
    started = time.perf_counter()
    a = gpd.sjoin(pts, forest[["forest_function", "geometry"]])
    b = gpd.sjoin(pts, zoning[["zone_class", "geometry"]])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "n": len(pts), "valid": len(pts), "peak_mb": peak_rss_mb(),
            "base_mb": base, "pairs": len(a) + len(b)}


@task
def layer_load(layer: str) -> dict[str, Any]:
    """``lg.read_forest_area(path)`` twice on the same file, in one process.

    The layer cache (``LAHAN_GEO_CACHE``) points at an empty temporary folder, so the
    first read is cold whatever earlier runs left in the user's cache.
    """
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="lahan_geo_bench_cache_")
    os.environ["LAHAN_GEO_CACHE"] = folder
    try:
        import lahan_geo as lg

        path = generate.layer_path("forest", spec_of(layer))
        started = time.perf_counter()
        first_layer = lg.read_forest_area(path)
        first = time.perf_counter() - started
        started = time.perf_counter()
        second_layer = lg.read_forest_area(path)
        second = time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    status = [x.attrs.get("lahan_geo", {}).get("cache") for x in (first_layer, second_layer)]
    return {"first": first, "second": second, "seconds": first, "peak_mb": peak_rss_mb(),
            "file_mb": path.stat().st_size / 2**20, "cache": status}


@task
def dask_scale(layer: str, plots: str, workers: int, partitions: int = 0) -> dict[str, Any]:
    """``screen_dask`` on a LocalCluster of ``workers`` processes with one thread each.

    The plots are sorted by UTM zone (rows without a location first) and cut into
    ``partitions`` equal chunks (default 16), so every worker gets an equal share and
    each chunk lies in one or two zones: each partition then loads the measuring
    pieces of those zones only. ``partitions < 0`` cuts the batch in input order.

    ``seconds`` is sending the layers plus screening every partition, with the result
    left on the workers (``persist``), as a cluster job writing its own output would;
    bringing the rows back into this process (``.compute()``) is ``gather_s``, apart.
    """
    import dask
    import dask_geopandas
    from distributed import Client, LocalCluster

    from lahan_geo.engines.dask import screen_dask

    forest, zoning = load_layers(layer)
    frame = load_plots(plots)
    with dask.config.set({"dataframe.convert-string": False}):
        if partitions < 0:
            ddf = dask_geopandas.from_geopandas(frame, npartitions=-partitions, sort=False)
        else:
            order = np.argsort(utm_epsg_of(frame), kind="stable")
            ddf = dask_geopandas.from_geopandas(frame.iloc[order],
                                                npartitions=partitions or 16, sort=False)
    from distributed import wait

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("lahan_geo.pipeline"))  # warm imports, not timed
        started = time.perf_counter()
        lazy = screen_dask(ddf, forest=forest, zoning=zoning)  # the layers sent to workers
        sent = time.perf_counter()
        kept = client.persist(lazy)  # screened on the workers, the result left there
        wait(kept)
        screened = time.perf_counter()
        n = int(kept.map_partitions(len).compute().sum())
        worker_peaks = list(client.run(peak_rss_mb).values())
        gathered = time.perf_counter()
        kept.compute()  # brought back into this process, as .compute() does
        gather = time.perf_counter() - gathered
    return {"seconds": screened - started, "send_s": sent - started,
            "screen_s": screened - sent, "gather_s": gather, "n": n,
            "peak_mb": peak_rss_mb(), "worker_peak_mb": worker_peaks, "workers": workers,
            "partitions": ddf.npartitions}


@task
def profile(layer: str, plots: str, out: str, sample: int = 0) -> dict[str, Any]:
    """``lg.screen`` under cProfile (py-spy, when run.py finds it, is used instead)."""
    import cProfile
    import io
    import pstats

    import lahan_geo as lg

    forest, zoning = load_layers(layer)
    frame = load_plots(plots)
    if sample:
        frame = frame.iloc[:sample]
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    lg.screen(frame, forest=forest, zoning=zoning)
    prof.disable()
    seconds = time.perf_counter() - started
    prof.dump_stats(out)
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(25)
    return {"seconds": seconds, "n": len(frame), "peak_mb": peak_rss_mb(),
            "report": text.getvalue()}


# --------------------------------------------------------------------------------------
# PostGIS
# --------------------------------------------------------------------------------------
ESTATE = ("HK", "HL", "HPT", "HP", "HPK")


def _connect(dsn: str) -> Any:
    import psycopg

    return psycopg.connect(dsn, autocommit=True)


def _backend_peak_mb(conn: Any) -> float | None:
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _copy(conn: Any, table: str, columns: list[str], rows: Any) -> None:
    """COPY rows (tuples of str/int/None; geometry as hex EWKB) into ``table``."""
    import io

    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        cp.write(buf.getvalue())


def _ewkb(geoms: np.ndarray) -> np.ndarray:
    import shapely

    return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)


def _outcome_keys(forest: Any, zoning: Any) -> tuple[list[int | None], list[int | None]]:
    """Per layer row, an id of the outcome its category leads to (None: "unknown")."""
    from lahan_geo.rules import load_rules, outcome_of

    rules = load_rules()
    permission = dict(zip(zoning["zone_class"], zoning["zone_permission"]))
    permission = {k: v for k, v in permission.items() if k is not None}

    def f_key(v: Any) -> Any:
        return outcome_of(rules, {"forest_functions": [v] if v else [],
                                  "forest_unknown": v is None}, ["forest_"])

    def z_key(c: Any) -> Any:
        return outcome_of(rules, {"zone_permissions": [permission[c]] if c in permission else [],
                                  "zone_unknown": c not in permission}, ["zone_"])

    out = []
    for values, key in ((forest["forest_function"], f_key), (zoning["zone_class"], z_key)):
        values = [None if v is None or v != v else v for v in values.tolist()]
        none_key = key(None)
        ids: dict[Any, int] = {}
        out.append([None if key(v) == none_key else ids.setdefault(key(v), len(ids))
                    for v in values])
    return out[0], out[1]


@task
def pg_setup(dsn: str, layer: str) -> dict[str, Any]:
    """Load both layers, GiST-index them, subdivide them, dissolve the decisive boundaries."""
    forest, zoning = load_layers(layer)
    f_keys, z_keys = _outcome_keys(forest, zoning)
    conn = _connect(dsn)
    times: dict[str, float] = {}
    for name, frame, col, keys in (("forest", forest, "forest_function", f_keys),
                                   ("zoning", zoning, "zone_class", z_keys)):
        started = time.perf_counter()
        conn.execute(f"DROP TABLE IF EXISTS {name}, {name}_sub, {name}_bnd CASCADE")
        conn.execute(f"CREATE TABLE {name} (rid int PRIMARY KEY, val text, okey int, "
                     "geom geometry(Geometry, 4326))")
        geoms = _ewkb(np.asarray(frame.geometry.array, dtype=object))
        vals = [None if v is None or v != v else v for v in frame[col].tolist()]
        _copy(conn, name, ["rid", "val", "okey", "geom"],
              zip(range(len(frame)), vals, keys, geoms))
        conn.execute(f"CREATE INDEX ON {name} USING gist (geom)")
        times[f"{name} load+index"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"CREATE TABLE {name}_sub AS SELECT rid, val, ST_Subdivide(geom, 256) AS "
                     f"geom FROM {name}")
        conn.execute(f"CREATE INDEX ON {name}_sub USING gist (geom)")
        times[f"{name} subdivide"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"CREATE TABLE {name}_bnd AS SELECT (ST_Dump(ST_Boundary(ST_Union(geom))))"
                     f".geom AS geom FROM {name} WHERE okey IS NOT NULL GROUP BY okey")
        times[f"{name} dissolve"] = time.perf_counter() - started
        conn.execute(f"ANALYZE {name}; ANALYZE {name}_sub")
    conn.close()
    return {"seconds": sum(times.values()), "parts": times}


def _max_segment_deg() -> float | None:
    """lahan_geo's densification before projecting (None: vertices projected as they are)."""
    try:
        from lahan_geo.metric import MAX_SEGMENT_DEG
    except ImportError:
        return None
    return float(MAX_SEGMENT_DEG)


def _zone_tables(conn: Any, zones: list[int]) -> float:
    """Boundary pieces in each UTM zone the plots need (once per zone per run).

    Densified like lahan_geo densifies before projecting (``ST_Segmentize`` in degrees),
    so that a long straight edge in lon/lat becomes the same curve in UTM.
    """
    started = time.perf_counter()
    step = _max_segment_deg()
    for epsg in zones:
        for name in ("forest", "zoning"):
            table = f"{name}_bnd_{epsg}"
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                geom = f"ST_Segmentize(geom, {step})" if step else "geom"
                conn.execute(f"CREATE TABLE {table} AS SELECT ST_Subdivide(ST_Transform({geom}, "
                             f"{epsg}), 64) AS geom FROM {name}_bnd")
                conn.execute(f"CREATE INDEX ON {table} USING gist (geom)")
                conn.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def _load_plots(conn: Any, frame: Any, table: str) -> tuple[list[int], float]:
    started = time.perf_counter()
    geoms = np.asarray(frame.geometry.array, dtype=object)
    epsg = utm_epsg_of(frame)
    pos = np.flatnonzero(epsg)
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(f"CREATE UNLOGGED TABLE {table} (pid int PRIMARY KEY, epsg int, "
                 "geom geometry(Geometry, 4326))")
    _copy(conn, table, ["pid", "epsg", "geom"], zip(pos.tolist(), epsg[pos].tolist(),
                                                     _ewkb(geoms[pos])))
    conn.execute(f"CREATE INDEX ON {table} USING gist (geom)")
    conn.execute(f"ANALYZE {table}")
    return sorted(set(epsg[pos].tolist())), time.perf_counter() - started


def _prewarm(conn: Any, tables: list[str]) -> None:
    """Read every table (geometries detoasted) once, so timings are with a warm cache."""
    for table in tables:
        conn.execute(f"SELECT sum(ST_NPoints(geom)) FROM {table}")


def _timed(conn: Any, sql: str) -> float:
    started = time.perf_counter()
    conn.execute(sql)
    return time.perf_counter() - started


@task
def pg_points(dsn: str, layer: str, plots: str, variant: str = "sub",
              save_to: str | None = None) -> dict[str, Any]:
    """Points in both layers (ST_Intersects, GiST) plus ST_Distance to the nearest boundary.

    ``variant="sub"``: correlated subqueries on the ST_Subdivide'd layers (the usual
    PostGIS advice for huge polygons); ``"join"``: a plain JOIN on the original
    polygons, the planner's choice of plan.
    """
    frame = load_plots(plots)
    conn = _connect(dsn)
    zones, load_s = _load_plots(conn, frame, "pts")
    zone_s = _zone_tables(conn, zones)
    _prewarm(conn, ["pts", "forest", "zoning", "forest_sub", "zoning_sub",
                    *(f"{n}_bnd_{e}" for e in zones for n in ("forest", "zoning"))])
    conn.execute("DROP TABLE IF EXISTS res_c")
    if variant == "sub":
        contain = ("CREATE UNLOGGED TABLE res_c AS SELECT p.pid, "
                   "ARRAY(SELECT DISTINCT f.rid FROM forest_sub f WHERE ST_Intersects(f.geom, "
                   "p.geom)) AS f_rows, "
                   "ARRAY(SELECT DISTINCT z.rid FROM zoning_sub z WHERE ST_Intersects(z.geom, "
                   "p.geom)) AS z_rows FROM pts p")
    else:
        contain = ("CREATE UNLOGGED TABLE res_c AS "
                   "SELECT p.pid, 'f' AS layer, f.rid FROM pts p JOIN forest f "
                   "ON ST_Intersects(f.geom, p.geom) UNION ALL "
                   "SELECT p.pid, 'z', z.rid FROM pts p JOIN zoning z "
                   "ON ST_Intersects(z.geom, p.geom)")
    contain_s = _timed(conn, contain)
    dist_s = 0.0
    for epsg in zones:
        conn.execute(f"DROP TABLE IF EXISTS res_d_{epsg}")
        dist_s += _timed(conn, (
            f"CREATE UNLOGGED TABLE res_d_{epsg} AS SELECT q.pid, "
            f"(SELECT ST_Distance(b.geom, q.g) FROM forest_bnd_{epsg} b ORDER BY b.geom <-> q.g "
            "LIMIT 1) AS fd, "
            f"(SELECT ST_Distance(b.geom, q.g) FROM zoning_bnd_{epsg} b ORDER BY b.geom <-> q.g "
            f"LIMIT 1) AS zd FROM (SELECT pid, ST_Transform(geom, {epsg}) AS g FROM pts "
            f"WHERE epsg = {epsg}) q"))
    every_zone = " UNION ALL ".join(f"SELECT * FROM res_d_{e}" for e in zones)
    pairs = conn.execute("SELECT sum(cardinality(f_rows) + cardinality(z_rows)) FROM res_c"
                         if variant == "sub" else "SELECT count(*) FROM res_c").fetchone()[0]
    if save_to:
        if variant == "sub":
            rows = conn.execute("SELECT pid, f_rows, z_rows FROM res_c").fetchall()
            f_pairs = [(p, r) for p, fr, _ in rows for r in fr]
            z_pairs = [(p, r) for p, _, zr in rows for r in zr]
        else:
            rows = conn.execute("SELECT pid, layer, rid FROM res_c").fetchall()
            f_pairs = [(p, r) for p, kind, r in rows if kind == "f"]
            z_pairs = [(p, r) for p, kind, r in rows if kind == "z"]
        dist = conn.execute(every_zone).fetchall() if zones else []
        save({"forest": f_pairs, "zoning": z_pairs, "distance": dist}, save_to)
    peak = _backend_peak_mb(conn)
    version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    conn.execute("DROP TABLE IF EXISTS res_c, pts, "
                 + ", ".join(f"res_d_{e}" for e in [*zones, 0]))
    conn.close()
    return {"seconds": contain_s + dist_s, "containment_s": contain_s, "distance_s": dist_s,
            "load_s": load_s, "zone_tables_s": zone_s, "n": len(frame),
            "valid": int(valid_mask(frame).sum()), "zones": len(zones), "pairs": pairs,
            "server_peak_mb": peak, "postgis": version}


@task
def pg_polygons(dsn: str, layer: str, plots: str, save_to: str | None = None
                ) -> dict[str, Any]:
    """Overlap area per category, ST_Area(ST_Intersection) in the plot's UTM zone, both layers."""
    frame = load_plots(plots)
    conn = _connect(dsn)
    zones, load_s = _load_plots(conn, frame, "parcels")
    _prewarm(conn, ["parcels", "forest_sub", "zoning_sub"])
    conn.execute("DROP TABLE IF EXISTS pa, po_f, po_z, pct")
    estate = ", ".join(f"'{v}'" for v in ESTATE)
    seconds = _timed(conn, "CREATE UNLOGGED TABLE pa AS SELECT pid, "
                           "ST_Area(ST_Transform(geom, epsg)) AS area FROM parcels")
    for name, out in (("forest", "po_f"), ("zoning", "po_z")):
        seconds += _timed(conn, (
            f"CREATE UNLOGGED TABLE {out} AS SELECT p.pid, l.val, "
            "sum(ST_Area(ST_Transform(ST_Intersection(p.geom, l.geom), p.epsg))) AS m2 "
            f"FROM parcels p JOIN {name}_sub l ON ST_Intersects(p.geom, l.geom) "
            "GROUP BY p.pid, l.val"))
    seconds += _timed(conn, (
        "CREATE UNLOGGED TABLE pct AS SELECT a.pid, round((100 * coalesce(sum(o.m2) FILTER "
        f"(WHERE o.val IN ({estate})), 0) / a.area)::numeric, 2) AS forest_pct "
        "FROM pa a LEFT JOIN po_f o USING (pid) GROUP BY a.pid, a.area"))
    pairs = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("po_f", "po_z"))
    if save_to:
        save(conn.execute("SELECT pid, forest_pct::float8 FROM pct").fetchall(), save_to)
    peak = _backend_peak_mb(conn)
    conn.execute("DROP TABLE IF EXISTS pa, po_f, po_z, pct, parcels")
    conn.close()
    return {"seconds": seconds, "load_s": load_s, "n": len(frame),
            "valid": int(valid_mask(frame).sum()), "zones": len(zones), "pairs": pairs,
            "server_peak_mb": peak}


# --------------------------------------------------------------------------------------
# Agreement between the engines (on saved results)
# --------------------------------------------------------------------------------------
@task
def check(layer: str, plots: str, screen_file: str, kernel_file: str | None = None,
          pg_file: str | None = None, kind: str = "points") -> dict[str, Any]:
    """Do the engines find the same pairs, categories and distances?"""
    from lahan_geo.layers.forest import FUNCTIONS_BY_RESTRICTION

    forest, zoning = load_layers(layer)
    with open(screen_file, "rb") as fh:
        res = pickle.load(fh)
    out: dict[str, Any] = {}
    if kind == "polygons":
        with open(pg_file, "rb") as fh:
            pg = dict(pickle.load(fh))
        ours = res["forest_overlap_pct"].to_numpy()
        theirs = np.array([pg.get(i, np.nan) for i in range(len(res))])
        both = ~np.isnan(ours) & ~np.isnan(theirs)
        out["forest_pct_max_abs_diff"] = float(np.abs(ours[both] - theirs[both]).max())
        out["forest_pct_compared"] = int(both.sum())
        out["forest_pct_diff_over_0.1"] = int((np.abs(ours[both] - theirs[both]) > 0.1).sum())
        return out
    kernel_pairs = None
    if kernel_file:
        with open(kernel_file, "rb") as fh:
            kernel_pairs = pickle.load(fh)
        # lg.screen's most restrictive forest function and worst zone equal the kernel's pairs'
        functions = forest["forest_function"].to_numpy(dtype=object)
        want: dict[int, list[str]] = defaultdict(list)
        for p, r in zip(*kernel_pairs["forest"]):
            if functions[r] is not None:
                want[int(p)].append(functions[r])
        got = res["forest_function"].to_numpy(dtype=object)
        mismatch = 0
        for p in np.flatnonzero(res["status"].to_numpy() != "invalid"):
            expected = (min(want[p], key=FUNCTIONS_BY_RESTRICTION.index) if want.get(p)
                        else None)
            mismatch += expected != got[p]
        out["forest_function_mismatches_vs_kernel"] = int(mismatch)
        classes = zoning["zone_class"].to_numpy(dtype=object)
        zone_sets: dict[int, set[Any]] = defaultdict(set)
        for p, r in zip(*kernel_pairs["zoning"]):
            zone_sets[int(p)].add(classes[r])
        zc = res["zone_class"].to_numpy(dtype=object)
        out["zone_class_mismatches_vs_kernel"] = int(sum(
            (zc[p] is not None and zc[p] not in zone_sets.get(p, set()))
            or (zc[p] is None and any(c is not None for c in zone_sets.get(p, set())))
            for p in np.flatnonzero(res["status"].to_numpy() != "invalid")))
    if pg_file:
        with open(pg_file, "rb") as fh:
            pg = pickle.load(fh)
        if kernel_pairs is not None:
            for name in ("forest", "zoning"):
                a = set(zip(kernel_pairs[name][0].tolist(), kernel_pairs[name][1].tolist()))
                b = set(pg[name])
                out[f"{name}_pairs_kernel"] = len(a)
                out[f"{name}_pairs_only_kernel"] = len(a - b)
                out[f"{name}_pairs_only_postgis"] = len(b - a)
        dist = {p: (fd, zd) for p, fd, zd in pg["distance"]}
        ours_f = res["boundary_distance_m"].to_numpy()
        ours_z = res["zone_boundary_distance_m"].to_numpy()
        diffs_f, diffs_z = [], []
        for p, (fd, zd) in dist.items():
            if fd is not None and not np.isnan(ours_f[p]):
                diffs_f.append(abs(round(fd, 1) - ours_f[p]))
            if zd is not None and not np.isnan(ours_z[p]):
                diffs_z.append(abs(round(zd, 1) - ours_z[p]))
        out["distance_compared"] = len(diffs_f)
        out["forest_distance_max_abs_diff_m"] = float(max(diffs_f, default=0.0))
        out["zoning_distance_max_abs_diff_m"] = float(max(diffs_z, default=0.0))
        out["distance_diff_over_0.15_m"] = int(sum(d > 0.15 for d in diffs_f + diffs_z))
    return out


def main() -> None:
    spec = json.loads(sys.argv[1])
    name = spec.pop("task")
    load = os.getloadavg()[0]  # other processes competing for the CPUs skew timings
    result = TASKS[name](**spec)
    result["load_before"] = load
    print("RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
