"""The synthetic sample data in sample_data/ is complete, consistent and reproducible.

These tests read the files with geopandas/pandas only (no lahan_geo import): they check the
schemas the library has to cope with and recompute, with shapely, every intended fact listed
in ``expected_outcomes.csv``.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
GENERATOR = SAMPLE / "make_sample_data.py"
GENERATED = (
    "seruyan_desa.gpkg",
    "kawasan_hutan.gpkg",
    "pola_ruang.gpkg",
    "rdtr_terintegrasi.gpkg",
    "seruyan_plots.csv",
    "seruyan_bidang.geojson",
    "expected_outcomes.csv",
)
PLOT_HEADERS = ["no", "id_lahan", "nama_koperasi", "desa", "kecamatan", "lintang", "bujur",
                "luas_m2", "status_lahan", "keterangan"]
EXPECTED_HEADERS = ["id_lahan", "intended_forest_function", "intended_zone_namobj",
                    "intended_land_title_class", "intended_situation", "intended_status",
                    "forest_boundary_distance_m"]
FUNCTIONS = {100100.0: "HL", 100200.0: "HK", 100300.0: "HP", 100400.0: "HPT",
             100500.0: "HPK", 100700.0: "APL", 0.0: "unknown"}
FOREST_COLUMNS = ["FUNGSIKWS", "NOSKKWS", "TGLSKKWS", "KODE_PROV", "deskripsi", "geometry"]
ZONING_COLUMNS = ["NAMOBJ", "KODKWS", "WADMKK", "REMARK", "geometry"]
NAMOBJ = {
    "Kawasan Permukiman Perdesaan", "Kawasan Permukiman Perkotaan",
    "Kawasan Perdagangan dan Jasa", "Kawasan Peruntukan Pertanian Tanaman Pangan",
    "Kawasan Perkebunan", "Kawasan Hutan Produksi", "Kawasan Hutan Lindung", "Sempadan Sungai",
    "Kawasan Pertanian Pangan Berkelanjutan", "Kawasan Peruntukan Industri",
    "Kawasan Pertambangan", "Ruang Terbuka Hijau", "Badan Air",
    "Kawasan Khusus (belum ditetapkan)",
}
STATUSES = {"clear", "verify", "needs_clearance", "not_permitted", "invalid"}
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32749", always_xy=True)


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def plots() -> pd.DataFrame:
    return read_csv("seruyan_plots.csv")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return read_csv("expected_outcomes.csv")


@pytest.fixture(scope="module")
def forest_raw() -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE / "kawasan_hutan.gpkg", layer="KWSHUTAN_AR_250K")


@pytest.fixture(scope="module")
def forest(forest_raw) -> gpd.GeoDataFrame:
    utm = forest_raw.to_crs(32749)
    utm["geometry"] = utm.geometry.make_valid()
    utm["function"] = utm["FUNGSIKWS"].map(FUNCTIONS)
    return utm


@pytest.fixture(scope="module")
def zoning() -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE / "pola_ruang.gpkg", layer="POLA_RUANG_AR")


@pytest.fixture(scope="module")
def desa() -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE / "seruyan_desa.gpkg", layer="desa")


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE / "seruyan_bidang.geojson")


def test_files_exist_and_stay_small():
    for name in (*GENERATED, "README.md", "make_sample_data.py"):
        assert (SAMPLE / name).is_file(), name
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 2 * 1024 * 1024


def test_readme_says_synthetic():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "2025" in text  # the seed


def test_plot_list_has_the_district_layout(plots):
    first_line = (SAMPLE / "seruyan_plots.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == ",".join(PLOT_HEADERS)
    assert list(plots.columns) == PLOT_HEADERS
    assert len(plots) == 31
    assert plots["id_lahan"].is_unique
    assert plots["no"].tolist() == [str(i) for i in range(1, 32)]
    lat = pd.to_numeric(plots["lintang"], errors="coerce")
    lon = pd.to_numeric(plots["bujur"], errors="coerce")
    usable = lat.notna() & lon.notna()
    assert usable.sum() == 29
    unusable = plots[~usable]
    assert len(unusable) == 2
    assert {(r.lintang, r.bujur) for r in unusable.itertuples()} == {
        ("", ""), ("belum disurvei", "belum disurvei")}
    ok = plots[usable]
    assert (lat[usable] < 0).all()
    for text in (*ok["lintang"], *ok["bujur"]):
        assert re.fullmatch(r"-?\d+\.\d{6}", text), text
    assert not ok.duplicated(["lintang", "bujur"]).any()
    assert ok["desa"].duplicated().any()  # two plots share a village
    assert (plots["status_lahan"] == "").sum() == 1  # the blank land status (T8)


def test_forest_layer_schema(forest_raw):
    assert forest_raw.crs.to_epsg() == 4326
    assert list(forest_raw.columns) == FOREST_COLUMNS
    assert forest_raw["FUNGSIKWS"].dtype.kind == "f"
    assert set(forest_raw["FUNGSIKWS"]) == set(FUNCTIONS)
    assert (~forest_raw.geometry.is_valid).sum() == 1
    unknown = forest_raw[forest_raw["FUNGSIKWS"] == 0.0]
    assert len(unknown) >= 1
    assert (unknown["deskripsi"] == "Tidak Terdefinisi").all()
    assert (forest_raw["KODE_PROV"] == 62).all()
    assert (forest_raw.groupby("FUNGSIKWS").size().drop(0.0) >= 2).all()  # several each


def test_invalid_polygon_repairs_without_losing_area(forest_raw):
    bad = forest_raw[~forest_raw.geometry.is_valid].to_crs(32749).geometry.iloc[0]
    fixed = shapely.make_valid(bad)
    assert abs(fixed.area - bad.area) / bad.area < 1e-6


def test_forest_layer_tiles_the_district(forest, desa):
    district = shapely.union_all(desa.to_crs(32749).geometry.values)
    cover = shapely.union_all(forest.geometry.values)
    assert shapely.symmetric_difference(district, cover).area < 1.0  # m², no gaps
    assert forest.area.sum() - cover.area < 1.0  # no overlaps
    sliver = forest[forest["function"] == "unknown"].geometry.iloc[0]
    assert 2 * shapely.maximum_inscribed_circle(sliver).length >= 300.0


def test_zoning_layer_schema(zoning, desa):
    assert zoning.crs.to_epsg() == 32749
    assert list(zoning.columns) == ZONING_COLUMNS
    assert set(zoning["NAMOBJ"]) == NAMOBJ
    assert (zoning["WADMKK"] == "Seruyan").all()
    planned = shapely.union_all(zoning.geometry.values)
    district = shapely.union_all(desa.to_crs(32749).geometry.values)
    assert planned.area < 0.9 * district.area  # part of the district has no plan


def test_villages(desa):
    assert desa.crs.to_epsg() == 4326
    assert list(desa.columns) == ["kode", "nama", "kecamatan", "geometry"]
    assert len(desa) == 100 and desa["kecamatan"].nunique() == 10
    assert desa["kode"].str.fullmatch(r"62\.07\.\d{2}\.[12]\d{3}").all()
    assert desa["kode"].is_unique


def test_expected_outcomes_cover_every_status(expected, plots, parcels):
    assert list(expected.columns) == EXPECTED_HEADERS
    assert expected["id_lahan"].tolist() == [*plots["id_lahan"], *parcels["id_lahan"]]
    assert set(expected["intended_status"]) == STATUSES
    invalid = expected[expected["intended_status"] == "invalid"]
    assert len(invalid) == 2
    assert (invalid["intended_forest_function"] == "none").all()
    assert (invalid["forest_boundary_distance_m"] == "").all()
    valid = expected[expected["intended_status"] != "invalid"]
    distance = valid["forest_boundary_distance_m"].astype(float)
    functions = set(valid["intended_forest_function"])
    assert {"HK", "HL", "HP", "HPT", "HPK", "APL", "unknown"} <= functions
    assert (distance[valid["intended_forest_function"] == "HL"] >= 5000).any()
    assert ((distance - 50.0).abs() <= 5.0).any()  # the B1 plot
    titles = expected["intended_land_title_class"]
    assert set(titles) == {"village_certified", "village_uncertified", "regional_asset",
                           "state_asset", "private_deed", "private_no_deed", "disputed",
                           "blank", "unrecognized", "not_given"}
    assert (titles[expected["id_lahan"].str.startswith("SRY-B")] == "not_given").all()
    assert (expected["intended_status"] == "clear").sum() >= 2


def test_parcels_file(parcels):
    assert parcels.crs.to_epsg() == 4326
    assert len(parcels) == 6
    assert set(parcels.columns) == {"id_lahan", "desa", "kecamatan", "keterangan", "geometry"}
    data = json.loads((SAMPLE / "seruyan_bidang.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        for lon, lat in feature["geometry"]["coordinates"][0]:
            assert round(lon, 7) == lon and round(lat, 7) == lat
        assert Polygon(feature["geometry"]["coordinates"][0]).exterior.is_ccw
    areas = parcels.to_crs(32749).area
    assert areas.between(500.0, 3700.0).all()
    assert (areas < 1000.0).sum() >= 1


def _function_edges(forest: gpd.GeoDataFrame):
    """Regions per forest function, without holes thinner than 0.5 m (area / perimeter):
    the sample's one such gap, between two APL polygons, is not a boundary."""
    regions = {f: _without_slivers(shapely.union_all(g.geometry.values))
               for f, g in forest.groupby("function")}
    return regions, shapely.union_all([r.boundary for r in regions.values()])


