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

import re
from collections.abc import Callable

from lahan_geo.intake.blocks import RowProblem
from lahan_geo.intake.coordinates import INDONESIA_BOUNDS, CoordinateParseError

__all__ = ["coordinate_problem", "decimal_suggestions", "geometry_problem", "problem", "quote"]

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


_REASONS_ID: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), sub) for pattern, sub in (
        (r"has more than one decimal separator",
         lambda m: "memiliki lebih dari satu tanda desimal (pemisah ribuan tidak pernah ditebak)"),
        (r"contains '(.+?)', which no coordinate writing uses",
         lambda m: f"berisi karakter '{m[1]}' yang tidak dipakai dalam penulisan koordinat"),
        (r"is in scientific notation", lambda m: "tertulis dalam notasi ilmiah (mis. 1,2E+05)"),
        (r"holds two coordinates", lambda m: "berisi dua koordinat (pasangan lintang/bujur)"),
        (r"holds only one coordinate", lambda m: "hanya berisi satu koordinat"),
        (r"can be split in more than one way", lambda m: "dapat dipisah lebih dari satu cara"),
        (r"is not a latitude and a longitude", lambda m: "bukan pasangan lintang dan bujur"),
        (r"has no number", lambda m: "tidak berisi angka"),
        (r"has two hemisphere letters", lambda m: "memiliki dua huruf belahan bumi"),
        (r"has more than three numbers",
         lambda m: "memiliki lebih dari tiga angka (derajat, menit, detik)"),
        (r"has a number after the hemisphere letter",
         lambda m: "memiliki angka setelah huruf belahan bumi atau tanda"),
        (r"has (minutes|seconds) ([0-9.]+); \w+ must be below 60",
         lambda m: f"memiliki {'menit' if m[1] == 'minutes' else 'detik'} {m[2]}; harus di "
                   "bawah 60"),
        (r"gives (\S+?)°?, outside (-\S+?) for a (latitude|longitude|coordinate)",
         lambda m: f"bernilai {m[1]}, di luar rentang {m[2]} untuk "
                   f"{_AXIS_ID.get(m[3], 'koordinat')}"),
        (r"is (read as|labelled) a (latitude|longitude).* makes it a (latitude|longitude)",
         lambda m: f"dibaca sebagai {_AXIS_ID[m[2]]}, tetapi huruf/labelnya menandakan "
                   f"{_AXIS_ID[m[3]]}"),
        (r"is ([0-9,]+) characters long", lambda m: f"terlalu panjang ({m[1]} karakter)"),
        (r"has (.+?) where", lambda m: f"memiliki {m[1]} di tempat yang salah"),
    )
)
_AXIS_ID = {"latitude": "lintang", "longitude": "bujur", "coordinate": "koordinat"}

_GEOMETRY_REASONS_ID: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), sub) for pattern, sub in (
        (r"its brackets do not close", lambda m: "tanda kurungnya tidak tertutup (apakah isi "
         "sel terpotong? satu sel spreadsheet memuat paling banyak 32.767 karakter)"),
        (r"is not WKT of a point or polygon", lambda m: "bukan WKT titik atau poligon"),
        (r"is not well-formed WKT", lambda m: "bukan WKT yang benar (periksa kurung, koma dan "
         "titik desimal)"),
        (r"is not well-formed GeoJSON", lambda m: "bukan GeoJSON yang benar"),
        (r"is not a GeoJSON geometry", lambda m: "bukan geometri GeoJSON (perlu 'type' dan "
         "'coordinates')"),
        (r"is a GeoJSON '(.+?)', not a point or polygon",
         lambda m: f"berupa GeoJSON '{m[1]}', bukan titik atau poligon"),
        (r"has a corner that is not two numbers",
         lambda m: "memiliki titik sudut yang bukan dua angka"),
        (r"has a coordinate that is not a finite number",
         lambda m: "memiliki koordinat yang bukan angka terhingga"),
        (r"has a ring with (\d+) distinct corners",
         lambda m: f"memiliki cincin dengan {m[1]} titik sudut berbeda; poligon perlu minimal 3"),
        (r"holds two corners", lambda m: "hanya berisi dua titik sudut; poligon perlu minimal "
         "3 (titik perlu satu pasangan)"),
        (r"holds no coordinates", lambda m: "tidak berisi koordinat"),
        (r"does not hold the coordinates a (\w+) needs",
         lambda m: f"tidak berisi koordinat yang diperlukan {m[1]}"),
        (r"is a (\w+), not a point or polygon", lambda m: f"berupa {m[1]}, bukan titik atau "
         "poligon"),
        (r"is ([0-9,]+) characters long", lambda m: f"terlalu panjang ({m[1]} karakter)"),
    )
)

_FORMULA_FIX = (
    "the cell holds the formula {v} whose value was not saved in the file (it was written "
    "by a program that does not calculate formulas), so it reads as blank",
    "sel berisi rumus {v} yang nilainya tidak tersimpan di berkas (berkas dibuat oleh "
    "program yang tidak menghitung rumus), sehingga terbaca kosong",
    "open the workbook in Excel or LibreOffice, let it recalculate and save it, or paste the "
    "values in place of the formulas",
    "buka berkas di Excel atau LibreOffice, biarkan dihitung ulang lalu simpan, atau tempel "
    "nilainya menggantikan rumus",
)
_DATE_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?|\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"|\d{1,2}/\d{1,2}/\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}-[a-z]{3}(-\d{2,4})?",
    re.IGNORECASE)
_DIGITS_RE = re.compile(r"([-+]?)([0-9]{4,})")


