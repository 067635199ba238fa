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
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import geopandas as gpd

from lahan_geo.outputs._labels import STATUS_ORDER, status_label
from lahan_geo.outputs._tabular import is_list_like, join_list, plain, provenance
from lahan_geo.outputs._xlsx import (
    Styles,
    number_format,
    print_setup,
    row_heights,
    write_header,
    write_values,
)

__all__ = ["file_name", "rules_version", "write_metadata", "write_rules", "write_summary"]

_MISSING = "(tidak diisi)"
_UNCONFIRMED = "belum dikonfirmasi"
_UNCONFIRMED_FILL = "#FFF2CC"


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


def rules_version(result: gpd.GeoDataFrame) -> str | None:
    """Return the version of the rules the result was screened with, for page footers."""
    version = plain(provenance(result).get("rules_version"))
    return None if version is None else str(version)


class _Sheet:
    """A sheet written top to bottom (the workbook streams rows): a row cursor."""

    def __init__(self, ws: Any, styles: Styles, widths: Sequence[float]) -> None:
        self.ws, self.styles, self.widths, self.row = ws, styles, list(widths), 0
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)

    def title(self, text: str) -> None:
        write_values(self.ws, self.row, [text], [self.styles.get(bold=True, font_size=12)])
        self.row += 1

    def table(self, header: list[str], rows: list[list[Any]],
              fills: Sequence[str | None] = ()) -> None:
        """Write a header and rows, numbers grouped, column A coloured per status code."""
        widths = (self.widths + [self.widths[-1]] * len(header))[:len(header)]
        write_header(self.ws, self.row, header, self.styles, widths)
        self.row += 1
        plain_formats = [self.styles.get(text_wrap=True, num_format=number_format(0))
                         for _ in header]
        for offset, values in enumerate(rows):
            heights = row_heights([[v] for v in values if isinstance(v, str)],
                                  [w for v, w in zip(values, widths) if isinstance(v, str)])
            if heights and heights[0] is not None:
                self.ws.set_row(self.row, heights[0])
            formats = list(plain_formats)
            code = fills[offset] if offset < len(fills) else None
            if code:  # the very formats of sheet Lahan's status cells
                formats[0] = self.styles.status(code)
            write_values(self.ws, self.row, values, formats)
            self.row += 1
        self.row += 1  # one blank row after the table


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


def write_summary(ws: Any, styles: Styles, result: gpd.GeoDataFrame,
                  version: str | None) -> None:
    """Fill the ``Ringkasan`` sheet: counts per status, area, clearance and agency.

    Each section is a bold title in column A, a header row and the table, with one blank
    row between sections. Status rows follow severity order (most severe first).
    Headers wrap in their column, so a status such as "Tidak diizinkan (pindah lokasi)"
    is read whole.
    """
    statuses = _statuses(result)
    labels = [status_label(s) for s in statuses]
    counts = Counter(str(s) for s in result["status"].tolist())
    sheet = _Sheet(ws, styles, [34, 18] + [15] * (len(statuses) + 1))
    sheet.title("Ringkasan hasil penapisan lahan")
    sheet.row += 1
    sheet.title("Jumlah lahan per status")
    status_rows: list[list[Any]] = [[status_label(s), s, counts.get(s, 0)] for s in statuses]
    status_rows.append(["Total", None, len(result)])
    sheet.table(["Status", "Kode Status", "Jumlah Lahan"], status_rows, statuses)
    if "review_status" in result.columns:
        _review_section(sheet, result, statuses)

    kecamatan = _find(result, "kecamatan")
    desa = _find(result, "desa", "kelurahan", "desa_kelurahan")
    if kecamatan is not None:
        sheet.title("Jumlah lahan per kecamatan")
        sheet.table(["Kecamatan", *labels, "Total"], _crosstab(result, [kecamatan], statuses))
    if desa is not None:
        keys = [kecamatan, desa] if kecamatan is not None else [desa]
        header = ["Kecamatan", "Desa"] if kecamatan is not None else ["Desa"]
        sheet.title("Jumlah lahan per desa")
        sheet.table([*header, *labels, "Total"], _crosstab(result, keys, statuses))

    for column, fallback, title, header in (
        ("clearances_id", "clearances", "Jumlah lahan per persetujuan yang diperlukan",
         "Persetujuan yang Diperlukan"),
        ("offices_id", "offices", "Jumlah lahan per kantor yang dituju", "Kantor yang Dituju"),
        ("agencies_id", "agencies", "Jumlah lahan per instansi", "Instansi"),
        ("rules", None, "Jumlah lahan per aturan", "Aturan"),
    ):
        source = column if column in result.columns else fallback
        if source is None or source not in result.columns:
            continue
        sheet.title(title)
        rows = [[name, n] for name, n in _counts(result[source].tolist())]
        sheet.table([header, "Jumlah Lahan"], rows or [["(tidak ada)", 0]])
    print_setup(ws, header_row=None, rules_version=version)


