"""A realistic fake screening result and reference layers for the output tests.

Shaped like what ``lahan_geo.screen`` returns (columns, list columns, None, NaN, an
invalid row with no geometry, Indonesian text, provenance in ``attrs``), plus user
values that look like spreadsheet formulas.
"""

from __future__ import annotations

import copy

import geopandas as gpd
import numpy as np
from shapely.geometry import Point, box

FORMULA_LIKE = ['=HYPERLINK("http://x")', "+62 812", "-", "@foo"]

RULES = [
    {
        "id": "F1", "status": "not_permitted",
        "title_en": "Plot in a conservation forest (HK)",
        "title_id": "Lahan di kawasan hutan konservasi (HK)",
        "reason_en": "The plot lies in conservation forest.",
        "reason_id": "Lahan berada di kawasan hutan konservasi.",
        "clearance_en": "None; relocate", "clearance_id": "Tidak ada; pindah lokasi",
        "agency_en": "Ministry of Forestry (Ditjen KSDAE)",
        "agency_id": "Kementerian Kehutanan (Ditjen KSDAE)",
        "legal_basis": "UU 5/1990 Ps. 19, 33", "confirmed": True, "note": None,
    },
    {
        "id": "F2", "status": "needs_clearance",
        "title_en": "Plot in a protection forest (HL)",
        "title_id": "Lahan di hutan lindung (HL)",
        "reason_en": "The plot lies in protection forest.",
        "reason_id": "Lahan berada di hutan lindung.",
        "clearance_en": "PPKH", "clearance_id": "PPKH (Persetujuan Penggunaan Kawasan Hutan)",
        "agency_en": "Ministry of Forestry via BPKHTL", "agency_id": "Kemenhut melalui BPKHTL",
        "legal_basis": "UU 41/1999 Ps. 38; PP 23/2021", "confirmed": False,
        "note": "Eligibility of an outlet for the governor's approval is unconfirmed.",
    },
    {
        "id": "F3", "status": "needs_clearance",
        "title_en": "Plot in a production forest (HP/HPT)",
        "title_id": "Lahan di hutan produksi (HP/HPT)",
        "reason_en": "The plot lies in production forest.",
        "reason_id": "Lahan berada di hutan produksi.",
        "clearance_en": "PPKH", "clearance_id": "PPKH (Persetujuan Penggunaan Kawasan Hutan)",
        "agency_en": "Ministry of Forestry via BPKHTL", "agency_id": "Kemenhut melalui BPKHTL",
        "legal_basis": "UU 41/1999 Ps. 38; PP 23/2021", "confirmed": True, "note": None,
    },
    {
        "id": "B1", "status": "verify", "title_en": "Near a forest-function boundary",
        "title_id": "Dekat batas fungsi kawasan hutan",
        "reason_en": "Within tolerance of a boundary.", "reason_id": "Dalam toleransi batas.",
        "clearance_en": "Boundary confirmation", "clearance_id": "Konfirmasi batas (tata batas)",
        "agency_en": "BPKHTL", "agency_id": "BPKHTL",
        "legal_basis": "Perka BIG 15/2014", "confirmed": True, "note": None,
    },
    {
        "id": "Z4", "status": "clear", "title_en": "Zone allows the outlet",
        "title_id": "Pola ruang mengizinkan gerai",
        "reason_en": "Zone allows trade.", "reason_id": "Pola ruang mengizinkan perdagangan.",
        "clearance_en": "KKPR confirmation", "clearance_id": "Konfirmasi KKPR",
        "agency_en": "OSS", "agency_id": "OSS", "legal_basis": "PP 21/2021",
        "confirmed": True, "note": None,
    },
    {
        "id": "V1", "status": "invalid", "title_en": "Unusable plot location",
        "title_id": "Lokasi lahan tidak dapat digunakan",
        "reason_en": "No usable location.", "reason_id": "Tidak ada lokasi yang dapat digunakan.",
        "clearance_en": "Correct the coordinates", "clearance_id": "Perbaiki koordinat",
        "agency_en": "Data submitter", "agency_id": "Pengirim data", "legal_basis": "",
        "confirmed": True, "note": None,
    },
]

