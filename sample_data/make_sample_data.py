"""Generate the SYNTHETIC sample data set of lahan_geo ("Kabupaten Seruyan (sintetis)").

Everything written here is invented: a Seruyan-like district outline, villages, forest-estate
functions, a spatial plan, 31 proposed outlet plots and 6 surveyed parcels. None of it is a
real boundary or legal data. The generator is deterministic (numpy ``default_rng(2025)``, no
network) and checks with shapely that every intended fact of ``expected_outcomes.csv`` holds
on the files it has just written; it fails loudly otherwise.

Usage (from the repository root)::

    python sample_data/make_sample_data.py            # writes into sample_data/
    python sample_data/make_sample_data.py --out DIR  # writes into DIR
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# GeoPackage files embed a "last_change" timestamp; pin it so that output is byte-stable.
# GDAL reads configuration options from the environment, so this must be set before writing.
os.environ["OGR_CURRENT_DATE"] = "2025-01-01T00:00:00.000Z"

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.geometry.polygon import orient

SEED = 2025
UTM = "EPSG:32749"
WGS84 = "EPSG:4326"
KM = 1000.0
GRID = None  # full floating precision overlays: shared edges keep identical vertices
FAR_S, FAR_N, FAR_W, FAR_E = 9_500_000.0, 10_050_000.0, 450_000.0, 800_000.0

FOREST_TOLERANCE_M = 126.0  # 1:250,000 map (CE90 class 3, 125 m) plus ~5 m GPS
ORDINARY_FOREST_MARGIN_M = 500.0  # "ordinary" plots: far outside the forest tolerance band
ORDINARY_ZONING_MARGIN_M = 200.0  # every point plot: far outside the ~30 m zoning tolerance
DESA_MARGIN_M = 20.0

TO_UTM = Transformer.from_crs(WGS84, UTM, always_xy=True)
TO_GEO = Transformer.from_crs(UTM, WGS84, always_xy=True)

FILES = (
    "seruyan_desa.gpkg",
    "kawasan_hutan.gpkg",
    "pola_ruang.gpkg",
    "rdtr_terintegrasi.gpkg",
    "seruyan_plots.csv",
    "seruyan_bidang.geojson",
    "expected_outcomes.csv",
)

# --------------------------------------------------------------------------------------
# Forest functions (KWSHUTAN_AR_250K, 6-digit FUNGSIKWS codes stored as floats)
# --------------------------------------------------------------------------------------
FUNCTION_CODE = {
    "HL": 100100.0,
    "HK": 100200.0,
    "HP": 100300.0,
    "HPT": 100400.0,
    "HPK": 100500.0,
    "APL": 100700.0,
    "unknown": 0.0,
}
FUNCTION_LABEL = {
    "HL": "Hutan Lindung",
    "HK": "Kawasan Suaka Alam/Kawasan Pelestarian Alam",
    "HP": "Hutan Produksi Tetap",
    "HPT": "Hutan Produksi Terbatas",
    "HPK": "Hutan Produksi yang dapat Dikonversi",
    "APL": "Areal Penggunaan Lain",
    "unknown": "Tidak Terdefinisi",
}
SK_NUMBER = "SK.529/Menhut-II/2012"
SK_DATE = "2012-09-06"

# --------------------------------------------------------------------------------------
# Spatial plan (RTRW pola ruang) zone names, codes and the class each maps to
# --------------------------------------------------------------------------------------
PERMUKIMAN_DESA = "Kawasan Permukiman Perdesaan"
PERMUKIMAN_KOTA = "Kawasan Permukiman Perkotaan"
DAGANG_JASA = "Kawasan Perdagangan dan Jasa"
TANAMAN_PANGAN = "Kawasan Peruntukan Pertanian Tanaman Pangan"
PERKEBUNAN = "Kawasan Perkebunan"
HUTAN_PRODUKSI = "Kawasan Hutan Produksi"
HUTAN_LINDUNG = "Kawasan Hutan Lindung"
SEMPADAN = "Sempadan Sungai"
LP2B = "Kawasan Pertanian Pangan Berkelanjutan"
INDUSTRI = "Kawasan Peruntukan Industri"
TAMBANG = "Kawasan Pertambangan"
RTH = "Ruang Terbuka Hijau"
BADAN_AIR = "Badan Air"
KHUSUS = "Kawasan Khusus (belum ditetapkan)"

# NAMOBJ -> (KODKWS, class used for the intended status: allowed / budidaya / lp2b /
# forest (a forest-class zone: it defers to the forest map, KODKWS names the function
# it restates) / lindung / unknown)
ZONES = {
    PERMUKIMAN_DESA: ("PM-2", "allowed"),
    PERMUKIMAN_KOTA: ("PM-1", "allowed"),
    DAGANG_JASA: ("K-1", "allowed"),
    TANAMAN_PANGAN: ("P-1", "budidaya"),
    PERKEBUNAN: ("P-3", "budidaya"),
    HUTAN_PRODUKSI: ("HP", "forest"),
    HUTAN_LINDUNG: ("HL", "forest"),
    SEMPADAN: ("PS-1", "lindung"),
    LP2B: ("KP2B", "lp2b"),
    INDUSTRI: ("KPI", "budidaya"),
    TAMBANG: ("PTB", "budidaya"),
    RTH: ("RTH", "lindung"),
    BADAN_AIR: ("BA", "lindung"),
    KHUSUS: ("KK-X", "unknown"),
}

SEVERITY = ("clear", "verify", "needs_clearance", "not_permitted", "invalid")


def require(condition: bool, message: str) -> None:
    """Fail loudly (also under ``python -O``) when an intended fact does not hold."""
    if not condition:
        raise SystemExit(f"sample data check failed: {message}")


def most_severe(statuses: list[str]) -> str:
    return max(statuses, key=SEVERITY.index) if statuses else "clear"


# --------------------------------------------------------------------------------------
# Geometry helpers (all construction happens in UTM 49S metres)
# --------------------------------------------------------------------------------------
def to_utm(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_UTM.transform(*xy.T)))


def to_geo(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_GEO.transform(*xy.T)))


def wiggle(rng, pts_km, spacing_km=2.5, amp_km=0.8, closed=False) -> np.ndarray:
    """Densify a polyline (km) and push its vertices sideways with smooth seeded noise (m)."""
    pts = np.asarray(pts_km, dtype=float) * KM
    if closed:
        pts = np.vstack([pts, pts[:1]])
    out = [pts[0]]
    for a, b in itertools.pairwise(pts):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / (spacing_km * KM))))
        t = np.arange(1, n + 1) / n
        out.extend(a + (b - a) * t[:, None])
    xy = np.array(out)
    if closed:
        xy = xy[:-1]
        tangent = np.roll(xy, -1, axis=0) - np.roll(xy, 1, axis=0)
    else:
        tangent = np.gradient(xy, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    noise = rng.standard_normal(len(xy))
    kernel = np.array([1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0]) / 16.0 * 2.0  # std ~ 1
    if closed:
        padded = np.concatenate([noise[-3:], noise, noise[:3]])
        noise = np.convolve(padded, kernel, mode="valid")
    else:
        noise = np.convolve(noise, kernel, mode="same")
        noise[0] = noise[-1] = 0.0
    xy = xy + normal * (noise * amp_km * KM)[:, None]
    xy = np.round(xy, 2)
    if closed:
        xy = np.vstack([xy, xy[:1]])
    return xy


def below(line: np.ndarray) -> Polygon:
    """Area south of a west-to-east line."""
    poly = Polygon([*line, (line[-1, 0], FAR_S), (line[0, 0], FAR_S)])
    require(poly.is_valid, "half-plane polygon is invalid")
    return poly


def above(line: np.ndarray) -> Polygon:
    """Area north of a west-to-east line."""
    poly = Polygon([*line, (line[-1, 0], FAR_N), (line[0, 0], FAR_N)])
    require(poly.is_valid, "half-plane polygon is invalid")
    return poly


def west_of(line: np.ndarray) -> Polygon:
    """Area west of a south-to-north line."""
    poly = Polygon([*line, (FAR_W, line[-1, 1]), (FAR_W, line[0, 1])])
    require(poly.is_valid, "half-plane polygon is invalid")
    return poly


def blob(rng, cx_km, cy_km, r_km, n=24, rough=0.12) -> Polygon:
    """Irregular, roughly round polygon (a settlement, a hill, a farm block)."""
    ang = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    noise = rng.standard_normal(n)
    padded = np.concatenate([noise[-1:], noise, noise[:1]])
    noise = np.convolve(padded, np.array([1.0, 2.0, 1.0]) / 4.0, mode="valid")
    r = r_km * KM * (1.0 + rough * noise)
    xy = np.column_stack([cx_km * KM + r * np.cos(ang), cy_km * KM + r * np.sin(ang)])
    poly = Polygon(np.round(xy, 2))
    require(poly.is_valid, "blob is invalid")
    return poly


def inter(a, b):
    return shapely.intersection(a, b, grid_size=GRID)


def diff(a, b):
    return shapely.difference(a, b, grid_size=GRID)


def polygons(geom) -> list[Polygon]:
    """Polygon parts of a geometry, dropping dust (< 1 m²) and lower-dimension debris."""
    parts = shapely.get_parts(geom)
    out = []
    for part in parts:
        if part.geom_type == "Polygon" and part.area > 1.0:
            out.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out.extend(polygons(part))
    return out


def spread_points(rng, area: Polygon, k: int, candidates: int = 30) -> list[Point]:
    """Well spread seeded points inside ``area`` (best-candidate sampling)."""
    minx, miny, maxx, maxy = area.bounds
    prepared = shapely.prepared.prep(area)
    chosen: list[Point] = []
    while len(chosen) < k:
        best, best_d = None, -1.0
        tries = 0
        while tries < candidates:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if not prepared.contains(p):
                continue
            tries += 1
            d = min((p.distance(c) for c in chosen), default=np.inf)
            if d > best_d:
                best, best_d = p, d
        chosen.append(Point(round(best.x, 2), round(best.y, 2)))
    return chosen


def split(rng, area, k: int) -> list[Polygon]:
    """Split an area into about ``k`` polygons along Voronoi edges of seeded points."""
    out: list[Polygon] = []
    for part in polygons(area):
        kk = max(1, round(k * part.area / area.area))
        if kk == 1 or part.area < 50 * KM * KM:
            out.append(part)
            continue
        pts = spread_points(rng, part, kk)
        cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=part.envelope.buffer(KM))
        for cell in shapely.get_parts(cells):
            out.extend(polygons(inter(part, cell)))
    return out


def sort_key(poly: Polygon) -> tuple[float, float]:
    c = poly.representative_point()
    return (round(c.y, 1), round(c.x, 1))


# --------------------------------------------------------------------------------------
# The synthetic landscape
# --------------------------------------------------------------------------------------
# District outline (UTM 49S, km), counter-clockwise from the south-west; the coast is south.
OUTLINE_KM = [
    (558, 9630), (568, 9621), (584, 9617), (600, 9614), (614, 9612), (628, 9612),
    (642, 9616), (658, 9613), (674, 9616), (690, 9620), (700, 9627), (700, 9648),
    (694, 9676), (686, 9706), (678, 9736), (672, 9766), (667, 9796), (664, 9826),
    (662, 9856), (659, 9884), (652, 9906), (640, 9916), (625, 9913), (614, 9900),
    (608, 9878), (605, 9850), (602, 9822), (597, 9794), (590, 9766), (580, 9736),
    (568, 9706), (558, 9676), (555, 9650),
]  # fmt: skip
RIVER_KM = [
    (628, 9598), (627, 9625), (624, 9645), (629, 9668), (627, 9690), (632, 9712),
    (630, 9735), (634, 9758), (632, 9782), (636, 9805), (634, 9828), (638, 9846),
]  # fmt: skip
APL_SOUTH_KM = [(540, 9664), (570, 9660), (600, 9656), (620, 9662), (640, 9668),
                (665, 9662), (690, 9664), (720, 9660)]  # fmt: skip
HPK_NORTH_KM = [(540, 9716), (580, 9710), (620, 9714), (650, 9712), (680, 9708),
                (720, 9712)]  # fmt: skip
HPT_EAST_KM = [(614, 9690), (611, 9740), (616, 9780), (612, 9845)]
HL_SOUTH_KM = [(560, 9824), (610, 9820), (640, 9826), (690, 9818)]
HK_SOUTH_KM = [(580, 9862), (600, 9858), (620, 9860), (645, 9856)]
HK_EAST_KM = [(628, 9840), (626, 9880), (630, 9940)]
ZONING_NORTH_KM = [(540, 9802), (580, 9798), (620, 9803), (660, 9797), (720, 9800)]
SLIVER_X_KM = (645.0, 676.0)
SLIVER_HALF_WIDTH_M = 225.0
CORRIDOR_HALF_WIDTH_M = 3000.0


@dataclass
class Landscape:
    district: Polygon
    river: LineString
    forest: list[tuple[str, Polygon]]  # (function, polygon), UTM, one polygon invalid
    zoning: list[tuple[str, Polygon]]  # (NAMOBJ, polygon), UTM
    desa: gpd.GeoDataFrame  # UTM
    sliver: Polygon
    anchors: dict[str, tuple[float, float]]  # named places (km), see ``place_anchors``


def line_y_at(line: np.ndarray, x_km: float) -> float:
    """Northing (km) of a west-to-east line at an easting (km)."""
    return float(np.interp(x_km * KM, line[:, 0], line[:, 1])) / KM


def river_x_at(river: LineString, y_km: float) -> float:
    """Easting (km) of the river where it crosses a northing (km)."""
    cut = shapely.intersection(river, LineString([(FAR_W, y_km * KM), (FAR_E, y_km * KM)]))
    return min(p.x for p in shapely.get_parts(cut)) / KM


def place_anchors(river: LineString, l_apl: np.ndarray, l_hpk: np.ndarray):
    """Named places (km) laid out relative to the river and the forest-function lines."""

    def on_river(y_km: float, dx_km: float) -> tuple[float, float]:
        return (round(river_x_at(river, y_km) + dx_km, 3), y_km)

    hill_x = 600.0
    return {
        "capital": on_river(9619.0, 1.2),  # river-mouth town, mostly on the east bank
        "capital_market": on_river(9618.0, 1.8),
        "town": on_river(9736.0, 0.6),  # upstream market town
        "town_market": on_river(9735.5, 1.3),
        "town_park": on_river(9737.2, 1.0),
        "village_river_1": on_river(9646.0, 1.4),
        "village_river_2": on_river(9681.0, -1.3),
        "village_river_3": on_river(9786.0, 1.2),
        "village_edge_hp": on_river(9758.0, CORRIDOR_HALF_WIDTH_M / KM),
        "hill": (hill_x, round(line_y_at(l_apl, hill_x) + 4.0, 3)),
        # a village on the code-0 sliver (which runs along the HPK/HP line)
        "village_sliver": (661.0, round(line_y_at(l_hpk, 661.0), 3)),
    }


def build_landscape(rng) -> Landscape:
    district = Polygon(wiggle(rng, OUTLINE_KM, spacing_km=3.0, amp_km=1.6, closed=True))
    require(district.is_valid, "district outline is invalid")
    river = LineString(wiggle(rng, RIVER_KM, spacing_km=2.0, amp_km=0.6))
    l_apl = wiggle(rng, APL_SOUTH_KM, amp_km=1.5)
    l_hpk = wiggle(rng, HPK_NORTH_KM, amp_km=1.0)
    l_hpt = wiggle(rng, HPT_EAST_KM, amp_km=1.2)
    l_hl = wiggle(rng, HL_SOUTH_KM, amp_km=1.5)
    l_hk_s = wiggle(rng, HK_SOUTH_KM, amp_km=1.5)
    l_hk_e = wiggle(rng, HK_EAST_KM, amp_km=1.5)
    l_zone = wiggle(rng, ZONING_NORTH_KM, amp_km=1.5)
    anchors = place_anchors(river, l_apl, l_hpk)
    hl_hill = blob(rng, *anchors["hill"], 6.5, n=28, rough=0.10)
    # The hill village sits on the APL/HL edge south of the hill (below its centre).
    hill_x, hill_y = anchors["hill"]
    cut = shapely.intersection(
        hl_hill.boundary, LineString([(hill_x * KM, FAR_S), (hill_x * KM, hill_y * KM)])
    )
    anchors["village_hill"] = (hill_x, round(min(p.y for p in shapely.get_parts(cut)) / KM, 3))

    sliver_axis = inter(
        LineString(l_hpk), shapely.box(SLIVER_X_KM[0] * KM, FAR_S, SLIVER_X_KM[1] * KM, FAR_N)
    )
    sliver_shape = sliver_axis.buffer(SLIVER_HALF_WIDTH_M, cap_style="flat", quad_segs=2)
    corridor = river.buffer(CORRIDOR_HALF_WIDTH_M, quad_segs=4)

    # Paint the forest functions: the first shape that covers a place wins.
    paint = [
        ("unknown", sliver_shape, 1),
        ("APL", corridor, 3),
        ("HK", inter(above(l_hk_s), west_of(l_hk_e)), 2),
        ("HL", above(l_hl), 3),
        ("HL", hl_hill, 1),
        ("APL", below(l_apl), 4),
        ("HPK", below(l_hpk), 3),
        ("HPT", west_of(l_hpt), 2),
        ("HP", None, 3),
    ]
    remaining = district
    forest: list[tuple[str, Polygon]] = []
    sliver = None
    for function, shape, k in paint:
        piece = remaining if shape is None else inter(remaining, shape)
        if shape is not None:
            remaining = diff(remaining, shape)
        parts = split(rng, piece, k)
        if function == "unknown":
            require(len(parts) == 1, "the code-0 sliver must be one polygon")
            sliver = parts[0]
        forest.extend((function, p) for p in parts)
    forest = make_enclave(forest)

    desa = build_admin(rng, district, anchors)
    zoning = build_zoning(rng, district, river, l_zone, forest, anchors, desa)
    return Landscape(district, river, forest, zoning, desa, sliver, anchors)


def make_enclave(forest: list[tuple[str, Polygon]]) -> list[tuple[str, Polygon]]:
    """Cut an APL village enclave out of an HL polygon, touching its outer edge.

    The HL polygon is written as ONE self-touching ring (an "inverted hole", as some
    desktop GIS store it): invalid for shapely/GEOS, but ``make_valid`` turns it into a
    polygon with a hole of the same area. This is the one invalid polygon of the layer. The
    host is the largest HL polygon that holds no plot or parcel, so that no intended
    outcome depends on how a reader repairs it.
    """
    used = [Point(TO_UTM.transform(float(p.bujur), float(p.lintang)))
            for p in PLOTS if p.check != "no_coordinates"]
    used += [to_utm(Polygon(p.ring)) for p in PARCELS]
    hl = [i for i, (f, p) in enumerate(forest)
          if f == "HL" and not any(p.intersects(u.buffer(KM)) for u in used)]
    require(bool(hl), "no HL polygon is free of plots")
    idx = max(hl, key=lambda i: forest[i][1].area)
    host = orient(forest[idx][1], 1.0)
    ring = list(host.exterior.coords)[:-1]
    centroid = np.array(host.centroid.coords[0])
    others = shapely.union_all([p for i, (_, p) in enumerate(forest) if i != idx])
    # Try vertices from the east (deterministic order), keep the first that works.
    order = sorted(range(len(ring)), key=lambda i: (-ring[i][0], ring[i][1]))
    for k in order:
        v = np.array(ring[k])
        if others.distance(Point(v)) > 1.0:  # vertex must lie on the district edge
            continue
        inward = centroid - v
        inward /= np.linalg.norm(inward)

        def rot(vec, deg):
            a = np.radians(deg)
            return np.array([vec[0] * np.cos(a) - vec[1] * np.sin(a),
                             vec[0] * np.sin(a) + vec[1] * np.cos(a)])

        e1 = np.round(v + rot(inward, -30.0) * 2200.0, 2)
        e2 = np.round(v + inward * 3400.0, 2)
        e3 = np.round(v + rot(inward, 30.0) * 2200.0, 2)
        enclave = orient(Polygon([tuple(v), tuple(e1), tuple(e2), tuple(e3)]), 1.0)
        touch = shapely.intersection(enclave.boundary, host.boundary)
        if not (host.contains(enclave) and touch.geom_type == "Point"):
            continue
        loop = [tuple(c) for c in enclave.exterior.coords][:-1]  # CCW, rotated below
        start = loop.index(tuple(v))
        loop = loop[start:] + loop[:start]  # v, a, b, c (CCW)
        hole_cw = [loop[0], loop[3], loop[2], loop[1], loop[0]]  # v, c, b, a, v (CW)
        new_ring = ring[: k + 1] + hole_cw[1:] + ring[k + 1 :]
        broken = Polygon(new_ring)
        require(not broken.is_valid, "enclave ring should be self-touching")
        repaired = shapely.make_valid(broken)
        require(repaired.geom_type == "Polygon", repaired.geom_type)
        lost = abs(repaired.area - (host.area - enclave.area)) + abs(broken.area - repaired.area)
        require(lost < 1.0, "repairing the enclave ring changes its area")
        forest = list(forest)
        forest[idx] = ("HL", broken)
        forest.append(("APL", enclave))
        return forest
    raise SystemExit("sample data check failed: no vertex of the HL polygon allows an enclave")


# --------------------------------------------------------------------------------------
# Villages and kecamatan
# --------------------------------------------------------------------------------------
PREFIXES = ("Sungai", "Tanjung", "Teluk", "Kuala", "Tumbang", "Natai", "Pematang", "Bukit",
            "Danau", "Lubuk", "Rantau", "Muara", "Batu", "Pulau", "Sei", "Parit", "Pantai",
            "Tanah", "Bangun", "Sumber")  # fmt: skip
SUFFIXES = ("Baru", "Jaya", "Makmur", "Indah", "Raya", "Hilir", "Hulu", "Permai", "Sejahtera",
            "Lestari")  # fmt: skip
ONSETS = ("b", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "j", "s", "t", "k")
VOWELS = ("a", "a", "a", "i", "i", "u", "u", "e")
CODAS = ("", "", "n", "ng", "k", "h", "t", "s", "r", "l", "m")
NASAL_BEFORE = {"b": "m", "p": "m", "d": "n", "t": "n", "j": "n", "g": "ng", "k": "ng", "s": "n"}


def make_root(rng) -> str:
    """A pronounceable Indonesian-looking word: CV(N)CV(N)..(C), e.g. "Sambuluh"."""
    n_syl = 2 if rng.random() < 0.75 else 3
    word = ""
    for i in range(n_syl):
        onset = ONSETS[rng.integers(0, len(ONSETS))]
        if i > 0 and onset in NASAL_BEFORE and rng.random() < 0.3:
            word += NASAL_BEFORE[onset]
        word += onset + VOWELS[rng.integers(0, len(VOWELS))]
    return (word + CODAS[rng.integers(0, len(CODAS))]).capitalize()


def make_name(rng, used: set[str]) -> str:
    while True:
        root = make_root(rng)
        r = rng.random()
        if r < 0.65:
            name = f"{PREFIXES[rng.integers(0, len(PREFIXES))]} {root}"
        elif r < 0.85:
            name = f"{root} {SUFFIXES[rng.integers(0, len(SUFFIXES))]}"
        else:
            name = root
        if name not in used:
            used.add(name)
            return name


def build_admin(rng, district: Polygon, anchors) -> gpd.GeoDataFrame:
    used: set[str] = set()
    kec_pts = spread_points(rng, district, 10, candidates=60)
    cells = shapely.voronoi_polygons(MultiPoint(kec_pts), extend_to=district.envelope.buffer(KM))
    kecs = []
    for cell in shapely.get_parts(cells):
        parts = polygons(inter(district, cell))
        require(len(parts) == 1, "a kecamatan came out in several parts")
        kecs.append(parts[0])
    kecs.sort(key=sort_key)
    kota = [Point(anchors[k][0] * KM, anchors[k][1] * KM) for k in ("capital", "town")]
    rows = []
    for kk, kec in enumerate(kecs, start=1):
        kec_name = make_name(rng, used)
        pts = spread_points(rng, kec, 10)
        cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=kec.envelope.buffer(KM))
        villages = []
        for cell in shapely.get_parts(cells):
            parts = polygons(inter(kec, cell))
            # A Voronoi cell clipped to a concave kecamatan may fall apart: keep it as one
            # multi-part village (this happens in real village layers too).
            village = shapely.union_all(parts, grid_size=GRID) if len(parts) > 1 else parts[0]
            seed = next(p for p in pts if cell.contains(p))  # the village centre
            villages.append((village, seed))
        villages.sort(key=lambda vs: sort_key(vs[0]))
        n_kel = n_desa = 0
        for village, seed in villages:
            is_kel = any(village.contains(p) for p in kota)
            if is_kel:
                n_kel += 1
                kode = f"62.07.{kk:02d}.1{n_kel:03d}"
            else:
                n_desa += 1
                kode = f"62.07.{kk:02d}.2{n_desa:03d}"
            rows.append({"kode": kode, "nama": make_name(rng, used), "kecamatan": kec_name,
                         "kelurahan": is_kel, "centre": seed, "geometry": village})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM)


# --------------------------------------------------------------------------------------
# Spatial plan
# --------------------------------------------------------------------------------------
# (NAMOBJ, centre: anchor name or (x, y) km, radius km); painted in order, first wins.
ZONE_BLOBS = [
    (RTH, "town_park", 0.45),
    (DAGANG_JASA, "capital_market", 0.9),
    (DAGANG_JASA, "town_market", 0.7),
    (PERMUKIMAN_KOTA, "capital", 3.2),
    (PERMUKIMAN_KOTA, "town", 2.2),
    (INDUSTRI, (645.0, 9618.0), 1.6),
    (KHUSUS, (688.0, 9645.0), 1.5),
    (LP2B, (646.0, 9641.0), 3.0),
    (PERMUKIMAN_DESA, (575.0, 9630.0), 1.6),
    (PERMUKIMAN_DESA, (602.0, 9627.0), 1.5),
    (PERMUKIMAN_DESA, (656.0, 9627.0), 1.6),
    (PERMUKIMAN_DESA, (684.0, 9632.0), 1.5),
    (PERMUKIMAN_DESA, "village_river_1", 1.6),
    (PERMUKIMAN_DESA, "village_river_2", 1.5),
    (PERMUKIMAN_DESA, "village_river_3", 1.4),
    (PERMUKIMAN_DESA, "village_hill", 1.9),
    (PERMUKIMAN_DESA, "village_edge_hp", 1.5),
    (PERMUKIMAN_DESA, "village_sliver", 1.4),
    (PERMUKIMAN_DESA, (564.0, 9660.0), 1.3),
    (TANAMAN_PANGAN, (588.0, 9641.0), 3.5),
    (TANAMAN_PANGAN, (666.0, 9645.0), 3.0),
    (TAMBANG, (660.0, 9775.0), 3.0),
]


def build_zoning(rng, district, river, l_zone, forest, anchors, desa):
    """Paint the pola ruang over the southern and central district (north stays unplanned)."""
    zoned = inter(district, below(l_zone))
    water = inter(river.buffer(150.0, quad_segs=4), zoned)
    setback = river.buffer(600.0, quad_segs=4)
    paint: list[tuple[str, object]] = [(BADAN_AIR, water), (SEMPADAN, setback)]
    for name, centre, r in ZONE_BLOBS:
        cx, cy = anchors[centre] if isinstance(centre, str) else centre
        paint.append((name, blob(rng, cx, cy, r, n=20, rough=0.10)))
    # Every desa (not kelurahan) of the planned area gets a rural settlement at its centre,
    # also inside the forest estate: villages in kawasan hutan are a real obstacle.
    for _, row in desa.iterrows():
        centre = row["centre"]
        if row["kelurahan"] or not zoned.contains(centre):
            continue
        r = float(rng.uniform(0.9, 1.5))
        paint.append((PERMUKIMAN_DESA, blob(rng, centre.x / KM, centre.y / KM, r, n=18)))
    by_function: dict[str, list[Polygon]] = {}
    for function, poly in forest:
        by_function.setdefault(function, []).append(shapely.make_valid(poly))
    merged = {f: shapely.union_all(ps, grid_size=GRID) for f, ps in by_function.items()}
    paint += [
        (HUTAN_LINDUNG, shapely.union_all([merged["HL"], merged["HK"]], grid_size=GRID)),
        (HUTAN_PRODUKSI,
         shapely.union_all([merged["HP"], merged["HPT"], merged["unknown"]], grid_size=GRID)),
        (PERKEBUNAN, None),
    ]
    remaining = zoned
    zoning: list[tuple[str, Polygon]] = []
    for name, shape in paint:
        piece = remaining if shape is None else inter(remaining, shape)
        if shape is not None:
            remaining = diff(remaining, shape)
        zoning.extend((name, p) for p in polygons(piece) if p.area > 100.0)
    return zoning


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    if path.exists():
        path.unlink()
    gdf.to_file(path, layer=layer, driver="GPKG")


def write_layers(land: Landscape, out: Path) -> None:
    desa = land.desa.copy()
    desa["geometry"] = desa.geometry.apply(to_geo)
    desa = desa.set_crs(WGS84, allow_override=True)
    write_gpkg(desa[["kode", "nama", "kecamatan", "geometry"]], out / "seruyan_desa.gpkg", "desa")

    rows = []
    for function, poly in sorted(land.forest, key=lambda fp: (fp[0], sort_key(fp[1]))):
        code = FUNCTION_CODE[function]
        rows.append({
            "FUNGSIKWS": code,
            "NOSKKWS": None if function == "unknown" else SK_NUMBER,
            "TGLSKKWS": None if function == "unknown" else SK_DATE,
            "KODE_PROV": 62,
            "deskripsi": FUNCTION_LABEL[function],
            "geometry": to_geo(poly),
        })
    forest = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    write_gpkg(forest, out / "kawasan_hutan.gpkg", "KWSHUTAN_AR_250K")

    rows = []
    for name, poly in sorted(land.zoning, key=lambda zp: (zp[0], sort_key(zp[1]))):
        kode, _ = ZONES[name]
        remark = "Data sintetis, bukan Perda RTRW Kabupaten Seruyan"
        if name == KHUSUS:
            remark = "Data sintetis; peruntukan belum ditetapkan"
        rows.append({"NAMOBJ": name, "KODKWS": kode, "WADMKK": "Seruyan", "REMARK": remark,
                     "geometry": poly})
    zoning = gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM)
    write_gpkg(zoning, out / "pola_ruang.gpkg", "POLA_RUANG_AR")


# --------------------------------------------------------------------------------------
# The district's list of proposed outlet plots and the surveyed parcels, with their intent
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plot:
    """One row of ``seruyan_plots.csv`` and what it is meant to test."""

    id_lahan: str
    lintang: str  # as written in the CSV (may be blank or text)
    bujur: str
    desa: str
    function: str  # intended forest function: HK/HL/HP/HPT/HPK/APL/unknown/none
    zone: str  # intended NAMOBJ, "" = outside the spatial plan / not applicable
    check: str  # ordinary | deep_hl | b1 | sliver | no_coordinates
    status: str  # intended status
    situation: str
    luas_m2: str
    keterangan: str
    status_lahan: str  # the land status as the district wrote it (rules v2, T1..T9)
    title: str  # the land-title class it is meant to fall in (LAND_TITLE_OUTCOME)


# Kecamatan order as in the district's report (south to north).
PLOTS = [
    Plot("SRY-001", "-3.430429", "112.173879", "Parit Nipitak", "APL", PERMUKIMAN_KOTA,
         "ordinary", "needs_clearance",
         "T3: APL, permukiman perkotaan inside the RDTR (K1); the land is "
         "a regional asset (BMD)",
         "1200", "Tanah aset Pemda", "Aset Pemda (BMD)", "regional_asset"),
    Plot("SRY-002", "-3.454419", "112.157707", "Parit Nipitak", "APL", DAGANG_JASA,
         "ordinary", "needs_clearance",
         "T3: APL, perdagangan dan jasa inside the RDTR (K1, same "
         "kelurahan as SRY-001); regional asset",
         "1000", "Bekas kios pasar, aset Pemda", "Bekas kios pasar, aset Pemkab", "regional_asset"),
    Plot("SRY-003", "-3.374717", "111.917561", "Hapa Indah", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan; certified village asset (T1)",
         "1500", "Tanah kas desa", "TKD bersertifikat (SHP)", "village_certified"),
    Plot("SRY-004", "-3.375222", "112.271195", "Lubuk Bengger", "APL", PERMUKIMAN_DESA,
         "ordinary", "needs_clearance",
         "T6: APL, permukiman perdesaan; a resident's grant without a "
         "PPAT deed",
         "1000", "Hibah warga", "Hibah warga (belum akta)", "private_no_deed"),
    Plot("SRY-005", "-3.374134", "112.403850", "Dusir", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan; private land granted by a "
         "PPAT deed (T5)",
         "1200", "Hibah warga, sudah akta", "SHM a.n. warga, hibah akta PPAT", "private_deed"),
    Plot("SRY-006", "-3.244377", "112.315842", "Lingga", "APL", LP2B,
         "ordinary", "not_permitted",
         "Z3: APL in LP2B (protected food farmland, no conversion unless "
         "PSN or public interest)",
         "2000", "Sawah milik desa", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-007", "-3.202990", "112.134016", "Kumpas Makmur", "APL", PERMUKIMAN_DESA,
         "ordinary", "needs_clearance",
         "T2: APL, permukiman perdesaan (river village); village asset "
         "not certified",
         "1000", "Tanah kas desa, dekat dermaga", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-008", "-3.321337", "112.731046", "Pulau Nipin", "APL", PERMUKIMAN_DESA,
         "ordinary", "needs_clearance",
         "T6: APL, permukiman perdesaan; the owner's oral permission only",
         "1100", "Hibah warga", "izin lisan pemilik", "private_no_deed"),
    Plot("SRY-009", "-3.258073", "112.420424", "Natai Hutun", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan; certified village asset (T1)",
         "1000", "Tanah kas desa", "Aset desa bersertifikat", "village_certified"),
    Plot("SRY-010", "-3.208546", "112.692797", "Damaha", "APL", KHUSUS,
         "ordinary", "verify",
         "zone value unknown to a generic mapping: APL in 'Kawasan Khusus "
         "(belum ditetapkan)'",
         "1500", "Tanah desa", "TKD bersertifikat", "village_certified"),
    Plot("SRY-011", "-3.244018", "111.794769", "Hapus Permai", "APL", TANAMAN_PANGAN,
         "ordinary", "needs_clearance",
         "Z2: APL in pertanian tanaman pangan",
         "1000", "Lahan sawah, hibah warga", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-012", "-3.266591", "111.595784", "Lubuk Lahat", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan; certified village asset (T1)",
         "1200", "Tanah kas desa", "TKD bersertifikat (SHP)", "village_certified"),
    Plot("SRY-013", "-3.156228", "111.729635", "Tanah Sari", "APL", PERMUKIMAN_DESA,
         "ordinary", "verify",
         "T9: APL, permukiman perdesaan; land status 'Bekas balai desa' "
         "not recognized",
         "1000", "Bekas balai desa", "Bekas balai desa", "unrecognized"),
    Plot("SRY-014", "-3.075177", "111.575336", "Pibesis Sejahtera", "APL", PERMUKIMAN_DESA,
         "ordinary", "not_permitted",
         "T7: APL, permukiman perdesaan; land disputed with the heirs",
         "900", "Hibah warga", "Sengketa dengan ahli waris", "disputed"),
    Plot("SRY-015", "-3.113667", "112.327373", "Masin", "APL", PERKEBUNAN,
         "ordinary", "needs_clearance",
         "Z2: APL in perkebunan",
         "2500", "Kebun sawit milik desa", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-016", "-3.042204", "111.902597", "Danau Sakam", "HL", HUTAN_LINDUNG,
         "ordinary", "needs_clearance",
         "F2 in HL (southern hill); zoned kawasan hutan lindung, which "
         "agrees with the forest map and defers to it (Z1f)",
         "1000", "Tanah desa di kaki bukit", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-017", "-3.141723", "111.906821", "Tanah Subah", "APL", PERMUKIMAN_DESA,
         "b1", "verify",
         "B1: APL permukiman, 50 m from the APL/HL boundary",
         "1200", "Tanah kas desa", "Tanah kas desa (SHP)", "village_certified"),
    Plot("SRY-018", "-2.887121", "112.141242", "Parit Susi", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan (river village); certified "
         "village asset (T1)",
         "1000", "Tanah kas desa", "Aset desa bersertifikat", "village_certified"),
    Plot("SRY-019", "-2.832774", "111.923121", "Bukit Narir", "HPK", PERMUKIMAN_DESA,
         "ordinary", "needs_clearance",
         "F4: village inside HPK, zoned permukiman perdesaan",
         "1000", "Desa di dalam kawasan hutan", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-020", "-2.668381", "112.167881", "Lubuk Hetan", "APL", SEMPADAN,
         "ordinary", "not_permitted",
         "Z1: APL in sempadan sungai (river setback zone)",
         "800", "Lahan di tepi sungai", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-021", "-2.610460", "112.448205", "Lubuk Hijut", "unknown", PERMUKIMAN_DESA,
         "sliver", "verify",
         "F7: inside the code-0 sliver (Tidak Terdefinisi), ~225 m from "
         "its edges",
         "1000", "Tanah kas desa", "", "blank"),
    Plot("SRY-022", "-2.815710", "111.751273", "Riri", "HPK", PERKEBUNAN,
         "ordinary", "needs_clearance",
         "F4: HPK, zoned perkebunan (Z2)",
         "2000", "Lahan kebun warga", "Lahan kebun warga, pinjam", "private_no_deed"),
    Plot("SRY-023", "-2.187378", "111.866917", "Pulau Hikat", "HPT", HUTAN_PRODUKSI,
         "ordinary", "needs_clearance",
         "F3: HPT, zoned kawasan hutan produksi (Z1f)",
         "1000", "Lahan di luar permukiman", "Aset BMN (PT Inhutani)", "state_asset"),
    Plot("SRY-024", "-2.378466", "112.184484", "Pantai Luresu", "APL", RTH,
         "ordinary", "not_permitted",
         "Z1: APL in ruang terbuka hijau (town park)",
         "1000", "Taman kota, aset Pemda", "Aset Pemkab (taman kota)", "regional_asset"),
    Plot("SRY-025", "-2.237651", "112.369139", "Pulau Kuma", "HP", PERMUKIMAN_DESA,
         "ordinary", "needs_clearance",
         "F3: village inside HP, zoned permukiman perdesaan",
         "1200", "Desa di dalam kawasan hutan", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-026", "-1.936137", "112.208324", "Sungai Kinusat", "APL", PERMUKIMAN_DESA,
         "ordinary", "clear",
         "clear: APL, permukiman perdesaan (upstream river village); "
         "certified village asset (T1)",
         "1000", "Tanah kas desa", "TKD bersertifikat (SHP)", "village_certified"),
    Plot("SRY-027", "", "", "Sungai Dinjat", "none", "",
         "no_coordinates", "invalid",
         "no coordinates (both fields blank)",
         "1000", "Titik koordinat belum ada", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-028", "belum disurvei", "belum disurvei", "Bukit Sidang", "none", "",
         "no_coordinates", "invalid",
         "no coordinates (text 'belum disurvei')",
         "", "Lokasi belum disurvei", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-029", "-1.515086", "112.202306", "Kuala Majik", "APL", "",
         "ordinary", "needs_clearance",
         "Z5 + T2: APL outside the spatial plan (no zoning polygon); "
         "village asset not certified",
         "1000", "Tanah kas desa", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-030", "-1.010419", "112.030883", "Sumber Geleng", "HK", "",
         "ordinary", "not_permitted",
         "F1: HK (national-park-like block); also outside the spatial plan",
         "1000", "Desa di dalam kawasan hutan", "Tanah kas desa", "village_uncertified"),
    Plot("SRY-031", "-1.098055", "112.306797", "Sumber Kiseting", "HL", "",
         "deep_hl", "needs_clearance",
         "F2 more than 5 km inside HL; also outside the spatial plan (Z5)",
         "1000", "Desa di dalam kawasan hutan", "Tanah kas desa", "village_uncertified"),
]


@dataclass(frozen=True)
class Parcel:
    """One surveyed parcel of ``seruyan_bidang.geojson`` and what it is meant to test."""

    id_lahan: str
    ring: tuple[tuple[float, float], ...]  # (lon, lat), counter-clockwise, not closed
    desa: str
    function: str
    zone: str
    check: str  # clear_large | clear_small | straddle_hl | poke_hp | in_hpt | apl_kebun
    status: str
    situation: str
    keterangan: str


PARCELS = [
    Parcel("SRY-B01", ((111.877629, -3.2367565), (111.8779696, -3.2366231),
                       (111.877856, -3.2363127), (111.8775191, -3.2364118)),
           "Risih Indah", "APL", PERMUKIMAN_DESA, "clear_large", "clear",
           "clear: APL permukiman, about 1,520 m2", "Hasil ukur GPS, tanah kas desa"),
    Parcel("SRY-B02", ((112.6153836, -3.2639647), (112.6156051, -3.2640048),
                       (112.6156389, -3.2636945), (112.6154143, -3.2636768)),
           "Kuala Ganjajal", "APL", PERMUKIMAN_DESA, "clear_small", "clear",
           "S1 flag only: APL permukiman, about 830 m2 (< 1,000 m2)", "Hasil ukur GPS"),
    Parcel("SRY-B03", ((111.89253, -3.1447652), (111.8930378, -3.1447307),
                       (111.8930476, -3.1441786), (111.8924814, -3.1442189)),
           "Danau Sakam", "HL", PERMUKIMAN_DESA, "straddle_hl", "needs_clearance",
           "F2 + B1: straddles the APL/HL boundary, about 40 % of its area in HL",
           "Hasil ukur GPS, sebagian masuk kawasan hutan?"),
    Parcel("SRY-B04", ((112.2247192, -2.1890165), (112.2249583, -2.1893617),
                       (112.2253208, -2.1890789), (112.225088, -2.1887347)),
           "Danau Duntunuh", "APL", PERMUKIMAN_DESA, "poke_hp", "verify",
           "B1: APL permukiman, one corner pokes < 20 m into HP (sliver in the tolerance band)",
           "Hasil ukur GPS"),
    Parcel("SRY-B05", ((111.9171001, -2.0628338), (111.91752, -2.0626266),
                       (111.9172977, -2.0622119), (111.9168909, -2.062383)),
           "Delit Makmur", "HPT", HUTAN_PRODUKSI, "in_hpt", "needs_clearance",
           "F3: entirely in HPT (zoned kawasan hutan produksi, Z1f)", "Hasil ukur GPS"),
    Parcel("SRY-B06", ((112.2595616, -3.0753313), (112.2599349, -3.0756154),
                       (112.2601468, -3.0752788), (112.2597529, -3.0750243)),
           "Tuta", "APL", PERKEBUNAN, "apl_kebun", "needs_clearance",
           "Z2: APL in perkebunan", "Hasil ukur GPS, kebun sawit desa"),
]

FOREST_OUTCOME = {"HK": "not_permitted", "HL": "needs_clearance", "HP": "needs_clearance",
                  "HPT": "needs_clearance", "HPK": "needs_clearance", "APL": "clear",
                  "unknown": "verify"}
ZONE_OUTCOME = {"allowed": "clear", "budidaya": "needs_clearance", "lp2b": "not_permitted",
                "lindung": "not_permitted", "unknown": "verify"}
# Land-title classes (domain notes v2 section 6) and the status each rule T1..T9 gives. The
# class of a plot is the intent; tests/test_sample_screening.py checks that lahan_geo reads
# the written value so. The parcels file has no land-status column ("not_given").
LAND_TITLE_OUTCOME = {"village_certified": "clear", "village_uncertified": "needs_clearance",
                      "regional_asset": "needs_clearance", "state_asset": "needs_clearance",
                      "private_deed": "clear", "private_no_deed": "needs_clearance",
                      "disputed": "not_permitted", "blank": "verify", "unrecognized": "verify",
                      "not_given": "clear"}
SLIVER_MAX_SHARE = 0.25  # an overlap this small and within the tolerance band is a sliver


# --------------------------------------------------------------------------------------
# Reading the written layers back and checking every intended fact
# --------------------------------------------------------------------------------------
CODE_FUNCTION = {code: name for name, code in FUNCTION_CODE.items()}


@dataclass
class Written:
    forest: gpd.GeoDataFrame  # UTM, repaired geometries, column "function"
    zoning: gpd.GeoDataFrame  # UTM
    desa: gpd.GeoDataFrame  # UTM
    regions: dict  # function -> dissolved region
    all_edges: object  # every forest polygon boundary
    change_edges: object  # forest boundaries where the function changes (and the outer edge)
    zone_edges: object
    desa_edges: object


def read_back(out: Path) -> Written:
    raw = gpd.read_file(out / "kawasan_hutan.gpkg", layer="KWSHUTAN_AR_250K")
    require(raw.crs.to_epsg() == 4326, "forest layer must be EPSG:4326")
    invalid = int((~raw.geometry.is_valid).sum())
    require(invalid == 1, f"forest layer must hold exactly one invalid polygon, has {invalid}")
    forest = raw.to_crs(UTM)
    forest["geometry"] = forest.geometry.make_valid()
    forest["function"] = forest["FUNGSIKWS"].map(CODE_FUNCTION)
    require(set(forest["function"]) == set(FUNCTION_CODE), "not all forest functions present")
    zoning = gpd.read_file(out / "pola_ruang.gpkg", layer="POLA_RUANG_AR")
    require(zoning.crs.to_epsg() == 32749, "zoning layer must be EPSG:32749")
    require(set(zoning["NAMOBJ"]) == set(ZONES), "not all zone names present")
    desa = gpd.read_file(out / "seruyan_desa.gpkg", layer="desa")
    require(desa.crs.to_epsg() == 4326, "village layer must be EPSG:4326")
    desa = desa.to_crs(UTM)
    regions = {
        f: _without_slivers(shapely.union_all(g.geometry.values, grid_size=GRID))
        for f, g in forest.groupby("function")
    }
    edges = [shapely.union_all(forest.boundary.values),
             shapely.union_all([r.boundary for r in regions.values()]),
             shapely.union_all(zoning.boundary.values),
             shapely.union_all(desa.boundary.values)]
    for e in edges:
        shapely.prepare(e)
    return Written(forest, zoning, desa, regions, *edges)


def _without_slivers(region: shapely.Geometry, half_width_m: float = 0.5) -> shapely.Geometry:
    """Drop holes thinner than half_width_m (area / perimeter): digitizing gaps, not
    boundaries, as lahan_geo's decisive boundaries leave them out."""
    kept = []
    for part in shapely.get_parts(region):
        holes = [r for r in part.interiors
                 if shapely.Polygon(r).area >= half_width_m * r.length]
        kept.append(shapely.Polygon(part.exterior, holes))
    return shapely.union_all(kept)


