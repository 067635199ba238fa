"""Recognize what a plot list's columns hold from their (Indonesian or English) headers.

Examples
--------
>>> guess_columns(["No", "ID Lahan", "Desa", "Lintang (LS)", "Bujur (BT)", "Akurasi (m)"])
... # doctest: +NORMALIZE_WHITESPACE
{'id': 'ID Lahan', 'lat': 'Lintang (LS)', 'lon': 'Bujur (BT)',
 'accuracy': 'Akurasi (m)', 'desa': 'Desa'}
>>> guess_columns(["nama", "Titik Koordinat"])
{'coords': 'Titik Koordinat'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ROLES", "guess_columns", "normalize_header"]

#: Header aliases per role, already normalized (see :func:`normalize_header`). A header
#: matches when its normalized form equals an alias or starts with it followed by a
#: unit or hemisphere word ("lintang ls", "akurasi m").
ROLES: dict[str, tuple[str, ...]] = {
    "id": ("id lahan", "plot id", "id plot", "kode lahan", "id titik", "id gerai", "id", "kode",
           "plot"),
    "lat": ("lintang", "latitude", "lat", "y", "koordinat y", "koordinat lintang", "ls lu"),
    "lon": ("bujur", "longitude", "lon", "long", "lng", "x", "koordinat x", "koordinat bujur",
            "bt bb"),
    "coords": ("koordinat", "titik koordinat", "coordinates", "coordinate", "coords", "lokasi",
               "latlong", "lat long", "lat lon", "latlon"),
    "accuracy": ("akurasi", "accuracy", "akurasi gps", "presisi", "ketelitian"),
    "settled": ("settled before designation", "dikuasai sebelum penunjukan", "garapan lama"),
    "desa": ("desa", "kelurahan", "desa kelurahan", "nama desa", "village"),
    "kecamatan": ("kecamatan", "nama kecamatan", "district"),
}

_SUFFIX_WORDS = r"(\s+(ls|lu|bt|bb|m|meter|dd|derajat|wgs84|wgs 84|desimal|decimal|deg))*"


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
