"""What a reader hands to ``read_plots``: one block of rows and where each came from.

A CSV file is one block; every sheet of a workbook that holds plots is a block; a
vector file (GeoJSON, GeoPackage layer, Shapefile, KML, GPX) is a block whose rows
already carry a geometry. :class:`SourceBlock` keeps the rows' own columns, the number
a user sees for each row (spreadsheet row, feature, placemark or waypoint number) and,
for vector sources, the geometry with anything the reader had to fix or could not read.

Examples
--------
>>> import pandas as pd
>>> block = SourceBlock(pd.DataFrame({"lintang": ["-2.5"]}), "plots.xlsx", [7], sheet="Data")
>>> block.where(0)
("sheet 'Data', row 7", "lembar 'Data', baris 7")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.limits import Limits

__all__ = ["MAX_COLUMNS", "ROW_WORDS", "RowProblem", "SourceBlock", "name_list",
           "object_array"]

#: Columns a plot list may have: Excel's own limit (XFD), so any real sheet fits, and a
#: crafted file with a million columns is refused before it costs minutes and memory.
MAX_COLUMNS = Limits().columns  # the default; readers check ``limits.current().columns``

#: How a row is named in messages, per kind of source: (English, Indonesian).
ROW_WORDS: dict[str, tuple[str, str]] = {
    "row": ("row", "baris"),
    "feature": ("feature", "fitur"),
    "placemark": ("placemark", "placemark"),
    "waypoint": ("waypoint", "titik"),
}


def name_list(names: Any, limit: int = 20) -> str:
    """Join column names for a message, at most ``limit`` of them and the count of the rest.

    Examples
    --------
    >>> name_list(["a", "b"]), name_list([f"c{i}" for i in range(30)], limit=2)
    ('a, b', 'c0, c1 and 28 more')
    """
    names = [str(n) if len(str(n)) <= 40 else f"{str(n)[:37]}..." for n in names]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def object_array(values: Any) -> np.ndarray:
    """Put values (geometries, None) into a 1-d object array, one element each.

    Examples
    --------
    >>> object_array([None, "a"]).tolist()
    [None, 'a']
    """
    values = list(values)
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be used, in English (``en``) and Indonesian (``id``)."""

    en: str
    id: str


@dataclass
class SourceBlock:
    """One table of plot rows as read from a source.

    Attributes
    ----------
    frame : DataFrame
        The rows' own columns, as read (text for CSV and workbooks).
    source_file : str
        Path of the file, or ``<DataFrame>``/``<GeoDataFrame>``.
    source_rows : array of int
        Per row, the number a user sees: the spreadsheet row, or the 1-based feature,
        placemark or waypoint number.
    sheet : str, optional
        Workbook sheet the rows come from (None for other sources).
    row_word : str
        How rows are named in messages: a key of :data:`ROW_WORDS`.
    geometry : array of shapely geometries, optional
        The geometry of a vector source (None entries for features without one); None
        for tables, whose geometry comes from their coordinate columns.
    crs : optional
        CRS of ``geometry``.
    notes : list of list of str
        Per row, what the reader corrected (an unclosed ring closed, ...).
    problems : list of RowProblem or None
        Per row, why the reader could not read its geometry.
    id_hint : str, optional
        A column the reader knows to name each row (a KML placemark's ``name``), used as
        the plot id when no id column is found.
    info : dict
        How the block was read (encoding, delimiter, header row, layer, ...).

    """

    frame: pd.DataFrame
    source_file: str
    source_rows: Any
    sheet: str | None = None
    row_word: str = "row"
    geometry: np.ndarray | None = None
    crs: Any = None
    notes: list[list[str]] = field(default_factory=list)
    problems: list[RowProblem | None] = field(default_factory=list)
    id_hint: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frame = self.frame.reset_index(drop=True)
        self.source_rows = np.asarray(self.source_rows, dtype="int64")
        n = len(self.frame)
        if len(self.source_rows) != n:
            msg = f"{len(self.source_rows)} row numbers for {n} rows"
            raise ValueError(msg)
        if not self.notes:
            self.notes = [[] for _ in range(n)]
        if not self.problems:
            self.problems = [None] * n

    def __len__(self) -> int:
        return len(self.frame)

    def where(self, i: int) -> tuple[str, str]:
        """Name row ``i`` as a user finds it: ``("sheet 'X', row 7", "lembar 'X', baris 7")``."""
        en, id_ = ROW_WORDS[self.row_word]
        number = int(self.source_rows[i])
        if self.sheet is None:
            return f"{en} {number}", f"{id_} {number}"
        return f"sheet '{self.sheet}', {en} {number}", f"lembar '{self.sheet}', {id_} {number}"
