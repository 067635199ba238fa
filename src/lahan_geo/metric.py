"""Pick the projected CRS in which distances and areas are measured.

Plots are grouped by their own UTM zone (and hemisphere), so a national batch is
measured in the zone each plot lies in, and a plot's numbers never depend on which
other plots share the batch.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> utm_groups(gpd.GeoSeries([Point(112.3, -2.5), Point(98.7, 3.6), None, Point(113.0, -1.0)]))
{32647: [1], 32749: [0, 3]}
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["MAX_SEGMENT_DEG", "to_metric", "utm_epsg", "utm_groups"]

#: Longest edge (degrees, ~110 m) kept when geographic geometry is projected: a long
#: straight edge in lon/lat is a curve in UTM, and projecting only its two ends
#: would move it (by hundreds of metres for an edge spanning degrees).
MAX_SEGMENT_DEG = 0.001


def utm_epsg(lon: float, lat: float) -> int:
    """Return the EPSG code of the WGS 84 / UTM zone containing (lon, lat).

    Examples
    --------
    >>> utm_epsg(112.3, -2.5), utm_epsg(98.7, 3.6)
    (32749, 32647)
    """
    zone = min(max(int((lon + 180.0) // 6.0) + 1, 1), 60)
    return (32700 if lat < 0 else 32600) + zone


def utm_groups(geoms_wgs84: gpd.GeoSeries) -> dict[int, list[int]]:
    """Return ``{epsg: [positions]}`` for the usable geometries, in ascending EPSG order."""
    geoms = np.asarray(geoms_wgs84.array, dtype=object)
    usable = ~pd.isna(geoms)
    usable[usable] = ~shapely.is_empty(geoms[usable])
    positions = np.flatnonzero(usable)
    if not len(positions):
        return {}
    anchor = shapely.point_on_surface(geoms[positions])
    xy = shapely.get_coordinates(anchor)
    finite = np.isfinite(xy).all(axis=1)
    positions, xy = positions[finite], xy[finite]
    zone = np.clip(np.floor((xy[:, 0] + 180.0) / 6.0).astype(int) + 1, 1, 60)
    epsg = np.where(xy[:, 1] < 0, 32700, 32600) + zone
    return {int(code): positions[epsg == code].tolist() for code in np.unique(epsg)}


def to_metric(data: Any, epsg: int) -> Any:
    """Project a GeoSeries or GeoDataFrame to ``epsg``, densifying geographic edges first.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> edge = gpd.GeoSeries([LineString([(114.0, -3.5), (114.0, 0.5)])], crs=4326)
    >>> len(to_metric(edge, 32749).iloc[0].coords) > 1000
    True
    """
    if data.crs is not None and data.crs.is_geographic:
        data = data.copy()
        data.geometry.values[:] = shapely.segmentize(
            np.asarray(data.geometry.array, dtype=object), MAX_SEGMENT_DEG)
    return data.to_crs(epsg)
