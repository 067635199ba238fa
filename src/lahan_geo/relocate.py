"""``suggest_sites``: clear alternative sites near the plots that are not clear.

How the search works
--------------------
For every plot whose status is neither ``clear`` nor ``invalid``, in the plot's UTM zone:

1. **Clear region.** The union of the forest polygons whose function alone fires only
   ``clear`` rules (APL under the default rules), shrunk by the forest tolerance,
   intersected with the union of the zones whose class fires only ``clear`` rules
   (permukiman, perdagangan dan jasa), shrunk by the zoning tolerance, minus the area of
   every constraint layer (setbacks included), within the search disc and, with
   ``within=``, within the village polygon that contains the plot. Every point of it is
   farther than the tolerance from every decisive boundary. The rules decide which
   categories count, so an edited rules file changes the region too.
2. **Grid.** Candidate centres lie on a grid of ``grid_m`` (25 m) anchored on the plot
   (coarser when the search area would need more than :data:`MAX_CENTRES` centres); a
   centre is kept when its whole footprint lies inside the clear region.
3. **Ranking.** Centres are ranked by distance from the plot's centre and picked
   greedily, each at least ``spacing_m`` (100 m) from those already picked.
4. **Verification.** The picked footprints of all plots are screened together with
   :func:`lahan_geo.screen`, as polygon plots read by :func:`lahan_geo.read_plots`, with
   the same layers, rules and tolerance. A footprint that does not screen ``clear`` is
   dropped and the picking is redone without it, until every pick is verified. So
   re-screening any candidate gives ``clear``.
5. **Why not.** For a plot still without a site, a coarse sample of about
   :data:`REASON_SAMPLES` centres across its search area is screened as points. A clear
   point whose footprint also screens clear becomes a site after all (the pre-filter is
   cautious); otherwise the plot gets one row with ``candidate = 0`` and the reason, from
   the rules that fired on the sample: "the whole search area is in protection forest
   (HL) (rule F2)", or the shares when several rules split it.

Why not simply screen a fine grid: a 2 km disc at 25 m holds about 20,000 footprints per
plot, and :func:`~lahan_geo.screen` takes about 2 ms per footprint; the geometric
pre-filter costs milliseconds per plot, and ``screen`` then only confirms the few
footprints that are kept, which is what makes the guarantee.

A plot's sites never depend on the other plots in the batch: each plot is searched on
its own, and the batched screening gives every footprint the result it would get alone.

A suggested site is a ``footprint`` rectangle (20 × 30 m, the standard outlet building,
west-east × south-north in the UTM zone) or, for a polygon plot of at least
``min_area_m2``, the plot's own shape moved to the new centre. It is screened with the
default plot accuracy (:data:`~lahan_geo.accuracy.DEFAULT_PLOT_ACCURACY_M`), as a site not
yet surveyed. Under the default rules a 600 m² footprint also fires S1 (smaller than the
site minimum), which only flags.

Examples
--------
APL (x < 5 km) next to HL, all zoned permukiman; a plot 300 m inside HL gets three sites
in APL, each more than the ~126 m tolerance from the boundary and 100 m apart:

>>> import geopandas as gpd, pandas as pd
>>> from shapely import Point, box
>>> from lahan_geo import read_forest_area, read_plots, read_zoning, screen
>>> x0, y0 = 600_000, 9_700_000
>>> forest = read_forest_area(gpd.GeoDataFrame({"FUNGSIKWS": [100700.0, 100100.0]},
...     geometry=[box(x0, y0, x0 + 5000, y0 + 10000), box(x0 + 5000, y0, x0 + 10000, y0 + 10000)],
...     crs=32749))
>>> zoning = read_zoning(gpd.GeoDataFrame({"NAMOBJ": ["Kawasan Permukiman Perdesaan"]},
...     geometry=[box(x0, y0, x0 + 10000, y0 + 10000)], crs=32749))
>>> plots = read_plots(gpd.GeoDataFrame({"id": ["A"]}, geometry=[Point(x0 + 5300, y0 + 5000)],
...                                     crs=32749))
>>> result = screen(plots, forest=forest, zoning=zoning)
>>> sites = suggest_sites(result, forest=forest, zoning=zoning)
>>> sites[["plot_id", "candidate", "distance_m"]].values.tolist()
[['A', 1, 450.0], ['A', 2, 461.0], ['A', 3, 461.0]]
>>> screen(read_plots(sites.assign(id=["1", "2", "3"])), forest=forest, zoning=zoning
...        )["status"].tolist()
['clear', 'clear', 'clear']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M, combined_tolerance_m
from lahan_geo.errors import CRSError, InputError, LayerError
from lahan_geo.intake import read_plots
from lahan_geo.io.gdal_files import open_vector
from lahan_geo.layers.constraints import buffer_constraint
from lahan_geo.layers.forest import read_forest_area
from lahan_geo.layers.source import find_column
from lahan_geo.layers.window import FILE_NEAR_M, require_margin
from lahan_geo.layers.zoning import read_zoning
from lahan_geo.metric import utm_epsg
from lahan_geo.pipeline import as_constraints, as_layer
from lahan_geo.rules import Programme, Rule, RuleSet, fired_rules, load_rules
from lahan_geo.schema import check_result, provenance
from lahan_geo.screening import screen
from lahan_geo.statuses import most_severe

__all__ = ["CANDIDATE_COLUMNS", "MAX_CENTRES", "REASON_SAMPLES", "suggest_sites"]

#: Columns of the table :func:`suggest_sites` returns (then ``geometry``).
CANDIDATE_COLUMNS = ("plot_id", "candidate", "distance_m", "desa", "reason_en", "reason_id")

#: At most this many grid centres per plot; a larger search area gets a coarser grid.
MAX_CENTRES = 40_000

#: About this many points are screened across a search area to say why it has no site.
REASON_SAMPLES = 200

#: Extra metres kept from every decisive boundary, over the tolerance: covers the
#: chords of buffered arcs and the round trip of coordinates through EPSG:4326.
_MARGIN_M = 1.0
_MAX_ROUNDS = 25
_NOT_SEARCHED = frozenset({"clear", "invalid"})
_VILLAGE_NAMES = ("nama", "desa", "nama_desa", "desa_kelurahan", "kelurahan", "namobj",
                  "wadmkd", "name", "village")

# How a rule that rejects land reads in a reason: "(the whole search area) is ...".
_PHRASES: dict[str, tuple[str, str]] = {
    "F1": ("in conservation forest (HK)", "di kawasan hutan konservasi (HK)"),
    "F2": ("in protection forest (HL)", "di hutan lindung (HL)"),
    "F3": ("in production forest (HP/HPT)", "di hutan produksi (HP/HPT)"),
    "F4": ("in convertible production forest (HPK)",
           "di hutan produksi yang dapat dikonversi (HPK)"),
    "F5": ("settled land in the forest estate", "lahan garapan lama di kawasan hutan"),
    "F7": ("where the forest status is unknown",
           "di wilayah yang status kawasan hutannya tidak diketahui"),
    "B1": ("within the positional tolerance of a decisive forest boundary",
           "dalam toleransi posisi batas kawasan hutan yang menentukan"),
    "Z1": ("in a protected zone (kawasan lindung) of the spatial plan",
           "di kawasan lindung rencana tata ruang"),
    "Z2": ("in a cultivation zone that does not allow an outlet",
           "di kawasan budidaya yang tidak memperuntukkan gerai"),
    "Z3": ("in protected food farmland (LP2B)", "di lahan pertanian pangan berkelanjutan (LP2B)"),
    "Z5": ("outside the spatial plan or in a zone the mapping does not know",
           "di luar rencana tata ruang atau di zona yang tidak dikenal"),
    "B2": ("within the positional tolerance of a decisive zoning boundary",
           "dalam toleransi posisi batas pola ruang yang menentukan"),
    "X1": ("in protected peat (KHG fungsi lindung)", "di gambut fungsi lindung (KHG)"),
    "X2": ("in the PIPPIB moratorium map", "di dalam peta PIPPIB (moratorium)"),
    "X3": ("inside a concession or land right", "di dalam konsesi atau hak atas tanah"),
    "X4": ("within a river or coastal setback", "di dalam sempadan sungai atau pantai"),
    "S1": ("too small for the site minimum", "lebih kecil dari luas minimum"),
}


def suggest_sites(
    result: gpd.GeoDataFrame,
    forest: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    zoning: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    layers: Sequence[gpd.GeoDataFrame] = (),
    within: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    search_radius_m: float = 2000,
    footprint: tuple[float, float] = (20, 30),
    min_area_m2: float = 1000,
    n: int = 3,
    rules: RuleSet | str | PathLike[str] | None = None,
    tolerance_m: float | None = None,
    *,
    grid_m: float = 25.0,
    spacing_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """Suggest up to ``n`` nearby sites that screen ``clear``, for every plot that is not.

    Parameters
    ----------
    result : GeoDataFrame
        The result of :func:`lahan_geo.screen`. Plots whose status is ``clear`` or
        ``invalid`` are not searched.
    forest, zoning : GeoDataFrame or path, optional
        The layers the result was screened with (as for :func:`lahan_geo.screen`). Without
        one, no site can be clear (F7 or Z5) and every plot gets a ``candidate = 0`` row.
    layers : sequence of GeoDataFrame, optional
        The constraint layers (:func:`lahan_geo.read_constraint`) the result was screened with.
    within : GeoDataFrame or path, optional
        Village boundaries (e.g. ``seruyan_desa.gpkg``): the sites of a plot stay inside
        the village polygon that contains it, whose name (column ``nama``/``desa``/...)
        becomes ``desa``. A plot inside no village gets a ``candidate = 0`` row.
    search_radius_m : float, default 2000
        Largest distance (m) from the plot's centre to a site's centre.
    footprint : (float, float), default (20, 30)
        Width (west-east) and depth (south-north) in metres of a site.
    min_area_m2 : float, default 1000
        A polygon plot at least this large is moved as it is instead of using ``footprint``.
    n : int, default 3
        Most sites per plot.
    rules : RuleSet or path, optional
        The rule set; default: the rules file named in ``result.attrs`` when it still
        exists with the same hash, else the shipped rules.
    tolerance_m : float, optional
        One tolerance for all layers (as for :func:`lahan_geo.screen`); default: the
        override recorded in ``result.attrs``, if any.
    grid_m : float, default 25
        Spacing (m) of the grid of candidate centres.
    spacing_m : float, default 100
        Smallest distance (m) between the centres of two sites of one plot.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per site, plots in the order of ``result`` and sites by
        distance: :data:`CANDIDATE_COLUMNS` and ``geometry`` (the site polygon).
        ``candidate`` counts 1..n; ``distance_m`` is centre to centre, in metres; ``desa``
        is the village name when ``within`` is given. A plot without any site has one row
        with ``candidate = 0``, no geometry, and ``reason_en``/``reason_id`` saying why.
        ``attrs["lahan_geo"]`` holds the search parameters and the provenance (rules,
        layers) of the screening that verified the sites.

    Raises
    ------
    InputError
        ``result`` is not a screening result, or a parameter is out of range.
    LayerError, CRSError
        A layer or ``within`` cannot be used.

    Examples
    --------
    Without layers no site can be clear, and the reason says which rule covers the area
    (the module docstring has an example with sites):

    >>> from shapely import Point
    >>> from lahan_geo import read_plots, screen
    >>> result = screen(read_plots(gpd.GeoDataFrame({"id": ["A"]},
    ...                                             geometry=[Point(112.3, -2.5)], crs=4326)))
    >>> found = suggest_sites(result, search_radius_m=500)
    >>> found[["plot_id", "candidate"]].values.tolist()
    [['A', 0]]
    >>> print(found.loc[0, "reason_en"])  # doctest: +NORMALIZE_WHITESPACE
    No clear land within 500 m: the whole search area is where the forest status is unknown
    (rule F7); all of it is outside the spatial plan or in a zone the mapping does not know
    (rule Z5).
    """
    result = check_result(result, "suggest_sites")
    params = _check_params(search_radius_m, footprint, min_area_m2, n, grid_m, spacing_m)
    ruleset = _rules_for(result, rules)
    if tolerance_m is None:
        tolerance_m = _provenance(result).get("tolerance", {}).get("override_m")
    reach = params.radius + math.hypot(params.width, params.depth)
    # A layer given as a file is read around the plots, wide enough for the search.
    around = {"plots": result, "margin_m": None if reach < FILE_NEAR_M / 2 else
              reach + FILE_NEAR_M}
    forest_n = as_layer(forest, "forest_function", read_forest_area, caller="suggest_sites",
                        **around)
    zoning_n = as_layer(zoning, "zone_class", read_zoning, caller="suggest_sites", **around)
    for layer, kind in ((forest_n, "forest area"), (zoning_n, "zoning")):
        require_margin(layer, reach, kind, "suggest_sites searches")
    constraints = as_constraints(layers, ruleset, caller="suggest_sites")
    villages = _villages(within)
    verify = _Verifier(forest_n, zoning_n, constraints, ruleset, tolerance_m)

    wgs84 = result.to_crs("EPSG:4326") if not result.crs.equals("EPSG:4326") else result
    geoms = np.asarray(wgs84.geometry.array, dtype=object)
    statuses = [str(s) for s in wgs84["status"].tolist()]
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    targets = [p for p in range(len(wgs84)) if usable[p] and statuses[p] not in _NOT_SEARCHED]

    searches = []
    by_zone: dict[int, list[int]] = {}
    for p in targets:
        rep = shapely.get_coordinates(shapely.point_on_surface(geoms[p]))[0]
        by_zone.setdefault(utm_epsg(rep[0], rep[1]), []).append(p)
    paperwork = _held_by_title_only(wgs84, ruleset)
    for epsg, positions in sorted(by_zone.items()):
        land = _Land(epsg, forest_n, zoning_n, constraints, villages, ruleset, verify.tolerances)
        plots_m = gpd.GeoSeries(geoms[positions], crs="EPSG:4326").to_crs(epsg)
        for p, geom in zip(positions, plots_m.array):
            if paperwork[p]:  # moving the plot does not settle its land title
                centre, shape = _footprint(geom, params)
                searches.append(_Search(p, wgs84["plot_id"].iloc[p], epsg, centre, shape,
                                        shapely.Point(centre), note=_TITLE_ONLY))
                continue
            searches.append(_search(p, wgs84["plot_id"].iloc[p], epsg, geom, land, params))
    searches.sort(key=lambda s: s.position)

    _verify_picks(searches, verify, params)
    _explain_empty(searches, verify, ruleset, params)
    return _table(searches, verify, params, ruleset)


#: The reason given for a plot held back only by its land title.
_TITLE_ONLY = (
    "Only the land title holds this plot back (rules on land status): another site would "
    "need its own title settled, so none is searched. Settle this plot's land status instead.",
    "Hanya status tanah yang menahan lahan ini (aturan status lahan): lokasi lain juga perlu "
    "status tanahnya sendiri, jadi tidak dicari. Selesaikan status tanah lahan ini.")


def _held_by_title_only(result: gpd.GeoDataFrame, ruleset: RuleSet) -> list[bool]:
    """Per plot, whether every rule that keeps it from ``clear`` reads the land title.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from lahan_geo.rules import load_rules
    >>> frame = gpd.GeoDataFrame({"rules": [["F6", "Z4", "T2"], ["F2", "T2"], ["F6"]]})
    >>> _held_by_title_only(frame, load_rules(None))
    [True, False, False]
    """
    by_id = {r.id: r for r in ruleset}
    out = []
    for fired in result["rules"].tolist():
        holding = [by_id[r] for r in (fired or []) if r in by_id
                   and by_id[r].status != "clear"]
        out.append(bool(holding) and all("land_title" in r.facts for r in holding))
    return out


@dataclass(frozen=True)
class _Params:
    radius: float
    width: float
    depth: float
    min_area: float
    n: int
    grid: float
    spacing: float


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0):
        msg = f"suggest_sites(): {name}={value!r} must be a positive number of metres."
        raise InputError(msg)
    return float(value)


def _check_params(radius: Any, footprint: Any, min_area: Any, n: Any, grid: Any,
                  spacing: Any) -> _Params:
    if (not isinstance(footprint, Sequence) or isinstance(footprint, str)
            or len(footprint) != 2):
        msg = (f"suggest_sites(): footprint={footprint!r} must be (width, depth) in metres, "
               "e.g. (20, 30).")
        raise InputError(msg)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"suggest_sites(): n={n!r} must be a whole number of sites, 1 or more."
        raise InputError(msg)
    if isinstance(spacing, bool) or not isinstance(spacing, int | float) or not spacing >= 0:
        msg = f"suggest_sites(): spacing_m={spacing!r} must be a distance in metres, 0 or more."
        raise InputError(msg)
    return _Params(_positive("search_radius_m", radius), _positive("footprint width",
                   footprint[0]), _positive("footprint depth", footprint[1]),
                   _positive("min_area_m2", min_area), int(n), _positive("grid_m", grid),
                   float(spacing))


def _provenance(result: gpd.GeoDataFrame) -> dict[str, Any]:
    meta = provenance(result)
    tolerance = meta.get("tolerance")
    return {**meta, "tolerance": tolerance if isinstance(tolerance, dict) else {}}


def _rules_for(result: gpd.GeoDataFrame, rules: Any) -> RuleSet:
    """Return the given rules, else the result's own rules file if unchanged, else the defaults."""
    if rules is not None:
        return load_rules(rules)
    meta = _provenance(result)
    path, sha = meta.get("rules_path"), meta.get("rules_sha256")
    if path and sha and Path(path).is_file():
        try:
            own = load_rules(path)
        except Exception:  # a file that no longer parses: use the defaults
            return load_rules()
        if own.sha256 == sha:
            return own
    return load_rules()


