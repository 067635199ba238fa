"""Counts per status as a table (:func:`summarize`) and as a compact HTML block.

Examples
--------
>>> import pandas as pd
>>> result = pd.DataFrame({"plot_id": ["a", "b", "c"],
...                        "status": ["clear", "verify", "clear"],
...                        "kecamatan": ["Hanau", "Hanau", "Seruyan Hilir"]})
>>> summarize(result)
     invalid  not_permitted  needs_clearance  verify  clear  total
all        0              0                0       1      2      3
>>> summarize(result, by="kecamatan")[["verify", "clear", "total"]]
               verify  clear  total
kecamatan
Hanau               1      1      2
Seruyan Hilir       0      1      1

Per office, a plot counts once under each office its rules name:

>>> result["offices"] = [["bpkh", "kemenhut.planologi"], ["bpkh"], []]
>>> summarize(result, by="office")[["verify", "clear", "total"]]
                    verify  clear  total
office
bpkh                     1      1      2
kemenhut.planologi       0      1      1
NaN                      0      1      1

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath

import geopandas as gpd
import pandas as pd
from pandas.api.types import is_list_like

from lahan_geo.errors import InputError
from lahan_geo.offices import LIST_SEPARATOR
from lahan_geo.outputs._labels import STATUS_FILLS, status_label
from lahan_geo.outputs._tabular import plain, provenance
from lahan_geo.outputs.explore import escape_html
from lahan_geo.statuses import STATUSES

__all__ = ["summarize", "summary_html"]

_LAYER_LABELS = {"forest": "Kawasan hutan", "zoning": "Pola ruang", "rdtr": "Cakupan RDTR"}

#: ``summarize(by=...)`` names that count per office: the list column each explodes.
#: "office" counts by canonical office id, "agency" by its Indonesian name with the
#: regional unit (e.g. "BPKH Wilayah XXI Palangka Raya").
PER_OFFICE = {"office": "offices", "agency": "agencies_id"}


def _check_table(result: object, caller: str) -> pd.DataFrame:
    if not isinstance(result, pd.DataFrame) or "status" not in result.columns:
        msg = (f"{caller}() needs the result of lahan_geo.screen() (a table with a 'status' "
               f"column), got {type(result).__name__}. Fix: pass the screening result.")
        raise InputError(msg)
    return result


def _status_columns(statuses: pd.Series) -> list[str]:
    present = {str(s) for s in statuses.dropna().tolist()}
    return [*STATUSES, *sorted(present - set(STATUSES))]


def summarize(result: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Count the plots per status, overall or per group.

    Parameters
    ----------
    result : pandas.DataFrame
        The result of ``lahan_geo.screen`` (any table with a ``status`` column).
    by : str or sequence of str, optional
        Column(s) to group by, e.g. ``"kecamatan"`` or ``["kecamatan", "desa"]``.
        Without it the table has one row, ``"all"``. ``"office"`` (canonical office
        ids, column ``offices``) or ``"agency"`` (their Indonesian names, column
        ``agencies_id``) give one row per office: a plot counts once under each
        office its rules name, plots naming none form the missing-value group.

    Returns
    -------
    pandas.DataFrame
        One column per status in severity order
        (:data:`lahan_geo.statuses.STATUSES`; a status outside it follows), then
        ``"total"``; integer counts. Grouped, the index holds the group values, sorted,
        with missing values kept as a group of their own (last).

    Raises
    ------
    InputError
        Not a table with ``status``, or a ``by`` column the result does not have (the
        message lists the columns it has).

    Examples
    --------
    >>> summarize(pd.DataFrame({"status": ["verify"]}), by="desa")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: summarize(): no column 'desa' in the result. ...

    """
    result = _check_table(result, "summarize")
    if isinstance(by, str) and by in PER_OFFICE and by not in result.columns:
        return _per_office(result, by)
    columns = _status_columns(result["status"])
    status = result["status"].astype(object).where(result["status"].notna(), None)
    status = status.map(lambda s: None if s is None else str(s))
    if by is None:
        counts = status.value_counts()
        table = pd.DataFrame([[int(counts.get(s, 0)) for s in columns]], index=["all"],
                             columns=columns)
    else:
        keys = [by] if isinstance(by, str) else list(by)
        if not keys:
            msg = "summarize(): by=[] names no column. Fix: pass by=None or column names."
            raise InputError(msg)
        missing = [k for k in keys if k not in result.columns]
        if missing:
            geometry = result.geometry.name if isinstance(result, gpd.GeoDataFrame) else None
            available = ", ".join(repr(str(c)) for c in result.columns if c != geometry)
            msg = (f"summarize(): no column {missing[0]!r} in the result. "
                   f"Fix: group by one of its columns: {available}.")
            raise InputError(msg)
        frame = pd.DataFrame({k: result[k].map(plain).to_numpy() for k in keys})
        frame["_status"] = status.to_numpy()
        counted = frame.groupby(keys, dropna=False, sort=True)["_status"].value_counts()
        wide = counted.unstack(fill_value=0) if len(counted) else pd.DataFrame(
            index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys)
            if len(keys) > 1 else pd.Index([], name=keys[0]))
        table = pd.DataFrame({s: wide[s] if s in wide.columns else 0 for s in columns},
                             index=wide.index)
    table = table.astype("int64")
    table["total"] = table.sum(axis=1).astype("int64")
    table.columns.name = None
    return table


