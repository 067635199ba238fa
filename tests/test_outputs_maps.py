"""The overview map: a real PNG, legends in Indonesian, scale bar, robustness."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.figure import Figure
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from _result_factory import make_forest, make_result, make_zoning
from lahan_geo.errors import CRSError, InputError, LayerError
from lahan_geo.outputs import plot_overview


def _texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        texts.append(legend.get_title().get_text())
        texts.extend(t.get_text() for t in legend.get_texts())
    for ax in fig.axes:
        texts.extend(t.get_text() for t in ax.texts)
    return texts


def test_png_has_expected_size_and_content(tmp_path: Path) -> None:
    path = tmp_path / "peta.png"
    fig = plot_overview(make_result(), forest=make_forest(), zoning=make_zoning(), path=path,
                        note="Data contoh sintetis", figsize=(4, 5), dpi=60)
    assert isinstance(fig, Figure)
    image = mpimg.imread(path)
    assert image.shape[:2] == (5 * 60, 4 * 60)
    pixels = image[..., :3].reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 20  # not a single flat colour
    assert [p.name for p in tmp_path.iterdir()] == ["peta.png"]


def test_legends_scale_bar_and_labels() -> None:
    fig = plot_overview(make_result(), forest=make_forest(), zoning=make_zoning(),
                        title="Kabupaten Seruyan", note="Data contoh sintetis",
                        figsize=(5, 6), dpi=40)
    texts = _texts(fig)
    assert "Status lahan" in texts
    assert "Fungsi kawasan hutan" in texts
    assert "Data contoh sintetis" in texts
    assert "HL (Hutan Lindung)" in texts and "Tidak diketahui" in texts
    assert "Perlu persetujuan (2)" in texts
    assert any(t.startswith("Data tidak valid (1)") for t in texts)
    assert any("UTM zone 49S" in t for t in texts)
    assert fig.get_suptitle() == "Kabupaten Seruyan"
    (ax,) = fig.axes
    bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert len(bars) == 1
    bar_texts = [t.get_text() for t in bars[0].txt_label.get_children()]
    assert bar_texts and bar_texts[0].endswith(" km")
    xmin, xmax = ax.get_xlim()
    assert 2_000 < xmax - xmin < 50_000  # metres: drawn in UTM


def test_no_pyplot_state_leaks() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_overview(make_result(), figsize=(3, 3), dpi=30)
    assert plt.get_fignums() == before


def test_zero_valid_geometries(tmp_path: Path) -> None:
    only_invalid = make_result().iloc[[4]]
    path = tmp_path / "kosong.png"
    fig = plot_overview(only_invalid, path=path, figsize=(3, 4), dpi=30)
    assert mpimg.imread(path).shape[:2] == (120, 90)
    texts = _texts(fig)
    assert any("Tidak ada lahan dengan koordinat valid" in t for t in texts)
    assert any(t.startswith("Data tidak valid (1)") for t in texts)
    with_layers = plot_overview(only_invalid, forest=make_forest(), figsize=(3, 4), dpi=30)
    assert "Fungsi kawasan hutan" in _texts(with_layers)


def test_layers_in_other_crs() -> None:
    fig = plot_overview(make_result(), forest=make_forest().to_crs("EPSG:3857"),
                        zoning=make_zoning(), figsize=(3, 3), dpi=30)
    assert "APL (Areal Penggunaan Lain)" in _texts(fig)


def test_bad_layers_and_paths(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="forest_function"):
        plot_overview(make_result(), forest=make_forest().drop(columns="forest_function"))
    with pytest.raises(CRSError):
        plot_overview(make_result(), zoning=make_zoning().set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="suffix"):
        plot_overview(make_result(), path=tmp_path / "peta.jpg")


def test_failed_save_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_savefig(self, fname, **kwargs):
        Path(fname).write_bytes(b"\x89PNG partial")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        plot_overview(make_result(), path=tmp_path / "peta.png", figsize=(3, 3), dpi=30)
    assert list(tmp_path.iterdir()) == []


def test_plot_ids_with_dollar_signs_are_not_read_as_math(tmp_path: Path) -> None:
    result = make_result()
    result.loc[0, "plot_id"] = "$x$ $\\frac{$"  # an even count of $ is mathtext
    path = tmp_path / "peta.png"
    fig = plot_overview(result, path=path, figsize=(3, 3), dpi=30)
    assert path.stat().st_size > 0
    assert "$x$ $\\frac{$" in [t.get_text().replace("\\$", "$") for t in fig.axes[0].texts]


# -- issue #16: what a map reader expects --------------------------------------------------

def _many_plots(n: int = 37):
    """``n`` plots (> 30): the six of the factory repeated, spread out, ids unique."""
    import geopandas as gpd
    import pandas as pd
    from shapely.affinity import translate

    base = make_result()
    parts = []
    for k in range(-(-n // len(base))):
        part = base.copy()
        part["plot_id"] = [f"{p}-{k}" for p in base["plot_id"]]
        part["geometry"] = [translate(g, 0.004 * k, 0) if g is not None else None
                            for g in base.geometry]
        parts.append(part)
    many = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True).iloc[:n], crs=base.crs)
    many.attrs = base.attrs
    return many


def test_every_plot_not_clear_is_labelled_above_30_plots() -> None:
    result = _many_plots()
    fig = plot_overview(result, figsize=(5, 6), dpi=40)
    labels = {t.get_text() for t in fig.axes[0].texts}
    drawn = result[result.geometry.notna()]
    not_clear = set(drawn.loc[drawn["status"] != "clear", "plot_id"])
    assert not_clear and not_clear <= labels
    assert not labels & set(drawn.loc[drawn["status"] == "clear", "plot_id"])


def test_title_line_sources_and_boundaries() -> None:
    import datetime as dt

    result = make_result()
    result["kabupaten"] = "Seruyan"
    villages = make_zoning().rename(columns={"zone_name": "nama"})
    fig = plot_overview(result, forest=make_forest(), within=villages, figsize=(5, 6), dpi=40,
                        date=dt.date(2026, 12, 3))
    texts = _texts(fig)
    assert "Kabupaten Seruyan · 3 Desember 2026" in texts
    footer = next(t for t in texts if t.startswith("Sumber:"))
    assert "SK.529/Menhut-II/2012" in footer
    assert "Batas desa/wilayah" in texts
    ax = fig.axes[0]
    assert any(t.get_text().endswith(" BT") for t in ax.get_xticklabels())


def test_status_colours_stand_apart_from_the_forest_palette() -> None:
    from matplotlib.colors import to_rgb

    from lahan_geo.outputs._draw import FOREST_COLOURS, STATUS_COLOURS

    for status, colour in STATUS_COLOURS.items():
        for function, fill in FOREST_COLOURS.items():
            distance = np.linalg.norm(np.subtract(to_rgb(colour), to_rgb(fill)))
            assert distance > 0.3, (status, function)


def test_matplotlib_is_not_imported_with_the_map_modules() -> None:
    import subprocess
    import sys

    code = ("import sys, lahan_geo.outputs.maps, lahan_geo.outputs.details, "
            "lahan_geo.outputs.dossier; print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_within_may_be_a_file_and_its_name_is_the_source(tmp_path: Path) -> None:
    villages = make_zoning().rename(columns={"zone_name": "nama"})
    path = tmp_path / "desa.gpkg"
    villages.to_file(path, engine="pyogrio")
    fig = plot_overview(make_result(), within=path, figsize=(5, 6), dpi=40)
    texts = _texts(fig)
    assert "Batas desa/wilayah" in texts
    footer = next(t for t in texts if t.startswith("Sumber:"))
    assert "Batas wilayah: desa.gpkg" in footer and str(tmp_path) not in footer


def test_many_plots_get_at_most_max_ids_labels_most_severe_first() -> None:
    import geopandas as gpd
    import pandas as pd
    import shapely

    from lahan_geo.outputs.maps import MAX_IDS

    n = MAX_IDS + 50
    base = make_result()
    result = gpd.GeoDataFrame(pd.concat([base] * -(-n // len(base)), ignore_index=True)
                              .iloc[:n], geometry="geometry", crs=base.crs)
    result["plot_id"] = [f"P{i:04d}" for i in range(n)]
    rng = np.random.default_rng(7)
    points = shapely.points(rng.uniform(112.0, 113.0, n), rng.uniform(-3.5, -2.5, n))
    result = result.set_geometry(gpd.GeoSeries(points, crs="EPSG:4326"))
    not_clear = result[result["status"] != "clear"]
    fig = plot_overview(result, figsize=(4, 5), dpi=40)
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("P0")]
    assert len(labels) == MAX_IDS < len(not_clear)
    severe_first = [plot_id for status in ("invalid", "not_permitted", "needs_clearance",
                                           "verify")
                    for plot_id in result.loc[result["status"] == status, "plot_id"]]
    assert labels == severe_first[:MAX_IDS]  # the most severe get their ids first
    assert f"ID ditulis: {MAX_IDS} dari {len(not_clear)} lahan" in _texts(fig)


def test_zone_outlines_leave_out_where_a_windowed_layer_was_cut() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import geopandas as gpd
    from matplotlib.figure import Figure
    from pyproj import CRS
    from shapely import box

    from lahan_geo.outputs._draw import add_outlines

    layer = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=32749)
    ax = Figure().add_subplot()
    # the layer as cut at x = 10 by its reading box: its right edge is not a boundary
    add_outlines(ax, layer, CRS.from_epsg(32749), box(-5, -5, 15, 15), box(-5, -5, 10, 15))
    drawn = ax.collections[0].get_segments()
    xs = [x for segment in drawn for x, _ in segment]
    assert xs and min(xs) == 0  # the left edge is drawn
    assert max(xs) <= 9 + 1e-6  # nothing within 1 m of the cut at x = 10
