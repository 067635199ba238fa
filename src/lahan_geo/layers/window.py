"""The area a legal layer is read for: the plots' bounds widened by an honest margin.

A national layer need not be read whole to screen a district's plots: only its
features near the plots matter. ``around=`` (the plots, or a lon/lat box) and a
margin in metres make a :class:`Window`; a reader keeps only the features that
intersect it (a service sends only those, :mod:`lahan_geo.layers.service`).

What the margin must cover
--------------------------
Every feature is kept whole, so what lies *under* a plot is exact. A plot's
nearest decisive boundary may lie outside the window, however, and a neighbour
left out can make a boundary appear that the whole layer does not have. Both
happen only beyond the window: a boundary within ``margin`` of a plot lies inside
it, on features that were kept, so every distance up to the margin is exact and a
distance beyond it is only known to be larger. :func:`beyond_window` turns those
into NaN (with a note in the provenance) rather than report a number the window
cannot vouch for.

The default margin (:func:`default_margin_m`) is the largest positional tolerance
of the plots (the layer's map accuracy combined with the worst plot accuracy:
within it a boundary makes the answer uncertain) plus :data:`NEAR_M` metres, which
covers the default search radius of :func:`lahan_geo.relocate.suggest_sites`
(2 km) and its footprint, so the sites it suggests are judged on the same layer.
The window is widened conservatively (spherical Earth less 10 %, as
:func:`lahan_geo.metric.reach_m`), so UTM scale and the ellipsoid only ever widen it.

Examples
--------
>>> w = window_of((112.0, -2.6, 112.2, -2.4), margin_m=1000)
>>> [round(v, 4) for v in w.bbox]
[111.99, -2.61, 112.21, -2.39]
>>> reach = reach_m(w, np.array([[112.1, -2.5, 112.1, -2.5]]))
>>> bool(1000 <= reach[0] < 20_000)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M, combined_tolerance_m
from lahan_geo.errors import LayerError

__all__ = ["FILE_NEAR_M", "NEAR_M", "Window", "beyond_window", "box_in", "default_margin_m",
           "has_area", "reach_m", "read_box", "require_margin", "window_of"]

#: Metres beyond the largest tolerance within which boundaries still matter: the
#: default 2 km search radius of ``suggest_sites`` plus room for its footprint.
NEAR_M = 2_500.0

#: Metres beyond the largest tolerance a local file or a frame is read for by default:
#: reading a wider box costs little next to the features that cross any box, and a
#: nearest boundary found in the first reading needs no second one
#: (:func:`lahan_geo.pipeline.widen`). A service is asked for :data:`NEAR_M` only:
#: every feature it sends crosses the network.
FILE_NEAR_M = 10_000.0

_EARTH_M = 6_371_000.0
_SAFE = 0.9  # as metric.reach_m: spherical distances less 10 % are a lower bound


@dataclass(frozen=True)
class Window:
    """The lon/lat box a layer was read for.

    Attributes
    ----------
    area : tuple of float
        (minx, miny, maxx, maxy) of what was asked for (the plots), EPSG:4326.
    margin_m : float
        Metres around ``area`` within which the layer is complete.
    bbox : tuple of float
        ``area`` widened by at least ``margin_m`` in every direction: what was read.
    """

    area: tuple[float, float, float, float]
    margin_m: float
    bbox: tuple[float, float, float, float]

    def as_dict(self) -> dict[str, Any]:
        """Describe the window for the provenance, in English and Indonesian."""
        margin_id = f"{self.margin_m:,.0f}".replace(",", ".")
        return {
            "area": list(self.area), "margin_m": self.margin_m, "bbox": list(self.bbox),
            "crs": "EPSG:4326",
            "note_en": (f"Only features within {self.margin_m:,.0f} m of the plots were read; "
                        "a boundary distance beyond that margin is not known and is left "
                        "empty (NaN)."),
            "note_id": (f"Hanya fitur dalam {margin_id} m dari bidang yang dibaca; jarak batas "
                        "di luar margin itu tidak diketahui dan dikosongkan (NaN)."),
        }


def default_margin_m(around: Any, tolerance_m: float, near_m: float = NEAR_M) -> float:
    """Return the largest tolerance of the plots for a layer, plus ``near_m`` metres.

    Examples
    --------
    >>> default_margin_m((0, 0, 1, 1), 125.0)  # a box: plots at the default accuracy
    2626.0
    """
    accuracy = DEFAULT_PLOT_ACCURACY_M
    if isinstance(around, pd.DataFrame) and "accuracy_m" in around.columns:
        values = pd.to_numeric(around["accuracy_m"], errors="coerce").fillna(accuracy)
        accuracy = max(accuracy, float(values.max())) if len(values) else accuracy
    return float(math.ceil(combined_tolerance_m(float(tolerance_m), accuracy)) + near_m)


def window_of(around: Any, margin_m: float) -> Window:
    """Return the window around plots (a GeoDataFrame) or a lon/lat box, widened by the margin.

    Raises
    ------
    LayerError
        When ``around`` is neither, has no usable geometry, or the margin is not a
        distance.
    """
    if isinstance(margin_m, bool) or not isinstance(margin_m, (int, float)) or not (
            math.isfinite(margin_m) and margin_m >= 0):
        msg = f"margin_m={margin_m!r} must be a distance in metres, 0 or more."
        raise LayerError(msg)
    area = _area(around)
    lat_deg = math.degrees(margin_m / (_SAFE * _EARTH_M))
    miny, maxy = max(area[1] - lat_deg, -90.0), min(area[3] + lat_deg, 90.0)
    top = max(abs(miny), abs(maxy))
    cos = math.cos(math.radians(top))
    ratio = margin_m / (_SAFE * _EARTH_M * cos) if cos > 1e-9 else 2.0
    lon_deg = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio))
    bbox = (max(area[0] - lon_deg, -180.0), miny, min(area[2] + lon_deg, 180.0), maxy)
    return Window(area=area, margin_m=float(margin_m), bbox=bbox)


def has_area(plots: gpd.GeoDataFrame) -> bool:
    """Tell whether any plot has a position a window can be drawn around.

    Examples
    --------
    >>> from shapely import Point
    >>> has_area(gpd.GeoDataFrame(geometry=[None, Point(112, -2)], crs=4326))
    True
    >>> has_area(gpd.GeoDataFrame(geometry=[None], crs=4326))
    False
    """
    geoms = np.asarray(plots.geometry.array, dtype=object)
    geoms = geoms[~pd.isna(geoms)]
    geoms = geoms[~shapely.is_empty(geoms)]
    return bool(len(geoms)) and bool(np.isfinite(shapely.bounds(geoms)).all(axis=1).any())


def _area(around: Any) -> tuple[float, float, float, float]:
    if isinstance(around, gpd.GeoDataFrame | gpd.GeoSeries):
        if around.crs is None:
            msg = "around= plots have no CRS. Fix: pass the output of read_plots (EPSG:4326)."
            raise LayerError(msg)
        geoms = around.geometry if around.crs.equals("EPSG:4326") else around.to_crs(4326).geometry
        arr = np.asarray(geoms.array, dtype=object)
        arr = arr[~pd.isna(arr)]
        arr = arr[~shapely.is_empty(arr)]
        bounds = shapely.bounds(arr) if len(arr) else np.empty((0, 4))
        bounds = bounds[np.isfinite(bounds).all(axis=1)]
        if not len(bounds):
            msg = ("around= has no plot with a usable position, so there is no area to read "
                   "the layer for. Fix: pass plots with coordinates, or a box "
                   "(minx, miny, maxx, maxy) in degrees.")
            raise LayerError(msg)
        box = (float(bounds[:, 0].min()), float(bounds[:, 1].min()),
               float(bounds[:, 2].max()), float(bounds[:, 3].max()))
    else:
        try:
            box = tuple(float(v) for v in around)  # type: ignore[assignment]
        except (TypeError, ValueError):
            box = ()  # type: ignore[assignment]
        if len(box) != 4:
            msg = (f"around={around!r} is neither plots nor a box. Fix: pass the plots "
                   "(read_plots) or (minx, miny, maxx, maxy) in degrees (EPSG:4326).")
            raise LayerError(msg)
    minx, miny, maxx, maxy = box
    if not (all(map(math.isfinite, box)) and -180 <= minx <= maxx <= 180
            and -90 <= miny <= maxy <= 90):
        msg = (f"around= box {box!r} is not (minx, miny, maxx, maxy) in degrees with "
               "min <= max. Fix: give longitudes -180..180 and latitudes -90..90.")
        raise LayerError(msg)
    return (minx, miny, maxx, maxy)


def box_in(window: Window, crs: Any) -> shapely.Geometry:
    """Return the window's box in ``crs``: its own bounds there, so it covers the window.

    A windowed layer's features are cut to this box (:func:`read_box`).
    """
    box = shapely.box(*window.bbox)
    if crs is None or crs.equals("EPSG:4326"):
        return box
    from pyproj import Transformer

    move = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return shapely.box(*move.transform_bounds(*window.bbox, densify_pts=21))


def read_box(layer: gpd.GeoDataFrame) -> shapely.Geometry | None:
    """Return the box (in the layer's CRS) a windowed layer was cut to; None when whole.

    Its edges are where the reading stopped, not boundaries of the layer: maps leave
    them out.

    Examples
    --------
    >>> layer = gpd.GeoDataFrame(geometry=[], crs=4326)
    >>> read_box(layer) is None
    True
    >>> layer.attrs["lahan_geo"] = {"window": {"area": [0, 0, 1, 1], "margin_m": 0.0,
    ...                                        "bbox": [0, 0, 1, 1]}}
    >>> read_box(layer).bounds
    (0.0, 0.0, 1.0, 1.0)
    """
    info = layer.attrs.get("lahan_geo", {}).get("window")
    if not info:
        return None
    window = Window(tuple(info["area"]), float(info["margin_m"]), tuple(info["bbox"]))
    return box_in(window, layer.crs)


def reach_m(window: Window, bounds: np.ndarray) -> np.ndarray:
    """Return, per geometry bounds (degrees), metres within which the window is complete.

    A lower bound of the distance from the geometry to the edge of what was read:
    a boundary nearer than this lies inside it. 0 for a geometry reaching outside.
    """
    b = np.asarray(bounds, dtype=float).reshape(-1, 4)
    minx, miny, maxx, maxy = window.bbox
    south = np.where(miny <= -90.0, np.inf, b[:, 1] - miny)
    north = np.where(maxy >= 90.0, np.inf, maxy - b[:, 3])
    lat_gap = np.radians(np.clip(np.minimum(south, north), 0.0, 180.0))
    lon_gap = np.radians(np.clip(np.minimum(b[:, 0] - minx, maxx - b[:, 2]), 0.0, 90.0))
    top = np.radians(np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + np.degrees(
        lat_gap), 90.0))
    along = np.arcsin(np.sin(lon_gap) * np.cos(top))
    out = _SAFE * _EARTH_M * np.minimum(lat_gap, along)
    return np.where(np.isfinite(b).all(axis=1), out, 0.0)


def beyond_window(layer: gpd.GeoDataFrame, plots_wgs84: np.ndarray, tolerance: np.ndarray,
                  distance: np.ndarray, valid: np.ndarray, kind: str) -> np.ndarray:
    """Blank (NaN, in place) the distances a windowed layer cannot vouch for.

    Returns the positions of the plots whose distance is not known: beyond the
    window's reach, or not found in it. A layer read whole is left alone.

    Raises
    ------
    LayerError
        When a plot lies outside the window or nearer its edge than its tolerance:
        the layer was read for other plots, and what lies under this one is unknown.
    """
    info = layer.attrs.get("lahan_geo", {}).get("window")
    if not info:
        return np.empty(0, dtype=np.intp)
    window = Window(tuple(info["area"]), float(info["margin_m"]), tuple(info["bbox"]))
    geoms = np.asarray(plots_wgs84, dtype=object)
    reach = np.zeros(len(geoms))
    present = np.flatnonzero(valid)
    reach[present] = reach_m(window, shapely.bounds(geoms[present]))
    short = present[(reach[present] < tolerance[present]) | (reach[present] <= 0)]
    if len(short):
        first = int(short[0])
        msg = (f"The {kind} layer was read only for the area around other plots "
               f"(box {', '.join(f'{v:.4f}' for v in window.bbox)}); plot at row {first + 1} "
               f"lies outside it or within its {tolerance[first]:,.0f} m tolerance of its edge "
               f"({len(short)} plot(s) in all). Fix: read the layer with around= these plots.")
        raise LayerError(msg)
    # Beyond the reach, or none found at all: a window that found no boundary cannot
    # say the whole layer has none.
    far = np.flatnonzero(valid & ~(distance <= reach))
    distance[far] = np.nan
    return far


def require_margin(layer: gpd.GeoDataFrame | None, needed_m: float, kind: str, what: str) -> None:
    """Refuse a windowed layer whose margin is narrower than what a search needs.

    Examples
    --------
    >>> layer = gpd.GeoDataFrame(geometry=[])
    >>> layer.attrs["lahan_geo"] = {"window": {"margin_m": 2626.0}}
    >>> require_margin(layer, 5030, "forest area", "suggest_sites searches")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.LayerError: The forest area layer was read only 2,626 m around the \
plots, but suggest_sites searches 5,030 m around them. Fix: read it with margin_m=5030 or \
more (or around= a wider area), or search less far.
    """
    info = (layer.attrs.get("lahan_geo", {}) if layer is not None else {}).get("window")
    if info and float(info["margin_m"]) < needed_m:
        msg = (f"The {kind} layer was read only {float(info['margin_m']):,.0f} m around the "
               f"plots, but {what} {needed_m:,.0f} m around them. Fix: read it with "
               f"margin_m={math.ceil(needed_m)} or more (or around= a wider area), or search "
               "less far.")
        raise LayerError(msg)
