"""Shared fixtures: a small legal landscape built in code, in metres, and the real
Kalimantan Tengah boundaries from ../shared when they are present.

The synthetic landscape (EPSG:32749, UTM 49S, around 112.8 E, 2.7 S) is a row of
10 km x 10 km forest blocks, west to east:

    x: 600-610 km HK | 610-620 HL | 620-630 HP | 630-640 HPT | 640-650 HPK
       650-670 APL   | 670-680 code 0 ("Tidak Terdefinisi")  | beyond 680: no polygon

all between y = 9,700 and 9,710 km. A zoning layer covers the APL blocks with strips
(south to north, 2 km each): permukiman, pertanian, LP2B, sempadan sungai, and an
unknown zone name; x 665-670 km has no zoning polygon.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point, box

import lahan_geo as lg

X0, Y0 = 600_000.0, 9_700_000.0
KM = 1000.0
UTM49S = "EPSG:32749"

FOREST_BLOCKS = [  # (FUNGSIKWS, x from km, x to km)
    (100200.0, 0, 10), (100100.0, 10, 20), (100300.0, 20, 30), (100400.0, 30, 40),
    (100500.0, 40, 50), (100700.0, 50, 70), (0.0, 70, 80),
]
ZONE_STRIPS = [  # (NAMOBJ, y from km, y to km), all over x 650-665 km
    ("Kawasan Permukiman Perdesaan", 0, 2),
    ("Kawasan Peruntukan Pertanian Tanaman Pangan", 2, 4),
    ("Kawasan Pertanian Pangan Berkelanjutan", 4, 6),
    ("Sempadan Sungai", 6, 8),
    ("Kawasan Entah Apa", 8, 10),
]

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wilayah"


@pytest.fixture(autouse=True, scope="session")
def _private_layer_cache(tmp_path_factory):
    """Keep the suite's layer cache out of the user's ~/.cache, fresh each run."""
    import os

    old = os.environ.get("LAHAN_GEO_CACHE")
    os.environ["LAHAN_GEO_CACHE"] = str(tmp_path_factory.mktemp("layer-cache"))
    yield
    if old is None:
        os.environ.pop("LAHAN_GEO_CACHE", None)
    else:
        os.environ["LAHAN_GEO_CACHE"] = old


def utm(x_km: float, y_km: float) -> Point:
    """A point at (x_km, y_km) kilometres from the landscape origin, in UTM 49S."""
    return Point(X0 + x_km * KM, Y0 + y_km * KM)


def raw_forest() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "FUNGSIKWS": [c for c, _, _ in FOREST_BLOCKS],
            "NOSKKWS": ["SK.529/Menhut-II/2012"] * len(FOREST_BLOCKS),
            "TGLSKKWS": ["2012-09-06"] * len(FOREST_BLOCKS),
        },
        geometry=[box(X0 + a * KM, Y0, X0 + b * KM, Y0 + 10 * KM) for _, a, b in FOREST_BLOCKS],
        crs=UTM49S,
    ).to_crs("EPSG:4326")


def raw_zoning() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"NAMOBJ": [n for n, _, _ in ZONE_STRIPS]},
        geometry=[box(X0 + 50 * KM, Y0 + a * KM, X0 + 65 * KM, Y0 + b * KM)
                  for _, a, b in ZONE_STRIPS],
        crs=UTM49S,
    )


@pytest.fixture(scope="session")
def forest() -> gpd.GeoDataFrame:
    return lg.read_forest_area(raw_forest())


@pytest.fixture(scope="session")
def zoning() -> gpd.GeoDataFrame:
    return lg.read_zoning(raw_zoning())


def plots_at(points: dict[str, object], **columns: list[object]) -> gpd.GeoDataFrame:
    """Plots (points or polygons given in UTM 49S) as read_plots returns them."""
    gdf = gpd.GeoDataFrame(
        {"id_lahan": list(points), **columns}, geometry=list(points.values()), crs=UTM49S
    )
    return lg.read_plots(gdf)


@pytest.fixture(scope="session")
def shared_wilayah() -> Path:
    if not (SHARED / "kalteng_desa.gpkg").exists():
        pytest.skip("../shared/data/wilayah is absent (only developers' and CI's machines have it)")
    return SHARED


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "sample_data"


def by_id(result: gpd.GeoDataFrame) -> pd.DataFrame:
    return result.set_index("plot_id")