def _review_section(sheet: _Sheet, result: gpd.GeoDataFrame, statuses: list[str]) -> None:
    """Count the reviewers' decisions (:func:`lahan_geo.apply_review`) per status."""
    reviewed = [plain(v) for v in result["review_status"].tolist()]
    counts = Counter(str(v) for v in reviewed if v is not None)
    differs = sum(1 for v, s in zip(reviewed, result["status"].tolist())
                  if v is not None and str(v) != str(s))
    shown = [s for s in statuses if counts.get(s, 0)]
    rows: list[list[Any]] = [[status_label(s), s, counts[s]] for s in shown]
    rows.append(["Belum ditinjau", None, sum(v is None for v in reviewed)])
    rows.append(["Tinjauan berbeda dari status terhitung", None, differs])
    sheet.title("Jumlah lahan per status tinjauan")
    sheet.table(["Status Tinjauan", "Kode Status", "Jumlah Lahan"], rows, shown)


#: The rule table: the Indonesian columns first (printed), the English ones after.
_RULE_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("ID", "id", 6),
    ("Status", "status", 18),
    ("Judul", "title_id", 30),
    ("Izin", "clearance_id", 26),
    ("Instansi", "agency_id", 24),
    ("Dasar Hukum", "legal_basis", 24),
    ("Dikonfirmasi", "confirmed", 13),
    ("Jumlah Lahan", "", 9),
    ("Catatan", "note", 30),
    ("Sumber", "source", 24),
    ("Title", "title_en", 30),
    ("Clearance", "clearance_en", 26),
    ("Agency", "agency_en", 24),
)
_RULES_PRINTED = 10  # ID .. Sumber


def _confirmed(value: Any) -> str | None:
    if value is None:
        return None
    return "ya" if bool(value) else _UNCONFIRMED


def _rule_value(rule: Mapping[str, Any], key: str, fired: Mapping[str, int]) -> Any:
    value = rule.get(key) if key else fired.get(str(rule.get("id")), 0)
    if key == "status":
        return status_label(value) if value else None
    if key == "confirmed":
        return _confirmed(value)
    value = join_list(value) if is_list_like(value) else plain(value)
    return None if value == "" else value


