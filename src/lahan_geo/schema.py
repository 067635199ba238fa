"""The shape of a screening result: its columns, and how its provenance is read.

One place for what every stage agrees on: the columns :func:`lahan_geo.read_plots`
adds, the columns :func:`lahan_geo.screen` puts first, the ones
:func:`lahan_geo.apply_review` adds, reading ``attrs["lahan_geo"]`` and making it
JSON-safe. It imports nothing above the floor, so intake, the pipeline and the writers
all take it from here.

Examples
--------
>>> RESULT_COLUMNS[:2], REVIEW_COLUMNS[0]
(('plot_id', 'status'), 'review_status')
>>> import pandas as pd
>>> provenance(pd.DataFrame())
{}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ADDED_COLUMNS", "RESULT_COLUMNS", "REVIEW_COLUMNS", "json_safe", "provenance"]

#: Columns read_plots adds (after the original ones).
ADDED_COLUMNS = (
    "plot_id", "input_problem", "input_problem_id", "input_notes", "accuracy_m",
    "settled_before_designation", "land_status", "land_title_class", "source_file",
    "source_sheet", "source_row",
)

#: The columns ``screen`` puts first, in this order; the plot list's own columns follow.
RESULT_COLUMNS = (
    "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_overlaps",
    "forest_decree", "province_code", "zone_class", "zone_name", "zone_overlaps",
    "rdtr_coverage", "boundary_distance_m", "tolerance_m",
    "zone_boundary_distance_m", "zone_tolerance_m", "area_m2",
    "land_status", "land_title_class", "rules", "clearances",
    "clearances_id", "agencies", "agencies_id", "offices", "legal_basis", "reason_id",
    "reason_en", "input_problem", "input_problem_id", "input_notes",
)

#: The columns ``apply_review`` adds, in this order.
REVIEW_COLUMNS = ("review_status", "review_reason", "reviewer", "review_date")


def provenance(result: pd.DataFrame) -> dict[str, Any]:
    """Return ``result.attrs["lahan_geo"]`` as a dict, or an empty dict when absent.

    Examples
    --------
    >>> frame = pd.DataFrame()
    >>> frame.attrs["lahan_geo"] = {"rules_version": "2"}
    >>> provenance(frame), provenance(pd.DataFrame())
    ({'rules_version': '2'}, {})

    """
    meta = result.attrs.get("lahan_geo") if isinstance(result.attrs, Mapping) else None
    return dict(meta) if isinstance(meta, Mapping) else {}


def json_safe(value: Any) -> Any:
    """Turn numpy scalars and tuples into JSON-serialisable Python values, recursively.

    Examples
    --------
    >>> json_safe({"n": np.int64(3), "t": (np.float64(0.5), "x"), 1: None})
    {'n': 3, 't': [0.5, 'x'], '1': None}

    """
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
