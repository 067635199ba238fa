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
>>> date_label() in [t.get_text() for t in fig.texts]  # the line under the title
True

"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import box

from lahan_geo.errors import InputError
from lahan_geo.layers.window import read_box
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path
from lahan_geo.outputs._draw import (
    OTHER_STATUS_COLOUR,
    STATUS_COLOURS,
    STATUS_MARKERS,
    ZONING_COLOUR,
    add_outlines,
    add_polygons,
    boundary_layer,
    candidate_handle,
    candidate_sites,
    check_layer,
    coordinate_ticks,
    cut_layer,
    decorate,
    district_name,
    draw_boundaries,
    draw_candidates,
    draw_forest,
    fit,
    place_labels,
    sources_line,
)
from lahan_geo.outputs._labels import STATUS_ORDER, status_label
from lahan_geo.outputs._tabular import check_result, valid_mask, without_attrs

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["MAX_IDS", "date_label", "map_subtitle", "plot_overview"]

_MIN_HALF_EXTENT_M = 1000.0
_MARGIN_M = 500.0
#: Up to this many plots every id is written; above it only the ids of plots not clear.
_MAX_LABELLED_PLOTS = 30
#: Above this many plots the markers shrink (so that they do not cover one another) and
#: the most severe statuses are drawn on top.
_MANY_PLOTS = 500
#: At most this many ids are written, the most severe statuses first: a province's
#: thousands of ids would hide the map and take minutes to place and draw; the legend
#: says how many were written.
MAX_IDS = 200
_MAP_RECT = (0.07, 0.25, 0.89, 0.655)  # left, bottom, width, height (figure fraction)
_LEGEND_TOP = 0.205
_DEFAULT_TITLE = "Lahan usulan gerai koperasi: kawasan hutan dan pola ruang"
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember")


def date_label(day: dt.date | str | None = None) -> str:
    """Return ``day`` (today when None) as an Indonesian date, e.g. ``3 Desember 2026``.

    Examples
    --------
    >>> date_label(dt.date(2026, 12, 3)), date_label("3 Des 2026")
    ('3 Desember 2026', '3 Des 2026')

    """
    if isinstance(day, str):
        return day
    day = day or dt.date.today()
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def map_subtitle(result: gpd.GeoDataFrame, within: gpd.GeoDataFrame | None = None,
                 district: str | None = None, day: dt.date | str | None = None) -> str:
    """Return the line under a map title: district (when known) and date.

    Examples
    --------
    >>> import pandas as pd
    >>> map_subtitle(pd.DataFrame({"kabupaten": ["Seruyan"]}), day=dt.date(2026, 1, 5))
    'Kabupaten Seruyan · 5 Januari 2026'

    """
    name = district_name(result, within, district)
    parts = []
    if name:
        lower = name.lower()
        parts.append(name if lower.startswith(("kabupaten", "kota", "kab.")) else
                     f"Kabupaten {name}")
    parts.append(date_label(day))
    return " · ".join(parts)


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


def _draw_plots(ax: Any, plots: gpd.GeoDataFrame, scale: float) -> tuple[int, int]:
    """Draw each plot's footprint and a status marker; label the ids that matter.

    Returns the number of ids written and of ids that would have been written.
    """
    statuses = [str(s) for s in plots["status"]]
    geoms = list(plots.geometry.array)
    for status in sorted({*statuses}):
        colour = STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)
        selected = [g for g, s in zip(geoms, statuses, strict=True) if s == status]
        add_polygons(ax, selected, facecolor=colour, edgecolor="black", alpha=0.6,
                     linewidth=0.8, zorder=4)
    centres = shapely.centroid(np.asarray(geoms, dtype=object))
    xs, ys = shapely.get_x(centres), shapely.get_y(centres)
    layers = [*STATUS_ORDER, *sorted(set(statuses) - set(STATUS_ORDER))]
    size, edge = scale, 0.8
    if len(plots) > _MANY_PLOTS:  # smaller markers, the most severe drawn last (on top)
        size, edge = scale * (_MANY_PLOTS / len(plots)) ** 0.5, 0.3
        layers = layers[::-1]
    for status in layers:
        chosen = np.array([s == status for s in statuses], dtype=bool)
        if chosen.any():
            # a white ring under the black-edged marker: visible on any forest colour
            ax.scatter(xs[chosen], ys[chosen], s=95 * size, marker=STATUS_MARKERS.get(
                status, "o"), c="white", edgecolors="none", zorder=5)
            ax.scatter(
                xs[chosen], ys[chosen], s=48 * size, marker=STATUS_MARKERS.get(status, "o"),
                c=STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR), edgecolors="black",
                linewidths=edge, zorder=5.5,
            )
    everyone = len(plots) <= _MAX_LABELLED_PLOTS
    keep = [everyone or s != "clear" for s in statuses]
    # the most severe first, so they get the best places
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    order = sorted((i for i, k in enumerate(keep) if k), key=lambda i: rank.get(statuses[i], 9))
    shown = order[:MAX_IDS]
    place_labels(ax, [xs[i] for i in shown], [ys[i] for i in shown],
                 [str(plots["plot_id"].iloc[i]) for i in shown], 6.5 * scale,
                 fontweight="bold")
    return len(shown), len(order)


