"""``read_plots``: every row of a plot list becomes a plot in EPSG:4326, or says why not.

Nothing is dropped and nothing is reordered: the result has one row per input row,
in input order, the original columns kept, plus

- ``plot_id``: from the id column, or ``P0001``... by position;
- ``geometry``: a Point or Polygon in EPSG:4326, or None;
- ``input_problem`` / ``input_problem_id``: None, or why the row cannot be used
  (English / Indonesian), naming the row, column, value and the fix;
- ``input_notes``: what was corrected or assumed (a swap, a repair, a duplicate);
- ``accuracy_m``: the plot's positional accuracy in metres (from an ``akurasi``
  column or the written precision; NaN means the screening default);
- ``source_file``, ``source_row``: where to go back to.
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M
from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake.columns import guess_columns
from lahan_geo.intake.coordinates import (
    CoordinateParseError,
    looks_indonesian,
    parse_coordinate,
    parse_coordinate_pair,
    swap_if_unambiguous,
)
from lahan_geo.intake.tables import read_delimited, read_workbook

__all__ = ["ADDED_COLUMNS", "read_plots"]

#: Columns read_plots adds (after the original ones).
ADDED_COLUMNS = (
    "plot_id", "input_problem", "input_problem_id", "input_notes", "accuracy_m",
    "settled_before_designation", "source_file", "source_row",
)

_TABULAR = {".csv", ".tsv", ".txt"}
_WORKBOOK = {".xlsx", ".xlsm"}
_VECTOR = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".kmz", ".gpx", ".fgb"}

#: A position whose written precision is coarser than this cannot place a 20 x 30 m
#: outlet in the right village; the row is unusable.
MAX_IMPLIED_UNCERTAINTY_M = 500.0

_YES = {"ya", "y", "yes", "true", "1", "benar"}
_NO = {"tidak", "t", "no", "n", "false", "0", "salah", "bukan"}


def read_plots(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    coords_col: str | None = None,
    id_col: str | None = None,
    accuracy_col: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read a plot list from a file or a (Geo)DataFrame.

    Parameters
    ----------
    source : path, DataFrame or GeoDataFrame
        CSV/TSV/TXT or XLSX with coordinate columns, or a vector file (GeoJSON,
        GeoPackage, Shapefile, KML) of points or polygons.
    lat_col, lon_col, coords_col, id_col, accuracy_col : str, optional
        Override the column guess (``lintang``/``latitude``/..., ``bujur``/..., a single
        ``koordinat`` column, ``id_lahan``/..., ``akurasi``/...). The guess used is
        reported in ``attrs["lahan_geo"]["columns"]``.
    sheet : str or int, optional
        Sheet of a workbook (default: the first with coordinate headers).
    layer : str or int, optional
        Layer of a multi-layer vector file.
    encoding, sep : str, optional
        Encoding and delimiter of a text file (default: guessed).
    crs : optional
        CRS of a vector file that lacks one (never guessed).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per input row in input order (see the module docstring).

    Raises
    ------
    InputError
        When the source as a whole cannot be read (missing file, no coordinate
        columns); a single bad row never raises, it gets an ``input_problem``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id_lahan": ["A", "B", "C"],
    ...                     "lintang": ["-2,512345", "", "-2.6"],
    ...                     "bujur": ["112.2345", "112.3", "112.25"]})
    >>> plots = read_plots(raw)
    >>> plots["plot_id"].tolist()
    ['A', 'B', 'C']
    >>> plots.geometry.iloc[0].y
    -2.512345
    >>> plots["input_problem"].iloc[1]
    "row 2, column 'lintang': the coordinate is blank. Fix: fill in the surveyed coordinate."
    """
    frame, source_file, geometry, crs_in = _load(source, sheet=sheet, layer=layer,
                                                 encoding=encoding, sep=sep, crs=crs)
    columns = guess_columns(c for c in frame.columns if c != "source_row")
    overrides = {"lat": lat_col, "lon": lon_col, "coords": coords_col, "id": id_col,
                 "accuracy": accuracy_col}
    for role, name in overrides.items():
        if name is not None:
            if name not in frame.columns:
                msg = (f"{source_file}: {role}_col={name!r} is not a column; columns are "
                       f"{', '.join(map(str, frame.columns))}.")
                raise InputError(msg)
            columns[role] = name
    n = len(frame)
    rows = frame["source_row"].to_numpy() if "source_row" in frame else np.arange(1, n + 1)
    problems: list[tuple[str, str] | None] = [None] * n
    notes: list[list[str]] = [[] for _ in range(n)]
    precision = np.full(n, np.nan)

    if geometry is None:
        if not (("lat" in columns and "lon" in columns) or "coords" in columns):
            msg = (
                f"{source_file}: no coordinate columns found among "
                f"{', '.join(str(c) for c in frame.columns if c != 'source_row')}. Fix: name them "
                "lintang/bujur (or latitude/longitude, or one 'koordinat' column), or pass "
                "lat_col= and lon_col=."
            )
            raise InputError(msg)
        geometry = _points_from_columns(frame, columns, rows, problems, notes, precision)
        crs_in = "EPSG:4326"
    geoms = _to_wgs84(geometry, crs_in, source_file)
    geoms = _check_geometries(geoms, rows, problems, notes)

    out = frame.drop(columns=[c for c in ("source_row",) if c in frame]).copy()
    clashing = [c for c in ADDED_COLUMNS if c in out.columns and c != columns.get("id")]
    out = out.drop(columns=clashing)
    out["plot_id"] = _plot_ids(frame, columns.get("id"), notes)
    _note_duplicates(out["plot_id"].tolist(), geoms, notes)
    out["input_problem"] = [p[0] if p else None for p in problems]
    out["input_problem_id"] = [p[1] if p else None for p in problems]
    out["input_notes"] = ["; ".join(x) if x else None for x in notes]
    out["accuracy_m"] = _accuracy(frame, columns.get("accuracy"), precision)
    out["settled_before_designation"] = _settled(frame, columns.get("settled"))
    out["source_file"] = source_file
    out["source_row"] = rows.astype("int64")
    for col in ("input_problem", "input_problem_id", "input_notes", "settled_before_designation"):
        out[col] = out[col].astype(object)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    result.index = pd.RangeIndex(n)
    result.attrs["lahan_geo"] = {
        "source_file": source_file,
        "columns": columns,
        "read": frame.attrs.get("lahan_geo_read", {}),
        "rows": n,
        "problems": int(sum(p is not None for p in problems)),
    }
    return result


