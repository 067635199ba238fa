"""Read plots from GPX waypoints (Garmin, phone GPS apps).

Every ``<wpt>`` is a row, in file order, with columns ``name``, ``desc``, ``cmt``,
``ele``, ``time``, ``sym`` and ``type`` (when present). Tracks and routes are not
plots: a GPX file with no waypoints is refused with the fix. The XML is parsed by
:func:`lahan_geo.io.safe_xml.parse_xml` (no DTD, no entities, no network).

Examples
--------
>>> text = b'''<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
... <wpt lat="-2.5123" lon="112.3051"><name>G-01</name><ele>31</ele></wpt></gpx>'''
>>> block = gpx_block(text, "titik.gpx")
>>> block.frame["name"].tolist(), block.geometry[0].wkt
(['G-01'], 'POINT (112.3051 -2.5123)')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import InputError
from lahan_geo.intake.blocks import RowProblem, SourceBlock, object_array
from lahan_geo.intake.row_problems import problem, quote
from lahan_geo.io.safe_xml import parse_xml
from lahan_geo.limits import current, too_big

__all__ = ["gpx_block", "read_gpx"]

_FIELDS = ("name", "desc", "cmt", "ele", "time", "sym", "type")


def read_gpx(path: Path) -> SourceBlock:
    """Read the waypoints of a .gpx file (see the module notes)."""
    try:
        size = path.stat().st_size
        if size > current().xml_bytes:
            raise InputError(too_big(str(path), f"is {size / 1e6:,.0f} MB", "xml_bytes",
                                     "split the waypoints into several files"))
        data = path.read_bytes()
    except OSError as err:
        msg = f"Cannot read {path} ({err.strerror}). Fix: check the path and permissions."
        raise InputError(msg) from None
    return gpx_block(data, str(path))


def gpx_block(data: bytes, label: str) -> SourceBlock:
    """Turn GPX text into a block: one row per waypoint."""
    root = parse_xml(data, label)
    waypoints = root.findall("wpt")
    if not waypoints:
        has = [w for w, tag in (("tracks", "trk"), ("routes", "rte")) if root.find(tag) is not None]
        held = f" (it holds {' and '.join(has)})" if has else ""
        msg = (f"{label} has no waypoints{held}. Fix: mark each plot as a waypoint on the GPS "
               "and export the waypoints.")
        raise InputError(msg)
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    problems: list[RowProblem | None] = []
    for number, wpt in enumerate(waypoints, start=1):
        record: dict[str, Any] = {"lat": wpt.get("lat"), "lon": wpt.get("lon")}
        for name in _FIELDS:
            child = wpt.find(name)
            if child is not None and child.text is not None and child.text.strip():
                record[name] = child.text.strip()
        records.append(record)
        try:
            lat, lon = float(record["lat"]), float(record["lon"])
            if not (np.isfinite(lat) and np.isfinite(lon)):
                raise ValueError
        except (TypeError, ValueError):
            where = (f"waypoint {number}", f"titik {number}")
            pair = f"lat={quote(record['lat'])}, lon={quote(record['lon'])}"
            problems.append(problem(where, f"the waypoint's {pair} are not numbers",
                                    f"{pair} titik bukan angka",
                                    "mark the waypoint again on the GPS",
                                    "tandai ulang titik pada GPS"))
            geoms.append(None)
            continue
        problems.append(None)
        geoms.append(shapely.Point(lon, lat))
    frame = pd.DataFrame.from_records(records).astype(object)
    frame = frame.where(frame.notna(), None).drop(columns=["lat", "lon"])
    return SourceBlock(
        frame, label, np.arange(1, len(records) + 1), row_word="waypoint",
        geometry=object_array(geoms), crs="EPSG:4326", problems=problems, id_hint="name",
        info={"format": "GPX"},
    )
