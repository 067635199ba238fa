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
    flatten,
    jsonable,
    lonlat,
    original_columns,
    provenance,
    round_geometries,
    to_wgs84,
    valid_mask,
)
from lahan_geo.result import GPKG_ORDER_FIELD, GPKG_RESULT_LAYERS
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES

__all__ = [
    "RESULT_LAYERS",
    "STATUS_LABEL_FIELD",
    "field_kinds",
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
    >>> kinds = field_kinds(result, flatten(result))
    >>> [kinds[c] for c in ("accuracy_m", "luas_m2", "settled_before_designation", "kode")]
    ['float', 'int', 'bool', 'str']

    """
    from lahan_geo.rules.model import FACTS

    own = set(original_columns(result))
    kinds: dict[str, str] = {}
    for col in flat.columns:
        values = [v for v in flat[col].tolist() if not _blank(v)]
        types = {type(v) for v in values}
        dtype = result[col].dtype if col in result.columns else np.dtype(object)
        if not values:
            fact = FACTS.get(str(col))
            if fact == "bool" or pd.api.types.is_bool_dtype(dtype):
                kinds[col] = "bool"
            elif pd.api.types.is_integer_dtype(dtype):
                kinds[col] = "int"
            elif fact == "number" or pd.api.types.is_float_dtype(dtype):
                kinds[col] = "float"
            else:
                kinds[col] = "str"
        elif types == {bool}:
            kinds[col] = "bool"
        elif types <= {int}:
            kinds[col] = "int"
        elif types <= {int, float}:
            kinds[col] = "float"
        elif types == {str} and col in own:
            kinds[col] = _text_kind(values)
        else:
            kinds[col] = "str"
    return kinds


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


def typed_rows(result: pd.DataFrame, flat: pd.DataFrame) -> pd.DataFrame:
    """Return ``flat`` with every value converted to its column's :func:`field_kinds`."""
    kinds = field_kinds(result, flat)
    data = {col: [_typed_value(v, kinds[col]) for v in flat[col].tolist()]
            for col in flat.columns}
    return pd.DataFrame(data, columns=flat.columns, dtype=object)



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
    wgs84 = to_wgs84(result)
    flat = typed_rows(wgs84, flatten(wgs84))
    geoms = round_geometries(wgs84.geometry)
    features = []
    for (_, row), geom in zip(flat.iterrows(), geoms, strict=True):
        feature = {
            "type": "Feature",
            "properties": {str(k): v for k, v in row.items()},
            "geometry": None if geom is None else mapping(geom),
        }
        features.append(_json(feature))
    head: dict[str, Any] = {"type": "FeatureCollection"}
    meta = provenance(result)
    if meta:
        head["lahan_geo"] = jsonable(meta)
    text = _json(head)[:-1] + ',\n"features": [\n' + ",\n".join(features) + "\n]}\n"
    with atomic_path(target) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return target


def _escape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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
    wgs84 = to_wgs84(result)
    flat = flatten(wgs84)
    if escape_formulas:
        flat = flat.apply(lambda col: col.map(_escape_formula)).astype(object)
        flat.columns = [_escape_formula(str(name)) for name in flat.columns]
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
    return target


def _clip_area(result: gpd.GeoDataFrame) -> gpd.GeoSeries | None:
    """Return the plots' bounding box buffered by 2 km, in a UTM CRS; None without plots."""
    valid = result[valid_mask(result.geometry)]
    if valid.empty:
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
    hits = layer.iloc[np.sort(layer.sindex.query(window, predicate="intersects"))].copy()
    geoms = np.asarray(hits.geometry.array, dtype=object)
    broken = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if broken.any():
        geoms[broken] = shapely.make_valid(geoms[broken])
        hits = hits.set_geometry(gpd.GeoSeries(geoms, index=hits.index, crs=layer.crs))
    clipped = gpd.clip(hits, window, keep_geom_type=True)
    return clipped.sort_index().to_crs("EPSG:4326")


def _for_gpkg(gdf: gpd.GeoDataFrame, *, result: bool = False) -> gpd.GeoDataFrame:
    flat = flatten(gdf)
    kinds = field_kinds(gdf, flat)
    for col in flat.columns:
        values = [_typed_value(v, kinds[col]) for v in flat[col].tolist()]
        if kinds[col] == "int":
            flat[col] = pd.array(values, dtype="Int64")
        elif kinds[col] == "float":
            flat[col] = pd.array(values, dtype="Float64").astype(float)
        elif kinds[col] == "bool":
            flat[col] = pd.array(values, dtype="boolean")
        else:
            flat[col] = pd.Series(values, dtype=object)
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
    file stays small and opens in QGIS next to the plots. Without any valid plot the
    extra layers are written empty. The provenance dict is stored as layer metadata
    ``lahan_geo`` of every result layer. The same inputs give the same bytes.

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
    wgs84 = to_wgs84(result)
    area = _clip_area(wgs84)
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
