"""read_plots with projected coordinates: UTM/TM-3 columns, zones per row, datums, no guessing."""

from __future__ import annotations

import pandas as pd
import pyproj
import pytest
import shapely

import lahan_geo as lg

LAT, LON = -2.501570, 112.010520
GEOD = pyproj.Geod(ellps="WGS84")


def xy(epsg: int, lon: float = LON, lat: float = LAT) -> tuple[float, float]:
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def metres(geom: shapely.Point, lon: float = LON, lat: float = LAT) -> float:
    return GEOD.inv(geom.x, geom.y, lon, lat)[2]


@pytest.mark.parametrize(
    ("headers", "crs", "epsg"),
    [
        (("easting", "northing"), "49S", 32749),
        (("Timur", "Utara"), "UTM zone 49 S", 32749),
        (("X (Timur)", "Y (Utara)"), "EPSG:32749", 32749),
        (("x", "y"), 32749, 32749),  # "x"/"y" holding metres are eastings/northings
        (("X", "Y"), "TM-3 49.2", 23836),
        (("easting", "northing"), "DGN95 / UTM 49S", 23879),
        (("easting", "northing"), "SRGI2013 UTM 49S", 9489),
    ],
)
def test_projected_columns_with_a_crs(headers, crs, epsg):
    x, y = xy(epsg)
    raw = pd.DataFrame({"id": ["A"], headers[0]: [f"{x:.2f}"], headers[1]: [f"{y:.2f}"]})
    plots = lg.read_plots(raw, crs=crs)
    assert plots["input_problem"].iloc[0] is None
    assert metres(plots.geometry.iloc[0]) < 1.0


def test_projected_columns_without_a_crs_are_refused_with_the_fix():
    raw = pd.DataFrame({"X": ["612345.0", "612400"], "Y": ["9723456", "9723500"]})
    with pytest.raises(lg.InputError, match=r"'X' and 'Y' hold projected coordinates in metres "
                                            r"\(e\.g\. row 1: 612345\.0, 9723456\).*crs='49S'"):
        lg.read_plots(raw)


def test_crs_typo_is_a_crs_error():
    with pytest.raises(lg.CRSError, match=r"'49' .*without a hemisphere"):
        lg.read_plots(pd.DataFrame({"easting": ["612345"], "northing": ["9723456"]}), crs="49")


def test_zone_per_row_and_fallback_to_crs():
    x49, y49 = xy(32749)
    x50, y50 = xy(32750, lon=117.5, lat=-1.2)
    raw = pd.DataFrame({
        "Easting": [f"{x49:.1f}", f"{x50:.1f}", f"{x49:.1f}", f"{x49:.1f}"],
        "Northing": [f"{y49:.1f}", f"{y50:.1f}", f"{y49:.1f}", f"{y49:.1f}"],
        "Zona UTM": ["49S", "50 M", "", "51Z"],
    })
    plots = lg.read_plots(raw)
    assert metres(plots.geometry.iloc[0]) < 1
    assert metres(plots.geometry.iloc[1], 117.5, -1.2) < 1
    assert "column 'Easting'" in plots["input_problem"].iloc[2]
    assert "column 'Zona UTM' is blank" in plots["input_problem"].iloc[2]
    assert "column 'Zona UTM': CRS '51Z'" in plots["input_problem"].iloc[3]
    with_default = lg.read_plots(raw, crs="49S")
    assert metres(with_default.geometry.iloc[2]) < 1  # blank zone: crs= is the default


def test_swapped_and_implausible_eastings():
    x, y = xy(32749)
    raw = pd.DataFrame({"easting": [f"{y:.0f}", "50", "612345,5", "9.723.456"],
                        "northing": [f"{x:.0f}", "9723456", "9723456", "612345"]})
    plots = lg.read_plots(raw, crs="49S")
    assert metres(plots.geometry.iloc[0]) < 1
    assert "easting and northing were swapped" in plots["input_notes"].iloc[0]
    assert "cannot be a position in WGS 84 / UTM zone 49S" in plots["input_problem"].iloc[1]
    assert plots["input_problem"].iloc[2] is None  # a decimal comma in metres is fine
    assert "'9.723.456' is not a number of metres" in plots["input_problem"].iloc[3]


def test_geographic_columns_on_another_datum_are_converted():
    raw = pd.DataFrame({"lintang": [f"{LAT:.6f}"], "bujur": [f"{LON:.6f}"]})
    plain = lg.read_plots(raw).geometry.iloc[0]
    id74 = lg.read_plots(raw, crs="ID74")
    shift = metres(plain, id74.geometry.iloc[0].x, id74.geometry.iloc[0].y)
    assert 5 < shift < 200  # ID74 (Bessel) differs from WGS 84 by tens of metres
    assert "ID74" in id74.attrs["lahan_geo"]["blocks"][0]["notes"][0]
    # a projected crs= leaves degree columns alone
    assert lg.read_plots(raw, crs="49S").geometry.iloc[0].equals(plain)


def test_wkt_in_metres_needs_and_uses_the_crs():
    x, y = xy(32749)
    wkt = (f"POLYGON (({x:.1f} {y:.1f}, {x + 30:.1f} {y:.1f}, {x + 30:.1f} {y + 20:.1f}, "
           f"{x:.1f} {y + 20:.1f}, {x:.1f} {y:.1f}))")
    raw = pd.DataFrame({"id": ["P"], "geometry": [wkt]})
    plots = lg.read_plots(raw, crs="49S")
    polygon = plots.geometry.iloc[0]
    area = abs(GEOD.geometry_area_perimeter(polygon)[0])
    assert area == pytest.approx(600, rel=0.01)
    missing = lg.read_plots(raw)
    assert "the coordinates are metres but no coordinate system is given" in \
        missing["input_problem"].iloc[0]
    ewkt = lg.read_plots(pd.DataFrame({"wkt": [f"SRID=32749;POINT ({x:.1f} {y:.1f})"]}))
    assert metres(ewkt.geometry.iloc[0]) < 1
