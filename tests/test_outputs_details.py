"""Detail maps: one PNG per plot that needs attention, safe names, content, workbook links."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from openpyxl import load_workbook
from shapely.geometry import Point

from _result_factory import make_forest, make_result, make_zoning
from lahan_geo.errors import CRSError, InputError
from lahan_geo.outputs import plot_details, to_excel
from lahan_geo.outputs.details import detail_map, detail_names

DPI = 20  # small images keep the tests fast; content does not depend on it


def _texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        texts.extend(t.get_text() for t in legend.get_texts())
    for ax in fig.axes:
        texts.extend(t.get_text() for t in ax.texts)
    return texts


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("details") / "peta_detail"
    return plot_details(make_result(), forest=make_forest(), zoning=make_zoning(),
                        out_dir=folder, dpi=DPI)


def test_one_png_per_plot_that_is_neither_clear_nor_invalid(written: list[Path]) -> None:
    # KDMP-001 is clear and KDMP-005 invalid: no map for them
    assert [p.name for p in written] == [
        "detail_KDMP-002.png", "detail_KDMP-003.png", "detail_KDMP-004.png",
        "detail_KDMP-006.png",
    ]
    folder = written[0].parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    for path in written:
        image = mpimg.imread(path)
        assert image.shape[:2] == (9 * DPI, 9.5 * DPI)
        assert len(np.unique(image[..., :3].reshape(-1, 3), axis=0)) > 10


def test_names_are_sanitized_and_unique() -> None:
    ids = ["Desa Sungai/01", "desa sungai:01", "Désa Sungai 01", "", None, "..", "ok", "OK",
           "clear-one", "bad"]
    statuses = ["verify"] * 8 + ["clear", "invalid"]
    result = gpd.GeoDataFrame(
        {"plot_id": ids, "status": statuses},
        geometry=[Point(112.3 + i / 100, -2.5) for i in range(len(ids))], crs="EPSG:4326",
    )
    names = detail_names(result)
    assert names == [
        "detail_Desa_Sungai_01.png", "detail_desa_sungai_01_2.png", "detail_Desa_Sungai_01_3.png",
        "detail_baris_4.png", "detail_baris_5.png", "detail_baris_6.png", "detail_ok.png",
        "detail_OK_2.png", None, None,
    ]
    assert detail_names(result) == names  # deterministic
    assert all(set(n) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
               for n in names if n)


def test_written_names_match_detail_names(tmp_path: Path) -> None:
    result = make_result()
    result.loc[[1, 2], "plot_id"] = ["Lahan #1", "lahan 1"]
    paths = plot_details(result, out_dir=tmp_path, dpi=DPI)
    assert [p.name for p in paths] == ["detail_Lahan_1.png", "detail_lahan_1_2.png",
                                       "detail_KDMP-004.png", "detail_KDMP-006.png"]
    assert [n for n in detail_names(result) if n] == [p.name for p in paths]


def test_map_content() -> None:
    fig = detail_map(make_result(), "KDMP-002", forest=make_forest(), zoning=make_zoning(),
                     radius_m=800, dpi=DPI)
    assert fig.get_suptitle() == "KDMP-002 – Perlu persetujuan"
    texts = _texts(fig)
    caption = next(t for t in texts if t.startswith("Aturan:"))
    assert "Aturan: F2, Z2" in caption
    assert "Alasan: Lahan berada di hutan lindung." in caption
    assert "HL (Hutan Lindung)" in caption and "Kawasan Pertanian Tanaman Pangan" in caption
    assert "Persetujuan yang diperlukan: PPKH" in caption and "UTM zone 49S" in caption
    assert "Kawasan Pertanian" in texts  # the zone name written on the map
    assert "HL (Hutan Lindung)" in texts  # legend of forest functions
    assert "Toleransi posisi batas hutan ± 135 m" in texts
    ax, locator = fig.axes
    assert locator.get_title() == "Lokasi peta"
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    # the extent reaches past the decisive (F2) forest boundary, 880 m away, not a fixed size
    assert 2 * 880 < min(xmax - xmin, ymax - ymin) < 3200
    assert any(t.get_text().endswith(" BT") for t in ax.get_xticklabels())  # degree ticks
    assert [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    dashed = [c for c in ax.collections if isinstance(c, PatchCollection)
              and any(ls[1] is not None for ls in c.get_linestyle())]
    assert dashed, "the tolerance band is drawn dashed"
    band = dashed[0].get_paths()[0].get_extents()
    assert band.width == pytest.approx(2 * 135 + 33, abs=8)  # plot (~33 m) + 2 × tolerance


def test_caption_gives_the_reason_of_the_deciding_rule() -> None:
    result = make_result()
    result.at[1, "rules"] = ["F6", "Z2"]
    result.at[1, "reason_id"] = "F6: Lahan di APL. Z2: Zona pertanian tidak mengizinkan gerai."
    result.attrs["lahan_geo"]["rules"] += [
        {"id": "F6", "status": "clear"}, {"id": "Z2", "status": "needs_clearance"}]
    caption = next(t for t in _texts(detail_map(result, "KDMP-002", dpi=DPI))
                   if t.startswith("Aturan:"))
    assert "Alasan: Z2: Zona pertanian tidak mengizinkan gerai." in caption
    assert "Lahan di APL" not in caption


def test_text_with_dollar_signs_and_control_characters_draws(tmp_path: Path) -> None:
    result = make_result()
    result.loc[1, "plot_id"] = "$x$ $\\frac{$"  # an even count of $ is mathtext
    result.loc[1, "reason_id"] = "harga $5 dan $6\x07"
    paths = plot_details(result, out_dir=tmp_path, dpi=DPI)
    assert paths[0].name == "detail_x_frac.png" and paths[0].stat().st_size > 0


def test_no_leftovers_and_refusals(tmp_path: Path) -> None:
    a_file = tmp_path / "peta.png"
    a_file.write_bytes(b"x")
    with pytest.raises(InputError, match="is a file"):
        plot_details(make_result(), out_dir=a_file)
    with pytest.raises(InputError, match="radius_m"):
        plot_details(make_result(), out_dir=tmp_path / "a", radius_m=0)
    with pytest.raises(CRSError):
        plot_details(make_result(), out_dir=tmp_path / "b",
                     forest=make_forest().set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="KDMP-005"):
        detail_map(make_result(), "KDMP-005")  # invalid: no geometry
    with pytest.raises(InputError, match="no plot"):
        detail_map(make_result(), "nope")
    only_clear = make_result().iloc[[0, 4]]
    assert plot_details(only_clear, out_dir=tmp_path / "c") == []
    assert not list((tmp_path / "c").iterdir())


def test_workbook_links_each_map(tmp_path: Path, written: list[Path]) -> None:
    result = make_result()
    for detail_maps in (written[0].parent, written):
        book = to_excel(result, tmp_path / "hasil.xlsx", detail_maps=detail_maps)
        ws = load_workbook(book)["Lahan"]
        headers = [c.value for c in ws[1]]
        col = headers.index("Peta Detail") + 1
        assert headers[col - 2] == "Alasan"
        cells = [ws.cell(row=r, column=col) for r in range(2, 8)]
        assert [c.value is not None for c in cells] == [False, True, True, True, False, True]
        for cell in cells:
            if cell.value is not None:
                target = (book.parent / cell.hyperlink.target).resolve()
                assert target.is_file() and target.name.startswith("detail_KDMP-")
                assert cell.value == cell.hyperlink.target
    again = to_excel(result, tmp_path / "again.xlsx", detail_maps=written)
    assert again.read_bytes() == book.read_bytes()  # links keep the workbook reproducible
    without = load_workbook(to_excel(result, tmp_path / "plain.xlsx"))["Lahan"]
    assert "Peta Detail" not in [c.value for c in without[1]]
    with pytest.raises(InputError, match="not a folder"):
        to_excel(result, tmp_path / "x.xlsx", detail_maps=tmp_path / "missing")


def test_villages_locator_and_a_far_boundary_is_named() -> None:
    result = make_result()
    result.at[1, "boundary_distance_m"] = 25_000.0  # the decisive F2 boundary: far away
    villages = gpd.GeoDataFrame({"nama": ["Desa Uji"]},
                                geometry=[result.geometry.iloc[1].buffer(0.1)], crs="EPSG:4326")
    fig = detail_map(result, "KDMP-002", forest=make_forest(), within=villages, dpi=DPI)
    texts = _texts(fig)
    assert "Desa Uji" in texts and "Batas desa/wilayah" in texts
    assert any(t.startswith("Batas kawasan hutan terdekat berjarak 25,0 km") for t in texts)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] - ax.get_xlim()[0] <= 2 * 4000 + 1  # capped, not 50 km wide
