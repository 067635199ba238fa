"""Overlay a batch of plots on whole layers: the per-UTM-zone driver of the kernel.

:mod:`lahan_geo.overlay.kernel` overlays plots on a layer in one metric CRS; this
module runs it for a national batch: plots grouped by UTM zone, the layer's decisive
boundary pieces derived once per layer and rule outcomes (kept on disk and, for the
last few layers, in memory with their spatial indexes), plots crossing an edge cut
with the few subdivided pieces around them, constraint layers with their setbacks.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from shapely import box
>>> layer = gpd.GeoDataFrame({"f": ["HL", "APL"]}, crs=4326,
...     geometry=[box(112.0, -2.6, 112.2, -2.4), box(112.2, -2.6, 112.4, -2.4)])
>>> pieces = layer_pieces(layer, "f", ("APL", "HL"), key=lambda v: v)  # edges, in degrees
>>> sorted({x for x, _ in shapely.get_coordinates(pieces).round(6).tolist()})
[112.0, 112.2, 112.4]
>>> len(tree_of(pieces)) == len(pieces)
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.layers.cache import cached_geometries, layer_fingerprint
from lahan_geo.layers.constraints import buffer_constraint
from lahan_geo.layers.subdivide import subdivided_layer
from lahan_geo.metric import (
    BAND_SLACK_DEG,
    MAX_SEGMENT_DEG,
    ZONE_MARGIN_DEG,
    in_zone_band,
    is_zone_crs,
    reach_m,
    to_metric,
)
from lahan_geo.overlay.kernel import (
    NODE_CAPACITY,
    PIECE_VERTICES,
    SLIVER_HALF_WIDTH_M,
    UNION_GRID_DEG,
    UNION_GRID_M,
    Cover,
    Crossing,
    LayerOverlay,
    assemble,
    category_values,
    check_categories,
    cover,
    crossing_overlaps,
    decisive_boundaries,
    layer_categories,
    layer_edges,
    nearest_distance,
    overlay_layer,
    slivers_in,
)

__all__ = ["PIECES_VERSION", "Batch", "Overlaid", "constraint_hits", "forget_pieces",
           "layer_pieces", "overlay_plots", "tree_of"]


@dataclass(frozen=True)
class Batch:
    """The plots of one screening, in the forms every stage after intake reads.

    Attributes
    ----------
    plots : GeoDataFrame
        The plots as :func:`lahan_geo.pipeline.as_plots` gave them, geometry rechecked.
    wgs84 : GeoSeries
        Their geometries in EPSG:4326, None where unusable.
    valid : ndarray of bool
        Per plot, whether it has a usable geometry and no input problem.
    groups : dict
        UTM zone EPSG code to the positions of the plots in it.
    metric : dict
        UTM zone EPSG code to those plots' geometries in that zone, in metres.
    area : ndarray of float
        Per plot, its area in m² (NaN for points and unusable rows).
    """

    plots: gpd.GeoDataFrame
    wgs84: gpd.GeoSeries
    valid: np.ndarray
    groups: dict[int, list[int]]
    metric: dict[int, gpd.GeoSeries]
    area: np.ndarray
    _in_crs: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                           compare=False)

    @property
    def n(self) -> int:
        """The number of plots."""
        return len(self.plots)

    def in_crs(self, crs: Any) -> np.ndarray:
        """Return the plots' geometries in ``crs`` (a layer's), None where unusable.

        Transformed once per batch and CRS (a forest layer and a spatial plan in the same
        UTM zone share them). Where ``crs`` is a plot's own UTM zone and measuring it
        added no vertex (points, plots with short edges), its metric geometry is that
        very transform and is taken as is.

        Examples
        --------
        >>> from shapely import Point
        >>> wgs84 = gpd.GeoSeries([Point(112.0, -2.0), None, Point(115.0, -2.0)], crs=4326)
        >>> groups = {32749: [0], 32750: [2]}
        >>> metric = {e: to_metric(wgs84.iloc[p], e) for e, p in groups.items()}
        >>> batch = Batch(gpd.GeoDataFrame(geometry=wgs84), wgs84, np.array([True, False, True]),
        ...               groups, metric, np.full(3, np.nan))
        >>> utm = batch.in_crs(wgs84.to_crs(32749).crs)
        >>> utm[0] is metric[32749].iloc[0], utm[1], batch.in_crs("EPSG:32749") is utm
        (True, None, True)
        >>> utm[2].equals(wgs84.to_crs(32749).iloc[2])
        True
        """
        from pyproj import CRS

        crs = CRS.from_user_input(crs)
        name = crs.to_wkt()
        if name in self._in_crs:
            return self._in_crs[name]
        wgs84 = np.asarray(self.wgs84.array, dtype=object)
        if crs.equals("EPSG:4326"):
            self._in_crs[name] = wgs84
            return wgs84
        out = np.full(len(wgs84), None, dtype=object)
        todo = ~pd.isna(wgs84)
        for epsg, positions in self.groups.items():
            if is_zone_crs(crs, epsg):
                pos = np.asarray(positions, dtype=np.int64)
                local = np.asarray(self.metric[epsg].array, dtype=object)
                plain = (shapely.get_num_coordinates(local)
                         == shapely.get_num_coordinates(wgs84[pos]))
                out[pos[plain]] = local[plain]
                todo[pos[plain]] = False
        if todo.any():
            moved = gpd.GeoSeries(wgs84[todo], crs=self.wgs84.crs).to_crs(crs)
            out[todo] = np.asarray(moved.array, dtype=object)
        self._in_crs[name] = out
        return out


@dataclass(frozen=True)
class Overlaid:
    """One legal layer with what lies under each plot and how sure the map is there.

    Attributes
    ----------
    layer : GeoDataFrame or None
        The layer as its reader returned it; None when not given.
    overlay : LayerOverlay or None
        The plots overlaid on it (:func:`overlay_plots`); None without the layer.
    tolerance : ndarray of float
        Per plot, the positional tolerance (m) at the layer's boundaries.
    """

    layer: gpd.GeoDataFrame | None
    overlay: LayerOverlay | None
    tolerance: np.ndarray


def constraint_hits(batch: Batch, constraints: list[gpd.GeoDataFrame], bar: Any
                    ) -> list[list[tuple[str, str]]]:
    """Per plot, the (rule, layer name) of every constraint layer it overlaps."""
    n, groups, metric = batch.n, batch.groups, batch.metric
    none: list[tuple[str, str]] = []  # shared by every plot no layer touches, never grown
    hits: list[list[tuple[str, str]]] = [none] * n
    for layer in constraints:
        for epsg, positions in groups.items():
            bar.update()
            grown = buffer_constraint(to_metric(layer, epsg))
            ov = overlay_layer(metric[epsg].reset_index(drop=True), grown, "constraint_rule",
                               outcome=lambda v: v, tolerance_m=np.zeros(len(positions)))
            touched = ov.core_mask | ov.band_mask
            for local in np.flatnonzero(touched):
                for rule in ov.values(touched[local]):
                    if rule is not None:
                        name = str(layer["constraint_name"].iloc[0])
                        pair = (rule, name)
                        if hits[positions[local]] is none:
                            hits[positions[local]] = []
                        if pair not in hits[positions[local]]:
                            hits[positions[local]].append(pair)
    return hits


def overlay_plots(batch: Batch, layer: gpd.GeoDataFrame, column: str,
                  key: Callable[[Any], Hashable], tolerance: np.ndarray, bar: Any
                  ) -> LayerOverlay:
    """Overlay the plots on one layer: what lies under each, in the layer's own CRS.

    Which polygons lie under a plot is found in the layer's CRS, where its edges are
    the straight lines its makers drew: the plots are carried into it (exact for
    points), never the layer's millions of vertices into each plot's UTM zone.
    Distances and the split of plots that cross an edge are measured in each plot's
    UTM zone, against the decisive boundaries (derived once per layer and rule
    outcomes, kept on disk) and only the layer polygons those plots touch.
    """
    n, groups, metric, wgs84, area = batch.n, batch.groups, batch.metric, batch.wgs84, batch.area
    categories = layer_categories(layer[column].astype(object))
    check_categories(categories, column)
    values = category_values(layer, column)
    layer_geoms = np.asarray(layer.geometry.array, dtype=object)
    # Prepared once and kept with the layer's geometries: the next screen call (a
    # notebook, the next dask partition on the same worker) skips it.
    shapely.prepare(layer_geoms[~shapely.is_prepared(layer_geoms) & ~pd.isna(layer_geoms)])
    native_geoms = batch.in_crs(layer.crs)
    polygonal = np.isin(shapely.get_type_id(native_geoms),
                        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    edges = tree_of(_layer_edges(layer)) if polygonal.any() else None
    found = cover(native_geoms, layer_geoms, edges)
    parts, source = subdivided_layer(layer) if found.crossing else (None, None)
    parts_of = _parts_under(parts, native_geoms, found)
    distance = np.full(n, np.nan)
    crossing: dict[int, Crossing] = {}
    for epsg, positions in groups.items():
        bar.update()
        pos = np.asarray(positions)
        local = np.asarray(metric[epsg].array, dtype=object)
        # A layer drawn in this very zone is measured as it is; any other is cropped
        # to the boundaries in and near the zone before it is projected.
        cropped = not is_zone_crs(layer.crs, epsg)
        pieces = layer_pieces(layer, column, categories, key, epsg, whole=not cropped)
        distance[pos] = nearest_distance(local, pieces, tree_of(pieces))
        here = {p: parts_of[p] for p in pos[np.isin(pos, list(parts_of))].tolist()}
        if cropped:
            # Only the boundaries in and near the zone were searched: a plot whose
            # nearest lies farther than the zone's margin is searched in all of them.
            reach = reach_m(shapely.bounds(np.asarray(wgs84.array, dtype=object)[pos]), epsg)
            far = ~(distance[pos] < reach)
            split = np.isin(pos, list(here))  # their tolerance band must lie within reach
            wide = bool((tolerance[pos[split]] >= reach[split]).any())
            if far.any() or wide:
                pieces = layer_pieces(layer, column, categories, key, epsg, whole=True)
                distance[pos[far]] = nearest_distance(local[far], pieces, tree_of(pieces))
        if here:
            needed = sorted({j for js in here.values() for j in js})
            projected = to_metric(gpd.GeoSeries(parts[needed], crs=layer.crs), epsg)
            at = dict(zip(pos.tolist(), local))
            crossing.update(crossing_overlaps(
                {p: at[p] for p in here}, here, dict(zip(needed, projected.array)),
                values[source], pieces, tolerance, tree_of(pieces), row_of=source))
    return assemble(categories, values, found, crossing, distance, area)


def _layer_edges(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Return the edges of the layer's polygons, cut into pieces, cached like the pieces."""
    info = layer.attrs.get("lahan_geo", {})
    key = (info.get("sha256"), str(layer.crs), len(layer), "edges", PIECE_VERTICES,
           layer_fingerprint(layer))
    if key[0] is not None and key in _PIECES:
        return _PIECES[key]
    edges = cached_geometries(
        key, lambda: layer_edges(np.asarray(layer.geometry.array, dtype=object)))
    if key[0] is not None:
        _keep(key, edges)
    return edges


