"""Tests for lahan_geo.intake.coordinates: every writing field teams send, and the errors."""

from __future__ import annotations

import math
import pickle
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lahan_geo.errors import CoordinateError, InputError
from lahan_geo.intake.coordinates import (
    METRES_PER_DEGREE,
    CoordinateParseError,
    ParsedCoordinate,
    ParsedPair,
    format_coordinate,
    looks_indonesian,
    parse_coordinate,
    parse_coordinate_pair,
    swap_if_unambiguous,
)

DMS_S = -(2 + 31 / 60 + 12.5 / 3600)  # 2°31'12.5" S
DMS_E = 112 + 16 / 60 + 45 / 3600  # 112°16'45" E
DDM_S = -(2 + 31.208 / 60)  # 2°31.208' S
ARCSEC_005 = 0.05 / 3600

# value, axis argument, expected degrees, expected axis, writing, hemisphere given
WRITINGS = [
    # decimal degrees, point
    ("-2.5123", None, -2.5123, None, "decimal", False),
    ("112.2345", None, 112.2345, None, "decimal", False),
    ("  -2.5123  ", None, -2.5123, None, "decimal", False),
    ("\u00a0-2.5123\t", None, -2.5123, None, "decimal", False),
    ("+2.5", None, 2.5, None, "decimal", False),
    ("−2.5123", None, -2.5123, None, "decimal", False),  # U+2212 minus sign
    ("-2.5123°", None, -2.5123, None, "decimal", False),
    ("112", "lon", 112.0, "lon", "decimal", False),
    ("2.5123 S", None, -2.5123, "lat", "decimal", True),
    ("2.5123S", None, -2.5123, "lat", "decimal", True),
    ("S 2.5123", None, -2.5123, "lat", "decimal", True),
    ("s2.5123", None, -2.5123, "lat", "decimal", True),
    ("2.5123 LS", None, -2.5123, "lat", "decimal", True),
    ("2.5123 ls", None, -2.5123, "lat", "decimal", True),
    ("LS 2.5123", None, -2.5123, "lat", "decimal", True),
    ("1.25 LU", None, 1.25, "lat", "decimal", True),
    ("1.25 N", None, 1.25, "lat", "decimal", True),
    ("112.2345 BT", None, 112.2345, "lon", "decimal", True),
    ("112.2345 E", None, 112.2345, "lon", "decimal", True),
    ("e 112.2345", None, 112.2345, "lon", "decimal", True),
    ("112.2345 BB", None, -112.2345, "lon", "decimal", True),
    ("112.2345 W", None, -112.2345, "lon", "decimal", True),
    ("2.5123 Lintang Selatan", None, -2.5123, "lat", "decimal", True),
    ("112.2345 Bujur Timur", None, 112.2345, "lon", "decimal", True),
    ("-2.5 LS", None, -2.5, "lat", "decimal", True),  # redundant minus: still south
    ("Lat: -2.5123", None, -2.5123, "lat", "decimal", False),
    ("0", "lat", 0.0, "lat", "decimal", False),  # the equator
    ("0.0 LU", None, 0.0, "lat", "decimal", True),
    # decimal comma
    ("-2,5123", None, -2.5123, None, "decimal_comma", False),
    ("112,2345", None, 112.2345, None, "decimal_comma", False),
    ("2,5123 LS", None, -2.5123, "lat", "decimal_comma", True),
    # degrees-minutes-seconds
    ("2°31'12.5\"S", None, DMS_S, "lat", "dms", True),
    ("2° 31' 12,5\" LS", None, DMS_S, "lat", "dms", True),
    ("2 31 12.5 S", None, DMS_S, "lat", "dms", True),
    ("-2°31'12.5\"", None, DMS_S, None, "dms", False),
    ("2d31m12.5s S", None, DMS_S, "lat", "dms", True),
    ("2d 31m 12.5s S", None, DMS_S, "lat", "dms", True),
    ("2º31’12.5”S", None, DMS_S, "lat", "dms", True),  # ordinal º, curly quotes
    ("2°31'12.5''S", None, DMS_S, "lat", "dms", True),  # doubled single quotes
    ("2°31’12.5’’ S", None, DMS_S, "lat", "dms", True),
    ("2˚31′12.5″S", None, DMS_S, "lat", "dms", True),  # ring above, primes
    ("S 2°31'12.5\"", None, DMS_S, "lat", "dms", True),
    ("ls 2°31'12.5\"", None, DMS_S, "lat", "dms", True),
    ("2 deg 31 min 12.5 sec S", None, DMS_S, "lat", "dms", True),
    ("2 derajat 31 menit 12,5 detik LS", None, DMS_S, "lat", "dms", True),
    ("112°16'45\" BT", None, DMS_E, "lon", "dms", True),
    ("112°16'45\"E", None, DMS_E, "lon", "dms", True),
    ("bt 112°16'45\"", None, DMS_E, "lon", "dms", True),
    ("112°16'45\" BB", None, -DMS_E, "lon", "dms", True),
    ("112 16 45", "lon", DMS_E, "lon", "dms", False),
    # degrees-decimal-minutes
    ("S 2°31.208'", None, DDM_S, "lat", "ddm", True),
    ("2°31.208' S", None, DDM_S, "lat", "ddm", True),
    ("2°31,208' LS", None, DDM_S, "lat", "ddm", True),
    ("-2 31.208", None, DDM_S, None, "ddm", False),
    ("112° 16.75' E", None, DMS_E, "lon", "ddm", True),
    ("112°16.75'", "lon", DMS_E, "lon", "ddm", False),
]


