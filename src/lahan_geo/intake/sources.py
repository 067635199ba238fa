"""Open any plot source ``read_plots`` takes and hand back its blocks of rows.

========================================  ============================================
source                                    read by
========================================  ============================================
``.csv``, ``.tsv``, ``.txt``              :func:`~lahan_geo.intake.tables.read_delimited`
``.xlsx``, ``.xlsm``                      :func:`~lahan_geo.intake.tables.read_workbook`
``.geojson``, ``.json``, ``.gpkg``,       :func:`~lahan_geo.intake.vector_files.read_vector`
``.shp``, ``.fgb``
``.kml``, ``.kmz``                        :mod:`lahan_geo.intake.kml`
``.gpx``                                  :mod:`lahan_geo.intake.gpx`
``.zip``                                  extracted safely (:mod:`~lahan_geo.io.archives`)
                                          into a temporary folder; the one plot file in
                                          it (a Shapefile, or any file above) is read
DataFrame / GeoDataFrame                  as they are
========================================  ============================================

Examples
--------
>>> import pandas as pd
>>> [b.source_file for b in load_blocks(pd.DataFrame({"lat": [-2.5]}))]
['<DataFrame>']
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo.errors import CRSError, InputError
from lahan_geo.intake.blocks import SourceBlock, object_array
from lahan_geo.intake.gpx import read_gpx
from lahan_geo.intake.kml import read_kml, read_kmz
from lahan_geo.intake.tables import read_delimited, read_workbook
from lahan_geo.intake.vector_files import read_vector
from lahan_geo.io.archives import extract_safely, open_archive
from lahan_geo.io.sniff import fits, mismatch_message, sniff

__all__ = ["SUPPORTED_SUFFIXES", "load_blocks"]

_TEXT = {".csv", ".tsv", ".txt"}
_WORKBOOK = {".xlsx", ".xlsm"}
_GDAL = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}

#: File name endings read_plots reads.
SUPPORTED_SUFFIXES = tuple(sorted(_TEXT | _WORKBOOK | _GDAL | {".kml", ".kmz", ".gpx", ".zip"}))


def load_blocks(
    source: Any,
    *,
    sheet: Any = None,
    layer: Any = None,
    encoding: str | None = None,
    sep: str | None = None,
    wanted: Collection[str] = (),
) -> list[SourceBlock]:
    """Read a path, DataFrame or GeoDataFrame into blocks of rows (see the module table)."""
    if isinstance(source, gpd.GeoDataFrame):
        frame = pd.DataFrame(source.drop(columns=source.geometry.name))
        info = {"format": "GeoDataFrame", **_plain_columns(frame)}
        return [SourceBlock(frame, "<GeoDataFrame>", np.arange(1, len(frame) + 1),
                            geometry=object_array(source.geometry.array), crs=source.crs,
                            info=info)]
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        info = {"format": "DataFrame", **_plain_columns(frame)}
        return [SourceBlock(frame, "<DataFrame>", np.arange(1, len(source) + 1), info=info)]
    if not isinstance(source, (str, PathLike)):
        msg = f"read_plots takes a file path or a DataFrame, not {type(source).__name__}."
        raise InputError(msg)
    path = Path(source)
    if not path.is_file():
        msg = f"Plot list {path} does not exist or is not a file. Fix: check the path."
        raise InputError(msg)
    return _load_path(path, str(path), sheet=sheet, layer=layer, encoding=encoding, sep=sep,
                      wanted=wanted)


def _plain_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Give a frame's columns unique text names, in place, as a CSV header would have.

    Numbers and tuples become text; of a two-level header (pandas' ``header=[0, 1]``)
    the lower name is kept where there is one; a name used twice gets ``_2``, ``_3``
    (as in a CSV). Returns ``{"renamed_columns": {old: new}}`` when anything changed.
    """
    names = []
    for column in frame.columns:
        if isinstance(column, tuple):
            parts = [str(p).strip() for p in column
                     if str(p).strip() and not str(p).startswith("Unnamed:")]
            names.append(parts[-1] if parts else "")
        else:
            names.append("" if column is None else str(column))
    seen: dict[str, int] = {}
    unique = []
    for i, name in enumerate(names):
        name = name.strip() or f"kolom_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    if list(frame.columns) != unique:
        frame.columns = pd.Index(unique, dtype=object)
    renamed = {str(old): new for old, new in zip(names, unique) if old != new}
    return {"renamed_columns": renamed} if renamed else {}


