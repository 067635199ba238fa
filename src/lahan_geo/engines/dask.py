"""Screen a dask-geopandas GeoDataFrame of plots, partition by partition, on a dask cluster.

A plot's result never depends on the other plots of the batch (``screen`` measures
each plot in its own UTM zone and evaluates the rules per plot), so every partition
is screened on its own with :func:`lahan_geo.screen` and the rows come back identical
to the in-memory engine's, in the same partitions and with the same index.

The layers are read once, on the client, and sent to the workers once: scattered to
every worker when a ``distributed`` client is active (``client.scatter(...,
broadcast=True)``), otherwise embedded once in the task graph. Each partition task
receives them by reference, not a copy per task.

Two differences from the in-memory result, both by design:

- **Provenance.** ``attrs`` do not survive dask (partitions are concatenated by
  pandas, which drops differing ``attrs``), so the partitions' ``attrs`` are cleared
  and :func:`screen_provenance` returns the dict ``screen`` puts in
  ``result.attrs["lahan_geo"]``, with the status counts of the computed result.
- **Text dtypes of the plot list's own columns.** ``dask_geopandas.from_geopandas``
  turns object columns into pyarrow strings (dask's ``dataframe.convert-string``).
  The columns :func:`lahan_geo.read_plots` adds are restored to what ``read_plots``
  returns before screening, so every screening column is identical; the plot list's
  own columns come back as dask delivered them (equal values, missing as ``<NA>``).
  Build the frame inside ``dask.config.set({"dataframe.convert-string": False})`` to
  keep them exactly as pandas had them.

Examples
--------
>>> import dask_geopandas, lahan_geo as lg                          # doctest: +SKIP
>>> from distributed import Client                                  # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")                         # doctest: +SKIP
>>> plots = lg.read_plots("plots.csv")                              # doctest: +SKIP
>>> ddf = dask_geopandas.from_geopandas(plots, npartitions=64)      # doctest: +SKIP
>>> result = screen_dask(ddf, forest="kawasan_hutan.gpkg",
...                      zoning="pola_ruang.gpkg")                  # doctest: +SKIP
>>> result.to_parquet("hasil/")                                     # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo.errors import InputError

__all__ = ["screen_dask", "screen_provenance"]

# The object columns read_plots adds, and the Python values they hold.
_TEXT_COLUMNS = ("plot_id", "input_problem", "input_problem_id", "input_notes", "input_notes_id",
                 "source_file", "source_sheet", "land_status", "land_title_class")
_FLAG_COLUMN = "settled_before_designation"
_FLAGS = {"True": True, "False": False, "true": True, "false": False}


def screen_dask(
    plots: Any,
    forest: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    zoning: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    rules: Any = None,
    tolerance_m: float | None = None,
    *,
    layers: Sequence[gpd.GeoDataFrame] = (),
    broadcast: bool | None = None,
) -> Any:
    """Screen every partition of a dask-geopandas GeoDataFrame of plots.

    Parameters
    ----------
    plots : dask_geopandas.GeoDataFrame
        Plots as :func:`lahan_geo.read_plots` returns them (``plot_id``,
        ``input_problem``, ... and a CRS), e.g. ``dask_geopandas.from_geopandas(
        lg.read_plots(path), npartitions=...)`` or ``dask_geopandas.read_parquet`` of
        such a frame written with ``to_parquet``.
    forest, zoning, rules, tolerance_m, layers
        As in :func:`lahan_geo.screen`. Paths are read once, here, on the client.
    broadcast : bool, optional
        Send the layers to the workers with ``client.scatter(broadcast=True)``.
        Default: when a ``distributed`` client is active; otherwise (and with
        ``False``) the layers are embedded once in the task graph.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; the same columns, index and partitions as :func:`lahan_geo.screen`
        would give each partition. ``.compute()`` gives rows identical to the
        in-memory engine's, without ``attrs`` (see :func:`screen_provenance`).

    Raises
    ------
    InputError
        When ``plots`` is not a dask-geopandas GeoDataFrame from ``read_plots``.
    """
    dask, _ = _dask_modules()
    _check_plots(plots)
    ruleset, forest, zoning, constraints = _prepare(rules, forest, zoning, layers)
    meta = _result_meta(plots._meta, forest, zoning, ruleset, tolerance_m, constraints)
    forest_, zoning_, ruleset_, constraints_ = _share(
        [forest, zoning, ruleset, constraints], broadcast, dask)
    return plots.map_partitions(_screen_partition, forest_, zoning_, ruleset_, tolerance_m,
                                constraints_, meta=meta)


def screen_provenance(
    plots: Any,
    forest: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    zoning: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    rules: Any = None,
    tolerance_m: float | None = None,
    *,
    layers: Sequence[gpd.GeoDataFrame] = (),
    result: Any = None,
) -> dict[str, Any]:
    """Return the provenance ``screen`` would put in ``result.attrs["lahan_geo"]``.

    Parameters
    ----------
    plots : dask_geopandas.GeoDataFrame or GeoDataFrame
        The plots given to :func:`screen_dask` (their ``read_plots`` provenance is
        taken from the frame's metadata, where dask kept it).
    forest, zoning, rules, tolerance_m, layers
        The arguments given to :func:`screen_dask`.
    result : dask_geopandas.GeoDataFrame or GeoDataFrame, optional
        The screening result; its statuses are counted (computing a lazy result's
        ``status`` column). Without it ``status_counts`` is None.

    Returns
    -------
    dict
        Library and rules version, each layer's path, hash, CRS, scale, tolerance,
        repairs and decrees, the tolerance settings and the counts per status, plus
        ``"engine": "dask"``.
    """
    meta = plots._meta if hasattr(plots, "_meta") else plots.iloc[:0]
    ruleset, forest, zoning, constraints = _prepare(rules, forest, zoning, layers)
    from lahan_geo.pipeline import as_plots, run

    empty = run(as_plots(_restore_plot_columns(meta)), forest, zoning, ruleset,
                constraints=constraints, tolerance_m=tolerance_m)
    info = dict(empty.attrs["lahan_geo"])
    info["plots"] = meta.attrs.get("lahan_geo", {})
    info["engine"] = "dask"
    if result is None:
        info["status_counts"] = None
    else:
        status = result["status"]
        if hasattr(status, "map_partitions"):  # count per partition, add up on the client
            counts = status.map_partitions(lambda s: s.value_counts(), meta=(None, "int64"))
            counts = counts.compute().groupby(level=0).sum()
        else:
            counts = status.value_counts()
        info["status_counts"] = {s: int(counts.get(s, 0)) for s in info["status_counts"]}
    if "land_status" in info:
        pairs = None if result is None else _land_pairs_of(result)
        info["land_status"] = {**info["land_status"], "classes": None if pairs is None else {
            str(c): int(n) for c, n in pairs.groupby("c")["n"].sum().sort_index().items()}}
        info["unknown_land_status_values"] = None if pairs is None else sorted(
            {t for t in pairs["t"].tolist() if t})
    return info


def _land_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Count the rows per land-title class, with the texts of the unrecognized ones."""
    classes = frame["land_title_class"].astype(object)
    texts = frame["land_status"].astype(object).where(classes == "unrecognized")
    pairs = pd.DataFrame({"c": classes.fillna(""), "t": texts.fillna("")})
    return pairs.groupby(["c", "t"]).size().reset_index(name="n")


def _land_pairs_of(result: Any) -> pd.DataFrame:
    """:func:`_land_pairs` of a result, per partition for a lazy one, added up here."""
    frame = result[["land_status", "land_title_class"]]
    if not hasattr(frame, "map_partitions"):
        return _land_pairs(frame)
    meta = pd.DataFrame({"c": pd.Series(dtype=object), "t": pd.Series(dtype=object),
                         "n": pd.Series(dtype="int64")})
    return frame.map_partitions(_land_pairs, meta=meta).compute()


# -- helpers ----------------------------------------------------------------------------
def _dask_modules() -> tuple[Any, Any]:
    try:
        import dask
        import dask_geopandas
    except ImportError as err:  # optional dependency
        msg = (f"The dask engine needs dask and dask-geopandas ({err}). Fix: pip install "
               "'dask[distributed]' dask-geopandas")
        raise InputError(msg) from None
    return dask, dask_geopandas


def _check_plots(plots: Any) -> None:
    _, dask_geopandas = _dask_modules()
    if not isinstance(plots, dask_geopandas.GeoDataFrame):
        msg = (f"screen_dask takes a dask_geopandas.GeoDataFrame, not {type(plots).__name__}. "
               "Fix: dask_geopandas.from_geopandas(lg.read_plots(...), npartitions=...).")
        raise InputError(msg)
    missing = [c for c in ("plot_id", "input_problem") if c not in plots.columns]
    if missing:
        msg = (f"The plots lack {', '.join(missing)}: they did not come from read_plots. "
               "Fix: read them with lg.read_plots(...) before dask_geopandas.from_geopandas.")
        raise InputError(msg)


def _prepare(rules: Any, forest: Any, zoning: Any, layers: Sequence[gpd.GeoDataFrame]
             ) -> tuple[Any, Any, Any, list[gpd.GeoDataFrame]]:
    """Load the rules and read the layers once, on the client."""
    from lahan_geo.layers import read_forest_area, read_zoning
    from lahan_geo.pipeline import as_constraints, as_layer
    from lahan_geo.rules import load_rules

    ruleset = load_rules(rules)
    forest = as_layer(forest, "forest_function", read_forest_area)
    zoning = as_layer(zoning, "zone_class", read_zoning)
    return ruleset, forest, zoning, as_constraints(layers, ruleset)


def _share(objects: list[Any], broadcast: bool | None, dask: Any) -> list[Any]:
    """Put each object in the graph once (or on every worker), to be passed by reference."""
    client = _client()
    if broadcast and client is None:
        msg = "broadcast=True needs an active distributed Client. Fix: Client(...) first."
        raise InputError(msg)
    if client is not None and broadcast is not False:
        futures = client.scatter(objects, broadcast=True, hash=False)
        return [dask.delayed(f) for f in futures]
    token = uuid.uuid4().hex
    return [dask.delayed(obj, name=f"lahan-geo-input-{i}-{token}", pure=False)
            for i, obj in enumerate(objects)]


def _client() -> Any:
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client
        return None


def _result_meta(meta: gpd.GeoDataFrame, forest: Any, zoning: Any, ruleset: Any,
                 tolerance_m: float | None, constraints: list[gpd.GeoDataFrame]
                 ) -> gpd.GeoDataFrame:
    """Return the empty result with the dtypes real partitions have.

    An empty frame would give object dtypes where a filled one infers strings
    (``plot_id``), so one unusable row is screened (it touches no geometry) and dropped.
    """
    from lahan_geo.schema import RESULT_COLUMNS

    plots = _restore_plot_columns(meta)
    row = plots.reindex(pd.RangeIndex(1))
    row["plot_id"] = pd.Series(["meta"], index=row.index, dtype=object)
    row["input_problem"] = pd.Series(["meta"], index=row.index, dtype=object)
    out = _screen_partition(row, forest, zoning, ruleset, tolerance_m, constraints).iloc[:0]
    own = [c for c in plots.columns
           if c in out.columns and c not in RESULT_COLUMNS and c != plots.geometry.name]
    return out.astype({c: plots[c].dtype for c in own})


def _screen_partition(part: gpd.GeoDataFrame, forest: Any, zoning: Any, ruleset: Any,
                      tolerance_m: float | None, constraints: list[gpd.GeoDataFrame]
                      ) -> gpd.GeoDataFrame:
    """Screen one partition, as the in-memory engine screens a whole batch."""
    from lahan_geo.pipeline import as_plots, run
    from lahan_geo.threads import limited

    with limited(1):  # the cluster's workers are the parallelism
        result = run(as_plots(_restore_plot_columns(part)), forest, zoning, ruleset,
                     constraints=constraints, tolerance_m=tolerance_m)
    result.attrs = {}
    return result


def _restore_plot_columns(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give the columns read_plots adds back the Python values dask turned into strings."""
    fixes = {}
    for column in _TEXT_COLUMNS:
        if column in part.columns and part[column].dtype != object:
            values = part[column].astype(object)
            fixes[column] = values.where(values.notna(), None)
    if _FLAG_COLUMN in part.columns:
        flags = part[_FLAG_COLUMN]
        if flags.dtype != object or any(isinstance(v, str) for v in flags.tolist()):
            fixes[_FLAG_COLUMN] = pd.Series(
                [bool(v) if isinstance(v, (bool, np.bool_)) else _FLAGS.get(v) if isinstance(v, str)
                 else None for v in flags.tolist()], index=part.index, dtype=object)
    return part.assign(**fixes) if fixes else part
