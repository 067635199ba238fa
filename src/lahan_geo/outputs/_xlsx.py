"""Low-level workbook helpers over XlsxWriter: safe cells, print setup, reproducible bytes.

The workbook is streamed (XlsxWriter's ``constant_memory`` mode): rows go to disk as they
are written, so 100,000 plots need neither the time nor the memory of a cell-object
model. Every string goes through :func:`write_values`, which strips characters XML cannot
hold and always writes a *string* cell, so a user value such as ``=HYPERLINK("http://x")``
is stored as text and never becomes a formula (XlsxWriter's own guessing of formulas,
URLs and numbers is switched off as well).

Examples
--------
>>> clean_text("a" + chr(7) + "b")
'ab'
>>> text_lines("satu dua tiga empat", 10)
2
>>> number_format(1)
'[$-421]#,##0.0'

"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from lahan_geo.outputs._labels import STATUS_FILLS

__all__ = [
    "FIXED_TIMESTAMP",
    "HEADER_FILL",
    "LINE_HEIGHT",
    "BigTable",
    "Styles",
    "clean_text",
    "column_width",
    "new_workbook",
    "number_format",
    "print_setup",
    "row_heights",
    "splice_rows",
    "text_lines",
    "write_header",
    "write_values",
]

#: Creation/modification time written into every workbook, so that two writes of the
#: same result produce the same file (XlsxWriter stamps the zip members with 1980-01-01).
FIXED_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
_MAX_CELL_CHARS = 32767  # Excel's limit per cell
#: XML 1.0 forbids these control characters (tab, newline and carriage return are fine).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
HEADER_FILL = "#DDEBF7"
#: Points per line of 11-pt Calibri text, what Excel and LibreOffice use by default.
LINE_HEIGHT = 15.0
_MAX_ROW_HEIGHT = 409.0  # Excel's limit
_CHARS_PER_WIDTH = 1.1  # letters of 11-pt text per unit of column width (a bit cautious)
#: Indonesian locale (LCID 0x421): LibreOffice shows 1.522,5; the value stays a number.
_LOCALE = "[$-421]"


def clean_text(text: str) -> str:
    """Remove characters that XML 1.0 cannot hold and cap the length Excel accepts.

    Examples
    --------
    >>> clean_text("Desa" + chr(0) + " Sungai")
    'Desa Sungai'

    """
    text = _ILLEGAL.sub("", text)
    if len(text) > _MAX_CELL_CHARS:
        text = text[: _MAX_CELL_CHARS - 1] + "…"
    return text


def number_format(decimals: int, grouped: bool = True) -> str:
    """Return the one Indonesian number format of the workbook with ``decimals`` decimals.

    Examples
    --------
    >>> number_format(0), number_format(6, grouped=False)
    ('[$-421]#,##0', '[$-421]0.000000')

    """
    body = "#,##0" if grouped else "0"
    return _LOCALE + body + ("." + "0" * decimals if decimals else "")


def new_workbook(path: Path, title: str) -> Any:
    """Return a streaming :class:`xlsxwriter.Workbook` writing ``path``, reproducibly.

    Strings are never turned into formulas, links or numbers, and the document's
    creation time is :data:`FIXED_TIMESTAMP`.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
    })
    wb.set_properties({"title": title, "author": "lahan_geo", "created": FIXED_TIMESTAMP})
    wb.set_calc_mode("auto")
    return wb


class Styles:
    """Cache of XlsxWriter formats, one per distinct set of properties.

    Examples
    --------
    >>> class Book:
    ...     def add_format(self, props): return dict(props)
    >>> styles = Styles(Book())
    >>> styles.get(bold=True) is styles.get(bold=True)
    True

    """

    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **props: Any) -> Any:
        """Return the format with ``props`` (XlsxWriter property names), made once."""
        props = {k: v for k, v in props.items() if v not in (None, False)}
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._wb.add_format({"valign": "top", "font_size": 11, **props})
        return self._cache[key]

    def status(self, code: Any) -> Any:
        """Return the bold format filled with the colour of status ``code`` (or plain)."""
        colour = STATUS_FILLS.get(str(code))
        return self.get(text_wrap=True, bold=True, bg_color="#" + colour if colour else None)

    def header(self) -> Any:
        """Return the bold, filled, wrapped header format."""
        return self.get(bold=True, bg_color=HEADER_FILL, text_wrap=True, border=1)