def _without_slivers(region, half_width_m: float = 0.5):
    return shapely.union_all([
        Polygon(p.exterior, [r for r in p.interiors
                             if Polygon(r).area >= half_width_m * r.length])
        for p in shapely.get_parts(region)])


def test_intended_facts_hold(plots, expected, forest, zoning, desa, parcels):
    regions, edges = _function_edges(forest)
    desa_utm = desa.to_crs(32749)
    intent = expected.set_index("id_lahan")
    for row in plots.itertuples():
        want = intent.loc[row.id_lahan]
        try:
            lon, lat = float(row.bujur), float(row.lintang)
        except ValueError:
            assert want["intended_status"] == "invalid"
            continue
        pt = Point(*TO_UTM.transform(lon, lat))
        fn = forest.loc[forest.contains(pt), "function"].tolist()
        assert fn == [want["intended_forest_function"]], row.id_lahan
        zone = zoning.loc[zoning.contains(pt), "NAMOBJ"].tolist()
        wanted_zone = want["intended_zone_namobj"]
        assert zone == ([wanted_zone] if wanted_zone else []), row.id_lahan
        village = desa_utm[desa_utm.contains(pt)]
        assert village["nama"].tolist() == [row.desa], row.id_lahan
        assert village["kecamatan"].tolist() == [row.kecamatan], row.id_lahan
        distance = float(want["forest_boundary_distance_m"])
        assert abs(pt.distance(edges) - distance) < 0.2, row.id_lahan
    for row in parcels.to_crs(32749).itertuples():
        want = intent.loc[row.id_lahan]
        geom = row.geometry
        share = shapely.intersection(geom, regions[want["intended_forest_function"]]).area
        assert share / geom.area >= 0.3, row.id_lahan
        zone = zoning[zoning["NAMOBJ"] == want["intended_zone_namobj"]]
        assert zone.contains(geom).any(), row.id_lahan
        assert desa_utm.loc[desa_utm.contains(geom), "nama"].tolist() == [row.desa]
        distance = float(want["forest_boundary_distance_m"])
        assert abs(geom.distance(edges) - distance) < 0.2, row.id_lahan


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_is_byte_stable(tmp_path):
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in GENERATED:
        assert _sha256(tmp_path / name) == _sha256(SAMPLE / name), (
            f"{name} differs from a fresh run; if GEOS/GDAL/PROJ changed, regenerate with "
            "`python sample_data/make_sample_data.py` and review the diff")
