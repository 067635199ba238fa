"""Checks on each plot's geometry once it is in EPSG:4326, and across the plot list.

Per row (:func:`check_geometry`, :func:`check_in_indonesia`):

- no geometry, a line, non-finite coordinates: a problem;
- heights dropped, an invalid polygon repaired with ``make_valid`` (the repair named):
  a note;
- outside Indonesia (:data:`~lahan_geo.intake.coordinates.INDONESIA_BOUNDS`): corrected
  when the point or every corner lies in Indonesia with x and y exchanged (a note),
  otherwise a problem.

Across rows (:func:`note_duplicates`): the same plot id twice, and the same
coordinates (or polygon) for two rows, are notes on every row concerned.

Examples
--------
>>> import shapely
>>> geom, notes, prob = check_in_indonesia(shapely.Point(-2.5, 112.3), ("row 2", "baris 2"))
>>> geom.wkt, notes
('POINT (112.3 -2.5)', ['latitude and longitude were swapped (-2.5 read as longitude); corrected'])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from lahan_geo.intake.blocks import RowProblem
from lahan_geo.intake.coordinates import INDONESIA_BOUNDS
from lahan_geo.intake.row_problems import problem

__all__ = ["FLIPPED_NEAR_KM", "OUTLIER_KM", "check_geometry", "check_in_indonesia",
           "check_outliers", "note_duplicates"]

_PLOT_TYPES = ("Point", "Polygon", "MultiPolygon", "MultiPoint")

Where = tuple[str, str]


def check_geometry(geom: Any, where: Where) -> tuple[Any, list[str], RowProblem | None]:
    """Return (geometry or None, notes, problem) for one row's geometry."""
    notes: list[str] = []
    if geom is None or shapely.is_missing(geom) or geom.is_empty:
        return None, notes, problem(where, "the feature has no geometry",
                                    "fitur tidak memiliki geometri",
                                    "draw or survey the plot", "gambar atau survei lahan")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
        notes.append("height (Z) dropped")
    kind = geom.geom_type
    if kind == "GeometryCollection":
        polygons = [g for g in _flat_parts(geom) if g.geom_type == "Polygon"]
        if polygons:
            geom = shapely.union_all(polygons)
            kind = geom.geom_type
            notes.append("kept the polygon parts of a geometry collection")
    if kind not in _PLOT_TYPES:
        return None, notes, problem(where, f"a {kind} is not a plot", f"{kind} bukan lahan",
                                    "give a point or a polygon", "berikan titik atau poligon")
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, notes, problem(where, "the geometry has non-finite coordinates",
                                    "geometri memiliki koordinat tidak terhingga",
                                    "survey or draw the plot again",
                                    "survei atau gambar ulang lahan")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        repaired = shapely.make_valid(geom)
        polys = [g for g in shapely.get_parts(repaired)
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else shapely.Polygon()
        if geom.is_empty:
            return None, notes, problem(
                where, f"the polygon has no area after repair ({reason})",
                f"poligon tidak memiliki luas setelah diperbaiki ({reason})",
                "draw the plot's boundary again", "gambar ulang batas lahan")
        notes.append(f"polygon repaired with make_valid ({reason})")
    return geom, notes, None


def _flat_parts(geom: Any) -> list[Any]:
    """Return the simple parts of a geometry, however deeply its collections nest."""
    flat, stack = [], [geom]
    while stack:
        part = stack.pop()
        if part.geom_type in ("GeometryCollection", "MultiPolygon", "MultiPoint",
                              "MultiLineString"):
            stack.extend(reversed(shapely.get_parts(part).tolist()))
        else:
            flat.append(part)
    return flat


def _inside(coords: np.ndarray) -> bool:
    lat_min, lat_max, lon_min, lon_max = INDONESIA_BOUNDS
    x, y = coords[:, 0], coords[:, 1]
    return bool(((x >= lon_min) & (x <= lon_max) & (y >= lat_min) & (y <= lat_max)).all())


def check_in_indonesia(geom: Any, where: Where) -> tuple[Any, list[str], RowProblem | None]:
    """Return (geometry or None, notes, problem): swapped axes corrected when unambiguous."""
    coords = shapely.get_coordinates(geom)
    if _inside(coords):
        return geom, [], None
    if _inside(coords[:, ::-1]):
        swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
        first = coords[0]
        note = (f"latitude and longitude were swapped ({first[0]:.10g} read as longitude); "
                "corrected")
        return swapped, [note], None
    point = geom.representative_point() if geom.geom_type != "Point" else geom
    lat, lon = f"{point.y:.6f}", f"{point.x:.6f}"
    guess = _sign_guess(coords)
    return None, [], problem(
        where, f"the position (latitude {lat}, longitude {lon}) lies outside Indonesia"
        + (f"; did you mean {guess[0]}?" if guess else ""),
        f"posisi (lintang {lat}, bujur {lon}) berada di luar Indonesia"
        + (f"; maksudnya {guess[1]}?" if guess else ""),
        "check the coordinates (LS/LU hemisphere sign, degree/minute writing, the zone of "
        "UTM coordinates)",
        "periksa koordinat (tanda LS/LU, penulisan derajat/menit, zona koordinat UTM)")


def _sign_guess(coords: np.ndarray) -> tuple[str, str] | None:
    """Say which sign change (or swap with a sign change) puts every corner in Indonesia."""
    x, y = coords[0]
    for flip_x, flip_y in ((1, -1), (-1, 1), (-1, -1)):
        if _inside(coords * np.array([flip_x, flip_y])):
            return (f"latitude {flip_y * y:.10g}, longitude {flip_x * x:.10g}",
                    f"lintang {flip_y * y:.10g}, bujur {flip_x * x:.10g}")
        if _inside((coords * np.array([flip_x, flip_y]))[:, ::-1]):
            return (f"latitude {flip_x * x:.10g}, longitude {flip_y * y:.10g} (swapped)",
                    f"lintang {flip_x * x:.10g}, bujur {flip_y * y:.10g} (tertukar)")
    return None


#: A plot this far (km) from every other plot of the list is checked for a sign slip.
OUTLIER_KM = 300.0
#: ... and reported when its sign-flipped latitude lies this close (km) to another plot.
FLIPPED_NEAR_KM = 50.0


def check_outliers(geoms: np.ndarray, wheres: list[Where], problems: list[Any]) -> None:
    """Report a plot far from the whole list whose latitude, sign flipped, joins it.

    A list of outlet plots is one district or a few; a plot :data:`OUTLIER_KM` or more
    from all the others whose latitude with the other sign lies within
    :data:`FLIPPED_NEAR_KM` of a plot that has neighbours of its own is a missing minus
    (or an LU written for LS). Such a row gets an ``input_problem`` with the suggestion;
    a plot that is far from the rest for no such reason is left alone.
    """
    index = [i for i, g in enumerate(geoms) if g is not None and problems[i] is None]
    if len(index) < 3:
        return
    xy = shapely.get_coordinates(shapely.point_on_surface(
        np.asarray(geoms, dtype=object)[index]))
    km = 111.32
    if np.hypot(*np.ptp(xy, axis=0)) * km < OUTLIER_KM:
        return  # the whole list lies within the distance: nothing is far from the rest
    # one point per location: plots at the same place are each other's neighbours
    unique, inverse, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    points = shapely.points(unique)
    tree = shapely.STRtree(points)
    pairs, distances = tree.query_nearest(points, exclusive=True, return_distance=True)
    nearest = np.full(len(points), np.inf)
    np.minimum.at(nearest, pairs[0], distances)
    nearest[counts > 1] = 0.0
    first = {int(u): k for k, u in reversed(list(enumerate(inverse.tolist())))}
    for u in np.flatnonzero(np.isfinite(nearest) & (nearest * km >= OUTLIER_KM)).tolist():
        x, y = unique[u]
        if abs(y) < 0.05:
            continue
        near, near_dist = tree.query_nearest(shapely.Point(x, -y), return_distance=True)
        # the flipped position joins a group of plots (not another lone plot: of two
        # mirror images far from everything, which one slipped cannot be told)
        if not len(near) or near_dist[0] * km > FLIPPED_NEAR_KM or int(near[0]) == u \
                or nearest[int(near[0])] * km >= OUTLIER_KM:
            continue
        i, other = index[first[u]], wheres[index[first[int(near[0])]]]
        far_km, near_km = nearest[u] * km, near_dist[0] * km
        problems[i] = problem(
            wheres[i],
            f"latitude {y:.10g} puts the plot ~{far_km:,.0f} km from every other plot of the "
            f"list; with the other sign ({-y:.10g}) it lies ~{near_km:,.0f} km from "
            f"{other[0]}. Did you mean {-y:.10g}?",
            f"lintang {y:.10g} menempatkan lahan ~{far_km:,.0f} km dari semua lahan lain dalam "
            f"daftar; dengan tanda sebaliknya ({-y:.10g}) lahan berada ~{near_km:,.0f} km dari "
            f"{other[1]}. Maksudnya {-y:.10g}?",
            "check the hemisphere of the latitude (LS = south = minus) and correct it",
            "periksa belahan bumi lintang (LS = selatan = minus) lalu betulkan")


def note_duplicates(ids: list[str], geoms: np.ndarray, labels: list[str],
                    notes: list[list[str]]) -> None:
    """Note on every row concerned: the same plot id, and the same position, more than once."""
    by_id: dict[str, list[int]] = {}
    for i, pid in enumerate(ids):
        by_id.setdefault(pid, []).append(i)
    for pid, rows in by_id.items():
        if len(rows) > 1:
            for i in rows:
                others = ", ".join(labels[j] for j in rows if j != i)
                notes[i].append(f"plot id '{pid}' is also used by {others}")
    by_position: dict[Any, list[int]] = {}
    for i, geom in enumerate(geoms):
        if geom is None:
            continue
        if geom.geom_type == "Point":
            key: Any = ("point", round(geom.x, 6), round(geom.y, 6))
        else:
            key = ("shape", shapely.to_wkb(shapely.normalize(shapely.set_precision(geom, 1e-7))))
        by_position.setdefault(key, []).append(i)
    for key, rows in by_position.items():
        if len(rows) > 1:
            what = "coordinates" if key[0] == "point" else "polygon"
            for i in rows:
                others = ", ".join(f"{labels[j]} (plot '{ids[j]}')" for j in rows if j != i)
                notes[i].append(f"same {what} as {others}")