def _villages(within: Any) -> gpd.GeoDataFrame | None:
    """Village polygons in EPSG:4326 with a ``_name`` column (None where unnamed)."""
    if within is None:
        return None
    if isinstance(within, gpd.GeoDataFrame):
        gdf = within
    elif isinstance(within, str | PathLike):
        gdf = open_vector(within, label=f"suggest_sites(): the village boundaries {within}",
                          error=LayerError, fix=("pass a GeoPackage, Shapefile or GeoJSON of "
                                                 "village polygons")).frame()
    else:
        msg = (f"suggest_sites(): within= must be village polygons (GeoDataFrame or path), "
               f"not {type(within).__name__}.")
        raise LayerError(msg)
    if gdf.crs is None:
        msg = "suggest_sites(): the village boundaries have no CRS. Fix: .set_crs(...) first."
        raise CRSError(msg)
    name = find_column(gdf, _VILLAGE_NAMES)
    names = gdf[name].tolist() if name is not None else [None] * len(gdf)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    broken = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    geoms[broken] = shapely.make_valid(geoms[broken])
    out = gpd.GeoDataFrame({"_name": pd.Series(
        [None if pd.isna(v) else str(v) for v in names], dtype=object)},
        geometry=gpd.GeoSeries(geoms, crs=gdf.crs))
    return out.to_crs("EPSG:4326")


