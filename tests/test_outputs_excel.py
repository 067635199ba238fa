"""The Indonesian workbook: layout, safety against formulas, atomicity, determinism."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

import lahan_geo.outputs.excel as excel_module
from _result_factory import FORMULA_LIKE, RULES, make_result
from lahan_geo.errors import InputError
from lahan_geo.outputs import to_excel

#: What the office acts on, first: the id, the decision, why, what to apply for, where.
LEADING_HEADERS = ["ID Lahan", "Status", "Alasan", "Persetujuan yang Diperlukan",
                   "Kantor yang Dituju", "Dasar Hukum", "Desa", "Kecamatan", "Nama Koperasi"]


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return to_excel(make_result(), tmp_path_factory.mktemp("xlsx") / "hasil.xlsx")


@pytest.fixture(scope="module")
def wb(workbook_path: Path):
    return load_workbook(workbook_path)


def _header_index(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def _column(ws, header: str) -> list:
    col = _header_index(ws)[header]
    return [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]


def _sections(ws) -> dict[str, list[list]]:
    """Split the Ringkasan sheet into {title: [header, *rows]}."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for row in rows:  # rows are padded to the widest table
        while row and row[-1] is None:
            row.pop()
    sections: dict[str, list[list]] = {}
    current: list[list] | None = None
    for row in rows:
        filled = [v for v in row if v is not None]
        is_title = len(filled) == 1 and isinstance(filled[0], str) and len(row) == 1
        if is_title and filled[0].startswith(("Jumlah", "Ringkasan")):
            current = sections.setdefault(filled[0], [])
        elif not filled:
            current = None
        elif current is not None:
            current.append(row)
    return sections


def test_sheet_names_and_headers(wb) -> None:
    assert wb.sheetnames == ["Lahan", "Ringkasan", "Aturan", "Metadata"]
    header = [c.value for c in wb["Lahan"][1]]
    assert header[:len(LEADING_HEADERS)] == LEADING_HEADERS
    assert len(header) == len(set(header))  # no column twice
    for name in ("Bagian dalam Kawasan Hutan (%)", "Lintang", "Bujur", "Kelas Pola Ruang",
                 "Masalah Data", "Baris Sumber", "keterangan", "luas_m2"):
        assert name in header
    assert "Tutupan Kawasan Hutan (%)" not in header  # read as forest cover
    assert not any(str(h).startswith(("plot_id", "reason", "status")) for h in header)


def test_one_row_per_plot_in_input_order(wb) -> None:
    ws = wb["Lahan"]
    result = make_result()
    assert ws.max_row == len(result) + 1
    assert _column(ws, "ID Lahan") == result["plot_id"].tolist()
    assert _column(ws, "Baris Sumber") == [2, 3, 4, 5, 6, 7]
    statuses = _column(ws, "Status")
    assert statuses[0] == "Aman (lanjut KKPR)"
    assert statuses[4] == "Data tidak valid"
    assert _column(ws, "Masalah Data")[4] == "kolom 'lintang': 'abc' bukan angka"


def test_lists_joined_and_labels(wb) -> None:
    ws = wb["Lahan"]
    assert _column(ws, "Aturan")[1] == "F2; Z2"
    assert _column(ws, "Kantor yang Dituju")[1] == "Kemenhut melalui BPKHTL; ATR/BPN"
    assert _column(ws, "Dasar Hukum")[4] is None  # empty list -> blank
    assert _column(ws, "Fungsi Kawasan Hutan")[1] == "HL (Hutan Lindung)"
    assert _column(ws, "Fungsi Kawasan Hutan")[4] is None