def _per_office(result: pd.DataFrame, by: str) -> pd.DataFrame:
    """Count the plots per office: each plot once under each office it names."""
    column = PER_OFFICE[by]
    if column not in result.columns:
        msg = (f"summarize(by={by!r}) needs the column {column!r} of lahan_geo.screen's "
               "result. Fix: pass the screening result.")
        raise InputError(msg)
    names = [_items(v) or [None] for v in result[column].tolist()]
    exploded = pd.DataFrame({by: [n for ns in names for n in ns],
                             "status": [s for s, ns in zip(result["status"], names)
                                        for _ in ns]})
    return summarize(exploded, by=by)


def _items(value: object) -> list[str]:
    """Return the distinct items of a list cell, or of its text as files store it."""
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    if not is_list_like(value):
        return []
    return list(dict.fromkeys(str(v).strip() for v in value
                              if plain(v) is not None and str(v).strip()))


def _file_name(path: object) -> str | None:
    text = plain(path)
    if text is None:
        return None
    return PurePath(str(text).replace("\\", "/")).name or str(text)


def _number(value: object, unit: str = "") -> str:
    """Write a number the Indonesian way: ``250.000``, ``12,5``.

    Examples
    --------
    >>> _number(250000), _number(12.5, " m"), _number(None)
    ('250.000', '12,5 m', '-')

    """
    number = plain(value)
    if isinstance(number, bool) or not isinstance(number, int | float):
        return "-"
    text = f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"
    return text.translate(str.maketrans(",.", ".,")) + unit


def summary_html(result: pd.DataFrame) -> str:
    """Return a compact HTML block for notebooks: counts, layers used, rules version.

    The block shows, in Indonesian, the number of plots per status (coloured as in the
    workbook, most severe first), each layer used with its file name, scale and
    positional tolerance, and the library and rules versions, all from the result and
    ``result.attrs["lahan_geo"]``. Every value is HTML-escaped.

    Parameters
    ----------
    result : pandas.DataFrame
        The result of ``lahan_geo.screen``.

    Returns
    -------
    str
        An HTML fragment (a ``<div>``), e.g. for ``_repr_html_``.

    Raises
    ------
    InputError
        Not a table with a ``status`` column.

    Examples
    --------
    >>> result = pd.DataFrame({"status": ["clear", "verify", "verify"]})
    >>> result.attrs["lahan_geo"] = {"rules_version": "2026.11.0", "layers": {
    ...     "forest": {"path": "/data/kawasan_hutan.gpkg", "tolerance_m": 125.0}}}
    >>> block = summary_html(result)
    >>> "Perlu verifikasi</td><td" in block, "kawasan_hutan.gpkg" in block, "2026.11.0" in block
    (True, True, True)

    """
    result = _check_table(result, "summary_html")
    counts = summarize(result).iloc[0]
    meta = provenance(result)
    rows = []
    for status in counts.index.drop("total"):
        colour = STATUS_FILLS.get(status, "FFFFFF")
        rows.append(
            f'<tr><td style="background:#{colour};padding:1px 6px">'
            f"{escape_html(status_label(status))}</td>"
            f'<td style="text-align:right;padding:1px 6px">{int(counts[status])}</td></tr>'
        )
    rows.append('<tr><td style="padding:1px 6px"><b>Total</b></td>'
                f'<td style="text-align:right;padding:1px 6px"><b>{int(counts["total"])}</b>'
                "</td></tr>")
    parts = [
        '<div class="lahan-geo-summary" style="font-size:12px">',
        "<b>Hasil penapisan lahan</b>",
        f'<table style="border-collapse:collapse">{"".join(rows)}</table>',
    ]

    layers = meta.get("layers") if isinstance(meta.get("layers"), Mapping) else {}
    tolerance = meta.get("tolerance") if isinstance(meta.get("tolerance"), Mapping) else {}
    items = []
    for key, info in layers.items():
        if not isinstance(info, Mapping):
            continue
        label = _LAYER_LABELS.get(str(key), f"Lapisan {key}")
        name = _file_name(info.get("path")) or "(GeoDataFrame, bukan berkas)"
        details = []
        if plain(info.get("scale")) is not None:
            details.append(f"skala 1:{_number(info.get('scale'))}")
        details.append(f"toleransi peta ± {_number(info.get('tolerance_m'), ' m')}")
        if plain(info.get("features")) is not None:
            details.append(f"{_number(info.get('features'))} poligon")
        items.append(f"<li>{escape_html(label)}: <code>{escape_html(name)}</code> "
                     f"({escape_html(', '.join(details))})</li>")
    if not items:
        items.append("<li>Tidak ada lapisan kawasan hutan atau pola ruang yang dipakai.</li>")
    if plain(tolerance.get("override_m")) is not None:
        items.append(f"<li>Toleransi posisi ditetapkan pengguna: "
                     f"± {escape_html(_number(tolerance.get('override_m'), ' m'))} untuk "
                     "semua lahan</li>")
    elif plain(tolerance.get("default_plot_accuracy_m")) is not None:
        items.append("<li>Akurasi GPS lahan bila tidak diisi: "
                     f"± {escape_html(_number(tolerance.get('default_plot_accuracy_m'), ' m'))}"
                     "</li>")
    parts.append(f'<div>Lapisan:</div><ul style="margin:2px 0">{"".join(items)}</ul>')

    rules_version = plain(meta.get("rules_version"))
    rules_file = _file_name(meta.get("rules_path"))
    version_text = f"Aturan versi {rules_version or '-'}"
    if rules_file:
        version_text += f" ({rules_file})"
    if plain(meta.get("library_version")) is not None:
        version_text += f"; lahan_geo {plain(meta.get('library_version'))}"
    parts.append(f"<div>{escape_html(version_text)}</div>")
    parts.append("</div>")
    return "".join(parts)
