"""Outputs of a screening run: the Indonesian workbook, GIS files, maps and summaries.

Examples
--------
>>> from lahan_geo import outputs
>>> sorted(outputs.__all__)  # doctest: +NORMALIZE_WHITESPACE
['detail_map', 'explore', 'plot_details', 'plot_overview', 'summarize', 'summary_html',
 'to_csv', 'to_dossier', 'to_excel', 'to_geojson', 'to_geopackage']

"""

from __future__ import annotations

from lahan_geo.outputs.details import detail_map, plot_details
from lahan_geo.outputs.dossier import to_dossier
from lahan_geo.outputs.excel import to_excel
from lahan_geo.outputs.explore import explore
from lahan_geo.outputs.files import to_csv, to_geojson, to_geopackage
from lahan_geo.outputs.maps import plot_overview
from lahan_geo.outputs.summary import summarize, summary_html

__all__ = [
    "detail_map",
    "explore",
    "plot_details",
    "plot_overview",
    "summarize",
    "summary_html",
    "to_csv",
    "to_dossier",
    "to_excel",
    "to_geojson",
    "to_geopackage",
]
