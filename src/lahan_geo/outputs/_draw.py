"""Drawing helpers and the one colour palette shared by every map of lahan_geo.

The overview map (:mod:`~lahan_geo.outputs.maps`), the detail maps
(:mod:`~lahan_geo.outputs.details`), the PDF dossier (:mod:`~lahan_geo.outputs.dossier`)
and the interactive map (:mod:`~lahan_geo.outputs.explore`) all take their colours
from here. matplotlib is imported inside the functions that draw, never at import.

Palette
-------
The forest functions follow the colours commonly used on the ministry's forest-estate
maps (conservation purple, protection forest dark green, limited production forest
light green, production forest yellow, convertible production forest pink, other use
white). We could NOT confirm them against the ministry's map-drawing standard (Perdirjen
PKTL P.6/PKTL/SETDIT/KUM.1/11/2017 prescribes the legend; its colour table was not
available to us): treat them as "usual", not official. The status colours avoid the
forest hues (clear is blue, not green) and every status marker has a black edge and a
white halo, so a clear plot stays visible on green forest.

Examples
--------
>>> nice_length(7400.0), length_label(500.0)
(1000.0, '0.5 km')
>>> degree_label(112.1234, "lon"), degree_label(-3.5, "lat")
('112°07′24″ BT', '3°30′00″ LS')
>>> sorted(STATUS_COLOURS) == sorted(STATUS_MARKERS)
True

"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import box
from shapely.geometry.polygon import orient

from lahan_geo.errors import CRSError, LayerError
from lahan_geo.outputs._labels import FOREST_FUNCTION_ORDER, forest_function_label
from lahan_geo.outputs._tabular import plain, provenance, valid_mask

__all__ = [
    "BOUNDARY_COLOUR",
    "CANDIDATE_COLOUR",
    "CANDIDATE_LABEL",
    "FOREST_ALPHA",
    "FOREST_COLOURS",
    "OTHER_STATUS_COLOUR",
    "STATUS_COLOURS",
    "STATUS_MARKERS",
    "UNKNOWN_FOREST",
    "ZONING_COLOUR",
    "add_polygons",
    "boundary_layer",
    "candidate_handle",
    "candidate_sites",
    "check_layer",
    "coordinate_ticks",
    "cut_layer",
    "decorate",
    "degree_label",
    "district_name",
    "draw_boundaries",
    "draw_candidates",
    "draw_forest",
    "fit",
    "halo",
    "label_point",
    "length_label",
    "nice_length",
    "place_labels",
    "polygon_paths",
    "sources_line",
]

#: Fill per forest function (see the module notes: usual, not confirmed official).
FOREST_COLOURS: dict[str, str] = {
    "HK": "#b58ad1",  # conservation: purple
    "HL": "#3f9b4a",  # protection: dark green
    "HPT": "#a9d67e",  # limited production: light green
    "HP": "#f1e68a",  # production: yellow
    "HPK": "#f3bcd0",  # convertible production: pink
    "APL": "#fbfaf4",  # other use (not forest estate): white
}
#: Forest fills are drawn this opaque, so plot markers and labels stay readable.
FOREST_ALPHA = 0.8
UNKNOWN_FOREST = "#bdbdbd"
#: Status colours: none of them a forest hue.
STATUS_COLOURS: dict[str, str] = {
    "clear": "#1f66c2",  # blue
    "verify": "#ff9f1c",  # amber
    "needs_clearance": "#e3261c",  # red
    "not_permitted": "#4a0010",  # near-black maroon
}
STATUS_MARKERS: dict[str, str] = {
    "clear": "o", "verify": "D", "needs_clearance": "s", "not_permitted": "X",
}
OTHER_STATUS_COLOUR = "#616161"
#: Colour of the alternative sites of :func:`lahan_geo.suggest_sites` on every map.
CANDIDATE_COLOUR = "#00a3b4"
CANDIDATE_LABEL = "Lokasi alternatif (aman)"
ZONING_COLOUR = "#5e35b1"
#: Village / district boundaries (``within=``).
BOUNDARY_COLOUR = "#303030"


def nice_length(span_m: float) -> float:
    """Return a round length (1, 2 or 5 × 10^k m) near a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    exponent = math.floor(math.log10(target))
    for mantissa in (5, 2, 1):
        length = mantissa * 10.0**exponent
        if length <= target:
            return length
    return 10.0**exponent  # pragma: no cover - the loop always returns


