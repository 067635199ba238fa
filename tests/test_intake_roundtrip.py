"""Property: coordinates formatted in any supported writing, written to a CSV or XLSX file
and read back with read_plots, land within 0.05 arc-seconds of where they started."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import lahan_geo as lg
from lahan_geo.intake.coordinates import format_coordinate
from lahan_geo.intake.plausibility import FLIPPED_NEAR_KM, OUTLIER_KM

ARCSEC_005 = 0.05 / 3600
LATS = st.floats(min_value=-11.0, max_value=6.0, allow_nan=False)
LONS = st.floats(min_value=95.0, max_value=141.0, allow_nan=False)
SPECS = st.sampled_from([("decimal", 6, False), ("decimal_comma", 6, True), ("dms", 2, False),
                         ("dms", 2, True), ("ddm", 4, False), ("ddm", 4, True)])
STYLES = st.sampled_from(["letters", "indonesian", "sign"])
ROWS = st.lists(st.tuples(LATS, LONS, SPECS, STYLES), min_size=1, max_size=8)


def written(lat: float, lon: float, spec: tuple[str, int, bool], style: str) -> tuple[str, str]:
    writing, decimals, comma = spec
    return tuple(format_coordinate(v, axis, writing, decimals=decimals,  # type: ignore[return-value]
                                   hemisphere_style=style, decimal_comma=comma)
                 for v, axis in ((lat, "lat"), (lon, "lon")))


def _sign_slips(rows) -> set[int]:
    """Rows read_plots reports as a probable missing minus (plausibility.check_outliers):
    far from every other row, and with the other sign beside a row that has neighbours.
    Random positions across Indonesia make such lists; plot lists of one district do not."""
    km = 111.32

    def dist(a, b):
        return km * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5

    points = [(lat, lon) for lat, lon, _, _ in rows]
    nearest = [min((dist(p, q) for j, q in enumerate(points) if j != i), default=1e9)
               for i, p in enumerate(points)]
    slips = set()
    for i, (lat, lon) in enumerate(points):
        if abs(lat) < 0.05 or nearest[i] < OUTLIER_KM or len(points) < 3:
            continue
        if any(dist((-lat, lon), q) <= FLIPPED_NEAR_KM and nearest[j] < OUTLIER_KM
               for j, q in enumerate(points) if j != i):
            slips.add(i)
    return slips


def check(plots, rows) -> None:
    assert len(plots) == len(rows)
    slips = _sign_slips(rows)
    problems = plots["input_problem"].tolist()
    assert all((p is None) != (i in slips) for i, p in enumerate(problems)), problems
    for i in slips:
        assert "with the other sign" in problems[i] and "Did you mean" in problems[i]
    for i, (geom, (lat, lon, _, _)) in enumerate(zip(plots.geometry, rows)):
        if i in slips:
            continue
        assert abs(geom.y - lat) <= ARCSEC_005
        assert abs(geom.x - lon) <= ARCSEC_005


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, pair=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_round_trip(rows, pair, encoding):
    sep = ";" if any(spec[2] for _, _, spec, _ in rows) else ","
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    out.writerow(["ID Lahan", "Koordinat"] if pair
                 else ["ID Lahan", "Lintang (derajat)", "Bujur (derajat)"])
    for i, (lat, lon, spec, style) in enumerate(rows):
        lat_text, lon_text = written(lat, lon, spec, style)
        if pair:
            out.writerow([f"L{i}", f"{lat_text}{'; ' if spec[2] else ', '}{lon_text}"])
        else:
            out.writerow([f"L{i}", lat_text, lon_text])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plots.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        plots = lg.read_plots(path)
    check(plots, rows)
    assert plots["source_row"].tolist() == list(range(2, len(rows) + 2))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, title_rows=st.integers(min_value=0, max_value=3))
def test_xlsx_round_trip(rows, title_rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "Data Lahan"
    for t in range(title_rows):
        sheet.append([f"Judul {t}"])
    sheet.append(["ID Lahan", "Lintang", "Bujur"])
    for i, (lat, lon, spec, style) in enumerate(rows):
        sheet.append([f"L{i}", *written(lat, lon, spec, style)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plots.xlsx"
        book.save(path)
        plots = lg.read_plots(path)
    check(plots, rows)
    assert plots["source_row"].tolist() == list(range(title_rows + 2, title_rows + 2 + len(rows)))
    assert set(plots["source_sheet"]) == {"Data Lahan"}
