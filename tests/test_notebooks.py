"""The notebooks run top to bottom on the sample data and show what officials receive."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WALKTHROUGH = "02_seruyan_walkthrough.ipynb"


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def executed(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    return path, nb, outputs


def test_notebook_executes(executed):
    _, _, outputs = executed
    assert not [o for o in outputs if o.output_type == "error"]
    assert len(outputs) >= 5


def test_walkthrough_shows_maps_inline_and_says_where_it_wrote(executed):
    path, nb, outputs = executed
    if path.name != WALKTHROUGH:
        pytest.skip("checks the walkthrough only")
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "tempfile" not in source and "lahan_geo.intake" not in source  # user's own file
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 2  # overview and one detail map
    html = "".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    assert "leaflet" in html.lower()  # the interactive map, inline
    assert "Perlu persetujuan" in html and "Aman" in html  # Indonesian status labels
    text = "".join(o.get("text", "") for o in outputs)
    hasil = path.parent / "hasil"
    assert str(hasil.resolve()) in text
    for name in ("dokumen_penyaringan.pdf", "peta_interaktif.html", "hasil_screening.xlsx",
                 "peta_ringkasan.png"):
        assert (hasil / name).is_file(), name


def test_there_is_a_quickstart():
    assert any(p.name == "01_quickstart.ipynb" for p in NOTEBOOKS)
