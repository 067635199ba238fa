"""Read plots from the vector files GDAL reads: GeoJSON, GeoPackage, Shapefile, FlatGeobuf.

The attributes become the rows' columns and each feature keeps its geometry. Geometry
is decoded feature by feature, so one broken feature does not lose the file: a polygon
ring that is not closed (GeoJSON from hand-made tools often has one) is closed and the
row says so; a feature without geometry keeps its row. GDAL's errors become an
:class:`~lahan_geo.errors.InputError` naming the file and the fix.

The file reaches GDAL only through :func:`~lahan_geo.io.gdal_files.open_vector`
(the content picks the one driver allowed to read it). A layer over the budgets
``columns`` or ``rows``, and a plot geometry over ``plot_vertices`` (a row problem), are
refused (:mod:`lahan_geo.limits`).

A GeoPackage (or any multi-layer source) is read one layer at a time: the only layer,
the one named or numbered by ``layer=``, or the only layer holding points or polygons.

Examples
--------
>>> import geopandas as gpd, shapely, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(112.3, -2.5)],
...                  crs=4326).to_file(folder / "p.gpkg", layer="titik")
>>> block = read_vector(folder / "p.gpkg", None)
>>> block.frame["id"].tolist(), block.geometry[0].wkt, block.info["layer"]
(['A'], 'POINT (112.3 -2.5)', 'titik')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import RowProblem, SourceBlock, object_array
from lahan_geo.intake.row_problems import problem
from lahan_geo.io.gdal_files import VectorFile, open_vector
from lahan_geo.limits import current, too_big

__all__ = ["read_vector"]

_PLOT_TYPES = ("point", "polygon", "unknown", "geometry")


def _check_size(source: VectorFile, layer: str, label: str) -> None:
    """Refuse a layer over the column or row budget before reading it."""
    info = source.info(layer)
    fields = len(info["fields"])
    if fields > current().columns:
        raise InputError(too_big(label, f"has {fields:,} attribute columns", "columns",
                                 "export only the plot attributes (id, village, accuracy ...)"))
    features = info.get("features") or 0
    if features > current().rows:
        raise InputError(too_big(label, f"has {features:,} features", "rows",
                                 "split the plot list"))


def _too_many_vertices(geometry: np.ndarray | None, n: int) -> list[RowProblem | None]:
    """Drop (in place) each plot geometry over the budget ``plot_vertices``; say so on its row."""
    problems: list[RowProblem | None] = [None] * n
    if geometry is None:
        return problems
    limit = current().plot_vertices
    counts = shapely.get_num_coordinates(geometry)
    for i in np.flatnonzero(counts > limit):
        problems[i] = problem(
            (f"feature {i + 1}", f"fitur {i + 1}"),
            f"the geometry has {counts[i]:,} vertices, more than the budget "
            f"plot_vertices={limit:,}",
            f"geometri memiliki {counts[i]:,} titik, melebihi batas plot_vertices={limit:,}",
            "simplify the plot outline (a plot needs at most a few hundred corners), or raise "
            "the budget with lahan_geo.limits.override(plot_vertices=...)",
            "sederhanakan batas lahan, atau naikkan batas dengan "
            "lahan_geo.limits.override(plot_vertices=...)")
        geometry[i] = None
    return problems


def _choose_layer(source: VectorFile, layer: str | int | None, label: str) -> str:
    layers = source.layers()
    names = [name for name, _ in layers]
    if not layers:
        msg = (f"{label} holds no layer (it may be cut short or damaged). Fix: export the "
               "plots again.")
        raise InputError(msg)
    listing = ", ".join(f"{n!r} ({k or 'no geometry'})" for n, k in layers)
    if layer is None:
        if len(layers) == 1:
            return names[0]
        plots = [n for n, k in layers
                 if k and k.lower().removeprefix("multi").startswith(_PLOT_TYPES)]
        if len(plots) == 1:
            return plots[0]
        msg = f"{label} has several layers: {listing}. Fix: pass layer= with one of them."
        raise InputError(msg)
    if isinstance(layer, int) and not isinstance(layer, bool):
        if 0 <= layer < len(names):
            return names[layer]
        msg = f"{label} has no layer number {layer} (layers 0-{len(names) - 1}: {listing})."
        raise InputError(msg)
    if str(layer) in names:
        return str(layer)
    msg = f"{label} has no layer {layer!r}. Fix: pass layer= with one of {listing}."
    raise InputError(msg)


def read_vector(path: Path, layer: str | int | None, label: str | None = None) -> SourceBlock:
    """Read one layer of a vector file into a block (see the module notes).

    Parameters
    ----------
    path : Path
        The file (.geojson, .json, .gpkg, .shp, .fgb).
    layer : str or int, optional
        Layer name or number of a multi-layer file.
    label : str, optional
        How messages and ``source_file`` name the file (default: the path).
    """
    label = label or str(path)
    source = open_vector(path, label=label)
    chosen = _choose_layer(source, layer, label)
    _check_size(source, chosen, label)
    meta, _, wkb, fields = source.raw(chosen)  # GDAL's "non closed ring" warnings muted
    names = [str(n) for n in meta["fields"]]
    frame = pd.DataFrame({name: pd.Series(values, dtype=object)
                          for name, values in zip(names, fields)})
    if not names:
        frame = pd.DataFrame(index=pd.RangeIndex(0 if wkb is None else len(wkb)))
    n = len(frame)
    notes: list[list[str]] = [[] for _ in range(n)]
    geometry = None
    if wkb is not None:
        with np.errstate(invalid="ignore"):  # NaN coordinates: a row problem, not a warning
            geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        broken = np.flatnonzero(shapely.is_missing(geoms) & np.asarray(
            [w is not None for w in wkb], dtype=bool))
        if len(broken):
            fixed = shapely.from_wkb(wkb[broken], on_invalid="fix")
            for i, geom in zip(broken, fixed):
                geoms[i] = geom
                if geom is not None:
                    notes[i].append("a polygon ring was not closed; closed it")
        geometry = object_array(geoms)
    return SourceBlock(
        frame, label, np.arange(1, n + 1), row_word="feature", geometry=geometry,
        crs=meta.get("crs"), notes=notes, problems=_too_many_vertices(geometry, n),
        info={"format": meta.get("driver") or path.suffix.lstrip(".").upper(), "layer": chosen},
    )
