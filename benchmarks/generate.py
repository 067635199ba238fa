"""Seeded, cached inputs for the benchmarks: province-scale layers and plot sets.

Everything is synthetic except the national batch, which reads the real village
centroids from ``../shared/data/wilayah/indonesia_desa_centroids.csv`` when present.

Layers (EPSG:4326, around Kalimantan Tengah, lon 111-116, lat -3.5-0.5) are planar
coverages like the real ``KWSHUTAN_AR_250K``: ``big`` strip polygons whose shared
boundaries are long irregular lines (a smooth random meander plus ~15 m jitter, about
``big_vertices`` vertices per strip), and ``small`` enclaves (star-shaped, ``small_vertices``
vertices each) that are cut out of the strip around them as holes. With the default
spec that is 8 strips of ~100k vertices and 5,000 enclaves, ~2.8M vertices in all
(shells 0.8M + enclaves 1M + the same rings again as holes 1M).

Plot sets are what :func:`lahan_geo.read_plots` returns (its columns, EPSG:4326):
points (70% clustered around 2,000 "villages", 30% uniform over the province box,
0.5% rows without a usable location) and small rotated rectangles of 20x30 m to
60x60 m. Files are written once under ``benchmarks/.data/`` (keyed by spec and seed)
and reused by later runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("OGR_CURRENT_DATE", "2025-01-01T00:00:00.000Z")

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LAHAN_GEO_BENCH_DATA", BENCH_DIR / ".data"))
SHARED_CENTROIDS = (BENCH_DIR.parents[1] / "shared" / "data" / "wilayah"
                    / "indonesia_desa_centroids.csv")

#: Version of the generator: bump it to invalidate the cache when the recipe changes.
GENERATOR_VERSION = 3

BBOX = (111.0, -3.5, 116.0, 0.5)  # lon min, lat min, lon max, lat max
M_PER_DEG = 111_320.0

# Forest functions (6-digit FUNGSIKWS codes, stored as floats as in the Ministry's layer)
STRIP_CODES = (100300.0, 100400.0, 100100.0, 100500.0, 100700.0, 100200.0, 100300.0,
               100700.0)
ENCLAVE_CODES = (
    (100700.0, 0.30), (100300.0, 0.18), (100400.0, 0.14), (100100.0, 0.10),
    (100500.0, 0.10), (100200.0, 0.04), (100201.0, 0.02), (100204.0, 0.02),
    (0.0, 0.05), (5001.0, 0.05),
)
DECREES = ("SK.529/Menhut-II/2012", "SK.6839/MENLHK-PKTL/KUH/PLA.2/8/2022")

STRIP_ZONES = (
    "Kawasan Hutan Produksi", "Kawasan Perkebunan", "Kawasan Hutan Lindung",
    "Kawasan Pertanian Pangan Berkelanjutan", "Kawasan Permukiman Perdesaan",
    "Kawasan Peruntukan Pertanian Tanaman Pangan", "Kawasan Taman Nasional",
    "Kawasan Peruntukan Perkebunan Besar",
)
ENCLAVE_ZONES = (
    ("Kawasan Permukiman Perkotaan", 0.22), ("Kawasan Perdagangan dan Jasa", 0.10),
    ("Sempadan Sungai", 0.12), ("Kawasan Pertanian Pangan Berkelanjutan", 0.10),
    ("Kawasan Peruntukan Pertanian Tanaman Pangan", 0.12), ("Kawasan Perkebunan", 0.10),
    ("Kawasan Peruntukan Industri", 0.05), ("Kawasan Pertambangan", 0.05),
    ("Ruang Terbuka Hijau", 0.05), ("Badan Air", 0.05), ("Kawasan Entah Apa", 0.04),
)


@dataclass(frozen=True)
class LayerSpec:
    """Size (and extent, lon min, lat min, lon max, lat max) of a generated layer."""

    big: int = 8
    big_vertices: int = 100_000
    small: int = 5_000
    small_vertices: int = 200
    bbox: tuple[float, float, float, float] = BBOX

    @property
    def label(self) -> str:
        return f"{self.big}x{self.big_vertices // 1000}k+{self.small}x{self.small_vertices}"

    def key_parts(self) -> dict[str, object]:
        """The spec as cache-key parts; the default ``bbox`` is left out (keys stay stable)."""
        parts = asdict(self)
        if self.bbox == BBOX:
            del parts["bbox"]
        else:
            parts["bbox"] = list(self.bbox)
        return parts


FULL_LAYER = LayerSpec()
QUICK_LAYER = LayerSpec(big=8, big_vertices=10_000, small=500, small_vertices=100)
#: National scale (issue #14): the extent of Indonesia, 16 strips of 500k vertices and
#: 50,000 enclaves of 200 vertices: 8M + 10M + 10M (holes) = 28M vertices.
NATIONAL_LAYER = LayerSpec(big=16, big_vertices=500_000, small=50_000, small_vertices=200,
                           bbox=(95.0, -11.0, 141.0, 6.0))


def _key(*parts: object) -> str:
    text = json.dumps([GENERATOR_VERSION, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


# --------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------
def _meander(rng: np.random.Generator, n: int, amplitude: float, jitter_deg: float
             ) -> np.ndarray:
    """A Brownian bridge on 400 knots, interpolated to ``n`` vertices, plus jitter."""
    knots = 400
    walk = np.concatenate([[0.0], np.cumsum(rng.normal(size=knots))])
    bridge = walk - np.linspace(0.0, walk[-1], knots + 1)
    bridge *= amplitude / max(np.abs(bridge).max(), 1e-12)
    smooth = np.interp(np.linspace(0, knots, n), np.arange(knots + 1), bridge)
    jitter = rng.normal(scale=jitter_deg, size=n)
    jitter[[0, -1]] = 0.0
    return smooth + jitter


def _strip_lines(rng: np.random.Generator, spec: LayerSpec, across: tuple[float, float],
                 along: tuple[float, float]) -> tuple[np.ndarray, list[np.ndarray]]:
    """``big + 1`` boundary lines ``across = f(along)``, sampled at the same ``along`` values."""
    per_line = max(spec.big_vertices // 2, 16)
    t = np.linspace(along[0], along[1], per_line)
    width = (across[1] - across[0]) / spec.big
    base = np.linspace(across[0], across[1], spec.big + 1)
    lines = [b + _meander(rng, per_line, 0.3 * width, 15.0 / M_PER_DEG) for b in base]
    return t, lines


def _enclaves(rng: np.random.Generator, spec: LayerSpec, t: np.ndarray,
              lines: list[np.ndarray], transpose: bool
              ) -> tuple[np.ndarray, np.ndarray]:
    """Star-shaped enclave rings well inside one strip each: (rings, strip index)."""
    lon0, lat0, lon1, lat1 = spec.bbox
    a0, a1, b0, b1 = (lat0, lat1, lon0, lon1) if transpose else (lon0, lon1, lat0, lat1)
    # candidates on a jittered grid, twice as many as needed; most survive
    n_cand = spec.small * 2
    ratio = (a1 - a0) / (b1 - b0)
    cols = max(int(np.sqrt(n_cand * ratio)), 1)
    rows = max(int(np.ceil(n_cand / cols)), 1)
    cell_a, cell_b = (a1 - a0) / cols, (b1 - b0) / rows
    grid_a, grid_b = np.meshgrid(np.arange(cols), np.arange(rows))
    ca = a0 + (grid_a.ravel() + rng.uniform(0.3, 0.7, grid_a.size)) * cell_a
    cb = b0 + (grid_b.ravel() + rng.uniform(0.3, 0.7, grid_b.size)) * cell_b
    radius = np.minimum(rng.uniform(500.0, 2_500.0, ca.size) / M_PER_DEG,
                        0.22 * min(cell_a, cell_b))
    # which strip, and clearance to the strip's two lines (distance along "across")
    across_at = np.stack([np.interp(cb, t, line) for line in lines])  # (lines, cand)
    strip = (ca[None, :] > across_at).sum(axis=0) - 1
    inside = (strip >= 0) & (strip < spec.big)
    ok = np.zeros(ca.size, dtype=bool)
    for i in np.flatnonzero(inside):
        s = strip[i]
        # t is increasing: look only at the slice that can be within reach (one spare
        # vertex each side), then apply the exact test there
        lo = max(int(np.searchsorted(t, cb[i] - radius[i] * 1.6)) - 1, 0)
        hi = int(np.searchsorted(t, cb[i] + radius[i] * 1.6, side="right")) + 1
        window = np.abs(t[lo:hi] - cb[i]) <= radius[i] * 1.6
        near = min(np.hypot(line[lo:hi][window] - ca[i], t[lo:hi][window] - cb[i]).min()
                   for line in (lines[s], lines[s + 1])) if window.any() else np.inf
        ok[i] = near > radius[i] * 1.6
    chosen = rng.permutation(np.flatnonzero(ok))[:spec.small]
    chosen.sort()
    m = spec.small_vertices - 1
    theta = np.linspace(0.0, 2 * np.pi, m, endpoint=False)
    wobble = np.zeros((chosen.size, m))
    for k in (2, 3, 5, 8):
        phase = rng.uniform(0, 2 * np.pi, (chosen.size, 1))
        wobble += rng.uniform(0.02, 0.08, (chosen.size, 1)) * np.sin(k * theta + phase)
    r = radius[chosen, None] * (1.0 + wobble + rng.uniform(-0.01, 0.01, wobble.shape))
    xa = ca[chosen, None] + r * np.cos(theta)
    xb = cb[chosen, None] + r * np.sin(theta)
    coords = np.stack([xb, xa] if transpose else [xa, xb], axis=-1)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)
    rings = shapely.linearrings(coords)
    return rings, strip[chosen]


def make_layer(kind: str, spec: LayerSpec, seed: int) -> gpd.GeoDataFrame:
    """Generate the raw forest (``FUNGSIKWS``) or zoning (``NAMOBJ``) layer."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = spec.bbox
    transpose = kind == "zoning"  # zoning strips run east-west, forest strips north-south
    across, along = ((lat0, lat1), (lon0, lon1)) if transpose else ((lon0, lon1), (lat0, lat1))
    t, lines = _strip_lines(rng, spec, across, along)
    rings, strip_of = _enclaves(rng, spec, t, lines, transpose)
    shells, holes = [], []
    for s in range(spec.big):
        left, right = lines[s], lines[s + 1]
        a = np.concatenate([left, right[::-1], left[:1]])
        b = np.concatenate([t, t[::-1], t[:1]])
        shells.append(np.column_stack([b, a] if transpose else [a, b]))
        holes.append(list(rings[strip_of == s]))
    strips = [shapely.Polygon(shell, [h.coords for h in hs]) for shell, hs in zip(shells, holes)]
    enclaves = list(shapely.polygons(rings))
    geoms = strips + enclaves
    n_small = len(enclaves)
    if kind == "forest":
        choices, weights = zip(*ENCLAVE_CODES)
        codes = [*(STRIP_CODES[s % len(STRIP_CODES)] for s in range(spec.big)),
                 *rng.choice(np.asarray(choices), n_small, p=np.asarray(weights))]
        decree = rng.choice(np.asarray(DECREES, dtype=object), len(geoms))
        frame = {"FUNGSIKWS": np.asarray(codes, dtype=float),
                 "NOSKKWS": decree.astype(object),
                 "TGLSKKWS": np.where(decree == DECREES[0], "2012-09-06", "2022-08-18")}
    else:
        choices, weights = zip(*ENCLAVE_ZONES)
        names = [*(STRIP_ZONES[s % len(STRIP_ZONES)] for s in range(spec.big)),
                 *rng.choice(np.asarray(choices, dtype=object), n_small,
                             p=np.asarray(weights))]
        frame = {"NAMOBJ": np.asarray(names, dtype=object)}
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def layer_path(kind: str, spec: LayerSpec, seed: int | None = None) -> Path:
    """Path of the cached GeoPackage of one generated layer, generating it when missing."""
    seed = seed if seed is not None else (11 if kind == "forest" else 23)
    path = DATA_DIR / f"{kind}_{spec.label}_{_key(kind, spec.key_parts(), seed)}.gpkg"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        layer = make_layer(kind, spec, seed)
        tmp = path.with_suffix(".tmp.gpkg")
        layer.to_file(tmp, driver="GPKG", engine="pyogrio")
        tmp.replace(path)
        print(f"  generated {path.name}: {len(layer):,} features, "
              f"{shapely.get_num_coordinates(layer.geometry.array).sum():,} vertices "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    return path


def layer_file(kind: str, spec: LayerSpec, fmt: str = "gpkg", seed: int | None = None
               ) -> Path:
    """Path of one generated layer as a user downloads it: ``gpkg`` or ``shp``.

    The Shapefile is written with pyogrio from the cached GeoPackage, into a folder of
    its own (``<stem>_shp/<stem>.shp`` with its .shx, .dbf, .prj, .cpg) and without a
    ``.qix`` spatial index, as such downloads arrive. The .dbf's last-update date is
    fixed so that the files are the same on every run.
    """
    gpkg = layer_path(kind, spec, seed)
    if fmt == "gpkg":
        return gpkg
    if fmt != "shp":
        raise ValueError(f"format {fmt!r}: use 'gpkg' or 'shp'")
    folder = gpkg.with_name(f"{gpkg.stem}_shp")
    path = folder / f"{gpkg.stem}.shp"
    if not path.exists():
        import pyogrio

        started = time.perf_counter()
        tmp = gpkg.with_name(f"{gpkg.stem}_shp.tmp")
        if tmp.exists():
            for leftover in tmp.iterdir():
                leftover.unlink()
        tmp.mkdir(parents=True, exist_ok=True)
        layer = pyogrio.read_dataframe(gpkg)
        pyogrio.write_dataframe(layer, tmp / path.name, driver="ESRI Shapefile",
                                layer_options={"DBF_DATE_LAST_UPDATE": "2025-01-01",
                                               "ENCODING": "UTF-8"})
        tmp.replace(folder)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f"  wrote {path.name}: {size / 2**20:,.0f} MB "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    return path


#: The projected CRS of the district-style copies of the layers: WGS 84 / UTM 49S, the
#: zone of most of the province box (its eastern third lies in zone 50).
PROJECTED_EPSG = 32749

#: Longest edge (degrees) of a layer before it is reprojected (see projected_layer_path).
SEGMENT_DEG = 0.01


def projected_layer_path(kind: str, spec: LayerSpec, epsg: int = PROJECTED_EPSG) -> Path:
    """Path of the GeoPackage of a generated layer reprojected to ``epsg``, made when missing.

    The edges are first cut to at most 0.01 degrees (~1.1 km: only the strips' ends,
    up to 70 km long, are longer), then every vertex transformed, as a GIS exporting a
    district plan to UTM does. The edges are then straight in UTM and lie within
    millimetres of the lon/lat original's, so both versions are the same map.
    """
    source = layer_path(kind, spec)
    path = source.with_name(f"{source.stem}_epsg{epsg}_{_key('projected', SEGMENT_DEG)}.gpkg")
    if not path.exists():
        started = time.perf_counter()
        layer = gpd.read_file(source, engine="pyogrio")
        layer = layer.set_geometry(layer.geometry.segmentize(SEGMENT_DEG)).to_crs(epsg)
        tmp = path.with_suffix(".tmp.gpkg")
        layer.to_file(tmp, driver="GPKG", engine="pyogrio")
        tmp.replace(path)
        print(f"  reprojected {source.name} to EPSG:{epsg} "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    return path


def prepared_layer(kind: str, spec: LayerSpec, epsg: int | None = None) -> Path:
    """Pickle of ``read_forest_area`` / ``read_zoning`` of the cached layer (fast reload).

    With ``epsg``, of its copy in that CRS (:func:`projected_layer_path`).
    """
    import lahan_geo as lg

    source = layer_path(kind, spec) if epsg is None else projected_layer_path(kind, spec, epsg)
    readers = sorted((Path(lg.__file__).parent / "layers").glob("*.py"))
    code = hashlib.sha256(b"".join(p.read_bytes() for p in readers)).hexdigest()[:8]
    path = source.with_suffix(f".{lg.__version__}-{code}.prepared.pkl")
    if not path.exists():
        reader = lg.read_forest_area if kind == "forest" else lg.read_zoning
        saved = os.environ.get("LAHAN_GEO_CACHE")
        os.environ["LAHAN_GEO_CACHE"] = "off"  # keep the user's layer cache clean
        try:
            layer = reader(source)
        finally:
            if saved is None:
                del os.environ["LAHAN_GEO_CACHE"]
            else:
                os.environ["LAHAN_GEO_CACHE"] = saved
        _dump(layer, path)
    return path


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------
def _as_read_plots(ids: list[str], geoms: np.ndarray, problem: np.ndarray, label: str
                   ) -> gpd.GeoDataFrame:
    """Plots with the columns :func:`lahan_geo.read_plots` returns (built directly, fast)."""
    from lahan_geo.intake.plots import ADDED_COLUMNS

    n = len(ids)
    en = np.where(problem, "row: the coordinate is blank. Fix: fill in the surveyed coordinate.",
                  None).astype(object)
    id_ = np.where(problem, "baris: koordinat kosong. Perbaikan: isi koordinat hasil survei.",
                   None).astype(object)
    columns = {
        "plot_id": pd.Series(ids, dtype=object),
        "input_problem": pd.Series(en, dtype=object),
        "input_problem_id": pd.Series(id_, dtype=object),
        "accuracy_m": np.full(n, np.nan),
        "source_file": pd.Series([label] * n, dtype=object),
        "source_row": np.arange(1, n + 1, dtype="int64"),
    }
    frame = pd.DataFrame({"id_lahan": pd.Series(ids, dtype=object)})
    for column in ADDED_COLUMNS:  # whatever read_plots adds today, None where not set here
        frame[column] = columns.get(column, pd.Series([None] * n, dtype=object))
    geoms = np.where(problem, None, geoms)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


def _centres(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    lon0, lat0, lon1, lat1 = BBOX
    villages = rng.uniform((lon0, lat0), (lon1, lat1), (2_000, 2))
    clustered = rng.random(n) < 0.7
    which = rng.integers(0, len(villages), n)
    sigma = 1_500.0 / M_PER_DEG
    lon = np.where(clustered, villages[which, 0] + rng.normal(0, sigma, n),
                   rng.uniform(lon0, lon1, n))
    lat = np.where(clustered, villages[which, 1] + rng.normal(0, sigma, n),
                   rng.uniform(lat0, lat1, n))
    return np.clip(lon, lon0, lon1), np.clip(lat, lat0, lat1)


def make_points(n: int, seed: int = 101) -> gpd.GeoDataFrame:
    """``n`` point plots around the province."""
    rng = np.random.default_rng(seed)
    lon, lat = _centres(rng, n)
    problem = rng.random(n) < 0.005
    ids = [f"T{i:07d}" for i in range(1, n + 1)]
    return _as_read_plots(ids, shapely.points(lon, lat), problem, "<benchmark points>")


def make_polygons(n: int, seed: int = 202) -> gpd.GeoDataFrame:
    """``n`` rotated rectangles of 20x30 m to 60x60 m around the province."""
    rng = np.random.default_rng(seed)
    lon, lat = _centres(rng, n)
    w = rng.uniform(20.0, 60.0, n)
    h = np.maximum(w, rng.uniform(30.0, 60.0, n))
    angle = rng.uniform(0.0, np.pi, n)
    corners = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)])
    dx = corners[None, :, 0] * w[:, None]
    dy = corners[None, :, 1] * h[:, None]
    ex = dx * np.cos(angle)[:, None] - dy * np.sin(angle)[:, None]
    ny = dx * np.sin(angle)[:, None] + dy * np.cos(angle)[:, None]
    x = lon[:, None] + ex / (M_PER_DEG * np.cos(np.radians(lat))[:, None])
    y = lat[:, None] + ny / M_PER_DEG
    geoms = shapely.polygons(np.stack([x, y], axis=-1))
    problem = np.zeros(n, dtype=bool)
    ids = [f"B{i:07d}" for i in range(1, n + 1)]
    return _as_read_plots(ids, geoms, problem, "<benchmark parcels>")