def write_values(ws: Any, row: int, values: Sequence[Any], formats: Sequence[Any]) -> None:
    """Write one row from column A: text as string cells, numbers as numbers.

    ``row`` is zero-based. None (and NaN or infinity) leaves the cell blank, formatted.
    """
    for col, value in enumerate(values):
        fmt = formats[col]
        if value is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, clean_text(value), fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            if math.isfinite(value):
                ws.write_number(row, col, value, fmt)
            elif fmt is not None:
                ws.write_blank(row, col, None, fmt)
        else:
            ws.write_string(row, col, clean_text(str(value)), fmt)


def write_header(ws: Any, row: int, headers: Sequence[str], styles: Styles,
                 widths: Sequence[float]) -> None:
    """Write a header row, tall enough for its wrapped labels."""
    lines = max((text_lines(h, w) for h, w in zip(headers, widths, strict=True)), default=1)
    ws.set_row(row, LINE_HEIGHT * lines + 2)
    write_values(ws, row, headers, [styles.header()] * len(headers))


def text_lines(text: Any, width: float) -> int:
    r"""Return how many lines ``text`` takes wrapped in a column ``width`` characters wide.

    A column ``width`` wide holds about ``1.1 * width`` characters of ordinary text (the
    width unit is the digit "0", wider than most letters); a word is never broken unless
    it is longer than the line.

    Examples
    --------
    >>> text_lines(None, 10), text_lines("pendek", 10), text_lines("a\nb", 40)
    (1, 1, 2)

    """
    if text is None:
        return 1
    room = max(int(width * _CHARS_PER_WIDTH) - 1, 1)
    total = 0
    for paragraph in str(text).split("\n"):
        if len(paragraph) <= room:
            total += 1
            continue
        lines, used = 1, 0
        for word in paragraph.split(" "):
            need = len(word) if not used else used + 1 + len(word)
            if need <= room:
                used = need
                continue
            lines += 1 if used else 0
            extra = (len(word) - 1) // room  # a word longer than the column breaks
            lines += extra
            used = len(word) - extra * room
        total += lines
    return total


def row_heights(columns: Sequence[Sequence[Any]], widths: Sequence[float]) -> list[float | None]:
    """Return per row the height (points) its wrapped cells need; None for one line.

    Parameters
    ----------
    columns : sequence of sequences
        The values of each wrapped column, all the same length.
    widths : sequence of float
        The width (characters) of each of those columns.

    Examples
    --------
    >>> row_heights([["kata " * 10, "x"]], [20])
    [45.0, None]

    """
    rows = len(columns[0]) if columns else 0
    lines = [1] * rows
    for values, width in zip(columns, widths, strict=True):
        known: dict[Any, int] = {}  # a column's texts repeat (reasons, offices): count once
        for index, value in enumerate(values):
            if value is not None:
                n = known.get(value)
                if n is None:
                    n = known[value] = text_lines(value, width)
                if n > lines[index]:
                    lines[index] = n
    return [min(LINE_HEIGHT * n, _MAX_ROW_HEIGHT) if n > 1 else None for n in lines]


def column_width(header: str, values: Sequence[Any], *, minimum: float = 8,
                 maximum: float = 45, sample: int = 2000) -> float:
    """Return a width that fits the header's longest word and the (first) values.

    Examples
    --------
    >>> column_width("Desa", ["Kuala Pembuang I", None])
    18

    """
    longest = max((len(word) for word in header.split()), default=0) + 2
    for value in values[:sample]:
        if value is not None:
            text = f"{value:,.1f}" if isinstance(value, float) else str(value)
            longest = max(longest, len(text) + 2)
    return min(max(longest, minimum), maximum)