@pytest.mark.parametrize(
    ("value", "axis", "degrees", "parsed_axis", "writing", "hemisphere"), WRITINGS
)
def test_writings(value, axis, degrees, parsed_axis, writing, hemisphere):
    parsed = parse_coordinate(value, axis=axis)
    assert isinstance(parsed, ParsedCoordinate)
    assert parsed.degrees == pytest.approx(degrees, abs=1e-9)
    assert parsed.axis == parsed_axis
    assert parsed.writing == writing
    assert parsed.hemisphere_given is hemisphere


def test_writing_table_is_large():
    assert len(WRITINGS) >= 40


@pytest.mark.parametrize(
    ("value", "degrees"),
    [
        (-2.5123, -2.5123),
        (112, 112.0),
        (np.float64(-2.5123), -2.5123),
        (np.float32(-2.52345), -2.52345),  # the written digits, not the binary float32
        (np.int64(112), 112.0),
        (Decimal("-2.5123"), -2.5123),
    ],
)
def test_numbers(value, degrees):
    parsed = parse_coordinate(value)
    assert parsed.degrees == pytest.approx(degrees, abs=1e-9)
    assert parsed.writing == "decimal"
    assert parsed.hemisphere_given is False


def test_axis_argument_is_kept():
    assert parse_coordinate("-2.5", axis="lat").axis == "lat"
    assert parse_coordinate("112.5", axis="lon").axis == "lon"
    assert parse_coordinate("2.5 LS", axis="lat").axis == "lat"


def test_bad_axis_argument_is_a_programming_error():
    with pytest.raises(ValueError, match="axis"):
        parse_coordinate("-2.5", axis="latitude")  # type: ignore[arg-type]


