"""The spatial-plan layer (RTRW/RDTR pola ruang): zone names to a normalized class.

Districts write zone names their own way (``NAMOBJ`` = "Kawasan Permukiman Perdesaan",
"Kaw. Peruntukan Pertanian Tanaman Pangan", ...). A mapping file (TOML, copy
``lahan_geo/data/zoning_classes.toml``) turns them into a class of a documented
vocabulary, its group (lindung / budidaya) and what it permits for an outlet.

Examples
--------
>>> mapping = load_zoning_mapping()
>>> mapping.classify("Kawasan Permukiman Perdesaan")
'permukiman'
>>> mapping.classify("KAWASAN PERTANIAN PANGAN BERKELANJUTAN (LP2B)")
'lp2b'
>>> mapping.classify("Sempadan Sungai"), mapping.classify("Kawasan Khusus X")
('sempadan', None)
>>> mapping.classes["lp2b"]["permission"]
'lp2b'
>>> [mapping.classify(n) for n in ("Kawasan Hutan Lindung", "LSD", "Kawasan Rawan Longsor")]
['hutan_lindung', 'lsd', 'rawan_bencana']
>>> hl = mapping.classes["hutan_lindung"]
>>> hl["permission"], hl["forest_function"]
('forest', 'HL')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from os import PathLike
from typing import Any

import geopandas as gpd
import pandas as pd

from lahan_geo.accuracy import DEFAULT_ACCURACY_CLASS, map_accuracy_m
from lahan_geo.datafiles import load_toml, read_data_file
from lahan_geo.errors import LayerError
from lahan_geo.layers.cache import cached_layer
from lahan_geo.layers.source import find_column, layer_window, read_layer, remember_reading
from lahan_geo.vocab import PERMISSIONS, ZONE_FOREST_FAMILY

__all__ = ["PERMISSIONS", "ZONE_FOREST_FAMILY", "ZoningMapping", "load_zoning_mapping",
           "read_zoning"]

#: Scale of a kabupaten RTRW map (PP 21/2021: 1:50,000).
DEFAULT_ZONING_SCALE = 50_000


@dataclass(frozen=True)
class ZoningMapping:
    """Zone-name patterns and the class vocabulary they map onto."""

    version: str
    source_columns: tuple[str, ...]
    classes: dict[str, dict[str, str]]
    matches: tuple[tuple[re.Pattern[str], str], ...]
    path: str

    @property
    def fingerprint(self) -> str:
        """A stable digest of the mapping's content (for caches and provenance)."""
        text = repr((self.version, self.source_columns, sorted(self.classes.items()),
                     [(p.pattern, c) for p, c in self.matches]))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def classify(self, name: Any) -> str | None:
        """Return the class of a zone name, or None when no pattern matches."""
        if name is None or (isinstance(name, float) and pd.isna(name)):
            return None
        text = re.sub(r"[^0-9a-z]+", " ", str(name).lower()).strip()
        for pattern, cls in self.matches:
            if pattern.search(text):
                return cls
        return None


def load_zoning_mapping(source: str | PathLike[str] | None = None) -> ZoningMapping:
    """Load a zoning mapping file (default: the one shipped with lahan_geo).

    Raises
    ------
    LayerError
        When the file cannot be read, or a match names a class that is not defined,
        or a class has an unknown group or permission.
    """
    text, label = read_data_file(source, "zoning_classes.toml", "zoning mapping", LayerError)
    data = load_toml(text, label, LayerError)
    classes = data.get("classes", {})
    for name, spec in classes.items():
        if spec.get("permission") not in PERMISSIONS:
            msg = (f"{label}: class {name!r} has permission {spec.get('permission')!r}; "
                   f"use one of {', '.join(PERMISSIONS)}.")
            raise LayerError(msg)
        forest = spec.get("forest_function")
        if (forest is not None) != (spec["permission"] == "forest") or (
                forest is not None and forest not in ZONE_FOREST_FAMILY):
            msg = (f"{label}: class {name!r}: a class with permission 'forest' needs "
                   f"forest_function = one of {', '.join(ZONE_FOREST_FAMILY)}, and only it.")
            raise LayerError(msg)
        if spec.get("group") not in ("lindung", "budidaya", "lainnya"):
            msg = f"{label}: class {name!r} needs group = lindung, budidaya or lainnya."
            raise LayerError(msg)
    matches = []
    for i, entry in enumerate(data.get("match", []), start=1):
        cls = entry.get("class")
        if cls not in classes:
            msg = f"{label}: [[match]] number {i} names class {cls!r}, which [classes] lacks."
            raise LayerError(msg)
        for pattern in entry.get("patterns", []):
            try:
                matches.append((re.compile(pattern), cls))
            except re.error as err:
                msg = f"{label}: [[match]] number {i} has a bad pattern {pattern!r}: {err}."
                raise LayerError(msg) from None
    return ZoningMapping(
        version=str(data.get("version", "")),
        source_columns=tuple(data.get("source_columns", ())),
        classes=classes,
        matches=tuple(matches),
        path=label,
    )


