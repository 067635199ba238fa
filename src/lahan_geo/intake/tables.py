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
  listed in ``info["blank_rows"]``; every other row is kept; the rows above the header
  (titles) are kept as text in ``info["title_rows"]`` (a coordinate system written there
  is used, see :mod:`~lahan_geo.intake.table_checks`);
- a formula whose value was never saved (a workbook written by a program that does not
  calculate) keeps its formula text, so the row says so instead of "blank";
- text files: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
  cp1252 and Latin-1; delimiter comma, semicolon, tab or bar, guessed from the lines.
  A UTF-8 file with a few lines in cp1252 (rows pasted in from another file) is read
  line by line: each line in the encoding it is written in, and the rows concerned
  say so in their notes.

Limits, so a broken or crafted file gives a clear error instead of hanging or filling
memory, within the budgets of :mod:`lahan_geo.limits`: a text file of at most
``text_bytes`` and ``rows`` rows, at most ``columns`` columns; a text cell of at most
:data:`MAX_CELL_CHARS` characters (an unclosed quote runs into that); a workbook of at
most ``workbook_bytes`` on disk, ``workbook_unpacked_bytes`` unpacked and
``workbook_cells`` cells, with no DTD in its XML parts and merged ranges (read with an
XML parser) of at most ``merged_cells`` cells. A workbook is read from the cells it
holds, not its bounding box, so a stray value in cell XFD1048576 costs one cell.

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

import bisect
import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import SourceBlock
from lahan_geo.intake.columns import guess_columns, locates_plots
from lahan_geo.io.archives import checked_members
from lahan_geo.limits import current, too_big

__all__ = [
    "HEADER_SEARCH_ROWS",
    "MAX_CELL_CHARS",
    "check_workbook",
    "read_delimited",
    "read_text_file",
    "read_workbook",
]

#: The header row is looked for in this many rows from the top.
HEADER_SEARCH_ROWS = 30

#: Characters one cell of a text file may hold (the csv module's limit).
MAX_CELL_CHARS = csv.field_size_limit()

#: Blank row numbers listed in ``info["blank_rows"]``; ``info["blank_row_count"]`` counts all.
_LISTED_BLANK_ROWS = 1000

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
    # Columns beyond the header that hold nothing are spreadsheet debris, not data: the
    # table is as wide as the header or the last cell that holds something.
    last = 0
    for row in body:
        for k in range(len(row) - 1, last - 1, -1):
            if row[k].strip():
                last = k + 1
                break
    width = max(len(header), last)
    if width > current().columns:
        where = f"{label}" + (f", sheet '{sheet}'" if sheet else "")
        raise InputError(too_big(where, f"has a value in column {width:,}", "columns",
                                 "delete the stray cells right of the table"))
    names = _unique([*header, *[""] * (width - len(header))][:width])
    kept, kept_numbers, blank = [], [], []
    for row, number in zip(body, body_numbers):
        if not any(c.strip() for c in row):
            blank.append(number)
            continue
        kept.append(row[:width] if len(row) >= width else [*row, *[""] * (width - len(row))])
        kept_numbers.append(number)
    frame = pd.DataFrame(kept, columns=names, dtype=object)
    titles = [" ".join(c.strip() for c in row if c.strip())[:200] for row in rows[:index]]
    info = {**info, "title_rows": [t for t in titles if t][:HEADER_SEARCH_ROWS],
            "header_row": numbers[index] if numbers else 1,
            "blank_rows": blank[:_LISTED_BLANK_ROWS], "blank_row_count": len(blank)}
    return SourceBlock(frame, label, np.asarray(kept_numbers, dtype="int64"), sheet=sheet,
                       info=info)