def national_points() -> gpd.GeoDataFrame | None:
    """The 82,829 real village centroids (None when ../shared is absent)."""
    if not SHARED_CENTROIDS.exists():
        return None
    raw = pd.read_csv(SHARED_CENTROIDS, dtype={"kode": str})
    ok = raw["lat"].notna() & raw["lng"].notna()
    geoms = shapely.points(raw["lng"].to_numpy(float), raw["lat"].to_numpy(float))
    return _as_read_plots(raw["kode"].astype(str).tolist(), geoms, ~ok.to_numpy(),
                          "indonesia_desa_centroids.csv")


def plots_path(kind: str, n: int = 0) -> Path | None:
    """Path of a cached plot set: ``points``/``polygons`` of ``n``, or ``national``."""
    from lahan_geo.intake.plots import ADDED_COLUMNS

    if kind == "national":
        if not SHARED_CENTROIDS.exists():
            return None
        size = SHARED_CENTROIDS.stat().st_size
        path = DATA_DIR / f"national_{_key(kind, size, ADDED_COLUMNS)}.pkl"
    else:
        path = DATA_DIR / f"{kind}_{n}_{_key(kind, n, ADDED_COLUMNS)}.pkl"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        plots = {"points": lambda: make_points(n), "polygons": lambda: make_polygons(n),
                 "national": national_points}[kind]()
        _dump(plots, path)
    return path