def length_label(length_m: float) -> str:
    """Return ``length_m`` in km for the scale bar."""
    return f"{length_m / 1000:g} km"


def degree_label(value: float, axis: str) -> str:
    """Return a longitude (``axis="lon"``) or latitude as degrees, minutes, seconds."""
    hemisphere = ("BT" if value >= 0 else "BB") if axis == "lon" else (
        "LU" if value >= 0 else "LS")
    seconds = round(abs(value) * 3600)
    return f"{seconds // 3600}°{seconds % 3600 // 60:02d}′{seconds % 60:02d}″ {hemisphere}"


def polygon_paths(geoms: Sequence[Any]) -> list[Any]:
    """Return one matplotlib path per polygon part (holes kept) of ``geoms``."""
    from matplotlib.path import Path as MplPath

    values = np.asarray([g for g in geoms if g is not None], dtype=object)
    if values.size == 0:
        return []
    parts = shapely.get_parts(shapely.get_parts(values))
    polygons = parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]
    paths = []
    for polygon in polygons:
        polygon = orient(polygon, sign=1.0)
        vertices: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            ring_codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            vertices.append(coords)
            codes.append(ring_codes)
        paths.append(MplPath(np.concatenate(vertices), np.concatenate(codes)))
    return paths


def add_polygons(ax: Any, geoms: Sequence[Any], **style: Any) -> None:
    """Add the polygons of ``geoms`` to ``ax`` as one collection styled by ``style``."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    paths = polygon_paths(geoms)
    if paths:
        patches = [PathPatch(path) for path in paths]
        ax.add_collection(PatchCollection(patches, **style), autolim=False)


def halo(width: float = 2.5) -> list[Any]:
    """Return path effects drawing a white outline behind text (readable on any fill)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def label_point(area: Any) -> Any:
    """Return the point of ``area`` farthest from its edges (its largest part's pole).

    Used to place a name where it has the most room, away from what ``area`` excludes.

    Examples
    --------
    >>> label_point(box(0, 0, 10, 2)).y
    1.0

    """
    from shapely.ops import polylabel

    parts = [p for p in shapely.get_parts(area) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return shapely.point_on_surface(area)
    largest = max(parts, key=lambda p: p.area)
    return polylabel(largest, tolerance=max(largest.area ** 0.5 / 50, 1e-9))


def check_layer(layer: Any, role: str, writer: str = "plot_overview") -> gpd.GeoDataFrame:
    """Return ``layer`` when it is a GeoDataFrame with a CRS; raise a one-line error otherwise."""
    if not isinstance(layer, gpd.GeoDataFrame):
        msg = (
            f"{writer}(): {role} must be a GeoDataFrame, got {type(layer).__name__}. "
            "Fix: pass the layer as loaded with geopandas or lahan_geo."
        )
        raise LayerError(msg)
    if layer.crs is None:
        msg = (
            f"{writer}(): the {role} layer has no coordinate reference system. "
            "Fix: set it with layer.set_crs(...)."
        )
        raise CRSError(msg)
    return layer


def boundary_layer(within: Any, writer: str = "plot_overview") -> gpd.GeoDataFrame | None:
    """Return the ``within=`` boundaries as a GeoDataFrame; a path is read like ``screen`` does.

    A path is read with :func:`lahan_geo.intake.boundary.load_boundary`; its file name
    is kept in ``attrs["source"]`` for the maps' source line.
    """
    if within is None or isinstance(within, gpd.GeoDataFrame):
        return None if within is None else check_layer(within, "within", writer)
    from lahan_geo.intake.boundary import load_boundary

    frame = load_boundary(within).frame
    frame.attrs["source"] = os.path.basename(os.fspath(within))
    return frame


def cut_layer(layer: gpd.GeoDataFrame, crs: CRS, window: Any) -> gpd.GeoDataFrame:
    """Keep the features of ``layer`` inside ``window`` (a box in ``crs``), in ``crs``."""
    layer = layer[valid_mask(layer.geometry)]
    window_in_layer = gpd.GeoSeries([window], crs=crs).to_crs(layer.crs).iloc[0]
    hits = np.sort(layer.sindex.query(window_in_layer, predicate="intersects"))
    projected = layer.iloc[hits].to_crs(crs)
    if len(projected):
        geoms = np.asarray(projected.geometry.array, dtype=object)
        clipped = shapely.clip_by_rect(geoms, *window.bounds)
        projected = projected.set_geometry(
            gpd.GeoSeries(clipped, index=projected.index, crs=crs)
        )
    return projected


def add_outlines(ax: Any, layer: gpd.GeoDataFrame, crs: CRS, window: Any,
                 box: Any = None, **style: Any) -> None:
    """Draw the edges of a layer's polygons within ``window``, but not along ``box``.

    ``box`` is where a layer read only around the plots was cut
    (:func:`lahan_geo.layers.window.read_box`, in the layer's CRS): drawn, those
    straight edges would look like a boundary of the plan.
    """
    from matplotlib.collections import LineCollection

    cut = cut_layer(layer, crs, window)
    lines = shapely.boundary(np.asarray(cut.geometry.array, dtype=object))
    if box is not None and len(lines):
        edge = gpd.GeoSeries([shapely.segmentize(box.exterior, (box.length or 1.0) / 400)],
                             crs=layer.crs).to_crs(crs).iloc[0]
        lines = shapely.difference(lines, shapely.buffer(edge, 1.0))
    parts = shapely.get_parts(lines[~shapely.is_empty(lines)]) if len(lines) else []
    ax.add_collection(LineCollection([shapely.get_coordinates(p) for p in parts], **style))


def fit(window: Any, ratio: float) -> Any:
    """Grow ``window`` so its width/height equals ``ratio`` (the axes' shape)."""
    minx, miny, maxx, maxy = window.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hx, hy = (maxx - minx) / 2, (maxy - miny) / 2
    if hx < hy * ratio:
        hx = hy * ratio
    else:
        hy = hx / ratio
    return box(cx - hx, cy - hy, cx + hx, cy + hy)


def draw_forest(ax: Any, forest: gpd.GeoDataFrame, writer: str = "plot_overview") -> list[Any]:
    """Fill the forest functions; return their legend handles (strictest first)."""
    from matplotlib.patches import Patch

    if "forest_function" not in forest.columns:
        msg = (
            f"{writer}(): the forest layer has no 'forest_function' column. "
            "Fix: pass the normalized forest layer (functions HK, HL, HP, HPT, HPK, APL)."
        )
        raise LayerError(msg)
    codes = [str(v) if isinstance(v, str) else None for v in forest["forest_function"]]
    codes = [c if c in FOREST_COLOURS else None for c in codes]
    geoms = list(forest.geometry.array)
    handles: list[Any] = []
    for code in (*FOREST_FUNCTION_ORDER, None):
        selected = [g for g, c in zip(geoms, codes, strict=True) if c == code]
        if not selected:
            continue
        if code is None:
            style = {"facecolor": UNKNOWN_FOREST, "hatch": "///", "edgecolor": "#757575"}
            label = "Tidak diketahui"
        else:
            style = {"facecolor": FOREST_COLOURS[code], "edgecolor": "#7a7a7a"}
            label = forest_function_label(code)
        add_polygons(ax, selected, linewidth=0.3, zorder=1, alpha=FOREST_ALPHA, **style)
        handles.append(Patch(label=label, linewidth=0.3, alpha=FOREST_ALPHA, **style))
    return handles


def draw_boundaries(ax: Any, within: gpd.GeoDataFrame, *, labels: bool = False,
                    fontsize: float = 6.5, keep_clear: Any = None,
                    placed: list[Any] | None = None) -> Any:
    """Draw village/district outlines (already in the map CRS); return the legend handle.

    With ``labels``, each boundary's name (``nama``, ``desa``, ``NAMOBJ``...) is written
    at a point inside it, outside ``keep_clear`` (e.g. the plot and the north arrow);
    each label's point is appended to ``placed`` when given.
    """
    from matplotlib.lines import Line2D

    geoms = list(within.geometry.array)
    add_polygons(ax, geoms, facecolor="none", edgecolor=BOUNDARY_COLOUR, linewidth=0.7,
                 linestyles=(0, (4, 2, 1, 2)), zorder=3.5)
    column = next((c for c in ("nama", "desa", "NAMOBJ", "namobj", "name", "WADMKD")
                   if c in within.columns), None)
    if labels and column is not None:
        for name, geom in zip(within[column].tolist(), geoms, strict=True):
            if geom is None or geom.is_empty or plain(name) is None:
                continue
            room = geom.difference(keep_clear) if keep_clear is not None else geom
            if room.is_empty or room.area < 0.02 * geom.area:
                continue
            spot = label_point(room)
            if placed is not None:
                placed.append(spot)
            ax.text(spot.x, spot.y, str(plain(name)).replace("$", r"\$"), fontsize=fontsize,
                    color=BOUNDARY_COLOUR, style="italic", ha="center", va="center",
                    zorder=3.6, clip_on=True, path_effects=halo(2.0))
    return Line2D([], [], color=BOUNDARY_COLOUR, linewidth=0.9, linestyle=(0, (4, 2, 1, 2)),
                  label="Batas desa/wilayah")


def candidate_sites(candidates: gpd.GeoDataFrame | None, writer: str = "plot_overview"
                    ) -> gpd.GeoDataFrame | None:
    """Return the sites (``candidate`` >= 1, with a geometry) in EPSG:4326, or None."""
    if candidates is None:
        return None
    from lahan_geo.outputs._extra_sheets import check_candidates

    candidates = check_candidates(candidates, writer)
    numbers = np.asarray([plain(v) or 0 for v in candidates["candidate"].tolist()])
    chosen = candidates[(numbers >= 1) & valid_mask(candidates.geometry)]
    return chosen.to_crs("EPSG:4326")


def candidate_handle(count: int) -> Any:
    """Return the legend entry of the alternative sites."""
    from matplotlib.lines import Line2D

    return Line2D([], [], linestyle="none", marker="*", markersize=11,
                  markerfacecolor=CANDIDATE_COLOUR, markeredgecolor="black",
                  label=f"{CANDIDATE_LABEL} ({count})")


def draw_candidates(ax: Any, sites: gpd.GeoDataFrame, marker_size: float,
                    labels: bool = False, fontsize: float = 7) -> None:
    """Draw site footprints and a star at each centre (``sites`` already in the map CRS)."""
    geoms = list(sites.geometry.array)
    add_polygons(ax, geoms, facecolor=CANDIDATE_COLOUR, edgecolor=CANDIDATE_COLOUR, alpha=0.35,
                 linewidth=1.0, zorder=5)
    if geoms:
        centres = shapely.centroid(np.asarray(geoms, dtype=object))
        xs, ys = shapely.get_x(centres), shapely.get_y(centres)
        ax.scatter(xs, ys, s=marker_size, marker="*", c=CANDIDATE_COLOUR, edgecolors="black",
                   linewidths=0.6, zorder=6)
        if labels:
            for number, x, y in zip(sites["candidate"].tolist(), xs, ys, strict=True):
                ax.annotate(str(plain(number)), (x, y), xytext=(5, -9),
                            textcoords="offset points", fontsize=fontsize,
                            color="#00606b", fontweight="bold", zorder=8, clip_on=True,
                            path_effects=halo())


# Label positions tried in turn (points from the marker): right, left, above, below, diagonals.
_OFFSETS = ((6, 3), (-6, 3), (0, 8), (0, -10), (6, -9), (-6, -9), (6, 10), (-6, 10),
            (14, 0), (-14, 0), (0, 18), (0, -18))


def place_labels(ax: Any, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str],
                 fontsize: float, **style: Any) -> None:
    """Write ``texts`` beside the points, each at the first offset that overlaps no other.

    Positions are tried in a fixed order (right, left, above, below, ...), so the same
    map gives the same placement. A label that finds no free place takes the first.
    """
    fig = ax.figure
    to_pixels = ax.transData.transform
    dpi_scale = fig.dpi / 72.0
    taken: list[tuple[float, float, float, float]] = []
    points = to_pixels(np.column_stack([xs, ys])) if len(xs) else np.empty((0, 2))
    for (px, py) in points:  # the markers themselves are taken
        r = 4 * dpi_scale
        taken.append((px - r, py - r, px + r, py + r))
    for (px, py), text in zip(points, texts, strict=True):
        width = 0.6 * fontsize * len(text) * dpi_scale
        height = 1.1 * fontsize * dpi_scale
        chosen = None
        for dx, dy in _OFFSETS:
            ox, oy = px + dx * dpi_scale, py + dy * dpi_scale
            left = ox - width if dx < 0 else (ox - width / 2 if dx == 0 else ox)
            rect = (left, oy - height / 2, left + width, oy + height / 2)
            if not any(rect[0] < t[2] and t[0] < rect[2] and rect[1] < t[3] and t[1] < rect[3]
                       for t in taken):
                chosen = (dx, dy, rect)
                break
        if chosen is None:
            dx, dy = _OFFSETS[0]
            left = px + dx * dpi_scale
            chosen = (dx, dy, (left, py - height / 2, left + width, py + height / 2))
        dx, dy, rect = chosen
        taken.append(rect)
        ha = "right" if dx < 0 else ("center" if dx == 0 else "left")
        ax.annotate(text.replace("$", r"\$"), ax.transData.inverted().transform((px, py)),
                    xytext=(dx, dy), textcoords="offset points", ha=ha, va="center",
                    fontsize=fontsize, zorder=7, clip_on=True, path_effects=halo(), **style)


