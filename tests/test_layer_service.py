"""Layers straight from an ArcGIS REST service: the same screening as from the file.

A local service on 127.0.0.1 (tests/_arcgis_server.py) serves the sample layers with
the real services' layer descriptions, paging by two features so every fetch pages.
No test contacts any other address: connections elsewhere fail the test.
"""

from __future__ import annotations

import socket

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import lahan_geo as lg
from _arcgis_server import Layer, Service, description_fixture
from lahan_geo.cli import main
from lahan_geo.errors import CacheWarning, LahanGeoWarning, LayerError
from lahan_geo.layers import service as service_module
from lahan_geo.layers.service import fetch_layer
from lahan_geo.limits import override


@pytest.fixture(autouse=True)
def _only_localhost(monkeypatch):
    """Fail any connection to an address other than 127.0.0.1; no waiting between tries."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        assert address[0] == "127.0.0.1", f"a test tried to reach {address[0]}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    monkeypatch.setattr(service_module, "BACKOFF_S", 0.0)
    monkeypatch.setattr(service_module, "TIMEOUT_S", 10.0)


@pytest.fixture()
def service():
    running = Service()
    yield running
    running.close()


@pytest.fixture(scope="module")
def sample(sample_dir):
    plots = lg.read_plots(sample_dir / "seruyan_plots.csv")
    forest = gpd.read_file(sample_dir / "kawasan_hutan.gpkg")
    zoning = gpd.read_file(sample_dir / "pola_ruang.gpkg")
    return plots, forest, zoning


def _kwshutan(**changes):
    desc = description_fixture("kwshutan_ar_250k_072024")
    desc.update(maxRecordCount=2, **changes)
    return desc


def serve_forest(service, raw, n=0, faults=(), **changes):
    layer = Layer(raw, _kwshutan(**changes), date_fields=("TGLSKKWS",), faults=set(faults))
    return service.add(n, layer), layer


def _dates(raw: gpd.GeoDataFrame) -> list[str | None]:
    return [None if pd.isna(v) else v for v in raw["TGLSKKWS"]]


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    """Every column, value for value (geometry included), in the same order."""
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))


def test_served_forest_screens_exactly_as_the_file(service, sample, sample_dir):
    plots, raw, _ = sample
    url, layer = serve_forest(service, raw)
    served = lg.read_forest_area(url)
    from_file = lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg")
    assert served["forest_function"].tolist() == from_file["forest_function"].tolist()
    assert served["forest_decree_date"].tolist() == from_file["forest_decree_date"].tolist()
    _same(lg.screen(plots, forest=served), lg.screen(plots, forest=from_file))
    offsets = [r for r in layer.requests if "resultOffset=" in r]
    assert len(offsets) == 12  # 24 features, 2 per page


def test_served_zoning_in_utm_is_fetched_in_degrees_and_screens_as_the_file(
        service, sample, tmp_path):
    plots, _, raw = sample
    desc = description_fixture("pola_ruang_rtrw")
    desc["maxRecordCount"] = 2
    url = service.add(2, Layer(raw, desc))  # served in EPSG:32749, asked outSR=4326
    path = tmp_path / "pola_ruang_4326.gpkg"
    raw.to_crs(4326).to_file(path)  # what the service sends, as a file
    served = lg.read_zoning(url)
    assert served.crs.equals("EPSG:4326")
    assert served.attrs["lahan_geo"]["native_wkid"] == 32749
    _same(lg.screen(plots, zoning=served), lg.screen(plots, zoning=lg.read_zoning(path)))


def test_windowed_fetch_equals_the_windowed_file_and_the_whole_within_the_margin(
        service, sample, sample_dir):
    plots, raw, _ = sample
    url, layer = serve_forest(service, raw)
    served = lg.read_forest_area(url, around=plots)
    from_file = lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg", around=plots,
                                    margin_m=served.attrs["lahan_geo"]["window"]["margin_m"])
    assert 0 < len(served) < len(raw)  # the window left features out
    assert any("geometryType=esriGeometryEnvelope" in r for r in layer.requests)
    # Alone, the window vouches for distances up to its margin only ...
    alone = lg.pipeline.run(plots, served, None, lg.load_rules(None))
    whole = lg.screen(plots, forest=lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg"))
    margin = served.attrs["lahan_geo"]["window"]["margin_m"]
    kept = alone["boundary_distance_m"].notna()
    unknown = ~kept & whole["boundary_distance_m"].notna()
    assert (whole["boundary_distance_m"] <= margin).any() and unknown.any()
    assert alone["boundary_distance_m"][kept].equals(whole["boundary_distance_m"][kept])
    assert (whole["boundary_distance_m"][unknown] > margin).all()
    window = alone.attrs["lahan_geo"]["layers"]["forest"]["window"]
    assert window["distances_unknown"] == int(unknown.sum())
    assert "NaN" in window["note_en"] and "NaN" in window["note_id"]
    # ... and screen() asks the service again, wider, for those plots only: the whole
    # layer's answer, as from the file.
    asked = len(layer.requests)
    windowed = lg.screen(plots, forest=served)
    assert len(layer.requests) > asked
    widened = windowed.attrs["lahan_geo"]["layers"]["forest"]["window"]["widened"]
    assert widened and widened[0]["plots"] == int(unknown.sum())
    _same(windowed, whole)
    _same(windowed, lg.screen(plots, forest=from_file))


def test_provenance_records_service_layer_edit_date_query_and_fetch(service, sample):
    plots, raw, _ = sample
    url, _ = serve_forest(service, raw)
    result = lg.screen(plots, forest=url)  # an address given to screen: the plots' area only
    info = result.attrs["lahan_geo"]["layers"]["forest"]
    assert info["window"]["area"] == list(plots.total_bounds)
    assert info["service"] == url and info["path"] == url
    assert info["layer_name"] == "KWSHUTAN_AR_250K_072024"
    assert info["last_edit"] == "2024-07-29T00:00:00Z"
    assert info["service_version"] == "10.81"
    assert info["layer_description"].endswith("pemutakhiran Juli 2024")
    assert info["copyright"].startswith("Direktorat Jenderal Planologi")
    assert info["query"]["outSR"] == "4326"
    assert info["query"]["geometry"] == ",".join(map(repr, info["window"]["bbox"]))
    assert info["fetched_at"].endswith("Z") and info["features"] == info["features_fetched"]
    assert info["pages"] == -(-info["features"] // 2)


def test_geojson_pages_read_as_the_esri_json_ones(service, sample):
    _, raw, _ = sample
    url, _ = serve_forest(service, raw)
    esri, _, _ = fetch_layer(url)
    geo, info, _ = fetch_layer(url, fmt="geojson")
    assert info["format"] == "geojson"
    assert geo["FUNGSIKWS"].tolist() == esri["FUNGSIKWS"].tolist()
    assert geo["TGLSKKWS"].tolist() == esri["TGLSKKWS"].tolist() == _dates(raw)
    assert geo.geometry.normalize().equals(esri.geometry.normalize())


def test_service_schema_is_normalized_like_a_file(service, sample):
    """Lower-case fields, aliases, double codes and epoch-millisecond dates (PIAPS layout)."""
    _, raw, _ = sample
    lower = raw.rename(columns={"FUNGSIKWS": "fungsikws", "TGLSKKWS": "tgl_rev"})
    desc = description_fixture("piaps_rev_viii_ar_250k")
    desc["maxRecordCount"] = 5
    url = service.add(3, Layer(lower, desc, date_fields=("tgl_rev",)))
    served = lg.read_forest_area(url)
    file_like = lg.read_forest_area(raw)
    assert served["forest_function"].tolist() == file_like["forest_function"].tolist()
    assert served["tgl_rev"].tolist() == _dates(raw)  # ISO text, as in the file
    assert served.attrs["lahan_geo"]["aliases"]["fungsikws"] == "Fungsi Kawasan"
    assert served.attrs["lahan_geo"]["last_edit"] == "2024-12-12T00:00:00Z"


def test_missing_function_column_is_the_same_error_as_for_a_file(service, sample):
    _, raw, _ = sample
    bare = raw[["KODE_PROV", "geometry"]]
    url, _ = serve_forest(service, bare)
    with pytest.raises(LayerError, match="has no forest-function column") as served:
        lg.read_forest_area(url)
    with pytest.raises(LayerError, match="has no forest-function column"):
        lg.read_forest_area(bare)
    assert url in str(served.value)


def test_plots_outside_the_fetched_window_are_refused(service, sample):
    plots, raw, _ = sample
    url, _ = serve_forest(service, raw)
    elsewhere = lg.read_forest_area(url, around=(112.0, -2.0, 112.1, -1.9))
    with pytest.raises(LayerError, match="read only for the area around other plots"):
        lg.screen(plots, forest=elsewhere)


def test_a_constraint_setback_wider_than_the_margin_is_refused(service, sample):
    plots, raw, _ = sample
    url, _ = serve_forest(service, raw)
    with pytest.raises(LayerError, match="wider than the 500 m"):
        lg.read_constraint(url, rule="X2", setback_m=800, around=plots, margin_m=500)
    peat = lg.read_constraint(url, rule="X2", setback_m=100, around=plots, margin_m=500)
    assert peat.attrs["lahan_geo"]["window"]["margin_m"] == 500


def test_a_transient_failure_is_retried(service, sample):
    _, raw, _ = sample
    url, layer = serve_forest(service, raw, faults={"unavailable_once"})
    gdf, _, _ = fetch_layer(url)
    assert len(gdf) == len(raw)
    assert "unavailable_once" not in layer.faults  # it answered 503 once, then the page


BAD = {  # fault or description change -> what the one-line message says
    "error": ({"error"}, {}, "answered the feature count with error 400"),
    "html login page": ({"refuse_html"}, {}, "HTML page"),
    "redirect to a login": ({"redirect"}, {}, "redirects its description to 127.0.0.1:9"),
    "truncated page": ({"truncate"}, {}, "truncated at"),
    "cut JSON": ({"cut_json"}, {}, "truncated or not as JSON"),
    "repeated ids": ({"repeat"}, {}, "twice"),
    "skipped ids": ({"skip"}, {}, "skip"),
    "transfer limit without paging": (
        set(), {"advancedQueryCapabilities": {"supportsPagination": False}}, "cannot page"),
    "a group layer": (set(), {"type": "Group Layer"}, "is a Group Layer"),
    "drawing only": (set(), {"capabilities": "Map"}, "does not answer queries"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_service_is_one_line_naming_the_service(service, sample, case):
    _, raw, _ = sample
    faults, changes, expected = BAD[case]
    url, _ = serve_forest(service, raw, faults=faults, **changes)
    with pytest.raises(LayerError, match=expected) as err:
        lg.read_forest_area(url)
    assert url in str(err.value) and "\n" not in str(err.value)


def test_a_service_that_does_not_answer_in_time(service, sample, monkeypatch):
    _, raw, _ = sample
    url, layer = serve_forest(service, raw, faults={"slow"})
    monkeypatch.setattr(service_module, "TIMEOUT_S", 0.2)
    with pytest.raises(LayerError, match="failed to send its description 4 times") as err:
        lg.read_forest_area(url)
    assert url in str(err.value) and len(layer.requests) == 4


def test_a_layer_in_another_crs_is_refused(service, sample):
    _, _, raw = sample
    desc = description_fixture("pola_ruang_rtrw")
    url = service.add(2, Layer(raw, desc, faults={"ignore_outsr"}))
    with pytest.raises(LayerError, match="spatial reference 32749, not EPSG:4326"):
        lg.read_zoning(url)


def test_not_a_layer_address_is_refused_without_a_request(service):
    with pytest.raises(LayerError, match="not an ArcGIS REST layer address"):
        lg.read_forest_area(service.root)
    with pytest.raises(LayerError, match="not an ArcGIS REST layer address"):
        lg.read_forest_area("http://127.0.0.1:9/kawasan_hutan.gpkg")
    assert service.requests == []


def test_a_missing_layer_and_no_network(service):
    with pytest.raises(LayerError, match="no such layer"):
        lg.read_forest_area(service.url(7))
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/server/rest/services/X/MapServer/0"
    with pytest.raises(LayerError, match="refused the connection") as err:
        lg.read_forest_area(url)
    assert url in str(err.value)


def test_the_feature_budget_is_checked_before_fetching(service, sample, monkeypatch):
    _, raw, _ = sample
    url, layer = serve_forest(service, raw)
    with override(service_features=5), pytest.raises(
            LayerError, match=r"has 24 features .* more than the budget service_features=5"):
        lg.read_forest_area(url)
    assert not any("resultOffset" in r for r in layer.requests)
    with override(service_pages=3), pytest.raises(LayerError, match="budget service_pages=3"):
        lg.read_forest_area(url)
    with override(service_response_bytes=2000), pytest.raises(
            LayerError, match="budget service_response_bytes=2,000"):
        lg.read_forest_area(url)


def test_cli_takes_an_address_and_exits_2_on_a_bad_service(service, sample, sample_dir,
                                                          tmp_path, capsys):
    _, raw, _ = sample
    url, _ = serve_forest(service, raw)
    csv = str(sample_dir / "seruyan_plots.csv")
    assert main(["screen", csv, "--forest", url, "--out", str(tmp_path / "ok"),
                 "--no-details"]) == 0
    written = gpd.read_file(tmp_path / "ok" / "hasil_screening.geojson")
    assert written["forest_function"].notna().any()
    bad, _ = serve_forest(service, raw, n=1, faults={"refuse_html"})
    assert main(["screen", csv, "--forest", bad, "--out", str(tmp_path / "bad"),
                 "--no-details"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and bad in err and "HTML page" in err


def test_window_reach_is_a_lower_bound_of_the_distance_to_its_edge():
    from pyproj import Geod

    from lahan_geo.layers.window import reach_m, window_of

    window = window_of((112.0, -2.6, 112.2, -2.4), margin_m=5000)
    points = np.array([[112.0, -2.6], [112.1, -2.5], [112.2, -2.4]])
    reach = reach_m(window, np.hstack([points, points]))
    geod = Geod(ellps="WGS84")
    minx, miny, maxx, maxy = window.bbox
    for (x, y), r in zip(points, reach):
        edges = [geod.inv(x, y, minx, y)[2], geod.inv(x, y, maxx, y)[2],
                 geod.inv(x, y, x, miny)[2], geod.inv(x, y, x, maxy)[2]]
        assert 5000 <= r <= min(edges)


def test_a_projected_file_read_around_the_plots_screens_as_the_whole(sample, sample_dir):
    plots, _, _ = sample
    path = sample_dir / "pola_ruang.gpkg"  # EPSG:32749: the window is carried into it
    near = lg.read_zoning(path, around=plots, margin_m=2000)
    whole = lg.read_zoning(path)
    assert 0 < len(near) < len(whole)
    _same(lg.screen(plots, zoning=near), lg.screen(plots, zoning=whole))


def test_suggest_sites_refuses_to_search_beyond_the_window(sample, sample_dir):
    plots, _, _ = sample
    forest = lg.read_forest_area(sample_dir / "kawasan_hutan.gpkg", around=plots,
                                 margin_m=10_125)
    result = lg.screen(plots, forest=forest)
    with pytest.raises(LayerError, match="suggest_sites searches 12,0"):
        lg.suggest_sites(result, forest=forest, search_radius_m=12_000)
    assert len(lg.suggest_sites(result, forest=forest, search_radius_m=2000))


def test_a_certificate_that_cannot_be_verified_is_not_accepted(sample, tmp_path):
    """A self-signed certificate (or an incomplete chain, as some geoportals send)."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (needed to make a certificate)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    secure = Service(tls=tls)
    try:
        url, layer = serve_forest(secure, sample[1])
        with pytest.raises(LayerError, match="certificate cannot be verified") as err:
            lg.read_forest_area(url)
        assert url.startswith("https://") and url in str(err.value)
        assert layer.requests == []  # nothing was asked over an unverified connection
    finally:
        secure.close()


