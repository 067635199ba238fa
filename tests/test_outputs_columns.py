"""The writers handle whole columns at once (#14): same values and bytes as cell by cell.

Each test compares a writer's column-wise path with the plain per-value definition it
replaced (``plain`` per cell, ``json.dumps`` of ``mapping`` per geometry and of each
feature dict, the formula check per cell), on values chosen to hit every fast path and
its way out: texts with quotes, ``%`` and control characters, lists with empty or
missing items, Arrow and Python text columns with missing values, every geometry kind.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    mapping,
)

from _result_factory import make_result
from lahan_geo.outputs import to_csv, to_geojson
from lahan_geo.outputs._tabular import flat_columns, flatten, plain, round_geometries
from lahan_geo.outputs.files import geojson_geometries, typed_rows

HOLED = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 1)]])
GEOMETRIES = [
    Point(112.55, -3.38),
    HOLED,
    MultiPolygon([HOLED, Polygon([(10, 10), (11, 10), (11, 11)])]),
    None,
    MultiPoint([(1e-07, 2.5), (-0.0, 1e16)]),
    LineString([(0.1, 0.2), (0.3, 0.4), (0.5, 0.6)]),
    Point(1.0, 2.0, 3.0),
    GeometryCollection([Point(0, 0), LineString([(0, 0), (1, 1)])]),
    Point(),
]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)


def test_geojson_geometries_are_json_dumps_of_mapping() -> None:
    expected = ["null" if g is None else _dumps(mapping(g)) for g in GEOMETRIES]
    assert geojson_geometries(GEOMETRIES) == expected
    # one kind at a time too (a batch of polygons only, of points only)
    assert geojson_geometries(GEOMETRIES[1:3]) == expected[1:3]
    assert geojson_geometries([Point(i / 3, -i / 7) for i in range(50)]) == [
        _dumps(mapping(Point(i / 3, -i / 7))) for i in range(50)]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_geojson_geometries_refuse_nan_coordinates_as_json_does() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        geojson_geometries([LineString([(0, 0), (np.nan, 1)])])


def _hostile_result() -> pd.DataFrame:
    result = make_result()
    result["catatan"] = ['kata "kutip"', "garis\nbaru", "\x07 bel \\ miring", "%s dan %(x)s",
                         None, "emoji 🌳 é"]
    result['kolom "aneh" 100%'] = ["a", "b", "%", "%%", "", " "]
    result["besar"] = [2**53 + 1, -1, 0, 7, 8, 9]
    result["kecil"] = [1e-07, 1e16, -0.0, np.nan, np.inf, 0.1 + 0.2]
    result["ya"] = [True, False, True, True, False, True]
    result["luas_teks"] = ["1000", "1200", "", "950", None, "2000"]
    result["campur"] = pd.Series(["x", 1, 2.5, None, True, ["a", "b"]], dtype=object)
    result["geometry"] = [GEOMETRIES[i] for i in (0, 1, 2, 3, 4, 5)]
    return result


def test_geojson_is_json_dumps_of_each_feature(tmp_path) -> None:
    result = _hostile_result()
    text = to_geojson(result, tmp_path / "h.geojson").read_text(encoding="utf-8")
    rows = typed_rows(result, flatten(result))
    geoms = round_geometries(result.geometry)
    features = [
        _dumps({"type": "Feature", "properties": {str(k): v for k, v in row.items()},
                "geometry": None if g is None else mapping(g)})
        for (_, row), g in zip(rows.iterrows(), geoms, strict=True)
    ]
    assert text.split('"features": [\n', 1)[1] == ",\n".join(features) + "\n]}\n"
    data = json.loads(text)
    assert data["features"][3]["properties"]["catatan"] == "%s dan %(x)s"
    assert data["features"][0]["properties"]['kolom "aneh" 100%'] == "a"
    assert data["features"][0]["properties"]["besar"] == 2**53 + 1
    assert data["features"][4]["properties"]["kecil"] is None  # inf -> null


def test_flatten_is_plain_of_every_value() -> None:
    frame = pd.DataFrame({
        "lists": pd.Series([["F2", "Z4"], [], ["", "Z4"], ["F1", None, 3], ("A", "B"), None,
                            np.array(["x", "y"]), np.nan], dtype=object),
        "texts": pd.Series(["a", None, " ", "", "b", "c", "d", "e"], dtype=object),
        "arrow": pd.array(["a", None, "b", "", "c", "d", "e", "f"], dtype="string[pyarrow]"),
        "python": pd.array(["a", None, "b", "", "c", "d", "e", "f"], dtype="string[python]"),
        "floats": [1.5, np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, 2.0],
        "ints": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        "mixed": pd.Series([np.int64(3), np.float32(1.5), True, "x", None, np.nan,
                            pd.Timestamp("2026-01-02"), ["a"]], dtype=object),
        "category": pd.Categorical(["a", "b", None, "a", "b", "a", "a", "b"]),
    })
    columns = dict(flat_columns(frame))
    for name in frame.columns:
        expected = [plain(v) for v in frame[name].tolist()]
        assert columns[name] == expected, name
        assert [type(v) for v in columns[name]] == [type(v) for v in expected], name
    assert columns["lists"][:4] == ["F2; Z4", None, "Z4", "F1; 3"]


def _csv_rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_escapes_formulas_wherever_they_stand(tmp_path) -> None:
    result = make_result()
    result["awal"] = ["=1+1", "biasa", None, "b", "c", "d"]  # first row
    result["akhir"] = ["a", None, "b", "c", "d", "@SUM(A1)"]  # last row
    result["tersembunyi"] = ["a\n=b", "\tTAB", "\t", "-5 m", "+62", "aman"]
    result["cr"] = ["\rCR", "a", "b", "c", "d", "e"]  # a CR is written as a quoted newline
    result["angka_dan_teks"] = pd.Series([1, "=2", 3.5, None, "x", "-"], dtype=object)
    result["daftar"] = pd.Series([["=HYPERLINK(1)", "b"], [], ["a"], None, ["+1"], ["c"]],
                                 dtype=object)
    result["=nama"] = ["a", "b", "c", "d", "e", "f"]  # a header like a formula
    starts = "=+-@\t"
    for i, start in enumerate(starts):  # each start alone in a column of text, on row i
        result[f"mulai_{i}"] = [start + "x" if row == i else "teks" for row in range(6)]
    path = to_csv(result, tmp_path / "h.csv")
    assert b',"\'\nCR",' in path.read_bytes()
    result = result.drop(columns="cr")
    path = to_csv(result, tmp_path / "h.csv")
    rows = _csv_rows(path)
    for i, start in enumerate(starts):
        assert [r[f"mulai_{i}"] for r in rows][i:i + 2] == ["'" + start + "x", "teks"]
    assert [r["awal"] for r in rows][:2] == ["'=1+1", "biasa"]
    assert rows[5]["akhir"] == "'@SUM(A1)"
    assert [r["tersembunyi"] for r in rows] == [
        "a\n=b", "'\tTAB", "'\t", "'-5 m", "'+62", "aman"]
    assert [r["angka_dan_teks"] for r in rows] == ["1", "'=2", "3.5", "", "x", "'-"]
    assert [r["daftar"] for r in rows][:5] == ["'=HYPERLINK(1); b", "", "a", "", "'+1"]
    assert "'=nama" in rows[0] and "=nama" not in rows[0]
    unescaped = _csv_rows(to_csv(result, tmp_path / "mentah.csv", escape_formulas=False))
    assert [r["tersembunyi"] for r in unescaped][1:3] == ["\tTAB", "\t"]
    assert to_csv(result, tmp_path / "lagi.csv").read_bytes() == path.read_bytes()


def test_typed_values_treat_blank_text_as_missing(tmp_path) -> None:
    result = make_result()
    result["luas_teks"] = ["1000", "  ", "", "950", None, "2000"]  # blank and numbers
    result["hanya_kosong"] = ["", " ", None, "", "", ""]  # text of spaces only
    result["nomor"] = pd.Series([1, 2, "", 4, None, 6], dtype=object)
    rows = typed_rows(result, flatten(result))
    assert rows["luas_teks"].tolist() == [1000, None, None, 950, None, 2000]
    assert rows["hanya_kosong"].tolist() == ["", " ", None, "", "", ""]  # stays text
    assert rows["nomor"].tolist() == [1, 2, None, 4, None, 6]
    assert [type(v) for v in rows["nomor"].tolist() if v is not None] == [int] * 4


def test_workbook_repeated_and_long_texts_round_trip(tmp_path) -> None:
    """Texts repeated on many rows (cached once) and texts too long for the cache."""
    import zipfile

    from openpyxl import load_workbook

    from lahan_geo.outputs import to_excel

    long_text = "kata & <tanda> " * 200  # 3,000 characters: past the cache
    texts = ["  spasi  ", "_x0041_ tetap", "a & <b>", long_text, "biasa", None]
    result = make_result()
    result = pd.concat([result] * 3, ignore_index=True)
    result["plot_id"] = [f"P{i}" for i in range(len(result))]
    result["keterangan"] = texts * 3
    path = to_excel(result, tmp_path / "h.xlsx")
    ws = load_workbook(path)["Lahan"]
    col = {cell.value: cell.column for cell in ws[1]}["keterangan"]
    read = ["_x005F_x0041_ tetap" if t == "_x0041_ tetap" else t for t in texts]  # openpyxl
    assert [ws.cell(row=r, column=col).value for r in range(2, 20)] == read * 3
    heights = [ws.row_dimensions[r].height for r in range(2, 20)]
    assert heights[3] == heights[9] == heights[15] and heights[3] > 100  # the long text
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").decode().count(
            "_x005F_x0041_ tetap") == 3
    assert to_excel(result, tmp_path / "lagi.xlsx").read_bytes() == path.read_bytes()


def test_geopackage_extra_layer_keeps_inside_features_and_cuts_edge_ones(tmp_path) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    from _result_factory import LAT0, LON0
    from lahan_geo.outputs import to_geopackage

    inside = Polygon([(LON0, LAT0), (LON0 + 0.002, LAT0), (LON0 + 0.001, LAT0 + 0.002)])
    big = Polygon([(LON0 - 1, LAT0 - 1), (LON0 + 1, LAT0 - 1), (LON0 + 1, LAT0 + 1),
                   (LON0 - 1, LAT0 + 1)])
    bowtie = Polygon([(LON0 - 1, LAT0 - 1), (LON0 + 1, LAT0 + 1), (LON0 + 1, LAT0 - 1),
                      (LON0 - 1, LAT0 + 1)])  # invalid, crossing the window's edge
    far = Polygon([(LON0 + 5, LAT0), (LON0 + 5.1, LAT0), (LON0 + 5.1, LAT0 + 0.1)])
    layer = gpd.GeoDataFrame({"nama": ["dalam", "besar", "dasi", "jauh"]},
                             geometry=[inside, big, bowtie, far], crs="EPSG:4326")
    path = to_geopackage(make_result(), tmp_path / "h.gpkg", layers={"acuan": layer})
    back = pyogrio.read_dataframe(path, layer="acuan")
    assert back["nama"].tolist() == ["dalam", "besar", "dasi"]
    assert np.array_equal(shapely.get_coordinates(back.geometry[0]),  # as given: the same
                          shapely.get_coordinates(inside))  # vertices in the same order
    for geom, whole in zip(back.geometry[1:], (big, bowtie), strict=True):
        assert geom.is_valid and 0 < geom.area < shapely.make_valid(whole).area / 100