def coordinate_ticks(ax: Any, crs: CRS, window: Any, fontsize: float = 6.5) -> None:
    """Label the map frame with longitudes (bottom) and latitudes (left) in degrees.

    The map is drawn in UTM; ticks are placed where round geographic values cross the
    bottom and left edges (a UTM zone is close enough to north-up at these extents).
    """
    from pyproj import Transformer

    minx, miny, maxx, maxy = window.bounds
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon0, lat0 = to_geo.transform(minx, miny)
    lon1, lat1 = to_geo.transform(maxx, maxy)
    step = _degree_step(max(lon1 - lon0, lat1 - lat0))
    lons = np.arange(math.ceil(lon0 / step) * step, lon1, step)
    lats = np.arange(math.ceil(lat0 / step) * step, lat1, step)
    xticks = [to_map.transform(lon, lat0)[0] for lon in lons]
    yticks = [to_map.transform(lon0, lat)[1] for lat in lats]
    ax.set_xticks(xticks, [degree_label(v, "lon") for v in lons], fontsize=fontsize)
    ax.set_yticks(yticks, [degree_label(v, "lat") for v in lats], fontsize=fontsize,
                  rotation=90, va="center")
    ax.tick_params(length=3, pad=2, direction="out")


def _degree_step(span_deg: float) -> float:
    """Return a round step (in degrees) giving 2-5 ticks over ``span_deg``."""
    for step in (1 / 3600 * s for s in (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                        7200, 18000, 36000)):
        if span_deg / step <= 4:
            return step
    return 10.0


