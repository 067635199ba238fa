"""Turn a screening result into flat, plain-Python tables for the writers.

Every writer needs the same steps: check the object is a screening result, take its
provenance from ``attrs``, join list columns such as ``rules`` with ``"; "``, turn
NaN and numpy scalars into ``None`` and Python numbers, and compute a longitude and
latitude per plot. They live here once.

Examples
--------
>>> join_list(["F2", "Z4"])
'F2; Z4'
>>> join_list([]) is None
True
>>> plain(float("nan")) is None
True

"""

from __future__ import annotations

from itertools import chain
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.schema import (
    LIST_SEP,
    REVIEW_COLUMNS,
    check_result,
    is_list_like,
    join_list,
    jsonable,
    plain,
    provenance,
)
from lahan_geo.schema import RESULT_COLUMNS as SCREEN_COLUMNS

__all__ = [
    "LIST_SEP",
    "RESULT_COLUMNS",
    "check_result",
    "flat_columns",
    "flatten",
    "is_list_like",
    "join_fast",
    "join_list",
    "jsonable",
    "lonlat",
    "original_columns",
    "plain",
    "plain_values",
    "provenance",
    "round_geometries",
    "to_wgs84",
    "valid_mask",
    "without_attrs",
]

#: Columns written by ``lahan_geo.screen``, in their order (plus where the rows came
#: from, which read_plots adds).
RESULT_COLUMNS: tuple[str, ...] = (*SCREEN_COLUMNS, "source_file", "source_row")


def original_columns(result: pd.DataFrame) -> list[str]:
    """Return the columns carried over from the plot list, in their order.

    The columns of :func:`lahan_geo.apply_review` are the library's, not the list's.

    Examples
    --------
    >>> original_columns(pd.DataFrame(columns=["plot_id", "status", "desa", "geometry"]))
    ['desa']

    """
    geometry = result.geometry.name if isinstance(result, gpd.GeoDataFrame) else "geometry"
    known = set(RESULT_COLUMNS) | set(REVIEW_COLUMNS) | {geometry, "geometry"}
    return [col for col in result.columns if col not in known]


