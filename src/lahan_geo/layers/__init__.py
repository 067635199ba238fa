"""Legal layers: read, validate, repair (recorded) and normalize them."""

from lahan_geo.layers.constraints import CONSTRAINT_RULES, read_constraint
from lahan_geo.layers.forest import (
    FOREST_ESTATE,
    FUNCTIONS_BY_RESTRICTION,
    forest_function_of,
    read_forest_area,
)
from lahan_geo.layers.rdtr import rdtr_coverage, read_rdtr
from lahan_geo.layers.zoning import ZoningMapping, load_zoning_mapping, read_zoning

__all__ = [
    "CONSTRAINT_RULES",
    "FOREST_ESTATE",
    "FUNCTIONS_BY_RESTRICTION",
    "ZoningMapping",
    "forest_function_of",
    "load_zoning_mapping",
    "rdtr_coverage",
    "read_constraint",
    "read_forest_area",
    "read_rdtr",
    "read_zoning",
]
