"""suggest_sites: clear alternative sites, verified by screening them again, or why none.

The sample-data tests check the result against an independent construction: where the
forest layer says APL and the zoning says an outlet is allowed, farther than the
tolerances from every other category, plain shapely tells whether a 20 x 30 m site fits
within 2 km of a plot (inside its village) -- then the plot must get a site; and where
not even a lenient version of that region exists, it must get a reason instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point, box

import lahan_geo as lg
from conftest import KM, UTM49S, X0, Y0, plots_at, utm
from lahan_geo.errors import InputError
from lahan_geo.relocate import CANDIDATE_COLUMNS, suggest_sites

NOT_SEARCHED = {"clear", "invalid"}


@pytest.fixture(scope="module")
def sample(sample_dir):
    plots = pd.concat([lg.read_plots(sample_dir / "seruyan_plots.csv"),
                       lg.read_plots(sample_dir / "seruyan_bidang.geojson")], ignore_index=True)
    forest = lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg")
    zoning = lg.read_zoning(sample_dir / "pola_ruang.gpkg")
    villages = gpd.read_file(sample_dir / "seruyan_desa.gpkg")
    result = lg.screen(plots, forest=forest, zoning=zoning)
    return result, forest, zoning, villages


@pytest.fixture(scope="module")
def sites(sample):
    result, forest, zoning, _ = sample
    return suggest_sites(result, forest=forest, zoning=zoning)


@pytest.fixture(scope="module")
def village_sites(sample):
    result, forest, zoning, villages = sample
    return suggest_sites(result, forest=forest, zoning=zoning, within=villages)


def _rescreen(candidates, forest, zoning, **kwargs):
    found = candidates[candidates["candidate"] > 0].reset_index(drop=True)
    plots = lg.read_plots(gpd.GeoDataFrame(
        {"id_lahan": [f"{p}#{c}" for p, c in zip(found["plot_id"], found["candidate"])]},
        geometry=found.geometry.to_numpy(), crs=found.crs))
    return found, lg.screen(plots, forest=forest, zoning=zoning, **kwargs)


@pytest.mark.parametrize("which", ["sites", "village_sites"])
def test_every_plot_that_is_not_clear_gets_sites_or_a_reason(sample, which, request):
    result, _, _, _ = sample
    candidates = request.getfixturevalue(which)
    assert list(candidates.columns) == [*CANDIDATE_COLUMNS, "geometry"]
    assert candidates.crs.equals("EPSG:4326")
    searched = result.loc[~result["status"].isin(NOT_SEARCHED), "plot_id"].tolist()
    assert list(dict.fromkeys(candidates["plot_id"])) == searched  # result order, no others
    for plot_id, rows in candidates.groupby("plot_id", sort=False):
        numbers = rows["candidate"].tolist()
        if numbers == [0]:
            (row,) = rows.itertuples()
            assert row.geometry is None and math.isnan(row.distance_m)
            if plot_id in _title_only(result):  # moving it would not settle its title
                assert row.reason_en.startswith("Only the land title holds this plot back")
                assert row.reason_id.startswith("Hanya status tanah yang menahan lahan ini")
                continue
            assert row.reason_en.startswith("No clear land within 2,000 m")
            assert row.reason_id.startswith("Tidak ada lahan aman dalam radius 2.000 m")
        else:
            assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) <= 3, plot_id
            assert rows["reason_en"].isna().all()
            assert rows["distance_m"].is_monotonic_increasing


@pytest.mark.parametrize("which", ["sites", "village_sites"])
def test_every_site_screens_clear_again(sample, which, request):
    _, forest, zoning, _ = sample
    found, again = _rescreen(request.getfixturevalue(which), forest, zoning)
    assert len(found) >= 8
    assert again["status"].tolist() == ["clear"] * len(found), again[["plot_id", "rules"]]
    assert (again["boundary_distance_m"] > again["tolerance_m"]).all()


def test_sites_are_near_spaced_and_measured(sample, sites):
    result, _, _, _ = sample
    plots = result.set_index("plot_id").geometry.to_crs(UTM49S)
    centre = plots.centroid
    found = sites[sites["candidate"] > 0]
    metric = found.geometry.to_crs(UTM49S)
    for plot_id, rows in found.groupby("plot_id"):
        centres = metric.loc[rows.index].centroid
        dist = centres.distance(centre[plot_id])
        assert (dist <= 2000 + 0.5).all()
        assert dist.round(1).tolist() == pytest.approx(rows["distance_m"].tolist(), abs=0.2)
        own = plots[plot_id].area  # a parcel of 1,000 m² or more is moved as it is
        size = own if own >= 1000 else 600.0  # else a 20 x 30 m site
        assert metric.loc[rows.index].area.tolist() == pytest.approx([size] * len(rows), rel=1e-4)
        xy = np.column_stack([centres.x, centres.y])
        gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        assert (gaps[np.triu_indices(len(xy), 1)] >= 100 - 1e-6).all(), plot_id


def _title_only(result):
    """Plot ids held back only by land-title rules (T*): suggest_sites does not move them."""
    rules = lg.load_rules()
    return {row.plot_id for row in result.itertuples()
            if (held := [r for r in row.rules if rules[r].status != "clear"])
            and all(r.startswith("T") for r in held)}


def test_a_plot_held_back_only_by_its_title_is_not_moved(sample, village_sites):
    result, _, _, _ = sample
    title_only = _title_only(result)
    assert {"SRY-001", "SRY-004", "SRY-014"} <= title_only  # BMD, no deed, disputed land
    rows = village_sites[village_sites["plot_id"].isin(title_only)]
    assert (rows["candidate"] == 0).all() and rows.geometry.isna().all()
    assert rows["reason_en"].str.startswith("Only the land title").all()


def _oracle(result, forest, zoning, villages, forest_margin, zone_margin, room, radius):
    """Plot ids whose village holds, within ``radius``, clear land with ``room`` to spare."""
    apl = shapely.union_all(forest[forest["forest_function"] == "APL"].to_crs(UTM49S).geometry)
    allowed = shapely.union_all(
        zoning[zoning["zone_permission"] == "allowed"].to_crs(UTM49S).geometry)
    land = apl.buffer(-forest_margin).intersection(allowed.buffer(-zone_margin))
    villages = villages.to_crs(UTM49S)
    out = set()
    title_only = _title_only(result)
    for row in result[~result["status"].isin(NOT_SEARCHED)].itertuples():
        if row.plot_id in title_only:
            continue
        geom = gpd.GeoSeries([row.geometry], crs=4326).to_crs(UTM49S).iloc[0]
        village = villages[villages.contains(geom.representative_point())].geometry.iloc[0]
        area = land.intersection(village).intersection(geom.centroid.buffer(radius))
        if not area.buffer(-room).is_empty:
            out.add(row.plot_id)
    return out


def test_plots_whose_village_has_clear_land_get_a_site(sample, village_sites):
    result, forest, zoning, villages = sample
    # strict: farther than the tolerances (126 m, 29 m) plus 2 m, room for a 60 x 60 m square,
    # within 1,950 m: the library must find a site there
    must = _oracle(result, forest, zoning, villages, 128, 31.2, 30, 1950)
    # lenient: not even 100 m / 20 m from the boundaries with no room to spare, within 2,020 m
    cannot = {p for p in village_sites["plot_id"]} - _oracle(
        result, forest, zoning, villages, 100, 20, 0, 2020)
    with_site = set(village_sites.loc[village_sites["candidate"] > 0, "plot_id"])
    without = set(village_sites.loc[village_sites["candidate"] == 0, "plot_id"])
    assert len(must) >= 4 and len(cannot) >= 10  # the sample has both kinds
    assert must <= with_site
    assert cannot <= without
    assert {"SRY-016", "SRY-029", "SRY-030", "SRY-031"} <= cannot


def test_sites_stay_in_the_plots_village(sample, village_sites):
    result, _, _, villages = sample
    desa_of = dict(zip(result["plot_id"], result["desa"]))
    found = village_sites[village_sites["candidate"] > 0]
    named = villages.set_index("nama")
    for row in found.itertuples():
        assert row.desa == desa_of[row.plot_id]
        assert named.geometry[row.desa].covers(row.geometry)
    assert set(village_sites["desa"]) >= {"Tanah Subah", "Sumber Kiseting"}


def test_reasons_name_the_rules_that_cover_the_search_area(sites):
    reason = sites.set_index("plot_id")
    hl = reason.loc["SRY-031"]
    assert hl.candidate == 0
    assert hl.reason_en == (
        "No clear land within 2,000 m: the whole search area is in protection forest (HL) "
        "(rule F2); all of it is outside the spatial plan or in a zone the mapping does not "
        "know (rule Z5).")
    assert hl.reason_id.startswith("Tidak ada lahan aman dalam radius 2.000 m: seluruh area "
                                   "pencarian berada di hutan lindung (HL) (aturan F2)")
    assert "in conservation forest (HK) (rule F1)" in reason.loc["SRY-030", "reason_en"]
    assert "the whole search area is outside the spatial plan" in reason.loc["SRY-029",
                                                                             "reason_en"]
    hill = reason.loc["SRY-016", "reason_en"]  # 2,024 m inside the southern HL hill
    assert "the whole search area is in protection forest (HL) (rule F2)" in hill
    assert "rule Z1" not in hill  # the hutan lindung zone defers to the forest map (v2)
    mixed = reason.loc["SRY-021", "reason_en"]  # code-0 sliver between HPK and HP
    assert " % of the search area is " in mixed and "rule F3" in mixed and "rule F4" in mixed


def test_provenance_and_search_parameters(sample, sites):
    meta = sites.attrs["lahan_geo"]
    assert meta["rules_version"] == sample[0].attrs["lahan_geo"]["rules_version"]
    assert meta["layers"]["forest"]["sha256"] == sample[1].attrs["lahan_geo"]["sha256"]
    params = meta["suggest_sites"]
    assert params["search_radius_m"] == 2000 and params["footprint_m"] == [20, 30]
    assert params["tolerance_m"] == pytest.approx([125.9, 29.2], abs=0.05)


# --- the synthetic landscape of conftest: APL x 50-70 km, permukiman strip y 0-2 km ---


@pytest.fixture(scope="module")
def farm_plot(forest, zoning):
    """A plot in the pertanian strip (Z2), 300 m north of the permukiman strip."""
    return lg.screen(plots_at({"T": utm(55, 2.3)}), forest=forest, zoning=zoning)


def test_tolerance_override_is_kept(forest, zoning):
    plot = lg.screen(plots_at({"H": utm(50.3, 1)}), forest=forest, zoning=zoning,
                     tolerance_m=300)  # 300 m into APL from HPK
    assert plot["status"].iloc[0] == "verify"
    found = suggest_sites(plot, forest=forest, zoning=zoning, tolerance_m=300)
    xs = found.geometry.to_crs(UTM49S).bounds["minx"]
    assert len(found) == 3 and (xs > X0 + 50 * KM + 300).all()
    again = _rescreen(found, forest, zoning, tolerance_m=300)[1]
    assert set(again["status"]) == {"clear"}
    inherited = suggest_sites(plot, forest=forest, zoning=zoning)  # from the result's attrs
    assert inherited["distance_m"].tolist() == found["distance_m"].tolist()
    tighter = suggest_sites(plot, forest=forest, zoning=zoning, tolerance_m=50)
    assert tighter["distance_m"].iloc[0] < found["distance_m"].iloc[0]


def test_constraint_layers_are_avoided(forest, zoning, farm_plot):
    river = lg.read_constraint(gpd.GeoDataFrame(
        geometry=[LineString([(X0 + 50 * KM, Y0 + 1.9 * KM), (X0 + 65 * KM, Y0 + 1.9 * KM)])],
        crs=UTM49S), rule="X4", setback_m=100, name="Sungai")
    plain_sites = suggest_sites(farm_plot, forest=forest, zoning=zoning)
    found = suggest_sites(farm_plot, forest=forest, zoning=zoning, layers=[river])
    top = found.geometry.to_crs(UTM49S).bounds["maxy"]
    assert len(found) == 3 and (top < Y0 + 1.8 * KM).all()
    assert found["distance_m"].min() > plain_sites["distance_m"].max()
    again = _rescreen(found, forest, zoning, layers=[river])[1]
    assert set(again["status"]) == {"clear"}


def test_a_large_polygon_plot_is_moved_as_it_is(forest, zoning):
    shape = shapely.Polygon([(0, 0), (50, 0), (50, 40), (10, 40)])  # 1,800 m², a trapezium
    big = shapely.affinity.translate(shape, X0 + 55 * KM, Y0 + 2.2 * KM)
    small = shapely.affinity.translate(shapely.box(0, 0, 20, 20), X0 + 56 * KM, Y0 + 2.2 * KM)
    result = lg.screen(plots_at({"big": big, "small": small}), forest=forest, zoning=zoning)
    found = suggest_sites(result, forest=forest, zoning=zoning, n=2)
    metric = found.set_index(["plot_id", "candidate"]).geometry.to_crs(UTM49S)
    moved = metric[("big", 1)]
    assert moved.area == pytest.approx(1800, rel=1e-4)
    offset = np.subtract(moved.centroid.coords[0], big.centroid.coords[0])
    assert shapely.equals_exact(shapely.affinity.translate(big, *offset), moved, tolerance=0.01)
    assert metric[("small", 1)].area == pytest.approx(600, rel=1e-4)


def test_village_entirely_in_hl_is_named(forest, zoning):
    village = gpd.GeoDataFrame({"nama": ["Desa Hutan"]},
                               geometry=[box(X0 + 12 * KM, Y0 + 2 * KM, X0 + 14 * KM,
                                             Y0 + 4 * KM)], crs=UTM49S)
    result = lg.screen(plots_at({"V": utm(13, 3), "out": utm(16, 3)}), forest=forest,
                       zoning=zoning)
    found = suggest_sites(result, forest=forest, zoning=zoning, within=village,
                          search_radius_m=2000).set_index("plot_id")
    assert found.loc["V", "desa"] == "Desa Hutan"
    assert found.loc["V", "reason_en"].startswith(
        "No clear land within 2,000 m in desa Desa Hutan: the whole village Desa Hutan is in "
        "protection forest (HL) (rule F2)")
    assert "seluruh wilayah desa Desa Hutan berada di hutan lindung" in found.loc["V",
                                                                               "reason_id"]
    assert "none of the village boundaries" in found.loc["out", "reason_en"]


def test_without_layers_no_site_can_be_clear(farm_plot):
    found = suggest_sites(farm_plot)
    assert found["candidate"].tolist() == [0]
    assert "forest status is unknown (rule F7)" in found["reason_en"].iloc[0]


def test_clear_and_invalid_plots_are_not_searched(forest, zoning):
    result = lg.screen(plots_at({"ok": utm(55, 1)}), forest=forest, zoning=zoning)
    assert result["status"].tolist() == ["clear"]
    found = suggest_sites(result, forest=forest, zoning=zoning)
    assert found.empty and list(found.columns) == [*CANDIDATE_COLUMNS, "geometry"]


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"footprint": (20,)}, {"search_radius_m": -5},
                                    {"spacing_m": float("nan")}, {"grid_m": "25"}])
def test_bad_parameters_are_refused(farm_plot, kwargs):
    with pytest.raises(InputError, match="suggest_sites"):
        suggest_sites(farm_plot, **kwargs)


def test_not_a_result_is_refused():
    with pytest.raises(InputError, match="screening result"):
        suggest_sites(pd.DataFrame({"plot_id": ["A"]}))
    with pytest.raises(InputError, match="constraint layer"):
        suggest_sites(gpd.GeoDataFrame({"plot_id": ["A"], "status": ["verify"]},
                                       geometry=[Point(112, -2)], crs=4326), layers=[None])


def test_the_results_own_rules_file_is_used(forest, zoning, tmp_path):
    text = (Path(lg.__file__).parent / "data" / "default_rules.toml").read_text("utf-8")
    z2 = text.index('id = "Z2"')  # farming zones allow the outlet under these rules
    text = text[:z2] + text[z2:].replace('status = "needs_clearance"', 'status = "clear"', 1)
    rules = tmp_path / "aturan_kab.toml"
    rules.write_text(text, encoding="utf-8")
    result = lg.screen(plots_at({"L": utm(55, 4.2)}), forest=forest, zoning=zoning,
                       rules=rules)  # LP2B strip (Z3), 200 m north of the farming strip
    assert result["rules"].iloc[0] == ["F6", "Z3"]
    found = suggest_sites(result, forest=forest, zoning=zoning)  # no rules=: the file's
    assert len(found) == 3 and found["distance_m"].max() < 400
    assert found.attrs["lahan_geo"]["rules_sha256"] == result.attrs["lahan_geo"]["rules_sha256"]
    again = _rescreen(found, forest, zoning, rules=rules)[1]
    assert set(again["status"]) == {"clear"} and set(map(tuple, again["rules"])) == {
        ("F6", "Z2", "S1")}
    default = suggest_sites(result, forest=forest, zoning=zoning, rules=lg.load_rules())
    assert default["candidate"].tolist() == [0]  # the permukiman strip is 2.2 km away


def test_a_plots_sites_do_not_depend_on_the_batch(forest, zoning):
    points = {"T": utm(55, 2.3), "U": utm(55.4, 2.25), "H": utm(49.8, 1)}
    together = suggest_sites(lg.screen(plots_at(points), forest=forest, zoning=zoning),
                             forest=forest, zoning=zoning)
    for plot_id, point in points.items():
        alone = suggest_sites(lg.screen(plots_at({plot_id: point}), forest=forest,
                                        zoning=zoning), forest=forest, zoning=zoning)
        mine = together[together["plot_id"] == plot_id].reset_index(drop=True)
        assert len(alone) == 3
        pd.testing.assert_frame_equal(pd.DataFrame(mine.drop(columns="geometry")),
                                      pd.DataFrame(alone.drop(columns="geometry")))
        assert mine.geom_equals_exact(alone, tolerance=1e-9).all()
