"""The object ``screen`` returns: a GeoDataFrame that introduces itself in Jupyter.

A :class:`ScreeningResult` is a plain :class:`geopandas.GeoDataFrame` in every
respect but one: in a notebook it shows a compact summary (counts per status, the
layers and rules used) above the table. A filtered subset stays a ScreeningResult
and summarizes itself; a selection without the geometry is a plain DataFrame, as
geopandas does for its own class.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> res = ScreeningResult({"plot_id": ["A"], "status": ["clear"]},
...                       geometry=[Point(112, -2)], crs=4326)
>>> "Aman" in res._repr_html_()
True
>>> type(res[res.status == "clear"]).__name__, type(res[["plot_id"]]).__name__
('ScreeningResult', 'DataFrame')
"""

from __future__ import annotations

import geopandas as gpd

__all__ = ["GPKG_ORDER_FIELD", "GPKG_RESULT_LAYERS", "ScreeningResult"]

#: The layers a result is split into in a GeoPackage (``lahan_geo.to_geopackage``), one
#: per kind of geometry: plots given as points, as polygons, rows without a location
#: (an attribute table) and, should a result hold one, any other geometry type.
GPKG_RESULT_LAYERS: dict[str, str] = {
    "point": "lahan_titik",
    "polygon": "lahan_bidang",
    "none": "lahan_tanpa_lokasi",
    "other": "lahan_lain",
}
#: The field holding each row's 1-based position in the whole result, so that the
#: layers can be put back together in input order.
GPKG_ORDER_FIELD = "result_row"


class ScreeningResult(gpd.GeoDataFrame):
    """A screening result: a GeoDataFrame with a summary in its notebook display."""

    def _repr_html_(self) -> str | None:
        from lahan_geo.outputs import summary_html

        table = super()._repr_html_()
        try:
            head = summary_html(self)
        except Exception:  # a result reshaped by the user: show the table alone
            return table
        return head + (table or "")
