"""GDAL on untrusted files: only the driver the content earns, no indirection, no network.

Each case is an audit finding: an OGR VRT saved as a plot file or layer made GDAL read a
local file (its rows came out as plots, or its text in an error message) or fetch a URL;
a GeoJSON ``crs`` link was fetched. Every such file must now end in a one-line error
naming the file, with none of the referenced content in it and no request made.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import lahan_geo as lg
from lahan_geo.io.gdal_files import open_vector
from test_hostile_files import assert_clean_error

SECRET = "RAHASIA-7f3a"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Callable[[], list[str]]]]:
    """A web server on this machine, in its own process, serving plot files.

    Yields its URL and a function returning the requests it has received.
    """
    root = tmp_path / "web"
    root.mkdir()
    feature = (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
               b'{"id_lahan":"' + SECRET.encode() + b'","fungsikws":"HL"},"geometry":'
               b'{"type":"Polygon","coordinates":[[[112,-3],[113,-3],[113,-2],[112,-3]]]}}]}')
    for name in ("plots.geojson", "hutan.geojson", "desa.geojson", "crs.wkt"):
        (root / name).write_bytes(feature)
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory",
         str(root)], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        port = process.stdout.readline().split(" port ")[1].split()[0]  # "Serving HTTP on ..."

        def requests() -> list[str]:
            log.flush()
            return [line for line in (tmp_path / "web.log").read_text().splitlines()
                    if "GET " in line]

        yield f"http://127.0.0.1:{port}", requests
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, Path]:
    """Local files a VRT may point at: a valid plot list and a valid polygon layer."""
    plots = tmp_path / "private" / "plots.csv"
    plots.parent.mkdir()
    plots.write_text(f"id_lahan,lintang,bujur\n{SECRET},-2.5,112.3\n")
    layer = tmp_path / "private" / "hutan.geojson"
    gpd.GeoDataFrame({"fungsikws": [SECRET]}, geometry=[shapely.box(112, -3, 113, -2)],
                     crs=4326).to_file(layer)
    return {"plots": plots, "layer": layer}


def _vrt(source: str, layer: str) -> str:
    return (f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>{source}</SrcDataSource>"
            f"<SrcLayer>{layer}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>")


def _save(vrt: str, folder: Path, name: str) -> Path:
    """Write the VRT as ``name``; a ``.zip`` holds it as a Shapefile with dummy sidecars."""
    path = folder / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("plots.shp", vrt)
            zf.writestr("plots.shx", b"\0" * 100)
            zf.writestr("plots.dbf", b"\0" * 100)
    else:
        path.write_text(vrt)
    return path


NAMES = ["plots.geojson", "plots.json", "plots.gpkg", "plots.shp", "plots.fgb", "plots.zip"]


def _assert_refused(info: pytest.ExceptionInfo, name: str) -> str:
    text = assert_clean_error(info, name)
    assert "\n" not in text and SECRET not in text and "root:" not in text
    return text


@pytest.mark.parametrize("name", NAMES)
def test_a_vrt_plot_list_pointing_at_a_local_file_is_refused(tmp_path, secrets, name):
    path = _save(_vrt(f"CSV:{secrets['plots']}", "plots"), tmp_path, name)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "an XML document" in _assert_refused(info, name)


@pytest.mark.parametrize("name", NAMES)
def test_a_vrt_plot_list_pointing_at_a_url_is_refused_without_a_request(tmp_path, server, name):
    url, requests = server
    path = _save(_vrt(f"{url}/plots.geojson", "plots"), tmp_path, name)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    _assert_refused(info, name)
    assert requests() == []


def test_a_vrt_of_etc_passwd_never_reaches_a_message(tmp_path):
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd on this system")
    path = _save(_vrt("CSV:/etc/passwd", "passwd"), tmp_path, "plots.geojson")
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = _assert_refused(info, "plots.geojson")
    assert "nologin" not in text and "/bin/" not in text


LAYER_READERS = {
    "forest": lambda p: lg.read_forest_area(p),
    "zoning": lambda p: lg.read_zoning(p),
    "constraint": lambda p: lg.read_constraint(p, rule="X1"),
}


@pytest.mark.parametrize("reader", list(LAYER_READERS))
@pytest.mark.parametrize("name", ["hutan.geojson", "hutan.json", "hutan.gpkg", "hutan.shp"])
def test_a_vrt_layer_pointing_at_a_local_file_is_a_layer_error(tmp_path, secrets, reader, name):
    path = _save(_vrt(str(secrets["layer"]), "hutan"), tmp_path, name)
    with pytest.raises(lg.LayerError) as info:
        LAYER_READERS[reader](path)
    assert "an XML document" in _assert_refused(info, name)


@pytest.mark.parametrize("reader", list(LAYER_READERS))
def test_a_vrt_layer_pointing_at_a_url_makes_no_request(tmp_path, server, reader):
    url, requests = server
    path = _save(_vrt(f"{url}/hutan.geojson", "hutan"), tmp_path, "hutan.gpkg")
    with pytest.raises(lg.LayerError) as info:
        LAYER_READERS[reader](path)
    _assert_refused(info, "hutan.gpkg")
    assert requests() == []


def _plots() -> pd.DataFrame:
    return pd.DataFrame({"id_lahan": ["A"], "lintang": ["-2.5"], "bujur": ["112.3"]})


def test_a_vrt_within_boundary_is_refused(tmp_path, secrets, server):
    url, requests = server
    path = _save(_vrt(f"{url}/desa.geojson", "desa"), tmp_path, "desa.geojson")
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(_plots(), within=path)
    _assert_refused(info, "desa.geojson")
    assert requests() == []


def test_a_vrt_compare_with_is_refused(tmp_path, secrets):
    path = _save(_vrt(f"CSV:{secrets['plots']}", "plots"), tmp_path, "lama.geojson")
    with pytest.raises(lg.InputError) as info:
        lg.compare(path, path)
    assert "holds an XML document" in _assert_refused(info, "lama.geojson")


def test_a_vrt_review_list_is_refused(tmp_path, secrets):
    result = gpd.GeoDataFrame({"plot_id": ["A"], "status": ["clear"]},
                              geometry=[shapely.Point(112.3, -2.5)], crs=4326)
    path = _save(_vrt(f"CSV:{secrets['plots']}", "plots"), tmp_path, "review.csv")
    with pytest.raises(lg.InputError) as info:
        lg.apply_review(result, path)
    assert "holds an XML document" in _assert_refused(info, "review.csv")


CRS_LINKS = {
    "link": '{"type": "link", "properties": {"href": "URL/crs.wkt", "type": "ogcwkt"}}',
    "url_upper": '{"TYPE": "URL", "properties": {"url": "URL/crs.wkt"}}',
    "escaped": '{"type": "\\u006cink", "properties": {"href": "URL/crs.wkt"}}',
}


@pytest.mark.parametrize("case", list(CRS_LINKS))
def test_a_geojson_crs_link_is_never_fetched(tmp_path, server, case):
    url, requests = server
    crs = CRS_LINKS[case].replace("URL", url)
    key = '"\\u0063rs"' if case == "escaped" else '"crs"'
    path = tmp_path / "plots.geojson"
    path.write_text('{"type": "FeatureCollection", ' + key + ": " + crs + ', "features": ['
                    '{"type": "Feature", "properties": {"id_lahan": "A"}, "geometry": '
                    '{"type": "Point", "coordinates": [112.3, -2.5]}}]}')
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "gives its CRS as a web link" in _assert_refused(info, "plots.geojson")
    with pytest.raises(lg.LayerError):
        lg.read_forest_area(path)
    assert requests() == []


def test_a_geojson_crs_by_name_and_a_crs_property_still_read(tmp_path):
    path = tmp_path / "plots.geojson"
    path.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                    '{"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": [{"type": '
                    '"Feature", "properties": {"id_lahan": "A", "crs": "EPSG:4326"}, '
                    '"geometry": {"type": "Point", "coordinates": [112.3, -2.5]}}]}')
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A"] and plots["input_problem"].iloc[0] is None


@pytest.mark.parametrize(("name", "driver", "prefix"), [
    ("p.geojson", "GeoJSON", "GeoJSON:"), ("p.gpkg", "GPKG", 'GPKG:"'),
    ("p.shp", "ESRI Shapefile", ""), ("p.fgb", "FlatGeobuf", ""),
])
def test_each_format_is_opened_by_its_own_driver_only(tmp_path, name, driver, prefix):
    gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(112.3, -2.5)],
                     crs=4326).to_file(tmp_path / name)
    source = open_vector(tmp_path / name)
    assert source.driver == driver and source.gdal_path.startswith(prefix)
    assert source.frame()["id"].tolist() == ["A"]


def test_a_path_gdal_would_rewrite_is_refused(tmp_path):
    folder = tmp_path / "a!b"
    folder.mkdir()
    source = tmp_path / "p.fgb"
    gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(112.3, -2.5)],
                     crs=4326).to_file(source)
    (folder / "p.fgb").write_bytes(source.read_bytes())
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(folder / "p.fgb")
    assert "rename the file or folder" in assert_clean_error(info, "p.fgb")


def test_a_folder_is_never_given_to_gdal(tmp_path):
    folder = tmp_path / "layer.gpkg"
    folder.mkdir()
    with pytest.raises(lg.LayerError, match="is a folder"):
        lg.read_forest_area(folder)
    with pytest.raises(lg.InputError, match="not a file"):
        open_vector(folder)


def test_a_crs_link_on_one_geometry_is_never_fetched(tmp_path, server):
    url, requests = server
    path = tmp_path / "plots.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"id_lahan": "A"}, "geometry": {"type": "Point", '
                    '"coordinates": [112.3, -2.5], "crs": {"type": "link", "properties": '
                    '{"href": "' + url + '/crs.wkt"}}}}]}')
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "gives its CRS as a web link" in _assert_refused(info, "plots.geojson")
    assert requests() == []
