"""Projected plot coordinates: read a CRS hint, convert to WGS 84, catch swapped axes.

Field teams and land offices write their coordinate system in many ways: an EPSG code,
a UTM zone ("49S", "UTM zone 50 S", "utm50s", "49M" as a Garmin shows it), the EPSG name
("WGS 84 / UTM zone 49S"), a national datum with a zone ("DGN95 / UTM 49S",
"SRGI2013 UTM 50S") or a cadastral TM-3 zone of BPN ("TM-3 49.2", "TM3 zone 50.1").
:func:`parse_crs_hint` turns each into a :class:`pyproj.CRS`; :func:`to_wgs84` converts
eastings and northings to longitude and latitude; :func:`plausible_projected` catches
values that cannot belong to the CRS (most often easting and northing swapped).

The EPSG codes below were read from the PROJ database that ships with pyproj (the tests
check every name against it):

- Indonesia TM-3 on DGN95: EPSG:23830 (zone 46.2) to EPSG:23845 (zone 54.1), 3° wide
  zones, scale 0.9999, false easting 200,000 m, false northing 1,500,000 m.
- DGN95 / UTM: EPSG:23866-23872 (46N-52N), EPSG:23877-23884 (47S-54S).
- SRGI2013 / UTM: EPSG:9476-9482 (46N-52N), EPSG:9487-9494 (47S-54S).
- ID74 / UTM: EPSG:23846-23852 (46N-52N), EPSG:23887-23894 (47S-54S).
- WGS 84 / UTM: EPSG:32601-32660 (north), EPSG:32701-32760 (south).
- Geographic: WGS 84 EPSG:4326, DGN95 EPSG:4755, SRGI2013 EPSG:9470, ID74 EPSG:4238.

EPSG has no TM-3 on SRGI2013; "SRGI2013 TM-3 49.2" is built from the DGN95 zone's
projection on the SRGI2013 datum (as BIG and BPN define it).

Examples
--------
>>> from lahan_geo.intake.projected import parse_crs_hint, to_wgs84
>>> parse_crs_hint("UTM zone 49 S").to_epsg()
32749
>>> lon, lat = to_wgs84(612_345.0, 9_723_456.0, "49S")
>>> round(float(lon), 5), round(float(lat), 5)
(112.01052, -2.50157)

"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyproj
from pyproj.exceptions import CRSError as PyprojCRSError
from pyproj.exceptions import ProjError

from lahan_geo.errors import CRSError
from lahan_geo.intake.coordinates import CoordinateParseError

__all__ = [
    "DATUM_GEOGRAPHIC_EPSG",
    "TM3_ZONES",
    "UTM_EPSG",
    "crs_hint_in_text",
    "parse_crs_hint",
    "plausible_projected",
    "to_wgs84",
]

#: Indonesian TM-3 zones (BPN cadastre) on DGN95, zone name -> EPSG code.
TM3_ZONES: dict[str, int] = {
    "46.2": 23830,
    "47.1": 23831,
    "47.2": 23832,
    "48.1": 23833,
    "48.2": 23834,
    "49.1": 23835,
    "49.2": 23836,
    "50.1": 23837,
    "50.2": 23838,
    "51.1": 23839,
    "51.2": 23840,
    "52.1": 23841,
    "52.2": 23842,
    "53.1": 23843,
    "53.2": 23844,
    "54.1": 23845,
}


def _zones(first_north: int, first_south: int) -> dict[tuple[int, str], int]:
    """Indonesian UTM zones of a national datum: 46N-52N and 47S-54S, consecutive codes."""
    table = {(zone, "N"): first_north + zone - 46 for zone in range(46, 53)}
    table.update({(zone, "S"): first_south + zone - 47 for zone in range(47, 55)})
    return table


#: UTM zones per datum, (zone, "N" or "S") -> EPSG code. WGS 84 covers zones 1-60.
UTM_EPSG: dict[str, dict[tuple[int, str], int]] = {
    "WGS 84": {
        **{(zone, "N"): 32600 + zone for zone in range(1, 61)},
        **{(zone, "S"): 32700 + zone for zone in range(1, 61)},
    },
    "DGN95": _zones(23866, 23877),
    "SRGI2013": _zones(9476, 9487),
    "ID74": _zones(23846, 23887),
}

#: Geographic (latitude/longitude) CRS of each datum.
DATUM_GEOGRAPHIC_EPSG: dict[str, int] = {
    "WGS 84": 4326,
    "DGN95": 4755,
    "SRGI2013": 9470,
    "ID74": 4238,
}

_ACCEPTED = (
    "an EPSG code ('EPSG:32749' or '32749'); a UTM zone ('49S', '49 S', 'UTM 49S', "
    "'UTM zone 50 S', 'utm50s', '50N', or a GPS band letter such as '49M'); a datum with a "
    "UTM zone ('WGS 84 / UTM zone 49S', 'DGN95 / UTM 49S', 'SRGI2013 UTM 50S', 'ID74 UTM "
    "49S'); a TM-3 zone ('TM-3 49.2', 'TM3 zone 50.1', 'SRGI2013 TM-3 49.2'); or a datum "
    "alone for latitude/longitude ('WGS84', 'DGN95', 'SRGI2013', 'ID74')"
)

_DATUM_PATTERNS = (
    ("WGS 84", re.compile(r"\bwgs\s*-?\s*(?:19)?84\b")),
    ("DGN95", re.compile(r"\bdgn\s*-?\s*(?:19)?95\b")),
    ("SRGI2013", re.compile(r"\bsrgi\s*-?\s*(?:20)?13\b|\bsrgi\b")),
    ("ID74", re.compile(r"\bid\s*-?\s*(?:19)?74\b")),
)
_EPSG_RE = re.compile(r"(?:epsg\s*(?:code)?\s*[:=]?\s*)?([0-9]{4,6})")
_TM3_RE = re.compile(r"tm\s*-?\s*3\b\s*(?:zone|zona)?\s*(?:([0-9]{2})(?:\s*[.,/-]\s*|\s+)([0-9]))?")
_UTM_RE = re.compile(r"(utm)?\s*(?:zone|zona)?\s*([0-9]{1,2})?\s*([a-z]*)")
_GEOGRAPHIC_WORDS = re.compile(
    r"\b(?:geographic|geografis|geodetic|geodetik|lat\s*/?\s*lon[g]?|lon[g]?\s*/?\s*lat"
    r"|latitude\s*/?\s*longitude|decimal degrees|derajat desimal|derajat|degrees?)\b"
)
_FILLER_RE = re.compile(r"\b(?:indonesia|projection|proyeksi|crs|sistem|koordinat)\b")
_NORTH = {"n", "north", "utara", "u", "lu"}
_SOUTH = {"s", "south", "selatan", "ls"}
# MGRS latitude bands as GPS receivers show them ("49M"); "S" is read as south, not band S.
_SOUTH_BANDS = set("cdefghjklm")
_NORTH_BANDS = set("npqrtuvwx")


def _fail(hint: object, problem: str) -> CRSError:
    msg = f"CRS {hint!r} {problem}. Fix: write {_ACCEPTED}."
    return CRSError(msg)


def _from_epsg(code: int, hint: object) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_epsg(code)
    except PyprojCRSError:
        raise _fail(hint, f"names EPSG:{code}, which is not in the PROJ database") from None


def _normalise(text: str) -> str:
    text = re.sub(r"[−–—‐‑_]", lambda m: " " if m.group() == "_" else "-", text)
    return re.sub(r"\s+", " ", text.casefold()).strip()


def _tm3(datum: str | None, zone: str, hint: object) -> pyproj.CRS:
    if zone not in TM3_ZONES:
        raise _fail(hint, f"names TM-3 zone {zone}; Indonesian zones are {', '.join(TM3_ZONES)}")
    crs = _from_epsg(TM3_ZONES[zone], hint)
    if datum in (None, "DGN95"):
        return crs
    if datum != "SRGI2013":
        raise _fail(hint, f"puts TM-3 on {datum}; TM-3 is defined on DGN95 and SRGI2013 only")
    spec = crs.to_json_dict()
    base = pyproj.CRS.from_epsg(DATUM_GEOGRAPHIC_EPSG["SRGI2013"]).to_json_dict()
    base.pop("$schema", None)
    spec["base_crs"] = base
    spec["name"] = f"SRGI2013 / Indonesia TM-3 zone {zone}"
    spec.pop("id", None)
    return pyproj.CRS.from_json_dict(spec)


def _utm(datum: str | None, zone: int, letters: str, hint: object) -> pyproj.CRS:
    if letters in _SOUTH or (len(letters) == 1 and letters in _SOUTH_BANDS):
        hemisphere = "S"
    elif letters in _NORTH or (len(letters) == 1 and letters in _NORTH_BANDS):
        hemisphere = "N"
    elif not letters:
        raise _fail(
            hint,
            f"gives UTM zone {zone} without a hemisphere; Indonesia uses both "
            f"{zone}S (south of the equator) and {zone}N",
        )
    else:
        raise _fail(hint, f"has {letters!r} where the hemisphere (S or N) should be")
    name = datum or "WGS 84"
    table = UTM_EPSG[name]
    if (zone, hemisphere) not in table:
        known = ", ".join(f"{z}{h}" for z, h in sorted(table, key=lambda k: (k[1], k[0])))
        raise _fail(
            hint, f"names UTM zone {zone}{hemisphere}, which {name} does not have ({known})"
        )
    return _from_epsg(table[(zone, hemisphere)], hint)


def parse_crs_hint(hint: str | int | pyproj.CRS) -> pyproj.CRS:
    """Turn a coordinate-system hint as people write it into a :class:`pyproj.CRS`.

    Parameters
    ----------
    hint : str, int or pyproj.CRS
        An EPSG code ("EPSG:32749", "32749", 32749); a UTM zone with its hemisphere
        ("49S", "49 S", "UTM 49S", "UTM zone 50 S", "50N", "utm50s", "UTM 49 selatan", or
        a GPS latitude band such as "49M" or "50L"); an EPSG name ("WGS 84 / UTM zone
        49S"); a datum with a zone ("DGN95 / UTM 49S", "SRGI2013 UTM 50S", "ID74 UTM
        49S"); an Indonesian TM-3 zone ("TM-3 49.2", "TM3 zone 50.1", "SRGI2013 TM-3
        49.2"); or a datum alone for latitude/longitude ("WGS84", "DGN95", "SRGI2013").
        A CRS, a WKT or PROJ string is passed through pyproj. A UTM zone without a
        datum is WGS 84; a TM-3 zone without a datum is DGN95 (as in EPSG).

    Returns
    -------
    pyproj.CRS
        The coordinate reference system.

    Raises
    ------
    lahan_geo.errors.CRSError
        If the hint is not understood, or names a zone that does not exist; the message
        lists the accepted writings.

    Notes
    -----
    A single letter after a UTM zone is read as a hemisphere (N, S) or, as GPS receivers
    show it, a latitude band: C-M are south of the equator, N-X north. "S" always means
    south: band S (32-40°N) is far from Indonesia.

    Examples
    --------
    >>> parse_crs_hint("utm50s").to_epsg()
    32750
    >>> parse_crs_hint("DGN95 / UTM 49S").name
    'DGN95 / UTM zone 49S'
    >>> parse_crs_hint("TM-3 49.2").to_epsg()
    23836
    >>> parse_crs_hint("SRGI2013").to_epsg()
    9470

    """
    if isinstance(hint, pyproj.CRS):
        return hint
    if isinstance(hint, (int, np.integer)) and not isinstance(hint, bool):
        return _from_epsg(int(hint), hint)
    if not isinstance(hint, str):
        msg = f"CRS {hint!r} is a {type(hint).__name__}, not text. Fix: write {_ACCEPTED}."
        raise CRSError(msg)
    text = _normalise(hint)
    if not text:
        raise _fail(hint, "is blank")
    match = _EPSG_RE.fullmatch(text)
    if match:
        return _from_epsg(int(match.group(1)), hint)
    if text.startswith(("+proj", "urn:", "projcs", "projcrs", "geogcs", "geogcrs", "{")):
        try:
            return pyproj.CRS.from_user_input(hint)
        except PyprojCRSError as err:
            raise _fail(hint, f"is not a CRS pyproj can read ({err})") from None

    datums = [(name, m) for name, pattern in _DATUM_PATTERNS if (m := pattern.search(text))]
    if len(datums) > 1:
        raise _fail(hint, f"names more than one datum ({', '.join(n for n, _ in datums)})")
    datum = datums[0][0] if datums else None
    if datums:
        found = datums[0][1]
        text = text[: found.start()] + " " + text[found.end() :]
    text = _FILLER_RE.sub(" ", text)
    geographic = bool(_GEOGRAPHIC_WORDS.search(text))
    text = _GEOGRAPHIC_WORDS.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" /,;:-()")

    if not text and (datum or geographic):
        return _from_epsg(DATUM_GEOGRAPHIC_EPSG[datum or "WGS 84"], hint)
    tm3 = _TM3_RE.fullmatch(text)
    if tm3:
        if not tm3.group(1):
            raise _fail(hint, "gives TM-3 without a zone such as 49.2")
        return _tm3(datum, f"{int(tm3.group(1))}.{tm3.group(2)}", hint)
    utm = _UTM_RE.fullmatch(text)
    if utm and (utm.group(1) or utm.group(2)):
        if not utm.group(2):
            raise _fail(hint, "gives UTM without a zone number such as 49S")
        zone = int(utm.group(2))
        if not 1 <= zone <= 60:
            raise _fail(hint, f"gives UTM zone {zone}; zones run from 1 to 60")
        return _utm(datum, zone, utm.group(3), hint)
    raise _fail(hint, "is not a coordinate system lahan_geo recognises")


def _as_crs(crs: str | int | pyproj.CRS) -> pyproj.CRS:
    return parse_crs_hint(crs)


def _as_array(values: npt.ArrayLike, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        msg = (
            f"{name} values {values!r} are not numbers. Fix: give eastings and northings "
            "in metres, e.g. 612345.6 and 9723456.7, with a point as decimal separator."
        )
        raise CoordinateParseError(msg, "unparseable", values) from None


def to_wgs84(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    crs: str | int | pyproj.CRS,
    *,
    on_invalid: Literal["raise", "nan"] = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``crs`` to WGS 84 longitude and latitude.

    Parameters
    ----------
    x, y : float or array_like
        Easting and northing in metres for a projected CRS, or longitude and latitude
        for a geographic one (always x first, whatever the CRS's axis order).
    crs : str, int or pyproj.CRS
        The source CRS, in any form :func:`parse_crs_hint` reads.
    on_invalid : {"raise", "nan"}, default "raise"
        What to do when a finite input cannot be converted: raise, or give NaN.
        NaN inputs always give NaN.

    Returns
    -------
    lon, lat : numpy.ndarray
        Float arrays of the broadcast shape of ``x`` and ``y`` (0-d for scalars).

    Raises
    ------
    lahan_geo.errors.CRSError
        If ``crs`` is not understood or pyproj cannot build the transformation.
    CoordinateParseError
        If ``x``/``y`` are not numbers or do not match in shape ("unparseable"), or a
        point cannot be converted and ``on_invalid="raise"`` ("out_of_range").

    Examples
    --------
    >>> lon, lat = to_wgs84([612_345.0, 400_000.0], [9_723_456.0, 9_800_000.0], "UTM 49S")
    >>> np.round(lon, 4), np.round(lat, 4)
    (array([112.0105, 110.1009]), array([-2.5016, -1.8092]))

    """
    if on_invalid not in ("raise", "nan"):
        msg = f"on_invalid must be 'raise' or 'nan', not {on_invalid!r}"
        raise ValueError(msg)
    source = _as_crs(crs)
    xs, ys = _as_array(x, "x (easting)"), _as_array(y, "y (northing)")
    try:
        xs, ys = np.broadcast_arrays(xs, ys)
    except ValueError:
        msg = (
            f"{xs.size} eastings and {ys.size} northings do not pair up. Fix: give one "
            "northing for every easting."
        )
        raise CoordinateParseError(msg, "unparseable", (x, y)) from None
    try:
        transformer = pyproj.Transformer.from_crs(source, "EPSG:4326", always_xy=True)
        lon, lat = transformer.transform(xs, ys, errcheck=False)
    except (ProjError, PyprojCRSError) as err:
        msg = f"Cannot convert from {source.name} to WGS 84 ({err}). Fix: check the CRS."
        raise CRSError(msg) from None
    lon = np.asarray(lon, dtype=float).reshape(xs.shape)
    lat = np.asarray(lat, dtype=float).reshape(xs.shape)
    bad = np.isfinite(xs) & np.isfinite(ys) & ~(np.isfinite(lon) & np.isfinite(lat))
    if bad.any():
        if on_invalid == "raise":
            first = int(np.flatnonzero(bad.ravel())[0])
            where = f" at position {first}" if bad.ndim else ""
            msg = (
                f"({xs.ravel()[first]:.10g}, {ys.ravel()[first]:.10g}){where} cannot be "
                f"converted from "
                f"{source.name} to WGS 84. Fix: check that the values are easting and "
                "northing in metres for this CRS, not swapped or in another zone."
            )
            raise CoordinateParseError(msg, "out_of_range", (x, y))
        lon = np.where(bad, np.nan, lon)
        lat = np.where(bad, np.nan, lat)
    return lon, lat


def plausible_projected(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    crs: str | int | pyproj.CRS,
    *,
    equator_margin_m: float = 900_000.0,
) -> bool:
    """Tell whether coordinates can belong to ``crs``; catches swapped easting/northing.

    Parameters
    ----------
    x, y : float or array_like
        Easting and northing (or longitude and latitude for a geographic CRS).
    crs : str, int or pyproj.CRS
        The CRS, in any form :func:`parse_crs_hint` reads.
    equator_margin_m : float, default 900,000
        How far past the equator a UTM zone is still used: provinces that straddle it
        (West Kalimantan, Central Sulawesi, North Maluku) are often mapped wholly in the
        south zone (northings a little above 10,000,000) or the north zone (slightly
        negative northings). 900 km is about 8° of latitude.

    Returns
    -------
    bool
        True when every point is plausible: for UTM, easting 100,000-900,000 and
        northing 1,000,000-10,000,000 in a south zone (0-9,400,000 north), widened by
        ``equator_margin_m`` across the equator; for other projected CRSs, the point
        falls within 1° of the CRS's area of use; for geographic CRSs, longitude within
        ±180 and latitude within ±90. NaN is never plausible.

    Notes
    -----
    A swap is always caught in a south zone (a northing near 9,700,000 is no easting).
    North of the equator in Indonesia both numbers are below 900,000 and a swap can go
    unseen; compare the converted point with the plot's district instead.

    Examples
    --------
    >>> plausible_projected(612_345.0, 9_723_456.0, "49S")
    True
    >>> plausible_projected(9_723_456.0, 612_345.0, "49S")
    False

    """
    source = _as_crs(crs)
    xs, ys = _as_array(x, "x (easting)"), _as_array(y, "y (northing)")
    try:
        xs, ys = np.broadcast_arrays(xs, ys)
    except ValueError:
        return False
    if xs.size == 0:
        return True
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return False
    if source.is_geographic:
        return bool((np.abs(xs) <= 180).all() and (np.abs(ys) <= 90).all())
    zone = source.utm_zone
    if zone:
        if zone.upper().endswith("S"):
            low, high = 1_000_000.0, 10_000_000.0 + equator_margin_m
        else:
            low, high = -equator_margin_m, 9_400_000.0
        eastings_ok = ((xs >= 100_000) & (xs <= 900_000)).all()
        return bool(eastings_ok and ((ys >= low) & (ys <= high)).all())
    lon, lat = to_wgs84(xs, ys, source, on_invalid="nan")
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return False
    area = source.area_of_use
    if area is None:
        return True
    west, south, east, north = area.bounds
    inside = (lon >= west - 1) & (lon <= east + 1) & (lat >= south - 1) & (lat <= north + 1)
    return bool(inside.all())


_TEXT_DATUM_RE = re.compile(r"\b(dgn\s*-?\s*95|srgi\s*-?\s*2013|id\s*-?\s*74|wgs\s*-?\s*84)\b")
_TEXT_TM3_RE = re.compile(r"\btm\s*-?\s*3\b[^0-9]{0,12}([0-9]{2})\s*[.,]\s*([12])\b")
_TEXT_UTM_RE = re.compile(
    r"\butm\b[^0-9]{0,12}([0-9]{2})\s*(selatan|utara|[ns]|[c-x])?\b"
    r"|\b(?:zona|zone)\s*(?:utm\s*)?([0-9]{2})\s*(selatan|utara|[ns])\b")


def crs_hint_in_text(text: str) -> str | None:
    """Find a coordinate system written in a header or title ("X (UTM 50S)", "DGN95").

    Returns a hint :func:`parse_crs_hint` reads, or None when the text names none.

    Examples
    --------
    >>> crs_hint_in_text("X (UTM 50S)"), crs_hint_in_text("Zona UTM 49 S")
    ('UTM 50S', 'UTM 49S')
    >>> crs_hint_in_text("WGS 84 / UTM zone 50S"), crs_hint_in_text("Datum: DGN95")
    ('WGS84 UTM 50S', 'DGN95')
    >>> crs_hint_in_text("Koordinat X/Y (TM-3 zona 50.1)"), crs_hint_in_text("Lintang") is None
    ('TM-3 50.1', True)
    """
    low = str(text).lower()
    datum_match = _TEXT_DATUM_RE.search(low)
    datum = re.sub(r"[\s-]", "", datum_match[1]).upper() if datum_match else None
    tm3 = _TEXT_TM3_RE.search(low)
    if tm3:
        return " ".join(filter(None, (datum if datum != "WGS84" else None,
                                      f"TM-3 {tm3[1]}.{tm3[2]}")))
    utm = _TEXT_UTM_RE.search(low)
    if utm:
        zone = utm[1] or utm[3]
        letter = (utm[2] or utm[4] or "").lower()
        if not letter:
            return None  # a zone without hemisphere is not guessed
        letter = {"selatan": "S", "utara": "N"}.get(letter, letter.upper())
        return " ".join(filter(None, (datum, f"UTM {zone}{letter}")))
    return datum
