"""Exceptions raised by lahan_geo.

Every message names what was wrong (file, row, column, value where they are known)
and how to fix it. Library errors from deep inside GDAL, pyproj or pandas are caught
at the boundary and re-raised as one of these, so a user's typo never ends in a
foreign traceback.

Examples
--------
>>> from lahan_geo.errors import InputError
>>> try:
...     raise InputError("plots.csv, row 4, column 'lintang': 'abc' is not a number. "
...                      "Fix: write decimal degrees such as -2.52.")
... except InputError as err:
...     print(err)
plots.csv, row 4, column 'lintang': 'abc' is not a number. Fix: write decimal degrees such as -2.52.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "CacheWarning",
    "CoordinateError",
    "InputError",
    "InputWarning",
    "LahanGeoError",
    "LahanGeoWarning",
    "LayerError",
    "RulesError",
]


class LahanGeoError(Exception):
    """Base class of every error lahan_geo raises on purpose."""


class InputError(LahanGeoError, ValueError):
    """A plot list or other user input cannot be read as a whole."""


class CoordinateError(InputError):
    """A single coordinate value cannot be parsed; the message says why and how to write it."""


class CRSError(LahanGeoError, ValueError):
    """A layer or plot set has no coordinate reference system, or an unusable one."""


class LayerError(LahanGeoError, ValueError):
    """A legal layer (forest area, zoning, constraint) cannot be used."""


class RulesError(LahanGeoError, ValueError):
    """A rules file is malformed; the message names the file and line."""


class LahanGeoWarning(UserWarning):
    """Base class of every warning lahan_geo issues: something was noticed and handled."""


class CacheWarning(LahanGeoWarning):
    """The on-disk cache was not used, or one of its entries was rejected and rebuilt.

    A cache never changes a result, so this is a notice (about speed, or about a
    cache folder that needs fixing), never an error.
    """


class InputWarning(LahanGeoWarning):
    """A plot list was read, but something about it as a whole needs attention.

    For example a file with a header and no plot rows: the result is empty.
    """
