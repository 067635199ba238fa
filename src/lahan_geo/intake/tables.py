"""Read tabular plot lists (CSV/TSV/TXT, XLSX) as text, remembering each row's number.

Every cell is read as text so nothing is reinterpreted before the coordinate parser
sees it (pandas would turn "-2,5" into a string but "-2.50" into a float and lose the
written precision). ``source_row`` is the row number a spreadsheet user sees.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.columns import guess_columns

__all__ = ["read_delimited", "read_workbook"]

_ENCODINGS = ("utf-8-sig", "cp1252")
_HEADER_SEARCH_ROWS = 30


def read_delimited(
    path: Path, *, encoding: str | None = None, sep: str | None = None
) -> pd.DataFrame:
    """Read a delimited text file; guess the encoding and delimiter when not given."""
    raw = path.read_bytes()
    if not raw.strip():
        msg = f"{path} is empty. Fix: export the plot list again with a header row and data."
        raise InputError(msg)
    if b"\0" in raw[:4096]:
        msg = f"{path} is not a text file (it holds binary data). Fix: save it as CSV (UTF-8)."
        raise InputError(msg)
    text, used = _decode(raw, encoding, path)
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
        except csv.Error:
            sep = "\t" if "\t" in text.splitlines()[0] else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False,
            engine="python",
        )
    except (pd.errors.ParserError, csv.Error) as err:
        msg = f"{path} cannot be read as a table with delimiter {sep!r}: {err}. Fix: pass sep=."
        raise InputError(msg) from None
    frame.attrs["lahan_geo_read"] = {"encoding": used, "delimiter": sep, "header_row": 1}
    frame.index = pd.RangeIndex(len(frame))
    frame["source_row"] = frame.index + 2
    return frame


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    for enc in ((encoding,) if encoding else _ENCODINGS):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
        except LookupError:
            msg = f"Unknown encoding {encoding!r} for {path}. Fix: use e.g. 'utf-8' or 'cp1252'."
            raise InputError(msg) from None
    msg = f"{path} is not valid {encoding}. Fix: pass the file's real encoding, e.g. 'cp1252'."
    raise InputError(msg)


def read_workbook(path: Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a sheet of an XLSX workbook, finding the header row below any title rows."""
    try:
        book = pd.read_excel(path, sheet_name=None if sheet is None else sheet, header=None,
                             dtype=str, engine="openpyxl")
    except ValueError as err:
        msg = f"{path}: {err}. Fix: pass sheet= with one of the workbook's sheet names."
        raise InputError(msg) from None
    except Exception as err:  # zip/xml errors of a file that is not a real workbook
        msg = f"{path} cannot be opened as an Excel workbook ({err}). Fix: save it as .xlsx."
        raise InputError(msg) from None
    if isinstance(book, dict):
        name, grid = _first_sheet_with_plots(book, path)
    else:
        name, grid = sheet, book
    header = _header_row(grid)
    columns = [str(c).strip() if not pd.isna(c) else f"kolom_{i + 1}"
               for i, c in enumerate(grid.iloc[header])]
    frame = grid.iloc[header + 1:].copy()
    frame.columns = _unique(columns)
    frame = frame.fillna("")
    frame["source_row"] = frame.index + 1
    frame.index = pd.RangeIndex(len(frame))
    frame.attrs["lahan_geo_read"] = {"sheet": name, "header_row": header + 1}
    return frame


def _first_sheet_with_plots(book: dict[str, pd.DataFrame], path: Path) -> tuple[str, pd.DataFrame]:
    for name, grid in book.items():
        if not grid.empty and _header_row(grid, strict=True) >= 0:
            return name, grid
    msg = (f"No sheet of {path} has coordinate headers (sheets: {', '.join(book)}). "
           "Fix: pass sheet= and lat_col=/lon_col=.")
    raise InputError(msg)


def _header_row(grid: pd.DataFrame, strict: bool = False) -> int:
    for i in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        roles = guess_columns(str(v) for v in grid.iloc[i] if not pd.isna(v))
        if ("lat" in roles and "lon" in roles) or "coords" in roles:
            return i
    return -1 if strict else 0


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out
