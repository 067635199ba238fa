"""Read plots from the vector files GDAL reads: GeoJSON, GeoPackage, Shapefile, FlatGeobuf.

The attributes become the rows' columns and each feature keeps its geometry. Geometry
is decoded feature by feature, so one broken feature does not lose the file: a polygon
ring that is not closed (GeoJSON from hand-made tools often has one) is closed and the
row says so; a feature without geometry keeps its row. GDAL's errors become an
:class:`~lahan_geo.errors.InputError` naming the file and the fix.

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

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import MAX_COLUMNS, SourceBlock, object_array

__all__ = ["read_vector"]

_PLOT_TYPES = ("point", "polygon", "unknown", "geometry")


def _layers(path: Path, label: str) -> list[tuple[str, str | None]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd files
            return [(str(name), kind) for name, kind in pyogrio.list_layers(path)]
    except Exception as err:  # GDAL's many error types
        msg = f"Cannot read {label}: {_first_line(err)}. Fix: check that the file is complete."
        raise InputError(msg) from None


def _first_line(err: Exception) -> str:
    line = (str(err).strip().splitlines() or [type(err).__name__])[0]
    # GDAL's own advice (prefix the path with a driver name) is no fix for a user.
    return line.split("; It might help")[0].rstrip(" .;") or type(err).__name__


def _check_width(path: Path, layer: str, label: str) -> None:
    """Refuse a layer with more attribute columns than :data:`MAX_COLUMNS` before reading it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fields = len(pyogrio.read_info(path, layer=layer)["fields"])
    except Exception as err:  # GDAL's many error types
        msg = f"Cannot read {label}: {_first_line(err)}. Fix: check that the file is complete."
        raise InputError(msg) from None
    if fields > MAX_COLUMNS:
        msg = (f"{label} has {fields:,} attribute columns, more than the {MAX_COLUMNS:,} "
               "lahan_geo reads (a plot list needs a few). Fix: export only the plot "
               "attributes (id, village, accuracy ...).")
        raise InputError(msg)


def _choose_layer(path: Path, layer: str | int | None, label: str) -> str:
    layers = _layers(path, label)
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
    chosen = _choose_layer(path, layer, label)
    _check_width(path, chosen, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's "non closed ring"
            meta, _, wkb, fields = pyogrio.raw.read(path, layer=chosen)
    except Exception as err:  # GDAL's many error types
        msg = f"Cannot read {label}: {_first_line(err)}. Fix: check that the file is complete."
        raise InputError(msg) from None
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
        crs=meta.get("crs"), notes=notes,
        info={"format": meta.get("driver") or path.suffix.lstrip(".").upper(), "layer": chosen},
    )