def check_layers(w: Written) -> None:
    district = shapely.union_all(w.desa.geometry.values)
    forest_union = shapely.union_all(w.forest.geometry.values)
    d_area, f_area = district.area, forest_union.area
    require(abs(d_area - f_area) < 1.0, "forest layer does not cover the district")
    require(w.forest.area.sum() - f_area < 1.0, "forest polygons overlap")
    require(shapely.symmetric_difference(district, forest_union).area < 1.0,
            "forest layer and district outline differ")
    require(abs(w.desa.area.sum() - d_area) < 1.0, "villages overlap")
    z_union = shapely.union_all(w.zoning.geometry.values)
    require(w.zoning.area.sum() - z_union.area < 1.0, "zoning polygons overlap")
    require(z_union.area < 0.9 * d_area, "the spatial plan must leave part of the district")
    require(shapely.difference(z_union, district.buffer(1.0)).area < 1.0,
            "zoning outside the district")
    sliver = w.forest[w.forest["function"] == "unknown"]
    require(len(sliver) == 1, "exactly one code-0 sliver expected")
    width = 2.0 * shapely.maximum_inscribed_circle(sliver.geometry.iloc[0]).length
    require(width >= 300.0, f"code-0 sliver only {width:.0f} m wide")
    require(w.desa["kode"].is_unique and w.desa["nama"].is_unique, "duplicate village")
    require(len(w.desa) == 100 and w.desa["kecamatan"].nunique() == 10,
            "100 villages in 10 kecamatan expected")