def decimal_suggestions(value: object, axis: str | None) -> list[float]:
    """Return the readings of a number that lost its decimal separator that fit Indonesia.

    Examples
    --------
    >>> decimal_suggestions("-1936137", "lat"), decimal_suggestions("112345678", "lon")
    ([-1.936137], [112.345678])
    >>> decimal_suggestions("12", "lat")
    []
    """
    match = _DIGITS_RE.fullmatch(str(value).strip())
    if match is None or axis not in ("lat", "lon"):
        return []
    sign = -1.0 if match[1] == "-" else 1.0
    digits = match[2]
    low, high = ((INDONESIA_BOUNDS[0], INDONESIA_BOUNDS[1]) if axis == "lat"
                 else (INDONESIA_BOUNDS[2], INDONESIA_BOUNDS[3]))
    out = []
    for k in range(1, 4):
        candidate = sign * float(f"{digits[:k]}.{digits[k:]}")
        if low <= candidate <= high and (k == 1 or digits[0] != "0"):
            out.append(candidate)
    return out


def _damage(where: Where, column: str, err: CoordinateParseError, axis: str | None
            ) -> RowProblem | None:
    """Explain what a spreadsheet did to a coordinate cell, when that is recognizable."""
    text = str(err.value).strip()
    v = quote(err.value)
    cell = (f"{where[0]}, column '{column}'", f"{where[1]}, kolom '{column}'")
    if text.startswith("="):
        en, id_, fix_en, fix_id = (t.format(v=v) for t in _FORMULA_FIX)
        return problem(cell, en, id_, fix_en, fix_id)
    if err.kind == "unparseable" and _DATE_RE.fullmatch(text):
        return problem(
            cell, f"{v} is a date or time: the spreadsheet turned the coordinate into one",
            f"{v} berupa tanggal atau jam: aplikasi spreadsheet mengubah koordinat menjadi "
            "tanggal/jam",
            "format the column as Text and type the coordinate again (e.g. -2.512345), or "
            "save the list as CSV from the surveyor's original",
            "format kolom sebagai Teks lalu ketik ulang koordinatnya (mis. -2.512345), atau "
            "simpan daftar sebagai CSV dari data asli surveyor")
    if "short map link" in str(err):
        return problem(
            cell, f"{v} is a short map link, which names no coordinates and cannot be resolved "
            "without the internet", f"{v} adalah tautan peta pendek yang tidak memuat "
            "koordinat dan tidak dapat dibuka tanpa internet",
            "open the link, tap the red pin and copy the coordinates it shows (e.g. "
            "'-3.43012, 112.17034') into the cell",
            "buka tautannya, ketuk pin merah lalu salin koordinat yang tampil (mis. "
            "'-3.43012, 112.17034') ke sel ini")
    guesses = decimal_suggestions(text, axis)
    if guesses:
        shown = " or ".join(f"{g:.10g}" for g in guesses)
        shown_id = " atau ".join(f"{g:.10g}" for g in guesses)
        return problem(
            cell, f"{v} has no decimal separator (it was lost, e.g. by a spreadsheet's "
            f"locale); did you mean {shown}? It is not corrected: a guessed decimal place "
            "moves the plot", f"{v} tidak memiliki tanda desimal (hilang, mis. karena "
            f"pengaturan bahasa spreadsheet); maksudnya {shown_id}? Tidak dibetulkan otomatis "
            "karena salah tebak memindahkan lahan",
            "write the coordinate with its decimal separator, e.g. -1.936137",
            "tulis koordinat dengan tanda desimalnya, mis. -1.936137")
    return None


def coordinate_problem(where: Where, column: str, err: CoordinateParseError,
                       axis: str | None = None) -> RowProblem:
    """Turn a :class:`CoordinateParseError` into a row problem naming the column.

    ``axis`` ("lat"/"lon") lets a number that lost its decimal separator get a suggestion.
    """
    damaged = _damage(where, column, err, axis)
    if damaged is not None:
        return damaged
    value = quote(err.value)
    if err.kind == "blank":
        en = (f"{where[0]}, column '{column}': the coordinate is blank. "
              "Fix: fill in the surveyed coordinate.")
    else:
        en = f"{where[0]}, column '{column}': {err}"
    reason = next(((pattern, sub) for pattern, sub in _REASONS_ID
                   if pattern.search(str(err))), None) if err.kind in (
        "unparseable", "out_of_range") else None
    if reason is not None:
        found = reason[0].search(str(err))
        assert found is not None
        fix = ("periksa apakah lintang dan bujur tertukar, lalu " if err.kind == "out_of_range"
               else "")
        return RowProblem(en, f"{where[1]}, kolom '{column}': nilai {value} {reason[1](found)}. "
                              f"Perbaikan: {fix}{_DMS_FIX_ID}.")
    return RowProblem(en, f"{where[1]}, {_KIND_ID[err.kind](column, value)}")


def geometry_problem(where: Where, column: str, err: CoordinateParseError) -> RowProblem:
    """Turn the error of a geometry cell (WKT, corner list) into a row problem."""
    if err.kind in ("blank", "placeholder"):
        return coordinate_problem(where, column, err)
    reason = next((sub(found) for pattern, sub in _GEOMETRY_REASONS_ID
                   if (found := pattern.search(str(err))) is not None),
                  "bukan geometri yang dapat dibaca")
    return RowProblem(
        f"{where[0]}, column '{column}': {err}",
        f"{where[1]}, kolom '{column}': nilai {quote(err.value)} {reason}. Perbaikan: tulis "
        "WKT seperti POLYGON ((112.30 -2.50, 112.31 -2.50, 112.31 -2.51, 112.30 -2.50)) "
        "(bujur dulu), atau titik-titik sudut sebagai pasangan "
        "'lintang, bujur' dipisah titik koma.",
    )
