"""One detail map per plot that needs attention: the plot and the legal layers around it.

Every plot whose status is neither ``clear`` nor ``invalid`` gets a PNG named
``detail_<plot id>.png``: the plot in its own UTM zone with the forest functions (the
colours of :func:`lahan_geo.outputs.plot_overview`), the zoning outlines with their
names, village boundaries, the positional tolerance as a dashed band around the plot,
a scale bar, degree ticks, a locator, and a caption in Indonesian with the rules that
fired and the decisive reason. :func:`draw_plot_map` draws the same map into any
figure (the PDF dossier uses it).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> result = gpd.GeoDataFrame(
...     {"plot_id": ["A/1", "A:1", "B", "C"],
...      "status": ["verify", "needs_clearance", "clear", "invalid"]},
...     geometry=[Point(112.3, -2.5), Point(112.31, -2.5), Point(112.32, -2.5), None],
...     crs="EPSG:4326")
>>> detail_names(result)
['detail_A_1.png', 'detail_A_1_2.png', None, None]
>>> safe_stem("Desa Sungai Undang / Lahan #2")
'Desa_Sungai_Undang_Lahan_2'

"""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import box

from lahan_geo.errors import InputError
from lahan_geo.metric import utm_epsg
from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path
from lahan_geo.outputs._draw import (
    OTHER_STATUS_COLOUR,
    STATUS_COLOURS,
    STATUS_MARKERS,
    ZONING_COLOUR,
    add_polygons,
    boundary_layer,
    candidate_handle,
    candidate_sites,
    check_layer,
    coordinate_ticks,
    cut_layer,
    decorate,
    draw_boundaries,
    draw_candidates,
    draw_forest,
    fit,
    halo,
    label_point,
)
from lahan_geo.outputs._labels import forest_function_label, status_label
from lahan_geo.outputs._tabular import check_result, is_list_like, plain, provenance, valid_mask

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "DETAIL_PREFIX",
    "PlotMap",
    "PlotSites",
    "as_list",
    "decisive_reason",
    "detail_map",
    "detail_names",
    "draw_locator",
    "draw_plot_map",
    "map_text",
    "needs_detail",
    "plot_details",
    "plot_row",
    "prepare_maps",
    "safe_stem",
    "sites_by_plot",
]

#: File names of detail maps are ``DETAIL_PREFIX + safe plot id + ".png"``.
DETAIL_PREFIX = "detail_"
#: Statuses that get no detail map.
_NO_DETAIL = frozenset({"clear", "invalid"})
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_STEM = 80
_FIGSIZE = (9.5, 9.0)
_MAP_RECT = (0.07, 0.29, 0.58, 0.65)  # left, bottom, width, height (figure fraction)
#: The map never shows less than this, nor (boundaries aside) more, around the plot.
_MIN_HALF_M = 250.0
_MAX_HALF_M = 4000.0
_CAPTION_WIDTH = 120  # characters per caption line at the default figure size
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def safe_stem(plot_id: object, fallback: str = "lahan") -> str:
    """Return ``plot_id`` reduced to the characters ``[A-Za-z0-9_.-]``.

    Accents are dropped (``é`` becomes ``e``), every run of other characters becomes
    one ``_``, leading and trailing ``_`` and ``.`` are removed and the result is cut at
    80 characters.

    Parameters
    ----------
    plot_id : object
        The plot id (any value; missing gives ``fallback``).
    fallback : str, default "lahan"
        Returned when nothing usable is left.

    Returns
    -------
    str
        A file-name stem safe on Windows, macOS and Linux.

    Examples
    --------
    >>> safe_stem("KDMP-001"), safe_stem("Désa/02"), safe_stem("  "), safe_stem(None, "baris_3")
    ('KDMP-001', 'Desa_02', 'lahan', 'baris_3')

    """
    value = plain(plot_id)
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("_", text).strip("_.")[:_MAX_STEM].strip("_.")
    return text or fallback


