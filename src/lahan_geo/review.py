"""``apply_review``: a reviewer's decisions beside the computed screening result.

A reviewer (a BPKHTL officer after a boundary check, the district analyst after a site
visit) may decide a plot differently from the maps. Their decision is recorded beside
the computed columns, never instead of them: ``status`` stays what the maps say, and
``review_status``, ``review_reason``, ``reviewer`` and ``review_date`` say what the
reviewer decided, so both can be submitted and audited.

The review list is a CSV/XLSX file or a DataFrame with one row per decision, headers in
English or Indonesian (any case):

==================  ===========================================  =========
column              also accepted                                 required
==================  ===========================================  =========
``plot_id``         ``id_lahan``, ``id``, ``ID Lahan``            yes
``status``          ``status_baru``, ``new_status``               yes
``reason``          ``alasan``, ``review_reason``                 no
``reviewer``        ``pemeriksa``, ``peninjau``                   no
``date``            ``tanggal``, ``review_date``                  no
==================  ===========================================  =========

Statuses are the codes of :data:`lahan_geo.statuses.STATUSES` or their Indonesian labels
("Perlu verifikasi"). Dates become ``YYYY-MM-DD`` text (``17/11/2025`` is read day
first, as written in Indonesia).

**Several reviews of one plot: the last row wins.** A later row is a later decision
(lists are appended to); the earlier rows are not lost but listed in
``attrs["lahan_geo"]["review"]["superseded"]`` (plot, row, status), which the workbook's
Metadata sheet shows. Plots reviewed in an earlier ``apply_review`` keep that review
unless the new list reviews them again.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely import Point
>>> result = gpd.GeoDataFrame({"plot_id": ["A", "B"], "status": ["verify", "clear"]},
...                           geometry=[Point(112, -2), Point(112.1, -2)], crs=4326)
>>> reviews = pd.DataFrame({"id_lahan": ["A", "A"], "status_baru": ["verify", "Aman"],
...                         "alasan": ["cek lapangan", "batas dicek BPKHTL"],
...                         "pemeriksa": ["Sari", "Budi"], "tanggal": ["1/12/2025", "3/12/2025"]})
>>> out = apply_review(result, reviews)
>>> out[["plot_id", "status", "review_status", "reviewer", "review_date"]].values.tolist()
[['A', 'verify', 'clear', 'Budi', '2025-12-03'], ['B', 'clear', None, None, None]]
>>> out.attrs["lahan_geo"]["review"]["superseded"]
[{'plot_id': 'A', 'row': 0, 'status': 'verify'}]
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.tables import check_workbook, read_text_file
from lahan_geo.io.sniff import fits, mismatch_message, sniff
from lahan_geo.schema import REVIEW_COLUMNS, check_result
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES

__all__ = ["REVIEW_COLUMNS", "apply_review"]


_HEADERS: dict[str, tuple[str, ...]] = {
    "plot_id": ("plot_id", "id_lahan", "id", "idlahan", "kode_lahan"),
    "status": ("status", "status_baru", "new_status", "review_status", "status_tinjauan"),
    "reason": ("reason", "alasan", "review_reason", "alasan_tinjauan", "keterangan"),
    "reviewer": ("reviewer", "pemeriksa", "peninjau", "reviewed_by"),
    "date": ("date", "tanggal", "review_date", "tanggal_tinjauan", "tanggal_pemeriksaan"),
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def apply_review(
    result: gpd.GeoDataFrame, reviews: pd.DataFrame | str | PathLike[str]
) -> gpd.GeoDataFrame:
    """Add reviewers' decisions to a screening result, beside the computed columns.

    Parameters
    ----------
    result : GeoDataFrame
        The result of :func:`lahan_geo.screen` (or of an earlier ``apply_review``).
    reviews : DataFrame or path
        One decision per row: plot id, new status, and optionally reason, reviewer and
        date; a ``.csv`` (UTF-8, comma or semicolon separated) or ``.xlsx`` file, or a
        DataFrame. Headers in English or Indonesian (see the module docstring). Rows blank
        in every cell are skipped.

    Returns
    -------
    GeoDataFrame
        A copy of ``result`` (same index, rows and columns) with :data:`REVIEW_COLUMNS`
        appended: the decision for reviewed plots, None elsewhere. A plot id that occurs
        on several rows of ``result`` gets the review on each of them. ``attrs`` gains
        ``["lahan_geo"]["review"]``: source, rows read, plots reviewed, superseded rows.

    Raises
    ------
    InputError
        The list cannot be read, lacks the id or status column, or a row names a plot
        id the result does not have, a status that is not one of ``STATUSES``, or a
        date that cannot be read. The message names every such row (up to ten).

    Examples
    --------
    >>> from shapely import Point
    >>> result = gpd.GeoDataFrame({"plot_id": ["A"], "status": ["verify"]},
    ...                           geometry=[Point(112, -2)], crs=4326)
    >>> apply_review(result, pd.DataFrame({"plot_id": ["Z"], "status": ["clear"]}))
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: reviews: row 0 (DataFrame index): plot id 'Z' is not in ...
    >>> apply_review(result, pd.DataFrame({"plot_id": ["A"], "status": ["ok"]}))
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: reviews: row 0 (DataFrame index): status 'ok' is not one of
    invalid, not_permitted, needs_clearance, verify, clear...
    """
    check_result(result, "apply_review", ("plot_id",), needs_crs=False)
    table, source, row_label = _read(reviews)
    columns = _columns(table, source)
    known = {_key(v) for v in result["plot_id"].tolist()}
    decisions: dict[str, dict[str, Any]] = {}
    superseded: list[dict[str, Any]] = []
    problems: list[str] = []
    for position, (label, row) in enumerate(table.iterrows()):
        values = {role: row[col] for role, col in columns.items()}
        if all(_blank(v) for v in row.tolist()):
            continue
        where = f"{source}: {row_label(position, label)}"
        plot = _key(values["plot_id"])
        if _blank(values["plot_id"]):
            problems.append(f"{where}: the plot id is empty")
            continue
        if plot not in known:
            problems.append(f"{where}: plot id {plot!r} is not in the result")
            continue
        status = _status(values["status"])
        if status is None:
            problems.append(f"{where}: status {_text(values['status'])!r} is not one of "
                            f"{', '.join(STATUSES)} (or their Indonesian labels)")
            continue
        date, bad_date = _date(values.get("date"))
        if bad_date:
            problems.append(f"{where}: date {_text(values['date'])!r} cannot be read; write "
                            "it as YYYY-MM-DD or DD/MM/YYYY")
            continue
        if plot in decisions:
            earlier = decisions[plot]
            superseded.append({"plot_id": plot, "row": earlier["row"],
                               "status": earlier["review_status"]})
        decisions[plot] = {"row": row_label(position, label, bare=True),
                           "review_status": status,
                           "review_reason": _text(values.get("reason")),
                           "reviewer": _text(values.get("reviewer")), "review_date": date}
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        msg = ("; ".join(problems[:10]) + more + ". Fix: correct these rows of the review "
               "list; plot ids must match the result's plot_id.")
        raise InputError(msg)
    return _merged(result, decisions, superseded, source, len(table))


def _read(reviews: Any) -> tuple[pd.DataFrame, str, Any]:
    """Return the table, its name for messages, and a row labeller."""
    if isinstance(reviews, pd.DataFrame):
        def label(position: int, index: Any, bare: bool = False) -> Any:
            return index if bare else f"row {index} (DataFrame index)"

        return reviews, "reviews", label
    if not isinstance(reviews, str | PathLike):
        msg = (f"apply_review(): reviews must be a CSV/XLSX path or a DataFrame, not "
               f"{type(reviews).__name__}.")
        raise InputError(msg)
    path = Path(reviews)
    if not path.is_file():
        msg = f"apply_review(): the review list {path} does not exist. Fix: check the path."
        raise InputError(msg)
    label = f"apply_review(): the review list {path}"
    workbook = path.suffix.lower() in (".xlsx", ".xlsm")
    found = sniff(path)
    if found is not None and not fits(found, path.suffix if workbook else ".csv"):
        raise InputError(mismatch_message(path, found, label))
    try:
        if workbook:
            check_workbook(path, label)
            table = pd.read_excel(path, dtype=object)
        else:
            table = pd.read_csv(io.BytesIO(read_text_file(path, label)), dtype=str,
                                keep_default_na=False, sep=None, engine="python",
                                encoding="utf-8-sig")
    except InputError:
        raise
    except Exception as err:  # pandas' and openpyxl's errors are many: name the file
        msg = (f"apply_review(): cannot read the review list {path}: {err}. Fix: save it as "
               "UTF-8 CSV or XLSX with a header row.")
        raise InputError(msg) from None

    def label(position: int, index: Any, bare: bool = False) -> Any:
        return position + 2 if bare else f"row {position + 2}"  # the header is row 1

    return table.astype(object), path.name, label


def _norm(header: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


def _columns(table: pd.DataFrame, source: str) -> dict[str, Any]:
    by_norm: dict[str, Any] = {}
    for col in table.columns:
        by_norm.setdefault(_norm(col), col)
    found = {}
    for role, names in _HEADERS.items():
        col = next((by_norm[n] for n in names if n in by_norm), None)
        if col is not None:
            found[role] = col
    missing = [r for r in ("plot_id", "status") if r not in found]
    if missing:
        wanted = " and ".join(f"'{r}' (or '{_HEADERS[r][1]}')" for r in missing)
        msg = (f"{source}: no column {wanted}; the columns are "
               f"{', '.join(map(str, table.columns))}. Fix: name the columns plot_id, status, "
               "reason, reviewer, date (or id_lahan, status_baru, alasan, pemeriksa, tanggal).")
        raise InputError(msg)
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip()) or value is pd.NaT


def _text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key(value: Any) -> str:
    text = _text(value)
    return "" if text is None else text


# Codes, Indonesian labels, and the labels' short form before "(": "Aman", "Tidak diizinkan".
_BY_LABEL = {_norm(v): k for k, v in STATUS_LABELS_ID.items()}
_BY_LABEL.update({_norm(v.split("(")[0]): k for k, v in STATUS_LABELS_ID.items()})
_BY_LABEL.update({_norm(k): k for k in STATUSES})


def _status(value: Any) -> str | None:
    """Return the status code for a code or Indonesian label, None when unknown."""
    text = _text(value)
    return None if text is None else _BY_LABEL.get(_norm(text))


def _date(value: Any) -> tuple[str | None, bool]:
    """Return (ISO date or None, whether the value was given but unreadable)."""
    if _blank(value):
        return None, False
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat(), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    text = str(value).strip()
    for pattern, order in ((_ISO, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            y, m, d = (int(match.group(k + 1)) for k in order)
            try:
                return dt.date(y, m, d).isoformat(), False
            except ValueError:
                return None, True
    return None, True


def _merged(result: gpd.GeoDataFrame, decisions: dict[str, dict[str, Any]],
            superseded: list[dict[str, Any]], source: str, rows: int) -> gpd.GeoDataFrame:
    out = result.copy()
    keys = [_key(v) for v in result["plot_id"].tolist()]
    for column in REVIEW_COLUMNS:
        before = (out[column].tolist() if column in out.columns else [None] * len(out))
        values = [decisions[k][column] if k in decisions else
                  (None if _blank(b) else b) for k, b in zip(keys, before)]
        out[column] = pd.Series(values, index=out.index, dtype=object)
    attrs = copy.deepcopy(dict(result.attrs))
    meta = dict(attrs.get("lahan_geo") or {})
    meta["review"] = {"source": source, "rows": rows, "plots_reviewed": len(decisions),
                      "superseded": superseded,
                      "rule": "several reviews of one plot: the last row wins"}
    attrs["lahan_geo"] = meta
    out.attrs = attrs
    return out
