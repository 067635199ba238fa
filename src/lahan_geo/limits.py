"""Size and cost budgets of every reader, declared in one place.

A crafted or broken file must end in a one-line error, not in minutes of work or
gigabytes of memory. Each reader checks its input against the named budgets of
:class:`Limits` *before* the costly step (openpyxl, ElementTree, GDAL), and the
error names the budget and how to raise it.

The defaults fit any real plot list or legal layer with room to spare. To raise
(or lower) a budget for one block of code, use :func:`override`; for a whole
process, set the environment variable ``LAHAN_GEO_LIMITS`` to comma-separated
``name=value`` pairs (``LAHAN_GEO_LIMITS="text_bytes=2e9,rows=5000000"``). The
values in force are :func:`current`.

Examples
--------
>>> current().rows
1000000
>>> with override(rows=10):
...     current().rows
10
>>> current().rows
1000000
>>> too_big("plots.csv", "holds 12 rows", "rows", "split the list")
"plots.csv holds 12 rows, more than the budget rows=1,000,000. Fix: split the list, or raise \
the budget: lahan_geo.limits.override(rows=...) or LAHAN_GEO_LIMITS='rows=...'."
"""

from __future__ import annotations

import contextvars
import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["ENV_VAR", "Limits", "current", "override", "too_big"]

#: Environment variable read once per process for budgets other than the defaults.
ENV_VAR = "LAHAN_GEO_LIMITS"

_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The named budgets (bytes, counts) every reader keeps to.

    Attributes
    ----------
    text_bytes : int
        Size of a text file read whole into memory: a CSV/TSV/TXT plot list or review
        list, a compared result's GeoJSON.
    workbook_bytes : int
        Size of an .xlsx file on disk.
    workbook_unpacked_bytes : int
        Unpacked size of all the parts of an .xlsx (openpyxl needs about eight times
        as much memory).
    workbook_cells : int
        Cells (``<c>`` elements) of all the sheets of an .xlsx together.
    merged_cells : int
        Cells covered by the merged ranges of one .xlsx together.
    rows : int
        Rows (or features, placemarks, waypoints) of one plot list.
    columns : int
        Columns of a plot list (Excel's own limit, XFD).
    xml_bytes : int
        Size of a KML or GPX document (also the .kml inside a .kmz).
    xml_elements : int
        Elements of a KML or GPX document.
    xml_depth : int
        Nesting depth of a KML or GPX document.
    archive_unpacked_bytes : int
        Total unpacked size of a .zip or .kmz.
    archive_members : int
        Entries of a .zip, .kmz or .xlsx.
    vector_bytes : int
        Size of a GeoJSON, GeoPackage, Shapefile (.shp + .dbf) or FlatGeobuf file read
        by GDAL, plot list or legal layer.
    plot_vertices : int
        Vertices of one plot geometry.
    service_features : int
        Features fetched from an ArcGIS REST layer for one read (checked against the
        service's own count before any page is fetched).
    service_pages : int
        Pages (requests of up to ``maxRecordCount`` features) for one read.
    service_response_bytes : int
        Size of one answer of a service (a description, a count, a page).
    service_bytes : int
        Size of all the pages of one read together.
    """

    text_bytes: int = 200 * _MB
    workbook_bytes: int = 50 * _MB
    workbook_unpacked_bytes: int = 200 * _MB
    workbook_cells: int = 3_000_000
    merged_cells: int = 1_000_000
    rows: int = 1_000_000
    columns: int = 16_384
    xml_bytes: int = 100 * _MB
    xml_elements: int = 1_000_000
    xml_depth: int = 250_000
    archive_unpacked_bytes: int = 500 * _MB
    archive_members: int = 10_000
    vector_bytes: int = 2048 * _MB
    plot_vertices: int = 1_000_000
    service_features: int = 250_000
    service_pages: int = 500
    service_response_bytes: int = 64 * _MB
    service_bytes: int = 512 * _MB


def _from_env(text: str | None) -> Limits:
    base = Limits()
    if not text:
        return base
    names = {f.name for f in dataclasses.fields(Limits)}
    changes: dict[str, int] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in names:
            msg = (f"{ENV_VAR}: unknown budget {name!r}. Fix: use one of "
                   f"{', '.join(sorted(names))}.")
            raise ValueError(msg)
        try:
            changes[name] = int(float(value))
        except ValueError:
            msg = f"{ENV_VAR}: {name}={value!r} is not a number. Fix: write e.g. {name}=1e9."
            raise ValueError(msg) from None
    return dataclasses.replace(base, **changes)


_ACTIVE: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("lahan_geo_limits",
                                                                       default=None)
_ENV_CACHE: dict[str | None, Limits] = {}


def current() -> Limits:
    """Return the budgets in force: an :func:`override`, else the environment's, else defaults."""
    active = _ACTIVE.get()
    if active is not None:
        return active
    text = os.environ.get(ENV_VAR)
    if text not in _ENV_CACHE:
        _ENV_CACHE[text] = _from_env(text)
    return _ENV_CACHE[text]


@contextmanager
def override(**changes: int) -> Iterator[Limits]:
    """Use other budgets inside a ``with`` block (this thread or task only).

    Examples
    --------
    >>> with override(text_bytes=10 * 1024**3) as limits:
    ...     limits.text_bytes
    10737418240
    """
    token = _ACTIVE.set(dataclasses.replace(current(), **changes))
    try:
        yield _ACTIVE.get()  # type: ignore[misc]
    finally:
        _ACTIVE.reset(token)


def too_big(what: str, measured: str, name: str, fix: str) -> str:
    """Return the one-line message for input over budget ``name``.

    ``what`` names the file, ``measured`` says what was found ("unpacks to 900 MB").
    """
    value = getattr(current(), name)
    return (f"{what} {measured}, more than the budget {name}={value:,}. Fix: {fix}, or raise "
            f"the budget: lahan_geo.limits.override({name}=...) or {ENV_VAR}='{name}=...'.")
