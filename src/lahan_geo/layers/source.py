"""Read a legal layer from a file or a GeoDataFrame, with its CRS checked and repairs recorded.

Shared by the forest-area and zoning readers: both need the same refusal of a layer
without CRS, the same recorded geometry repair, and the same content hash for
provenance.
"""

from __future__ import annotations

import hashlib
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import CRSError, LayerError
from lahan_geo.io.gdal_files import open_vector
from lahan_geo.layers import validity
from lahan_geo.layers.cache import file_sha256
from lahan_geo.layers.service import fetch_cached, is_address
from lahan_geo.layers.window import (
    FILE_NEAR_M,
    NEAR_M,
    Window,
    box_in,
    default_margin_m,
    window_of,
)
from lahan_geo.metric import crs_misfit

__all__ = ["check_bounds_fit", "check_fits_crs", "content_sha256", "find_column", "layer_window",
           "read_layer", "remember_reading", "repair_polygons"]


def read_layer(
    source: str | PathLike[str] | gpd.GeoDataFrame,
    *,
    kind: str,
    layer: str | int | None = None,
    crs: Any = None,
    reader: str = "read_forest_area",
    window: Window | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read ``source`` as a polygon layer and return it with a provenance dict.

    Parameters
    ----------
    source : path, address or GeoDataFrame
        Any vector format GDAL reads (GeoPackage, Shapefile, GeoJSON, ...), or an
        ArcGIS REST layer address (``https://…/MapServer/<n>``, fetched by
        :mod:`lahan_geo.layers.service`).
    kind : str
        What the layer is, for messages ("forest area", "zoning").
    layer : str or int, optional
        Layer name or index inside a multi-layer file.
    crs : optional
        The CRS to assume when the source has none. A layer without a CRS is
        refused rather than guessed.
    reader : str
        The public function the user called, named in the fix of an error.
    window : Window, optional
        Keep only the features intersecting it (:mod:`lahan_geo.layers.window`);
        a service is asked for those only.

    Returns
    -------
    (GeoDataFrame, dict)
        The layer with a ``geometry_repair`` column (None, or what was repaired), and
        ``{"path", "sha256", "crs", "features", "repairs", "empty"}``, plus ``window``
        when one was given and the service's provenance for an address.
    """
    fetched: dict[str, Any] = {}
    if is_address(source):
        gdf, fetched = fetch_cached(str(source), bbox=window.bbox if window else None)
        path = None
    elif isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
        path = None
    elif isinstance(source, (str, PathLike)):
        path = Path(source)
        if not path.exists():
            msg = f"The {kind} layer {path} does not exist. Fix: check the path."
            raise LayerError(msg)
        if path.is_dir():
            msg = (f"The {kind} layer {path} is a folder. Fix: pass the layer file in it "
                   "(.gpkg, .shp, .geojson).")
            raise LayerError(msg)
        gdf = _read_file(path, kind, layer, crs, window)
        if not isinstance(gdf, gpd.GeoDataFrame):
            msg = (f"The {kind} layer {path} has no geometry (it is a table of "
                   f"{len(gdf):,} rows). Fix: pass the layer's polygons as GeoPackage, "
                   "Shapefile or GeoJSON.")
            raise LayerError(msg)
    else:
        msg = (
            f"The {kind} layer must be a file path or a GeoDataFrame, "
            f"not {type(source).__name__}."
        )
        raise LayerError(msg)
    where = str(path) if path is not None else fetched.get("service", "the GeoDataFrame")
    if gdf.crs is None:
        if crs is None:
            msg = (
                f"The {kind} layer {where} has no CRS, so its coordinates cannot be "
                f"placed. Fix: pass crs=, e.g. {reader}(..., crs='EPSG:4326') with the "
                "layer's real CRS, or set it first with gdf.set_crs('EPSG:4326')."
            )
            raise CRSError(msg)
        gdf = gdf.set_crs(crs)
    box = None if window is None else box_in(window, gdf.crs)
    if box is not None:
        gdf = gdf[_near(gdf, box)]
    gdf = gdf.reset_index(drop=True)
    gdf, repairs = repair_polygons(gdf)
    check_fits_crs(gdf, f"The {kind} layer {where}")
    clipped = 0
    if box is not None:  # repaired first: the part kept is the part of a valid feature
        gdf, clipped = _clip_to(gdf, box)
    info = {
        "path": str(path) if path is not None else fetched.get("service"),
        "sha256": (file_sha256(path) if path is not None and window is None
                   else content_sha256(gdf)),
        "crs": gdf.crs.to_string(),
        "features": len(gdf),
        "repairs": int(repairs),
        "empty": int((gdf.geometry.isna() | gdf.geometry.is_empty).sum()),
        **fetched,
    }
    if window is not None:
        info["window"] = {**window.as_dict(), "clipped": clipped}
        if path is not None:
            info["window"]["file_sha256"] = file_sha256(path)
    return gdf, info


def layer_window(source: Any, around: Any, margin_m: float | None, tolerance_m: float, *,
                 kind: str, layer: str | int | None = None, crs: Any = None
                 ) -> Window | None:
    """Return the window to read ``source`` for around ``around``, or None to read it whole.

    The margin is ``margin_m``, by default the plots' largest tolerance ``tolerance_m``
    plus :data:`~lahan_geo.layers.window.FILE_NEAR_M` for a file or a frame and
    :data:`~lahan_geo.layers.window.NEAR_M` for a service. A window whose box holds
    the layer's extent reads it whole; so does one of the default margin covering
    :data:`WHOLE_FROM` of it or more (a batch spread over the layer: a window would
    save little, and the whole layer's preparation is cached for later batches).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(geometry=[box(112.0, -2.6, 112.1, -2.5)], crs=4326)
    >>> layer_window(layer, (112.0, -2.6, 112.1, -2.5), 5000, 0.0, kind="zoning") is None
    True
    >>> layer_window(layer, (112.0, -2.6, 112.0, -2.6), 1000, 0.0, kind="zoning").margin_m
    1000.0
    """
    if around is None:
        return None
    near = NEAR_M if is_address(source) else FILE_NEAR_M
    window = window_of(around, default_margin_m(around, tolerance_m, near) if margin_m is None
                       else margin_m)
    extent = _extent(source, kind, layer, crs)
    if extent is None:
        return window
    bounds, native = extent
    box = shapely.box(*shapely.bounds(box_in(window, native)))
    whole = shapely.box(*bounds)
    if shapely.covers(box, whole):
        return None
    if margin_m is None and shapely.intersection(box, whole).area >= WHOLE_FROM * whole.area:
        return None  # the plots span most of the layer: a window would save little
    return window


#: A window covering at least this share of a layer's extent reads the layer whole: its
#: preparation is then cached for every later batch, and no plot needs a wider reading.
WHOLE_FROM = 0.5


def _extent(source: Any, kind: str, layer: Any, crs: Any) -> tuple[Any, Any] | None:
    """Return (total bounds, CRS) of a layer without reading its features, when known."""
    from pyproj import CRS

    if isinstance(source, gpd.GeoDataFrame):
        native = source.crs or crs
        geoms = np.asarray(source.geometry.array, dtype=object)
        bounds = shapely.total_bounds(geoms) if len(geoms) else np.full(4, np.nan)
    elif isinstance(source, (str, PathLike)) and not is_address(source) and Path(
            source).is_file():
        info = _open(Path(source), kind, layer).info(layer)
        native, bounds = info.get("crs") or crs, info.get("total_bounds")
    else:  # a service: its extent is not asked for; the window stays
        return None
    if native is None or bounds is None or not np.isfinite(np.asarray(bounds, float)).all():
        return None
    native = CRS.from_user_input(native)
    check_bounds_fit(bounds, native, f"The {kind} layer {source}" if not isinstance(
        source, gpd.GeoDataFrame) else f"The {kind} layer (the GeoDataFrame)")
    return np.asarray(bounds, dtype=float), native


def remember_reading(layer: gpd.GeoDataFrame, source: Any, reader: str,
                     options: dict[str, Any]) -> gpd.GeoDataFrame:
    """Record in ``attrs`` how a windowed layer was read, so it can be read wider.

    Only a file or an address read through a window is recorded, and only when every
    option is plain data; :func:`lahan_geo.pipeline.screen_in_memory` reads such a
    layer again around the plots whose nearest decisive boundary lies beyond the
    window, until it is found.
    """
    info = layer.attrs.setdefault("lahan_geo", {})
    plain = all(v is None or isinstance(v, (str, int, float, bool)) for v in options.values())
    if "window" in info and plain and (is_address(source) or isinstance(source, (str,
                                                                                 PathLike))):
        info["read"] = {"reader": reader, "path": str(source), "options": dict(options)}
    return layer


def _clip_to(gdf: gpd.GeoDataFrame, box: shapely.Geometry) -> tuple[gpd.GeoDataFrame, int]:
    """Cut the features reaching beyond ``box`` to it; return the layer and how many.

    Work on a window is then proportional to the window, not to the features that
    cross it (a province's production-forest polygon of 300,000 vertices). The cut
    edges lie on the box's edge, beyond every distance the window vouches for
    (:func:`~lahan_geo.layers.window.beyond_window`). The exact overlay keeps the
    part of a valid feature valid; straight box edges are straight in the layer's CRS.
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object).copy()
    present = np.flatnonzero(~pd.isna(geoms))
    bounds = shapely.bounds(geoms[present])
    minx, miny, maxx, maxy = shapely.bounds(box)
    out = present[(bounds[:, 0] < minx) | (bounds[:, 1] < miny) | (bounds[:, 2] > maxx)
                  | (bounds[:, 3] > maxy)]
    if not len(out):
        return gdf, 0
    cut = shapely.intersection(geoms[out], box)
    polygonal = np.isin(shapely.get_type_id(geoms[out]), [3, 6])
    for i, part, keep in zip(out, cut, polygonal):
        geoms[i] = _polygonal(part) if keep else part
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)), len(out)


