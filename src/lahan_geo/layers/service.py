"""Fetch a legal layer from an ArcGIS REST map or feature service (network code lives here).

The ministries publish their layers as ArcGIS REST services (the forest estate
``KWSHUTAN_AR_250K_…`` and PIAPS on the forestry geoportal, RTRW/RDTR on GISTARU).
:func:`fetch_layer` reads one layer, ``…/MapServer/<n>`` or ``…/FeatureServer/<n>``:

1. its description (``?f=json``): a feature layer that answers queries, its object-id
   field, ``maxRecordCount``, paging support, name and edit date;
2. how many features the query matches (``returnCountOnly``), checked against the
   budget before anything else is fetched;
3. the features, page by page (``resultOffset``/``resultRecordCount`` up to
   ``maxRecordCount``, ordered by object id so pages neither repeat nor skip),
   in EPSG:4326 (``outSR=4326``, checked on every page), within the window's box
   when one is given (envelope intersects);
4. all pages handed to GDAL's ESRIJSON (or GeoJSON) driver through pyogrio, from a
   local file whose driver is named: the geometries are GDAL's, not ours;
5. kept in the authenticated cache (:func:`fetch_cached`, through
   :func:`lahan_geo.layers.cache.write_entry`) only once complete and checked, keyed
   by the address, the layer's edit date and version, and the query: re-used online
   while the edit date is the same, and offline (with a notice) when the service
   cannot be reached.

Only the address the user gave is ever contacted (redirects are refused; GDAL is
given a local file with the paging keys removed, so it never follows them either).
Transient failures (time-outs, HTTP 429/502/503/504, dropped connections) are
retried with exponential backoff; everything else is a one-line
:class:`~lahan_geo.errors.LayerError` naming the service.

Examples
--------
>>> layer_address("https://geoportal.menlhk.go.id/server/rest/services/backup/"
...               "KWSHUTAN_B/MapServer/0/")
'https://geoportal.menlhk.go.id/server/rest/services/backup/KWSHUTAN_B/MapServer/0'
>>> is_address("https://example.org/x.gpkg"), is_address("kawasan_hutan.gpkg")
(True, False)
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import geopandas as gpd
import pandas as pd

from lahan_geo import __version__
from lahan_geo.errors import LahanGeoWarning, LayerError
from lahan_geo.layers.cache import read_entry, reject_entry, usable_cache_dir, write_entry
from lahan_geo.limits import current, too_big

__all__ = [
    "Description",
    "describe_layer",
    "fetch_cached",
    "fetch_layer",
    "is_address",
    "layer_address",
]

#: Seconds to wait for the service to answer one request.
TIMEOUT_S = 60.0
#: Tries after the first for a transient failure, waiting BACKOFF_S, then twice that...
RETRIES = 3
BACKOFF_S = 1.0

_LAYER = re.compile(r"^https?://[^/?#\s]+/[^?#\s]*?/(?:MapServer|FeatureServer)/\d+$",
                    re.IGNORECASE)
_TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})
_FORMATS = {"json": "ESRIJSON", "geojson": "GeoJSON"}


def is_address(source: object) -> bool:
    """Say whether ``source`` is a web address (http or https), not a file."""
    return isinstance(source, str) and source.strip().lower().startswith(("http://", "https://"))


def layer_address(url: str) -> str:
    """Return the layer address without a trailing slash, or raise if it is not one.

    Raises
    ------
    LayerError
        For an address that is not ``…/MapServer/<n>`` or ``…/FeatureServer/<n>``
        (a service, a folder, a query, a file on the web).
    """
    address = url.strip().rstrip("/")
    if not _LAYER.match(address):
        msg = (f"{url} is not an ArcGIS REST layer address. Fix: give the layer, ending in "
               "/MapServer/<number> or /FeatureServer/<number> (no ?query), e.g. "
               ".../KWSHUTAN_B/MapServer/0.")
        raise LayerError(msg)
    return address


@dataclass(frozen=True)
class Description:
    """What a layer's description (``?f=json``) says that the fetch depends on."""

    address: str
    name: str
    geometry_type: str
    object_id: str
    max_records: int
    paging: bool
    fields: tuple[dict[str, Any], ...]
    version: str | None
    last_edit: str | None
    wkid: int | None
    text: str = ""
    copyright: str = ""

    def provenance(self) -> dict[str, Any]:
        """Return the description's part of the layer's provenance."""
        return {"service": self.address, "layer_name": self.name,
                "layer_description": self.text, "copyright": self.copyright,
                "service_version": self.version, "last_edit": self.last_edit,
                "geometry_type": self.geometry_type, "native_wkid": self.wkid,
                "max_record_count": self.max_records, "paging": self.paging,
                "aliases": {f["name"]: f.get("alias") for f in self.fields
                            if f.get("alias") and f.get("alias") != f["name"]}}