def decorate(ax: Any, window: Any, scale: float) -> Any:
    """Add a scale bar (lower right) and a north arrow (upper right).

    Returns
    -------
    shapely.geometry.Polygon
        The part of the map (in data coordinates) the arrow and the bar cover, for
        label placement to avoid.
    """
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    minx, miny, maxx, maxy = window.bounds
    span = maxx - minx
    length = nice_length(span)
    bar = AnchoredSizeBar(
        ax.transData, length, length_label(length), "lower right", pad=0.6,
        borderpad=0.8, sep=4, frameon=True, size_vertical=span / 250,
        fontproperties=FontProperties(size=8 * scale),
    )
    bar.patch.set_alpha(0.8)
    ax.add_artist(bar)
    ax.annotate("", xy=(0.94, 0.95), xytext=(0.94, 0.85), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "width": 3, "headwidth": 11}, zorder=9)
    ax.text(0.94, 0.82, "U", transform=ax.transAxes, ha="center", va="top",
            fontsize=12 * scale, fontweight="bold", zorder=9, path_effects=halo())
    height = maxy - miny
    arrow = box(minx + 0.86 * span, miny + 0.74 * height, maxx, maxy)
    scalebar = box(minx + 0.62 * span, miny, maxx, miny + 0.12 * height)
    return arrow.union(scalebar)


