"""``lahan_geo.layers.validity.is_valid`` answers exactly as ``shapely.is_valid`` (issue #14).

Its shortcut applies to polygons with many holes (a forest strip and its enclaves);
every way the holes can make such a polygon invalid, or valid while touching the
shell, is tried against GEOS's own answer, which stays the oracle.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import Polygon, box

from lahan_geo.layers.source import repair_polygons
from lahan_geo.layers.validity import MIN_HOLES, is_valid

SHELL = [(0, 0), (100, 0), (100, 6), (60, 9), (0, 6)]


def _holes(n: int = 30) -> list:
    """A row of square holes at x 1..90, y 1..2; the cases put their own hole elsewhere."""
    return [box(3 * k + 1, 1, 3 * k + 2, 2).exterior for k in range(n)]


def _strip(*extra, n: int = 30) -> Polygon:
    return Polygon(SHELL, [*_holes(n), *[shapely.get_exterior_ring(e) for e in extra]])


CASES = {
    "valid": _strip(),
    "few holes": _strip(n=MIN_HOLES - 1),
    "hole touching the shell at a point (valid)": _strip(Polygon([(95, 0), (96, 1), (94, 1)])),
    "hole touching the shell twice": _strip(Polygon([(93, 0), (95, 3), (97, 0), (95, 1)])),
    "hole along the shell": _strip(box(94, 0, 95, 1)),
    "hole crossing the shell": _strip(box(94, -1, 95, 1)),
    "hole outside the shell": _strip(box(200, 1, 201, 2)),
    "hole in a hole": _strip(box(1.2, 1.2, 1.8, 1.8)),
    "holes overlapping": _strip(box(1.5, 1.5, 2.5, 2.5)),
    "holes touching at a point (valid)": _strip(box(2, 2, 3, 3)),
    "holes touching along an edge": _strip(box(2, 1, 3, 2)),
    "duplicate hole": _strip(box(1, 1, 2, 2)),
    "hole ring self-intersecting": _strip(Polygon([(70, 3), (72, 5), (72, 3), (70, 5)])),
    "holes closing a loop (interior cut off)": Polygon(SHELL, [
        *_holes(), box(40, 3, 42, 4).exterior, box(42, 4, 43, 6).exterior,
        box(40, 6, 42, 7).exterior, box(39, 4, 40, 6).exterior]),
    "shell self-intersecting": Polygon([(0, 0), (100, 0), (0, 9), (100, 9)], _holes()),
    "shell crossing itself away from the holes": Polygon(
        [(0, 0), (100, 0), (100, 6), (90, 6), (95, 8), (95, 5), (60, 9), (0, 6)], _holes()),
    "hole as large as the shell": Polygon(SHELL, [*_holes(), Polygon(SHELL).exterior]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_answer_as_geos(case):
    geom = CASES[case]
    assert is_valid(np.array([geom])).tolist() == [bool(shapely.is_valid(geom))]


def test_cases_cover_both_answers_and_the_shortcut():
    answers = [bool(shapely.is_valid(g)) for g in CASES.values()]
    assert answers.count(True) >= 3 and answers.count(False) >= 8
    assert sum(len(g.interiors) >= MIN_HOLES for g in CASES.values()) == len(CASES) - 1


def test_random_strips_agree_with_geos():
    rng = np.random.default_rng(14)
    geoms = []
    for _ in range(60):
        n = int(rng.integers(16, 30))
        centres = np.column_stack([3.0 * np.arange(n) + 2 + rng.normal(0, 0.4, n),
                                   rng.uniform(1.2, 5.8, n)])
        radius = rng.uniform(0.3, 1.0, n) * np.where(rng.random(n) < 0.04, 1.8, 1.0)
        rings = [shapely.Point(c).buffer(r, 3).exterior for c, r in zip(centres, radius)]
        geoms.append(Polygon(SHELL, rings))
    geoms = np.array([*geoms, None], dtype=object)
    expected = shapely.is_valid(geoms)
    assert 5 < expected.sum() < len(geoms) - 5  # both answers are exercised
    np.testing.assert_array_equal(is_valid(geoms), expected)


def test_repair_polygons_repairs_the_same_features():
    geoms = list(CASES.values())
    fixed, repairs = repair_polygons(gpd.GeoDataFrame(geometry=geoms, crs=3857))
    expected = [None if shapely.is_valid(g) else f"make_valid: {shapely.is_valid_reason(g)}"
                for g in geoms]
    assert fixed["geometry_repair"].tolist() == expected
    assert repairs == sum(e is not None for e in expected)
    assert shapely.is_valid(fixed.geometry.array).all()
