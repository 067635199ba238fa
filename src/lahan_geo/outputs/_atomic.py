"""Checked, atomic output paths shared by every writer.

A writer never leaves half a file behind: it writes to a hidden temporary file in the
target directory and moves it into place with :func:`os.replace` only when writing
succeeded. Before that, :func:`check_output_path` refuses suffixes the writer does
not produce, an existing file when overwriting is off, and any path equal to an input
the caller asked to protect.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> target = check_output_path(folder / "hasil.csv", (".csv",))
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("plot_id")
>>> target.read_text()
'plot_id'
>>> sorted(p.name for p in folder.iterdir())
['hasil.csv']
>>> import shutil; shutil.rmtree(folder)

"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lahan_geo.errors import InputError

__all__ = ["PathLike", "atomic_path", "check_output_path"]

PathLike = str | os.PathLike[str]


def _same_file(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def recorded_inputs(result: Any) -> list[str]:
    """Return the input files a screening result records in its provenance.

    The writers refuse to write over these even when the caller passes no
    ``protect=``: an export must never replace the plot list or a layer it came from.

    Examples
    --------
    >>> class R:
    ...     attrs = {"lahan_geo": {"plots": {"source_file": "usulan.csv"},
    ...                            "layers": {"forest": {"path": "hutan.gpkg"}}}}
    >>> recorded_inputs(R())
    ['usulan.csv', 'hutan.gpkg']
    """
    info = getattr(result, "attrs", {}).get("lahan_geo", {}) or {}
    found: list[str] = []
    plots = info.get("plots", {}) or {}
    for value in (plots.get("source_file"), *(plots.get("source_files") or [])):
        if isinstance(value, str) and value and not value.startswith("<"):
            found.append(value)
    for layer in (info.get("layers") or {}).values():
        path = layer.get("path") if isinstance(layer, dict) else None
        if isinstance(path, str) and path:
            found.append(path)
    rules = info.get("rules_path")
    if isinstance(rules, str) and rules and not rules.startswith("lahan_geo/"):
        found.append(rules)
    return list(dict.fromkeys(found))


def check_output_path(
    path: PathLike,
    suffixes: tuple[str, ...],
    *,
    overwrite: bool = True,
    protect: Iterable[PathLike] = (),
) -> Path:
    """Validate an output path and return it as an absolute :class:`~pathlib.Path`.

    Parameters
    ----------
    path : str or os.PathLike
        Where the output goes.
    suffixes : tuple of str
        Accepted suffixes, lower case with the dot (``(".xlsx",)``).
    overwrite : bool, default True
        When False, refuse a path that already exists.
    protect : iterable of path-like, default ()
        Paths that must never be overwritten (the inputs of the run).

    Returns
    -------
    pathlib.Path
        The resolved path. A missing parent folder is created.

    Raises
    ------
    InputError
        Wrong suffix, an existing file with ``overwrite=False``, a folder, or a protected path.

    Examples
    --------
    >>> check_output_path("hasil.txt", (".xlsx",))
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: Output path 'hasil.txt' has suffix '.txt'; ...
    >>> check_output_path("plots.csv", (".csv",), protect=["plots.csv"])
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: Output path 'plots.csv' is one of the input files; ...

    """
    raw = Path(path).expanduser()
    suffix = raw.suffix.lower()
    if suffix not in suffixes:
        wanted = " or ".join(suffixes)
        msg = (
            f"Output path '{path}' has suffix '{raw.suffix}'; this writer produces {wanted}. "
            f"Fix: name the file like '{raw.stem or 'hasil'}{suffixes[0]}'."
        )
        raise InputError(msg)
    target = raw.resolve()
    for protected in protect:
        if _same_file(target, Path(protected).expanduser().resolve()):
            msg = (
                f"Output path '{path}' is one of the input files; writing it would destroy "
                "the input. Fix: choose another output name or folder."
            )
            raise InputError(msg)
    if target.is_dir():
        msg = f"Output path '{path}' is a folder. Fix: give a file name ending in {suffixes[0]}."
        raise InputError(msg)
    if target.exists() and not overwrite:
        msg = (
            f"Output file '{path}' already exists and overwrite=False. "
            "Fix: choose another name, delete the file, or pass overwrite=True."
        )
        raise InputError(msg)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"Cannot create the folder of output '{path}': {err}. Fix: choose a writable folder."
        raise InputError(msg) from err
    return target


def _leftovers(tmp: Path) -> list[Path]:
    # GDAL may create side files next to a GeoPackage (journal, -wal, -shm).
    return [p for p in tmp.parent.glob(f"{tmp.name}*") if p.is_file()]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success.

    The temporary name keeps the target's suffix, so writers that infer the format from
    the suffix (GDAL, matplotlib) behave as for the real name. On any exception the
    temporary file and its side files are removed and the exception propagates; an
    existing ``target`` is left untouched.

    Parameters
    ----------
    target : pathlib.Path
        The final path, normally from :func:`check_output_path`.

    Yields
    ------
    pathlib.Path
        A path in the same folder that does not exist yet.

    Raises
    ------
    InputError
        When the operating system refuses the write or the final move.

    """
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as err:
        for leftover in _leftovers(tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(err, OSError):
            msg = (
                f"Cannot write '{target}': {err}. Fix: close the file if it is open in "
                "another program (Excel locks open workbooks) and check the folder is writable."
            )
            raise InputError(msg) from err
        raise
    for leftover in _leftovers(tmp):
        with contextlib.suppress(OSError):
            leftover.unlink()
