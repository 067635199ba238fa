"""Plot lists as they really arrive, round two (issue #17): every point on files written here.

Each test writes the kind of file a field team sends (CSV, or XLSX through openpyxl) and
reads it back through ``read_plots`` or the command line. The last tests run the whole
corpus through ``lahan-geo screen`` with every output written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from openpyxl import Workbook, load_workbook
from shapely.geometry import box

import lahan_geo as lg
from lahan_geo.cli import cli_wording, main
from lahan_geo.errors import InputError, InputWarning
from lahan_geo.intake.columns import RESERVED_COLUMNS
from lahan_geo.intake.projected import TM3_ZONES

# Around 112.3 E, 2.5 S, as in test_cli: APL | HL | HK from west to east.
FOREST = [(100700.0, 112.28, 112.30), (100100.0, 112.30, 112.32), (100200.0, 112.32, 112.34)]


def write_csv(path: Path, rows: list[list[object]], sep: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=sep).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]],
               hidden: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def notes_of(plots: pd.DataFrame, i: int) -> tuple[str, str]:
    return str(plots["input_notes"].iloc[i]), str(plots["input_notes_id"].iloc[i])


# --------------------------------------------------------------------------------------
# 1. An explicit column choice always wins over a guess
# --------------------------------------------------------------------------------------


def test_batas_lahan_neighbours_do_not_override_good_coordinates(tmp_path):
    path = write_csv(tmp_path / "formulir.csv", [
        ["ID Lahan", "Lintang", "Bujur", "Batas Lahan"],
        ["A", "-2.490120", "112.290340", "Utara: Jalan Desa; Selatan: Kebun Warga"],
        ["B", "-2.491120", "112.291340", "Timur: Sungai; Barat: Sawah H. Amir"],
    ])
    plots = lg.read_plots(path)
    assert plots["input_problem"].isna().all(), plots["input_problem"].tolist()
    assert [round(g.y, 6) for g in plots.geometry] == [-2.49012, -2.49112]
    assert "geometry" not in plots.attrs["lahan_geo"]["columns"]
    block_notes = plots.attrs["lahan_geo"]["blocks"][0]
    assert any("'Batas Lahan'" in n and "holds no geometry" in n for n in block_notes["notes"])
    assert any("tidak berisi geometri" in n for n in block_notes["notes_id"])
    assert plots["Batas Lahan"].iloc[0].startswith("Utara")  # the column itself is kept


def test_geometry_column_holding_titik_is_ignored_in_a_workbook(tmp_path):
    path = write_xlsx(tmp_path / "lahan.xlsx", {"Data": [
        ["No", "Nama Lokasi", "Lintang", "Bujur", "Geometry"],
        [1, "Gerai Parit", "-2.490120", "112.290340", "titik"],
        [2, "Gerai Hulu", "-2.491120", "112.291340", "titik"],
    ]})
    plots = lg.read_plots(path)
    assert plots["input_problem"].isna().all()
    assert plots["plot_id"].tolist() == ["Gerai Parit", "Gerai Hulu"]  # Nama Lokasi: the id


def test_explicit_lat_lon_win_over_a_real_geometry_column_and_geometry_none_works(tmp_path):
    path = write_csv(tmp_path / "wkt.csv", [
        ["id", "koord_a", "koord_b", "WKT"],
        ["A", "-2.490120", "112.290340", "POINT (112.330120 -2.490120)"],
    ])
    explicit = lg.read_plots(path, lat_col="koord_a", lon_col="koord_b")
    assert round(explicit.geometry.iloc[0].x, 6) == 112.29034
    guessed = lg.read_plots(path)
    assert round(guessed.geometry.iloc[0].x, 2) == 112.33  # without a choice, WKT is read
    with pytest.raises(InputError, match="no coordinate columns"):
        lg.read_plots(path, columns={"geometry": None})  # no geometry and no lat/lon guessed
    chosen = lg.read_plots(path, columns={"geometry": None, "lat": "koord_a", "lon": "koord_b"})
    assert round(chosen.geometry.iloc[0].x, 6) == 112.29034


# --------------------------------------------------------------------------------------
# 2. User columns never collide
# --------------------------------------------------------------------------------------


def test_a_status_column_is_renamed_and_reported(tmp_path):
    path = write_csv(tmp_path / "status.csv", [
        ["ID Lahan", "Lintang", "Bujur", "Status", "desa", "Desa"],
        ["A", "-2.490120", "112.290340", "TKD", "Parit", "PARIT"],
    ])
    plots = lg.read_plots(path)
    renamed = plots.attrs["lahan_geo"]["renamed_columns"]
    assert renamed == {"Status": "Status (daftar)", "Desa": "Desa_2"}
    keys = [str(c).strip().casefold() for c in plots.columns]
    assert len(keys) == len(set(keys))
    assert plots["Status (daftar)"].tolist() == ["TKD"]


def test_reserved_columns_cover_every_column_the_library_adds():
    from lahan_geo.intake.plots import ADDED_COLUMNS
    from lahan_geo.outputs._tabular import RESULT_COLUMNS
    from lahan_geo.outputs.files import GPKG_ORDER_FIELD, STATUS_LABEL_FIELD
    from lahan_geo.review import REVIEW_COLUMNS

    assert set(RESULT_COLUMNS) | set(REVIEW_COLUMNS) | set(ADDED_COLUMNS) | {
        GPKG_ORDER_FIELD, STATUS_LABEL_FIELD} <= set(RESERVED_COLUMNS)


# --------------------------------------------------------------------------------------
# 3. Hemisphere in a header; a plot far from the rest
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lat_header", "lon_header"), [
    ("Lintang (LS)", "Bujur (BT)"), ("Lintang Selatan", "Bujur Timur"),
    ("Latitude (S)", "Longitude (E)"), ("Lintang (LS)", "Bujur Timur (BT)"),
])
def test_header_hemisphere_applies_to_unsigned_values(tmp_path, lat_header, lon_header):
    path = write_csv(tmp_path / "ls.csv", [
        ["ID", lat_header, lon_header], ["A", "3.430120", "112.170340"],
        ["B", "3.431120", "112.171340"]])
    plots = lg.read_plots(path)
    assert [round(g.y, 6) for g in plots.geometry] == [-3.43012, -3.43112]
    en, id_ = notes_of(plots, 0)
    assert f"'3.430120' in column '{lat_header}' read as -3.43012" in en
    assert "dibaca -3.43012" in id_ and "judul kolom" in id_


def test_header_hemisphere_is_not_applied_to_a_signed_column(tmp_path):
    path = write_csv(tmp_path / "signed.csv", [
        ["ID", "Lintang (LS)", "Bujur (BT)"], ["A", "-2.490120", "112.290340"],
        ["B", "0.120340", "109.330340"]])  # Pontianak side: north, written positive
    plots = lg.read_plots(path)
    assert [round(g.y, 6) for g in plots.geometry] == [-2.49012, 0.12034]
    assert any("carry minus signs" in n for n in plots.attrs["lahan_geo"]["blocks"][0]["notes"])


def test_a_plot_with_a_missing_minus_is_a_problem_with_a_suggestion(tmp_path):
    path = write_csv(tmp_path / "slip.csv", [
        ["ID", "Lintang", "Bujur"], ["A", "-2.490120", "112.290340"],
        ["B", "-2.491120", "112.291340"], ["C", "-2.492120", "112.292340"],
        ["D", "2.493120", "112.293340"]])  # Sarawak: inside the box, far from the list
    plots = lg.read_plots(path)
    assert plots["input_problem"].iloc[:3].isna().all()
    problem = plots["input_problem"].iloc[3]
    assert problem.startswith("row 5:") and "Did you mean -2.49312?" in problem
    assert "Maksudnya -2.49312?" in plots["input_problem_id"].iloc[3]
    assert plots.geometry.iloc[3] is None


def test_outside_indonesia_suggests_the_sign(tmp_path):
    path = write_csv(tmp_path / "west.csv", [["ID", "Lintang", "Bujur"],
                                            ["A", "-2.490120", "-112.290340"]])
    plots = lg.read_plots(path)
    assert "did you mean latitude -2.49012, longitude 112.29034?" in plots["input_problem"][0]
    assert "maksudnya lintang -2.49012, bujur 112.29034?" in plots["input_problem_id"][0]


# --------------------------------------------------------------------------------------
# 4. Headers with a unit, zone or datum; a zone in a title row
# --------------------------------------------------------------------------------------


def _utm(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def test_utm_zone_in_the_header(tmp_path):
    x, y = _utm(117.15, -0.50, 32750)
    path = write_csv(tmp_path / "utm.csv", [["ID", "X (UTM 50S)", "Y (UTM 50S)"],
                                            ["A", f"{x:.1f}", f"{y:.1f}"]])
    plots = lg.read_plots(path)
    geom = plots.geometry.iloc[0]
    assert (round(geom.x, 4), round(geom.y, 4)) == (117.15, -0.5)
    notes = plots.attrs["lahan_geo"]["blocks"][0]["notes"]
    assert any("WGS 84 / UTM zone 50S taken from the header of column 'X (UTM 50S)'" in n
               for n in notes)


def test_zone_in_a_title_row_of_a_workbook_and_easting_m(tmp_path):
    x, y = _utm(112.29, -2.49, 32749)
    path = write_xlsx(tmp_path / "utm.xlsx", {"Lahan": [
        ["DAFTAR USULAN LAHAN GERAI KDMP"], ["Zona UTM 49 S"], [],
        ["No", "Kode Lokasi", "Easting (m)", "Northing (m)"],
        [1, "K-01", round(x, 1), round(y, 1)]]})
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["K-01"]
    assert round(plots.geometry.iloc[0].x, 4) == 112.29
    assert any("title row 'Zona UTM 49 S'" in n
               for n in plots.attrs["lahan_geo"]["blocks"][0]["notes"])


def test_tm3_zone_in_a_header_and_crs_given_wins(tmp_path):
    x, y = _utm(117.15, -0.50, TM3_ZONES["50.1"])  # DGN95 / Indonesia TM-3 zone 50.1
    rows = [["ID", "Koordinat X (TM-3 zona 50.1)", "Koordinat Y (TM-3 zona 50.1)"],
            ["A", f"{x:.2f}", f"{y:.2f}"]]
    path = write_csv(tmp_path / "tm3.csv", rows)
    plots = lg.read_plots(path)
    assert round(plots.geometry.iloc[0].x, 4) == 117.15
    other = lg.read_plots(path, crs="TM-3 50.2")
    assert any("crs= gives" in n for n in other.attrs["lahan_geo"]["blocks"][0]["notes"])
    assert round(other.geometry.iloc[0].x, 2) != 117.15 or other["input_problem"].notna()[0]


def test_wgs84_utm_title_and_degree_headers(tmp_path):
    x, y = _utm(117.15, -0.50, 32750)
    utm = write_xlsx(tmp_path / "title.xlsx", {"Data": [
        ["Sistem koordinat: WGS 84 / UTM zone 50S"], ["ID", "X", "Y"],
        ["A", round(x, 1), round(y, 1)]]})
    assert round(lg.read_plots(utm).geometry.iloc[0].x, 4) == 117.15
    degrees = write_csv(tmp_path / "deg.csv", [
        ["ID", "Lintang (derajat desimal)", "Bujur (BT)"], ["A", "-2.490120", "112.290340"]])
    assert lg.read_plots(degrees).attrs["lahan_geo"]["columns"]["lat"] == \
        "Lintang (derajat desimal)"


# --------------------------------------------------------------------------------------
# 5. Excel damage explained
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> gpd.GeoDataFrame:
    path = tmp_path_factory.mktemp("damage") / "rusak.xlsx"
    write_xlsx(path, {"Data": [
        ["ID Lahan", "Lintang", "Bujur", "Akurasi (m)"],
        ["1.23E+05", "-2.490120", "112.290340", 5],
        ["B", dt.datetime(2026, 2, 1, 10, 19), "112.290340", 5],
        ["C", "-2490120", "112.290340", 5],
        ["D", "=-2.49012+0", "112.290340", 5],      # openpyxl saves no cached value
        ["E", "-2.491120", "112.291340", "tidak tahu"],
        ["F", "-2.492120", "112.292340", "1.000"],
    ]})
    return lg.read_plots(path)


def test_scientific_id_is_noted(damaged):
    en, id_ = notes_of(damaged, 0)
    assert "scientific notation" in en and "notasi ilmiah" in id_


def test_date_in_a_coordinate_cell_is_explained(damaged):
    assert "is a date or time" in damaged["input_problem"][1]
    assert "tanggal atau jam" in damaged["input_problem_id"][1]


def test_lost_decimal_separator_is_suggested_not_fixed(damaged):
    assert "did you mean -2.49012?" in damaged["input_problem"][2]
    assert "maksudnya -2.49012?" in damaged["input_problem_id"][2]
    assert damaged.geometry.iloc[2] is None


def test_formula_without_saved_value_is_explained(damaged):
    assert "formula '=-2.49012+0'" in damaged["input_problem"][3]
    assert "rumus" in damaged["input_problem_id"][3]


def test_unknown_and_thousands_accuracy_are_noted(damaged):
    en, id_ = notes_of(damaged, 4)
    assert "accuracy 'tidak tahu'" in en and "is not known" in en and "tidak diketahui" in id_
    en, id_ = notes_of(damaged, 5)
    assert damaged["accuracy_m"][5] == 1000.0
    assert "read as 1,000 m" in en and "pemisah ribuan" in id_


# --------------------------------------------------------------------------------------
# 6. Workbooks: hidden sheets, repeated headers, totals, footers, ids, a second pair
# --------------------------------------------------------------------------------------


def _workbook_with_everything(path: Path) -> Path:
    header = ["No", "Kode Lokasi", "Nama Lokasi", "Lintang", "Bujur", "Koordinat"]
    return write_xlsx(path, {
        "Data Lama (jangan dipakai)": [header, [1, "OLD", "Lama", "-2.5", "112.3", ""]],
        "Usulan": [
            ["DAFTAR USULAN LOKASI GERAI"], header,
            [1, "L-01", "Parit", "-2.490120", "112.290340", "-2.490120, 112.290340"],
            [2, "L-02", "Hulu", "-2.491120", "112.291340", "-2.591120, 112.291340"],
            header,  # printed on a new page
            [3, "L-03", "Hilir", "-2.492120", "112.292340", ""],
            ["Jumlah", "", "", "", "", ""],
            [],
            ["Sumber: Dinas PMD Kabupaten, 2026"],
        ]}, hidden=("Data Lama (jangan dipakai)",))


def test_hidden_sheet_skipped_with_a_note_unless_named(tmp_path):
    path = _workbook_with_everything(tmp_path / "usulan.xlsx")
    plots = lg.read_plots(path)
    assert set(plots["source_sheet"]) == {"Usulan"}
    notes = plots.attrs["lahan_geo"]["blocks"][0]["notes"]
    assert any("hidden sheet(s) 'Data Lama (jangan dipakai)'" in n for n in notes)
    named = lg.read_plots(path, sheet="Data Lama (jangan dipakai)")
    assert named["plot_id"].tolist() == ["OLD"]
    assert any("is hidden" in n for n in named.attrs["lahan_geo"]["blocks"][0]["notes"])


def test_repeated_header_total_and_footer_are_rows_that_say_what_they_are(tmp_path):
    plots = lg.read_plots(_workbook_with_everything(tmp_path / "usulan.xlsx"))
    assert plots["source_row"].tolist() == [3, 4, 5, 6, 7, 9]  # order kept, nothing lost
    assert plots["plot_id"].tolist()[:2] == ["L-01", "L-02"]  # Kode Lokasi: the id
    problems = plots["input_problem"].tolist()
    assert problems[0] is None and problems[1] is None and problems[3] is None
    assert "repeats the table's header" in problems[2]
    assert "total row ('Jumlah')" in problems[4]
    assert "footer of the table ('Sumber: Dinas PMD" in problems[5]
    assert "bukan lahan" in plots["input_problem_id"][4]


def test_koordinat_column_disagreeing_with_lintang_bujur_is_noted(tmp_path):
    plots = lg.read_plots(_workbook_with_everything(tmp_path / "usulan.xlsx"))
    en, id_ = notes_of(plots, 1)
    assert "column 'Koordinat'" in en and "~11,132 m from columns 'Lintang'/'Bujur'" in en
    assert "berjarak" in id_
    assert plots["input_notes"][0] is None


# --------------------------------------------------------------------------------------
# 7. Map links and WhatsApp texts; both languages; a file without rows
# --------------------------------------------------------------------------------------


def test_map_links_and_whatsapp_locations(tmp_path):
    path = write_csv(tmp_path / "wa.csv", [
        ["ID", "Link Lokasi"],
        ["A", "https://maps.google.com/?q=-2.490120,112.290340"],
        ["B", "https://www.google.com/maps/@-2.491120,112.291340,17z"],
        ["C", "https://maps.app.goo.gl/Xy12AbCd"],
        ["D", "Lokasi saya: -2.492120, 112.292340"],
        ["E", "https://maps.google.com/maps?q=-2.4931%2C112.2933&z=17&hl=id"],
    ])
    plots = lg.read_plots(path)
    ys = [None if g is None else round(g.y, 6) for g in plots.geometry]
    assert ys == [-2.49012, -2.49112, None, -2.49212, -2.4931]
    assert "short map link" in plots["input_problem"][2]
    assert "tautan peta pendek" in plots["input_problem_id"][2]
    assert "map link" in plots["input_notes"][0] and "tautan peta" in plots["input_notes_id"][0]


def test_every_note_and_problem_has_an_indonesian_text(tmp_path, damaged):
    plots = pd.concat([damaged, lg.read_plots(_workbook_with_everything(tmp_path / "u.xlsx"))])
    for en, id_ in zip(plots["input_notes"], plots["input_notes_id"]):
        assert (en is None) == (id_ is None)
        assert id_ is None or "[EN]" not in id_, id_
    for en, id_ in zip(plots["input_problem"], plots["input_problem_id"]):
        assert (en is None) == (id_ is None)
        assert id_ is None or ("Perbaikan" in id_ and "Fix:" not in id_)


def test_header_only_file_warns(tmp_path):
    path = write_csv(tmp_path / "kosong.csv", [["ID Lahan", "Lintang", "Bujur"]])
    with pytest.warns(InputWarning, match="header but no plot rows"):
        plots = lg.read_plots(path)
    assert len(plots) == 0


# --------------------------------------------------------------------------------------
# 8. The command line can do what its errors ask
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def layers(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layers")
    forest = gpd.GeoDataFrame(
        {"KODE_X": [c for c, _, _ in FOREST]},
        geometry=[box(w, -2.52, e, -2.48) for _, w, e in FOREST], crs="EPSG:4326")
    zoning = gpd.GeoDataFrame({"POLA": ["Kawasan Permukiman Perdesaan"]},
                              geometry=[box(112.28, -2.52, 112.34, -2.48)], crs="EPSG:4326")
    paths = {"forest": folder / "hutan.gpkg", "zoning": folder / "pola.gpkg"}
    forest.to_file(paths["forest"], driver="GPKG", layer="kawasan")
    forest.to_file(paths["forest"], driver="GPKG", layer="kawasan_lama")
    zoning.to_file(paths["zoning"], driver="GPKG")
    return paths


def run_cli(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def test_cli_error_is_worded_with_its_own_options(tmp_path, layers):
    path = write_csv(tmp_path / "aneh.csv", [["ID", "koord_a", "koord_b"],
                                            ["A", "-2.490120", "112.290340"]])
    code, _, err = run_cli("screen", path, "--out", tmp_path / "o", "--no-details")
    assert code == 2 and err.count("\n") == 1
    assert "--lat-col" in err and "lat_col=" not in err
    code, _, err = run_cli("screen", path, "--lat-col", "koord_a", "--lon-col", "koord_b",
                             "--id-col", "ID", "--forest", layers["forest"], "--forest-layer",
                             "kawasan", "--forest-column", "KODE_X", "--zoning",
                             layers["zoning"], "--zoning-column", "POLA", "--out",
                             tmp_path / "o", "--no-details")
    assert code == 0, err
    result = gpd.read_file(tmp_path / "o" / "hasil_screening.gpkg")
    assert result["plot_id"].tolist() == ["A"] and result["forest_function"].tolist() == ["APL"]


def test_cli_forest_column_error_names_the_option(tmp_path, layers):
    path = write_csv(tmp_path / "ok.csv", [["ID", "Lintang", "Bujur"],
                                          ["A", "-2.490120", "112.290340"]])
    code, _, err = run_cli("screen", path, "--forest", layers["forest"], "--forest-layer",
                           "kawasan", "--out", tmp_path / "o", "--no-details")
    assert code == 2 and "--forest-column" in err and "function_column" not in err


def test_cli_column_none_layer_and_sheet(tmp_path):
    wkt = write_csv(tmp_path / "wkt.csv", [["ID", "Lintang", "Bujur", "Geometri"],
                                          ["A", "-2.490120", "112.290340", "POINT (1 1)"]])
    code, _, err = run_cli("screen", wkt, "--column", "geometry=none", "--out", tmp_path / "a",
                           "--no-details")
    assert code == 0, err
    book = _workbook_with_everything(tmp_path / "u.xlsx")
    code, out, err = run_cli("screen", book, "--sheet", "Data Lama (jangan dipakai)", "--out",
                             tmp_path / "b", "--no-details")
    assert code == 0 and "Screened 1 plots" in out, err
    gpkg = tmp_path / "plots.gpkg"
    lg.read_plots(wkt, columns={"geometry": None})[["plot_id", "geometry"]].to_file(
        gpkg, layer="usulan", driver="GPKG")
    lg.read_plots(book)[["plot_id", "geometry"]].dropna().to_file(
        gpkg, layer="lama", driver="GPKG")
    code, out, err = run_cli("screen", gpkg, "--layer", "lama", "--out", tmp_path / "c",
                             "--no-details")
    assert code == 0 and "Screened 3 plots" in out, err


def test_cli_header_only_file_exits_2_on_one_line(tmp_path):
    path = write_csv(tmp_path / "kosong.csv", [["ID Lahan", "Lintang", "Bujur"]])
    code, _, err = run_cli("screen", path, "--out", tmp_path / "o")
    assert code == 2 and err.count("\n") == 1 and "no plot rows" in err


def test_cli_wording_is_one_mechanism():
    assert cli_wording("Fix: pass sheet= with one of 0: 'A'.", "plots") == \
        "Fix: pass --sheet with one of 0: 'A'."
    assert cli_wording("pass layer='x'", "zoning") == "pass --zoning-layer 'x'"


# --------------------------------------------------------------------------------------
# The corpus through the command line, every output written
# --------------------------------------------------------------------------------------


def _corpus(folder: Path) -> list[Path]:
    x, y = _utm(112.31, -2.50, 32749)
    return [
        write_csv(folder / "status.csv", [
            ["ID Lahan", "Lintang (LS)", "Bujur (BT)", "Status", "Desa", "Batas Lahan"],
            ["S-1", "2.490120", "112.290340", "TKD", "Parit", "Utara: Jalan Desa"],
            ["S-2", "2.491120", "112.310340", "aset Pemda", "Parit", "Selatan: Kebun"]], ";"),
        write_csv(folder / "desa_kecil.csv", [
            ["id_lahan", "lintang", "bujur", "desa", "STATUS"],
            ["D-1", "-2.492120", "112.292340", "Hulu", "hibah warga"]]),
        write_csv(folder / "wa.csv", [
            ["ID", "Link Lokasi", "Keterangan"],
            ["W-1", "https://maps.google.com/?q=-2.490120,112.330340", "dari WA"],
            ["W-2", "https://maps.app.goo.gl/Xy12AbCd", "tautan pendek"]]),
        write_xlsx(folder / "utm.xlsx", {"Lahan": [
            ["Zona UTM 49 S"], ["Kode Lokasi", "Easting (m)", "Northing (m)", "Plot_ID"],
            ["U-1", round(x, 1), round(y, 1), "x"]]}),
        _workbook_with_everything(folder / "usulan.xlsx"),
        folder.parent / "damage.xlsx" if (folder.parent / "damage.xlsx").exists() else
        write_xlsx(folder / "rusak.xlsx", {"Data": [
            ["ID Lahan", "Lintang", "Bujur", "Akurasi (m)"],
            ["1.23E+05", "-2.490120", "112.290340", 5],
            ["B", dt.datetime(2026, 2, 1, 10, 19), "112.290340", "tidak tahu"],
            ["C", "-2490120", "112.290340", "1.000"]]}),
    ]


def test_corpus_round_trip_through_the_cli(tmp_path, layers):
    files = _corpus(tmp_path)
    out = tmp_path / "hasil"
    code, stdout, err = run_cli("screen", *files, "--forest", layers["forest"],
                                "--forest-layer", "kawasan", "--forest-column", "KODE_X",
                                "--zoning", layers["zoning"], "--zoning-column", "POLA",
                                "--out", out)
    assert code == 0, err
    n = sum(len(lg.read_plots(f)) for f in files)
    assert f"Screened {n} plots" in stdout
    for name in ("hasil_screening.xlsx", "hasil_screening.gpkg", "hasil_screening.geojson",
                 "hasil_screening.csv", "peta_ringkasan.png"):
        assert (out / name).is_file(), name
    import pyogrio

    gpkg = pd.concat([gpd.read_file(out / "hasil_screening.gpkg", layer=name)
                      for name, _ in pyogrio.list_layers(out / "hasil_screening.gpkg")
                      if name.startswith("lahan_")], ignore_index=True)
    geojson = gpd.read_file(out / "hasil_screening.geojson")
    table = pd.read_csv(out / "hasil_screening.csv")
    header = next(load_workbook(out / "hasil_screening.xlsx", read_only=True).worksheets[0]
                  .iter_rows(max_row=1, values_only=True))
    for columns in (gpkg.columns, geojson.columns, table.columns, header):
        keys = [str(c).strip().casefold() for c in columns if c is not None]
        assert len(keys) == len(set(keys)), sorted(keys)
    assert len(gpkg) == n and gpkg["source_row"].notna().all()
    assert {"Status (daftar)", "Desa", "Plot_ID (daftar)"} <= set(gpkg.columns)
    by_id = gpkg.set_index("plot_id")
    assert by_id.loc["S-1", "Status (daftar)"] == "TKD"
    assert by_id.loc["D-1", "Desa"] == "Hulu"  # "desa" of the second file: one column
    assert round(by_id.loc["S-1"].geometry.y, 5) == -2.49012  # "Lintang (LS)" applied
    assert by_id.loc["W-1", "forest_function"] == "HK"
    assert by_id.loc["W-2", "status"] == "invalid"
    with sqlite3.connect(out / "hasil_screening.gpkg") as db:  # the layer opens in QGIS too
        assert db.execute("select count(*) from gpkg_contents").fetchone()[0] >= 1
    assert gpkg["input_problem_id"].notna().sum() == gpkg["input_problem"].notna().sum()


def test_a_broken_wkt_column_is_still_the_geometry_column(tmp_path):
    path = write_csv(tmp_path / "wkt_rusak.csv", [
        ["id", "WKT"], ["a", "POLYGON ((112.3 -2.5, 112.31 -2.5"], ["b", "Utara: Jalan"]])
    plots = lg.read_plots(path)
    assert plots.attrs["lahan_geo"]["columns"]["geometry"] == "WKT"
    assert "tanda kurungnya tidak tertutup" in plots["input_problem_id"][0]


def test_cli_coords_and_accuracy_columns(tmp_path):
    path = write_csv(tmp_path / "kolom.csv", [
        ["Kode", "Tautan", "GPS (m)"],
        ["A", "https://maps.google.com/?q=-2.490120,112.290340", "8"]])
    code, _, err = run_cli("screen", path, "--coords-col", "Tautan", "--accuracy-col",
                             "GPS (m)", "--id-col", "Kode", "--out", tmp_path / "o",
                             "--no-details")
    assert code == 0, err
    result = pd.read_csv(tmp_path / "o" / "hasil_screening.csv")
    assert result["plot_id"].tolist() == ["A"] and result["lat"].round(5).tolist() == [-2.49012]
    assert "accuracy_m" not in result or result["accuracy_m"].tolist() == [8.0]
    assert lg.read_plots(path, coords_col="Tautan", accuracy_col="GPS (m)")["accuracy_m"][0] == 8
    code, _, err = run_cli("screen", path, "--column", "bogus", "--out", tmp_path / "o")
    assert code == 2 and "ROLE=COLUMN" in err


def test_the_earlier_corpora_have_indonesian_notes_too(tmp_path):
    from intake_corpus import formats, messy_workbook

    messy = tmp_path / "messy.xlsx"
    messy_workbook.build(messy)
    sources = [messy, formats.write_kml(tmp_path / "a.kml"), formats.write_gpx(tmp_path / "b.gpx"),
               formats.write_geojson_unclosed(tmp_path / "c.geojson")]
    for source in sources:
        plots = lg.read_plots(source)
        notes = [n for n in plots["input_notes_id"] if n is not None]
        assert notes or source.suffix != ".xlsx"
        assert not [n for n in notes if "[EN]" in n], source


def test_two_lone_mirror_images_are_not_guessed_at(tmp_path):
    path = write_csv(tmp_path / "mirror.csv", [
        ["ID", "Lintang", "Bujur"], ["A", "2.490120", "112.290340"],
        ["B", "-2.490120", "112.290340"], ["C", "-8.490120", "120.290340"]])
    assert lg.read_plots(path)["input_problem"].isna().all()


def test_tm3_zone_in_a_merged_group_header_over_x_and_y(tmp_path):
    x, y = _utm(117.15, -0.50, TM3_ZONES["50.1"])
    book = Workbook()
    sheet = book.active
    sheet.append(["No", "Kode Lahan", "Koordinat X/Y (TM-3 zona 50.1)", None])
    sheet.merge_cells("C1:D1")
    sheet.append([None, None, "X", "Y"])
    sheet.append([1, "A", round(x, 2), round(y, 2)])
    sheet.append([2, "B", 9882000.0, 99.0])  # does not fit the zone: reported
    book.save(tmp_path / "tm3.xlsx")
    plots = lg.read_plots(tmp_path / "tm3.xlsx")
    assert round(plots.geometry.iloc[0].x, 4) == 117.15
    assert plots["input_problem"].iloc[1] is not None
    assert any("TM-3 zone 50.1 taken from" in n
               for n in plots.attrs["lahan_geo"]["blocks"][0]["notes"])
