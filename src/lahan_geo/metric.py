"""Pick the projected CRS in which distances and areas are measured.

Plots are grouped by their own UTM zone, so a national batch is measured in the zone
each plot lies in, and a plot's numbers never depend on which other plots share the
batch. Both hemispheres of a zone are measured in its southern variant (EPSG:327zz):
the northern one differs only by the 10,000 km false northing, so distances and areas
are the same, and a batch straddling the equator (Kalimantan Barat, Sumatra,
Sulawesi) derives one set of layer boundaries per zone instead of two.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> utm_groups(gpd.GeoSeries([Point(112.3, -2.5), Point(98.7, 3.6), None, Point(113.0, 0.4)]))
{32747: [1], 32749: [0, 3]}
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import CRSError, InputError

__all__ = ["BAND_SLACK_DEG", "MAX_DENSIFIED_VERTICES", "MAX_SEGMENT_DEG", "ZONE_MARGIN_DEG",
           "crs_misfit", "in_zone_band", "is_zone_crs", "reach_m", "to_metric", "utm_epsg",
           "utm_groups", "zone_band"]

#: Longest edge (degrees, ~110 m) kept when geographic geometry is projected: a long
#: straight edge in lon/lat is a curve in UTM, and projecting only its two ends
#: would move it (by hundreds of metres for an edge spanning degrees).
MAX_SEGMENT_DEG = 0.001

#: Most vertices :func:`to_metric` may hold after densifying geographic edges (about
#: 2 GB of coordinates at most): a province layer's boundaries need ~1M, Indonesia's
#: all of them some tens of millions. Coordinates in metres labelled as degrees would
#: need billions; they are refused before any is made.
MAX_DENSIFIED_VERTICES = 60_000_000


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
    anchor = geoms[positions]
    shaped = shapely.get_type_id(anchor) != shapely.GeometryType.POINT
    anchor[shaped] = shapely.point_on_surface(anchor[shaped])
    xy = shapely.get_coordinates(anchor)
    finite = np.isfinite(xy).all(axis=1)
    positions, xy = positions[finite], xy[finite]
    epsg = 32700 + np.clip(np.floor((xy[:, 0] + 180.0) / 6.0).astype(int) + 1, 1, 60)
    return {int(code): positions[epsg == code].tolist() for code in np.unique(epsg)}


#: Longitude (degrees) beyond a zone's own 6 degrees whose layer boundaries are kept
#: with the zone (~110 km at the equator): nearer than that, a plot's nearest boundary
#: is found among them; farther, it is searched in the whole layer (:func:`reach_m`).
ZONE_MARGIN_DEG = 1.0


def zone_band(epsg: int) -> tuple[float, float]:
    """Return the longitudes (west, east) of UTM zone ``epsg``, widened by the margin.

    Examples
    --------
    >>> zone_band(32749)
    (107.0, 115.0)
    """
    west = -180.0 + 6.0 * (epsg % 100 - 1)
    return west - ZONE_MARGIN_DEG, west + 6.0 + ZONE_MARGIN_DEG


#: Degrees added on both sides of a projected geometry's longitudes (those of its bounding
#: box's corners) before it is tested against a zone's band: the box's edges are not
#: meridians, and a piece kept in error only costs a little search.
BAND_SLACK_DEG = 0.01


def in_zone_band(geoms: np.ndarray, crs: Any, epsg: int) -> np.ndarray:
    """Return, per geometry in ``crs``, whether it may reach into :func:`zone_band` of ``epsg``.

    In a geographic CRS the bounds are the longitudes. In a projected one (a district
    plan in UTM), the corners of each bounding box are unprojected and widened by
    :data:`BAND_SLACK_DEG`: a geometry left out lies wholly outside the band, so
    :func:`reach_m` holds for it; one that cannot be unprojected is kept.

    Examples
    --------
    >>> from shapely import LineString
    >>> lines = np.array([LineString([(112.0, -2.0), (112.1, -2.0)]),
    ...                   LineString([(118.0, -2.0), (118.1, -2.0)])])
    >>> in_zone_band(lines, "EPSG:4326", 32749).tolist()
    [True, False]
    >>> utm = np.array(to_metric(gpd.GeoSeries(lines, crs=4326), 32749).array)
    >>> in_zone_band(utm, 32749, 32749).tolist(), in_zone_band(utm, 32749, 32750).tolist()
    ([True, False], [False, True])
    """
    from pyproj import CRS, Transformer

    west, east = zone_band(epsg)
    box = shapely.bounds(np.asarray(geoms, dtype=object)).reshape(-1, 4)
    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        return (box[:, 2] >= west) & (box[:, 0] <= east)
    corners_x = box[:, [0, 0, 2, 2]].ravel()
    corners_y = box[:, [1, 3, 1, 3]].ravel()
    move = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    with np.errstate(invalid="ignore"):
        lon = np.asarray(move.transform(corners_x, corners_y)[0], dtype=float).reshape(-1, 4)
    known = np.isfinite(lon).all(axis=1)
    lon = np.where(known[:, None], lon, 0.0)
    near = ((lon.max(axis=1) + BAND_SLACK_DEG >= west)
            & (lon.min(axis=1) - BAND_SLACK_DEG <= east))
    return near | ~known


def is_zone_crs(crs: Any, epsg: int) -> bool:
    """Return whether ``crs`` is the UTM zone ``epsg`` itself, so data in it is measured as is.

    Examples
    --------
    >>> is_zone_crs("EPSG:32749", 32749), is_zone_crs("EPSG:32649", 32749)
    (True, False)
    >>> is_zone_crs("EPSG:4326", 32749), is_zone_crs(None, 32749)
    (False, False)
    """
    from pyproj import CRS

    return crs is not None and CRS.from_user_input(crs).equals(CRS.from_epsg(epsg))


def reach_m(bounds: np.ndarray, epsg: int) -> np.ndarray:
    """Return, per geometry, metres within which every point lies inside the zone's band.

    ``bounds`` are the geometries' (minx, miny, maxx, maxy) in degrees. A boundary
    outside :func:`zone_band` is at least this far (in the zone's UTM metres) from the
    geometry, so a nearest boundary found closer among the band's is the nearest of
    all. Conservative: the spherical distance to the band's meridian at the
    geometry's highest latitude, less 10 % (the ellipsoid, the UTM scale factor).

    Examples
    --------
    >>> reach = reach_m(np.array([[113.0, -2.0, 113.0, -2.0]]), 32749)
    >>> bool(190_000 < reach[0] < 210_000)  # 2 degrees of longitude from the band's east edge
    True
    """
    west, east = zone_band(epsg)
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    gap = np.radians(np.clip(np.minimum(bounds[:, 0] - west, east - bounds[:, 2]), 0.0, 90.0))
    lat = np.radians(np.minimum(np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3])), 90.0))
    return 0.9 * 6_371_000.0 * np.arcsin(np.sin(gap) * np.cos(lat))


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
        geoms = np.asarray(data.geometry.array, dtype=object)
        edged = ~np.isin(shapely.get_type_id(geoms), [shapely.GeometryType.POINT,
                                                       shapely.GeometryType.MULTIPOINT])
        if edged.any():
            _check_densified(geoms[edged], data.crs, epsg)
            data = data.copy()
            data.geometry.values[edged] = shapely.segmentize(geoms[edged], MAX_SEGMENT_DEG)
    return data.to_crs(epsg)


def _check_densified(geoms: np.ndarray, crs: Any, epsg: int) -> None:
    """Raise before densifying when it would make more than the budget of vertices."""
    lengths = np.nan_to_num(shapely.length(geoms), nan=0.0)
    need = float(lengths.sum()) / MAX_SEGMENT_DEG + float(shapely.get_num_coordinates(geoms).sum())
    if need <= MAX_DENSIFIED_VERTICES:
        return
    misfit = crs_misfit(shapely.total_bounds(geoms), crs)
    if misfit is not None:
        msg = (f"Cannot project {len(geoms):,} geometries from {crs.name} to EPSG:{epsg}: "
               f"{misfit}. Fix: give the data its real CRS (set_crs(..., allow_override=True)).")
        raise CRSError(msg)
    msg = (f"Projecting {len(geoms):,} geometries to EPSG:{epsg} would densify their edges "
           f"to ~{need:,.0f} vertices, more than the budget of {MAX_DENSIFIED_VERTICES:,} "
           "(lahan_geo.metric.MAX_DENSIFIED_VERTICES). Fix: clip the layer to the area "
           "screened, or raise the budget if the machine has the memory.")
    raise InputError(msg)


def crs_misfit(bounds: Any, crs: Any) -> str | None:
    """Say how coordinates within ``bounds`` cannot be in ``crs``, or None when they may be.

    In a geographic CRS, longitudes must lie within ±180 and latitudes within ±90. In
    a projected one, the values must unproject to places on Earth. Empty bounds (NaN)
    fit any CRS. A projected CRS's area of use is not enforced: layers are often
    projected into a zone they extend past, and toy layers sit at the zone's origin.

    Examples
    --------
    >>> from pyproj import CRS
    >>> crs_misfit([600_000, 9_650_000, 680_000, 9_710_000], CRS("EPSG:4326"))
    'values up to 9,710,000 look like metres (a UTM zone?), not degrees'
    >>> crs_misfit([112.5, -3.0, 113.2, -2.1], CRS("EPSG:3857")) is None
    True
    >>> crs_misfit([600_000, 9_650_000, 680_000, 9_710_000], CRS("EPSG:32749")) is None
    True
    """
    from pyproj import CRS, Transformer

    box = np.asarray(bounds, dtype=float).reshape(4)
    if not np.isfinite(box).all():
        return None if np.isnan(box).all() else "some coordinates are not finite"
    crs = CRS.from_user_input(crs)
    biggest = float(np.abs(box).max())
    if crs.is_geographic:
        if np.abs(box[[0, 2]]).max() <= 180.0 + 1e-6 and np.abs(box[[1, 3]]).max() <= 90 + 1e-6:
            return None
        looks = "metres (a UTM zone?)" if biggest > 1_000 else "something other than degrees"
        return f"values up to {biggest:,.0f} look like {looks}, not degrees"
    try:
        unprojected = Transformer.from_crs(
            crs, crs.geodetic_crs, always_xy=True).transform_bounds(*box, densify_pts=21)
    except Exception:  # pyproj cannot unproject them at all
        unprojected = (np.inf,) * 4
    if np.isfinite(unprojected).all() and abs(unprojected[1]) <= 90 and abs(unprojected[3]) <= 90:
        return None
    return (f"values from ({box[0]:,.0f}, {box[1]:,.0f}) to ({box[2]:,.0f}, {box[3]:,.0f}) "
            f"are not places on Earth in {crs.name}")
