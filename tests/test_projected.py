"""Tests for lahan_geo.intake.projected: CRS hints, conversion to WGS 84, plausibility."""

from __future__ import annotations

import re

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj.database import query_crs_info

from lahan_geo.errors import CRSError
from lahan_geo.intake.coordinates import CoordinateParseError
from lahan_geo.intake.projected import (
    DATUM_GEOGRAPHIC_EPSG,
    TM3_ZONES,
    UTM_EPSG,
    parse_crs_hint,
    plausible_projected,
    to_wgs84,
)

HINTS = [
    ("EPSG:32749", 32749),
    ("epsg:32749", 32749),
    ("EPSG 32749", 32749),
    ("32749", 32749),
    (32749, 32749),
    (np.int64(32750), 32750),
    ("49S", 32749),
    ("49 S", 32749),
    ("49s", 32749),
    ("UTM 49S", 32749),
    ("UTM zone 50 S", 32750),
    ("UTM Zone 50S", 32750),
    ("UTM zona 50 S", 32750),
    ("UTM 49 selatan", 32749),
    ("UTM 51 South", 32751),
    ("50N", 32650),
    ("UTM 51 N", 32651),
    ("utm50s", 32750),
    ("utm_49_s", 32749),
    ("49M", 32749),  # GPS latitude band M: 8°S-0°
    ("50L", 32750),  # band L: 16°S-8°S
    ("47N", 32647),
    ("WGS 84 / UTM zone 49S", 32749),
    ("WGS84 UTM 49S", 32749),
    ("WGS-84 / UTM 53S", 32753),
    ("DGN95 / UTM 49S", 23879),
    ("DGN95 / UTM zone 49S", 23879),
    ("DGN-95 UTM 50N", 23870),
    ("DGN 1995 / UTM 54S", 23884),
    ("SRGI2013 / UTM zone 49S", 9489),
    ("SRGI 2013 UTM 50S", 9490),
    ("SRGI UTM 47N", 9477),
    ("ID74 / UTM zone 49S", 23889),
    ("TM-3 49.2", 23836),
    ("TM3 zone 50.1", 23837),
    ("TM-3 zona 46.2", 23830),
    ("tm-3 54.1", 23845),
    ("TM3 50-2", 23838),
    ("TM-3 49,1", 23835),
    ("DGN95 / Indonesia TM-3 zone 49.2", 23836),
    ("DGN95 TM-3 51.1", 23839),
    ("SRGI2013", 9470),
    ("SRGI 2013", 9470),
    ("DGN95", 4755),
    ("ID74", 4238),
    ("WGS84", 4326),
    ("WGS 84", 4326),
    ("EPSG:4326", 4326),
    ("lat/lon", 4326),
    ("WGS84 geographic", 4326),
    ("SRGI2013 geografis", 9470),
]


@pytest.mark.parametrize(("hint", "epsg"), HINTS)
def test_hints(hint, epsg):
    assert parse_crs_hint(hint).to_epsg() == epsg


def test_crs_passes_through():
    crs = pyproj.CRS.from_epsg(32749)
    assert parse_crs_hint(crs) is crs


def test_proj_string_and_wkt():
    crs = parse_crs_hint("+proj=utm +zone=49 +south +datum=WGS84 +units=m")
    assert crs.utm_zone == "49S"
    wkt = pyproj.CRS.from_epsg(23836).to_wkt()
    assert parse_crs_hint(wkt).to_epsg() == 23836


def test_srgi2013_tm3_is_the_dgn95_projection_on_srgi2013():
    srgi = parse_crs_hint("SRGI2013 TM-3 49.2")
    dgn = pyproj.CRS.from_epsg(23836)
    assert srgi.name == "SRGI2013 / Indonesia TM-3 zone 49.2"
    assert srgi.geodetic_crs.name == "SRGI2013"

    def values(crs):
        return [(p.name, p.value, p.unit_name) for p in crs.coordinate_operation.params]

    assert values(srgi) == values(dgn)
    assert srgi.area_of_use.bounds == dgn.area_of_use.bounds


@pytest.mark.parametrize(
    ("hint", "fragment"),
    [
        ("foo", "not a coordinate system"),
        ("", "blank"),
        ("   ", "blank"),
        ("UTM 49", "without a hemisphere"),
        ("49", "without a hemisphere"),
        ("UTM", "without a zone"),
        ("UTM 61S", "1 to 60"),
        ("UTM 0S", "1 to 60"),
        ("49 zz", "hemisphere"),
        ("TM-3", "without a zone"),
        ("TM-3 44.1", "46.2"),
        ("TM-3 49.3", "49.2"),
        ("WGS84 TM-3 49.2", "DGN95 and SRGI2013"),
        ("DGN95 UTM 53N", "46N"),
        ("SRGI2013 UTM 46S", "47S"),
        ("DGN95 SRGI2013 UTM 49S", "more than one datum"),
        ("EPSG:99999", "not in the PROJ database"),
        ("99999", "not in the PROJ database"),
        ("+proj=foo", "pyproj"),
        ("Bessel lokal", "not a coordinate system"),
    ],
)
def test_unknown_hints_explain(hint, fragment):
    with pytest.raises(CRSError) as info:
        parse_crs_hint(hint)
    message = str(info.value)
    assert fragment in message
    assert repr(hint) in message
    assert "Fix:" in message
    assert "UTM 49S" in message  # lists the accepted writings
    assert "TM-3 49.2" in message
    assert info.value.__cause__ is None


