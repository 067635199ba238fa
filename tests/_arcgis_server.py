"""A local ArcGIS REST map service on 127.0.0.1, answering from a layer built in the test.

It answers what :mod:`lahan_geo.layers.service` and the ministries' services speak:
the layer description (``…/MapServer/<n>?f=json``, from the real services' layouts in
``tests/service_fixtures/``) and ``…/query`` with ``where`` (``1=1`` or
``FIELD = 'text'``), ``geometry``/``geometryType``/``spatialRel`` (envelope intersects),
``inSR``/``outSR`` (4326 or the layer's own), ``outFields``, ``orderByFields``,
``resultOffset``/``resultRecordCount`` (capped at ``maxRecordCount``, with
``exceededTransferLimit``), ``returnCountOnly``, ``returnIdsOnly`` and ``f=json``,
``pjson`` or ``geojson``. Faults make it misbehave the way real services do.
"""

from __future__ import annotations

import copy
import json
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.polygon import orient

FIXTURES = Path(__file__).parent / "service_fixtures"

_TYPES = {"float64": "esriFieldTypeDouble", "int64": "esriFieldTypeInteger",
          "int32": "esriFieldTypeInteger"}


def description_fixture(name: str) -> dict[str, Any]:
    """The layer description of a real service (its layout), from tests/service_fixtures."""
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


