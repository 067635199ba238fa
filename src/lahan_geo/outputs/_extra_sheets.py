"""The optional sheets of the workbook: ``Lokasi Alternatif`` and ``Perubahan``.

``Lokasi Alternatif`` lists the sites of :func:`lahan_geo.suggest_sites` (or, for a plot
without any, why); ``Perubahan`` lists what changed since an earlier screening
(:func:`lahan_geo.compare`).

Examples
--------
>>> _what(["status", "location"])
'status; lokasi'
>>> CHANGE_LABELS["removed"]
'Dihapus'

"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import InputError
from lahan_geo.metric import utm_epsg
from lahan_geo.outputs._labels import STATUS_FILLS, status_label
from lahan_geo.outputs._tabular import join_list, lonlat, plain
from lahan_geo.outputs._xlsx import (
    Styles,
    number_format,
    print_setup,
    row_heights,
    write_header,
    write_values,
)

__all__ = [
    "CANDIDATE_SHEET",
    "CHANGE_LABELS",
    "CHANGE_SHEET",
    "as_diff",
    "check_candidates",
    "write_candidates",
    "write_changes",
]

CANDIDATE_SHEET = "Lokasi Alternatif"
CHANGE_SHEET = "Perubahan"

#: Indonesian labels of :data:`lahan_geo.compare.CHANGES`.
CHANGE_LABELS = {"added": "Ditambah", "removed": "Dihapus", "changed": "Berubah",
                 "unchanged": "Tidak berubah"}
_WHAT_LABELS = {"status": "status", "rules": "aturan", "clearances": "persetujuan",
                "location": "lokasi"}
_CANDIDATE_NEEDS = ("plot_id", "candidate")
_DIFF_NEEDS = ("plot_id", "change", "why")


def _what(items: Any) -> str | None:
    if not isinstance(items, list | tuple):
        return plain(items)
    return join_list([_WHAT_LABELS.get(str(i), str(i)) for i in items])


def check_candidates(candidates: Any, writer: str) -> gpd.GeoDataFrame:
    """Return ``candidates`` when it looks like :func:`lahan_geo.suggest_sites` output."""
    if not isinstance(candidates, gpd.GeoDataFrame) or not set(_CANDIDATE_NEEDS) <= set(
            candidates.columns):
        msg = (f"{writer}(): candidates must be the GeoDataFrame returned by "
               f"lahan_geo.suggest_sites() (columns {', '.join(_CANDIDATE_NEEDS)}), got "
               f"{type(candidates).__name__}. Fix: pass suggest_sites(result, ...).")
        raise InputError(msg)
    if candidates.crs is None:
        msg = (f"{writer}(): the candidates have no coordinate reference system. "
               "Fix: candidates.set_crs('EPSG:4326').")
        raise InputError(msg)
    return candidates


def _areas(geoms: gpd.GeoSeries) -> list[float | None]:
    """Area (m²) of every polygon in its own UTM zone; None where there is no geometry."""
    values = np.asarray(geoms.to_crs("EPSG:4326").array, dtype=object)
    out: list[float | None] = [None] * len(values)
    zones: dict[int, list[int]] = {}
    for k, geom in enumerate(values):
        if geom is not None and not geom.is_empty:
            x, y = shapely.get_coordinates(geom.representative_point())[0]
            zones.setdefault(utm_epsg(x, y), []).append(k)
    for epsg, ks in zones.items():
        metric = gpd.GeoSeries(values[ks], crs="EPSG:4326").to_crs(epsg).area
        for k, area in zip(ks, metric.tolist()):
            out[k] = round(float(area), 1)
    return out


def _write_rows(ws: Any, styles: Styles, first: int, rows: list[list[Any]],
                widths: list[float], decimals: list[int | None],
                fills: dict[int, list[str | None]]) -> None:
    """Write ``rows`` from row ``first``: wrapped text, numbers formatted, statuses filled."""
    formats = [styles.get(text_wrap=True,
                          num_format=None if d is None else number_format(d, d != 6))
               for d in decimals]
    heights = row_heights([[r[i] for r in rows] for i in range(len(widths))], widths)
    for k, values in enumerate(rows):
        if heights[k] is not None:
            ws.set_row(first + k, heights[k])
        row_formats = list(formats)
        for col, statuses in fills.items():
            colour = STATUS_FILLS.get(str(statuses[k]))
            if colour:
                row_formats[col] = styles.get(text_wrap=True, bg_color="#" + colour)
        write_values(ws, first + k, values, row_formats)


def _setup(ws: Any, widths: list[float]) -> None:
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)


def write_candidates(ws: Any, styles: Styles, candidates: gpd.GeoDataFrame,
                     result: gpd.GeoDataFrame, version: str | None) -> None:
    """Fill ``Lokasi Alternatif``: one row per site, or per plot without one and why."""
    status_of = {plain(p): plain(s) for p, s in zip(result["plot_id"].tolist(),
                                                   result["status"].tolist())}
    lon, lat = lonlat(candidates)
    areas = _areas(candidates.geometry)
    header = ["ID Lahan", "Status Lahan", "No. Lokasi", "Jarak (m)", "Desa", "Lintang",
              "Bujur", "Luas (m²)", "Keterangan"]
    widths: list[float] = [14, 20, 8, 10, 16, 11, 11, 10, 70]
    decimals: list[int | None] = [None, None, 0, 0, None, 6, 6, 0, None]
    _setup(ws, widths)
    write_header(ws, 0, header, styles, widths)
    column = {name: candidates[name].tolist() if name in candidates.columns
              else [None] * len(candidates) for name in ("desa", "distance_m", "reason_id",
                                                         "reason_en")}
    rows, statuses = [], []
    for k in range(len(candidates)):
        plot = plain(candidates["plot_id"].iloc[k])
        number = plain(candidates["candidate"].iloc[k])
        status = status_of.get(plot)
        note = plain(column["reason_id"][k]) or plain(column["reason_en"][k])
        if number == 0 and note is None:
            note = "Tidak ditemukan lokasi aman."
        rows.append([plot, status_label(status) if status else None, number or None,
                     plain(column["distance_m"][k]), plain(column["desa"][k]), plain(lat[k]),
                     plain(lon[k]), areas[k], note])
        statuses.append(status)
    _write_rows(ws, styles, 1, rows, widths, decimals, {1: statuses})
    if not len(candidates):
        write_values(ws, 1, ["Semua lahan aman atau tidak valid: tidak ada lokasi alternatif "
                             "yang dicari."], [None])
    ws.freeze_panes(1, 1)
    print_setup(ws, header_row=0, rules_version=version)


def as_diff(compare_with: Any, result: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``compare_with`` when it is a diff, else ``compare(compare_with, result)``."""
    if isinstance(compare_with, pd.DataFrame) and set(_DIFF_NEEDS) <= set(compare_with.columns):
        return compare_with
    from lahan_geo.compare import compare

    return compare(compare_with, result)


