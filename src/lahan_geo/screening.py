"""The front door: :func:`screen`, its arguments documented, picks the engine.

The in-memory run is :mod:`lahan_geo.pipeline`; other engines are
:mod:`lahan_geo.engines`. This module is named ``screening`` so that
``lahan_geo.screen`` is only ever the function.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import geopandas as gpd
import pandas as pd

from lahan_geo.errors import InputError
from lahan_geo.intake.land_status import LandStatusMapping
from lahan_geo.pipeline import screen_in_memory
from lahan_geo.rules import Programme, RuleSet

__all__ = ["screen"]


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
        batches of :data:`~lahan_geo.pipeline.PROGRESS_FROM` plots or more when the
        output is a terminal or a notebook, and stays quiet in batch runs and CI logs.
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
        EPSG:4326, one row per plot in input order:
        :data:`~lahan_geo.schema.RESULT_COLUMNS`, then the plot list's own columns,
        then ``geometry``. ``attrs["lahan_geo"]`` holds the provenance: library and
        rules version (with the rules' changelog), each layer's path, hash, scale and
        tolerance (the RDTR layer's too), the programme switches, and the counts per
        status. ``offices`` lists the canonical ids of the
        offices the plot goes to; ``agencies``/``agencies_id`` name them, the BPKH unit
        resolved from ``province_code`` (the plot list's province column, else the
        forest layer's ``KODE_PROV``).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> from lahan_geo import read_forest_area, read_plots, read_rdtr, read_zoning
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
    return screen_in_memory(plots, forest, zoning, rules, tolerance_m, layers=layers, rdtr=rdtr,
                            programme=programme, progress=progress,
                            land_status_mapping=land_status_mapping)
