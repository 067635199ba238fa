r"""Read a plot's point or polygon written in one cell (a "geometry", "WKT" or "poligon" column).

Writings read:

- WKT: ``POINT (112.3 -2.5)``, ``POLYGON ((112.3 -2.5, 112.301 -2.5, ...))``,
  ``MULTIPOLYGON (...)``, with an optional ``SRID=32749;`` prefix (EWKT) and heights;
- GeoJSON geometry text: ``{"type": "Polygon", "coordinates": [...]}`` (or a Feature);
- a list of corners, one latitude/longitude pair per corner in any writing
  :func:`~lahan_geo.intake.coordinates.parse_coordinate_pair` reads, separated by
  semicolons or line breaks (``-2.5, 112.3; -2.5, 112.301; -2.501, 112.301``) or, for
  plain ``x y`` pairs, by commas; or KML-style ``lon,lat lon,lat ...``;
- the same with eastings and northings in metres (``612345 9723456; ...``), which need
  a CRS (``crs=`` or a zone column) like any projected coordinate.

WKT, GeoJSON and KML put longitude (x) first; a corner list is latitude first unless
hemisphere letters or magnitudes say otherwise (Indonesian longitudes exceed 90). A
ring that is not closed is closed and a note says so; fewer than three distinct
corners is an error.

Examples
--------
>>> cell = parse_geometry_cell("POLYGON ((112.3 -2.5, 112.301 -2.5, 112.301 -2.501))")
>>> cell.geometry.geom_type, cell.notes
('Polygon', ('the ring was not closed; closed it',))
>>> parse_geometry_cell("-2.5, 112.3; -2.5, 112.301; -2.501, 112.301").geometry.bounds
(112.3, -2.501, 112.301, -2.5)
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

import shapely

from lahan_geo.intake.coordinates import (
    METRES_PER_DEGREE,
    CoordinateParseError,
    empty_kind,
    parse_coordinate_pair,
)

__all__ = ["MAX_CELL_LENGTH", "CellGeometry", "parse_geometry_cell"]

#: Longer cells are refused (a 5,000-corner polygon fits).
MAX_CELL_LENGTH = 200_000

#: Coordinates above this magnitude are metres (eastings/northings), not degrees.
METRES_THRESHOLD = 1000.0

_FIX = (
    "write WKT such as POLYGON ((112.30 -2.50, 112.31 -2.50, 112.31 -2.51, 112.30 -2.50)) "
    "(longitude first), or the corners as 'lat, lon' pairs separated by semicolons"
)
_WKT_RE = re.compile(
    r"^\s*(?:srid\s*=\s*(\d+)\s*;)?\s*(point|polygon|multipolygon|multipoint)\s*(z|m|zm)?\s*"
    r"(\(.*\)|empty)\s*$", re.IGNORECASE | re.DOTALL)
_WKT_TUPLE_RE = re.compile(r"([-+]?[0-9.eE+-]+(?:\s+[-+]?[0-9.eE+-]+){1,3})")
_NUMBER_RE = re.compile(r"[-+]?\d+(?:\.(\d+))?")
_KML_STYLE_RE = re.compile(r"^\s*(?:[-+0-9.]+,[-+0-9.]+(?:,[-+0-9.]+)?\s+){2,}"
                           r"[-+0-9.]+,[-+0-9.]+(?:,[-+0-9.]+)?\s*$")
_PLAIN_PAIR_RE = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s+([-+]?\d+(?:[.,]\d+)?)\s*$")


@dataclass(frozen=True)
class CellGeometry:
    """A geometry read from one cell.

    Attributes
    ----------
    geometry : shapely geometry
        Point, Polygon, MultiPolygon or MultiPoint; x is longitude (or easting).
    projected : bool
        True when the coordinates are metres and need a CRS.
    srid : int or None
        The EPSG code an EWKT ``SRID=...;`` prefix gave.
    notes : tuple of str
        What was corrected (a ring closed, corners reordered).
    uncertainty_m : float
        Half a unit of the coarsest written digit, in metres.
    """

    geometry: Any
    projected: bool
    srid: int | None
    notes: tuple[str, ...]
    uncertainty_m: float


def _fail(value: object, problem: str, kind: str = "unparseable") -> NoReturn:
    text = str(value)
    shown = text if len(text) <= 60 else f"{text[:45]}...{text[-10:]}"
    msg = f"Geometry '{shown}' {problem}. Fix: {_FIX}."
    raise CoordinateParseError(msg, kind, value)  # type: ignore[arg-type]


def parse_geometry_cell(value: object) -> CellGeometry:
    """Read a point or polygon from one cell (see the module notes).

    Raises
    ------
    CoordinateParseError
        "blank" or "placeholder" for an empty cell; "unparseable" for anything else
        that is not a geometry, with the fix.
    """
    kind = empty_kind(value)
    if kind is not None:
        word = "is blank" if kind == "blank" else "is a placeholder, not a geometry"
        _fail(value, word, kind)
    if not isinstance(value, str):
        _fail(value, f"is a {type(value).__name__}, not text")
    text = value.strip()
    if len(text) > MAX_CELL_LENGTH:
        _fail(value, f"is {len(text):,} characters long; at most {MAX_CELL_LENGTH:,} are read")
    if text.startswith("{"):
        return _from_geojson(text, value)
    match = _WKT_RE.match(text)
    if match:
        return _from_wkt(match, text, value)
    if text.upper().startswith(("POINT", "POLYGON", "MULTI", "LINESTRING", "SRID")):
        if text.count("(") != text.count(")"):
            _fail(value, "is not well-formed WKT: its brackets do not close (is the cell cut "
                  "off? a spreadsheet cell holds at most 32,767 characters)")
        _fail(value, "is not WKT of a point or polygon lahan_geo reads")
    return _from_corner_list(text, value)


def _uncertainty(text: str, metres: bool) -> float:
    decimals = [len(m.group(1) or "") for m in _NUMBER_RE.finditer(text)]
    return _half_unit(min(decimals) if decimals else 0, metres)


def _half_unit(decimals: int, metres: bool) -> float:
    return 0.5 * 10.0**-decimals * (1.0 if metres else METRES_PER_DEGREE)


def _written_decimals(nested: Any) -> int:
    """Fewest decimals written in any x or y (heights ignored) of nested Decimal lists."""
    if nested and all(isinstance(v, Decimal) for v in nested):
        return min(max(0, -int(v.as_tuple().exponent)) for v in nested[:2])
    found = [_written_decimals(item) for item in nested if isinstance(item, list) and item]
    return min(found) if found else 0


def _close(ring: list[Any], value: object, notes: list[str]) -> list[tuple[float, float]]:
    try:
        points = [(float(p[0]), float(p[1])) for p in ring]
    except (TypeError, ValueError, IndexError):
        _fail(value, "has a corner that is not two numbers")
    if not all(math.isfinite(c) for p in points for c in p):
        _fail(value, "has a coordinate that is not a finite number")
    distinct = len(set(points))
    if distinct < 3:
        _fail(value, f"has a ring with {distinct} distinct corners; a polygon needs at least 3")
    if points[0] != points[-1]:
        points.append(points[0])
        if "the ring was not closed; closed it" not in notes:
            notes.append("the ring was not closed; closed it")
    return points


def _build(kind: str, coords: Any, value: object, notes: list[str]) -> Any:
    try:
        if kind == "point":
            return shapely.Point(float(coords[0]), float(coords[1]))
        if kind == "multipoint":
            return shapely.MultiPoint([(float(p[0]), float(p[1])) for p in coords])
        if kind == "polygon":
            rings = [_close(r, value, notes) for r in coords]
            return shapely.Polygon(rings[0], rings[1:])
        if kind == "multipolygon":
            polygons = [_build("polygon", p, value, notes) for p in coords]
            return shapely.MultiPolygon(polygons)
    except CoordinateParseError:
        raise
    except (TypeError, ValueError, IndexError, shapely.errors.GEOSException):
        _fail(value, f"does not hold the coordinates a {kind} needs")
    _fail(value, f"is a {kind}, not a point or polygon")


def _metres(geom: Any) -> bool:
    coords = shapely.get_coordinates(geom)
    return bool(len(coords)) and bool((abs(coords) > METRES_THRESHOLD).any())


def _from_wkt(match: re.Match[str], text: str, value: object) -> CellGeometry:
    srid, kind, body = match.group(1), match.group(2).lower(), match.group(4)
    if body.lower() == "empty":
        _fail(value, "is empty", "blank")
    jsonish = _WKT_TUPLE_RE.sub(lambda m: "[" + ",".join(m.group(1).split()) + "]", body)
    jsonish = jsonish.replace("(", "[").replace(")", "]")
    try:
        nested = json.loads(jsonish, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, ArithmeticError):
        _fail(value, "is not well-formed WKT (check brackets, commas and decimal points)")
    if kind == "point":
        nested = nested[0] if nested and isinstance(nested[0], list) else nested
    if kind == "multipoint":
        nested = [p[0] if p and isinstance(p[0], list) else p for p in nested]
    notes: list[str] = []
    geom = _build(kind, nested, value, notes)
    metres = _metres(geom)
    return CellGeometry(geom, metres, int(srid) if srid else None, tuple(notes),
                        _half_unit(_written_decimals(nested), metres))


def _from_geojson(text: str, value: object) -> CellGeometry:
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, ArithmeticError):
        _fail(value, "is not well-formed GeoJSON")
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or "coordinates" not in data:
        _fail(value, "is not a GeoJSON geometry (it needs 'type' and 'coordinates')")
    kind = str(data.get("type", "")).lower()
    if kind not in ("point", "polygon", "multipolygon", "multipoint"):
        _fail(value, f"is a GeoJSON {data.get('type')!r}, not a point or polygon")
    notes: list[str] = []
    geom = _build(kind, data["coordinates"], value, notes)
    metres = _metres(geom)
    decimals = _written_decimals(data["coordinates"]) if isinstance(
        data["coordinates"], list) else 0
    return CellGeometry(geom, metres, None, tuple(notes), _half_unit(decimals, metres))


def _split_corners(text: str) -> list[str]:
    if "\n" in text or ";" in text or "|" in text:
        parts = re.split(r"\s*[\n;|]\s*", text)
    elif _KML_STYLE_RE.match(text):
        # "lon,lat[,h] lon,lat[,h] ...": longitude first, as KML writes it.
        return [" ".join(reversed(t.split(",")[:2])) for t in text.split()]
    else:
        parts = [p for p in re.split(r"\s*,\s*", text)]
        if not all(_PLAIN_PAIR_RE.match(p) for p in parts):
            parts = [text]
    return [p for p in (x.strip() for x in parts) if p]


def _from_corner_list(text: str, value: object) -> CellGeometry:
    corners = _split_corners(text)
    if not corners:
        _fail(value, "holds no coordinates")
    plain = [_PLAIN_PAIR_RE.match(c) for c in corners]
    if all(plain):
        numbers = [(float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", ".")))
                   for m in plain if m]
        if any(abs(v) > METRES_THRESHOLD for pair in numbers for v in pair):
            notes: list[str] = []
            geom = _corners_geometry(numbers, value, notes)
            return CellGeometry(geom, True, None, tuple(notes),
                                _uncertainty(" ".join(corners), True))
    points: list[tuple[float, float]] = []
    swapped = 0
    uncertainty = 0.0
    for corner in corners:
        try:
            pair = parse_coordinate_pair(corner)
        except CoordinateParseError as err:
            if len(corners) == 1:
                raise
            msg = f"Geometry corner '{corner}': {err}"
            raise CoordinateParseError(msg, err.kind, value) from None
        swapped += pair.swapped
        uncertainty = max(uncertainty, pair.lat.uncertainty_m, pair.lon.uncertainty_m)
        points.append((pair.lon.degrees, pair.lat.degrees))
    notes = []
    if swapped:
        notes.append(f"{swapped} of {len(points)} corners written longitude first; reordered")
    geom = _corners_geometry(points, value, notes)
    return CellGeometry(geom, False, None, tuple(notes), uncertainty)


def _corners_geometry(points: list[tuple[float, float]], value: object, notes: list[str]) -> Any:
    if len(points) == 1:
        return shapely.Point(points[0])
    if len(set(points)) == 2:
        _fail(value, "holds two corners; a polygon needs at least 3 (a point needs one pair)")
    return shapely.Polygon(_close(points, value, notes))
