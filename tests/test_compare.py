"""compare: what changed between two screenings, and which input difference explains it.

Small results are screened in code on the conftest landscape (HK | HL | HP | HPT | HPK |
APL | code 0, west to east; zoning strips over APL).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

import lahan_geo as lg
from conftest import plots_at, raw_forest, utm
from lahan_geo.compare import CHANGES, COMPARE_COLUMNS, compare
from lahan_geo.errors import InputError
from lahan_geo.outputs import to_csv, to_excel, to_geojson, to_geopackage

POINTS = {
    "A": utm(55, 1),  # APL, permukiman: clear
    "B": utm(45, 5),  # HPK: needs_clearance (F4)
    "C": utm(55, 3),  # APL, pertanian: needs_clearance (Z2)
    "D": utm(15, 5),  # HL
}


@pytest.fixture(scope="module")
def old(forest, zoning):
    return lg.screen(plots_at(POINTS), forest=forest, zoning=zoning)


def _row(diff: pd.DataFrame, plot_id: str) -> pd.Series:
    return diff.set_index("plot_id").loc[plot_id]


def test_a_moved_plot(old, forest, zoning):
    moved = dict(POINTS, A=utm(55, 1.05), C=utm(35, 5))  # A 50 m north; C into HPT
    diff = compare(old, lg.screen(plots_at(moved), forest=forest, zoning=zoning))
    assert list(diff.columns) == list(COMPARE_COLUMNS)
    a, c, b = _row(diff, "A"), _row(diff, "C"), _row(diff, "B")
    assert a.change == "changed" and a.what == ["location"] and a.status_old == a.status_new
    assert a.moved_m == pytest.approx(50.0, abs=0.1)
    assert a.why == ["input_moved"] and a.why_en == "the plot moved 50.0 m"
    assert a.why_id == "lahan bergeser 50,0 m"
    assert c.why == ["input_moved"] and c.what == ["rules", "clearances", "location"]
    assert (c.status_old, c.status_new) == ("needs_clearance", "needs_clearance")
    assert c.rules_added == ["F3", "Z5"] and c.rules_removed == ["F6", "Z2"]
    assert c.moved_m == pytest.approx(20_099.8, abs=1)  # (55, 3) -> (35, 5) km
    assert b.change == "unchanged" and b.why == [] and b.moved_m == 0.0
    meta = diff.attrs["lahan_geo"]["compare"]
    assert meta["layers_changed"] == [] and meta["rules_changed"] is False
    assert meta["counts"] == {"added": 0, "removed": 0, "changed": 2, "unchanged": 2}


def test_a_changed_layer_hash(old, zoning):
    raw = raw_forest()
    raw.loc[raw["FUNGSIKWS"] == 100500.0, "FUNGSIKWS"] = 100700.0  # HPK released to APL
    new = lg.screen(plots_at(POINTS), forest=lg.read_forest_area(raw), zoning=zoning)
    diff = compare(old, new)
    b = _row(diff, "B")
    assert (b.status_old, b.status_new) == ("needs_clearance", "verify")  # APL, no zoning
    assert b.why == ["layer_changed"] and b.why_en == "the forest layer changed"
    assert b.why_id == "lapisan kawasan hutan berubah"
    assert b.clearances_id_old != b.clearances_id_new and "clearances" in b.what
    assert _row(diff, "A").change == "unchanged" and _row(diff, "A").why == []
    assert diff.attrs["lahan_geo"]["compare"]["layers_changed"] == ["forest"]


def test_a_changed_rules_version(old, forest, zoning, tmp_path: Path):
    text = (Path(lg.__file__).parent / "data" / "default_rules.toml").read_text("utf-8")
    text = text.replace('version = "2026.12.0"', 'version = "2099.1.0"', 1)
    z2 = text.index('id = "Z2"')
    text = text[:z2] + text[z2:].replace('status = "needs_clearance"', 'status = "verify"', 1)
    rules = tmp_path / "rules.toml"
    rules.write_text(text, encoding="utf-8")
    diff = compare(old, lg.screen(plots_at(POINTS), forest=forest, zoning=zoning, rules=rules))
    c = _row(diff, "C")
    assert (c.status_old, c.status_new) == ("needs_clearance", "verify")
    assert c.why == ["rules_changed"]
    assert c.why_en == "the rules changed (2026.12.0 → 2099.1.0)"
    assert _row(diff, "A").change == "unchanged"


def test_added_removed_and_several_reasons(old, zoning):
    raw = raw_forest()
    raw.loc[raw["FUNGSIKWS"] == 100100.0, "FUNGSIKWS"] = 100200.0  # HL becomes HK
    new_points = {"E": utm(56, 1), "D": utm(16, 5), "A": POINTS["A"]}
    new = lg.screen(plots_at(new_points), forest=lg.read_forest_area(raw), zoning=zoning)
    diff = compare(old, new)
    assert diff["plot_id"].tolist() == ["E", "D", "A", "B", "C"]  # new order, then removed
    assert diff["change"].tolist() == ["added", "changed", "unchanged", "removed", "removed"]
    d = _row(diff, "D")
    assert d.why == ["input_moved", "layer_changed"]
    assert (d.status_old, d.status_new) == ("needs_clearance", "not_permitted")
    e = _row(diff, "E")
    assert e.status_old is None and e.status_new == "clear" and e.why_en == "only in the new result"
    assert set(diff["change"]) <= set(CHANGES)


def test_exports_read_back_keep_their_provenance(old, tmp_path: Path):
    for path in (to_geojson(old, tmp_path / "h.geojson"), to_geopackage(old, tmp_path / "h.gpkg")):
        diff = compare(path, old)
        assert diff["change"].tolist() == ["unchanged"] * 4, path.suffix
        meta = diff.attrs["lahan_geo"]["compare"]
        assert meta["old"]["rules_version"] == "2026.12.0" and meta["layers_changed"] == []


def test_missing_provenance_is_unknown(old, forest, zoning, tmp_path: Path):
    csv = to_csv(old, tmp_path / "h.csv")
    same = compare(csv, old)  # "F6; Z4" read back as a list; 6 decimals move < 1 m
    assert same["change"].tolist() == ["unchanged"] * 4
    assert same.attrs["lahan_geo"]["compare"]["layers_changed"] is None
    moved = lg.screen(plots_at(dict(POINTS, A=utm(45, 1))), forest=forest, zoning=zoning)
    bare = old.copy()
    bare.attrs = {}
    a = _row(compare(bare, moved), "A")
    assert a.why == ["input_moved", "unknown"]
    assert a.why_en.endswith("layers and rules: unknown (the old result carries no provenance)")


def test_duplicate_ids_are_matched_in_order(forest, zoning):
    plots = plots_at({"P": utm(55, 1)})
    twice = lg.screen(pd.concat([plots, plots_at({"P": utm(45, 5)})], ignore_index=True),
                      forest=forest, zoning=zoning)
    diff = compare(twice, twice.iloc[::-1].reset_index(drop=True))
    assert diff["plot_id"].tolist() == ["P", "P"]
    assert diff["change"].tolist() == ["changed", "changed"]  # first with first: swapped


def test_bad_input():
    with pytest.raises(InputError, match="not a screening result"):
        compare(gpd.GeoDataFrame({"x": [1]}, geometry=[None], crs=4326), pd.DataFrame())
    with pytest.raises(InputError, match="does not exist"):
        compare("missing.geojson", "missing.geojson")
    with pytest.raises(InputError, match="moved_m"):
        compare(None, None, moved_m=-1)


def test_workbook_sheet_perubahan(old, forest, zoning, tmp_path: Path):
    new = lg.screen(plots_at(dict(POINTS, C=utm(35, 5))), forest=forest, zoning=zoning)
    old_file = to_geojson(old, tmp_path / "lama.geojson")
    book = load_workbook(to_excel(new, tmp_path / "hasil.xlsx", compare_with=old_file))
    assert book.sheetnames == ["Lahan", "Ringkasan", "Perubahan", "Aturan", "Metadata"]
    rows = [list(r) for r in book["Perubahan"].iter_rows(values_only=True)]
    info = {r[0]: r[1] for r in rows if r[0] and r[1] is not None and len(r) > 1}
    assert info["Versi aturan (lama → baru)"] == "2026.12.0 → 2026.12.0"
    assert info["Lapisan yang berubah"] == "tidak ada"
    assert info["Jumlah lahan: Berubah"] == 1 and info["Jumlah lahan: Tidak berubah"] == 3
    header = next(r for r in rows if r[0] == "ID Lahan")
    body = rows[rows.index(header) + 1:]
    assert len(body) == 1
    record = dict(zip(header, body[0]))
    assert record["ID Lahan"] == "C" and record["Perubahan"] == "Berubah"
    assert record["Yang Berubah"] == "aturan; persetujuan; lokasi"
    assert record["Aturan Lama"] == "F6; Z2" and record["Aturan Baru"] == "F3; Z5"
    assert record["Pergeseran (m)"] == pytest.approx(20_099.8, abs=1)
    assert record["Penyebab"] == "lahan bergeser 20.099,8 m"
    # a diff computed beforehand gives the same sheet
    again = load_workbook(to_excel(new, tmp_path / "b.xlsx", compare_with=compare(old, new)))
    assert [list(r) for r in again["Perubahan"].iter_rows(values_only=True)] == rows


def test_no_changes_says_so(old, tmp_path: Path):
    book = load_workbook(to_excel(old, tmp_path / "h.xlsx", compare_with=old))
    values = [r[0] for r in book["Perubahan"].iter_rows(values_only=True)]
    assert "Tidak ada perubahan." in values
    assert json.dumps(compare(old, old).attrs["lahan_geo"]["compare"]["counts"]) == json.dumps(
        {"added": 0, "removed": 0, "changed": 0, "unchanged": 4})


def test_list_cells_survive_the_export(forest, zoning, tmp_path: Path):
    hk = lg.screen(plots_at({"K": utm(5, 5)}), forest=forest, zoning=zoning)
    # rules v2 keep the list separator out of every field: "Tidak ada, pindah lokasi"
    assert "Tidak ada, pindah lokasi" in hk["clearances_id"].iloc[0]
    assert not any(";" in c for c in hk["clearances_id"].iloc[0])
    for path in (to_geojson(hk, tmp_path / "k.geojson"), to_csv(hk, tmp_path / "k.csv")):
        assert compare(path, hk)["change"].tolist() == ["unchanged"], path.suffix
