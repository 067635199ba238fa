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
import shutil
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
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path, recorded_inputs
from lahan_geo.outputs._tabular import (
    check_result,
    flatten,
    jsonable,
    lonlat,
    provenance,
    round_geometries,
    to_wgs84,
    valid_mask,
)

__all__ = ["RESULT_LAYER", "to_csv", "to_geojson", "to_geopackage"]

#: Layer name of the screening result inside a GeoPackage.
RESULT_LAYER = "hasil_screening"
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


def to_geojson(
    result: gpd.GeoDataFrame, path: PathLike, *, protect: Iterable[PathLike] = ()
) -> Path:
    """Write the result as an RFC 7946 GeoJSON FeatureCollection in EPSG:4326.

    Coordinates are rounded to 6 decimals (about 0.1 m), list columns are joined with
    ``"; "``, NaN becomes ``null``, and invalid plots are features with a ``null``
    geometry. The provenance dict is kept as the foreign member ``"lahan_geo"``.
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
    flat = flatten(wgs84)
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


def _for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    flat = flatten(gdf)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    geoms = np.where(shapely.is_empty(geoms), None, geoms)
    for col in flat.columns:
        values = flat[col]
        kinds = {type(v) for v in values if v is not None}
        if kinds <= {int} and kinds:
            flat[col] = pd.array(values.tolist(), dtype="Int64")
        elif kinds <= {int, float} and kinds:
            flat[col] = pd.to_numeric(values, errors="coerce").astype(float)
        elif kinds == {bool}:
            flat[col] = values.astype("boolean")
        else:
            flat[col] = values.map(lambda v: None if v is None else str(v)).astype(object)
    return gpd.GeoDataFrame(flat, geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)


def to_geopackage(
    result: gpd.GeoDataFrame,
    path: PathLike,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    *,
    protect: Iterable[PathLike] = (),
) -> Path:
    """Write the result, and optionally reference layers, into one GeoPackage.

    The result becomes layer ``"hasil_screening"`` (EPSG:4326, list columns joined,
    invalid plots with a null geometry). Each extra layer, for example
    ``{"kawasan_hutan": forest, "pola_ruang": zoning}``, is clipped to the plots'
    bounding box buffered by 2 km and written in EPSG:4326, so the file stays small
    and opens in QGIS next to the plots. Without any valid plot the extra layers are
    written empty. The provenance dict is stored as layer metadata ``lahan_geo``.

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
        Wrong suffix, protected path, bad layer name or type, or an unwritable file.
    CRSError
        An extra layer without a CRS.

    """
    target = check_output_path(path, (".gpkg",),
                               protect=[*protect, *recorded_inputs(result)])
    result = check_result(result, "to_geopackage")
    extra = dict(layers or {})
    for name in extra:
        if not isinstance(name, str) or not name.strip() or name == RESULT_LAYER:
            msg = (
                f"to_geopackage(): invalid layer name {name!r}. Fix: use a non-empty name "
                f"other than '{RESULT_LAYER}', e.g. 'kawasan_hutan'."
            )
            raise InputError(msg)
    wgs84 = to_wgs84(result)
    area = _clip_area(wgs84)
    clipped = {name: _clip_layer(name, layer, area) for name, layer in extra.items()}
    meta = provenance(result)
    layer_meta = {"lahan_geo": _json(jsonable(meta))} if meta else None
    tables = [(RESULT_LAYER, _for_gpkg(wgs84), layer_meta)]
    tables += [(name, _for_gpkg(layer), None) for name, layer in clipped.items()]
    with atomic_path(target) as tmp:
        _write_gpkg(tmp, tables, target)
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
            for name, frame, meta in tables:
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                        layer_metadata=meta)
    except _GDAL_ERRORS as err:
        free = shutil.disk_usage(tmp.parent).free
        code = errno.ENOSPC if free < _LOW_DISK_BYTES else errno.EIO
        reason = "No space left on device" if code == errno.ENOSPC else (
            f"GDAL could not write the GeoPackage ({' '.join(str(err).split())}); check there "
            "is free disk space")
        raise OSError(code, reason, str(target)) from err
