"""``screen``: overlay plots on the legal layers, apply the rules, explain each result."""

from __future__ import annotations

import math
from collections.abc import Mapping
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo import __version__
from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M, combined_tolerance_m
from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake import read_plots
from lahan_geo.layers.forest import FOREST_ESTATE, FUNCTIONS_BY_RESTRICTION, read_forest_area
from lahan_geo.layers.zoning import PERMISSIONS, read_zoning
from lahan_geo.metric import utm_groups
from lahan_geo.overlay import overlay_layer
from lahan_geo.rules import Rule, RuleSet, fired_rules, load_rules, outcome_of
from lahan_geo.statuses import STATUSES, most_severe

__all__ = ["RESULT_COLUMNS", "screen"]

#: The columns ``screen`` puts first, in this order; the plot list's own columns follow.
RESULT_COLUMNS = (
    "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_decree",
    "zone_class", "zone_name", "boundary_distance_m", "tolerance_m",
    "zone_boundary_distance_m", "zone_tolerance_m", "area_m2", "rules", "clearances",
    "clearances_id", "agencies", "agencies_id", "legal_basis", "reason_id", "reason_en",
    "input_problem", "input_problem_id", "input_notes",
)

_NUMERIC = ("forest_overlap_pct", "boundary_distance_m", "tolerance_m",
            "zone_boundary_distance_m", "zone_tolerance_m", "area_m2")

# Most severe permission first: a plot under two zones is described by the worse one.
_PERMISSION_ORDER = ("protected", "lp2b", "kkpr", "allowed")
assert set(_PERMISSION_ORDER) == set(PERMISSIONS)