def _keep(key: tuple[Any, ...], pieces: np.ndarray) -> None:
    while len(_PIECES) >= _PIECES_KEPT:
        _PIECES.pop(next(iter(_PIECES)))
    _PIECES[key] = pieces


def _parts_under(parts: np.ndarray | None, native: np.ndarray, found: Cover
                 ) -> dict[int, list[int]]:
    """For each plot crossing a polygon edge, the pieces of the subdivided layer under it.

    ``parts`` are the layer's polygons cut by :func:`~lahan_geo.layers.subdivide.subdivided_layer`.

    A parcel crossing the edge of a 100,000-vertex forest polygon is cut with the
    few small pieces around it (:func:`~lahan_geo.layers.subdivide.subdivided_layer`,
    cached on disk), never with the whole polygon.
    """
    if not found.crossing or parts is None:
        return {}
    plots = np.array(sorted(found.crossing))
    plot_i, part_i = shapely.STRtree(parts).query(native[plots], predicate="intersects")
    order = np.lexsort((part_i, plot_i))
    out: dict[int, list[int]] = {}
    for p, j in zip(plots[plot_i[order]].tolist(), part_i[order].tolist()):
        out.setdefault(p, []).append(j)
    return out


#: Decisive boundary pieces of recently used layers, per CRS (a notebook re-screens
#: often); derived once per layer and rule outcomes, also kept in the on-disk cache.
_PIECES: dict[tuple[Any, ...], np.ndarray] = {}


