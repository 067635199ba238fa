"""Read plots from KML and KMZ (Google Earth, Avenza, SW Maps): points and polygons.

Every Placemark is a row, in document order, whatever folder it sits in. Its columns
are ``name``, ``description``, ``folder`` (the enclosing folders, "/"-joined) and each
``ExtendedData`` field (``Data`` and ``SchemaData``). The geometry is the Placemark's
Point, Polygon (with holes) or MultiGeometry; heights are dropped (KML altitudes are
display settings, not survey data). A ring that is not closed is closed and the row
says so; coordinates that cannot be read make a row problem, never an exception.

The XML is parsed by :func:`lahan_geo.io.safe_xml.parse_xml` (no DTD, no entities,
no network). A KMZ is a zip archive: it is checked by
:func:`lahan_geo.io.archives.checked_members` and its ``doc.kml`` (or first
``.kml``) is read in memory, nothing is extracted.

Examples
--------
>>> text = b'''<kml><Document><Folder><name>Seruyan</name><Placemark><name>G-01</name>
... <Point><coordinates>112.3051,-2.5123,0</coordinates></Point></Placemark>
... </Folder></Document></kml>'''
>>> block = kml_block(text, "gerai.kml")
>>> block.frame[["name", "folder"]].values.tolist(), block.geometry[0].wkt
([['G-01', 'Seruyan']], 'POINT (112.3051 -2.5123)')
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import RowProblem, SourceBlock, object_array
from lahan_geo.intake.row_problems import problem, quote
from lahan_geo.io.archives import checked_members, open_archive, read_member
from lahan_geo.io.safe_xml import parse_xml
from lahan_geo.limits import current, too_big

__all__ = ["kml_block", "read_kml", "read_kmz"]

_GEOMETRY_TAGS = ("Point", "Polygon", "MultiGeometry", "LineString", "LinearRing")
_COMMA_SPACE_RE = re.compile(r"\s*,\s*")


class _KmlGeometryError(Exception):
    def __init__(self, en: str, id_: str) -> None:
        super().__init__(en)
        self.en, self.id = en, id_


def read_kml(path: Path) -> SourceBlock:
    """Read a .kml file (see the module notes)."""
    try:
        size = path.stat().st_size
        if size > current().xml_bytes:
            raise InputError(too_big(str(path), f"is {size / 1e6:,.0f} MB", "xml_bytes",
                                     "split the plots into several files"))
        data = path.read_bytes()
    except OSError as err:
        msg = f"Cannot read {path} ({err.strerror}). Fix: check the path and permissions."
        raise InputError(msg) from None
    return kml_block(data, str(path))


def read_kmz(path: Path) -> SourceBlock:
    """Read a .kmz archive: its ``doc.kml`` or first ``.kml`` entry, in memory."""
    with open_archive(path) as archive:
        members = [m for m in checked_members(archive, str(path))
                   if m.filename.lower().endswith(".kml")]
        if not members:
            msg = f"{path} holds no .kml document. Fix: save the KMZ again from Google Earth."
            raise InputError(msg)
        members.sort(key=lambda m: (m.filename.lower() != "doc.kml", m.filename.count("/")))
        if members[0].file_size > current().xml_bytes:
            raise InputError(too_big(f"{path}: {members[0].filename}",
                                     f"unpacks to {members[0].file_size / 1e6:,.0f} MB",
                                     "xml_bytes", "split the plots into several files"))
        data = read_member(archive, members[0], str(path))
    return kml_block(data, str(path))


def kml_block(data: bytes, label: str) -> SourceBlock:
    """Turn KML text into a block: one row per Placemark (see the module notes)."""
    root = parse_xml(data, label)
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    notes: list[list[str]] = []
    problems: list[RowProblem | None] = []
    for placemark, folders in _placemarks(root, ()):
        number = len(records) + 1
        record: dict[str, Any] = {
            "name": _text(placemark.find("name")),
            "description": _text(placemark.find("description")),
            "folder": "/".join(folders) or None,
        }
        record.update(_extended_data(placemark))
        records.append(record)
        row_notes: list[str] = []
        where = (f"placemark {number}", f"placemark {number}")
        element = next((c for c in placemark if c.tag in _GEOMETRY_TAGS), None)
        try:
            geom = None if element is None else _geometry(element, row_notes)
        except _KmlGeometryError as err:
            geom = None
            problems.append(problem(where, err.en, err.id,
                                    "draw the plot again and export the KML again",
                                    "gambar ulang lahan lalu ekspor KML lagi"))
        else:
            problems.append(None)
        geoms.append(geom)
        notes.append(row_notes)
    if not records:
        msg = (f"{label} holds no Placemark. Fix: mark each plot as a point or polygon and "
               "export the KML again.")
        raise InputError(msg)
    columns = len({key for record in records for key in record})
    if columns > current().columns:
        raise InputError(too_big(f"{label}: the placemarks' ExtendedData", f"hold {columns:,} "
                                 "different fields", "columns",
                                 "export only the plot attributes"))
    frame = pd.DataFrame.from_records(records).astype(object)
    frame = frame.where(frame.notna(), None)
    return SourceBlock(
        frame, label, np.arange(1, len(records) + 1), row_word="placemark",
        geometry=object_array(geoms), crs="EPSG:4326",
        notes=notes, problems=problems, id_hint="name", info={"format": "KML"},
    )


def _placemarks(element: ET.Element, folders: tuple[str, ...]) -> Any:
    """Yield (Placemark, enclosing folder names) in document order.

    Walked with an explicit stack, not recursion: a crafted file nesting folders a
    hundred thousand deep must not exhaust Python's stack.
    """
    stack = [(iter(element), folders)]
    while stack:
        children, names = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif child.tag == "Placemark":
            yield child, names
        elif child.tag in ("Folder", "Document"):
            name = _text(child.find("name"))
            inner = (*names, name) if child.tag == "Folder" and name else names
            stack.append((iter(child), inner))
        elif child.tag in ("kml",):
            stack.append((iter(child), names))


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def _extended_data(placemark: ET.Element) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for data in placemark.iterfind("ExtendedData/Data"):
        name = data.get("name")
        if name and name not in ("name", "description", "folder"):
            out[name] = _text(data.find("value"))
    for data in placemark.iterfind("ExtendedData/SchemaData/SimpleData"):
        name = data.get("name")
        if name and name not in ("name", "description", "folder"):
            out[name] = _text(data)
    return out


def _coordinates(element: ET.Element | None) -> list[tuple[float, float]]:
    text = _text(element.find("coordinates") if element is not None else None)
    if text is None:
        raise _KmlGeometryError("the geometry has no coordinates",
                                "geometri tidak memiliki koordinat")
    points = []
    for item in _COMMA_SPACE_RE.sub(",", text).split():
        parts = item.split(",")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise _KmlGeometryError(
                f"the KML coordinates {quote(item)} are not 'longitude,latitude[,height]'",
                f"koordinat KML {quote(item)} bukan 'bujur,lintang[,tinggi]'") from None
        points.append((lon, lat))
    return points


def _ring(element: ET.Element | None, notes: list[str], which: str) -> list[tuple[float, float]]:
    ring = element.find("LinearRing") if element is not None else None
    points = _coordinates(ring)
    if len({*points}) < 3:
        raise _KmlGeometryError(
            f"the polygon's {which} ring has {len({*points})} distinct corners; a polygon needs "
            "at least 3", f"cincin poligon memiliki {len({*points})} titik sudut berbeda; "
            "poligon memerlukan minimal 3")
    if points[0] != points[-1]:
        points.append(points[0])
        notes.append(f"the polygon's {which} ring was not closed; closed it")
    return points


#: MultiGeometry inside MultiGeometry deeper than this is refused (no app writes it).
_MAX_NESTING = 32


def _geometry(element: ET.Element, notes: list[str], depth: int = 0) -> Any:
    tag = element.tag
    if depth > _MAX_NESTING:
        raise _KmlGeometryError(
            f"the MultiGeometry is nested more than {_MAX_NESTING} levels deep",
            f"MultiGeometry bersarang lebih dari {_MAX_NESTING} tingkat")
    if tag == "Point":
        points = _coordinates(element)
        if len(points) != 1:
            raise _KmlGeometryError("the Point holds more than one coordinate",
                                    "Point berisi lebih dari satu koordinat")
        return shapely.Point(points[0])
    if tag == "Polygon":
        shell = _ring(element.find("outerBoundaryIs"), notes, "outer")
        holes = [_ring(inner, notes, "inner") for inner in element.iterfind("innerBoundaryIs")]
        return shapely.Polygon(shell, holes)
    if tag in ("LineString", "LinearRing"):
        return shapely.LineString(_coordinates(element))
    parts = [_geometry(child, notes, depth + 1) for child in element
             if child.tag in _GEOMETRY_TAGS]
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    if polygons:
        if len(polygons) < len(parts):
            notes.append("points or lines next to the polygon(s) in the MultiGeometry ignored")
        return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    if parts and all(p.geom_type == "Point" for p in parts):
        return parts[0] if len(parts) == 1 else shapely.MultiPoint(parts)
    return shapely.GeometryCollection(parts)
