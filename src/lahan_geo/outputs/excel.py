"""Write a screening result as the Indonesian workbook an analyst submits.

Sheets
------
``Lahan``
    One row per plot in input order: the plot id, the status (Indonesian, coloured) and
    the reason first, then the clearance, office and legal basis, the plot list's own
    columns (once, numbers as numbers), where the plot lies, and the screening's detail.
    The id column and the header row stay in view; columns empty for every plot are
    left out.
``Ringkasan``
    Counts per status, per kecamatan and desa, per required clearance and agency.
``Aturan``
    The rules applied (legend), with the unconfirmed ones marked.
``Metadata``
    Provenance: library and rules version, layer files (names only) and hashes,
    tolerances, with Indonesian descriptions.

Every sheet prints on A4 landscape, fitted to the page width, with the header row on
every page and a footer "Halaman x dari y", the print date and the rules version;
wrapped cells get the row height they need. Numbers use one Indonesian format
(``1.522,5``) and stay numbers.

With ``detail_maps=`` (the folder or files written by :func:`plot_details`), sheet
``Lahan`` gets a column ``Peta Detail`` linking each plot to its map. A result passed
through :func:`lahan_geo.apply_review` gets the reviewer's decision beside the computed
status (``Status Tinjauan``, ``Alasan Tinjauan``, ``Pemeriksa``, ``Tanggal Tinjauan``).
With ``candidates=`` (from :func:`lahan_geo.suggest_sites`) a sheet ``Lokasi Alternatif``
follows ``Ringkasan``; with ``compare_with=`` (an earlier result, its export, or a
:func:`lahan_geo.compare` table) a sheet ``Perubahan``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> result = gpd.GeoDataFrame(
...     {"plot_id": ["P1"], "status": ["clear"], "rules": [["Z4"]]},
...     geometry=[Point(113.0, -2.5)], crs="EPSG:4326")
>>> path = to_excel(result, Path(tempfile.mkdtemp()) / "hasil.xlsx")
>>> from openpyxl import load_workbook
>>> wb = load_workbook(path)
>>> wb.sheetnames
['Lahan', 'Ringkasan', 'Aturan', 'Metadata']
>>> [c.value for c in wb["Lahan"][2]][:2]
['P1', 'Aman (lanjut KKPR)']
>>> import shutil; shutil.rmtree(path.parent)

"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.columns import unique_column_names
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path, recorded_inputs
from lahan_geo.outputs._extra_sheets import (
    CANDIDATE_SHEET,
    CHANGE_SHEET,
    as_diff,
    check_candidates,
    write_candidates,
    write_changes,
)
from lahan_geo.outputs._labels import (
    STATUS_FILLS,
    forest_function_label,
    status_label,
    zone_class_label,
)
from lahan_geo.outputs._sheets import rules_version, write_metadata, write_rules, write_summary
from lahan_geo.outputs._tabular import (
    check_result,
    flatten,
    lonlat,
    original_columns,
    plain,
    provenance,
)
from lahan_geo.outputs._xlsx import (
    BigTable,
    Styles,
    column_width,
    new_workbook,
    number_format,
    print_setup,
    row_heights,
    splice_rows,
    write_header,
)
from lahan_geo.outputs.details import detail_names

__all__ = ["IDENTITY_HEADERS", "OTHER_HEADERS", "to_excel"]

#: Known identification columns of a plot list and their headers, in sheet order.
IDENTITY_HEADERS: dict[str, str] = {
    "desa": "Desa",
    "kelurahan": "Kelurahan",
    "desa_kelurahan": "Desa/Kelurahan",
    "kecamatan": "Kecamatan",
    "kabupaten": "Kabupaten",
    "nama_koperasi": "Nama Koperasi",
    "koperasi": "Koperasi",
}


@dataclass(frozen=True)
class _Column:
    """One column of sheet ``Lahan``: where its values come from and how they look."""

    header: str
    source: str | None  # result column, or None for computed values
    decimals: int | None = None  # a number with this many decimals
    grouped: bool = True  # thousands separator
    width: float | None = None  # None measures the content
    wrap: bool = False
    convert: Callable[[Any], Any] | None = None
    paper: bool = False  # printed (the print area is the leading paper columns)
    keep: bool = False  # written even when empty for every row


def _forest(value: Any) -> Any:
    return forest_function_label(value)


def _land_title(value: Any) -> Any:
    return None if value is None else _land_title_label(str(value))


@cache
def _land_title_label(value: str) -> str:
    from lahan_geo.intake.land_status import load_land_status_mapping

    return load_land_status_mapping().label(value, "id") or value


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _review_date(value: Any) -> Any:
    return str(value)[:10]


#: The plot id and the decision, first and printed: what the office acts on.
_DECISION: tuple[_Column, ...] = (
    _Column("ID Lahan", "plot_id", width=14, paper=True, keep=True),
    _Column("Status", "status", width=20, wrap=True, convert=status_label, paper=True,
            keep=True),
    # the reviewer's decision (:func:`lahan_geo.apply_review`) beside the computed one
    _Column("Status Tinjauan", "review_status", width=20, wrap=True, convert=status_label,
            paper=True),
    _Column("Alasan Tinjauan", "review_reason", width=30, wrap=True, paper=True),
    _Column("Pemeriksa", "reviewer", width=14, wrap=True, paper=True),
    _Column("Tanggal Tinjauan", "review_date", width=11, convert=_review_date, paper=True),
    _Column("Alasan", "reason_id", width=46, wrap=True, paper=True, keep=True),
    _Column("Persetujuan yang Diperlukan", "clearances_id", width=26, wrap=True, paper=True),
    # the offices' Indonesian names, one spelling per office (lahan_geo.offices), with
    # the regional unit resolved (e.g. BPKH Wilayah XXI Palangka Raya); the canonical
    # ids stay in the GIS files' ``offices`` field
    _Column("Kantor yang Dituju", "agencies_id", width=26, wrap=True, paper=True),
    _Column("Dasar Hukum", "legal_basis", width=18, wrap=True, paper=True),
)
#: Where the plot is and what lies under it, printed after the identity columns.
_PLACE: tuple[_Column, ...] = (
    _Column("Fungsi Kawasan Hutan", "forest_function", width=18, wrap=True, convert=_forest,
            paper=True),
    _Column("Bagian dalam Kawasan Hutan (%)", "forest_overlap_pct", 1, width=11, paper=True),
    _Column("Pola Ruang (RTRW)", "zone_name", width=22, wrap=True, paper=True),
    _Column("Lintang", None, 6, grouped=False, width=11, paper=True, keep=True),
    _Column("Bujur", None, 6, grouped=False, width=11, paper=True, keep=True),
    _Column("Kelas Pola Ruang", "zone_class", width=18, wrap=True, convert=zone_class_label),
    _Column("Status Tanah", "land_status_id", width=18, wrap=True, paper=True),
    _Column("Status Tanah", "land_status", width=18, wrap=True, paper=True),
    _Column("Kelas Status Tanah", "land_title_class", width=18, wrap=True, paper=True,
            convert=_land_title),
)
#: The screening's working detail: on screen, not on paper.
_DETAIL: tuple[_Column, ...] = (
    _Column("Rincian Tumpang Susun Hutan", "forest_overlaps", width=36, wrap=True),
    _Column("SK Kawasan Hutan", "forest_decree", width=24),
    _Column("Rincian Tumpang Susun Pola Ruang", "zone_overlaps", width=36, wrap=True),
    _Column("Aturan", "rules", width=12),
    _Column("Jarak ke Batas Kawasan Hutan (m)", "boundary_distance_m", 1),
    _Column("Toleransi Batas Kawasan Hutan (m)", "tolerance_m", 1),
    _Column("Jarak ke Batas Pola Ruang (m)", "zone_boundary_distance_m", 1),
    _Column("Toleransi Batas Pola Ruang (m)", "zone_tolerance_m", 1),
    _Column("Luas Terukur (m²)", "area_m2", 0),
    _Column("Akurasi Posisi (m)", "accuracy_m", 1),
    _Column("Dikuasai Sebelum Penetapan Kawasan", "settled_before_designation"),
    _Column("Masalah Data", "input_problem_id", width=40, wrap=True),
    _Column("Catatan Data", "input_notes_id", width=40, wrap=True),
    _Column("Berkas Sumber", "source_file", width=24),
    _Column("Lembar Sumber", "source_sheet", width=14),
    _Column("Baris Sumber", "source_row", 0, grouped=False, convert=_whole, width=9),
)

#: Indonesian column falls back to the English one, per cell, when the result lacks it.
_FALLBACK = {
    "clearances_id": "clearances",
    "agencies_id": "agencies",
    "reason_id": "reason_en",
    "input_problem_id": "input_problem",
    "input_notes_id": "input_notes",
    "land_status_id": "land_status",
}
#: Headers for other known plot-list columns added by ``read_plots``.
OTHER_HEADERS: dict[str, str] = {
    column.source: column.header for column in _DETAIL if column.source is not None
}
#: Plot-list roles (``attrs["lahan_geo"]["plots"]["columns"]``) whose own column the
#: sheet already shows clean: the id, the coordinates, the accuracy, the settled flag.
_SHOWN_ROLES = ("id", "lat", "lon", "easting", "northing", "coords", "geometry",
                "accuracy", "settled")
_ROLE_HEADERS = {"area": "Luas Usulan (m²)"}
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_MAP_HEADER = "Peta Detail"


def _plot_roles(result: gpd.GeoDataFrame) -> dict[str, set[str]]:
    """Return ``{column: roles}`` of the plot list's columns, from every block read."""
    plots = provenance(result).get("plots")
    plots = plots if isinstance(plots, dict) else {}
    maps = [plots.get("columns")] + [b.get("columns") for b in plots.get("blocks") or []
                                     if isinstance(b, dict)]
    roles: dict[str, set[str]] = {}
    for mapping in maps:
        if isinstance(mapping, dict):
            for role, column in mapping.items():
                roles.setdefault(str(column), set()).add(str(role))
    return roles