def describe_layer(url: str) -> Description:
    """Fetch and check a layer's description.

    Raises
    ------
    LayerError
        When the address is not a layer, the service fails, or the layer is not a
        feature layer that answers queries.
    """
    address = layer_address(url)
    doc = _json(address, {"f": "json"}, "its description")
    kind = doc.get("type")
    if kind not in ("Feature Layer", None) or "fields" not in doc or not doc.get("geometryType"):
        what = f"a {kind}" if kind else "not a layer description"
        msg = (f"The service {address} is {what}, not a feature layer with geometry. Fix: give "
               "the address of a polygon layer (open it in a browser: 'Type: Feature Layer').")
        raise LayerError(msg)
    capabilities = str(doc.get("capabilities", "Query"))
    if "query" not in capabilities.lower():
        msg = (f"The service {address} does not answer queries (capabilities: {capabilities}); "
               "it only draws maps. Fix: download the layer as a file and pass the file.")
        raise LayerError(msg)
    fields = tuple(f for f in doc.get("fields") or () if isinstance(f, dict) and "name" in f)
    oid = doc.get("objectIdField") or next(
        (f["name"] for f in fields if f.get("type") == "esriFieldTypeOID"), None)
    if not oid:
        msg = (f"The service {address} names no object-id field, so its pages cannot be "
               "checked. Fix: download the layer as a file and pass the file.")
        raise LayerError(msg)
    advanced = doc.get("advancedQueryCapabilities") or {}
    edit = (doc.get("editingInfo") or {}).get("lastEditDate")
    extent_sr = (doc.get("extent") or {}).get("spatialReference") or {}
    max_records = doc.get("maxRecordCount")
    return Description(
        address=address, name=str(doc.get("name") or ""),
        geometry_type=str(doc["geometryType"]), object_id=str(oid),
        max_records=int(max_records) if isinstance(max_records, int) and max_records > 0
        else 1000,
        paging=bool(advanced.get("supportsPagination", False)), fields=fields,
        version=None if doc.get("currentVersion") is None else str(doc["currentVersion"]),
        last_edit=_iso(edit) if isinstance(edit, (int, float)) else None,
        wkid=extent_sr.get("latestWkid") or extent_sr.get("wkid"),
        text=_short(doc.get("description")), copyright=_short(doc.get("copyrightText")),
    )


def _short(text: Any, limit: int = 300) -> str:
    """Return a service's free text on one line, bounded (it is data, never markup)."""
    return " ".join(str(text).split())[:limit] if isinstance(text, str) else ""


