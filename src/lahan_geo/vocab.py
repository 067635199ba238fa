"""The vocabulary every stage shares: forest functions, zone permissions, statuses.

Layers map their source codes onto these words, the rules and the explanations reason
in them, the writers label them; so they live on the floor, below all of those. The
statuses and their Indonesian labels are :mod:`lahan_geo.statuses`, the offices
:mod:`lahan_geo.offices`; both re-exported here.

Examples
--------
>>> FUNCTIONS_BY_RESTRICTION[0], "APL" in FOREST_ESTATE
('HK', False)
>>> sorted(["allowed", "protected"], key=PERMISSION_ORDER.index)
['protected', 'allowed']
"""

from __future__ import annotations

from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES, most_severe, severity

__all__ = [
    "FOREST_ESTATE",
    "FOREST_FUNCTION_NAMES_ID",
    "FUNCTIONS_BY_RESTRICTION",
    "PERMISSIONS",
    "PERMISSION_ORDER",
    "STATUSES",
    "STATUS_LABELS_ID",
    "ZONE_FOREST_FAMILY",
    "most_severe",
    "severity",
]

#: Forest functions from most to least restrictive; APL is outside the forest estate.
FUNCTIONS_BY_RESTRICTION: tuple[str, ...] = ("HK", "HL", "HPT", "HP", "HPK", "APL")

#: Functions that are part of the forest estate (everything but APL).
FOREST_ESTATE = frozenset({"HK", "HL", "HPT", "HP", "HPK"})

#: The Indonesian name of each forest function.
FOREST_FUNCTION_NAMES_ID: dict[str, str] = {
    "HK": "Hutan Konservasi",
    "HL": "Hutan Lindung",
    "HPT": "Hutan Produksi Terbatas",
    "HP": "Hutan Produksi Tetap",
    "HPK": "Hutan Produksi yang dapat Dikonversi",
    "APL": "Areal Penggunaan Lain",
}

#: What a zone class permits for an outlet, and the rule each leads to (the rules file
#: and ``zoning_classes.toml`` say which): allowed Z4 with the KKPR route K1-K3, kkpr Z2,
#: lp2b Z3, lsd Z3b-rtrw, forest (a forest-class zone, deferring to the forest-area
#: rules) Z1b/Z1d/Z1f, hazard Z1c, protected Z1.
PERMISSIONS = ("allowed", "kkpr", "lp2b", "lsd", "forest", "hazard", "protected")

#: Most severe permission first: a plot under two zones is described by the worse one.
PERMISSION_ORDER = ("protected", "lp2b", "forest", "lsd", "kkpr", "hazard", "allowed")

#: The forest functions a forest-class zone may restate; "HP" stands for the
#: production family (HP, HPT, HPK).
ZONE_FOREST_FAMILY = {"HK": ("HK",), "HL": ("HL",), "HP": ("HP", "HPT", "HPK")}