# --------------------------------------------------------------------------------------
# Delimited text
# --------------------------------------------------------------------------------------


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str, list[int]]:
    """Return (text, encoding used, numbers of the lines read in a fallback encoding)."""
    if encoding is None and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    if encoding is None:
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig", []
        except UnicodeDecodeError:
            mixed = _decode_lines(raw)
            if mixed is not None:
                return mixed
    for enc in (encoding,) if encoding else _ENCODINGS:
        try:
            return raw.decode(enc), enc, []
        except UnicodeDecodeError:
            continue
        except LookupError:
            msg = f"Unknown encoding {encoding!r} for {path}. Fix: use e.g. 'utf-8' or 'cp1252'."
            raise InputError(msg) from None
    msg = f"{path} is not valid {encoding}. Fix: pass the file's real encoding, e.g. 'cp1252'."
    raise InputError(msg)


def _decode_lines(raw: bytes) -> tuple[str, str, list[int]] | None:
    """Decode a file that is UTF-8 except for some lines, line by line.

    Returns None when no line holds UTF-8 beyond ASCII: the file is in one single-byte
    encoding, read as a whole by the caller.
    """
    parts, fallback, utf8_lines = [], [], 0
    for number, line in enumerate(raw.removeprefix(codecs.BOM_UTF8).split(b"\n"), start=1):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8_lines += 1
        except UnicodeDecodeError:
            try:
                parts.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                parts.append(line.decode("latin-1"))
            fallback.append(number)
    if not utf8_lines:
        return None
    return "\n".join(parts), "utf-8 (some lines cp1252)", fallback


