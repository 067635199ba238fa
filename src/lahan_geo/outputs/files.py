"""Write a screening result as GeoJSON, GeoPackage or CSV.

All three writers flatten list columns (``rules``, ``clearances`` …) into ``"; "``
joined text, write atomically (a failed write leaves no file), and refuse to overwrite
any path passed in ``protect`` (pass the input files of the run there).

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> result = gpd.GeoDataFrame(
...     {"plot_id": ["P1"], "status": ["clear"], "rules": [["Z4"]]},
...     geometry=[Point(113.123456789, -2.5)], crs="EPSG:4326")
>>> out = to_geojson(result, Path(tempfile.mkdtemp()) / "hasil.geojson")
>>> feature = json.loads(out.read_text(encoding="utf-8"))["features"][0]
>>> feature["geometry"]["coordinates"], feature["properties"]["rules"]
([113.123457, -2.5], 'Z4')
>>> import shutil; shutil.rmtree(out.parent)

"""

from __future__ import annotations

import contextlib
import errno
import json
import re
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import box, mapping

from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake.columns import unique_column_names
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path, recorded_inputs
from lahan_geo.outputs._tabular import (
    check_result,
    flat_columns,
    jsonable,
    lonlat,
    original_columns,
    provenance,
    round_geometries,
    to_wgs84,
    valid_mask,
    without_attrs,
)
from lahan_geo.result import GPKG_ORDER_FIELD, GPKG_RESULT_LAYERS
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES

__all__ = [
    "RESULT_LAYERS",
    "STATUS_LABEL_FIELD",
    "field_kinds",
    "geojson_geometries",
    "status_qml",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "typed_rows",
]

#: Layers of the screening result inside a GeoPackage, by kind of geometry.
RESULT_LAYERS = GPKG_RESULT_LAYERS
#: GeoPackage field with the Indonesian label of ``status``, written right after it.
STATUS_LABEL_FIELD = "status_label_id"
_INVALID_GREY = "#9e9e9e"
_CLIP_BUFFER_M = 2000.0
_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.GeometryError)
_LOW_DISK_BYTES = 1 << 20
#: What GDAL writes as ``last_change`` in ``gpkg_contents`` (instead of the time of the
#: run), so the same result always gives the same GeoPackage bytes; the same fixed
#: moment as the workbook's document timestamps.
GPKG_DATE = "2000-01-01T00:00:00.000Z"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, allow_nan=False, default=str)

_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?")
_GROUPED = re.compile(r"-?[1-9][0-9]{0,2}(\.[0-9]{3})+")  # 1.200 may mean 1200


def _text_kind(values: list[str]) -> str:
    """Return the kind of a text column of the plot list: 'int', 'float' or 'str'.

    Only plain numbers count (``1200``, ``-3.430429``): a leading zero (``007``), a
    comma, spaces or more than 15 digits keep the column text, and so does a column
    whose every decimal value could be a thousands grouping (``1.200``).
    """
    if not values or not all(_NUMBER.fullmatch(v) for v in values):
        return "str"
    if not any("." in v for v in values):
        return "int"
    grouped = any(_GROUPED.fullmatch(v) for v in values)
    decimal = any("." in v and not _GROUPED.fullmatch(v) for v in values)
    return "float" if decimal or not grouped else "str"


def field_kinds(result: pd.DataFrame, flat: pd.DataFrame) -> dict[str, str]:
    """Return the kind of each column of ``flat``: 'int', 'float', 'bool' or 'str'.

    Numbers and booleans the screening computed keep their type, also in a column that
    is empty for every row (from its dtype or the rules' facts); the plot list's own
    text columns become numbers when every value is a plain number (empty cells are
    missing values).

    Parameters
    ----------
    result : pandas.DataFrame
        The screening result, for dtypes and the plot list's own columns.
    flat : pandas.DataFrame
        ``flatten(result)``.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> result = pd.DataFrame({"plot_id": ["A", "B"], "status": ["clear", "verify"],
    ...     "accuracy_m": [np.nan, np.nan], "luas_m2": ["1200", "950"],
    ...     "settled_before_designation": [None, None], "kode": ["007", "012"]})
    >>> result.loc[1, "luas_m2"] = ""
    >>> from lahan_geo.outputs._tabular import flatten
    >>> kinds = field_kinds(result, flatten(result))
    >>> [kinds[c] for c in ("accuracy_m", "luas_m2", "settled_before_designation", "kode")]
    ['float', 'int', 'bool', 'str']

    """
    own = set(original_columns(result))
    return {col: _column_kind(result, col, values, col in own)[0]
            for col, values in _columns(flat)}


