"""Issue #7: hostile geometry in plot lists and legal layers, points on boundaries, and
layers that are missing, misplaced, empty or partial.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import GeometryCollection, LineString, MultiPoint, Point, Polygon, box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, raw_forest, raw_zoning
from lahan_geo.overlay import overlay_layer
from test_hostile_files import assert_clean_error

X, Y, S = 112.5, -2.5, 0.001  # a plot-sized step in degrees (~110 m)
SQUARE = box(X, Y, X + S, Y + S)

with np.errstate(invalid="ignore"):  # shapely warns when it builds a NaN ring
    NAN_VERTEX = Polygon([(X, Y), (X + S, np.nan), (X + S, Y + S)])

# (id, geometry, expected: "ok" (with the note it must carry, or None) / problem pattern)
HOSTILE_GEOMETRIES = [
    ("bowtie", Polygon([(X, Y), (X + S, Y + S), (X + S, Y), (X, Y + S)]),
     ("ok", "polygon repaired with make_valid (Self-intersection")),
    ("empty_polygon", Polygon(), ("problem", "the feature has no geometry")),
    ("empty_point", Point(), ("problem", "the feature has no geometry")),
    ("empty_collection", GeometryCollection(), ("problem", "the feature has no geometry")),
    ("missing", None, ("problem", "the feature has no geometry")),
    ("collection", GeometryCollection([SQUARE, Point(X, Y)]),
     ("ok", "kept the polygon parts of a geometry collection")),
    ("nested_collection", GeometryCollection([GeometryCollection([
        GeometryCollection([SQUARE])]), LineString([(X, Y), (X + S, Y)])]),
     ("ok", "kept the polygon parts of a geometry collection")),
    ("points_collection", GeometryCollection([Point(X, Y), Point(X + S, Y)]),
     ("problem", "a GeometryCollection is not a plot")),
    ("z_point", Point(X, Y, 12.5), ("ok", "height (Z) dropped")),
    ("z_polygon", Polygon([(X, Y, 1), (X + S, Y, 1), (X + S, Y + S, 1)]),
     ("ok", "height (Z) dropped")),
    ("m_point", shapely.from_wkt(f"POINT M ({X} {Y} 7)"), ("ok", None)),
    ("zm_polygon", shapely.from_wkt(f"POLYGON ZM (({X} {Y} 1 2, {X + S} {Y} 1 2, "
                                    f"{X + S} {Y + S} 1 2, {X} {Y} 1 2))"),
     ("ok", "height (Z) dropped")),
    ("nan_point", Point(np.nan, np.nan), ("problem", "non-finite coordinates")),
    ("nan_x", Point(np.nan, Y), ("problem", "non-finite coordinates")),
    ("inf_point", Point(np.inf, Y), ("problem", "non-finite coordinates")),
    ("nan_vertex", NAN_VERTEX, ("problem", "non-finite coordinates")),
    ("line", LineString([(X, Y), (X + S, Y)]), ("problem", "a LineString is not a plot")),
    ("flat_polygon", Polygon([(X, Y), (X + S, Y), (X + 2 * S, Y)]),
     ("problem", "the polygon has no area after repair")),
    ("two_points", MultiPoint([(X, Y), (X + S, Y)]), ("ok", None)),
    ("huge_coordinates", Point(1e300, -1e300), ("problem", "lies outside Indonesia")),
]


@pytest.fixture(scope="module")
def hostile_plots() -> gpd.GeoDataFrame:
    ids = [g[0] for g in HOSTILE_GEOMETRIES]
    with np.errstate(invalid="ignore"):
        raw = gpd.GeoDataFrame({"id_lahan": ids}, geometry=[g[1] for g in HOSTILE_GEOMETRIES],
                               crs=4326)
    return lg.read_plots(raw)


@pytest.mark.parametrize(("pid", "expected"), [(g[0], g[2]) for g in HOSTILE_GEOMETRIES])
def test_each_hostile_geometry_is_repaired_with_a_note_or_refused_with_a_reason(
        hostile_plots, pid, expected):
    row = hostile_plots.set_index("plot_id").loc[pid]
    kind, text = expected
    if kind == "ok":
        assert row["input_problem"] is None
        geom = row.geometry
        assert geom.is_valid and not geom.is_empty and not shapely.has_z(geom)
        assert np.isfinite(shapely.get_coordinates(geom)).all()
        if text:
            assert text in row["input_notes"]
    else:
        assert row.geometry is None
        assert text in row["input_problem"] and "Fix:" in row["input_problem"]
        assert row["input_problem_id"] and "Perbaikan:" in row["input_problem_id"]


def test_hostile_geometries_keep_every_row_in_order_through_screening(hostile_plots, forest,
                                                                     zoning):
    result = lg.screen(hostile_plots, forest=forest, zoning=zoning)
    assert result["plot_id"].tolist() == [g[0] for g in HOSTILE_GEOMETRIES]
    refused = [g[0] for g in HOSTILE_GEOMETRIES if g[2][0] == "problem"]
    assert set(result.loc[result["status"] == "invalid", "plot_id"]) == set(refused)
    # None of them lies on a mapped layer: the usable ones are verify, never clear.
    assert set(result.loc[result["status"] != "invalid", "status"]) == {"verify"}


def test_hostile_geometries_from_a_file_give_the_same_rows(tmp_path, hostile_plots):
    # GeoPackage stores one coordinate dimension per layer: leave out the M and ZM ones.
    keep = [g for g in HOSTILE_GEOMETRIES
            if g[1] is not None and g[0] not in ("m_point", "zm_polygon")]
    with np.errstate(invalid="ignore"):
        raw = gpd.GeoDataFrame({"id_lahan": [g[0] for g in keep]},
                               geometry=[g[1] for g in keep], crs=4326)
    raw.to_file(tmp_path / "hostile.gpkg")
    from_file = lg.read_plots(tmp_path / "hostile.gpkg")
    assert from_file["plot_id"].tolist() == [g[0] for g in keep]
    expected = hostile_plots.set_index("plot_id").loc[[g[0] for g in keep]]
    assert (from_file["input_problem"].isna().to_numpy()
            == expected["input_problem"].isna().to_numpy()).all()


def test_unclosed_rings_are_closed_in_every_text_form():
    raw = pd.DataFrame({
        "id_lahan": ["wkt", "corners"],
        "WKT": [f"POLYGON (({X:.6f} {Y:.6f}, {X + S:.6f} {Y:.6f}, {X + S:.6f} {Y + S:.6f}))",
                f"{Y:.6f}, {X:.6f}; {Y:.6f}, {X + S:.6f}; {Y + S:.6f}, {X + S:.6f}"],
    })
    plots = lg.read_plots(raw)
    assert plots["input_problem"].isna().all(), plots["input_problem"].tolist()
    for geom in plots.geometry:
        assert geom.geom_type == "Polygon" and geom.is_valid and geom.area > 0


# --------------------------------------------------------------------------------------
# Points exactly on a boundary
# --------------------------------------------------------------------------------------

WEST = Polygon([(112.4, -2.6), (112.5, -2.6), (112.5, -2.5), (112.5, -2.4), (112.4, -2.4)])
EAST = Polygon([(112.5, -2.6), (112.6, -2.6), (112.6, -2.4), (112.5, -2.4), (112.5, -2.5)])
CODES = {"HK": 1002, "HL": 1001, "HP": 1003, "HPK": 1005, "APL": 1007, None: 0}


def _pair(west: str | None, east: str | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSIKWS": [CODES[west], CODES[east]]}, geometry=[WEST, EAST], crs=4326))
    zoning = lg.read_zoning(gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Permukiman Perdesaan"]}, geometry=[box(112.3, -2.7, 112.7, -2.3)],
        crs=4326))
    return forest, zoning


# K3: every allowed zone also says which KKPR route applies (no RDTR layer given here).
@pytest.mark.parametrize(("west", "east", "function", "status", "rules"), [
    ("APL", "HL", "HL", "needs_clearance", ["F2", "B1", "Z4", "K3"]),
    ("HL", "APL", "HL", "needs_clearance", ["F2", "B1", "Z4", "K3"]),
    ("HK", "APL", "HK", "not_permitted", ["F1", "B1", "Z4", "K3"]),
    (None, "APL", "APL", "verify", ["F6", "F7", "B1", "Z4", "K3"]),
    ("HL", "HP", "HL", "needs_clearance", ["F2", "F3", "Z4", "K3"]),  # not decisive: no B1
])
def test_a_point_on_a_shared_corner_lies_on_both_sides(west, east, function, status, rules):
    """Documented: a point on the boundary intersects both polygons, the most restrictive
    function is reported, and B1 fires where the sides differ (distance 0 <= tolerance)."""
    forest, zoning = _pair(west, east)
    plots = lg.read_plots(pd.DataFrame({"id": ["on"], "lintang": ["-2.500000"],
                                        "bujur": ["112.500000"]}))
    row = lg.screen(plots, forest=forest, zoning=zoning).iloc[0]
    assert (row["forest_function"], row["status"], row["rules"]) == (function, status, rules)
    if "B1" in rules:
        assert row["boundary_distance_m"] == 0.0


def test_a_point_on_a_shared_edge_in_metres_intersects_both_sides():
    layer = gpd.GeoDataFrame({"f": ["HL", "APL"]}, geometry=[
        box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)])
    points = gpd.GeoSeries([Point(1000, 500), Point(1000, 0), Point(999.999, 500)])
    ov = overlay_layer(points, layer, "f", outcome=lambda v: v, tolerance_m=np.full(3, 20.0))
    assert [ov.values(m) for m in ov.core_mask] == [("APL", "HL"), ("APL", "HL"), ("HL",)]
    assert ov.distance_m[:2].tolist() == [0.0, 0.0]


def test_a_point_on_a_layer_edge_away_from_vertices_is_deterministic_and_never_clear():
    """Between vertices, reprojection moves an edge by centimetres, so such a point may
    fall on either side; it must do so the same way every run, with B1 (verify)."""
    forest, zoning = _pair("HL", "APL")
    lats = [f"{-2.5 - d:.6f}" for d in np.linspace(0.001, 0.099, 25)]
    raw = pd.DataFrame({"id": [f"e{i}" for i in range(25)], "lintang": lats,
                        "bujur": ["112.500000"] * 25})
    first = lg.screen(lg.read_plots(raw), forest=forest, zoning=zoning)
    again = lg.screen(lg.read_plots(raw), forest=forest, zoning=zoning)
    assert first.drop(columns="geometry").equals(again.drop(columns="geometry"))
    assert (first["boundary_distance_m"] < 1.0).all()
    assert first["rules"].map(lambda r: "B1" in r).all()
    assert set(first["status"]) <= {"verify", "needs_clearance"}
    assert set(first["forest_function"]) <= {"HL", "APL"}


# --------------------------------------------------------------------------------------
# Layers: no CRS, another CRS, empty, partial, hostile files and values
# --------------------------------------------------------------------------------------


def _plots_utm(points: dict[str, Point]) -> gpd.GeoDataFrame:
    return lg.read_plots(gpd.GeoDataFrame({"id_lahan": list(points)},
                                          geometry=list(points.values()), crs=UTM49S))


PLOTS = {"hl": Point(X0 + 15_000, Y0 + 5_000), "apl": Point(X0 + 57_000, Y0 + 1_000),
         "beyond": Point(X0 + 95_000, Y0 + 5_000)}


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3857", "EPSG:4755", "EPSG:23879",
                                 "EPSG:32750"])
def test_a_layer_in_another_crs_gives_the_same_answers(crs, forest, zoning):
    expected = lg.screen(_plots_utm(PLOTS), forest=forest, zoning=zoning)
    other = lg.screen(_plots_utm(PLOTS), forest=lg.read_forest_area(raw_forest().to_crs(crs)),
                      zoning=lg.read_zoning(raw_zoning().to_crs(crs)))
    cols = ["plot_id", "status", "forest_function", "zone_class", "rules"]
    assert other[cols].equals(expected[cols])
    assert other["status"].tolist() == ["needs_clearance", "clear", "verify"]
    # The fixture's 10 km edges were drawn straight in UTM and stored in EPSG:4326; read
    # as lon/lat straight lines (densified before projection) they bow by ~0.3 m.
    np.testing.assert_allclose(other["boundary_distance_m"], expected["boundary_distance_m"],
                               atol=0.5)


def test_a_layer_file_without_crs_is_refused_with_the_fix(tmp_path):
    raw_forest().to_file(tmp_path / "kawasan.shp")
    (tmp_path / "kawasan.prj").unlink()
    with pytest.raises(lg.CRSError) as info:
        lg.read_forest_area(tmp_path / "kawasan.shp")
    assert "has no CRS" in assert_clean_error(info, "kawasan.shp")
    assert lg.read_forest_area(tmp_path / "kawasan.shp", crs="EPSG:4326").crs.to_epsg() == 4326


def test_an_empty_layer_and_a_partial_layer_never_clear_an_uncovered_plot(zoning):
    empty = lg.read_forest_area(raw_forest().iloc[:0])
    partial = lg.read_forest_area(raw_forest().iloc[5:6])  # only the first APL block
    straddling = box(X0 + 69_950, Y0 + 1_000, X0 + 70_050, Y0 + 1_100)  # APL | code 0
    edge = box(X0 + 50_000 - 60, Y0 + 1_000, X0 + 50_000 + 40, Y0 + 1_100)  # in the band
    leaving = box(X0 + 50_000 - 400, Y0 + 1_000, X0 + 50_000 + 100, Y0 + 1_100)
    plots = _plots_utm({"apl": PLOTS["apl"], "straddle": straddling, "edge": edge,
                        "leave": leaving})
    with_empty = lg.screen(plots, forest=empty, zoning=zoning)
    assert with_empty["status"].tolist() == ["verify"] * 4
    assert with_empty["rules"].map(lambda r: "F7" in r).all()
    with_partial = lg.screen(plots, forest=partial, zoning=zoning).set_index("plot_id")
    assert with_partial["status"].to_dict() == {
        "apl": "clear", "straddle": "verify", "edge": "verify", "leave": "verify"}
    assert "F7" in with_partial.loc["leave", "rules"]  # off the map beyond the tolerance
    assert "B1" in with_partial.loc["edge", "rules"]  # off the map only within it


@pytest.mark.parametrize(("name", "content", "pattern"), [
    ("table.csv", b"FUNGSIKWS,x\n1001,1\n", r"reads vector files only as \.gpkg, .* not \.csv"),
    ("empty.gpkg", b"", r"is empty\. Fix"),
    ("page.gpkg", b"<!DOCTYPE html><html><body>Login</body></html>",
     r"named \.gpkg but holds an HTML page"),
    ("text.geojson", b"FUNGSIKWS,x\n1001,1\n", r"named \.geojson but holds text"),
    ("garbage.shp", bytes(range(256)) * 40, r"holds binary data of no known format"),
])
@pytest.mark.parametrize("reader", [lg.read_forest_area, lg.read_zoning])
def test_hostile_layer_files_are_layer_errors_naming_the_file(tmp_path, name, content, pattern,
                                                              reader):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(lg.LayerError, match=pattern) as info:
        reader(path)
    assert_clean_error(info, name)


def test_a_cut_geopackage_layer_and_a_folder_are_named(tmp_path):
    raw_forest().to_file(tmp_path / "kawasan.gpkg")
    data = (tmp_path / "kawasan.gpkg").read_bytes()
    (tmp_path / "half.gpkg").write_bytes(data[: len(data) // 2])
    with pytest.raises(lg.LayerError, match=r"GeoPackage .* cut short or damaged") as info:
        lg.read_forest_area(tmp_path / "half.gpkg")
    assert "sqlite3_prepare" not in assert_clean_error(info, "half.gpkg")
    with pytest.raises(lg.LayerError, match="is a folder") as info:
        lg.read_forest_area(tmp_path)
    assert_clean_error(info, str(tmp_path))


def test_hostile_function_codes_are_unknown_never_a_crash():
    codes = [float("inf"), float("-inf"), float("nan"), 1e300, -1.0, 1001.5, "abc", "=1+1",
             None, "", "  100100.0 ", "Hutan Lindung"]
    raw = gpd.GeoDataFrame({"FUNGSIKWS": pd.Series(codes, dtype=object)},
                           geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))], crs=4326)
    forest = lg.read_forest_area(raw)
    assert forest["forest_function"].tolist() == [None] * 10 + ["HL", "HL"]
    assert forest.attrs["lahan_geo"]["unknown_features"] == 10


def test_layer_with_only_points_and_lines_screens_as_unmapped(zoning):
    raw = gpd.GeoDataFrame({"FUNGSIKWS": [1001, 1001]},
                           geometry=[Point(X0 + 57_000, Y0 + 1_000),
                                     LineString([(X0, Y0), (X0 + 90_000, Y0 + 9_000)])],
                           crs=UTM49S)
    forest = lg.read_forest_area(raw)
    assert forest["geometry_repair"].iloc[0] == (
        "Point has no area: feature left out of the screening")
    row = lg.screen(_plots_utm({"apl": PLOTS["apl"]}), forest=forest, zoning=zoning).iloc[0]
    assert row["status"] == "verify" and "F7" in row["rules"]


@pytest.mark.parametrize("setback", [
    {"setback_m": float("inf")},
    {"setback_column": "lebar"},
    {"class_column": "kelas", "setbacks": {"besar": float("inf")}},
])
def test_an_infinite_setback_is_a_layer_error_not_a_geos_crash(setback):
    river = gpd.GeoDataFrame({"lebar": [float("inf")], "kelas": ["kecil"]},
                             geometry=[LineString([(112.30, -2.6), (112.32, -2.4)])], crs=4326)
    with pytest.raises(lg.LayerError, match="has an infinite setback") as info:
        lg.read_constraint(river, rule="X4", **setback)
    assert_clean_error(info, "river or coastal setback")


def test_a_layer_with_too_many_categories_is_refused_naming_its_column():
    from lahan_geo.errors import LayerError

    layer = gpd.GeoDataFrame({"NAMOBJ": [f"zone {i}" for i in range(70)]},
                             geometry=[box(i, 0, i + 1, 1) for i in range(70)])
    points = gpd.GeoSeries(shapely.points([[0.5, 0.5]]))
    with pytest.raises(LayerError, match=r"column 'NAMOBJ' has 71 categories.*Fix"):
        overlay_layer(points, layer, "NAMOBJ", outcome=lambda v: v, tolerance_m=np.zeros(1))
