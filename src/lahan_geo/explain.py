"""Explain every plot: evaluate the rules per distinct fact combination, word the reasons.

A batch of a million plots holds only hundreds of distinct situations (forest
categories, zone categories, flags, area, constraint layers): the plots are grouped
with array operations, the rules run once per distinct combination and each reason
text is formatted once per distinct set of values it quotes. The only loop over all
plots gives each plot its own list objects.
"""

from __future__ import annotations

import math
import operator
import string
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.overlay import Batch, LayerOverlay, Overlaid
from lahan_geo.rules import Rule, RuleSet, condition_holds, fired_rules
from lahan_geo.rules.operators import ELEMENTWISE, OPERATIONS
from lahan_geo.rules.programme import Programme
from lahan_geo.statuses import STATUSES, most_severe
from lahan_geo.vocab import (
    FUNCTIONS_BY_RESTRICTION,
    PERMISSION_ORDER,
    PERMISSIONS,
    ZONE_FOREST_FAMILY,
)

__all__ = ["PERMISSION_ORDER", "explain_all", "forest_zone_disagrees", "functions_of",
           "per_mask", "unknown_of", "zone_permissions_of"]

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


def forest_zone_disagrees(functions: Iterable[str], zone_forest: Iterable[str]
                          ) -> bool | None:
    """Whether a forest-class zone restates a function the forest-area map does not show.

    None where there is nothing to compare: no forest-class zone, or no known forest
    function under the plot (no forest layer, or only unknown codes).

    Examples
    --------
    >>> forest_zone_disagrees(["HL"], ["HL"]), forest_zone_disagrees(["APL"], ["HL"])
    (False, True)
    >>> forest_zone_disagrees(["HPT"], ["HP"]), forest_zone_disagrees([], ["HL"])
    (False, None)
    """
    functions, zone_forest = set(functions), set(zone_forest)
    if not functions or not zone_forest:
        return None
    return any(not functions & set(ZONE_FOREST_FAMILY[z]) for z in zone_forest)


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


#: Output columns of :func:`explain_all`; the list-valued ones get fresh lists per plot.
_COLUMNS = ("status", "rules", "clearances", "clearances_id", "agencies", "agencies_id",
            "offices", "legal_basis", "reason_id", "reason_en")
_LIST_COLUMNS = frozenset(_COLUMNS[1:8])

#: Per plot, integer codes and the value each code stands for: ``values[codes[i]]``.
_Coded = tuple[np.ndarray, list[Any]]


