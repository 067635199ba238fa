"""Write the same three plots in every format read_plots takes.

PLOTS holds two points and one polygon (an unclosed ring where the format allows one).
Each writer returns the path it wrote.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely

# Two points and a polygon near Kuala Pembuang (synthetic).
POINTS = {"G-01": (112.305123, -3.412345), "G-02": (112.512346, -2.887654)}
SQUARE = [(112.4000, -3.1000), (112.4003, -3.1000), (112.4003, -3.1003), (112.4000, -3.1003)]
POLYGON_ID = "B-01"


def frame() -> gpd.GeoDataFrame:
    """The three plots as a GeoDataFrame in EPSG:4326."""
    return gpd.GeoDataFrame(
        {"id_lahan": [*POINTS, POLYGON_ID], "desa": ["Sembuluh I", "Tumbang Kasai", "Rungau"]},
        geometry=[*(shapely.Point(xy) for xy in POINTS.values()), shapely.Polygon(SQUARE)],
        crs="EPSG:4326",
    )


def write_gdal(path: Path, driver: str, **kwargs: object) -> Path:
    """Write the three plots; a Shapefile holds one geometry type, so it gets the points
    and a second file ``<stem>_bidang.shp`` gets the polygon."""
    plots = frame()
    if driver == "ESRI Shapefile":
        plots.iloc[2:].to_file(path.with_name(f"{path.stem}_bidang.shp"), driver=driver)
        plots = plots.iloc[:2]
    plots.to_file(path, driver=driver, engine="pyogrio", **kwargs)
    return path


def write_geojson_unclosed(path: Path) -> Path:
    """GeoJSON by hand: the polygon's ring is not closed; one feature has no geometry."""
    features = [
        {"type": "Feature", "properties": {"id_lahan": pid},
         "geometry": {"type": "Point", "coordinates": list(xy)}}
        for pid, xy in POINTS.items()
    ]
    features.append({"type": "Feature", "properties": {"id_lahan": POLYGON_ID},
                     "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in SQUARE]]}})
    features.append({"type": "Feature", "properties": {"id_lahan": "X-00"}, "geometry": None})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def zip_files(path: Path, files: list[Path], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in files:
            zf.write(file, prefix + file.name)
    return path


def write_zipped_shapefile(folder: Path) -> Path:
    """A zip holding the points Shapefile (.shp, .shx, .dbf, .prj, .cpg) in a folder."""
    write_gdal(folder / "lahan.shp", "ESRI Shapefile")
    parts = sorted(folder.glob("lahan.*"))
    return zip_files(folder / "lahan_shp.zip", parts, prefix="lahan/")


def kml_text(unclosed: bool = True) -> str:
    ring = SQUARE if unclosed else [*SQUARE, SQUARE[0]]
    coords = " ".join(f"{x},{y},0" for x, y in ring)
    points = "".join(
        f"<Placemark><name>{pid}</name><description>Titik gerai {pid}</description>"
        f"<ExtendedData><Data name=\"desa\"><value>Desa {i}</value></Data></ExtendedData>"
        f"<Point><coordinates>{x},{y},0</coordinates></Point></Placemark>"
        for i, (pid, (x, y)) in enumerate(POINTS.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>KDMP</name>'
        f"<Folder><name>Titik</name>{points}</Folder>"
        f"<Folder><name>Bidang</name><Placemark><name>{POLYGON_ID}</name>"
        "<description><![CDATA[<b>Bidang</b> aset desa]]></description>"
        "<Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>\n  {coords}\n</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon></Placemark></Folder>"
        "</Document></kml>"
    )


def write_kml(path: Path, unclosed: bool = True) -> Path:
    path.write_text(kml_text(unclosed), "utf-8")
    return path


def write_kmz(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml_text())
        zf.writestr("files/readme.txt", "ikon")
    return path


def gpx_text() -> str:
    waypoints = "".join(
        f'<wpt lat="{y}" lon="{x}"><ele>12.5</ele><name>{pid}</name>'
        f"<desc>Gerai {pid}</desc></wpt>"
        for pid, (x, y) in POINTS.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{waypoints}<trk><name>jalan</name></trk></gpx>"
    )


def write_gpx(path: Path) -> Path:
    path.write_text(gpx_text(), "utf-8")
    return path
