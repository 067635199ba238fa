"""Explain every plot: evaluate the rules per distinct fact combination, word the reasons.

A batch of a million plots holds only hundreds of distinct situations (forest
categories, zone categories, flags, area, constraint layers): the rules run once per
distinct combination and each reason text is formatted once per distinct set of
values it quotes.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo.layers.forest import FUNCTIONS_BY_RESTRICTION
from lahan_geo.layers.zoning import PERMISSIONS
from lahan_geo.overlay import LayerOverlay
from lahan_geo.rules import Rule, RuleSet, fired_rules
from lahan_geo.statuses import STATUSES, most_severe

__all__ = ["PERMISSION_ORDER", "explain_all", "functions_of", "per_mask", "unknown_of",
           "zone_permissions_of"]

# Most severe permission first: a plot under two zones is described by the worse one.
PERMISSION_ORDER = ("protected", "lp2b", "kkpr", "allowed")
assert set(PERMISSION_ORDER) == set(PERMISSIONS)


def functions_of(ov: LayerOverlay | None, mask: int) -> tuple[str, ...]:
    """Return the forest functions in ``mask``, most restrictive first."""
    if ov is None:
        return ()
    return tuple(sorted((v for v in ov.values(mask) if v is not None),
                        key=FUNCTIONS_BY_RESTRICTION.index))


def zone_permissions_of(ov: LayerOverlay | None, mask: int, permission_of: Mapping[str, str]
                      ) -> tuple[str, ...]:
    """Return the zone permissions in ``mask``, most severe first."""
    if ov is None:
        return ()
    found = {permission_of[c] for c in ov.values(mask) if c is not None}
    return tuple(sorted(found, key=PERMISSION_ORDER.index))


def unknown_of(ov: LayerOverlay | None) -> np.ndarray | bool:
    """Per plot, whether the layer leaves it (partly) uncovered or of unknown category."""
    if ov is None:
        return True
    none_bit = np.uint64(ov.bit(None))
    return ov.uncovered | ((ov.core_mask & none_bit) != 0)


def per_mask(masks: np.ndarray, fn: Callable[[int], Any]) -> list[Any]:
    """Apply ``fn`` once per distinct mask and spread the answers back."""
    uniques, inverse = np.unique(masks, return_inverse=True)
    answers = [fn(int(m)) for m in uniques]
    return [answers[i] for i in inverse.ravel()]


def explain_all(ruleset: RuleSet, plots: gpd.GeoDataFrame, valid: np.ndarray,
                 described: pd.DataFrame, f_ov: LayerOverlay | None, z_ov: LayerOverlay | None,
                 permission_of: Mapping[str, str], forest_tol: np.ndarray, zone_tol: np.ndarray,
                 area: np.ndarray, hits: list[list[tuple[str, str]]]) -> pd.DataFrame:
    """Evaluate the rules once per distinct fact combination and explain every plot."""
    n = len(plots)
    f_mask = f_ov.core_mask if f_ov is not None else np.zeros(n, dtype=np.uint64)
    z_mask = z_ov.core_mask if z_ov is not None else np.zeros(n, dtype=np.uint64)
    f_unknown = np.broadcast_to(unknown_of(f_ov), n)
    z_unknown = np.broadcast_to(unknown_of(z_ov), n)
    f_dist = f_ov.distance_m if f_ov is not None else np.full(n, np.nan)
    z_dist = z_ov.distance_m if z_ov is not None else np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        f_near = f_dist <= forest_tol
        z_near = z_dist <= zone_tol
    settled = (plots["settled_before_designation"].to_numpy(dtype=object)
               if "settled_before_designation" in plots else np.full(n, None))
    signatures = list(zip(valid.tolist(), f_mask.tolist(), f_unknown.tolist(), f_near.tolist(),
                          [s if isinstance(s, bool) else None for s in settled],
                          z_mask.tolist(), z_unknown.tolist(), z_near.tolist(),
                          [None if math.isnan(a) else a for a in area.tolist()],
                          [tuple(sorted({r for r, _ in h})) for h in hits]))

    @cache
    def decide(signature: tuple[Any, ...]) -> tuple[Rule, ...]:
        ok, fm, fu, fn, st, zm, zu, zn, a, cs = signature
        if not ok:
            return tuple(fired_rules(ruleset, {"input_valid": False}))
        facts = {
            "input_valid": True, "forest_functions": list(functions_of(f_ov, fm)),
            "forest_unknown": fu, "forest_near_boundary": fn, "settled_before_designation": st,
            "zone_permissions": list(zone_permissions_of(z_ov, zm, permission_of)),
            "zone_unknown": zu, "zone_near_boundary": zn, "area_m2": a,
            "constraints": list(cs),
        }
        return tuple(fired_rules(ruleset, facts))

    rows = []
    explained: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # per call: no unbounded cache
    context_cols = {
        "forest_function": per_mask(f_mask, lambda m: ", ".join(functions_of(f_ov, m)) or "-"),
        "zone_name": [z if isinstance(z, str) and z else "-" for z in described["zone_name"]],
        "zone_class": described["zone_class"].tolist(),
        "boundary_distance_m": [_num(v) for v in described["boundary_distance_m"].tolist()],
        "tolerance_m": [_num(v) for v in described["tolerance_m"].tolist()],
        "zone_boundary_distance_m": [_num(v) for v in
                                     described["zone_boundary_distance_m"].tolist()],
        "zone_tolerance_m": [_num(v) for v in described["zone_tolerance_m"].tolist()],
        "area_m2": [_num(v) for v in described["area_m2"].tolist()],
        "input_problem": [p if isinstance(p, str) else "-" for p in described["input_problem"]],
        "input_problem_id": [p if isinstance(p, str) else None
                             for p in described["input_problem_id"]],
        "constraint_names": [", ".join(dict.fromkeys(name for _, name in h)) or "-"
                             for h in hits],
    }
    for i, signature in enumerate(signatures):
        fired = decide(signature)
        wanted = _placeholders(fired)
        context = tuple((k, context_cols[k][i]) for k in sorted(wanted) if k in context_cols)
        note_name = (context_cols["zone_name"][i] if "zone_name_note" in wanted
                     and context_cols["zone_class"][i] is None else None)
        problem_id = context_cols["input_problem_id"][i] if "input_problem" in wanted else None
        key = (fired, context, note_name, problem_id)
        if key not in explained:
            explained[key] = _explain(*key)
        # Fresh lists per row: a user editing one plot's rules must not edit another's.
        rows.append([v.copy() if isinstance(v, list) else v for v in explained[key]])
    columns = ["status", "rules", "clearances", "clearances_id", "agencies", "agencies_id",
               "legal_basis", "reason_id", "reason_en"]
    return pd.DataFrame({c: pd.Series([r[k] for r in rows], dtype=object)
                         for k, c in enumerate(columns)})


@cache
def _placeholders(fired: tuple[Rule, ...]) -> frozenset[str]:
    found = set()
    for rule in fired:
        for text in (rule.reason_en, rule.reason_id):
            found.update(name for _, name, _, _ in string.Formatter().parse(text) if name)
    return frozenset(found)


def _explain(fired: tuple[Rule, ...], context: tuple[tuple[str, str], ...],
             unknown_zone_name: str | None, problem_id: str | None) -> tuple[Any, ...]:
    ctx = dict(context)
    note_en = note_id = ""
    if unknown_zone_name and unknown_zone_name != "-":
        note_en = f" (zone name '{unknown_zone_name}' is not in the zoning mapping)"
        note_id = f" (nama zona '{unknown_zone_name}' tidak dikenal pemetaan pola ruang)"
    ctx_en = _Safe({**ctx, "zone_name_note": note_en})
    ctx_id = _Safe({**ctx, "zone_name_note": note_id})
    if problem_id:
        ctx_id["input_problem"] = problem_id
    status = most_severe(r.status for r in fired)
    reason_en = " ".join(f"{r.id}: {r.reason_en.format_map(ctx_en)}" for r in fired)
    reason_id = " ".join(f"{r.id}: {r.reason_id.format_map(ctx_id)}" for r in fired)
    if status is None:  # only possible with a user's rule set that leaves a gap
        status = "verify"
        reason_en = "No rule applies to this plot; check it by hand."
        reason_id = "Tidak ada aturan yang berlaku untuk lahan ini; periksa secara manual."
    assert status in STATUSES
    return (
        status,
        [r.id for r in fired],
        _distinct(r.clearance_en for r in fired),
        _distinct(r.clearance_id for r in fired),
        _distinct(r.agency_en for r in fired),
        _distinct(r.agency_id for r in fired),
        _distinct(r.legal_basis for r in fired),
        reason_id,
        reason_en,
    )


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.0f}"


def _distinct(items: Any) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