def _columns(flat: pd.DataFrame) -> list[tuple[Any, list[Any]]]:
    """Return ``(name, values as a list)`` of every column of ``flat``, in order."""
    return [(col, flat.iloc[:, i].tolist()) for i, col in enumerate(flat.columns)]


_NONE_TYPE = type(None)


def _column_kind(result: pd.DataFrame, col: Any, values: list[Any],
                 own: bool) -> tuple[str, set[type]]:
    """Return the :func:`field_kinds` kind of one flat column, and the types it holds.

    Blank values (None, or text of spaces only) do not count; the types returned are
    those of every value, None included, so that :func:`_typed_column` can skip
    columns already of their kind.
    """
    from lahan_geo.rules.model import FACTS

    held = set(map(type, values))
    types = held - {_NONE_TYPE}
    if str in types and not any(v.strip() for v in values if type(v) is str):
        types.discard(str)  # text of spaces only is blank
    if not types:
        fact = FACTS.get(str(col))
        dtype = result[col].dtype if col in result.columns else np.dtype(object)
        if fact == "bool" or pd.api.types.is_bool_dtype(dtype):
            return "bool", held
        if pd.api.types.is_integer_dtype(dtype):
            return "int", held
        if fact == "number" or pd.api.types.is_float_dtype(dtype):
            return "float", held
        return "str", held
    if types == {bool}:
        return "bool", held
    if types <= {int}:
        return "int", held
    if types <= {int, float}:
        return "float", held
    if types == {str} and own:
        return _text_kind([v for v in values if type(v) is str and v.strip()]), held
    return "str", held


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _typed_value(value: Any, kind: str) -> Any:
    if value is None or (kind != "str" and _blank(value)):
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)


_KIND_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def _typed_column(values: list[Any], kind: str, held: set[type]) -> list[Any]:
    """Return ``values`` converted to ``kind``; a column already of its kind as it is."""
    if held <= {_KIND_TYPES[kind], _NONE_TYPE}:
        return values
    return [_typed_value(v, kind) for v in values]


def _typed_columns(result: pd.DataFrame,
                   columns: list[tuple[Any, list[Any]]]) -> list[tuple[Any, str, list[Any]]]:
    """Return ``(name, kind, typed values)`` of every flat column (:func:`flat_columns`)."""
    own = set(original_columns(result))
    typed = []
    for col, values in columns:
        kind, held = _column_kind(result, col, values, col in own)
        typed.append((col, kind, _typed_column(values, kind, held)))
    return typed


def typed_rows(result: pd.DataFrame, flat: pd.DataFrame) -> pd.DataFrame:
    """Return ``flat`` with every value converted to its column's :func:`field_kinds`."""
    typed = _typed_columns(result, _columns(flat))
    frame = pd.DataFrame({i: values for i, (_, _, values) in enumerate(typed)},
                         columns=range(len(typed)), dtype=object)
    frame.columns = flat.columns
    return frame