def needs_detail(result: gpd.GeoDataFrame) -> np.ndarray:
    """Return a boolean array: True for the rows that get a detail map.

    A row gets one when its status is neither ``clear`` nor ``invalid`` and it has a
    geometry.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> gdf = gpd.GeoDataFrame({"plot_id": ["a", "b", "c"],
    ...                         "status": ["verify", "clear", "verify"]},
    ...                        geometry=[Point(0, 0), Point(0, 0), None], crs=4326)
    >>> needs_detail(gdf).tolist()
    [True, False, False]

    """
    statuses = [plain(s) for s in result["status"].tolist()]
    flagged = np.array([s is not None and str(s) not in _NO_DETAIL for s in statuses], dtype=bool)
    return flagged & valid_mask(result.geometry)


def detail_names(result: gpd.GeoDataFrame) -> list[str | None]:
    """Return the detail-map file name of every row, None where there is no map.

    Names are ``detail_<safe_stem(plot_id)>.png``. When two plots give the same name
    (compared without case, as Windows and macOS do), the later one in row order gets
    ``_2``, ``_3``, ... so the names are unique and the same for the same result.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.

    Returns
    -------
    list of str or None
        One entry per row, in row order.

    """
    wanted = needs_detail(result)
    names: list[str | None] = [None] * len(result)
    taken: set[str] = set()
    for position, (plot_id, flag) in enumerate(zip(result["plot_id"].tolist(), wanted,
                                                    strict=True)):
        if not flag:
            continue
        stem = safe_stem(plot_id, fallback=f"baris_{position + 1}")
        candidate, n = stem, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}_{n}"
        taken.add(candidate.lower())
        names[position] = f"{DETAIL_PREFIX}{candidate}.png"
    return names


def map_text(value: object) -> str:
    """Plain text safe for matplotlib: no control characters, ``$`` not read as math."""
    text = "" if plain(value) is None else str(plain(value))
    return _CONTROL.sub(" ", text).replace("$", r"\$")


def as_list(value: object) -> list[str]:
    """Return a list cell (or a ``"; "``-joined text) as a list of non-empty strings."""
    if is_list_like(value):
        return [str(plain(v)) for v in value if plain(v) is not None]
    text = plain(value)
    if text is None:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]  # "F2; Z4"


def decisive_reason(reason: object, rules: Sequence[str], status: str,
                    rule_status: dict[str, str]) -> str | None:
    """Return the sentence of the first rule that gives the plot its status.

    ``reason`` is ``screen``'s ``reason_id``: ``"F6: ... Z2: ..."``, one sentence per
    fired rule in ``rules`` order. The sentence of the first rule whose status equals
    ``status`` is returned (the first rule's when no rule status is known); the whole
    text when it is not split by rule id.

    Examples
    --------
    >>> decisive_reason("F6: Di APL. Z2: Zona pertanian.", ["F6", "Z2"], "needs_clearance",
    ...                 {"F6": "clear", "Z2": "needs_clearance"})
    'Z2: Zona pertanian.'
    >>> decisive_reason("Di hutan lindung.", ["F2"], "needs_clearance", {})
    'Di hutan lindung.'

    """
    text = plain(reason)
    if text is None or not str(text).strip():
        return None
    text = str(text)
    chosen = next((r for r in rules if rule_status.get(r) == status), rules[0] if rules else None)
    starts = {}
    for rule in rules:
        match = re.search(rf"(?:^|\s){re.escape(rule)}: ", text)
        if match is not None:
            starts[rule] = match.start() + (1 if text[match.start()].isspace() else 0)
    if chosen not in starts:
        return text.strip()
    begin = starts[chosen]
    ends = [s for s in starts.values() if s > begin]
    return text[begin:min(ends) if ends else len(text)].strip()


def _zone_labels(ax: Any, zones: gpd.GeoDataFrame, window: Any, keep_clear: Any,
                 fontsize: float) -> None:
    """Write each zone's name inside its largest visible part, away from ``keep_clear``."""
    column = next((c for c in ("zone_name", "NAMOBJ", "namobj", "zone_class")
                   if c in zones.columns), None)
    if column is None or zones.empty:
        return
    min_area = window.area * 0.002
    for name, geom in zip(zones[column].tolist(), zones.geometry.array, strict=True):
        label = map_text(name)
        if not label or geom is None or geom.is_empty:
            continue
        visible = geom.intersection(window)
        parts = [p for p in shapely.get_parts(visible) if p.geom_type == "Polygon"]
        if not parts:
            continue
        largest = max(parts, key=lambda p: p.area)
        if largest.area < min_area:
            continue
        minx, miny, maxx, maxy = window.bounds
        inset = 0.1 * (maxx - minx)
        inner = box(minx + inset, miny + inset, maxx - inset, maxy - inset)
        room = largest.intersection(inner).difference(keep_clear)
        spot = label_point(room if room.area >= min_area else largest)
        ax.text(spot.x, spot.y, textwrap.fill(label, 24), fontsize=fontsize, ha="center",
                va="center", color=ZONING_COLOUR, zorder=6, clip_on=True,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1.5})