def _status_handles(result: gpd.GeoDataFrame, drawn: gpd.GeoDataFrame) -> list[Any]:
    from matplotlib.lines import Line2D

    counts = Counter(str(s) for s in result["status"])
    handles: list[Any] = []
    for status in ("clear", "verify", "needs_clearance", "not_permitted"):
        handles.append(Line2D(
            [], [], linestyle="none", marker=STATUS_MARKERS[status], markersize=7,
            markerfacecolor=STATUS_COLOURS[status], markeredgecolor="black",
            label=f"{status_label(status)} ({counts.get(status, 0)})",
        ))
    for status in sorted(set(counts) - set(STATUS_ORDER)):
        handles.append(Line2D(
            [], [], linestyle="none", marker="o", markersize=7,
            markerfacecolor=OTHER_STATUS_COLOUR, markeredgecolor="black",
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
    within: gpd.GeoDataFrame | PathLike | None = None,
    district: str | None = None,
    date: dt.date | str | None = None,
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
        star, counted in the status legend; the map is framed to show them too.
    within : geopandas.GeoDataFrame or path, optional
        Village or district boundaries (e.g. the ``--within`` file), drawn as dash-dot
        outlines. Any CRS.
    district : str, optional
        District name for the line under the title; otherwise the single value of a
        ``kabupaten`` column of the plots or of ``within``.
    date : datetime.date or str, optional
        Date shown under the title (today when omitted).

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
    geometry), its frame labelled in degrees. Every plot that is not clear gets its id
    (every plot, up to 30 plots), placed beside its marker where it overlaps no other
    label; at most :data:`MAX_IDS` ids are written, the most severe statuses first, and
    the legend then says how many of how many (above 500 plots the markers shrink and
    the most severe are drawn on top). Plots without geometry (invalid rows) are not
    drawn but counted in the legend. The data sources (forest decrees, zoning file,
    rules version) are printed under the legend. A map with nothing to draw still
    renders, with a message.

    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    target = check_output_path(path, (".png",)) if path is not None else None
    result = check_result(result, "plot_overview")
    if len(figsize) != 2 or min(figsize) <= 0 or dpi <= 0:
        msg = f"plot_overview(): figsize {figsize!r} and dpi {dpi!r} must be positive."
        raise InputError(msg)
    # drawn from copies without attrs: pandas deep-copies attrs (the rule set, a layer's
    # provenance) into every frame cut from another; the source line reads ``result``'s
    drawn = without_attrs(result)[valid_mask(result.geometry)].to_crs("EPSG:4326")
    forest = without_attrs(check_layer(forest, "forest")) if forest is not None else None
    zoning_box = read_box(check_layer(zoning, "zoning")) if zoning is not None else None
    zoning = without_attrs(check_layer(zoning, "zoning")) if zoning is not None else None
    within = boundary_layer(within)
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
        window = fit(window, ratio)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.suptitle(title or _DEFAULT_TITLE, fontsize=13 * scale, y=0.975, wrap=True,
                 fontweight="bold")
    fig.text(0.5, 0.938, map_subtitle(result, within, district, date), ha="center",
             fontsize=10 * scale, color="#303030")
    forest_handles: list[Any] = []
    other_handles: list[Any] = []
    ids = (0, 0)  # ids written, ids to write
    if crs is not None:
        if forest is not None:
            forest_handles = draw_forest(ax, cut_layer(forest, crs, window))
        if zoning is not None:
            add_outlines(ax, zoning, crs, window, zoning_box, colors=ZONING_COLOUR,
                         linewidths=0.8, zorder=3)
            other_handles.append(Line2D([], [], color=ZONING_COLOUR, linewidth=1.0,
                                        label="Batas zona pola ruang"))
        if within is not None:
            other_handles.append(draw_boundaries(ax, cut_layer(within, crs, window)))
        if not drawn.empty:
            ids = _draw_plots(ax, drawn.to_crs(crs), scale)
        if sites is not None:
            draw_candidates(ax, sites.to_crs(crs), 90 * scale)
        minx, miny, maxx, maxy = window.bounds
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        ax.set_aspect("equal", adjustable="box")
        decorate(ax, window, scale)
        coordinate_ticks(ax, crs, window, 6.5 * scale)
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
    if ids[0] < ids[1]:
        status_handles.append(Line2D([], [], linestyle="none", marker="", label=(
            f"ID ditulis: {ids[0]:,} dari {ids[1]:,} lahan").replace(",", ".")))
    if sites is not None:
        status_handles.append(candidate_handle(len(sites)))
    fig.legend(handles=status_handles, title="Status lahan",
               bbox_to_anchor=(0.04, _LEGEND_TOP), **legend_style)
    if forest_handles:
        fig.legend(handles=forest_handles, title="Fungsi kawasan hutan",
                   bbox_to_anchor=(0.40, _LEGEND_TOP), **legend_style)
    if other_handles:
        fig.legend(handles=other_handles, title="Batas",
                   bbox_to_anchor=(0.76, _LEGEND_TOP), **legend_style)
    footer = sources_line(result, within)
    if crs is not None:
        footer += f" · Proyeksi: {crs.name}"
    width = int(figsize[0] * 72 * 0.9 / (6.5 * scale * 0.56))  # characters per line
    fig.text(0.04, 0.055, textwrap.fill(footer, width), fontsize=6.5 * scale, color="#424242",
             va="bottom")
    if note:
        fig.text(0.96, 0.035, note, ha="right", fontsize=8 * scale, style="italic", color="#424242")
    if target is not None:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi)
    return fig
