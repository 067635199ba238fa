"""The sentences that tell a user why one row cannot be used, in English and Indonesian.

Every problem names where the row is (sheet and row, or feature/placemark number), the
column and the value when there is one, and the fix. ``input_problem`` carries the
English sentence and ``input_problem_id`` the Indonesian one.

Examples
--------
>>> from lahan_geo.intake.coordinates import parse_coordinate, CoordinateParseError
>>> try:
...     parse_coordinate("belum ada", axis="lat")
... except CoordinateParseError as err:
...     problem = coordinate_problem(("row 4", "baris 4"), "lintang", err)
>>> print(problem.id)
baris 4, kolom 'lintang' berisi 'belum ada', bukan koordinat. Perbaikan: survei lahan dan
isi koordinat, mis. -2.512345.
"""

from __future__ import annotations

from collections.abc import Callable

from lahan_geo.intake.blocks import RowProblem
from lahan_geo.intake.coordinates import CoordinateParseError

__all__ = ["coordinate_problem", "geometry_problem", "problem", "quote"]

Where = tuple[str, str]

_DMS_FIX_ID = "tulis derajat desimal (mis. -2.512345) atau DMS (mis. 2°31'12.5\" LS)"


def quote(value: object, limit: int = 60) -> str:
    """Quote a value for a message, shortening long text.

    Examples
    --------
    >>> quote("-2,5"), quote("x" * 100)[:12]
    ("'-2,5'", "'xxxxxxxxxxx")
    """
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = f"{text[: limit - 15]}...{text[-10:]}"
    return f"'{text}'"


def problem(where: Where, en: str, id_: str, fix_en: str, fix_id: str) -> RowProblem:
    """Build a problem: ``"<where>: <what>. Fix: <fix>."`` in both languages.

    Examples
    --------
    >>> p = problem(("row 2", "baris 2"), "no geometry", "tidak ada geometri",
    ...             "draw the plot", "gambar lahan")
    >>> p.en, p.id
    ('row 2: no geometry. Fix: draw the plot.',
     'baris 2: tidak ada geometri. Perbaikan: gambar lahan.')
    """
    return RowProblem(f"{where[0]}: {en}. Fix: {fix_en}.",
                      f"{where[1]}: {id_}. Perbaikan: {fix_id}.")


_KIND_ID: dict[str, Callable[[str, str], str]] = {
    "blank": lambda c, v: f"kolom '{c}': koordinat kosong. Perbaikan: isi koordinat hasil survei.",
    "placeholder": lambda c, v: (
        f"kolom '{c}' berisi {v}, bukan koordinat. Perbaikan: survei lahan dan isi "
        "koordinat, mis. -2.512345."
    ),
    "unparseable": lambda c, v: (
        f"kolom '{c}': nilai {v} tidak dapat dibaca sebagai koordinat. Perbaikan: "
        f"{_DMS_FIX_ID}."
    ),
    "out_of_range": lambda c, v: (
        f"kolom '{c}': nilai {v} di luar rentang (lintang -90..90, bujur -180..180, "
        "menit dan detik di bawah 60). Perbaikan: periksa apakah lintang dan bujur "
        f"tertukar, lalu {_DMS_FIX_ID}."
    ),
    "hemisphere_conflict": lambda c, v: (
        f"kolom '{c}': nilai {v} memiliki tanda minus dan huruf belahan bumi yang "
        "bertentangan. Perbaikan: tulis huruf LS/LU/BT/BB tanpa tanda, atau angka bertanda "
        "(selatan dan barat negatif) tanpa huruf."
    ),
    "axis_conflict": lambda c, v: (
        f"kolom '{c}': nilai {v} bertanda lintang/bujur yang tidak sesuai kolomnya. "
        "Perbaikan: periksa apakah lintang dan bujur tertukar; lintang memakai LS/LU, "
        "bujur memakai BT/BB."
    ),
}


def coordinate_problem(where: Where, column: str, err: CoordinateParseError) -> RowProblem:
    """Turn a :class:`CoordinateParseError` into a row problem naming the column."""
    value = quote(err.value)
    if err.kind == "blank":
        en = (f"{where[0]}, column '{column}': the coordinate is blank. "
              "Fix: fill in the surveyed coordinate.")
    else:
        en = f"{where[0]}, column '{column}': {err}"
    return RowProblem(en, f"{where[1]}, {_KIND_ID[err.kind](column, value)}")


def geometry_problem(where: Where, column: str, err: CoordinateParseError) -> RowProblem:
    """Turn the error of a geometry cell (WKT, corner list) into a row problem."""
    if err.kind in ("blank", "placeholder"):
        return coordinate_problem(where, column, err)
    return RowProblem(
        f"{where[0]}, column '{column}': {err}",
        f"{where[1]}, kolom '{column}': nilai {quote(err.value)} bukan geometri yang dapat "
        "dibaca. Perbaikan: tulis WKT seperti POLYGON ((112.30 -2.50, 112.31 -2.50, 112.31 "
        "-2.51, 112.30 -2.50)) (bujur dulu), atau titik-titik sudut sebagai pasangan "
        "'lintang, bujur' dipisah titik koma.",
    )