def zone_of(w: Written, geom) -> list[str]:
    hits = w.zoning[w.zoning.intersects(geom)]
    return [r.NAMOBJ for r in hits.itertuples()
            if shapely.intersection(r.geometry, geom).area > 0.01 or geom.geom_type == "Point"]


def desa_of(w: Written, geom, name: str) -> tuple[str, str, str]:
    hits = w.desa[w.desa.contains(geom)]
    require(len(hits) == 1, f"{name}: not inside exactly one village")
    require(geom.distance(w.desa_edges) >= DESA_MARGIN_M, f"{name}: too close to a desa edge")
    row = hits.iloc[0]
    return row["nama"], row["kecamatan"], row["kode"]


# A forest-class zone restating one of these functions agrees with the forest map (Z1f,
# the forest rules decide), else the two maps disagree (Z1d, verify). Rules v2.
FOREST_ZONE_FAMILY = {"HL": {"HL"}, "HK": {"HK"}, "HP": {"HP", "HPT", "HPK"}}


def zone_status(zone: str, functions: set[str] | None = None) -> str:
    if not zone:
        return "verify"  # no zone: Z5
    code, kind = ZONES[zone]
    if kind == "forest":  # LP2B is not_permitted unless the PSN switch is on (rules v2)
        return "clear" if set(functions or ()) & FOREST_ZONE_FAMILY[code] else "verify"
    return ZONE_OUTCOME[kind]