def fetch_layer(url: str, *, bbox: tuple[float, float, float, float] | None = None,
                where: str = "1=1", fmt: str = "json", desc: Description | None = None
                ) -> tuple[gpd.GeoDataFrame, dict[str, Any], bytes]:
    """Fetch a layer's features (those intersecting ``bbox``, lon/lat, when given).

    Parameters
    ----------
    url : str
        The layer address, ``…/MapServer/<n>`` or ``…/FeatureServer/<n>``.
    bbox : tuple of float, optional
        (minx, miny, maxx, maxy) in EPSG:4326; features intersecting it are fetched.
    where : str, default "1=1"
        The attribute filter, as the service understands it.
    fmt : {"json", "geojson"}
        The format asked of the service; "json" (Esri JSON) keeps the field types.
    desc : Description, optional
        The layer's description when already fetched (:func:`describe_layer`).

    Returns
    -------
    (GeoDataFrame, dict, bytes)
        The features in EPSG:4326 with date fields as ISO text; the provenance
        (service, layer name, version, edit date, query, fetch time, counts); and
        the fetched features as one document (what :func:`read_features` reads).
    """
    if fmt not in _FORMATS:
        msg = f"fmt={fmt!r} is not one of {', '.join(_FORMATS)}."
        raise LayerError(msg)
    desc = desc if desc is not None else describe_layer(url)
    query = _query(desc, bbox, where)
    count = _json(f"{desc.address}/query", {**query, "returnCountOnly": "true", "f": "json"},
                  "the feature count").get("count")
    if not isinstance(count, int) or count < 0:
        msg = (f"The service {desc.address} did not say how many features the query matches "
               "(returnCountOnly). Fix: check the address in a browser.")
        raise LayerError(msg)
    if count > current().service_features:
        raise LayerError(too_big(f"The service {desc.address}", f"has {count:,} features in the "
                                 "area asked for", "service_features",
                                 "pass around= the plots, or download the layer as a file"))
    if count > desc.max_records and not desc.paging:
        msg = (f"The service {desc.address} returns at most {desc.max_records:,} features per "
               f"request and cannot page (no supportsPagination), but {count:,} match. Fix: "
               "pass around= a smaller area, or download the layer as a file.")
        raise LayerError(msg)
    features, first, pages, size = _pages(desc, query, count, fmt)
    document = _document(first, features, fmt)
    gdf = read_features(document, fmt, desc)
    if len(gdf) != count:
        msg = (f"The service {desc.address} sent {count:,} features but GDAL read {len(gdf):,}. "
               "Fix: download the layer as a file.")
        raise LayerError(msg)
    info = {**desc.provenance(), "query": {k: v for k, v in query.items() if k != "f"},
            "format": fmt, "fetched_at": _iso(time.time() * 1000), "pages": pages,
            "bytes": size, "features_fetched": count}
    return gdf, info, document