def test_a_served_river_layer_is_a_setback_constraint_as_from_a_file(service, sample):
    from shapely import LineString

    plots, _, _ = sample
    x, y = plots.geometry.x.iloc[0], plots.geometry.y.iloc[0]
    rivers = gpd.GeoDataFrame(
        {"KELAS": ["sungai besar", "sungai kecil"]},
        geometry=[LineString([(x - 0.01, y + 0.0005), (x + 0.01, y + 0.0005)]),
                  LineString([(x + 0.05, y - 0.05), (x + 0.06, y + 0.05), (x + 0.07, y)])],
        crs=4326)
    desc = _kwshutan(geometryType="esriGeometryPolyline", name="SUNGAI_LN_50K")
    url = service.add(4, Layer(rivers, desc))
    options = {"rule": "X4", "class_column": "KELAS",
               "setbacks": {"sungai besar": 100, "sungai kecil": 50}}
    served = lg.read_constraint(url, around=plots, **options)
    assert served.geom_type.tolist() == ["LineString", "LineString"]
    expected = lg.screen(plots, layers=[lg.read_constraint(rivers, **options)])
    result = lg.screen(plots, layers=[served])
    _same(result, expected)
    assert "X4" in result["rules"].iloc[0]  # the plot 55 m from a 100 m setback river