def check_plot(w: Written, plot: Plot) -> tuple[str, str, str]:
    """Check one plot; return (desa, kecamatan, distance text)."""
    name = plot.id_lahan
    try:
        lat, lon = float(plot.lintang), float(plot.bujur)
    except ValueError:
        require(plot.check == "no_coordinates" and plot.status == "invalid",
                f"{name}: unusable coordinates must be intended invalid")
        hits = w.desa[w.desa["nama"] == plot.desa]
        require(len(hits) == 1, f"{name}: unknown village {plot.desa}")
        return plot.desa, hits.iloc[0]["kecamatan"], ""
    for text in (plot.lintang, plot.bujur):
        require(len(text.split(".")[1]) == 6, f"{name}: coordinates need 6 decimals")
    pt = Point(*TO_UTM.transform(lon, lat))
    fn = w.forest[w.forest.contains(pt)]["function"].tolist()
    require(fn == [plot.function], f"{name}: in {fn}, intended {plot.function}")
    zones = zone_of(w, pt)
    require(zones == ([plot.zone] if plot.zone else []), f"{name}: zone {zones}")
    d_any = pt.distance(w.all_edges)
    d_change = pt.distance(w.change_edges)
    d_zone = pt.distance(w.zone_edges)
    require(d_zone >= ORDINARY_ZONING_MARGIN_M, f"{name}: {d_zone:.0f} m from a zone edge")
    if plot.check in ("ordinary", "deep_hl"):
        require(d_any >= ORDINARY_FOREST_MARGIN_M, f"{name}: {d_any:.0f} m from forest edge")
    if plot.check == "deep_hl":
        require(plot.function == "HL" and d_change >= 5000.0, f"{name}: not 5 km inside HL")
    if plot.check == "b1":
        require(abs(d_change - 50.0) <= 5.0, f"{name}: {d_change:.1f} m, not 50 m, from edge")
        hl_edge = shapely.intersection(w.regions["APL"].boundary, w.regions["HL"].boundary)
        require(abs(pt.distance(hl_edge) - d_change) < 0.01, f"{name}: nearest edge not APL/HL")
    if plot.check == "sliver":
        require(plot.function == "unknown" and d_any >= 150.0, f"{name}: not 150 m in sliver")
    statuses = [FOREST_OUTCOME[plot.function], zone_status(plot.zone, {plot.function}),
                LAND_TITLE_OUTCOME[plot.title]]
    if d_change < FOREST_TOLERANCE_M:
        statuses.append("verify")  # B1
    require(most_severe(statuses) == plot.status, f"{name}: derived {most_severe(statuses)}")
    desa, kecamatan, _ = desa_of(w, pt, name)
    require(desa == plot.desa, f"{name}: lies in {desa}, listed as {plot.desa}")
    return desa, kecamatan, f"{d_change:.1f}"