@dataclass
class Layer:
    """A layer to serve: its features, description, and how the service misbehaves."""

    gdf: gpd.GeoDataFrame
    description: dict[str, Any]
    date_fields: tuple[str, ...] = ()
    faults: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        gdf = self.gdf.reset_index(drop=True).copy()
        self.oid = self.description.get("objectIdField", "OBJECTID")
        gdf.insert(0, self.oid, np.arange(1, len(gdf) + 1))
        self.gdf = gdf
        fields = [{"name": self.oid, "type": "esriFieldTypeOID", "alias": self.oid}]
        aliases = {f["name"]: f.get("alias", f["name"])
                   for f in self.description.get("fields", [])}
        for column in gdf.columns.drop([self.oid, gdf.geometry.name]):
            kind = ("esriFieldTypeDate" if column in self.date_fields
                    else _TYPES.get(str(gdf[column].dtype), "esriFieldTypeString"))
            fields.append({"name": column, "type": kind, "alias": aliases.get(column, column),
                           **({"length": 254} if kind == "esriFieldTypeString" else {})})
        self.description = {**copy.deepcopy(self.description), "fields": fields,
                            "objectIdField": self.oid}
        wkid = gdf.crs.to_epsg()
        minx, miny, maxx, maxy = gdf.total_bounds.tolist()
        self.description["extent"] = {"xmin": minx, "ymin": miny, "xmax": maxx, "ymax": maxy,
                                      "spatialReference": {"wkid": wkid, "latestWkid": wkid}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (a time-out test hangs up on purpose)."""


class Service:
    """The running server: ``url(n)`` is the address of layer ``n``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.layers: dict[int, Layer] = {}
        self.requests: list[str] = []
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def root(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}/server/rest/services/Test/KWSHUTAN/MapServer"

    def url(self, n: int) -> str:
        return f"{self.root}/{n}"

    def add(self, n: int, layer: Layer) -> str:
        self.layers[n] = layer
        return self.url(n)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            service.requests.append(self.path)
            split = urllib.parse.urlsplit(self.path)
            params = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query).items()}
            parts = split.path.rstrip("/").split("/")
            try:
                n = int(parts[-1] if parts[-1] != "query" else parts[-2])
                layer = service.layers[n]
            except (ValueError, KeyError, IndexError):
                return self._send(404, b"<html><body>Not found</body></html>", "text/html")
            layer.requests.append(self.path)
            faults = layer.faults
            if "slow" in faults:
                time.sleep(1.0)
            if "refuse_html" in faults:
                return self._send(200, b"<!DOCTYPE html><html><head><title>Sign In</title>"
                                  b"</head><body>ArcGIS login</body></html>", "text/html")
            if "redirect" in faults:
                return self._redirect()
            if parts[-1] != "query":
                return self._json(layer.description, params)
            return self._query(layer, params)

        def _query(self, layer: Layer, params: dict[str, str]) -> None:
            faults = layer.faults
            if "error" in faults:
                return self._json({"error": {"code": 400, "message": "Unable to complete "
                                             "operation.", "details": ["Invalid query"]}}, params)
            if "unavailable_once" in faults:
                faults.discard("unavailable_once")
                return self._send(503, b"busy", "text/plain")
            gdf, native = layer.gdf, layer.gdf.crs
            keep = np.ones(len(gdf), dtype=bool)
            where = params.get("where", "1=1").strip()
            if where not in ("1=1", ""):
                col, _, value = where.partition("=")
                if col.strip() not in gdf.columns:
                    return self._json({"error": {"code": 400, "message": "Invalid where"}},
                                      params)
                keep &= (gdf[col.strip()].astype(str) == value.strip().strip("'")).to_numpy()
            if "geometry" in params:
                box = self._envelope(params["geometry"])
                in_sr = int(params.get("inSR", native.to_epsg()))
                box_native = gpd.GeoSeries([box], crs=in_sr).to_crs(native).iloc[0]
                if params.get("spatialRel", "esriSpatialRelIntersects") != \
                        "esriSpatialRelIntersects":
                    return self._json({"error": {"code": 400, "message": "spatialRel"}}, params)
                keep &= shapely.intersects(np.asarray(gdf.geometry.array), box_native)
            rows = gdf[keep]
            if params.get("returnCountOnly") == "true":
                return self._json({"count": len(rows)}, params)
            if params.get("returnIdsOnly") == "true":
                return self._json({"objectIdFieldName": layer.oid,
                                   "objectIds": rows[layer.oid].tolist()}, params)
            limit = int(layer.description.get("maxRecordCount", 1000))
            offset = int(params.get("resultOffset", 0))
            count = min(int(params.get("resultRecordCount", limit)), limit)
            if "repeat" in faults and offset:
                offset -= 1
            if "skip" in faults and offset:
                offset += 1
            page = rows.iloc[offset:offset + count]
            exceeded = offset + count < len(rows)
            out_sr = int(params.get("outSR", native.to_epsg()))
            if "ignore_outsr" not in faults and out_sr != native.to_epsg():
                page = page.to_crs(out_sr)
            else:
                out_sr = native.to_epsg()
            if "no_exceeded_flag" in faults:
                exceeded = False
            fields = [f for f in layer.description["fields"]
                      if params.get("outFields", "*") == "*"
                      or f["name"] in params["outFields"].split(",")]
            if params.get("f") == "geojson":
                doc = self._geojson(layer, page, fields, exceeded)
            else:
                doc = self._esrijson(layer, page, fields, exceeded, out_sr)
            body = json.dumps(doc).encode()
            if "truncate" in faults:
                return self._send(200, body[: len(body) // 2], "application/json",
                                  length=len(body))
            if "cut_json" in faults:
                return self._send(200, body[: len(body) // 2], "application/json")
            return self._send(200, body, "application/json")

        @staticmethod
        def _envelope(text: str) -> shapely.Geometry:
            text = text.strip()
            if text.startswith("{"):
                e = json.loads(text)
                return shapely.box(e["xmin"], e["ymin"], e["xmax"], e["ymax"])
            return shapely.box(*map(float, text.split(",")))

        @staticmethod
        def _esrijson(layer: Layer, page: gpd.GeoDataFrame, fields: list[dict[str, Any]],
                      exceeded: bool, wkid: int) -> dict[str, Any]:
            features = []
            for _, row in page.iterrows():
                attrs = {f["name"]: _value(row[f["name"]], f["type"]) for f in fields}
                features.append({"attributes": attrs, "geometry": _esri_geometry(row.geometry)})
            doc = {"displayFieldName": "", "fieldAliases": {f["name"]: f["alias"] for f in fields},
                   "geometryType": layer.description["geometryType"],
                   "spatialReference": {"wkid": wkid, "latestWkid": wkid},
                   "fields": fields, "features": features}
            if exceeded:
                doc["exceededTransferLimit"] = True
            return doc

        @staticmethod
        def _geojson(layer: Layer, page: gpd.GeoDataFrame, fields: list[dict[str, Any]],
                     exceeded: bool) -> dict[str, Any]:
            features = []
            for _, row in page.iterrows():
                props = {f["name"]: _value(row[f["name"]], f["type"]) for f in fields}
                geom = shapely.geometry.mapping(row.geometry) if row.geometry else None
                features.append({"type": "Feature", "id": int(row[layer.oid]),
                                 "geometry": geom, "properties": props})
            doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
            if exceeded:
                doc["exceededTransferLimit"] = True
            return doc

        def _json(self, doc: dict[str, Any], params: dict[str, str]) -> None:
            self._send(200, json.dumps(doc).encode(), "application/json")

        def _redirect(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/portal/sharing/oauth2/authorize")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, code: int, body: bytes, kind: str, length: int | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    return Handler


def _value(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if kind == "esriFieldTypeDate":
        return int(pd.Timestamp(value, tz="UTC").value // 1_000_000)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _esri_geometry(geom: shapely.Geometry | None) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        rings = []
        for part in shapely.get_parts(geom):
            part = orient(part, sign=-1.0)  # Esri: exterior clockwise, holes anticlockwise
            rings.append([list(c) for c in part.exterior.coords])
            rings.extend([list(c) for c in hole.coords] for hole in part.interiors)
        return {"rings": rings}
    if geom.geom_type in ("LineString", "MultiLineString"):
        return {"paths": [[list(c) for c in p.coords] for p in shapely.get_parts(geom)]}
    return {"x": geom.x, "y": geom.y}