def to_geojson(
    result: gpd.GeoDataFrame, path: PathLike, *, protect: Iterable[PathLike] = ()
) -> Path:
    """Write the result as an RFC 7946 GeoJSON FeatureCollection in EPSG:4326.

    Coordinates are rounded to 6 decimals (about 0.1 m), list columns are joined with
    ``"; "``, NaN becomes ``null``, and invalid plots are features with a ``null``
    geometry. Numbers and booleans are JSON numbers and booleans (see
    :func:`field_kinds`), also the plot list's own columns that hold only numbers.
    The provenance dict is kept as the foreign member ``"lahan_geo"``.
    One feature per line; the same result always gives the same bytes.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    path : str or os.PathLike
        Output file ending in ``.geojson`` or ``.json``.
    protect : iterable of path-like, default ()
        Paths never to overwrite (the inputs).

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    InputError
        Wrong suffix, protected path, not a screening result, or an unwritable file.

    """
    target = check_output_path(path, (".geojson", ".json"),
                               protect=[*protect, *recorded_inputs(result)])
    result = check_result(result, "to_geojson")
    wgs84 = to_wgs84(without_attrs(result))  # provenance: from result
    typed = _typed_columns(wgs84, flat_columns(wgs84))
    columns = [_json_values(values) for _, _, values in typed]
    geometries = geojson_geometries(round_geometries(wgs84.geometry))
    # one template per feature, filled row by row: the bytes json.dumps gives the dict
    # {"type": "Feature", "properties": {...}, "geometry": ...}
    names = ", ".join(_json(str(col)).replace("%", "%%") + ": %s" for col, _, _ in typed)
    template = '{"type": "Feature", "properties": {' + names + '}, "geometry": %s}'
    features = [template % row for row in zip(*columns, geometries, strict=True)]
    head: dict[str, Any] = {"type": "FeatureCollection"}
    meta = provenance(result)
    if meta:
        head["lahan_geo"] = jsonable(meta)
    text = _json(head)[:-1] + ',\n"features": [\n' + ",\n".join(features) + "\n]}\n"
    with atomic_path(target) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return target


def _json_values(values: list[Any]) -> list[str]:
    """Return the JSON text of every value (str, int, float, bool or None), as ``_json``."""
    held = set(map(type, values)) - {_NONE_TYPE}
    if held <= {str}:
        text = _json_text
        return ["null" if v is None else text(v) for v in values]
    if held <= {int}:
        return ["null" if v is None else int.__repr__(v) for v in values]
    finite = held <= {float} and bool(np.isfinite(
        np.array([v for v in values if v is not None], dtype=float)).all())
    if finite:  # NaN and infinities go through _json, which refuses them
        return ["null" if v is None else float.__repr__(v) for v in values]
    return [_json(v) for v in values]


#: What ``json.dumps(ensure_ascii=False)`` writes for a text (the C encoder).
_json_text = json.encoder.encode_basestring


#: GeoJSON type by shapely geometry type id, for the kinds that are coordinate arrays only.
_RAGGED_TYPES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint",
                 5: "MultiLineString", 6: "MultiPolygon"}


def geojson_geometries(geoms: list[Any]) -> list[str]:
    """Return the GeoJSON text of every geometry (``null`` for None), as ``json.dumps``.

    The text is that of ``json.dumps(shapely.geometry.mapping(geom))``, built for all
    geometries of a kind at once from their coordinates; geometries with a Z value,
    collections and non-finite coordinates take the slow path.

    Examples
    --------
    >>> from shapely.geometry import Point, Polygon
    >>> geojson_geometries([Point(113.5, -2.25), None])
    ['{"type": "Point", "coordinates": [113.5, -2.25]}', 'null']
    >>> geojson_geometries([Polygon([(0, 0), (1, 0), (1, 1)])])
    ['{"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}']

    """
    values = np.empty(len(geoms), dtype=object)
    values[:] = geoms
    out = ["null"] * len(values)
    present = ~shapely.is_missing(values)
    types = np.full(len(values), -1)
    types[present] = shapely.get_type_id(values[present])
    flat = present.copy()
    flat[present] = ~shapely.has_z(values[present])
    for type_id in _RAGGED_TYPES:
        rows = np.flatnonzero(flat & (types == type_id))
        if rows.size:
            for row, text in zip(rows.tolist(), _ragged_geojson(values[rows]), strict=True):
                out[row] = text
    for row in np.flatnonzero(present).tolist():
        if out[row] == "null":
            out[row] = _json(mapping(values[row]))
    return out


