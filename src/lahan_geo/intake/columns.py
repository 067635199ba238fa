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

__all__ = ["RESERVED_COLUMNS", "ROLES", "align_columns", "guess_columns", "header_hemisphere",
           "locates_plots", "normalize_header", "unique_column_names"]

#: Header aliases per role, already normalized (see :func:`normalize_header`). A header
#: matches when its normalized form equals an alias or starts with it followed by a
#: unit or hemisphere word ("lintang ls", "akurasi m", "luas m2").
ROLES: dict[str, tuple[str, ...]] = {
    "id": ("id lahan", "plot id", "id plot", "kode lahan", "id titik", "id gerai", "id", "kode",
           "kode lokasi", "id lokasi", "plot", "nama lokasi", "nama lahan"),
    # Projected columns come before lat/lon so that "X (Timur)" is an easting, not "x".
    "easting": ("easting", "timur", "x timur", "koordinat timur", "utm x", "x utm",
                "koordinat x utm", "east"),
    "northing": ("northing", "utara", "y utara", "koordinat utara", "utm y", "y utm",
                 "koordinat y utm", "north"),
    "lat": ("lintang", "latitude", "lat", "y", "koordinat y", "koordinat lintang", "ls lu"),
    "lon": ("bujur", "longitude", "lon", "long", "lng", "x", "koordinat x", "koordinat bujur",
            "bt bb"),
    "coords": ("koordinat", "titik koordinat", "coordinates", "coordinate", "coords", "lokasi",
               "latlong", "lat long", "lat lon", "latlon", "link lokasi", "link google maps",
               "link maps", "google maps", "gmaps", "link gmaps", "share lokasi",
               "lokasi wa", "lokasi whatsapp", "titik lokasi", "tautan lokasi", "map link",
               "maps link", "location"),
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

#: Words a header may add after its name ("Lintang LS", "Luas m2", "X UTM 49S").
_SUFFIX_WORD = re.compile(
    r"ls|lu|bt|bb|m|m2|meter|dd|derajat|wgs84|wgs|desimal|decimal|deg|degrees|selatan"
    r"|utara|timur|barat|utm|ha|hektar|persegi|srgi2013|srgi|dgn95|dgn|wkt|s|n|e|w|tm|tm3"
    r"|zona|zone|epsg|[0-9]{1,5}[ns]?"
)


def _stems(normalized: str) -> set[str]:
    """Return a normalized header and what is left of it as trailing suffix words go.

    An alias names the header when it is one of these: the header is the alias
    followed by suffix words only.

    Examples
    --------
    >>> sorted(_stems("lintang ls wgs84"))
    ['lintang', 'lintang ls', 'lintang ls wgs84']
    """
    words = normalized.split(" ")
    out = {normalized}
    while words and _SUFFIX_WORD.fullmatch(words[-1]):
        words.pop()
        out.add(" ".join(words))
    return out


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
    normalized = [(_stems(normalize_header(c)), c) for c in columns]
    for role, aliases in ROLES.items():
        for alias in aliases:
            match = next(
                (orig for stems, orig in normalized
                 if alias in stems and orig not in found.values()),
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


_HEMISPHERE_WORDS = {"ls": -1, "selatan": -1, "s": -1, "south": -1, "lu": 1, "utara": 1,
                     "n": 1, "north": 1, "bt": 1, "timur": 1, "e": 1, "east": 1, "bb": -1,
                     "barat": -1, "w": -1, "west": -1}
_LAT_WORDS = {"ls", "selatan", "s", "south", "lu", "utara", "n", "north"}


def header_hemisphere(name: object, axis: str) -> int | None:
    """Return the sign a header's hemisphere word gives unsigned values (-1, 1) or None.

    Only a single, unambiguous hemisphere of the right axis counts ("Lintang (LS)",
    "Latitude (S)", "Bujur Timur"); "Lintang (LS/LU)" names none. A UTM zone ("X (UTM
    50S)") is not a hemisphere of latitude values.

    Examples
    --------
    >>> header_hemisphere("Lintang (LS)", "lat"), header_hemisphere("Latitude (S)", "lat")
    (-1, -1)
    >>> header_hemisphere("Bujur Timur (BT)", "lon"), header_hemisphere("Lintang LS/LU", "lat")
    (1, None)
    >>> header_hemisphere("Lintang", "lat") is None
    True
    """
    words = normalize_header(name).split()
    if {"utm", "zona", "zone", "tm"} & set(words):
        return None
    signs = {_HEMISPHERE_WORDS[w] for w in words[1:] if w in _HEMISPHERE_WORDS
             and (w in _LAT_WORDS) == (axis == "lat")}
    return signs.pop() if len(signs) == 1 else None


#: Column names the library adds to a plot list (read_plots, screen, apply_review). A plot
#: list's own column with one of these names in another case ("Status", "PLOT_ID"), or
#: exactly one of screen's, is renamed by ``read_plots`` (see :func:`unique_column_names`).
RESERVED_COLUMNS: tuple[str, ...] = (
    "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_overlaps",
    "forest_decree", "province_code", "zone_class", "zone_name", "zone_overlaps",
    "rdtr_coverage", "boundary_distance_m", "tolerance_m", "zone_boundary_distance_m",
    "zone_tolerance_m", "area_m2", "land_status", "land_title_class", "rules", "clearances",
    "clearances_id", "agencies", "agencies_id", "offices", "legal_basis", "reason_id",
    "reason_en", "input_problem", "input_problem_id", "input_notes", "input_notes_id",
    "accuracy_m", "settled_before_designation", "source_file", "source_sheet", "source_row",
    "review_status", "review_reason", "reviewer", "review_date", "geometry",
    "result_row", "status_label_id",  # the GeoPackage writer's
)


def unique_column_names(names: Iterable[object], reserved: Iterable[str] = RESERVED_COLUMNS
                        ) -> dict[str, str]:
    """Return ``{old: new}`` for the names that would collide in a writer, ignoring case.

    A name equal (ignoring case and surrounding spaces) to a reserved one gets the suffix
    " (daftar)" ("from the list"); a name equal to an earlier one gets "_2", "_3"...
    Names that do not collide are not in the result.

    Examples
    --------
    >>> unique_column_names(["Status", "Desa", "desa", "ID", "Geometry"])
    {'Status': 'Status (daftar)', 'desa': 'desa_2', 'Geometry': 'Geometry (daftar)'}
    """
    taken = {str(r).strip().casefold() for r in reserved}
    renames: dict[str, str] = {}
    for name in map(str, names):
        key = name.strip().casefold()
        new = name
        if key in taken:
            new = f"{name} (daftar)" if key in {str(r).casefold() for r in reserved} else name
            number = 2
            while new.strip().casefold() in taken:
                new = f"{name}_{number}"
                number += 1
            renames[name] = new
        taken.add(new.strip().casefold())
    return renames


def align_columns(frames: Iterable[object]) -> list[dict[str, str]]:
    """Return per table the renames that give the same column, in any case, one spelling.

    Sheets or files whose columns differ only in case ("Desa" and "desa") are one column
    when put together: the first spelling is used. A table that holds both spellings
    itself keeps them (they are told apart by :func:`unique_column_names`).

    Examples
    --------
    >>> import pandas as pd
    >>> align_columns([pd.DataFrame(columns=["Desa", "Lintang"]),
    ...                pd.DataFrame(columns=["desa", "LINTANG", "bujur"])])
    [{}, {'desa': 'Desa', 'LINTANG': 'Lintang'}]
    """
    first: dict[str, str] = {}
    out: list[dict[str, str]] = []
    for frame in frames:
        names = [str(c) for c in getattr(frame, "columns", [])]
        keys = [n.strip().casefold() for n in names]
        renames = {}
        for name, key in zip(names, keys):
            spelled = first.get(key)
            if spelled is not None and spelled != name and keys.count(key) == 1 \
                    and spelled not in names:
                renames[name] = spelled
        for name, key in zip(names, keys):
            first.setdefault(key, name)
        out.append(renames)
    return out
