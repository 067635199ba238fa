"""Read a shipped data file, or the user's copy of it: rules and mapping files (TOML).

The rules, the zoning mapping and the land-status mapping are all data a district may
copy and edit. Reading one, or its shipped default, and refusing an unreadable or
invalid file with the same one-line message is done here, once.

Examples
--------
>>> text, label = read_data_file(None, "zoning_classes.toml", "zoning mapping", ValueError)
>>> label, "[classes" in text
('lahan_geo/data/zoning_classes.toml', True)
>>> read_data_file("/no/such.toml", "zoning_classes.toml", "zoning mapping", ValueError)
Traceback (most recent call last):
...
ValueError: Cannot read zoning mapping /no/such.toml: ... Fix: pass a UTF-8 TOML file.
"""

from __future__ import annotations

import sys
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["load_toml", "read_data_file"]


def read_data_file(source: str | PathLike[str] | None, default: str, what: str,
                   error: type[Exception]) -> tuple[str, str]:
    """Return ``(text, label)`` of ``source``, or of the shipped ``default`` when None.

    ``label`` names the file in messages (``lahan_geo/data/<default>`` for the shipped
    one); an unreadable file raises ``error`` naming ``what`` it should be.
    """
    if source is None:
        text = resources.files("lahan_geo.data").joinpath(default).read_text("utf-8")
        return text, f"lahan_geo/data/{default}"
    label = str(source)
    try:
        return Path(source).read_text("utf-8"), label
    except (OSError, UnicodeDecodeError) as err:
        msg = f"Cannot read {what} {label}: {err}. Fix: pass a UTF-8 TOML file."
        raise error(msg) from None


def load_toml(text: str, label: str, error: type[Exception]) -> dict[str, Any]:
    """Parse TOML ``text``; a syntax error raises ``error`` naming ``label`` and the line.

    Examples
    --------
    >>> load_toml('a = 1', "x.toml", ValueError)
    {'a': 1}
    >>> load_toml('a = ', "x.toml", ValueError)
    Traceback (most recent call last):
    ...
    ValueError: x.toml: not valid TOML (...). Fix the syntax at that line.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{label}: not valid TOML ({err}). Fix the syntax at that line."
        raise error(msg) from None