def parcel_polygon(parcel: Parcel) -> Polygon:
    poly = Polygon(parcel.ring)
    require(poly.is_valid and poly.exterior.is_ccw, f"{parcel.id_lahan}: ring must be CCW")
    for lon, lat in parcel.ring:
        for v in (lon, lat):
            require(round(v, 7) == v, f"{parcel.id_lahan}: more than 7 decimals")
    return poly


def check_parcel(w: Written, parcel: Parcel) -> tuple[str, str, str]:
    name = parcel.id_lahan
    geom = to_utm(parcel_polygon(parcel))
    area = geom.area
    edges = np.hypot(*np.diff(np.asarray(geom.exterior.coords), axis=0).T)
    require(500.0 <= area <= 3700.0 and edges.min() >= 18.0 and edges.max() <= 65.0,
            f"{name}: size {area:.0f} m2, edges {edges.min():.0f}-{edges.max():.0f} m")
    share = {f: shapely.intersection(geom, r).area / area for f, r in w.regions.items()}
    share = {f: v for f, v in share.items() if v > 1e-6}
    require(abs(sum(share.values()) - 1.0) < 1e-6, f"{name}: not fully in the forest layer")
    require(share.get(parcel.function, 0.0) >= 0.3, f"{name}: shares {share}")
    zones = zone_of(w, geom)
    require(zones == [parcel.zone], f"{name}: zones {zones}, intended {parcel.zone}")
    require(w.zoning[w.zoning["NAMOBJ"] == parcel.zone].contains(geom).any(),
            f"{name}: not inside one {parcel.zone} polygon")
    d_change = geom.distance(w.change_edges)
    d_any = geom.distance(w.all_edges)
    decisive = []
    for f, v in share.items():
        part = shapely.intersection(geom, w.regions[f])
        others = shapely.union_all([r for g, r in w.regions.items() if g != f])
        depth = max(Point(c).distance(others) for c in np.asarray(part.exterior.coords))
        if not (v < SLIVER_MAX_SHARE and depth <= FOREST_TOLERANCE_M):
            decisive.append(f)
    statuses = [FOREST_OUTCOME[f] for f in decisive] + [zone_status(parcel.zone, set(decisive))]
    if d_change < FOREST_TOLERANCE_M:
        statuses.append("verify")
    require(most_severe(statuses) == parcel.status, f"{name}: derived {most_severe(statuses)}")
    check = parcel.check
    if check in ("clear_large", "clear_small", "in_hpt", "apl_kebun"):
        require(set(share) == {parcel.function} and d_any >= ORDINARY_FOREST_MARGIN_M,
                f"{name}: must lie {ORDINARY_FOREST_MARGIN_M:.0f} m inside {parcel.function}")
    if check == "clear_large":
        require(area >= 1000.0, f"{name}: smaller than 1,000 m2")
    if check == "clear_small":
        require(area < 1000.0, f"{name}: not smaller than 1,000 m2")
    if check == "straddle_hl":
        require(set(share) == {"APL", "HL"} and 0.35 <= share["HL"] <= 0.45,
                f"{name}: HL share {share}")
    if check == "poke_hp":
        part = shapely.intersection(geom, w.regions["HP"])
        depth = max(Point(c).distance(w.regions["APL"]) for c in part.exterior.coords)
        require(set(share) == {"APL", "HP"} and 1.0 < depth <= 20.0 and share["HP"] < 0.15,
                f"{name}: pokes {depth:.1f} m into HP, share {share}")
    desa, kecamatan, _ = desa_of(w, geom, name)
    require(desa == parcel.desa, f"{name}: lies in {desa}, listed as {parcel.desa}")
    return desa, kecamatan, f"{d_change:.1f}"