def read_zoning(
    source: str | PathLike[str] | gpd.GeoDataFrame,
    *,
    layer: str | int | None = None,
    crs: Any = None,
    zone_column: str | None = None,
    mapping: str | PathLike[str] | ZoningMapping | None = None,
    scale: float = DEFAULT_ZONING_SCALE,
    accuracy_class: int = DEFAULT_ACCURACY_CLASS,
    around: Any = None,
    margin_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Read a pola ruang layer and classify each zone.

    Parameters
    ----------
    source : path, address or GeoDataFrame
        The RTRW or RDTR pola ruang polygons, in any projected or geographic CRS, as
        a file or an ArcGIS REST layer address (``https://…/MapServer/<n>``).
    layer, crs : optional
        As in :func:`lahan_geo.read_forest_area`.
    zone_column : str, optional
        Column with the zone name; by default the first of the mapping's
        ``source_columns`` present (``NAMOBJ`` ...), any case.
    mapping : path or ZoningMapping, optional
        The district's mapping file; by default the shipped one.
    scale : float, default 50000
        Scale denominator of the plan map (a kabupaten RTRW is 1:50,000).
    accuracy_class : {1, 2, 3}, default 3
        CE90 class of the plan map (Perka BIG 15/2014); 3 is the cautious default.
    around, margin_m : optional
        Read only the features near these plots, as in :func:`lahan_geo.read_forest_area`.

    Returns
    -------
    GeoDataFrame
        Original columns plus ``zone_name`` (the original text), ``zone_class``
        (None when the mapping does not know the name), ``zone_group``,
        ``zone_permission``, ``zone_allows_outlet`` and ``zone_forest_function`` (the
        forest function a forest-class zone restates, else None). ``attrs["lahan_geo"]`` lists
        ``unknown_values``: the names the mapping did not know (they screen as verify).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> raw = gpd.GeoDataFrame({"NAMOBJ": ["Kawasan Perdagangan dan Jasa", "Zona Aneh"]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32749)
    >>> zoning = read_zoning(raw)
    >>> zoning[["zone_class", "zone_allows_outlet"]].values.tolist()
    [['perdagangan_jasa', True], [None, None]]
    >>> zoning.attrs["lahan_geo"]["unknown_values"]
    ['Zona Aneh']
    """
    shipped = mapping is None
    mapping = mapping if isinstance(mapping, ZoningMapping) else load_zoning_mapping(mapping)
    tolerance = map_accuracy_m(scale, accuracy_class)
    window = layer_window(source, around, margin_m, tolerance, kind="zoning", layer=layer,
                          crs=crs)
    options = {"layer": layer, "crs": str(crs), "zone_column": zone_column, "scale": scale,
               "accuracy_class": accuracy_class, "mapping": mapping.fingerprint,
               "window": None if window is None else repr(window)}
    read = cached_layer(source, "read_zoning", options, lambda: _read_zoning(
        source, layer=layer, crs=crs, zone_column=zone_column, mapping=mapping, scale=scale,
        accuracy_class=accuracy_class, window=window))
    return remember_reading(read, source, "read_zoning", {
        "layer": layer, "crs": crs, "zone_column": zone_column, "scale": scale,
        "accuracy_class": accuracy_class, "mapping": None if shipped else mapping.path,
        "mapping_fingerprint": mapping.fingerprint})


def _read_zoning(source: Any, *, layer: Any, crs: Any, zone_column: str | None,
                 mapping: ZoningMapping, scale: float, accuracy_class: int, window: Any
                 ) -> gpd.GeoDataFrame:
    gdf, info = read_layer(source, kind="zoning", layer=layer, crs=crs, reader="read_zoning",
                           window=window)
    column = zone_column or find_column(gdf, mapping.source_columns)
    if column is None or column not in gdf.columns:
        msg = (
            f"The zoning layer {info['path'] or ''} has no zone-name column (looked for "
            f"{zone_column or ', '.join(mapping.source_columns)}; it has "
            f"{', '.join(map(str, gdf.columns))}). Fix: pass zone_column='...'."
        )
        raise LayerError(msg)
    names = [None if pd.isna(v) else str(v) for v in gdf[column]]
    classes = [mapping.classify(n) for n in names]
    spec = [mapping.classes.get(c, {}) if c else {} for c in classes]
    gdf["zone_name"] = pd.Series(names, index=gdf.index, dtype=object)
    gdf["zone_class"] = pd.Series(classes, index=gdf.index, dtype=object)
    gdf["zone_group"] = pd.Series([s.get("group") for s in spec], index=gdf.index, dtype=object)
    permissions = [s.get("permission") for s in spec]
    gdf["zone_permission"] = pd.Series(permissions, index=gdf.index, dtype=object)
    gdf["zone_allows_outlet"] = pd.Series(
        [None if p is None else p == "allowed" for p in permissions], index=gdf.index, dtype=object
    )
    gdf["zone_forest_function"] = pd.Series([s.get("forest_function") for s in spec],
                                            index=gdf.index, dtype=object)
    info.update(
        kind="zoning",
        zone_column=column,
        mapping=mapping.path,
        mapping_version=mapping.version,
        scale=scale,
        accuracy_class=accuracy_class,
        tolerance_m=map_accuracy_m(scale, accuracy_class),
        unknown_values=sorted({n for n, c in zip(names, classes) if c is None and n}),
        classes={c: classes.count(c) for c in sorted({c for c in classes if c})},
    )
    gdf.attrs["lahan_geo"] = info
    return gdf