ATTRS = {
    "library_version": "0.1.0",
    "rules_version": "2026.11.0",
    "rules_sha256": "ab" * 32,
    "rules": RULES,
    "layers": {
        "forest": {
            "path": "/data/KWSHUTAN_AR_250K_kalteng.shp", "sha256": "cd" * 32,
            "crs": "EPSG:4326", "features": 5, "scale": 250000, "tolerance_m": 125.0,
            "repairs": 2,
        },
        "zoning": {
            "path": "/data/rtrw_seruyan.gpkg", "sha256": "ef" * 32, "crs": "EPSG:32749",
            "features": 3, "scale": 50000, "tolerance_m": 25.0, "repairs": 0,
        },
    },
    "tolerance": {
        "forest_layer_m": 125.0, "zoning_layer_m": 25.0, "default_plot_accuracy_m": 10.0,
        "override_m": None,
    },
    "status_counts": {
        "clear": 1, "needs_clearance": 2, "not_permitted": 1, "verify": 1, "invalid": 1,
    },
}

# Near Kuala Pembuang, Kabupaten Seruyan, Kalimantan Tengah.
LON0, LAT0 = 112.55, -3.38


def _square(lon: float, lat: float, half_deg: float = 0.00015) -> object:
    return box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)


#: Text that must never reach an HTML page or a script unescaped.
HOSTILE_REASON = "<script>alert('reason')</script> `${document.cookie}` C:\\unc"
HOSTILE_ZONE = '<img src=x onerror="alert(1)">'
HOSTILE_ID = "KDMP-<b>007</b>"