def print_setup(ws: Any, *, header_row: int | None, rules_version: str | None,
                last_col: int | None = None, last_row: int | None = None) -> None:
    """Landscape A4, fit to the page width, header row repeated, footer with page x of y.

    The footer reads ``Halaman &P dari &N`` (page x of y), the print date and the rules
    version. ``last_col``/``last_row`` (zero-based) limit the print area to the columns
    a reader needs on paper.
    """
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    version = clean_text(str(rules_version)).replace("&", "&&") if rules_version else "-"
    ws.set_footer(f"&L&8Dicetak &D&C&8Halaman &P dari &N&R&8Versi aturan {version}")
    if last_col is not None and last_row is not None:
        ws.print_area(0, 0, last_row, last_col)


@dataclass
class BigTable:
    """The body of a large sheet, spliced into the saved workbook by :func:`splice_rows`.

    XlsxWriter writes every cell through several Python calls; for 100,000 plots that
    is most of the time. The big sheet's header, columns, panes, filter and print setup
    are written by XlsxWriter; its body rows are written here as SpreadsheetML (inline
    strings, numbers as numbers), the same cells XlsxWriter would write.

    Attributes
    ----------
    sheet : int
        1-based position of the sheet in the workbook.
    columns : list of lists
        The values per column (text, numbers, None), all the same length.
    formats : list
        The XlsxWriter format of each column (also set as the column's format).
    special : dict
        ``{column: (keys, {key: format})}``: a per-row format (a status colour).
    heights : list of float or None
        Row height (points) per row; None keeps the default.
    links : dict
        ``{column: [target or None, ...]}``: cells that link to a file.
    """

    sheet: int
    columns: list[list[Any]]
    formats: list[Any]
    special: dict[int, tuple[list[Any], dict[Any, Any]]] = field(default_factory=dict)
    heights: list[float | None] = field(default_factory=list)
    links: dict[int, list[str | None]] = field(default_factory=dict)


_OOXML_ESCAPE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_LINK_TYPE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "hyperlink")


def _xf(fmt: Any) -> int:
    index = getattr(fmt, "xf_index", None)
    return int(index) if index is not None else 0


def _cell(ref: str, style: int, value: Any) -> str:
    """Return one ``<c>`` element; empty for a missing value.

    Examples
    --------
    >>> _cell("A2", 3, "=1+1"), _cell("B2", 0, 1.5), _cell("C2", 0, None)
    ('<c r="A2" s="3" t="inlineStr"><is><t>=1+1</t></is></c>', '<c r="B2" s="0"><v>1.5</v></c>', '')

    """
    kind = type(value)
    if kind is str:  # always a string cell: a leading "=" is text, never a formula
        text = _repeated_text(value) if len(value) <= _CACHED_CHARS else _inline_text(value)
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{text}</is></c>'
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if kind is int:
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if kind is float:
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>' if math.isfinite(value) else ""
    if isinstance(value, int | float):  # numpy scalars, subclasses
        return _cell(ref, style, float(value) if isinstance(value, float) else int(value))
    return _cell(ref, style, str(value))