def _clear_under(rules: RuleSet, prefix: str, facts: dict[str, Any]) -> bool:
    """Whether the rules reading only ``prefix`` facts fire nothing worse than clear.

    The programme switches (the defaults: candidates are screened with them) are the
    same everywhere, so rules that also read them count (LP2B is Z3 only with PSN off).
    """
    programme = Programme().facts()
    own = [r for r in rules if all(f.startswith(prefix) or f in programme for f in r.facts)
           and not any(f.endswith("_near_boundary") for f in r.facts)]
    found = fired_rules(own, {**facts, **programme})
    return most_severe(r.status for r in found) in (None, "clear")


class _Verifier:
    """Screens footprints with the same layers, rules and tolerance; keeps the provenance."""

    def __init__(self, forest: gpd.GeoDataFrame | None, zoning: gpd.GeoDataFrame | None,
                 constraints: list[gpd.GeoDataFrame], ruleset: RuleSet,
                 tolerance_m: float | None) -> None:
        self.forest, self.zoning, self.constraints = forest, zoning, constraints
        self.ruleset, self.tolerance_m = ruleset, tolerance_m
        self.provenance: dict[str, Any] = {}
        self.screened = {"footprints": 0, "sample_points": 0}

        def tol(layer: gpd.GeoDataFrame | None) -> float:
            if tolerance_m is not None:
                return float(tolerance_m)
            layer_m = (layer.attrs.get("lahan_geo", {}).get("tolerance_m") or 0.0
                       if layer is not None else 0.0)
            return float(combined_tolerance_m(float(layer_m), DEFAULT_PLOT_ACCURACY_M))

        self.tolerances = (tol(forest), tol(zoning))

    def screen(self, geoms_wgs84: list[Any], kind: str = "footprints") -> gpd.GeoDataFrame:
        """Screen geometries (EPSG:4326) as plots ``S1``, ``S2``...; return the result."""
        ids = [f"S{i + 1}" for i in range(len(geoms_wgs84))]
        plots = read_plots(gpd.GeoDataFrame({"id": ids}, geometry=geoms_wgs84,
                                            crs="EPSG:4326"))
        out = screen(plots, forest=self.forest, zoning=self.zoning, rules=self.ruleset,
                     tolerance_m=self.tolerance_m, layers=self.constraints, progress=False)
        self.screened[kind] += len(out)
        if not self.provenance:
            meta = out.attrs.get("lahan_geo", {})
            self.provenance = {k: meta[k] for k in ("library_version", "rules_version",
                                                    "rules_path", "rules_sha256", "layers",
                                                    "tolerance") if k in meta}
        return out


