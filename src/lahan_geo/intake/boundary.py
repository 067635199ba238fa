"""Check plots against the district (or its villages) given as ``read_plots(within=...)``.

- A plot farther outside the boundary than its positional accuracy (``accuracy_m``,
  or the 15 m default) is a problem: it cannot be the district's plot as written.
  Within that distance it is a note (the reading may simply be off by its error).
  Distances are approximate (1° = 111,320 m on both axes, at most 0.6 % long in
  Indonesia).
- A polygon partly outside the boundary gets a note with the share outside.
- When the boundary has names and the plot list names the village (``desa``) or
  sub-district (``kecamatan``), a plot whose named place differs from the feature it
  lies in gets a note. Which plot column is compared follows the boundary's name
  column: ``desa``/``kelurahan``/``WADMKD`` names are villages, ``kecamatan``/``WADMKC``
  are sub-districts; a generic ``nama``/``name``/``NAMOBJ`` is compared with the plot
  column it agrees with more often. Names are compared without case, punctuation and
  "Desa"/"Kel."/"Kec." prefixes.

Examples
--------
>>> import geopandas as gpd, numpy as np, shapely
>>> villages = gpd.GeoDataFrame({"desa": ["Tumbang", "Sembuluh"]}, crs=4326, geometry=[
...     shapely.box(112.0, -2.6, 112.1, -2.5), shapely.box(112.1, -2.6, 112.2, -2.5)])
>>> boundary = load_boundary(villages)
>>> geoms = np.array([shapely.Point(112.05, -2.55), shapely.Point(112.5, -2.55)], dtype=object)
>>> notes, problems = [[], []], [None, None]
>>> check_within(boundary, geoms, np.array([np.nan, np.nan]), {"desa": ["Desa Sembuluh", "X"]},
...              [("row 2", "baris 2"), ("row 3", "baris 3")], notes, problems)
{'names_compared': {'desa': 'desa'}}
>>> notes[0]
["the list names desa 'Desa Sembuluh' but the plot lies in 'Tumbang' (within= boundary)"]
>>> problems[1].en[:60]
'row 3: the plot lies ~33,396 m outside the within= boundary '
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M
from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake.blocks import RowProblem
from lahan_geo.intake.columns import normalize_header
from lahan_geo.intake.coordinates import METRES_PER_DEGREE
from lahan_geo.intake.row_problems import problem
from lahan_geo.io.gdal_files import open_vector

__all__ = ["Boundary", "check_within", "load_boundary", "normalize_place"]

_LEVEL_OF_HEADER = {
    "desa": "desa", "kelurahan": "desa", "desa kelurahan": "desa", "nama desa": "desa",
    "wadmkd": "desa", "village": "desa", "namadesa": "desa",
    "kecamatan": "kecamatan", "nama kecamatan": "kecamatan", "wadmkc": "kecamatan",
    "district": "kecamatan",
    "nama": None, "name": None, "namobj": None, "nama wilayah": None,
}
_PREFIX_RE = re.compile(r"^(desa|kelurahan|kel|ds|kec|kecamatan)\b\.?\s*")


@dataclass
class Boundary:
    """The ``within=`` boundary in EPSG:4326, its spatial index and its name column."""

    frame: gpd.GeoDataFrame
    label: str
    names: dict[str, str | None]  # name column -> "desa", "kecamatan" or None (generic)
    tree: Any


def normalize_place(name: object) -> str:
    """Fold a place name for comparison.

    Examples
    --------
    >>> normalize_place("Desa  Tumbang-Manjul"), normalize_place("KEL. Kuala Pembuang I")
    ('tumbang manjul', 'kuala pembuang i')
    """
    text = re.sub(r"[^0-9a-z]+", " ", str(name).casefold()).strip()
    return _PREFIX_RE.sub("", text).strip()


def load_boundary(within: gpd.GeoDataFrame | str | PathLike[str]) -> Boundary:
    """Read the ``within=`` boundary: a GeoDataFrame or any vector file with a CRS."""
    if isinstance(within, gpd.GeoDataFrame):
        frame, label = within, "within= boundary"
    elif isinstance(within, (str, PathLike)):
        path = Path(within)
        label = f"boundary {path.name}"
        if not path.is_file():
            msg = f"within={str(path)!r} does not exist or is not a file. Fix: check the path."
            raise InputError(msg)
        frame = open_vector(path, label=f"the within= boundary {path}", fix=(
            "pass the district or village polygons as GeoPackage, Shapefile or GeoJSON")).frame()
        if not isinstance(frame, gpd.GeoDataFrame):
            msg = (f"The within= boundary {path} has no geometry (it is a table). Fix: pass the "
                   "district or village polygons (GeoPackage, Shapefile, GeoJSON).")
            raise InputError(msg)
    else:
        msg = f"within= takes a GeoDataFrame or a path, not {type(within).__name__}."
        raise InputError(msg)
    if frame.crs is None:
        msg = (f"The within= boundary ({label}) has no CRS. Fix: call .set_crs('EPSG:4326') "
               "on it, or give a file that carries its CRS.")
        raise CRSError(msg)
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)].to_crs("EPSG:4326")
    frame = frame.reset_index(drop=True)
    if frame.empty:
        msg = f"The within= boundary ({label}) holds no geometry. Fix: pass the district polygon."
        raise InputError(msg)
    names: dict[str, str | None] = {}
    for column in frame.columns:
        key = normalize_header(column)
        if column != frame.geometry.name and key in _LEVEL_OF_HEADER:
            names[str(column)] = _LEVEL_OF_HEADER[key]
    return Boundary(frame, label, names, shapely.STRtree(frame.geometry.array))


def check_within(
    boundary: Boundary,
    geoms: np.ndarray,
    accuracy_m: np.ndarray,
    places: dict[str, list[Any]],
    wheres: list[tuple[str, str]],
    notes: list[list[str]],
    problems: list[RowProblem | None],
) -> dict[str, Any]:
    """Note or flag plots outside the boundary and named places that differ (module notes).

    ``places`` maps "desa"/"kecamatan" to the plot list's values (absent when the list has
    no such column). Returns what was compared, for the provenance.
    """
    shapes = boundary.frame.geometry.array
    tolerance = np.where(np.isnan(accuracy_m), DEFAULT_PLOT_ACCURACY_M, accuracy_m)
    containing: dict[int, int] = {}
    for i, geom in enumerate(geoms):
        if geom is None or problems[i] is not None:
            continue
        hits = boundary.tree.query(geom, predicate="intersects")
        if len(hits) == 0:
            distance = float(shapely.distance(geom, shapes[boundary.tree.nearest(geom)]))
            metres = distance * METRES_PER_DEGREE
            if metres <= tolerance[i]:
                notes[i].append(f"lies ~{metres:,.0f} m outside the {boundary.label}, within "
                                f"its ±{tolerance[i]:g} m accuracy")
            else:
                problems[i] = problem(
                    wheres[i], f"the plot lies ~{metres:,.0f} m outside the {boundary.label} "
                    f"(more than its ±{tolerance[i]:g} m accuracy)",
                    f"lahan berada ~{metres:,.0f} m di luar batas wilayah ({boundary.label})",
                    "check the coordinates, or whether the plot belongs to this district",
                    "periksa koordinat, atau apakah lahan ini memang di wilayah ini")
            continue
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        inside = [int(h) for h in hits if shapes[h].covers(point)]
        if inside:
            containing[i] = min(inside)
        if geom.geom_type != "Point" and geom.area > 0:
            covered = sum(shapes[h].intersection(geom).area for h in hits) / geom.area
            if covered < 0.99:
                notes[i].append(f"{100 * (1 - covered):.0f}% of the polygon lies outside the "
                                f"{boundary.label}")
    return _compare_names(boundary, containing, places, notes)


def _compare_names(boundary: Boundary, containing: dict[int, int],
                   places: dict[str, list[Any]], notes: list[list[str]]) -> dict[str, Any]:
    if not boundary.names or not places or not containing:
        return {"names_compared": None}
    frame = boundary.frame

    def agreement(column: str, level: str) -> int:
        return sum(normalize_place(places[level][i]) == normalize_place(frame[column].iloc[f])
                   for i, f in containing.items())

    chosen = {lv: col for col, lv in boundary.names.items() if lv in places}
    for column in [c for c, lv in boundary.names.items() if lv is None][:1]:
        free = [lv for lv in ("desa", "kecamatan") if lv in places and lv not in chosen]
        if free:
            chosen[max(free, key=lambda lv: (agreement(column, lv), lv == "desa"))] = column
    for level, column in chosen.items():
        for i, feature in containing.items():
            named, found = places[level][i], frame[column].iloc[feature]
            if not _given(named) or not _given(found):
                continue
            if normalize_place(named) != normalize_place(found):
                notes[i].append(f"the list names {level} '{named}' but the plot lies in "
                                f"'{found}' ({boundary.label})")
    return {"names_compared": dict(chosen) or None}


def _given(value: Any) -> bool:
    return value is not None and str(value).strip().lower() not in ("", "nan", "none")
