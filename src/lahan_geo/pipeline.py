"""The in-memory screening run: overlay plots on the legal layers, apply the rules, explain.

What :func:`lahan_geo.screen` does once its inputs are checked, and what each dask
partition runs (:mod:`lahan_geo.engines.dask`): the checks of the inputs
(:func:`as_plots`, :func:`as_layer`, :func:`as_constraints`) and :func:`run`.

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

from lahan_geo.accuracy import DEFAULT_PLOT_ACCURACY_M, combined_tolerance_m
from lahan_geo.errors import CRSError, InputError, LayerError
from lahan_geo.explain import explain_all, functions_of, per_mask
from lahan_geo.intake import read_plots
from lahan_geo.intake.land_status import LandStatusMapping, land_status_columns, unknown_values
from lahan_geo.layers.forest import read_forest_area
from lahan_geo.layers.rdtr import rdtr_coverage, read_rdtr
from lahan_geo.layers.service import is_address
from lahan_geo.layers.source import find_column
from lahan_geo.layers.window import beyond_window, has_area
from lahan_geo.layers.zoning import read_zoning
from lahan_geo.metric import to_metric, utm_groups
from lahan_geo.offices import province_code
from lahan_geo.overlay import Batch, LayerOverlay, Overlaid, constraint_hits, overlay_plots
from lahan_geo.result import ScreeningResult
from lahan_geo.rules import Programme, RuleSet, load_rules, outcome_of
from lahan_geo.schema import RESULT_COLUMNS, jsonable
from lahan_geo.statuses import STATUSES
from lahan_geo.threads import map_groups, threads
from lahan_geo.version import __version__
from lahan_geo.vocab import FOREST_ESTATE, PERMISSION_ORDER

__all__ = ["PROGRESS_FROM", "as_constraints", "as_layer", "as_plots", "as_programme", "run",
           "screen_in_memory"]


def screen_in_memory(
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
    land_status_mapping: str | PathLike[str] | LandStatusMapping | None = None,
) -> gpd.GeoDataFrame:
    """Check the inputs as :func:`lahan_geo.screen` takes them, then :func:`run`.

    Examples
    --------
    >>> import pandas as pd
    >>> plots = pd.DataFrame({"id": ["A"], "lat": ["-2.50000"], "lon": ["112.10000"]})
    >>> screen_in_memory(plots)[["plot_id", "status"]].values.tolist()
    [['A', 'verify']]
    """
    ruleset = load_rules(rules)
    constraints = as_constraints(layers, ruleset)
    plots = as_plots(plots)
    # Files are read side by side: GDAL and GEOS release the GIL, and on a cold first
    # answer reading is most of the time. Errors come in the order of the arguments.
    specs = [(forest, "forest_function", read_forest_area), (zoning, "zone_class", read_zoning),
             (rdtr, "rdtr_name", read_rdtr)]

    def read(spec: tuple[Any, str, Callable[..., gpd.GeoDataFrame]]) -> Any:
        return as_layer(*spec, plots=plots)

    forest, zoning, rdtr = (map_groups(read, specs) if threads() > 1
                            else [read(spec) for spec in specs])
    options = {"constraints": constraints, "rdtr": rdtr, "programme": as_programme(programme),
               "tolerance_m": tolerance_m, "land_status_mapping": land_status_mapping}
    blanked: dict[str, np.ndarray] = {}
    result = run(plots, forest, zoning, ruleset, progress=progress, unknown=blanked, **options)

    def again(part: gpd.GeoDataFrame, wider: dict[str, Any]
              ) -> tuple[gpd.GeoDataFrame, dict[str, np.ndarray]]:
        unknown: dict[str, np.ndarray] = {}
        return run(part, wider["forest"], wider["zoning"], ruleset, progress=False,
                   unknown=unknown, **options), unknown

    return widen(result, blanked, plots, {"forest": forest, "zoning": zoning}, again)


#: How much wider each new reading of a windowed layer is than the last.
WIDEN_BY = 4.0
#: Readings after the first before the plots still beyond a window keep an empty distance.
WIDEN_TIMES = 10
_READERS: dict[str, Callable[..., gpd.GeoDataFrame]] = {
    "read_forest_area": read_forest_area, "read_zoning": read_zoning}


def widen(result: gpd.GeoDataFrame, blanked: Mapping[str, np.ndarray],
          plots: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame | None],
          rerun: Callable[[gpd.GeoDataFrame, dict[str, Any]],
                          tuple[gpd.GeoDataFrame, dict[str, np.ndarray]]]
          ) -> gpd.GeoDataFrame:
    """Screen again, on wider windows, the plots whose nearest boundary lay beyond a window.

    A layer read through a window (:mod:`lahan_geo.layers.window`) vouches for
    distances up to its margin only. Each plot whose nearest decisive boundary lay
    beyond it is screened again on the layer read :data:`WIDEN_BY` times wider around
    those plots only, until the boundary is found or the window holds the whole layer:
    the answer is the one the whole layer gives, at a cost that follows the plots.
    A layer that cannot be read again (a frame windowed by hand, a CRS object as
    option) keeps the empty distances, as the provenance says.

    Parameters
    ----------
    result : GeoDataFrame
        The screening of ``plots``; its rows are replaced in place.
    blanked : mapping
        Per layer name, the positions of the plots whose distance was left empty.
    plots : GeoDataFrame
        The plots screened (from :func:`as_plots`).
    layers : mapping
        The layers by name, as ``rerun`` takes them.
    rerun : callable
        ``rerun(some_plots, layers)`` returns their screening and its ``blanked``.
    """
    current = dict(layers)
    pending = _pending(blanked)
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in layers}
    for _ in range(WIDEN_TIMES):
        if not len(pending):
            break
        part = plots.iloc[pending]
        wider = {name: (_read_wider(layer, part) if len(np.intersect1d(
                     blanked.get(name, ()), pending)) and _rereadable(layer) else layer)
                 for name, layer in current.items()}
        if all(wider[name] is current[name] for name in current):
            break
        for name in current:
            if wider[name] is not current[name]:
                window = wider[name].attrs.get("lahan_geo", {}).get("window")
                rounds[name].append({"margin_m": None if window is None else window["margin_m"],
                                     "plots": len(pending), "whole_layer": window is None})
        again, again_blanked = rerun(part, wider)
        _replace_rows(result, pending, again)
        blanked = {name: pending[rows] for name, rows in again_blanked.items()}
        pending, current = _pending(blanked), wider
    layer_info = result.attrs.get("lahan_geo", {}).get("layers", {})
    for name, done in rounds.items():
        window = layer_info.get(name, {}).get("window")
        if window is not None:
            window["widened"] = done
            window["distances_unknown"] = len(blanked.get(name, ()))
    return result


def _pending(blanked: Mapping[str, np.ndarray]) -> np.ndarray:
    rows = [np.asarray(v, dtype=np.intp) for v in blanked.values()]
    return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.intp)


def _rereadable(layer: gpd.GeoDataFrame | None) -> bool:
    info = {} if layer is None else layer.attrs.get("lahan_geo", {})
    return "window" in info and info.get("read", {}).get("reader") in _READERS


def _read_wider(layer: gpd.GeoDataFrame, plots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Read a windowed layer again, :data:`WIDEN_BY` times wider, around ``plots``."""
    info = layer.attrs["lahan_geo"]
    read = info["read"]
    options = dict(read["options"])
    expected = options.pop("mapping_fingerprint", None)
    wider = _READERS[read["reader"]](read["path"], around=plots,
                                     margin_m=float(info["window"]["margin_m"]) * WIDEN_BY,
                                     **options)
    new = wider.attrs.get("lahan_geo", {})
    before = info["window"].get("file_sha256")
    after = new["window"].get("file_sha256") if "window" in new else new.get("sha256")
    fingerprint = new.get("mapping_fingerprint", expected)
    if before is not None and (after != before or fingerprint != expected):
        msg = (f"The layer {read['path']} changed while it was being screened (its content "
               "is not what was read a moment ago). Fix: screen again once the file is "
               "complete.")
        raise LayerError(msg)
    return wider


