"""Overlay plots on a categorical legal layer, in metres.

For every plot this finds which layer polygons lie under it, how much of a polygon
plot each category covers, whether part of the plot lies outside the layer, and how
far the plot is from the nearest *decisive* boundary: one whose two sides lead to
different outcomes under the rules (HL next to HP is not decisive, APL next to HL
is). A polygon plot's overlap that lies entirely within the tolerance band of a
decisive boundary, and covers less than :data:`SLIVER_MAX_SHARE` of the plot, is a
sliver: it is reported apart (``band``), because the map cannot tell on which side
it really is.

Categories are carried as bit masks (bit ``k`` = ``categories[k]``), so a million
plots are described by a few integer arrays and the rules run once per distinct
combination rather than once per plot.

All geometry must already be in one projected CRS with metre units; the caller
(:func:`lahan_geo.screen`) groups plots by UTM zone and projects both sides.

Examples
--------
Two forest polygons side by side, HL west of x=1000 and APL east of it; a point
50 m into APL and a 60 x 30 m plot that pokes 10 m into HL, with a 20 m tolerance:

>>> import geopandas as gpd, numpy as np
>>> from shapely import Point, box
>>> layer = gpd.GeoDataFrame({"f": ["HL", "APL"]},
...                          geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
>>> plots = gpd.GeoSeries([Point(1050, 500), box(990, 500, 1050, 530)])
>>> ov = overlay_layer(plots, layer, "f", outcome=lambda v: v, tolerance_m=np.array([20., 20.]))
>>> ov.categories
('APL', 'HL', None)
>>> [ov.values(m) for m in ov.core_mask], [ov.values(m) for m in ov.band_mask]
([('APL',), ('APL',)], [(), ('HL',)])
>>> ov.distance_m.tolist(), ov.overlap_m2[1]
([50.0, 0.0], {'HL': 300.0, 'APL': 1500.0})
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import LayerError

__all__ = ["MIN_CORE_M2", "SLIVER_MAX_SHARE", "LayerOverlay", "decisive_boundaries",
           "layer_categories", "overlay_layer"]

#: An overlap smaller than this (m²) outside the tolerance band is numerical noise.
MIN_CORE_M2 = 1.0

#: An overlap lying wholly inside the tolerance band is a sliver (B1, not a forest
#: rule) only while it covers less than this share of the plot: "only a sliver", in
#: the words of the domain notes. A plot a third of which the map puts in HL is not
#: a sliver case, whatever the band says.
SLIVER_MAX_SHARE = 0.25

#: Boundary lines are cut into pieces of at most this many vertices, so the spatial
#: index can prune by small envelopes instead of one envelope per huge ring.
_PIECE_VERTICES = 64

_MAX_CATEGORIES = 63


@dataclass(frozen=True)
class LayerOverlay:
    """What lies under each plot, as arrays aligned to the plots' positions.

    Attributes
    ----------
    categories : tuple
        The layer's categories; bit ``k`` of a mask means ``categories[k]``. None
        (unknown category) is always last.
    core_mask, band_mask : ndarray of uint64
        Categories under the plot outside the tolerance band / only inside it.
    uncovered : ndarray of bool
        Part of the plot (outside the band) lies on no polygon of the layer.
    distance_m : ndarray of float
        Distance to the nearest decisive boundary (NaN: unusable plot, or no such
        boundary in the layer).
    pairs : DataFrame
        ``plot`` (position), ``row`` (layer position), ``core`` (bool): every layer
        polygon under every plot, for looking up attributes such as the decree.
    overlap_m2 : dict
        ``{plot position: {category: m²}}`` for polygon plots.
    """

    categories: tuple[Any, ...]
    core_mask: np.ndarray
    band_mask: np.ndarray
    uncovered: np.ndarray
    distance_m: np.ndarray
    pairs: pd.DataFrame
    overlap_m2: dict[int, dict[Any, float]]

    def values(self, mask: int) -> tuple[Any, ...]:
        """Return the categories whose bits are set in ``mask``, in category order."""
        mask = int(mask)
        return tuple(c for k, c in enumerate(self.categories) if mask >> k & 1)

    def bit(self, category: Any) -> int:
        """Return the mask bit of ``category``."""
        return 1 << self.categories.index(category)


def layer_categories(values: Any) -> tuple[Any, ...]:
    """Return a layer's category vocabulary: its distinct values sorted, then None.

    Examples
    --------
    >>> layer_categories(["HL", None, "APL", "HL"])
    ('APL', 'HL', None)
    """
    return (*sorted({v for v in values if v is not None and not pd.isna(v)}, key=str), None)


def decisive_boundaries(
    geoms: np.ndarray, keys: list[Hashable], none_key: Hashable
) -> np.ndarray:
    """Return the boundary lines across which the outcome changes, cut into short pieces.

    Polygons are merged per outcome key; the boundary of each merged region (except
    the region whose key equals that of "no category", which is the complement of
    the others as far as outcomes go) separates it from a different outcome.
    """
    lines = []
    for key in sorted({k for k in keys if k != none_key}, key=repr):
        members = geoms[[k == key for k in keys]]
        members = members[~pd.isna(members)]
        if len(members):
            region = shapely.union_all(members)
            lines.extend(shapely.get_parts(shapely.boundary(region)))
    pieces = []
    for line in lines:
        coords = shapely.get_coordinates(line)
        step = _PIECE_VERTICES - 1
        pieces.extend(shapely.linestrings(coords[s:s + _PIECE_VERTICES])
                      for s in range(0, len(coords) - 1, step))
    return np.asarray(pieces, dtype=object)


def overlay_layer(
    plots: gpd.GeoSeries,
    layer: gpd.GeoDataFrame,
    value_col: str,
    *,
    outcome: Callable[[Any], Hashable],
    tolerance_m: np.ndarray,
    categories: tuple[Any, ...] | None = None,
    pieces: np.ndarray | None = None,
) -> LayerOverlay:
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
    categories : tuple, optional
        The category vocabulary (None last), when ``layer`` is a part of a larger
        layer whose masks must line up; by default the categories of ``layer``.
    pieces : ndarray, optional
        The decisive boundary pieces (:func:`decisive_boundaries`) already computed
        for the whole layer and projected to this CRS; by default computed here.

    Returns
    -------
    LayerOverlay
    """
    geoms = np.asarray(plots.array, dtype=object)
    n = len(geoms)
    usable = ~(pd.isna(geoms))
    usable[usable] = ~shapely.is_empty(geoms[usable])
    layer_geoms = np.asarray(layer.geometry.array, dtype=object)
    raw = layer[value_col].astype(object)
    values = np.asarray(raw.where(raw.notna(), None), dtype=object)
    if categories is None:
        categories = layer_categories(values)
    if len(categories) > _MAX_CATEGORIES:
        msg = (f"The layer's column {value_col!r} has {len(categories)} categories; at most "
               f"{_MAX_CATEGORIES} are supported. Fix: map them onto fewer classes.")
        raise LayerError(msg)
    bit_of = {c: np.uint64(1) << np.uint64(k) for k, c in enumerate(categories)}
    value_bits = np.array([bit_of[v] for v in values], dtype=np.uint64)

    if pieces is None:
        pieces = decisive_boundaries(layer_geoms, [outcome(v) for v in values], outcome(None))
    distance = np.full(n, np.nan)
    if len(pieces) and usable.any():
        (src, _), dist = shapely.STRtree(pieces).query_nearest(
            geoms[usable], return_distance=True, all_matches=False)
        distance[np.flatnonzero(usable)[src]] = dist

    is_point = np.zeros(n, dtype=bool)
    is_point[usable] = np.isin(shapely.get_type_id(geoms[usable]),
                               [shapely.GeometryType.POINT, shapely.GeometryType.MULTIPOINT])
    core_mask = np.zeros(n, dtype=np.uint64)
    band_mask = np.zeros(n, dtype=np.uint64)
    uncovered = usable.copy()

    # Points: index the points and query with the layer's polygons, which GEOS then
    # prepares once each; the other way round tests every point against whole,
    # unprepared polygons (orders of magnitude slower for large polygons).
    point_pos = np.flatnonzero(is_point)
    if len(point_pos) and len(layer_geoms):
        poly_i, pt_i = shapely.STRtree(geoms[point_pos]).query(
            layer_geoms, predicate="intersects")
        plot_of_pair = point_pos[pt_i]
        np.bitwise_or.at(core_mask, plot_of_pair, value_bits[poly_i])
        uncovered[plot_of_pair] = False
        pairs = [pd.DataFrame({"plot": plot_of_pair, "row": poly_i, "core": True})]
    else:
        pairs = []

    overlap: dict[int, dict[Any, float]] = {}
    poly_pos = np.flatnonzero(usable & ~is_point)
    if len(poly_pos) and len(layer_geoms):
        # As for points, index the plots and query with the (prepared) layer polygons.
        plot_tree = shapely.STRtree(geoms[poly_pos])
        hit_row, hit_plot = plot_tree.query(layer_geoms, predicate="intersects")
        in_row, in_plot = plot_tree.query(layer_geoms, predicate="contains")
        n_hit = np.bincount(hit_plot, minlength=len(poly_pos))
        n_in = np.bincount(in_plot, minlength=len(poly_pos))
        # Fast path: every polygon touching the plot contains it wholly (the common
        # case of a small parcel inside one forest polygon): no overlay geometry is
        # needed, the plot lies 100 % in each of those categories.
        whole = (n_hit == n_in) & (n_hit > 0)
        keep = whole[in_plot]
        plot_of_pair = poly_pos[in_plot[keep]]
        row_of_pair = in_row[keep]
        np.bitwise_or.at(core_mask, plot_of_pair, value_bits[row_of_pair])
        uncovered[poly_pos[whole]] = False
        pair_area = np.round(shapely.area(geoms[plot_of_pair]), 3)
        for p, r, a in zip(plot_of_pair.tolist(), row_of_pair.tolist(), pair_area.tolist()):
            overlap.setdefault(p, {})[values[r]] = a
        pairs.append(pd.DataFrame({"plot": plot_of_pair, "row": row_of_pair, "core": True}))
        for p in poly_pos[n_hit == 0].tolist():
            overlap[p] = {}
        # Slow path: plots crossing a polygon edge.
        rows_of: dict[int, list[int]] = {}
        crossing = ~whole[hit_plot]
        for p, r in zip(poly_pos[hit_plot[crossing]].tolist(), hit_row[crossing].tolist()):
            rows_of.setdefault(p, []).append(r)
        ptree = shapely.STRtree(pieces) if len(pieces) else None
        slow_plot: list[int] = []
        slow_row: list[int] = []
        slow_core: list[bool] = []
        for p in sorted(rows_of):
            near = (pieces[ptree.query(geoms[p], predicate="dwithin",
                                       distance=float(tolerance_m[p]))]
                    if ptree is not None and tolerance_m[p] > 0 else pieces[:0])
            core, band, unc, areas = _polygon_plot(
                geoms[p], sorted(rows_of[p]), layer_geoms, values, near,
                float(tolerance_m[p]))
            for r in core:
                core_mask[p] |= value_bits[r]
            for r in band:
                band_mask[p] |= value_bits[r]
            uncovered[p] = unc
            overlap[p] = areas
            slow_plot += [p] * (len(core) + len(band))
            slow_row += [*core, *band]
            slow_core += [True] * len(core) + [False] * len(band)
        pairs.append(pd.DataFrame({"plot": slow_plot, "row": slow_row, "core": slow_core}))
    band_mask &= ~core_mask
    pair_frame = (pd.concat(pairs, ignore_index=True) if pairs
                  else pd.DataFrame({"plot": [], "row": [], "core": []}))
    pair_frame = pair_frame.astype({"plot": "int64", "row": "int64", "core": bool})
    pair_frame = pair_frame.sort_values(["plot", "row"], kind="stable", ignore_index=True)
    return LayerOverlay(categories, core_mask, band_mask, uncovered, distance, pair_frame, overlap)


