"""``compare``: what changed between two screenings of the same plots, and why.

Plots are matched by ``plot_id`` (a plot id that occurs several times is matched by
occurrence: the first with the first). For each plot the table says what changed
(status, fired rules, clearances, location) and which differences in the inputs can
explain it:

``input_moved``
    the plot's geometry moved by more than ``moved_m`` (1 m; the Hausdorff distance in
    the plot's UTM zone, so a reshaped polygon counts too), or gained or lost its location;
``layer_changed``
    the SHA-256 of a layer (forest, zoning, a constraint layer) differs between the two
    results' provenance, or a layer was added or dropped;
``rules_changed``
    the rules version or the rules file's SHA-256 differs;
``unknown``
    a result carries no provenance (a table read back from a CSV, or a GeoDataFrame that
    lost its ``attrs``), so layers and rules cannot be compared.

``old`` and ``new`` may be screening results or the files :func:`lahan_geo.to_geojson`,
:func:`lahan_geo.to_geopackage` and :func:`lahan_geo.to_csv` wrote; the provenance is
read back from the GeoJSON foreign member and the GeoPackage layer metadata.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> def result(status, x, version):
...     gdf = gpd.GeoDataFrame({"plot_id": ["A", "B"], "status": [status, "clear"],
...                             "rules": [["F2"], ["F6"]]},
...                            geometry=[Point(x, -2.5), Point(112.5, -2.5)], crs=4326)
...     gdf.attrs["lahan_geo"] = {"rules_version": version, "layers": {}}
...     return gdf
>>> diff = compare(result("needs_clearance", 112.0, "1"), result("verify", 112.001, "2"))
>>> diff[["plot_id", "change", "status_old", "status_new", "moved_m", "why"]].values.tolist()
... # doctest: +NORMALIZE_WHITESPACE
[['A', 'changed', 'needs_clearance', 'verify', 111.2, ['input_moved', 'rules_changed']],
 ['B', 'unchanged', 'clear', 'clear', 0.0, []]]
>>> print(diff.loc[0, "why_en"])
the plot moved 111.2 m; the rules changed (1 → 2)
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import InputError
from lahan_geo.intake.gdal_files import VectorFile, open_vector
from lahan_geo.intake.sniff import fits, mismatch_message, sniff
from lahan_geo.intake.tables import read_text_file
from lahan_geo.metric import utm_epsg
from lahan_geo.result import GPKG_ORDER_FIELD, GPKG_RESULT_LAYERS

__all__ = ["CHANGES", "COMPARE_COLUMNS", "compare"]

#: The columns of the table :func:`compare` returns.
COMPARE_COLUMNS = (
    "plot_id", "change", "what", "status_old", "status_new", "rules_old", "rules_new",
    "rules_added", "rules_removed", "clearances_old", "clearances_new", "clearances_id_old",
    "clearances_id_new", "moved_m", "why", "why_en", "why_id",
)

#: Values of ``change``.
CHANGES = ("added", "removed", "changed", "unchanged")

_LIST_COLUMNS = ("rules", "clearances", "clearances_id")
_GPKG_LAYER = "hasil_screening"  # the one result layer of GeoPackages before #16


def compare(
    old: gpd.GeoDataFrame | str | PathLike[str],
    new: gpd.GeoDataFrame | str | PathLike[str],
    *,
    moved_m: float = 1.0,
) -> pd.DataFrame:
    """Compare two screening results plot by plot.

    Parameters
    ----------
    old, new : GeoDataFrame or path
        Results of :func:`lahan_geo.screen`, or a GeoJSON, GeoPackage or CSV written by
        the library's writers.
    moved_m : float, default 1
        A plot whose geometry moved farther than this (metres) counts as moved.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS`, one row per plot: the plots of ``new`` in their order,
        then the plots only in ``old``. ``change`` is ``added`` (only in ``new``),
        ``removed`` (only in ``old``), ``changed`` or ``unchanged``; ``what`` lists what
        changed (``status``, ``rules``, ``clearances``, ``location``); ``*_old``/``*_new``
        the values on each side (lists for rules and clearances); ``moved_m`` the
        displacement in metres (NaN without both locations); ``why`` the codes of the
        input differences that can explain a change (empty for an unchanged plot) and
        ``why_en``/``why_id`` the same in words. ``attrs["lahan_geo"]["compare"]`` holds
        both sides' rules version and layer hashes and what differs.

    Raises
    ------
    InputError
        A side is not a screening result (no ``plot_id``/``status``), or a file cannot be
        read.
    """
    if isinstance(moved_m, bool) or not isinstance(moved_m, int | float) or not moved_m >= 0:
        msg = f"compare(): moved_m={moved_m!r} must be a distance in metres, 0 or more."
        raise InputError(msg)
    old_gdf, old_meta = _load(old, "old")
    new_gdf, new_meta = _load(new, "new")
    layers = _layers_changed(old_meta, new_meta)
    rules = _rules_changed(old_meta, new_meta)

    old_keys, new_keys = _keys(old_gdf), _keys(new_gdf)
    old_at = {k: i for i, k in enumerate(old_keys)}
    pairs = [(old_at.get(k), j) for j, k in enumerate(new_keys)]
    matched = {i for i, _ in pairs if i is not None}
    pairs += [(i, None) for i in range(len(old_keys)) if i not in matched]
    moved = _displacements(old_gdf, new_gdf, pairs)

    rows = []
    for (i, j), dist in zip(pairs, moved):
        before = _side(old_gdf, i)
        after = _side(new_gdf, j)
        rows.append(_row(before, after, dist, float(moved_m), layers, rules, old_meta,
                         new_meta))
    table = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object)
                          for c in COMPARE_COLUMNS})
    table["moved_m"] = pd.to_numeric(table["moved_m"]).astype(float)
    table.attrs["lahan_geo"] = {"compare": {
        "old": _summary(old_meta), "new": _summary(new_meta),
        "layers_changed": layers, "rules_changed": rules, "moved_m": float(moved_m),
        "counts": {c: int((table["change"] == c).sum()) for c in CHANGES},
    }}
    return table


def _load(side: Any, name: str) -> tuple[gpd.GeoDataFrame, dict[str, Any] | None]:
    if isinstance(side, str | PathLike):
        gdf, meta = _read_file(Path(side))
    elif isinstance(side, gpd.GeoDataFrame):
        gdf = side
        meta = side.attrs.get("lahan_geo") if isinstance(side.attrs, Mapping) else None
    else:
        msg = (f"compare(): {name} must be a screening result or the path of a GeoJSON, "
               f"GeoPackage or CSV export, not {type(side).__name__}.")
        raise InputError(msg)
    missing = [c for c in ("plot_id", "status") if c not in gdf.columns]
    if missing:
        msg = (f"compare(): {name} has no column(s) {', '.join(missing)}; it is not a "
               "screening result. Fix: pass what lahan_geo.screen() returned or its export.")
        raise InputError(msg)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    meta = dict(meta) if isinstance(meta, Mapping) and meta else None
    return gdf, meta


def _read_file(path: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any] | None]:
    if not path.is_file():
        msg = f"compare(): {path} does not exist. Fix: check the path."
        raise InputError(msg)
    suffix = path.suffix.lower()
    label = f"compare(): {path}"
    fix = "pass the GeoJSON, GeoPackage or CSV written by lahan_geo, or the result itself"
    if suffix == ".csv":
        found = sniff(path)
        if found is not None and not fits(found, suffix):
            raise InputError(mismatch_message(path, found, label))
        raw = read_text_file(path, label)
        try:
            table = pd.read_csv(io.BytesIO(raw), dtype=object, keep_default_na=False,
                                encoding="utf-8-sig").replace({"": None})
            wkt = table.pop("wkt") if "wkt" in table.columns else pd.Series([None] * len(table))
            geoms = shapely.from_wkt(wkt.to_numpy(dtype=object))
        except Exception as err:  # pandas' and shapely's errors are many: name the file
            msg = f"compare(): cannot read {path}: {err}. Fix: {fix}."
            raise InputError(msg) from None
        return gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326"), None
    source = open_vector(path, label=label, fix=fix)
    if source.driver == "GPKG":
        return _read_gpkg(source, fix)
    gdf = source.frame()
    meta = None
    try:
        if source.driver == "GeoJSON":
            meta = json.loads(read_text_file(path, label)).get("lahan_geo")
    except (ValueError, AttributeError, TypeError) as err:
        msg = f"compare(): cannot read the lahan_geo notes of {path}: {err}. Fix: {fix}."
        raise InputError(msg) from None
    return gdf, meta


def _read_gpkg(source: VectorFile, fix: str) -> tuple[gpd.GeoDataFrame, dict[str, Any] | None]:
    """Read a GeoPackage export: its result layers put back together in result order."""
    present = {name for name, _ in source.layers()}
    names = [n for n in GPKG_RESULT_LAYERS.values() if n in present] or [_GPKG_LAYER]
    parts = [source.frame(name) for name in names]
    parts = [part if isinstance(part, gpd.GeoDataFrame)
             else gpd.GeoDataFrame(part, geometry=[None] * len(part), crs="EPSG:4326")
             for part in parts]
    gdf = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if GPKG_ORDER_FIELD in gdf.columns:
        gdf = gdf.sort_values(GPKG_ORDER_FIELD, kind="stable", ignore_index=True)
    try:
        info = source.info(names[0]).get("layer_metadata") or {}
        meta = json.loads(info["lahan_geo"]) if "lahan_geo" in info else None
    except (ValueError, AttributeError, TypeError) as err:
        msg = f"compare(): cannot read the lahan_geo notes of {source.path}: {err}. Fix: {fix}."
        raise InputError(msg) from None
    return gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs="EPSG:4326"), meta


def _keys(gdf: gpd.GeoDataFrame) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    keys = []
    for value in gdf["plot_id"].tolist():
        text = "" if _missing(value) else str(value)
        seen[text] = seen.get(text, 0) + 1
        keys.append((text, seen[text]))
    return keys


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _as_list(value: Any) -> list[str]:
    """Return a list column's value as a list; the exports join lists with ``"; "``."""
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [str(v) for v in value if not _missing(v) and str(v) != ""]
    if _missing(value) or str(value).strip() == "":
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _parts(items: list[str]) -> set[str]:
    """Return the items split at ``;``, so a list and its ``"; "``-joined export compare equal.

    Examples
    --------
    >>> _parts(["Tidak ada; pindah lokasi", "PPKH"]) == _parts(_as_list(
    ...     "Tidak ada; pindah lokasi; PPKH"))
    True
    """
    return {part.strip() for item in items for part in item.split(";") if part.strip()}


def _side(gdf: gpd.GeoDataFrame, i: int | None) -> dict[str, Any] | None:
    if i is None:
        return None
    out: dict[str, Any] = {"plot_id": gdf["plot_id"].iloc[i],
                           "status": None if _missing(s := gdf["status"].iloc[i]) else str(s)}
    for column in _LIST_COLUMNS:
        out[column] = _as_list(gdf[column].iloc[i]) if column in gdf.columns else []
    geom = gdf.geometry.array[i]
    out["located"] = geom is not None and not geom.is_empty
    return out


def _displacements(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame,
                   pairs: list[tuple[int | None, int | None]]) -> list[float]:
    """Hausdorff distance (m) per matched pair, in the new geometry's UTM zone; NaN else."""
    out = [math.nan] * len(pairs)
    groups: dict[int, list[int]] = {}
    a_geoms, b_geoms = old.geometry.array, new.geometry.array
    for k, (i, j) in enumerate(pairs):
        if i is None or j is None:
            continue
        a, b = a_geoms[i], b_geoms[j]
        if a is None or b is None or a.is_empty or b.is_empty:
            continue
        point = shapely.get_coordinates(b.representative_point())[0]
        groups.setdefault(utm_epsg(point[0], point[1]), []).append(k)
    for epsg, ks in groups.items():
        a = gpd.GeoSeries([a_geoms[pairs[k][0]] for k in ks], crs="EPSG:4326").to_crs(epsg)
        b = gpd.GeoSeries([b_geoms[pairs[k][1]] for k in ks], crs="EPSG:4326").to_crs(epsg)
        dist = shapely.hausdorff_distance(np.asarray(a.array), np.asarray(b.array))
        for k, d in zip(ks, dist):
            out[k] = round(float(d), 1)
    return out


def _layer_hashes(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    if meta is None or not isinstance(meta.get("layers"), Mapping):
        return None
    return {str(name): (info.get("sha256") if isinstance(info, Mapping) else None)
            for name, info in meta["layers"].items()}


def _layers_changed(old: dict[str, Any] | None, new: dict[str, Any] | None
                    ) -> list[str] | None:
    a, b = _layer_hashes(old), _layer_hashes(new)
    if a is None or b is None:
        return None
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name)
                  or (name in a) != (name in b))


def _rules_changed(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool | None:
    keys = ("rules_version", "rules_sha256")
    if old is None or new is None or not any(k in old for k in keys) or not any(
            k in new for k in keys):
        return None
    return any(old.get(k) != new.get(k) for k in keys if k in old or k in new)


def _summary(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    if meta is None:
        return None
    return {"rules_version": meta.get("rules_version"),
            "rules_sha256": meta.get("rules_sha256"),
            "layers": _layer_hashes(meta) or {}}


_LAYER_ID = {"forest": "kawasan hutan", "zoning": "pola ruang"}


def _row(before: dict[str, Any] | None, after: dict[str, Any] | None, dist: float,
         threshold: float, layers: list[str] | None, rules: bool | None,
         old_meta: dict[str, Any] | None, new_meta: dict[str, Any] | None) -> dict[str, Any]:
    side = after or before
    assert side is not None
    row: dict[str, Any] = {"plot_id": side["plot_id"], "moved_m": dist}
    for column in ("status", *_LIST_COLUMNS):
        row[f"{column}_old"] = before[column] if before else None
        row[f"{column}_new"] = after[column] if after else None
    row["rules_added"] = [r for r in (row["rules_new"] or []) if r not in (row["rules_old"]
                                                                            or [])]
    row["rules_removed"] = [r for r in (row["rules_old"] or []) if r not in (row["rules_new"]
                                                                              or [])]
    if before is None or after is None:
        row.update(change="added" if before is None else "removed", what=[], why=[],
                   why_en="only in the new result" if before is None else
                   "only in the old result",
                   why_id="hanya ada di hasil baru" if before is None else
                   "hanya ada di hasil lama")
        return row
    what = []
    if before["status"] != after["status"]:
        what.append("status")
    if _parts(before["rules"]) != _parts(after["rules"]):
        what.append("rules")
    if (_parts(before["clearances"]) != _parts(after["clearances"])
            or _parts(before["clearances_id"]) != _parts(after["clearances_id"])):
        what.append("clearances")
    relocated = before["located"] != after["located"]
    if relocated or (not math.isnan(dist) and dist > threshold):
        what.append("location")
    row["what"] = what
    row["change"] = "changed" if what else "unchanged"
    why: list[str] = []
    en: list[str] = []
    id_: list[str] = []
    if not what:
        row.update(why=why, why_en="", why_id="")
        return row
    if "location" in what:
        why.append("input_moved")
        if relocated:
            gained = after["located"]
            en.append("the plot gained a location" if gained else "the plot lost its location")
            id_.append("lahan kini memiliki lokasi" if gained else "lokasi lahan hilang")
        else:
            en.append(f"the plot moved {dist:,.1f} m")
            id_.append(f"lahan bergeser {dist:,.1f} m".replace(",", "#").replace(".", ",")
                       .replace("#", "."))
    if layers:
        why.append("layer_changed")
        en.append(f"the {', '.join(layers)} layer{'s' if len(layers) > 1 else ''} changed")
        id_.append(f"lapisan {', '.join(_LAYER_ID.get(n, n) for n in layers)} berubah")
    if rules:
        versions = (old_meta or {}).get("rules_version"), (new_meta or {}).get("rules_version")
        if versions[0] != versions[1]:
            en.append(f"the rules changed ({versions[0]} → {versions[1]})")
            id_.append(f"aturan berubah ({versions[0]} → {versions[1]})")
        else:
            en.append(f"the rules file changed (same version {versions[1]}, another SHA-256)")
            id_.append(f"berkas aturan berubah (versi sama {versions[1]}, SHA-256 lain)")
        why.append("rules_changed")
    if layers is None or rules is None:
        why.append("unknown")
        which = "old" if old_meta is None else "new" if new_meta is None else "old or new"
        which_id = {"old": "lama", "new": "baru"}.get(which, "lama atau baru")
        en.append(f"layers and rules: unknown (the {which} result carries no provenance)")
        id_.append(f"lapisan dan aturan: tidak diketahui (hasil {which_id} tanpa metadata asal)")
    if not why:
        en.append("no difference in location, layers or rules was found")
        id_.append("tidak ditemukan perbedaan lokasi, lapisan, atau aturan")
    row.update(why=why, why_en="; ".join(en), why_id="; ".join(id_))
    return row