_PIECES_KEPT = 16


#: Names how the pieces are cut and projected: part of their cache key.
PIECES_VERSION = (f"pieces-{PIECE_VERTICES}-{MAX_SEGMENT_DEG}-snap-{UNION_GRID_DEG}-"
                  f"{UNION_GRID_M}-sliver-{SLIVER_HALF_WIDTH_M}")


#: Spatial indexes of the pieces in ``_PIECES``, by the pieces array's identity.
_TREES: dict[int, tuple[np.ndarray, shapely.STRtree]] = {}


def tree_of(pieces: np.ndarray) -> shapely.STRtree:
    """Return an STRtree of ``pieces``, built once while they are kept in memory."""
    kept = _TREES.get(id(pieces))
    if kept is not None and kept[0] is pieces:
        return kept[1]
    tree = shapely.STRtree(pieces, node_capacity=NODE_CAPACITY)
    if any(p is pieces for p in _PIECES.values()):
        while len(_TREES) >= _PIECES_KEPT:
            _TREES.pop(next(iter(_TREES)))
        _TREES[id(pieces)] = (pieces, tree)
    return tree


def layer_pieces(layer: gpd.GeoDataFrame, column: str, categories: tuple[Any, ...],
                  key: Callable[[Any], Hashable], epsg: int | None = None,
                  whole: bool = True) -> np.ndarray:
    """Return the layer's decisive boundary pieces, in its CRS or projected to ``epsg``.

    Projected with ``whole=False``, only the pieces within
    :func:`~lahan_geo.metric.zone_band` of the zone: a national layer is not projected
    whole into each of Indonesia's nine zones, a UTM 49S plan not whole into zone 50.
    In a layer whose CRS is the zone ``epsg`` itself, the pieces are its own: the
    same array (and spatial index) as with ``epsg=None``. All are kept on disk
    (:func:`~lahan_geo.layers.cache.cached_geometries`) and for the last few layers in
    memory: deriving them takes a union per rule outcome of the whole layer, projecting
    them a densified transform of every vertex.
    """
    if epsg is not None and is_zone_crs(layer.crs, epsg):
        return layer_pieces(layer, column, categories, key)
    values = layer[column].astype(object)
    outcomes = tuple((repr(c), repr(key(c))) for c in categories)
    info = layer.attrs.get("lahan_geo", {})
    memo_key = (info.get("sha256"), str(layer.crs), len(layer), column,
                layer_fingerprint(layer, [column]), outcomes, PIECES_VERSION)
    band = ("band", ZONE_MARGIN_DEG) if layer.crs.is_geographic else (
        "band", ZONE_MARGIN_DEG, BAND_SLACK_DEG)
    wanted = (*memo_key, epsg) if whole or epsg is None else (*memo_key, epsg, *band)
    if memo_key[0] is not None and wanted in _PIECES:
        return _PIECES[wanted]
    if epsg is None:
        def build() -> np.ndarray:
            geoms = np.asarray(layer.geometry.array, dtype=object)
            keys = [key(None if pd.isna(v) else v) for v in values]
            grid, sliver = slivers_in(layer.crs)
            return decisive_boundaries(geoms, keys, key(None), grid_size=grid, sliver=sliver)
    else:
        def build() -> np.ndarray:
            native = layer_pieces(layer, column, categories, key)
            if not whole:
                native = native[in_zone_band(native, layer.crs, epsg)]
            return np.asarray(to_metric(gpd.GeoSeries(native, crs=layer.crs), epsg).array,
                              dtype=object)
    pieces = cached_geometries(wanted, build)
    if memo_key[0] is not None:
        _keep(wanted, pieces)
    return pieces



def forget_pieces() -> None:
    """Drop the boundary pieces and spatial indexes kept in memory (not those on disk).

    The next screening derives them again, or reads them from the on-disk cache: what
    a new process would do.

    Examples
    --------
    >>> forget_pieces()
    >>> len(_PIECES), len(_TREES)
    (0, 0)
    """
    _PIECES.clear()
    _TREES.clear()
