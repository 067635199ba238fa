"""read_plots reads every format field teams send: one small file per format, built here."""

from __future__ import annotations

import codecs
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import Workbook

import lahan_geo as lg
from intake_corpus import formats
from lahan_geo.io import archives

METRE_DEG = 1e-5  # about 1.1 m


def assert_points(plots: gpd.GeoDataFrame) -> None:
    assert plots.crs.to_epsg() == 4326
    assert plots["plot_id"].tolist()[:2] == list(formats.POINTS)
    for pid, (x, y) in formats.POINTS.items():
        geom = plots.geometry[plots["plot_id"] == pid].iloc[0]
        assert geom.geom_type == "Point"
        assert geom.distance(shapely.Point(x, y)) < METRE_DEG
    assert plots["input_problem"].iloc[:2].isna().all()


def assert_polygon(plots: gpd.GeoDataFrame) -> None:
    row = plots[plots["plot_id"] == formats.POLYGON_ID].iloc[0]
    assert row["input_problem"] is None
    assert row.geometry.geom_type == "Polygon" and row.geometry.is_valid
    assert row.geometry.symmetric_difference(shapely.Polygon(formats.SQUARE)).area < 1e-12


def assert_three_plots(plots: gpd.GeoDataFrame) -> None:
    assert plots["plot_id"].tolist()[:3] == [*formats.POINTS, formats.POLYGON_ID]
    assert_points(plots)
    assert_polygon(plots)


# --------------------------------------------------------------------------------------
# Delimited text
# --------------------------------------------------------------------------------------

ROWS = [("G-01", "-3.412345", "112.305123"), ("G-02", "-2.887654", "112.512346")]


@pytest.mark.parametrize(
    ("sep", "decimal", "encoding", "suffix"),
    [
        (",", ".", "utf-8", ".csv"),
        (",", ".", "utf-8-sig", ".csv"),
        (";", ",", "cp1252", ".csv"),
        (";", ",", "latin-1", ".csv"),
        ("\t", ".", "utf-8", ".tsv"),
        ("\t", ",", "utf-16", ".txt"),  # Excel's "Unicode text"
        ("|", ".", "utf-8", ".txt"),
    ],
)
def test_delimited_text(tmp_path, sep, decimal, encoding, suffix):
    lines = [sep.join(["ID Lahan", "Desa/Kelurahan", "Lintang", "Bujur"])]
    for pid, lat, lon in ROWS:
        lines.append(sep.join([pid, "Tumbang Manjúl", lat.replace(".", decimal),
                               lon.replace(".", decimal)]))
    path = tmp_path / f"plots{suffix}"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["G-01", "G-02"]
    assert plots["Desa/Kelurahan"].tolist() == ["Tumbang Manjúl"] * 2
    assert plots.geometry.iloc[0].y == pytest.approx(-3.412345, abs=1e-9)
    assert plots.geometry.iloc[1].x == pytest.approx(112.512346, abs=1e-9)
    assert plots["source_row"].tolist() == [2, 3]
    assert plots["source_sheet"].tolist() == [None, None]
    assert plots.attrs["lahan_geo"]["read"]["delimiter"] == sep


def test_bom_is_not_part_of_the_first_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"lintang,bujur\n-2.512345,112.234567\n")
    plots = lg.read_plots(path)
    assert list(plots.columns[:2]) == ["lintang", "bujur"]
    assert plots["input_problem"].iloc[0] is None