# value, axis argument, expected kind
ERRORS = [
    ("", None, "blank"),
    ("   ", None, "blank"),
    ("nan", None, "blank"),
    ("NaN", None, "blank"),
    ("null", None, "blank"),
    ("none", None, "blank"),
    ("None", None, "blank"),
    ("#N/A", None, "blank"),
    ("-", None, "placeholder"),
    ("--", None, "placeholder"),
    ("?", None, "placeholder"),
    ("n/a", None, "placeholder"),
    ("N/A", None, "placeholder"),
    ("na", None, "placeholder"),
    ("belum ada", None, "placeholder"),
    ("Belum Disurvei", None, "placeholder"),
    ("tidak ada", None, "placeholder"),
    ("tdk ada", None, "placeholder"),
    ("kosong", None, "placeholder"),
    ("x", None, "placeholder"),
    ("X", None, "placeholder"),
    ("0", None, "placeholder"),
    ("0", "lon", "placeholder"),
    ("0.0", "lon", "placeholder"),
    ("0,0", "lon", "placeholder"),
    ("0°0'0\" BT", None, "placeholder"),
    ("abc", None, "unparseable"),
    ("112.345.678", None, "unparseable"),
    ("112,345,678", None, "unparseable"),
    ("1.234,5", None, "unparseable"),
    ("1e5", None, "unparseable"),
    ("2.5 x", None, "unparseable"),
    ("S 2.5 S", None, "unparseable"),
    ("2.5 LS BT", None, "unparseable"),
    ("2.5°31'", None, "unparseable"),  # decimal degrees followed by minutes
    ("2°31.5'12\"", None, "unparseable"),  # decimal minutes followed by seconds
    ("31'", None, "unparseable"),
    ('2° 31"', None, "unparseable"),
    ("2 31 12 5", None, "unparseable"),
    ("--2.5", None, "unparseable"),
    ("2.5-", None, "unparseable"),
    ("-2.5123, 112.2345", None, "unparseable"),  # a pair in a single-value column
    ("2°61' S", None, "out_of_range"),
    ("2°31'60\" S", None, "out_of_range"),
    ("2 75 S", None, "out_of_range"),
    ("-95.5", "lat", "out_of_range"),
    ("95.5 S", None, "out_of_range"),
    ("181", "lon", "out_of_range"),
    ("181", None, "out_of_range"),
    ("200 BT", None, "out_of_range"),
    ("-2.5 LU", None, "hemisphere_conflict"),
    ("-2.5 N", None, "hemisphere_conflict"),
    ("-112.5 BT", None, "hemisphere_conflict"),
    ("+2.5 LS", None, "hemisphere_conflict"),
    ("LU -2.5", None, "hemisphere_conflict"),
    ("2.5 LS", "lon", "axis_conflict"),
    ("112.5 BT", "lat", "axis_conflict"),
    ("Lat: 112.5 BT", None, "axis_conflict"),
]


@pytest.mark.parametrize(("value", "axis", "kind"), ERRORS)
def test_errors(value, axis, kind):
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate(value, axis=axis)
    err = info.value
    assert err.kind == kind
    assert err.value == value
    assert f"'{value}'" in str(err)
    assert "Fix:" in str(err)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "blank"),
        (float("nan"), "blank"),
        (np.float64("nan"), "blank"),
        (Decimal("NaN"), "blank"),
        (0, "placeholder"),
        (0.0, "placeholder"),
        (float("inf"), "unparseable"),
        (True, "unparseable"),
        (b"-2.5", "unparseable"),
        ([-2.5], "unparseable"),
        (-95, "out_of_range"),
        (10**400, "out_of_range"),
    ],
)
def test_non_text_errors(value, kind):
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate(value, axis="lat" if kind == "out_of_range" else None)
    assert info.value.kind == kind
    assert info.value.value is value
    assert f"'{str(value)[:40]}" in str(info.value)  # very long values are shortened


def test_pandas_missing_values_are_blank():
    pd = pytest.importorskip("pandas")
    for missing in (pd.NA, pd.NaT):
        with pytest.raises(CoordinateParseError) as info:
            parse_coordinate(missing)
        assert info.value.kind == "blank"


def test_zero_is_a_latitude_only():
    assert parse_coordinate("0", axis="lat").degrees == 0.0
    assert parse_coordinate(0.0, axis="lat").degrees == 0.0
    assert parse_coordinate("0° LU").axis == "lat"
    for value in ("0", 0, "0.000"):
        with pytest.raises(CoordinateParseError) as info:
            parse_coordinate(value, axis="lon")
        assert info.value.kind == "placeholder"
        assert "Atlantic" in str(info.value)


