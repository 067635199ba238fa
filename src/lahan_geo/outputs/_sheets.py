"""The ``Ringkasan``, ``Aturan`` and ``Metadata`` sheets of the workbook.

Examples
--------
>>> _counts([["PPKH", "KKPR"], ["PPKH", "PPKH"], None])
[('PPKH', 2), ('KKPR', 1)]
>>> _flatten_meta({"layers": {"forest": {"crs": "EPSG:4326"}}, "rules": [{"id": "F1"}]})
[('layers.forest.crs', 'EPSG:4326'), ('rules', 1)]

"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from lahan_geo.outputs._labels import STATUS_FILLS, STATUS_ORDER, status_label
from lahan_geo.outputs._tabular import is_list_like, join_list, plain, provenance
from lahan_geo.outputs._xlsx import fill, set_cell, style_table, write_row

__all__ = ["write_metadata", "write_rules", "write_summary"]

_TITLE = Font(bold=True, size=12)
_MISSING = "(tidak diisi)"
_UNCONFIRMED = "belum dikonfirmasi"
_UNCONFIRMED_FILL = "FFF2CC"


def _find(result: gpd.GeoDataFrame, *names: str) -> str | None:
    lower = {str(col).strip().lower(): col for col in result.columns}
    return next((lower[name] for name in names if name in lower), None)


def _statuses(result: gpd.GeoDataFrame) -> list[str]:
    present = [str(s) for s in result["status"].tolist() if plain(s) is not None]
    extra = sorted(set(present) - set(STATUS_ORDER))
    return [*STATUS_ORDER, *extra]


def _counts(lists: Iterable[Any]) -> list[tuple[str, int]]:
    counter: Counter[str] = Counter()
    for value in lists:
        items = value if is_list_like(value) else ([] if plain(value) is None else [value])
        counter.update({str(plain(item)) for item in items if plain(item) not in (None, "")})
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _section_title(ws: Worksheet, row: int, text: str) -> int:
    set_cell(ws.cell(row=row, column=1), text).font = _TITLE
    return row + 1


def _table(ws: Worksheet, row: int, header: list[str], rows: list[list[Any]]) -> int:
    write_row(ws, row, header)
    for offset, values in enumerate(rows, start=1):
        write_row(ws, row + offset, values)
    for col in range(1, len(header) + 1):
        head = ws.cell(row=row, column=col)
        head.font = Font(bold=True)
        head.fill = fill("DDEBF7")
    return row + len(rows) + 2  # one blank row after the table


def _crosstab(
    result: gpd.GeoDataFrame, keys: list[str], statuses: list[str]
) -> list[list[Any]]:
    groups: dict[tuple[str, ...], Counter[str]] = {}
    key_values = [[plain(v) for v in result[key].tolist()] for key in keys]
    for index, status in enumerate(result["status"].tolist()):
        key = tuple(_MISSING if kv[index] is None else str(kv[index]) for kv in key_values)
        groups.setdefault(key, Counter())[str(status)] += 1
    rows = []
    for key in sorted(groups):
        counts = groups[key]
        rows.append([*key, *(counts.get(s, 0) for s in statuses), sum(counts.values())])
    return rows


def write_summary(ws: Worksheet, result: gpd.GeoDataFrame) -> None:
    """Fill the ``Ringkasan`` sheet: counts per status, area, clearance and agency.

    Each section is a bold title in column A, a header row and the table, with one blank
    row between sections. Status rows follow severity order (most severe first).
    """
    statuses = _statuses(result)
    labels = [status_label(s) for s in statuses]
    counts = Counter(str(s) for s in result["status"].tolist())
    row = _section_title(ws, 1, "Ringkasan hasil penapisan lahan")
    row = _section_title(ws, row + 1, "Jumlah lahan per status")
    status_rows: list[list[Any]] = [
        [status_label(s), s, counts.get(s, 0)] for s in statuses
    ]
    status_rows.append(["Total", None, len(result)])
    first = row + 1
    row = _table(ws, row, ["Status", "Kode Status", "Jumlah Lahan"], status_rows)
    for offset, status in enumerate(statuses):
        colour = STATUS_FILLS.get(status)
        if colour:
            ws.cell(row=first + offset, column=1).fill = fill(colour)
    ws.cell(row=first + len(statuses), column=1).font = Font(bold=True)
    if "review_status" in result.columns:
        row = _review_section(ws, row, result, statuses)

    kecamatan = _find(result, "kecamatan")
    desa = _find(result, "desa", "kelurahan", "desa_kelurahan")
    if kecamatan is not None:
        row = _section_title(ws, row, "Jumlah lahan per kecamatan")
        row = _table(ws, row, ["Kecamatan", *labels, "Total"],
                     _crosstab(result, [kecamatan], statuses))
    if desa is not None:
        keys = [kecamatan, desa] if kecamatan is not None else [desa]
        header = ["Kecamatan", "Desa"] if kecamatan is not None else ["Desa"]
        row = _section_title(ws, row, "Jumlah lahan per desa")
        row = _table(ws, row, [*header, *labels, "Total"], _crosstab(result, keys, statuses))

    for column, fallback, title, header in (
        ("clearances_id", "clearances", "Jumlah lahan per izin yang diperlukan",
         "Izin yang Diperlukan"),
        ("agencies_id", "agencies", "Jumlah lahan per instansi", "Instansi"),
        ("rules", None, "Jumlah lahan per aturan", "Aturan"),
    ):
        source = column if column in result.columns else fallback
        if source is None or source not in result.columns:
            continue
        row = _section_title(ws, row, title)
        rows = [[name, n] for name, n in _counts(result[source].tolist())]
        if not rows:
            rows = [["(tidak ada)", 0]]
        row = _table(ws, row, [header, "Jumlah Lahan"], rows)

    ws.column_dimensions["A"].width = 45
    for letter in "BCDEFGHIJ":
        ws.column_dimensions[letter].width = 18


def _review_section(ws: Worksheet, row: int, result: gpd.GeoDataFrame,
                    statuses: list[str]) -> int:
    """Count the reviewers' decisions (:func:`lahan_geo.apply_review`) per status."""
    reviewed = [plain(v) for v in result["review_status"].tolist()]
    counts = Counter(str(v) for v in reviewed if v is not None)
    differs = sum(1 for v, s in zip(reviewed, result["status"].tolist())
                  if v is not None and str(v) != str(s))
    rows: list[list[Any]] = [[status_label(s), s, counts.get(s, 0)] for s in statuses
                             if counts.get(s, 0)]
    rows.append(["Belum ditinjau", None, sum(v is None for v in reviewed)])
    rows.append(["Tinjauan berbeda dari status terhitung", None, differs])
    row = _section_title(ws, row, "Jumlah lahan per status tinjauan")
    return _table(ws, row, ["Status Tinjauan", "Kode Status", "Jumlah Lahan"], rows)


_RULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ID", "id"),
    ("Status", "status"),
    ("Judul", "title_id"),
    ("Title", "title_en"),
    ("Izin", "clearance_id"),
    ("Clearance", "clearance_en"),
    ("Instansi", "agency_id"),
    ("Agency", "agency_en"),
    ("Dasar Hukum", "legal_basis"),
    ("Dikonfirmasi", "confirmed"),
    ("Catatan", "note"),
    ("Sumber", "source"),
)


def _confirmed(value: Any) -> str | None:
    if value is None:
        return None
    return "ya" if bool(value) else _UNCONFIRMED


def write_rules(ws: Worksheet, result: gpd.GeoDataFrame) -> None:
    """Fill the ``Aturan`` sheet: one row per rule of the rule set (the legend).

    Unconfirmed rules (``confirmed`` False) read ``"belum dikonfirmasi"`` and are
    highlighted. ``Jumlah Lahan`` counts the plots on which the rule fired.
    """
    rules = provenance(result).get("rules") or []
    fired = dict(_counts(result["rules"].tolist())) if "rules" in result.columns else {}
    header = [h for h, _ in _RULE_COLUMNS] + ["Jumlah Lahan"]
    write_row(ws, 1, header)
    row = 1
    for rule in rules:
        if not isinstance(rule, Mapping):
            continue
        row += 1
        values: list[Any] = []
        for _, key in _RULE_COLUMNS:
            value = rule.get(key)
            if key == "status":
                value = status_label(value) if value else None
            elif key == "confirmed":
                value = _confirmed(value)
            else:
                value = join_list(value) if is_list_like(value) else plain(value)
            values.append(None if value == "" else value)
        values.append(fired.get(str(rule.get("id")), 0))
        write_row(ws, row, values)
        if rule.get("confirmed") is False:
            for col in range(1, len(header) + 1):
                ws.cell(row=row, column=col).fill = fill(_UNCONFIRMED_FILL)
    if row == 1:
        set_cell(ws.cell(row=2, column=1), "Daftar aturan tidak tersedia dalam hasil ini.")
    wrap = [False, False, True, True, True, True, True, True, True, False, True, True, False]
    widths = [8, 26, 36, 36, 36, 36, 30, 30, 36, 20, 36, 30, 14]
    style_table(ws, 1, max(row, 2), widths=widths, wrap=wrap)
    ws.freeze_panes = "B2"
    if row > 1:
        ws.auto_filter.ref = f"A1:{ws.cell(row=row, column=len(header)).coordinate}"