def make_result(*, hostile: bool = False) -> gpd.GeoDataFrame:
    """Return six screened plots: one of each status, an invalid row without geometry.

    With ``hostile=True`` the texts shown on web pages carry markup and script: the
    reason and the zone name of KDMP-002, a ``<script>`` in its ``keterangan``, and a
    plot id with tags (KDMP-006 becomes :data:`HOSTILE_ID`).
    """
    rows = [
        # plot_id, status, function, overlap, decree, zone_class, zone_name, dist, area,
        # rules, clearances, clearances_id, agencies, agencies_id, legal, problem, notes
        ("KDMP-001", "clear", "APL", 0.0, None, "permukiman", "Kawasan Permukiman Perkotaan",
         412.5, np.nan, ["Z4"], ["KKPR confirmation"], ["Konfirmasi KKPR"], ["OSS"], ["OSS"],
         ["PP 21/2021"], None, None),
        ("KDMP-002", "needs_clearance", "HL", 100.0, "SK.529/Menhut-II/2012", "pertanian",
         "Kawasan Pertanian Tanaman Pangan", 880.25, 1200.0, ["F2", "Z2"],
         ["PPKH", "KKPR approval"],
         ["PPKH (Persetujuan Penggunaan Kawasan Hutan)", "Persetujuan KKPR"],
         ["Ministry of Forestry via BPKHTL", "ATR/BPN"], ["Kemenhut melalui BPKHTL", "ATR/BPN"],
         ["UU 41/1999 Ps. 38", "PP 21/2021"], None, "luas dari SIMKOPDES"),
        ("KDMP-003", "not_permitted", "HK", 100.0, "SK.529/Menhut-II/2012", "sempadan",
         "Sempadan Sungai", 1500.0, np.nan, ["F1", "Z1"], ["None; relocate"],
         ["Tidak ada; pindah lokasi"], ["Ministry of Forestry (Ditjen KSDAE)", "ATR/BPN"],
         ["Kementerian Kehutanan (Ditjen KSDAE)", "ATR/BPN"], ["UU 5/1990 Ps. 19, 33"],
         None, None),
        ("KDMP-004", "verify", "HPK", 3.4567, "SK.529/Menhut-II/2012", None, None, 40.0,
         950.5, ["B1", "Z5"], ["Boundary confirmation"], ["Konfirmasi batas (tata batas)"],
         ["BPKHTL"], ["BPKHTL"], ["Perka BIG 15/2014"], None, None),
        ("KDMP-005", "invalid", None, np.nan, None, None, None, np.nan, np.nan, ["V1"],
         ["Correct the coordinates"], ["Perbaiki koordinat"], ["Data submitter"],
         ["Pengirim data"], [], "kolom 'lintang': 'abc' bukan angka", None),
        ("KDMP-006", "needs_clearance", "HP", 100.0, "SK.529/Menhut-II/2012", "permukiman",
         "Permukiman Perdesaan", 2300.0, np.nan, ["F3", "Z4"], ["PPKH"],
         ["PPKH (Persetujuan Penggunaan Kawasan Hutan)"], ["Ministry of Forestry via BPKHTL"],
         ["Kemenhut melalui BPKHTL"], ["UU 41/1999 Ps. 38"], None, None),
    ]
    geometries = [
        Point(LON0, LAT0),
        _square(LON0 + 0.02, LAT0 + 0.01),
        Point(LON0 - 0.03, LAT0 + 0.02),
        _square(LON0 + 0.01, LAT0 - 0.02),
        None,
        Point(LON0 + 0.04, LAT0 - 0.01),
    ]
    columns = [
        "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_decree",
        "zone_class", "zone_name", "boundary_distance_m", "area_m2", "rules", "clearances",
        "clearances_id", "agencies", "agencies_id", "legal_basis", "input_problem",
        "input_notes",
    ]
    data: dict[str, list] = {col: [row[i] for row in rows] for i, col in enumerate(columns)}
    data["tolerance_m"] = [135.0] * len(rows)
    data["zone_boundary_distance_m"] = [120.0, 35.5, 60.0, np.nan, np.nan, 900.0]
    data["zone_tolerance_m"] = [29.2] * len(rows)
    data["input_problem_id"] = [None, None, None, None, "kolom 'lintang': 'abc' bukan angka",
                                None]
    data["input_problem"] = [None, None, None, None, "column 'lintang': 'abc' is not a number",
                             None]
    data["reason_id"] = [
        "Pola ruang mengizinkan perdagangan.",
        "Lahan berada di hutan lindung. Pola ruang pertanian.",
        "Lahan berada di kawasan hutan konservasi. Sempadan sungai.",
        "Dalam toleransi batas.",
        "Baris ini tidak memiliki lokasi yang dapat digunakan.",
        "Lahan berada di hutan produksi.",
    ]
    data["reason_en"] = ["Zone allows trade.", "In HL.", "In HK.", "Near boundary.",
                         "No usable location.", "In HP."]
    data["source_file"] = ["usulan_lahan_seruyan.xlsx"] * len(rows)
    data["source_row"] = [2, 3, 4, 5, 6, 7]
    data["desa"] = ["Kuala Pembuang I", "Sungai Undang", "Tanjung Rangas", "Kuala Pembuang I",
                    "Persil Raya", "Pematang Limau"]
    data["kecamatan"] = ["Seruyan Hilir", "Seruyan Hilir", "Seruyan Hilir", "Seruyan Hilir",
                         "Seruyan Raya", "Seruyan Raya"]
    data["nama_koperasi"] = [*FORMULA_LIKE, "Koperasi Desa Merah Putih Persil Raya", None]
    data["luas_m2"] = [1000, 1200, np.nan, 950, 1000, 2000]
    data["accuracy_m"] = [5.0, np.nan, 10.0, np.nan, np.nan, 15.0]
    data["keterangan"] = ["tanah kas desa", "hibah warga; sertifikat \x07 SHM", None,
                          "dekat balai desa", "", "eks lapangan bola"]
    order = [
        "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_decree",
        "zone_class", "zone_name", "boundary_distance_m", "tolerance_m",
        "zone_boundary_distance_m", "zone_tolerance_m", "area_m2", "rules", "clearances",
        "clearances_id", "agencies", "agencies_id", "legal_basis", "reason_id", "reason_en",
        "input_problem", "input_problem_id", "input_notes", "desa", "kecamatan",
        "nama_koperasi", "luas_m2", "keterangan", "accuracy_m", "source_file", "source_row",
    ]
    result = gpd.GeoDataFrame({col: data[col] for col in order}, geometry=geometries,
                              crs="EPSG:4326")
    result.attrs["lahan_geo"] = copy.deepcopy(ATTRS)
    if hostile:
        result.loc[1, "reason_id"] = HOSTILE_REASON
        result.loc[1, "zone_name"] = HOSTILE_ZONE
        result.loc[1, "keterangan"] = "<script>alert('keterangan')</script>"
        result.loc[5, "plot_id"] = HOSTILE_ID
    return result


