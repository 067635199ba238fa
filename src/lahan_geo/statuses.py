"""The status vocabulary and its severity order.

Examples
--------
>>> from lahan_geo.statuses import most_severe
>>> most_severe(["clear", "verify", "needs_clearance"])
'needs_clearance'
>>> most_severe([])
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["STATUSES", "STATUS_LABELS_ID", "most_severe", "severity"]

#: Statuses from most to least severe.
STATUSES: tuple[str, ...] = ("invalid", "not_permitted", "needs_clearance", "verify", "clear")

#: Indonesian labels for what is submitted.
STATUS_LABELS_ID: dict[str, str] = {
    "invalid": "Data tidak valid",
    "not_permitted": "Tidak diizinkan (pindah lokasi)",
    "needs_clearance": "Perlu persetujuan",
    "verify": "Perlu verifikasi",
    "clear": "Aman (lanjut KKPR)",
}


def severity(status: str) -> int:
    """Return a rank where a larger number is more severe.

    Examples
    --------
    >>> severity("invalid") > severity("verify") > severity("clear")
    True
    """
    return len(STATUSES) - STATUSES.index(status)


def most_severe(statuses: Iterable[str]) -> str | None:
    """Return the most severe of ``statuses``, or None when there are none."""
    ranked = sorted(statuses, key=severity, reverse=True)
    return ranked[0] if ranked else None
