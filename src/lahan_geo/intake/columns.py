"""Recognize what a plot list's columns hold from their (Indonesian or English) headers.

Examples
--------
>>> guess_columns(["No", "ID Lahan", "Desa", "Lintang (LS)", "Bujur (BT)", "Akurasi (m)"])
... # doctest: +NORMALIZE_WHITESPACE
{'id': 'ID Lahan', 'lat': 'Lintang (LS)', 'lon': 'Bujur (BT)',
 'accuracy': 'Akurasi (m)', 'desa': 'Desa'}
>>> guess_columns(["nama", "Titik Koordinat"])
{'coords': 'Titik Koordinat'}
>>> guess_columns(["Kode", "X (Timur)", "Y (Utara)", "Zona UTM", "Luas (m²)"])
... # doctest: +NORMALIZE_WHITESPACE
{'id': 'Kode', 'easting': 'X (Timur)', 'northing': 'Y (Utara)', 'zone': 'Zona UTM',
 'area': 'Luas (m²)'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ROLES", "guess_columns", "locates_plots", "normalize_header"]

#: Header aliases per role, already normalized (see :func:`normalize_header`). A header
#: matches when its normalized form equals an alias or starts with it followed by a
#: unit or hemisphere word ("lintang ls", "akurasi m", "luas m2").
ROLES: dict[str, tuple[str, ...]] = {
    "id": ("id lahan", "plot id", "id plot", "kode lahan", "id titik", "id gerai", "id", "kode",
           "plot"),
    # Projected columns come before lat/lon so that "X (Timur)" is an easting, not "x".
    "easting": ("easting", "timur", "x timur", "koordinat timur", "utm x", "x utm",
                "koordinat x utm", "east"),
    "northing": ("northing", "utara", "y utara", "koordinat utara", "utm y", "y utm",
                 "koordinat y utm", "north"),
    "lat": ("lintang", "latitude", "lat", "y", "koordinat y", "koordinat lintang", "ls lu"),
    "lon": ("bujur", "longitude", "lon", "long", "lng", "x", "koordinat x", "koordinat bujur",
            "bt bb"),
    "coords": ("koordinat", "titik koordinat", "coordinates", "coordinate", "coords", "lokasi",
               "latlong", "lat long", "lat lon", "latlon"),
    "geometry": ("geometry", "geometri", "geom", "the geom", "wkt", "poligon", "polygon",
                 "koordinat poligon", "koordinat batas", "batas lahan", "shape"),
    "zone": ("zona utm", "utm zone", "zone utm", "zona", "zone", "utm", "crs", "epsg",
             "sistem koordinat", "proyeksi", "datum"),
    "accuracy": ("akurasi", "accuracy", "akurasi gps", "presisi", "ketelitian"),
    "settled": ("settled before designation", "dikuasai sebelum penunjukan", "garapan lama"),
    "desa": ("desa", "kelurahan", "desa kelurahan", "kelurahan desa", "desa kel", "nama desa",
             "village"),
    "kecamatan": ("kecamatan", "nama kecamatan", "district"),
    "area": ("luas", "luas lahan", "luas tanah", "area"),
    # A bare "Status" is not here: see lahan_geo.intake.land_status (read by its values).
    "land_status": ("status lahan", "status tanah", "status tanah lahan", "status lahan tanah",
                    "status kepemilikan lahan", "status kepemilikan tanah", "status kepemilikan",
                    "status hak atas tanah", "status hak tanah", "status hak lahan", "status hak",
                    "status penguasaan lahan", "status penguasaan tanah", "status penguasaan",
                    "status legalitas lahan", "status legalitas", "legalitas lahan",
                    "legalitas tanah", "status aset lahan", "status aset", "alas hak lahan",
                    "alas hak tanah", "alas hak", "bukti kepemilikan lahan",
                    "bukti kepemilikan tanah", "bukti kepemilikan", "bukti hak",
                    "dokumen kepemilikan", "kepemilikan lahan", "kepemilikan tanah",
                    "kepemilikan", "asal usul lahan", "asal usul tanah", "asal lahan",
                    "asal tanah", "pemilik lahan", "pemilik tanah", "pemilik", "stat lahan",
                    "sts lahan", "land status", "land title status", "land title",
                    "title status", "land ownership", "ownership status", "ownership",
                    "land tenure", "tenure status", "tenure", "land rights", "land right",
                    "legal status", "status of land", "status of the land"),
}

_SUFFIX_WORDS = (
    r"(\s+(ls|lu|bt|bb|m|m2|meter|dd|derajat|wgs84|wgs 84|desimal|decimal|deg|selatan|utara"
    r"|timur|barat|utm|ha|hektar|persegi|srgi2013|srgi 2013|dgn95|wkt))*"
)


def normalize_header(name: object) -> str:
    """Lower-case a header and fold punctuation and spacing.

    Examples
    --------
    >>> normalize_header("  Lintang_(LS) ")
    'lintang ls'
    """
    text = re.sub(r"[^0-9a-z]+", " ", str(name).lower())
    return re.sub(r"\s+", " ", text).strip()


def guess_columns(columns: Iterable[object]) -> dict[str, str]:
    """Return ``{role: column}`` for the roles the headers reveal; first match wins."""
    found: dict[str, str] = {}
    normalized = [(normalize_header(c), c) for c in columns]
    for role, aliases in ROLES.items():
        for alias in aliases:
            pattern = re.compile(rf"^{re.escape(alias)}{_SUFFIX_WORDS}$")
            match = next(
                (orig for norm, orig in normalized
                 if pattern.match(norm) and orig not in found.values()),
                None,
            )
            if match is not None:
                found[role] = str(match)
                break
    if "lat" in found and "lon" in found:
        found.pop("coords", None)
    return found


def locates_plots(roles: dict[str, str]) -> bool:
    """Tell whether the recognized roles can place a plot.

    Latitude and longitude, a "Koordinat" pair, easting and northing, or a geometry
    (WKT, coordinate list) column.

    Examples
    --------
    >>> locates_plots({"lat": "Lintang", "lon": "Bujur"}), locates_plots({"lat": "Lintang"})
    (True, False)
    """
    return (
        ("lat" in roles and "lon" in roles)
        or ("easting" in roles and "northing" in roles)
        or "coords" in roles
        or "geometry" in roles
    )