def test_numbers_are_numbers_with_formats(wb) -> None:
    ws = wb["Lahan"]
    cols = _header_index(ws)
    cell = ws.cell(row=5, column=cols["Bagian dalam Kawasan Hutan (%)"])
    assert cell.data_type == "n"
    assert cell.value == pytest.approx(3.4567)
    assert cell.number_format == "[$-421]#,##0.0"  # Indonesian: 3,5 and 1.522
    lat = _column(ws, "Lintang")
    lon = _column(ws, "Bujur")
    assert lat[0] == pytest.approx(-3.38) and lon[0] == pytest.approx(112.55)
    assert lat[4] is None and lon[4] is None  # invalid row: blank
    assert all(round(v, 6) == v for v in lat + lon if v is not None)
    assert ws.cell(row=2, column=cols["Lintang"]).number_format == "[$-421]0.000000"
    assert _column(ws, "Luas Terukur (m²)")[0] is None  # NaN for a point -> blank
    assert _column(ws, "Luas Terukur (m²)")[1] == pytest.approx(1200.0)
    assert ws.cell(row=3, column=cols["Luas Terukur (m²)"]).number_format == "[$-421]#,##0"
    # the plot list's own number column, read as text, is written as numbers
    assert _column(ws, "luas_m2") == [1000, 1200, None, 950, 1000, 2000]
    assert ws.cell(row=2, column=cols["luas_m2"]).data_type == "n"
    formats = {ws.cell(row=3, column=c).number_format for c in cols.values()
               if isinstance(ws.cell(row=3, column=c).value, int | float)}
    assert all(f.startswith("[$-421]") for f in formats)  # one Indonesian number format


