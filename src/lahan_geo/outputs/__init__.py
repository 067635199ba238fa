"""Outputs of a screening run: the Indonesian workbook, GIS files and an overview map.

Examples
--------
>>> from lahan_geo import outputs
>>> sorted(outputs.__all__)
['plot_overview', 'to_csv', 'to_excel', 'to_geojson', 'to_geopackage']

"""

from __future__ import annotations

from lahan_geo.outputs.excel import to_excel
from lahan_geo.outputs.files import to_csv, to_geojson, to_geopackage
from lahan_geo.outputs.maps import plot_overview

__all__ = ["plot_overview", "to_csv", "to_excel", "to_geojson", "to_geopackage"]
