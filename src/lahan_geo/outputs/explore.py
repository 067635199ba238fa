"""An interactive map of a screening result for Jupyter: :func:`explore`.

Forest functions, zoning outlines and the plots (one layer per status) can each be
switched on and off. Clicking a plot shows, in Indonesian, its status, forest
function, zone, the rules that fired, the clearances, agencies and the reason. Every
value from the data is HTML-escaped before it reaches the page.

Large inputs would freeze a notebook, so above ``max_features`` the map is drawn
lighter: layer polygons simplified to 50 m and plots as small circles that show only
their id and status.

Examples
--------
>>> escape_html('<script>alert("x")</script> `${1}`')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#96;&#36;{1}&#96;'

"""

from __future__ import annotations

import base64
import html
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box, mapping

from lahan_geo.outputs._draw import (
    CANDIDATE_COLOUR,
    CANDIDATE_LABEL,
    FOREST_COLOURS,
    OTHER_STATUS_COLOUR,
    STATUS_COLOURS,
    UNKNOWN_FOREST,
    ZONING_COLOUR,
    candidate_sites,
    check_layer,
)
from lahan_geo.outputs._labels import (
    FOREST_FUNCTION_ORDER,
    STATUS_ORDER,
    forest_function_label,
    status_label,
)
from lahan_geo.outputs._tabular import check_result, join_list, plain, valid_mask
from lahan_geo.outputs.details import detail_names

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["LIGHT_SIMPLIFY_M", "OFFLINE_MESSAGE", "escape_html", "explore", "leaflet_assets"]

#: Tolerance (m) of the polygon simplification of the lighter rendering.
LIGHT_SIMPLIFY_M = 50.0
#: Layers are cut to the plots' extent plus this margin (m).
_MARGIN_M = 5000.0
#: Shown on the page when Leaflet could not be loaded (no packaged copy and no internet).
OFFLINE_MESSAGE = (
    "Peta interaktif tidak dapat ditampilkan: pustaka peta (Leaflet) tidak termuat. "
    "Halaman ini memerlukan internet karena paket xstatic-leaflet tidak terpasang saat "
    "peta dibuat. Gunakan peta_ringkasan.png atau dokumen PDF, atau buat ulang peta "
    "setelah memasang xstatic-leaflet."
)
_DEFAULT_TITLE = "Peta interaktif hasil penyaringan lahan gerai koperasi"
FOREST_LAYER_NAME = "Kawasan hutan (fungsi)"
ZONING_LAYER_NAME = "Pola ruang (batas zona)"


def escape_html(value: object) -> str:
    r"""Return ``value`` as text safe inside HTML and inside a JavaScript template string.

    Besides :func:`html.escape` (``&``, ``<``, ``>``, quotes), the backtick, ``$`` and
    the backslash are written as character references, because folium places popup
    and tooltip HTML inside JavaScript template literals. Missing values give ``""``.

    Parameters
    ----------
    value : object
        Any value; lists are joined with ``"; "``.

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> escape_html(None), escape_html(["F2", "Z4"]), escape_html("C:\\data")
    ('', 'F2; Z4', 'C:&#92;data')

    """
    text = plain(value)
    if text is None:
        return ""
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _import_folium() -> Any:
    try:
        import folium
    except ImportError as err:  # pragma: no cover - folium is a dependency
        msg = ("explore() needs the 'folium' package. Fix: pip install folium "
               "(or reinstall lahan_geo with its dependencies).")
        raise ImportError(msg) from err
    return folium