def _info(diff: pd.DataFrame) -> list[tuple[str, Any]]:
    meta = diff.attrs.get("lahan_geo", {}).get("compare", {}) if isinstance(
        diff.attrs, Mapping) else {}
    old, new = meta.get("old") or {}, meta.get("new") or {}
    unknown = "tidak diketahui"
    rows: list[tuple[str, Any]] = [
        ("Versi aturan (lama → baru)",
         f"{old.get('rules_version') or unknown} → {new.get('rules_version') or unknown}"),
    ]
    layers = meta.get("layers_changed")
    rows.append(("Lapisan yang berubah", unknown if layers is None
                 else (", ".join(layers) or "tidak ada")))
    rules = meta.get("rules_changed")
    rows.append(("Aturan berubah", unknown if rules is None else ("ya" if rules else "tidak")))
    counts = diff["change"].value_counts()
    for code, label in CHANGE_LABELS.items():
        rows.append((f"Jumlah lahan: {label}", int(counts.get(code, 0))))
    return rows


def write_changes(ws: Any, styles: Styles, diff: pd.DataFrame, version: str | None) -> None:
    """Fill ``Perubahan``: the comparison's summary, then one row per plot that changed."""
    widths: list[float] = [24, 14, 18, 20, 20, 14, 14, 26, 26, 12, 50]
    _setup(ws, widths)
    write_values(ws, 0, ["Perubahan dibandingkan hasil sebelumnya"],
                 [styles.get(bold=True, font_size=12)])
    row = 2
    for label, value in _info(diff):
        write_values(ws, row, [label, value], [styles.get(bold=True), None])
        row += 1
    row += 1
    header_row = row
    header = ["ID Lahan", "Perubahan", "Yang Berubah", "Status Lama", "Status Baru",
              "Aturan Lama", "Aturan Baru", "Izin Lama", "Izin Baru", "Pergeseran (m)",
              "Penyebab"]
    write_header(ws, header_row, header, styles, widths)
    shown = diff[diff["change"] != "unchanged"]

    def get(record: Mapping[str, Any], *names: str) -> Any:
        for name in names:
            value = record.get(name)
            if join_list(value) is not None:
                return value
        return None

    rows, olds, news = [], [], []
    for record in shown.to_dict("records"):
        old, new = plain(record.get("status_old")), plain(record.get("status_new"))
        rows.append([
            plain(record.get("plot_id")), CHANGE_LABELS.get(str(record.get("change")),
                                                            plain(record.get("change"))),
            _what(record.get("what")), status_label(old) if old else None,
            status_label(new) if new else None, join_list(record.get("rules_old")),
            join_list(record.get("rules_new")),
            join_list(get(record, "clearances_id_old", "clearances_old")),
            join_list(get(record, "clearances_id_new", "clearances_new")),
            plain(record.get("moved_m")),
            plain(record.get("why_id")) or plain(record.get("why_en")),
        ])
        olds.append(old)
        news.append(new)
    _write_rows(ws, styles, header_row + 1, rows, widths, [None] * 9 + [1, None],
                {3: olds, 4: news})
    if shown.empty:
        write_values(ws, header_row + 1, ["Tidak ada perubahan."], [None])
    ws.freeze_panes(header_row + 1, 1)
    print_setup(ws, header_row=header_row, rules_version=version)
