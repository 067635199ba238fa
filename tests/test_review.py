"""apply_review: reviewers' decisions beside the computed columns, in every output."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from openpyxl import Workbook, load_workbook

from _result_factory import make_result
from lahan_geo.errors import InputError
from lahan_geo.outputs import to_csv, to_excel, to_geojson, to_geopackage
from lahan_geo.outputs.files import RESULT_LAYERS
from lahan_geo.review import REVIEW_COLUMNS, apply_review
from lahan_geo.statuses import STATUSES

CSV_ID = (
    "id_lahan;status_baru;alasan;pemeriksa;tanggal\n"
    "KDMP-004;clear;Batas dicek BPKHTL, lahan di APL;Sari (BPKHTL);17/11/2025\n"
    ";;;;\n"
    "KDMP-002;Perlu persetujuan;PPKH sedang diajukan;Budi;2025-11-20\n"
)


@pytest.fixture()
def reviewed(tmp_path: Path) -> gpd.GeoDataFrame:
    path = tmp_path / "tinjauan.csv"
    path.write_text(CSV_ID, encoding="utf-8")
    return apply_review(make_result(), path)


def test_reviews_sit_beside_the_computed_columns(reviewed):
    original = make_result()
    assert list(reviewed.columns) == [*original.columns, *REVIEW_COLUMNS]
    pd.testing.assert_frame_equal(pd.DataFrame(reviewed[original.columns]),
                                  pd.DataFrame(original))  # nothing computed is touched
    by_id = reviewed.set_index("plot_id")
    assert by_id.loc["KDMP-004", "status"] == "verify"
    assert by_id.loc["KDMP-004", ["review_status", "review_reason", "reviewer",
                                  "review_date"]].tolist() == [
        "clear", "Batas dicek BPKHTL, lahan di APL", "Sari (BPKHTL)", "2025-11-17"]
    assert by_id.loc["KDMP-002", "review_status"] == "needs_clearance"  # Indonesian label
    assert by_id.loc["KDMP-001", REVIEW_COLUMNS].tolist() == [None] * 4
    assert all(reviewed[c].dtype == object for c in REVIEW_COLUMNS)
    meta = reviewed.attrs["lahan_geo"]
    assert meta["rules_version"] == "2026.11.0"  # the screening's provenance is kept
    assert meta["review"]["plots_reviewed"] == 2 and meta["review"]["source"] == "tinjauan.csv"
    assert type(reviewed) is type(make_result())


def test_english_headers_from_a_dataframe():
    reviews = pd.DataFrame({"Plot_ID": ["KDMP-003"], "Status": ["not permitted"],
                            "Reason": ["HK confirmed"], "Reviewer": ["Ana"],
                            "Date": [pd.Timestamp("2025-12-01 09:30")]})
    out = apply_review(make_result(), reviews)
    row = out.set_index("plot_id").loc["KDMP-003"]
    assert row[list(REVIEW_COLUMNS)].tolist() == ["not_permitted", "HK confirmed", "Ana",
                                                  "2025-12-01"]


def test_a_later_review_of_the_same_plot_wins_and_the_earlier_is_kept():
    reviews = pd.DataFrame({"plot_id": ["KDMP-004", "KDMP-006", "KDMP-004"],
                            "status": ["verify", "clear", "clear"],
                            "reviewer": ["Sari", "Budi", "Dewi"]})
    out = apply_review(make_result(), reviews).set_index("plot_id")
    assert out.loc["KDMP-004", ["review_status", "reviewer"]].tolist() == ["clear", "Dewi"]
    assert out.attrs["lahan_geo"]["review"]["superseded"] == [
        {"plot_id": "KDMP-004", "row": 0, "status": "verify"}]


def test_a_second_list_updates_only_the_plots_it_names():
    first = apply_review(make_result(), pd.DataFrame({"plot_id": ["KDMP-002", "KDMP-004"],
                                                      "status": ["clear", "clear"]}))
    second = apply_review(first, pd.DataFrame({"plot_id": ["KDMP-004"],
                                               "status": ["not_permitted"]}))
    assert second["review_status"].tolist() == [None, "clear", None, "not_permitted", None,
                                                None]
    assert list(second.columns).count("review_status") == 1


def test_unknown_plot_id_names_id_and_row(tmp_path: Path):
    path = tmp_path / "tinjauan.csv"
    path.write_text("id_lahan,status_baru\nKDMP-001,clear\nKDMP-999,clear\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tinjauan\.csv: row 3: plot id 'KDMP-999' is not in"):
        apply_review(make_result(), path)


def test_unknown_status_names_the_allowed_ones():
    with pytest.raises(InputError) as err:
        apply_review(make_result(), pd.DataFrame({"id_lahan": ["KDMP-001"],
                                                  "status_baru": ["aman sekali"]}))
    message = str(err.value)
    assert "status 'aman sekali' is not one of" in message
    assert all(s in message for s in STATUSES)


def test_every_bad_row_is_named_at_once():
    reviews = pd.DataFrame({"plot_id": ["X1", "KDMP-001", "KDMP-002", ""],
                            "status": ["clear", "maybe", "clear", "clear"],
                            "date": [None, None, "31/02/2025", None]}, index=[10, 11, 12, 13])
    with pytest.raises(InputError) as err:
        apply_review(make_result(), reviews)
    message = str(err.value)
    for part in ("row 10 (DataFrame index): plot id 'X1'", "row 11 (DataFrame index): status",
                 "row 12 (DataFrame index): date '31/02/2025'",
                 "row 13 (DataFrame index): the plot id is empty"):
        assert part in message


def test_missing_columns_and_bad_input():
    with pytest.raises(InputError, match=r"no column 'status' \(or 'status_baru'\)"):
        apply_review(make_result(), pd.DataFrame({"id_lahan": ["KDMP-001"]}))
    with pytest.raises(InputError, match="screening result"):
        apply_review(pd.DataFrame({"plot_id": ["A"]}), pd.DataFrame())
    with pytest.raises(InputError, match="does not exist"):
        apply_review(make_result(), "no_such_file.csv")


def test_xlsx_review_list(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.append(["ID Lahan", "Status Baru", "Alasan", "Pemeriksa", "Tanggal"])
    ws.append(["KDMP-006", "Perlu verifikasi", "cek ulang", "Rina", None])
    path = tmp_path / "tinjauan.xlsx"
    wb.save(path)
    out = apply_review(make_result(), path).set_index("plot_id")
    assert out.loc["KDMP-006", ["review_status", "reviewer"]].tolist() == ["verify", "Rina"]


def test_workbook_shows_the_review(reviewed, tmp_path: Path):
    book = load_workbook(to_excel(reviewed, tmp_path / "hasil.xlsx"))
    ws = book["Lahan"]
    header = [c.value for c in ws[1]]
    at = header.index("Status")
    assert header[at:at + 5] == ["Status", "Status Tinjauan", "Alasan Tinjauan", "Pemeriksa",
                                 "Tanggal Tinjauan"]
    assert "review_status" not in header and "reviewer" not in header
    column = {h: [ws.cell(row=r, column=header.index(h) + 1).value for r in range(2, 8)]
              for h in header}
    assert column["Status Tinjauan"] == [None, "Perlu persetujuan", None,
                                         "Aman (lanjut KKPR)", None, None]
    assert column["Status"][3] == "Perlu verifikasi"  # the computed status stays
    assert column["Pemeriksa"][3] == "Sari (BPKHTL)"
    assert column["Tanggal Tinjauan"][1] == "2025-11-20"
    review_fill = ws.cell(row=5, column=at + 2).fill.fgColor.rgb
    assert review_fill.endswith("C6EFCE")  # coloured as "clear"
    summary = [list(r) for r in book["Ringkasan"].iter_rows(values_only=True)]
    titles = [r[0] for r in summary]
    assert "Jumlah lahan per status tinjauan" in titles
    assert ["Belum ditinjau", None, 4] in [r[:3] for r in summary]
    assert ["Tinjauan berbeda dari status terhitung", None, 1] in [r[:3] for r in summary]
    meta = {r[2]: r[1] for r in book["Metadata"].iter_rows(min_row=2, values_only=True)}
    assert meta["review.plots_reviewed"] == 2


def test_gis_files_carry_the_review(reviewed, tmp_path: Path):
    geojson = json.loads(to_geojson(reviewed, tmp_path / "h.geojson").read_text("utf-8"))
    props = geojson["features"][3]["properties"]
    assert (props["review_status"], props["review_date"]) == ("clear", "2025-11-17")
    csv = pd.read_csv(to_csv(reviewed, tmp_path / "h.csv"), encoding="utf-8-sig")
    assert csv.loc[3, "reviewer"] == "Sari (BPKHTL)"
    path = to_geopackage(reviewed, tmp_path / "h.gpkg")
    gpkg = pd.concat([gpd.read_file(path, layer=name) for name in RESULT_LAYERS.values()
                      if name in dict(pyogrio.list_layers(path).tolist())])
    gpkg = gpkg.sort_values("result_row")
    back = [v if isinstance(v, str) else None for v in gpkg["review_status"].tolist()]
    assert back[:4] == [None, "needs_clearance", None, "clear"]