# ---------------------------------------------------------------------------------------
# Kept on disk: re-used at the same edit date, and offline; never half-written.
# ---------------------------------------------------------------------------------------
@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("LAHAN_GEO_CACHE", str(folder))
    return folder


def _entries(folder):
    return sorted(p.name for p in folder.glob("service-*")) if folder.exists() else []


def test_the_same_edit_date_is_served_from_the_cache(service, sample, cache):
    plots, raw, _ = sample
    url, layer = serve_forest(service, raw)
    first = lg.read_forest_area(url, around=plots)
    asked = len(layer.requests)
    again = lg.read_forest_area(url, around=plots)
    assert first.attrs["lahan_geo"]["service_cache"] == "stored"
    assert again.attrs["lahan_geo"]["service_cache"] == "hit"
    assert layer.requests[asked:] == [layer.requests[0]]  # only the description again
    assert again.attrs["lahan_geo"]["fetched_at"] == first.attrs["lahan_geo"]["fetched_at"]
    assert len(_entries(cache)) == 2  # the features, and which were fetched last
    _same(lg.screen(plots, forest=again), lg.screen(plots, forest=first))


def test_a_new_edit_date_or_none_fetches_again(service, sample, cache):
    plots, raw, _ = sample
    url, layer = serve_forest(service, raw)
    lg.read_forest_area(url, around=plots)
    layer.description["editingInfo"] = {"lastEditDate": 1751328000000}  # July 2025
    layer.gdf.loc[layer.gdf.index, "FUNGSIKWS"] = 100100.0  # the whole layer became HL
    edited = lg.read_forest_area(url, around=plots)
    assert edited.attrs["lahan_geo"]["service_cache"] == "stored"
    assert edited.attrs["lahan_geo"]["last_edit"] == "2025-07-01T00:00:00Z"
    assert set(edited["forest_function"]) == {"HL"}
    del layer.description["editingInfo"]  # no edit date: only a new fetch is current
    pages = sum("resultOffset" in r for r in layer.requests)
    assert lg.read_forest_area(url, around=plots).attrs["lahan_geo"]["service_cache"] == "stored"
    assert sum("resultOffset" in r for r in layer.requests) > pages