def test_messages_explain_the_fix():
    with pytest.raises(CoordinateParseError, match="thousands separators") as info:
        parse_coordinate("112.345.678")
    assert "'112.345.678'" in str(info.value)
    with pytest.raises(CoordinateParseError, match="minutes 61") as info:
        parse_coordinate("2°61'12.5\" S")
    with pytest.raises(CoordinateParseError, match="latitude and longitude are not swapped"):
        parse_coordinate("112.5", axis="lat")
    with pytest.raises(CoordinateParseError, match="parse_coordinate_pair"):
        parse_coordinate("-2.5123, 112.2345")
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate("2.5 LS", axis="lon")
    assert "longitude" in str(info.value)
    assert "latitude" in str(info.value)


def test_error_is_a_coordinate_error_and_pickles():
    with pytest.raises(CoordinateError) as info:
        parse_coordinate("belum ada")
    err = info.value
    assert isinstance(err, CoordinateParseError)
    assert isinstance(err, InputError)
    assert isinstance(err, ValueError)
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.kind, clone.value, str(clone)) == (err.kind, err.value, str(err))


def test_no_foreign_traceback_from_deep_inside():
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate("2.5.5 LS")
    assert info.value.__cause__ is None


# value, uncertainty in metres
UNCERTAINTY = [
    ("-2.5", 5566.0),
    ("-2.52345", 0.5566),
    ("-2.512345", 0.05566),
    ("112", 55_660.0),
    ("2°31'12\" S", 0.5 / 3600 * METRES_PER_DEGREE),  # whole seconds: 15.46 m
    ("2°31'12.5\" S", 0.05 / 3600 * METRES_PER_DEGREE),
    ("2°31' S", 0.5 / 60 * METRES_PER_DEGREE),
    ("2°31.208' S", 0.0005 / 60 * METRES_PER_DEGREE),
    ("-2,5", 5566.0),
]


@pytest.mark.parametrize(("value", "metres"), UNCERTAINTY)
def test_uncertainty(value, metres):
    assert parse_coordinate(value).uncertainty_m == pytest.approx(metres, rel=1e-9)


def test_uncertainty_reference_figures():
    assert round(parse_coordinate("-2.5").uncertainty_m) == 5566
    assert round(parse_coordinate("-2.52345").uncertainty_m, 2) == 0.56
    assert round(parse_coordinate("2°31'12\" S").uncertainty_m, 1) == 15.5
    assert parse_coordinate(-2.5).uncertainty_m == pytest.approx(5566.0)
    assert parse_coordinate(112).uncertainty_m == pytest.approx(55_660.0)
    assert parse_coordinate(np.float32(-2.52345)).uncertainty_m == pytest.approx(0.5566)


# --------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------

PAIRS = [
    ("-2.5123, 112.2345", -2.5123, 112.2345, False),
    ("-2.5123,112.2345", -2.5123, 112.2345, False),
    ("-2,5123; 112,2345", -2.5123, 112.2345, False),
    ("-2,5123;112,2345", -2.5123, 112.2345, False),
    ("-2,5123 112,2345", -2.5123, 112.2345, False),
    ("-2,5123,112,2345", -2.5123, 112.2345, False),
    ("-2.5123 112.2345", -2.5123, 112.2345, False),
    ("2°31'12.5\"S 112°16'45\"E", DMS_S, DMS_E, False),
    ("2°31'12.5\" LS, 112°16'45\" BT", DMS_S, DMS_E, False),
    ("112°16'45\" BT, 2°31'12.5\" LS", DMS_S, DMS_E, True),
    ("(-2.5123, 112.2345)", -2.5123, 112.2345, False),
    ("[-2.5123; 112.2345]", -2.5123, 112.2345, False),
    ("2.5123 LS 112.2345 BT", -2.5123, 112.2345, False),
    ("112.2345 BT 2.5123 LS", -2.5123, 112.2345, True),
    ("-2.512300, 112.234500", -2.5123, 112.2345, False),
    ("S 2°31.208' E 112°16.75'", DDM_S, DMS_E, False),
    ("2 31 12.5 S 112 16 45 E", DMS_S, DMS_E, False),
    ("Lat: -2.5123, Long: 112.2345", -2.5123, 112.2345, False),
    ("-2.5123 / 112.2345", -2.5123, 112.2345, False),
    ("112.2345, -2.5123", -2.5123, 112.2345, True),
    ("0, 112.2345", 0.0, 112.2345, False),
]


