"""Exact shortcuts for layers that are polygon coverages: enclaves that fill a hole.

A forest-estate or spatial-plan layer is a coverage: a province-long strip of one
function carries thousands of holes, each filled exactly by an enclave polygon whose
outer ring is the hole's ring, vertex for vertex. GEOS's general relate and union
treat every such pair by noding the strip's hundreds of thousands of vertices again;
here the pairs are recognised by their rings alone, in exact arithmetic (the same
coordinates, the same cycle), so the answers need no geometry computation:

- an enclave filling a hole of a (single) polygon touches it and does not overlap it
  (:func:`hole_fills`);
- the union of a polygon and the enclaves filling its holes is the polygon with those
  holes taken out and the enclaves' own holes put in (:func:`fill_holes`);
- polygons that intersect no other are their own union (:func:`isolated`).

Every function expects valid polygons, as :func:`lahan_geo.layers.source.repair_polygons`
leaves them.

Examples
--------
A strip with one hole and the enclave that fills it (its ring starts elsewhere and
runs the other way):

>>> from shapely import Polygon
>>> strip = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
>>> enclave = Polygon([(4, 4), (4, 2), (2, 2), (2, 4)])
>>> hole_fills(np.array([strip, enclave])).tolist()
[-1, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

__all__ = ["fill_holes", "hole_fills", "isolated", "ring_keys"]


def ring_keys(rings: np.ndarray) -> list[bytes | None]:
    """Return each closed ring's vertex cycle as bytes, whatever its start and direction.

    Two rings have the same key exactly when they have the same vertices in the same
    cyclic order (one possibly reversed): the cycle is written from its lowest vertex
    (by x, then y), towards the lower of that vertex's two neighbours. None when the
    start cannot be told: fewer than 3 vertices, or the lowest vertex or its
    neighbours repeat.

    Examples
    --------
    >>> from shapely import LinearRing
    >>> a, b = LinearRing([(0, 0), (1, 0), (1, 1)]), LinearRing([(1, 1), (1, 0), (0, 0)])
    >>> keys = ring_keys(np.array([a, b, a.reverse(), LinearRing([(0, 0), (1, 1), (0, 1)])]))
    >>> keys[0] == keys[1] == keys[2] != keys[3]
    True
    """
    coords, owner = shapely.get_coordinates(np.asarray(rings, dtype=object), return_index=True)
    if not len(coords):
        return [None] * len(rings)
    size = np.bincount(owner, minlength=len(rings))
    coords = np.delete(coords, np.cumsum(size) - 1, axis=0)  # the closing vertex
    owner = np.repeat(np.arange(len(rings)), size - 1)
    n = np.maximum(size - 1, 1)
    start = np.concatenate([[0], np.cumsum(size - 1)[:-1]]).astype(np.int64)
    # The lowest vertex of each ring: least x, then least y among those (no sort).
    x, y = coords[:, 0], coords[:, 1]
    last = len(coords) - 1
    at = np.minimum(start, last)
    lowest = x == np.minimum.reduceat(x, at)[owner]
    lowest &= y == np.minimum.reduceat(np.where(lowest, y, np.inf), at)[owner]
    rings_low, low = np.unique(owner[lowest], return_index=True)
    low = np.flatnonzero(lowest)[low]
    offset = np.zeros(len(rings), dtype=np.int64)
    offset[rings_low] = low - start[rings_low]
    same_low = np.bincount(owner[lowest], minlength=len(rings)) != 1
    ahead = coords[np.minimum(start + (offset + 1) % n, last)]
    behind = coords[np.minimum(start + (offset - 1) % n, last)]
    unknown = (size - 1 < 3) | same_low | (ahead == behind).all(axis=1)
    backwards = (behind[:, 0] < ahead[:, 0]) | (
        (behind[:, 0] == ahead[:, 0]) & (behind[:, 1] < ahead[:, 1]))
    step = np.arange(len(coords)) - start[owner]
    step = np.where(backwards[owner], -step, step)
    cycle = np.ascontiguousarray(coords[start[owner] + (offset[owner] + step) % n[owner]])
    return [None if unknown[i] else cycle[a:a + k].tobytes()
            for i, (a, k) in enumerate(zip(start.tolist(), (size - 1).tolist()))]


def _rings(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rings of polygons: (rings, owner part, is outer ring, position of each outer ring)."""
    n_holes = shapely.get_num_interior_rings(parts)
    rings, owner = shapely.get_rings(parts, return_index=True)
    first = np.concatenate([[0], np.cumsum(n_holes + 1)[:-1]]).astype(np.int64)
    is_shell = np.zeros(len(rings), dtype=bool)
    is_shell[first] = True
    return np.asarray(rings, dtype=object), owner, is_shell, first