def _is_number(value: Any) -> bool:
    if isinstance(value, str):
        return _NUMBER.fullmatch(value.strip()) is not None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(cells: list[Any]) -> tuple[list[Any], int | None]:
    """Return a plot-list column as numbers when every value is a plain decimal number.

    Text such as ``"007"`` (a leading zero) or ``"1.200,5"`` stays text.
    """
    present = [v for v in cells if v is not None and v != ""]
    if not present or not all(_is_number(v) for v in present):
        return cells, None
    numbers = [None if v is None or v == "" else (float(v) if isinstance(v, str) else v)
               for v in cells]
    decimals = 0 if all(float(v).is_integer() for v in numbers if v is not None) else 2
    if decimals == 0:
        numbers = [None if v is None else int(v) for v in numbers]
    return numbers, decimals


def _layout(result: gpd.GeoDataFrame, with_links: bool) -> list[_Column]:
    """Return the columns of sheet ``Lahan`` in order, before dropping empty ones.

    The plot id, the status and the reason come first (then the detail map's file, when
    linked); then the clearance, the office, the legal basis; the plot list's identity
    columns; where the plot lies; then, off the printed area, the plot list's other
    columns and the screening's working detail. Result columns this table does not know (a newer
    ``screen``) follow at the end under their own name, so nothing is lost.
    """
    present = set(result.columns)
    roles = _plot_roles(result)
    originals = original_columns(result)
    by_key = {str(col).strip().lower(): col for col in originals}
    identity = [_Column(header, by_key[key], width=16, wrap=True, paper=True)
                for key, header in IDENTITY_HEADERS.items() if key in by_key]
    known = {c.source for c in (*_DECISION, *_PLACE, *_DETAIL)} | set(_FALLBACK.values())
    used = {c.source for c in identity}
    others = []
    for col in originals:
        if col in used or col in known or roles.get(str(col), set()) & set(_SHOWN_ROLES):
            continue
        header = next((_ROLE_HEADERS[r] for r in sorted(roles.get(str(col), ()))
                       if r in _ROLE_HEADERS), str(col))
        others.append(_Column(header, col, width=None, wrap=True))
    columns = [c for c in (*_DECISION, *identity, *_PLACE) if c.source is None
               or c.source in present or _FALLBACK.get(c.source) in present]
    if with_links:  # beside the reason: the map shows it
        after = next(i for i, c in enumerate(columns) if c.source == "reason_id") + 1
        columns.insert(after, _Column(_MAP_HEADER, None, width=None, paper=True))  # measured
    columns += others
    columns += [c for c in _DETAIL if c.source in present or _FALLBACK.get(c.source) in present]
    seen: set[str] = set()
    unique = []
    for column in columns:  # "land_status_id" and "land_status" give one column, not two
        if column.header not in seen:
            seen.add(column.header)
            unique.append(column)
    # a plot-list column whose name is one of the sheet's headers in any case ("lintang",
    # "Alasan") keeps its values under the name with " (daftar)", never two equal headers
    headers = {c.header.casefold() for c in unique if c not in others}
    for i, column in enumerate(unique):
        if column in others and column.header.casefold() in headers:
            unique[i] = replace(column, header=unique_column_names(
                [column.header], [c.header for c in unique if c not in others]
            ).get(column.header, column.header))
    return sorted(unique, key=lambda column: not column.paper)  # printed ones first