def _polygon_plot(
    plot: shapely.Geometry,
    rows: list[int],
    layer_geoms: np.ndarray,
    values: np.ndarray,
    near: np.ndarray,
    tolerance: float,
) -> tuple[list[int], list[int], bool, dict[Any, float]]:
    """Split one polygon plot's overlaps into core and tolerance-band parts."""
    if len(near):
        reach = plot.buffer(tolerance + 1.0)
        band = shapely.union_all(shapely.intersection(near, reach)).buffer(tolerance)
        core_area = plot.difference(band)
    else:
        core_area = plot
    core, band_only = [], []
    by_value: dict[Any, list[shapely.Geometry]] = {}
    outside_band: dict[int, bool] = {}
    for j in rows:
        part = shapely.intersection(plot, layer_geoms[j])
        if part.is_empty or part.area == 0:
            continue
        by_value.setdefault(values[j], []).append(part)
        outside_band[j] = shapely.intersection(core_area, layer_geoms[j]).area > MIN_CORE_M2
    share = {v: shapely.union_all(parts).area / plot.area for v, parts in by_value.items()}
    for j, outside in outside_band.items():
        if outside or share[values[j]] >= SLIVER_MAX_SHARE:
            core.append(j)
        else:
            band_only.append(j)
    if not core and by_value:
        # The whole plot lies within the band: like a point, it takes the category
        # covering most of it; the rest are slivers.
        main = max(by_value, key=lambda v: (shapely.union_all(by_value[v]).area, str(v)))
        core = [j for j in band_only if values[j] == main]
        band_only = [j for j in band_only if values[j] != main]
    covered = shapely.union_all([layer_geoms[j] for j in rows]) if rows else shapely.Polygon()
    uncovered = core_area.difference(covered).area > MIN_CORE_M2
    areas = {
        v: round(float(shapely.union_all(parts).area), 3) for v, parts in by_value.items()
    }
    return core, band_only, bool(uncovered), areas
