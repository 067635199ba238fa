"""Constraint layers: protected peat, PIPPIB, rights and concessions, setbacks.

These trigger rules X1-X5 and Z3b of the domain notes.

A constraint layer is any polygon or line layer plus the rule it triggers. Lines
(rivers, the coastline) are buffered by their setback distance, in metres, in the
plots' UTM zone at screening time; the setback comes from a fixed ``setback_m``, a
numeric column, or a mapping from a class column (e.g. river type) to metres.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString, box
>>> peat = read_constraint(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326), rule="X1",
...                        name="KHG fungsi lindung")
>>> peat[["constraint_rule", "constraint_name", "setback_m"]].values.tolist()
[['X1', 'KHG fungsi lindung', 0.0]]
>>> rivers = read_constraint(
...     gpd.GeoDataFrame({"KELAS": ["sungai besar", "sungai kecil"]},
...                      geometry=[LineString([(0, 0), (1, 1)]), LineString([(1, 1), (2, 1)])],
...                      crs=4326),
...     rule="X4", setbacks={"sungai besar": 100, "sungai kecil": 50}, class_column="KELAS")
>>> rivers["setback_m"].tolist()
[100.0, 50.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import LayerError
from lahan_geo.layers.source import find_column, layer_window, read_layer

__all__ = ["CONSTRAINT_RULES", "buffer_constraint", "read_constraint"]

#: The constraint rules of the domain notes and what their layers hold.
CONSTRAINT_RULES = {
    "X1": "protected peat (KHG fungsi lindung)",
    "X2": "PIPPIB moratorium",
    "X3": "concession or right (HGU, HGB, PBPH, IUP)",
    "X4": "river or coastal setback",
    "X5": "social forestry or customary forest (PIAPS, hutan adat)",
    "Z3b": "protected rice field (LSD)",
}


def read_constraint(
    source: str | PathLike[str] | gpd.GeoDataFrame,
    *,
    rule: str,
    name: str | None = None,
    layer: str | int | None = None,
    crs: Any = None,
    setback_m: float | None = None,
    setback_column: str | None = None,
    class_column: str | None = None,
    setbacks: Mapping[str, float] | None = None,
    around: Any = None,
    margin_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Read a constraint layer and attach the rule it triggers.

    Parameters
    ----------
    source : path, address or GeoDataFrame
        Polygons (peat, moratorium, HGU/PBPH/IUP areas) or lines (rivers, coast), as a
        file or an ArcGIS REST layer address (``https://…/MapServer/<n>``).
    rule : str
        The rule id the layer triggers, e.g. "X1" (see the rules file).
    name : str, optional
        A label for reasons and provenance (default: the rule's subject).
    layer, crs : optional
        As in :func:`lahan_geo.read_forest_area`; a layer without CRS is refused.
    setback_m : float, optional
        A fixed setback in metres for every feature. Lines need a setback; for
        polygons it widens the constraint (default 0).
    setback_column : str, optional
        A numeric column holding each feature's setback in metres.
    class_column, setbacks : optional
        A class column (e.g. river type) and the setback in metres per class. A class
        the mapping lacks takes the largest setback given, recorded on the row.
    around : GeoDataFrame or tuple, optional
        Read only the features near these plots, as in :func:`lahan_geo.read_forest_area`.
    margin_m : float, optional
        Metres around ``around``; the default (:data:`~lahan_geo.layers.window.NEAR_M`
        beyond the plots' accuracy) must exceed the widest setback, else pass more.

    Returns
    -------
    GeoDataFrame
        The original columns plus ``constraint_rule``, ``constraint_name``,
        ``setback_m`` and ``setback_note``; ``attrs["lahan_geo"]`` holds the load
        report.
    """
    if not isinstance(rule, str) or not rule:
        msg = "rule= must name the rule the layer triggers, e.g. rule='X1'."
        raise LayerError(msg)
    label = name or CONSTRAINT_RULES.get(rule, rule)
    kind = f"constraint ({label})"
    window = layer_window(source, around, margin_m, 0.0, kind=kind, layer=layer, crs=crs)
    gdf, info = read_layer(source, kind=kind, layer=layer, crs=crs,
                           reader="read_constraint", window=window)
    lines = gdf.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    distances, notes = _setbacks(gdf, setback_m, setback_column, class_column, setbacks)
    missing = lines & np.isnan(distances)
    if missing.any():
        msg = (f"The constraint layer {label!r} has lines (rivers, coast) but no setback. "
               "Fix: pass setback_m=, setback_column=, or class_column= with setbacks=.")
        raise LayerError(msg)
    if (np.nan_to_num(distances) < 0).any():
        msg = f"The constraint layer {label!r} has a negative setback; setbacks are metres >= 0."
        raise LayerError(msg)
    if np.isinf(distances).any():  # buffering by infinity fails deep inside GEOS
        msg = (f"The constraint layer {label!r} has an infinite setback; setbacks are metres "
               ">= 0. Fix: give each feature a finite setback, e.g. setback_m=100.")
        raise LayerError(msg)
    widest = max([float(np.nan_to_num(distances).max()) if len(gdf) else 0.0,
                  float(setback_m or 0.0), *map(float, (setbacks or {}).values())])
    if window is not None and widest > window.margin_m:
        msg = (f"The constraint layer {label!r} has a setback of {widest:,.0f} m, wider than "
               f"the {window.margin_m:,.0f} m around the plots it was read for: a feature "
               f"beyond the margin could still reach a plot. Fix: pass margin_m={widest:.0f} "
               "or more.")
        raise LayerError(msg)
    gdf["constraint_rule"] = rule
    gdf["constraint_name"] = label
    gdf["setback_m"] = np.nan_to_num(distances, nan=0.0)
    gdf["setback_note"] = pd.Series(notes, index=gdf.index, dtype=object)
    info.update(kind="constraint", rule=rule, name=label, lines=int(lines.sum()),
                setback_m=sorted({float(d) for d in np.nan_to_num(distances)}))
    gdf.attrs["lahan_geo"] = info
    return gdf