def _ragged_geojson(geoms: np.ndarray) -> list[str]:
    """GeoJSON text of geometries of one kind without Z; ``"null"`` where not finite."""
    kind, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    if not np.isfinite(coords).all():
        return ["null"] * len(geoms)  # left for the slow path, which refuses NaN
    xs = map(float.__repr__, coords[:, 0].tolist())
    ys = map(float.__repr__, coords[:, 1].tolist())
    parts = [f"[{x}, {y}]" for x, y in zip(xs, ys, strict=True)]
    for bounds in offsets:
        ends = bounds.tolist()
        parts = ["[" + ", ".join(parts[a:b]) + "]" for a, b in pairwise(ends)]
    head = '{"type": "' + _RAGGED_TYPES[int(kind)] + '", "coordinates": '
    return [head + part + "}" for part in parts]


def _escape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _escape_formulas(values: list[Any]) -> list[Any]:
    """Return :func:`_escape_formula` of every value; a column without text as it is."""
    held = set(map(type, values))
    if str not in held:
        return values
    if held <= {str, _NONE_TYPE} and not any(
            map(str.startswith, filter(None, values), repeat(_FORMULA_START))):
        return values  # no text starts like a formula (checked without a call per value)
    return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            for v in values]


def to_csv(
    result: gpd.GeoDataFrame,
    path: PathLike,
    *,
    protect: Iterable[PathLike] = (),
    escape_formulas: bool = True,
) -> Path:
    """Write the result as CSV (UTF-8 with BOM) with ``lon``, ``lat`` and ``wkt`` columns.

    The byte-order mark makes Excel read Indonesian text correctly. ``lon``/``lat`` are
    the point or polygon centroid (6 decimals); ``wkt`` holds the geometry in EPSG:4326
    (empty for invalid plots). List columns are joined with ``"; "``.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    path : str or os.PathLike
        Output file ending in ``.csv``.
    protect : iterable of path-like, default ()
        Paths never to overwrite (the inputs).
    escape_formulas : bool, default True
        Prefix text starting with ``= + - @`` (or tab/CR) with ``'`` so that a
        spreadsheet opening the CSV shows it as text instead of running it as a formula;
        column names (the plot list's own headers) are escaped the same way.
        Set False when the CSV is read only by programs.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    InputError
        Wrong suffix, protected path, not a screening result, or an unwritable file.

    """
    target = check_output_path(path, (".csv",),
                               protect=[*protect, *recorded_inputs(result)])
    result = check_result(result, "to_csv")
    wgs84 = to_wgs84(without_attrs(result))  # provenance: from result
    columns = flat_columns(wgs84)
    if escape_formulas:
        columns = [(_escape_formula(str(name)), _escape_formulas(values))
                   for name, values in columns]
    flat = pd.DataFrame({i: values for i, (_, values) in enumerate(columns)},
                        columns=range(len(columns)), dtype=object)
    flat.columns = [name for name, _ in columns]
    lon, lat = lonlat(wgs84)
    # a plot list's own "lon"/"lat"/"wkt" column keeps its values under a suffixed name
    flat = flat.rename(columns=unique_column_names(flat.columns, reserved=("lon", "lat", "wkt")))
    flat["lon"] = lon
    flat["lat"] = lat
    geoms = np.asarray(round_geometries(wgs84.geometry), dtype=object)
    flat["wkt"] = [
        None if g is None else w
        for g, w in zip(geoms, shapely.to_wkt(geoms, rounding_precision=6), strict=True)
    ]
    with atomic_path(target) as tmp:
        flat.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        if b"\r" in Path(tmp).read_bytes():  # rare: a carriage return inside a text
            _line_breaks_as_newlines(flat).to_csv(tmp, index=False, encoding="utf-8-sig",
                                                  lineterminator="\n")
    return target


def _line_breaks_as_newlines(flat: pd.DataFrame) -> pd.DataFrame:
    r"""Write a text's CR or CRLF line breaks as LF, which the CSV then quotes.

    Rows end in LF, so a bare CR in a text would be left unquoted, and spreadsheets
    and CSV readers would break the row there.

    Examples
    --------
    >>> _line_breaks_as_newlines(pd.DataFrame({"a": ["x\ry", "p\r\nq", 1]}))["a"].tolist()
    ['x\ny', 'p\nq', 1]
    """
    out = flat.copy()
    for name in out.columns:
        values = out[name]
        if values.dtype == object:
            out[name] = [v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str)
                         else v for v in values]
    return out