def _guess_delimiter(text: str, wanted: Collection[str] = ()) -> str:
    """Pick the delimiter that splits the lines best.

    Best: a header naming coordinate columns is found, and the most lines have the same
    number of cells. Cells are split as the csv module splits them, so a delimiter
    inside a quoted cell (the commas of a WKT polygon, a bar in a plot id) does not
    count.
    """
    sample = "\n".join(text[:1_000_000].splitlines()[:200])
    best, best_score = ",", (False, 0)
    for sep in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
                    if any(c.strip() for c in r)]
        except csv.Error:  # a huge cell or a quote cut at the sample's end
            rows = [[c] for c in sample.splitlines() if c.strip()]
            rows = [r[0].split(sep) for r in rows]
        counts = [len(r) - 1 for r in rows]
        if not any(counts):
            continue
        common = max(set(counts), key=counts.count)
        header = _find_header([r[:256] for r in rows], wanted) is not None
        score = (header, counts.count(common) if common else 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_text_file(path: Path, label: str | None = None) -> bytes:
    """Return the bytes of a text file read whole, within the budget ``text_bytes``."""
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > current().text_bytes:
            raise InputError(too_big(label, f"is {size / 1e6:,.0f} MB", "text_bytes",
                                     "split the list into several files"))
        return path.read_bytes()
    except OSError as err:
        msg = f"Cannot read {label} ({err.strerror}). Fix: check the path and permissions."
        raise InputError(msg) from None


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
    limits = current()
    raw = read_text_file(path)
    if not raw.strip():
        msg = f"{path} is empty. Fix: export the plot list again with a header row and data."
        raise InputError(msg)
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\0" in raw[:4096] and not utf16 and encoding is None:
        msg = f"{path} is not a text file (it holds binary data). Fix: save it as CSV (UTF-8)."
        raise InputError(msg)
    text, used, fallback = _decode(raw, encoding, path)
    sep = sep if sep is not None else _guess_delimiter(text, wanted)
    if len(sep) != 1:
        msg = f"sep={sep!r} must be one character, e.g. ',' or ';'."
        raise InputError(msg)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 0
    try:
        for record in reader:
            if len(record) > limits.columns:
                raise InputError(too_big(f"{path}, line {line + 1}:", f"{len(record):,} cells",
                                         "columns", "check the delimiter (pass sep=) and "
                                         "export only the plot columns"))
            if len(rows) >= limits.rows:
                raise InputError(too_big(str(path), f"has more than {limits.rows:,} rows",
                                         "rows", "split the plot list"))
            rows.append(record)
            numbers.append(line + 1)
            line = reader.line_num
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            reach = f" (up to line {reader.line_num})" if reader.line_num > line + 1 else ""
            msg = (f"{path}, line {line + 1}: a cell runs past {MAX_CELL_CHARS:,} characters"
                   f"{reach}, far more than any plot list cell holds. "
                   "Usually a quote (\") opens the cell and is never closed, so the lines "
                   "after it run into one cell. Fix: close or remove that quote, or shorten "
                   "the cell.")
        else:
            msg = (f"{path}, line {reader.line_num}: cannot be read with delimiter {sep!r} "
                   f"({err}). Fix: pass sep= with the file's delimiter.")
        raise InputError(msg) from None
    info: dict[str, Any] = {"encoding": used, "delimiter": sep}
    if fallback:
        info["cp1252_lines"] = fallback[:_LISTED_BLANK_ROWS]
    block = _rows_block(rows, numbers, str(path), None, info, wanted, require_header=False)
    assert block is not None
    position = {int(n): i for i, n in enumerate(block.source_rows)}
    for line_number in fallback:
        # The record holding that line: the last one starting at or before it.
        k = bisect.bisect_right(numbers, line_number) - 1
        i = position.get(numbers[k]) if k >= 0 else None
        if i is not None:
            block.notes[i].append(f"line {line_number} is not UTF-8 like the rest of the "
                                  "file; read it as cp1252 (Windows)")
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


def _sheet_rows(sheet: Any, formulas: Any = None) -> tuple[list[list[str]], list[int]]:
    """Cells as text, with merged ranges filled by their top-left value.

    ``formulas`` is the same sheet opened with its formulas: a formula cell whose value was
    never saved (a workbook written by a program that does not calculate) holds no value;
    its formula text is kept instead (``"=B2/1000"``), so the row says what is wrong
    rather than that the cell is blank.

    Built from the cells the sheet holds (openpyxl's ``_cells``), not from its bounding
    box: rows without any cell share one empty list, and a row is as long as its last
    cell, so a stray value far right or far down costs one cell, not millions.
    """
    present: dict[int, dict[int, str]] = {}
    cells = getattr(sheet, "_cells", None)  # {(row, column): cell}, openpyxl 2.x-3.x
    if cells is None:  # pragma: no cover - a future openpyxl: walk the bounding box
        cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    for (r, c), cell in cells.items():
        row = present.setdefault(r, {})
        if cell.value is not None:
            row[c] = _cell_text(cell.value)
        elif formulas is not None:
            formula = formulas._cells.get((r, c)) if hasattr(formulas, "_cells") else None
            text = getattr(formula, "value", None)
            if isinstance(text, str) and text.startswith("="):
                row[c] = text
    for merged in sheet.merged_cells.ranges:
        value = present.get(merged.min_row, {}).get(merged.min_col, "")
        for r in range(merged.min_row, merged.max_row + 1):
            row = present.setdefault(r, {})
            for c in range(merged.min_col, merged.max_col + 1):
                row[c] = value
    height = max(present, default=0)
    empty: list[str] = []  # shared by every row without cells; never modified
    grid = [empty] * height
    for r, cells in present.items():
        if cells:
            row_cells = [""] * max(cells)
            for c, value in cells.items():
                row_cells[c - 1] = value
            grid[r - 1] = row_cells
    return grid, list(range(1, height + 1))


_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>]")
_RANGE_RE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?")
_CHUNK = 1 << 20


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def range_cells(ref: str) -> int | None:
    """Return the cells a merged range such as ``A1:C2`` covers, None when unreadable.

    Examples
    --------
    >>> range_cells("A1:C2"), range_cells(" $d$1:XFD1048576 "), range_cells("A:A")
    (6, 17176723456, None)
    """
    match = _RANGE_RE.fullmatch(ref.strip().upper())
    if match is None:
        return None
    first_col, first_row = _column_number(match[1]), int(match[2])
    last_col = _column_number(match[3]) if match[3] else first_col
    last_row = int(match[4]) if match[4] else first_row
    return (abs(last_row - first_row) + 1) * (abs(last_col - first_col) + 1)


