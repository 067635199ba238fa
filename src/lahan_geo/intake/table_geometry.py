r"""Place every row of a table: from a geometry cell, latitude/longitude, a pair, or metres.

Each row is placed from the first of these that is filled in (a blank or a
placeholder such as "belum ada" does not count):

1. a geometry cell (WKT, GeoJSON, a list of corners; :mod:`~lahan_geo.intake.cell_geometry`);
2. latitude and longitude columns, in any writing
   :func:`~lahan_geo.intake.coordinates.parse_coordinate` reads; a row whose two values
   only make sense exchanged (a latitude of 112°, or "BT" in the latitude column) and
   then lie in Indonesia is corrected, with a note;
3. a single "Koordinat" column with both (or with a list of polygon corners);
4. easting and northing in metres (UTM, TM-3) with the CRS from ``crs=`` or the row's
   zone column; a row whose easting and northing only fit the CRS exchanged is
   corrected, with a note.

Columns found by their headers as latitude/longitude ("X", "Y") that hold metres are read
as easting/northing. Projected coordinates without any CRS hint are not guessed: an
:class:`~lahan_geo.errors.InputError` asks for ``crs="49S"`` (or the zone column).

Examples
--------
>>> import pandas as pd
>>> from lahan_geo.intake.blocks import SourceBlock
>>> block = SourceBlock(pd.DataFrame({"x": ["612345", "9723456"], "y": ["9723456", "612345"]}),
...                     "utm.csv", [2, 3])
>>> plan = plan_table(block, {"lat": "y", "lon": "x"}, "49S")
>>> geoms, _ = locate_rows(block, plan)
>>> [(round(g.x, 5), round(g.y, 5)) for g in geoms]
[(112.01052, -2.50157), (112.01052, -2.50157)]
>>> block.notes[1]
['easting and northing were swapped (9723456, 612345); corrected']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyproj
import shapely

from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake.blocks import RowProblem, SourceBlock, object_array
from lahan_geo.intake.cell_geometry import parse_geometry_cell
from lahan_geo.intake.columns import header_hemisphere, normalize_header
from lahan_geo.intake.coordinates import (
    CoordinateParseError,
    ParsedCoordinate,
    empty_kind,
    looks_indonesian,
    parse_coordinate,
    parse_coordinate_pair,
)
from lahan_geo.intake.notes import Note
from lahan_geo.intake.precision import MAX_IMPLIED_UNCERTAINTY_M, coarse_problem
from lahan_geo.intake.projected import parse_crs_hint, plausible_projected, to_wgs84
from lahan_geo.intake.row_problems import coordinate_problem, geometry_problem, problem, quote

__all__ = ["TablePlan", "locate_rows", "plan_table"]

_METRES_RE = re.compile(r"^([-+]?[0-9]+(?:[.,][0-9]+)?)\s*m?$")

Where = tuple[str, str]


@dataclass
class TablePlan:
    """Which columns place a table's rows, and in which CRS."""

    geometry: str | None = None
    lat: str | None = None
    lon: str | None = None
    coords: str | None = None
    easting: str | None = None
    northing: str | None = None
    zone: str | None = None
    projected_crs: pyproj.CRS | None = None
    geographic_crs: pyproj.CRS | None = None
    lat_sign: int | None = None
    lon_sign: int | None = None
    notes: list[str] = field(default_factory=list)
    cells: dict[str, list[Any]] = field(default_factory=dict)

    def cell(self, column: str, i: int) -> Any:
        """Row ``i`` of ``column`` (columns are held as lists: fast per-row access)."""
        return self.cells[column][i]


class _RowError(Exception):
    def __init__(self, problem: RowProblem) -> None:
        super().__init__(problem.en)
        self.problem = problem