def _values(flat: pd.DataFrame, column: str) -> list[Any]:
    return flat[column].tolist() if column in flat.columns else [None] * len(flat)


def _detail_links(
    result: gpd.GeoDataFrame, detail_maps: PathLike | Iterable[PathLike], workbook: Path
) -> list[str | None]:
    """Return, per row, the link to its detail map relative to the workbook's folder.

    ``detail_maps`` is the folder the maps were written into, or the paths returned by
    :func:`~lahan_geo.outputs.plot_details`; a row is linked when the file named for
    it by :func:`~lahan_geo.outputs.details.detail_names` is there.
    """
    names = detail_names(result)
    if isinstance(detail_maps, str | os.PathLike):
        folder = Path(detail_maps).expanduser()
        if not folder.is_dir():
            msg = (f"to_excel(): detail_maps '{detail_maps}' is not a folder. Fix: pass the "
                   "folder given to plot_details(out_dir=...), or the paths it returned.")
            raise InputError(msg)
        found = {name: folder / name for name in names if name and (folder / name).is_file()}
    else:
        found = {Path(p).name: Path(p).expanduser() for p in detail_maps}
    links: list[str | None] = []
    for name in names:
        target = found.get(name) if name else None
        if target is None:
            links.append(None)
            continue
        target = target.resolve()
        try:
            links.append(Path(os.path.relpath(target, workbook.parent)).as_posix())
        except ValueError:  # another drive on Windows: no relative path exists
            links.append(target.as_uri())
    return links