def _near(gdf: gpd.GeoDataFrame, box: shapely.Geometry) -> np.ndarray:
    """Say which features intersect ``box`` (by their bounds where GEOS cannot tell)."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~pd.isna(geoms)
    out = np.zeros(len(geoms), dtype=bool)
    try:
        out[present] = shapely.intersects(geoms[present], box)
    except shapely.errors.GEOSException:  # an invalid polygon: its bounds decide (more kept)
        out[present] = shapely.intersects(shapely.box(*shapely.bounds(geoms[present]).T), box)
    return out


def check_fits_crs(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Raise a one-line CRSError when the coordinates cannot be in the layer's CRS.

    Run before any work on the geometry: a layer in UTM metres labelled EPSG:4326
    would otherwise be densified as a "150,000-degree" extent (tens of GB), and one
    in degrees labelled UTM would lie nowhere near the plots. Non-finite coordinates
    are left to :func:`repair_polygons` (the feature is left out, recorded).

    Examples
    --------
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame(geometry=[box(600_000, 9_650_000, 610_000, 9_660_000)],
    ...                          crs=4326)
    >>> from lahan_geo.errors import CRSError
    >>> try:
    ...     check_fits_crs(layer, "The forest area layer x.gpkg")
    ... except CRSError as err:
    ...     print(str(err).split("(WGS 84): ")[1].split(". Fix")[0])
    values up to 9,660,000 look like metres (a UTM zone?), not degrees
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~pd.isna(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    if not present.any():
        return
    boxes = shapely.bounds(geoms[present])  # per feature, without copying its vertices
    boxes = boxes[np.isfinite(boxes).all(axis=1)]
    if not len(boxes):
        return
    bounds = (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))
    check_bounds_fit(bounds, gdf.crs, what)


def check_bounds_fit(bounds: Any, crs: Any, what: str) -> None:
    """Raise the CRSError of :func:`check_fits_crs` for a layer's extent in ``crs``.

    Also run on a file's extent before a window is read from it: a window of a
    mislabelled layer would otherwise find nothing and say nothing.
    """
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    misfit = crs_misfit(tuple(float(v) for v in bounds), crs)
    if misfit is None:
        return
    label = crs.to_string()
    example = ("'EPSG:32749', allow_override=True) for UTM 49S" if crs.is_geographic
               else "'EPSG:4326', allow_override=True) for longitude/latitude")
    msg = (f"{what} does not fit its CRS {label} ({crs.name}): {misfit}. Fix: set the "
           f"layer's real CRS, e.g. gdf.set_crs({example}, and pass the GeoDataFrame (or "
           "save the file with it).")
    raise CRSError(msg)



def _read_file(path: Path, kind: str, layer: Any, crs: Any = None,
               window: Window | None = None) -> Any:
    """Read a layer file through :func:`~lahan_geo.io.gdal_files.open_vector`.

    With a window, GDAL reads only the features in the window's box (in the file's CRS).
    """
    source = _open(path, kind, layer)
    bbox = None
    native = (source.info(layer).get("crs") or crs) if window is not None else None
    if native is not None:  # a file without CRS is refused after reading, for that
        from pyproj import CRS

        bbox = tuple(shapely.bounds(box_in(window, CRS.from_user_input(native))).tolist())
    return source.frame(layer, bbox=bbox)


def _open(path: Path, kind: str, layer: Any) -> Any:
    """Open a layer file through the one GDAL gate, errors naming the layer."""
    where = f"the {kind} layer {path}" + (f" (layer {layer!r})" if layer is not None else "")
    return open_vector(path, label=where, error=LayerError, fix=(
        "pass a GeoPackage, Shapefile or GeoJSON file, and layer= for a multi-layer file"
    ))


def repair_polygons(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Make every geometry a valid (multi)polygon, recording each repair on its row.

    Invalid geometries are repaired with :func:`shapely.make_valid` and only their
    polygonal parts kept; heights (Z/M) are dropped; a feature with non-finite
    coordinates, or with no polygonal part (a point or line in a polygon layer),
    becomes empty and takes no part in the screening. The row's
    ``geometry_repair`` says what was done; nothing is dropped silently. Lines are
    left alone: constraint layers use them (rivers, coastline).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> fixed, n = repair_polygons(gpd.GeoDataFrame(geometry=[bowtie], crs=3857))
    >>> n, fixed.geometry.iloc[0].geom_type, fixed.geometry.iloc[0].is_valid
    (1, 'MultiPolygon', True)
    >>> fixed["geometry_repair"].iloc[0]
    'make_valid: Self-intersection[0.5 0.5]'
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object).copy()
    notes: list[str | None] = [None] * len(geoms)
    present = ~pd.isna(geoms)
    idx = np.flatnonzero(present)
    if len(idx):
        has_z = shapely.has_z(geoms[idx])
        geoms[idx[has_z]] = shapely.force_2d(geoms[idx[has_z]])
        for i in idx[has_z]:
            notes[i] = "height (Z) dropped"
        coords_ok = np.array([np.isfinite(shapely.get_coordinates(g)).all() for g in geoms[idx]],
                             dtype=bool)
        for i in idx[~coords_ok]:
            geoms[i] = shapely.Polygon()
            notes[i] = "non-finite (NaN/infinite) coordinates: feature left out of the screening"
        idx = idx[coords_ok]
        kinds = shapely.get_type_id(geoms[idx])
        lines = np.isin(kinds, [1, 2, 5])  # LineString, LinearRing, MultiLineString
        other = ~np.isin(kinds, [3, 6]) & ~lines  # not (Multi)Polygon
        for i in idx[other]:
            kind = geoms[i].geom_type
            geoms[i] = _polygonal(geoms[i])
            notes[i] = (f"{kind}: polygonal parts kept" if not geoms[i].is_empty
                        else f"{kind} has no area: feature left out of the screening")
        polygonal = idx[~lines & ~other]
        invalid = polygonal[~validity.is_valid(geoms[polygonal])]  # shapely's, faster
        for i in invalid:
            reason = shapely.is_valid_reason(geoms[i])
            geoms[i] = _polygonal(shapely.make_valid(geoms[i]))
            notes[i] = f"make_valid: {reason}"
    out = gdf.copy()
    out["geometry_repair"] = pd.Series(notes, index=gdf.index, dtype=object)
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return out, int(sum(n is not None for n in notes))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal parts of a geometry, however deeply collections nest."""
    if geom.geom_type == "Polygon":
        return geom
    flat: list[shapely.Geometry] = []
    stack = list(shapely.get_parts(geom))
    while stack:
        part = stack.pop(0)
        if part.geom_type == "Polygon":
            flat.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack[:0] = list(shapely.get_parts(part))
    return shapely.MultiPolygon(flat) if flat else shapely.Polygon()


def find_column(gdf: pd.DataFrame, candidates: list[str] | tuple[str, ...]) -> str | None:
    """Return the first column whose name matches a candidate, ignoring case.

    Examples
    --------
    >>> import pandas as pd
    >>> find_column(pd.DataFrame(columns=["fungsikws", "x"]), ["FUNGSIKWS", "FUNGSI"])
    'fungsikws'
    """
    lower = {str(c).lower(): c for c in gdf.columns}
    for name in candidates:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def content_sha256(gdf: gpd.GeoDataFrame) -> str:
    """Return a hash of a GeoDataFrame's geometry (WKB) and attributes, stable across runs."""
    digest = hashlib.sha256()
    digest.update(str(gdf.crs.to_epsg() if gdf.crs else None).encode())
    for geom in shapely.to_wkb(np.asarray(gdf.geometry.array), hex=False):
        digest.update(geom if geom is not None else b"\0")
    attrs = gdf.drop(columns=gdf.geometry.name)
    digest.update(attrs.to_csv(index=False).encode("utf-8"))
    return digest.hexdigest()

