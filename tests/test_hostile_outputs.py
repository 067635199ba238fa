"""Issue #7, end to end: hostile cell text from a plot list reaches the workbook and CSV
as plain text; writes are atomic; an output never overwrites an input.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import lahan_geo as lg
from lahan_geo import cli
from lahan_geo.outputs import excel as excel_module
from test_hostile_files import assert_clean_error

HOSTILE_TEXT = [
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1+2",
    '=HYPERLINK("http://192.0.2.1/x","klik")',
    "baris satu\nbaris dua",
    "kontrol\x01\x08\x1fakhir",
    "\t=1+1",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, forest, zoning):
    folder = tmp_path_factory.mktemp("hostile_out")
    source = folder / "daftar.csv"
    n = len(HOSTILE_TEXT)
    pd.DataFrame({
        "id_lahan": HOSTILE_TEXT,
        "lintang": ["-2.704300"] * (n - 1) + ["=1+1"],
        "bujur": ["112.412338"] * n,
        "desa": HOSTILE_TEXT,
        "keterangan": list(reversed(HOSTILE_TEXT)),
    }).to_csv(source, index=False)
    plots = lg.read_plots(source)
    result = lg.screen(plots, forest=forest, zoning=zoning)
    return source, plots, result, folder


def test_hostile_text_survives_intake_and_screening_unchanged(hostile_run):
    _, plots, result, _ = hostile_run
    expected_ids = [t.strip() for t in HOSTILE_TEXT]  # ids are trimmed, nothing else
    assert plots["plot_id"].tolist() == expected_ids
    assert result["plot_id"].tolist() == expected_ids
    assert result["desa"].tolist() == HOSTILE_TEXT
    assert result["status"].tolist()[:-1] == ["clear"] * (len(HOSTILE_TEXT) - 1)
    assert result["status"].iloc[-1] == "invalid"  # '=1+1' is no latitude
    assert "'=1+1'" in result["input_problem"].iloc[-1]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_workbook_holds_hostile_text_as_text_never_as_formulas(hostile_run):
    _, _, result, folder = hostile_run
    path = lg.to_excel(result, folder / "hasil.xlsx")
    sheet = load_workbook(path)["Lahan"]
    header = [c.value for c in sheet[1]]
    cells = {name: [sheet.cell(row=r, column=header.index(name) + 1)
                    for r in range(2, 2 + len(HOSTILE_TEXT))]
             for name in ("ID Lahan", "Desa", "keterangan")}
    sanitized = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t) for t in HOSTILE_TEXT]
    assert [c.value for c in cells["Desa"]] == sanitized
    assert [c.value for c in cells["keterangan"]] == list(reversed(sanitized))
    assert [c.value for c in cells["ID Lahan"]] == [t.strip() for t in sanitized]
    for column in cells.values():
        assert all(c.data_type == "s" for c in column)
    assert sanitized[6] == "kontrolakhir" and sanitized[5] == "baris satu\nbaris dua"
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    assert "cmd|" in xml  # the text is there, as an inline string


def test_the_written_workbook_reads_back_with_the_same_hostile_ids(hostile_run):
    _, plots, result, folder = hostile_run
    path = lg.to_excel(result, folder / "again.xlsx")
    again = lg.read_plots(path, sheet="Lahan")
    sanitized = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t).strip() for t in HOSTILE_TEXT]
    assert again["plot_id"].tolist() == sanitized
    assert again["input_problem"].isna().tolist() == plots["input_problem"].isna().tolist()


def test_csv_output_defuses_formula_like_text(hostile_run):
    _, _, result, folder = hostile_run
    path = lg.to_csv(result, folder / "hasil.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(HOSTILE_TEXT)
    for row, text in zip(rows, HOSTILE_TEXT):
        if text.startswith(("=", "+", "-", "@", "\t")):
            assert row["desa"] == "'" + text
        else:
            assert row["desa"] == text
        assert not row["plot_id"].startswith(("=", "+", "-", "@"))


def test_geojson_is_byte_identical_when_written_twice(hostile_run):
    _, _, result, folder = hostile_run
    first = lg.to_geojson(result, folder / "a.geojson").read_bytes()
    second = lg.to_geojson(result, folder / "b.geojson").read_bytes()
    assert first == second and b"cmd|" in first


def test_a_failed_write_leaves_the_previous_output_untouched(hostile_run, monkeypatch):
    _, _, result, folder = hostile_run
    target = folder / "atomic.xlsx"
    lg.to_excel(result, target)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(excel_module, "write_summary", boom)
    with pytest.raises(RuntimeError, match="disk full halfway"):
        lg.to_excel(result, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("writer", ["to_csv", "to_excel", "to_geojson", "to_geopackage"])
def test_writing_over_an_input_is_refused_whatever_the_path_spelling(tmp_path, forest, writer,
                                                                      monkeypatch):
    suffix = {"to_csv": ".csv", "to_excel": ".xlsx", "to_geojson": ".geojson",
              "to_geopackage": ".gpkg"}[writer]
    source = tmp_path / "data" / f"plots{suffix}"
    source.parent.mkdir()
    frame = pd.DataFrame({"id_lahan": ["A"], "lintang": ["-2.704300"], "bujur": ["112.412338"]})
    if suffix == ".csv":
        frame.to_csv(source, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(source, index=False)
    else:
        lg.read_plots(frame)[["plot_id", "geometry"]].to_file(source)
    result = lg.screen(lg.read_plots(source), forest=forest)
    before = source.read_bytes()
    (tmp_path / "link").symlink_to(source.parent)
    monkeypatch.chdir(tmp_path)
    for spelling in (source, f"data/../data/plots{suffix}", tmp_path / "link" / source.name):
        with pytest.raises(lg.InputError, match="is one of the input files") as info:
            getattr(lg, writer)(result, spelling, protect=[source])
        assert_clean_error(info, "plots")
    assert source.read_bytes() == before


def test_writing_over_the_plot_list_of_the_result_is_refused_without_protect(tmp_path, forest):
    source = tmp_path / "plots.csv"
    source.write_text("id_lahan,lintang,bujur\nA,-2.704300,112.412338\n")
    result = lg.screen(lg.read_plots(source), forest=forest)
    with pytest.raises(lg.InputError, match="is one of the input files"):
        lg.to_csv(result, source)


def test_the_command_line_refuses_to_overwrite_an_input_in_its_out_folder(tmp_path, capsys):
    out = tmp_path / "hasil"
    out.mkdir()
    source = out / "hasil_screening.csv"  # the plot list has the name of an output
    source.write_text("id_lahan,lintang,bujur\nA,-2.704300,112.412338\n")
    before = source.read_bytes()
    status = cli.main(["screen", str(source), "--out", str(out), "--no-details"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "is one of the input files" in err and "Traceback" not in err
    assert source.read_bytes() == before
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    shutil.rmtree(out)


def test_screen_checks_geometry_of_a_frame_edited_after_read_plots(forest):
    import numpy as np
    from shapely import Point

    plots = lg.read_plots(pd.DataFrame({"id_lahan": ["A", "B"], "lintang": ["-2.704300"] * 2,
                                        "bujur": ["112.412338"] * 2}))
    with np.errstate(invalid="ignore"):
        plots.loc[1, "geometry"] = Point(np.nan, np.nan)
        result = lg.screen(plots, forest=forest)
    assert result["plot_id"].tolist() == ["A", "B"]
    assert result["status"].iloc[1] == "invalid" and "Fix:" in result["input_problem"].iloc[1]


# ------------------------------------------------ issue #19: the output set of the CLI

MAPS_A = ["detail_A-1.png", "detail_A_2.png", "detail_V-0.png"]
MAPS_B = ["detail_B-1.png", "detail_B-2.png", "detail_B-3.png", "detail_V-0.png"]
SET = ("hasil_screening.xlsx", "hasil_screening.gpkg", "hasil_screening.geojson",
       "hasil_screening.csv", "peta_ringkasan.png")


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    """A forest layer (APL | HL) and two plot lists whose plots all get a detail map.

    Without a zoning layer no plot is clear: V-0 (APL) is verify, the HL plots need PPKH.
    """
    import geopandas as gpd
    from shapely.geometry import box

    folder = tmp_path_factory.mktemp("cli_files")
    forest = folder / "hutan.gpkg"
    gpd.GeoDataFrame({"FUNGSIKWS": [100700.0, 100100.0]},
                     geometry=[box(112.28, -2.52, 112.30, -2.48),
                               box(112.30, -2.52, 112.32, -2.48)],
                     crs="EPSG:4326").to_file(forest, driver="GPKG")
    lists = {}
    for name, ids in (("a", ["A-1", "A[2]"]), ("b", ["B-1", "B-2", "B-3"])):
        lists[name] = folder / f"usulan_{name}.csv"
        pd.DataFrame({"id_lahan": ["V-0", *ids],
                      "lintang": ["-2.490000"] * (len(ids) + 1),
                      "bujur": ["112.290000"] + ["112.310000"] * len(ids)},
                     ).to_csv(lists[name], index=False)
    return {"forest": forest, **lists}


def _run(files, which: str, out: Path, *extra: str) -> int:
    return cli.main(["screen", str(files[which]), "--forest", str(files["forest"]),
                     "--out", str(out), *extra])


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _hidden(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*"))


def _links_resolve(out: Path) -> list[str]:
    sheet = load_workbook(out / "hasil_screening.xlsx")["Lahan"]
    header = [c.value for c in sheet[1]]
    col = header.index("Peta Detail") + 1
    links = [sheet.cell(row=r, column=col).value for r in range(2, sheet.max_row + 1)]
    links = [link for link in links if link]
    assert all((out / link).is_file() for link in links), links
    return sorted(Path(link).name for link in links)


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_symlink_planted_in_the_output_folder_is_replaced_not_followed(cli_files, tmp_path,
                                                                         capsys):
    victim = tmp_path / "milik_orang_lain.txt"
    victim.write_text("jangan ditimpa")
    victim_dir = tmp_path / "folder_lain"
    victim_dir.mkdir()
    (victim_dir / "detail_A-1.png").write_bytes(b"bukan peta")
    out = tmp_path / "bersama"
    out.mkdir()
    (out / "hasil_screening.csv").symlink_to(victim)
    (out / "peta_detail").symlink_to(victim_dir, target_is_directory=True)
    assert _run(cli_files, "a", out) == 0, capsys.readouterr().err
    assert victim.read_text() == "jangan ditimpa"
    assert [p.name for p in victim_dir.iterdir()] == ["detail_A-1.png"]
    assert (victim_dir / "detail_A-1.png").read_bytes() == b"bukan peta"
    assert not (out / "hasil_screening.csv").is_symlink()
    assert not (out / "peta_detail").is_symlink()
    assert (out / "hasil_screening.csv").read_text(encoding="utf-8-sig").startswith("plot_id")
    # the library writers replace a link at the final path too
    link = tmp_path / "tautan.geojson"
    link.symlink_to(victim)
    result = lg.screen(lg.read_plots(cli_files["a"]))
    lg.to_geojson(result, link)
    assert victim.read_text() == "jangan ditimpa" and not link.is_symlink()


def test_a_failed_run_leaves_the_earlier_set_whole_with_a_one_line_disk_full_error(
        cli_files, tmp_path, capsys, monkeypatch):
    import errno

    import lahan_geo.outputs as outputs

    out = tmp_path / "hasil"
    assert _run(cli_files, "a", out) == 0
    capsys.readouterr()
    before = _snapshot(out)
    assert "peta_detail/detail_A-1.png" in before

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "to_csv", full)
    assert _run(cli_files, "b", out) == 2
    err = _one_line(capsys)
    assert "No space left on device" in err and "Fix: free space" in err
    assert _snapshot(out) == before  # old maps, old workbook, old GIS files: all there
    assert _hidden(out) == []


def test_disk_full_inside_gdal_is_a_one_line_error_exit_2(cli_files, tmp_path, capsys,
                                                          monkeypatch):
    import shutil as shutil_module

    import lahan_geo.outputs.files as files_module

    def gdal_full(*args, **kwargs):
        raise files_module.pyogrio.errors.DataSourceError("Failed to commit transaction")

    monkeypatch.setattr(files_module.pyogrio, "write_dataframe", gdal_full)
    monkeypatch.setattr(files_module.shutil, "disk_usage",
                        lambda path: shutil_module._ntuple_diskusage(10**9, 10**9, 0))
    out = tmp_path / "hasil"
    assert _run(cli_files, "a", out, "--no-details") == 2
    err = _one_line(capsys)
    assert "hasil_screening.gpkg" in err and "No space left" in err and "Fix: free space" in err
    assert "unexpected" not in err
    assert not out.exists()  # a folder this run created is removed again


def test_a_file_size_limit_while_writing_the_geopackage_exits_2_in_a_real_process(
        cli_files, tmp_path):
    resource = pytest.importorskip("resource", reason="RLIMIT_FSIZE needs a POSIX system")
    import signal
    import subprocess
    import sys

    out = tmp_path / "hasil"

    def limit():  # writes beyond 40 kB fail with EFBIG instead of killing the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    done = subprocess.run(
        [sys.executable, "-m", "lahan_geo.cli", "screen", str(cli_files["a"]), "--forest",
         str(cli_files["forest"]), "--out", str(out), "--no-details"],
        capture_output=True, text=True, preexec_fn=limit, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "hasil_screening.gpkg" in lines[0] and "Fix:" in lines[0]
    assert not out.exists() or _hidden(out) == []


def test_permission_denied_and_too_long_names_are_one_line_errors_with_their_fix(
        cli_files, tmp_path, capsys, monkeypatch):
    import errno

    import lahan_geo.outputs as outputs

    assert _run(cli_files, "a", tmp_path / ("x" * 300)) == 2
    assert "File name too long" in (err := _one_line(capsys)) and "shorter" in err

    def denied(result, path, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(outputs, "to_geojson", denied)
    assert _run(cli_files, "a", tmp_path / "hasil", "--no-details") == 2
    assert "Permission denied" in (err := _one_line(capsys)) and "write permission" in err


def test_ctrl_c_while_writing_leaves_the_earlier_set_and_no_temp_files(cli_files, tmp_path,
                                                                      capsys, monkeypatch):
    import lahan_geo.outputs as outputs

    out = tmp_path / "hasil"
    assert _run(cli_files, "a", out) == 0
    before = _snapshot(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "plot_overview", interrupted)
    assert _run(cli_files, "b", out) == 130
    assert _snapshot(out) == before and _hidden(out) == []


def test_sigint_during_the_swap_is_held_until_the_new_set_is_complete(cli_files, tmp_path,
                                                                      capsys, monkeypatch):
    import os
    import signal

    from lahan_geo.outputs import _atomic

    out = tmp_path / "hasil"
    assert _run(cli_files, "a", out) == 0
    rename = os.rename
    calls = []

    def rename_then_ctrl_c(src, dst):
        calls.append(dst)
        rename(src, dst)
        if len(calls) == 2:  # the old detail folder is away, the new one just moved in
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_atomic.os, "rename", rename_then_ctrl_c)
    assert _run(cli_files, "b", out) == 130  # the interrupt is reported, after the swap
    monkeypatch.undo()
    assert len(calls) > 2
    assert _links_resolve(out) == MAPS_B
    assert sorted(p.name for p in (out / "peta_detail").iterdir()) == _links_resolve(out)
    assert pd.read_csv(out / "hasil_screening.csv")["plot_id"].tolist() == [
        "V-0", "B-1", "B-2", "B-3"]
    assert _hidden(out) == []


def test_sigterm_during_a_run_leaves_the_earlier_set_and_no_temp_files(cli_files, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "hasil"
    assert _run(cli_files, "a", out) == 0
    before = _snapshot(out)
    code = (
        "import signal, sys\n"
        "import lahan_geo.outputs as o\n"
        "def term(*a, **k):\n"
        "    signal.raise_signal(signal.SIGTERM)\n"
        "o.plot_overview = term\n"
        "from lahan_geo.cli import main\n"
        f"sys.exit(main(['screen', {str(cli_files['b'])!r}, '--forest', "
        f"{str(cli_files['forest'])!r}, '--out', {str(out)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 130, done.stderr
    assert _snapshot(out) == before and _hidden(out) == []


def test_leftovers_of_killed_runs_are_swept_also_with_brackets_in_names(cli_files, tmp_path):
    out = tmp_path / "hasil"
    (out / "peta_detail").mkdir(parents=True)
    staging = out / ".lahan-geo-run-k1ll[ed]"
    staging.mkdir()
    (staging / "hasil_screening.gpkg").write_bytes(b"x" * 1000)
    (out / ".hasil_screening.0123456789ab.tmp.gpkg-journal").write_bytes(b"j")
    (out / "peta_detail" / ".detail_A[2].0123456789ab.tmp.png").write_bytes(b"p")
    (out / "catatan[1].txt").write_text("milik pengguna")
    assert _run(cli_files, "a", out) == 0
    assert _hidden(out) == []
    assert (out / "catatan[1].txt").read_text() == "milik pengguna"


def test_a_failed_library_write_leaves_no_temp_file_when_the_name_has_brackets(tmp_path,
                                                                              monkeypatch):
    from lahan_geo.outputs import files as files_module

    result = lg.screen(lg.read_plots(pd.DataFrame(
        {"id_lahan": ["A"], "lintang": ["-2.7043"], "bujur": ["112.4123"]})))

    def broken(self, path, **kwargs):
        Path(path).write_text("setengah")
        raise OSError("No space left on device")

    monkeypatch.setattr(files_module.pd.DataFrame, "to_csv", broken)
    with pytest.raises(lg.InputError, match="No space left"):
        lg.to_csv(result, tmp_path / "hasil[2024].csv")
    assert list(tmp_path.iterdir()) == []


def test_a_second_run_into_the_same_folder_cannot_break_the_first_ones_links(
        cli_files, tmp_path, capsys, monkeypatch):
    import lahan_geo.outputs as outputs

    out = tmp_path / "hasil"
    real = outputs.to_excel
    second: list[int] = []

    def excel_after_another_run(*args, **kwargs):
        # another run into the same folder starts while this one is writing (once)
        if not second:
            second.append(-1)  # set before: the nested run calls this function too
            second[0] = _run(cli_files, "b", out)
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, "to_excel", excel_after_another_run)
    assert _run(cli_files, "a", out) == 0
    assert second == [2]
    err = capsys.readouterr().err
    assert f"is writing into '{out}'" in err and "Fix:" in err and len(err.splitlines()) == 1
    assert _links_resolve(out) == MAPS_A
    assert sorted(p.name for p in (out / "peta_detail").iterdir()) == _links_resolve(out)
    monkeypatch.undo()
    assert _run(cli_files, "b", out) == 0  # the lock is gone with the first run
    assert _links_resolve(out) == MAPS_B
    assert sorted(p.name for p in (out / "peta_detail").iterdir()) == _links_resolve(out)
    assert _hidden(out) == []


def test_csv_headers_named_like_formulas_are_escaped_like_values(tmp_path):
    names = ['=HYPERLINK("http://192.0.2.1/x","klik")', "+cmd", "@x", "-1+2"]
    source = tmp_path / "daftar.csv"
    frame = pd.DataFrame({"id_lahan": ["A"], "lintang": ["-2.7043"], "bujur": ["112.4123"]})
    for name in names:
        frame[name] = ["isi"]
    frame.to_csv(source, index=False)
    result = lg.screen(lg.read_plots(source))
    with open(lg.to_csv(result, tmp_path / "hasil.csv"), encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    for name in names:
        assert "'" + name in header and name not in header
    assert not any(h.startswith(("=", "+", "-", "@")) for h in header)


def test_identical_runs_give_byte_identical_geopackages(cli_files, tmp_path):
    import sqlite3

    first, second = tmp_path / "satu", tmp_path / "dua"
    assert _run(cli_files, "a", first, "--no-details") == 0
    assert _run(cli_files, "a", second, "--no-details") == 0
    gpkg = "hasil_screening.gpkg"
    with sqlite3.connect(first / gpkg) as db:
        stamps = {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}
    assert stamps == {"2000-01-01T00:00:00.000Z"}
    assert (first / gpkg).read_bytes() == (second / gpkg).read_bytes()
    for name in SET[2:]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
