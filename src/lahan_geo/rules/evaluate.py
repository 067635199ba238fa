"""Evaluate a rule set on one plot's facts.

Examples
--------
>>> from lahan_geo.rules import load_rules, fired_rules
>>> rules = load_rules()
>>> facts = {"input_valid": True, "forest_functions": ["HL"], "forest_unknown": False,
...          "forest_near_boundary": False, "zone_permissions": ["allowed"],
...          "zone_unknown": False, "zone_near_boundary": False, "area_m2": None}
>>> [r.id for r in fired_rules(rules, facts)]
['F2', 'Z4']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lahan_geo.rules.model import Rule, RuleSet
from lahan_geo.rules.operators import OPERATIONS

__all__ = ["condition_holds", "fired_rules", "outcome_of"]


def condition_holds(value: Any, condition: Mapping[str, Any]) -> bool:
    """Return whether a fact's ``value`` meets every operator of ``condition``.

    A missing fact (None, or NaN for numbers) meets no condition, so a rule never
    fires on what was not measured.

    Examples
    --------
    >>> condition_holds(["HL", "APL"], {"any": ["HL"]})
    True
    >>> condition_holds(["HL", "APL"], {"only": ["APL"]})
    False
    >>> condition_holds(850.0, {"lt": 1000})
    True
    >>> condition_holds(None, {"eq": False})
    False
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return all(OPERATIONS[op](value, arg) for op, arg in condition.items())


def fired_rules(rules: Iterable[Rule], facts: Mapping[str, Any]) -> list[Rule]:
    """Return the rules whose every condition holds for ``facts``, in rule-file order."""
    return [
        rule for rule in rules
        if all(condition_holds(facts.get(fact), cond) for fact, cond in rule.when.items())
    ]


def outcome_of(
    rules: RuleSet, facts: Mapping[str, Any], prefixes: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """Return what the rules that read only facts starting with ``prefixes`` conclude.

    The outcome is the sorted set of (status, clearance) pairs of those rules that
    fire. Two sides of a layer boundary with the same outcome (HL next to HP: both
    PPKH) need the same clearance, so that boundary is no reason for doubt.

    Examples
    --------
    >>> from lahan_geo.rules import load_rules
    >>> rules = load_rules()
    >>> hl = outcome_of(rules, {"forest_functions": ["HL"], "forest_unknown": False}, ["forest_"])
    >>> hp = outcome_of(rules, {"forest_functions": ["HP"], "forest_unknown": False}, ["forest_"])
    >>> apl = outcome_of(rules, {"forest_functions": ["APL"], "forest_unknown": False}, ["forest_"])
    >>> hl == hp, hl == apl
    (True, False)
    """
    own = [
        r for r in rules
        if all(any(f.startswith(p) for p in prefixes) for f in r.facts)
        and not any(f.endswith("_near_boundary") for f in r.facts)
    ]
    return tuple(sorted({(r.status, r.clearance_en) for r in fired_rules(own, facts)}))
