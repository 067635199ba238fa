"""Indonesian labels, orders and colours shared by the output writers.

The screening result speaks English in its API (``status == "needs_clearance"``);
what an analyst submits speaks Indonesian. This module holds the translation once.

Examples
--------
>>> STATUS_LABELS_ID["needs_clearance"]
'Perlu persetujuan'
>>> status_label("something_new")
'something_new'
>>> forest_function_label("HPT")
'HPT (Hutan Produksi Terbatas)'
>>> zone_class_label("perdagangan_jasa")
'Perdagangan dan jasa'

"""

from __future__ import annotations

from functools import lru_cache

from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES
from lahan_geo.vocab import FOREST_FUNCTION_NAMES_ID, FUNCTIONS_BY_RESTRICTION

__all__ = [
    "FOREST_FUNCTION_NAMES_ID",
    "FOREST_FUNCTION_ORDER",
    "STATUS_FILLS",
    "STATUS_LABELS_ID",
    "STATUS_ORDER",
    "forest_function_label",
    "status_label",
    "zone_class_label",
]

#: Statuses, most severe first (:data:`lahan_geo.statuses.STATUSES`).
STATUS_ORDER: tuple[str, ...] = STATUSES

#: Cell fill (RGB hex) per status in the workbook.
STATUS_FILLS: dict[str, str] = {
    "clear": "C6EFCE",
    "verify": "FFEB9C",
    "needs_clearance": "F8CBAD",
    "not_permitted": "FF7C80",
    "invalid": "D9D9D9",
}

#: Forest functions from strictest to not-forest.
FOREST_FUNCTION_ORDER: tuple[str, ...] = FUNCTIONS_BY_RESTRICTION


def status_label(status: object) -> str:
    """Return the Indonesian label of a status, or the value itself when unknown.

    Parameters
    ----------
    status : object
        A status code such as ``"clear"``.

    Returns
    -------
    str
        The label written in the workbook and on the map.

    Examples
    --------
    >>> status_label("not_permitted")
    'Tidak diizinkan (pindah lokasi)'

    """
    return STATUS_LABELS_ID.get(str(status), str(status))


def forest_function_label(code: object) -> str:
    """Return ``"CODE (Indonesian name)"`` for a known forest function, else the code.

    Parameters
    ----------
    code : object
        A forest-function code such as ``"HL"``.

    Returns
    -------
    str
        The label, e.g. ``"HL (Hutan Lindung)"``.

    Examples
    --------
    >>> forest_function_label("APL")
    'APL (Areal Penggunaan Lain)'
    >>> forest_function_label("X9")
    'X9'

    """
    name = FOREST_FUNCTION_NAMES_ID.get(str(code))
    return f"{code} ({name})" if name else str(code)


@lru_cache(maxsize=1)
def _zone_labels() -> dict[str, str]:
    from lahan_geo.layers.zoning import load_zoning_mapping

    return {code: str(spec.get("label_id") or code)
            for code, spec in load_zoning_mapping().classes.items()}


def zone_class_label(code: object) -> str:
    """Return the Indonesian name of a spatial-plan zone class (the shipped vocabulary).

    A class the shipped mapping does not know (a district's own) reads as its code with
    spaces for underscores.

    Parameters
    ----------
    code : object
        A zone class such as ``"lp2b"``.

    Returns
    -------
    str
        The label, e.g. ``"Lahan pertanian pangan berkelanjutan (LP2B/KP2B)"``.

    Examples
    --------
    >>> zone_class_label("lp2b")
    'Lahan pertanian pangan berkelanjutan (LP2B/KP2B)'
    >>> zone_class_label("kawasan_khusus")
    'kawasan khusus'

    """
    return _zone_labels().get(str(code), str(code).replace("_", " "))