def explain_all(ruleset: RuleSet, batch: Batch, described: pd.DataFrame, on_forest: Overlaid,
                 on_zoning: Overlaid, permission_of: Mapping[str, str],
                 hits: list[list[tuple[str, str]]], *,
                 rdtr: np.ndarray | None = None, programme: Programme | None = None,
                 province: np.ndarray | None = None,
                 zone_forest: Mapping[str, str] | None = None,
                 land_title: np.ndarray | None = None) -> pd.DataFrame:
    """Evaluate the rules once per distinct fact combination and explain every plot.

    Plots are grouped with array operations: first by the facts the rules read
    (their signature), then by the context values the fired rules' reasons quote.
    The rules and the wording run once per group; every plot still gets its own
    list objects.

    Parameters
    ----------
    ruleset : RuleSet
        The rules to evaluate.
    batch : Batch
        The plots (``settled_before_designation`` is read from them), which are valid,
        and their areas in m².
    described : DataFrame
        The descriptive columns ``screen`` computed (zone name, distances, ...).
    on_forest, on_zoning : Overlaid
        The forest and zoning overlays (None inside: that layer was not given) and the
        per-plot positional tolerance at their boundaries.
    permission_of : Mapping
        Zone class to permission.
    hits : list of list of (str, str)
        Per plot, the (rule, layer name) of every constraint layer it overlaps.
    rdtr : ndarray of object, optional
        Per plot, its RDTR coverage (covered, partly, not_covered); None: no RDTR layer.
    programme : Programme, optional
        The programme switches (default: all off, applicant pemda).
    province : ndarray of object, optional
        Per plot, its BPS province code (text) or None: names the regional offices.
    zone_forest : Mapping, optional
        Forest-class zone class to the forest function it restates.
    land_title : ndarray of object, optional
        Per plot, its land-title class (the ``land_title`` fact); None: not screened.

    Returns
    -------
    DataFrame
        One row per plot (status, rules, clearances, clearances_id, agencies,
        agencies_id, offices, legal_basis, reason_id, reason_en), all of dtype object.
    """
    n, plots, valid, area = batch.n, batch.plots, batch.valid, batch.area
    f_ov, forest_tol = on_forest.overlay, on_forest.tolerance
    z_ov, zone_tol = on_zoning.overlay, on_zoning.tolerance
    f_mask = f_ov.core_mask if f_ov is not None else np.zeros(n, dtype=np.uint64)
    z_mask = z_ov.core_mask if z_ov is not None else np.zeros(n, dtype=np.uint64)
    with np.errstate(invalid="ignore"):
        f_near = (f_ov.distance_m if f_ov is not None else np.full(n, np.nan)) <= forest_tol
        z_near = (z_ov.distance_m if z_ov is not None else np.full(n, np.nan)) <= zone_tol
    settled = (plots["settled_before_designation"].to_numpy(dtype=object)
               if "settled_before_designation" in plots else np.full(n, None))
    f_codes, f_masks = _codes(f_mask)
    hit_count = np.fromiter(map(len, hits), np.int64, n)
    hit_rows = np.flatnonzero(hit_count)
    constraint_codes, constraint_sets = _sparse_codes(
        n, hit_rows, [tuple(sorted({r for r, _ in hits[i]})) for i in hit_rows], ())
    f_unknown = np.broadcast_to(unknown_of(f_ov), n)
    z_unknown = np.broadcast_to(unknown_of(z_ov), n)
    settled_codes = _settled(settled)
    rdtr_codes, rdtr_values = _codes(np.full(n, None, dtype=object) if rdtr is None
                                     else np.asarray(rdtr, dtype=object))
    province_codes, province_values = _codes(np.full(n, None, dtype=object) if province is None
                                             else np.asarray(province, dtype=object))
    title_codes, titles = _codes(np.full(n, None, dtype=object) if land_title is None
                                 else np.asarray(land_title, dtype=object))
    programme_facts = (programme or Programme()).facts()
    zone_forest = zone_forest or {}
    group = _combine([valid, f_codes, f_unknown, f_near, settled_codes, _codes(z_mask)[0],
                      z_unknown, z_near, *_area_conditions(ruleset, area), constraint_codes,
                      rdtr_codes, province_codes, title_codes])
    first = _first_rows(group)

    @cache
    def decide(signature: tuple[Any, ...]) -> tuple[Rule, ...]:
        ok, fm, fu, fn, st, zm, zu, zn, a, cs, rd, lt = signature
        if not ok:
            return tuple(fired_rules(ruleset, {"input_valid": False}))
        functions = functions_of(f_ov, fm)
        zone_classes = z_ov.values(zm) if z_ov is not None else ()
        facts = {
            "input_valid": True, "forest_functions": list(functions),
            "forest_unknown": fu, "forest_near_boundary": fn, "settled_before_designation": st,
            "zone_permissions": list(zone_permissions_of(z_ov, zm, permission_of)),
            "zone_unknown": zu, "zone_near_boundary": zn, "area_m2": a,
            "constraints": list(cs), "forest_layer": f_ov is not None,
            "forest_zone_disagrees": forest_zone_disagrees(
                functions, (zone_forest[c] for c in zone_classes if c in zone_forest)),
            "rdtr_coverage": rd if rd is not None else "no_layer", **programme_facts,
            "land_title": lt,
        }
        return tuple(fired_rules(ruleset, facts))

    per_plot = (valid, f_mask, f_unknown, f_near, settled_codes, z_mask, z_unknown, z_near,
                area, constraint_codes, rdtr_codes, title_codes)  # read at each group's first plot
    fired = [decide((ok, fm, fu, fn, _SETTLED[st], zm, zu, zn, _or_none(a), constraint_sets[cs],
                     rdtr_values[rd], titles[lt]))
             for ok, fm, fu, fn, st, zm, zu, zn, a, cs, rd, lt in zip(*(c[first].tolist()
                                                                       for c in per_plot))]
    provinces = [province_values[p] for p in province_codes[first].tolist()]
    forest = (f_codes, [", ".join(functions_of(f_ov, int(m))) or "-" for m in f_masks])
    context = _ContextColumns(described, forest, hits, hit_count)
    return _explain_groups(group, fired, context, provinces)