@dataclass(frozen=True)
class PlotSites:
    """One plot's alternative sites (EPSG:4326) or, when it has none, why."""

    sites: gpd.GeoDataFrame | None = None
    reason: str | None = None

    def line(self) -> str | None:
        """Return the caption line, or None when no sites were searched for this plot."""
        if self.sites is not None and len(self.sites):
            items = [f"{plain(n)} ({plain(d):,.0f} m)" if plain(d) is not None else str(plain(n))
                     for n, d in zip(self.sites["candidate"].tolist(),
                                     self.sites["distance_m"].tolist()
                                     if "distance_m" in self.sites.columns
                                     else [None] * len(self.sites), strict=True)]
            return f"Lokasi alternatif (aman): {', '.join(items)}"
        if self.reason:
            return f"Lokasi alternatif: tidak ada. {self.reason}"
        return None


def sites_by_plot(candidates: gpd.GeoDataFrame | None, writer: str) -> dict[Any, PlotSites]:
    """Group the output of :func:`lahan_geo.suggest_sites` by plot id."""
    if candidates is None:
        return {}
    sites = candidate_sites(candidates, writer)
    assert sites is not None
    out: dict[Any, PlotSites] = {}
    keys = [plain(p) for p in sites["plot_id"].tolist()]
    for key in dict.fromkeys(keys):
        out[key] = PlotSites(sites=sites[[k == key for k in keys]])
    for record in candidates.to_dict("records"):
        key = plain(record.get("plot_id"))
        if plain(record.get("candidate")) == 0 and key not in out:
            reason = plain(record.get("reason_id")) or plain(record.get("reason_en"))
            out[key] = PlotSites(reason=str(reason) if reason else "Tidak ditemukan lokasi aman.")
    return out


def _caption(row: dict[str, Any], rule_status: dict[str, str], crs: CRS,
             sites: PlotSites | None = None) -> str:
    rules = as_list(row.get("rules"))
    status = str(plain(row.get("status")))
    reason = row.get("reason_id")
    if plain(reason) is None:
        reason = row.get("reason_en")
    lines = [f"Aturan: {', '.join(rules) if rules else '-'}"]
    first = decisive_reason(reason, rules, status, rule_status)
    if first:
        lines.append(f"Alasan: {first}")
    function = plain(row.get("forest_function"))
    zone = plain(row.get("zone_name")) or plain(row.get("zone_class"))
    forest = forest_function_label(function) if function else "tidak diketahui"
    lines.append(f"Fungsi kawasan hutan: {forest}  ·  Pola ruang: {zone or 'tidak diketahui'}")
    clearances = as_list(row.get("clearances_id")) or as_list(row.get("clearances"))
    agencies = as_list(row.get("agencies_id")) or as_list(row.get("agencies"))
    if clearances:
        lines.append(f"Persetujuan yang diperlukan: {'; '.join(clearances)}")
    if agencies:
        lines.append(f"Instansi: {'; '.join(agencies)}")
    site_line = sites.line() if sites is not None else None
    if site_line:
        lines.append(site_line)
    lines.append(f"Proyeksi: {crs.name}")
    wrapped = [textwrap.fill(map_text(line), _CAPTION_WIDTH, subsequent_indent="    ",
                             max_lines=4, placeholder=" …") for line in lines]
    return "\n".join(wrapped)


def _finite(value: object) -> float | None:
    number = plain(value)
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return float(number) if math.isfinite(number) and number > 0 else None


