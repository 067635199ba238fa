"""What a table says beside its coordinates: non-plot rows, a CRS in a header, a second pair.

Field teams' workbooks are printouts as much as tables, and read as such:

- :func:`mark_non_plots`: a header repeated on a new page, a "Jumlah"/"Total" row and a
  footer ("Sumber: Dinas ...", "Mengetahui, ...") are rows of the table but no plots.
  They are kept (nothing is lost, the order stays) with an ``input_problem`` that says
  what they are, so they never pass for plots with a missing coordinate;
- :func:`header_crs`: a coordinate system written in a coordinate column's header ("X
  (UTM 50S)", "Koordinat X (TM-3 zona 50.1)") or in a title row above the table ("Zona
  UTM 49 S", "WGS 84 / UTM zone 50S", "Datum DGN95") is used when ``crs=`` is not given,
  and noted; an explicit ``crs=`` wins, with a note when the header says otherwise;
- :func:`compare_pair_column`: a "Koordinat" column beside latitude/longitude columns is
  compared with them; a disagreement is a note on the row;
- :func:`id_damage`: an id that Excel turned into scientific notation ("1.23E+05").

Examples
--------
>>> import pandas as pd
>>> from lahan_geo.intake.blocks import SourceBlock
>>> frame = pd.DataFrame({"No": ["1", "No", "Jumlah", "Sumber: Dinas PMD"],
...                       "Lintang": ["-2.5", "Lintang", "", ""],
...                       "Bujur": ["112.2", "Bujur", "", ""]})
>>> block = SourceBlock(frame, "daftar.xlsx", [5, 6, 7, 9], sheet="Data")
>>> mark_non_plots(block, {"lat": "Lintang", "lon": "Bujur"})
>>> [p.en[21:49] if p else None for p in block.problems]  # doctest: +NORMALIZE_WHITESPACE
[None, "this row repeats the table's", "this is a total row ('Jumlah",
 'this is a footer of the tabl']
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pyproj

from lahan_geo.errors import CRSError
from lahan_geo.intake.blocks import SourceBlock
from lahan_geo.intake.columns import guess_columns, normalize_header
from lahan_geo.intake.coordinates import (
    METRES_PER_DEGREE,
    CoordinateParseError,
    empty_kind,
    parse_coordinate_pair,
)
from lahan_geo.intake.notes import Note, note
from lahan_geo.intake.projected import crs_hint_in_text, parse_crs_hint
from lahan_geo.intake.row_problems import problem, quote

__all__ = ["PAIR_TOLERANCE_M", "compare_pair_column", "header_crs", "id_damage",
           "mark_non_plots"]

#: A "Koordinat" cell further than this from the latitude/longitude columns is noted.
PAIR_TOLERANCE_M = 100.0

_PLACING = ("lat", "lon", "coords", "easting", "northing", "geometry")
_TOTAL_RE = re.compile(r"^(jumlah|total|sub ?total|grand total|rekap|rekapitulasi)\b")
_FOOTER_RE = re.compile(
    r"^(sumber|keterangan|ket|catatan|source|note|notes|dibuat|disusun|disiapkan|mengetahui"
    r"|diketahui|menyetujui|ttd|tanda tangan|dicetak|printed)\b")
_SCIENTIFIC_ID_RE = re.compile(r"[0-9](?:[.,][0-9]+)?e\+?[0-9]+", re.IGNORECASE)


def _numeric_start(value: Any) -> bool:
    text = value.lstrip() if isinstance(value, str) else ""
    return bool(text) and text[0] in "-+0123456789"


def _placing_empty(block: SourceBlock, roles: dict[str, str], i: int) -> bool:
    columns = [roles[r] for r in _PLACING if r in roles]
    return all(empty_kind(block.frame.at[i, c]) is not None for c in columns)


def mark_non_plots(block: SourceBlock, roles: dict[str, str]) -> None:
    """Give repeated headers, total rows and footers an ``input_problem`` saying so."""
    names = [normalize_header(c) for c in block.frame.columns]
    placing = {roles[r] for r in _PLACING if r in roles}
    firsts = [block.frame[c].tolist() for c in dict.fromkeys(placing)]
    for i, row in enumerate(block.frame.itertuples(index=False, name=None)):
        if block.problems[i] is not None or any(_numeric_start(c[i]) for c in firsts):
            continue  # a coordinate is written: a plot row (good or bad), not a label
        cells = ["" if empty_kind(v) == "blank" else str(v).strip() for v in row]
        filled = [c for c in cells if c]
        if not filled:
            continue
        same = sum(bool(c) and normalize_header(c) == n for c, n in zip(cells, names))
        repeats = any(normalize_header(row[k]) == names[k] for k, col
                      in enumerate(block.frame.columns) if col in placing)
        first = normalize_header(filled[0])
        where = block.where(i)
        if repeats and same * 2 >= len(filled):
            block.problems[i] = problem(
                where, f"this row repeats the table's header ({', '.join(filled[:4])}), it is "
                "not a plot", f"baris ini mengulang judul kolom tabel ({', '.join(filled[:4])}), "
                "bukan lahan", "nothing to do; delete the row to drop this message",
                "tidak perlu tindakan; hapus baris ini agar pesan ini hilang")
        else:
            kind = next((k for k in _LABEL_ROWS if k[0].match(first)), None)
            if kind is not None and _placing_empty(block, roles, i):
                block.problems[i] = problem(
                    where, f"this is {kind[1]} ({quote(filled[0])}), not a plot",
                    f"ini {kind[2]} ({quote(filled[0])}), bukan lahan",
                    "nothing to do; delete the row to drop this message",
                    "tidak perlu tindakan; hapus baris ini agar pesan ini hilang")



#: Rows that label the table rather than a plot: (first cell pattern, English, Indonesian).
_LABEL_ROWS = (
    (_TOTAL_RE, "a total row", "baris jumlah/total"),
    (_FOOTER_RE, "a footer of the table", "catatan kaki tabel"),
)

def _stated_crs(block: SourceBlock, roles: dict[str, str]) -> tuple[str, str, str] | None:
    """Return (hint, where it is written (en), (id)) from the headers, then the title rows."""
    for role in _PLACING:
        column = roles.get(role)
        hint = crs_hint_in_text(column) if column else None
        if hint:
            return hint, f"the header of column '{column}'", f"judul kolom '{column}'"
    for title in block.info.get("title_rows", []):
        hint = crs_hint_in_text(title)
        if hint:
            return hint, f"the title row {quote(title)}", f"baris judul {quote(title)}"
    return None


def header_crs(block: SourceBlock, roles: dict[str, str], crs: Any) -> tuple[Any, list[Note]]:
    """Return the CRS to read the table with, and notes on where it came from.

    A zone column (``roles["zone"]``) decides per row, so a stated CRS is not used then.
    """
    stated = None if "zone" in roles else _stated_crs(block, roles)
    if stated is None:
        return crs, []
    hint, where_en, where_id = stated
    try:
        found = parse_crs_hint(hint)
    except CRSError:
        return crs, [note(f"{where_en} names a coordinate system ({hint}) lahan_geo does not "
                          "know; it is not used", f"{where_id} menyebut sistem koordinat "
                          f"({hint}) yang tidak dikenal; tidak dipakai")]
    if crs is None:
        return hint, [note(
            f"coordinate system {found.name} taken from {where_en}; rows whose coordinates "
            "do not fit it are reported", f"sistem koordinat {found.name} diambil dari "
            f"{where_id}; baris yang koordinatnya tidak cocok dilaporkan")]
    given = parse_crs_hint(crs)
    if _same_kind(given, found) and not given.equals(found):
        return crs, [note(
            f"{where_en} says {found.name}, but crs= gives {given.name}: {given.name} is used",
            f"{where_id} menyebut {found.name}, tetapi crs= memberi {given.name}: "
            f"{given.name} yang dipakai")]
    return crs, []


def _same_kind(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    return bool(a.is_geographic) == bool(b.is_geographic)


def compare_pair_column(block: SourceBlock, roles: dict[str, str], geoms: np.ndarray) -> None:
    """Note rows whose "Koordinat" column disagrees with the latitude/longitude used."""
    if not ("lat" in roles and "lon" in roles):
        return
    others = [c for c in block.frame.columns if c not in roles.values()]
    column = guess_columns(others).get("coords")
    if column is None:
        return
    for i, value in enumerate(block.frame[column].tolist()):
        geom = geoms[i]
        if geom is None or geom.geom_type != "Point" or empty_kind(value) is not None:
            continue
        try:
            pair = parse_coordinate_pair(value)
        except CoordinateParseError:
            continue
        dy = (pair.lat.degrees - geom.y) * METRES_PER_DEGREE
        dx = (pair.lon.degrees - geom.x) * METRES_PER_DEGREE * math.cos(math.radians(geom.y))
        metres = math.hypot(dx, dy)
        if metres > PAIR_TOLERANCE_M:
            block.notes[i].append(note(
                f"column '{column}' ({quote(value)}) lies ~{metres:,.0f} m from columns "
                f"'{roles['lat']}'/'{roles['lon']}'; the latter were used. Fix: check which "
                "is right and correct the other",
                f"kolom '{column}' ({quote(value)}) berjarak ~{metres:,.0f} m dari kolom "
                f"'{roles['lat']}'/'{roles['lon']}'; yang dipakai kolom lintang/bujur. "
                "Perbaikan: periksa mana yang benar dan betulkan yang lain"))


def id_damage(value: Any, column: str) -> list[Note]:
    """Return a note when an id looks like a number Excel wrote in scientific notation.

    Examples
    --------
    >>> print(id_damage("1.23E+05", "ID")[0])  # doctest: +NORMALIZE_WHITESPACE
    id '1.23E+05' in column 'ID' is in scientific notation: Excel shortened a long number
    and its last digits are lost. Fix: format the column as Text and type the ids again
    >>> id_damage("A-12", "ID")
    []
    """
    text = str(value).strip()
    if not _SCIENTIFIC_ID_RE.fullmatch(text):
        return []
    return [note(
        f"id {quote(text)} in column '{column}' is in scientific notation: Excel shortened a "
        "long number and its last digits are lost. Fix: format the column as Text and type "
        "the ids again",
        f"id {quote(text)} di kolom '{column}' tertulis dalam notasi ilmiah: Excel memendekkan "
        "angka panjang dan digit terakhirnya hilang. Perbaikan: format kolom sebagai Teks dan "
        "ketik ulang id-nya")]
