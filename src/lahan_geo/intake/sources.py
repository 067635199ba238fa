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
``.zip``                                  extracted safely (:mod:`~lahan_geo.intake.archives`)
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
from lahan_geo.intake.archives import extract_safely, open_archive
from lahan_geo.intake.blocks import SourceBlock, object_array
from lahan_geo.intake.gpx import read_gpx
from lahan_geo.intake.kml import read_kml, read_kmz
from lahan_geo.intake.tables import read_delimited, read_workbook
from lahan_geo.intake.vector_files import read_vector

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
        return [SourceBlock(frame, "<GeoDataFrame>", np.arange(1, len(frame) + 1),
                            geometry=object_array(source.geometry.array), crs=source.crs,
                            info={"format": "GeoDataFrame"})]
    if isinstance(source, pd.DataFrame):
        return [SourceBlock(source.copy(), "<DataFrame>", np.arange(1, len(source) + 1),
                            info={"format": "DataFrame"})]
    if not isinstance(source, (str, PathLike)):
        msg = f"read_plots takes a file path or a DataFrame, not {type(source).__name__}."
        raise InputError(msg)
    path = Path(source)
    if not path.is_file():
        msg = f"Plot list {path} does not exist or is not a file. Fix: check the path."
        raise InputError(msg)
    return _load_path(path, str(path), sheet=sheet, layer=layer, encoding=encoding, sep=sep,
                      wanted=wanted)


def _load_path(path: Path, label: str, **opts: Any) -> list[SourceBlock]:
    suffix = path.suffix.lower()
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
            msg = (f"{label} holds no plot file (no .shp, .gpkg, .geojson, .kml, .csv, .xlsx "
                   "...). Fix: zip the Shapefile's .shp, .shx, .dbf and .prj together.")
            raise InputError(msg)
        else:
            msg = (f"{label} holds several plot files: {', '.join(names)}. Fix: pass layer= "
                   "with the one to read.")
            raise InputError(msg)
        if chosen.suffix.lower() == ".shp" and not chosen.with_suffix(".dbf").exists() and not \
                chosen.with_suffix(".DBF").exists():
            msg = (f"{label}: {chosen.name} comes without its .dbf (attributes). Fix: zip the "
                   ".shp, .shx, .dbf and .prj files together.")
            raise InputError(msg)
        inner_label = f"{label}!{chosen.relative_to(root).as_posix()}"
        try:
            blocks = _load_path(chosen, inner_label, **opts)
        except CRSError as err:
            raise CRSError(str(err).replace(str(chosen), inner_label)) from None
        except InputError as err:
            raise InputError(str(err).replace(str(chosen), inner_label)) from None
    return blocks
