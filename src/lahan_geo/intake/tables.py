r"""Read tabular plot lists (CSV/TSV/TXT, XLSX) as text, remembering each row's number.

Every cell is read as text so nothing is reinterpreted before the coordinate parser
sees it (a spreadsheet program would turn "-2,5" into a date or "-2.50" into -2.5 and
lose the written precision). ``source_row`` is the row number a spreadsheet user sees.

Forms as field teams fill them are handled:

- title rows, notes and blank rows above the header: the header is the first row (of
  the first :data:`HEADER_SEARCH_ROWS`) whose cells name coordinate columns; a
  two-row header ("Koordinat" merged over "Lintang | Bujur") is joined;
- merged cells: every cell of a merged range holds the range's value;
- rows that are blank in every cell are not plots: they are skipped and their numbers
  listed in ``info["blank_rows"]``; every other row is kept;
- text files: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
  cp1252 and Latin-1; delimiter comma, semicolon, tab or bar, guessed from the lines.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "plots.csv"
>>> _ = path.write_text("Daftar lahan KDMP\n\nid;lintang;bujur\nA;-2,51;112,3\n", "cp1252")
>>> block = read_delimited(path)
>>> block.frame.values.tolist(), block.source_rows.tolist(), block.info["delimiter"]
([['A', '-2,51', '112,3']], [4], ';')
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import SourceBlock
from lahan_geo.intake.columns import guess_columns, locates_plots

__all__ = ["HEADER_SEARCH_ROWS", "read_delimited", "read_workbook"]

#: The header row is looked for in this many rows from the top.
HEADER_SEARCH_ROWS = 30

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_DELIMITERS = ("\t", ";", "|", ",")  # preference when several fit


# --------------------------------------------------------------------------------------
# Header and rows
# --------------------------------------------------------------------------------------


def _is_header(cells: Sequence[str], wanted: Collection[str]) -> bool:
    present = {c.strip() for c in cells if c.strip()}
    if wanted and set(wanted) <= present:
        return True
    return locates_plots(guess_columns(present))


def _find_header(rows: list[list[str]], wanted: Collection[str]) -> tuple[int, list[str]] | None:
    """Return (index of the header row, the header names) or None when none is found."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not _is_header(row, wanted):
            continue
        below = rows[i + 1] if i + 1 < len(rows) else []
        roles = guess_columns(c for c in row if c.strip())
        roles_below = guess_columns(c for c in below if c.strip())
        detailed = lambda r: ("lat" in r and "lon" in r) or ("easting" in r and "northing" in r)  # noqa: E731
        if not detailed(roles) and detailed(roles_below):
            return i + 1, _join_header(row, below)
        above = rows[i - 1] if i > 0 else []
        # A group row above ("No | Desa | Koordinat"), not a title merged across the table.
        if any(not c.strip() for c in row) and len({c.strip() for c in above if c.strip()}) > 1:
            return i, _join_header(above, row)
        return i, list(row)
    return None


