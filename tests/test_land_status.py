"""Land-title legality from the plot list (domain notes v2 section 6): the land-status
column is found, its free text mapped to a class, and rules T1..T9 decide the status."""

from __future__ import annotations

import pandas as pd
import pytest

import lahan_geo as lg
from conftest import by_id, plots_at, utm
from lahan_geo.intake.land_status import (
    LAND_TITLE_CLASSES,
    load_land_status_mapping,
    normalize_value,
)

WRITINGS = [
    # village asset, certified
    ("TKD bersertifikat", "village_certified"),
    ("tanah kas desa (SHP)", "village_certified"),
    ("Aset Desa Bersertifikat", "village_certified"),
    ("Sertipikat Hak Pakai a.n. Pemerintah Desa", "village_certified"),
    ("TKD bersertifikat, clean and clear", "village_certified"),
    ("village land, certified", "village_certified"),
    ("tanah  kas-desa ; SHM", "village_certified"),
    # village asset, not certified
    ("Tanah Kas Desa", "village_uncertified"),
    ("TKD", "village_uncertified"),
    ("tanah desa belum sertifikat", "village_uncertified"),
    ("Tanah Kas Desa - belum disertifikatkan", "village_uncertified"),
    ("TKD sertifikat belum ada", "village_uncertified"),
    ("aset desa, tidak ada sertifikat", "village_uncertified"),
    ("Sertifikat dalam proses, tanah kas desa", "village_uncertified"),
    ("Proses sertifikasi TKD", "village_uncertified"),
    ("tanah bengkok", "village_uncertified"),
    ("village asset (no certificate)", "village_uncertified"),
    ("uncertified village land", "village_uncertified"),
    ("TKD, tidak sengketa", "village_uncertified"),
    # regional asset (BMD)
    ("aset Pemkab", "regional_asset"),
    ("Tanah aset Pemda", "regional_asset"),
    ("BMD Kab. Seruyan", "regional_asset"),
    ("Aset Pemprov Kalteng", "regional_asset"),
    ("aset kelurahan", "regional_asset"),
    ("tidak ada sengketa, aset Pemda", "regional_asset"),
    ("regional government asset", "regional_asset"),
    # state asset (BMN) or state firm
    ("pinjam pakai Perhutani", "state_asset"),
    ("PTPN XIII", "state_asset"),
    ("BMN (Kementerian Agama)", "state_asset"),
    ("tanah negara (BMN)", "state_asset"),
    ("state land (BMN)", "state_asset"),
    # private land, deed registered
    ("SHM a.n. warga, hibah akta PPAT", "private_deed"),
    ("Hibah (akta PPAT)", "private_deed"),
    ("hibah bersertifikat", "private_deed"),
    ("Jual beli (AJB)", "private_deed"),
    ("SHM a/n Koperasi", "private_deed"),
    ("private land, registered grant deed", "private_deed"),
    ("tidak ada klaim adat, hibah akta PPAT", "private_deed"),
    # private land, no deed
    ("hibah warga (belum akta)", "private_no_deed"),
    ("hibah warga", "private_no_deed"),
    ("Tanah warga", "private_no_deed"),
    ("pinjam", "private_no_deed"),
    ("izin lisan pemilik", "private_no_deed"),
    ("akta hibah belum dibuat", "private_no_deed"),
    ("SHM a.n. warga", "private_no_deed"),
    ("jual beli kuitansi", "private_no_deed"),
    ("private land, oral permission", "private_no_deed"),
    ("borrowed from a resident", "private_no_deed"),
    # disputed or customary claim
    ("sengketa", "disputed"),
    ("Klaim adat", "disputed"),
    ("tanah ulayat", "disputed"),
    ("sengketa belum selesai", "disputed"),
    ("TKD (dalam sengketa)", "disputed"),
    ("disputed", "disputed"),
    ("customary claim", "disputed"),
    # blank or unknown
    ("-", "blank"),
    ("", "blank"),
    ("Tidak diketahui", "blank"),
    ("unknown", "blank"),
    # not in the mapping
    ("kebun sawit", "unrecognized"),
    ("SHM", "unrecognized"),
    ("tidak ada sertifikat", "unrecognized"),
]


@pytest.fixture(scope="module")
def mapping():
    return load_land_status_mapping()