# --------------------------------------------------------------------------------------
# Writing the tables
# --------------------------------------------------------------------------------------
def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_tables(w: Written, out: Path) -> None:
    ids = [p.id_lahan for p in PLOTS]
    require(len(PLOTS) == 31 and ids == [f"SRY-{i:03d}" for i in range(1, 32)], "plot ids")
    coords = [(p.lintang, p.bujur) for p in PLOTS if p.check != "no_coordinates"]
    require(len(coords) == 29 and len(set(coords)) == 29, "29 distinct coordinates expected")
    plot_rows, expected = [], []
    villages = []
    for no, plot in enumerate(PLOTS, start=1):
        desa, kecamatan, dist = check_plot(w, plot)
        villages.append(desa)
        kode = w.desa.loc[w.desa["nama"] == desa, "kode"].iloc[0]
        jenis = "Kelurahan" if kode.split(".")[3].startswith("1") else "Desa"
        plot_rows.append([str(no), plot.id_lahan, f"Koperasi {jenis} Merah Putih {desa}", desa,
                          kecamatan, plot.lintang, plot.bujur, plot.luas_m2, plot.status_lahan,
                          plot.keterangan])
        expected.append([plot.id_lahan, plot.function, plot.zone, plot.title, plot.situation,
                         plot.status, dist])
    require(len(villages) - len(set(villages)) >= 1, "two plots should share a village")
    titles = {p.title for p in PLOTS}
    require(titles == set(LAND_TITLE_OUTCOME) - {"not_given"}, f"land titles: {titles}")
    require(sum(p.status == "clear" for p in PLOTS) >= 2, "two plots should stay clear")

    features = []
    for parcel in PARCELS:
        desa, kecamatan, dist = check_parcel(w, parcel)
        ring = [[lon, lat] for lon, lat in parcel.ring]
        features.append({
            "type": "Feature",
            "properties": {"id_lahan": parcel.id_lahan, "desa": desa, "kecamatan": kecamatan,
                           "keterangan": parcel.keterangan},
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        })
        expected.append([parcel.id_lahan, parcel.function, parcel.zone, "not_given",
                         parcel.situation, parcel.status, dist])
    statuses = {row[5] for row in expected}
    require(statuses == set(SEVERITY), f"not every status is intended: {statuses}")

    write_csv(out / "seruyan_plots.csv",
              ["no", "id_lahan", "nama_koperasi", "desa", "kecamatan", "lintang", "bujur",
               "luas_m2", "status_lahan", "keterangan"], plot_rows)
    write_csv(out / "expected_outcomes.csv",
              ["id_lahan", "intended_forest_function", "intended_zone_namobj",
               "intended_land_title_class", "intended_situation", "intended_status",
               "forest_boundary_distance_m"],
              expected)
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    text = '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n"
    (out / "seruyan_bidang.geojson").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------