def _load(source: Any, **opts: Any) -> tuple[pd.DataFrame, str, Any, Any]:
    """Return (table, source label, geometry or None, CRS of that geometry)."""
    if isinstance(source, gpd.GeoDataFrame):
        if source.crs is None and opts["crs"] is None:
            msg = ("The plots GeoDataFrame has no CRS. Fix: pass crs= to read_plots or "
                   "call .set_crs('EPSG:4326') first.")
            raise CRSError(msg)
        frame = pd.DataFrame(source.drop(columns=source.geometry.name)).reset_index(drop=True)
        frame["source_row"] = np.arange(1, len(frame) + 1)
        return frame, "<GeoDataFrame>", np.asarray(source.geometry.array, dtype=object), (
            source.crs or opts["crs"])
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame["source_row"] = np.arange(1, len(frame) + 1)
        return frame, "<DataFrame>", None, None
    if not isinstance(source, (str, PathLike)):
        msg = f"read_plots takes a file path or a DataFrame, not {type(source).__name__}."
        raise InputError(msg)
    path = Path(source)
    if not path.is_file():
        msg = f"Plot list {path} does not exist or is not a file. Fix: check the path."
        raise InputError(msg)
    suffix = path.suffix.lower()
    if suffix in _TABULAR:
        table = read_delimited(path, encoding=opts["encoding"], sep=opts["sep"])
        return table, str(path), None, None
    if suffix in _WORKBOOK:
        return read_workbook(path, sheet=opts["sheet"]), str(path), None, None
    if suffix in _VECTOR:
        return _read_vector(path, opts["layer"], opts["crs"])
    msg = (f"{path}: unsupported file type {suffix or '(none)'}. Fix: use CSV, XLSX, GeoJSON, "
           "GeoPackage, Shapefile or KML.")
    raise InputError(msg)


def _read_vector(path: Path, layer: Any, crs: Any) -> tuple[pd.DataFrame, str, Any, Any]:
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:  # GDAL's many error types
        msg = f"Cannot read plot file {path}: {err}. Fix: check that the file is complete."
        raise InputError(msg) from None
    if gdf.crs is None and crs is None:
        msg = f"{path} has no CRS. Fix: pass crs=, e.g. read_plots({path.name!r}, crs='EPSG:4326')."
        raise CRSError(msg)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    frame["source_row"] = np.arange(1, len(frame) + 1)
    return frame, str(path), np.asarray(gdf.geometry.array, dtype=object), gdf.crs or crs


