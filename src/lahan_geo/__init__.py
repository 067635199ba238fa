"""lahan_geo: screen proposed land plots against the forest estate and the spatial plan.

The pipeline is intake -> layers -> overlay -> rules -> outputs:

>>> import lahan_geo as lg
>>> sorted(n for n in lg.__all__ if n.startswith("read_"))
['read_constraint', 'read_forest_area', 'read_plots', 'read_rdtr', 'read_zoning']
"""

from lahan_geo.compare import compare
from lahan_geo.errors import (
    CoordinateError,
    CRSError,
    InputError,
    LahanGeoError,
    LayerError,
    RulesError,
)
from lahan_geo.intake import read_plots
from lahan_geo.intake.land_status import load_land_status_mapping
from lahan_geo.layers import (
    load_zoning_mapping,
    read_constraint,
    read_forest_area,
    read_rdtr,
    read_zoning,
)
from lahan_geo.outputs import (
    detail_map,
    explore,
    plot_details,
    plot_overview,
    summarize,
    summary_html,
    to_csv,
    to_dossier,
    to_excel,
    to_geojson,
    to_geopackage,
)
from lahan_geo.relocate import suggest_sites
from lahan_geo.result import ScreeningResult, show_summary_with
from lahan_geo.review import apply_review
from lahan_geo.rules import Programme, RuleSet, load_rules
from lahan_geo.schema import RESULT_COLUMNS
from lahan_geo.screening import screen
from lahan_geo.statuses import STATUSES
from lahan_geo.version import __version__

show_summary_with(summary_html)

__all__ = [
    "RESULT_COLUMNS",
    "STATUSES",
    "CRSError",
    "CoordinateError",
    "InputError",
    "LahanGeoError",
    "LayerError",
    "Programme",
    "RuleSet",
    "RulesError",
    "ScreeningResult",
    "__version__",
    "apply_review",
    "compare",
    "detail_map",
    "explore",
    "load_land_status_mapping",
    "load_rules",
    "load_zoning_mapping",
    "plot_details",
    "plot_overview",
    "read_constraint",
    "read_forest_area",
    "read_plots",
    "read_rdtr",
    "read_zoning",
    "screen",
    "suggest_sites",
    "summarize",
    "summary_html",
    "to_csv",
    "to_dossier",
    "to_excel",
    "to_geojson",
    "to_geopackage",
]
