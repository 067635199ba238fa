"""The PDF dossier: pages, Indonesian text an official needs, review fields, same bytes."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from _result_factory import make_forest, make_result, make_zoning
from lahan_geo import to_dossier
from lahan_geo.errors import InputError

DAY = dt.date(2026, 12, 3)


def _pages(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package 'poppler-utils')")
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60)
    return done.stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dossier") / "dossier.pdf"
    return to_dossier(make_result(), path, forest=make_forest(), zoning=make_zoning(),
                      date=DAY, note="Data contoh sintetis")


def test_cover_overview_then_one_page_per_plot_not_clear(dossier: Path) -> None:
    pages = _pages(dossier)
    # 6 plots, 1 clear: cover + overview + 5 (the invalid one too, without a map)
    assert len(pages) == 7
    cover = pages[0]
    assert "Dokumen Penyaringan Lokasi" in cover and "3 Desember 2026" in cover
    assert re.search(r"Perlu persetujuan\s+2", cover) and re.search(r"Jumlah lahan\s+6", cover)
    assert "2026.11.0" in cover and "Data contoh sintetis" in cover
    assert "Peta ringkasan" in pages[1]
    headings = [re.search(r"Lahan (KDMP-\d+)", p).group(1) for p in pages[2:]]
    assert headings == ["KDMP-002", "KDMP-003", "KDMP-004", "KDMP-005", "KDMP-006"]
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari 7" in page


def test_plot_page_says_what_to_do_and_leaves_room_for_review(dossier: Path) -> None:
    page = next(p for p in _pages(dossier) if "Lahan KDMP-002" in p)
    for text in ("Koordinat", "LS", "BT", "Aturan yang berlaku", "F2",
                 "Persetujuan yang diperlukan", "PPKH", "Instansi", "Dasar hukum",
                 "UU 41/1999", "Diperiksa oleh:", "Tanggal:", "Keputusan:"):
        assert text in page, text
    # F2 is unconfirmed in the rules: marked on the page, with its note
    assert "BELUM TERKONFIRMASI" in page
    assert "Eligibility of an outlet" in page
    invalid = next(p for p in _pages(dossier) if "Lahan KDMP-005" in p)
    assert "tidak dapat dipetakan" in invalid


def test_same_inputs_same_bytes(dossier: Path, tmp_path: Path) -> None:
    again = to_dossier(make_result(), tmp_path / "lagi.pdf", forest=make_forest(),
                       zoning=make_zoning(), date=DAY, note="Data contoh sintetis")
    assert again.read_bytes() == dossier.read_bytes()
    assert b"/CreationDate" not in again.read_bytes()


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        to_dossier(make_result(), tmp_path / "dossier.docx")
    assert list(tmp_path.iterdir()) == []