def _matches(rings: np.ndarray, owner: np.ndarray, is_shell: np.ndarray
             ) -> list[tuple[int, int]]:
    """(outer ring, hole) pairs of different polygons with the same vertex cycle, each unique.

    Only rings sharing their vertex count and bounds with another ring are compared;
    a cycle found on more than one outer ring or hole matches nothing.
    """
    bounds = shapely.bounds(rings)
    signature = pd.DataFrame({"n": shapely.get_num_coordinates(rings), "x0": bounds[:, 0],
                              "y0": bounds[:, 1], "x1": bounds[:, 2], "y1": bounds[:, 3]})
    found: dict[bytes, list[int]] = {}
    candidates = np.flatnonzero(signature.duplicated(keep=False).to_numpy())
    for i, key in zip(candidates.tolist(), ring_keys(rings[candidates])):
        if key is not None:
            found.setdefault(key, []).append(i)
    pairs = []
    for same in found.values():
        if len(same) == 2 and is_shell[same[0]] != is_shell[same[1]]:
            shell, hole = same if is_shell[same[0]] else same[::-1]
            if owner[shell] != owner[hole]:
                pairs.append((shell, hole))
    return pairs


def hole_fills(parts: np.ndarray) -> np.ndarray:
    """Return, per polygon, the polygon whose hole its outer ring fills exactly (-1: none).

    ``parts`` are valid Polygons (not MultiPolygons, not empty). A polygon ``E`` whose
    outer ring is, vertex for vertex, a hole of polygon ``P`` lies in that hole: the two
    touch along the ring and their interiors do not meet.

    Examples
    --------
    >>> from shapely import box
    >>> frame = box(0, 0, 9, 9).difference(box(3, 3, 6, 6))
    >>> hole_fills(np.array([box(3, 3, 6, 6), frame, box(3, 3, 6, 7)])).tolist()
    [1, -1, -1]
    """
    return _hosts(parts)[0]


def _hosts(parts: np.ndarray) -> tuple[np.ndarray, Any]:
    """:func:`hole_fills`, with the rings and which of them the matches use up."""
    host = np.full(len(parts), -1, dtype=np.int64)
    if not len(parts) or not shapely.get_num_interior_rings(parts).any():
        return host, None
    rings, owner, is_shell, first = _rings(parts)
    gone = np.zeros(len(rings), dtype=bool)
    for shell, hole in _matches(rings, owner, is_shell):
        host[owner[shell]] = owner[hole]
        gone[shell] = gone[hole] = True
    return host, (rings, owner, is_shell, first, gone)
def fill_holes(parts: np.ndarray) -> np.ndarray:
    """Return polygons with the same union, each polygon merged with those filling its holes.

    ``parts`` are valid Polygons. ``P`` with a hole ``H`` and ``E`` whose outer ring is
    ``H`` have as union the polygon of ``P``'s outer ring, ``P``'s other holes and
    ``E``'s holes: no coordinate is computed, so the union's boundary keeps the exact
    vertices of the input. Enclaves within enclaves are merged the same way.

    Examples
    --------
    >>> from shapely import box
    >>> frame = box(0, 0, 9, 9).difference(box(3, 3, 6, 6))
    >>> ring = box(3, 3, 6, 6).difference(box(4, 4, 5, 5))
    >>> out = fill_holes(np.array([frame, ring, box(20, 0, 21, 1)]))
    >>> [round(p.area, 1) for p in out], [len(p.interiors) for p in out]
    ([80.0, 1.0], [1, 0])
    """
    host, found = _hosts(parts)
    if (host < 0).all():
        return parts
    rings, owner, is_shell, first, gone = found
    root = np.arange(len(parts))
    for i in np.flatnonzero(host >= 0).tolist():
        steps, at = 0, i
        while host[at] >= 0 and steps <= len(parts):
            at, steps = host[at], steps + 1
        if host[at] >= 0:  # a cycle: impossible for valid polygons; merge nothing
            return parts
        root[i] = at
    # The holes each merged polygon keeps, grouped by it (in their order within it).
    kept = np.flatnonzero(~is_shell & ~gone)
    kept = kept[np.argsort(root[owner[kept]], kind="stable")]
    roots = np.unique(root)
    bounds = np.searchsorted(root[owner[kept]], np.stack([roots, roots + 1]))
    count = np.bincount(root, minlength=len(parts))
    out = []
    for r, start, end in zip(roots.tolist(), bounds[0].tolist(), bounds[1].tolist()):
        out.append(parts[r] if count[r] == 1 else
                   shapely.Polygon(rings[first[r]], list(rings[kept[start:end]])))
    return np.asarray(out, dtype=object)


def isolated(polygons: np.ndarray) -> np.ndarray:
    """Say which polygons intersect no other of ``polygons`` (not even at a point).

    Each pair whose boxes meet is tested once, the larger polygon prepared: a 200-vertex
    enclave is never tested against an unprepared 200,000-vertex strip.

    Examples
    --------
    >>> from shapely import box
    >>> isolated(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])).tolist()
    [False, False, True]
    """
    polygons = np.asarray(polygons, dtype=object)
    alone = np.ones(len(polygons), dtype=bool)
    if len(polygons) < 2:
        return alone
    left, right = shapely.STRtree(polygons).query(polygons)
    keep = left < right
    left, right = left[keep], right[keep]
    size = shapely.get_num_coordinates(polygons)
    big = np.where(size[left] >= size[right], left, right)
    small = np.where(size[left] >= size[right], right, left)
    shapely.prepare(polygons[np.unique(big)])
    hit = shapely.intersects(polygons[big], polygons[small])
    alone[big[hit]] = False
    alone[small[hit]] = False
    return alone