#: A district-sized area (~40 x 50 km, lon min, lat min, lon max, lat max) inside every
#: generated layer's extent and inside one UTM zone (49 south, EPSG:32749).
DISTRICT_BBOX = (112.82, -2.22, 113.18, -1.77)


def plots_csv(n: int = 31, seed: int = 31) -> Path:
    """Path of a CSV of ``n`` point plots (``id``, ``lat``, ``lon``) in one district.

    The plots are uniform over :data:`DISTRICT_BBOX`, written with 6 decimals as
    surveyed coordinates usually are; every row has a location.
    """
    path = DATA_DIR / f"plots_{n}_{_key('plots_csv', n, seed, DISTRICT_BBOX)}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        lon0, lat0, lon1, lat1 = DISTRICT_BBOX
        lon = rng.uniform(lon0, lon1, n)
        lat = rng.uniform(lat0, lat1, n)
        lines = ["id,lat,lon", *(f"KDMP-{i:03d},{y:.6f},{x:.6f}"
                                 for i, (y, x) in enumerate(zip(lat, lon), start=1))]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
    return path


def _dump(obj: object, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load(path: Path) -> gpd.GeoDataFrame:
    """Load a cached pickle written by this module."""
    with open(path, "rb") as fh:
        return pickle.load(fh)


if __name__ == "__main__":
    started = time.perf_counter()
    for spec in (QUICK_LAYER, FULL_LAYER):
        for kind in ("forest", "zoning"):
            prepared_layer(kind, spec)
    print(f"done in {time.perf_counter() - started:.1f} s")