def _explain_groups(group: np.ndarray, fired: list[tuple[Rule, ...]],
                    context: _ContextColumns, provinces: list[str | None]) -> pd.DataFrame:
    """Word the reasons once per distinct (rules, quoted values) and spread them to plots."""
    wanted = [_placeholders(f) for f in fired]
    names = [sorted(w & _CONTEXT) for w in wanted]
    used = sorted(set().union(*names)) if names else []
    quoted = {k: context.quoted(k, _wants(group, wanted, k)) for k in used}
    note = context.note(_wants(group, wanted, "zone_name_note"))
    problem = context.problem_id(_wants(group, wanted, "input_problem"))
    key = _combine([group, *(c for c, _ in quoted.values()), note[0], problem[0]])
    first = _first_rows(key)
    at_first = {k: c[first].tolist() for k, (c, _) in quoted.items()}
    notes, problems = note[0][first].tolist(), problem[0][first].tolist()
    # per call: no unbounded cache
    outcomes = {k: _outcome(*k) for k in dict.fromkeys(zip(fired, provinces))}
    reasons: dict[tuple[Any, ...], tuple[str, str]] = {}
    results = []
    for j, g in enumerate(group[first].tolist()):
        ctx = tuple((k, quoted[k][1][at_first[k][j]]) for k in names[g])
        args = (fired[g], ctx, note[1][notes[j]], problem[1][problems[j]])
        if args not in reasons:
            reasons[args] = _reasons(*args)
        results.append((*outcomes[fired[g], provinces[g]], *reasons[args]))
    return _spread(results, key)


#: Context values a reason may quote, by placeholder name.
_CONTEXT = frozenset({
    "forest_function", "zone_name", "zone_class", "boundary_distance_m", "tolerance_m",
    "zone_boundary_distance_m", "zone_tolerance_m", "area_m2", "input_problem",
    "input_problem_id", "constraint_names", "land_status",
})
_NUMBERS = ("boundary_distance_m", "tolerance_m", "zone_boundary_distance_m",
            "zone_tolerance_m", "area_m2")


class _ContextColumns:
    """The values reasons quote, coded and worded once per distinct value.

    Each method takes the positions of the plots whose reasons quote the value and
    returns codes for every plot (-1 elsewhere) with the value of each code.
    """

    def __init__(self, described: pd.DataFrame, forest: _Coded,
                 hits: list[list[tuple[str, str]]], hit_count: np.ndarray) -> None:
        self.described = described
        self.forest = forest
        self.hits, self.hit_count = hits, hit_count

    def quoted(self, name: str, rows: np.ndarray) -> _Coded:
        """Per plot, the code of the value of ``name`` that the reasons quote."""
        codes = np.full(len(self.described), -1, dtype=np.int64)
        codes[rows], values = self._column(name, rows)
        return codes, values

    def note(self, rows: np.ndarray) -> _Coded:
        """Per plot, the zone name to note as unknown (code -1: None, no note)."""
        classes = self.described["zone_class"].to_numpy()[rows]
        unknown = np.fromiter(map(operator.is_, classes, repeat(None)), bool, len(rows))
        codes, values = self.quoted("zone_name", rows[unknown])
        return codes, [*values, None]

    def problem_id(self, rows: np.ndarray) -> _Coded:
        """Per plot, the Indonesian wording of its input problem (code -1: None)."""
        codes, values = self.quoted("input_problem_id", rows)
        return codes, [*values, None]

    def _column(self, name: str, rows: np.ndarray) -> _Coded:
        if name == "forest_function":
            return _merge(self.forest[0][rows], self.forest[1])
        if name == "constraint_names":
            hit = np.flatnonzero(self.hit_count[rows])
            return _sparse_codes(len(rows), hit, [
                ", ".join(dict.fromkeys(layer for _, layer in self.hits[i])) or "-"
                for i in rows[hit].tolist()], "-")
        values = self.described[name].to_numpy()[rows]
        if name == "zone_class":  # quoted as it is: None and NaN stay apart
            return _codes(values)
        return _merge(*_codes(values, _WORDING[name]))


def _wants(group: np.ndarray, wanted: list[frozenset[str]], name: str) -> np.ndarray:
    """Return the positions of the plots whose fired rules quote ``name``."""
    return np.flatnonzero(np.array([name in w for w in wanted], dtype=bool)[group])


def _spread(results: list[tuple[Any, ...]], key: np.ndarray) -> pd.DataFrame:
    """Give plot ``i`` the columns of ``results[key[i]]``, lists copied per plot."""
    block = np.empty((len(_COLUMNS), len(key)), dtype=object)
    for k, column in enumerate(_COLUMNS):
        if column in _LIST_COLUMNS:  # a user editing one plot's rules must not edit another's
            per_key = _objects(tuple(r[k]) for r in results)[key]
            block[k] = _objects(map(list, per_key), len(key))
        else:
            np.take(_objects(r[k] for r in results), key, out=block[k])
    return pd.DataFrame(block.T, columns=list(_COLUMNS), dtype=object, copy=False)


