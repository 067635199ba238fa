"""The mixed workbook of the intake acceptance test, and the truth for each of its rows.

Sheet "Petunjuk" holds instructions only. Sheet "Daftar Lahan" is a district form:
two merged title rows, a blank row, a two-row header with "Koordinat" merged over
"Lintang | Bujur", Indonesian headers, then rows in every writing (decimal point and
comma, DMS and DDM with letters or Indonesian LS/BT, numbers stored as numbers,
unicode minus, curly quotes), swapped pairs, blanks, placeholders, zeros, coarse
values, a plot outside Indonesia, conflicting signs, garbage, duplicate ids and
positions, and polygons as WKT (one unclosed, one self-intersecting). Sheet "Titik
Gabungan" holds single "Koordinat" cells. Sheet "UTM" holds eastings and northings
with a zone per row (WGS 84 UTM, GPS band letter, TM-3 on DGN95), a swapped pair, a
decimal comma and bad zones.

``build(path)`` writes it and returns ``{(sheet, row): Truth}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj
import shapely
from openpyxl import Workbook

from lahan_geo.intake.coordinates import format_coordinate


@dataclass
class Truth:
    """What read_plots must give for one row."""

    lat: float | None = None
    lon: float | None = None
    polygon: list[tuple[float, float]] | None = None  # (lon, lat) corners
    problem: str | None = None  # a fragment of the English problem
    note: str | None = None  # a fragment of the notes
    accuracy_m: float | None = None  # expected accuracy_m (NaN when None and no problem)

    @property
    def parseable(self) -> bool:
        return self.problem is None


@dataclass
class _Sheet:
    name: str
    first_row: int
    rows: list[list[object]] = field(default_factory=list)
    truths: list[Truth] = field(default_factory=list)

    def add(self, cells: list[object], truth: Truth) -> None:
        self.rows.append(cells)
        self.truths.append(truth)


def _points(n: int, seed: int = 11) -> list[tuple[float, float]]:
    """(lat, lon) in Kalimantan Tengah, rounded to 6 decimals."""
    rng = np.random.default_rng(seed)
    lats = rng.uniform(-3.4, -0.6, n)
    lons = rng.uniform(111.2, 114.5, n)
    return [(round(float(a), 6), round(float(o), 6)) for a, o in zip(lats, lons)]


def _fmt(deg: float, axis: str, writing: str, style: str = "letters", **kw: object) -> str:
    return format_coordinate(deg, axis, writing, hemisphere_style=style, **kw)  # type: ignore[arg-type]


def _form_rows(sheet: _Sheet) -> None:
    pts = iter(_points(40))
    n = 0

    def row(lat_cell: object, lon_cell: object, truth: Truth, *, pid: str | None = None,
            akurasi: object = "", wkt: object = "", desa: str = "Sembuluh I") -> None:
        nonlocal n
        n += 1
        sheet.add([n, pid or f"M{n:02d}", desa, "Danau Sembuluh", lat_cell, lon_cell, akurasi,
                   wkt, ""], truth)

    def ok(lat: float, lon: float, **kw: object) -> Truth:
        return Truth(lat=lat, lon=lon, **kw)  # type: ignore[arg-type]

    lat, lon = next(pts)
    row(f"{lat:.6f}", f"{lon:.6f}", ok(lat, lon))
    lat, lon = next(pts)
    row(f"{lat:.6f}".replace(".", ","), f"{lon:.6f}".replace(".", ","), ok(lat, lon))
    lat, lon = next(pts)
    row(lat, lon, ok(lat, lon, accuracy_m=5.0), akurasi=5)  # numbers stored as numbers
    for writing, style, kw in [("dms", "letters", {}), ("dms", "indonesian", {}),
                               ("dms", "sign", {}), ("ddm", "letters", {}),
                               ("ddm", "indonesian", {"decimal_comma": True}),
                               ("dms", "indonesian", {"decimal_comma": True})]:
        lat, lon = next(pts)
        row(_fmt(lat, "lat", writing, style, **kw), _fmt(lon, "lon", writing, style, **kw),
            ok(lat, lon))
    lat, lon = next(pts)
    row(f"{-lat:.6f} LS", f"BT {lon:.6f}", ok(lat, lon), akurasi="3,5 m")
    lat, lon = next(pts)
    row(f"S{-lat:.6f}", f"E{lon:.6f}", ok(lat, lon))
    lat, lon = next(pts)
    row(f"−{-lat:.6f}", f"{lon:.6f}", ok(lat, lon))  # U+2212 minus
    lat, lon = next(pts)
    dms = _fmt(lat, "lat", "dms", "indonesian").replace("°", "º").replace("'", "’")
    row(dms.replace('"', "”"), _fmt(lon, "lon", "dms", "indonesian"), ok(lat, lon))
    lat, lon = next(pts)
    d, rest = divmod(abs(lat) * 3600, 3600)
    m, s = divmod(rest, 60)
    row(f"{int(d)} {int(m)} {s:.2f} S", f"{lon:.6f}", ok(lat, lon))
    lat, lon = next(pts)
    row(f"{lat:.3f}", f"{lon:.3f}", ok(round(lat, 3), round(lon, 3), note="accuracy_m set to 56",
                                       accuracy_m=55.7))
    # swapped pairs: corrected with a note
    lat, lon = next(pts)
    row(f"{lon:.6f}", f"{lat:.6f}", ok(lat, lon, note="swapped in this row"))
    lat, lon = next(pts)
    row(_fmt(lon, "lon", "dms", "indonesian"), _fmt(lat, "lat", "dms", "indonesian"),
        ok(lat, lon, note="swapped in this row"))
    # duplicates: the same id twice, the same position under two ids
    lat, lon = next(pts)
    row(f"{lat:.6f}", f"{lon:.6f}", ok(lat, lon, note="is also used by"), pid="DUP-1")
    lat, lon = next(pts)
    row(f"{lat:.6f}", f"{lon:.6f}", ok(lat, lon, note="is also used by"), pid="DUP-1")
    lat, lon = next(pts)
    row(f"{lat:.6f}", f"{lon:.6f}", ok(lat, lon, note="same coordinates as"))
    row(f"{lat:.6f}".replace(".", ","), f"{lon:.6f}".replace(".", ","),
        ok(lat, lon, note="same coordinates as"))
    # rows that cannot be used, each with its own problem
    row("", "", Truth(problem="column 'Lintang': the coordinate is blank"))
    row("belum ada", "belum ada", Truth(problem="'belum ada' is a placeholder"))
    row("-", "-", Truth(problem="'-' is a placeholder"))
    lat, lon = next(pts)
    row(f"{lat:.6f}", "0", Truth(problem="column 'Bujur': Coordinate '0' is a placeholder"))
    row(0, 0, Truth(problem="column 'Bujur': Coordinate '0' is a placeholder"))
    row("-2.5", "112.3", Truth(problem="uncertain by ~5,566 m"))
    row("-95.5", "112.3", Truth(problem="outside -90..90 for a latitude"))
    row("48.858370", "2.294481", Truth(problem="lies outside Indonesia"))
    row("-2.512345 LU", "112.234567", Truth(problem="contradict each other"))
    row("2.51.2345", "112.234567", Truth(problem="more than one decimal separator"))
    row("abc", "112.234567", Truth(problem="has 'abc' where a sign"))
    row(f"{lat:.6f}", "", Truth(problem="column 'Bujur': the coordinate is blank"))
    # polygons as WKT: lat/lon cells blank; one unclosed ring, one bow-tie
    lat, lon = next(pts)
    square = [(lon, lat), (lon + 0.0004, lat), (lon + 0.0004, lat - 0.0003), (lon, lat - 0.0003)]
    wkt = "POLYGON ((" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in [*square, square[0]]) + "))"
    row("", "", Truth(polygon=square), wkt=wkt)
    lat, lon = next(pts)
    square = [(lon, lat), (lon + 0.0004, lat), (lon + 0.0004, lat - 0.0003), (lon, lat - 0.0003)]
    open_wkt = "POLYGON ((" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in square) + "))"
    row("", "", Truth(polygon=square, note="ring was not closed"), wkt=open_wkt)
    lat, lon = next(pts)
    bowtie = [(lon, lat), (lon + 0.0004, lat - 0.0003), (lon + 0.0004, lat), (lon, lat - 0.0003)]
    bow_wkt = "POLYGON ((" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in [*bowtie, bowtie[0]]) + "))"
    row("", "", Truth(polygon=bowtie, note="repaired with make_valid"), wkt=bow_wkt)
    row("", "", Truth(problem="not well-formed WKT"), wkt="POLYGON ((112.3 -2.5, 112.4")


def _pair_rows(sheet: _Sheet) -> None:
    pts = _points(6, seed=23)
    writings = [
        lambda a, o: f"{a:.6f}, {o:.6f}",
        lambda a, o: f"{a:.6f}".replace(".", ",") + "; " + f"{o:.6f}".replace(".", ","),
        lambda a, o: f"{_fmt(a, 'lat', 'dms', 'indonesian')} {_fmt(o, 'lon', 'dms', 'indonesian')}",
        lambda a, o: f"{o:.6f}, {a:.6f}",  # longitude first
        lambda a, o: f"({a:.6f}, {o:.6f})",
    ]
    for i, write in enumerate(writings):
        lat, lon = pts[i]
        note = "longitude first" if i == 3 else None
        sheet.add([f"K{i + 1}", write(lat, lon)], Truth(lat=lat, lon=lon, note=note))
    sheet.add(["K6", "belum disurvei"], Truth(problem="is a placeholder"))


def _utm_rows(sheet: _Sheet) -> None:
    pts = _points(7, seed=31)
    to_utm = pyproj.Transformer.from_crs(4326, 32749, always_xy=True)
    to_tm3 = pyproj.Transformer.from_crs(4326, 23836, always_xy=True)  # TM-3 49.2 (DGN95)
    tm3_back = pyproj.Transformer.from_crs(23836, 4326, always_xy=True)
    rows = []
    for i, (lat, lon) in enumerate(pts):
        x, y = to_utm.transform(lon, lat)
        rows.append((i, lat, lon, round(x, 1), round(y, 1)))
    add = sheet.add
    _, lat, lon, x, y = rows[0]
    add(["U1", f"{x:.1f}", f"{y:.1f}", "49S"], Truth(lat=lat, lon=lon))
    _, lat, lon, x, y = rows[1]
    add(["U2", x, y, "UTM 49 S"], Truth(lat=lat, lon=lon))  # numbers stored as numbers
    _, lat, lon, x, y = rows[2]
    add(["U3", f"{x:.1f}".replace(".", ","), f"{y:.1f}".replace(".", ","), "49M"],
        Truth(lat=lat, lon=lon))
    _, lat, lon, x, y = rows[3]
    add(["U4", f"{y:.1f}", f"{x:.1f}", "49S"], Truth(lat=lat, lon=lon, note="easting and "
                                                      "northing were swapped"))
    _, lat, lon, _, _ = rows[4]
    tx, ty = to_tm3.transform(lon, lat)
    tx, ty = round(tx, 1), round(ty, 1)
    back_lon, back_lat = tm3_back.transform(tx, ty)  # DGN95 ~ WGS 84 in PROJ: same point
    add(["U5", f"{tx:.1f}", f"{ty:.1f}", "TM-3 49.2"], Truth(lat=back_lat, lon=back_lon))
    _, lat, lon, x, y = rows[5]
    add(["U6", f"{x:.1f}", f"{y:.1f}", ""], Truth(problem="no coordinate system is given"))
    add(["U7", f"{x:.1f}", f"{y:.1f}", "99Q"], Truth(problem="column 'Zona': CRS '99Q'"))
    add(["U8", "612.345.678", f"{y:.1f}", "49S"], Truth(problem="is not a number of metres"))


def build(path: Path) -> dict[tuple[str, int], Truth]:
    """Write the workbook (module notes) and return the truth per (sheet, row)."""
    book = Workbook()
    info = book.active
    info.title = "Petunjuk"
    info["A1"] = "Petunjuk pengisian: isi lembar 'Daftar Lahan'; koordinat dalam WGS 84."
    info["A2"] = "Jangan mengubah judul kolom."

    form = book.create_sheet("Daftar Lahan")
    form["A1"] = "DAFTAR CALON LOKASI GERAI KOPERASI DESA MERAH PUTIH"
    form.merge_cells("A1:I1")
    form["A2"] = "Kabupaten Seruyan (sintetis) - Tahun 2025"
    form.merge_cells("A2:I2")
    header = ["No", "ID Lahan", "Desa/Kelurahan", "Kecamatan", "Koordinat", None,
              "Akurasi GPS (m)", "Batas Lahan (WKT)", "Keterangan"]
    for col, value in enumerate(header, start=1):
        form.cell(row=4, column=col, value=value)
    form.merge_cells("E4:F4")
    for col in (1, 2, 3, 4, 7, 8, 9):
        form.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    form.cell(row=5, column=5, value="Lintang")
    form.cell(row=5, column=6, value="Bujur")
    sheets = [_Sheet("Daftar Lahan", 6), _Sheet("Titik Gabungan", 2), _Sheet("UTM", 3)]
    _form_rows(sheets[0])
    truth: dict[tuple[str, int], Truth] = {}
    number = sheets[0].first_row
    for i, (cells, t) in enumerate(zip(sheets[0].rows, sheets[0].truths)):
        if i == 10:
            number += 1  # a blank row inside the table: skipped, not a plot
        for col, value in enumerate(cells, start=1):
            form.cell(row=number, column=col, value=value)
        truth[("Daftar Lahan", number)] = t
        number += 1

    pairs = book.create_sheet("Titik Gabungan")
    pairs.append(["Kode", "Titik Koordinat"])
    _pair_rows(sheets[1])
    for cells, t in zip(sheets[1].rows, sheets[1].truths):
        pairs.append(cells)
        truth[("Titik Gabungan", pairs.max_row)] = t

    utm = book.create_sheet("UTM")
    utm.append(["Koordinat UTM (WGS 84)"])
    utm.append(["Kode", "X (Timur)", "Y (Utara)", "Zona"])
    _utm_rows(sheets[2])
    for cells, t in zip(sheets[2].rows, sheets[2].truths):
        utm.append(cells)
        truth[("UTM", utm.max_row)] = t
    book.save(path)
    return truth


def polygon_of(truth: Truth) -> shapely.Polygon:
    assert truth.polygon is not None
    return shapely.Polygon(truth.polygon)