def test_formula_like_values_are_text_cells(wb, workbook_path: Path) -> None:
    ws = wb["Lahan"]
    col = _header_index(ws)["Nama Koperasi"]
    cells = [ws.cell(row=r, column=col) for r in range(2, 2 + len(FORMULA_LIKE))]
    assert [c.value for c in cells] == FORMULA_LIKE
    assert all(c.data_type == "s" for c in cells)
    assert cells[0].value.startswith("=")

    with zipfile.ZipFile(workbook_path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = {n: archive.read(n).decode("utf-8") for n in names}
    assert not any("<f>" in text or "<f " in text for text in xml.values())
    sheet = xml["xl/worksheets/sheet1.xml"]
    for cell in cells:
        match = re.search(rf'<c r="{cell.coordinate}"[^>]*>(.*?)</c>', sheet)
        assert match is not None
        assert 't="inlineStr"' in match.group(0)
        assert "<f" not in match.group(1)


def test_illegal_xml_characters_are_removed(wb) -> None:
    assert _column(wb["Lahan"], "keterangan")[1] == "hibah warga; sertifikat  SHM"


def test_status_fill_frozen_id_and_header_and_filter(wb) -> None:
    ws = wb["Lahan"]
    col = _header_index(ws)["Status"]
    fills = {ws.cell(row=r, column=col).fill.fgColor.rgb for r in range(2, ws.max_row + 1)}
    assert len(fills) == 5  # one colour per status
    assert all(rgb.endswith(("C6EFCE", "F8CBAD", "FF7C80", "FFEB9C", "D9D9D9")) for rgb in fills)
    assert ws.freeze_panes == "B2"  # the header row and the plot id stay in view
    last = ws.cell(row=1, column=ws.max_column).column_letter
    assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
    alasan = _header_index(ws)["Alasan"]
    assert ws.column_dimensions[ws.cell(row=1, column=alasan).column_letter].width >= 40
    assert ws.cell(row=2, column=alasan).alignment.wrap_text


def _lines(text: str, chars: int) -> int:
    """Lines a text needs in a column holding ``chars`` characters (a lower bound)."""
    return -(-len(text) // chars)


def test_wrapped_rows_are_tall_enough_to_print(wb) -> None:
    ws = wb["Lahan"]
    cols = _header_index(ws)
    for row in range(2, ws.max_row + 1):
        needed = 1
        for col in cols.values():
            cell = ws.cell(row=row, column=col)
            if cell.alignment.wrap_text and isinstance(cell.value, str):
                width = ws.column_dimensions[cell.column_letter].width
                needed = max(needed, _lines(cell.value, int(width * 1.3)))
        height = ws.row_dimensions[row].height
        if needed > 1:
            assert height is not None and height >= 15 * needed, (row, height, needed)
    header_height = ws.row_dimensions[1].height
    assert header_height is not None and header_height >= 30  # wrapped labels


def test_every_sheet_prints_landscape_fit_to_width_with_footer(tmp_path: Path) -> None:
    from _result_factory import make_candidates

    book = load_workbook(to_excel(make_result(), tmp_path / "h.xlsx",
                                  candidates=make_candidates(), compare_with=make_result()))
    assert len(book.sheetnames) == 6
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, ws.title
        assert setup.paperSize == 9, ws.title  # A4
        footer = ws.oddFooter
        assert footer.center.text == "Halaman &P dari &N", ws.title
        assert "&D" in footer.left.text, ws.title  # the date printed
        assert footer.right.text == "Versi aturan 2026.11.0", ws.title
        if ws.title != "Ringkasan":  # one table per sheet: its header on every page
            assert ws.print_title_rows is not None, ws.title
    lahan = book["Lahan"]
    assert lahan.print_title_rows == "$1:$1"
    # paper gets the decision, the place and the coordinates, not the working detail
    printed = lahan.print_area[0] if isinstance(lahan.print_area, list) else lahan.print_area
    last = printed.split(":")[-1].split("$")[1]
    header = [c.value for c in lahan[1]]
    assert header[column_index_from_string(last) - 1] == "Bujur"
    assert "Aturan" not in header[:column_index_from_string(last)]


def test_indonesian_labels_for_zone_classes(wb) -> None:
    classes = _column(wb["Lahan"], "Kelas Pola Ruang")
    assert classes[0] == "Permukiman"
    assert classes[1] == "Pertanian"
    assert "_" not in " ".join(c for c in classes if c)


def test_columns_empty_for_every_plot_are_left_out(tmp_path: Path) -> None:
    result = make_result()
    result["catatan_kosong"] = None
    result["forest_decree"] = None
    header = [c.value for c in load_workbook(to_excel(result, tmp_path / "h.xlsx"))["Lahan"][1]]
    assert "catatan_kosong" not in header and "SK Kawasan Hutan" not in header
    assert {"ID Lahan", "Status", "Alasan", "Lintang", "Bujur"} <= set(header)


def test_plot_list_columns_shown_once(tmp_path: Path) -> None:
    """The list's own id and coordinate columns are the clean ones already shown."""
    result = make_result()
    result["id_lahan"] = result["plot_id"]
    result["lintang"] = ["-3.38", "-3.37", "-3.36", "-3.40", "abc", "-3.39"]
    result["bujur"] = ["112.55"] * 6
    result["no"] = ["1", "2", "3", "4", "5", "6"]
    result["kode"] = ["007", "008", "009", "010", "011", "012"]  # ids: stay text
    result.attrs["lahan_geo"]["plots"] = {
        "columns": {"id": "id_lahan", "lat": "lintang", "lon": "bujur", "area": "luas_m2"}}
    ws = load_workbook(to_excel(result, tmp_path / "h.xlsx"))["Lahan"]
    header = [c.value for c in ws[1]]
    assert not {"id_lahan", "lintang", "bujur"} & set(header)
    assert header.count("ID Lahan") == 1 and header.count("Lintang") == 1
    assert "Luas Usulan (m²)" in header and "luas_m2" not in header
    assert _column(ws, "no") == [1, 2, 3, 4, 5, 6]
    assert _column(ws, "kode")[0] == "007"


def test_new_result_columns_slot_in(tmp_path: Path) -> None:
    """Columns a newer screen adds (offices, land status) appear, labelled, printed."""
    result = make_result()
    result["land_title_class"] = ["village_uncertified"] * 6
    result["land_status"] = ["tanah kas desa"] * 6
    result["something_new"] = [1.5] * 6
    ws = load_workbook(to_excel(result, tmp_path / "h.xlsx"))["Lahan"]
    header = [c.value for c in ws[1]]
    assert header.index("Kantor yang Dituju") < header.index("Desa")
    assert "Status Tanah" in header and "something_new" in header
    assert _column(ws, "Kelas Status Tanah")[0] == "Aset desa belum bersertifikat"
    assert _column(ws, "something_new")[0] == 1.5


def test_ringkasan_counts(wb) -> None:
    result = make_result()
    sections = _sections(wb["Ringkasan"])
    status_table = sections["Jumlah lahan per status"]
    assert status_table[0][:3] == ["Status", "Kode Status", "Jumlah Lahan"]
    body = {row[1]: row[2] for row in status_table[1:] if row[1] is not None}
    assert [row[1] for row in status_table[1:6]] == [
        "invalid", "not_permitted", "needs_clearance", "verify", "clear"]
    assert body == result["status"].value_counts().to_dict()
    assert status_table[-1][0] == "Total" and status_table[-1][2] == len(result)

    kec = sections["Jumlah lahan per kecamatan"]
    assert kec[0][0] == "Kecamatan" and kec[0][-1] == "Total"
    totals = {row[0]: row[-1] for row in kec[1:]}
    assert totals == result["kecamatan"].value_counts().to_dict()

    desa = sections["Jumlah lahan per desa"]
    assert desa[0][:2] == ["Kecamatan", "Desa"]
    assert sum(row[-1] for row in desa[1:]) == len(result)
    kuala = next(r for r in desa[1:] if r[1] == "Kuala Pembuang I")
    assert kuala[-1] == 2

    izin = {row[0]: row[1] for row in sections["Jumlah lahan per persetujuan yang diperlukan"][1:]}
    assert izin["PPKH (Persetujuan Penggunaan Kawasan Hutan)"] == 2
    agencies = {row[0]: row[1] for row in sections["Jumlah lahan per instansi"][1:]}
    assert agencies["ATR/BPN"] == 2 and agencies["Kemenhut melalui BPKHTL"] == 2


def test_aturan_one_row_per_rule(wb) -> None:
    ws = wb["Aturan"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["ID", "Status", "Judul", "Izin"]  # Indonesian first (printed)
    assert {"Title", "Clearance", "Agency"} <= set(header)
    assert [r[0] for r in rows] == [rule["id"] for rule in RULES]
    confirmed = dict(zip([r[0] for r in rows], [r[header.index("Dikonfirmasi")] for r in rows],
                         strict=True))
    assert confirmed["F2"] == "belum dikonfirmasi"
    assert confirmed["F1"] == "ya"
    fired = {r[0]: r[header.index("Jumlah Lahan")] for r in rows}
    assert fired["F2"] == 1 and fired["V1"] == 1
    assert rows[0][header.index("Status")] == "Tidak diizinkan (pindah lokasi)"


def test_metadata_holds_provenance(wb) -> None:
    ws = wb["Metadata"]
    assert [c.value for c in ws[1]] == ["Keterangan", "Nilai", "Kunci teknis"]
    rows = {r[2]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["rules_version"] == "2026.11.0"
    assert rows["rules_sha256"] == "ab" * 32
    assert rows["layers.forest.sha256"] == "cd" * 32
    assert rows["layers.zoning.crs"] == "EPSG:32749"
    assert rows["layers.forest.repairs"] == 2
    assert rows["tolerance.forest_layer_m"] == 125.0
    assert rows["result_rows"] == 6
    assert rows["rules"] == len(RULES)
    labels = {r[2]: r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert labels["layers.forest.sha256"] == "Lapisan kawasan hutan: hash SHA-256"
    assert labels["rules_version"] == "Versi aturan"


def test_metadata_has_no_local_paths(tmp_path: Path) -> None:
    result = make_result()
    result.attrs["lahan_geo"]["layers"]["forest"]["path"] = "/home/rina/data/kawasan.gpkg"
    result.attrs["lahan_geo"]["rules_path"] = r"C:\Users\rina\aturan.toml"
    result.attrs["lahan_geo"]["plots"] = {"source_file": "/home/rina/usulan.csv",
                                         "blocks": [{"source_file": "/home/rina/usulan.csv"}]}
    ws = load_workbook(to_excel(result, tmp_path / "h.xlsx"))["Metadata"]
    values = {r[2]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values["layers.forest.path"] == "kawasan.gpkg"
    assert values["rules_path"] == "aturan.toml"
    assert values["plots.source_file"] == "usulan.csv"
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row)
    assert "/home/" not in text and "Users" not in text


def test_ringkasan_headers_wrap_and_fit(wb) -> None:
    ws = wb["Ringkasan"]
    headers = [row for row in ws.iter_rows() if row[0].value == "Kecamatan"]
    assert len(headers) == 2  # per kecamatan, per desa
    for row in headers:
        cell = next(c for c in row if c.value == "Tidak diizinkan (pindah lokasi)")
        width = ws.column_dimensions[cell.column_letter].width
        height = ws.row_dimensions[cell.row].height
        assert cell.alignment.wrap_text
        assert width < len(cell.value)  # it has to wrap, so the row must be tall enough
        assert height is not None and height >= 15 * _lines(cell.value, int(width * 1.3))


def test_same_result_same_workbook(tmp_path: Path) -> None:
    first = to_excel(make_result(), tmp_path / "a.xlsx")
    second = to_excel(make_result(), tmp_path / "b.xlsx")

    def contents(path: Path) -> dict[str, list]:
        book = load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    assert contents(first) == contents(second)
    assert load_workbook(first).properties.created.year == 2000
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        stamps = {info.date_time for info in archive.infolist()}
    assert len(stamps) == 1 and next(iter(stamps))[0] == 1980  # a fixed date, not today
    assert "2000-01-01T00:00:00Z" in core


def test_missing_attrs_still_writes(tmp_path: Path) -> None:
    result = make_result()
    result.attrs = {}
    book = load_workbook(to_excel(result, tmp_path / "hasil.xlsx"))
    assert book["Aturan"]["A2"].value == "Daftar aturan tidak tersedia dalam hasil ini."
    assert book["Metadata"]["C2"].value == "result_rows"


@pytest.mark.parametrize("name", ["hasil.xls", "hasil.csv", "hasil"])
def test_refuses_other_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="Fix:"):
        to_excel(make_result(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_refuses_existing_file_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "hasil.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match="overwrite"):
        to_excel(make_result(), target, overwrite=False)
    assert target.read_bytes() == b"old"
    assert to_excel(make_result(), target) == target.resolve()
    assert target.read_bytes()[:2] == b"PK"


def test_failure_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel_module, "write_metadata", broken)  # the last sheet
    with pytest.raises(RuntimeError, match="disk full"):
        to_excel(make_result(), tmp_path / "hasil.xlsx")
    assert list(tmp_path.iterdir()) == []

    existing = tmp_path / "lama.xlsx"
    existing.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        to_excel(make_result(), existing)
    assert existing.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["lama.xlsx"]


def test_rejects_non_result(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"screening result|GeoDataFrame"):
        to_excel(make_result().drop(columns=["status"]), tmp_path / "hasil.xlsx")


def test_refuses_protected_input_workbook(tmp_path: Path) -> None:
    plot_list = tmp_path / "usulan_lahan.xlsx"
    plot_list.write_bytes(b"the analyst's input")
    with pytest.raises(InputError, match="input"):
        to_excel(make_result(), plot_list, protect=[plot_list])
    assert plot_list.read_bytes() == b"the analyst's input"


def test_english_problem_used_when_indonesian_missing(tmp_path: Path) -> None:
    result = make_result().drop(columns=["input_problem_id"])
    ws = load_workbook(to_excel(result, tmp_path / "hasil.xlsx"))["Lahan"]
    assert _column(ws, "Masalah Data")[4] == "column 'lintang': 'abc' is not a number"


def test_body_text_round_trips_exactly(tmp_path: Path) -> None:
    """The Lahan rows are written as XML directly: markup, spaces and lines survive."""
    result = make_result()
    texts = ["a & b <c> \"d\"", "  leading and trailing  ", "baris satu\nbaris dua",
             "_x0041_ literal", "1e5", "=SUM(A1:A2)"]
    result["keterangan"] = texts
    result["settled_before_designation"] = [True, False, None, True, False, None]
    path = to_excel(result, tmp_path / "h.xlsx")
    ws = load_workbook(path)["Lahan"]
    assert _column(ws, "keterangan")[:3] == texts[:3]
    with zipfile.ZipFile(path) as archive:  # Excel reads "_x0041_" as "A" unless escaped
        assert "_x005F_x0041_ literal" in archive.read("xl/worksheets/sheet1.xml").decode()
    assert _column(ws, "keterangan")[4:] == ["1e5", "=SUM(A1:A2)"]  # text stays text
    assert _column(ws, "Dikuasai Sebelum Penetapan Kawasan")[:3] == [True, False, None]