def write_rules(ws: Any, styles: Styles, result: gpd.GeoDataFrame,
                version: str | None) -> None:
    """Fill the ``Aturan`` sheet: one row per rule of the rule set (the legend).

    Unconfirmed rules (``confirmed`` False) read ``"belum dikonfirmasi"`` and are
    highlighted. ``Jumlah Lahan`` counts the plots on which the rule fired. The
    Indonesian columns are printed; the English ones follow on screen.
    """
    rules = [r for r in provenance(result).get("rules") or [] if isinstance(r, Mapping)]
    fired = dict(_counts(result["rules"].tolist())) if "rules" in result.columns else {}
    widths = [w for _, _, w in _RULE_COLUMNS]
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    write_header(ws, 0, [h for h, _, _ in _RULE_COLUMNS], styles, widths)
    rows = [[_rule_value(rule, key, fired) for _, key, _ in _RULE_COLUMNS] for rule in rules]
    heights = row_heights([[r[i] for r in rows] for i in range(len(widths))], widths)
    plain_formats = [styles.get(text_wrap=True)] * len(widths)
    unconfirmed = [styles.get(text_wrap=True, bg_color=_UNCONFIRMED_FILL)] * len(widths)
    for index, (rule, values) in enumerate(zip(rules, rows, strict=True), start=1):
        if heights[index - 1] is not None:
            ws.set_row(index, heights[index - 1])
        formats = unconfirmed if rule.get("confirmed") is False else plain_formats
        write_values(ws, index, values, formats)
    if not rules:
        write_values(ws, 1, ["Daftar aturan tidak tersedia dalam hasil ini."], [None])
    else:
        ws.autofilter(0, 0, len(rules), len(widths) - 1)
    ws.freeze_panes(1, 1)
    print_setup(ws, header_row=0, rules_version=version, last_col=_RULES_PRINTED - 1,
                last_row=max(len(rules), 1))


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
    "scale": "skala peta (1:n)",
    "tolerance_m": "toleransi posisi (m)",
    "repairs": "geometri yang diperbaiki",
    "empty": "geometri kosong",
    "kind": "jenis lapisan",
    "function_column": "kolom fungsi kawasan",
    "zone_column": "kolom nama zona",
    "accuracy_class": "kelas ketelitian peta",
    "unknown_features": "fitur dengan fungsi tidak dikenal",
    "unknown_values": "nilai yang tidak dikenal",
    "functions": "jumlah fitur per fungsi",
    "classes": "jumlah fitur per kelas",
    "decrees": "SK penetapan",
    "overlaps": "tumpang tindih antarfitur",
    "pairs": "jumlah pasangan",
    "examples": "contoh (nomor baris fitur)",
    "cache": "tembolok (cache)",
    "mapping": "berkas pemetaan kelas",
    "mapping_version": "versi pemetaan kelas",
    "forest_layer_m": "Toleransi lapisan kawasan hutan (m)",
    "zoning_layer_m": "Toleransi lapisan pola ruang (m)",
    "default_plot_accuracy_m": "Akurasi posisi lahan bawaan (m)",
    "override_m": "Toleransi yang ditetapkan pengguna (m)",
    "combination": "Cara menggabungkan akurasi lapisan dan lahan",
    "source_file": "berkas",
    "sheet": "lembar",
    "rows": "jumlah baris",
    "problems": "baris bermasalah",
    "columns": "kolom yang dipakai",
    "blocks": "bagian yang dibaca",
    "read": "cara membaca",
    "window": "dibaca hanya di sekitar lahan",
    "area": "kotak lahan (derajat)",
    "margin_m": "margin (m)",
    "bbox": "kotak yang dibaca (derajat)",
    "clipped": "fitur yang dipotong ke kotak",
    "file_sha256": "hash SHA-256 berkas",
    "distances_unknown": "jarak batas yang tidak diketahui",
    "widened": "dibaca ulang lebih luas",
    "reader": "fungsi pembaca",
    "options": "opsi",
    "within": "batas wilayah",
    "plots_reviewed": "lahan yang ditinjau",
}
_PREFIXES = {
    "plots": "Daftar lahan",
    "tolerance": "Toleransi",
    "review": "Tinjauan",
    "compare": "Perbandingan",
}
_LAYER_NAMES = {"forest": "Lapisan kawasan hutan", "zoning": "Lapisan pola ruang"}
#: Keys whose value is a file path: only the file name is written.
_PATH_KEYS = frozenset({"path", "rules_path", "mapping", "source_file", "file"})


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


