"""Low-level openpyxl helpers: safe cells, table styling and a reproducible save.

Every string goes through :func:`set_cell`, which strips characters XML cannot hold and
forces the cell type to string, so a user value such as ``=HYPERLINK("http://x")``
is stored as text and never becomes a formula.

Examples
--------
>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> cell = set_cell(ws.cell(row=1, column=1), '=HYPERLINK("http://x")')
>>> cell.data_type, cell.value
('s', '=HYPERLINK("http://x")')
>>> set_cell(ws.cell(row=2, column=1), "a" + chr(7) + "b").value
'ab'

"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

__all__ = [
    "FIXED_TIMESTAMP",
    "HEADER_FILL",
    "clean_text",
    "fill",
    "save_workbook",
    "set_cell",
    "style_table",
    "write_row",
]

#: Creation/modification time written into every workbook, so that two writes of the
#: same result produce the same file.
FIXED_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MAX_CELL_CHARS = 32767  # Excel's limit per cell
HEADER_FILL = "DDEBF7"
_BOLD = Font(bold=True)


def clean_text(text: str) -> str:
    """Remove characters that XML 1.0 cannot hold and cap the length Excel accepts.

    Examples
    --------
    >>> clean_text("Desa" + chr(0) + " Sungai")
    'Desa Sungai'

    """
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > _MAX_CELL_CHARS:
        text = text[: _MAX_CELL_CHARS - 1] + "…"
    return text


def set_cell(cell: Cell, value: Any, number_format: str | None = None) -> Cell:
    """Assign ``value`` to ``cell``; strings are always stored as text, never formulas.

    Parameters
    ----------
    cell : openpyxl.cell.cell.Cell
        The target cell.
    value : str, int, float, bool or None
        A plain value (see :func:`lahan_geo.outputs._tabular.plain`).
    number_format : str, optional
        Excel number format for numeric values.

    Returns
    -------
    openpyxl.cell.cell.Cell
        The same cell.

    """
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"  # openpyxl turns a leading "=" into a formula otherwise
    else:
        cell.value = value
        if number_format and isinstance(value, int | float) and not isinstance(value, bool):
            cell.number_format = number_format
    return cell


def fill(rgb: str) -> PatternFill:
    """Return a solid fill of colour ``rgb`` (hex, no ``#``)."""
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def write_row(
    ws: Worksheet, row: int, values: Sequence[Any], formats: Sequence[str | None] | None = None
) -> None:
    """Write ``values`` into ``row`` from column A with :func:`set_cell`."""
    for col, value in enumerate(values, start=1):
        fmt = formats[col - 1] if formats is not None and col <= len(formats) else None
        set_cell(ws.cell(row=row, column=col), value, fmt)


def _display_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float) and number_format:
        decimals = number_format.split(".")[1].count("0") if "." in number_format else 0
        return len(f"{value:,.{decimals}f}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def style_table(
    ws: Worksheet,
    header_row: int,
    last_row: int,
    *,
    widths: Sequence[float | None] | None = None,
    wrap: Sequence[bool] | None = None,
    min_width: float = 8,
    max_width: float = 45,
) -> None:
    """Style a table: bold filled header, column widths, wrapped long columns.

    Parameters
    ----------
    ws : openpyxl.worksheet.worksheet.Worksheet
        The sheet.
    header_row, last_row : int
        First (header) and last row of the table.
    widths : sequence of float or None, optional
        Fixed width per column; None measures the content.
    wrap : sequence of bool, optional
        Wrap text (and align top) per column.
    min_width, max_width : float
        Bounds of measured widths.

    """
    ncols = ws.max_column
    header_fill = fill(HEADER_FILL)
    header_align = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for col in range(1, ncols + 1):
        head = ws.cell(row=header_row, column=col)
        if head.value is None:
            continue
        head.font = _BOLD
        head.fill = header_fill
        head.alignment = header_align
        do_wrap = bool(wrap[col - 1]) if wrap is not None and col <= len(wrap) else False
        fixed = widths[col - 1] if widths is not None and col <= len(widths) else None
        measured = len(str(head.value)) + 2
        for row in range(header_row + 1, last_row + 1):
            cell = ws.cell(row=row, column=col)
            cell.alignment = wrapped if do_wrap else top
            if fixed is None:
                measured = max(measured, _display_width(cell.value, cell.number_format) + 2)
        width = fixed if fixed is not None else min(max(measured, min_width), max_width)
        ws.column_dimensions[get_column_letter(col)].width = width


class _FixedTimeZip(ZipFile):
    """A ZipFile that stamps every member with the same date, for reproducible bytes."""

    def writestr(
        self,
        zinfo_or_arcname: str | ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Write ``data`` as a member stamped with the fixed archive time."""
        if isinstance(zinfo_or_arcname, str):
            info = ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: str | Path,
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Add a file from disk, stamped with the fixed archive time."""
        name = arcname if arcname is not None else Path(filename).name
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def save_workbook(wb: Workbook, path: Path) -> None:
    """Save ``wb`` to ``path`` with fixed document and archive timestamps.

    :func:`openpyxl.writer.excel.save_workbook` stamps the current time; this does the
    same work with :data:`FIXED_TIMESTAMP` so the same content gives the same file.
    """
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    archive = _FixedTimeZip(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()