class _Land:
    """The layers of one UTM zone, reduced to what a clear site needs."""

    def __init__(self, epsg: int, forest: gpd.GeoDataFrame | None,
                 zoning: gpd.GeoDataFrame | None, constraints: list[gpd.GeoDataFrame],
                 villages: gpd.GeoDataFrame | None, ruleset: RuleSet,
                 tolerances: tuple[float, float]) -> None:
        self.epsg = epsg
        self.forest = self.zoning = None
        if forest is not None:
            functions = [v if isinstance(v, str) else None for v in forest["forest_function"]]
            ok = {v: _clear_under(ruleset, "forest_", {
                "forest_functions": [v] if v else [], "forest_unknown": v is None})
                for v in set(functions)}
            self.forest = _ok_geoms(forest, [ok[v] for v in functions], epsg)
        if zoning is not None:
            pairs = zoning[["zone_class", "zone_permission"]].dropna().drop_duplicates()
            permission_of = dict(zip(pairs["zone_class"], pairs["zone_permission"]))
            ok_zone = [_clear_under(ruleset, "zone_", {
                "zone_permissions": [permission_of[c]] if c in permission_of else [],
                "zone_unknown": c not in permission_of}) for c in zoning["zone_class"]]
            self.zoning = _ok_geoms(zoning, ok_zone, epsg)
        blocked = []
        for layer in constraints:
            rule_ids = set(layer["constraint_rule"])
            if all(_clear_under(ruleset, "constraints", {"constraints": [r]}) for r in rule_ids):
                continue
            grown = buffer_constraint(layer.to_crs(epsg))
            blocked.extend(g for g in grown.geometry.array if g is not None and not g.is_empty)
        self.blocked = np.asarray(blocked, dtype=object)
        self.blocked_tree = shapely.STRtree(self.blocked) if len(self.blocked) else None
        self.villages = villages.to_crs(epsg) if villages is not None else None
        self.tolerances = tolerances

    def village_of(self, geom: Any) -> tuple[Any, str | None] | None:
        """Return the village polygon (metric) and name containing the plot, or None."""
        assert self.villages is not None
        point = shapely.point_on_surface(geom)
        hits = np.sort(self.villages.sindex.query(point, predicate="intersects"))
        if not len(hits):
            return None
        row = self.villages.iloc[hits[0]]
        return row.geometry, row["_name"]

    def clear_region(self, window: Any) -> Any:
        """Return the clear region inside ``window`` (a box), shrunk by the tolerances."""
        if self.forest is None or self.zoning is None:
            return shapely.Polygon()
        region = None
        for geoms, tol in ((self.forest, self.tolerances[0]), (self.zoning, self.tolerances[1])):
            ok = _union_in(geoms, window)
            if ok.is_empty:
                return shapely.Polygon()
            shrunk = shapely.buffer(ok, -(tol + _MARGIN_M), quad_segs=16)
            region = shrunk if region is None else shapely.intersection(region, shrunk)
            if region.is_empty:
                return region
        if self.blocked_tree is not None:
            hits = self.blocked_tree.query(window, predicate="intersects")
            if len(hits):
                region = shapely.difference(region, shapely.union_all(self.blocked[hits]))
        return region


