"""Alternative sites in the outputs: sheet Lokasi Alternatif, overview, detail maps, explore."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from _result_factory import NO_SITE_REASON_ID, make_candidates, make_forest, make_result
from lahan_geo.errors import InputError
from lahan_geo.outputs import detail_map, explore, plot_details, plot_overview, to_excel

DPI = 20


def _texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        texts.extend(t.get_text() for t in legend.get_texts())
    for ax in fig.axes:
        texts.extend(t.get_text() for t in ax.texts)
    return texts


def test_sheet_lokasi_alternatif(tmp_path: Path) -> None:
    book = load_workbook(to_excel(make_result(), tmp_path / "h.xlsx",
                                  candidates=make_candidates()))
    assert book.sheetnames == ["Lahan", "Ringkasan", "Lokasi Alternatif", "Aturan", "Metadata"]
    rows = [list(r) for r in book["Lokasi Alternatif"].iter_rows(values_only=True)]
    assert rows[0] == ["ID Lahan", "Status Lahan", "No. Lokasi", "Jarak (m)", "Desa", "Lintang",
                       "Bujur", "Luas (m²)", "Keterangan"]
    first, second, none, other = (dict(zip(rows[0], r)) for r in rows[1:])
    assert (first["ID Lahan"], first["No. Lokasi"], first["Jarak (m)"]) == ("KDMP-002", 1, 350)
    assert first["Status Lahan"] == "Perlu persetujuan" and first["Desa"] == "Sungai Undang"
    assert (first["Lintang"], first["Bujur"]) == pytest.approx((-3.37, 112.5732), abs=1e-6)
    assert first["Luas (m²)"] == pytest.approx(22.2 * 29.9, rel=0.02)  # 0.0002° x 0.00027°
    assert first["Keterangan"] is None and second["Jarak (m)"] == 1500
    assert none["No. Lokasi"] is None  # no site: blank, not "0"
    assert none["Lintang"] is None and none["Jarak (m)"] is None
    assert none["Keterangan"] == NO_SITE_REASON_ID
    assert none["Status Lahan"] == "Tidak diizinkan (pindah lokasi)"
    assert other["Desa"] is None
    cell = book["Lokasi Alternatif"].cell(row=2, column=6)
    assert cell.number_format == "[$-421]0.000000"


def test_both_sheets_together_and_bad_candidates(tmp_path: Path) -> None:
    book = load_workbook(to_excel(make_result(), tmp_path / "h.xlsx",
                                  candidates=make_candidates(), compare_with=make_result()))
    assert book.sheetnames == ["Lahan", "Ringkasan", "Lokasi Alternatif", "Perubahan", "Aturan",
                               "Metadata"]
    with pytest.raises(InputError, match="suggest_sites"):
        to_excel(make_result(), tmp_path / "x.xlsx", candidates=make_result())
    assert not (tmp_path / "x.xlsx").exists()


def test_overview_draws_the_sites() -> None:
    plain = plot_overview(make_result(), figsize=(4, 5), dpi=DPI)
    fig = plot_overview(make_result(), forest=make_forest(), candidates=make_candidates(),
                        figsize=(4, 5), dpi=DPI)
    assert "Lokasi alternatif (aman) (3)" in _texts(fig)
    assert "Lokasi alternatif (aman) (3)" not in _texts(plain)
    (ax,) = fig.axes
    stars = [c for c in ax.collections if getattr(c, "get_offsets", None) is not None
             and len(c.get_offsets()) == 3]
    assert stars  # one star per site, candidate 0 (no geometry) not drawn


def test_detail_map_shows_the_plots_sites_and_widens() -> None:
    near = detail_map(make_result(), "KDMP-002", dpi=DPI)
    with_sites = detail_map(make_result(), "KDMP-002", dpi=DPI, candidates=make_candidates())
    width = lambda f: f.axes[0].get_xlim()[1] - f.axes[0].get_xlim()[0]  # noqa: E731
    assert width(with_sites) > width(near)  # the second site is 1.5 km away
    texts = _texts(with_sites)
    assert any("Lokasi alternatif (aman): 1 (350 m), 2 (1,500 m)" in t for t in texts)
    assert {"1", "2"} <= set(texts)  # numbered on the map
    assert "Lokasi alternatif (aman) (2)" in texts


def test_detail_caption_says_why_there_is_no_site(tmp_path: Path) -> None:
    fig = detail_map(make_result(), "KDMP-003", dpi=DPI, candidates=make_candidates())
    caption = " ".join(_texts(fig)).replace("\n", " ")
    assert "Lokasi alternatif: tidak ada." in caption
    assert "kawasan hutan konservasi" in caption
    written = plot_details(make_result(), out_dir=tmp_path, dpi=DPI,
                           candidates=make_candidates())
    assert len(written) == 4


def test_explore_has_a_layer_of_sites() -> None:
    html = explore(make_result(), candidates=make_candidates()).get_root().render()
    assert "Lokasi alternatif (aman) (3)" in html
    assert "Untuk lahan" in html