def _cells(column: _Column, flat: pd.DataFrame, computed: dict[str, list[Any]]) -> list[Any]:
    """Return the values of one sheet column, converted, plain, None where missing."""
    if column.source is None:
        return [None if v is None or v != v else v for v in computed[column.header]]
    cells = _values(flat, column.source)
    fallback = _FALLBACK.get(column.source)
    if fallback is not None:  # per cell: Indonesian text first, English if missing
        cells = [a if a is not None else b
                 for a, b in zip(cells, _values(flat, fallback), strict=True)]
    if column.convert is not None:
        convert = column.convert
        cells = [None if v is None else convert(v) for v in cells]
    return cells


def _table(result: gpd.GeoDataFrame, links: list[str | None] | None
           ) -> tuple[list[_Column], list[list[Any]]]:
    """Return the columns of sheet ``Lahan`` and their values, empty columns dropped."""
    flat = flatten(result)
    lon, lat = lonlat(result)
    computed = {"Lintang": lat.tolist(), "Bujur": lon.tolist(),
                _MAP_HEADER: links if links is not None else []}
    columns: list[_Column] = []
    values: list[list[Any]] = []
    for column in _layout(result, links is not None):
        cells = _cells(column, flat, computed)
        if column.decimals is None and column.source not in RESULT_SOURCES:
            cells, decimals = _typed(cells)
            column = replace(column, decimals=decimals)
        if not column.keep and all(v is None or v == "" for v in cells):
            continue  # empty for every plot: nothing to read
        if column.width is None:
            column = replace(column, width=column_width(
                column.header, cells, minimum=8 if column.decimals is None else 13,
                maximum=30))
        columns.append(column)
        values.append(cells)
    return columns, values


#: Result columns whose type the layout already states.
RESULT_SOURCES = frozenset(c.source for c in (*_DECISION, *_PLACE, *_DETAIL) if c.source)


def _write_plots(wb: Any, styles: Styles, result: gpd.GeoDataFrame,
                 links: list[str | None] | None, version: str | None) -> BigTable:
    """Set up sheet ``Lahan`` (header, columns, panes, print) and return its body.

    The body rows are spliced in after the workbook is saved (:func:`splice_rows`).
    """
    ws = wb.add_worksheet("Lahan")
    columns, values = _table(result, links)
    widths = [float(c.width or 10) for c in columns]
    formats = [styles.get(text_wrap=c.wrap,
                          num_format=None if c.decimals is None
                          else number_format(c.decimals, c.grouped))
               for c in columns]
    link_col = next((i for i, c in enumerate(columns) if c.header == _MAP_HEADER), None)
    if link_col is not None:
        formats[link_col] = styles.get(font_color="#0563C1", underline=1)
    for index, (width, fmt) in enumerate(zip(widths, formats, strict=True)):
        ws.set_column(index, index, width, fmt)
    write_header(ws, 0, [c.header for c in columns], styles, widths)
    special = {i: (_values_of(result, c.source), {code: styles.status(code)
                                                  for code in STATUS_FILLS})
               for i, c in enumerate(columns) if c.source in ("status", "review_status")}
    wrapped = [i for i, c in enumerate(columns) if c.wrap]
    heights = row_heights([values[i] for i in wrapped], [widths[i] for i in wrapped])
    rows = len(result)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(rows, 1), len(columns) - 1)
    paper = next((i for i, c in enumerate(columns) if not c.paper), len(columns))
    print_setup(ws, header_row=0, rules_version=version, last_col=paper - 1,
                last_row=max(rows, 1))
    return BigTable(sheet=1, columns=values, formats=formats, special=special,
                    heights=heights,
                    links={link_col: values[link_col]} if link_col is not None else {})


