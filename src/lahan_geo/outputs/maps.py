"""An overview map of the screened plots over the forest estate and the spatial plan.

The map is drawn in the plots' UTM zone, so the scale bar gives true distances. It
uses :class:`matplotlib.figure.Figure` with the Agg canvas directly: nothing opens a
window and no pyplot state is touched.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> result = gpd.GeoDataFrame(
...     {"plot_id": ["P1", "P2"], "status": ["clear", "invalid"]},
...     geometry=[Point(113.0, -2.5), None], crs="EPSG:4326")
>>> fig = plot_overview(result, figsize=(4, 5), dpi=50)
>>> fig.get_size_inches().tolist()
[4.0, 5.0]
>>> _nice_length(7400.0), _length_label(500.0)
(1000.0, '0.5 km')

"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from pyproj import CRS
from shapely.geometry import box
from shapely.geometry.polygon import orient

from lahan_geo.errors import CRSError, InputError, LayerError
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path
from lahan_geo.outputs._labels import (
    FOREST_FUNCTION_ORDER,
    STATUS_ORDER,
    forest_function_label,
    status_label,
)
from lahan_geo.outputs._tabular import check_result, plain, valid_mask

__all__ = [
    "CANDIDATE_COLOUR",
    "CANDIDATE_LABEL",
    "FOREST_COLOURS",
    "STATUS_COLOURS",
    "candidate_handle",
    "candidate_sites",
    "draw_candidates",
    "plot_overview",
]

FOREST_COLOURS: dict[str, str] = {
    "HK": "#1b5e20",  # dark green
    "HL": "#43a047",  # green
    "HPT": "#8d9a2f",  # olive
    "HP": "#aed581",  # light green
    "HPK": "#d4e157",  # yellow-green
    "APL": "#f5efdc",  # cream
}
_UNKNOWN_FOREST = "#bdbdbd"

STATUS_COLOURS: dict[str, str] = {
    "clear": "#2e9d3a",
    "verify": "#ff9800",
    "needs_clearance": "#f4511e",
    "not_permitted": "#7f0000",
}
_STATUS_MARKERS = {"clear": "o", "verify": "D", "needs_clearance": "s", "not_permitted": "X"}
_OTHER_STATUS_COLOUR = "#616161"
#: Colour of the alternative sites of :func:`lahan_geo.suggest_sites` on every map.
CANDIDATE_COLOUR = "#1565c0"
CANDIDATE_LABEL = "Lokasi alternatif (aman)"
_ZONING_COLOUR = "#5e35b1"
_MIN_HALF_EXTENT_M = 1000.0
_MARGIN_M = 500.0
_MAX_LABELLED_PLOTS = 30
_MAP_RECT = (0.04, 0.24, 0.92, 0.69)  # left, bottom, width, height (figure fraction)
_LEGEND_TOP = 0.225
_DEFAULT_TITLE = "Lahan usulan gerai koperasi: kawasan hutan dan pola ruang"


def _nice_length(span_m: float) -> float:
    """Return a round length (1, 2 or 5 × 10^k m) near a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    exponent = math.floor(math.log10(target))
    for mantissa in (5, 2, 1):
        length = mantissa * 10.0**exponent
        if length <= target:
            return length
    return 10.0**exponent  # pragma: no cover - the loop always returns


def _length_label(length_m: float) -> str:
    return f"{length_m / 1000:g} km"


def _polygon_paths(geoms: Sequence[Any]) -> list[MplPath]:
    """Return one matplotlib path per polygon part (holes kept) of ``geoms``."""
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


def _add_polygons(ax: Any, geoms: Sequence[Any], **style: Any) -> None:
    paths = _polygon_paths(geoms)
    if paths:
        patches = [PathPatch(path) for path in paths]
        ax.add_collection(PatchCollection(patches, **style), autolim=False)


def _check_layer(layer: Any, role: str, writer: str = "plot_overview") -> gpd.GeoDataFrame:
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


def _cut_layer(layer: gpd.GeoDataFrame, crs: CRS, window: Any) -> gpd.GeoDataFrame:
    """Keep the features of ``layer`` inside ``window`` (a box in ``crs``), in ``crs``."""
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


