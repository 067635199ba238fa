"""Cut big layer polygons into small pieces, like PostGIS ``ST_Subdivide``.

A province's forest layer holds polygons of 100,000 vertices and more, with
hundreds of holes. A parcel of a few hectares that crosses such a polygon only
touches a tiny part of it, yet intersecting the parcel with the whole polygon costs
work in proportion to all its vertices, and the polygon's envelope (what a spatial
index prunes by) covers a whole regency. Cut into pieces of at most a few hundred
vertices, the same polygon gives small envelopes: the index hands a parcel the two
or three pieces it really crosses, and each intersection is cheap. PostGIS users do
the same with ``ST_Subdivide`` before overlaying parcels on big polygons.

How it cuts
-----------
Polygons (and parts of multipolygons) with at most ``max_vertices`` coordinates are
kept whole. Each larger one is cut in two at the middle of the longer side of its
bounding box, and the halves that are still too big are cut again; every round
handles all pieces of all polygons together. The pieces of one polygon cover it
exactly (up to floating-point noise on the cut lines) and do not overlap.

Each half is taken with :func:`shapely.clip_by_rect`, which is several times faster
than a full overlay (:func:`shapely.intersection`: 2.5 s instead of 25 s for a
layer of 2.8 million vertices) but may return an invalid polygon, typically where a
vertex or an edge lies exactly on the cut line, as in layers drawn on a grid, and
in rare cases a valid but wrong one (GEOS issue #605). So every cut is checked: the
areas of the two halves must add up to the piece's area (up to rounding on the cut
line), a polygon may never have more than four pieces still to cut per vertex
(clipping gone wrong can double them every round), and every new piece must be
valid. A
polygon failing any check is cut again from the start with
:func:`shapely.intersection` (GEOS OverlayNG), which always gives valid output.

A region that halving cannot simplify (``max_vertices`` below 8 near a reflex
vertex, or a box shrunk to floating-point resolution) is kept as it is after
:data:`MAX_DEPTH` cuts (or, in the exact overlay, once its polygon has that many
pieces still to cut); only such pieces may exceed ``max_vertices``.

Examples
--------
>>> import numpy as np
>>> import shapely
>>> t = np.linspace(0, 2 * np.pi, 1000, endpoint=False)
>>> disc = shapely.Polygon(np.c_[np.cos(t), np.sin(t)])
>>> pieces, source = subdivide(np.array([disc, None, shapely.box(2, 2, 3, 3)]), 64)
>>> len(pieces), int(shapely.get_num_coordinates(pieces).max())
(33, 58)
>>> np.bincount(source).tolist()
[32, 0, 1]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.errors import GEOSException

from lahan_geo.errors import LayerError
from lahan_geo.layers.cache import cached_geometries, layer_fingerprint, usable_cache_dir

__all__ = ["MAX_DEPTH", "MIN_VERTICES", "VERSION", "subdivide", "subdivided_layer"]

#: Tag of the cutting algorithm, part of every cache key: change it when the pieces
#: of the same input would change.
VERSION = "subdivide-v1"

#: The smallest ``max_vertices`` accepted: a box needs 5 coordinates (as in PostGIS).
MIN_VERTICES = 5

#: A piece is cut at most this many times (as in PostGIS); what is left is kept.
MAX_DEPTH = 50

#: The areas of the halves of a piece must add up to its area within this share
#: (plus rounding on the cut line), or its polygon is cut again with the exact
#: overlay. Observed noise is ~1e-15.
_AREA_RTOL = 1e-10

#: A polygon is never cut into more pieces at once than this many per coordinate
#: (plus 64): past that, clipping has gone wrong (fast path) or cannot simplify it
#: further (exact path, the pieces are kept as they are).
_PIECE_BUDGET = 4

_POLYGON = 3
_MULTI_OR_COLLECTION = (4, 5, 6, 7)

#: Pieces of recently used layers (a notebook screens again and again).
_SUBDIVIDED: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
_SUBDIVIDED_KEPT = 4


def subdivide(
    geoms: npt.ArrayLike, max_vertices: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into pieces of at most ``max_vertices`` coordinates each.

    Parameters
    ----------
    geoms : array_like of shapely geometries
        One-dimensional; valid Polygons and MultiPolygons (an invalid one that
        needs cutting may raise or give invalid pieces). None and empty geometries
        are allowed and give no pieces.
    max_vertices : int, default 256
        The most coordinates (:func:`shapely.get_num_coordinates`, closing
        coordinates and holes included) a piece may have; at least
        :data:`MIN_VERTICES`.

    Returns
    -------
    pieces : ndarray of object
        Valid, non-empty Polygons (never Multi). A polygon or part small enough is
        returned as it is; the pieces of a larger one cover it exactly and do not
        overlap each other.
    source : ndarray of int64
        ``source[i]`` is the position in ``geoms`` of the geometry ``pieces[i]``
        comes from. Pieces are ordered by source, then by their bounds (west to
        east, then south to north); the same input always gives the same output.

    Raises
    ------
    ValueError
        If ``geoms`` is not one-dimensional or ``max_vertices`` is too small.
    LayerError
        If a geometry is neither polygonal nor empty, or GEOS cannot cut it
        (an invalid polygon).

    See Also
    --------
    subdivided_layer : the same for a layer, cached on disk.

    Examples
    --------
    A 400 x 400 m block with a 200 x 200 m hole, drawn with 3,202 coordinates, next
    to a triangle small enough to keep whole:

    >>> import numpy as np
    >>> import shapely
    >>> hole = shapely.segmentize(shapely.box(100, 100, 300, 300), 0.5)
    >>> block = shapely.Polygon(shapely.segmentize(shapely.box(0, 0, 400, 400), 1.0).exterior,
    ...                         [hole.exterior])
    >>> triangle = shapely.Polygon([(500, 0), (510, 0), (505, 10)])
    >>> int(shapely.get_num_coordinates(block))
    3202
    >>> pieces, source = subdivide([block, triangle], max_vertices=256)
    >>> np.bincount(source).tolist(), int(shapely.get_num_coordinates(pieces).max()) <= 256
    ([16, 1], True)
    >>> float(shapely.area(pieces[source == 0]).sum()), pieces[-1] == triangle
    (120000.0, True)
    """
    geoms = np.asarray(geoms, dtype=object)
    if geoms.ndim != 1:
        raise ValueError(f"subdivide needs a one-dimensional array of geometries, "
                         f"not one of shape {geoms.shape}.")
    max_vertices = _checked(max_vertices)
    parts, source = _polygon_parts(geoms)
    coordinates = np.bincount(source, weights=shapely.get_num_coordinates(parts),
                              minlength=len(geoms))
    budget = (_PIECE_BUDGET * coordinates + 64).astype(np.int64)

    pieces, piece_source, was_cut, failed = _halve(parts, source, max_vertices, budget,
                                                   exact=False)
    invalid = piece_source[was_cut][~shapely.is_valid(pieces[was_cut])]
    failed = np.union1d(failed, invalid).astype(np.int64)
    if len(failed):
        ok = ~np.isin(piece_source, failed)
        again = np.isin(source, failed)
        try:
            redo, redo_source, _, _ = _halve(parts[again], source[again], max_vertices,
                                             budget, exact=True)
        except GEOSException as err:
            bad = failed[~shapely.is_valid(geoms[failed])]
            raise LayerError(f"subdivide could not cut the geometries at positions "
                             f"{bad[:10].tolist() or failed[:10].tolist()} ({err}). Fix: "
                             f"make them valid first (shapely.make_valid).") from err
        pieces = np.concatenate([pieces[ok], redo])
        piece_source = np.concatenate([piece_source[ok], redo_source])

    bounds = shapely.bounds(pieces).reshape(-1, 4)
    order = np.lexsort((bounds[:, 3], bounds[:, 2], bounds[:, 1], bounds[:, 0], piece_source))
    return pieces[order], piece_source[order].astype(np.int64)


