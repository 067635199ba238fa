"""One vocabulary of offices: a canonical id, a bilingual name and the regional unit.

Rules name the offices they send a plot to by id (``data/offices.toml``); every
agency text of a result is written from here, so one office is always written the
same way and counts per office add up. An office with regional units (BPKH) is named
by its unit where the plot's province (BPS code) is known and listed, else by the
file's generic name ("BPKH (wilayah sesuai provinsi)"): no unit is invented.

Examples
--------
>>> book = load_offices()
>>> book.name("bpkh", "id", province="62")
'BPKH Wilayah XXI Palangka Raya'
>>> book.name("bpkh", "id", province="63")
'BPKH (wilayah sesuai provinsi)'
>>> book.name("kemenhut.planologi", "en")
'Ministry of Forestry (Directorate General of Forest Planning)'
>>> province_code("Kalimantan Tengah"), province_code(62.0), province_code("Atlantis")
('62', '62', None)
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lahan_geo.errors import RulesError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["LIST_SEPARATOR", "Office", "OfficeBook", "load_offices", "province_code"]

#: The separator the outputs put between list items: never inside a name or a rule text.
LIST_SEPARATOR = ";"

_FIELDS = ("name_id", "name_en", "units")

#: BPS province codes by name (lower case, punctuation folded), for plot lists that
#: carry a province name instead of a code.
_PROVINCES = {
    "aceh": "11", "sumatera utara": "12", "sumatera barat": "13", "riau": "14",
    "jambi": "15", "sumatera selatan": "16", "bengkulu": "17", "lampung": "18",
    "kepulauan bangka belitung": "19", "kepulauan riau": "21", "dki jakarta": "31",
    "jawa barat": "32", "jawa tengah": "33", "di yogyakarta": "34", "jawa timur": "35",
    "banten": "36", "bali": "51", "nusa tenggara barat": "52", "nusa tenggara timur": "53",
    "kalimantan barat": "61", "kalimantan tengah": "62", "kalimantan selatan": "63",
    "kalimantan timur": "64", "kalimantan utara": "65", "sulawesi utara": "71",
    "sulawesi tengah": "72", "sulawesi selatan": "73", "sulawesi tenggara": "74",
    "gorontalo": "75", "sulawesi barat": "76", "maluku": "81", "maluku utara": "82",
    "papua barat": "91", "papua": "94",
}


@dataclass(frozen=True)
class Office:
    """One office: its id, names and regional units (BPS province code -> unit name)."""

    id: str
    name_id: str
    name_en: str
    units: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OfficeBook:
    """The vocabulary of offices, loaded from ``offices.toml``."""

    version: str
    offices: dict[str, Office]

    def __contains__(self, office_id: object) -> bool:
        return office_id in self.offices

    def name(self, office_id: str, lang: str, province: str | None = None) -> str:
        """Return the office's name in ``lang`` ("id" or "en"), its unit where known."""
        office = self.offices[office_id]
        unit = dict(office.units).get(province) if province else None
        if unit:
            return unit
        return office.name_id if lang == "id" else office.name_en


def province_code(value: Any) -> str | None:
    """Return the BPS province code (two digits, text) of a code or a province name."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if value == int(value) and 11 <= value <= 99 else None
    text = str(value).strip()
    if re.fullmatch(r"\d{2}(\.0+)?", text):
        return text[:2]
    name = re.sub(r"[^a-z]+", " ", text.lower()).strip()
    name = re.sub(r"^(provinsi|prov)\s+", "", name)
    return _PROVINCES.get(name)


@cache
def load_offices() -> OfficeBook:
    """Load and check the shipped vocabulary of offices.

    Raises
    ------
    RulesError
        A name with the list separator, a missing name or an unknown field.
    """
    label = "lahan_geo/data/offices.toml"
    data = tomllib.loads(resources.files("lahan_geo.data").joinpath("offices.toml")
                        .read_text("utf-8"))
    offices = {}
    for office_id, spec in data.get("offices", {}).items():
        unknown = sorted(set(spec) - set(_FIELDS))
        if unknown:
            msg = f"{label}: office {office_id!r} has unknown field {unknown[0]!r}."
            raise RulesError(msg)
        units = {str(k): str(v) for k, v in spec.get("units", {}).items()}
        texts = [spec.get("name_id"), spec.get("name_en"), *units.values()]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            msg = f"{label}: office {office_id!r} needs name_id and name_en texts."
            raise RulesError(msg)
        if any(LIST_SEPARATOR in t for t in texts):
            msg = (f"{label}: office {office_id!r} has {LIST_SEPARATOR!r} in a name; it "
                   "separates list items in the outputs. Fix: use ',' or '/'.")
            raise RulesError(msg)
        offices[office_id] = Office(office_id, spec["name_id"], spec["name_en"],
                                    tuple(sorted(units.items())))
    return OfficeBook(str(data.get("version", "")), offices)