def _frame(
    plots: gpd.GeoDataFrame, layers: list[gpd.GeoDataFrame]
) -> tuple[CRS | None, Any | None]:
    """Choose the UTM CRS and the map window (a box in that CRS)."""
    source = plots
    if source.empty:
        nonempty = [lyr[valid_mask(lyr.geometry)] for lyr in layers]
        nonempty = [lyr for lyr in nonempty if not lyr.empty]
        if not nonempty:
            return None, None
        source = nonempty[0].to_crs("EPSG:4326")
    crs = source.estimate_utm_crs()
    minx, miny, maxx, maxy = source.to_crs(crs).total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = max(maxx - minx, maxy - miny) / 2
    if not plots.empty:  # leave a margin around the plots
        half = half * 1.15 + _MARGIN_M
    half = max(half, _MIN_HALF_EXTENT_M)
    return crs, box(cx - half, cy - half, cx + half, cy + half)


def _fit(window: Any, ratio: float) -> Any:
    """Grow ``window`` so its width/height equals ``ratio`` (the axes' shape)."""
    minx, miny, maxx, maxy = window.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hx, hy = (maxx - minx) / 2, (maxy - miny) / 2
    if hx < hy * ratio:
        hx = hy * ratio
    else:
        hy = hx / ratio
    return box(cx - hx, cy - hy, cx + hx, cy + hy)


def _draw_forest(ax: Any, forest: gpd.GeoDataFrame, writer: str = "plot_overview"
                 ) -> list[Any]:
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
            style = {"facecolor": _UNKNOWN_FOREST, "hatch": "///", "edgecolor": "#757575"}
            label = "Tidak diketahui"
        else:
            style = {"facecolor": FOREST_COLOURS[code], "edgecolor": "#5d5d5d"}
            label = forest_function_label(code)
        _add_polygons(ax, selected, linewidth=0.3, zorder=1, **style)
        handles.append(Patch(label=label, linewidth=0.3, **style))
    return handles


def _draw_plots(ax: Any, plots: gpd.GeoDataFrame, scale: float) -> None:
    statuses = [str(s) for s in plots["status"]]
    geoms = list(plots.geometry.array)
    for status in {*statuses}:
        colour = STATUS_COLOURS.get(status, _OTHER_STATUS_COLOUR)
        selected = [g for g, s in zip(geoms, statuses, strict=True) if s == status]
        _add_polygons(ax, selected, facecolor=colour, edgecolor=colour, alpha=0.5,
                      linewidth=1.0, zorder=4)
    centres = shapely.centroid(np.asarray(geoms, dtype=object))
    xs, ys = shapely.get_x(centres), shapely.get_y(centres)
    for status in [*STATUS_ORDER, *sorted(set(statuses) - set(STATUS_ORDER))]:
        chosen = np.array([s == status for s in statuses], dtype=bool)
        if chosen.any():
            ax.scatter(
                xs[chosen], ys[chosen], s=46, marker=_STATUS_MARKERS.get(status, "o"),
                c=STATUS_COLOURS.get(status, _OTHER_STATUS_COLOUR), edgecolors="black",
                linewidths=0.6, zorder=5,
            )
    if len(plots) <= _MAX_LABELLED_PLOTS:
        for pid, x, y in zip(plots["plot_id"], xs, ys, strict=True):
            label = str(pid).replace("$", r"\$")  # a "$...$" id is text, not mathtext
            ax.annotate(label, (x, y), xytext=(5, 4), textcoords="offset points",
                        fontsize=6 * scale, zorder=6, clip_on=True)


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


def candidate_handle(count: int) -> Line2D:
    """Return the legend entry of the alternative sites."""
    return Line2D([], [], linestyle="none", marker="*", markersize=10,
                  markerfacecolor=CANDIDATE_COLOUR, markeredgecolor="white",
                  label=f"{CANDIDATE_LABEL} ({count})")


