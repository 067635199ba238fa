"""Issue #7: broken and crafted plot-list files.

Every case must end in one of lahan_geo's own errors (never a foreign traceback) that
names the file and says how to fix it, or be read with every row kept; and none may
hang or fill memory. ``HOSTILE_FILES`` lists the cases built here; the archive, XML,
geometry, layer and output cases are in the other ``test_hostile_*`` modules.
"""

from __future__ import annotations

import random
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

import lahan_geo as lg
from intake_corpus import formats
from lahan_geo import limits
from lahan_geo.intake import tables
from lahan_geo.intake.blocks import MAX_COLUMNS

GOOD_CSV = "id_lahan,lintang,bujur\nA,-2.512345,112.312345\nB,-2.612345,112.412345\n"
HTML = ("<!DOCTYPE html>\n<html><head><title>Masuk</title></head><body><table><tr>"
        "<td>lintang</td><td>bujur</td></tr></table></body></html>\n")


def assert_clean_error(info: pytest.ExceptionInfo, name: str) -> str:
    """The error is lahan_geo's, names the file, gives a fix, hides library internals."""
    err = info.value
    assert isinstance(err, lg.LahanGeoError)
    text = str(err)
    assert name in text, text
    assert "Fix:" in text, text
    assert len(text) < 1200, len(text)
    # Raised "from None": no chained traceback from GDAL, openpyxl, zipfile or csv.
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__)
    assert "It might help to specify the correct driver" not in text
    return text


def _garbage(nul: bool = True) -> bytes:
    rnd = random.Random(7)
    low = 0 if nul else 1
    return bytes(rnd.randrange(low, 256) for _ in range(20_000))


def _xlsx(path: Path) -> Path:
    book = Workbook()
    book.active.append(["id_lahan", "lintang", "bujur"])
    book.active.append(["A", "-2.512345", "112.312345"])
    book.save(path)
    return path


def _good(kind: str, folder: Path) -> bytes:
    """The bytes of a valid plot file of ``kind`` (suffix), built in ``folder``."""
    folder.mkdir(exist_ok=True)
    if kind == ".xlsx":
        return _xlsx(folder / "ok.xlsx").read_bytes()
    if kind == ".zip":
        return formats.write_zipped_shapefile(folder).read_bytes()
    if kind == ".kmz":
        return formats.write_kmz(folder / "ok.kmz").read_bytes()
    if kind == ".kml":
        return formats.write_kml(folder / "ok.kml").read_bytes()
    driver = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".fgb": "FlatGeobuf"}[kind]
    return formats.write_gdal(folder / f"ok{kind}", driver).read_bytes()