def make_forest() -> gpd.GeoDataFrame:
    """Forest functions as boxes around the plots, plus one far away (clipped out)."""
    functions = ["APL", "HL", "HK", "HPK", "HP", None, "HL"]
    geoms = [
        box(LON0 - 0.01, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.005),
        box(LON0 + 0.01, LAT0 + 0.0, LON0 + 0.03, LAT0 + 0.02),
        box(LON0 - 0.05, LAT0 + 0.01, LON0 - 0.01, LAT0 + 0.04),
        box(LON0 + 0.0, LAT0 - 0.03, LON0 + 0.02, LAT0 - 0.01),
        box(LON0 + 0.03, LAT0 - 0.02, LON0 + 0.06, LAT0 + 0.0),
        box(LON0 - 0.05, LAT0 - 0.04, LON0 - 0.01, LAT0 - 0.01),
        box(LON0 + 1.0, LAT0 + 1.0, LON0 + 1.1, LAT0 + 1.1),  # far away
    ]
    return gpd.GeoDataFrame(
        {"forest_function": functions, "NOSKKWS": ["SK.529/Menhut-II/2012"] * 7},
        geometry=geoms, crs="EPSG:4326",
    )


def make_zoning() -> gpd.GeoDataFrame:
    """Zoning polygons in UTM 49S (a different CRS from the result)."""
    zones = gpd.GeoDataFrame(
        {"zone_class": ["permukiman", "pertanian", "sempadan"],
         "zone_name": ["Kawasan Permukiman", "Kawasan Pertanian", "Sempadan Sungai"]},
        geometry=[
            box(LON0 - 0.02, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.01),
            box(LON0 + 0.01, LAT0 + 0.0, LON0 + 0.05, LAT0 + 0.03),
            box(LON0 - 0.04, LAT0 + 0.015, LON0 - 0.02, LAT0 + 0.03),
        ],
        crs="EPSG:4326",
    )
    return zones.to_crs("EPSG:32749")


#: The reason of the plot without an alternative site in :func:`make_candidates`.
NO_SITE_REASON_ID = ("Tidak ada lahan aman dalam radius 2.000 m: seluruh area pencarian berada "
                     "di kawasan hutan konservasi (HK) (aturan F1).")


def make_candidates() -> gpd.GeoDataFrame:
    """Sites shaped like ``lahan_geo.suggest_sites`` output for :func:`make_result`.

    KDMP-002 gets two sites (the second 1.5 km east, outside the default 1 km detail
    window), KDMP-003 none (candidate 0 with a reason), KDMP-006 one.
    """
    def site(lon: float, lat: float) -> object:
        return box(lon - 0.0001, lat - 0.000135, lon + 0.0001, lat + 0.000135)

    rows = [
        ("KDMP-002", 1, 350.0, "Sungai Undang", None, None, site(LON0 + 0.0232, LAT0 + 0.01)),
        ("KDMP-002", 2, 1500.0, "Sungai Undang", None, None, site(LON0 + 0.0335, LAT0 + 0.01)),
        ("KDMP-003", 0, np.nan, "Tanjung Rangas",
         "No clear land within 2,000 m: the whole search area is in conservation forest (HK) "
         "(rule F1).", NO_SITE_REASON_ID, None),
        ("KDMP-006", 1, 120.0, None, None, None, site(LON0 + 0.0411, LAT0 - 0.01)),
    ]
    columns = ["plot_id", "candidate", "distance_m", "desa", "reason_en", "reason_id"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([r[-1] for r in rows], crs="EPSG:4326"))
    return gdf.astype({"desa": object, "reason_en": object, "reason_id": object})