def _points_from_columns(
    frame: pd.DataFrame,
    columns: dict[str, str],
    rows: np.ndarray,
    problems: list[tuple[str, str] | None],
    notes: list[list[str]],
    precision: np.ndarray,
) -> np.ndarray:
    geoms = np.full(len(frame), None, dtype=object)
    for i in range(len(frame)):
        try:
            if "lat" in columns and "lon" in columns:
                lat_v, lon_v = frame[columns["lat"]].iloc[i], frame[columns["lon"]].iloc[i]
                lat = _parse(lat_v, "lat", columns["lat"], rows[i])
                lon = _parse(lon_v, "lon", columns["lon"], rows[i])
                swapped = False
            else:
                pair = parse_coordinate_pair(frame[columns["coords"]].iloc[i])
                lat, lon, swapped = pair.lat, pair.lon, pair.swapped
                if pair.note:
                    notes[i].append(pair.note)
        except _RowProblemError as problem:
            problems[i] = (problem.en, problem.id)
            continue
        except CoordinateParseError as err:
            problems[i] = _problem_for(err, columns["coords"], rows[i])
            continue
        y, x = lat.degrees, lon.degrees
        if not looks_indonesian(y, x):
            y2, x2, did_swap = swap_if_unambiguous(y, x)
            if did_swap and not swapped:
                notes[i].append(f"latitude and longitude were swapped ({y}, {x}); corrected")
                y, x = y2, x2
            else:
                problems[i] = (
                    f"row {rows[i]}: ({y}, {x}) lies outside Indonesia. Fix: check the "
                    "coordinates (hemisphere sign, degree/minute writing).",
                    f"baris {rows[i]}: ({y}, {x}) berada di luar Indonesia. Perbaikan: periksa "
                    "koordinat (tanda LS/LU, penulisan derajat/menit).",
                )
                continue
        uncertainty = max(lat.uncertainty_m, lon.uncertainty_m)
        precision[i] = uncertainty
        if uncertainty > MAX_IMPLIED_UNCERTAINTY_M:
            problems[i] = (
                f"row {rows[i]}: the coordinates are written so coarsely that the position is "
                f"uncertain by ~{uncertainty:,.0f} m. Fix: write at least 5 decimals of a degree.",
                f"baris {rows[i]}: penulisan koordinat terlalu kasar, posisi tidak pasti "
                f"~{uncertainty:,.0f} m. Perbaikan: tulis minimal 5 desimal derajat.",
            )
            continue
        geoms[i] = shapely.Point(x, y)
    return geoms


class _RowProblemError(Exception):
    def __init__(self, en: str, id_: str) -> None:
        super().__init__(en)
        self.en, self.id = en, id_


def _parse(value: Any, axis: str, column: str, row: int) -> Any:
    try:
        return parse_coordinate(value, axis=axis)
    except CoordinateParseError as err:
        en, id_ = _problem_for(err, column, row)
        raise _RowProblemError(en, id_) from None


_KIND_ID: dict[str, Callable[[str, str], str]] = {
    "blank": lambda c, v: f"kolom '{c}': koordinat kosong. Perbaikan: isi koordinat hasil survei.",
    "placeholder": lambda c, v: (
        f"kolom '{c}' berisi {v!r}, bukan koordinat. Perbaikan: survei lahan dan isi "
        "koordinat, mis. -2.512345."),
}


def _problem_for(err: CoordinateParseError, column: str, row: int) -> tuple[str, str]:
    value = "" if err.value is None else str(err.value)
    if err.kind == "blank":
        en = (f"row {row}, column '{column}': the coordinate is blank. "
              "Fix: fill in the surveyed coordinate.")
    else:
        en = f"row {row}, column '{column}': {err}"
    make_id = _KIND_ID.get(err.kind, lambda c, v: (
        f"kolom '{c}': nilai {v!r} tidak dapat dibaca sebagai koordinat ({err.kind}). "
        "Perbaikan: tulis derajat desimal (mis. -2.512345) atau DMS (mis. 2°31'12.5\" LS)."))
    return en, f"baris {row}, {make_id(column, value)}"