# (file name, content builder, pattern the message must match)
Builder = Callable[[Path], bytes]
HOSTILE_FILES: list[tuple[str, Builder, str]] = [
    # empty files, of every format
    *[(f"empty{s}", lambda _: b"", r"is empty\. Fix: the copy or download may have failed")
      for s in (".csv", ".xlsx", ".geojson", ".gpkg", ".kml", ".kmz", ".zip", ".gpx", ".shp",
                ".fgb")],
    ("blank.csv", lambda _: b"  \r\n\n \t\n", r"blank\.csv is empty"),
    # cut in half (or shorter)
    ("half.gpkg", lambda d: _good(".gpkg", d)[: len(_good(".gpkg", d)) // 2],
     r"is a GeoPackage \(SQLite database\) but it is cut short or damaged"),
    ("tenth.gpkg", lambda d: _good(".gpkg", d)[:4096 * 3],
     r"GeoPackage .* cut short or damaged"),
    ("half.xlsx", lambda d: _good(".xlsx", d)[: len(_good(".xlsx", d)) // 2],
     r"is a zip archive .* cut short or damaged\. Fix: copy or download it again"),
    ("short.zip", lambda d: _good(".zip", d)[: len(_good(".zip", d)) - 30],
     r"zip archive .* cut short or damaged"),
    ("half.kmz", lambda d: _good(".kmz", d)[: len(_good(".kmz", d)) // 2],
     r"zip archive .* cut short or damaged"),
    ("half.geojson", lambda d: _good(".geojson", d)[: len(_good(".geojson", d)) // 2],
     r"Cannot read .*half\.geojson: Failed to read GeoJSON.*Fix: check that the file is "
     r"complete"),
    ("half.kml", lambda d: _good(".kml", d)[: len(_good(".kml", d)) // 2],
     r"not well-formed XML \(line \d+, column \d+.*it may be cut off"),
    ("half.fgb", lambda d: _good(".fgb", d)[: len(_good(".fgb", d)) // 2],
     r"half\.fgb is a FlatGeobuf file but it is cut short or damaged"),
    # the wrong name for the content
    ("csv_named.xlsx", lambda _: GOOD_CSV.encode(),
     r"cannot be opened as an Excel workbook.*named \.xlsx but holds text \(a CSV or similar "
     r"table\)\. Fix: rename it to csv_named\.csv"),
    ("geojson_named.csv", lambda d: _good(".geojson", d),
     r"named \.csv but holds GeoJSON\. Fix: rename it to geojson_named\.geojson"),
    ("xlsx_named.csv", lambda d: _good(".xlsx", d),
     r"is not a text file \(it holds binary data: an Excel workbook \(\.xlsx\)\)\. Fix: rename "
     r"it to xlsx_named\.xlsx"),
    ("gpkg_named.csv", lambda d: _good(".gpkg", d),
     r"binary data: a GeoPackage.*rename it to gpkg_named\.gpkg"),
    ("csv_named.geojson", lambda _: GOOD_CSV.encode(),
     r"named \.geojson but holds text.*rename it to csv_named\.csv"),
    ("csv_named.gpkg", lambda _: GOOD_CSV.encode(), r"named \.gpkg but holds text"),
    ("csv_named.kml", lambda _: GOOD_CSV.encode(), r"named \.kml but holds text"),
    ("csv_named.zip", lambda _: GOOD_CSV.encode(), r"named \.zip but holds text"),
    ("kml_named.geojson", lambda d: _good(".kml", d),
     r"named \.geojson but holds KML\. Fix: rename it to kml_named\.kml"),
    ("page.xlsx", lambda _: HTML.encode(),
     r"named \.xlsx but holds an HTML page.*Fix: open it in a browser or spreadsheet program"),
    ("page.csv", lambda _: HTML.encode(), r"named \.csv but holds an HTML page"),
    ("page.xls", lambda _: HTML.encode(), r"named \.xls but holds an HTML page"),
    ("old.xlsx", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
     r"holds an old Excel 97-2003 workbook.*save it as \.xlsx"),
    ("scan.csv", lambda _: b"%PDF-1.7\n" + b"\0" * 100, r"binary data: a PDF document"),
    # binary garbage under every name
    ("garbage.csv", lambda _: _garbage(), r"is not a text file \(it holds binary data\)"),
    ("garbage_no_nul.csv", lambda _: _garbage(nul=False), r"is not a text file"),
    *[(f"garbage{s}", lambda _: _garbage(), r"holds binary data of no known format|"
       r"cannot be opened as an Excel workbook")
      for s in (".xlsx", ".geojson", ".gpkg", ".kml", ".kmz", ".zip", ".gpx", ".shp", ".fgb")],
]


@pytest.mark.parametrize(("name", "build", "pattern"), HOSTILE_FILES,
                         ids=[c[0] for c in HOSTILE_FILES])
def test_broken_or_misnamed_file_gets_a_precise_error(tmp_path, name, build, pattern):
    path = tmp_path / name
    path.write_bytes(build(tmp_path / "src"))
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, name)
    assert re.search(pattern, text), text


def test_misnamed_text_is_still_read_when_the_name_fits(tmp_path):
    """The content check never refuses a file whose name and content agree."""
    path = tmp_path / "plots.csv"
    path.write_text(GOOD_CSV)
    assert lg.read_plots(path)["plot_id"].tolist() == ["A", "B"]
    txt = tmp_path / "bracket.csv"  # a header starting with "[" is not JSON
    txt.write_text("[No],id_lahan,lintang,bujur\n1,A,-2.512345,112.312345\n")
    assert lg.read_plots(txt)["plot_id"].tolist() == ["A"]


# --------------------------------------------------------------------------------------
# Size: a million columns, a 10 MB cell, a stray cell in XFD1048576
# --------------------------------------------------------------------------------------


def _fast(seconds: float) -> Callable[[], None]:
    start = time.perf_counter()

    def check() -> None:
        assert time.perf_counter() - start < seconds

    return check


def test_a_million_columns_in_the_header_is_refused_quickly(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("lintang,bujur," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n"
                    "-2.512345,112.312345\n")
    done = _fast(5)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    done()
    text = assert_clean_error(info, "wide.csv")
    assert f"line 1: 1,000,002 cells, more than the budget columns={MAX_COLUMNS:,}" in text


def test_a_million_cells_in_one_data_row_names_the_line(tmp_path):
    path = tmp_path / "wide_row.csv"
    path.write_text("id_lahan,lintang,bujur\nA,-2.512345,112.312345\nB,-2.5,112.3"
                    + ",x" * 1_000_000 + "\n")
    done = _fast(5)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    done()
    assert "wide_row.csv, line 3: 1,000,003 cells" in assert_clean_error(info, "wide_row.csv")


def test_the_widest_sheet_excel_allows_is_still_read(tmp_path):
    path = tmp_path / "excel_wide.csv"
    header = ["id_lahan", "lintang", "bujur", *[f"c{i}" for i in range(MAX_COLUMNS - 3)]]
    path.write_text(",".join(header) + "\nA,-2.512345,112.312345\n")
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A"] and plots["input_problem"].iloc[0] is None


def test_a_10_mb_cell_is_refused_with_the_line_and_cause(tmp_path):
    path = tmp_path / "bigcell.csv"
    path.write_text("id_lahan,lintang,bujur\nA,-2.512345,112.312345\nB,"
                    + "9" * 10_000_000 + ",112.3\n")
    done = _fast(5)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    done()
    text = assert_clean_error(info, "bigcell.csv")
    assert f"line 3: a cell runs past {tables.MAX_CELL_CHARS:,} characters," in text
    assert "pass sep=" not in text  # the delimiter is not the problem


def test_an_unclosed_quote_names_the_line_where_it_opens(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('id_lahan,lintang,bujur\nA,"-2.512345,112.312345\n'
                    + "B,-2.512345,112.312345\n" * 20_000)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, "quote.csv")
    assert "line 2: a cell runs past" in text and "(up to line " in text
    assert "a quote (\") opens the cell and is never closed" in text


@pytest.mark.parametrize("column", ["lintang", "WKT", "koordinat"])
def test_a_10_mb_cell_in_a_table_is_a_row_problem_and_the_rows_stay(column):
    raw = pd.DataFrame({"id_lahan": ["A", "B", "C"], "lintang": ["-2.512345"] * 3,
                        "bujur": ["112.312345"] * 3})
    if column != "lintang":
        raw = pd.DataFrame({"id_lahan": ["A", "B", "C"],
                            column: ["POINT (112.312345 -2.512345)" if column == "WKT"
                                     else "-2.512345, 112.312345"] * 3})
    raw.loc[1, column] = "2 LS " * 2_000_000  # 10 MB of almost-a-coordinate
    done = _fast(10)
    plots = lg.read_plots(raw)
    done()
    assert plots["plot_id"].tolist() == ["A", "B", "C"]
    problems = plots["input_problem"].tolist()
    assert problems[0] is None and problems[2] is None
    assert problems[1].startswith(f"row 2, column '{column}'") and "Fix:" in problems[1]
    assert len(problems[1]) < 600


def test_a_stray_cell_at_the_last_cell_of_a_sheet_costs_nothing(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id_lahan", "lintang", "bujur"])
    sheet.append(["A", "-2.512345", "112.312345"])
    sheet["XFD1048576"] = "x"
    path = tmp_path / "stray.xlsx"
    book.save(path)
    done = _fast(10)
    plots = lg.read_plots(path)
    done()
    # Both rows are kept, in order: the stray one as a row whose problem names it.
    assert plots["source_row"].tolist() == [2, 1_048_576]
    assert plots["input_problem"].iloc[0] is None
    assert plots["input_problem"].iloc[1].startswith("sheet 'Sheet', row 1048576")
    read = plots.attrs["lahan_geo"]["read"]
    assert read["blank_row_count"] == 1_048_576 - 3 and len(read["blank_rows"]) == 1000


def _rewrite_xlsx(source: Path, target: Path, member: str,
                  change: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, change(data) if info.filename == member else data)
    return target


def test_a_merged_range_of_the_whole_sheet_is_refused_before_openpyxl(tmp_path):
    base = _xlsx(tmp_path / "base.xlsx")
    path = _rewrite_xlsx(base, tmp_path / "merged.xlsx", "xl/worksheets/sheet1.xml",
                         lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                             b'<mergeCell ref="D1:XFD1048576"/></mergeCells>'))
    done = _fast(5)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    done()
    text = assert_clean_error(info, "merged.xlsx")
    assert "cover 17,176,723,456 cells" in text and "unmerge" in text


def test_ordinary_merged_cells_are_still_filled(tmp_path):
    base = _xlsx(tmp_path / "base.xlsx")
    path = _rewrite_xlsx(base, tmp_path / "merged_ok.xlsx", "xl/worksheets/sheet1.xml",
                         lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                             b'<mergeCell ref="A2:A3"/></mergeCells>'))
    plots = lg.read_plots(path)
    # The merged id fills row 3, which now holds a value and so is a (coordinate-less) row.
    assert plots["plot_id"].tolist() == ["A", "A"]
    assert plots["input_problem"].iloc[0] is None
    assert "blank" in plots["input_problem"].iloc[1]


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path):
    base = _xlsx(tmp_path / "base.xlsx")
    padding = b"<!-- " + b"x" * 60_000 + b" -->"
    path = _rewrite_xlsx(base, tmp_path / "bloated.xlsx", "xl/worksheets/sheet1.xml",
                         lambda x: x.replace(b"<sheetData>", padding + b"<sheetData>"))
    with limits.override(workbook_unpacked_bytes=50_000), pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "more than the budget workbook_unpacked_bytes=50,000. Fix: save the plot list as " \
        "CSV" in assert_clean_error(info, "bloated.xlsx")


def test_geojson_with_100000_properties_is_refused_quickly(tmp_path):
    path = tmp_path / "props.geojson"
    props = ",".join(f'"p{i}":1' for i in range(100_000))
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{'
                    + props + '},"geometry":{"type":"Point","coordinates":[112.312345,'
                    '-2.512345]}}]}')
    done = _fast(10)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    done()
    assert "has 100,000 attribute columns" in assert_clean_error(info, "props.geojson")


def test_geojson_nested_a_hundred_thousand_deep_is_an_input_error(tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                    '{"a":' + "[" * 100_000 + "]" * 100_000 + '},"geometry":null}]}')
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert_clean_error(info, "deep.geojson")


def test_an_empty_feature_collection_is_an_empty_plot_list(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text('{"type":"FeatureCollection","features":[]}')
    plots = lg.read_plots(path)
    assert len(plots) == 0 and plots.crs.to_epsg() == 4326
    assert len(lg.screen(plots)) == 0


# --------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------


def test_utf8_file_with_a_pasted_cp1252_line_keeps_every_coordinate(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "\ufeffid;desa;lintang;bujur\n".encode()
        + "A;Sukamaju;2°31'12.5\" LS;112°18'07.1\" BT\n".encode()
        + "B;Pematang Limau – Café;-2,51234;112,30512\n".encode("cp1252")
        + "C;Tumbang Jutuh;2°32'12.5\" LS;112°18'07.1\" BT\n".encode())
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A", "B", "C"]
    assert plots["input_problem"].isna().all(), plots["input_problem"].tolist()
    assert plots["desa"].tolist() == ["Sukamaju", "Pematang Limau – Café", "Tumbang Jutuh"]
    assert plots.geometry.iloc[0].y == pytest.approx(-(2 + 31 / 60 + 12.5 / 3600))
    assert "line 3 is not UTF-8" in plots["input_notes"].iloc[1]
    assert plots["input_notes"].iloc[0] is None or "UTF-8" not in plots["input_notes"].iloc[0]
    read = plots.attrs["lahan_geo"]["read"]
    assert read["encoding"] == "utf-8 (some lines cp1252)" and read["cp1252_lines"] == [3]


def test_a_single_byte_file_is_read_whole_as_before(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id;desa;lintang;bujur\nA;Café;2°31'12.5\" LS;112°18'07.1\" BT\n"
                     .encode("cp1252"))
    plots = lg.read_plots(path)
    assert plots["desa"].tolist() == ["Café"] and plots["input_problem"].iloc[0] is None
    assert plots.attrs["lahan_geo"]["read"]["encoding"] == "cp1252"


def test_a_wrong_explicit_encoding_is_named_with_the_fix(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id;desa;lintang;bujur\nA;Café;-2,51234;112,30512\n".encode("cp1252"))
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path, encoding="utf-8")
    assert "is not valid utf-8" in assert_clean_error(info, "latin.csv")


def test_utf16_without_bom_needs_its_encoding_and_then_reads(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(GOOD_CSV.replace(",", "\t").encode("utf-16-le"))
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "binary data" in assert_clean_error(info, "unicode.txt")
    assert lg.read_plots(path, encoding="utf-16-le")["plot_id"].tolist() == ["A", "B"]


def test_delimiters_inside_quoted_cells_do_not_fool_the_delimiter_guess(tmp_path):
    """Found by hypothesis: ids of '|' and WKT polygons (commas inside quotes) made the
    guess pick '|', and the file lost its header."""
    ring = "112.412338 -2.704300, 112.413338 -2.704300, 112.413338 -2.703300, 112.412338 -2.704300"
    path = tmp_path / "bars.csv"
    path.write_text(f'no,id_lahan,WKT\n1,|,"POLYGON (({ring}))"\n2,|,"POLYGON (({ring}))"\n')
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["|", "|"]
    assert plots["input_problem"].isna().all()
    assert plots.attrs["lahan_geo"]["read"]["delimiter"] == ","
    semi = tmp_path / "semi.csv"  # a semicolon file whose cells hold commas stays ';'
    semi.write_text("id;lintang;bujur;catatan\nA;-2,704300;112,412338;a, b, c\n")
    assert lg.read_plots(semi).attrs["lahan_geo"]["read"]["delimiter"] == ";"


# --------------------------------------------------------------------------------------
# DataFrames as notebooks make them
# --------------------------------------------------------------------------------------


def test_cells_of_every_python_type_are_row_problems_or_read():
    from decimal import Decimal

    import numpy as np

    values = [b"-2.512345", [1, 2], {"a": 1}, -2.512345, np.nan, None, pd.NA, True,
              1 + 2j, pd.Timestamp("2020-01-01"), float("inf"), Decimal("-2.512345"),
              "-2.512345"]
    raw = pd.DataFrame({"id_lahan": [f"r{i}" for i in range(len(values))],
                        "lintang": pd.Series(values, dtype=object),
                        "bujur": ["112.312345"] * len(values)})
    plots = lg.read_plots(raw)
    assert plots["plot_id"].tolist() == raw["id_lahan"].tolist()
    readable = {3, 11, 12}
    for i, problem in enumerate(plots["input_problem"]):
        if i in readable:
            assert problem is None, (values[i], problem)
        else:
            assert problem.startswith(f"row {i + 1}, column 'lintang'") and "Fix:" in problem


@pytest.mark.parametrize("columns", [
    ["id_lahan", "lintang", "bujur", "lintang"],  # a name twice
    [0, "lintang", ("bujur",), None],  # not text
    pd.MultiIndex.from_tuples([("Lahan", "id_lahan"), ("Koordinat", "lintang"),
                               ("Koordinat", "bujur"), ("Unnamed: 3_level_0", "desa")]),
])
def test_odd_column_names_are_made_plain_and_unique(columns):
    raw = pd.DataFrame([["A", "-2.512345", "112.312345", "x"]], columns=columns)
    plots = lg.read_plots(raw)
    assert plots["input_problem"].iloc[0] is None
    assert plots.geometry.iloc[0].y == -2.512345
    own = list(plots.columns[: len(raw.columns)])
    assert all(isinstance(c, str) for c in own) and len(set(own)) == len(own)


@pytest.mark.parametrize(("name", "content", "pattern"), [
    ("desa.csv", b"nama,x\nA,1\n", r"reads vector files only as \.gpkg, .* not \.csv"),
    ("desa.gpkg", b"", r"is empty"),
    ("desa.geojson", HTML.encode(), r"named \.geojson but holds an HTML page"),
])
def test_a_hostile_within_boundary_is_an_input_error(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    raw = pd.DataFrame({"id_lahan": ["A"], "lintang": ["-2.512345"], "bujur": ["112.312345"]})
    with pytest.raises(lg.InputError, match=pattern) as info:
        lg.read_plots(raw, within=path)
    assert_clean_error(info, name)
