"""Size and cost budgets: crafted files end in a one-line error, bounded in time and memory.

Each audit case is built by the test and read in a child process limited to
:data:`MEMORY` bytes of address space and :data:`SECONDS` seconds; without the budgets
these cost gigabytes or minutes (a merged range in single quotes: 65 s and 2 GB from
4.9 KB; a 122 KB KMZ: 3 GB; a workbook of millions of cells: 2.1 GB; a CSV of any size).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import lahan_geo as lg
from lahan_geo import limits
from lahan_geo.io import archives

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="uses RLIMIT_AS (Linux)")

#: Address space and wall time a child reading one crafted file may use.
MEMORY = 1536 * 1024 * 1024
SECONDS = 60

_CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
    import lahan_geo as lg
    try:
        lg.read_plots(sys.argv[1])
        out = {{"error": None}}
    except BaseException as err:
        out = {{"error": type(err).__name__, "message": str(err)}}
    print(json.dumps(out))
""")


def read_bounded(path: Path) -> dict[str, str | None]:
    """Read ``path`` with read_plots in a child process bounded in memory and time."""
    code = _CHILD.format(memory=MEMORY)
    src = str(Path(lg.__file__).parents[1])
    try:
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                              text=True, timeout=SECONDS, env={"PYTHONPATH": src,
                                                               "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} took more than {SECONDS} s")
    lines = done.stdout.strip().splitlines()
    assert lines, f"the child died (exit {done.returncode}): {done.stderr[-500:]}"
    return json.loads(lines[-1])


def _assert_budget(result: dict[str, str | None], name: str, budget: str) -> None:
    assert result["error"] == "InputError", result
    message = result["message"] or ""
    assert name in message and f"the budget {budget}=" in message, message
    assert f"lahan_geo.limits.override({budget}=...)" in message and "\n" not in message