def _as_metres(value: Any) -> tuple[float, int] | None:
    """Read a number of metres (decimal point or comma); None when it is not one."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if not np.isfinite(number):
            return None
        shown = np.format_float_positional(number, trim="-")
        return number, len(shown.partition(".")[2])
    match = _METRES_RE.match(str(value).strip().replace(" ", ""))
    if not match:
        return None
    text = match.group(1).replace(",", ".")
    return float(text), len(text.partition(".")[2])


def _holds_metres(values: list[Any]) -> bool:
    numbers = [m[0] for m in (_as_metres(v) for v in values if empty_kind(v) is None) if m]
    return bool(numbers) and sum(abs(v) > 1000 for v in numbers) * 2 >= len(numbers)


def plan_table(block: SourceBlock, roles: dict[str, str], crs: Any) -> TablePlan:
    """Decide how the table's rows are placed (see the module notes).

    Raises
    ------
    InputError
        When rows hold projected coordinates (metres) and neither ``crs`` nor a zone
        column tells their CRS.
    CRSError
        When ``crs`` is not a CRS lahan_geo reads.
    """
    plan = TablePlan(**{k: roles.get(k) for k in ("geometry", "lat", "lon", "coords",
                                                   "easting", "northing", "zone")})
    plan.cells = {c: block.frame[c].tolist() for c in dict.fromkeys(
        c for c in (plan.geometry, plan.lat, plan.lon, plan.coords, plan.easting,
                    plan.northing, plan.zone) if c is not None)}
    if plan.lat and plan.lon and "lat" in roles and "lon" in roles \
            and not (_named_degrees(plan.lat) and _named_degrees(plan.lon)):
        if _holds_metres(plan.cells[plan.lat]) and _holds_metres(plan.cells[plan.lon]):
            if not (plan.easting and plan.northing):
                plan.notes.append(f"columns '{plan.lon}' and '{plan.lat}' hold metres: read as "
                                  "easting and northing")
                plan.easting, plan.northing = plan.lon, plan.lat
            plan.lat = plan.lon = None
    if plan.lat and plan.lon:
        plan.lat_sign = _column_sign(plan, plan.lat, "lat")
        plan.lon_sign = _column_sign(plan, plan.lon, "lon")
    hint = parse_crs_hint(crs) if crs is not None else None
    if hint is not None and hint.is_geographic:
        if not hint.equals("EPSG:4326"):
            plan.geographic_crs = hint
            plan.notes.append(f"latitude/longitude read on {hint.name} and converted to WGS 84")
    elif hint is not None:
        plan.projected_crs = hint
    if plan.easting and plan.northing and plan.projected_crs is None and plan.zone is None:
        used = [i for i in range(len(block)) if _uses_projected(block, plan, i)]
        if used:
            i = used[0]
            where = block.where(i)[0]
            east = plan.cell(plan.easting, i)
            north = plan.cell(plan.northing, i)
            msg = (f"{block.source_file}: columns '{plan.easting}' and '{plan.northing}' hold "
                   f"projected coordinates in metres (e.g. {where}: {east}, {north}), whose "
                   "coordinate system is not stated. Fix: pass crs= with the UTM zone (e.g. "
                   "crs='49S' or crs='UTM 50S'), the TM-3 zone (crs='TM-3 49.2') or the EPSG "
                   "code (crs=32749), or add a 'zona' column.")
            raise InputError(msg)
    return plan


_DEGREE_WORDS = ("lintang", "latitude", "lat", "bujur", "longitude", "lon", "long", "lng")


def _named_degrees(column: str) -> bool:
    """Tell whether a column is named for degrees ("Lintang"): big numbers there lost decimals."""
    words = normalize_header(column).split()
    return bool(words) and words[0] in _DEGREE_WORDS


def _column_sign(plan: TablePlan, column: str, axis: str) -> int | None:
    """Return the header's hemisphere, when the column is written without signs.

    A column whose values carry a minus sign uses signs for the hemisphere: its header
    ("Lintang (LS)" of a template) is then not applied, and the plan says so.
    """
    sign = header_hemisphere(column, axis)
    if sign is None or sign > 0:
        return sign
    if any(str(v).strip()[:1] in "-\u2212" for v in plan.cells[column]):
        plan.notes.append(Note(
            f"column '{column}' names the southern/western hemisphere in its header, but its "
            "values carry minus signs: the signs as written were used",
            f"judul kolom '{column}' menyebut belahan selatan/barat, tetapi nilainya bertanda "
            "minus: dipakai tanda sebagaimana tertulis"))
        return None
    return sign


def _filled(plan: TablePlan, column: str | None, i: int) -> bool:
    return column is not None and empty_kind(plan.cell(column, i)) is None


def _uses_projected(block: SourceBlock, plan: TablePlan, i: int) -> bool:
    if _filled(plan, plan.geometry, i) or _filled(plan, plan.coords, i):
        return False
    if _filled(plan, plan.lat, i) or _filled(plan, plan.lon, i):
        return False
    return _filled(plan, plan.easting, i) or _filled(plan, plan.northing, i)


def locate_rows(block: SourceBlock, plan: TablePlan) -> tuple[np.ndarray, np.ndarray]:
    """Place every row (module notes): WGS 84 geometries and written precision in metres.

    Rows that cannot be placed get their problem in ``block.problems``; what was
    corrected goes into ``block.notes``.
    """
    n = len(block)
    geoms = object_array([None] * n)
    precision = np.full(n, np.nan)
    crs_cache: dict[str, pyproj.CRS | CRSError] = {}
    pending: dict[Any, list[tuple[int, Any]]] = {}  # CRS -> [(row, geometry in metres)]
    for i in range(n):
        if block.problems[i] is not None:
            continue
        try:
            geom, metres_crs, uncertainty, columns = _locate_row(block, plan, i, crs_cache)
        except _RowError as err:
            block.problems[i] = err.problem
            continue
        if uncertainty > MAX_IMPLIED_UNCERTAINTY_M:
            block.problems[i] = coarse_problem(block.where(i), columns, uncertainty)
            continue
        precision[i] = uncertainty
        if metres_crs is not None:
            pending.setdefault(metres_crs, []).append((i, geom))
        else:
            geoms[i] = geom
    if plan.geographic_crs is not None:
        for i in np.flatnonzero([g is not None for g in geoms]):
            geoms[i] = _transform(geoms[i], plan.geographic_crs)
    for crs, items in pending.items():
        _convert_projected(block, plan, crs, items, geoms)
    return geoms, precision


def _locate_row(block: SourceBlock, plan: TablePlan, i: int,
                crs_cache: dict[str, Any]) -> tuple[Any, Any, float, tuple[str, str]]:
    """Return (geometry, CRS if in metres else None, written precision, columns used)."""
    where = block.where(i)
    if _filled(plan, plan.geometry, i):
        assert plan.geometry is not None
        return _from_cell(block, plan, i, plan.geometry, crs_cache)
    if _filled(plan, plan.lat, i) or _filled(plan, plan.lon, i):
        assert plan.lat is not None and plan.lon is not None
        lat_v, lon_v = plan.cell(plan.lat, i), plan.cell(plan.lon, i)
        lat, lon, note = _lat_lon(lat_v, lon_v, plan, where)
        if note:
            block.notes[i].append(note)
        else:
            lat = _header_sign(lat, lat_v, plan.lat_sign, plan.lat, block.notes[i])
            lon = _header_sign(lon, lon_v, plan.lon_sign, plan.lon, block.notes[i])
        uncertainty = max(lat.uncertainty_m, lon.uncertainty_m)
        return (shapely.Point(lon.degrees, lat.degrees), None, uncertainty,
                _two_columns(plan.lat, plan.lon))
    if _filled(plan, plan.coords, i):
        assert plan.coords is not None
        value = plan.cell(plan.coords, i)
        try:
            pair = parse_coordinate_pair(value)
        except CoordinateParseError as err:
            if isinstance(value, str) and re.search(r"[;\n|]", value.strip()):
                return _from_cell(block, plan, i, plan.coords, crs_cache)
            raise _RowError(coordinate_problem(where, plan.coords, err)) from None
        if pair.note:
            block.notes[i].append(pair.note)
        uncertainty = max(pair.lat.uncertainty_m, pair.lon.uncertainty_m)
        return (shapely.Point(pair.lon.degrees, pair.lat.degrees), None, uncertainty,
                (f"column '{plan.coords}'", f"kolom '{plan.coords}'"))
    if _filled(plan, plan.easting, i) or _filled(plan, plan.northing, i):
        assert plan.easting is not None and plan.northing is not None
        xs = _metres_value(plan.cell(plan.easting, i), plan.easting, where)
        ys = _metres_value(plan.cell(plan.northing, i), plan.northing, where)
        crs = _row_crs(block, plan, i, crs_cache)
        uncertainty = 0.5 * 10.0 ** -min(xs[1], ys[1])
        return (shapely.Point(xs[0], ys[0]), crs, uncertainty,
                _two_columns(plan.easting, plan.northing))
    primary = next(c for c in (plan.lat, plan.coords, plan.geometry, plan.easting) if c)
    value = plan.cell(primary, i)
    try:
        parse_coordinate(value, axis="lat" if primary == plan.lat else None)
    except CoordinateParseError as err:
        raise _RowError(coordinate_problem(where, primary, err)) from None
    raise AssertionError("an empty cell parsed")  # pragma: no cover


def _header_sign(parsed: ParsedCoordinate, value: Any, sign: int | None, column: str,
                 notes: list[str]) -> ParsedCoordinate:
    """Apply the hemisphere of a header ("Lintang (LS)") to an unsigned value, noted."""
    if sign is None or parsed.hemisphere_given or parsed.degrees == 0:
        return parsed
    written = str(value).strip()
    if written[:1] in "-+\u2212":
        if (parsed.degrees < 0) != (sign < 0):
            notes.append(Note(
                f"column '{column}' names the hemisphere in its header but {quote(value)} "
                "carries the other sign; the sign as written was used",
                f"judul kolom '{column}' menyebut belahan bumi, tetapi {quote(value)} bertanda "
                "sebaliknya; dipakai tanda sebagaimana tertulis"))
        return parsed
    if sign > 0:
        return parsed
    notes.append(Note(
        f"{quote(value)} in column '{column}' read as {-parsed.degrees:.10g}: the header "
        "names the southern/western hemisphere",
        f"{quote(value)} di kolom '{column}' dibaca {-parsed.degrees:.10g}: judul kolom "
        "menyebut belahan selatan/barat"))
    return replace(parsed, degrees=-parsed.degrees)


def _two_columns(first: str, second: str) -> tuple[str, str]:
    return (f"columns '{first}' and '{second}'", f"kolom '{first}' dan '{second}'")


def _from_cell(block: SourceBlock, plan: TablePlan, i: int, column: str,
               crs_cache: dict[str, Any]) -> tuple[Any, Any, float, tuple[str, str]]:
    where = block.where(i)
    try:
        cell = parse_geometry_cell(plan.cell(column, i))
    except CoordinateParseError as err:
        raise _RowError(geometry_problem(where, column, err)) from None
    block.notes[i].extend(cell.notes)
    crs = None
    if cell.srid is not None and cell.srid != 4326:
        crs = _cached_crs(str(cell.srid), column, where, crs_cache)
    elif cell.projected:
        crs = _row_crs(block, plan, i, crs_cache, column)
    return cell.geometry, crs, cell.uncertainty_m, (f"column '{column}'", f"kolom '{column}'")


def _parse_axis(value: Any, axis: str) -> ParsedCoordinate:
    return parse_coordinate(value, axis=axis)  # type: ignore[arg-type]


def _lat_lon(lat_v: Any, lon_v: Any, plan: TablePlan, where: Where
             ) -> tuple[ParsedCoordinate, ParsedCoordinate, str | None]:
    assert plan.lat is not None and plan.lon is not None
    failure: tuple[str, CoordinateParseError] | None = None
    try:
        lat = _parse_axis(lat_v, "lat")
    except CoordinateParseError as err:
        failure = (plan.lat, err)
    if failure is None:
        try:
            lon = _parse_axis(lon_v, "lon")
        except CoordinateParseError as err:
            failure = (plan.lon, err)
    if failure is None:
        return lat, lon, None
    if failure[1].kind in ("out_of_range", "axis_conflict"):
        try:
            lat2, lon2 = _parse_axis(lon_v, "lat"), _parse_axis(lat_v, "lon")
        except CoordinateParseError:
            pass
        else:
            if looks_indonesian(lat2.degrees, lon2.degrees):
                note = (f"latitude and longitude were swapped in this row ('{plan.lat}' held "
                        f"{quote(lat_v)}, '{plan.lon}' held {quote(lon_v)}); corrected")
                return lat2, lon2, note
    column, error = failure
    raise _RowError(coordinate_problem(where, column, error,
                                       "lat" if column == plan.lat else "lon"))


def _metres_value(value: Any, column: str, where: Where) -> tuple[float, int]:
    kind = empty_kind(value)
    read = None if kind else _as_metres(value)
    if read is not None and read[0] != 0:
        return read
    if kind == "blank":
        what_en, what_id = "the coordinate is blank", "koordinat kosong"
    elif kind == "placeholder" or (read is not None and read[0] == 0):
        what_en = f"{quote(value)} is a placeholder, not a coordinate"
        what_id = f"{quote(value)} bukan koordinat"
    else:
        what_en = f"{quote(value)} is not a number of metres"
        what_id = f"{quote(value)} bukan angka dalam meter"
    raise _RowError(problem(
        (f"{where[0]}, column '{column}'", f"{where[1]}, kolom '{column}'"), what_en, what_id,
        "write the easting/northing in metres with at most one decimal separator, e.g. "
        "612345.6 (no thousands separators)",
        "tulis koordinat dalam meter dengan satu tanda desimal, mis. 612345.6 (tanpa "
        "pemisah ribuan)"))


def _cached_crs(text: str, column: str, where: Where, cache: dict[str, Any]) -> pyproj.CRS:
    if text not in cache:
        try:
            cache[text] = parse_crs_hint(text)
        except CRSError as err:
            cache[text] = err
    found = cache[text]
    if isinstance(found, CRSError):
        raise _RowError(RowProblem(
            f"{where[0]}, column '{column}': {found}",
            f"{where[1]}, kolom '{column}': sistem koordinat {quote(text)} tidak dikenal. "
            "Perbaikan: tulis zona UTM seperti 49S, zona TM-3 seperti 'TM-3 49.2', atau kode "
            "EPSG seperti 32749."))
    return found


def _row_crs(block: SourceBlock, plan: TablePlan, i: int, cache: dict[str, Any],
             column: str | None = None) -> pyproj.CRS:
    where = block.where(i)
    if plan.zone is not None:
        value = plan.cell(plan.zone, i)
        if empty_kind(value) is None:
            return _cached_crs(str(value).strip(), plan.zone, where, cache)
    if plan.projected_crs is not None:
        return plan.projected_crs
    named = f"column '{plan.zone}'" if plan.zone else "crs="
    raise _RowError(problem(
        (f"{where[0]}, column '{column or plan.easting}'",
         f"{where[1]}, kolom '{column or plan.easting}'"),
        f"the coordinates are metres but no coordinate system is given ({named} is blank)",
        "koordinat dalam meter tetapi sistem koordinatnya tidak diisi",
        f"fill in {named} with the UTM zone, e.g. 49S" if plan.zone else
        "pass crs= with the UTM zone, e.g. crs='49S'",
        "isi zona UTM, mis. 49S"))


def _transform(geom: Any, crs: pyproj.CRS) -> Any:
    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs, on_invalid="nan")
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def _swap(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _convert_projected(block: SourceBlock, plan: TablePlan, crs: pyproj.CRS,
                       items: list[tuple[int, Any]], geoms: np.ndarray) -> None:
    plausible: Callable[[Any], bool] = lambda g: plausible_projected(  # noqa: E731
        *shapely.get_coordinates(g).T, crs)
    for i, geom in items:
        if not plausible(geom):
            if plausible(_swap(geom)):
                x, y = shapely.get_coordinates(geom)[0]
                block.notes[i].append(f"easting and northing were swapped ({x:.10g}, {y:.10g}); "
                                      "corrected")
                geom = _swap(geom)
            else:
                x, y = shapely.get_coordinates(geom)[0]
                block.problems[i] = problem(
                    block.where(i),
                    f"easting {x:.10g} and northing {y:.10g} cannot be a position in {crs.name}",
                    f"easting {x:.10g} dan northing {y:.10g} tidak mungkin berada di {crs.name}",
                    "check the zone (crs= or the zone column) and that easting and northing "
                    "are in metres and not exchanged",
                    "periksa zona (crs= atau kolom zona) dan bahwa easting dan northing dalam "
                    "meter dan tidak tertukar")
                continue
        converted = _transform(geom, crs)
        if not np.isfinite(shapely.get_coordinates(converted)).all():
            block.problems[i] = problem(
                block.where(i), f"the coordinates cannot be converted from {crs.name}",
                f"koordinat tidak dapat dikonversi dari {crs.name}",
                "check the zone and the easting/northing", "periksa zona dan easting/northing")
            continue
        geoms[i] = converted
