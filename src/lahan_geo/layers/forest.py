"""The forest-area layer (kawasan hutan): official codes and labels to one vocabulary.

The Ministry's ``KWSHUTAN_AR_250K`` layer stores the forest function in ``FUNGSIKWS``
as a 4-digit or 6-digit code (often as a float, ``100100.0``), in upper or lower case
field names; other exports carry only a text label. :func:`forest_function_of` maps
all of them onto HK, HL, HP, HPT, HPK, APL, or None for unknown (code 0, water,
unmapped): unknown is never taken for APL.

Examples
--------
>>> [forest_function_of(c) for c in (100100.0, "1003", 1002, 100211, 100700, 0, 5001)]
['HL', 'HP', 'HK', 'HK', 'APL', None, None]
>>> forest_function_of("Hutan Produksi yang dapat Dikonversi")
'HPK'
"""

from __future__ import annotations

import math
import re
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.accuracy import DEFAULT_ACCURACY_CLASS, map_accuracy_m
from lahan_geo.errors import LayerError
from lahan_geo.layers.cache import cached_layer
from lahan_geo.layers.coverage import hole_fills
from lahan_geo.layers.source import find_column, layer_window, read_layer, remember_reading
from lahan_geo.vocab import FOREST_ESTATE, FUNCTIONS_BY_RESTRICTION

__all__ = [
    "FOREST_ESTATE",
    "FUNCTIONS_BY_RESTRICTION",
    "forest_function_of",
    "read_forest_area",
]

_CODES: dict[int, str] = {
    1001: "HL", 1002: "HK", 1003: "HP", 1004: "HPT", 1005: "HPK", 1007: "APL",
    **{c: "HK" for c in range(10021, 10027)},
    **{c: "HK" for c in range(100200, 100300)},  # 1002xx: KSA/KPA sub-codes, marine HK
    100100: "HL", 100300: "HP", 100400: "HPT", 100500: "HPK", 100700: "APL",
}
#: Codes that mean "not defined" (code 0, water and similar): unknown, rule F7.
_UNKNOWN_CODES = frozenset({0, 5001, 5003})

# Ordered: the first pattern found in the normalized label wins, so the specific
# wordings ("produksi terbatas") come before the general ones ("produksi").
_LABELS: tuple[tuple[str, str | None], ...] = (
    (r"tidak terdefinisi|tubuh air|badan air|^air$", None),
    (r"areal penggunaan lain|\bapl\b", "APL"),
    (r"suaka|pelestarian alam|taman nasional|cagar alam|taman wisata alam|taman hutan raya"
     r"|\btahura\b|taman buru|konservasi|\bksa\b|\bkpa\b|\bhk\b", "HK"),
    (r"hutan lindung|\bhl\b", "HL"),
    (r"produksi terbatas|\bhpt\b", "HPT"),
    (r"dapat dikonversi|konversi|\bhpk\b", "HPK"),
    (r"produksi tetap|hutan produksi|\bhp\b", "HP"),
)

_CODE_COLUMNS = ("FUNGSIKWS", "FUNGSI_KWS", "KODE_FUNGSI", "KD_FUNGSI")
_LABEL_COLUMNS = ("deskripsi", "FUNGSI", "KETERANGAN", "NAMA_FUNGSI", "KAWASAN", "FUNGSI_KAWASAN")
_DECREE_COLUMNS = (("NOSKKWS", "TGLSKKWS"), ("NOSKPNJK", "TGLSKPNJK"))

#: Scale of the Ministry's KWSHUTAN_AR_250K layer.
DEFAULT_FOREST_SCALE = 250_000


