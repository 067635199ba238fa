"""RDTR coverage: where a detailed spatial plan integrated in OSS covers the plots.

The KKPR route depends on it (domain notes v2, section 3): a plot covered by an RDTR
integrated in OSS gets a *Konfirmasi KKPR* (about one working day), any other a
*Persetujuan KKPR*, assessed against the RTRW (about 20 working days, may be refused).
GISTARU (ATR/BPN) publishes the integrated RDTRs: pass their outline polygons.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point, box
>>> rdtr = read_rdtr(gpd.GeoDataFrame({"NAMOBJ": ["RDTR Kuala Pembuang"]},
...                                   geometry=[box(112.0, -3.0, 112.1, -2.9)], crs=4326))
>>> rdtr["rdtr_name"].tolist()
['RDTR Kuala Pembuang']
>>> plots = gpd.GeoSeries([Point(112.05, -2.95), box(112.09, -2.95, 112.11, -2.94),
...                        Point(112.5, -2.95), None], crs=4326)
>>> rdtr_coverage(plots, rdtr).tolist()
['covered', 'partly', 'not_covered', None]
"""

from __future__ import annotations

from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.layers.source import find_column, layer_window, read_layer

__all__ = ["RDTR_COVERAGE", "rdtr_coverage", "read_rdtr"]

#: The values of a plot's RDTR coverage (None: no layer, or the plot has no geometry).
RDTR_COVERAGE = ("covered", "partly", "not_covered")

_NAME_COLUMNS = ("NAMA_RDTR", "NAMRDTR", "NAMOBJ", "NAMA", "WADMKK", "REMARK")


def read_rdtr(
    source: str | PathLike[str] | gpd.GeoDataFrame,
    *,
    layer: str | int | None = None,
    crs: Any = None,
    name_column: str | None = None,
    around: Any = None,
    margin_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Read the outlines of the RDTRs integrated in OSS (an RDTR-coverage layer).

    Parameters
    ----------
    source : path, address or GeoDataFrame
        Polygons: one or more per integrated RDTR, in any CRS; a file or an ArcGIS REST
        layer address (``https://…/MapServer/<n>``, e.g. GISTARU's).
    layer, crs : optional
        As in :func:`lahan_geo.read_forest_area`; a layer without a CRS is refused.
    name_column : str, optional
        Column naming each RDTR; by default the first of NAMA_RDTR, NAMOBJ, NAMA,
        WADMKK, REMARK present (any case), else none.
    around : GeoDataFrame or tuple, optional
        Read only the outlines near these plots, as in :func:`lahan_geo.read_forest_area`.
    margin_m : float, optional
        Metres around ``around`` (default: the plots' accuracy plus
        :data:`~lahan_geo.layers.window.NEAR_M`).

    Returns
    -------
    GeoDataFrame
        The original columns plus ``rdtr_name``, in EPSG:4326; ``attrs["lahan_geo"]``
        holds the load report (path, hash, features, repairs).
    """
    window = layer_window(source, around, margin_m, 0.0, kind="RDTR coverage", layer=layer, crs=crs)
    gdf, info = read_layer(source, kind="RDTR coverage", layer=layer, crs=crs,
                           reader="read_rdtr", window=window)
    column = find_column(gdf, (name_column,) if name_column else _NAME_COLUMNS)
    names = (gdf[column] if column is not None else pd.Series(None, index=gdf.index))
    gdf["rdtr_name"] = pd.Series([None if pd.isna(v) else str(v) for v in names],
                                 index=gdf.index, dtype=object)
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    info.update(kind="rdtr", name_column=column)
    gdf.attrs["lahan_geo"] = info
    return gdf


def rdtr_coverage(plots: gpd.GeoSeries, rdtr: gpd.GeoDataFrame) -> np.ndarray:
    """Per plot, whether the RDTR polygons cover it: covered, partly or not_covered.

    Points on an outline count as covered. Plots without geometry get None.
    """
    geoms = np.asarray(plots.to_crs(rdtr.crs).array if plots.crs is not None
                       and not plots.crs.equals(rdtr.crs) else plots.array, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    present = ~pd.isna(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    out[present] = "not_covered"
    areas = np.asarray(rdtr.geometry.array, dtype=object)
    areas = areas[~pd.isna(areas)]
    if not len(areas) or not present.any():
        return out
    rows = np.flatnonzero(present)
    tree = shapely.STRtree(areas)
    plot_i, area_i = tree.query(geoms[rows], predicate="intersects")
    touched = np.unique(plot_i)
    out[rows[touched]] = "partly"
    inside = np.unique(tree.query(geoms[rows], predicate="covered_by")[0])
    out[rows[inside]] = "covered"
    for p in np.setdiff1d(touched, inside).tolist():  # covered only by several polygons
        union = shapely.union_all(areas[area_i[plot_i == p]])
        if shapely.covered_by(geoms[rows[p]], union):
            out[rows[p]] = "covered"
    return out