def _inline_text(value: str) -> str:
    """Return the ``<t>`` element of a text cell: cleaned, escaped, spaces kept."""
    text = clean_text(value).translate(_ESCAPES)
    if "_x" in text:  # "_x0041_" would read as "A": escape the underscore
        text = _OOXML_ESCAPE.sub(r"_x005F\1", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<t{space}>{text}</t>"


#: Texts up to this long go through a small cache: a sheet's statuses, reasons and
#: offices repeat on every row (at most 2,048 of them are kept: a few MB).
_CACHED_CHARS = 2000
_repeated_text = lru_cache(maxsize=2048)(_inline_text)


def _rows_xml(table: BigTable) -> Iterator[str]:
    """Yield the body rows (from row 2) as SpreadsheetML, a chunk at a time."""
    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(c) for c in range(len(table.columns))]
    styles = [_xf(f) for f in table.formats]
    special = {c: (keys, {k: f.xf_index for k, f in by_key.items()
                          if getattr(f, "xf_index", None) is not None})
               for c, (keys, by_key) in table.special.items()}
    n = len(table.columns[0]) if table.columns else 0
    heights = table.heights or [None] * n
    chunk: list[str] = []
    for index, values in enumerate(zip(*table.columns, strict=True)):
        row = index + 2
        height = heights[index]
        head = (f'<row r="{row}" ht="{height:g}" customHeight="1">' if height
                else f'<row r="{row}">')
        cells = [head]
        for col, value in enumerate(values):
            style = styles[col]
            if col in special:
                keys, by_key = special[col]
                style = by_key.get(keys[index], style)
            cells.append(_cell(f"{letters[col]}{row}", style, value))
        cells.append("</row>")
        chunk.append("".join(cells))
        if len(chunk) == 2000:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _hyperlinks(table: BigTable) -> tuple[str, str]:
    """Return the sheet's ``<hyperlinks>`` element and its relationships part."""
    from xlsxwriter.utility import xl_col_to_name

    refs, rels = [], []
    for col, targets in sorted(table.links.items()):
        for index, target in enumerate(targets):
            if target is None:
                continue
            rid = f"rId{len(rels) + 1}"
            refs.append(f'<hyperlink ref="{xl_col_to_name(col)}{index + 2}" r:id="{rid}"/>')
            safe = clean_text(target).translate(_ESCAPES).replace('"', "&quot;")
            rels.append(f'<Relationship Id="{rid}" Type="{_LINK_TYPE}" Target="{safe}" '
                        'TargetMode="External"/>')
    if not refs:
        return "", ""
    part = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_REL_NS}">{"".join(rels)}</Relationships>')
    return f"<hyperlinks>{''.join(refs)}</hyperlinks>", part


def splice_rows(path: Path, table: BigTable) -> None:
    """Put ``table``'s body rows into the saved workbook ``path``, rewriting it in place.

    Every other part is copied byte for byte with its (fixed) timestamp, so the file
    stays reproducible.
    """
    links, rels = _hyperlinks(table)
    spliced = path.with_name(path.name + ".rows")
    try:
        _splice(path, spliced, table, links, rels)
    except BaseException:
        spliced.unlink(missing_ok=True)
        raise
    spliced.replace(path)


def _splice(path: Path, spliced: Path, table: BigTable, links: str, rels: str) -> None:
    from xlsxwriter.utility import xl_col_to_name

    member = f"xl/worksheets/sheet{table.sheet}.xml"
    rels_member = f"xl/worksheets/_rels/sheet{table.sheet}.xml.rels"
    last = f"{xl_col_to_name(max(len(table.columns) - 1, 0))}{len(table.columns[0]) + 1}"
    with ZipFile(path) as source, ZipFile(spliced, "w", ZIP_DEFLATED, allowZip64=True) as out:
        stamp = source.infolist()[0].date_time
        names = source.namelist()
        if rels and rels_member in names:
            msg = f"{member} already has relationships; cannot add hyperlinks"
            raise RuntimeError(msg)
        for info in source.infolist():
            if info.filename != member:
                out.writestr(info, source.read(info))
                continue
            xml = source.read(info).decode("utf-8")
            head, tail = xml.split("</sheetData>", 1)
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head,
                          count=1)
            if links:
                at = min(i for i in (tail.find("<printOptions"), tail.find("<pageMargins"))
                         if i >= 0)
                tail = tail[:at] + links + tail[at:]
            if 'xmlns:r="' not in head:
                msg = f"{member}: no relationships namespace"
                raise RuntimeError(msg)
            part = ZipInfo(member, date_time=stamp)
            part.compress_type = ZIP_DEFLATED
            with out.open(part, "w", force_zip64=True) as stream:
                stream.write(head.encode("utf-8"))
                for chunk in _rows_xml(table):
                    stream.write(chunk.encode("utf-8"))
                stream.write(("</sheetData>" + tail).encode("utf-8"))
        if rels:
            part = ZipInfo(rels_member, date_time=stamp)
            part.compress_type = ZIP_DEFLATED
            out.writestr(part, rels.encode("utf-8"))