def test_offline_the_last_fetch_is_used_and_says_so(sample, cache, sample_dir, tmp_path,
                                                    capsys):
    plots, raw, _ = sample
    running = Service()
    url, _ = serve_forest(running, raw)
    online = lg.screen(plots, forest=url)
    running.close()  # no service any more: connections are refused
    with pytest.warns(LahanGeoWarning, match="cannot be reached; using the .* features"):
        offline = lg.screen(plots, forest=url)
    _same(offline, online)
    info = offline.attrs["lahan_geo"]["layers"]["forest"]
    assert info["service_cache"] == "offline" and "tersimpan di cache" in info["offline_note_id"]
    assert info["fetched_at"] == online.attrs["lahan_geo"]["layers"]["forest"]["fetched_at"]
    csv = str(sample_dir / "seruyan_plots.csv")
    assert main(["screen", csv, "--forest", url, "--out", str(tmp_path / "o"),
                 "--no-details"]) == 0
    note = capsys.readouterr().err.strip()
    assert note.startswith("lahan-geo: note: The service") and "\n" not in note


def test_offline_without_an_earlier_fetch_is_one_line(sample, cache):
    plots, raw, _ = sample
    running = Service()
    url, _ = serve_forest(running, raw)
    running.close()
    with pytest.raises(LayerError, match=r"refused the connection.*nothing was fetched") as err:
        lg.read_forest_area(url, around=plots)
    assert "\n" not in str(err.value) and url in str(err.value)