def screen(
    plots: gpd.GeoDataFrame | pd.DataFrame | str | PathLike[str],
    forest: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    zoning: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    rules: RuleSet | str | PathLike[str] | None = None,
    tolerance_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Screen plots against the forest area and the spatial plan.

    Parameters
    ----------
    plots : GeoDataFrame, DataFrame or path
        Best the output of :func:`lahan_geo.read_plots`; anything else is passed
        through it first.
    forest : GeoDataFrame or path, optional
        Output of :func:`lahan_geo.read_forest_area` (or a path to read with it).
        Without it every plot's forest status is unknown (rule F7, verify).
    zoning : GeoDataFrame or path, optional
        Output of :func:`lahan_geo.read_zoning`. Without it every plot is Z5, verify.
    rules : RuleSet or path, optional
        The rule set; default the shipped one (:func:`lahan_geo.load_rules`).
    tolerance_m : float, optional
        One positional tolerance (m) for every plot and layer, replacing the one
        derived from each layer's scale combined with each plot's accuracy.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per plot in input order: :data:`RESULT_COLUMNS`, then the
        plot list's own columns, then ``geometry``. ``attrs["lahan_geo"]`` holds the
        provenance: library and rules version, each layer's path, hash, scale and
        tolerance, and the counts per status.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> forest = read_forest_area(gpd.GeoDataFrame(
    ...     {"FUNGSIKWS": [100700.0, 100100.0]},
    ...     geometry=[box(112.0, -2.6, 112.2, -2.4), box(112.2, -2.6, 112.4, -2.4)], crs=4326))
    >>> zoning = read_zoning(gpd.GeoDataFrame(
    ...     {"NAMOBJ": ["Kawasan Permukiman Perdesaan"]},
    ...     geometry=[box(112.0, -2.6, 112.4, -2.4)], crs=4326))
    >>> plots = read_plots(pd.DataFrame({"id": ["A", "B", "C"],
    ...     "lat": ["-2.50000", "-2.50000", ""], "lon": ["112.10000", "112.30000", "112.1"]}))
    >>> result = screen(plots, forest=forest, zoning=zoning)
    >>> result[["plot_id", "status", "forest_function", "rules"]].values.tolist()
    [['A', 'clear', 'APL', ['F6', 'Z4']], ['B', 'needs_clearance', 'HL', ['F2', 'Z4']], ['C', 'invalid', None, ['V1']]]
    """
    ruleset = load_rules(rules)
    plots = _as_plots(plots)
    forest = _as_layer(forest, "forest_function", read_forest_area)
    zoning = _as_layer(zoning, "zone_class", read_zoning)
    if tolerance_m is not None and not (isinstance(tolerance_m, (int, float)) and tolerance_m >= 0):
        msg = f"tolerance_m={tolerance_m!r} must be a distance in metres, 0 or more."
        raise InputError(msg)

    n = len(plots)
    geoms = plots.geometry
    accuracy = pd.to_numeric(plots["accuracy_m"], errors="coerce").fillna(
        DEFAULT_PLOT_ACCURACY_M).to_numpy(dtype=float)
    forest_tol = _tolerance(forest, accuracy, tolerance_m)
    zone_tol = _tolerance(zoning, accuracy, tolerance_m)

    forest_key = _outcome_cache(ruleset, "forest_", lambda v: {
        "forest_functions": [v] if v else [], "forest_unknown": v is None})
    permission_of = _permissions(zoning)
    zone_key = _outcome_cache(ruleset, "zone_", lambda c: {
        "zone_permissions": [permission_of[c]] if c in permission_of else [],
        "zone_unknown": c not in permission_of})

    f_ov = _empty_overlay(n)
    z_ov = _empty_overlay(n)
    area = np.full(n, np.nan)
    for epsg, positions in utm_groups(geoms).items():
        metric = geoms.iloc[positions].to_crs(epsg)
        is_poly = metric.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        area[np.asarray(positions)[is_poly]] = metric.area.to_numpy()[is_poly]
        if forest is not None:
            _fill(f_ov, positions, overlay_layer(metric, forest.to_crs(epsg), "forest_function",
                                                 outcome=forest_key,
                                                 tolerance_m=forest_tol[positions]))
        if zoning is not None:
            _fill(z_ov, positions, overlay_layer(metric, zoning.to_crs(epsg), "zone_class",
                                                 outcome=zone_key,
                                                 tolerance_m=zone_tol[positions]))

    rows = []
    valid = plots["input_problem"].isna().to_numpy() & np.array(
        [g is not None and not g.is_empty for g in geoms.array])
    for i in range(n):
        facts, described = _facts(i, plots, valid[i], f_ov, z_ov, forest, zoning, area,
                                  forest_tol, zone_tol, permission_of)
        fired = fired_rules(ruleset, facts)
        rows.append({**described, **_explain(fired, facts, described)})

    table = pd.DataFrame(rows, index=plots.index, dtype=object)
    for column in _NUMERIC:
        table[column] = table[column].astype(float)
    extra = [c for c in plots.columns if c not in RESULT_COLUMNS and c != plots.geometry.name]
    table = pd.concat([table, plots[extra]], axis=1)[[*RESULT_COLUMNS, *extra]]
    result = gpd.GeoDataFrame(table, geometry=geoms.to_numpy(), crs="EPSG:4326")
    result.attrs["lahan_geo"] = _provenance(ruleset, plots, forest, zoning, tolerance_m, result)
    return result


def _as_plots(plots: Any) -> gpd.GeoDataFrame:
    if isinstance(plots, gpd.GeoDataFrame) and {"plot_id", "input_problem"} <= set(plots.columns):
        if plots.crs is None:
            msg = "The plots have no CRS. Fix: plots.set_crs('EPSG:4326') or use read_plots."
            raise CRSError(msg)
        return plots.to_crs("EPSG:4326") if not plots.crs.equals("EPSG:4326") else plots
    return read_plots(plots)


def _as_layer(layer: Any, column: str, reader: Any) -> gpd.GeoDataFrame | None:
    if layer is None:
        return None
    if isinstance(layer, gpd.GeoDataFrame) and column in layer.columns:
        if layer.crs is None:
            msg = (f"The layer passed to screen has no CRS. Fix: read it with "
                   f"{reader.__name__}(..., crs='EPSG:4326') or call .set_crs() first.")
            raise CRSError(msg)
        return layer
    return reader(layer)


def _tolerance(layer: gpd.GeoDataFrame | None, accuracy: np.ndarray, override: float | None
               ) -> np.ndarray:
    if override is not None:
        return np.full(len(accuracy), float(override))
    if layer is None:
        return np.full(len(accuracy), math.nan)
    layer_m = (layer.attrs.get("lahan_geo", {}).get("tolerance_m") if layer is not None else None)
    return combined_tolerance_m(float(layer_m or 0.0), accuracy)


def _outcome_cache(ruleset: RuleSet, prefix: str, facts_of: Any) -> Any:
    cache: dict[Any, Any] = {}

    def key(value: Any) -> Any:
        if value not in cache:
            cache[value] = outcome_of(ruleset, facts_of(value), [prefix])
        return cache[value]

    return key


def _permissions(zoning: gpd.GeoDataFrame | None) -> dict[str, str]:
    if zoning is None:
        return {}
    pairs = zoning[["zone_class", "zone_permission"]].dropna().drop_duplicates()
    return dict(zip(pairs["zone_class"], pairs["zone_permission"]))


def _empty_overlay(n: int) -> dict[str, list[Any]]:
    return {"core_rows": [()] * n, "band_rows": [()] * n, "core_values": [()] * n,
            "band_values": [()] * n, "uncovered": [True] * n, "distance_m": [math.nan] * n,
            "overlap_m2": [{}] * n}


def _fill(target: dict[str, list[Any]], positions: list[int], overlay: pd.DataFrame) -> None:
    for column, values in target.items():
        for pos, value in zip(positions, overlay[column].tolist()):
            values[pos] = value


def _facts(
    i: int, plots: gpd.GeoDataFrame, valid: bool, f_ov: Mapping[str, list[Any]],
    z_ov: Mapping[str, list[Any]], forest: gpd.GeoDataFrame | None,
    zoning: gpd.GeoDataFrame | None, area: np.ndarray, forest_tol: np.ndarray,
    zone_tol: np.ndarray, permission_of: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (facts the rules read, descriptive columns) for plot ``i``."""
    problem = plots["input_problem"].iloc[i]
    described: dict[str, Any] = {
        "plot_id": plots["plot_id"].iloc[i],
        "input_problem": problem,
        "input_problem_id": plots["input_problem_id"].iloc[i] if "input_problem_id" in plots
        else None,
        "input_notes": plots["input_notes"].iloc[i] if "input_notes" in plots else None,
        "forest_function": None, "forest_overlap_pct": math.nan, "forest_decree": None,
        "zone_class": None, "zone_name": None, "boundary_distance_m": math.nan,
        "tolerance_m": round(float(forest_tol[i]), 1), "zone_boundary_distance_m": math.nan,
        "zone_tolerance_m": round(float(zone_tol[i]), 1), "area_m2": math.nan,
    }
    if not valid:
        if problem is None:
            described["input_problem"] = "the row has no geometry"
        return {"input_valid": False}, described

    functions = sorted({v for v in f_ov["core_values"][i] if v is not None},
                       key=FUNCTIONS_BY_RESTRICTION.index)
    f_unknown = forest is None or f_ov["uncovered"][i] or None in f_ov["core_values"][i]
    f_dist = f_ov["distance_m"][i]
    classes = [c for c in z_ov["core_values"][i] if c is not None]
    permissions = sorted({permission_of[c] for c in classes}, key=_PERMISSION_ORDER.index)
    z_unknown = zoning is None or z_ov["uncovered"][i] or None in z_ov["core_values"][i]
    z_dist = z_ov["distance_m"][i]
    settled = plots["settled_before_designation"].iloc[i] if (
        "settled_before_designation" in plots) else None
    plot_area = float(area[i]) if not math.isnan(area[i]) else None
    facts = {
        "input_valid": True,
        "forest_functions": functions,
        "forest_unknown": bool(f_unknown),
        "forest_near_boundary": bool(f_dist <= forest_tol[i]) if not math.isnan(f_dist) else False,
        "settled_before_designation": settled if isinstance(settled, bool) else None,
        "zone_permissions": permissions,
        "zone_unknown": bool(z_unknown),
        "zone_near_boundary": bool(z_dist <= zone_tol[i]) if not math.isnan(z_dist) else False,
        "area_m2": plot_area,
    }
    function = functions[0] if functions else None
    described.update(
        forest_function=function,
        forest_overlap_pct=_estate_pct(function, f_ov["overlap_m2"][i], plot_area, forest),
        forest_decree=_first_attr(forest, f_ov["core_rows"][i], "forest_function", function,
                                  "forest_decree"),
        boundary_distance_m=round(float(f_dist), 1) if not math.isnan(f_dist) else math.nan,
        zone_boundary_distance_m=round(float(z_dist), 1) if not math.isnan(z_dist) else math.nan,
        area_m2=round(plot_area, 1) if plot_area is not None else math.nan,
    )
    if permissions:
        worst = next(c for c in classes if permission_of[c] == permissions[0])
        described["zone_class"] = worst
        described["zone_name"] = _first_attr(zoning, z_ov["core_rows"][i], "zone_class", worst,
                                             "zone_name")
    unknown_names = sorted({
        zoning["zone_name"].iloc[j] for j in z_ov["core_rows"][i]
        if zoning is not None and zoning["zone_class"].iloc[j] is None
        and zoning["zone_name"].iloc[j]
    })
    described["_unknown_zone_names"] = unknown_names
    if described["zone_name"] is None and unknown_names:
        described["zone_name"] = unknown_names[0]
    return facts, described


def _estate_pct(function: str | None, overlap: Mapping[Any, float], plot_area: float | None,
                forest: gpd.GeoDataFrame | None) -> float:
    if forest is None:
        return math.nan
    if plot_area is None:  # a point is wholly in or out
        return 100.0 if function in FOREST_ESTATE else 0.0
    inside = sum(a for v, a in overlap.items() if v in FOREST_ESTATE)
    return round(min(100.0, 100.0 * inside / plot_area), 2) if plot_area > 0 else 0.0


def _first_attr(layer: gpd.GeoDataFrame | None, rows: tuple[int, ...], key_col: str, key: Any,
                attr: str) -> Any:
    if layer is None:
        return None
    for j in rows:
        if layer[key_col].iloc[j] == key:
            value = layer[attr].iloc[j]
            return None if pd.isna(value) else value
    return None


def _explain(fired: list[Rule], facts: Mapping[str, Any], described: dict[str, Any]
             ) -> dict[str, Any]:
    unknown_names = described.pop("_unknown_zone_names", [])
    context = {
        "forest_function": ", ".join(facts.get("forest_functions") or []) or "-",
        "zone_name": described.get("zone_name") or "-",
        "boundary_distance_m": _num(described.get("boundary_distance_m")),
        "tolerance_m": _num(described.get("tolerance_m")),
        "zone_boundary_distance_m": _num(described.get("zone_boundary_distance_m")),
        "zone_tolerance_m": _num(described.get("zone_tolerance_m")),
        "area_m2": _num(described.get("area_m2")),
        "input_problem": described.get("input_problem") or "-",
    }
    names = ", ".join(f"'{n}'" for n in unknown_names)
    ctx_en = {**context, "zone_name_note": f" (zone name {names} is not in the zoning mapping)"
              if names else ""}
    ctx_id = {**context, "zone_name_note": f" (nama zona {names} tidak dikenal pemetaan pola ruang)"
              if names else ""}
    if described.get("input_problem_id"):
        ctx_id["input_problem"] = described["input_problem_id"]
    status = most_severe(r.status for r in fired)
    reason_en = " ".join(f"{r.id}: {r.reason_en.format_map(_Safe(ctx_en))}" for r in fired)
    reason_id = " ".join(f"{r.id}: {r.reason_id.format_map(_Safe(ctx_id))}" for r in fired)
    if status is None:  # only possible with a user's rule set that leaves a gap
        status = "verify"
        reason_en = "No rule applies to this plot; check it by hand."
        reason_id = "Tidak ada aturan yang berlaku untuk lahan ini; periksa secara manual."
    assert status in STATUSES
    return {
        "status": status,
        "rules": [r.id for r in fired],
        "clearances": _distinct(r.clearance_en for r in fired),
        "clearances_id": _distinct(r.clearance_id for r in fired),
        "agencies": _distinct(r.agency_en for r in fired),
        "agencies_id": _distinct(r.agency_id for r in fired),
        "legal_basis": _distinct(r.legal_basis for r in fired),
        "reason_en": reason_en,
        "reason_id": reason_id,
    }


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.0f}"


def _distinct(items: Any) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _provenance(ruleset: RuleSet, plots: gpd.GeoDataFrame, forest: gpd.GeoDataFrame | None,
                zoning: gpd.GeoDataFrame | None, override: float | None,
                result: gpd.GeoDataFrame) -> dict[str, Any]:
    layers = {}
    for name, layer in (("forest", forest), ("zoning", zoning)):
        if layer is not None:
            layers[name] = _plain(layer.attrs.get("lahan_geo", {}))
    counts = result["status"].value_counts()
    return _plain({
        "library_version": __version__,
        **ruleset.provenance(),
        "layers": layers,
        "plots": plots.attrs.get("lahan_geo", {}),
        "tolerance": {
            "forest_layer_m": layers.get("forest", {}).get("tolerance_m"),
            "zoning_layer_m": layers.get("zoning", {}).get("tolerance_m"),
            "default_plot_accuracy_m": DEFAULT_PLOT_ACCURACY_M,
            "override_m": override,
            "combination": "root sum of squares of layer and plot accuracy",
        },
        "status_counts": {s: int(counts.get(s, 0)) for s in STATUSES},
    })


def _plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into JSON-serialisable Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