def _describe(key: str) -> str:
    """Return the Indonesian description of a dotted metadata key.

    Examples
    --------
    >>> _describe("layers.forest.functions.HK")
    'Lapisan kawasan hutan: jumlah fitur per fungsi: HK'
    >>> _describe("plots.rows"), _describe("status_counts.clear")
    ('Daftar lahan: jumlah baris', 'Jumlah lahan: Aman (lanjut KKPR)')

    """
    parts = key.split(".")
    if parts[0] == "status_counts" and len(parts) == 2:
        return f"Jumlah lahan: {status_label(parts[1])}"
    if len(parts) == 1:
        return _META_LABELS.get(key, key)
    if parts[0] == "layers" and len(parts) >= 3:
        head = _LAYER_NAMES.get(parts[1], f"Lapisan {parts[1]}")
        rest = parts[2:]
    else:
        head = _PREFIXES.get(parts[0], _META_LABELS.get(parts[0], parts[0]))
        rest = parts[1:]
    if head == "Toleransi" and len(rest) == 1 and rest[0] in _META_LABELS:
        return _META_LABELS[rest[0]]
    return ": ".join([head, *(_META_LABELS.get(part, part) for part in rest)])


def _strip_paths(value: Any, key: str = "") -> Any:
    """Return nested metadata with every path-valued entry reduced to its file name."""
    if isinstance(value, Mapping):
        return {k: _strip_paths(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strip_paths(v) for v in value]
    return _shown(key, value)


def _shown(key: str, value: Any) -> Any:
    """Return ``value`` as written: file paths reduced to their name."""
    if key.split(".")[-1] in _PATH_KEYS or (isinstance(value, str) and (
            value.startswith(("/", "~")) or _WINDOWS_DRIVE.match(value))):
        return file_name(value)
    return value


_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")


def file_name(value: Any) -> Any:
    r"""Return only the file name of a path-like text; other values unchanged.

    A workbook travels: the analyst's folders are nobody else's business, the hash
    identifies the file.

    Examples
    --------
    >>> file_name("/home/rina/data/kawasan_hutan.gpkg"), file_name(r"C:\\data\\rtrw.shp")
    ('kawasan_hutan.gpkg', 'rtrw.shp')
    >>> file_name("EPSG:4326"), file_name(3)
    ('EPSG:4326', 3)

    """
    if not isinstance(value, str) or ("/" not in value and "\\" not in value):
        return value
    if value.startswith(("http://", "https://")):
        return value
    if _WINDOWS_DRIVE.match(value) or "\\" in value:
        return PureWindowsPath(value).name
    return PurePosixPath(value).name


def write_metadata(ws: Any, styles: Styles, result: gpd.GeoDataFrame,
                   version: str | None) -> None:
    """Fill the ``Metadata`` sheet: ``Keterangan | Nilai | Kunci teknis`` rows.

    The reader's column is the Indonesian description; the dotted key into
    ``result.attrs["lahan_geo"]`` (``layers.forest.sha256``) comes last, for whoever
    traces a value back. Paths are reduced to file names (the hash identifies the file).
    """
    rows: list[tuple[str, Any]] = [("result_rows", len(result))]
    rows.extend(_flatten_meta(_strip_paths(provenance(result))))
    descriptions = {"result_rows": "Jumlah lahan dalam hasil"}
    table = [[descriptions.get(key) or _describe(key), value, key]
             for key, value in rows]
    if len(rows) == 1:
        table.append(["Catatan", "Metadata asal data tidak tersedia dalam hasil ini.", None])
    widths = [46, 70, 34]
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    write_header(ws, 0, ["Keterangan", "Nilai", "Kunci teknis"], styles, widths)
    heights = row_heights([[r[i] for r in table] for i in range(3)], widths)
    formats = [styles.get(text_wrap=True, bold=True), styles.get(text_wrap=True, align="left"),
               styles.get(text_wrap=True, font_color="#808080")]
    for index, values in enumerate(table, start=1):
        if heights[index - 1] is not None:
            ws.set_row(index, heights[index - 1])
        write_values(ws, index, values, formats)
    ws.freeze_panes(1, 0)
    print_setup(ws, header_row=0, rules_version=version, last_col=1, last_row=len(table))