def _to_wgs84(geoms: np.ndarray, crs: Any, source: str) -> np.ndarray:
    series = gpd.GeoSeries(geoms, crs=crs)
    if series.crs is not None and not series.crs.equals("EPSG:4326"):
        try:
            series = series.to_crs("EPSG:4326")
        except Exception as err:  # pyproj errors
            msg = f"{source}: cannot transform from {series.crs} to EPSG:4326 ({err})."
            raise CRSError(msg) from None
    return np.asarray(series.array, dtype=object)


def _check_geometries(
    geoms: np.ndarray, rows: np.ndarray, problems: list[Any], notes: list[list[str]]
) -> np.ndarray:
    out = geoms.copy()
    for i, geom in enumerate(geoms):
        if problems[i] is not None:
            out[i] = None
            continue
        if geom is None or geom.is_empty:
            problems[i] = (
                f"row {rows[i]}: the feature has no geometry. Fix: draw or survey the plot.",
                f"baris {rows[i]}: fitur tidak memiliki geometri. Perbaikan: gambar/survei lahan.",
            )
            out[i] = None
            continue
        if shapely.has_z(geom):
            geom = shapely.force_2d(geom)
            notes[i].append("height (Z) dropped")
        kind = geom.geom_type
        if kind not in ("Point", "Polygon", "MultiPolygon", "MultiPoint"):
            problems[i] = (
                f"row {rows[i]}: a {kind} is not a plot. Fix: give a point or a polygon.",
                f"baris {rows[i]}: {kind} bukan lahan. Perbaikan: berikan titik atau poligon.",
            )
            out[i] = None
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            problems[i] = (f"row {rows[i]}: the geometry has non-finite coordinates.",
                           f"baris {rows[i]}: geometri memiliki koordinat tidak terhingga.")
            out[i] = None
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            polys = [g for g in shapely.get_parts(geom)
                     if g.geom_type in ("Polygon", "MultiPolygon")]
            geom = shapely.union_all(polys) if polys else shapely.Polygon()
            notes[i].append(f"polygon repaired with make_valid ({reason})")
            if geom.is_empty:
                problems[i] = (f"row {rows[i]}: the polygon has no area after repair ({reason}).",
                               f"baris {rows[i]}: poligon tidak memiliki luas setelah diperbaiki.")
                out[i] = None
                continue
        out[i] = geom
    return out


def _plot_ids(frame: pd.DataFrame, id_col: str | None, notes: list[list[str]]) -> list[str]:
    ids = []
    for i in range(len(frame)):
        value = frame[id_col].iloc[i] if id_col is not None else None
        text = "" if value is None or pd.isna(value) else str(value).strip()
        if not text:
            text = f"P{i + 1:04d}"
            if id_col is not None:
                notes[i].append(f"no id in column '{id_col}'; generated {text}")
        ids.append(text)
    return ids


def _note_duplicates(ids: list[str], geoms: np.ndarray, notes: list[list[str]]) -> None:
    first_id: dict[str, int] = {}
    first_xy: dict[tuple[float, float], int] = {}
    for i, (pid, geom) in enumerate(zip(ids, geoms)):
        if pid in first_id:
            notes[i].append(f"plot id {pid} also used by input row {first_id[pid] + 1}")
        first_id.setdefault(pid, i)
        if geom is not None and geom.geom_type == "Point":
            key = (round(geom.x, 7), round(geom.y, 7))
            if key in first_xy:
                notes[i].append(f"same coordinates as input row {first_xy[key] + 1}")
            first_xy.setdefault(key, i)


def _accuracy(frame: pd.DataFrame, column: str | None, precision: np.ndarray) -> np.ndarray:
    given = np.full(len(frame), np.nan)
    if column is not None:
        text = frame[column].astype(str).str.replace(",", ".", regex=False)
        given = pd.to_numeric(text.str.extract(r"([0-9]+(?:\.[0-9]+)?)")[0], errors="coerce")
        given = given.to_numpy(dtype=float)
    # Written precision coarser than the stated (or default) accuracy replaces it;
    # NaN means "not stated": the screening applies its documented default.
    floor = np.where(np.isnan(given), DEFAULT_PLOT_ACCURACY_M, given)
    return np.where(precision > floor, precision, given)


def _settled(frame: pd.DataFrame, column: str | None) -> list[bool | None]:
    if column is None:
        return [None] * len(frame)
    out: list[bool | None] = []
    for value in frame[column]:
        text = str(value).strip().lower()
        out.append(True if text in _YES else False if text in _NO else None)
    return out