def draw_candidates(ax: Any, sites: gpd.GeoDataFrame, marker_size: float,
                    labels: bool = False, fontsize: float = 7) -> None:
    """Draw site footprints and a star at each centre (``sites`` already in the map CRS)."""
    geoms = list(sites.geometry.array)
    _add_polygons(ax, geoms, facecolor=CANDIDATE_COLOUR, edgecolor=CANDIDATE_COLOUR, alpha=0.35,
                  linewidth=1.0, zorder=5)
    if geoms:
        centres = shapely.centroid(np.asarray(geoms, dtype=object))
        xs, ys = shapely.get_x(centres), shapely.get_y(centres)
        ax.scatter(xs, ys, s=marker_size, marker="*", c=CANDIDATE_COLOUR, edgecolors="white",
                   linewidths=0.6, zorder=6)
        if labels:
            for number, x, y in zip(sites["candidate"].tolist(), xs, ys, strict=True):
                ax.annotate(str(plain(number)), (x, y), xytext=(5, -9),
                            textcoords="offset points", fontsize=fontsize,
                            color=CANDIDATE_COLOUR, fontweight="bold", zorder=8, clip_on=True)


def _status_handles(result: gpd.GeoDataFrame, drawn: gpd.GeoDataFrame) -> list[Any]:
    counts = Counter(str(s) for s in result["status"])
    handles: list[Any] = []
    for status in ("clear", "verify", "needs_clearance", "not_permitted"):
        handles.append(Line2D(
            [], [], linestyle="none", marker=_STATUS_MARKERS[status], markersize=7,
            markerfacecolor=STATUS_COLOURS[status], markeredgecolor="black",
            label=f"{status_label(status)} ({counts.get(status, 0)})",
        ))
    for status in sorted(set(counts) - set(STATUS_ORDER)):
        handles.append(Line2D(
            [], [], linestyle="none", marker="o", markersize=7,
            markerfacecolor=_OTHER_STATUS_COLOUR, markeredgecolor="black",
            label=f"{status} ({counts[status]})",
        ))
    not_drawn = len(result) - len(drawn)
    if counts.get("invalid", 0) or not_drawn:
        handles.append(Line2D(
            [], [], linestyle="none", marker="",
            label=f"{status_label('invalid')} ({counts.get('invalid', 0)}); "
                  f"tidak dipetakan: {not_drawn}",
        ))
    return handles


def _decorate(ax: Any, crs: CRS | None, window: Any, scale: float) -> None:
    """Add a scale bar and a north arrow; the projection as a footnote when ``crs`` is given."""
    span = window.bounds[2] - window.bounds[0]
    length = _nice_length(span)
    bar = AnchoredSizeBar(
        ax.transData, length, _length_label(length), "lower right", pad=0.6,
        borderpad=0.8, sep=4, frameon=True, size_vertical=span / 250,
        fontproperties=FontProperties(size=8 * scale),
    )
    bar.patch.set_alpha(0.8)
    ax.add_artist(bar)
    ax.annotate("", xy=(0.94, 0.95), xytext=(0.94, 0.85), xycoords="axes fraction",
                arrowprops={"facecolor": "black", "width": 3, "headwidth": 11}, zorder=7)
    ax.text(0.94, 0.82, "U", transform=ax.transAxes, ha="center", va="top",
            fontsize=12 * scale, fontweight="bold", zorder=7)
    if crs is not None:
        ax.figure.text(0.04, 0.012, f"Proyeksi: {crs.name}", fontsize=7 * scale,
                       color="#424242")


