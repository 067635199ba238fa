"""Issue #7, invariants over generated plot lists (hypothesis).

- rows out = rows in, same order, same ids, whatever the rows hold (valid points and
  polygons, blanks, garbage, duplicates), from a DataFrame and from a CSV file;
- the same inputs give byte-identical GeoJSON;
- a plot's status never depends on the other plots in the batch.
"""

from __future__ import annotations

import itertools
import string

import numpy as np
import pandas as pd
import pyproj
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lahan_geo as lg
from conftest import KM, X0, Y0, raw_forest, raw_zoning

TO_WGS84 = pyproj.Transformer.from_crs(32749, 4326, always_xy=True)
_counter = itertools.count()

# Garbage as field teams type it (and worse): letters, digits, punctuation, the CSV
# delimiters and quotes, newlines, non-ASCII; no NUL and no other control characters,
# which make a text file binary by definition.
GARBAGE = st.text(alphabet=string.ascii_letters + string.digits + " ,.;:|\t\"'°-+=@/\n"
                  + "ÀéñøЖ中–…", max_size=30)


def lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    return TO_WGS84.transform(X0 + x_km * KM, Y0 + y_km * KM)


def point_cells(x_km: float, y_km: float) -> dict[str, str]:
    lon, lat = lonlat(x_km, y_km)
    return {"lintang": f"{lat:.6f}", "bujur": f"{lon:.6f}", "WKT": ""}


def polygon_cells(x_km: float, y_km: float, size_m: float) -> dict[str, str]:
    d = size_m / KM
    corners = [lonlat(x, y) for x, y in ((x_km, y_km), (x_km + d, y_km), (x_km + d, y_km + d),
                                         (x_km, y_km + d), (x_km, y_km))]
    ring = ", ".join(f"{lon:.6f} {lat:.6f}" for lon, lat in corners)
    return {"lintang": "", "bujur": "", "WKT": f"POLYGON (({ring}))"}


# The landscape of conftest spans x 0-80 km, y 0-10 km; a little beyond is uncovered.
xs = st.floats(min_value=-2.0, max_value=85.0, allow_nan=False)
ys = st.floats(min_value=-1.0, max_value=11.0, allow_nan=False)

located_row = st.one_of(
    st.builds(point_cells, xs, ys),
    st.builds(polygon_cells, xs, ys, st.floats(min_value=10.0, max_value=400.0)),
)
hostile_row = st.one_of(
    located_row,
    st.just({"lintang": "", "bujur": "", "WKT": ""}),  # blank coordinates
    st.builds(lambda a, b: {"lintang": a, "bujur": b, "WKT": ""}, GARBAGE, GARBAGE),
    st.builds(lambda w: {"lintang": "", "bujur": "", "WKT": w}, GARBAGE),
    st.builds(lambda a: {"lintang": a, "bujur": "112.412338", "WKT": ""},
              st.sampled_from(["91.5", "-2", "2,5 LS", "=1+1", "nan", "inf", "-", "0", "1e308"])),
)
ids = st.one_of(st.sampled_from(["A", "A", "B-01", "  padded  ", "", "   "]), GARBAGE)


@st.composite
def plot_lists(draw, rows=hostile_row):
    n = draw(st.integers(min_value=0, max_value=25))
    records = []
    for i in range(n):
        if records and draw(st.integers(0, 5)) == 0:  # a duplicate of an earlier row
            record = dict(draw(st.sampled_from(records)))
        else:
            record = {"id_lahan": draw(ids), **draw(rows)}
        record["no"] = str(i + 1)  # never blank: a row blank in every cell is no row
        records.append(record)
    return pd.DataFrame(records, columns=["no", "id_lahan", "lintang", "bujur", "WKT"],
                        dtype=object)


def expected_ids(frame: pd.DataFrame) -> list[str]:
    out = []
    for i, value in enumerate(frame["id_lahan"].tolist()):
        text = str(value).strip()
        out.append(text if text else f"P{i + 1:04d}")
    return out


def assert_same_rows(plots: pd.DataFrame, raw: pd.DataFrame) -> None:
    assert len(plots) == len(raw)
    assert plots["no"].tolist() == raw["no"].tolist()
    assert plots["plot_id"].tolist() == expected_ids(raw)
    assert plots["source_row"].is_monotonic_increasing
    assert plots.index.tolist() == list(range(len(raw)))


@settings(max_examples=60, deadline=None)
@given(raw=plot_lists())
def test_rows_out_equal_rows_in_from_a_dataframe(raw):
    plots = lg.read_plots(raw)
    assert_same_rows(plots, raw)
    assert plots["source_row"].tolist() == list(range(1, len(raw) + 1))
    unusable = plots.geometry.isna()
    assert (plots["input_problem"].notna() == unusable).all()
    result = lg.screen(plots)
    assert result["plot_id"].tolist() == plots["plot_id"].tolist()
    assert result["no"].tolist() == raw["no"].tolist()
    assert (result["status"] == "invalid").tolist() == unusable.tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=plot_lists())
def test_rows_out_equal_rows_in_from_a_csv_file(tmp_path_factory, raw):
    if raw.empty:
        return
    path = tmp_path_factory.mktemp("csv") / f"plots_{next(_counter)}.csv"
    raw.to_csv(path, index=False)
    plots = lg.read_plots(path)
    assert_same_rows(plots, raw)
    from_frame = lg.read_plots(raw)
    # A cell the CSV reader keeps as text gives the same geometry as from the DataFrame.
    assert plots["input_problem"].isna().tolist() == from_frame["input_problem"].isna().tolist()
    same = plots.geometry.isna() | plots.geometry.geom_equals_exact(from_frame.geometry, 0)
    assert same.all()


@settings(max_examples=15, deadline=None)
@given(raw=plot_lists(rows=located_row))
def test_running_twice_gives_byte_identical_geojson(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("twice")
    paths = []
    for name in ("first", "second"):  # fresh layers and plots each time
        result = lg.screen(lg.read_plots(raw.copy()), forest=lg.read_forest_area(raw_forest()),
                           zoning=lg.read_zoning(raw_zoning()))
        paths.append(lg.to_geojson(result, folder / f"{name}.geojson"))
    assert paths[0].read_bytes() == paths[1].read_bytes()


# (The reason of an invalid row quotes its row number, which the subset renumbers.)
COMPARED = ["status", "rules", "forest_function", "forest_overlap_pct", "forest_decree",
            "zone_class", "zone_name", "boundary_distance_m", "zone_boundary_distance_m",
            "area_m2", "clearances", "agencies"]


@settings(max_examples=25, deadline=None)
@given(raw=plot_lists(), keep=st.lists(st.booleans(), min_size=25, max_size=25))
def test_a_plots_status_never_depends_on_the_rest_of_the_batch(forest, zoning, raw, keep):
    raw = raw.assign(id_lahan=[f"u{i}" for i in range(len(raw))])  # unique ids to match on
    whole = lg.screen(lg.read_plots(raw), forest=forest, zoning=zoning).set_index("plot_id")
    subset = raw[np.asarray(keep[: len(raw)], dtype=bool)]
    part = lg.screen(lg.read_plots(subset), forest=forest, zoning=zoning).set_index("plot_id")
    assert part.index.tolist() == subset["id_lahan"].tolist()
    pd.testing.assert_frame_equal(part[COMPARED], whole.loc[part.index, COMPARED],
                                  check_index_type=False)