@pytest.mark.parametrize(("value", "expected"), WRITINGS)
def test_writings_map_to_their_class(mapping, value, expected):
    assert mapping.classify(value) == expected


def test_the_corpus_covers_every_class_and_many_writings():
    classes = {c for _, c in WRITINGS}
    assert classes == set(LAND_TITLE_CLASSES) - {"not_given"}
    assert len({normalize_value(v) for v, _ in WRITINGS}) >= 30


@pytest.mark.parametrize("value", [
    "TKD belum bersertifikat", "tanah kas desa, belum ada sertifikat", "aset desa tanpa sertifikat",
    "tanah desa tdk ada sertifikat", "TKD sertifikat (belum)", "aset desa, sertifikat blm terbit",
    "village land, not certified", "TKD, sertifikat sedang diurus",
])
def test_negated_certificates_never_map_to_certified(mapping, value):
    assert mapping.classify(value) == "village_uncertified"


@pytest.mark.parametrize("value", [
    "hibah warga belum akta", "hibah, belum ada akta PPAT", "hibah tanpa akta",
    "hibah (akta belum)", "hibah warga, tidak ada AJB", "grant without deed",
])
def test_negated_deeds_never_map_to_transferred(mapping, value):
    assert mapping.classify(value) == "private_no_deed"


# --- the column -------------------------------------------------------------------

def _table(header: str, values: list[str]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"No": list(range(1, n + 1)), "ID Lahan": [f"L{i}" for i in range(n)],
                         "Lintang": [f"-2.5{i:02d}123" for i in range(n)],
                         "Bujur": ["112.301234"] * n, header: values})


@pytest.mark.parametrize("header", [
    "Status Lahan", "status tanah", "STATUS_TANAH", "Status Kepemilikan", "Alas Hak",
    "Bukti Kepemilikan", "Kepemilikan", "Status Tanah/Lahan", "Asal Usul Lahan", "Land Status",
    "Land title", "ownership", "Land Ownership", "status  lahan.", "Status Hak Atas Tanah",
])
def test_header_found_in_a_csv(tmp_path, header):
    path = tmp_path / "plots.csv"
    _table(header, ["Tanah Kas Desa", "aset Pemkab", "sengketa"]).to_csv(path, index=False)
    plots = lg.read_plots(path)
    assert plots.attrs["lahan_geo"]["columns"]["land_status"] == header
    assert plots["land_status"].tolist() == ["Tanah Kas Desa", "aset Pemkab", "sengketa"]
    assert plots["land_title_class"].tolist() == ["village_uncertified", "regional_asset",
                                                  "disputed"]


