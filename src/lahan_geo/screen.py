"""``screen``: overlay plots on the legal layers, apply the rules, explain each result.

The rules run once per distinct combination of facts (forest categories, zone
categories, flags, area), not once per plot, and each reason text is formatted once
per distinct set of values it quotes: a national batch has a million plots but only
hundreds of distinct situations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import cache
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo import __version__
from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M, combined_tolerance_m
from lahan_geo.errors import CRSError, InputError
from lahan_geo.explain import PERMISSION_ORDER, explain_all, functions_of, per_mask
from lahan_geo.intake import read_plots
from lahan_geo.intake.land_status import LandStatusMapping, land_status_columns, unknown_values
from lahan_geo.layers.cache import cached_geometries, layer_fingerprint
from lahan_geo.layers.constraints import buffer_constraint
from lahan_geo.layers.forest import FOREST_ESTATE, read_forest_area
from lahan_geo.layers.rdtr import rdtr_coverage, read_rdtr
from lahan_geo.layers.service import is_address
from lahan_geo.layers.source import find_column
from lahan_geo.layers.subdivide import subdivided_layer
from lahan_geo.layers.window import beyond_window
from lahan_geo.layers.zoning import read_zoning
from lahan_geo.metric import (
    MAX_SEGMENT_DEG,
    ZONE_MARGIN_DEG,
    reach_m,
    to_metric,
    utm_groups,
    zone_band,
)
from lahan_geo.offices import province_code
from lahan_geo.overlay import (
    NODE_CAPACITY,
    PIECE_VERTICES,
    Cover,
    Crossing,
    LayerOverlay,
    assemble,
    category_values,
    check_categories,
    cover,
    crossing_overlaps,
    decisive_boundaries,
    layer_categories,
    layer_edges,
    nearest_distance,
    overlay_layer,
)
from lahan_geo.result import ScreeningResult
from lahan_geo.rules import Programme, RuleSet, load_rules, outcome_of
from lahan_geo.statuses import STATUSES

__all__ = ["PROGRESS_FROM", "RESULT_COLUMNS", "screen"]

#: The columns ``screen`` puts first, in this order; the plot list's own columns follow.
RESULT_COLUMNS = (
    "plot_id", "status", "forest_function", "forest_overlap_pct", "forest_overlaps",
    "forest_decree", "province_code", "zone_class", "zone_name", "zone_overlaps",
    "rdtr_coverage", "boundary_distance_m", "tolerance_m",
    "zone_boundary_distance_m", "zone_tolerance_m", "area_m2",
    "land_status", "land_title_class", "rules", "clearances",
    "clearances_id", "agencies", "agencies_id", "offices", "legal_basis", "reason_id",
    "reason_en", "input_problem", "input_problem_id", "input_notes", "input_notes_id",
)

#: Plot-list columns (any case) that give a plot's province, as a BPS code or a name.
PROVINCE_COLUMNS = ("kode_prov", "kode_provinsi", "provinsi", "province", "prov")
#: Forest-layer columns with the BPS province code of each polygon.
_FOREST_PROVINCE_COLUMNS = ("KODE_PROV", "KD_PROV", "KODEPROV")


def screen(
    plots: gpd.GeoDataFrame | pd.DataFrame | str | PathLike[str],
    forest: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    zoning: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    rules: RuleSet | str | PathLike[str] | None = None,
    tolerance_m: float | None = None,
    *,
    layers: Sequence[gpd.GeoDataFrame] = (),
    rdtr: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    programme: Programme | None = None,
    progress: bool | None = None,
    engine: str = "memory",
    land_status_mapping: str | PathLike[str] | LandStatusMapping | None = None,
) -> gpd.GeoDataFrame:
    """Screen plots against the forest area and the spatial plan.

    Parameters
    ----------
    plots : GeoDataFrame, DataFrame or path
        Best the output of :func:`lahan_geo.read_plots`; anything else is passed
        through it first.
    forest : GeoDataFrame, path or address, optional
        Output of :func:`lahan_geo.read_forest_area` (or a path to read with it, or an
        ArcGIS REST layer address: fetched for the plots' area only).
        Without it every plot's forest status is unknown (rule F7, verify).
    zoning : GeoDataFrame or path, optional
        Output of :func:`lahan_geo.read_zoning`. Without it every plot is Z5, verify.
    rules : RuleSet or path, optional
        The rule set; default the shipped one (:func:`lahan_geo.load_rules`).
    tolerance_m : float, optional
        One positional tolerance (m) for every plot and layer, replacing the one
        derived from each layer's scale combined with each plot's accuracy.
    layers : sequence of GeoDataFrame, optional
        Further constraint layers from :func:`lahan_geo.read_constraint` (protected
        peat, PIPPIB, concessions and rights, river and coastal setbacks); a plot
        overlapping one (its setback included) fires that layer's rule.
    rdtr : GeoDataFrame or path, optional
        Outlines of the RDTRs integrated in OSS (:func:`lahan_geo.read_rdtr`). A plot
        they cover gets the Konfirmasi KKPR route (K1), any other the Persetujuan
        KKPR route (K2). Without it the reason says the route depends on it (K3).
        Column ``rdtr_coverage``: covered, partly, not_covered (None without layer).
    programme : Programme, optional
        Programme switches (:class:`lahan_geo.Programme`): ``psn`` (default False),
        ``public_interest`` (False) and the PPKH ``applicant`` ("pemda"). They change
        the LP2B (Z3), PIPPIB (X2) and PPKH (F8, F9) outcomes and are recorded in
        ``attrs["lahan_geo"]["programme"]``.
    progress : bool, optional
        Show a progress bar (tqdm; a widget in Jupyter). By default it shows for
        batches of :data:`PROGRESS_FROM` plots or more when the output is a terminal
        or a notebook, and stays quiet in batch runs and CI logs.
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` takes a dask-geopandas GeoDataFrame of plots (read with
        read_plots), broadcasts the layers to the workers of the current
        ``distributed`` client and returns a dask-geopandas GeoDataFrame with the
        same rows and columns (:mod:`lahan_geo.engines`).
    land_status_mapping : path or LandStatusMapping, optional
        Classify the plots' land status (``land_status``) with this mapping instead of
        the one :func:`~lahan_geo.read_plots` used (memory engine only).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per plot in input order: :data:`RESULT_COLUMNS`, then the
        plot list's own columns, then ``geometry``. ``attrs["lahan_geo"]`` holds the
        provenance: library and rules version (with the rules' changelog), each
        layer's path, hash, scale and tolerance (the RDTR layer's too), the programme
        switches, and the counts per status. ``offices`` lists the canonical ids of the
        offices the plot goes to; ``agencies``/``agencies_id`` name them, the BPKH unit
        resolved from ``province_code`` (the plot list's province column, else the
        forest layer's ``KODE_PROV``).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> forest = read_forest_area(gpd.GeoDataFrame(
    ...     {"FUNGSIKWS": [100700.0, 100100.0]},
    ...     geometry=[box(112.0, -2.6, 112.2, -2.4), box(112.2, -2.6, 112.4, -2.4)], crs=4326))
    >>> zoning = read_zoning(gpd.GeoDataFrame(
    ...     {"NAMOBJ": ["Kawasan Permukiman Perdesaan"]},
    ...     geometry=[box(112.0, -2.6, 112.4, -2.4)], crs=4326))
    >>> plots = read_plots(pd.DataFrame({"id": ["A", "B", "C"],
    ...     "lat": ["-2.50000", "-2.50000", ""], "lon": ["112.10000", "112.30000", "112.1"]}))
    >>> rdtr = read_rdtr(gpd.GeoDataFrame(geometry=[box(112.0, -2.6, 112.2, -2.4)], crs=4326))
    >>> result = screen(plots, forest=forest, zoning=zoning, rdtr=rdtr)
    >>> result[["plot_id", "status", "forest_function", "rules"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['A', 'clear', 'APL', ['F6', 'Z4', 'K1']],
     ['B', 'needs_clearance', 'HL', ['F2', 'Z4', 'K2']],
     ['C', 'invalid', None, ['V1']]]
    >>> result.loc[1, "offices"]
    ['kemenhut.planologi', 'bpkh', 'gubernur', 'pemda.dpmptsp', 'pemda.tata_ruang', 'atr_bpn']
    """
    if engine != "memory":
        from lahan_geo.engines import run_engine

        if land_status_mapping is not None:
            msg = (f"screen(engine={engine!r}) takes no land_status_mapping=. Fix: pass it to "
                   "read_plots(..., land_status_mapping=) before building the frame.")
            raise InputError(msg)
        if rdtr is not None or programme is not None:  # not yet passed to the workers
            msg = (f"engine={engine!r} does not take rdtr= or programme= yet. Fix: screen "
                   "with engine='memory' (the default) to use them.")
            raise InputError(msg)
        return run_engine(engine, plots, forest=forest, zoning=zoning, rules=rules,
                          tolerance_m=tolerance_m, layers=layers)
    ruleset = load_rules(rules)
    constraints = _as_constraints(layers, ruleset)
    plots = _as_plots(plots)
    land_texts, land_classes, land_info = land_status_columns(plots, land_status_mapping)
    forest = _as_layer(forest, "forest_function", read_forest_area, plots)
    zoning = _as_layer(zoning, "zone_class", read_zoning, plots)
    rdtr = _as_layer(rdtr, "rdtr_name", read_rdtr, plots)
    programme = _as_programme(programme)
    if tolerance_m is not None and (
        isinstance(tolerance_m, bool) or not isinstance(tolerance_m, (int, float))
        or not tolerance_m >= 0
    ):
        msg = f"tolerance_m={tolerance_m!r} must be a distance in metres, 0 or more."
        raise InputError(msg)

    n = len(plots)
    plots = _recheck_geometry(plots)
    geoms = gpd.GeoSeries(plots.geometry.to_numpy(), crs="EPSG:4326")
    usable = ~(geoms.isna() | geoms.is_empty).to_numpy()
    valid = plots["input_problem"].isna().to_numpy() & usable
    geoms = geoms.where(valid, None)
    accuracy = pd.to_numeric(plots["accuracy_m"], errors="coerce").fillna(
        DEFAULT_PLOT_ACCURACY_M).to_numpy(dtype=float)
    forest_tol = _tolerance(forest, accuracy, tolerance_m)
    zone_tol = _tolerance(zoning, accuracy, tolerance_m)

    groups = utm_groups(geoms)
    steps = len(groups) * (1 + (forest is not None) + (zoning is not None) + len(constraints))
    bar = _progress_bar(progress, n, steps + 1)
    area = np.full(n, np.nan)
    metric = {}
    for epsg, positions in groups.items():
        bar.set_postfix_str(f"EPSG:{epsg}")
        bar.update()
        metric[epsg] = to_metric(geoms.iloc[positions], epsg)
        polygonal = metric[epsg].geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        area[np.asarray(positions)[polygonal]] = metric[epsg].area.to_numpy()[polygonal]

    f_ov = z_ov = None
    if forest is not None:
        f_key = _outcome(ruleset, "forest_", lambda v: {
            "forest_functions": [v] if v else [], "forest_unknown": v is None}, programme)
        f_ov = _overlay(n, groups, metric, forest, "forest_function", f_key, forest_tol, bar,
                        geoms, area)
    permission_of = _permissions(zoning)
    if zoning is not None:
        z_key = _outcome(ruleset, "zone_", lambda c: {
            "zone_permissions": [permission_of[c]] if c in permission_of else [],
            "zone_unknown": c not in permission_of}, programme)
        z_ov = _overlay(n, groups, metric, zoning, "zone_class", z_key, zone_tol, bar, geoms,
                        area)

    wgs84 = np.asarray(geoms.array, dtype=object)
    blanked = {name: beyond_window(layer, wgs84, tol, ov.distance_m, valid, kind)
               for name, layer, tol, ov, kind in (
                   ("forest", forest, forest_tol, f_ov, "forest area"),
                   ("zoning", zoning, zone_tol, z_ov, "zoning")) if ov is not None}
    if rdtr is not None:  # an outline read for other plots cannot say they are outside it
        beyond_window(rdtr, wgs84, np.zeros(n), np.full(n, np.nan), valid, "RDTR coverage")
    for layer in constraints:
        widest = float(np.max(layer["setback_m"].to_numpy(dtype=float), initial=0.0))
        beyond_window(layer, wgs84, np.full(n, widest), np.full(n, np.nan), valid,
                      f"constraint ({layer.attrs['lahan_geo'].get('name')})")
    hits = _constraint_hits(n, groups, metric, constraints, bar)
    described = _describe(n, plots, valid, f_ov, z_ov, forest, zoning, area, forest_tol,
                          zone_tol, permission_of)
    described["land_status"] = pd.Series(land_texts, dtype=object)
    described["land_title_class"] = pd.Series(land_classes, dtype=object)
    described["rdtr_coverage"] = pd.Series(
        np.full(n, None, dtype=object) if rdtr is None else rdtr_coverage(geoms, rdtr),
        dtype=object)
    described["province_code"] = pd.Series(_provinces(plots, forest, f_ov),
                                           dtype=object)
    explained = explain_all(ruleset, plots, valid, described, f_ov, z_ov, permission_of,
                             forest_tol, zone_tol, area, hits,
                             rdtr=None if rdtr is None else described["rdtr_coverage"].to_numpy(),
                             programme=programme,
                             province=described["province_code"].to_numpy(),
                             zone_forest=_zone_forest(zoning),
                             land_title=np.asarray(land_classes, dtype=object))
    bar.update()
    bar.close()
    table = pd.concat([described, explained], axis=1)
    extra = [c for c in plots.columns if c not in RESULT_COLUMNS and c != plots.geometry.name]
    table = pd.concat([table, plots[extra].reset_index(drop=True)], axis=1)
    table = table[[*RESULT_COLUMNS, *extra]]
    table.index = plots.index
    # copy=False: the columns are already ours; copying them consolidates ~40 object
    # columns (0.9 s per million rows) for nothing.
    result = ScreeningResult(table, geometry=plots.geometry.to_numpy(), crs="EPSG:4326",
                             copy=False)
    result.attrs["lahan_geo"] = _provenance(ruleset, plots, forest, zoning, tolerance_m, result,
                                            constraints)
    for name, count in blanked.items():  # distances a windowed layer cannot vouch for
        if "window" in result.attrs["lahan_geo"]["layers"][name]:
            result.attrs["lahan_geo"]["layers"][name]["window"]["distances_unknown"] = count
    result.attrs["lahan_geo"]["programme"] = programme.to_dict()
    if rdtr is not None:
        result.attrs["lahan_geo"]["layers"]["rdtr"] = _plain(rdtr.attrs.get("lahan_geo", {}))
    if land_info["column"] is not None and not any("land_title" in r.facts for r in ruleset):
        land_info["note_en"] = "the rules read no land_title fact: land title was not screened"
        land_info["note_id"] = "aturan tidak membaca fakta land_title: status tanah tidak disaring"
    result.attrs["lahan_geo"]["land_status"] = _plain(land_info)
    result.attrs["lahan_geo"]["unknown_land_status_values"] = unknown_values(land_texts,
                                                                            land_classes)
    return result


def _as_programme(programme: Any) -> Programme:
    if programme is None:
        return Programme()
    if not isinstance(programme, Programme):
        msg = (f"programme={programme!r} is not a Programme. Fix: pass "
               "lg.Programme(psn=False, applicant='pemda').")
        raise InputError(msg)
    return programme


def _provinces(plots: gpd.GeoDataFrame, forest: gpd.GeoDataFrame | None,
               f_ov: LayerOverlay | None) -> list[str | None]:
    """Per plot, its BPS province code: the plot list's column, else the forest layer's."""
    n = len(plots)
    column = find_column(plots, PROVINCE_COLUMNS)
    listed = ([province_code(v) for v in plots[column].tolist()] if column is not None
              else [None] * n)
    layer_column = (find_column(forest, _FOREST_PROVINCE_COLUMNS) if forest is not None
                    else None)
    if layer_column is None or f_ov is None or f_ov.pairs.empty or all(listed):
        return listed
    first = f_ov.pairs[f_ov.pairs["core"]].drop_duplicates("plot")  # any polygon under it
    mapped: list[Any] = [None] * n
    for plot, value in zip(first["plot"].tolist(),
                           forest[layer_column].to_numpy(dtype=object)[first["row"].to_numpy()]):
        mapped[plot] = value
    return [a or province_code(b) for a, b in zip(listed, mapped)]


def _zone_forest(zoning: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Forest-class zone class to the forest function it restates."""
    if zoning is None or "zone_forest_function" not in zoning.columns:
        return {}
    pairs = zoning[["zone_class", "zone_forest_function"]].dropna().drop_duplicates()
    return dict(zip(pairs["zone_class"], pairs["zone_forest_function"]))


def _as_plots(plots: Any) -> gpd.GeoDataFrame:
    if isinstance(plots, gpd.GeoDataFrame) and {"plot_id", "input_problem"} <= set(plots.columns):
        if plots.crs is None:
            msg = "The plots have no CRS. Fix: plots.set_crs('EPSG:4326') or use read_plots."
            raise CRSError(msg)
        out = plots.to_crs("EPSG:4326") if not plots.crs.equals("EPSG:4326") else plots
        for column in ("accuracy_m", "input_problem_id", "input_notes", "input_notes_id",
                       "settled_before_designation"):
            if column not in out.columns:
                out = out.assign(**{column: None})
        return out
    return read_plots(plots)


_PLOT_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")
_PLOT_TYPE_IDS = [shapely.GeometryType.POINT, shapely.GeometryType.MULTIPOINT,
                  shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]


def _recheck_geometry(plots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Mark rows whose geometry cannot be screened, even if read_plots once passed them.

    A frame may have been edited after :func:`read_plots` (a point moved to NaN, a
    line pasted in): such a row becomes ``invalid`` with the reason, never a crash
    deep in GEOS and never a silent ``clear``.
    """
    geoms = np.asarray(plots.geometry.array, dtype=object)
    check = plots["input_problem"].isna().to_numpy() & ~pd.isna(geoms)
    check[check] = ~shapely.is_empty(geoms[check])  # no geometry: reported further on
    suspect = np.zeros(len(geoms), dtype=bool)
    suspect[check] = ~np.isin(shapely.get_type_id(geoms[check]), _PLOT_TYPE_IDS)
    coords, owner = shapely.get_coordinates(geoms[check], return_index=True)
    suspect[np.flatnonzero(check)[owner[~np.isfinite(coords).all(axis=1)]]] = True
    suspect[check] |= ~shapely.is_valid(geoms[check])
    bad: dict[int, tuple[str, str]] = {}
    for i in np.flatnonzero(suspect):  # the few rows found above, word by word
        geom = geoms[i]
        if geom.geom_type not in _PLOT_TYPES:
            bad[i] = (f"a {geom.geom_type} is not a plot. Fix: give a point or a polygon.",
                      f"{geom.geom_type} bukan lahan. Perbaikan: berikan titik atau poligon.")
        elif not np.isfinite(shapely.get_coordinates(geom)).all():
            bad[i] = ("the geometry has NaN or infinite coordinates. Fix: correct the "
                      "coordinates and read the list again with read_plots.",
                      "geometri memiliki koordinat NaN atau tak hingga. Perbaikan: perbaiki "
                      "koordinat lalu baca ulang dengan read_plots.")
        elif not geom.is_valid:
            bad[i] = (f"the polygon is invalid ({shapely.is_valid_reason(geom)}). Fix: read "
                      "the list with read_plots, which repairs polygons and records it.",
                      "poligon tidak valid. Perbaikan: baca daftar dengan read_plots, yang "
                      "memperbaiki poligon dan mencatatnya.")
    if not bad:
        return plots
    plots = plots.copy()
    problems = plots["input_problem"].astype(object).to_numpy().copy()
    problems_id = (plots["input_problem_id"].astype(object).to_numpy().copy()
                   if "input_problem_id" in plots else np.full(len(plots), None, dtype=object))
    for i, (en, id_) in bad.items():
        problems[i], problems_id[i] = en, id_
    plots["input_problem"] = pd.Series(problems, index=plots.index, dtype=object)
    plots["input_problem_id"] = pd.Series(problems_id, index=plots.index, dtype=object)
    keep = ~np.isin(np.arange(len(plots)), list(bad))
    return plots.set_geometry(plots.geometry.where(keep, None))


def _as_layer(layer: Any, column: str, reader: Any, plots: gpd.GeoDataFrame
              ) -> gpd.GeoDataFrame | None:
    if layer is None:
        return None
    if isinstance(layer, gpd.GeoDataFrame) and column in layer.columns:
        if layer.crs is None:
            msg = (f"The layer passed to screen has no CRS. Fix: read it with "
                   f"{reader.__name__}(..., crs='EPSG:4326') or call .set_crs() first.")
            raise CRSError(msg)
        return layer
    return reader(layer, around=plots) if is_address(layer) else reader(layer)


def _as_constraints(layers: Sequence[gpd.GeoDataFrame], ruleset: RuleSet
                   ) -> list[gpd.GeoDataFrame]:
    if isinstance(layers, gpd.GeoDataFrame):
        layers = [layers]
    known = {r.id for r in ruleset}
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, gpd.GeoDataFrame) or "constraint_rule" not in layer.columns:
            msg = (f"layers[{i}] is not a constraint layer. Fix: read it with "
                   "lg.read_constraint(path, rule='X1') (or X2, X3, X4).")
            raise InputError(msg)
        missing = sorted(set(layer["constraint_rule"]) - known)
        if missing:
            msg = (f"layers[{i}] triggers rule(s) {', '.join(missing)}, which the rules "
                   f"{ruleset.version} do not define. Fix: add them to the rules file.")
            raise InputError(msg)
        out.append(layer)
    return out


def _constraint_hits(n: int, groups: dict[int, list[int]], metric: dict[int, gpd.GeoSeries],
                     constraints: list[gpd.GeoDataFrame], bar: Any
                     ) -> list[list[tuple[str, str]]]:
    """Per plot, the (rule, layer name) of every constraint layer it overlaps."""
    none: list[tuple[str, str]] = []  # shared by every plot no layer touches, never grown
    hits: list[list[tuple[str, str]]] = [none] * n
    for layer in constraints:
        for epsg, positions in groups.items():
            bar.update()
            grown = buffer_constraint(to_metric(layer, epsg))
            ov = overlay_layer(metric[epsg].reset_index(drop=True), grown, "constraint_rule",
                               outcome=lambda v: v, tolerance_m=np.zeros(len(positions)))
            touched = ov.core_mask | ov.band_mask
            for local in np.flatnonzero(touched):
                for rule in ov.values(touched[local]):
                    if rule is not None:
                        name = str(layer["constraint_name"].iloc[0])
                        pair = (rule, name)
                        if hits[positions[local]] is none:
                            hits[positions[local]] = []
                        if pair not in hits[positions[local]]:
                            hits[positions[local]].append(pair)
    return hits


#: Batches at least this large show a progress bar by default (interactive only).
PROGRESS_FROM = 20_000


def _progress_bar(progress: bool | None, n: int, steps: int) -> Any:
    """Return a tqdm bar over the screening's stages, or a silent stand-in."""
    if progress is None:
        progress = n >= PROGRESS_FROM and _interactive()
    if progress:
        from tqdm.auto import tqdm

        return tqdm(total=steps, desc=f"Screening {n:,} plots", unit="step")
    return _Silent()


def _interactive() -> bool:
    import sys

    return "ipykernel" in sys.modules or bool(getattr(sys.stderr, "isatty", lambda: False)())


class _Silent:
    def update(self, *_: Any) -> None:
        return None

    def set_postfix_str(self, *_: Any) -> None:
        return None

    def close(self) -> None:
        return None


def _tolerance(layer: gpd.GeoDataFrame | None, accuracy: np.ndarray, override: float | None
               ) -> np.ndarray:
    if override is not None:
        return np.full(len(accuracy), float(override))
    if layer is None:
        return np.full(len(accuracy), math.nan)
    layer_m = layer.attrs.get("lahan_geo", {}).get("tolerance_m") or 0.0
    return np.asarray(combined_tolerance_m(float(layer_m), accuracy))


def _outcome(ruleset: RuleSet, prefix: str, facts_of: Callable[[Any], dict[str, Any]],
             programme: Programme) -> Callable[[Any], Hashable]:
    facts = programme.facts()  # the same for every plot: rules reading them stay in

    @cache
    def key(value: Any) -> Hashable:
        return outcome_of(ruleset, {**facts_of(value), **facts}, [prefix, *facts])

    return key


def _permissions(zoning: gpd.GeoDataFrame | None) -> dict[str, str]:
    if zoning is None:
        return {}
    pairs = zoning[["zone_class", "zone_permission"]].dropna().drop_duplicates()
    return dict(zip(pairs["zone_class"], pairs["zone_permission"]))


def _overlay(n: int, groups: dict[int, list[int]], metric: dict[int, gpd.GeoSeries],
             layer: gpd.GeoDataFrame, column: str, key: Callable[[Any], Hashable],
             tolerance: np.ndarray, bar: Any, wgs84: gpd.GeoSeries, area: np.ndarray
             ) -> LayerOverlay:
    """Overlay the plots on one layer: what lies under each, in the layer's own CRS.

    Which polygons lie under a plot is found in the layer's CRS, where its edges are
    the straight lines its makers drew: the plots are carried into it (exact for
    points), never the layer's millions of vertices into each plot's UTM zone.
    Distances and the split of plots that cross an edge are measured in each plot's
    UTM zone, against the decisive boundaries (derived once per layer and rule
    outcomes, kept on disk) and only the layer polygons those plots touch.
    """
    categories = layer_categories(layer[column].astype(object))
    check_categories(categories, column)
    values = category_values(layer, column)
    layer_geoms = np.asarray(layer.geometry.array, dtype=object)
    # Prepared once and kept with the layer's geometries: the next screen call (a
    # notebook, the next dask partition on the same worker) skips it.
    shapely.prepare(layer_geoms[~shapely.is_prepared(layer_geoms) & ~pd.isna(layer_geoms)])
    native = wgs84 if layer.crs.equals("EPSG:4326") else wgs84.to_crs(layer.crs)
    native_geoms = np.asarray(native.array, dtype=object)
    polygonal = np.isin(shapely.get_type_id(native_geoms),
                        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    edges = _tree_of(_layer_edges(layer)) if polygonal.any() else None
    found = cover(native_geoms, layer_geoms, edges)
    parts, source = subdivided_layer(layer) if found.crossing else (None, None)
    parts_of = _parts_under(parts, native_geoms, found)
    distance = np.full(n, np.nan)
    crossing: dict[int, Crossing] = {}
    cropped = bool(layer.crs.is_geographic)
    for epsg, positions in groups.items():
        bar.update()
        pos = np.asarray(positions)
        local = np.asarray(metric[epsg].array, dtype=object)
        pieces = _layer_pieces(layer, column, categories, key, epsg, whole=not cropped)
        distance[pos] = nearest_distance(local, pieces, _tree_of(pieces))
        here = {p: parts_of[p] for p in pos[np.isin(pos, list(parts_of))].tolist()}
        if cropped:
            # Only the boundaries in and near the zone were searched: a plot whose
            # nearest lies farther than the zone's margin is searched in all of them.
            reach = reach_m(shapely.bounds(np.asarray(wgs84.array, dtype=object)[pos]), epsg)
            far = ~(distance[pos] < reach)
            split = np.isin(pos, list(here))  # their tolerance band must lie within reach
            wide = bool((tolerance[pos[split]] >= reach[split]).any())
            if far.any() or wide:
                pieces = _layer_pieces(layer, column, categories, key, epsg, whole=True)
                distance[pos[far]] = nearest_distance(local[far], pieces, _tree_of(pieces))
        if here:
            needed = sorted({j for js in here.values() for j in js})
            projected = to_metric(gpd.GeoSeries(parts[needed], crs=layer.crs), epsg)
            at = dict(zip(pos.tolist(), local))
            crossing.update(crossing_overlaps(
                {p: at[p] for p in here}, here, dict(zip(needed, projected.array)),
                values[source], pieces, tolerance, _tree_of(pieces), row_of=source))
    return assemble(categories, values, found, crossing, distance, area)


def _layer_edges(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Return the edges of the layer's polygons, cut into pieces, cached like the pieces."""
    info = layer.attrs.get("lahan_geo", {})
    key = (info.get("sha256"), str(layer.crs), len(layer), "edges", PIECE_VERTICES,
           layer_fingerprint(layer))
    if key[0] is not None and key in _PIECES:
        return _PIECES[key]
    edges = cached_geometries(
        key, lambda: layer_edges(np.asarray(layer.geometry.array, dtype=object)))
    if key[0] is not None:
        _keep(key, edges)
    return edges


def _keep(key: tuple[Any, ...], pieces: np.ndarray) -> None:
    while len(_PIECES) >= _PIECES_KEPT:
        _PIECES.pop(next(iter(_PIECES)))
    _PIECES[key] = pieces


def _parts_under(parts: np.ndarray | None, native: np.ndarray, found: Cover
                 ) -> dict[int, list[int]]:
    """For each plot crossing a polygon edge, the pieces of the subdivided layer under it.

    ``parts`` are the layer's polygons cut by :func:`~lahan_geo.layers.subdivide.subdivided_layer`.

    A parcel crossing the edge of a 100,000-vertex forest polygon is cut with the
    few small pieces around it (:func:`~lahan_geo.layers.subdivide.subdivided_layer`,
    cached on disk), never with the whole polygon.
    """
    if not found.crossing or parts is None:
        return {}
    plots = np.array(sorted(found.crossing))
    plot_i, part_i = shapely.STRtree(parts).query(native[plots], predicate="intersects")
    order = np.lexsort((part_i, plot_i))
    out: dict[int, list[int]] = {}
    for p, j in zip(plots[plot_i[order]].tolist(), part_i[order].tolist()):
        out.setdefault(p, []).append(j)
    return out


#: Decisive boundary pieces of recently used layers, per CRS (a notebook re-screens
#: often); derived once per layer and rule outcomes, also kept in the on-disk cache.
_PIECES: dict[tuple[Any, ...], np.ndarray] = {}
_PIECES_KEPT = 16

#: Names how the pieces are cut and projected: part of their cache key.
PIECES_VERSION = f"pieces-{PIECE_VERTICES}-{MAX_SEGMENT_DEG}"


#: Spatial indexes of the pieces in ``_PIECES``, by the pieces array's identity.
_TREES: dict[int, tuple[np.ndarray, shapely.STRtree]] = {}


def _tree_of(pieces: np.ndarray) -> shapely.STRtree:
    """Return an STRtree of ``pieces``, built once while they are kept in memory."""
    kept = _TREES.get(id(pieces))
    if kept is not None and kept[0] is pieces:
        return kept[1]
    tree = shapely.STRtree(pieces, node_capacity=NODE_CAPACITY)
    if any(p is pieces for p in _PIECES.values()):
        while len(_TREES) >= _PIECES_KEPT:
            _TREES.pop(next(iter(_TREES)))
        _TREES[id(pieces)] = (pieces, tree)
    return tree


def _layer_pieces(layer: gpd.GeoDataFrame, column: str, categories: tuple[Any, ...],
                  key: Callable[[Any], Hashable], epsg: int | None = None,
                  whole: bool = True) -> np.ndarray:
    """Return the layer's decisive boundary pieces, in its CRS or projected to ``epsg``.

    Projected with ``whole=False`` (a layer in degrees), only the pieces within
    :func:`~lahan_geo.metric.zone_band` of the zone: a national layer is not projected
    whole into each of Indonesia's nine zones. All are kept on disk
    (:func:`~lahan_geo.layers.cache.cached_geometries`) and for the last few layers in
    memory: deriving them takes a union per rule outcome of the whole layer, projecting
    them a densified transform of every vertex.
    """
    values = layer[column].astype(object)
    outcomes = tuple((repr(c), repr(key(c))) for c in categories)
    info = layer.attrs.get("lahan_geo", {})
    memo_key = (info.get("sha256"), str(layer.crs), len(layer), column,
                layer_fingerprint(layer, [column]), outcomes, PIECES_VERSION)
    wanted = (*memo_key, epsg) if whole or epsg is None else (*memo_key, epsg, "band",
                                                               ZONE_MARGIN_DEG)
    if memo_key[0] is not None and wanted in _PIECES:
        return _PIECES[wanted]
    if epsg is None:
        def build() -> np.ndarray:
            geoms = np.asarray(layer.geometry.array, dtype=object)
            keys = [key(None if pd.isna(v) else v) for v in values]
            return decisive_boundaries(geoms, keys, key(None))
    else:
        def build() -> np.ndarray:
            native = _layer_pieces(layer, column, categories, key)
            if not whole:
                west, east = zone_band(epsg)
                box = shapely.bounds(native)
                native = native[(box[:, 2] >= west) & (box[:, 0] <= east)]
            return np.asarray(to_metric(gpd.GeoSeries(native, crs=layer.crs), epsg).array,
                              dtype=object)
    pieces = cached_geometries(wanted, build)
    if memo_key[0] is not None:
        _keep(wanted, pieces)
    return pieces

def _describe(n: int, plots: gpd.GeoDataFrame, valid: np.ndarray, f_ov: LayerOverlay | None,
              z_ov: LayerOverlay | None, forest: gpd.GeoDataFrame | None,
              zoning: gpd.GeoDataFrame | None, area: np.ndarray, forest_tol: np.ndarray,
              zone_tol: np.ndarray, permission_of: Mapping[str, str]) -> pd.DataFrame:
    """Describe what lies under each plot and how far the decisive boundaries are."""
    f_mask = f_ov.core_mask if f_ov is not None else np.zeros(n, dtype=np.uint64)
    z_mask = z_ov.core_mask if z_ov is not None else np.zeros(n, dtype=np.uint64)
    functions = per_mask(f_mask, lambda m: functions_of(f_ov, m))
    function = [f[0] if f and ok else None for f, ok in zip(functions, valid)]
    zone_class = per_mask(z_mask, lambda m: _worst_class(z_ov, m, permission_of))
    zone_class = [c if ok else None for c, ok in zip(zone_class, valid)]

    pct = np.full(n, np.nan)
    if forest is not None:
        in_estate = np.array([f in FOREST_ESTATE for f in function])
        pct[valid] = np.where(in_estate[valid], 100.0, 0.0)
        for p, areas in f_ov.overlap_m2.items():
            if area[p] > 0:
                inside = sum(a for v, a in areas.items() if v in FOREST_ESTATE)
                pct[p] = round(min(100.0, 100.0 * inside / area[p]), 2)

    zone_name = _attribute_of(z_ov, zoning, zone_class, "zone_class", "zone_name", n)
    for p, names in _unknown_zone_names(z_ov, zoning).items():
        if zone_name[p] is None:
            zone_name[p] = names[0]
    distance = f_ov.distance_m if f_ov is not None else np.full(n, np.nan)
    zone_distance = z_ov.distance_m if z_ov is not None else np.full(n, np.nan)
    problem = plots["input_problem"].to_numpy(dtype=object).copy()
    problem[~valid & pd.isna(problem)] = "the row has no geometry"
    return pd.DataFrame({
        "plot_id": plots["plot_id"].to_numpy(dtype=object),
        "forest_function": pd.Series(function, dtype=object),
        "forest_overlap_pct": np.where(valid, pct, np.nan),
        "forest_overlaps": pd.Series(_overlaps_text(f_ov, area, n), dtype=object),
        "zone_overlaps": pd.Series(_overlaps_text(z_ov, area, n), dtype=object),
        "forest_decree": pd.Series(
            _attribute_of(f_ov, forest, function, "forest_function", "forest_decree", n),
            dtype=object),
        "zone_class": pd.Series(zone_class, dtype=object),
        "zone_name": pd.Series(zone_name, dtype=object),
        "boundary_distance_m": np.where(valid, np.round(distance, 1), np.nan),
        "tolerance_m": np.round(forest_tol, 1),
        "zone_boundary_distance_m": np.where(valid, np.round(zone_distance, 1), np.nan),
        "zone_tolerance_m": np.round(zone_tol, 1),
        "area_m2": np.round(area, 1),
        "input_problem": pd.Series(problem, dtype=object),
        "input_problem_id": pd.Series(plots["input_problem_id"].to_numpy(dtype=object),
                                      dtype=object),
        "input_notes": pd.Series(plots["input_notes"].to_numpy(dtype=object), dtype=object),
        "input_notes_id": pd.Series(plots["input_notes_id"].to_numpy(dtype=object), dtype=object),
    })


def _overlaps_text(ov: LayerOverlay | None, area: np.ndarray, n: int) -> list[str | None]:
    """Per polygon plot, its area in each category: 'HL 600 m² (40.0 %); APL ...'."""
    out: list[str | None] = [None] * n
    if ov is None:
        return out
    for p, areas in ov.overlap_m2.items():
        total = area[p]
        if not areas or not total > 0:
            continue
        parts = sorted(areas.items(), key=lambda kv: (-kv[1], str(kv[0])))
        out[p] = "; ".join(f"{'unknown' if c is None else c} {a:,.0f} m² ({100 * a / total:.1f} %)"
                           for c, a in parts)
    return out


def _worst_class(ov: LayerOverlay | None, mask: int, permission_of: Mapping[str, str]
                 ) -> str | None:
    if ov is None:
        return None
    classes = [c for c in ov.values(mask) if c is not None]
    if not classes:
        return None
    return min(classes, key=lambda c: (PERMISSION_ORDER.index(permission_of[c]), c))


def _attribute_of(ov: LayerOverlay | None, layer: gpd.GeoDataFrame | None, chosen: list[Any],
                  key_col: str, attr: str, n: int) -> list[Any]:
    """Per plot, ``attr`` of the first core layer row whose ``key_col`` is the chosen value."""
    out: list[Any] = [None] * n
    if ov is None or layer is None or ov.pairs.empty:
        return out
    pairs = ov.pairs[ov.pairs["core"]]
    keys = layer[key_col].to_numpy(dtype=object)[pairs["row"].to_numpy()]
    wanted = np.asarray(chosen, dtype=object)[pairs["plot"].to_numpy()]
    same = ~pd.isna(keys) & ~pd.isna(wanted)  # compared only where both are values
    same[same] = np.asarray(keys[same] == wanted[same], dtype=bool)
    first = pairs[same].drop_duplicates("plot")
    values = layer[attr].to_numpy(dtype=object)[first["row"].to_numpy()]
    filled = np.full(n, None, dtype=object)
    filled[first["plot"].to_numpy()] = np.where(pd.isna(values), None, values)
    return filled.tolist()


def _unknown_zone_names(ov: LayerOverlay | None, zoning: gpd.GeoDataFrame | None
                        ) -> dict[int, list[str]]:
    """Per plot lying on zones of no known class, those zones' names, sorted."""
    out: dict[int, list[str]] = {}
    if ov is None or zoning is None or ov.pairs.empty:
        return out
    pairs = ov.pairs[ov.pairs["core"]]
    rows = pairs["row"].to_numpy()
    unknown = pd.isna(zoning["zone_class"].to_numpy(dtype=object)[rows])
    names = zoning["zone_name"].to_numpy(dtype=object)[rows[unknown]]
    for p, name in zip(pairs["plot"].to_numpy()[unknown].tolist(), names):
        if isinstance(name, str) and name and name not in out.setdefault(p, []):
            out[p].append(name)
    return {p: sorted(x) for p, x in out.items() if x}


def _provenance(ruleset: RuleSet, plots: gpd.GeoDataFrame, forest: gpd.GeoDataFrame | None,
                zoning: gpd.GeoDataFrame | None, override: float | None,
                result: gpd.GeoDataFrame, constraints: list[gpd.GeoDataFrame]
                ) -> dict[str, Any]:
    layers = {}
    for name, layer in (("forest", forest), ("zoning", zoning)):
        if layer is not None:
            layers[name] = _plain(layer.attrs.get("lahan_geo", {}))
    for i, layer in enumerate(constraints):
        info = layer.attrs.get("lahan_geo", {})
        layers[f"constraint_{i + 1}_{info.get('rule', '')}"] = _plain(info)
    counts = result["status"].value_counts()
    return _plain({
        "library_version": __version__,
        **ruleset.provenance(),
        "layers": layers,
        "plots": plots.attrs.get("lahan_geo", {}),
        "tolerance": {
            "forest_layer_m": layers.get("forest", {}).get("tolerance_m"),
            "zoning_layer_m": layers.get("zoning", {}).get("tolerance_m"),
            "default_plot_accuracy_m": DEFAULT_PLOT_ACCURACY_M,
            "override_m": override,
            "combination": "root sum of squares of layer and plot accuracy",
        },
        "status_counts": {s: int(counts.get(s, 0)) for s in STATUSES},
    })


def _plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into JSON-serialisable Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