def _load_path(path: Path, label: str, **opts: Any) -> list[SourceBlock]:
    suffix = path.suffix.lower()
    if suffix in _TEXT and opts["encoding"] is None:
        # A text reader reads almost anything as rows; refuse other formats up front.
        found = sniff(path)
        if found is not None and not fits(found, suffix):
            raise InputError(mismatch_message(path, found, label))
    try:
        return _load_known(path, label, suffix, **opts)
    except CRSError:
        raise
    except InputError as err:
        # The reader failed: say what the file really is when its name is wrong.
        found = sniff(path)
        if found is not None and (found.kind == "empty" or found.damaged
                                  or not fits(found, suffix)):
            raise InputError(mismatch_message(path, found, label, reason=str(err))) from None
        raise err from None


def _load_known(path: Path, label: str, suffix: str, **opts: Any) -> list[SourceBlock]:
    if suffix in _TEXT:
        block = read_delimited(path, encoding=opts["encoding"], sep=opts["sep"],
                               wanted=opts["wanted"])
        block.source_file = label
        return [block]
    if suffix in _WORKBOOK:
        blocks = read_workbook(path, sheet=opts["sheet"], wanted=opts["wanted"])
        for block in blocks:
            block.source_file = label
        return blocks
    if suffix in _GDAL:
        return [read_vector(path, opts["layer"], label)]
    if suffix in (".kml", ".kmz", ".gpx"):
        reader = {".kml": read_kml, ".kmz": read_kmz, ".gpx": read_gpx}[suffix]
        block = reader(path)
        block.source_file = label
        return [block]
    if suffix == ".zip":
        return _load_zip(path, label, **opts)
    hint = " (an old Excel file: save it as .xlsx)" if suffix == ".xls" else ""
    msg = (f"{label}: unsupported file type {suffix or '(none)'}{hint}. Fix: use one of "
           f"{', '.join(SUPPORTED_SUFFIXES)}.")
    raise InputError(msg)


def _load_zip(path: Path, label: str, **opts: Any) -> list[SourceBlock]:
    with open_archive(path) as archive, tempfile.TemporaryDirectory(prefix="lahan_geo_") as tmp:
        root = Path(tmp)
        files = extract_safely(archive, root, label)
        readable = [f for f in files if f.suffix.lower() in SUPPORTED_SUFFIXES
                    and f.suffix.lower() != ".zip" and not f.name.startswith(("._", "~$"))]
        shapefiles = [f for f in readable if f.suffix.lower() == ".shp"]
        inner = shapefiles or readable
        names = {f.relative_to(root).as_posix(): f for f in inner}
        layer = opts["layer"]
        if isinstance(layer, str) and layer in names:
            chosen, opts = names[layer], {**opts, "layer": None}
        elif isinstance(layer, str) and [n for n in names if Path(n).stem == layer]:
            match = [n for n in names if Path(n).stem == layer]
            chosen, opts = names[match[0]], {**opts, "layer": None}
        elif len(names) == 1:
            chosen = next(iter(names.values()))
        elif not names:
            nested = [f.name for f in files if f.suffix.lower() in (".zip", ".kmz")]
            if nested:
                msg = (f"{label} holds only another archive ({', '.join(nested[:3])}); archives "
                       "inside archives are not opened. Fix: unzip it and pass the inner file.")
                raise InputError(msg)
            msg = (f"{label} holds no plot file (no .shp, .gpkg, .geojson, .kml, .csv, .xlsx "
                   "...). Fix: zip the Shapefile's .shp, .shx, .dbf and .prj together.")
            raise InputError(msg)
        else:
            msg = (f"{label} holds several plot files: {', '.join(names)}. Fix: pass layer= "
                   "with the one to read.")
            raise InputError(msg)
        for sidecar, holds in ((".dbf", "attributes"), (".shx", "index")):
            if chosen.suffix.lower() == ".shp" and not chosen.with_suffix(sidecar).exists() \
                    and not chosen.with_suffix(sidecar.upper()).exists():
                msg = (f"{label}: {chosen.name} comes without its {sidecar} ({holds}). Fix: zip "
                       "the .shp, .shx, .dbf and .prj files together.")
                raise InputError(msg)
        inner_label = f"{label}!{chosen.relative_to(root).as_posix()}"
        try:
            blocks = _load_path(chosen, inner_label, **opts)
        except CRSError as err:
            raise CRSError(str(err).replace(str(chosen), inner_label)) from None
        except InputError as err:
            raise InputError(str(err).replace(str(chosen), inner_label)) from None
    return blocks
