"""The operators a rule's condition may use, each defined once.

A condition maps operators to arguments (``{"ge": 500}``, ``{"any": ["HL"]}``); the
rules file is checked against :data:`OPERATORS`, one plot's fact is tested with
:data:`OPERATIONS`, and the comparisons in :data:`ELEMENTWISE` also apply to a whole
numpy array of facts at once (the plots' areas).

Examples
--------
>>> OPERATIONS["any"](["HL", "APL"], ["HL"]), OPERATIONS["le"](3, 3)
(True, True)
>>> import numpy as np
>>> OPERATIONS["gt"](np.array([1.0, 5.0]), 2).tolist()
[False, True]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

__all__ = ["ELEMENTWISE", "OPERATIONS", "OPERATORS"]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


#: Each operator's test of a fact's value against the condition's argument.
OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "in": lambda v, a: v in a,
    "any": lambda v, a: bool(set(_as_list(v)) & set(a)),
    "only": lambda v, a: bool(_as_list(v)) and set(_as_list(v)) <= set(a),
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}

#: Operators a condition may use.
OPERATORS = frozenset(OPERATIONS)

#: Operators whose test applies elementwise to a numpy array of values.
ELEMENTWISE = frozenset({"eq", "lt", "le", "gt", "ge"})