def subdivided_layer(
    layer: gpd.GeoDataFrame, max_vertices: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Return :func:`subdivide` of a layer's geometries, cached on disk and in memory.

    The pieces and their sources are stored through
    :func:`lahan_geo.layers.cache.cached_geometries`, keyed by the layer's content hash
    (``layer.attrs["lahan_geo"]["sha256"]``, set by the layer readers), its length,
    CRS, ``max_vertices``, :data:`VERSION` and
    :func:`~lahan_geo.layers.cache.layer_fingerprint` of the geometry actually cut (a
    sorted, filtered or edited copy of a layer keeps its ``attrs``). The
    last few results are also kept in memory (even with the disk cache off), so
    calling again costs nothing. A layer without a content hash, such as one built
    in memory, is subdivided each time.

    Parameters
    ----------
    layer : GeoDataFrame
        A prepared legal layer (valid Polygons and MultiPolygons).
    max_vertices : int, default 256
        As for :func:`subdivide`.

    Returns
    -------
    pieces : ndarray of object
        As for :func:`subdivide`; read-only, shared between calls.
    source : ndarray of int64
        The row position in ``layer`` of each piece; read-only, shared.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import numpy as np
    >>> import shapely
    >>> big = shapely.Polygon(shapely.segmentize(shapely.box(0, 0, 1000, 1000), 5).exterior)
    >>> layer = gpd.GeoDataFrame({"f": ["HL", "APL"]},
    ...                          geometry=[shapely.box(-10, 0, 0, 10), big], crs="EPSG:32749")
    >>> pieces, source = subdivided_layer(layer, max_vertices=128)
    >>> np.bincount(source).tolist()
    [1, 12]
    >>> float(shapely.area(pieces[source == 1]).sum())
    1000000.0
    """
    max_vertices = _checked(max_vertices)
    geoms = np.asarray(layer.geometry.array, dtype=object)
    sha = layer.attrs.get("lahan_geo", {}).get("sha256")
    if sha is None:
        result = subdivide(geoms, max_vertices)
        for array in result:
            array.flags.writeable = False
        return result
    key = (sha, len(layer), str(layer.crs), max_vertices, VERSION, layer_fingerprint(layer))
    if key in _SUBDIVIDED:
        return _SUBDIVIDED[key]

    built: list[tuple[np.ndarray, np.ndarray]] = []

    def build() -> tuple[np.ndarray, np.ndarray]:
        if not built:
            built.append(subdivide(geoms, max_vertices))
        return built[0]

    if usable_cache_dir() is None:
        result = build()
    else:
        # Two entries of one geometry type each (the cache stores those as plain
        # coordinate arrays, fast to load): the pieces, and their sources as the x of
        # points. Both are exact, and both are the same whichever process built them.
        pieces = cached_geometries((*key, "pieces"), lambda: build()[0])
        points = cached_geometries((*key, "source"), lambda: _as_points(build()[1]))
        result = _unpacked(pieces, points, len(geoms))
        if result is None:  # entries that do not fit this layer are never trusted
            result = build()
    for array in result:
        array.flags.writeable = False
    while len(_SUBDIVIDED) >= _SUBDIVIDED_KEPT:
        _SUBDIVIDED.pop(next(iter(_SUBDIVIDED)))
    _SUBDIVIDED[key] = result
    return result


def _checked(max_vertices: int) -> int:
    """Return ``max_vertices`` as an int, or raise if it is not a usable limit."""
    try:
        whole = None if isinstance(max_vertices, (bool, str)) else int(max_vertices)
    except (TypeError, ValueError, OverflowError):
        whole = None
    if whole is None or whole != max_vertices or whole < MIN_VERTICES:
        raise ValueError(f"max_vertices must be a whole number of at least {MIN_VERTICES} "
                         f"(a box has 5 coordinates), not {max_vertices!r}.")
    return whole


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the non-empty Polygon parts of ``geoms`` and their positions."""
    types = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms) | (types < 0)
    wrong = ~empty & (types != _POLYGON) & (types != 6)
    if wrong.any():
        where = np.flatnonzero(wrong)
        kinds = sorted({geoms[i].geom_type for i in where})
        raise LayerError(f"subdivide cuts only Polygons and MultiPolygons; the geometries at "
                         f"positions {where[:10].tolist()} are {', '.join(kinds)}.")
    parts, index = shapely.get_parts(geoms[~empty], return_index=True)
    source = np.flatnonzero(~empty)[index]
    keep = ~shapely.is_empty(parts)
    return parts[keep], source[keep].astype(np.int64)