@pytest.mark.parametrize("fault", ["truncate", "cut_json", "repeat", "skip", "error",
                                   "refuse_html"])
def test_a_bad_service_leaves_no_cache_entry_and_keeps_the_good_one(service, sample, cache,
                                                                    fault):
    plots, raw, _ = sample
    url, layer = serve_forest(service, raw, faults={fault})
    with pytest.raises(LayerError):
        lg.read_forest_area(url, around=plots)
    assert _entries(cache) == []
    layer.faults.clear()
    good = lg.read_forest_area(url, around=plots)
    before = {name: (cache / name).read_bytes() for name in _entries(cache)}
    layer.faults.add(fault)  # the layer is edited, and the service breaks mid-fetch
    layer.description["editingInfo"] = {"lastEditDate": 1751328000000}
    if fault == "truncate":  # the connection keeps dropping: as good as offline
        with pytest.warns(LahanGeoWarning, match="cannot be reached; using"):
            lg.read_forest_area(url, around=plots)
    else:
        with pytest.raises(LayerError):
            lg.read_forest_area(url, around=plots)
    assert {name: (cache / name).read_bytes() for name in _entries(cache)} == before
    service.close()  # offline, the last good fetch is still there
    with pytest.warns(LahanGeoWarning):
        offline = lg.read_forest_area(url, around=plots)
    assert offline["forest_function"].tolist() == good["forest_function"].tolist()