def _join_header(upper: list[str], lower: list[str]) -> list[str]:
    """Two header rows: the lower row's name, or the upper one's where the lower is blank."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    return [lo if lo.strip() else up for up, lo in zip(upper, lower)]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"kolom_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _rows_block(rows: list[list[str]], numbers: list[int], label: str, sheet: str | None,
                info: dict[str, Any], wanted: Collection[str], require_header: bool
                ) -> SourceBlock | None:
    found = _find_header(rows, wanted)
    if found is None:
        if require_header:
            return None
        found = (0, rows[0] if rows else [])
    index, header = found
    body = rows[index + 1:]
    body_numbers = numbers[index + 1:]
    width = max([len(header), *(len(r) for r in body)]) if body or header else 0
    # Columns beyond the header that hold nothing are spreadsheet debris, not data.
    while width > len(header) and all(len(r) < width or not r[width - 1].strip() for r in body):
        width -= 1
    names = _unique([*header, *[""] * (width - len(header))][:width])
    kept, kept_numbers, blank = [], [], []
    for row, number in zip(body, body_numbers):
        cells = [*row, *[""] * (width - len(row))][:width]
        if any(c.strip() for c in cells):
            kept.append(cells)
            kept_numbers.append(number)
        else:
            blank.append(number)
    frame = pd.DataFrame(kept, columns=names, dtype=object)
    info = {**info, "header_row": numbers[index] if numbers else 1, "blank_rows": blank}
    return SourceBlock(frame, label, np.asarray(kept_numbers, dtype="int64"), sheet=sheet,
                       info=info)


# --------------------------------------------------------------------------------------
# Delimited text
# --------------------------------------------------------------------------------------


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding is None and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    for enc in (encoding,) if encoding else _ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
        except LookupError:
            msg = f"Unknown encoding {encoding!r} for {path}. Fix: use e.g. 'utf-8' or 'cp1252'."
            raise InputError(msg) from None
    msg = f"{path} is not valid {encoding}. Fix: pass the file's real encoding, e.g. 'cp1252'."
    raise InputError(msg)


def _guess_delimiter(text: str) -> str:
    """Pick the delimiter found the same number of times (at least once) on most lines."""
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    best, best_score = ",", 0
    for sep in _DELIMITERS:
        counts = [ln.count(sep) for ln in lines]
        if not any(counts):
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) if common else 0
        if score > best_score:
            best, best_score = sep, score
    return best


def read_delimited(
    path: Path, *, encoding: str | None = None, sep: str | None = None,
    wanted: Collection[str] = (),
) -> SourceBlock:
    """Read a delimited text file; guess the encoding and delimiter when not given.

    Parameters
    ----------
    path : Path
        The file.
    encoding, sep : str, optional
        Encoding and delimiter (default: guessed, see the module notes).
    wanted : collection of str
        Column names the caller asked for; a row holding them all is the header.
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        msg = f"Cannot read {path} ({err.strerror}). Fix: check the path and permissions."
        raise InputError(msg) from None
    if not raw.strip():
        msg = f"{path} is empty. Fix: export the plot list again with a header row and data."
        raise InputError(msg)
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\0" in raw[:4096] and not utf16 and encoding is None:
        msg = f"{path} is not a text file (it holds binary data). Fix: save it as CSV (UTF-8)."
        raise InputError(msg)
    text, used = _decode(raw, encoding, path)
    sep = sep if sep is not None else _guess_delimiter(text)
    if len(sep) != 1:
        msg = f"sep={sep!r} must be one character, e.g. ',' or ';'."
        raise InputError(msg)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 0
    try:
        for record in reader:
            rows.append(record)
            numbers.append(line + 1)
            line = reader.line_num
    except csv.Error as err:
        msg = (f"{path}, line {reader.line_num}: cannot be read with delimiter {sep!r} ({err}). "
               "Fix: pass sep= with the file's delimiter.")
        raise InputError(msg) from None
    info = {"encoding": used, "delimiter": sep}
    block = _rows_block(rows, numbers, str(path), None, info, wanted, require_header=False)
    assert block is not None
    return block


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            return ""
        return np.format_float_positional(value, trim="-")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _sheet_rows(sheet: Any) -> tuple[list[list[str]], list[int]]:
    """Cells as text, with merged ranges filled by their top-left value."""
    grid = [[_cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    first = 1  # iter_rows starts at row 1 whatever the sheet's used range
    for merged in sheet.merged_cells.ranges:
        top = merged.min_row - first
        if top < 0 or top >= len(grid):
            continue
        value = grid[top][merged.min_col - 1] if merged.min_col - 1 < len(grid[top]) else ""
        for r in range(top, min(merged.max_row - first + 1, len(grid))):
            row = grid[r]
            if len(row) < merged.max_col:
                row.extend([""] * (merged.max_col - len(row)))
            for c in range(merged.min_col - 1, merged.max_col):
                row[c] = value
    return grid, list(range(first, first + len(grid)))


def read_workbook(
    path: Path, *, sheet: str | int | Sequence[str | int] | None = None,
    wanted: Collection[str] = (),
) -> list[SourceBlock]:
    """Read the plot sheets of an XLSX workbook, one block per sheet.

    Parameters
    ----------
    path : Path
        The workbook (.xlsx or .xlsm).
    sheet : str, int or list of them, optional
        The sheet(s) to read, by name or 0-based number. Default: every sheet whose
        first rows hold a coordinate header (sheets without one, such as instructions,
        are listed in each block's ``info["skipped_sheets"]``).
    wanted : collection of str
        Column names the caller asked for; a row holding them all is the header.
    """
    import openpyxl  # a heavy import, only for workbooks

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as err:  # zip/xml errors of a file that is not a real workbook
        msg = (f"{path} cannot be opened as an Excel workbook ({type(err).__name__}: {err}). "
               "Fix: open it in a spreadsheet program and save it as .xlsx.")
        raise InputError(msg) from None
    names = list(book.sheetnames)
    if sheet is None:
        chosen, explicit = names, False
    else:
        wanted_sheets = [sheet] if isinstance(sheet, (str, int)) else list(sheet)
        chosen, explicit = [_sheet_name(s, names, path) for s in wanted_sheets], True
    blocks: list[SourceBlock] = []
    skipped: list[str] = []
    for name in chosen:
        rows, numbers = _sheet_rows(book[name])
        block = _rows_block(rows, numbers, str(path), name, {"sheet": name}, wanted,
                            require_header=not explicit)
        if block is None:
            skipped.append(name)
        else:
            blocks.append(block)
    if not blocks:
        msg = (f"No sheet of {path} has coordinate headers in its first {HEADER_SEARCH_ROWS} "
               f"rows (sheets: {', '.join(names)}). Fix: name the columns lintang/bujur (or "
               "easting/northing, koordinat, WKT), or pass sheet= and lat_col=/lon_col=.")
        raise InputError(msg)
    for block in blocks:
        block.info["skipped_sheets"] = skipped
    return blocks


def _sheet_name(sheet: str | int, names: list[str], path: Path) -> str:
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif str(sheet) in names:
        return str(sheet)
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    msg = f"{path} has no sheet {sheet!r}. Fix: pass sheet= with one of {listing}."
    raise InputError(msg)