def _clip_area(result: gpd.GeoDataFrame) -> gpd.GeoSeries | None:
    """Return the plots' bounding box buffered by 2 km, in a UTM CRS; None without plots."""
    valid = result.geometry[valid_mask(result.geometry)]  # the geometries only: no copy
    if valid.empty:                                        # of every column
        return None
    utm = valid.estimate_utm_crs()
    minx, miny, maxx, maxy = valid.to_crs(utm).total_bounds
    area = box(minx, miny, maxx, maxy).buffer(_CLIP_BUFFER_M, join_style="mitre")
    return gpd.GeoSeries([area], crs=utm)


def _clip_layer(name: str, layer: Any, area: gpd.GeoSeries | None) -> gpd.GeoDataFrame:
    if not isinstance(layer, gpd.GeoDataFrame):
        msg = (
            f"to_geopackage(): layer '{name}' is a {type(layer).__name__}, not a "
            "GeoDataFrame. Fix: pass layers={'kawasan_hutan': forest_gdf, ...}."
        )
        raise InputError(msg)
    if layer.crs is None:
        msg = (
            f"to_geopackage(): layer '{name}' has no coordinate reference system. "
            "Fix: set it with layer.set_crs(...)."
        )
        raise CRSError(msg)
    if area is None:
        return layer.iloc[0:0].to_crs("EPSG:4326")
    window = area.to_crs(layer.crs).iloc[0]
    hits = layer.iloc[np.sort(layer.sindex.query(window, predicate="intersects"))]
    shapely.prepare(window)
    inside = shapely.contains_properly(window, np.asarray(hits.geometry.array, dtype=object))
    # Features wholly inside the window are written as they are (a province-wide batch
    # keeps nearly all: validating and intersecting millions of vertices took seconds);
    # only those crossing its edge are repaired where invalid and cut.
    edge = hits[~inside].copy()
    geoms = np.asarray(edge.geometry.array, dtype=object)
    broken = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if broken.any():
        geoms[broken] = shapely.make_valid(geoms[broken])
        edge = edge.set_geometry(gpd.GeoSeries(geoms, index=edge.index, crs=layer.crs))
    clipped = gpd.clip(edge, window, keep_geom_type=True)
    if inside.any():
        clipped = pd.concat([hits[inside], clipped])
    return clipped.sort_index().to_crs("EPSG:4326")


_GPKG_ARRAYS = {"int": "Int64", "float": "Float64", "bool": "boolean"}


def _for_gpkg(gdf: gpd.GeoDataFrame, *, result: bool = False) -> gpd.GeoDataFrame:
    typed = _typed_columns(gdf, flat_columns(gdf))
    arrays: list[Any] = []
    for _, kind, values in typed:
        if kind == "str":
            arrays.append(pd.Series(values, dtype=object))
        elif kind == "float":
            arrays.append(np.array(values, dtype=float))  # None becomes NaN
        else:
            arrays.append(pd.array(values, dtype=_GPKG_ARRAYS[kind]))
    flat = pd.DataFrame(dict(enumerate(arrays)), columns=range(len(arrays)))
    flat.columns = [col for col, _, _ in typed]
    if result:
        at = list(flat.columns).index("status") + 1
        flat.insert(at, STATUS_LABEL_FIELD,
                    [None if s is None else STATUS_LABELS_ID.get(s, s) for s in flat["status"]])
        flat.insert(0, GPKG_ORDER_FIELD, pd.array(range(1, len(flat) + 1), dtype="Int64"))
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    geoms = np.where(shapely.is_empty(geoms), None, geoms)
    return gpd.GeoDataFrame(flat, geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)


