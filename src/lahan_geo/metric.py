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

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["utm_epsg", "utm_groups"]


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
    groups: dict[int, list[int]] = {}
    for pos, geom in enumerate(geoms_wgs84.array):
        if geom is None or geom.is_empty:
            continue
        point = shapely.get_coordinates(geom.representative_point())[0]
        if not np.isfinite(point).all():
            continue
        groups.setdefault(utm_epsg(point[0], point[1]), []).append(pos)
    return dict(sorted(groups.items()))
