"""How precisely a plot's position is known: written precision and stated accuracy.

Two numbers describe a plot's position error:

- the *written precision*: half a unit of the last digit written, in metres (one
  decimal of a degree is ±5.6 km, five decimals ±0.56 m; whole seconds ±15 m);
- the *stated accuracy*: the ``akurasi`` column (a GPS reading's accuracy), or, when
  the list has none, :data:`lahan_geo.accuracy.DEFAULT_PLOT_ACCURACY_M` (15 m, phone
  GPS), applied by the screening.

``accuracy_m`` is the coarser of the two, so the tolerance the screening uses covers
both, with these rules:

1. written precision coarser than :data:`MAX_IMPLIED_UNCERTAINTY_M` (500 m): the row
   is unusable (a problem; the position cannot place a 20 x 30 m outlet in the right
   village);
2. written precision coarser than the stated accuracy (or than the 15 m default when
   none is stated): ``accuracy_m`` is raised to the written precision and the row's
   note says so;
3. otherwise ``accuracy_m`` is the stated accuracy, or NaN (the screening default).

Examples
--------
>>> import numpy as np
>>> notes = [[], [], []]
>>> plot_accuracy(np.array([np.nan, 5.0, np.nan]), np.array([0.6, 55.7, np.nan]), notes)
array([ nan, 55.7,  nan])
>>> notes[1]
['coordinates written to ±56 m (coarser than the stated accuracy of 5 m); accuracy_m set to 56 m']
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M
from lahan_geo.intake.blocks import RowProblem
from lahan_geo.intake.coordinates import empty_kind
from lahan_geo.intake.notes import note
from lahan_geo.intake.row_problems import problem, quote

__all__ = ["MAX_IMPLIED_UNCERTAINTY_M", "coarse_problem", "plot_accuracy", "read_accuracy"]

#: Written precision (m) beyond which a position is unusable (rule 1 of the module notes).
MAX_IMPLIED_UNCERTAINTY_M = 500.0

_THOUSANDS_RE = re.compile(r"^[0-9]{1,3}([.,][0-9]{3})+\s*(m|meter|metre)?$", re.IGNORECASE)
_METRES_RE = re.compile(r"^[±+]?\s*([0-9]+(?:[.,][0-9]+)?)\s*(m|meter|metre|meters|metres)?$")


def coarse_problem(where: tuple[str, str], columns: tuple[str, str], uncertainty_m: float
                   ) -> RowProblem:
    """Build the problem for a position written too coarsely (rule 1).

    ``columns`` names the columns read, in English and Indonesian.
    """
    return problem(
        where,
        f"{columns[0]}: the coordinates are written so coarsely that the position is uncertain "
        f"by ~{uncertainty_m:,.0f} m (more than {MAX_IMPLIED_UNCERTAINTY_M:,.0f} m)",
        f"{columns[1]}: penulisan koordinat terlalu kasar, posisi tidak pasti "
        f"~{uncertainty_m:,.0f} m (lebih dari {MAX_IMPLIED_UNCERTAINTY_M:,.0f} m)",
        "write at least 5 decimals of a degree (e.g. -2.51234) or seconds to one decimal",
        "tulis minimal 5 desimal derajat (mis. -2.51234) atau detik dengan 1 desimal",
    )


def read_accuracy(values: Any, column: str, notes: list[list[str]]) -> np.ndarray:
    """Read an ``akurasi`` column: metres as "5", "5,5", "±5 m"; unreadable ones noted.

    Examples
    --------
    >>> notes = [[], [], [], []]
    >>> read_accuracy(["5", "±3,5 m", "", "bagus"], "akurasi", notes)
    array([5. , 3.5, nan, nan])
    >>> notes[3]
    ["accuracy 'bagus' in column 'akurasi' is not metres; the default is used"]
    """
    out = np.full(len(notes), np.nan)
    for i, value in enumerate(values):
        kind = empty_kind(value)
        if kind == "placeholder":
            notes[i].append(note(
                f"accuracy {quote(value)} in column '{column}' is not known; the default of "
                f"{DEFAULT_PLOT_ACCURACY_M:g} m for a GPS reading is used",
                f"akurasi {quote(value)} di kolom '{column}' tidak diketahui; dipakai nilai "
                f"bawaan {DEFAULT_PLOT_ACCURACY_M:g} m untuk pembacaan GPS"))
        if kind is not None:
            continue
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            number = float(value)
        elif _THOUSANDS_RE.match(str(value).strip()):
            text = str(value).strip()
            number = float(re.sub(r"[.,]", "", re.sub(r"\s*m.*$", "", text)))
            small = float(re.sub(r"\s*m.*$", "", text).replace(",", "."))
            notes[i].append(note(
                f"accuracy {quote(value)} in column '{column}' read as {number:,.0f} m (a "
                f"thousands separator, as written in Indonesian), not {small:g} m: the larger "
                "reading never makes a result look surer than it is. Fix: write metres without "
                "separators, e.g. 1000 or 1",
                f"akurasi {quote(value)} di kolom '{column}' dibaca {number:,.0f} m (titik "
                f"sebagai pemisah ribuan), bukan {small:g} m: bacaan yang lebih besar tidak "
                "membuat hasil tampak lebih pasti. Perbaikan: tulis meter tanpa pemisah, mis. "
                "1000 atau 1"))
        else:
            match = _METRES_RE.match(str(value).strip().lower())
            number = float(match.group(1).replace(",", ".")) if match else np.nan
        if np.isfinite(number) and number > 0:
            out[i] = number
        else:
            notes[i].append(f"accuracy '{value}' in column '{column}' is not metres; "
                            "the default is used")
    return out


def plot_accuracy(given: np.ndarray, written: np.ndarray, notes: list[list[str]]) -> np.ndarray:
    """Combine stated accuracy and written precision into ``accuracy_m`` (rules 2-3)."""
    floor = np.where(np.isnan(given), DEFAULT_PLOT_ACCURACY_M, given)
    with np.errstate(invalid="ignore"):
        raise_ = written > floor
    out = np.where(raise_, np.round(written, 1), given)
    for i in np.flatnonzero(raise_):
        basis = (f"the stated accuracy of {given[i]:g} m" if not np.isnan(given[i]) else
                 f"the {DEFAULT_PLOT_ACCURACY_M:g} m assumed for a GPS reading")
        notes[i].append(f"coordinates written to ±{written[i]:.0f} m (coarser than {basis}); "
                        f"accuracy_m set to {written[i]:.0f} m")
    return pd.to_numeric(pd.Series(out), errors="coerce").to_numpy(dtype=float)