def _merged_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str,
                  total: int) -> int:
    """Add a part's merged ranges to ``total``, read by an XML parser (any quoting, spacing)."""
    from xml.parsers import expat

    limit = current().merged_cells

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal total
        if name.rpartition(":")[2] != "mergeCell":
            return
        ref = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "ref"), "")
        cells = range_cells(ref)
        if cells is None:
            msg = (f"{label}: part {info.filename!r} merges the range {ref[:40]!r}, which is "
                   "not a cell range. Fix: unmerge the cells (select all, Merge & Center "
                   "off) and save again.")
            raise InputError(msg)
        total += cells
        if total > limit:
            raise InputError(too_big(f"{label}: the merged cells of {info.filename!r}",
                                     f"cover {total:,} cells", "merged_cells",
                                     "unmerge the cells (select all, Merge & Center off) and "
                                     "save again"))

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = lambda *_: None  # refused by the scan before this
    with archive.open(info) as part:
        try:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as err:
            msg = (f"{label}: part {info.filename!r} is not well-formed XML (line "
                   f"{err.lineno}). Fix: open the workbook in a spreadsheet program and save "
                   "it again as .xlsx.")
            raise InputError(msg) from None
    return total


def check_workbook(path: Path, label: str | None = None) -> bool:
    """Refuse a workbook that would hang openpyxl or fill memory, before openpyxl opens it.

    An .xlsx is a zip of XML parts: the file is held to the budget
    :attr:`~lahan_geo.limits.Limits.workbook_bytes`, the archive is checked like any
    other (entries, declared size), its unpacked size is counted while every part is
    streamed once (``workbook_unpacked_bytes``), a DTD anywhere is refused (Excel never
    writes one; entities are how XML bombs work), the cells are counted
    (``workbook_cells``) and the merged ranges, read with an XML parser, are added up
    (``merged_cells``: openpyxl creates one object per merged cell, so
    ``D1:XFD1048576`` alone would be seventeen billion).

    Returns True when a sheet holds formulas (whose saved values are then checked).
    """
    label = label or str(path)
    limits = current()
    size = path.stat().st_size
    if size > limits.workbook_bytes:
        raise InputError(too_big(label, f"is {size / 1e6:,.1f} MB", "workbook_bytes",
                                 "save the plot list as CSV or split it into several "
                                 "workbooks"))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        msg = (f"{label} cannot be opened as an Excel workbook ({type(err).__name__}: {err}). "
               "Fix: open it in a spreadsheet program and save it as .xlsx.")
        raise InputError(msg) from None
    with archive:
        members = checked_members(archive, label)
        declared = sum(m.file_size for m in members)
        if declared > limits.workbook_unpacked_bytes:
            raise _workbook_too_large(label, declared)
        unpacked = cells = 0
        merging = []
        formulas = False
        for info in members:
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            tail = b""
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limits.workbook_unpacked_bytes:
                            raise _workbook_too_large(label, unpacked)
                        if not is_xml:
                            continue
                        window = tail + chunk
                        if _DTD_RE.search(window):
                            msg = (f"{label}: part {info.filename!r} declares a DTD or "
                                   "entities, which Excel never writes; the workbook is "
                                   "refused for safety. Fix: open it in a spreadsheet program "
                                   "and save it again as .xlsx.")
                            raise InputError(msg)
                        cells += len(_CELL_RE.findall(chunk))
                        formulas = formulas or _FORMULA_RE.search(window) is not None
                        if b"mergeCell" in window and info not in merging:
                            merging.append(info)
                        tail = window[-16:]
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError,
                    EOFError) as err:
                msg = (f"{label} cannot be opened as an Excel workbook (part "
                       f"{info.filename!r}: {err}). Fix: open it in a spreadsheet program and "
                       "save it as .xlsx.")
                raise InputError(msg) from None
            if cells > limits.workbook_cells:
                raise InputError(too_big(label, f"holds {cells:,} cells or more",
                                         "workbook_cells", "save the plot list as CSV or "
                                         "delete the sheets and columns that hold no plots"))
        merged = 0
        for info in merging:
            merged = _merged_cells(archive, info, label, merged)
    return formulas