def _setbacks(gdf: gpd.GeoDataFrame, setback_m: float | None, setback_column: str | None,
              class_column: str | None, setbacks: Mapping[str, float] | None
              ) -> tuple[np.ndarray, list[str | None]]:
    n = len(gdf)
    notes: list[str | None] = [None] * n
    if setback_column is not None:
        column = find_column(gdf, (setback_column,))
        if column is None:
            msg = f"setback_column={setback_column!r} is not a column of the constraint layer."
            raise LayerError(msg)
        return pd.to_numeric(gdf[column], errors="coerce").to_numpy(dtype=float), notes
    if class_column is not None:
        column = find_column(gdf, (class_column,))
        if column is None or not setbacks:
            msg = ("class_column= needs an existing column and setbacks={class: metres}; "
                   f"got {class_column!r} and {setbacks!r}.")
            raise LayerError(msg)
        lookup = {str(k).strip().lower(): float(v) for k, v in setbacks.items()}
        widest = max(lookup.values())
        out = np.empty(n)
        for i, value in enumerate(gdf[column].tolist()):
            key = str(value).strip().lower()
            if key in lookup:
                out[i] = lookup[key]
            else:
                out[i] = widest
                notes[i] = f"class {value!r} has no setback; the widest ({widest:g} m) is used"
        return out, notes
    fixed = np.nan if setback_m is None else float(setback_m)
    lines = gdf.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    return np.where(lines, fixed, 0.0 if setback_m is None else fixed), notes


def buffer_constraint(layer_metric: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn every feature into the area it forbids: lines and setbacks buffered, in metres."""
    geoms = np.asarray(layer_metric.geometry.array, dtype=object)
    dist = layer_metric["setback_m"].to_numpy(dtype=float)
    grown = np.where(dist > 0, shapely.buffer(geoms, dist), geoms)
    return layer_metric.set_geometry(gpd.GeoSeries(grown, index=layer_metric.index,
                                                   crs=layer_metric.crs))
