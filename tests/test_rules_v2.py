"""Rule set v2 on built geometry: every rule fires, routes and switches behave.

The landscape is conftest's (forest blocks HK HL HP HPT HPK APL code-0 from west to
east, zone strips over APL at x 50-65 km) plus, here, constraint layers, a v2 zoning
with forest-class, disaster-prone and LSD zones, and an RDTR-coverage layer.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, by_id, plots_at, raw_forest, utm

KM = 1000.0


def ubox(x0_km: float, y0_km: float, x1_km: float, y1_km: float):
    return box(X0 + x0_km * KM, Y0 + y0_km * KM, X0 + x1_km * KM, Y0 + y1_km * KM)


def constraint(rule: str, x_km: float, **options):
    """A 0.6 km square constraint layer centred on (x_km, 1) in the permukiman strip."""
    return lg.read_constraint(gpd.GeoDataFrame(
        geometry=[ubox(x_km - 0.3, 0.7, x_km + 0.3, 1.3)], crs=UTM49S), rule=rule, **options)


@pytest.fixture(scope="module")
def layers():
    river = lg.read_constraint(gpd.GeoDataFrame(
        geometry=[LineString([(X0 + 63.5 * KM, Y0 + 0.5 * KM), (X0 + 63.5 * KM, Y0 + 1.5 * KM)])],
        crs=UTM49S), rule="X4", setback_m=50)
    return [constraint("X1", 58.5), constraint("X2", 59.5), constraint("X3", 60.5), river,
            constraint("X5", 61.5, name="PIAPS revisi VIII"),
            constraint("Z3b", 62.5, name="LSD Seruyan")]


BASE = {
    "hk": utm(5, 5), "hl": utm(15, 5), "hp": utm(25, 5), "hpk": utm(45, 5),
    "settled_hl": utm(15, 6), "apl_permukiman": utm(57, 1), "code0": utm(75, 5),
    "near_hpk_apl": utm(50.05, 1), "sempadan": utm(57, 7), "pertanian": utm(57, 3),
    "lp2b": utm(57, 5), "unknown_zone": utm(57, 9), "near_zone_edge": utm(57, 2.01),
    "small_parcel": ubox(57, 1, 57.02, 1.03), "x1": utm(58.5, 1), "x2": utm(59.5, 1),
    "x3": utm(60.5, 1), "x4": utm(63.52, 1), "x5": utm(61.5, 1), "lsd_layer": utm(62.5, 1),
}


def base_plots():
    plots = plots_at(BASE, dikuasai_sebelum_penunjukan=[
        "ya" if k == "settled_hl" else "tidak" for k in BASE])
    empty = plots_at({"no_location": utm(1, 1)}).assign(geometry=None)
    empty["input_problem"] = "both coordinate fields are blank"
    return pd.concat([plots, empty], ignore_index=True).set_geometry("geometry")


V2_ZONES = [  # (NAMOBJ, x from, x to, y from, y to) in km
    ("Kawasan Hutan Lindung", 10, 20, 0, 10),         # HL forest: agrees
    ("Kawasan Hutan Produksi", 30, 40, 0, 10),        # HPT forest: agrees
    ("Kawasan Hutan Lindung", 50, 55, 0, 10),         # APL forest: disagrees
    ("Kawasan Rawan Bencana Longsor", 55, 60, 0, 5),
    ("Lahan Sawah Dilindungi", 55, 60, 5, 10),
    ("Kawasan Pertanian Pangan Berkelanjutan", 60, 65, 0, 5),
    ("Kawasan Perdagangan dan Jasa", 60, 65, 5, 10),
    ("Kawasan Permukiman Perdesaan", 65, 70, 0, 10),
]
V2_PLOTS = {
    "hl_zoned_hl": utm(15, 5), "hpt_zoned_hp": utm(35, 5), "apl_zoned_hl": utm(52.5, 5),
    "krb": utm(57.5, 2.5), "lsd_zone": utm(57.5, 7.5), "lp2b": utm(62.5, 2.5),
    "dagang_in_rdtr": utm(62, 7.5), "dagang_across_rdtr": ubox(62.98, 7.5, 63.02, 7.53),
    "permukiman_outside_rdtr": utm(67.5, 5),
}


@pytest.fixture(scope="module")
def v2_zoning():
    return lg.read_zoning(gpd.GeoDataFrame(
        {"NAMOBJ": [z[0] for z in V2_ZONES]},
        geometry=[ubox(a, c, b, d) for _, a, b, c, d in V2_ZONES], crs=UTM49S))


@pytest.fixture(scope="module")
def rdtr():
    return lg.read_rdtr(gpd.GeoDataFrame({"NAMOBJ": ["RDTR Kawasan Perkotaan"]},
                                         geometry=[ubox(60, 5, 63, 10)], crs=UTM49S))


@pytest.fixture(scope="module")
def base(forest, zoning, layers):
    return by_id(lg.screen(base_plots(), forest=forest, zoning=zoning, layers=layers))


@pytest.fixture(scope="module")
def base_psn(forest, zoning, layers):
    return lg.screen(base_plots(), forest=forest, zoning=zoning, layers=layers,
                     programme=lg.Programme(psn=True, applicant="koperasi"))


@pytest.fixture(scope="module")
def base_public(forest, zoning, layers):
    return by_id(lg.screen(base_plots(), forest=forest, zoning=zoning, layers=layers,
                           programme=lg.Programme(public_interest=True)))


@pytest.fixture(scope="module")
def v2(forest, v2_zoning, rdtr):
    return by_id(lg.screen(plots_at(V2_PLOTS), forest=forest, zoning=v2_zoning, rdtr=rdtr))


@pytest.fixture(scope="module")
def v2_no_forest(v2_zoning):
    return by_id(lg.screen(plots_at(V2_PLOTS), zoning=v2_zoning))


def test_every_rule_of_the_v2_set_fires_on_built_geometry(base, base_psn, base_public, v2,
                                                         v2_no_forest):
    fired = {r for frame in (base, base_psn, base_public, v2, v2_no_forest)
             for rules in frame["rules"] for r in rules}
    # Land-title rules (T*) read the plot list's land status, not the geometry: they are
    # fired one by one in tests/test_land_status.py.
    geometric = {r.id for r in lg.load_rules() if "land_title" not in r.facts}
    assert geometric - fired == set()


@pytest.mark.parametrize(("plot", "rule", "status"), [
    ("no_location", "V1", "invalid"), ("hk", "F1", "not_permitted"),
    ("hl", "F2", "needs_clearance"), ("hp", "F3", "needs_clearance"),
    ("hpk", "F4", "needs_clearance"), ("settled_hl", "F5", "needs_clearance"),
    ("code0", "F7", "verify"), ("near_hpk_apl", "B1", "verify"),
    ("sempadan", "Z1", "not_permitted"), ("pertanian", "Z2", "needs_clearance"),
    ("lp2b", "Z3", "not_permitted"), ("unknown_zone", "Z5", "verify"),
    ("x1", "X1", "not_permitted"), ("x2", "X2", "needs_clearance"),
    ("x3", "X3", "needs_clearance"), ("x4", "X4", "not_permitted"), ("x5", "X5", "verify"),
    ("lsd_layer", "Z3b", "needs_clearance"), ("apl_permukiman", "K3", "clear"),
])
def test_base_rules_and_statuses(base, plot, rule, status):
    row = base.loc[plot]
    assert rule in row["rules"], (plot, row["rules"])
    assert row["status"] == status, (plot, row["rules"])


def test_pptpkh_is_for_existing_occupation_not_a_new_building(base):
    row = base.loc["settled_hl"]
    assert "F5" in row["rules"]
    assert "not an approval route for a new building" in row["reason_en"]
    assert "bpkh" in row["offices"] and "atr_bpn.kantah" in row["offices"]


def test_both_ppkh_routes_are_shown_and_the_governor_route_marked_unconfirmed(base):
    row = base.loc["hl"]
    assert "Route 1: the Minister of Forestry via Ditjen Planologi Kehutanan" in row["reason_en"]
    assert "Route 2: the governor" in row["reason_en"]
    assert "(unconfirmed: whether a KDMP outlet counts as a non-commercial public facility" \
        in row["reason_en"]
    assert "(belum terkonfirmasi: apakah gerai KDMP" in row["reason_id"]
    assert row["offices"][:3] == ["kemenhut.planologi", "bpkh", "gubernur"]  # then Z5's
    assert "izin" not in " ".join(row["clearances_id"]).lower()


@pytest.mark.parametrize(("plot", "coverage", "rule", "route"), [
    ("dagang_in_rdtr", "covered", "K1", "Konfirmasi KKPR through OSS"),
    ("dagang_across_rdtr", "partly", "K2", "Persetujuan KKPR (assessed against the RTRW"),
    ("permukiman_outside_rdtr", "not_covered", "K2", "Persetujuan KKPR (assessed against"),
])
def test_kkpr_route_follows_rdtr_coverage(v2, v2_no_forest, plot, coverage, rule, route):
    row = v2.loc[plot]
    assert row["rdtr_coverage"] == coverage
    assert row["rules"][-2:] == ["Z4", rule] and row["status"] == "clear"
    assert any(c.startswith(route) for c in row["clearances"]), row["clearances"]
    assert not any("routine" in c for c in row["clearances"])
    # without the layer: the route depends on it, and Persetujuan is said to be likely
    without = v2_no_forest.loc[plot]
    assert without["rdtr_coverage"] is None and without["rules"][-1] == "K3"
    assert "Persetujuan is likely" in without["reason_en"]


def test_psn_switch_changes_lp2b_both_ways(base, base_psn, base_public):
    assert base.loc["lp2b", "status"] == "not_permitted"
    assert "Z3" in base.loc["lp2b", "rules"] and "Z3e" not in base.loc["lp2b", "rules"]
    psn = by_id(base_psn).loc["lp2b"]
    assert psn["status"] == "needs_clearance" and "Z3e" in psn["rules"]
    assert "Z3" not in psn["rules"]
    assert any("replacement land 3x/2x/1x" in c for c in psn["clearances"])
    assert "(unconfirmed: whether KDMP is a PSN)" in psn["reason_en"]
    public = base_public.loc["lp2b"]
    assert public["status"] == "needs_clearance" and public["rules"][-1] == "Z3u"


def test_psn_switch_changes_pippib_both_ways_and_is_recorded(base, base_psn):
    assert base.loc["x2", "status"] == "needs_clearance" and "X2" in base.loc["x2", "rules"]
    psn = by_id(base_psn)
    assert psn.loc["x2", "status"] == "verify" and "X2p" in psn.loc["x2", "rules"]
    assert base_psn.attrs["lahan_geo"]["programme"] == {
        "psn": True, "public_interest": False, "applicant": "koperasi"}


def test_programme_defaults_are_recorded(forest):
    result = lg.screen(plots_at({"a": utm(57, 1)}), forest=forest)
    assert result.attrs["lahan_geo"]["programme"] == {
        "psn": False, "public_interest": False, "applicant": "pemda"}
    with pytest.raises(lg.InputError, match="applicant='ngo'"):
        lg.Programme(applicant="ngo")
    with pytest.raises(lg.InputError, match="not a Programme"):
        lg.screen(plots_at({"a": utm(57, 1)}), programme={"psn": True})


def test_psn_and_cooperative_applicant_change_the_ppkh_text(base, base_psn):
    assert not {"F8", "F9"} & set(base.loc["hl", "rules"])
    row = by_id(base_psn).loc["hl"]
    assert {"F2", "F8", "F9"} <= set(row["rules"]) and row["status"] == "needs_clearance"
    assert "governor route for non-commercial public facilities does not apply" \
        in row["reason_en"]


def test_forest_class_zones_defer_to_the_forest_map(v2):
    agree = v2.loc["hl_zoned_hl"]
    assert agree["rules"] == ["F2", "Z1f"] and agree["status"] == "needs_clearance"
    assert v2.loc["hpt_zoned_hp", "rules"] == ["F3", "Z1f"]
    # RTRW says hutan lindung, the forest-area map says APL: verify, not a prohibition
    clash = v2.loc["apl_zoned_hl"]
    assert clash["rules"] == ["F6", "Z1d"] and clash["status"] == "verify"
    assert "shows APL there" in clash["reason_en"]
    assert "Z1" not in clash["rules"]


def test_forest_class_zone_without_forest_layer_is_verify(v2_no_forest):
    row = v2_no_forest.loc["apl_zoned_hl"]
    assert "Z1b" in row["rules"] and row["status"] == "verify"
    assert "Z1d" not in row["rules"] and "Z1f" not in row["rules"]


def test_disaster_prone_and_lsd_zones(v2):
    krb = v2.loc["krb"]
    assert krb["rules"][-1] == "Z1c" and krb["status"] == "verify"
    assert "(unconfirmed: the status" in krb["reason_en"]
    assert krb["offices"] == ["pemda.tata_ruang", "pemda.bpbd"]
    lsd = v2.loc["lsd_zone"]
    assert "Z3b-rtrw" in lsd["rules"] and lsd["status"] == "needs_clearance"


def test_no_list_separator_in_any_field(base, base_psn, v2):
    for rule in lg.load_rules().provenance()["rules"]:
        for key, value in rule.items():
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                for t in (text.values() if isinstance(text, dict) else [text]):
                    assert ";" not in str(t), (rule["id"], key, t)
    for frame in (base, by_id(base_psn), v2):
        for column in ("clearances", "clearances_id", "agencies", "agencies_id", "offices",
                       "legal_basis"):
            for items in frame[column]:
                assert all(";" not in item for item in items), (column, items)


def test_bpkh_unit_resolved_from_the_forest_layer_province():
    raw = raw_forest()
    raw["KODE_PROV"] = 62.0
    forest = lg.read_forest_area(raw)
    out = by_id(lg.screen(plots_at({"hl": utm(15, 5), "apl": utm(57, 1), "code0": utm(75, 5)}),
                          forest=forest))
    assert "BPKH Wilayah XXI Palangka Raya" in out.loc["hl", "agencies_id"]
    # an unknown forest code still lies in the province: F7 goes to the same unit
    assert out.loc["code0", "agencies_id"][0] == "BPKH Wilayah XXI Palangka Raya"  # then Z5
    assert "BPKH Wilayah XXI Palangka Raya" in out.loc["hl", "agencies"]
    assert out.loc["hl", "province_code"] == "62"
    assert "bpkh" in out.loc["hl", "offices"]


def test_bpkh_unit_from_the_plot_list_and_unknown_region(forest):
    plots = plots_at({"kalteng": utm(15, 5), "kalsel": utm(15, 6), "none": utm(15, 7)},
                     provinsi=["Kalimantan Tengah", "Kalimantan Selatan", None])
    out = by_id(lg.screen(plots, forest=forest))
    assert "BPKH Wilayah XXI Palangka Raya" in out.loc["kalteng", "agencies_id"]
    for plot in ("kalsel", "none"):  # only XXI is confirmed: no other number is invented
        assert "BPKH (wilayah sesuai provinsi)" in out.loc[plot, "agencies_id"]
    assert out["province_code"].tolist() == ["62", "63", None]


def test_summary_by_agency_has_one_row_per_office_and_adds_up(base, v2):
    result = pd.concat([base.reset_index(), v2.reset_index()], ignore_index=True)
    for by, column in (("office", "offices"), ("agency", "agencies_id")):
        table = lg.summarize(result, by=by)
        named = {o for items in result[column] for o in items}
        assert table.index.is_unique
        assert set(table.index.dropna()) == named
        for office in named:
            assert table.loc[office, "total"] == sum(office in items for items in result[column])
        assert (table[list(lg.STATUSES)].sum(axis=1) == table["total"]).all()
        nobody = sum(not items for items in result[column])
        assert table["total"].sum() == sum(map(len, result[column])) + nobody
    offices = lg.summarize(result, by="office")
    assert offices.loc["bpkh", "needs_clearance"] == sum(
        "bpkh" in o and s == "needs_clearance" for o, s in zip(result["offices"], result["status"]))


def test_result_columns_order():
    cols = lg.RESULT_COLUMNS
    assert cols.index("province_code") == cols.index("forest_decree") + 1
    assert cols.index("rdtr_coverage") == cols.index("zone_overlaps") + 1
    assert cols.index("offices") == cols.index("agencies_id") + 1