def forest_function_of(value: Any) -> str | None:
    """Map one official code or text label to HK, HL, HP, HPT, HPK, APL or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_code(value)
    text = str(value).strip()
    try:
        return _from_code(float(text.replace(",", ".")))
    except ValueError:
        pass
    label = re.sub(r"[^a-z0-9/ ]+", " ", text.lower())
    label = re.sub(r"\s+", " ", label).strip()
    for pattern, function in _LABELS:
        if re.search(pattern, label):
            return function
    return None


def _from_code(code: float) -> str | None:
    if not math.isfinite(code) or code != int(code):
        return None
    return _CODES.get(int(code)) if int(code) not in _UNKNOWN_CODES else None


def read_forest_area(
    source: str | PathLike[str] | gpd.GeoDataFrame,
    *,
    layer: str | int | None = None,
    crs: Any = None,
    function_column: str | None = None,
    scale: float = DEFAULT_FOREST_SCALE,
    accuracy_class: int = DEFAULT_ACCURACY_CLASS,
    around: Any = None,
    margin_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Read a forest-area (kawasan hutan) layer and normalize its forest function.

    Parameters
    ----------
    source : path, address or GeoDataFrame
        An official ``KWSHUTAN``-style layer or any polygon layer with a code or label:
        a file, or the ArcGIS REST layer itself (``https://…/MapServer/0``, fetched
        by :mod:`lahan_geo.layers.service`).
    layer : str or int, optional
        Layer of a multi-layer file.
    crs : optional
        CRS to assume when the source has none (a layer without one is refused).
    function_column : str, optional
        Column holding the code or label; by default ``FUNGSIKWS`` (any case), else a
        text column such as ``deskripsi`` or ``FUNGSI``.
    scale : float, default 250000
        Scale denominator of the layer; with ``accuracy_class`` it sets the positional
        tolerance (Perka BIG 15/2014).
    accuracy_class : {1, 2, 3}, default 3
        CE90 class of the map; 3 is the cautious default when the class is not stated.
    around : GeoDataFrame or tuple, optional
        The plots (or a (minx, miny, maxx, maxy) box in EPSG:4326): only the features
        within ``margin_m`` of them are read (:mod:`lahan_geo.layers.window`).
    margin_m : float, optional
        Metres around ``around``; by default the plots' largest tolerance for this
        layer plus :data:`~lahan_geo.layers.window.NEAR_M`.

    Returns
    -------
    GeoDataFrame
        The original columns plus ``forest_function`` (HK, HL, HP, HPT, HPK, APL or
        None), ``forest_decree`` and ``forest_decree_date`` (from ``NOSKKWS``/``TGLSKKWS``
        or the older ``NOSKPNJK``/``TGLSKPNJK``) and ``geometry_repair``. ``attrs["lahan_geo"]``
        holds the load report: path, hash, CRS, counts, repairs, unmapped values and
        ``tolerance_m``. A file read before with the same options is served from the
        on-disk cache (:mod:`lahan_geo.layers.cache`), keyed by its content.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> raw = gpd.GeoDataFrame({"fungsikws": [100100.0, 0.0], "noskkws": ["SK.1", None]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> forest = read_forest_area(raw)
    >>> forest["forest_function"].tolist()
    ['HL', None]
    >>> forest.attrs["lahan_geo"]["tolerance_m"], forest.attrs["lahan_geo"]["unknown_features"]
    (125.0, 1)
    """
    tolerance = map_accuracy_m(scale, accuracy_class)
    window = layer_window(source, around, margin_m, tolerance, kind="forest area", layer=layer,
                          crs=crs)
    options = {"layer": layer, "crs": str(crs), "function_column": function_column,
               "scale": scale, "accuracy_class": accuracy_class,
               "window": None if window is None else repr(window)}
    read = cached_layer(source, "read_forest_area", options, lambda: _read_forest_area(
        source, layer=layer, crs=crs, function_column=function_column, scale=scale,
        accuracy_class=accuracy_class, window=window))
    return remember_reading(read, source, "read_forest_area", {
        "layer": layer, "crs": crs, "function_column": function_column, "scale": scale,
        "accuracy_class": accuracy_class})


def _read_forest_area(source: Any, *, layer: Any, crs: Any, function_column: str | None,
                      scale: float, accuracy_class: int, window: Any) -> gpd.GeoDataFrame:
    gdf, info = read_layer(source, kind="forest area", layer=layer, crs=crs, window=window)
    tolerance = map_accuracy_m(scale, accuracy_class)
    code_col = function_column or find_column(gdf, _CODE_COLUMNS)
    label_col = find_column(gdf, _LABEL_COLUMNS) if function_column is None else None
    if code_col is None and label_col is None:
        msg = (
            f"The forest area layer {info['path'] or ''} has no forest-function column "
            f"(looked for {', '.join(_CODE_COLUMNS + _LABEL_COLUMNS)}; it has "
            f"{', '.join(map(str, gdf.columns))}). Fix: pass function_column='...'."
        )
        raise LayerError(msg)
    if code_col is not None and code_col not in gdf.columns:
        msg = f"function_column {code_col!r} is not a column of the forest area layer."
        raise LayerError(msg)
    functions = _normalize(gdf, code_col, label_col)
    gdf["forest_function"] = pd.Series(functions, index=gdf.index, dtype=object)
    decree, date = _decree_columns(gdf)
    gdf["forest_decree"] = pd.Series(decree, index=gdf.index, dtype=object)
    gdf["forest_decree_date"] = pd.Series(date, index=gdf.index, dtype=object)
    raw_values = gdf[code_col] if code_col is not None else gdf[label_col]
    unmapped = sorted(
        {str(v) for v, f in zip(raw_values, functions) if f is None and not pd.isna(v)}
    )
    info.update(
        kind="forest_area",
        function_column=code_col or label_col,
        scale=scale,
        accuracy_class=accuracy_class,
        tolerance_m=tolerance,
        unknown_features=sum(f is None for f in functions),
        unknown_values=unmapped,
        functions={
            f: int(sum(x == f for x in functions)) for f in FUNCTIONS_BY_RESTRICTION
            if f in functions
        },
        decrees=sorted({d for d in decree if d}),
        overlaps=_function_overlaps(gdf),
    )
    gdf.attrs["lahan_geo"] = info
    return gdf