@pytest.mark.parametrize(("value", "lat", "lon", "swapped"), PAIRS)
def test_pairs(value, lat, lon, swapped):
    pair = parse_coordinate_pair(value)
    assert isinstance(pair, ParsedPair)
    assert pair.lat.degrees == pytest.approx(lat, abs=1e-9)
    assert pair.lon.degrees == pytest.approx(lon, abs=1e-9)
    assert (pair.lat.axis, pair.lon.axis) == ("lat", "lon")
    assert pair.swapped is swapped
    assert (pair.note is not None) is swapped


def test_pair_swap_is_recorded_never_silent():
    pair = parse_coordinate_pair("112.2345, -2.5123")
    assert pair.swapped
    assert "112.2345" in pair.note
    assert "longitude first" in pair.note
    # both magnitudes fit a latitude: keep the written order, do not guess
    pair = parse_coordinate_pair("45.5, 60.2")
    assert (pair.lat.degrees, pair.lon.degrees, pair.swapped) == (45.5, 60.2, False)


PAIR_ERRORS = [
    ("", "blank"),
    ("nan", "blank"),
    ("belum ada", "placeholder"),
    ("-", "placeholder"),
    ("0,0", "placeholder"),
    ("0, 0", "placeholder"),
    ("0; 0", "placeholder"),
    ("-2.5123, 0", "placeholder"),
    ("-2.5123", "unparseable"),
    ("1 2 3 4", "unparseable"),  # more than one way to split
    ("-2.512.300, 112.234.500", "unparseable"),
    ("abc, def", "unparseable"),
    ("-95.5, 100.2", "out_of_range"),
    ("112.5, 95.2", "out_of_range"),
    ("2°61' S, 112 E", "out_of_range"),
    ("-2.5 LU, 112.2", "hemisphere_conflict"),
    ("2.5 LS, 3.5 LU", "axis_conflict"),
    ("112 BT, 113 BT", "axis_conflict"),
]


@pytest.mark.parametrize(("value", "kind"), PAIR_ERRORS)
def test_pair_errors(value, kind):
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate_pair(value)
    assert info.value.kind == kind
    assert info.value.value == value
    assert f"'{value}'" in str(info.value)
    assert "Fix:" in str(info.value)


@pytest.mark.parametrize("value", [None, float("nan"), 2.5, (-2.5, 112.2)])
def test_pair_non_text(value):
    with pytest.raises(CoordinateParseError) as info:
        parse_coordinate_pair(value)
    assert info.value.kind in ("blank", "unparseable")


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------