def read_features(document: bytes, fmt: str, desc: Description | None = None
                  ) -> gpd.GeoDataFrame:
    """Read fetched features with GDAL's ESRIJSON or GeoJSON driver, from a local file.

    Date fields (``esriFieldTypeDate``, epoch milliseconds) become ISO text: a date
    at midnight UTC as ``YYYY-MM-DD`` (what a file export holds), else with its time.
    """
    import pyogrio

    driver = _FORMATS[fmt]
    fd, path = tempfile.mkstemp(suffix=".json", prefix="lahan_geo-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(document)
        # The driver is named, so GDAL opens nothing but this file with nothing but it.
        gdf = pyogrio.read_dataframe(f"{driver}:{path}")
    except Exception as err:  # GDAL's errors are many; say which service
        where = desc.address if desc is not None else "the cached features"
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
        msg = f"GDAL cannot read the features of {where}: {reason}. Fix: report the service."
        raise LayerError(msg) from None
    finally:
        os.unlink(path)
    if gdf.crs is None or not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.set_crs(4326, allow_override=True)  # checked page by page: outSR=4326
    dates = {f["name"] for f in (desc.fields if desc else ())
             if f.get("type") == "esriFieldTypeDate"}
    for column in gdf.columns:
        if column == gdf.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(gdf[column].dtype):
            gdf[column] = _dates_as_text(gdf[column])
        elif column in dates and pd.api.types.is_numeric_dtype(gdf[column]):
            gdf[column] = _dates_as_text(pd.to_datetime(gdf[column], unit="ms", utc=True))
    return gdf


def _dates_as_text(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True)
    midnight = (stamps.dt.hour == 0) & (stamps.dt.minute == 0) & (stamps.dt.second == 0)
    text = [None if pd.isna(t) else (t.strftime("%Y-%m-%d") if m else
                                     t.strftime("%Y-%m-%dT%H:%M:%SZ"))
            for t, m in zip(stamps, midnight)]
    return pd.Series(text, index=values.index, dtype=object)


def _query(desc: Description, bbox: tuple[float, float, float, float] | None, where: str
           ) -> dict[str, str]:
    query = {"where": where, "outFields": "*", "returnGeometry": "true", "outSR": "4326",
             "orderByFields": f"{desc.object_id} ASC"}
    if bbox is not None:
        query.update(geometry=",".join(repr(float(v)) for v in bbox),
                     geometryType="esriGeometryEnvelope", inSR="4326",
                     spatialRel="esriSpatialRelIntersects")
    return query


def _pages(desc: Description, query: dict[str, str], count: int, fmt: str
           ) -> tuple[list[Any], dict[str, Any], int, int]:
    """Fetch every page; check the spatial reference, object ids and the budgets."""
    features: list[Any] = []
    seen: set[Any] = set()
    first: dict[str, Any] = {}
    size = pages = 0
    page_size = desc.max_records
    while len(features) < count or pages == 0:
        if pages >= current().service_pages:
            raise LayerError(too_big(f"The service {desc.address}", f"needs more than {pages:,} "
                                     "pages", "service_pages",
                                     "pass around= a smaller area, or download the layer"))
        params = {**query, "f": fmt}
        if desc.paging:
            params.update(resultOffset=str(len(features)), resultRecordCount=str(page_size))
        page, nbytes = _json_sized(f"{desc.address}/query", params, f"page {pages + 1}")
        size += nbytes
        pages += 1
        if size > current().service_bytes:
            raise LayerError(too_big(f"The service {desc.address}", f"sent {size:,} bytes",
                                     "service_bytes",
                                     "pass around= a smaller area, or download the layer"))
        batch = _check_page(desc, page, fmt, pages)
        first = first or page
        for feature in batch:
            oid = _object_id(desc, feature, fmt)
            if oid in seen:
                msg = (f"The service {desc.address} sent object id {oid!r} twice (page {pages}): "
                       "its paging is not stable. Fix: try again later, or download the layer "
                       "as a file.")
                raise LayerError(msg)
            seen.add(oid)
        features.extend(batch)
        more = _exceeded(page, fmt)
        if more and not desc.paging:
            msg = (f"The service {desc.address} exceeded its transfer limit and cannot page. "
                   "Fix: pass around= a smaller area, or download the layer as a file.")
            raise LayerError(msg)
        if not batch or not desc.paging or (not more and len(batch) < page_size):
            break
    if len(features) != count:
        msg = (f"The service {desc.address} said {count:,} features match but sent "
               f"{len(features):,}: its pages skip or add features. Fix: try again later, or "
               "download the layer as a file.")
        raise LayerError(msg)
    return features, first, pages, size


def _check_page(desc: Description, page: dict[str, Any], fmt: str, number: int) -> list[Any]:
    batch = page.get("features")
    if not isinstance(batch, list):
        msg = (f"The service {desc.address} answered page {number} without features. "
               "Fix: check the address in a browser.")
        raise LayerError(msg)
    if fmt == "json":
        sr = page.get("spatialReference") or {}
        wkid = sr.get("latestWkid") or sr.get("wkid")
        if wkid != 4326:
            msg = (f"The service {desc.address} sent page {number} in spatial reference "
                   f"{wkid or sr or 'unknown'}, not EPSG:4326 as asked (outSR=4326). Fix: "
                   "download the layer as a file with its CRS.")
            raise LayerError(msg)
    else:
        crs = ((page.get("crs") or {}).get("properties") or {}).get("name", "")
        if crs and not re.search(r"(4326|CRS84)$", str(crs)):
            msg = (f"The service {desc.address} sent page {number} in {crs}, not EPSG:4326 "
                   "as asked. Fix: download the layer as a file with its CRS.")
            raise LayerError(msg)
    return batch


def _object_id(desc: Description, feature: Any, fmt: str) -> Any:
    if not isinstance(feature, dict):
        oid = None
    elif fmt == "json":
        oid = (feature.get("attributes") or {}).get(desc.object_id)
    else:
        oid = feature.get("id", (feature.get("properties") or {}).get(desc.object_id))
    if oid is None:
        msg = (f"The service {desc.address} sent a feature without its object id "
               f"({desc.object_id}). Fix: download the layer as a file.")
        raise LayerError(msg)
    return oid


def _exceeded(page: dict[str, Any], fmt: str) -> bool:
    if fmt == "geojson":
        return bool(page.get("exceededTransferLimit")
                    or (page.get("properties") or {}).get("exceededTransferLimit"))
    return bool(page.get("exceededTransferLimit"))


def _document(first: dict[str, Any], features: list[Any], fmt: str) -> bytes:
    """One document of all pages, without the keys that would make GDAL fetch more."""
    if fmt == "json":
        keep = ("objectIdFieldName", "geometryType", "fields")
        doc = {k: first[k] for k in keep if k in first}
        doc["spatialReference"] = {"wkid": 4326}  # checked on every page; no WKT passed on
    else:
        doc = {"type": "FeatureCollection"}
    doc["features"] = features
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _json(address: str, params: dict[str, str], what: str) -> dict[str, Any]:
    return _json_sized(address, params, what)[0]


def _json_sized(address: str, params: dict[str, str], what: str) -> tuple[dict[str, Any], int]:
    """GET ``address?params`` and return its JSON object, or raise a one-line LayerError."""
    service = re.sub(r"/query$", "", address)
    body, content_type = _get(address, params, service, what)
    head = body[:512].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype", b"<html", b"<")):
        msg = (f"The service {service} answered {what} with an HTML page, not JSON (a login or "
               "error page?). Fix: open the address in a browser; lahan_geo reads only public "
               "services.")
        raise LayerError(msg)
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        msg = (f"The service {service} sent {what} truncated or not as JSON ({len(body):,} "
               "bytes). Fix: try again later, or download the layer as a file.")
        raise LayerError(msg) from None
    if not isinstance(doc, dict):
        msg = f"The service {service} sent {what} as JSON that is not an object."
        raise LayerError(msg)
    if "error" in doc:
        error = doc["error"] if isinstance(doc["error"], dict) else {"message": doc["error"]}
        code = error.get("code")
        text = " ".join(str(error.get("message") or "no message").split())[:200]
        details = [str(d) for d in error.get("details") or () if d][:2]
        extra = f" ({'; '.join(details)[:200]})" if details else ""
        fix = ("it needs a login token; lahan_geo reads only public services"
               if code in (498, 499, 401, 403) else "check the address in a browser")
        msg = (f"The service {service} answered {what} with error {code}: {text}{extra}. "
               f"Fix: {fix}.")
        raise LayerError(msg)
    return doc, len(body)


class _UnreachableError(LayerError):
    """The service could not be reached at all: no network, refused, no answer in time."""


class _TransientError(Exception):
    """A failure worth trying again: a time-out, a dropped connection, a busy server."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: only the address the user gave is contacted."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


def _get(address: str, params: dict[str, str], service: str, what: str) -> tuple[bytes, str]:
    url = f"{address}?{urllib.parse.urlencode(params)}"
    for attempt in range(RETRIES + 1):
        try:
            return _once(url, service, what)
        except _TransientError as err:
            if attempt == RETRIES:
                msg = (f"The service {service} failed to send {what} {attempt + 1} times "
                       f"({err}). Fix: try again later, or download the layer as a file.")
                raise _UnreachableError(msg) from None
            time.sleep(BACKOFF_S * 2 ** attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _once(url: str, service: str, what: str) -> tuple[bytes, str]:
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={
        "User-Agent": f"lahan_geo/{__version__}", "Accept": "application/json"})
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            body = response.read(current().service_response_bytes + 1)
            declared = response.headers.get("Content-Length")
            content_type = response.headers.get("Content-Type", "").lower()
    except urllib.error.HTTPError as err:
        if err.code in _TRANSIENT_HTTP:
            raise _TransientError(f"HTTP {err.code}") from None
        raise LayerError(_http_message(err, service, what)) from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (TimeoutError, socket.timeout, ConnectionResetError)):
            raise _TransientError(str(reason) or "timed out") from None
        raise _UnreachableError(_unreachable(reason, service)) from None
    except TimeoutError:
        raise _TransientError(f"no answer within {TIMEOUT_S:g} s") from None
    except (ConnectionResetError, http.client.IncompleteRead, http.client.RemoteDisconnected):
        raise _TransientError("the connection dropped") from None
    except (http.client.HTTPException, OSError) as err:
        raise _UnreachableError(_unreachable(err, service)) from None
    if len(body) > current().service_response_bytes:
        raise LayerError(too_big(f"The service {service}", f"sent more than {len(body) - 1:,} "
                                 f"bytes for {what}", "service_response_bytes",
                                 "pass around= a smaller area, or download the layer"))
    if declared and declared.isdigit() and int(declared) != len(body):
        raise _TransientError(f"{what} truncated at {len(body):,} of {int(declared):,} bytes")
    return body, content_type


def _http_message(err: urllib.error.HTTPError, service: str, what: str) -> str:
    if 300 <= err.code < 400:
        target = urllib.parse.urlsplit(err.headers.get("Location") or "").netloc or "elsewhere"
        return (f"The service {service} redirects {what} to {target} (HTTP {err.code}), a login "
                "page or a moved service; redirects are not followed. Fix: give the address "
                "it moved to, if it is a public layer.")
    if err.code in (401, 403):
        return (f"The service {service} refuses {what} without a login (HTTP {err.code}). "
                "Fix: lahan_geo reads only public services; download the layer as a file.")
    if err.code == 404:
        return (f"The service {service} has no such layer (HTTP 404). Fix: check the address "
                "(…/MapServer/<n>) in a browser.")
    return (f"The service {service} answered {what} with HTTP {err.code}. Fix: check the "
            "address in a browser.")


def _unreachable(reason: object, service: str) -> str:
    host = urllib.parse.urlsplit(service).netloc
    if isinstance(reason, ssl.SSLError):
        why = f"{getattr(reason, 'reason', None) or type(reason).__name__}"
        return (f"The service {service} cannot be reached securely: its certificate cannot be "
                f"verified ({why}). Fix: if the site sends an incomplete certificate chain, put "
                "its intermediate certificate in a CA file and set SSL_CERT_FILE to it (never "
                "turn verification off), or download the layer as a file.")
    if isinstance(reason, ConnectionRefusedError):
        why = f"{host} refused the connection (no network, or no service there)"
    elif isinstance(reason, socket.gaierror):
        why = f"{host} cannot be found (no network, or a mistyped address)"
    else:
        why = " ".join(str(reason).split())[:160] or type(reason).__name__
    return (f"The service {service} cannot be reached: {why}. Fix: check the network and the "
            "address, or work from a file or an earlier fetch.")


def _iso(epoch_ms: float) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------
# What was fetched, kept on disk (lahan_geo.layers.cache): re-used while the layer's edit
# date is the same, and when the service cannot be reached.
# --------------------------------------------------------------------------------------
#: How fetched features are laid out in a cache entry (part of its key).
_ENTRY_FORMAT = "service-pages-1"


def fetch_cached(url: str, *, bbox: tuple[float, float, float, float] | None = None,
                 where: str = "1=1", fmt: str = "json"
                 ) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Fetch a layer as :func:`fetch_layer`, or re-use what was fetched before.

    Online, the layer's description is always asked for; when it reports an edit date
    (``editingInfo.lastEditDate``) and the same query was fetched at that edit date,
    the features come from the cache. When the service cannot be reached, the last
    features fetched with the same query are used, with a
    :class:`~lahan_geo.errors.LahanGeoWarning` and ``service_cache: "offline"`` in the
    provenance. Entries are written only after a complete, checked fetch, atomically.

    Returns
    -------
    (GeoDataFrame, dict)
        The features and the provenance, whose ``service_cache`` is "hit", "stored",
        "offline", "off" (no usable cache folder) or "unwritable".
    """
    address = layer_address(url)
    query_key = repr((address, None if bbox is None else [float(v) for v in bbox], where,
                      fmt, _ENTRY_FORMAT))
    latest = f"service-{hashlib.sha256(query_key.encode()).hexdigest()[:40]}.latest"
    try:
        desc = describe_layer(address)
    except _UnreachableError as err:
        return _offline(address, latest, err)
    name = "service-" + hashlib.sha256(repr((query_key, desc.last_edit, desc.version)).encode()
                                       ).hexdigest()[:40] + ".pages"
    if desc.last_edit is not None:  # without an edit date, only a new fetch is current
        found = _from_entry(name)
        if found is not None:
            gdf, info = found
            info["service_cache"] = "hit"
            return gdf, info
    try:
        gdf, info, document = fetch_layer(address, bbox=bbox, where=where, fmt=fmt, desc=desc)
    except _UnreachableError as err:  # the network went while paging
        return _offline(address, latest, err)
    head = json.dumps({"format": _ENTRY_FORMAT, "info": info,
                       "description": dataclasses.asdict(desc)}, sort_keys=True)
    stored = write_entry(name, head.encode("utf-8") + b"\n" + document)
    stored = stored and write_entry(latest, name.encode("ascii"))
    info["service_cache"] = ("stored" if stored else
                             "off" if usable_cache_dir() is None else "unwritable")
    return gdf, info


def _offline(address: str, latest: str, err: LayerError) -> tuple[gpd.GeoDataFrame,
                                                                   dict[str, Any]]:
    pointer = read_entry(latest)
    name = pointer.decode("ascii", "replace") if pointer else ""
    found = _from_entry(name) if re.fullmatch(r"service-[0-9a-f]{40}\.pages", name) else None
    if found is None:
        msg = f"{str(err).rstrip('.')}; nothing was fetched from it for this area before."
        raise LayerError(msg) from None
    gdf, info = found
    when = info.get("fetched_at")
    note = (f"The service {address} cannot be reached; using the {len(gdf):,} features "
            f"fetched from it at {when} (kept in the cache).")
    warnings.warn(note, LahanGeoWarning, stacklevel=2)
    info.update(service_cache="offline", offline_note_en=note, offline_note_id=(
        f"Layanan {address} tidak dapat dihubungi; dipakai {len(gdf):,} fitur yang diambil "
        f"darinya pada {when} (tersimpan di cache).").replace(",", "."))
    return gdf, info


def _from_entry(name: str) -> tuple[gpd.GeoDataFrame, dict[str, Any]] | None:
    """Read a fetched-features entry; None when absent, or rejected when it does not read."""
    data = read_entry(name)
    if data is None:
        return None
    try:
        head, _, document = data.partition(b"\n")
        meta = json.loads(head)
        if meta.get("format") != _ENTRY_FORMAT:
            raise ValueError("another format")
        spec = meta["description"]
        desc = Description(**{**spec, "fields": tuple(spec["fields"])})
        info = dict(meta["info"])
        gdf = read_features(document, str(info["format"]), desc)
        if len(gdf) != info["features_fetched"]:
            raise ValueError("feature count")
    except Exception as err:  # authentic but unusable: fetched again, never trusted
        reject_entry(name, f"it does not read as fetched features: {type(err).__name__}")
        return None
    return gdf, info
