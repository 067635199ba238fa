r"""Read one coordinate, or one latitude/longitude pair, in the writings field teams use.

Field teams send coordinates as decimal degrees with a point or a decimal comma, as
degrees-minutes-seconds (DMS) or degrees-decimal-minutes (DDM), with the hemisphere as
a sign or as a letter in front or behind (``S``/``N``/``E``/``W`` or the Indonesian
``LS``/``LU``/``BT``/``BB``: Lintang Selatan/Utara, Bujur Timur/Barat), with degree
signs, ordinal signs, curly quotes and doubled apostrophes. :func:`parse_coordinate`
reads one such value, :func:`parse_coordinate_pair` reads a single "Koordinat" cell
holding both, and :func:`format_coordinate` writes every supported writing back.

Every failure is a :class:`CoordinateParseError` (a
:class:`lahan_geo.errors.CoordinateError`) whose ``kind`` says what went wrong and whose
message quotes the value and says how to write it:

============================  ============================================================
``kind``                      meaning
============================  ============================================================
``"blank"``                   nothing written: empty text, spaces, ``None``, NaN, "nan",
                              "null", "none", "#N/A"
``"placeholder"``             someone wrote "no value": "-", "--", "?", "n/a", "na", "x",
                              "belum ada", "belum disurvei", "tidak ada", "tdk ada",
                              "kosong", ... and an exact zero that is not a latitude
``"unparseable"``             not a coordinate writing lahan_geo knows (including numbers
                              with thousands separators, which are never guessed)
``"out_of_range"``            minutes or seconds of 60 or more, a latitude beyond
                              ±90 or a longitude beyond ±180
``"hemisphere_conflict"``     a sign and a hemisphere letter that disagree ("-2.5 LU")
``"axis_conflict"``           a latitude letter where a longitude is expected, or the
                              reverse (also two latitudes in one pair)
============================  ============================================================

Zero. An exact 0 is what spreadsheets hold when nobody filled the cell, and 0° longitude
is in the Atlantic, so a zero longitude is a ``"placeholder"``. The equator does cross
Sumatra, Kalimantan, Sulawesi and Maluku, so a zero *latitude* is accepted. A zero whose
axis is unknown (no ``axis`` argument and no hemisphere letter) is a placeholder too;
pass ``axis="lat"`` to accept it.

Examples
--------
>>> from lahan_geo.intake.coordinates import parse_coordinate
>>> parsed = parse_coordinate("2°31'12.5\" LS")
>>> round(parsed.degrees, 6), parsed.axis, parsed.writing
(-2.520139, 'lat', 'dms')
>>> parse_coordinate("-2,5123").writing
'decimal_comma'

"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple, NoReturn, get_args

import numpy as np

from lahan_geo.errors import CoordinateError
from lahan_geo.intake.notes import Note

__all__ = [
    "INDONESIA_BOUNDS",
    "MAX_TEXT_LENGTH",
    "METRES_PER_DEGREE",
    "Axis",
    "CoordinateParseError",
    "ErrorKind",
    "HemisphereStyle",
    "ParsedCoordinate",
    "ParsedPair",
    "Writing",
    "empty_kind",
    "format_coordinate",
    "looks_indonesian",
    "parse_coordinate",
    "parse_coordinate_pair",
    "swap_if_unambiguous",
]

Axis = Literal["lat", "lon"]
Writing = Literal["decimal", "decimal_comma", "dms", "ddm"]
HemisphereStyle = Literal["letters", "indonesian", "sign"]
ErrorKind = Literal[
    "blank",
    "placeholder",
    "unparseable",
    "out_of_range",
    "hemisphere_conflict",
    "axis_conflict",
]

#: Metres in one degree of latitude; used for both axes (an upper bound near the equator).
METRES_PER_DEGREE = 111_320.0

#: Generous bounding box of Indonesia: (lat_min, lat_max, lon_min, lon_max).
INDONESIA_BOUNDS = (-11.5, 6.5, 94.5, 141.5)

#: Longer text is no coordinate (and is not searched for one).
MAX_TEXT_LENGTH = 200

_AXIS_NAME = {"lat": "latitude", "lon": "longitude", None: "coordinate"}
_AXIS_LIMIT = {"lat": 90.0, "lon": 180.0, None: 180.0}
_FIX = {
    "lat": "write the latitude as decimal degrees such as -2.52014, or as 2°31'12.5\" LS",
    "lon": "write the longitude as decimal degrees such as 112.27917, or as 112°16'45\" BT",
    None: (
        "write decimal degrees such as -2.52014 (latitude) or 112.27917 (longitude), "
        "or degrees-minutes-seconds such as 2°31'12.5\" LS"
    ),
}
_PAIR_FIX = (
    "write latitude then longitude separated by a comma, e.g. '-2.5123, 112.2345', "
    "or by a semicolon when using decimal commas, e.g. '-2,5123; 112,2345'"
)


class CoordinateParseError(CoordinateError):
    """A coordinate value could not be read; ``kind`` says why in machine-readable form.

    Parameters
    ----------
    message : str
        Human message quoting the value and saying how to write it.
    kind : str
        Machine-readable reason: "blank", "placeholder", "unparseable", "out_of_range",
        "hemisphere_conflict" or "axis_conflict".
    value : object
        The original value as received.

    Examples
    --------
    >>> from lahan_geo.intake.coordinates import CoordinateParseError, parse_coordinate
    >>> try:
    ...     parse_coordinate("belum ada")
    ... except CoordinateParseError as err:
    ...     print(err.kind, repr(err.value))
    placeholder 'belum ada'

    """

    def __init__(self, message: str, kind: ErrorKind, value: object) -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.value = value

    def __reduce__(self) -> tuple[type[CoordinateParseError], tuple[str, ErrorKind, object]]:
        return (type(self), (self.message, self.kind, self.value))


@dataclass(frozen=True)
class ParsedCoordinate:
    """One coordinate read from a field value.

    Attributes
    ----------
    degrees : float
        Signed decimal degrees; south and west are negative.
    axis : {"lat", "lon"} or None
        From the hemisphere letter when one was written, else from the ``axis`` argument.
    writing : {"decimal", "decimal_comma", "dms", "ddm"}
        How the value was written.
    hemisphere_given : bool
        Whether a hemisphere letter (S/N/E/W/LS/LU/BT/BB or the words) was written.
    uncertainty_m : float
        Half a unit of the last written digit, in metres (1° = 111,320 m on both axes).

    """

    degrees: float
    axis: Axis | None
    writing: Writing
    hemisphere_given: bool
    uncertainty_m: float


@dataclass(frozen=True)
class ParsedPair:
    """A latitude/longitude pair read from one "Koordinat" cell.

    Attributes
    ----------
    lat, lon : ParsedCoordinate
        The two coordinates, in latitude/longitude order whatever the written order.
    swapped : bool
        True when the cell was written longitude first and has been reordered.
    note : str or None
        Why the order was changed (hemisphere letters or magnitudes); None if it was not.

    """

    lat: ParsedCoordinate
    lon: ParsedCoordinate
    swapped: bool
    note: str | None


# --------------------------------------------------------------------------------------
# Normalisation and tokens
# --------------------------------------------------------------------------------------

_SPACE_RE = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]+")
_DEGREE_RE = re.compile("[°º˚ᵒ]")
_SECONDS_RE = re.compile("['’‘′´`]{2}|[\"”“″]")
_MINUTES_RE = re.compile("['’‘′´`]")
_MINUS_RE = re.compile("[−–—‐‑]")
_JOINED_WORDS = (
    (re.compile(r"lintang\s*selatan"), " ls "),
    (re.compile(r"lintang\s*utara"), " lu "),
    (re.compile(r"bujur\s*timur"), " bt "),
    (re.compile(r"bujur\s*barat"), " bb "),
)
_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<num>[0-9]+(?:[.,][0-9]+)?)|(?P<sign>[-+])|(?P<deg>°)"
    r"|(?P<sec>\")|(?P<min>')|(?P<word>[a-z]+)|(?P<colon>[:=])"
)
_MULTI_SEPARATOR_RE = re.compile(r"[0-9][.,][0-9]+[.,][0-9]")
_SCIENTIFIC_RE = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?e[-+]?[0-9]+")

_HEMISPHERES: dict[str, tuple[Axis, int]] = {
    "n": ("lat", 1),
    "north": ("lat", 1),
    "lu": ("lat", 1),
    "utara": ("lat", 1),
    "s": ("lat", -1),
    "south": ("lat", -1),
    "ls": ("lat", -1),
    "selatan": ("lat", -1),
    "e": ("lon", 1),
    "east": ("lon", 1),
    "bt": ("lon", 1),
    "timur": ("lon", 1),
    "w": ("lon", -1),
    "west": ("lon", -1),
    "bb": ("lon", -1),
    "barat": ("lon", -1),
}
_LABELS: dict[str, Axis] = {
    "lat": "lat",
    "latitude": "lat",
    "lintang": "lat",
    "lon": "lon",
    "long": "lon",
    "lng": "lon",
    "longitude": "lon",
    "bujur": "lon",
}
_UNIT_WORDS = {
    "d": "deg",
    "deg": "deg",
    "derajat": "deg",
    "m": "min",
    "min": "min",
    "menit": "min",
    "mnt": "min",
    "sec": "sec",
    "detik": "sec",
    "dtk": "sec",
}

_BLANK_WORDS = frozenset({"", "nan", "null", "none", "nil", "<na>", "nat", "#n/a", "#na"})
_PLACEHOLDER_WORDS = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "n.a",
        "belum",
        "belum ada",
        "blm ada",
        "belum disurvei",
        "belum di survei",
        "belum survei",
        "tidak ada",
        "tdk ada",
        "tidak tahu",
        "tdk tahu",
        "tidak diketahui",
        "kosong",
        "nihil",
    }
)
_PLACEHOLDER_RE = re.compile(r"[-–—_.?/\s]+|x+")


class _Token(NamedTuple):
    kind: str
    text: str
    glued: bool  # no whitespace between this token and the previous one


@dataclass(frozen=True)
class _Raw:
    """A coordinate read structurally, before axis, range and zero checks."""

    text: str
    degrees: float
    writing: Writing
    hemisphere_axis: Axis | None
    hemisphere_word: str | None
    label_axis: Axis | None
    uncertainty_m: float


def _quote(value: object) -> str:
    text = str(value)
    if len(text) > 2 * 40:
        text = f"{text[:40]}...{text[-20:]}"
    return f"'{text}'"


def _check_length(text: str, value: object, what: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        msg = (
            f"{what} {_quote(value)} is {len(text)} characters long, too long to be a "
            f"coordinate. Fix: put one coordinate per cell, e.g. -2.52014 or 2°31'12.5\" LS."
        )
        raise CoordinateParseError(msg, "unparseable", value)


def _normalise_spaces(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _blank_or_placeholder(text: str) -> ErrorKind | None:
    key = _normalise_spaces(text).casefold()
    if key in _BLANK_WORDS:
        return "blank"
    if key in _PLACEHOLDER_WORDS or _PLACEHOLDER_RE.fullmatch(key):
        return "placeholder"
    return None


def empty_kind(value: object) -> ErrorKind | None:
    """Tell whether a cell holds nothing ("blank") or a "no value" marker ("placeholder").

    Parameters
    ----------
    value : object
        A cell as read: text, a number, None or NaN.

    Returns
    -------
    {"blank", "placeholder"} or None
        None when the cell holds something else (which may still be unreadable).

    Examples
    --------
    >>> empty_kind(None), empty_kind("  "), empty_kind("belum ada"), empty_kind("-2.5")
    ('blank', 'blank', 'placeholder', None)
    """
    if _is_missing_scalar(value) or (isinstance(value, float) and math.isnan(value)):
        return "blank"
    if isinstance(value, str):
        return _blank_or_placeholder(value)
    return None


def _raise_empty(kind: ErrorKind, value: object, what: str, fix: str) -> NoReturn:
    if kind == "blank":
        msg = f"{what} {_quote(value)} is blank. Fix: {fix}."
    else:
        msg = (
            f"{what} {_quote(value)} is a placeholder, not a coordinate. "
            f"Fix: survey the plot and {fix}; leave the row out until then."
        )
    raise CoordinateParseError(msg, kind, value)


def _normalise(text: str) -> str:
    text = _normalise_spaces(text)
    text = _DEGREE_RE.sub("°", text)
    text = _SECONDS_RE.sub('"', text)
    text = _MINUTES_RE.sub("'", text)
    text = _MINUS_RE.sub("-", text)
    text = text.lower()
    for pattern, replacement in _JOINED_WORDS:
        text = pattern.sub(replacement, text)
    return _normalise_spaces(text)


def _where(value: object, text: str) -> str:
    """Name the value in a message: the whole value, or a part of a pair."""
    if str(value) == text:
        return f"Coordinate {_quote(value)}"
    return f"Coordinate pair {_quote(value)}, part {_quote(text)},"


def _unparseable(value: object, text: str, problem: str, axis: Axis | None) -> NoReturn:
    msg = f"{_where(value, text)} {problem}. Fix: {_FIX[axis]}."
    raise CoordinateParseError(msg, "unparseable", value)


def _tokenise(norm: str, text: str, value: object, axis: Axis | None) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    glued = True
    while pos < len(norm):
        match = _TOKEN_RE.match(norm, pos)
        if match is None:
            char = norm[pos]
            if char in ".," and _MULTI_SEPARATOR_RE.search(norm):
                _unparseable(
                    value,
                    text,
                    "has more than one decimal separator; lahan_geo never guesses "
                    "thousands separators",
                    axis,
                )
            _unparseable(value, text, f"contains {char!r}, which no coordinate writing uses", axis)
        kind = match.lastgroup or ""
        if kind == "ws":
            glued = False
        else:
            tokens.append(_Token(kind, match.group(), glued))
            glued = True
        pos = match.end()
    return tokens


def _number(text: str) -> tuple[float, int, bool]:
    """Return the value, the number of decimals and whether a decimal comma was used."""
    comma = "," in text
    _, _, fraction = text.replace(",", ".").partition(".")
    return float(text.replace(",", ".")), len(fraction), comma


def _parse_text(text: str, value: object, axis: Axis | None) -> _Raw:
    """Read the structure of one written coordinate; no range, axis or zero checks."""
    norm = _normalise(text)
    if _SCIENTIFIC_RE.fullmatch(norm):
        _unparseable(value, text, "is in scientific notation", axis)
    tokens = _tokenise(norm, text, value, axis)

    def fail(problem: str) -> NoReturn:
        _unparseable(value, text, problem, axis)

    sign: str | None = None
    hemisphere: str | None = None
    label: Axis | None = None
    i = 0
    # Prefix: sign, hemisphere letter, "lat:"-style label, in any order.
    while i < len(tokens) and tokens[i].kind != "num":
        tok = tokens[i]
        if tok.kind == "sign" and sign is None:
            sign = tok.text
        elif tok.kind == "word" and tok.text in _HEMISPHERES and hemisphere is None:
            hemisphere = tok.text
        elif tok.kind == "word" and tok.text in _LABELS and label is None and sign is None:
            label = _LABELS[tok.text]
            if i + 1 < len(tokens) and tokens[i + 1].kind == "colon":
                i += 1
        else:
            fail(f"has {tok.text!r} where a sign, hemisphere letter or number should be")
        i += 1
    # Numbers with their unit marks: degrees, minutes, seconds.
    numbers_: list[str] = []
    units: list[str | None] = []
    minutes_by_letter = False
    while i < len(tokens) and tokens[i].kind == "num":
        if len(numbers_) == 3:
            fail("has more than three numbers (degrees, minutes, seconds)")
        numbers_.append(tokens[i].text)
        units.append(None)
        i += 1
        if i == len(tokens):
            break
        tok = tokens[i]
        unit: str | None = None
        if tok.kind in ("deg", "min", "sec"):
            unit = tok.kind
        elif tok.kind == "word" and tok.text in _UNIT_WORDS:
            unit = _UNIT_WORDS[tok.text]
            minutes_by_letter = minutes_by_letter or unit == "min"
        elif tok.kind == "word" and tok.text == "s" and tok.glued:
            # "2d31m12.5s": in letter style a glued 's' after the seconds is the unit;
            # everywhere else 's' is the southern hemisphere.
            if len(numbers_) == 3 and minutes_by_letter:
                unit = "sec"
        if unit is not None:
            units[-1] = unit
            i += 1
    if not numbers_:
        fail("has no number")
    # Suffix: a hemisphere letter, unless one was already written in front.
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "word" and tok.text in _HEMISPHERES:
            if hemisphere is not None:
                fail("has two hemisphere letters")
            hemisphere = tok.text
        elif tok.kind == "num":
            fail("has a number after the hemisphere letter or sign")
        else:
            fail(f"has {tok.text!r} where only a hemisphere letter may follow")
        i += 1

    count = len(numbers_)
    allowed = (("deg", None), ("min", None), ("sec", None))
    for position, unit in enumerate(units):
        if unit not in allowed[position]:
            names = {"deg": "degree sign", "min": "minute mark", "sec": "seconds mark"}
            part = ("first", "second", "third")[position]
            fail(f"has a {names[unit or 'deg']} after the {part} number")
    parsed = [_number(n) for n in numbers_]
    if count >= 2 and parsed[0][1]:
        fail("has decimal degrees followed by minutes; degrees must be whole when minutes follow")
    if count == 3 and parsed[1][1]:
        fail("has decimal minutes followed by seconds; minutes must be whole when seconds follow")
    for (number, _, _), name in zip(parsed[1:], ("minutes", "seconds"), strict=False):
        if number >= 60:
            msg = (
                f"{_where(value, text)} has {name} {number:.10g}; {name} must be below 60. "
                f"Fix: {_FIX[axis]}."
            )
            raise CoordinateParseError(msg, "out_of_range", value)

    magnitude = parsed[0][0]
    if count >= 2:
        magnitude += parsed[1][0] / 60.0
    if count == 3:
        magnitude += parsed[2][0] / 3600.0
    writing: Writing
    if count == 1:
        writing = "decimal_comma" if parsed[0][2] else "decimal"
    else:
        writing = "ddm" if count == 2 else "dms"
    scale = (1.0, 1.0 / 60.0, 1.0 / 3600.0)[count - 1]
    uncertainty = 0.5 * 10.0 ** -parsed[-1][1] * scale * METRES_PER_DEGREE

    hemisphere_axis: Axis | None = None
    degrees = -magnitude if sign == "-" else magnitude
    if hemisphere is not None:
        hemisphere_axis, direction = _HEMISPHERES[hemisphere]
        if (sign == "-" and direction > 0) or (sign == "+" and direction < 0):
            wanted = "no sign" if direction > 0 else "no sign or a minus sign"
            msg = (
                f"{_where(value, text)} has the sign {sign!r} and the hemisphere "
                f"{hemisphere.upper()!r}, which contradict each other. Fix: write "
                f"either a hemisphere letter with {wanted}, or a signed number (south and "
                "west negative) without a letter."
            )
            raise CoordinateParseError(msg, "hemisphere_conflict", value)
        degrees = direction * magnitude
    return _Raw(
        text=text,
        degrees=degrees,
        writing=writing,
        hemisphere_axis=hemisphere_axis,
        hemisphere_word=hemisphere.upper() if hemisphere else None,
        label_axis=label,
        uncertainty_m=uncertainty,
    )


def _finish(raw: _Raw, axis: Axis | None, value: object) -> ParsedCoordinate:
    """Apply the axis, zero and range rules to a structurally read coordinate."""
    where = _where(value, raw.text)
    said = raw.hemisphere_axis or raw.label_axis
    if raw.hemisphere_axis and raw.label_axis and raw.hemisphere_axis != raw.label_axis:
        msg = (
            f"{where} is labelled a {_AXIS_NAME[raw.label_axis]} but its hemisphere "
            f"{raw.hemisphere_word!r} is a {_AXIS_NAME[raw.hemisphere_axis]}'s. "
            "Fix: latitudes take LS/LU (S/N), longitudes take BT/BB (E/W)."
        )
        raise CoordinateParseError(msg, "axis_conflict", value)
    if axis is not None and said is not None and said != axis:
        marker = f"hemisphere {raw.hemisphere_word!r}" if raw.hemisphere_word else "label"
        msg = (
            f"{where} is read as a {_AXIS_NAME[axis]}, but its {marker} makes it a "
            f"{_AXIS_NAME[said]}. Fix: check that latitude and longitude are not swapped; "
            "latitudes take LS/LU (S/N), longitudes take BT/BB (E/W)."
        )
        raise CoordinateParseError(msg, "axis_conflict", value)
    resolved: Axis | None = said or axis
    if raw.degrees == 0 and resolved != "lat":
        reason = (
            "0° longitude is in the Atlantic, so a zero longitude means 'not filled in'"
            if resolved == "lon"
            else "an exact zero usually means 'not filled in'; only a latitude "
            "(the equator) may be zero, so pass axis='lat' or write 0° LU"
        )
        msg = f"{where} is a placeholder: {reason}. Fix: {_FIX[resolved]}."
        raise CoordinateParseError(msg, "placeholder", value)
    limit = _AXIS_LIMIT[resolved]
    if not abs(raw.degrees) <= limit:
        hint = (
            " (Indonesian latitudes lie between about -11 and 6; check that latitude and "
            "longitude are not swapped)"
            if resolved == "lat"
            else ""
        )
        amount = f"{raw.degrees:.10g}°" if math.isfinite(raw.degrees) else "a huge number"
        msg = (
            f"{where} gives {amount}, outside -{limit:g}..{limit:g} for a "
            f"{_AXIS_NAME[resolved]}{hint}. Fix: {_FIX[resolved]}."
        )
        raise CoordinateParseError(msg, "out_of_range", value)
    return ParsedCoordinate(
        degrees=raw.degrees,
        axis=resolved,
        writing=raw.writing,
        hemisphere_given=raw.hemisphere_axis is not None,
        uncertainty_m=raw.uncertainty_m,
    )


def _is_missing_scalar(value: object) -> bool:
    if value is None:
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _check_axis(axis: object) -> None:
    if axis not in (None, "lat", "lon"):
        msg = f"axis must be 'lat', 'lon' or None, not {axis!r}"
        raise ValueError(msg)


def _from_number(value: numbers.Real, axis: Axis | None) -> ParsedCoordinate:
    try:
        number = float(value)
    except OverflowError:  # a huge int: out of range, reported by _finish
        number = -math.inf if value < 0 else math.inf
    if math.isnan(number):
        _raise_empty("blank", value, "Coordinate", _FIX[axis])
    if math.isinf(number) and not isinstance(value, numbers.Integral):
        _unparseable(value, str(value), "is infinite", axis)
    if isinstance(value, numbers.Integral):
        decimals = 0
    else:
        shown = np.format_float_positional(
            value if isinstance(value, np.floating) else number, trim="-"
        )
        decimals = len(shown.partition(".")[2])
        if isinstance(value, np.floating) and np.finfo(value.dtype).bits < 64:
            # float32 columns: read the digits that were written, not the binary value.
            number = float(shown)
    raw = _Raw(
        text=str(value),
        degrees=number,
        writing="decimal",
        hemisphere_axis=None,
        hemisphere_word=None,
        label_axis=None,
        uncertainty_m=0.5 * 10.0**-decimals * METRES_PER_DEGREE,
    )
    return _finish(raw, axis, value)


def parse_coordinate(value: object, axis: Axis | None = None) -> ParsedCoordinate:
    r"""Parse one coordinate value in any of the writings field teams use.

    Parameters
    ----------
    value : str, int or float
        The value as received: a Python or numpy number, or text such as ``"-2.5123"``,
        ``"-2,5123"``, ``"2°31'12.5\"S"``, ``"2° 31' 12,5\" LS"``, ``"2 31 12.5 S"``,
        ``"S 2°31.208'"``, ``"112°16'45\" BT"``, ``"2d31m12.5s S"`` or ``"2º31’12.5”S"``.
        Hemisphere letters S/N/E/W and LS/LU/BT/BB (or the words) may stand in front or
        behind, in any case.
    axis : {"lat", "lon"}, optional
        Which axis the value should be. Range checks use it; a hemisphere letter of the
        other axis is an ``"axis_conflict"``.

    Returns
    -------
    ParsedCoordinate
        Signed degrees, axis, writing, whether a hemisphere was given and the position
        uncertainty implied by the written precision.

    Raises
    ------
    CoordinateParseError
        With ``kind`` "blank", "placeholder", "unparseable", "out_of_range",
        "hemisphere_conflict" or "axis_conflict"; the message quotes the value and says
        how to write it.

    Notes
    -----
    Thousands separators are never guessed: ``"112.345.678"`` is an error. An exact zero
    is accepted only as a latitude (see the module notes). A minus sign together with a
    matching letter (``"-2.5 LS"``) is read as south, not doubly negated.

    Examples
    --------
    >>> p = parse_coordinate("112°16'45\" BT")
    >>> round(p.degrees, 6), p.axis, p.hemisphere_given
    (112.279167, 'lon', True)
    >>> p = parse_coordinate("-2.5", axis="lat")
    >>> p.degrees, round(p.uncertainty_m)
    (-2.5, 5566)
    >>> parse_coordinate("S 2°31.208'").writing
    'ddm'
    >>> try:
    ...     parse_coordinate("-2.5 LU")
    ... except CoordinateParseError as err:
    ...     print(err.kind)
    ...     print(err)
    hemisphere_conflict
    Coordinate '-2.5 LU' has the sign '-' and the hemisphere 'LU', which contradict each
    other. Fix: write either a hemisphere letter with no sign, or a signed number ...

    """
    _check_axis(axis)
    if _is_missing_scalar(value):
        _raise_empty("blank", value, "Coordinate", _FIX[axis])
    if isinstance(value, Decimal):
        value_text = str(value)
        if not value.is_finite():
            _raise_empty("blank", value, "Coordinate", _FIX[axis])
        return _from_text(value_text, value, axis)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _from_number(value, axis)
    if isinstance(value, str):
        return _from_text(value, value, axis)
    msg = (
        f"Coordinate {_quote(value)} is a {type(value).__name__}, not a number or text. "
        f"Fix: {_FIX[axis]}."
    )
    raise CoordinateParseError(msg, "unparseable", value)


_PLAIN_DECIMAL_RE = re.compile(r"([-+]?)([0-9]{1,3})(?:([.,])([0-9]+))?")


def _from_plain_decimal(text: str, value: object, axis: Axis | None) -> ParsedCoordinate | None:
    """Fast path for the common "-2.512345" / "112,2345": the same result, no tokenizer."""
    match = _PLAIN_DECIMAL_RE.fullmatch(text.strip())
    if match is None:
        return None
    sign, whole, separator, fraction = match.groups()
    fraction = fraction or ""
    magnitude = float(f"{whole}.{fraction}" if fraction else whole)
    raw = _Raw(
        text=text,
        degrees=-magnitude if sign == "-" else magnitude,
        writing="decimal_comma" if separator == "," else "decimal",
        hemisphere_axis=None,
        hemisphere_word=None,
        label_axis=None,
        uncertainty_m=0.5 * 10.0 ** -len(fraction) * METRES_PER_DEGREE,
    )
    return _finish(raw, axis, value)


def _from_text(text: str, value: object, axis: Axis | None) -> ParsedCoordinate:
    _check_length(text, value, "Coordinate")
    fast = _from_plain_decimal(text, value, axis)
    if fast is not None:
        return fast
    empty = _blank_or_placeholder(text)
    if empty is not None:
        _raise_empty(empty, value, "Coordinate", _FIX[axis])
    try:
        raw = _parse_text(text, value, axis)
    except CoordinateParseError as err:
        if err.kind == "unparseable" and _split_pair(text, value):
            msg = (
                f"Coordinate {_quote(value)} holds two coordinates (a latitude/longitude "
                "pair). Fix: put latitude and longitude in separate columns, or read the "
                "cell with parse_coordinate_pair."
            )
            raise CoordinateParseError(msg, "unparseable", value) from None
        raise
    return _finish(raw, axis, value)


# --------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------

_PAIR_SEPARATOR_RE = re.compile(r"\s*[;,/|]\s*|\s+")
_PREFERRED_SEPARATORS = (
    re.compile(r"\s*;\s*"),
    re.compile(r"\s*[,/|]\s+"),
    re.compile(r"\s*[,/|]\s*"),
    re.compile(r"\s+"),
)
_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _split_pair(text: str, value: object) -> list[tuple[_Raw, _Raw]]:
    """Return every split of ``text`` into two structurally valid coordinates."""
    found: list[tuple[_Raw, _Raw]] = []
    for match in _PAIR_SEPARATOR_RE.finditer(text):
        if match.start() == 0 or match.end() == len(text):
            continue
        try:
            first = _parse_text(text[: match.start()], value, None)
            second = _parse_text(text[match.end() :], value, None)
        except CoordinateParseError:
            continue
        found.append((first, second))
    return found


def _strip_brackets(text: str) -> str:
    text = _normalise_spaces(text)
    if len(text) >= 2 and _BRACKETS.get(text[0]) == text[-1]:
        return _normalise_spaces(text[1:-1])
    return text


def parse_coordinate_pair(value: object) -> ParsedPair:
    r"""Parse a single "Koordinat" cell holding a latitude and a longitude.

    Parameters
    ----------
    value : str
        For example ``"-2.5123, 112.2345"``, ``"-2,5123; 112,2345"``,
        ``"-2,5123 112,2345"``, ``"2°31'12.5\"S 112°16'45\"E"``,
        ``"112°16'45\" BT, 2°31'12.5\" LS"``, ``"(-2.5123, 112.2345)"`` or
        ``"2.5123 LS 112.2345 BT"``.

    Returns
    -------
    ParsedPair
        Latitude and longitude (in that order), and whether and why they were reordered.

    Raises
    ------
    CoordinateParseError
        As :func:`parse_coordinate`; also "unparseable" when the cell holds one coordinate
        or can be split in more than one way, and "axis_conflict" when both halves carry
        latitude (or both longitude) letters.

    Notes
    -----
    Hemisphere letters decide the order when present. Without letters the first value is
    taken as the latitude, except when that is impossible and the reverse is not (first
    value beyond ±90, second within ±90): then the pair is reordered, ``swapped`` is True
    and ``note`` says so. The order is never changed silently.

    Examples
    --------
    >>> pair = parse_coordinate_pair("-2.5123, 112.2345")
    >>> pair.lat.degrees, pair.lon.degrees, pair.swapped
    (-2.5123, 112.2345, False)
    >>> pair = parse_coordinate_pair("112,2345; -2,5123")
    >>> pair.lat.degrees, pair.swapped
    (-2.5123, True)
    >>> print(pair.note)
    written longitude first: 112,2345 cannot be a latitude, so the values were swapped

    A Google Maps link, or a location shared on WhatsApp, gives its coordinates:

    >>> pair = parse_coordinate_pair("https://www.google.com/maps/@-3.43,112.17,17z")
    >>> pair.lat.degrees, pair.lon.degrees
    (-3.43, 112.17)
    >>> parse_coordinate_pair("https://maps.google.com/?q=-3.43012,112.17034").lat.degrees
    -3.43012

    """
    if _is_missing_scalar(value) or (isinstance(value, float) and math.isnan(value)):
        _raise_empty("blank", value, "Coordinate pair", _PAIR_FIX)
    if not isinstance(value, str):
        msg = (
            f"Coordinate pair {_quote(value)} is a {type(value).__name__}, not text "
            f"holding two coordinates. Fix: {_PAIR_FIX}."
        )
        raise CoordinateParseError(msg, "unparseable", value)
    linked = _from_link(value)
    if linked is not None:
        pair = parse_coordinate_pair(linked[0])
        return ParsedPair(pair.lat, pair.lon, pair.swapped, Note(*linked[1]))
    _check_length(value, value, "Coordinate pair")
    empty = _blank_or_placeholder(value)
    if empty is not None:
        _raise_empty(empty, value, "Coordinate pair", _PAIR_FIX)
    text = _strip_brackets(value)
    splits = _split_pair(text, value)
    if not splits:
        _raise_no_split(text, value)
    if len(splits) > 1:
        readings = " or ".join(f"({a.text} | {b.text})" for a, b in splits[:3])
        msg = (
            f"Coordinate pair {_quote(value)} can be split in more than one way: {readings}. "
            f"Fix: {_PAIR_FIX}."
        )
        raise CoordinateParseError(msg, "unparseable", value)
    first, second = splits[0]
    swapped, note = _pair_order(first, second, value)
    lat_raw, lon_raw = (second, first) if swapped else (first, second)
    if lat_raw.degrees == 0 and lon_raw.degrees == 0:
        msg = (
            f"Coordinate pair {_quote(value)} is the placeholder (0, 0), not a plot "
            f"location. Fix: survey the plot and {_PAIR_FIX}."
        )
        raise CoordinateParseError(msg, "placeholder", value)
    return ParsedPair(
        lat=_finish(lat_raw, "lat", value),
        lon=_finish(lon_raw, "lon", value),
        swapped=swapped,
        note=note,
    )


#: Longest map link or shared-location message searched for coordinates.
MAX_LINK_LENGTH = 2000

_NUMBER = r"([-+]?[0-9]{1,3}(?:\.[0-9]+)?)"
_LINK_PATTERNS = (
    re.compile(rf"[?&](?:q|query|ll|center|destination|daddr|sll)=(?:loc:)?\s*{_NUMBER}"
               rf"\s*(?:,|%2C)\s*(?:\+|%20)?{_NUMBER}", re.IGNORECASE),
    re.compile(rf"/@{_NUMBER},{_NUMBER}(?:,|$|/)"),
    re.compile(rf"/(?:place|search|dir)/{_NUMBER}(?:,|%2C)\s*(?:\+|%20)?{_NUMBER}",
               re.IGNORECASE),
    re.compile(rf"\bgeo:{_NUMBER},{_NUMBER}", re.IGNORECASE),
)
_SHORT_LINK_RE = re.compile(r"\b(maps\.app\.goo\.gl|goo\.gl/maps|g\.co/kgs)/\S*", re.IGNORECASE)
_SHARED_TEXT_RE = re.compile(
    rf"^[^0-9:+-]{{0,60}}:\s*{_NUMBER}\s*,\s*{_NUMBER}\s*$")


def _from_link(value: str) -> tuple[str, tuple[str, str]] | None:
    """Return ("lat, lon", note) from a map link or a shared location text; None if neither.

    Raises
    ------
    CoordinateParseError
        For a short link (maps.app.goo.gl), which only the internet can resolve.
    """
    text = value.strip()
    if len(text) > MAX_LINK_LENGTH or not re.search(r"https?://|geo:|maps|:", text, re.I):
        return None
    for pattern in _LINK_PATTERNS:
        match = pattern.search(text)
        if match is not None:
            return f"{match[1]}, {match[2]}", (
                f"coordinates read from the map link {_quote(value)}",
                f"koordinat dibaca dari tautan peta {_quote(value)}")
    short = _SHORT_LINK_RE.search(text)
    if short is not None:
        msg = (
            f"Coordinate pair {_quote(value)} is a short map link ({short[1]}), which names "
            "no coordinates and cannot be resolved without the internet. Fix: open the link, "
            "tap the red pin and copy the coordinates it shows (e.g. '-3.43012, 112.17034') "
            "into the cell."
        )
        raise CoordinateParseError(msg, "unparseable", value)
    match = _SHARED_TEXT_RE.match(text)
    if match is not None and not re.search(r"[0-9]", text[: match.start(1)]):
        return f"{match[1]}, {match[2]}", (
            f"coordinates read from the shared location text {_quote(value)}",
            f"koordinat dibaca dari teks lokasi yang dibagikan {_quote(value)}")
    return None


def _raise_no_split(text: str, value: object) -> NoReturn:
    try:
        _parse_text(text, value, None)
    except CoordinateParseError:
        pass
    else:
        msg = f"Coordinate pair {_quote(value)} holds only one coordinate. Fix: {_PAIR_FIX}."
        raise CoordinateParseError(msg, "unparseable", value)
    for separator in _PREFERRED_SEPARATORS:
        match = separator.search(text)
        if match is None or match.start() == 0 or match.end() == len(text):
            continue
        for part in (text[: match.start()], text[match.end() :]):
            try:
                _parse_text(part, value, None)
            except CoordinateParseError:
                raise
    msg = f"Coordinate pair {_quote(value)} is not a latitude and a longitude. Fix: {_PAIR_FIX}."
    raise CoordinateParseError(msg, "unparseable", value)


def _pair_order(first: _Raw, second: _Raw, value: object) -> tuple[bool, str | None]:
    """Decide whether a pair was written longitude first."""
    axis_first = first.hemisphere_axis or first.label_axis
    axis_second = second.hemisphere_axis or second.label_axis
    if axis_first and axis_second and axis_first == axis_second:
        name = _AXIS_NAME[axis_first]
        msg = (
            f"Coordinate pair {_quote(value)}: both {_quote(first.text)} and "
            f"{_quote(second.text)} are marked as a {name}. Fix: {_PAIR_FIX}; latitudes "
            "take LS/LU (S/N), longitudes take BT/BB (E/W)."
        )
        raise CoordinateParseError(msg, "axis_conflict", value)
    if axis_first or axis_second:
        swapped = axis_first == "lon" or axis_second == "lat"
        note = (
            "written longitude first (recognised by the hemisphere letters or labels), "
            "reordered to latitude, longitude"
            if swapped
            else None
        )
        return swapped, note
    if abs(first.degrees) > 90 >= abs(second.degrees):
        note = (
            f"written longitude first: {first.text} cannot be a latitude, "
            "so the values were swapped"
        )
        return True, note
    return False, None


# --------------------------------------------------------------------------------------
# Formatting and plausibility
# --------------------------------------------------------------------------------------

_DEFAULT_DECIMALS = {"decimal": 6, "decimal_comma": 6, "ddm": 4, "dms": 2}
_LETTERS = {
    "letters": {"lat": ("N", "S"), "lon": ("E", "W")},
    "indonesian": {"lat": ("LU", "LS"), "lon": ("BT", "BB")},
}


def _round_half_up(value: float) -> int:
    """Round a non-negative number half up, ignoring float noise below 1e-6 of a unit."""
    return math.floor(round(value, 6) + 0.5)


def format_coordinate(
    degrees: float,
    axis: Axis | None,
    writing: Writing = "decimal",
    *,
    decimals: int | None = None,
    hemisphere_style: HemisphereStyle = "letters",
    decimal_comma: bool = False,
) -> str:
    r"""Write a coordinate in one of the writings :func:`parse_coordinate` reads.

    Parameters
    ----------
    degrees : float
        Signed decimal degrees (south and west negative).
    axis : {"lat", "lon"} or None
        Needed for hemisphere letters and the range check; may be None with
        ``hemisphere_style="sign"``.
    writing : {"decimal", "decimal_comma", "dms", "ddm"}, default "decimal"
        Decimal degrees, decimal degrees with a decimal comma, degrees-minutes-seconds
        or degrees-decimal-minutes.
    decimals : int, optional
        Decimals of the last part: degrees (default 6), minutes for "ddm" (default 4),
        seconds for "dms" (default 2).
    hemisphere_style : {"letters", "indonesian", "sign"}, default "letters"
        ``N/S/E/W`` behind the value, ``LU/LS/BT/BB`` behind the value, or a leading
        minus sign for south and west.
    decimal_comma : bool, default False
        Write the decimal separator as a comma (implied by ``writing="decimal_comma"``).

    Returns
    -------
    str
        The written coordinate.

    Raises
    ------
    CoordinateParseError
        If ``degrees`` is not finite ("blank") or outside the axis range ("out_of_range").
    ValueError
        If an option is not one of the allowed values.

    Examples
    --------
    >>> format_coordinate(-2.5201389, "lat", "dms")
    '2°31\'12.50" S'
    >>> format_coordinate(-2.5201389, "lat", "ddm", hemisphere_style="indonesian")
    "2°31.2083' LS"
    >>> format_coordinate(112.2345, "lon", "decimal_comma", decimals=4, hemisphere_style="sign")
    '112,2345'

    """
    _check_axis(axis)
    if writing not in get_args(Writing):
        msg = f"writing must be one of {get_args(Writing)}, not {writing!r}"
        raise ValueError(msg)
    if hemisphere_style not in get_args(HemisphereStyle):
        allowed = get_args(HemisphereStyle)
        msg = f"hemisphere_style must be one of {allowed}, not {hemisphere_style!r}"
        raise ValueError(msg)
    if hemisphere_style != "sign" and axis is None:
        msg = "hemisphere letters need an axis; pass axis='lat' or 'lon', or use style 'sign'"
        raise ValueError(msg)
    places = _DEFAULT_DECIMALS[writing] if decimals is None else decimals
    if not isinstance(places, int) or isinstance(places, bool) or places < 0:
        msg = f"decimals must be a non-negative int, not {decimals!r}"
        raise ValueError(msg)
    value = float(degrees)
    if not math.isfinite(value):
        _raise_empty("blank", degrees, "Coordinate", _FIX[axis])
    limit = _AXIS_LIMIT[axis]
    if abs(value) > limit:
        msg = (
            f"Coordinate {_quote(degrees)} is outside -{limit:g}..{limit:g} for a "
            f"{_AXIS_NAME[axis]} and cannot be formatted. Fix: {_FIX[axis]}."
        )
        raise CoordinateParseError(msg, "out_of_range", degrees)

    magnitude = abs(value)
    scale = 10**places
    if writing in ("decimal", "decimal_comma"):
        body = f"{magnitude:.{places}f}"
        is_zero = float(body) == 0
    elif writing == "ddm":
        units = _round_half_up(magnitude * 60 * scale)
        whole, minutes = divmod(units, 60 * scale)
        body = f"{whole}°{minutes / scale:.{places}f}'"
        is_zero = units == 0
    else:
        units = _round_half_up(magnitude * 3600 * scale)
        whole, rest = divmod(units, 3600 * scale)
        minutes, seconds = divmod(rest, 60 * scale)
        body = f"{whole}°{minutes}'{seconds / scale:.{places}f}\""
        is_zero = units == 0
    if decimal_comma or writing == "decimal_comma":
        body = body.replace(".", ",")
    negative = value < 0 and not is_zero
    if hemisphere_style == "sign":
        return f"-{body}" if negative else body
    assert axis is not None  # checked above
    positive_letter, negative_letter = _LETTERS[hemisphere_style][axis]
    return f"{body} {negative_letter if negative else positive_letter}"


def looks_indonesian(lat: float, lon: float) -> bool:
    """Tell whether a point lies in a generous bounding box of Indonesia.

    The box is latitude -11.5..6.5 and longitude 94.5..141.5 (:data:`INDONESIA_BOUNDS`).

    Parameters
    ----------
    lat, lon : float
        Decimal degrees.

    Returns
    -------
    bool
        True inside the box; False outside it or for NaN.

    Examples
    --------
    >>> looks_indonesian(-2.5, 112.2)
    True
    >>> looks_indonesian(112.2, -2.5)
    False

    """
    lat_min, lat_max, lon_min, lon_max = INDONESIA_BOUNDS
    return bool(lat_min <= float(lat) <= lat_max and lon_min <= float(lon) <= lon_max)


def swap_if_unambiguous(lat: float, lon: float) -> tuple[float, float, bool]:
    """Swap latitude and longitude when only the swapped point lies in Indonesia.

    Parameters
    ----------
    lat, lon : float
        Decimal degrees as received.

    Returns
    -------
    tuple of (float, float, bool)
        ``(lat, lon, False)`` unchanged, or ``(lon, lat, True)`` when (lat, lon) is outside
        Indonesia but (lon, lat) is inside (see :func:`looks_indonesian`).

    Examples
    --------
    >>> swap_if_unambiguous(112.2, -2.5)
    (-2.5, 112.2, True)
    >>> swap_if_unambiguous(-2.5, 112.2)
    (-2.5, 112.2, False)

    """
    if not looks_indonesian(lat, lon) and looks_indonesian(lon, lat):
        return lon, lat, True
    return lat, lon, False
