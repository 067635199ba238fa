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
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from lahan_geo.errors import InputError
from lahan_geo.metric import utm_epsg
from lahan_geo.outputs._labels import STATUS_FILLS, status_label
from lahan_geo.outputs._tabular import join_list, lonlat, plain
from lahan_geo.outputs._xlsx import fill, set_cell, style_table, write_row

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
_WHAT_LABELS = {"status": "status", "rules": "aturan", "clearances": "izin",
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


def write_candidates(ws: Worksheet, candidates: gpd.GeoDataFrame,
                     result: gpd.GeoDataFrame) -> None:
    """Fill ``Lokasi Alternatif``: one row per site, or per plot without one and why."""
    status_of = {plain(p): plain(s) for p, s in zip(result["plot_id"].tolist(),
                                                   result["status"].tolist())}
    lon, lat = lonlat(candidates)
    areas = _areas(candidates.geometry)
    header = ["ID Lahan", "Status Lahan", "No. Lokasi", "Jarak (m)", "Desa", "Lintang",
              "Bujur", "Luas (m²)", "Keterangan"]
    formats = [None, None, "0", "#,##0", None, "0.000000", "0.000000", "#,##0", None]
    write_row(ws, 1, header)
    column = {name: candidates[name].tolist() if name in candidates.columns
              else [None] * len(candidates) for name in ("desa", "distance_m", "reason_id",
                                                         "reason_en")}
    for k in range(len(candidates)):
        plot = plain(candidates["plot_id"].iloc[k])
        number = plain(candidates["candidate"].iloc[k])
        status = status_of.get(plot)
        note = plain(column["reason_id"][k]) or plain(column["reason_en"][k])
        if number == 0 and note is None:
            note = "Tidak ditemukan lokasi aman."
        row = [plot, status_label(status) if status else None, number,
               plain(column["distance_m"][k]), plain(column["desa"][k]), plain(lat[k]),
               plain(lon[k]), areas[k], note]
        write_row(ws, k + 2, row, formats)
        colour = STATUS_FILLS.get(str(status))
        if colour:
            ws.cell(row=k + 2, column=2).fill = fill(colour)
    if not len(candidates):
        set_cell(ws.cell(row=2, column=1), "Semua lahan aman atau tidak valid: tidak ada "
                 "lokasi alternatif yang dicari.")
    style_table(ws, 1, max(len(candidates) + 1, 2),
                widths=[16, 30, 10, 12, None, 12, 12, 12, 80],
                wrap=[False] * 8 + [True])
    ws.freeze_panes = "A2"


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


def write_changes(ws: Worksheet, diff: pd.DataFrame) -> None:
    """Fill ``Perubahan``: the comparison's summary, then one row per plot that changed."""
    set_cell(ws.cell(row=1, column=1), "Perubahan dibandingkan hasil sebelumnya").font = Font(
        bold=True, size=12)
    row = 3
    for label, value in _info(diff):
        set_cell(ws.cell(row=row, column=1), label).font = Font(bold=True)
        set_cell(ws.cell(row=row, column=2), value)
        row += 1
    row += 1
    header_row = row
    header = ["ID Lahan", "Perubahan", "Yang Berubah", "Status Lama", "Status Baru",
              "Aturan Lama", "Aturan Baru", "Izin Lama", "Izin Baru", "Pergeseran (m)",
              "Penyebab"]
    write_row(ws, header_row, header)
    shown = diff[diff["change"] != "unchanged"]

    def get(record: Mapping[str, Any], *names: str) -> Any:
        for name in names:
            value = record.get(name)
            if join_list(value) is not None:
                return value
        return None

    for record in shown.to_dict("records"):
        row += 1
        old, new = plain(record.get("status_old")), plain(record.get("status_new"))
        values = [
            plain(record.get("plot_id")), CHANGE_LABELS.get(str(record.get("change")),
                                                            plain(record.get("change"))),
            _what(record.get("what")), status_label(old) if old else None,
            status_label(new) if new else None, join_list(record.get("rules_old")),
            join_list(record.get("rules_new")),
            join_list(get(record, "clearances_id_old", "clearances_old")),
            join_list(get(record, "clearances_id_new", "clearances_new")),
            plain(record.get("moved_m")),
            plain(record.get("why_id")) or plain(record.get("why_en")),
        ]
        write_row(ws, row, values, [None] * 9 + ["#,##0.0", None])
        for col, status in ((4, old), (5, new)):
            colour = STATUS_FILLS.get(str(status))
            if colour:
                ws.cell(row=row, column=col).fill = fill(colour)
    if shown.empty:
        row += 1
        set_cell(ws.cell(row=row, column=1), "Tidak ada perubahan.")
    style_table(ws, header_row, max(row, header_row + 1),
                widths=[26, 14, 20, 28, 28, 16, 16, 36, 36, 14, 70],
                wrap=[False] * 7 + [True, True, False, True])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