def _values_of(result: gpd.GeoDataFrame, column: str) -> list[Any]:
    return [None if v is None else str(v) for v in map(plain, result[column].tolist())]


def to_excel(
    result: gpd.GeoDataFrame,
    path: PathLike,
    *,
    overwrite: bool = True,
    protect: Iterable[PathLike] = (),
    detail_maps: PathLike | Iterable[PathLike] | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    compare_with: gpd.GeoDataFrame | pd.DataFrame | PathLike | None = None,
) -> Path:
    """Write the screening result as an ``.xlsx`` workbook in Indonesian.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen`` (one row per plot, provenance in
        ``result.attrs["lahan_geo"]``).
    path : str or os.PathLike
        Output file; must end in ``.xlsx``. Written atomically: a failed write leaves
        no file behind and an existing file untouched.
    overwrite : bool, default True
        When False, refuse to replace an existing file.
    protect : iterable of path-like, default ()
        Paths never to overwrite (pass the input plot list: it is often an ``.xlsx``).
    detail_maps : path-like or iterable of path-like, optional
        The folder given to :func:`~lahan_geo.outputs.plot_details` (``out_dir``) or the
        paths it returned. Sheet ``Lahan`` then gets a column ``Peta Detail`` after
        ``Alasan`` whose cells link each plot with a map to its PNG, by a path relative
        to the workbook: keep the workbook and the map folder together when you send
        them on.
    candidates : geopandas.GeoDataFrame, optional
        The sites of :func:`lahan_geo.suggest_sites`: sheet ``Lokasi Alternatif`` lists
        them (plot id, the plot's status, site number, distance, desa, latitude and
        longitude of the site's centre, area) and, for a plot without any site, why.
    compare_with : GeoDataFrame, DataFrame or path-like, optional
        An earlier screening result (or its GeoJSON/GeoPackage/CSV export), or the table
        :func:`lahan_geo.compare` returned: sheet ``Perubahan`` lists the plots whose
        status, rules, clearances or location changed, and why.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    InputError
        Wrong suffix, existing file with ``overwrite=False``, a protected path, not a
        screening result, ``detail_maps`` a path that is not a folder, ``candidates``
        not a table of sites, or the file cannot be written (for example because it is
        open in Excel).

    Notes
    -----
    Every text value is stored as a string cell, so user text that starts with ``=``
    is never evaluated as a formula. Characters XML cannot hold are removed. Document
    timestamps are fixed, so the same result gives the same workbook. The workbook is
    streamed (XlsxWriter, and the ``Lahan`` rows written directly), so 100,000 plots
    take seconds and little memory.

    Examples
    --------
    >>> to_excel(None, "hasil.csv")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: Output path 'hasil.csv' has suffix '.csv'; ...

    """
    target = check_output_path(path, (".xlsx",), overwrite=overwrite,
                               protect=[*protect, *recorded_inputs(result)])
    result = check_result(result, "to_excel")
    links = _detail_links(result, detail_maps, target) if detail_maps is not None else None
    if candidates is not None:
        candidates = check_candidates(candidates, "to_excel")
    diff = as_diff(compare_with, result) if compare_with is not None else None
    version = rules_version(result)
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, "Hasil penapisan legalitas lahan")
        styles = Styles(wb)
        body = _write_plots(wb, styles, result, links, version)
        write_summary(wb.add_worksheet("Ringkasan"), styles, result, version)
        if candidates is not None:
            write_candidates(wb.add_worksheet(CANDIDATE_SHEET), styles, candidates, result,
                             version)
        if diff is not None:
            write_changes(wb.add_worksheet(CHANGE_SHEET), styles, diff, version)
        write_rules(wb.add_worksheet("Aturan"), styles, result, version)
        write_metadata(wb.add_worksheet("Metadata"), styles, result, version)
        wb.close()
        splice_rows(tmp, body)
    return target