def _workbook_too_large(label: str, size: int) -> InputError:
    return InputError(too_big(label, f"unpacks to {size / 1e6:,.0f} MB or more",
                              "workbook_unpacked_bytes", "save the plot list as CSV (read at "
                              "any length) or split it into several workbooks"))


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
        The sheet(s) to read, by name or 0-based number. Default: every visible sheet
        whose first rows hold a coordinate header (sheets without one, such as
        instructions, are listed in each block's ``info["skipped_sheets"]``; hidden sheets
        with one, usually old data, in ``info["skipped_hidden_sheets"]``). A named sheet
        is read even when hidden (``info["hidden_sheet_read"]``).
    wanted : collection of str
        Column names the caller asked for; a row holding them all is the header.
    """
    import openpyxl  # a heavy import, only for workbooks

    has_formulas = check_workbook(path)
    book = _open_workbook(openpyxl, path, data_only=True)
    names = list(book.sheetnames)
    if sheet is None:
        chosen, explicit = names, False
    else:
        wanted_sheets = [sheet] if isinstance(sheet, (str, int)) else list(sheet)
        chosen, explicit = [_sheet_name(s, names, path) for s in wanted_sheets], True
    hidden = [n for n in names if book[n].sheet_state != "visible"]
    formulas = _open_workbook(openpyxl, path, data_only=False) if has_formulas else None
    blocks: list[SourceBlock] = []
    skipped: list[str] = []
    skipped_hidden: list[str] = []
    for name in chosen:
        if name in hidden and not explicit:
            if _rows_block(*_sheet_rows(book[name]), str(path), name, {}, wanted,
                           require_header=True) is not None:
                skipped_hidden.append(name)
            else:
                skipped.append(name)
            continue
        rows, numbers = _sheet_rows(book[name], formulas[name] if formulas else None)
        info: dict[str, Any] = {"sheet": name}
        if name in hidden:
            info["hidden_sheet_read"] = True
        block = _rows_block(rows, numbers, str(path), name, info, wanted,
                            require_header=not explicit)
        if block is None:
            skipped.append(name)
        else:
            blocks.append(block)
    if not blocks:
        if skipped_hidden:
            listing = ", ".join(repr(n) for n in skipped_hidden)
            msg = (f"{path}: the only sheets with coordinate headers are hidden ({listing}); "
                   "hidden sheets are not read unless named. Fix: unhide the sheet, or pass "
                   f"sheet={skipped_hidden[0]!r}.")
            raise InputError(msg)
        msg = (f"No sheet of {path} has coordinate headers in its first {HEADER_SEARCH_ROWS} "
               f"rows (sheets: {', '.join(names)}). Fix: name the columns lintang/bujur (or "
               "easting/northing, koordinat, WKT), or pass sheet= and lat_col=/lon_col=.")
        raise InputError(msg)
    for block in blocks:
        block.info["skipped_sheets"] = skipped
        if skipped_hidden:
            block.info["skipped_hidden_sheets"] = skipped_hidden
    return blocks


def _open_workbook(openpyxl: Any, path: Path, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(path, data_only=data_only)
    except Exception as err:  # zip/xml errors of a file that is not a real workbook
        msg = (f"{path} cannot be opened as an Excel workbook ({type(err).__name__}: {err}). "
               "Fix: open it in a spreadsheet program and save it as .xlsx.")
        raise InputError(msg) from None


def _sheet_name(sheet: str | int, names: list[str], path: Path) -> str:
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif str(sheet) in names:
        return str(sheet)
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    msg = f"{path} has no sheet {sheet!r}. Fix: pass sheet= with one of {listing}."
    raise InputError(msg)