def _ok_geoms(layer: gpd.GeoDataFrame, ok: list[bool], epsg: int) -> Any:
    """Return the layer's polygons whose category is clear, in ``epsg``, and their index."""
    chosen = layer[np.asarray(ok, dtype=bool)]
    geoms = np.asarray(chosen.to_crs(epsg).geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    broken = ~shapely.is_valid(geoms)
    geoms[broken] = shapely.make_valid(geoms[broken])
    return geoms, (shapely.STRtree(geoms) if len(geoms) else None)


def _union_in(indexed: tuple[np.ndarray, Any], window: Any) -> Any:
    geoms, tree = indexed
    if tree is None:
        return shapely.Polygon()
    hits = np.sort(tree.query(window, predicate="intersects"))
    if not len(hits):
        return shapely.Polygon()
    clipped = shapely.clip_by_rect(geoms[hits], *window.bounds)
    return shapely.union_all(clipped)


@dataclass
class _Search:
    """One plot's search: where it looked, the fitting centres, what was verified."""

    position: int
    plot_id: Any
    epsg: int
    centre: tuple[float, float]
    shape: Any  # the footprint around (0, 0), metric
    area: Any  # the search area (disc, within the village), metric
    desa: str | None = None
    village_whole: bool = False
    centres: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    distance: np.ndarray = field(default_factory=lambda: np.zeros(0))
    status: dict[int, bool] = field(default_factory=dict)  # centre index -> screens clear
    wgs84: dict[int, Any] = field(default_factory=dict)  # centre index -> screened polygon
    picks: list[int] = field(default_factory=list)
    note: tuple[str, str] | None = None  # a reason known without screening
    # Sites found by the coarse sample when the grid found none: (distance, EPSG:4326 polygon)
    extra: list[tuple[float, Any]] = field(default_factory=list)
    extra_metric: list[Any] = field(default_factory=list)


def _footprint(geom: Any, params: _Params) -> tuple[tuple[float, float], Any]:
    """Return the plot's centre and the site shape around (0, 0)."""
    centroid = shapely.centroid(geom)
    cx, cy = centroid.x, centroid.y
    if geom.geom_type in ("Polygon", "MultiPolygon") and geom.area >= params.min_area:
        shape = _translate(geom, -cx, -cy)
    else:
        w, d = params.width / 2, params.depth / 2
        shape = shapely.box(-w, -d, w, d)
    return (cx, cy), shape


def _search(position: int, plot_id: Any, epsg: int, geom: Any, land: _Land,
            params: _Params) -> _Search:
    centre, shape = _footprint(geom, params)
    disc = shapely.Point(centre).buffer(params.radius + _reach(shape), quad_segs=32)
    search = _Search(position, plot_id, epsg, centre, shape, disc)
    if land.villages is not None:
        found = land.village_of(geom)
        if found is None:
            search.note = (
                "The plot lies in none of the village boundaries given (within=), so no "
                "search area could be set.",
                "Lahan tidak berada di dalam batas desa mana pun yang diberikan (within=), "
                "sehingga area pencarian tidak dapat ditentukan.")
            return search
        village, search.desa = found
        search.village_whole = bool(shapely.covers(
            shapely.Point(centre).buffer(params.radius, quad_segs=32), village))
        search.area = shapely.intersection(disc, village)
    window = shapely.box(*shapely.buffer(search.area, max(land.tolerances) + 10.0).bounds)
    region = land.clear_region(window)
    if land.villages is not None and not region.is_empty:
        region = shapely.intersection(region, search.area)
    if region.is_empty:
        return search
    xy = _grid(search.area, centre, params)
    dist = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    xy, dist = xy[dist <= params.radius], dist[dist <= params.radius]
    shapely.prepare(region)
    inside = shapely.contains_xy(region, xy[:, 0], xy[:, 1])
    xy, dist = xy[inside], dist[inside]
    if len(xy):
        fits = shapely.contains_properly(region, _moved(_hull(shape), xy))
        xy, dist = xy[fits], dist[fits]
    order = np.lexsort((xy[:, 0], xy[:, 1], np.round(dist, 6)))
    search.centres, search.distance = xy[order], dist[order]
    return search


def _translate(geom: Any, dx: float, dy: float) -> Any:
    offset = np.array([dx, dy])
    return shapely.transform(geom, lambda xy: xy + offset)


def _reach(shape: Any) -> float:
    """Largest distance from (0, 0) to the shape."""
    coords = shapely.get_coordinates(shape)
    return float(np.hypot(coords[:, 0], coords[:, 1]).max()) if len(coords) else 0.0


def _grid(area: Any, centre: tuple[float, float], params: _Params) -> np.ndarray:
    """Grid points anchored on ``centre`` over the bounds of ``area``, at most MAX_CENTRES."""
    minx, miny, maxx, maxy = area.bounds
    step = max(params.grid, math.sqrt((maxx - minx) * (maxy - miny) / MAX_CENTRES))
    ix = np.arange(math.ceil((minx - centre[0]) / step), math.floor((maxx - centre[0]) / step) + 1)
    iy = np.arange(math.ceil((miny - centre[1]) / step), math.floor((maxy - centre[1]) / step) + 1)
    gx, gy = np.meshgrid(centre[0] + ix * step, centre[1] + iy * step)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _hull(shape: Any) -> Any:
    """One ring enclosing the shape: a translated ring is cheap to build in bulk."""
    return shape if shape.geom_type == "Polygon" and not shape.interiors else shape.convex_hull


def _moved(ring_shape: Any, xy: np.ndarray) -> np.ndarray:
    """Return copies of a single-ring polygon moved to every centre in ``xy``."""
    ring = shapely.get_coordinates(ring_shape.exterior)
    return shapely.polygons(ring[None, :, :] + xy[:, None, :])


def _pick(search: _Search, spacing: float, n: int) -> list[int]:
    """Greedy picks by distance among the centres not known to fail, ``spacing`` apart."""
    free = np.array([search.status.get(i, True) for i in range(len(search.centres))],
                    dtype=bool)
    picks: list[int] = []
    while len(picks) < n:
        left = np.flatnonzero(free)
        if not len(left):
            break
        i = int(left[0])
        picks.append(i)
        gap = np.hypot(search.centres[:, 0] - search.centres[i, 0],
                       search.centres[:, 1] - search.centres[i, 1])
        free &= gap >= spacing
        free[i] = False
    return picks


def _verify_picks(searches: list[_Search], verify: _Verifier, params: _Params) -> None:
    """Pick, screen the unscreened picks of every plot together, repeat until all verified."""
    for _ in range(_MAX_ROUNDS):
        todo: list[tuple[_Search, int]] = []
        for search in searches:
            if not len(search.centres):
                continue
            search.picks = _pick(search, params.spacing, params.n)
            todo.extend((search, i) for i in search.picks if i not in search.status)
        if not todo:
            return
        polygons = _to_wgs84([(s.epsg, _place(s, i)) for s, i in todo])
        screened = verify.screen(polygons)
        for (search, i), status, geom in zip(todo, screened["status"], screened.geometry.array):
            search.status[i] = status == "clear"
            search.wgs84[i] = geom
    for search in searches:  # rounds exhausted (never seen): keep only verified picks
        search.picks = [i for i in search.picks if search.status.get(i)]


def _place(search: _Search, i: int) -> Any:
    x, y = search.centres[i]
    return _translate(search.shape, x, y)


def _to_wgs84(items: list[tuple[int, Any]]) -> list[Any]:
    """Reproject (epsg, geometry) pairs to EPSG:4326, keeping their order."""
    out: list[Any] = [None] * len(items)
    zones: dict[int, list[int]] = {}
    for k, (epsg, _) in enumerate(items):
        zones.setdefault(epsg, []).append(k)
    for epsg, ks in zones.items():
        moved = gpd.GeoSeries([items[k][1] for k in ks], crs=epsg).to_crs("EPSG:4326")
        for k, geom in zip(ks, moved.array):
            out[k] = geom
    return out


def _explain_empty(searches: list[_Search], verify: _Verifier, ruleset: RuleSet,
                   params: _Params) -> None:
    """Sample the search area of each plot left without a site: find a site, or say why not.

    About :data:`REASON_SAMPLES` centres across the search area are screened as points
    (ten times cheaper than polygons). Where a point screens clear, the footprint there is
    screened too and, when clear, becomes a site (the pre-filter is cautious: this catches
    clear land it left out). Otherwise the rules that fired on the points say why.
    """
    empty = [s for s in searches if not s.picks and s.note is None]
    if not empty:
        return
    samples: list[tuple[_Search, float, Any]] = []  # (search, distance, centre)
    for search in empty:
        disc = shapely.intersection(search.area, shapely.Point(search.centre).buffer(
            params.radius, quad_segs=32))
        step = max(params.grid, math.sqrt(max(disc.area, 1.0) / REASON_SAMPLES))
        xy = _grid(disc, search.centre, replace(params, grid=step))
        if len(xy):
            xy = xy[shapely.contains_xy(disc, xy[:, 0], xy[:, 1])]
        if not len(xy):
            xy = np.array([search.centre])
        for x, y in xy:
            dist = math.hypot(x - search.centre[0], y - search.centre[1])
            samples.append((search, dist, shapely.Point(x, y)))
    screened = verify.screen(_to_wgs84([(s.epsg, g) for s, _, g in samples]), "sample_points")
    found: dict[int, list[tuple[str, list[str]]]] = {}
    clear_points: list[tuple[_Search, float, Any]] = []
    for (search, dist, point), status, rule_ids in zip(samples, screened["status"],
                                                      screened["rules"]):
        found.setdefault(id(search), []).append((status, list(rule_ids)))
        placed = _translate(search.shape, point.x, point.y)
        if status == "clear" and shapely.covers(search.area, placed):
            clear_points.append((search, dist, placed))
    if clear_points:
        checked = verify.screen(_to_wgs84([(s.epsg, g) for s, _, g in clear_points]))
        for (search, dist, placed), status, geom in zip(clear_points, checked["status"],
                                                        checked.geometry.array):
            if status == "clear" and len(search.extra) < params.n and all(
                    shapely.distance(shapely.centroid(placed), shapely.centroid(other))
                    >= params.spacing for other in search.extra_metric):
                search.extra.append((dist, geom))
                search.extra_metric.append(placed)
    for search in empty:
        if not search.extra:
            search.note = _reason(search, found.get(id(search), []), ruleset, params)


def _reason(search: _Search, screened: list[tuple[str, list[str]]], ruleset: RuleSet,
            params: _Params) -> tuple[str, str]:
    """Say why the search area holds no clear site, from the rules that rejected the sample."""
    by_id = {r.id: r for r in ruleset}
    order = {r.id: k for k, r in enumerate(ruleset)}
    counts: Counter[str] = Counter()
    for status, rule_ids in screened:
        if status == "clear":
            continue
        counts.update({r for r in rule_ids if r in by_id and by_id[r].status != "clear"})
    total = max(len(screened), 1)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 0)))[:3]
    radius_en, radius_id = f"{params.radius:,.0f}", f"{params.radius:,.0f}".replace(",", ".")
    where_en = f" in desa {search.desa}" if search.desa else ""
    where_id = f" di desa {search.desa}" if search.desa else ""
    head_en = f"No clear land within {radius_en} m{where_en}"
    head_id = f"Tidak ada lahan aman dalam radius {radius_id} m{where_id}"
    clear = sum(status == "clear" for status, _ in screened)
    small_en = (f"; the clear patches ({100 * clear / total:.0f} %) are too small or too "
                f"narrow for a {params.width:g} × {params.depth:g} m site" if clear else "")
    small_id = (f"; bagian yang aman ({100 * clear / total:.0f} %) terlalu kecil atau sempit "
                f"untuk lokasi {params.width:g} × {params.depth:g} m" if clear else "")
    if not top:
        return (f"{head_en}: {small_en[2:]}.", f"{head_id}: {small_id[2:]}.")
    parts_en, parts_id = [], []
    for k, (rule_id, count) in enumerate(top):
        phrase_en, phrase_id = _phrase(by_id[rule_id])
        whole = count == total
        pct = f"{100 * count / total:.0f} %"
        if k == 0:
            name = f" {search.desa}" if search.desa else ""
            scope_en = (f"the whole village{name}" if whole and search.village_whole
                        else "the whole search area" if whole else f"{pct} of the search area")
            scope_id = (f"seluruh wilayah desa{name}" if whole and search.village_whole
                        else "seluruh area pencarian" if whole else f"{pct} area pencarian")
        else:
            scope_en = "all of it" if whole else pct
            scope_id = "seluruhnya" if whole else pct
        parts_en.append(f"{scope_en} is {phrase_en} (rule {rule_id})")
        parts_id.append(f"{scope_id} berada {phrase_id} (aturan {rule_id})")
    # Each share is what one rule covers; one spot can fall under two rules (outside the
    # plan AND near a boundary), so percentages overlap: say so when they pass 100 %.
    overlap = sum(c for _, c in top) > total and all(c < total for _, c in top)
    note_en = " (these parts overlap: one spot can fall under several rules)" if overlap else ""
    note_id = (" (bagian-bagian ini bertumpang tindih: satu tempat dapat terkena beberapa "
               "aturan)" if overlap else "")
    return (f"{head_en}: {'; '.join(parts_en)}{note_en}{small_en}.",
            f"{head_id}: {'; '.join(parts_id)}{note_id}{small_id}.")