_META_LABELS: dict[str, str] = {
    "library_version": "Versi lahan_geo",
    "rules_version": "Versi aturan",
    "rules_sha256": "Hash SHA-256 berkas aturan",
    "rules_title": "Judul himpunan aturan",
    "rules_path": "Berkas aturan",
    "rules": "Jumlah aturan (lihat lembar Aturan)",
    "path": "berkas",
    "sha256": "hash SHA-256",
    "crs": "sistem koordinat",
    "features": "jumlah fitur",
    "scale": "skala peta",
    "tolerance_m": "toleransi posisi (m)",
    "repairs": "perbaikan geometri",
    "forest_layer_m": "Toleransi lapisan kawasan hutan (m)",
    "zoning_layer_m": "Toleransi lapisan pola ruang (m)",
    "default_plot_accuracy_m": "Akurasi posisi lahan bawaan (m)",
    "override_m": "Toleransi yang ditetapkan pengguna (m)",
    "combination": "Cara menggabungkan akurasi lapisan dan lahan",
}
_PLOT_LABELS = {
    "source_file": "Daftar lahan: berkas",
    "rows": "Daftar lahan: jumlah baris",
    "problems": "Daftar lahan: baris bermasalah",
}
_LAYER_NAMES = {"forest": "Lapisan kawasan hutan", "zoning": "Lapisan pola ruang"}


def _flatten_meta(meta: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in meta.items():
        path = f"{prefix}{key}"
        if path == "rules" and isinstance(value, list):
            rows.append((path, len(value)))
        elif isinstance(value, Mapping):
            rows.extend(_flatten_meta(value, f"{path}."))
        elif is_list_like(value) and any(isinstance(v, Mapping | list) for v in value):
            rows.append((path, json.dumps(list(value), ensure_ascii=False, default=str)))
        else:
            rows.append((path, plain(value)))
    return rows


def _describe(key: str) -> str | None:
    parts = key.split(".")
    if parts[0] == "plots" and len(parts) == 2 and parts[1] in _PLOT_LABELS:
        return _PLOT_LABELS[parts[1]]
    if parts[0] == "layers" and len(parts) == 3:
        layer = _LAYER_NAMES.get(parts[1], f"Lapisan {parts[1]}")
        return f"{layer}: {_META_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "status_counts" and len(parts) == 2:
        return f"Jumlah lahan: {status_label(parts[1])}"
    return _META_LABELS.get(parts[-1])


def write_metadata(ws: Worksheet, result: gpd.GeoDataFrame) -> None:
    """Fill the ``Metadata`` sheet: provenance as ``Kunci | Keterangan | Nilai`` rows.

    Keys are dotted paths into ``result.attrs["lahan_geo"]`` (``layers.forest.sha256``);
    whatever the attrs hold is written, known keys get an Indonesian description.
    """
    write_row(ws, 1, ["Kunci", "Keterangan", "Nilai"])
    rows: list[tuple[str, Any]] = [("result_rows", len(result))]
    rows.extend(_flatten_meta(provenance(result)))
    descriptions = {"result_rows": "Jumlah lahan dalam hasil"}
    for index, (key, value) in enumerate(rows, start=2):
        write_row(ws, index, [key, descriptions.get(key) or _describe(key), value])
    if len(rows) == 1:
        set_cell(ws.cell(row=3, column=1), "catatan")
        set_cell(ws.cell(row=3, column=2), "Metadata asal data tidak tersedia dalam hasil ini.")
    style_table(ws, 1, ws.max_row, widths=[34, 44, 70], wrap=[False, False, True])
    ws.freeze_panes = "A2"
