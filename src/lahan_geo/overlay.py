"""Overlay plots on a categorical legal layer, in metres.

For every plot this finds which layer polygons lie under it, how much of a polygon
plot each covers, whether part of the plot lies outside the layer, and how far the
plot is from the nearest *decisive* boundary: one whose two sides lead to different
outcomes under the rules (HL next to HP is not decisive, APL next to HL is). A
polygon plot's overlap that lies entirely within the tolerance band of a decisive
boundary is a sliver: it is reported apart (``band_rows``), because a 1:250,000 map
cannot tell on which side it really is.

All geometry here must already be in one projected CRS with metre units; the caller
(:func:`lahan_geo.screen`) groups plots by UTM zone and projects both sides.

Examples
--------
Two forest polygons side by side, HL west of x=1000 and APL east of it; a point
50 m into APL and a 40 x 30 m plot that pokes 10 m into HL, with a 20 m tolerance:

>>> import geopandas as gpd, numpy as np
>>> from shapely import Point, box
>>> layer = gpd.GeoDataFrame({"f": ["HL", "APL"]},
...                          geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
>>> plots = gpd.GeoSeries([Point(1050, 500), box(990, 500, 1030, 530)])
>>> out = overlay_layer(plots, layer, "f", outcome=lambda v: v, tolerance_m=np.array([20., 20.]))
>>> out[["core_values", "band_values", "uncovered", "distance_m"]].values.tolist()
[[('APL',), (), False, 50.0], [('APL',), ('HL',), False, 0.0]]
>>> out["overlap_m2"].iloc[1]
{'HL': 300.0, 'APL': 900.0}
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["MIN_CORE_M2", "decisive_boundaries", "overlay_layer"]

#: An overlap smaller than this (m²) outside the tolerance band is numerical noise.
MIN_CORE_M2 = 1.0

#: Boundary lines are cut into pieces of at most this many vertices, so the spatial
#: index can prune by small envelopes instead of one envelope per huge ring.
_PIECE_VERTICES = 64


def decisive_boundaries(
    layer: gpd.GeoDataFrame, value_col: str, outcome: Callable[[Any], Hashable]
) -> np.ndarray:
    """Return the boundary lines across which the outcome changes, cut into short pieces.

    Polygons are merged per outcome; the boundary of each merged region (except the
    region whose outcome equals that of "no value", which is the complement of the
    others as far as outcomes go) separates it from a different outcome.
    """
    geoms = np.asarray(layer.geometry.array, dtype=object)
    keys = [outcome(v if not pd.isna(v) else None) for v in layer[value_col]]
    none_key = outcome(None)
    lines = []
    for key in sorted({k for k in keys if k != none_key}, key=repr):
        members = geoms[[k == key for k in keys]]
        members = members[~pd.isna(members)]
        if len(members) == 0:
            continue
        region = shapely.union_all(members)
        lines.extend(shapely.get_parts(shapely.boundary(region)))
    return _cut(np.asarray(lines, dtype=object))


def _cut(lines: np.ndarray) -> np.ndarray:
    pieces = []
    for line in lines:
        if line is None or line.is_empty:
            continue
        coords = shapely.get_coordinates(line)
        step = _PIECE_VERTICES - 1
        for start in range(0, len(coords) - 1, step):
            pieces.append(shapely.LineString(coords[start:start + _PIECE_VERTICES]))
    return np.asarray(pieces, dtype=object)


def overlay_layer(
    plots: gpd.GeoSeries,
    layer: gpd.GeoDataFrame,
    value_col: str,
    *,
    outcome: Callable[[Any], Hashable],
    tolerance_m: np.ndarray,
) -> pd.DataFrame:
    """Overlay ``plots`` on ``layer`` and describe, per plot, what lies under it.

    Parameters
    ----------
    plots : GeoSeries
        Plot geometries (points or polygons) in a metric CRS; None or empty for rows
        without a usable geometry.
    layer : GeoDataFrame
        Valid polygons in the same CRS, with the categorical ``value_col`` (None for
        an unknown category).
    value_col : str
        Column of ``layer`` holding the category (forest function, zone class).
    outcome : callable
        Maps a category (or None) to a hashable outcome; boundaries between equal
        outcomes are not decisive.
    tolerance_m : ndarray
        Per-plot positional tolerance in metres.

    Returns
    -------
    DataFrame
        Aligned to ``plots.index``: ``core_rows`` / ``band_rows`` (positions of layer
        rows under the plot, outside / only inside the tolerance band),
        ``core_values`` / ``band_values`` (their categories, distinct, in layer
        order), ``uncovered`` (part of the plot, outside the band, lies on no
        polygon), ``distance_m`` (to the nearest decisive boundary; NaN when the
        layer has none) and ``overlap_m2`` (area per category, polygons only).
    """
    geoms = np.asarray(plots.array, dtype=object)
    n = len(geoms)
    usable = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    layer_geoms = np.asarray(layer.geometry.array, dtype=object)
    values = np.asarray(layer[value_col].astype(object).where(layer[value_col].notna(), None))
    tree = shapely.STRtree(layer_geoms)
    pieces = decisive_boundaries(layer, value_col, outcome)

    distance = np.full(n, np.nan)
    if len(pieces) and usable.any():
        ptree = shapely.STRtree(pieces)
        (src, _), dist = ptree.query_nearest(geoms[usable], return_distance=True)
        distance[np.flatnonzero(usable)[src]] = dist

    pairs = tree.query(geoms[usable], predicate="intersects") if usable.any() else np.empty((2, 0))
    hits: list[list[int]] = [[] for _ in range(n)]
    for i, j in zip(np.flatnonzero(usable)[pairs[0].astype(int)], pairs[1].astype(int)):
        hits[i].append(int(j))

    core_rows: list[tuple[int, ...]] = []
    band_rows: list[tuple[int, ...]] = []
    uncovered = np.zeros(n, dtype=bool)
    overlap: list[dict[Any, float]] = []
    for i in range(n):
        rows = sorted(hits[i])
        if not usable[i]:
            core_rows.append(())
            band_rows.append(())
            overlap.append({})
            continue
        if geoms[i].geom_type in ("Point", "MultiPoint") or geoms[i].area == 0:
            core_rows.append(tuple(rows))
            band_rows.append(())
            uncovered[i] = not rows
            overlap.append({})
            continue
        core, band, unc, areas = _polygon_plot(
            geoms[i], rows, layer_geoms, values, pieces, float(tolerance_m[i])
        )
        core_rows.append(core)
        band_rows.append(band)
        uncovered[i] = unc
        overlap.append(areas)

    def distinct(rows: tuple[int, ...]) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(values[j] for j in rows))

    return pd.DataFrame(
        {
            "core_rows": core_rows,
            "band_rows": band_rows,
            "core_values": [distinct(r) for r in core_rows],
            "band_values": [
                tuple(v for v in distinct(b) if v not in distinct(c))
                for c, b in zip(core_rows, band_rows)
            ],
            "uncovered": uncovered,
            "distance_m": distance,
            "overlap_m2": overlap,
        },
        index=plots.index,
    )


def _polygon_plot(
    plot: shapely.Geometry,
    rows: list[int],
    layer_geoms: np.ndarray,
    values: np.ndarray,
    pieces: np.ndarray,
    tolerance: float,
) -> tuple[tuple[int, ...], tuple[int, ...], bool, dict[Any, float]]:
    """Split one polygon plot's overlaps into core and tolerance-band parts."""
    near = [p for p in pieces if shapely.dwithin(p, plot, tolerance)] if tolerance > 0 else []
    if near:
        reach = plot.buffer(tolerance + 1.0)
        band = shapely.union_all([shapely.intersection(p, reach) for p in near]).buffer(tolerance)
        core_area = plot.difference(band)
    else:
        core_area = plot
    core, band_only = [], []
    by_value: dict[Any, list[shapely.Geometry]] = {}
    for j in rows:
        part = shapely.intersection(plot, layer_geoms[j])
        if part.is_empty or part.area == 0:
            continue
        by_value.setdefault(values[j], []).append(part)
        if shapely.intersection(core_area, layer_geoms[j]).area > MIN_CORE_M2:
            core.append(j)
        else:
            band_only.append(j)
    if not core and by_value:
        # The whole plot lies within the band: like a point, it takes the category
        # covering most of it; the rest are slivers.
        main = max(by_value, key=lambda v: (shapely.union_all(by_value[v]).area, repr(v)))
        core = [j for j in band_only if values[j] == main]
        band_only = [j for j in band_only if values[j] != main]
    covered = shapely.union_all([layer_geoms[j] for j in rows]) if rows else shapely.Polygon()
    uncovered = core_area.difference(covered).area > MIN_CORE_M2
    areas = {
        v: round(float(shapely.union_all(parts).area), 3) for v, parts in by_value.items()
    }
    return tuple(core), tuple(band_only), bool(uncovered), areas