def district_name(result: gpd.GeoDataFrame, within: gpd.GeoDataFrame | None = None,
                  district: str | None = None) -> str | None:
    """Return the district named by ``district``, else the one ``kabupaten`` value.

    The plots' ``kabupaten`` (or ``kabupaten_kota``/``kab_kota``) column is read first,
    then the same columns of ``within``; a name is used only when it is the single
    value there.

    Examples
    --------
    >>> import pandas as pd
    >>> district_name(pd.DataFrame({"kabupaten": ["Seruyan", "Seruyan"]}))
    'Seruyan'
    >>> district_name(pd.DataFrame({"kabupaten": ["A", "B"]})) is None
    True

    """
    if district:
        return str(district)
    for frame in (result, within):
        if frame is None:
            continue
        column = next((c for c in ("kabupaten", "kabupaten_kota", "kab_kota", "WADMKK")
                       if c in frame.columns), None)
        if column is None:
            continue
        values = {str(plain(v)).strip() for v in frame[column].tolist() if plain(v) is not None}
        values.discard("")
        if len(values) == 1:
            return values.pop()
    return None


def sources_line(result: gpd.GeoDataFrame, within: gpd.GeoDataFrame | None = None) -> str:
    """Return the data sources of the maps, from the layers' provenance, in Indonesian.

    Forest: its decree numbers (else those the plots' ``forest_decree`` cite) and file
    name; zoning: its file name and scale;
    boundaries: named when given. Only file names are shown, never a local folder.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["lahan_geo"] = {"rules_version": "2026.11.0", "layers": {
    ...     "forest": {"path": "/data/kh.gpkg", "decrees": ["SK.529/Menhut-II/2012"],
    ...                "scale": 250000},
    ...     "zoning": {"path": "/data/rtrw.gpkg", "scale": 50000}}}
    >>> sources_line(frame).split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['Sumber: Kawasan hutan SK.529/Menhut-II/2012 (kh.gpkg, 1:250.000)',
     'Pola ruang/RTRW (rtrw.gpkg, 1:50.000)', 'Aturan versi 2026.11.0']

    """
    meta = provenance(result)
    layers = meta.get("layers") if isinstance(meta.get("layers"), dict) else {}
    parts = []
    forest = layers.get("forest") if isinstance(layers.get("forest"), dict) else None
    if forest:
        decrees = [str(d) for d in forest.get("decrees") or [] if d]
        if not decrees and "forest_decree" in result.columns:  # the decrees the plots cite
            decrees = sorted({str(plain(d)) for d in result["forest_decree"].tolist()
                              if plain(d) is not None})
        text = "Kawasan hutan " + (", ".join(decrees) if decrees else "(nomor SK tidak tercatat)")
        parts.append(f"{text} ({_file_and_scale(forest)})")
    zoning = layers.get("zoning") if isinstance(layers.get("zoning"), dict) else None
    if zoning:
        parts.append(f"Pola ruang/RTRW ({_file_and_scale(zoning)})")
    if within is not None:
        parts.append("Batas wilayah: " + (_base(within.attrs.get("source")) or "lapisan within"))
    if meta.get("rules_version"):
        parts.append(f"Aturan versi {meta['rules_version']}")
    return "Sumber: " + ("; ".join(parts) if parts else "tidak tercatat")


def _base(path: object) -> str:
    text = plain(path)
    return os.path.basename(str(text).replace("\\", "/")) if text else ""


def _file_and_scale(layer: dict[str, Any]) -> str:
    """File name, scale and, for a layer read around the plots only, how far.

    Examples
    --------
    >>> _file_and_scale({"path": "/d/kh.shp", "scale": 250000,
    ...                  "window": {"margin_m": 10125.0}})
    'kh.shp, 1:250.000, dibaca hanya 10 km di sekitar lahan'
    """
    name = _base(layer.get("path")) or "berkas tidak tercatat"
    scale = plain(layer.get("scale"))
    if isinstance(scale, int | float) and not isinstance(scale, bool) and scale > 0:
        name = f"{name}, 1:{int(scale):,}".replace(",", ".").replace(". 1:", ", 1:")
    window = layer.get("window") if isinstance(layer.get("window"), dict) else None
    margin = plain(window.get("margin_m")) if window else None
    if isinstance(margin, int | float) and not isinstance(margin, bool):
        km = f"{margin / 1000:,.0f}" if margin >= 1000 else f"{margin / 1000:.1f}".replace(
            ".", ",")
        name += f", dibaca hanya {km} km di sekitar lahan"
    return name