def _split_by_geometry(table: gpd.GeoDataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split the result table into one frame per kind of geometry, in RESULT_LAYERS order."""
    geoms = np.asarray(table.geometry.array, dtype=object)
    kinds = shapely.get_type_id(geoms)
    family = np.full(len(geoms), "other", dtype=object)
    family[np.isin(kinds, [0, 4])] = "point"
    family[np.isin(kinds, [3, 6])] = "polygon"
    family[shapely.is_missing(geoms)] = "none"
    parts: list[tuple[str, pd.DataFrame]] = []
    for key, name in RESULT_LAYERS.items():
        rows = table[family == key]
        if rows.empty and not (key == "point" and table.empty):
            continue
        parts.append((name, pd.DataFrame(rows.drop(columns=rows.geometry.name))
                      if key == "none" else rows))
    return parts


def _rgb(colour: str) -> str:
    text = colour.lstrip("#")
    return ",".join(str(int(text[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"


def status_qml(geometry: str) -> str:
    """Return a QGIS style (QML) colouring features by ``status``, with Indonesian labels.

    Parameters
    ----------
    geometry : {"point", "polygon"}
        The kind of symbol: markers for points, fills for polygons.

    Returns
    -------
    str
        The QML document; the colours are those of the maps
        (:data:`lahan_geo.outputs._draw.STATUS_COLOURS`, the maps' palette), grey for ``invalid``.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> root = ET.fromstring(status_qml("point"))
    >>> [(c.get("value"), c.get("label")) for c in root.iter("category")][:2]
    [('invalid', 'Data tidak valid'), ('not_permitted', 'Tidak diizinkan (pindah lokasi)')]

    """
    from xml.sax.saxutils import quoteattr

    from lahan_geo.outputs._draw import STATUS_COLOURS

    marker = geometry == "point"
    categories, symbols = [], []
    for number, status in enumerate(STATUSES):
        colour = _rgb(STATUS_COLOURS.get(status, _INVALID_GREY))
        categories.append(f'<category render="true" symbol="{number}" value="{status}" '
                          f"label={quoteattr(STATUS_LABELS_ID[status])}/>")
        props = ({"color": colour, "name": "circle", "outline_color": "0,0,0,255",
                  "outline_width": "0.4", "size": "3.2"} if marker else
                 {"color": colour, "style": "solid", "outline_color": "0,0,0,255",
                  "outline_width": "0.5"})
        options = "".join(f'<Option name="{k}" type="QString" value="{v}"/>'
                          for k, v in props.items())
        legacy = "".join(f'<prop k="{k}" v="{v}"/>' for k, v in props.items())
        layer = "SimpleMarker" if marker else "SimpleFill"
        symbols.append(
            f'<symbol type="{"marker" if marker else "fill"}" name="{number}" alpha="1" '
            f'clip_to_extent="1" force_rhr="0"><layer class="{layer}" enabled="1" '
            f'locked="0" pass="0"><Option type="Map">{options}</Option>{legacy}</layer>'
            "</symbol>")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.28.0" styleCategories="Symbology">\n'
            '<renderer-v2 type="categorizedSymbol" attr="status" symbollevels="0" '
            'enableorderby="0" forceraster="0">\n<categories>\n' + "\n".join(categories)
            + "\n</categories>\n<symbols>\n" + "\n".join(symbols)
            + "\n</symbols>\n</renderer-v2>\n</qgis>\n")


_STYLE_TABLE = """CREATE TABLE layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
    f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
    styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
    description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)"""


def _write_styles(path: Path, styled: list[tuple[str, str]]) -> None:
    """Store a default QGIS style per ``(layer, "point"|"polygon")`` in ``layer_styles``.

    The table is the one QGIS itself creates when a style is saved in the GeoPackage; it
    is registered in ``gpkg_contents`` as an attribute table, with the fixed date.
    """
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(_STYLE_TABLE)
        db.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', '', ?)",
            [(name, f"{name} (status)", status_qml(kind),
              "Warna menurut status penapisan / colour by screening status", GPKG_DATE)
             for name, kind in styled])
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                   "description, last_change) VALUES ('layer_styles', 'attributes', "
                   "'layer_styles', '', ?)", (GPKG_DATE,))


def to_geopackage(
    result: gpd.GeoDataFrame,
    path: PathLike,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    *,
    protect: Iterable[PathLike] = (),
) -> Path:
    """Write the result, and optionally reference layers, into one GeoPackage.

    The result is split by kind of geometry (:data:`RESULT_LAYERS`): plots given as
    points in ``lahan_titik``, as polygons in ``lahan_bidang``, and rows without a
    location (invalid plots) in the attribute table ``lahan_tanpa_lokasi``, so no row is
    lost; only layers with rows are written. Every row keeps its position in the result
    in ``result_row`` and gets ``status_label_id`` (the Indonesian status) after
    ``status``. Numbers and booleans are typed fields (see :func:`field_kinds`), list
    columns are joined with ``"; "``, everything is in EPSG:4326. The point and polygon
    layers carry a default QGIS style in ``layer_styles`` (colour by status), so QGIS
    opens them coloured.

    Each extra layer, for example ``{"kawasan_hutan": forest, "pola_ruang": zoning}``, is
    clipped to the plots' bounding box buffered by 2 km and written in EPSG:4326, so the
    file stays small and opens in QGIS next to the plots: features wholly inside are
    written as given, those crossing the edge are repaired when invalid and cut. Without
    any valid plot the extra layers are written empty. The provenance dict is stored as
    layer metadata ``lahan_geo`` of every result layer. The same inputs give the same
    bytes.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    path : str or os.PathLike
        Output file ending in ``.gpkg``; replaced as a whole.
    layers : mapping of str to geopandas.GeoDataFrame, optional
        Extra layers by name.
    protect : iterable of path-like, default ()
        Paths never to overwrite (the inputs).

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    InputError
        Wrong suffix, protected path, bad layer name or type, or an unwritable file (a
        full disk included).
    CRSError
        An extra layer without a CRS.

    """
    target = check_output_path(path, (".gpkg",),
                               protect=[*protect, *recorded_inputs(result)])
    result = check_result(result, "to_geopackage")
    extra = dict(layers or {})
    reserved = {*RESULT_LAYERS.values(), "layer_styles"}
    for name in extra:
        if not isinstance(name, str) or not name.strip() or name in reserved:
            msg = (
                f"to_geopackage(): invalid layer name {name!r}. Fix: use a non-empty name "
                f"other than {', '.join(sorted(reserved))}, e.g. 'kawasan_hutan'."
            )
            raise InputError(msg)
    wgs84 = to_wgs84(without_attrs(result))  # provenance: from result
    area = _clip_area(wgs84) if extra else None  # the window of the extra layers only
    clipped = {name: _clip_layer(name, layer, area) for name, layer in extra.items()}
    meta = provenance(result)
    layer_meta = {"lahan_geo": _json(jsonable(meta))} if meta else None
    parts = _split_by_geometry(_for_gpkg(wgs84, result=True))
    tables = [(name, part, layer_meta) for name, part in parts]
    tables += [(name, _for_gpkg(layer), None) for name, layer in clipped.items()]
    styled = [(name, "point" if name == RESULT_LAYERS["point"] else "polygon")
              for name, part in parts if isinstance(part, gpd.GeoDataFrame)]
    with atomic_path(target) as tmp:
        _write_gpkg(tmp, tables, target)
        _write_styles(tmp, styled)
    return target


@contextlib.contextmanager
def _gdal_options(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore the earlier values."""
    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _write_gpkg(tmp: Path, tables: list[tuple[str, Any, dict[str, str] | None]],
                target: Path) -> None:
    """Write ``(layer name, frame, metadata)`` tables into one GeoPackage, deterministically.

    GDAL's failures (a full disk ends in "Failed to commit transaction") become an
    :class:`OSError` naming the target, so the caller reports them like any write error.
    """
    try:
        with _gdal_options({"OGR_CURRENT_DATE": GPKG_DATE}):
            for i, (name, frame, meta) in enumerate(tables):
                # GeoPackage 1.2: what the QGIS/GDAL versions in district offices read
                # without a warning (GDAL before 3.7 warns on pyogrio's default 1.4)
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                        layer_metadata=meta,
                                        dataset_options={"VERSION": "1.2"} if i == 0 else None)
    except _GDAL_ERRORS as err:
        free = shutil.disk_usage(tmp.parent).free
        code = errno.ENOSPC if free < _LOW_DISK_BYTES else errno.EIO
        reason = "No space left on device" if code == errno.ENOSPC else (
            f"GDAL could not write the GeoPackage ({' '.join(str(err).split())}); check there "
            "is free disk space")
        raise OSError(code, reason, str(target)) from err