def test_header_found_in_an_xlsx_below_a_title(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Rekap lahan gerai KDMP Kab. Seruyan"])
    sheet.append(["No", "Nama Desa", "Lintang", "Bujur", "Bukti Kepemilikan"])
    sheet.append([1, "Parit", -2.512345, 112.301234, "TKD bersertifikat"])
    sheet.append([2, "Parit", -2.522345, 112.301234, "hibah warga (belum akta)"])
    sheet.append([3, "Parit", -2.532345, 112.301234, None])
    path = tmp_path / "plots.xlsx"
    book.save(path)
    plots = lg.read_plots(path)
    assert plots.attrs["lahan_geo"]["columns"]["land_status"] == "Bukti Kepemilikan"
    assert plots["land_title_class"].tolist() == ["village_certified", "private_no_deed", "blank"]


def test_bare_status_column_read_by_its_values_and_noted():
    plots = lg.read_plots(_table("Status", ["TKD", "hibah warga", "aset Pemda"]))
    assert plots.attrs["lahan_geo"]["columns"]["land_status"] == "Status (daftar)"
    assert plots.attrs["lahan_geo"]["renamed_columns"] == {"Status": "Status (daftar)"}
    assert plots["land_title_class"].tolist() == ["village_uncertified", "private_no_deed",
                                                  "regional_asset"]
    assert all("read as the land status" in n and "dibaca sebagai status lahan" in n
               for n in plots["input_notes"])


@pytest.mark.parametrize("values", [
    ["clear", "verify", "needs_clearance"],  # a screening result read back in
    ["Aktif", "Aktif", "Selesai"],  # some other status
])
def test_bare_status_column_of_other_statuses_is_not_the_land_status(values):
    plots = lg.read_plots(_table("Status", values))
    assert "land_status" not in plots.attrs["lahan_geo"]["columns"]
    assert set(plots["land_title_class"]) == {"not_given"}
    assert plots["input_notes"].isna().all()


def test_columns_option_chooses_the_land_status_column():
    raw = _table("Status Lahan", ["TKD", "TKD", "TKD"]).assign(Catatan=["sengketa", "-", "x"])
    plots = lg.read_plots(raw, columns={"land_status": "Catatan"})
    assert plots.attrs["lahan_geo"]["columns"]["land_status"] == "Catatan"
    assert plots["land_title_class"].tolist() == ["disputed", "blank", "unrecognized"]


def test_unknown_values_are_listed(tmp_path):
    plots = lg.read_plots(_table("Status Lahan", ["kebun sawit", "TKD", "kebun sawit", "SHM"]))
    assert plots.attrs["lahan_geo"]["unknown_land_status_values"] == ["SHM", "kebun sawit"]
    assert plots.attrs["lahan_geo"]["land_status"]["classes"] == {
        "unrecognized": 3, "village_uncertified": 1}


# --- the rules ----------------------------------------------------------------------

CASES = {  # plot id: (land status as written, class, rule, status)
    "tkd_cert": ("TKD bersertifikat", "village_certified", "T1", "clear"),
    "tkd": ("Tanah Kas Desa", "village_uncertified", "T2", "needs_clearance"),
    "bmd": ("aset Pemkab", "regional_asset", "T3", "needs_clearance"),
    "bmn": ("pinjam pakai Perhutani", "state_asset", "T4", "needs_clearance"),
    "deed": ("SHM a.n. warga, hibah akta PPAT", "private_deed", "T5", "clear"),
    "no_deed": ("hibah warga (belum akta)", "private_no_deed", "T6", "needs_clearance"),
    "dispute": ("sengketa", "disputed", "T7", "not_permitted"),
    "blank": (None, "blank", "T8", "verify"),
    "unknown": ("kebun sawit", "unrecognized", "T9", "verify"),
}


@pytest.fixture(scope="module")
def screened(forest, zoning):
    points = {pid: utm(56 + 0.1 * i, 1) for i, pid in enumerate(CASES)}  # APL, permukiman
    points["hl_tkd_cert"] = utm(15, 5)
    plots = plots_at(points, status_lahan=[c[0] for c in CASES.values()] + ["TKD bersertifikat"])
    return lg.screen(plots, forest=forest, zoning=zoning)


@pytest.mark.parametrize("plot", list(CASES))
def test_each_land_rule_fires_with_its_status(screened, plot):
    text, cls, rule, status = CASES[plot]
    row = by_id(screened).loc[plot]
    assert row["land_status"] == text
    assert row["land_title_class"] == cls
    assert row["rules"] == ["F6", "Z4", "K3", rule]
    assert row["status"] == status
    assert f"{rule}:" in row["reason_en"] and f"{rule}:" in row["reason_id"]


def test_land_rules_quote_the_value_and_name_the_office(screened):
    rows = by_id(screened)
    assert "'kebun sawit' is not in the land-status mapping" in rows.loc["unknown", "reason_en"]
    assert "(aset Pemkab)" in rows.loc["bmd", "reason_id"]
    assert "pemda.bpkad" in rows.loc["bmd", "offices"]
    assert "Bupati/Gubernur (BPKAD)" in rows.loc["bmd", "agencies_id"]
    assert "atr_bpn.kantah" in rows.loc["tkd", "offices"]
    offices = rows.loc["no_deed", "offices"]  # the deed first, then its registration
    assert offices.index("ppat") < offices.index("atr_bpn.kantah")


def test_land_title_adds_to_the_forest_answer(screened):
    row = by_id(screened).loc["hl_tkd_cert"]
    assert row["rules"][0] == "F2" and row["rules"][-1] == "T1"
    assert row["status"] == "needs_clearance"


def test_result_columns_and_provenance(screened):
    cols = list(screened.columns)
    assert cols.index("land_status") == cols.index("area_m2") + 1
    assert cols.index("land_title_class") == cols.index("land_status") + 1
    meta = screened.attrs["lahan_geo"]
    assert meta["unknown_land_status_values"] == ["kebun sawit"]
    assert meta["land_status"]["column"] == "status_lahan"


def test_no_land_status_column_fires_no_land_rule_but_says_so(forest, zoning):
    result = lg.screen(plots_at({"a": utm(57, 1)}), forest=forest, zoning=zoning)
    row = result.iloc[0]
    assert row["status"] == "clear" and row["rules"] == ["F6", "Z4", "K3"]
    assert row["land_title_class"] == "not_given" and row["land_status"] is None
    info = result.attrs["lahan_geo"]["land_status"]
    assert info["column"] is None and "not screened" in info["note_en"]
    assert "tidak disaring" in info["note_id"]


def test_a_district_mapping_overrides_the_default(tmp_path, forest, zoning):
    assert lg.load_land_status_mapping is load_land_status_mapping
    default = (lg.__file__.rsplit("/", 1)[0] + "/data/land_status_classes.toml")
    text = open(default, encoding="utf-8").read().replace(
        "[values]\n", '[values]\n"Kebun Sawit" = "village_certified"\n"TKD" = "blank"\n')
    path = tmp_path / "kab.toml"
    path.write_text(text, encoding="utf-8")
    plots = plots_at({"a": utm(57, 1), "b": utm(57.1, 1)}, alas_hak=["kebun  sawit", "TKD"])
    assert plots["land_title_class"].tolist() == ["unrecognized", "village_uncertified"]
    own = lg.read_plots(plots.drop(columns=["land_status", "land_title_class"]).rename(
        columns={"plot_id": "id"}), land_status_mapping=path)
    assert own["land_title_class"].tolist() == ["village_certified", "blank"]
    result = lg.screen(plots, forest=forest, zoning=zoning, land_status_mapping=path)
    assert result["land_title_class"].tolist() == ["village_certified", "blank"]
    assert result["status"].tolist() == ["clear", "verify"]
    assert result.attrs["lahan_geo"]["land_status"]["mapping"] == str(path)
    assert result.attrs["lahan_geo"]["unknown_land_status_values"] == []


def test_a_bad_mapping_file_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "kab.toml"
    path.write_text('[values]\n"kebun" = "kebun_desa"\n', encoding="utf-8")
    with pytest.raises(lg.InputError, match=r"kab\.toml: \[values\] maps 'kebun' to "
                                            r"'kebun_desa'.*Fix"):
        load_land_status_mapping(path)
    path.write_text('[[match]]\nclass = "blank"\nany = ["nope"]\n', encoding="utf-8")
    with pytest.raises(lg.InputError, match="unknown term"):
        load_land_status_mapping(path)


def test_land_rules_are_data_with_office_basis_and_unconfirmed_label():
    rules = lg.load_rules()
    land = [r for r in rules if "land_title" in r.facts]
    assert [r.id for r in land] == [f"T{i}" for i in range(1, 10)]
    for rule in land:
        assert rule.confirmed is False and rule.legal_basis and rule.sources
        for name in ("title_en", "title_id", "reason_en", "reason_id", "clearance_en",
                     "clearance_id", "agency_en", "agency_id", "legal_basis", "note",
                     "unconfirmed_en", "unconfirmed_id"):
            assert ";" not in getattr(rule, name), (rule.id, name)
        assert rule.unconfirmed_en and rule.unconfirmed_id  # shown as unconfirmed
    fired = {rule.when["land_title"]["eq"] for rule in land}
    assert fired == set(LAND_TITLE_CLASSES) - {"not_given"}


def test_the_workbook_shows_the_land_title_class_in_indonesian(screened, tmp_path):
    from openpyxl import load_workbook

    path = lg.to_excel(screened, tmp_path / "hasil.xlsx")
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    col = header.index("Kelas Status Tanah")
    ids = [r[header.index("ID Lahan")] for r in rows[1:]]
    classes = dict(zip(ids, [r[col] for r in rows[1:]]))
    assert classes["bmd"] == "Barang milik daerah (BMD)"
    assert classes["unknown"] == "Tidak dikenali pemetaan status lahan"
    assert "status_lahan" in header  # the list's own column, as written


def test_a_result_read_back_keeps_its_land_status_not_its_screening_status(screened):
    again = lg.read_plots(screened.drop(columns=["land_title_class", "status_lahan"]))
    assert again.attrs["lahan_geo"]["columns"]["land_status"] == "land_status"
    assert again["land_title_class"].tolist() == screened["land_title_class"].tolist()
    bare = lg.read_plots(screened[["plot_id", "status", "geometry"]])
    assert set(bare["land_title_class"]) == {"not_given"}