@pytest.mark.parametrize("hint", [None, 3.5, ["49S"], True])
def test_hint_must_be_text_or_code(hint):
    with pytest.raises(CRSError, match="not text"):
        parse_crs_hint(hint)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Tables against the PROJ database
# --------------------------------------------------------------------------------------


def _epsg_names(pattern: str) -> dict[int, str]:
    regex = re.compile(pattern)
    return {
        int(info.code): info.name
        for info in query_crs_info(auth_name="EPSG", pj_types="PROJECTED_CRS")
        if regex.fullmatch(info.name) and not info.deprecated
    }


def test_tm3_table_matches_proj_database():
    database = _epsg_names(r"DGN95 / Indonesia TM-3 zone \d+\.\d")
    assert set(TM3_ZONES.values()) == set(database)
    for zone, code in TM3_ZONES.items():
        crs = pyproj.CRS.from_epsg(code)
        assert crs.name == f"DGN95 / Indonesia TM-3 zone {zone}"
        assert database[code] == crs.name
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        utm_zone, half = (int(part) for part in zone.split("."))
        central = 6 * utm_zone - 183 + (-1.5 if half == 1 else 1.5)
        assert params["Longitude of natural origin"] == pytest.approx(central)
        assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
        assert params["False easting"] == pytest.approx(200_000)
        assert params["False northing"] == pytest.approx(1_500_000)


@pytest.mark.parametrize(
    ("datum", "name"), [("DGN95", "DGN95"), ("SRGI2013", "SRGI2013"), ("ID74", "ID74")]
)
def test_national_utm_tables_match_proj_database(datum, name):
    database = _epsg_names(rf"{name} / UTM zone \d+[NS]")
    table = UTM_EPSG[datum]
    assert set(table.values()) == set(database)
    for (zone, hemisphere), code in table.items():
        assert database[code] == f"{name} / UTM zone {zone}{hemisphere}"


def test_wgs84_utm_table_matches_proj_database():
    for (zone, hemisphere), code in UTM_EPSG["WGS 84"].items():
        assert pyproj.CRS.from_epsg(code).name == f"WGS 84 / UTM zone {zone}{hemisphere}"
    assert len(UTM_EPSG["WGS 84"]) == 120


def test_geographic_table_matches_proj_database():
    for datum, code in DATUM_GEOGRAPHIC_EPSG.items():
        crs = pyproj.CRS.from_epsg(code)
        assert crs.is_geographic
        assert crs.name == datum


def test_dgn95_utm_49s_is_23879_not_id74():
    # EPSG:23889 is ID74 / UTM zone 49S; DGN95's is EPSG:23879.
    assert pyproj.CRS.from_epsg(23889).name == "ID74 / UTM zone 49S"
    assert parse_crs_hint("DGN95 / UTM 49S").to_epsg() == 23879


# --------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hint",
    ["49S", "EPSG:32749", "DGN95 / UTM 49S", "SRGI2013 UTM 49S", "TM-3 49.2", "SRGI2013 TM-3 49.2"],
)
def test_known_point_round_trips(hint):
    crs = parse_crs_hint(hint)
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = forward.transform(112.5, -2.5)
    lon, lat = to_wgs84(x, y, hint)
    assert float(lon) == pytest.approx(112.5, abs=1e-7)
    assert float(lat) == pytest.approx(-2.5, abs=1e-7)
    direct = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    assert float(lon) == direct[0]
    assert float(lat) == direct[1]
    assert plausible_projected(x, y, hint)


def test_utm49s_reference_values():
    # Central meridian 111°E: a point on it has easting 500,000 m exactly.
    forward = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32749", always_xy=True)
    x, y = forward.transform(111.0, -2.5)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert 9_700_000 < y < 9_750_000
    lon, lat = to_wgs84(x, y, "UTM 49S")
    assert (float(lon), float(lat)) == pytest.approx((111.0, -2.5), abs=1e-9)


