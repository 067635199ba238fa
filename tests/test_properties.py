"""Properties over generated inputs: moving deeper into a forest function never makes a
plot's status less severe."""

from __future__ import annotations

import geopandas as gpd
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, plots_at, utm
from lahan_geo.layers import FUNCTIONS_BY_RESTRICTION
from lahan_geo.statuses import severity

CODES = {"HK": 1002, "HL": 1001, "HPT": 1004, "HP": 1003, "HPK": 1005, "APL": 1007}
KM = 1000.0


def landscape(outer: str, inner: str):
    """``outer`` west of x = 10 km, ``inner`` east of it; permukiman zoning everywhere."""
    forest = lg.read_forest_area(gpd.GeoDataFrame(
        {"FUNGSIKWS": [CODES[outer], CODES[inner]]},
        geometry=[box(X0, Y0, X0 + 10 * KM, Y0 + 10 * KM),
                  box(X0 + 10 * KM, Y0, X0 + 20 * KM, Y0 + 10 * KM)], crs=UTM49S))
    zoning = lg.read_zoning(gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Permukiman Perdesaan"]},
        geometry=[box(X0 - KM, Y0 - KM, X0 + 21 * KM, Y0 + 11 * KM)], crs=UTM49S))
    return forest, zoning


pairs = st.tuples(st.sampled_from(FUNCTIONS_BY_RESTRICTION),
                  st.sampled_from(FUNCTIONS_BY_RESTRICTION)).filter(
    lambda p: FUNCTIONS_BY_RESTRICTION.index(p[1]) < FUNCTIONS_BY_RESTRICTION.index(p[0]))


@settings(max_examples=40, deadline=None)
@given(pair=pairs,
       xs=st.lists(st.floats(min_value=5.0, max_value=15.0), min_size=2, max_size=6),
       accuracy=st.sampled_from([None, 5.0, 30.0]))
def test_deeper_into_a_stricter_function_is_never_less_severe(pair, xs, accuracy):
    outer, inner = pair
    forest, zoning = landscape(outer, inner)
    xs = sorted(xs)
    plots = plots_at({f"p{i}": utm(x, 5) for i, x in enumerate(xs)},
                     akurasi=[accuracy] * len(xs))
    statuses = lg.screen(plots, forest=forest, zoning=zoning)["status"].tolist()
    ranks = [severity(s) for s in statuses]
    assert ranks == sorted(ranks), list(zip(xs, statuses))