def _decisive_distance(row: dict[str, Any], rule_status: dict[str, str]
                       ) -> tuple[float, str] | None:
    """Return the distance (m) to the nearest boundary that decides the status, and its kind.

    Among the rules that give the plot its status: the forest boundary for a forest
    rule, the zone boundary for a zoning (``Z``) rule; the nearer of the two when no
    rule status is known.

    Examples
    --------
    >>> _decisive_distance({"status": "needs_clearance", "rules": ["F3", "Z2"],
    ...                     "boundary_distance_m": 9800.0, "zone_boundary_distance_m": 5900.0},
    ...                    {"F3": "needs_clearance", "Z2": "needs_clearance"})
    (5900.0, 'pola ruang')

    """
    rules = as_list(row.get("rules"))
    status = str(plain(row.get("status")))
    forest = _finite(row.get("boundary_distance_m"))
    zone = _finite(row.get("zone_boundary_distance_m"))
    deciding = [r for r in rules if rule_status.get(r) == status and not r.startswith("V")]
    found: list[tuple[float, str]] = []
    kinds = {r.startswith("Z") for r in deciding} if deciding else {True, False}
    if False in kinds and forest is not None:
        found.append((forest, "kawasan hutan"))
    if True in kinds and zone is not None:
        found.append((zone, "pola ruang"))
    return min(found) if found else None


def _detail_window(local: Any, row: dict[str, Any], rule_status: dict[str, str],
                   local_sites: gpd.GeoDataFrame | None, radius_m: float
                   ) -> tuple[Any, str | None]:
    """Return the square around the plot that shows it, its decisive boundary and sites.

    The second value is a note when that boundary lies too far to be shown.
    """
    minx, miny, maxx, maxy = local.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    extent = max(maxx - minx, maxy - miny)
    half = max(radius_m, extent / 2 * 1.6 + 60.0)
    note = None
    decisive = _decisive_distance(row, rule_status)
    if decisive is not None:  # the nearest boundary that matters, with room beyond it
        wanted = extent / 2 + decisive[0] * 1.3 + 80.0
        if wanted > _MAX_HALF_M:
            note = (f"Batas {decisive[1]} terdekat berjarak {decisive[0] / 1000:,.1f} km "
                    "dari lahan (di luar peta)").replace(".", ",")
        half = max(half, min(wanted, _MAX_HALF_M))
    if local_sites is not None and len(local_sites):
        sx0, sy0, sx1, sy1 = local_sites.total_bounds
        reach = max(abs(sx0 - cx), abs(sx1 - cx), abs(sy0 - cy), abs(sy1 - cy))
        half = max(half, reach * 1.15 + 60.0)  # show every site
    return box(cx - half, cy - half, cx + half, cy + half), note


@dataclass(frozen=True)
class PlotMap:
    """What :func:`draw_plot_map` drew: the axes, its CRS and window, legend handles."""

    ax: Any
    crs: CRS
    window: Any
    handles: list[Any]