def _objects(items: Iterable[Any], count: int = -1) -> np.ndarray:
    """Return a 1-d object array of ``items`` (tuples and lists stay single items)."""
    return np.fromiter(items, dtype=object, count=count)


def _codes(values: np.ndarray, word: Callable[[Any], Any] | None = None) -> _Coded:
    """Code equal values alike, as dict keys would (None apart from NaN), then word them.

    Examples
    --------
    >>> codes, values = _codes(np.array(["a", None, "a", float("nan")], dtype=object))
    >>> codes.tolist(), values
    ([0, 1, 0, 2], ['a', None, nan])
    >>> _codes(np.array([2.0, np.nan, 2.0]), _num)
    (array([0, 1, 0]), ['2', '-'])
    """
    values = np.asarray(values)
    if values.dtype != object:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        found = uniques.tolist()
    else:
        codes, uniques = pd.factorize(values)
        found = list(uniques)
        missing = np.flatnonzero(codes < 0)
        if len(missing):  # None, NaN, NA...: kept apart as the original values would be
            extra: dict[Any, int] = {}
            sub = [extra.setdefault(v, len(found) + len(extra)) for v in values[missing]]
            codes[missing] = sub
            found.extend(extra)
    codes = np.asarray(codes, dtype=np.int64)
    return (codes, found) if word is None else (codes, [word(v) for v in found])


def _merge(codes: np.ndarray, values: list[Any]) -> _Coded:
    """Merge codes whose values are equal.

    Examples
    --------
    >>> _merge(np.array([0, 1, 2]), ["x", "y", "x"])
    (array([0, 1, 0]), ['x', 'y'])
    """
    index: dict[Any, int] = {}
    remap = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
    return (remap[codes] if len(remap) else codes), list(index)


def _sparse_codes(n: int, rows: np.ndarray, values: list[Any], default: Any) -> _Coded:
    """Code ``values`` at ``rows`` and ``default`` (code 0) everywhere else."""
    codes = np.zeros(n, dtype=np.int64)
    merged, found = _merge(np.arange(len(values) + 1), [default, *values])
    codes[rows] = merged[1:]
    return codes, found


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """Code every distinct combination of the per-plot codes in ``parts`` (each >= -1).

    Examples
    --------
    >>> _combine([np.array([0, 0, 1, 0]), np.array([5, 3, 5, 5])]).tolist()
    [0, 1, 2, 0]
    """
    key, size = np.zeros(len(parts[0]), dtype=np.int64), 1
    for part in parts:
        part = np.asarray(part)
        low, high = (0, 1) if part.dtype == bool else (int(part.min(initial=0)),
                                                        int(part.max(initial=0)))
        radix = high - low + 1
        if size * radix >= 2**62:  # renumber before the mixed radix overflows
            key = pd.factorize(key)[0]
            size = len(key) + 1
        key *= radix
        key += part
        if low:
            key -= low
        size *= radix
    return pd.factorize(key)[0]


def _first_rows(key: np.ndarray) -> np.ndarray:
    """Return the first plot of each code of ``key`` (codes numbered in order of appearance).

    Examples
    --------
    >>> _first_rows(np.array([0, 0, 1, 0, 2, 1])).tolist()
    [0, 2, 4]
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1) > 0)


#: Settled before designation: code 0 None (not a bool), 1 False, 2 True.
_SETTLED = (None, False, True)


def _settled(values: np.ndarray) -> np.ndarray:
    """Per plot, the code in ``_SETTLED`` of its flag; only real bools count.

    Examples
    --------
    >>> _settled(np.array([True, None, False, 1, np.nan, np.True_], dtype=object)).tolist()
    [2, 0, 1, 0, 0, 0]
    """
    codes = np.zeros(len(values), dtype=np.int64)
    rows = np.flatnonzero(~pd.isna(values))  # a missing flag is no bool: code 0
    flags = values[rows]
    codes[rows] = (np.fromiter(map(operator.is_, flags, repeat(True)), bool, len(rows)) * 2
                   + np.fromiter(map(operator.is_, flags, repeat(False)), bool, len(rows)))
    return codes


def _area_conditions(ruleset: RuleSet, area: np.ndarray) -> list[np.ndarray]:
    """Per condition of the rules on ``area_m2``, whether each plot's area meets it.

    Two plots that meet the same of these conditions fire the same rules, whatever
    their areas: the rules run once per such class, not once per distinct area.
    """
    area = np.asarray(area, dtype=float)
    return [_area_holds(area, rule.when["area_m2"]) for rule in ruleset
            if "area_m2" in rule.when]


def _area_holds(area: np.ndarray, condition: Mapping[str, Any]) -> np.ndarray:
    """Per plot, whether its area meets ``condition`` (NaN: no area, meets nothing)."""
    if all(op in ELEMENTWISE and _exact_number(arg) for op, arg in condition.items()):
        holds = ~np.isnan(area)
        with np.errstate(invalid="ignore"):
            for op, arg in condition.items():
                holds &= OPERATIONS[op](area, arg)
        return holds
    uniques, inverse = np.unique(area, return_inverse=True)
    answers = [condition_holds(_or_none(a), condition) for a in uniques.tolist()]
    return np.array(answers, dtype=bool)[inverse.ravel()]


def _exact_number(value: Any) -> bool:
    """Whether comparing a float64 array with ``value`` matches comparing Python floats."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and (isinstance(value, float) or abs(value) <= 2**53))