def _replace_rows(result: gpd.GeoDataFrame, rows: np.ndarray, again: pd.DataFrame) -> None:
    """Put the rows of ``again`` (a screening of ``result``'s rows ``rows``) in place."""
    attrs, result.attrs = result.attrs, {}  # not deep-copied once per column
    for column in result.columns:
        if column == result.geometry.name:
            continue
        values, new = result[column].to_numpy(copy=True), again[column].to_numpy()
        if values.dtype == new.dtype:
            values[rows] = new
            result[column] = pd.Series(values, index=result.index, dtype=result[column].dtype)
            continue
        values = values.astype(object)
        values[rows] = new
        try:  # the column keeps its type when the new values fit it (NaN in a float column)
            result[column] = pd.Series(values, index=result.index).astype(result[column].dtype)
        except (TypeError, ValueError):
            result[column] = pd.Series(values, index=result.index, dtype=object)
    result.attrs = attrs


def run(
    plots: gpd.GeoDataFrame,
    forest: gpd.GeoDataFrame | None,
    zoning: gpd.GeoDataFrame | None,
    ruleset: RuleSet,
    *,
    constraints: Sequence[gpd.GeoDataFrame] = (),
    rdtr: gpd.GeoDataFrame | None = None,
    programme: Programme | None = None,
    tolerance_m: float | None = None,
    progress: bool | None = None,
    land_status_mapping: str | PathLike[str] | LandStatusMapping | None = None,
    unknown: dict[str, np.ndarray] | None = None,
) -> gpd.GeoDataFrame:
    """Screen checked inputs: plots from :func:`as_plots`, layers from :func:`as_layer`.

    Parameters and result as in :func:`lahan_geo.screen` (its memory engine), with the
    rules loaded and the constraint layers checked by :func:`as_constraints`.
    ``unknown``, when given, is filled per layer name with the positions of the plots
    whose boundary distance a windowed layer could not vouch for (what :func:`widen`
    reads again).

    Examples
    --------
    >>> import pandas as pd
    >>> plots = as_plots(pd.DataFrame({"id": ["A"], "lat": [""], "lon": ["112.1"]}))
    >>> run(plots, None, None, load_rules(None))["status"].tolist()
    ['invalid']
    """
    programme = as_programme(programme)
    land_texts, land_classes, land_info = land_status_columns(plots, land_status_mapping)
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

    batch = Batch(plots, geoms, valid, groups, metric, area)
    f_ov = z_ov = None
    if forest is not None:
        f_key = _outcome(ruleset, "forest_", lambda v: {
            "forest_functions": [v] if v else [], "forest_unknown": v is None}, programme)
        f_ov = overlay_plots(batch, forest, "forest_function", f_key, forest_tol, bar)
    permission_of = _permissions(zoning)
    if zoning is not None:
        z_key = _outcome(ruleset, "zone_", lambda c: {
            "zone_permissions": [permission_of[c]] if c in permission_of else [],
            "zone_unknown": c not in permission_of}, programme)
        z_ov = overlay_plots(batch, zoning, "zone_class", z_key, zone_tol, bar)
    on_forest = Overlaid(forest, f_ov, forest_tol)
    on_zoning = Overlaid(zoning, z_ov, zone_tol)

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
    hits = constraint_hits(batch, constraints, bar)
    described = _describe(batch, on_forest, on_zoning, permission_of)
    described["land_status"] = pd.Series(land_texts, dtype=object)
    described["land_title_class"] = pd.Series(land_classes, dtype=object)
    described["rdtr_coverage"] = pd.Series(
        np.full(n, None, dtype=object) if rdtr is None else rdtr_coverage(geoms, rdtr),
        dtype=object)
    described["province_code"] = pd.Series(_provinces(plots, forest, f_ov),
                                           dtype=object)
    explained = explain_all(ruleset, batch, described, on_forest, on_zoning, permission_of, hits,
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
    for name, rows in blanked.items():  # distances a windowed layer cannot vouch for
        if "window" in result.attrs["lahan_geo"]["layers"][name]:
            result.attrs["lahan_geo"]["layers"][name]["window"]["distances_unknown"] = len(rows)
    result.attrs["lahan_geo"]["programme"] = programme.to_dict()
    if rdtr is not None:
        result.attrs["lahan_geo"]["layers"]["rdtr"] = jsonable(rdtr.attrs.get("lahan_geo", {}))
    if land_info["column"] is not None and not any("land_title" in r.facts for r in ruleset):
        land_info["note_en"] = "the rules read no land_title fact: land title was not screened"
        land_info["note_id"] = "aturan tidak membaca fakta land_title: status tanah tidak disaring"
    result.attrs["lahan_geo"]["land_status"] = jsonable(land_info)
    result.attrs["lahan_geo"]["unknown_land_status_values"] = unknown_values(land_texts,
                                                                            land_classes)
    if unknown is not None:
        unknown.update(blanked)
    return result


#: Plot-list columns (any case) that give a plot's province, as a BPS code or a name.
PROVINCE_COLUMNS = ("kode_prov", "kode_provinsi", "provinsi", "province", "prov")
#: Forest-layer columns with the BPS province code of each polygon.
_FOREST_PROVINCE_COLUMNS = ("KODE_PROV", "KD_PROV", "KODEPROV")


def as_programme(programme: Any) -> Programme:
    """Return the programme switches: the defaults for None, else a :class:`Programme`."""
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


def as_plots(plots: Any) -> gpd.GeoDataFrame:
    """Return plots as :func:`~lahan_geo.read_plots` gives them, reading them if need be.

    A frame read before keeps its rows; columns a newer ``read_plots`` adds are filled
    with None.
    """
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


def as_layer(layer: Any, column: str, reader: Callable[..., gpd.GeoDataFrame],
             caller: str = "screen", plots: gpd.GeoDataFrame | None = None,
             margin_m: float | None = None) -> gpd.GeoDataFrame | None:
    """Return a layer as its reader returns it: passed through when read, else read.

    Parameters
    ----------
    layer : GeoDataFrame, path or None
        A layer ``reader`` returned (it has ``column``), or what ``reader`` reads.
    column : str
        The column ``reader`` adds (``forest_function``, ``zone_class``, ``rdtr_name``).
    reader : callable
        :func:`~lahan_geo.read_forest_area`, :func:`~lahan_geo.read_zoning` or
        :func:`~lahan_geo.read_rdtr`.
    caller : str
        The public function the layer was passed to, named in the error.
    plots : GeoDataFrame, optional
        The plots screened: a file or a map-service address is read for their area only
        (:func:`~lahan_geo.layers.source.layer_window`; whole when they span it), and
        :func:`widen` reads it wider for the plots whose nearest boundary lies beyond.
    margin_m : float, optional
        Metres around the plots to read; by default the reader's.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> as_layer(gpd.GeoDataFrame({"zone_class": ["x"]}, geometry=[box(0, 0, 1, 1)]),
    ...          "zone_class", read_zoning, caller="suggest_sites")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.CRSError: The layer passed to suggest_sites has no CRS. Fix: read ...
    """
    if layer is None:
        return None
    if isinstance(layer, gpd.GeoDataFrame) and column in layer.columns:
        if layer.crs is None:
            msg = (f"The layer passed to {caller} has no CRS. Fix: read it with "
                   f"{reader.__name__}(..., crs='EPSG:4326') or call .set_crs() first.")
            raise CRSError(msg)
        return layer
    if plots is not None and (is_address(layer) or isinstance(layer, (str, PathLike))) and (
            has_area(plots)):
        return reader(layer, around=plots, margin_m=margin_m)  # whole when plots span it
    return reader(layer)


def as_constraints(layers: Sequence[gpd.GeoDataFrame], ruleset: RuleSet,
                   caller: str = "screen") -> list[gpd.GeoDataFrame]:
    """Return the constraint layers as a list, each from :func:`lahan_geo.read_constraint`.

    Every rule a layer triggers must be one ``ruleset`` defines.

    Examples
    --------
    >>> as_constraints([], load_rules(None))
    []
    >>> as_constraints([object()], load_rules(None), caller="suggest_sites")
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: suggest_sites(): layers[0] is not a constraint layer. ...
    """
    where = "" if caller == "screen" else f"{caller}(): "
    if isinstance(layers, gpd.GeoDataFrame):
        layers = [layers]
    known = {r.id for r in ruleset}
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, gpd.GeoDataFrame) or "constraint_rule" not in layer.columns:
            msg = (f"{where}layers[{i}] is not a constraint layer. Fix: read it with "
                   "lg.read_constraint(path, rule='X1') (or X2, X3, X4).")
            raise InputError(msg)
        missing = sorted(set(layer["constraint_rule"]) - known)
        if missing:
            msg = (f"{where}layers[{i}] triggers rule(s) {', '.join(missing)}, which the rules "
                   f"{ruleset.version} do not define. Fix: add them to the rules file.")
            raise InputError(msg)
        out.append(layer)
    return out


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


def _describe(batch: Batch, on_forest: Overlaid, on_zoning: Overlaid,
              permission_of: Mapping[str, str]) -> pd.DataFrame:
    """Describe what lies under each plot and how far the decisive boundaries are."""
    n, plots, valid, area = batch.n, batch.plots, batch.valid, batch.area
    forest, f_ov, forest_tol = on_forest.layer, on_forest.overlay, on_forest.tolerance
    zoning, z_ov, zone_tol = on_zoning.layer, on_zoning.overlay, on_zoning.tolerance
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
            layers[name] = jsonable(layer.attrs.get("lahan_geo", {}))
    for i, layer in enumerate(constraints):
        info = layer.attrs.get("lahan_geo", {})
        layers[f"constraint_{i + 1}_{info.get('rule', '')}"] = jsonable(info)
    counts = result["status"].value_counts()
    return jsonable({
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