def test_arrays_and_shapes():
    lon, lat = to_wgs84([500_000.0, 600_000.0], [9_723_000.0, 9_800_000.0], "49S")
    assert lon.shape == lat.shape == (2,)
    assert lon.dtype == np.float64
    lon, lat = to_wgs84(np.full((2, 3), 500_000.0), 9_723_000.0, "49S")
    assert lon.shape == (2, 3)
    lon, lat = to_wgs84(500_000.0, 9_723_000.0, "49S")
    assert lon.shape == ()


def test_geographic_input_is_x_first():
    lon, lat = to_wgs84(112.5, -2.5, "WGS84")
    assert (float(lon), float(lat)) == pytest.approx((112.5, -2.5))
    lon, lat = to_wgs84(112.5, -2.5, "SRGI2013")
    assert (float(lon), float(lat)) == pytest.approx((112.5, -2.5), abs=1e-5)


def test_nan_passes_through():
    lon, lat = to_wgs84([500_000.0, np.nan], [9_723_000.0, 9_723_000.0], "49S")
    assert np.isfinite(lon[0])
    assert np.isnan(lon[1])
    assert np.isnan(lat[1])


def test_unconvertible_points():
    with pytest.raises(CoordinateParseError) as info:
        to_wgs84([500_000.0, 1e12], [9_723_000.0, 1e12], "49S")
    assert info.value.kind == "out_of_range"
    assert "position 1" in str(info.value)
    assert "Fix:" in str(info.value)
    lon, lat = to_wgs84([500_000.0, 1e12], [9_723_000.0, 1e12], "49S", on_invalid="nan")
    assert np.isfinite(lon[0])
    assert np.isnan(lon[1])
    assert np.isnan(lat[1])


def test_bad_inputs():
    with pytest.raises(CoordinateParseError) as info:
        to_wgs84(["abc"], [9_723_000.0], "49S")
    assert info.value.kind == "unparseable"
    assert "abc" in str(info.value)
    with pytest.raises(CoordinateParseError, match="do not pair up"):
        to_wgs84([1.0, 2.0, 3.0], [1.0, 2.0], "49S")
    with pytest.raises(CRSError):
        to_wgs84(500_000.0, 9_723_000.0, "UTM 49")
    with pytest.raises(ValueError, match="on_invalid"):
        to_wgs84(500_000.0, 9_723_000.0, "49S", on_invalid="skip")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Plausibility
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "hint", "plausible"),
    [
        (612_345.0, 9_723_456.0, "49S", True),
        (9_723_456.0, 612_345.0, "49S", False),  # swapped
        (50_000.0, 9_723_456.0, "49S", False),  # easting too far from the meridian
        (612_345.0, 10_100_000.0, "49S", True),  # just north of the equator, south zone
        (612_345.0, 11_000_000.0, "49S", False),
        (612_345.0, 500_000.0, "49S", False),  # a northing of 500 km is near the pole
        (612_345.0, 150_000.0, "50N", True),
        (612_345.0, -100_000.0, "50N", True),  # just south of the equator, north zone
        (612_345.0, 9_723_456.0, "50N", False),  # south-zone northing in a north zone
        (200_000.0, 1_224_000.0, "TM-3 49.2", True),
        (1_224_000.0, 200_000.0, "TM-3 49.2", False),  # swapped
        (200_000.0, 1_224_000.0, "SRGI2013 TM-3 49.2", True),
        (112.5, -2.5, "WGS84", True),
        (-2.5, 112.5, "WGS84", False),  # latitude beyond 90: swapped
        (np.nan, 9_723_456.0, "49S", False),
        ([612_345.0, 9_723_456.0], [9_723_456.0, 612_345.0], "49S", False),
        ([612_345.0, 500_000.0], [9_723_456.0, 9_800_000.0], "49S", True),
    ],
)
def test_plausible_projected(x, y, hint, plausible):
    assert plausible_projected(x, y, hint) is plausible


def test_margin_is_adjustable():
    assert not plausible_projected(612_345.0, 10_100_000.0, "49S", equator_margin_m=0)


INDONESIA = st.tuples(
    st.floats(min_value=-10.5, max_value=5.5, allow_nan=False),  # lat
    st.floats(min_value=95.5, max_value=140.5, allow_nan=False),  # lon
)


@settings(max_examples=60, deadline=None)
@given(INDONESIA)
def test_utm_round_trip_everywhere_in_indonesia(point):
    lat, lon = point
    zone = int((lon + 180) // 6) + 1
    hint = f"UTM {zone}{'S' if lat < 0 else 'N'}"
    crs = parse_crs_hint(hint)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    back_lon, back_lat = to_wgs84(x, y, hint)
    assert float(back_lon) == pytest.approx(lon, abs=1e-7)
    assert float(back_lat) == pytest.approx(lat, abs=1e-7)
    assert plausible_projected(x, y, hint)
    if lat < 0:
        assert not plausible_projected(y, x, hint)
