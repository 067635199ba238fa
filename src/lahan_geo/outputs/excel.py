"""Write a screening result as the Indonesian workbook an analyst submits.

Sheets
------
``Lahan``
    One row per plot in input order, Indonesian headers, status coloured.
``Ringkasan``
    Counts per status, per kecamatan and desa, per required clearance and agency.
``Aturan``
    The rules applied (legend), with the unconfirmed ones marked.
``Metadata``
    Provenance: library and rules version, layer files and hashes, tolerances.

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
['P1', 'Aman (tidak perlu izin khusus)']
>>> import shutil; shutil.rmtree(path.parent)

"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from lahan_geo.errors import InputError
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path, recorded_inputs
from lahan_geo.outputs._extra_sheets import (
    CANDIDATE_SHEET,
    CHANGE_SHEET,
    as_diff,
    check_candidates,
    write_candidates,
    write_changes,
)
from lahan_geo.outputs._labels import STATUS_FILLS, forest_function_label, status_label
from lahan_geo.outputs._sheets import write_metadata, write_rules, write_summary
from lahan_geo.outputs._tabular import check_result, flatten, lonlat, original_columns
from lahan_geo.outputs._xlsx import fill, save_workbook, style_table, write_row
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
    header: str
    source: str | None  # result column, or None for computed values
    number_format: str | None = None
    width: float | None = None
    wrap: bool = False
    convert: Callable[[Any], Any] | None = None


def _forest(value: Any) -> Any:
    return forest_function_label(value) if value is not None else None


def _land_title(value: Any) -> Any:
    return None if value is None else _land_title_label(str(value))


@cache
def _land_title_label(value: str) -> str:
    from lahan_geo.intake.land_status import load_land_status_mapping

    return load_land_status_mapping().label(value, "id") or value


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


_RESULT_COLUMNS: tuple[_Column, ...] = (
    _Column("Status", "status", width=32, convert=status_label),
    _Column("Fungsi Kawasan Hutan", "forest_function", width=26, convert=_forest),
    _Column("Tutupan Kawasan Hutan (%)", "forest_overlap_pct", "0.0"),
    _Column("Rincian Tumpang Susun Hutan", "forest_overlaps", width=36, wrap=True),
    _Column("SK Kawasan Hutan", "forest_decree"),
    _Column("Pola Ruang", "zone_name"),
    _Column("Kelas Pola Ruang", "zone_class"),
    _Column("Rincian Tumpang Susun Pola Ruang", "zone_overlaps", width=36, wrap=True),
    _Column("Kelas Status Lahan", "land_title_class", width=30, convert=_land_title),
    _Column("Izin yang Diperlukan", "clearances_id", width=40, wrap=True),
    _Column("Instansi", "agencies_id", width=40, wrap=True),
    _Column("Dasar Hukum", "legal_basis", width=40, wrap=True),
    _Column("Aturan", "rules"),
    _Column("Alasan", "reason_id", width=60, wrap=True),
    _Column("Jarak ke Batas (m)", "boundary_distance_m", "#,##0.0"),
    _Column("Toleransi (m)", "tolerance_m", "#,##0.0"),
    _Column("Jarak ke Batas Pola Ruang (m)", "zone_boundary_distance_m", "#,##0.0"),
    _Column("Toleransi Pola Ruang (m)", "zone_tolerance_m", "#,##0.0"),
    _Column("Luas (m²)", "area_m2", "#,##0"),
    _Column("Lintang", None, "0.000000"),
    _Column("Bujur", None, "0.000000"),
    _Column("Masalah Data", "input_problem_id", width=40, wrap=True),
    _Column("Catatan Data", "input_notes", width=40, wrap=True),
    _Column("Berkas Sumber", "source_file"),
    _Column("Baris Sumber", "source_row", "0", convert=_whole),
)

#: Indonesian column falls back to the English one when the result lacks it.
_FALLBACK = {
    "clearances_id": "clearances",
    "agencies_id": "agencies",
    "reason_id": "reason_en",
    "input_problem_id": "input_problem",
}
#: Result columns written only when the result has them (newer ``screen`` versions).
_OPTIONAL = {"zone_boundary_distance_m", "zone_tolerance_m", "forest_overlaps", "zone_overlaps",
             "land_title_class"}
#: Headers for other known plot-list columns added by ``read_plots``.
OTHER_HEADERS: dict[str, str] = {
    "accuracy_m": "Akurasi Posisi (m)",
    "settled_before_designation": "Dikuasai Sebelum Penetapan Kawasan",
}


def _review_date(value: Any) -> Any:
    return str(value)[:10] if value is not None else None


#: The reviewer's decision (:func:`lahan_geo.apply_review`), written after ``Status``.
_REVIEW_COLUMNS: tuple[_Column, ...] = (
    _Column("Status Tinjauan", "review_status", width=32, convert=status_label),
    _Column("Alasan Tinjauan", "review_reason", width=40, wrap=True),
    _Column("Pemeriksa", "reviewer"),
    _Column("Tanggal Tinjauan", "review_date", convert=_review_date),
)


def _sheet_columns(result: gpd.GeoDataFrame) -> list[_Column]:
    originals = original_columns(result)
    by_key = {str(col).strip().lower(): col for col in originals}
    identity = [
        _Column(header, by_key[key], width=None) for key, header in IDENTITY_HEADERS.items()
        if key in by_key
    ]
    used = {col.source for col in identity}
    others = [
        _Column(OTHER_HEADERS.get(str(col).strip().lower(), str(col)), col)
        for col in originals if col not in used
    ]
    fixed = [c for c in _RESULT_COLUMNS if c.source not in _OPTIONAL or c.source in result.columns]
    if "review_status" in result.columns:
        fixed[1:1] = _REVIEW_COLUMNS  # beside the computed status, never instead of it
    return [_Column("ID Lahan", "plot_id"), *identity, *others, *fixed]


def _values(flat: pd.DataFrame, column: str) -> list[Any]:
    return flat[column].tolist() if column in flat.columns else [None] * len(flat)


_MAP_HEADER = "Peta Detail"


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


def _write_plots(
    ws: Worksheet, result: gpd.GeoDataFrame, links: list[str | None] | None = None
) -> None:
    flat = flatten(result)
    lon, lat = lonlat(result)
    columns = _sheet_columns(result)
    if links is not None:
        after = next(i for i, col in enumerate(columns) if col.source == "reason_id") + 1
        columns.insert(after, _Column(_MAP_HEADER, None, width=36))
    write_row(ws, 1, [col.header for col in columns])
    computed = {"Lintang": lat.tolist(), "Bujur": lon.tolist(),
                _MAP_HEADER: links if links is not None else []}
    values: list[list[Any]] = []
    for col in columns:
        if col.source is None:
            cells = [None if v != v else v for v in computed[col.header]]  # NaN -> blank
        else:
            cells = _values(flat, col.source)
            fallback = _FALLBACK.get(col.source)
            if fallback is not None:  # per cell: Indonesian text first, English if missing
                cells = [a if a is not None else b
                         for a, b in zip(cells, _values(flat, fallback), strict=True)]
            if col.convert is not None:
                cells = [None if v is None else col.convert(v) for v in cells]
        values.append(cells)
    coloured = [(i + 1, _values(flat, col.source)) for i, col in enumerate(columns)
                if col.source in ("status", "review_status")]
    for index in range(len(flat)):
        row = index + 2
        write_row(ws, row, [cells[index] for cells in values], [c.number_format for c in columns])
        for column, statuses in coloured:
            colour = STATUS_FILLS.get(str(statuses[index]))
            if colour:
                status_cell = ws.cell(row=row, column=column)
                status_cell.fill = fill(colour)
                status_cell.font = Font(bold=True)
    last_row = len(flat) + 1
    style_table(
        ws, 1, last_row, widths=[c.width for c in columns], wrap=[c.wrap for c in columns]
    )
    if links is not None:
        link_col = next(i for i, col in enumerate(columns) if col.header == _MAP_HEADER) + 1
        for index, link in enumerate(links):
            if link is not None:
                cell = ws.cell(row=index + 2, column=link_col)
                cell.hyperlink = link
                cell.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=last_row, column=len(columns)).coordinate}"


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
    timestamps are fixed, so the same result gives the same workbook.

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
    wb = Workbook()
    plots = wb.active
    plots.title = "Lahan"
    _write_plots(plots, result, links)
    write_summary(wb.create_sheet("Ringkasan"), result)
    if candidates is not None:
        write_candidates(wb.create_sheet(CANDIDATE_SHEET), candidates, result)
    if diff is not None:
        write_changes(wb.create_sheet(CHANGE_SHEET), diff)
    write_rules(wb.create_sheet("Aturan"), result)
    write_metadata(wb.create_sheet("Metadata"), result)
    wb.properties.title = "Hasil penapisan legalitas lahan"
    wb.properties.creator = "lahan_geo"
    with atomic_path(target) as tmp:
        save_workbook(wb, tmp)
    return target