def test_csv_title_rows_and_blank_rows(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text(
        "DAFTAR LAHAN GERAI KDMP;;\n"
        "Kabupaten Seruyan;;\n"
        ";;\n"
        "id;lintang;bujur\n"
        "A;-2,512345;112,234567\n"
        ";;\n"
        "B;-2,612345;112,334567\n",
        "utf-8",
    )
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A", "B"]
    assert plots["source_row"].tolist() == [5, 7]
    assert plots.attrs["lahan_geo"]["read"]["header_row"] == 4
    assert plots.attrs["lahan_geo"]["read"]["blank_rows"] == [6]


def test_explicit_sep_and_encoding(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes("lintang#bujur\n-2.512345#112.234567\n".encode("cp1252"))
    plots = lg.read_plots(path, sep="#", encoding="cp1252")
    assert plots.geometry.iloc[0].x == pytest.approx(112.234567)


def test_text_errors_name_the_file_and_fix(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("  \n")
    with pytest.raises(lg.InputError, match=r"empty\.csv is empty.*Fix"):
        lg.read_plots(empty)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"PK\x03\x04\0\0\0binary")
    with pytest.raises(lg.InputError, match="binary"):
        lg.read_plots(binary)
    with pytest.raises(lg.InputError, match="Unknown encoding"):
        lg.read_plots(tmp_path / "bin.csv", encoding="klingon")
    nocoords = tmp_path / "names.csv"
    nocoords.write_text("nama,desa\nA,B\n")
    with pytest.raises(lg.InputError, match=r"no coordinate columns.*lat_col="):
        lg.read_plots(nocoords)
    with pytest.raises(lg.InputError, match=r"lat_col='Lat' is not a column"):
        lg.read_plots(nocoords, lat_col="Lat", lon_col="desa")
    with pytest.raises(lg.InputError, match=r"\.xls.*save it as \.xlsx"):
        (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
        lg.read_plots(tmp_path / "old.xls")


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------


def test_workbook_sheet_choice_header_below_title_and_merged_cells(tmp_path):
    book = Workbook()
    info = book.active
    info.title = "Petunjuk"
    info["A1"] = "Isi lembar Data. Koordinat dalam derajat desimal."
    data = book.create_sheet("Data")
    data["A1"] = "DAFTAR CALON LOKASI GERAI"
    data.merge_cells("A1:E1")
    data.append([])
    data.append(["No", "ID Lahan", "Koordinat", None, "Desa"])
    data.merge_cells("C3:D3")
    data.append([None, None, "Lintang", "Bujur", None])
    data.append([1, "G-01", -3.412345, 112.305123, "Sembuluh I"])  # numbers, not text
    data.append([2, "G-02", "-2,887654", "112,512346", "Tumbang Kasai"])
    other = book.create_sheet("Lain")
    other.append(["id", "lat", "lon"])
    other.append(["Z-09", "-1.5", "113.5"])
    path = tmp_path / "book.xlsx"
    book.save(path)

    plots = lg.read_plots(path, sheet="Data")
    assert plots["plot_id"].tolist() == ["G-01", "G-02"]
    assert plots["source_row"].tolist() == [5, 6]
    assert plots["source_sheet"].tolist() == ["Data", "Data"]
    assert plots["Desa"].tolist() == ["Sembuluh I", "Tumbang Kasai"]
    assert plots.attrs["lahan_geo"]["columns"]["lat"] == "Lintang"
    assert plots.geometry.iloc[0].y == pytest.approx(-3.412345, abs=1e-9)
    assert plots.geometry.iloc[1].x == pytest.approx(112.512346, abs=1e-9)

    every = lg.read_plots(path)  # all sheets with plot headers, instructions skipped
    assert every["source_sheet"].tolist() == ["Data", "Data", "Lain"]
    assert every["plot_id"].tolist() == ["G-01", "G-02", "Z-09"]
    assert every.attrs["lahan_geo"]["blocks"][0]["read"]["skipped_sheets"] == ["Petunjuk"]
    assert lg.read_plots(path, sheet=2)["plot_id"].tolist() == ["Z-09"]
    with pytest.raises(lg.InputError, match=r"no sheet 'Nope'.*'Data'"):
        lg.read_plots(path, sheet="Nope")


def test_workbook_errors(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(lg.InputError, match=r"cannot be opened as an Excel workbook.*Fix"):
        lg.read_plots(fake)
    book = Workbook()
    book.active.append(["nama", "desa"])
    path = tmp_path / "nocoords.xlsx"
    book.save(path)
    with pytest.raises(lg.InputError, match=r"No sheet .* has coordinate headers"):
        lg.read_plots(path)


# --------------------------------------------------------------------------------------
# Vector files
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "driver"),
    [("plots.geojson", "GeoJSON"), ("plots.gpkg", "GPKG"), ("plots.shp", "ESRI Shapefile"),
     ("plots.fgb", "FlatGeobuf")],
)
def test_gdal_vector_formats(tmp_path, name, driver):
    # A FlatGeobuf with a spatial index stores features in index order: write it without.
    options = {"SPATIAL_INDEX": "NO"} if driver == "FlatGeobuf" else {}
    path = formats.write_gdal(tmp_path / name, driver, **options)
    plots = lg.read_plots(path)
    if driver == "ESRI Shapefile":  # one geometry type per file: the polygon is apart
        assert_points(plots)
        assert_polygon(lg.read_plots(tmp_path / "plots_bidang.shp"))
        return
    assert_three_plots(plots)
    assert plots["desa"].tolist() == ["Sembuluh I", "Tumbang Kasai", "Rungau"]
    assert plots["source_row"].tolist() == [1, 2, 3]


def test_projected_vector_file_is_converted(tmp_path):
    path = tmp_path / "utm.gpkg"
    formats.frame().to_crs(32749).to_file(path, driver="GPKG")
    assert_three_plots(lg.read_plots(path))


def test_geojson_unclosed_ring_is_closed_and_null_geometry_kept(tmp_path):
    plots = lg.read_plots(formats.write_geojson_unclosed(tmp_path / "hand.geojson"))
    assert_three_plots(plots)
    assert "not closed; closed it" in plots["input_notes"].iloc[2]
    assert plots["plot_id"].iloc[3] == "X-00"
    assert "feature 4: the feature has no geometry" in plots["input_problem"].iloc[3]
    assert len(plots) == 4


def test_geopackage_layer_choice(tmp_path):
    path = tmp_path / "multi.gpkg"
    formats.frame().to_file(path, layer="titik", driver="GPKG")
    formats.frame().iloc[:1].to_file(path, layer="lama", driver="GPKG")
    with pytest.raises(lg.InputError, match=r"several layers.*'titik'.*'lama'.*layer="):
        lg.read_plots(path)
    assert len(lg.read_plots(path, layer="titik")) == 3
    assert len(lg.read_plots(path, layer=1)) == 1
    assert lg.read_plots(path, layer="lama").attrs["lahan_geo"]["read"]["layer"] == "lama"
    with pytest.raises(lg.InputError, match="no layer 'x'"):
        lg.read_plots(path, layer="x")


def test_shapefile_without_prj_needs_crs(tmp_path):
    path = formats.write_gdal(tmp_path / "p.shp", "ESRI Shapefile")
    path.with_suffix(".prj").unlink()
    with pytest.raises(lg.CRSError, match=r"has no CRS.*crs="):
        lg.read_plots(path)
    assert_points(lg.read_plots(path, crs="EPSG:4326"))


def test_zipped_shapefile(tmp_path):
    path = formats.write_zipped_shapefile(tmp_path)
    plots = lg.read_plots(path)
    assert_points(plots)
    assert plots["source_file"].iloc[0] == f"{path}!lahan/lahan.shp"


def test_zip_with_two_plot_files_needs_layer(tmp_path):
    a = formats.write_gdal(tmp_path / "a.geojson", "GeoJSON")
    b = formats.write_kml(tmp_path / "b.kml")
    path = formats.zip_files(tmp_path / "two.zip", [a, b])
    with pytest.raises(lg.InputError, match=r"several plot files.*layer="):
        lg.read_plots(path)
    assert lg.read_plots(path, layer="b")["source_file"].iloc[0].endswith("two.zip!b.kml")


@pytest.mark.parametrize("name", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp",
                                  "C:\\evil.shp"])
def test_zip_entries_leaving_the_folder_are_refused(tmp_path, name):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, b"x")
    with pytest.raises(lg.InputError, match="leaves the archive's folder"):
        lg.read_plots(path)
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_larger_than_the_limit_is_refused_before_extraction(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_LIMITS", "archive_unpacked_bytes=1000")
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.csv", b"lintang,bujur\n" + b"0" * 5000)
    with pytest.raises(lg.InputError, match=r"unpacks to .* MB, more than"):
        lg.read_plots(path)
    with zipfile.ZipFile(path) as zf, pytest.raises(lg.InputError, match="more than"):
        archives.extract_safely(zf, tmp_path / "out", "bomb.zip")
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_zip_lying_about_its_size_is_stopped_while_extracting(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_LIMITS", "archive_unpacked_bytes=4000")
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.csv", b"1" * 3000)
        zf.writestr("b.csv", b"2" * 3000)
    # Skip the check of declared sizes: the count of bytes written must still stop it.
    monkeypatch.setattr(archives, "checked_members", lambda zf, label: zf.infolist())
    with pytest.raises(lg.InputError, match="more than it declares"):
        lg.read_plots(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(lg.InputError, match="not a readable zip archive"):
        lg.read_plots(path)


# --------------------------------------------------------------------------------------
# KML, KMZ, GPX
# --------------------------------------------------------------------------------------


def test_kml_points_and_unclosed_polygon_with_names_and_descriptions(tmp_path):
    plots = lg.read_plots(formats.write_kml(tmp_path / "gerai.kml"))
    assert_three_plots(plots)
    assert plots["name"].tolist() == ["G-01", "G-02", "B-01"]
    assert plots["description"].iloc[0] == "Titik gerai G-01"
    assert plots["description"].iloc[2] == "<b>Bidang</b> aset desa"
    assert plots["folder"].tolist() == ["Titik", "Titik", "Bidang"]
    assert plots["desa"].tolist()[:2] == ["Desa 0", "Desa 1"]
    assert "ring was not closed" in plots["input_notes"].iloc[2]
    assert plots["input_notes"].iloc[0] is None
    assert plots.attrs["lahan_geo"]["columns"]["id"] == "name"


def test_kmz(tmp_path):
    plots = lg.read_plots(formats.write_kmz(tmp_path / "gerai.kmz"))
    assert_three_plots(plots)


def test_kml_bad_coordinates_are_a_row_problem(tmp_path):
    text = formats.kml_text().replace("112.305123,-3.412345,0", "112.3O5,-3.41,0")
    path = tmp_path / "typo.kml"
    path.write_text(text)
    plots = lg.read_plots(path)
    assert len(plots) == 3
    assert plots["input_problem"].iloc[0].startswith("placemark 1: the KML coordinates "
                                                     "'112.3O5,-3.41,0'")
    assert plots["input_problem"].iloc[1] is None


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE kml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
        '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE kml SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ],
)
def test_kml_with_a_doctype_is_refused(tmp_path, doctype):
    text = formats.kml_text().replace('<?xml version="1.0" encoding="UTF-8"?>',
                                      f'<?xml version="1.0"?>{doctype}')
    path = tmp_path / "evil.kml"
    path.write_text(text)
    with pytest.raises(lg.InputError, match=r"DOCTYPE.*refused for safety"):
        lg.read_plots(path)


def test_truncated_kml(tmp_path):
    path = tmp_path / "cut.kml"
    path.write_text(formats.kml_text()[:300])
    with pytest.raises(lg.InputError, match=r"not well-formed XML \(line 1"):
        lg.read_plots(path)


def test_gpx_waypoints(tmp_path):
    plots = lg.read_plots(formats.write_gpx(tmp_path / "titik.gpx"))
    assert plots["plot_id"].tolist() == ["G-01", "G-02"]
    assert plots["desc"].tolist() == ["Gerai G-01", "Gerai G-02"]
    assert plots["ele"].tolist() == ["12.5", "12.5"]
    for geom, (x, y) in zip(plots.geometry, formats.POINTS.values()):
        assert (geom.x, geom.y) == (x, y)


def test_gpx_with_only_tracks_is_refused(tmp_path):
    path = tmp_path / "track.gpx"
    path.write_text('<gpx version="1.1"><trk><name>a</name></trk></gpx>')
    with pytest.raises(lg.InputError, match=r"no waypoints \(it holds tracks\).*waypoint"):
        lg.read_plots(path)


# --------------------------------------------------------------------------------------
# DataFrames
# --------------------------------------------------------------------------------------


def test_dataframe_and_geodataframe():
    raw = pd.DataFrame({"ID": ["G-01", "G-02"], "Latitude": [-3.412345, -2.887654],
                        "Longitude": [112.305123, 112.512346]})
    plots = lg.read_plots(raw)
    assert plots["plot_id"].tolist() == ["G-01", "G-02"]
    assert plots["source_file"].tolist() == ["<DataFrame>"] * 2
    assert_three_plots(lg.read_plots(formats.frame()))
    assert_three_plots(lg.read_plots(formats.frame().to_crs(23879)))  # DGN95 / UTM 49S


def test_unsupported_inputs():
    with pytest.raises(lg.InputError, match="not int"):
        lg.read_plots(5)
    with pytest.raises(lg.InputError, match="does not exist"):
        lg.read_plots("/no/such/plots.csv")


def test_gdal_error_is_an_input_error(tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\0" + b"\0" * 100)
    with pytest.raises(lg.InputError, match=r"Cannot read .*broken\.gpkg.*Fix"):
        lg.read_plots(path)


def test_kml_multigeometry_and_placemark_without_geometry(tmp_path):
    square = " ".join(f"{x},{y}" for x, y in [*formats.SQUARE, formats.SQUARE[0]])
    shifted = " ".join(f"{x + 0.001},{y}" for x, y in [*formats.SQUARE, formats.SQUARE[0]])
    ring = "<Polygon><outerBoundaryIs><LinearRing><coordinates>{}</coordinates>" \
           "</LinearRing></outerBoundaryIs></Polygon>"
    path = tmp_path / "multi.kml"
    path.write_text(
        "<kml><Placemark><name>M</name><MultiGeometry>"
        f"{ring.format(square)}{ring.format(shifted)}"
        "<Point><coordinates>112.4,-3.1</coordinates></Point></MultiGeometry></Placemark>"
        "<Placemark><name>kosong</name></Placemark></kml>")
    plots = lg.read_plots(path)
    assert plots.geometry.iloc[0].geom_type == "MultiPolygon"
    assert "points or lines next to the polygon(s)" in plots["input_notes"].iloc[0]
    assert "placemark 2: the feature has no geometry" in plots["input_problem"].iloc[1]


def test_gpx_waypoint_with_bad_position(tmp_path):
    path = tmp_path / "bad.gpx"
    path.write_text('<gpx><wpt lat="-2.5x" lon="112.3"><name>A</name></wpt>'
                    '<wpt lat="-2.512345" lon="112.234567"><name>B</name></wpt></gpx>')
    plots = lg.read_plots(path)
    assert plots["input_problem"].iloc[0].startswith("waypoint 1: the waypoint's lat='-2.5x'")
    assert plots["input_problem_id"].iloc[0].startswith("titik 1:")
    assert plots["input_problem"].iloc[1] is None