def test_a_tampered_entry_is_rejected_and_fetched_again(service, sample, cache):
    plots, raw, _ = sample
    url, _ = serve_forest(service, raw)
    lg.read_forest_area(url, around=plots)
    (entry,) = [cache / n for n in _entries(cache) if n.endswith(".pages")]
    data = bytearray(entry.read_bytes())
    data[-40:-35] = b"99999"
    entry.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="rejected"):
        again = lg.read_forest_area(url, around=plots)
    assert again.attrs["lahan_geo"]["service_cache"] == "stored"


def test_without_a_cache_every_read_fetches(service, sample, monkeypatch):
    plots, raw, _ = sample
    monkeypatch.setenv("LAHAN_GEO_CACHE", "off")
    url, _ = serve_forest(service, raw)
    for _ in range(2):
        assert lg.read_forest_area(url, around=plots).attrs["lahan_geo"]["service_cache"] == "off"


def test_another_area_is_another_entry(service, sample, cache):
    plots, raw, _ = sample
    url, _ = serve_forest(service, raw)
    lg.read_forest_area(url, around=plots.iloc[:5])
    wider = lg.read_forest_area(url, around=plots)
    assert wider.attrs["lahan_geo"]["service_cache"] == "stored"
    assert len(_entries(cache)) == 4


def test_a_served_rdtr_layer_decides_the_kkpr_route_as_the_file(service, sample, sample_dir):
    plots, forest, zoning = sample
    raw = gpd.read_file(sample_dir / "rdtr_terintegrasi.gpkg")
    desc = description_fixture("pola_ruang_rtrw")
    desc.update(name="RDTR_TERINTEGRASI_OSS", maxRecordCount=2)
    url = service.add(5, Layer(raw.to_crs(4326), desc))
    from_file = lg.read_rdtr(raw.to_crs(4326))
    kwargs = {"forest": lg.read_forest_area(forest), "zoning": lg.read_zoning(zoning)}
    served = lg.screen(plots, rdtr=url, **kwargs)  # fetched for the plots' area only
    _same(served, lg.screen(plots, rdtr=from_file, **kwargs))
    assert served["rdtr_coverage"].eq("covered").any()
    assert served.attrs["lahan_geo"]["layers"]["rdtr"]["layer_name"] == "RDTR_TERINTEGRASI_OSS"