def _or_none(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


@cache
def _placeholders(fired: tuple[Rule, ...]) -> frozenset[str]:
    found = set()
    for rule in fired:
        for text in (rule.reason("en"), rule.reason("id")):
            found.update(name for _, name, _, _ in string.Formatter().parse(text) if name)
    return frozenset(found)


def _outcome(fired: tuple[Rule, ...], province: str | None = None) -> tuple[Any, ...]:
    """Return the status and the list-valued columns of the rules ``fired``.

    They depend on the rules alone and, for the regional offices' names, on the
    plot's province.
    """
    status = most_severe(r.status for r in fired) or "verify"  # none: a gap in user rules
    assert status in STATUSES
    return (
        status,
        [r.id for r in fired],
        _distinct(r.clearance_en for r in fired),
        _distinct(r.clearance_id for r in fired),
        _distinct(a for r in fired for a in r.agency_names("en", province)),
        _distinct(a for r in fired for a in r.agency_names("id", province)),
        _distinct(o for r in fired for o in r.offices),
        _distinct(r.legal_basis for r in fired),
    )


def _reasons(fired: tuple[Rule, ...], context: tuple[tuple[str, Any], ...],
             unknown_zone_name: str | None, problem_id: str | None) -> tuple[str, str]:
    """Return the Indonesian and English reasons of ``fired``, quoting ``context``."""
    if not fired:  # only possible with a user's rule set that leaves a gap
        return ("Tidak ada aturan yang berlaku untuk lahan ini; periksa secara manual.",
                "No rule applies to this plot; check it by hand.")
    note_en = note_id = ""
    if unknown_zone_name and unknown_zone_name != "-":
        note_en = f" (zone name '{unknown_zone_name}' is not in the zoning mapping)"
        note_id = f" (nama zona '{unknown_zone_name}' tidak dikenal pemetaan pola ruang)"
    ctx_en = _Safe(context, zone_name_note=note_en)
    ctx_id = _Safe(context, zone_name_note=note_id)
    if problem_id:
        ctx_id["input_problem"] = problem_id
    template_id, template_en = _templates(fired)
    return template_id.format_map(ctx_id), template_en.format_map(ctx_en)


@cache
def _templates(fired: tuple[Rule, ...]) -> tuple[str, str]:
    """Return the Indonesian and English reason templates of ``fired``, each rule's id first.

    Formatting the joined template equals joining the formatted reasons: every
    reason is a complete template on its own (``_placeholders`` parsed it). A rule's
    unconfirmed part is marked after its reason (:meth:`~lahan_geo.rules.Rule.reason`).

    Examples
    --------
    >>> from lahan_geo.rules import load_rules
    >>> rules = load_rules()
    >>> _templates((rules["F3"], rules["S1"]))[1][:62]
    'F3: The plot lies in production forest ({forest_function}). Us'
    """
    def joined(texts: Iterable[tuple[str, str]]) -> str:
        return " ".join(f"{_literal(rule_id)}: {text}" for rule_id, text in texts)

    return (joined((r.id, r.reason("id")) for r in fired),
            joined((r.id, r.reason("en")) for r in fired))


def _literal(text: str) -> str:
    """Return ``text`` as a format template that formats to itself."""
    return text.replace("{", "{{").replace("}", "}}")


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.0f}"


def _distinct(items: Any) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


#: How the reasons quote each column (the rest: as it is in ``described``).
_WORDING: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(_NUMBERS, _num),
    "zone_name": lambda v: v if isinstance(v, str) and v else "-",
    "input_problem": lambda v: v if isinstance(v, str) else "-",
    "input_problem_id": lambda v: v if isinstance(v, str) else None,
    "land_status": lambda v: v if isinstance(v, str) and v else "-",
}
