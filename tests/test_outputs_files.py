"""GeoJSON, GeoPackage and CSV writers: content, determinism, atomicity, protection."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import wkt

import lahan_geo.outputs.files as files_module
from _result_factory import FORMULA_LIKE, make_forest, make_result, make_zoning
from lahan_geo.errors import CRSError, InputError
from lahan_geo.outputs import to_csv, to_geojson, to_geopackage


def _coordinates(geometry: dict) -> list[float]:
    flat: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, list | tuple):
            for item in value:
                walk(item)
        else:
            flat.append(value)

    walk(geometry["coordinates"])
    return flat


# ---------------------------------------------------------------- GeoJSON


def test_geojson_feature_collection(tmp_path: Path) -> None:
    result = make_result()
    path = to_geojson(result, tmp_path / "hasil.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == len(result)
    ids = [f["properties"]["plot_id"] for f in data["features"]]
    assert ids == result["plot_id"].tolist()
    invalid = data["features"][4]
    assert invalid["properties"]["status"] == "invalid"
    assert invalid["geometry"] is None
    assert invalid["properties"]["forest_overlap_pct"] is None  # NaN -> null
    assert data["features"][1]["properties"]["rules"] == "F2; Z2"
    assert data["features"][0]["properties"]["nama_koperasi"] == FORMULA_LIKE[0]
    assert data["lahan_geo"]["rules_version"] == "2026.11.0"
    assert "NaN" not in path.read_text(encoding="utf-8")


def test_geojson_coordinates_rounded_to_6_decimals(tmp_path: Path) -> None:
    result = make_result()
    result.loc[0, "geometry"] = gpd.points_from_xy([112.123456789], [-3.987654321])[0]
    data = json.loads(to_geojson(result, tmp_path / "h.geojson").read_text(encoding="utf-8"))
    coords = [c for f in data["features"] if f["geometry"] for c in _coordinates(f["geometry"])]
    assert coords[:2] == [112.123457, -3.987654]
    assert all(round(c, 6) == c for c in coords)
    polygon = data["features"][1]["geometry"]
    assert polygon["type"] == "Polygon"
    assert polygon["coordinates"][0][0] == polygon["coordinates"][0][-1]


def test_geojson_is_byte_identical_on_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "hasil.geojson"
    first = to_geojson(make_result(), path).read_bytes()
    second = to_geojson(make_result(), path).read_bytes()
    assert first == second
    assert to_geojson(make_result(), tmp_path / "lain.json").read_bytes() == first


def test_geojson_from_projected_result(tmp_path: Path) -> None:
    projected = make_result().to_crs("EPSG:32749")
    data = json.loads(to_geojson(projected, tmp_path / "h.geojson").read_text(encoding="utf-8"))
    assert data["features"][0]["geometry"]["coordinates"] == [112.55, -3.38]


# ---------------------------------------------------------------- CSV


def test_csv_has_bom_lonlat_and_wkt(tmp_path: Path) -> None:
    result = make_result()
    raw = to_csv(result, tmp_path / "hasil.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(result)
    assert [r["plot_id"] for r in rows] == result["plot_id"].tolist()
    assert list(rows[0])[-3:] == ["lon", "lat", "wkt"]
    assert float(rows[0]["lon"]) == pytest.approx(112.55)
    assert float(rows[0]["lat"]) == pytest.approx(-3.38)
    assert wkt.loads(rows[1]["wkt"]).geom_type == "Polygon"
    assert rows[4]["wkt"] == "" and rows[4]["lon"] == ""
    assert rows[1]["clearances_id"] == (
        "PPKH (Persetujuan Penggunaan Kawasan Hutan); Persetujuan KKPR")
    assert rows[0]["desa"] == "Kuala Pembuang I"


def test_csv_keeps_a_row_whole_when_a_text_holds_a_carriage_return(tmp_path: Path) -> None:
    result = make_result()
    result["desa"] = result["desa"].astype(object)
    result.loc[0, "desa"] = "Kuala\rPembuang"  # a line break typed in Excel on a Mac
    result.loc[1, "desa"] = "Baris\r\ndua"
    raw = to_csv(result, tmp_path / "hasil.csv").read_bytes()
    assert b"\r" not in raw
    with open(tmp_path / "hasil.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(result)
    assert [r["desa"] for r in rows[:2]] == ["Kuala\nPembuang", "Baris\ndua"]


def test_csv_escapes_formula_like_text(tmp_path: Path) -> None:
    text = to_csv(make_result(), tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    names = [r["nama_koperasi"] for r in csv.DictReader(io.StringIO(text))][:4]
    assert names == ["'" + value for value in FORMULA_LIKE]
    plain = to_csv(make_result(), tmp_path / "b.csv", escape_formulas=False)
    names = [r["nama_koperasi"] for r in csv.DictReader(
        io.StringIO(plain.read_text(encoding="utf-8-sig")))][:4]
    assert names == FORMULA_LIKE


# ---------------------------------------------------------------- GeoPackage


def _read_result_layers(path: Path) -> gpd.GeoDataFrame:
    parts = []
    for name in ("lahan_titik", "lahan_bidang", "lahan_tanpa_lokasi"):
        part = gpd.read_file(path, layer=name)
        if not isinstance(part, gpd.GeoDataFrame):
            part = gpd.GeoDataFrame(part, geometry=[None] * len(part), crs="EPSG:4326")
        parts.append(part.assign(layer=name))
    import pandas as pd

    return pd.concat(parts, ignore_index=True).sort_values("result_row", ignore_index=True)


def test_geopackage_layers(tmp_path: Path) -> None:
    result = make_result()
    path = to_geopackage(
        result, tmp_path / "hasil.gpkg",
        layers={"kawasan_hutan": make_forest(), "pola_ruang": make_zoning()},
    )
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers == {"lahan_titik": "Point", "lahan_bidang": "Polygon",
                      "lahan_tanpa_lokasi": None, "kawasan_hutan": "Polygon",
                      "pola_ruang": "Polygon", "layer_styles": None}
    plots = _read_result_layers(path)
    assert plots["result_row"].tolist() == list(range(1, len(result) + 1))
    assert plots["plot_id"].tolist() == result["plot_id"].tolist()  # nothing lost
    assert plots["layer"].tolist() == ["lahan_titik", "lahan_bidang", "lahan_titik",
                                       "lahan_bidang", "lahan_tanpa_lokasi", "lahan_titik"]
    assert gpd.read_file(path, layer="lahan_titik").crs.to_epsg() == 4326
    assert plots.loc[1, "rules"] == "F2; Z2"
    assert plots.loc[0, "nama_koperasi"] == FORMULA_LIKE[0]
    assert plots.loc[4, "status"] == "invalid"
    assert plots.loc[4, "status_label_id"] == "Data tidak valid"
    assert plots.loc[1, "status_label_id"] == "Perlu persetujuan"
    for name in ("lahan_titik", "lahan_bidang", "lahan_tanpa_lokasi"):
        info = pyogrio.read_info(path, layer=name)
        assert json.loads(info["layer_metadata"]["lahan_geo"])["rules_version"] == "2026.11.0"
        fields = list(info["fields"])
        assert fields[:4] == ["result_row", "plot_id", "status", "status_label_id"]

    forest = gpd.read_file(path, layer="kawasan_hutan")
    assert len(forest) == len(make_forest()) - 1  # the far-away polygon is clipped out
    assert forest.crs.to_epsg() == 4326
    layer_bounds, plot_bounds = forest.total_bounds, result.total_bounds
    # clipped to the plots' box + ~2 km (0.018 degree), not the whole layer
    assert (layer_bounds[:2] >= plot_bounds[:2] - 0.03).all()
    assert (layer_bounds[2:] <= plot_bounds[2:] + 0.03).all()
    zoning = gpd.read_file(path, layer="pola_ruang")
    assert len(zoning) == 3 and zoning.crs.to_epsg() == 4326


def _field_types(path: Path, layer: str) -> dict[str, str]:
    """OGR field types as GDAL reports them (the same as ogrinfo)."""
    import sqlite3

    with sqlite3.connect(path) as db:
        return {row[1]: row[2] for row in db.execute(f"PRAGMA table_info('{layer}')")}


def test_geopackage_fields_are_typed(tmp_path: Path) -> None:
    import numpy as np

    result = make_result()
    result["luas_teks"] = ["1000", "1200", "", "950", None, "2000"]  # a plot list's text
    result["kode_desa"] = ["007", "008", "009", "010", "011", "012"]  # leading zeros: text
    result["settled_before_designation"] = [None, True, False, None, None, None]
    result["kosong"] = np.nan
    path = to_geopackage(result, tmp_path / "hasil.gpkg")
    for layer in ("lahan_titik", "lahan_bidang", "lahan_tanpa_lokasi"):
        types = _field_types(path, layer)
        assert types["result_row"] == "INTEGER"
        for name in ("accuracy_m", "area_m2", "luas_m2", "boundary_distance_m", "kosong"):
            assert types[name] in ("REAL", "DOUBLE"), (layer, name, types[name])
        assert types["luas_teks"] == "INTEGER" and types["source_row"] == "INTEGER"
        assert types["settled_before_designation"] == "BOOLEAN"
        assert types["kode_desa"] == "TEXT" and types["status_label_id"] == "TEXT"
    plots = _read_result_layers(path)
    assert plots["luas_teks"].tolist()[:2] == [1000, 1200]
    assert plots["kode_desa"].tolist()[0] == "007"
    assert plots.loc[1, "settled_before_designation"] is True or bool(
        plots.loc[1, "settled_before_designation"])


def test_geopackage_stores_a_qgis_style_per_geometry_layer(tmp_path: Path) -> None:
    import sqlite3
    import xml.etree.ElementTree as ET

    path = to_geopackage(make_result(), tmp_path / "hasil.gpkg")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML, "
                          "update_time FROM layer_styles ORDER BY id").fetchall()
        contents = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert [r[:3] for r in rows] == [("lahan_titik", "geom", 1), ("lahan_bidang", "geom", 1)]
    assert contents["layer_styles"] == "attributes"
    from lahan_geo.outputs._draw import STATUS_COLOURS  # the maps' palette, one place

    def rgba(hex_colour: str) -> str:
        return ",".join(str(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5)) + ",255"

    colours = {s: rgba(c) for s, c in STATUS_COLOURS.items()} | {"invalid": "158,158,158,255"}
    for (_, _, _, qml, _), symbol in zip(rows, ("SimpleMarker", "SimpleFill"), strict=True):
        root = ET.fromstring(qml)
        renderer = root.find("renderer-v2")
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
        found = {}
        for category in renderer.iter("category"):
            number = category.get("symbol")
            sym = renderer.find(f"symbols/symbol[@name='{number}']")
            assert sym.find("layer").get("class") == symbol
            found[category.get("value")] = sym.find("layer/Option/Option[@name='color']").get(
                "value")
        assert found == colours
        labels = {c.get("value"): c.get("label") for c in renderer.iter("category")}
        assert labels["not_permitted"] == "Tidak diizinkan (pindah lokasi)"


def test_geopackage_is_byte_identical_for_identical_results(tmp_path: Path) -> None:
    layers = {"pola_ruang": make_zoning()}
    first = to_geopackage(make_result(), tmp_path / "a.gpkg", layers=layers).read_bytes()
    second = to_geopackage(make_result(), tmp_path / "b.gpkg", layers=layers).read_bytes()
    assert first == second


def test_geojson_properties_are_typed(tmp_path: Path) -> None:
    result = make_result()
    result["luas_teks"] = ["1000", "1200", "", "950", None, "2000"]
    result["settled_before_designation"] = [None, True, False, None, None, None]
    data = json.loads(to_geojson(result, tmp_path / "h.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in data["features"]]
    assert [p["luas_teks"] for p in props] == [1000, 1200, None, 950, None, 2000]
    assert props[1]["settled_before_designation"] is True
    assert props[0]["accuracy_m"] == 5.0 and props[0]["source_row"] == 2


def test_geopackage_without_valid_plots_writes_empty_extra_layers(tmp_path: Path) -> None:
    result = make_result().iloc[[4]]
    path = to_geopackage(result, tmp_path / "h.gpkg", layers={"kawasan_hutan": make_forest()})
    assert len(pyogrio.read_dataframe(path, layer="lahan_tanpa_lokasi")) == 1
    assert len(gpd.read_file(path, layer="kawasan_hutan")) == 0


def test_geopackage_rejects_bad_layers(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lahan_titik"):
        to_geopackage(make_result(), tmp_path / "h.gpkg", layers={"lahan_titik": make_forest()})
    with pytest.raises(InputError, match="GeoDataFrame"):
        to_geopackage(make_result(), tmp_path / "h.gpkg", layers={"x": [1, 2]})
    with pytest.raises(CRSError):
        to_geopackage(make_result(), tmp_path / "h.gpkg",
                      layers={"x": make_forest().set_crs(None, allow_override=True)})
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- shared behaviour

WRITERS = [(to_geojson, "hasil.geojson"), (to_csv, "hasil.csv"), (to_geopackage, "hasil.gpkg")]


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_refuses_protected_input(tmp_path: Path, writer, name: str) -> None:
    target = tmp_path / name
    target.write_bytes(b"input data")
    with pytest.raises(InputError, match="input"):
        writer(make_result(), str(target), protect=[tmp_path / "x.csv", target])
    assert target.read_bytes() == b"input data"
    # the same file reached through another spelling of the path
    with pytest.raises(InputError):
        writer(make_result(), tmp_path / "sub" / ".." / name, protect=[str(target)])


@pytest.mark.parametrize(("writer", "name"), [
    (to_geojson, "hasil.shp"), (to_csv, "hasil.xlsx"), (to_geopackage, "hasil.geojson"),
])
def test_refuses_wrong_suffix(tmp_path: Path, writer, name: str) -> None:
    with pytest.raises(InputError, match="suffix"):
        writer(make_result(), tmp_path / name)


def test_failure_midway_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_write(df, path, **kwargs):
        Path(path).write_bytes(b"SQLite format 3\x00 partial")
        Path(f"{path}-journal").write_bytes(b"journal")
        raise RuntimeError("GDAL failed")

    monkeypatch.setattr(files_module.pyogrio, "write_dataframe", broken_write)
    with pytest.raises(RuntimeError, match="GDAL failed"):
        to_geopackage(make_result(), tmp_path / "hasil.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_failure_in_csv_keeps_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "hasil.csv"
    target.write_text("previous", encoding="utf-8")

    def broken(self, path, **kwargs):
        Path(path).write_text("plot_id,sta", encoding="utf-8")
        raise OSError("No space left on device")

    monkeypatch.setattr(files_module.pd.DataFrame, "to_csv", broken)
    with pytest.raises(InputError, match="No space left"):
        to_csv(make_result(), target)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["hasil.csv"]


def test_geojson_failure_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_write_bytes(self, data):
        with open(self, "wb") as handle:
            handle.write(data[:10])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken_write_bytes)
    with pytest.raises(InputError, match="disk full"):
        to_geojson(make_result(), tmp_path / "hasil.geojson")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_no_temp_files_left_after_success(tmp_path: Path) -> None:
    to_geojson(make_result(), tmp_path / "a.geojson")
    to_csv(make_result(), tmp_path / "a.csv")
    to_geopackage(make_result(), tmp_path / "a.gpkg", layers={"pola_ruang": make_zoning()})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["a.csv", "a.geojson", "a.gpkg"]
    assert not any(re.search(r"\.tmp", n) for n in names)


def test_geojson_with_nan_in_attrs_and_no_attrs(tmp_path: Path) -> None:
    result = make_result()
    result.attrs["lahan_geo"]["tolerance"]["override_m"] = float("nan")
    data = json.loads(to_geojson(result, tmp_path / "a.geojson").read_text(encoding="utf-8"))
    assert data["lahan_geo"]["tolerance"]["override_m"] is None
    result.attrs = {}
    data = json.loads(to_geojson(result, tmp_path / "b.geojson").read_text(encoding="utf-8"))
    assert "lahan_geo" not in data and len(data["features"]) == len(result)


def test_csv_keeps_a_plot_list_column_named_like_its_own_lon_lat(tmp_path):
    """The CSV adds lon/lat/wkt; a list column of that name is kept, renamed, not overwritten."""
    import pandas as pd

    import lahan_geo as lg

    plots = lg.read_plots(pd.DataFrame({"id": ["A"], "lintang": ["-2.5"], "bujur": ["112.1"],
                                        "wkt": ["catatan lapangan"]}), lat_col="lintang",
                          lon_col="bujur", columns={"geometry": None})
    out = pd.read_csv(lg.to_csv(lg.screen(plots), tmp_path / "h.csv"), dtype=str)
    assert out.columns.tolist().count("wkt") == 1
    assert out.loc[0, "wkt (daftar)"] == "catatan lapangan"
    assert out.loc[0, "wkt"] != "catatan lapangan"  # the geometry column is the CSV's own