def _popup_html(row: dict[str, Any], geom: Any = None, link: str | None = None) -> str:
    """Return the popup of one plot: an Indonesian table, every value escaped.

    With ``geom``, its coordinates (WGS 84) are shown; with ``link`` (a relative path to
    the plot's detail map), a link to it.
    """
    status = plain(row.get("status"))
    colour = STATUS_COLOURS.get(str(status), OTHER_STATUS_COLOUR)
    function = plain(row.get("forest_function"))
    zone_name, zone_class = plain(row.get("zone_name")), plain(row.get("zone_class"))
    zone = " ".join(str(v) for v in (zone_name, f"({zone_class})" if zone_class else None)
                    if v)
    overlap = plain(row.get("forest_overlap_pct"))
    forest = forest_function_label(function) if function else "tidak diketahui"
    if isinstance(overlap, int | float) and not isinstance(overlap, bool):
        forest = f"{forest}; tutupan {overlap:g}%"
    items = [
        ("ID Lahan", row.get("plot_id")),
        ("Status", status_label(status) if status is not None else None),
        ("Desa", row.get("desa")),
        ("Kecamatan", row.get("kecamatan")),
        ("Fungsi kawasan hutan", forest),
        ("Pola ruang", zone or "tidak diketahui"),
        ("Aturan", row.get("rules")),
        ("Persetujuan yang diperlukan", _first_present(row, "clearances_id", "clearances")),
        ("Instansi", _first_present(row, "agencies_id", "agencies")),
        ("Alasan", _first_present(row, "reason_id", "reason_en")),
    ]
    if geom is not None and not geom.is_empty:
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        items.insert(2, ("Koordinat", f"{point.y:.6f}, {point.x:.6f} (lintang, bujur)"))
    cells = []
    for label, value in items:
        if label in ("Desa", "Kecamatan") and plain(value) is None:
            continue
        text = escape_html(join_list(value) if value is not None else None) or "-"
        if label == "Status":
            text = f'<b style="color:{colour}">{text}</b>'
        cells.append(f'<tr><th style="text-align:left;vertical-align:top;padding-right:6px">'
                     f"{label}</th><td>{text}</td></tr>")
    if link:
        cells.append(f'<tr><th style="text-align:left">Peta detail</th><td>'
                     f'<a href="{escape_html(link)}" target="_blank">{escape_html(link)}</a>'
                     "</td></tr>")
    return f'<table style="font-size:12px;max-width:420px">{"".join(cells)}</table>'


def _first_present(row: dict[str, Any], *columns: str) -> Any:
    for column in columns:
        if join_list(row.get(column)) is not None:
            return row.get(column)
    return None


def _area_of_interest(plots: gpd.GeoDataFrame) -> Any | None:
    """Return the plots' extent plus a margin, as a box in EPSG:4326 (None without plots)."""
    if plots.empty:
        return None
    utm = plots.estimate_utm_crs()
    minx, miny, maxx, maxy = plots.to_crs(utm).total_bounds
    grown = box(minx - _MARGIN_M, miny - _MARGIN_M, maxx + _MARGIN_M, maxy + _MARGIN_M)
    return gpd.GeoSeries([grown], crs=utm).to_crs("EPSG:4326").iloc[0].envelope


def _prepare_layer(layer: gpd.GeoDataFrame, area: Any | None) -> gpd.GeoDataFrame:
    """Return the layer in EPSG:4326, without empty geometries, cut to ``area`` when given."""
    layer = layer[valid_mask(layer.geometry)]
    layer = layer.to_crs("EPSG:4326") if not layer.crs.equals("EPSG:4326") else layer
    if area is not None and len(layer):
        hits = np.sort(layer.sindex.query(area, predicate="intersects"))
        layer = layer.iloc[hits]
        clipped = shapely.clip_by_rect(np.asarray(layer.geometry.array, dtype=object),
                                       *area.bounds)
        layer = layer.set_geometry(gpd.GeoSeries(clipped, index=layer.index, crs=layer.crs))
        layer = layer[valid_mask(layer.geometry)]
    return layer


def _simplified(layer: gpd.GeoDataFrame, metres: float) -> gpd.GeoSeries:
    """Return the geometries simplified by ``metres`` in the layer's UTM zone, back in EPSG:4326."""
    if layer.empty:
        return layer.geometry
    utm = layer.estimate_utm_crs()
    simple = layer.geometry.to_crs(utm).simplify(metres, preserve_topology=True)
    return simple.to_crs("EPSG:4326")