def _xlsx(path: Path, sheet: bytes) -> Path:
    """A minimal workbook whose one sheet is ``sheet`` (the worksheet XML)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            f'<Types xmlns="{pkg}/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension='
            '"xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application'
            '/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{doc}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'<workbook {ns} {rel}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{doc}/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


_HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>id_lahan</t></is></c><c r="B1" '
               b't="inlineStr"><is><t>lintang</t></is></c><c r="C1" t="inlineStr"><is><t>bujur'
               b'</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
               b'<c r="B2"><v>-2.5</v></c><c r="C2"><v>112.3</v></c></row>')


def _sheet(rows: bytes, merge: bytes = b"") -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + rows + b"</sheetData>" + merge + b"</worksheet>")


@pytest.mark.parametrize("merge", [
    b"<mergeCells count='1'><mergeCell ref='D1:XFD1048576'/></mergeCells>",
    b'<mergeCells count="1"><mergeCell ref = "D1:XFD1048576" /></mergeCells>',
    b'<mergeCells count="1"><mergeCell\nref="$D$1:$XFD$1048576"/></mergeCells>',
])
def test_a_merged_range_in_any_xml_spelling_is_bounded(tmp_path, merge):
    path = _xlsx(tmp_path / "merged.xlsx", _sheet(_HEADER_ROW, merge))
    assert path.stat().st_size < 5000
    _assert_budget(read_bounded(path), "merged.xlsx", "merged_cells")


def test_a_workbook_of_millions_of_cells_is_refused_before_openpyxl(tmp_path):
    cells = limits.current().workbook_cells + 100_000
    per_row = 16
    rows = [_HEADER_ROW]
    for r in range(3, 3 + cells // per_row):
        rows.append(b'<row r="%d">' % r + b"".join(
            b'<c r="%s%d"><v>1</v></c>' % (bytes([65 + c]), r) for c in range(per_row))
            + b"</row>")
    path = _xlsx(tmp_path / "cells.xlsx", _sheet(b"".join(rows)))
    assert path.stat().st_size < 15 * 1024 * 1024
    _assert_budget(read_bounded(path), "cells.xlsx", "workbook_cells")


def test_a_kmz_of_millions_of_elements_is_bounded(tmp_path):
    placemark = b"<Placemark><Point><coordinates>112.3,-2.5</coordinates></Point></Placemark>"
    count = limits.current().xml_elements // 3 + 10_000  # 3 elements each
    path = tmp_path / "many.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("doc.kml", b"<kml><Document>" + placemark * count + b"</Document></kml>")
    assert path.stat().st_size < 500_000
    _assert_budget(read_bounded(path), "many.kmz", "xml_elements")


def test_a_kmz_whose_document_is_over_the_xml_budget_is_refused_unread(tmp_path):
    placemark = b"<Placemark><Point><coordinates>112.3,-2.5</coordinates></Point></Placemark>"
    path = tmp_path / "big.kmz"
    size = limits.current().xml_bytes + 1_000_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("doc.kml", b"<kml><Document>" + placemark * (size // len(placemark))
                    + b"</Document></kml>")
    assert path.stat().st_size < 500_000
    _assert_budget(read_bounded(path), "big.kmz", "xml_bytes")


def test_a_csv_over_the_text_budget_is_refused_unread(tmp_path):
    path = tmp_path / "huge.csv"
    line = b"A,-2.512345,112.312345,Desa Tumbang Manjul,Seruyan\n"
    block = line * 100_000
    with path.open("wb") as fh:
        fh.write(b"id_lahan,lintang,bujur,desa,kabupaten\n")
        while fh.tell() <= limits.current().text_bytes:
            fh.write(block)
    _assert_budget(read_bounded(path), "huge.csv", "text_bytes")


def test_budgets_are_raised_by_override_and_by_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "plots.csv"
    path.write_text("id_lahan,lintang,bujur\nA,-2.5,112.3\nB,-2.6,112.4\n")
    with limits.override(text_bytes=10), pytest.raises(lg.InputError, match="text_bytes=10"):
        lg.read_plots(path)
    with limits.override(rows=1), pytest.raises(lg.InputError, match=r"budget rows=1\."):
        lg.read_plots(path)
    assert len(lg.read_plots(path)) == 2
    monkeypatch.setenv(limits.ENV_VAR, "rows=1")
    with pytest.raises(lg.InputError, match=re.escape("LAHAN_GEO_LIMITS='rows=...'")):
        lg.read_plots(path)
    monkeypatch.setenv(limits.ENV_VAR, "rowz=1")
    with pytest.raises(ValueError, match="unknown budget 'rowz'"):
        limits.current()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


PLOTS = b"id_lahan,lintang,bujur\nA,-2.5,112.3\n"


@pytest.mark.parametrize("members", [
    {"data": b"x", "data/plots.csv": PLOTS},
    {"data/plots.csv": PLOTS, "data": b"x"},
])
def test_a_zip_holding_a_file_and_a_folder_of_one_name_is_an_input_error(tmp_path, members):
    path = _zip(tmp_path / "clash.zip", members)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = str(info.value)
    assert "clash.zip holds both the file 'data' and 'data/plots.csv'" in text
    assert "Fix:" in text and "\n" not in text


def test_a_zip_with_a_300_character_folder_name_is_an_input_error(tmp_path):
    path = _zip(tmp_path / "long.zip", {"d" * 300 + "/plots.csv": PLOTS})
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = str(info.value)
    assert "long.zip holds 'ddd" in text and "300 characters is longer than" in text
    assert "Fix:" in text and "\n" not in text


def test_honest_zip_folders_still_extract(tmp_path):
    path = _zip(tmp_path / "ok.zip", {"data/": b"", "data/plots.csv": PLOTS})
    assert lg.read_plots(path)["plot_id"].tolist() == ["A"]
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in archives.checked_members(zf, "ok.zip")] == ["data/plots.csv"]


def test_a_plot_with_more_vertices_than_the_budget_is_a_row_problem(tmp_path):
    import geopandas as gpd
    import shapely

    ring = shapely.Point(112.3, -2.5).buffer(0.001, quad_segs=64)  # 257 vertices
    path = tmp_path / "plots.geojson"
    gpd.GeoDataFrame({"id_lahan": ["A", "B"]}, geometry=[ring, shapely.box(112, -2.6, 112.01,
                                                                           -2.59)],
                     crs=4326).to_file(path)
    with limits.override(plot_vertices=100):
        plots = lg.read_plots(path)
    assert "257 vertices, more than the budget plot_vertices=100" in plots["input_problem"].iloc[0]
    assert plots["input_problem"].iloc[1] is None
    assert lg.read_plots(path)["input_problem"].isna().all()