def plot_overview(
    result: gpd.GeoDataFrame,
    *,
    forest: gpd.GeoDataFrame | None = None,
    zoning: gpd.GeoDataFrame | None = None,
    path: PathLike | None = None,
    title: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = (10, 12),
    dpi: float = 150,
    candidates: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Draw the plots by status over the forest functions and zoning outlines.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    forest : geopandas.GeoDataFrame, optional
        Forest estate with a ``forest_function`` column (HK, HL, HPT, HP, HPK, APL;
        anything else is drawn hatched grey as unknown). Any CRS.
    zoning : geopandas.GeoDataFrame, optional
        Spatial-plan zones, drawn as outlines only. Any CRS.
    path : str or os.PathLike, optional
        Save the map as PNG here (atomically). Must end in ``.png``.
    title : str, optional
        Map title; a default Indonesian title otherwise.
    note : str, optional
        Footnote, e.g. ``"Data contoh sintetis"``.
    figsize : tuple of float, default (10, 12)
        Figure size in inches.
    dpi : float, default 150
        Resolution of the saved PNG (pixels = figsize × dpi).
    candidates : geopandas.GeoDataFrame, optional
        The sites of :func:`lahan_geo.suggest_sites`: each drawn as its footprint and a
        blue star, counted in the status legend; the map is framed to show them too.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with an Agg canvas (not registered with pyplot).

    Raises
    ------
    InputError
        Not a screening result, a bad ``path`` suffix or figure size.
    LayerError
        A layer is not a GeoDataFrame or the forest layer lacks ``forest_function``.
    CRSError
        A layer has no CRS.

    Notes
    -----
    The map is drawn in the UTM zone of the plots (or of the layers when no plot has a
    geometry). Plots without geometry (invalid rows) are not drawn but counted in the
    legend. A map with nothing to draw still renders, with a message.

    """
    target = check_output_path(path, (".png",)) if path is not None else None
    result = check_result(result, "plot_overview")
    if len(figsize) != 2 or min(figsize) <= 0 or dpi <= 0:
        msg = f"plot_overview(): figsize {figsize!r} and dpi {dpi!r} must be positive."
        raise InputError(msg)
    drawn = result[valid_mask(result.geometry)].to_crs("EPSG:4326")
    if forest is not None:
        forest = _check_layer(forest, "forest")
    if zoning is not None:
        zoning = _check_layer(zoning, "zoning")
    sites = candidate_sites(candidates)
    framed = drawn
    if sites is not None and not sites.empty:
        framed = gpd.GeoDataFrame(geometry=[*drawn.geometry.array, *sites.geometry.array],
                                  crs="EPSG:4326")
    crs, window = _frame(framed, [lyr for lyr in (forest, zoning) if lyr is not None])

    scale = min(1.0, max(0.5, figsize[0] / 10))  # smaller type on small figures
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes(_MAP_RECT)
    if window is not None:
        ratio = (_MAP_RECT[2] * figsize[0]) / (_MAP_RECT[3] * figsize[1])
        window = _fit(window, ratio)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.suptitle(title or _DEFAULT_TITLE, fontsize=13 * scale, y=0.965, wrap=True)
    forest_handles: list[Any] = []
    if crs is not None:
        if forest is not None:
            forest_handles = _draw_forest(ax, _cut_layer(forest, crs, window))
        if zoning is not None:
            zones = _cut_layer(zoning, crs, window)
            _add_polygons(ax, list(zones.geometry.array), facecolor="none",
                          edgecolor=_ZONING_COLOUR, linewidth=0.8, zorder=3)
        if not drawn.empty:
            _draw_plots(ax, drawn.to_crs(crs), scale)
        if sites is not None:
            draw_candidates(ax, sites.to_crs(crs), 70 * scale)
        minx, miny, maxx, maxy = window.bounds
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        ax.set_aspect("equal", adjustable="box")
        _decorate(ax, crs, window, scale)
    if drawn.empty:
        ax.text(0.5, 0.5, "Tidak ada lahan dengan koordinat valid untuk dipetakan",
                transform=ax.transAxes, ha="center", va="center", fontsize=10 * scale,
                wrap=True,
                bbox={"facecolor": "white", "edgecolor": "#9e9e9e"}, zorder=8)

    legend_style = {
        "fontsize": 8 * scale, "title_fontsize": 9 * scale, "frameon": False,
        "loc": "upper left", "alignment": "left",
    }
    status_handles = _status_handles(result, drawn)
    if sites is not None:
        status_handles.append(candidate_handle(len(sites)))
    fig.legend(handles=status_handles, title="Status lahan",
               bbox_to_anchor=(0.04, _LEGEND_TOP), **legend_style)
    if forest_handles:
        fig.legend(handles=forest_handles, title="Fungsi kawasan hutan",
                   bbox_to_anchor=(0.40, _LEGEND_TOP), **legend_style)
    if zoning is not None:
        fig.legend(handles=[Line2D([], [], color=_ZONING_COLOUR, linewidth=1.0,
                                   label="Batas zona pola ruang")],
                   title="Pola ruang", bbox_to_anchor=(0.76, _LEGEND_TOP), **legend_style)
    if note:
        fig.text(0.96, 0.012, note, ha="right", fontsize=8 * scale, style="italic", color="#424242")
    if target is not None:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi)
    return fig