# RDTR coverage (rules v2: the KKPR route). One synthetic RDTR integrated in OSS around
# the district capital's two plots: Konfirmasi KKPR (K1) there, Persetujuan (K2) elsewhere.
# --------------------------------------------------------------------------------------
RDTR_PLOTS = ("SRY-001", "SRY-002")
RDTR_BUFFER_M = 1500.0
RDTR_MARGIN_M = 300.0  # every plot and parcel this far from the RDTR outline
RDTR_NAME = "RDTR Kawasan Perkotaan Kuala Pembuang (terintegrasi OSS, sintetis)"


def write_rdtr(out: Path) -> None:
    points = [Point(*TO_UTM.transform(float(p.bujur), float(p.lintang)))
              for p in PLOTS if p.id_lahan in RDTR_PLOTS]
    area = shapely.MultiPoint(points).convex_hull.buffer(RDTR_BUFFER_M, quad_segs=4)
    rdtr = gpd.GeoDataFrame({"NAMOBJ": [RDTR_NAME], "WADMKK": ["Seruyan"]},
                            geometry=[to_geo(area)], crs=WGS84)
    write_gpkg(rdtr, out / "rdtr_terintegrasi.gpkg", "RDTR_OSS_AR")


def check_rdtr(out: Path) -> None:
    rdtr = gpd.read_file(out / "rdtr_terintegrasi.gpkg", layer="RDTR_OSS_AR")
    require(rdtr.crs.to_epsg() == 4326 and len(rdtr) == 1, "RDTR layer: one polygon, EPSG:4326")
    area = rdtr.to_crs(UTM).geometry.iloc[0]
    for plot in PLOTS:
        try:
            pt = Point(*TO_UTM.transform(float(plot.bujur), float(plot.lintang)))
        except ValueError:
            continue
        inside = plot.id_lahan in RDTR_PLOTS
        require(area.contains(pt) == inside, f"{plot.id_lahan}: RDTR coverage not as intended")
        require(pt.distance(area.boundary) >= RDTR_MARGIN_M, f"{plot.id_lahan}: near the RDTR")
    for parcel in PARCELS:
        geom = to_utm(parcel_polygon(parcel))
        require(geom.distance(area) >= RDTR_MARGIN_M, f"{parcel.id_lahan}: near the RDTR")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output folder (default: the folder of this script)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    land = build_landscape(rng)
    write_layers(land, out)
    write_rdtr(out)
    written = read_back(out)
    check_layers(written)
    check_rdtr(out)
    write_tables(written, out)
    print(f"wrote {', '.join(FILES)} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
