r"""The one door through which an untrusted vector file reaches GDAL.

GDAL picks a driver by probing the file, and some of its drivers follow what the
file says: an OGR VRT saved as ``plots.geojson`` makes GDAL read ``/etc/passwd`` or
fetch a URL, a GeoJSON ``"crs": {"type": "link"}`` is fetched from the web. So every
plot file, ``within=`` boundary, compared result and legal layer is opened through
:func:`open_vector`, which:

- sniffs the content (:mod:`lahan_geo.io.sniff`) and accepts only the formats in
  :data:`DRIVERS` (GeoJSON, GeoPackage, Shapefile, FlatGeobuf), and only under a name
  ending that fits the content: a mismatch is an error naming the file, what it
  really holds and the fix;
- makes GDAL use that driver only: GeoJSON and GeoPackage are opened through the
  driver's own prefix (``GeoJSON:/path``, ``GPKG:"/path"``), which no other driver
  answers to; a Shapefile or FlatGeobuf starts with binary magic bytes no text-reading
  driver (VRT, GML, GDALG ...) can take for its own, and the driver GDAL used is
  checked before any feature is read;
- passes GDAL only an absolute path to a regular file, never a folder, a ``/vsi...``
  path, a URL or a name GDAL or pyogrio would rewrite (``!`` is an archive separator
  for pyogrio);
- refuses a GeoJSON whose ``crs`` names a web link, and a file over the budget
  :attr:`~lahan_geo.limits.Limits.vector_bytes`.

No message quotes the file's content.

Examples
--------
>>> import geopandas as gpd, shapely, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(112.3, -2.5)],
...                  crs=4326).to_file(folder / "p.geojson")
>>> source = open_vector(folder / "p.geojson", label="p.geojson")
>>> source.driver, source.layers()
('GeoJSON', [('p', 'Point')])
>>> _ = (folder / "vrt.geojson").write_text(
...     "<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>/etc/passwd"
...     "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>")
>>> open_vector(folder / "vrt.geojson", label="vrt.geojson")
Traceback (most recent call last):
...
lahan_geo.errors.InputError: vrt.geojson is named .geojson but holds an XML document. Fix: ...
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lahan_geo.errors import InputError
from lahan_geo.io.sniff import Sniffed, fits, mismatch_message, sniff
from lahan_geo.limits import current, too_big

__all__ = ["DRIVERS", "VectorFile", "open_vector"]

#: Sniffed kind -> the one GDAL driver that may open it.
DRIVERS: dict[str, str] = {
    "geojson": "GeoJSON",
    "json": "GeoJSON",
    "sqlite": "GPKG",
    "shp": "ESRI Shapefile",
    "fgb": "FlatGeobuf",
}

#: Name endings of the formats in :data:`DRIVERS`.
SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")

# A "crs" member in any spelling json-c accepts: either quote, any case, \u escapes.
_CRS_KEY = re.compile(rb"""["'](?:c|\\u0063)(?:r|\\u0072)(?:s|\\u0073)["']\s*:\s*\{""",
                      re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(rb"\\u([0-9a-fA-F]{4})")
_CHUNK = 8 * 1024 * 1024
_CRS_WINDOW = 64 * 1024


@dataclass(frozen=True)
class VectorFile:
    """A vector file cleared for GDAL: read it only through these methods.

    ``gdal_path`` is what GDAL is given (see the module notes), ``label`` names the
    file in messages and ``error`` is the exception class raised for a GDAL failure.
    """

    path: Path
    label: str
    driver: str
    gdal_path: str
    error: type[Exception] = InputError
    fix: str = "check that the file is complete"

    def _call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on odd files
                return func(self.gdal_path, *args, **kwargs)
        except Exception as err:  # GDAL's many error types
            msg = f"Cannot read {self.label}: {gdal_reason(err, self.gdal_path)}. Fix: {self.fix}."
            raise self.error(msg) from None

    def _check_driver(self) -> None:
        import pyogrio

        used = self._call(pyogrio.read_info).get("driver")
        if used != self.driver:
            msg = (f"{_lead(self.label)} was taken by GDAL's {used} driver, not "
                   f"{self.driver} as its content says; refused for safety. Fix: export the "
                   "file again as GeoPackage or GeoJSON.")
            raise self.error(msg)

    def layers(self) -> list[tuple[str, str | None]]:
        """Return ``[(layer name, geometry type or None)]``."""
        import pyogrio

        found = [(str(name), kind) for name, kind in self._call(pyogrio.list_layers)]
        if found and self.driver in ("ESRI Shapefile", "FlatGeobuf"):
            self._check_driver()
        return found

    def info(self, layer: str | int | None = None) -> dict[str, Any]:
        """Return :func:`pyogrio.read_info` of a layer."""
        import pyogrio

        return self._call(pyogrio.read_info, layer=layer)

    def raw(self, layer: str | int | None = None, **kwargs: Any) -> Any:
        """Return :func:`pyogrio.raw.read` of a layer: ``(meta, fids, wkb, fields)``."""
        import pyogrio.raw

        return self._call(pyogrio.raw.read, layer=layer, **kwargs)

    def frame(self, layer: str | int | None = None, **kwargs: Any) -> Any:
        """Return :func:`pyogrio.read_dataframe` of a layer (a GeoDataFrame or DataFrame)."""
        import pyogrio

        if self.driver in ("ESRI Shapefile", "FlatGeobuf"):
            self._check_driver()
        return self._call(pyogrio.read_dataframe, layer=layer, **kwargs)


def gdal_reason(err: Exception, gdal_path: str | None = None) -> str:
    """Return the first line of a GDAL error, without GDAL's advice and its own path form."""
    line = (str(err).strip().splitlines() or [type(err).__name__])[0]
    line = line.split("; It might help")[0].rstrip(" .;") or type(err).__name__
    if gdal_path:
        line = line.replace(gdal_path, "the file")
    return line[:300]


def open_vector(path: str | Path, *, label: str | None = None,
                error: type[Exception] = InputError,
                fix: str = "check that the file is complete") -> VectorFile:
    """Clear a file for GDAL (module notes) and return the handle to read it through.

    Parameters
    ----------
    path : str or Path
        The file.
    label : str, optional
        How messages name it (default: the path as given).
    error : exception class
        Raised for every refusal and GDAL failure (InputError for plot lists and
        other inputs, LayerError for legal layers).
    fix : str
        The fix a GDAL failure's message gives.

    Raises
    ------
    error
        The file does not exist, is not a regular file, holds something other than its
        name says or than the formats in :data:`DRIVERS`, is over budget, names a web
        link as its CRS, or its path is one GDAL would read specially.
    """
    given = Path(path)
    label = label or str(given)
    try:
        real = given.resolve(strict=True)
    except (OSError, RuntimeError):
        msg = f"{_lead(label)} does not exist. Fix: check the path."
        raise error(msg) from None
    if not real.is_file():
        msg = (f"{_lead(label)} is not a file (a folder or device). Fix: pass the layer or "
               "plot file itself (.gpkg, .shp, .geojson, .fgb).")
        raise error(msg)
    suffix = given.suffix.lower()
    found = sniff(real)
    driver = _driver_for(found, suffix, given, label, error)
    _check_size(real, driver, label, error)
    if driver == "GeoJSON":
        _refuse_crs_links(real, label, error)
    return VectorFile(real, label, driver, _gdal_path(real, driver, label, error), error, fix)


def _lead(label: str) -> str:
    """Return a label that starts a sentence: "the zoning layer x" -> "The zoning layer x"."""
    return "The" + label[3:] if label.startswith("the ") else label


def _driver_for(found: Sniffed | None, suffix: str, given: Path, label: str,
                error: type[Exception]) -> str:
    if suffix not in SUFFIXES:
        what = f" (it holds {found.what})" if found is not None else ""
        fix = ("unzip it and pass the .shp inside" if suffix == ".zip"
               else "export it as GeoPackage (.gpkg), Shapefile, GeoJSON or FlatGeobuf")
        msg = (f"{_lead(label)}: lahan_geo reads vector files only as .gpkg, .shp, .geojson, "
               f".json or .fgb, not {suffix or '(no ending)'}{what}. Fix: {fix}.")
        raise error(msg)
    if found is None:
        msg = (f"{_lead(label)} holds no format lahan_geo recognizes (not {suffix.lstrip('.')}). "
               "Fix: export it again as GeoPackage, Shapefile or GeoJSON.")
        raise error(msg)
    if found.kind == "empty" or found.damaged or not fits(found, suffix) \
            or found.kind not in DRIVERS:
        raise error(mismatch_message(given, found, _lead(label)))
    return DRIVERS[found.kind]


def _check_size(real: Path, driver: str, label: str, error: type[Exception]) -> None:
    size = real.stat().st_size
    if driver == "ESRI Shapefile":
        for sidecar in real.parent.glob("*"):
            if sidecar.stem == real.stem and sidecar.suffix.lower() == ".dbf":
                size += sidecar.stat().st_size
    if size > current().vector_bytes:
        raise error(too_big(_lead(label), f"is {size / 1e6:,.0f} MB", "vector_bytes",
                            "clip the layer to the area screened"))


def _gdal_path(real: Path, driver: str, label: str, error: type[Exception]) -> str:
    import pyogrio.util

    text = str(real)
    odd = text.lower().startswith("/vsi") or "\0" in text
    if driver == "GPKG":
        odd = odd or '"' in text
        gdal = f'GPKG:"{text}"'
    elif driver == "GeoJSON":
        gdal = f"GeoJSON:{text}"
    else:
        odd = odd or pyogrio.util.vsi_path(text) != text
        gdal = text
    if odd:
        msg = (f"{_lead(label)}: its path holds characters GDAL reads as a command ('!', '\"' or a "
               "leading /vsi); refused. Fix: rename the file or folder without them.")
        raise error(msg)
    return gdal


def _refuse_crs_links(real: Path, label: str, error: type[Exception]) -> None:
    """Refuse a GeoJSON whose ``crs`` (anywhere, any spelling) is a web link GDAL fetches."""
    done = 0  # file offset up to which crs keys were checked
    with open(real, "rb") as fh:
        window, start = b"", 0  # window holds the file from offset ``start``
        while True:
            chunk = fh.read(_CHUNK)
            window += chunk
            for match in _CRS_KEY.finditer(window):
                at = start + match.start()
                if at < done:
                    continue
                if chunk and match.end() + _CRS_WINDOW > len(window):
                    break  # its object may run into the next chunk: check it then
                done = at + 1
                if _is_link(window[match.end():match.end() + _CRS_WINDOW]):
                    msg = (f"{_lead(label)} gives its CRS as a web link ('crs' of type link "
                           "or url), which GDAL would fetch; refused. Fix: remove the 'crs' member "
                           "(GeoJSON is WGS 84) or name it, e.g. \"EPSG:4326\".")
                    raise error(msg)
            if not chunk:
                return
            keep = _CRS_WINDOW + 64
            start += max(0, len(window) - keep)
            window = window[-keep:]


def _is_link(body: bytes) -> bool:
    """Whether a crs object's text (up to its closing brace) names a link, url or href."""
    depth, end = 1, len(body)
    for i, byte in enumerate(body):
        if byte == ord("{"):
            depth += 1
        elif byte == ord("}"):
            depth -= 1
            if depth == 0:
                end = i
                break
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)).encode("utf-8", "replace"),
                               body[:end]).lower()
    return any(word in text for word in (b"link", b"url", b"href", b"http"))