FORMATS = [
    ((DMS_S, "lat", "dms"), {}, "2°31'12.50\" S"),
    ((DMS_S, "lat", "dms"), {"hemisphere_style": "indonesian"}, "2°31'12.50\" LS"),
    ((DMS_S, "lat", "dms"), {"hemisphere_style": "sign"}, "-2°31'12.50\""),
    ((DMS_S, "lat", "dms"), {"decimal_comma": True}, "2°31'12,50\" S"),
    ((DMS_S, "lat", "dms"), {"decimals": 0}, "2°31'13\" S"),
    ((DMS_E, "lon", "dms"), {"hemisphere_style": "indonesian"}, "112°16'45.00\" BT"),
    ((-DMS_E, "lon", "dms"), {"hemisphere_style": "indonesian"}, "112°16'45.00\" BB"),
    ((DDM_S, "lat", "ddm"), {}, "2°31.2080' S"),
    ((DMS_E, "lon", "ddm"), {"decimals": 2}, "112°16.75' E"),
    ((-2.5123, "lat", "decimal"), {}, "2.512300 S"),
    ((-2.5123, "lat", "decimal"), {"hemisphere_style": "sign"}, "-2.512300"),
    ((-2.5123, "lat", "decimal_comma"), {"hemisphere_style": "sign"}, "-2,512300"),
    (
        (112.2345, "lon", "decimal"),
        {"decimals": 4, "hemisphere_style": "indonesian"},
        "112.2345 BT",
    ),
    ((0.0, "lat", "decimal"), {}, "0.000000 N"),
    ((-1e-9, "lat", "decimal"), {"hemisphere_style": "sign"}, "0.000000"),
    ((-1e-9, "lat", "dms"), {}, "0°0'0.00\" N"),
    # 2°59'59.999" rounds up to 3°0'0.00", never to 59'60"
    ((-(2 + 59 / 60 + 59.999 / 3600), "lat", "dms"), {}, "3°0'0.00\" S"),
    ((-(2 + 59.99999 / 60), "lat", "ddm"), {}, "3°0.0000' S"),
    ((-2.5, None, "decimal"), {"hemisphere_style": "sign", "decimals": 1}, "-2.5"),
]


@pytest.mark.parametrize(("args", "kwargs", "expected"), FORMATS)
def test_format(args, kwargs, expected):
    assert format_coordinate(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((-2.5, "lat", "dmsx"), {}),
        ((-2.5, "lat", "dms"), {"hemisphere_style": "roman"}),
        ((-2.5, None, "dms"), {}),
        ((-2.5, "lat", "dms"), {"decimals": -1}),
        ((-2.5, "north", "dms"), {}),
    ],
)
def test_format_bad_options(args, kwargs):
    with pytest.raises(ValueError):
        format_coordinate(*args, **kwargs)


def test_format_bad_values():
    with pytest.raises(CoordinateParseError) as info:
        format_coordinate(95.0, "lat", "dms")
    assert info.value.kind == "out_of_range"
    with pytest.raises(CoordinateParseError) as info:
        format_coordinate(math.nan, "lon", "dms")
    assert info.value.kind == "blank"


# --------------------------------------------------------------------------------------
# Indonesia box and swaps
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (-2.5, 112.2, True),
        (5.9, 95.3, True),  # Sabang
        (-10.9, 122.8, True),  # Rote
        (-8.5, 140.4, True),  # Merauke
        (112.2, -2.5, False),
        (-2.5, 150.0, False),
        (10.0, 112.0, False),
        (math.nan, 112.0, False),
    ],
)
def test_looks_indonesian(lat, lon, inside):
    assert looks_indonesian(lat, lon) is inside


def test_swap_if_unambiguous():
    assert swap_if_unambiguous(112.2, -2.5) == (-2.5, 112.2, True)
    assert swap_if_unambiguous(-2.5, 112.2) == (-2.5, 112.2, False)
    # neither order is in Indonesia: untouched
    assert swap_if_unambiguous(48.8, 2.3) == (48.8, 2.3, False)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

LATS = st.floats(min_value=-11.0, max_value=6.0, allow_nan=False)
LONS = st.floats(min_value=95.0, max_value=141.0, allow_nan=False)
STYLES = st.sampled_from(["letters", "indonesian", "sign"])
WRITING_SPECS = st.sampled_from(
    [
        ("decimal", 6, False),
        ("decimal_comma", 6, True),
        ("dms", 2, False),
        ("dms", 2, True),
        ("ddm", 4, False),
        ("ddm", 4, True),
    ]
)
SURROUNDINGS = st.sampled_from(["{}", " {} ", "\u00a0{}"])