def _collection(geoms: gpd.GeoSeries, properties: list[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for index, (geom, props) in enumerate(zip(geoms.array, properties, strict=True)):
        if geom is None or geom.is_empty:
            continue
        features.append({"type": "Feature", "id": str(index), "properties": props,
                         "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def _forest_group(folium: Any, forest: gpd.GeoDataFrame, light: bool) -> Any:
    if "forest_function" not in forest.columns:
        from lahan_geo.errors import LayerError

        msg = ("explore(): the forest layer has no 'forest_function' column. "
               "Fix: pass the layer returned by lahan_geo.read_forest_area().")
        raise LayerError(msg)
    group = folium.FeatureGroup(name=FOREST_LAYER_NAME)
    geoms = _simplified(forest, LIGHT_SIMPLIFY_M) if light else forest.geometry
    props = []
    for code in forest["forest_function"].tolist():
        code = plain(code)
        known = code if code in FOREST_COLOURS else None
        props.append({
            "fungsi": escape_html(forest_function_label(code) if known else "Tidak diketahui"),
            "warna": FOREST_COLOURS.get(str(known), UNKNOWN_FOREST),
        })
    data = _collection(geoms, props)
    if data["features"]:
        folium.GeoJson(
            data, name=FOREST_LAYER_NAME,
            style_function=lambda f: {"fillColor": f["properties"]["warna"], "color": "#5d5d5d",
                                      "weight": 0.5, "fillOpacity": 0.55},
            tooltip=folium.GeoJsonTooltip(fields=["fungsi"], aliases=["Fungsi kawasan hutan"]),
        ).add_to(group)
    return group


def _zoning_group(folium: Any, zoning: gpd.GeoDataFrame, light: bool) -> Any:
    group = folium.FeatureGroup(name=ZONING_LAYER_NAME)
    geoms = _simplified(zoning, LIGHT_SIMPLIFY_M) if light else zoning.geometry
    name_col = next((c for c in ("zone_name", "NAMOBJ", "namobj") if c in zoning.columns), None)
    names = zoning[name_col].tolist() if name_col else [None] * len(zoning)
    classes = zoning["zone_class"].tolist() if "zone_class" in zoning.columns else names
    props = [{"zona": escape_html(n) or "-", "kelas": escape_html(c) or "tidak dikenal"}
             for n, c in zip(names, classes, strict=True)]
    data = _collection(geoms, props)
    if data["features"]:
        folium.GeoJson(
            data, name=ZONING_LAYER_NAME,
            style_function=lambda _: {"color": ZONING_COLOUR, "weight": 1.5, "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=["zona", "kelas"],
                                          aliases=["Pola ruang", "Kelas"]),
        ).add_to(group)
    return group


def _plot_groups(folium: Any, plots: gpd.GeoDataFrame, light: bool,
                 links: list[str | None] | None = None) -> list[Any]:
    statuses = [str(plain(s)) for s in plots["status"].tolist()]
    order = [*STATUS_ORDER, *sorted(set(statuses) - set(STATUS_ORDER))]
    columns = [c for c in plots.columns if c != plots.geometry.name]
    groups = []
    for status in order:
        chosen = [i for i, s in enumerate(statuses) if s == status]
        if not chosen:
            continue
        colour = STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)
        group = folium.FeatureGroup(name=f"Lahan: {escape_html(status_label(status))} "
                                         f"({len(chosen)})")
        if light:
            centres = shapely.point_on_surface(
                np.asarray(plots.geometry.array, dtype=object)[chosen])
            props = [{"id": escape_html(plots["plot_id"].iloc[i]) or "-",
                      "status": escape_html(status_label(status))} for i in chosen]
            folium.GeoJson(
                _collection(gpd.GeoSeries(centres, crs="EPSG:4326"), props),
                marker=folium.CircleMarker(radius=5, weight=1, fill=True, fill_opacity=0.9),
                style_function=lambda _, c=colour: {"color": "#000000", "fillColor": c},
                tooltip=folium.GeoJsonTooltip(fields=["id", "status"],
                                              aliases=["ID Lahan", "Status"]),
            ).add_to(group)
        else:
            for i in chosen:
                row = {c: plots[c].iloc[i] for c in columns}
                geom = plots.geometry.iloc[i]
                link = links[i] if links is not None else None
                popup = folium.Popup(_popup_html(row, geom, link), max_width=450)
                tooltip = folium.Tooltip(escape_html(row.get("plot_id")))
                if geom.geom_type == "Point":
                    folium.CircleMarker(
                        location=(geom.y, geom.x), radius=7, color="#000000", weight=1,
                        fill=True, fill_color=colour, fill_opacity=0.9, popup=popup,
                        tooltip=tooltip,
                    ).add_to(group)
                else:
                    folium.GeoJson(
                        mapping(geom),
                        style_function=lambda _, c=colour: {"color": c, "weight": 2,
                                                            "fillColor": c, "fillOpacity": 0.5},
                        popup=popup, tooltip=tooltip,
                    ).add_to(group)
        groups.append(group)
    return groups


def _candidate_group(folium: Any, sites: gpd.GeoDataFrame) -> Any:
    """Return the layer of sites, each with a tooltip naming plot, number and distance."""
    group = folium.FeatureGroup(name=f"{CANDIDATE_LABEL} ({len(sites)})")
    distances = (sites["distance_m"].tolist() if "distance_m" in sites.columns
                 else [None] * len(sites))
    props = []
    for plot, number, dist in zip(sites["plot_id"].tolist(), sites["candidate"].tolist(),
                                  distances, strict=True):
        metres = plain(dist)
        props.append({"lahan": escape_html(plot) or "-", "lokasi": escape_html(number),
                      "jarak": f"{metres:,.0f} m" if metres is not None else "-"})
    data = _collection(sites.geometry, props)
    if data["features"]:
        folium.GeoJson(
            data, name=CANDIDATE_LABEL,
            style_function=lambda _: {"color": CANDIDATE_COLOUR, "weight": 2,
                                      "fillColor": CANDIDATE_COLOUR, "fillOpacity": 0.35},
            tooltip=folium.GeoJsonTooltip(fields=["lahan", "lokasi", "jarak"],
                                          aliases=["Untuk lahan", "Lokasi alternatif", "Jarak"]),
        ).add_to(group)
    return group


def _legend_html(forest_used: bool, zoning_used: bool) -> str:
    rows = ['<b>Status lahan</b>']
    rows += [f'<div><span style="background:{STATUS_COLOURS[s]};{_SWATCH}"></span>'
             f"{escape_html(status_label(s))}</div>" for s in STATUS_COLOURS]
    if forest_used:
        rows.append('<b>Fungsi kawasan hutan</b>')
        rows += [f'<div><span style="background:{FOREST_COLOURS[f]};{_SWATCH}"></span>'
                 f"{escape_html(forest_function_label(f))}</div>" for f in FOREST_FUNCTION_ORDER]
        rows.append(f'<div><span style="background:{UNKNOWN_FOREST};{_SWATCH}"></span>'
                    "Tidak diketahui</div>")
    if zoning_used:
        rows.append(f'<div><span style="border:2px solid {ZONING_COLOUR};{_SWATCH}"></span>'
                    "Batas zona pola ruang</div>")
    return "".join(rows)


def _invalid_html(result: gpd.GeoDataFrame, drawn: np.ndarray) -> str | None:
    """Return the panel listing the rows that are not on the map, or None when all are."""
    missing = [i for i, ok in enumerate(drawn) if not ok]
    if not missing:
        return None
    items = []
    for i in missing[:_MAX_LISTED]:
        row = result.iloc[i]
        problem = _first_present(row.to_dict(), "input_problem_id", "input_problem",
                                 "reason_id", "reason_en")
        items.append(f"<li><b>{escape_html(row.get('plot_id')) or f'baris {i + 1}'}</b>: "
                     f"{escape_html(problem) or 'tanpa lokasi'}</li>")
    more = len(missing) - _MAX_LISTED
    if more > 0:
        items.append(f"<li>… dan {more} lainnya (lihat buku kerja)</li>")
    return (f"<b>{escape_html(status_label('invalid'))} / tidak dipetakan "
            f"({len(missing)})</b><ul style=\"margin:4px 0 0 0;padding-left:16px;"
            f"max-height:160px;overflow:auto\">{''.join(items)}</ul>")


_MAX_LISTED = 50
_PANEL_STYLE = ("background:white;padding:6px 8px;border:1px solid #999;border-radius:4px;"
                "font-size:11px;line-height:1.4;max-width:320px")


def _control(folium: Any, html_text: str, position: str, css_class: str) -> Any:
    """Return a Leaflet control holding ``html_text``; controls in a corner stack, never overlap.

    The HTML goes into the page as a JSON string (``<``, ``>`` and ``&`` escaped).
    """
    from branca.element import MacroElement
    from jinja2 import Template

    class Panel(MacroElement):
        _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
    div.setAttribute("style", {{ this.style|tojson }});
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}""")

    panel = Panel()
    panel._name = "Panel"
    panel.position, panel.css_class, panel.style = position, css_class, _PANEL_STYLE
    panel.html = html_text
    return panel


def leaflet_assets() -> tuple[str, str] | None:
    """Return the page's JavaScript (Leaflet, jQuery) and Leaflet's CSS, or None.

    The copies come from the PyPI packages ``xstatic-leaflet`` (the Leaflet version
    folium uses) and ``xstatic-jquery`` (folium builds popups with jQuery); images of
    the stylesheet are inlined as data URIs. None when either package is missing.
    """
    try:
        from xstatic.pkg import jquery, leaflet
    except ImportError:
        return None
    folder = Path(leaflet.BASE_DIR)
    try:
        script = (folder / "leaflet.js").read_text(encoding="utf-8")
        script += "\n" + (Path(jquery.BASE_DIR) / "jquery.min.js").read_text(encoding="utf-8")
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
    except OSError:
        return None
    for image in sorted((folder / "images").glob("*.png")):
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image.name})", f"url(data:image/png;base64,{data})")
    return script.replace("</", "<\\/"), css


def _make_offline(folium: Any, m: Any) -> bool:
    """Put Leaflet inside the page and drop every other external script and stylesheet.

    Returns False when no packaged Leaflet is installed: the page then loads Leaflet
    from the internet and shows :data:`OFFLINE_MESSAGE` when that fails.
    """
    assets = leaflet_assets()
    root = m.get_root()
    if assets is None:
        m.default_js = [(name, url) for name, url in m.default_js
                        if name in ("leaflet", "jquery")]
        m.default_css = [("leaflet_css", url) for name, url in m.default_css
                         if name == "leaflet_css"]
        root.html.add_child(folium.Element(
            '<div id="lahan-geo-offline" style="display:none;position:fixed;top:40%;left:10%;'
            'right:10%;z-index:10000;background:#fff3cd;border:1px solid #b58900;padding:12px;'
            f'font:14px sans-serif">{escape_html(OFFLINE_MESSAGE)}</div>'
            '<script>if (typeof L === "undefined") {'
            'document.getElementById("lahan-geo-offline").style.display = "block";}</script>'),
            name="offline_message")
        return False
    script, css = assets
    m.default_js = []
    m.default_css = []
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    root.header.add_child(folium.Element(f"<script>{script}</script>"),
                          name="leaflet_js_inline")
    return True


_SWATCH = "display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:middle"


def explore(
    result: gpd.GeoDataFrame,
    *,
    forest: gpd.GeoDataFrame | None = None,
    zoning: gpd.GeoDataFrame | None = None,
    max_features: int = 5000,
    candidates: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    detail_folder: str | None = "peta_detail",
    offline: bool = True,
) -> folium.Map:
    """Return an interactive folium map of the plots over the forest and zoning layers.

    Layers (switch them in the layer control): the forest functions coloured as on the
    PNG maps, the zoning outlines, and one layer of plots per status. A plot's popup
    shows, in Indonesian, its id, status, forest function, zone, rules, clearances,
    agencies and reason; every value is HTML-escaped. The layers are cut to the plots'
    extent plus 5 km. The page has a title, a legend stacked above the scale bar, and
    a panel listing the rows that could not be drawn (invalid) with the reason.

    Offline: with ``offline`` (the default) Leaflet's script and stylesheet, from the
    installed ``xstatic-leaflet`` package, are written inside the page and no other
    external script or stylesheet is linked, so a saved map works without internet
    (only the background tiles need it). Without that package the page links Leaflet
    on the internet and shows :data:`OFFLINE_MESSAGE` when it cannot load.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen`` (any CRS; shown in EPSG:4326). Plots without
        a geometry (``invalid``) are not drawn.
    forest : geopandas.GeoDataFrame, optional
        Forest estate with a ``forest_function`` column, any CRS.
    zoning : geopandas.GeoDataFrame, optional
        Spatial-plan zones (``zone_name``/``NAMOBJ`` and ``zone_class`` shown), any CRS.
    max_features : int, default 5000
        Above this many features in all (plots and layer polygons near them), a
        :class:`UserWarning` is issued and the lighter rendering is used: polygons
        simplified by 50 m (in a UTM zone), plots as circle markers whose tooltip shows
        only id and status (no popup).
    candidates : geopandas.GeoDataFrame, optional
        The sites of :func:`lahan_geo.suggest_sites`, drawn as a layer of blue
        footprints whose tooltip names the plot, the site number and the distance.
    title : str, optional
        Page title (browser tab and the box at the top); an Indonesian default otherwise.
    detail_folder : str or None, default "peta_detail"
        Folder of the detail maps relative to where the HTML is saved: each popup of a
        plot that has one links ``<detail_folder>/detail_<id>.png`` (the names of
        :func:`~lahan_geo.outputs.details.detail_names`). None for no links.
    offline : bool, default True
        Put Leaflet inside the page (see above).

    Returns
    -------
    folium.Map
        Display it in Jupyter, or save it with ``m.save("peta.html")``.

    Raises
    ------
    InputError
        Not a screening result, or ``max_features`` not a positive integer.
    LayerError, CRSError
        A layer is not a GeoDataFrame, has no CRS, or the forest layer has no
        ``forest_function``.
    ImportError
        folium is not installed.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> result = gpd.GeoDataFrame(
    ...     {"plot_id": ["P1"], "status": ["verify"], "rules": [["F7"]],
    ...      "reason_id": ["F7: Status kawasan hutan tidak diketahui."]},
    ...     geometry=[Point(112.3, -2.5)], crs="EPSG:4326")
    >>> m = explore(result)
    >>> type(m).__name__, "Status kawasan hutan tidak diketahui" in m.get_root().render()
    ('Map', True)

    """
    from lahan_geo.errors import InputError

    folium = _import_folium()
    result = check_result(result, "explore")
    if isinstance(max_features, bool) or not isinstance(max_features, int) or max_features < 1:
        msg = f"explore(): max_features={max_features!r} must be a positive whole number."
        raise InputError(msg)
    if forest is not None:
        forest = check_layer(forest, "forest", "explore")
    if zoning is not None:
        zoning = check_layer(zoning, "zoning", "explore")
    drawable = valid_mask(result.geometry)
    names = detail_names(result)
    links = [f"{detail_folder.rstrip('/')}/{n}" if detail_folder and n else None
             for n, ok in zip(names, drawable, strict=True) if ok]
    plots = result[drawable]
    plots = plots.to_crs("EPSG:4326") if not plots.crs.equals("EPSG:4326") else plots
    area = _area_of_interest(plots)
    forest = _prepare_layer(forest, area) if forest is not None else None
    zoning = _prepare_layer(zoning, area) if zoning is not None else None

    total = len(plots) + sum(len(lyr) for lyr in (forest, zoning) if lyr is not None)
    light = total > max_features
    if light:
        warnings.warn(
            f"explore(): {total} features (plots and layer polygons) exceed "
            f"max_features={max_features}; drawing a lighter map: polygons simplified by "
            f"{LIGHT_SIMPLIFY_M:g} m and plots as circles showing only id and status. "
            f"Pass max_features={total} for the full map (it may slow the notebook), or "
            "screen fewer plots at a time.",
            UserWarning, stacklevel=2,
        )

    m = folium.Map(location=[-2.5, 118.0], zoom_start=5, tiles=None,
                   control_scale=True, prefer_canvas=light)  # Indonesia until fitted
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (perlu internet)").add_to(m)
    folium.TileLayer("Esri.WorldImagery", name="Citra satelit Esri (perlu internet)",
                     show=False).add_to(m)
    if forest is not None:
        _forest_group(folium, forest, light).add_to(m)
    if zoning is not None:
        _zoning_group(folium, zoning, light).add_to(m)
    if offline:
        _make_offline(folium, m)
    heading = title or _DEFAULT_TITLE
    m.get_root().title = heading
    for group in _plot_groups(folium, plots, light, links):
        group.add_to(m)
    sites = candidate_sites(candidates, "explore")
    if sites is not None and not sites.empty:
        _candidate_group(folium, sites).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _control(folium, f"<b style=\"font-size:13px\">{escape_html(heading)}</b>", "topleft",
             "lahan-geo-title").add_to(m)
    _control(folium, _legend_html(forest is not None, zoning is not None), "bottomleft",
             "lahan-geo-legend").add_to(m)
    invalid = _invalid_html(result, drawable)
    if invalid:
        _control(folium, invalid, "topleft", "lahan-geo-invalid").add_to(m)

    framed = [g for g in (plots, forest, zoning) if g is not None and not g.empty]
    if framed:
        minx, miny, maxx, maxy = framed[0].total_bounds
        pad = 0.005 if math.isclose(minx, maxx) and math.isclose(miny, maxy) else 0.0
        m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    stable_ids(m)
    return m


def stable_ids(element: Any) -> Any:
    """Give a folium map and everything in it ids that depend only on its structure.

    branca names each element with a random id (``map_59d0...``), so two saves of the
    same map differ; numbering the elements in the order they were added (children,
    and elements held as attributes such as a popup's HTML) makes the same inputs give
    the same HTML bytes. Elements added after this call keep their random ids: call it
    again before saving.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = folium.Marker([-2.5, 112.0]).add_to(m)
    >>> [e.get_name() for e in (stable_ids(m), *m._children.values())]
    ['map_00000000000000000000000000000000', 'marker_00000000000000000000000000000001']
    """
    from branca.element import Element

    def parts(node: Any) -> list[Any]:
        held = [v for k, v in sorted(vars(node).items())
                if k not in ("_parent", "_children") and isinstance(v, Element)]
        return [*getattr(node, "_children", {}).values(), *held]

    seen: set[int] = set()
    order = []
    queue = [element]
    while queue:  # breadth first, in the order elements were added
        node = queue.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        queue.extend(parts(node))
    for count, node in enumerate(order):
        node._id = f"{count:032x}"
    for node in order:  # children are keyed by their names: rekey them
        children = getattr(node, "_children", None)
        if children:
            node._children = type(children)((c.get_name(), c) for c in children.values())
    return element