def _halve(
    parts: np.ndarray, source: np.ndarray, max_vertices: int, budget: np.ndarray, *,
    exact: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut ``parts`` in halves, round after round, until every piece is small enough.

    Returns the pieces, their sources, whether each piece is new (not an input part
    as it was) and, unless ``exact``, the sources whose fast clipping failed a check.
    """
    done: list[tuple[np.ndarray, np.ndarray, bool]] = []
    failed = np.empty(0, dtype=np.int64)
    work, work_source = parts, source
    for depth in range(MAX_DEPTH + 1):
        if len(failed):
            alive = ~np.isin(work_source, failed)
            work, work_source = work[alive], work_source[alive]
        if not len(work):
            break
        bounds = shapely.bounds(work)
        width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
        along_x = width >= height
        low = np.where(along_x, bounds[:, 0], bounds[:, 1])
        high = np.where(along_x, bounds[:, 2], bounds[:, 3])
        mid = low + (high - low) / 2
        small = ((shapely.get_num_coordinates(work) <= max_vertices) | (depth == MAX_DEPTH)
                 | ~((low < mid) & (mid < high)))  # a box at floating-point resolution
        # Honest halving never makes many more pieces than a polygon has vertices;
        # clipping gone wrong can double them every round.
        crowded = np.bincount(work_source[~small], minlength=len(budget)) > budget
        if crowded.any():
            if exact:
                small |= crowded[work_source]
            else:
                failed = np.union1d(failed, np.flatnonzero(crowded))
                small &= ~crowded[work_source]
        done.append((work[small], work_source[small], depth > 0))
        big = ~small & ~np.isin(work_source, failed)
        if not big.any():
            break
        work, work_source, bounds, along_x, mid = (
            work[big], work_source[big], bounds[big], along_x[big], mid[big])
        # Boxes reach well past the piece on three sides, so only the cut line
        # crosses it: no edge of the piece's outline runs along a box edge.
        pad = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        x0, y0 = bounds[:, 0] - pad, bounds[:, 1] - pad
        x1, y1 = bounds[:, 2] + pad, bounds[:, 3] + pad
        rects = np.concatenate([
            np.c_[x0, y0, np.where(along_x, mid, x1), np.where(along_x, y1, mid)],
            np.c_[np.where(along_x, mid, x0), np.where(along_x, y0, mid), x1, y1],
        ])
        halves = np.concatenate([work, work])
        if exact:
            clipped = shapely.intersection(halves, shapely.box(*rects.T))
        else:
            clipped = _clip_all(halves, rects)
        children, index = _polygons_of(clipped)
        if not exact:
            failed = np.union1d(failed, _area_changed(work, work_source, bounds, children,
                                                      index % len(work)))
        work, work_source = children, np.concatenate([work_source, work_source])[index]
    pieces = np.concatenate([d[0] for d in done]) if done else np.empty(0, dtype=object)
    piece_source = (np.concatenate([d[1] for d in done]) if done
                    else np.empty(0, dtype=np.int64))
    was_cut = (np.concatenate([np.full(len(d[0]), d[2]) for d in done]) if done
               else np.empty(0, dtype=bool))
    return pieces, piece_source, was_cut, failed


def _area_changed(parents: np.ndarray, source: np.ndarray, bounds: np.ndarray,
                  children: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Return the sources of the ``parents`` whose ``children`` miss or add some area.

    The tolerance allows for the rounding of the new vertices on the cut line (at
    most an ulp of the largest coordinate, along the parent's outline).
    """
    area = shapely.area(parents)
    split = np.bincount(parent, weights=shapely.area(children), minlength=len(parents))
    magnitude = np.abs(bounds).max(axis=1)
    tolerance = (_AREA_RTOL * area
                 + 4 * np.finfo(float).eps * magnitude * shapely.length(parents))
    return np.unique(source[~(np.abs(split - area) <= tolerance)])


def _clip_by_rect(geom: shapely.Geometry, rect: list[float]) -> shapely.Geometry:
    """Return ``geom`` clipped to ``rect`` (xmin, ymin, xmax, ymax), the fast way."""
    return shapely.clip_by_rect(geom, *rect)


def _clip_all(geoms: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Clip each geometry to its rectangle; None where GEOS raised."""
    # clip_by_rect takes one rectangle per call, so this loops in Python; the cost
    # is small next to the clipping itself.
    clipped = np.empty(len(geoms), dtype=object)
    for k, (geom, rect) in enumerate(zip(geoms, rects.tolist())):
        try:
            clipped[k] = _clip_by_rect(geom, rect)
        except GEOSException:
            pass  # no piece: the area check sends the polygon to the exact overlay
    return clipped


def _polygons_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Explode ``geoms`` into their Polygons (no lines or points from touching edges)."""
    index = np.arange(len(geoms))
    while True:
        types = shapely.get_type_id(geoms)
        if not np.isin(types, _MULTI_OR_COLLECTION).any():
            break
        geoms, at = shapely.get_parts(geoms, return_index=True)
        index = index[at]
    keep = (shapely.get_type_id(geoms) == _POLYGON) & (shapely.area(geoms) > 0)
    return geoms[keep], index[keep]


def _as_points(source: np.ndarray) -> np.ndarray:
    """Source positions as points (x = position; exact in float64 below 2**53)."""
    return shapely.points(source.astype(float), np.zeros(len(source)))


def _unpacked(pieces: Any, points: Any, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Pieces and sources from the cache, or None when they do not fit ``n`` rows."""
    pieces = np.asarray(pieces, dtype=object).reshape(-1)
    x = shapely.get_x(np.asarray(points, dtype=object).reshape(-1))
    source = np.nan_to_num(x, nan=-1.0).astype(np.int64)
    if (len(pieces) != len(source) or not np.array_equal(source, x)
            or (len(source) and (source[0] < 0 or source[-1] >= n
                                 or (np.diff(source) < 0).any()))
            or (len(pieces) and (shapely.get_type_id(pieces) != _POLYGON).any())):
        return None
    return pieces, source
