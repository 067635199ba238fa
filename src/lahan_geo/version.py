"""The library's version, read once from the installed package's metadata.

One source of truth: ``pyproject.toml``. An installed package (wheel or editable) has
it in its metadata; a source checkout run with ``PYTHONPATH=src`` and never installed
reads it from the ``pyproject.toml`` beside ``src``.

Examples
--------
>>> import lahan_geo
>>> __version__ == lahan_geo.__version__ and __version__.count(".") >= 2
True
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

__all__ = ["__version__"]


def _version() -> str:
    try:
        return metadata.version("lahan_geo")
    except metadata.PackageNotFoundError:  # a source checkout, not installed
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        found = (re.search(r'(?m)^version\s*=\s*"([^"]+)"', pyproject.read_text("utf-8"))
                 if pyproject.is_file() else None)
        return found.group(1) if found else "0+unknown"


#: The version of this library, as in ``pyproject.toml``.
__version__ = _version()