def _phrase(rule: Rule) -> tuple[str, str]:
    if rule.id in _PHRASES:
        return _PHRASES[rule.id]
    return (f"under rule {rule.id} ({rule.title_en})", f"terkena aturan {rule.id} "
            f"({rule.title_id})")


def _table(searches: list[_Search], verify: _Verifier, params: _Params,
           ruleset: RuleSet) -> gpd.GeoDataFrame:
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for search in searches:
        sites = [(float(search.distance[i]), search.wgs84[i]) for i in search.picks]
        sites = sorted(sites + search.extra, key=lambda s: s[0])[:params.n]
        for k, (dist, geom) in enumerate(sites, start=1):
            rows.append({"plot_id": search.plot_id, "candidate": k,
                         "distance_m": round(dist, 1), "desa": search.desa,
                         "reason_en": None, "reason_id": None})
            geoms.append(geom)
        if not sites:
            note = search.note or ("No clear site found.", "Tidak ditemukan lokasi aman.")
            rows.append({"plot_id": search.plot_id, "candidate": 0, "distance_m": np.nan,
                         "desa": search.desa, "reason_en": note[0], "reason_id": note[1]})
            geoms.append(None)
    table = pd.DataFrame({
        "plot_id": pd.Series([r["plot_id"] for r in rows], dtype=object),
        "candidate": pd.Series([r["candidate"] for r in rows], dtype="int64"),
        "distance_m": pd.Series([r["distance_m"] for r in rows], dtype=float),
        **{c: pd.Series([r[c] for r in rows], dtype=object)
           for c in ("desa", "reason_en", "reason_id")},
    })
    out = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, dtype="geometry",
                                                          crs="EPSG:4326"), crs="EPSG:4326")
    out.attrs["lahan_geo"] = {
        "suggest_sites": {
            "search_radius_m": params.radius, "footprint_m": [params.width, params.depth],
            "min_area_m2": params.min_area, "n": params.n, "grid_m": params.grid,
            "spacing_m": params.spacing, "tolerance_m": list(verify.tolerances),
            "screened": verify.screened,
        },
        "rules_version": ruleset.version, "rules_sha256": ruleset.sha256,
        **{k: v for k, v in verify.provenance.items() if k not in ("rules_version",
                                                                     "rules_sha256")},
    }
    return out
