"""The interactive folium map: layers, escaped popups, the lighter rendering."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from _result_factory import (
    HOSTILE_ID,
    HOSTILE_REASON,
    HOSTILE_ZONE,
    LAT0,
    LON0,
    make_forest,
    make_result,
    make_zoning,
)
from lahan_geo.errors import CRSError, InputError, LayerError
from lahan_geo.outputs import explore
from lahan_geo.outputs.explore import FOREST_LAYER_NAME, ZONING_LAYER_NAME, escape_html

folium = pytest.importorskip("folium")


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _group(m, name: str):
    groups = [e for e in _walk(m) if isinstance(e, folium.FeatureGroup) and e.layer_name == name]
    assert len(groups) == 1, [e.layer_name for e in _walk(m) if isinstance(e, folium.FeatureGroup)]
    return groups[0]


def _geojson_features(group) -> list[dict]:
    return [f for e in _walk(group) if isinstance(e, folium.GeoJson)
            for f in e.data.get("features", [])]


def _n_vertices(features: list[dict]) -> int:
    return sum(len(shapely.get_coordinates(shapely.geometry.shape(f["geometry"])))
               for f in features)


def _wiggly_forest() -> gpd.GeoDataFrame:
    """One HL disc of 2,000 vertices (about 3 km across) around the first plot."""
    utm = gpd.GeoSeries([Point(LON0, LAT0)], crs=4326).to_crs(32749)
    disc = utm.buffer(1500, quad_segs=500).to_crs(4326)
    return gpd.GeoDataFrame({"forest_function": ["HL"]}, geometry=disc, crs=4326)


@pytest.fixture(scope="module")
def full_html() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the full map must not warn
        m = explore(make_result(hostile=True), forest=make_forest(), zoning=make_zoning())
    assert isinstance(m, folium.Map)
    return m.get_root().render()


def test_every_drawn_plot_id_and_layer_name_is_on_the_page(full_html: str) -> None:
    for plot_id in ["KDMP-001", "KDMP-002", "KDMP-003", "KDMP-004"]:
        assert plot_id in full_html
    # invalid (no geometry): not drawn, only listed in the panel of rows not on the map
    assert full_html.count("KDMP-005") == 1
    panel = next(line for line in full_html.splitlines() if "KDMP-005" in line)
    assert "tidak dipetakan (1)" in panel
    assert html.escape(HOSTILE_ID) in full_html
    for name in (FOREST_LAYER_NAME, ZONING_LAYER_NAME, "Lahan: Perlu persetujuan (2)",
                 "Lahan: Tidak diizinkan (pindah lokasi) (1)", "Lahan: Perlu verifikasi (1)",
                 "Lahan: Aman (lanjut KKPR) (1)"):
        assert name in full_html
    assert "Data tidak valid" not in full_html.split("Status lahan")[0]  # no layer for invalid


def test_popup_shows_the_plot_in_indonesian(full_html: str) -> None:
    popups = re.findall(r"<table style=\"font-size:12px.*?</table>", full_html)
    assert len(popups) == 5  # one per drawn plot
    kdmp3 = next(p for p in popups if "KDMP-003" in p)
    for text in ("Tidak diizinkan (pindah lokasi)", "HK (Hutan Konservasi)", "Sempadan Sungai",
                 "(sempadan)", "F1; Z1", "Tidak ada; pindah lokasi",
                 "Kementerian Kehutanan (Ditjen KSDAE); ATR/BPN",
                 "Lahan berada di kawasan hutan konservasi."):
        assert text in kdmp3, text


def test_user_text_is_escaped(full_html: str) -> None:
    assert "<script>alert(" not in full_html
    assert "<b>007</b>" not in full_html
    assert "<img src=x" not in full_html
    assert escape_html(HOSTILE_REASON) in full_html
    assert "&lt;script&gt;alert(&#x27;reason&#x27;)&lt;/script&gt;" in full_html
    assert "&#96;&#36;{document.cookie}&#96;" in full_html
    assert escape_html(HOSTILE_ZONE) in full_html


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_page_scripts_are_valid_javascript(full_html: str, tmp_path: Path) -> None:
    scripts = re.findall(r"<script>(.*?)</script>", full_html, flags=re.S)
    assert scripts
    script = tmp_path / "page.js"
    script.write_text("\n".join(scripts), encoding="utf-8")
    check = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True,
                           timeout=60)
    assert check.returncode == 0, check.stderr


def test_layers_are_reprojected_and_cut_to_the_plots() -> None:
    m = explore(make_result(), forest=make_forest(), zoning=make_zoning())
    zones = _geojson_features(_group(m, ZONING_LAYER_NAME))
    assert len(zones) == 3
    xy = shapely.get_coordinates([shapely.geometry.shape(f["geometry"]) for f in zones])
    assert (abs(xy[:, 0] - LON0) < 0.1).all() and (abs(xy[:, 1] - LAT0) < 0.1).all()
    forest = _geojson_features(_group(m, FOREST_LAYER_NAME))
    assert len(forest) == 6  # the seventh polygon is 100 km away
    labels = {f["properties"]["fungsi"] for f in forest}
    assert {"HL (Hutan Lindung)", "Tidak diketahui"} <= labels


def test_above_max_features_warns_and_draws_lighter() -> None:
    result = make_result(hostile=True)
    forest = _wiggly_forest()
    full = explore(result, forest=forest, zoning=make_zoning())
    with pytest.warns(UserWarning, match=r"9 features .* exceed max_features=8"):
        light = explore(result, forest=forest, zoning=make_zoning(), max_features=8)
    page = light.get_root().render()
    # plots: circle markers with id and status only, no popup
    assert "Alasan" not in page and "L.popup" not in page
    assert page.count("new L.CircleMarker(latlng") >= 4
    assert "KDMP-002" in page and "Perlu persetujuan" in page
    assert "<b>007</b>" not in page and "<script>alert(" not in page
    # layer polygons simplified by 50 m: the 2,000-vertex disc keeps far fewer vertices
    before = _n_vertices(_geojson_features(_group(full, FOREST_LAYER_NAME)))
    after = _n_vertices(_geojson_features(_group(light, FOREST_LAYER_NAME)))
    assert before > 1900 and after < 200


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InputError, match="max_features"):
        explore(make_result(), max_features=0)
    with pytest.raises(InputError, match="explore"):
        explore(make_result().drop(columns="status"))
    with pytest.raises(CRSError, match="forest"):
        explore(make_result(), forest=make_forest().set_crs(None, allow_override=True))
    with pytest.raises(LayerError, match="forest_function"):
        explore(make_result(), forest=make_forest().drop(columns="forest_function"))


def test_result_without_drawable_plots_still_maps() -> None:
    m = explore(make_result().iloc[[4]], zoning=make_zoning())
    page = m.get_root().render()
    assert ZONING_LAYER_NAME in page and "Lahan:" not in page


# -- offline page, title, panels, popups (issue #16) ----------------------------------------

EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def test_page_is_self_contained_with_a_title(full_html: str) -> None:
    assert not EXTERNAL.search(full_html), EXTERNAL.search(full_html).group(0)
    assert "<title>Peta interaktif hasil penyaringan" in full_html
    assert "Leaflet 1.9" in full_html or "leafletjs.com" in full_html  # Leaflet inlined
    assert "data:image/png;base64," in full_html  # the layer-control icon too


def test_without_packaged_leaflet_the_page_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("lahan_geo.outputs.explore")

    monkeypatch.setattr(module, "leaflet_assets", lambda: None)
    page = module.explore(make_result()).get_root().render()
    assert module.OFFLINE_MESSAGE.split(":")[0] in page
    assert 'typeof L === "undefined"' in page
    assert EXTERNAL.search(page)  # Leaflet from the internet, as the message explains


def test_popups_give_coordinates_and_the_detail_map_link(full_html: str) -> None:
    popups = re.findall(r"<table style=\"font-size:12px.*?</table>", full_html)
    kdmp2 = next(p for p in popups if "KDMP-002" in p)
    assert "Koordinat" in kdmp2 and "(lintang, bujur)" in kdmp2
    assert 'href="peta_detail/detail_KDMP-002.png"' in kdmp2
    kdmp1 = next(p for p in popups if "KDMP-001" in p)  # clear: no detail map
    assert "peta_detail/" not in kdmp1
    page = explore(make_result(), detail_folder=None).get_root().render()
    assert "peta_detail/" not in page


def test_legend_is_a_control_stacked_with_the_scale(full_html: str) -> None:
    # a Leaflet control in the scale's corner: Leaflet stacks them, so neither covers the other
    assert re.search(r'L\.control\(\{position: "bottomleft"\}\);\s*\S+\.onAdd = function '
                     r'\(\) \{\s*var div = L\.DomUtil\.create\("div", "lahan-geo-legend"\)',
                     full_html)
    assert "position:fixed" not in full_html.split("lahan-geo-legend")[1][:400]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None,
                    reason="chromium is not installed (Debian package 'chromium')")
def test_renders_offline_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "peta_interaktif.html"
    explore(make_result(), forest=make_forest(), zoning=make_zoning()).save(str(page))
    profile = tmp_path / "profile"
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}",
        # no network at all: every host resolves to nothing, every request goes nowhere
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
        "--enable-logging=stderr", "--v=0",  # page errors reach stderr as CONSOLE lines
        "--virtual-time-budget=5000", "--dump-dom", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert "leaflet-container" in dom, done.stderr[-2000:]
    # the 5 drawn plots, 3 forest polygons and 3 zones are SVG paths Leaflet drew
    assert dom.count("leaflet-interactive") >= 5 + 3
    for css_class in ("lahan-geo-title", "lahan-geo-legend", "lahan-geo-invalid",
                      "leaflet-control-scale", "leaflet-control-layers"):
        assert css_class in dom, css_class
    assert "Uncaught" not in done.stderr


def test_the_same_result_gives_the_same_html_bytes(full_html: str) -> None:
    """branca names elements with random ids; explore numbers them instead."""
    again = explore(make_result(hostile=True), forest=make_forest(), zoning=make_zoning())
    assert again.get_root().render() == full_html
    assert "map_00000000000000000000000000000000" in full_html