def to_wgs84(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the result in EPSG:4326 (unchanged when it already is)."""
    if result.crs is not None and result.crs.equals("EPSG:4326"):
        return result
    return result.to_crs("EPSG:4326")


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a shallow copy of ``frame`` without ``attrs``, for going through its columns.

    pandas deep-copies ``attrs`` into every column taken from a frame, and a result's
    provenance holds the whole rule set: for a writer that takes each column once, the
    copies cost more than the columns. Read the provenance from the original.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1]})
    >>> df.attrs["lahan_geo"] = {"rules": ["..."]}
    >>> without_attrs(df).attrs, df.attrs["lahan_geo"]
    ({}, {'rules': ['...']})

    """
    bare = frame.copy(deep=False)
    bare.attrs = {}
    return bare


def valid_mask(geoms: gpd.GeoSeries) -> np.ndarray:
    """Return a boolean array: True where the geometry is present and not empty."""
    values = np.asarray(geoms.array, dtype=object)
    return ~(shapely.is_missing(values) | shapely.is_empty(values))


def lonlat(result: gpd.GeoDataFrame, decimals: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Return longitude and latitude per row (point, or polygon centroid), rounded.

    Rows without a geometry get NaN. The result is taken to EPSG:4326 first.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> gdf = gpd.GeoDataFrame(geometry=[Point(113.1234567, -2.5), None], crs=4326)
    >>> lon, lat = lonlat(gdf)
    >>> lon.tolist()[0], lat.tolist()[0], bool(np.isnan(lon[1]))
    (113.123457, -2.5, True)

    """
    geoms = to_wgs84(result).geometry
    values = np.asarray(geoms.array, dtype=object)
    lon = np.full(len(values), np.nan)
    lat = np.full(len(values), np.nan)
    ok = valid_mask(geoms)
    if ok.any():
        centres = shapely.centroid(values[ok])
        lon[ok] = np.round(shapely.get_x(centres), decimals)
        lat[ok] = np.round(shapely.get_y(centres), decimals)
    return lon, lat


def round_geometries(geoms: gpd.GeoSeries, decimals: int = 6) -> list[Any]:
    """Return the geometries with coordinates rounded; missing or empty become None.

    Rounding each coordinate (rather than snapping to a grid with
    :func:`shapely.set_precision`) keeps every vertex and never collapses a ring.
    """
    values = np.asarray(geoms.array, dtype=object)
    out: list[Any] = [None] * len(values)
    ok = valid_mask(geoms)
    if ok.any():
        rounded = shapely.transform(values[ok], lambda xy: np.round(xy, decimals))
        for index, geom in zip(np.flatnonzero(ok), rounded, strict=True):
            out[index] = geom
    return out


def join_fast(value: list[Any] | tuple[Any, ...]) -> str | None:
    """Return :func:`join_list` of a list; a list of non-empty texts without a call per item.

    Examples
    --------
    >>> join_fast(["F2", "Z4"]), join_fast([]), join_fast(["F2", "", None, 3])
    ('F2; Z4', None, 'F2; 3')

    """
    try:
        if "" not in value:
            return LIST_SEP.join(value) or None
    except (TypeError, ValueError):  # an item that is not text (None, a number, an array)
        pass
    return join_list(value)


def _joined_texts(values: list[Any]) -> list[str | None] | None:
    """Return every list of non-empty texts joined; None when a value is anything else."""
    if not set(map(type, values)) <= {list, tuple}:
        return None
    items = list(chain.from_iterable(values))
    if not set(map(type, items)) <= {str} or "" in items:
        return None
    return [text or None for text in map(LIST_SEP.join, values)]


def plain_values(values: list[Any]) -> list[Any]:
    """Return :func:`plain` of every value; texts, None and lists of texts without a call.

    Examples
    --------
    >>> plain_values(["a", None, ["F2", "Z4"], float("nan"), np.int64(3)])
    ['a', None, 'F2; Z4', None, 3]
    >>> plain_values([["F2"], [], ("Z4", "Z5")])
    ['F2', None, 'Z4; Z5']

    """
    types = set(map(type, values))
    if types <= {str, type(None)}:
        return values
    joined = _joined_texts(values)
    if joined is not None:
        return joined
    return [v if v is None or (t := type(v)) is str else
            join_fast(v) if t is list or t is tuple else plain(v) for v in values]


def _plain_column(column: pd.Series) -> list[Any]:
    """Return :func:`plain` of every value; numeric and text columns without a call per value."""
    dtype = column.dtype
    kind = dtype.kind if isinstance(dtype, np.dtype) else "O"
    if kind in "iub":
        return column.tolist()  # Python int/bool already
    if kind == "f":
        values = column.to_numpy()
        out = values.astype(object)  # Python floats
        out[~np.isfinite(values)] = None
        return out.tolist()
    if isinstance(dtype, pd.StringDtype):  # text or missing, nothing else
        if dtype.storage == "pyarrow":  # Arrow gives None for missing, at C speed
            return column.array.__arrow_array__().to_pylist()
        return column.to_numpy(dtype=object, na_value=None).tolist()
    if kind == "O":
        return plain_values(column.tolist())
    return [plain(value) for value in column.tolist()]


def flatten(result: pd.DataFrame) -> pd.DataFrame:
    """Return the attribute table without geometry, lists joined, values plain.

    Every column holds Python objects (``str``, ``int``, ``float`` or ``None``), in the
    result's column order.

    Examples
    --------
    >>> df = pd.DataFrame({"plot_id": ["a"], "rules": [["F2", "Z4"]], "luas": [np.nan],
    ...                    "n": np.array([3], dtype="int32")})
    >>> flatten(df).iloc[0].tolist()
    ['a', 'F2; Z4', None, 3]

    """
    data = dict(flat_columns(result))
    flat = pd.DataFrame(data, index=result.index, columns=list(data), dtype=object)
    return flat.reset_index(drop=True)


def flat_columns(result: pd.DataFrame) -> list[tuple[Any, list[Any]]]:
    """Return ``(name, values)`` of the columns of :func:`flatten`, without the frame.

    For writers that go through the values column by column (building a frame of
    Python objects costs as much as flattening itself).

    Examples
    --------
    >>> flat_columns(pd.DataFrame({"plot_id": ["a"], "rules": [["F2", "Z4"]]}))
    [('plot_id', ['a']), ('rules', ['F2; Z4'])]

    """
    geometry = result.geometry.name if isinstance(result, gpd.GeoDataFrame) else None
    bare = without_attrs(result)  # not a deep copy of the provenance per column
    return [(col, _plain_column(bare[col])) for col in bare.columns if col != geometry]
