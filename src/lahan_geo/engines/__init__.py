"""Execution engines for :func:`lahan_geo.screen` beyond one in-memory batch.

The in-memory engine is :func:`lahan_geo.screen` itself. A plot's result never
depends on the other plots of the batch, so a batch can be cut into partitions,
screened anywhere and put back together with identical rows:

- ``"dask"``: :func:`lahan_geo.engines.dask.screen_dask` takes a dask-geopandas
  GeoDataFrame and screens each partition on a dask cluster (optional dependencies
  ``dask``, ``distributed``, ``dask-geopandas``; imported only when used).

:func:`run_engine` is the single entry point a caller routes ``engine=`` through.

Examples
--------
>>> ENGINES
('memory', 'dask')
>>> run_engine("spark", None)
Traceback (most recent call last):
...
lahan_geo.errors.InputError: engine='spark' is not one of memory, dask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lahan_geo.errors import InputError

__all__ = ["ENGINES", "run_engine"]

#: Names accepted by :func:`run_engine` (and ``lahan_geo.screen(..., engine=)``).
ENGINES = ("memory", "dask")


def run_engine(
    engine: str,
    plots: Any,
    forest: Any = None,
    zoning: Any = None,
    rules: Any = None,
    tolerance_m: float | None = None,
    *,
    layers: Sequence[Any] = (),
    **options: Any,
) -> Any:
    """Screen ``plots`` with the named engine; the arguments are those of ``screen``.

    Parameters
    ----------
    engine : {"memory", "dask"}
        ``"memory"`` calls :func:`lahan_geo.screen`; ``"dask"`` calls
        :func:`lahan_geo.engines.dask.screen_dask` (``plots`` is then a
        dask-geopandas GeoDataFrame, and the result is one too).
    plots, forest, zoning, rules, tolerance_m, layers
        As in :func:`lahan_geo.screen`.
    **options
        Engine-specific keywords (for ``"dask"``: ``broadcast``).

    Returns
    -------
    GeoDataFrame or dask_geopandas.GeoDataFrame

    Raises
    ------
    InputError
        For an unknown engine name.
    """
    if engine == "memory":
        from lahan_geo.pipeline import screen_in_memory

        if options:
            msg = f"The memory engine takes no options; got {', '.join(sorted(options))}."
            raise InputError(msg)
        return screen_in_memory(plots, forest=forest, zoning=zoning, rules=rules,
                      tolerance_m=tolerance_m, layers=layers)
    if engine == "dask":
        from lahan_geo.engines.dask import screen_dask

        return screen_dask(plots, forest=forest, zoning=zoning, rules=rules,
                           tolerance_m=tolerance_m, layers=layers, **options)
    msg = f"engine={engine!r} is not one of {', '.join(ENGINES)}."
    raise InputError(msg)
