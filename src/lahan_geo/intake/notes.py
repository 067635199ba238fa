"""Row notes in English and Indonesian: what intake corrected or assumed on a row.

A note is a plain ``str`` (its English text) everywhere it travels, so every reader's
``notes[i].append(...)`` keeps working. New notes are built with :func:`note`, which
returns a :class:`Note`: a ``str`` that also carries its Indonesian text. Notes written
as plain English strings (by readers written before the notes were bilingual) are
translated by :func:`note_id` from the templates in :data:`_TEMPLATES`, so
``input_notes_id`` has an Indonesian text for every note ``read_plots`` writes.

Examples
--------
>>> n = note("height (Z) dropped", "ketinggian (Z) dibuang")
>>> n, n.id
('height (Z) dropped', 'ketinggian (Z) dibuang')
>>> note_id("latitude and longitude were swapped (-2.5 read as longitude); corrected")
'lintang dan bujur tertukar (-2.5 terbaca sebagai bujur); sudah dibetulkan'
>>> join_notes([note("a", "b"), "height (Z) dropped"], indonesian=True)
'b; ketinggian (Z) dibuang'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["Note", "join_notes", "note", "note_id"]


class Note(str):
    """A row note: the ``str`` is the English text, ``id`` the Indonesian one."""

    id: str

    def __new__(cls, en: str, id_: str) -> Note:
        """Build the note from its two texts."""
        made = super().__new__(cls, en)
        made.id = id_
        return made

    def __reduce__(self) -> tuple[type[Note], tuple[str, str]]:
        return (type(self), (str(self), self.id))


def note(en: str, id_: str) -> Note:
    """Return a bilingual note (English text, Indonesian text)."""
    return Note(en, id_)


_Sub = Callable[[re.Match[str]], str]

#: English note templates of the readers, with their Indonesian text.
_TEMPLATES: tuple[tuple[re.Pattern[str], _Sub], ...] = tuple(
    (re.compile(pattern), sub) for pattern, sub in (
        (r"height \(Z\) dropped", lambda m: "ketinggian (Z) dibuang"),
        (r"kept the polygon parts of a geometry collection",
         lambda m: "bagian poligon dari geometry collection dipakai"),
        (r"polygon repaired with make_valid \((.*)\)",
         lambda m: f"poligon diperbaiki dengan make_valid ({m[1]})"),
        (r"latitude and longitude were swapped \((.*) read as longitude\); corrected",
         lambda m: f"lintang dan bujur tertukar ({m[1]} terbaca sebagai bujur); sudah dibetulkan"),
        (r"latitude and longitude were swapped in this row \('(.*)' held (.*), '(.*)' held "
         r"(.*)\); corrected",
         lambda m: f"lintang dan bujur tertukar pada baris ini ('{m[1]}' berisi {m[2]}, "
                   f"'{m[3]}' berisi {m[4]}); sudah dibetulkan"),
        (r"easting and northing were swapped \((.*)\); corrected",
         lambda m: f"easting dan northing tertukar ({m[1]}); sudah dibetulkan"),
        (r"plot id '(.*)' is also used by (.*)",
         lambda m: f"id lahan '{m[1]}' juga dipakai oleh {_rows_id(m[2])}"),
        (r"same (coordinates|polygon) as (.*)",
         lambda m: f"{'koordinat' if m[1] == 'coordinates' else 'poligon'} sama dengan "
                   f"{_rows_id(m[2])}"),
        (r"no id in column '(.*)'; generated (.*)",
         lambda m: f"tidak ada id di kolom '{m[1]}'; dibuatkan {m[2]}"),
        (r"accuracy '(.*)' in column '(.*)' is not metres; the default is used",
         lambda m: f"akurasi '{m[1]}' di kolom '{m[2]}' bukan meter; dipakai nilai bawaan"),
        (r"coordinates written to ±(.*) m \(coarser than the stated accuracy of (.*) m\); "
         r"accuracy_m set to (.*) m",
         lambda m: f"koordinat ditulis dengan ketelitian ±{m[1]} m (lebih kasar dari akurasi "
                   f"yang dinyatakan, {m[2]} m); accuracy_m menjadi {m[3]} m"),
        (r"coordinates written to ±(.*) m \(coarser than the (.*) m assumed for a GPS "
         r"reading\); accuracy_m set to (.*) m",
         lambda m: f"koordinat ditulis dengan ketelitian ±{m[1]} m (lebih kasar dari {m[2]} m "
                   f"yang diasumsikan untuk GPS); accuracy_m menjadi {m[3]} m"),
        (r"line (.*) is not UTF-8 like the rest of the file; read it as cp1252 \(Windows\)",
         lambda m: f"baris berkas {m[1]} tidak ber-encoding UTF-8 seperti bagian lain; dibaca "
                   "sebagai cp1252 (Windows)"),
        (r"a polygon ring was not closed; closed it",
         lambda m: "cincin poligon tidak tertutup; sudah ditutup"),
        (r"the ring was not closed; closed it", lambda m: "cincin tidak tertutup; sudah ditutup"),
        (r"the polygon's (.*) ring was not closed; closed it",
         lambda m: f"cincin poligon ({m[1]}) tidak tertutup; sudah ditutup"),
        (r"points or lines next to the polygon\(s\) in the MultiGeometry ignored",
         lambda m: "titik atau garis di samping poligon dalam MultiGeometry diabaikan"),
        (r"(.*) of (.*) corners written longitude first; reordered",
         lambda m: f"{m[1]} dari {m[2]} titik sudut ditulis bujur dulu; urutannya dibetulkan"),
        (r"written longitude first \(recognised by the hemisphere letters or labels\), "
         r"reordered to latitude, longitude",
         lambda m: "ditulis bujur dulu (dikenali dari huruf belahan bumi atau label); diurutkan "
                   "menjadi lintang, bujur"),
        (r"written longitude first: (.*) cannot be a latitude, so the values were swapped",
         lambda m: f"ditulis bujur dulu: {m[1]} tidak mungkin lintang, jadi nilainya ditukar"),
        (r"lies ~(.*) m outside the (.*), within its ±(.*) m accuracy",
         lambda m: f"berada ~{m[1]} m di luar {m[2]}, masih dalam akurasi ±{m[3]} m"),
        (r"(.*)% of the polygon lies outside the (.*)",
         lambda m: f"{m[1]}% poligon berada di luar {m[2]}"),
        (r"the list names (.*) '(.*)' but the plot lies in '(.*)' \((.*)\)",
         lambda m: f"daftar menyebut {m[1]} '{m[2]}' tetapi lahan berada di '{m[3]}' ({m[4]})"),
        (r".* / (kolom '.*)", lambda m: m[1]),  # bilingual "English / Indonesian" notes
    )
)


def _rows_id(text: str) -> str:
    return (text.replace("sheet '", "lembar '").replace("row ", "baris ")
            .replace("feature ", "fitur ").replace("(plot '", "(lahan '"))


def note_id(text: str) -> str:
    """Return the Indonesian text of a note (``[EN]`` and the English when unknown)."""
    if isinstance(text, Note):
        return text.id
    for pattern, sub in _TEMPLATES:
        match = pattern.fullmatch(text)
        if match is not None:
            return sub(match)
    return f"[EN] {text}"


def join_notes(notes: Iterable[str], *, indonesian: bool = False) -> str | None:
    """Join a row's notes with ``"; "`` (None when there are none)."""
    texts = [note_id(n) if indonesian else str(n) for n in notes]
    return "; ".join(texts) if texts else None