def draw_plot_map(
    fig: Any, rect: tuple[float, float, float, float], row: dict[str, Any], geom: Any,
    *, forest: gpd.GeoDataFrame | None = None, zoning: gpd.GeoDataFrame | None = None,
    within: gpd.GeoDataFrame | None = None, radius_m: float = _MIN_HALF_M,
    rule_status: dict[str, str] | None = None, sites: PlotSites | None = None,
    writer: str = "plot_details",
) -> PlotMap:
    """Draw one plot's map into ``fig`` at ``rect`` (figure fraction); used by the dossier.

    The extent fits the plot, the boundary that decides its status (from
    ``boundary_distance_m``/``zone_boundary_distance_m``) and its alternative sites,
    never less than ``radius_m`` around it. The frame is labelled in degrees.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rule_status = rule_status or {}
    centre = geom.representative_point()
    crs = CRS.from_epsg(utm_epsg(centre.x, centre.y))
    local = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(crs).iloc[0]
    local_sites = None
    if sites is not None and sites.sites is not None and len(sites.sites):
        local_sites = sites.sites.to_crs(crs)
    square, far = _detail_window(local, row, rule_status, local_sites, radius_m)
    fig_w, fig_h = fig.get_size_inches()
    window = fit(square, (rect[2] * fig_w) / (rect[3] * fig_h))
    half = (square.bounds[2] - square.bounds[0]) / 2

    ax = fig.add_axes(rect)
    ax.set_facecolor("white")
    handles: list[Any] = []
    # Cut the layers a little wider than the window, so the cut edges stay out of sight.
    cut = shapely.buffer(window, 0.05 * half, join_style="mitre")
    if forest is not None:
        handles.extend(draw_forest(ax, cut_layer(forest, crs, cut), writer))
    avoid = decorate(ax, window, 1.0)
    if local_sites is not None and len(local_sites):  # labels keep off the sites' stars
        avoid = avoid.union(shapely.union_all(
            shapely.buffer(np.asarray(local_sites.geometry.array, dtype=object), 0.06 * half)))
    if within is not None:
        edge = cut.difference(window.buffer(-0.08 * half))  # labels stay inside the frame
        clear_of = local.buffer(0.2 * half).union(avoid).union(edge)
        spots: list[Any] = []
        handles.append(draw_boundaries(ax, cut_layer(within, crs, cut), labels=True,
                                       keep_clear=clear_of, placed=spots))
        if spots:  # zone names keep off the village names
            avoid = avoid.union(shapely.union_all(shapely.buffer(
                np.asarray(spots, dtype=object), 0.12 * half)))
    if zoning is not None:
        zones = cut_layer(zoning, crs, cut)
        add_polygons(ax, list(zones.geometry.array), facecolor="none",
                     edgecolor=ZONING_COLOUR, linewidth=1.0, zorder=3)
        _zone_labels(ax, zones, window, local.buffer(0.15 * half).union(avoid), fontsize=7)
        handles.append(Line2D([], [], color=ZONING_COLOUR, linewidth=1.0,
                              label="Batas zona pola ruang"))

    status = str(plain(row.get("status")))
    colour = STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)
    for column, style, label in (
        ("tolerance_m", "--", "Toleransi posisi batas hutan ± {:,.0f} m"),
        ("zone_tolerance_m", ":", "Toleransi posisi batas pola ruang ± {:,.0f} m"),
    ):
        tolerance = _finite(row.get(column))
        if tolerance is None:
            continue
        if column == "zone_tolerance_m" and abs(tolerance - (_finite(row.get("tolerance_m"))
                                                             or -1.0)) < 1.0:
            continue  # the same band: drawn once
        band = local.buffer(tolerance, quad_segs=32)
        add_polygons(ax, [band], facecolor="none", edgecolor="black", linewidth=1.2,
                     linestyles=style, zorder=4)
        handles.append(Line2D([], [], color="black", linewidth=1.2, linestyle=style,
                              label=label.format(tolerance)))

    point = local.representative_point() if local.geom_type != "Point" else local
    marker = STATUS_MARKERS.get(status, "o")
    if local.geom_type in ("Polygon", "MultiPolygon"):
        add_polygons(ax, [local], facecolor=colour, edgecolor="black", alpha=0.6,
                     linewidth=1.2, zorder=5)
        handles.append(Patch(facecolor=colour, edgecolor="black", alpha=0.6,
                             label="Bidang lahan"))
        if max(local.bounds[2] - local.bounds[0], local.bounds[3] - local.bounds[1]) \
                < 0.05 * half:  # too small to see: ring it
            ax.scatter([point.x], [point.y], s=260, marker="o", facecolors="none",
                       edgecolors=colour, linewidths=2.0, zorder=7)
    else:
        ax.scatter([point.x], [point.y], s=190, marker=marker, c="white", edgecolors="none",
                   zorder=6.5)
        ax.scatter([point.x], [point.y], s=110, marker=marker, c=colour,
                   edgecolors="black", linewidths=0.9, zorder=7)
    ax.annotate(map_text(row.get("plot_id")), (point.x, point.y), xytext=(9, 7),
                textcoords="offset points", fontsize=9, fontweight="bold", zorder=8,
                path_effects=halo(3.0))
    if local_sites is not None:
        draw_candidates(ax, local_sites, 150, labels=True, fontsize=9)
        handles.append(candidate_handle(len(local_sites)))
    handles.insert(0, Line2D([], [], linestyle="none", marker=marker,
                             markersize=8, markerfacecolor=colour, markeredgecolor="black",
                             label=f"Lahan ({map_text(status_label(status))})"))

    minx, miny, maxx, maxy = window.bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    coordinate_ticks(ax, crs, window)
    if far:
        ax.text(0.02, 0.02, far, transform=ax.transAxes, fontsize=7.5, ha="left", va="bottom",
                zorder=9, bbox={"facecolor": "white", "edgecolor": "#9e9e9e", "alpha": 0.9})
    return PlotMap(ax=ax, crs=crs, window=window, handles=handles)


def draw_locator(fig: Any, rect: tuple[float, float, float, float], crs: CRS, window: Any,
                 context: gpd.GeoSeries, within: gpd.GeoDataFrame | None = None) -> Any:
    """Draw a small locator: all plots (grey dots), boundaries, and ``window`` as a red box.

    ``context`` holds the geometries of every plot (EPSG:4326); the locator shows their
    whole extent, so a reader sees where in the district the detail map lies.
    """
    ax = fig.add_axes(rect)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#f4f4f4")
    points = context[valid_mask(context)].to_crs(crs)
    bounds = [window.bounds]
    if len(points):
        bounds.append(tuple(points.total_bounds))
    minx = min(b[0] for b in bounds)
    miny = min(b[1] for b in bounds)
    maxx = max(b[2] for b in bounds)
    maxy = max(b[3] for b in bounds)
    pad = 0.08 * max(maxx - minx, maxy - miny, 1.0)
    area = fit(box(minx - pad, miny - pad, maxx + pad, maxy + pad),
               (rect[2] * fig.get_size_inches()[0]) / (rect[3] * fig.get_size_inches()[1]))
    if within is not None:
        add_polygons(ax, list(cut_layer(within, crs, area).geometry.array), facecolor="white",
                     edgecolor="#9a9a9a", linewidth=0.4, zorder=1)
    if len(points):
        centres = shapely.centroid(np.asarray(points.geometry.array, dtype=object))
        ax.scatter(shapely.get_x(centres), shapely.get_y(centres), s=4, c="#555555", zorder=2)
    add_polygons(ax, [window], facecolor="none", edgecolor="#d50000", linewidth=1.5, zorder=3)
    centre = window.centroid  # a map too small to see as a box still shows where it is
    ax.scatter([centre.x], [centre.y], s=30, marker="s", facecolors="none",
               edgecolors="#d50000", linewidths=1.5, zorder=4)
    ax.set_xlim(area.bounds[0], area.bounds[2])
    ax.set_ylim(area.bounds[1], area.bounds[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_title("Lokasi peta", fontsize=8, pad=2)
    return ax


def _draw_detail(
    row: dict[str, Any], geom: Any, forest: gpd.GeoDataFrame | None,
    zoning: gpd.GeoDataFrame | None, radius_m: float, dpi: float,
    rule_status: dict[str, str], sites: PlotSites | None = None,
    within: gpd.GeoDataFrame | None = None, context: gpd.GeoSeries | None = None,
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=_FIGSIZE, dpi=dpi)
    FigureCanvasAgg(fig)
    status = str(plain(row.get("status")))
    fig.suptitle(f"{map_text(row.get('plot_id'))} – {map_text(status_label(status))}",
                 fontsize=14, y=0.975, fontweight="bold")
    drawn = draw_plot_map(fig, _MAP_RECT, row, geom, forest=forest, zoning=zoning,
                          within=within, radius_m=radius_m, rule_status=rule_status,
                          sites=sites)
    right = _MAP_RECT[0] + _MAP_RECT[2] + 0.03
    top = _MAP_RECT[1] + _MAP_RECT[3]
    legend_top = top
    if context is not None:
        draw_locator(fig, (right, top - 0.24, 0.30, 0.24), drawn.crs, drawn.window, context,
                     within)
        legend_top = top - 0.27
    fig.legend(handles=drawn.handles, title="Keterangan", loc="upper left",
               bbox_to_anchor=(right - 0.01, legend_top),
               fontsize=7.5, title_fontsize=9, frameon=False, alignment="left")
    fig.text(0.03, 0.245, _caption(row, rule_status, drawn.crs, sites), fontsize=8, va="top",
             ha="left", linespacing=1.35)
    return fig


def prepare_maps(result: gpd.GeoDataFrame, forest: Any, zoning: Any, radius_m: Any, dpi: Any,
             caller: str, within: Any = None
             ) -> tuple[gpd.GeoDataFrame, Any, Any, dict[str, str], Any]:
    """Check a result and its layers; return it in EPSG:4326, the layers and rule statuses."""
    result = check_result(result, caller)
    if not (isinstance(radius_m, int | float) and math.isfinite(radius_m) and radius_m > 0):
        msg = f"{caller}(): radius_m={radius_m!r} must be a positive number of metres."
        raise InputError(msg)
    if not (isinstance(dpi, int | float) and math.isfinite(dpi) and dpi > 0):
        msg = f"{caller}(): dpi={dpi!r} must be a positive number."
        raise InputError(msg)
    if forest is not None:
        forest = check_layer(forest, "forest", caller)
    if zoning is not None:
        zoning = check_layer(zoning, "zoning", caller)
    within = boundary_layer(within, caller)
    rule_status = {str(r.get("id")): str(r.get("status"))
                   for r in provenance(result).get("rules") or [] if isinstance(r, dict)}
    wgs84 = result.to_crs("EPSG:4326") if not result.crs.equals("EPSG:4326") else result
    return wgs84, forest, zoning, rule_status, within


def plot_row(result: gpd.GeoDataFrame, position: int) -> dict[str, Any]:
    """Return the row at ``position`` as a dict, without its geometry."""
    return {c: result[c].iloc[position] for c in result.columns if c != result.geometry.name}


def detail_map(
    result: gpd.GeoDataFrame,
    plot_id: object,
    *,
    forest: gpd.GeoDataFrame | None = None,
    zoning: gpd.GeoDataFrame | None = None,
    radius_m: float = _MIN_HALF_M,
    dpi: float = 120,
    candidates: gpd.GeoDataFrame | None = None,
    within: gpd.GeoDataFrame | PathLike | None = None,
) -> Figure:
    """Draw the detail map of one plot (any status) and return the figure.

    The same map :func:`plot_details` writes, for looking at one plot in a notebook.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    plot_id : object
        The ``plot_id`` of the plot; the first row with it is drawn.
    forest, zoning : geopandas.GeoDataFrame, optional
        As for :func:`plot_details`.
    radius_m : float, default 250
        Least metres shown around the plot (the map widens to its decisive boundary
        and its alternative sites).
    dpi : float, default 120
        Resolution of the figure.
    candidates, within : geopandas.GeoDataFrame, optional
        As for :func:`plot_details`.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas (not registered with pyplot).

    Raises
    ------
    InputError
        No plot with that id, or the plot has no geometry (its row is ``invalid``).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> result = gpd.GeoDataFrame({"plot_id": ["P1"], "status": ["clear"]},
    ...                           geometry=[Point(112.3, -2.5)], crs="EPSG:4326")
    >>> detail_map(result, "P1", dpi=20).get_suptitle()
    'P1 – Aman (lanjut KKPR)'

    """
    wgs84, forest, zoning, rule_status, within = prepare_maps(result, forest, zoning, radius_m,
                                                          dpi, "detail_map", within)
    ids = [plain(v) for v in wgs84["plot_id"].tolist()]
    wanted = plain(plot_id)
    if wanted not in ids:
        sample = ", ".join(repr(i) for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
        msg = f"detail_map(): no plot with plot_id {plot_id!r}. Fix: use one of {sample}."
        raise InputError(msg)
    position = ids.index(wanted)
    if not valid_mask(wgs84.geometry)[position]:
        msg = (f"detail_map(): plot {plot_id!r} has no usable location (status "
               f"{plain(wgs84['status'].iloc[position])!r}), so it cannot be drawn. "
               "Fix: correct its coordinates and screen again.")
        raise InputError(msg)
    sites = sites_by_plot(candidates, "detail_map").get(wanted)
    return _draw_detail(plot_row(wgs84, position), wgs84.geometry.array[position], forest, zoning,
                        float(radius_m), dpi, rule_status, sites, within, wgs84.geometry)


def plot_details(
    result: gpd.GeoDataFrame,
    *,
    forest: gpd.GeoDataFrame | None = None,
    zoning: gpd.GeoDataFrame | None = None,
    out_dir: PathLike,
    radius_m: float = _MIN_HALF_M,
    dpi: float = 120,
    protect: Iterable[PathLike] = (),
    candidates: gpd.GeoDataFrame | None = None,
    within: gpd.GeoDataFrame | PathLike | None = None,
) -> list[Path]:
    """Write one PNG detail map per plot that is neither clear nor invalid.

    Each map shows the plot in its own UTM zone, framed to fit the plot, the boundary
    that decides its status and its alternative sites (at least ``radius_m`` around
    it): the forest functions coloured as in :func:`~lahan_geo.outputs.plot_overview`,
    the zoning outlines labelled with their zone names, village boundaries (``within``),
    the positional tolerance as a dashed band around the plot (dotted for the zoning
    tolerance when it differs), a scale bar, a north arrow, the frame labelled in
    degrees and a locator showing where the map lies among all the plots. The title is
    ``"<plot id> – <status>"``; the caption
    lists, in Indonesian, the rules that fired, the reason of the rule that decided the
    status, the forest function and zone, the clearances and agencies.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    forest : geopandas.GeoDataFrame, optional
        Forest estate with a ``forest_function`` column, any CRS.
    zoning : geopandas.GeoDataFrame, optional
        Spatial-plan zones (``zone_name`` or ``NAMOBJ`` is written on the map), any CRS.
    out_dir : str or os.PathLike
        Folder for the PNGs (created if needed). Files are named by
        :func:`detail_names`: ``detail_<plot id>.png`` with unsafe characters replaced
        and collisions numbered. Existing files of the same name are replaced.
    radius_m : float, default 250
        Least metres shown around the plot (half the map's shorter side at least).
    dpi : float, default 120
        Resolution; each map is 9.5 × 9 inches.
    protect : iterable of path-like, default ()
        Paths never to overwrite (the inputs of the run).
    candidates : geopandas.GeoDataFrame, optional
        The sites of :func:`lahan_geo.suggest_sites`. A plot's sites are drawn as blue
        footprints numbered 1..n (the map widens to show them all) and listed in the
        caption with their distances; for a plot without a site the caption says why.
    within : geopandas.GeoDataFrame or path, optional
        Village or district boundaries, drawn dash-dot and named on the map.

    Returns
    -------
    list of pathlib.Path
        The files written, in row order of ``result``.

    Raises
    ------
    InputError
        Not a screening result, ``out_dir`` is a file or cannot be created, or a bad
        ``radius_m``/``dpi``.
    LayerError, CRSError
        A layer is not a GeoDataFrame, has no CRS, or the forest layer has no
        ``forest_function``.

    Examples
    --------
    >>> import tempfile
    >>> from shapely.geometry import Point
    >>> result = gpd.GeoDataFrame(
    ...     {"plot_id": ["P1", "P2"], "status": ["needs_clearance", "clear"],
    ...      "rules": [["F2"], ["Z4"]], "tolerance_m": [126.0, 126.0],
    ...      "reason_id": ["F2: Lahan berada di hutan lindung.", "Z4: Zona permukiman."]},
    ...     geometry=[Point(112.3, -2.5), Point(112.4, -2.5)], crs="EPSG:4326")
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in plot_details(result, out_dir=folder, dpi=20)]
    ['detail_P1.png']
    >>> import shutil; shutil.rmtree(folder)

    """
    wgs84, forest, zoning, rule_status, within = prepare_maps(result, forest, zoning, radius_m,
                                                          dpi, "plot_details", within)
    folder = Path(out_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        msg = (f"plot_details(): out_dir '{out_dir}' is a file, not a folder. "
               "Fix: give a folder for the detail maps, e.g. 'peta_detail'.")
        raise InputError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = (f"plot_details(): cannot create folder '{out_dir}': {err}. "
               "Fix: choose a writable folder.")
        raise InputError(msg) from err
    geoms = wgs84.geometry
    sites = sites_by_plot(candidates, "plot_details")
    written: list[Path] = []
    for position, name in enumerate(detail_names(wgs84)):
        if name is None:
            continue
        target = check_output_path(folder / name, (".png",), protect=protect)
        row = plot_row(wgs84, position)
        fig = _draw_detail(row, geoms.array[position], forest, zoning, float(radius_m), dpi,
                           rule_status, sites.get(plain(row.get("plot_id"))), within, geoms)
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi)
        written.append(target)
    return written