def _function_overlaps(gdf: gpd.GeoDataFrame, shown: int = 20) -> dict[str, Any]:
    """Report polygons of different functions that overlap: count and first row pairs.

    The screening takes the most restrictive function where they overlap. The pairs
    are those of ``STRtree.query(predicate="overlaps")``, in its order; only pairs
    whose boxes meet and whose functions differ are tested, an enclave filling a hole
    of a polygon is known to touch it by its ring (:func:`~lahan_geo.layers.coverage.
    hole_fills`), and the rest are tested with the larger polygon prepared.

    Examples
    --------
    >>> from shapely import box
    >>> frame = box(0, 0, 9, 9).difference(box(3, 3, 6, 6))
    >>> layer = gpd.GeoDataFrame({"forest_function": ["HP", "HL", "HK", "HL"]}, geometry=[
    ...     frame, box(3, 3, 6, 6), box(8, 8, 12, 12), box(9, 0, 10, 1)])
    >>> _function_overlaps(layer)
    {'pairs': 1, 'examples': [{'rows': [0, 2], 'functions': ['HP', 'HK']}]}
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = np.flatnonzero(~pd.isna(geoms))
    present = present[~shapely.is_empty(geoms[present])]
    if len(present) < 2:
        return {"pairs": 0, "examples": []}
    left, right = shapely.STRtree(geoms[present]).query(geoms[present])
    keep = left < right
    left, right = present[left[keep]], present[right[keep]]
    functions = gdf["forest_function"].to_numpy(dtype=object)
    differ = np.array([functions[a] != functions[b] for a, b in zip(left, right)], dtype=bool)
    left, right = left[differ], right[differ]
    host = np.full(len(geoms), -1, dtype=np.int64)
    single = present[shapely.get_type_id(geoms[present]) == shapely.GeometryType.POLYGON]
    found = hole_fills(geoms[single])
    host[single[found >= 0]] = single[found[found >= 0]]
    maybe = (host[left] != right) & (host[right] != left)
    left, right = left[maybe], right[maybe]
    size = shapely.get_num_coordinates(geoms)
    first = size[left] >= size[right]
    big, small = np.where(first, left, right), np.where(first, right, left)
    shapely.prepare(geoms[np.unique(big)])
    over = shapely.intersects(geoms[big], geoms[small])
    over[over] = _interiors_may_meet(geoms, big[over], small[over])
    over[over] = shapely.overlaps(geoms[big[over]], geoms[small[over]])
    pairs = [(int(a), int(b)) for a, b in zip(left[over], right[over])]
    return {"pairs": len(pairs),
            "examples": [{"rows": [a, b], "functions": [functions[a], functions[b]]}
                         for a, b in pairs[:shown]]}


def _interiors_may_meet(geoms: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Say which pairs may overlap: not those whose outer rings' interiors do not meet.

    A polygon lies within its outer ring, so two whose outer rings' interiors do not
    meet cannot overlap; relating the rings alone halves the work for two adjacent
    province-long strips with hundreds of holes each.
    """
    out = np.ones(len(a), dtype=bool)
    kind = shapely.get_type_id(geoms)
    holes = np.zeros(len(geoms), dtype=np.int64)
    single = kind == shapely.GeometryType.POLYGON
    holes[single] = shapely.get_num_interior_rings(geoms[single])
    test = single[a] & single[b] & ((holes[a] > 0) | (holes[b] > 0))
    if test.any():
        shells = {i: shapely.Polygon(geoms[i].exterior)
                  for i in np.unique(np.concatenate([a[test], b[test]])).tolist()}
        out[test] = [shapely.relate_pattern(shells[i], shells[j], "T********")
                     for i, j in zip(a[test].tolist(), b[test].tolist())]
    return out


def _normalize(gdf: pd.DataFrame, code_col: str | None, label_col: str | None) -> list[str | None]:
    codes = gdf[code_col].tolist() if code_col is not None else [None] * len(gdf)
    labels = gdf[label_col].tolist() if label_col is not None else [None] * len(gdf)
    out = []
    for code, label in zip(codes, labels):
        function = forest_function_of(code)
        # A label is used only where there is no code at all: a code that says
        # "undefined" (0) stays undefined whatever the label claims.
        if function is None and (code is None or pd.isna(code)):
            function = forest_function_of(label)
        out.append(function)
    return out


def _decree_columns(gdf: pd.DataFrame) -> tuple[list[str | None], list[str | None]]:
    for number_col, date_col in _DECREE_COLUMNS:
        number = find_column(gdf, (number_col,))
        if number is not None:
            date = find_column(gdf, (date_col,))
            numbers = [None if pd.isna(v) or not str(v).strip() else str(v).strip()
                       for v in gdf[number]]
            dates = ([None if pd.isna(v) else str(v) for v in gdf[date]] if date is not None
                     else [None] * len(gdf))
            return numbers, dates
    return [None] * len(gdf), [None] * len(gdf)
