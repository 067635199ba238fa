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

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo.errors import CRSError, InputError

__all__ = ["ADDED_COLUMNS", "LIST_SEP", "RESULT_COLUMNS", "REVIEW_COLUMNS", "check_result",
           "is_list_like", "join_list", "jsonable", "plain", "provenance"]

#: Columns read_plots adds (after the original ones).
ADDED_COLUMNS = (
    "plot_id", "input_problem", "input_problem_id", "input_notes", "input_notes_id",
    "accuracy_m",
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
    "reason_en", "input_problem", "input_problem_id", "input_notes", "input_notes_id",
)

#: The columns ``apply_review`` adds, in this order.
REVIEW_COLUMNS = ("review_status", "review_reason", "reviewer", "review_date")

#: How a list cell (rules, offices, ...) is joined into one text cell.
LIST_SEP = "; "


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


def check_result(result: object, writer: str, columns: tuple[str, ...] = ("plot_id", "status"),
                 *, needs_crs: bool = True) -> gpd.GeoDataFrame:
    """Check ``result`` looks like a screening result and return it.

    Parameters
    ----------
    result : object
        What the caller passed.
    writer : str
        The public function name, for the message.
    columns : tuple of str
        The columns the caller reads.
    needs_crs : bool
        Whether the caller needs the geometry's CRS (False: attributes only).

    Returns
    -------
    geopandas.GeoDataFrame
        The same object.

    Raises
    ------
    InputError
        Not a GeoDataFrame, or one of ``columns`` missing.
    CRSError
        The result has no CRS.

    Examples
    --------
    >>> check_result(pd.DataFrame({"plot_id": ["a"]}), "to_csv")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: to_csv() needs the GeoDataFrame returned by ...

    """
    if not isinstance(result, gpd.GeoDataFrame):
        msg = (
            f"{writer}() needs the GeoDataFrame returned by lahan_geo.screen(), got "
            f"{type(result).__name__}. Fix: pass the screening result itself."
        )
        raise InputError(msg)
    missing = [col for col in columns if col not in result.columns]
    if missing:
        msg = (
            f"{writer}(): the result has no column(s) {missing}; it does not look like a "
            "screening result. Fix: pass the GeoDataFrame returned by lahan_geo.screen()."
        )
        raise InputError(msg)
    if not needs_crs:
        return result
    try:
        crs = result.crs
    except AttributeError as err:
        msg = (
            f"{writer}(): the result has no active geometry column. "
            "Fix: pass the GeoDataFrame returned by lahan_geo.screen()."
        )
        raise InputError(msg) from err
    if crs is None:
        msg = (
            f"{writer}(): the result has no coordinate reference system. "
            "Fix: set it, e.g. result = result.set_crs('EPSG:4326')."
        )
        raise CRSError(msg)
    return result


def is_list_like(value: object) -> bool:
    """Return True for the list values of list columns (list, tuple, set, ndarray).

    Examples
    --------
    >>> is_list_like(("a",)), is_list_like("a")
    (True, False)

    """
    return isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def plain(value: object) -> Any:
    """Return ``value`` as a plain Python scalar; missing values become None.

    Lists are joined with ``"; "``; numpy scalars become ``int``/``float``/``bool``;
    timestamps become ISO strings; infinite floats become None.

    Examples
    --------
    >>> plain(np.int64(3)), plain(np.float32(1.5)), plain(["a", None, "b"])
    (3, 1.5, 'a; b')

    """
    if value is None or type(value) is str:  # most cells: nothing to do (and fast)
        return value
    if is_list_like(value):
        return join_list(value)
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def jsonable(value: object) -> Any:
    """Return ``value`` with nested dicts/lists kept and every leaf made JSON-safe.

    NaN and infinities become None, numpy scalars Python numbers, other objects text.

    Examples
    --------
    >>> jsonable({"a": [np.float64("nan"), np.int32(2)], "b": {"c": ("x",)}})
    {'a': [None, 2], 'b': {'c': ['x']}}

    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if is_list_like(value):
        return [jsonable(v) for v in value]
    return plain(value)


def join_list(value: object, sep: str = LIST_SEP) -> str | None:
    """Join a list value into one string; None for empty or missing.

    A string is returned unchanged, so a column that is already flat passes through.

    Examples
    --------
    >>> join_list("PPKH"), join_list(None), join_list(["PPKH", "KKPR"], sep=", ")
    ('PPKH', None, 'PPKH, KKPR')

    """
    if is_list_like(value):
        items = [plain(item) for item in value]
        text = sep.join(str(item) for item in items if item is not None and str(item) != "")
        return text or None
    if _is_missing(value):
        return None
    return str(plain(value))