@settings(max_examples=300, deadline=None)
@given(lat=LATS, lon=LONS, spec=WRITING_SPECS, style=STYLES, wrap=SURROUNDINGS)
def test_format_parse_round_trip(lat, lon, spec, style, wrap):
    writing, decimals, comma = spec
    for degrees, axis in ((lat, "lat"), (lon, "lon")):
        text = format_coordinate(
            degrees,
            axis,
            writing,
            decimals=decimals,
            hemisphere_style=style,
            decimal_comma=comma,
        )
        parsed = parse_coordinate(wrap.format(text), axis=axis)
        assert abs(parsed.degrees - degrees) <= ARCSEC_005
        assert parsed.axis == axis
        assert parsed.hemisphere_given is (style != "sign")
        expected_writing = "decimal_comma" if writing == "decimal" and comma else writing
        assert parsed.writing == expected_writing


@settings(max_examples=200, deadline=None)
@given(
    lat=LATS,
    lon=LONS,
    spec=WRITING_SPECS,
    style=STYLES,
    lon_first=st.booleans(),
)
def test_pair_round_trip(lat, lon, spec, style, lon_first):
    writing, decimals, comma = spec
    lat_text = format_coordinate(
        lat, "lat", writing, decimals=decimals, hemisphere_style=style, decimal_comma=comma
    )
    lon_text = format_coordinate(
        lon, "lon", writing, decimals=decimals, hemisphere_style=style, decimal_comma=comma
    )
    separator = "; " if comma or writing == "decimal_comma" else ", "
    first, second = (lon_text, lat_text) if lon_first else (lat_text, lon_text)
    pair = parse_coordinate_pair(f"{first}{separator}{second}")
    assert abs(pair.lat.degrees - lat) <= ARCSEC_005
    assert abs(pair.lon.degrees - lon) <= ARCSEC_005
    # lon first is recognised by letters, or by magnitude (|lon| > 90 in Indonesia)
    assert pair.swapped is lon_first
    assert (pair.note is not None) is lon_first


@settings(max_examples=100, deadline=None)
@given(lat=LATS, lon=LONS)
def test_google_maps_pairs(lat, lon):
    pair = parse_coordinate_pair(f"{lat:.6f}, {lon:.6f}")
    assert pair.lat.degrees == pytest.approx(round(lat, 6), abs=1e-9)
    assert pair.lon.degrees == pytest.approx(round(lon, 6), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(lat=LATS, lon=LONS)
def test_swap_round_trip(lat, lon):
    assert swap_if_unambiguous(lon, lat) == (lat, lon, True)
    assert swap_if_unambiguous(lat, lon) == (lat, lon, False)


COORDINATE_ALPHABET = st.sampled_from(
    [*"0123456789.,;-+ °º'’\"”″SNEWsnewLBTUdmx:/()", "LS", "BT", "''", "\u00a0"]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(COORDINATE_ALPHABET, max_size=20).map("".join)))
def test_never_a_foreign_exception(text):
    for call in (parse_coordinate, parse_coordinate_pair):
        try:
            result = call(text)
        except CoordinateParseError as err:
            assert err.value == text
            assert str(err)
        else:
            assert result is not None


def test_long_text_is_refused_quickly():
    text = "1 " * 5000
    for call in (parse_coordinate, parse_coordinate_pair):
        with pytest.raises(CoordinateParseError) as info:
            call(text)
        assert info.value.kind == "unparseable"
        assert "too long" in str(info.value)
        assert len(str(info.value)) < 400


@settings(max_examples=300, deadline=None)
@given(
    sign=st.sampled_from(["", "-", "+"]),
    whole=st.integers(min_value=0, max_value=999),
    fraction=st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=9)),
    separator=st.sampled_from([".", ","]),
    axis=st.sampled_from([None, "lat", "lon"]),
)
def test_plain_decimal_fast_path_agrees_with_the_tokenizer(sign, whole, fraction, separator, axis):
    from lahan_geo.intake import coordinates as c

    text = f"{sign}{whole}{separator + fraction if fraction else ''}"
    outcomes = []
    for parse in (lambda: c._from_plain_decimal(text, text, axis),
                  lambda: c._finish(c._parse_text(text, text, axis), axis, text)):
        try:
            outcomes.append(parse())
        except CoordinateParseError as err:
            outcomes.append((err.kind, str(err)))
    assert outcomes[0] == outcomes[1]
