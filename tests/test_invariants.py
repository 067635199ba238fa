"""Nothing is lost, nothing reordered, same inputs give the same bytes, CRS is explicit."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point

import lahan_geo as lg
from conftest import plots_at, raw_forest, raw_zoning, utm


def test_rows_in_equal_rows_out_in_order_with_invalid_rows_interleaved(forest, zoning):
    raw = pd.DataFrame({
        "id_lahan": ["Z9", "A1", "M5", "B2", "C3"],
        "lintang": ["-2.668570", "belum disurvei", "-2.668570", "", "91.5"],
        "bujur": ["112.390000", "belum disurvei", "111.944583", "112.1", "112.1"],
        "desa": ["Satu", "Dua", "Tiga", "Empat", "Lima"],
    })
    plots = lg.read_plots(raw)
    result = lg.screen(plots, forest=forest, zoning=zoning)
    assert result["plot_id"].tolist() == ["Z9", "A1", "M5", "B2", "C3"]
    assert result["desa"].tolist() == ["Satu", "Dua", "Tiga", "Empat", "Lima"]
    assert result["status"].tolist()[1] == "invalid"
    assert result["status"].tolist()[3] == "invalid"
    assert result["status"].tolist()[4] == "invalid"
    assert "belum disurvei" in result["input_problem"].iloc[1]
    assert "lintang" in result["input_problem"].iloc[1]
    assert result.crs.to_epsg() == 4326


def test_plot_list_columns_are_kept_after_result_columns(forest):
    plots = plots_at({"a": utm(57, 1)}, nama_koperasi=["KDMP Sejahtera"])
    result = lg.screen(plots, forest=forest)
    cols = list(result.columns)
    assert cols[: len(lg.RESULT_COLUMNS)] == list(lg.RESULT_COLUMNS)
    assert "nama_koperasi" in cols and cols[-1] == "geometry"


def test_second_run_is_byte_identical(forest, zoning):
    plots = plots_at({f"p{i}": utm(5 + 9 * i, 1 + (i % 9)) for i in range(9)})
    first = lg.screen(plots, forest=forest, zoning=zoning).to_json(sort_keys=True)
    second = lg.screen(
        plots_at({f"p{i}": utm(5 + 9 * i, 1 + (i % 9)) for i in range(9)}),
        forest=lg.read_forest_area(raw_forest()), zoning=lg.read_zoning(raw_zoning()),
    ).to_json(sort_keys=True)
    assert first == second


def test_status_does_not_depend_on_batch(forest, zoning):
    points = {f"p{i}": utm(3 + 8 * i, 1 + (i % 9)) for i in range(10)}
    whole = lg.screen(plots_at(points), forest=forest, zoning=zoning).set_index("plot_id")
    for pid, point in points.items():
        alone = lg.screen(plots_at({pid: point}), forest=forest, zoning=zoning).iloc[0]
        assert alone["status"] == whole.loc[pid, "status"]
        assert alone["rules"] == whole.loc[pid, "rules"]


def test_layer_without_crs_is_refused_with_the_fix():
    raw = raw_forest().set_crs(None, allow_override=True)
    with pytest.raises(lg.CRSError, match=r"no CRS.*crs='EPSG:4326'"):
        lg.read_forest_area(raw)
    with pytest.raises(lg.CRSError, match=r"set_crs"):
        lg.read_zoning(raw_zoning().set_crs(None, allow_override=True))


def test_layer_without_crs_is_accepted_when_crs_is_given():
    raw = raw_forest().set_crs(None, allow_override=True)
    assert lg.read_forest_area(raw, crs="EPSG:4326").crs.to_epsg() == 4326


def test_plots_without_crs_are_refused():
    with pytest.raises(lg.CRSError, match="no CRS"):
        lg.read_plots(gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(112, -2)]))


def test_provenance_names_versions_hashes_and_tolerance(forest, zoning):
    result = lg.screen(plots_at({"a": utm(57, 1)}), forest=forest, zoning=zoning)
    prov = result.attrs["lahan_geo"]
    assert prov["library_version"] == lg.__version__
    assert prov["rules_version"] == lg.load_rules().version
    assert len(prov["rules_sha256"]) == 64
    assert len(prov["layers"]["forest"]["sha256"]) == 64
    assert prov["layers"]["forest"]["tolerance_m"] == 125.0
    assert prov["layers"]["zoning"]["tolerance_m"] == 25.0
    assert prov["status_counts"]["clear"] == 1
    assert prov["layers"]["forest"]["decrees"] == ["SK.529/Menhut-II/2012"]


def test_invalid_layer_ring_is_repaired_and_recorded():
    raw = raw_forest()
    bowtie = Point(0, 0).buffer(1).boundary  # placeholder replaced below
    from shapely import Polygon
    x0, y0 = 111.9, -2.7
    bowtie = Polygon([(x0, y0), (x0 + 0.1, y0 + 0.1), (x0 + 0.1, y0), (x0, y0 + 0.1)])
    raw.loc[0, "geometry"] = bowtie
    forest = lg.read_forest_area(raw)
    assert forest.attrs["lahan_geo"]["repairs"] == 1
    assert forest["geometry_repair"].iloc[0].startswith("make_valid: Self-intersection")
    assert forest.geometry.is_valid.all()


def test_progress_bar_is_shown_on_request_and_quiet_otherwise(forest, zoning, capsys):
    plots = plots_at({"a": utm(57, 1), "b": utm(15, 5)})
    quiet = lg.screen(plots, forest=forest, zoning=zoning)
    assert capsys.readouterr().err == ""
    shown = lg.screen(plots, forest=forest, zoning=zoning, progress=True)
    assert "Screening 2 plots" in capsys.readouterr().err
    assert shown.drop(columns="geometry").equals(quiet.drop(columns="geometry"))


def test_empty_layers_and_empty_plot_lists_screen_without_error():
    empty_forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSIKWS": pd.Series([], dtype=float)}, geometry=[], crs=4326))
    empty_zoning = lg.read_zoning(gpd.GeoDataFrame(
        {"NAMOBJ": pd.Series([], dtype=object)}, geometry=[], crs=32749))
    one = lg.screen(plots_at({"a": utm(57, 1)}), forest=empty_forest, zoning=empty_zoning)
    assert one["status"].tolist() == ["verify"] and one["rules"].iloc[0] == ["F7", "Z5"]
    none = lg.read_plots(pd.DataFrame({"lat": pd.Series([], dtype=str),
                                       "lon": pd.Series([], dtype=str)}))
    assert len(lg.screen(none, forest=empty_forest, zoning=empty_zoning)) == 0


def test_layer_that_does_not_cover_a_plot_gives_verify_never_clear(forest, zoning):
    far = plots_at({"outside": utm(200, 200)})
    row = lg.screen(far, forest=forest, zoning=zoning).iloc[0]
    assert row["status"] == "verify"
    assert row["rules"] == ["F7", "Z5"]


def test_rows_edited_after_read_plots_are_rechecked(forest):
    from shapely import LineString, Polygon

    plots = plots_at({"ok": utm(57, 1), "line": utm(57, 2), "bowtie": utm(57, 3)})
    plots.loc[1, "geometry"] = LineString([(112.0, -2.7), (112.1, -2.7)])
    plots.loc[2, "geometry"] = Polygon([(112.0, -2.7), (112.1, -2.6), (112.1, -2.7),
                                        (112.0, -2.6)])
    result = lg.screen(plots, forest=forest)
    assert result["plot_id"].tolist() == ["ok", "line", "bowtie"]
    assert result["status"].tolist()[1:] == ["invalid", "invalid"]
    assert "LineString is not a plot" in result["input_problem"].iloc[1]
    assert "invalid" in result["input_problem"].iloc[2]
