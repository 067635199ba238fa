"""The lahan-geo command, run in-process end to end on small files written here."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

import lahan_geo
from lahan_geo import cli
from lahan_geo.cli import main

REPO = Path(__file__).resolve().parents[1]

# Around 112.3 E, 2.5 S: APL | HL | HK from west to east, each 0.02 degrees wide; a
# settlement zone in the north half and a farming zone in the south half.
FOREST = [(100700.0, 112.28, 112.30), (100100.0, 112.30, 112.32), (100200.0, 112.32, 112.34)]
ZONES = [("Kawasan Permukiman Perdesaan", -2.50, -2.48),
         ("Kawasan Peruntukan Pertanian Tanaman Pangan", -2.52, -2.50)]
PLOTS = [  # id_lahan, lintang, bujur, expected status
    ("KDMP-A", "-2.49000", "112.29000", "clear"),            # APL, settlement
    ("KDMP-B", "-2.49000", "112.31000", "needs_clearance"),  # HL: PPKH
    ("KDMP-C", "-2.49000", "112.33000", "not_permitted"),    # HK
    ("KDMP/D", "-2.49000", "112.29950", "verify"),           # 55 m from the APL|HL line
    ("KDMP-E", "-2.51000", "112.29000", "needs_clearance"),  # APL, farming zone: KKPR
    ("KDMP-F", "abc", "112.29000", "invalid"),
    ("KDMP-G", "-2.49000", "112.40000", "verify"),           # outside both layers
]
DETAILS = {"detail_KDMP-B.png", "detail_KDMP-C.png", "detail_KDMP_D.png",
           "detail_KDMP-E.png", "detail_KDMP-G.png"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    forest = gpd.GeoDataFrame(
        {"FUNGSIKWS": [c for c, _, _ in FOREST], "NOSKKWS": ["SK.529/Menhut-II/2012"] * 3},
        geometry=[box(w, -2.52, e, -2.48) for _, w, e in FOREST], crs="EPSG:4326")
    zoning = gpd.GeoDataFrame(
        {"NAMOBJ": [n for n, _, _ in ZONES]},
        geometry=[box(112.28, s, 112.34, n) for _, s, n in ZONES], crs="EPSG:4326",
    ).to_crs("EPSG:32749")
    paths = {"forest": folder / "kawasan_hutan.gpkg", "zoning": folder / "pola_ruang.gpkg",
             "plots": folder / "usulan_lahan.csv", "nocrs": folder / "hutan_tanpa_crs.gpkg"}
    forest.to_file(paths["forest"], driver="GPKG")
    zoning.to_file(paths["zoning"], driver="GPKG")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": on purpose
        gpd.GeoDataFrame(forest.drop(columns="geometry"), geometry=list(forest.geometry),
                         crs=None).to_file(paths["nocrs"], driver="GPKG")
    pd.DataFrame([p[:3] for p in PLOTS], columns=["id_lahan", "lintang", "bujur"]).to_csv(
        paths["plots"], index=False)
    return paths


@pytest.fixture(scope="module")
def run(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
        ) -> tuple[int, str, str, Path]:
    out = tmp_path_factory.mktemp("run") / "hasil"
    stale = out / "peta_detail" / "detail_OLD.png"  # a map left by an earlier run
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["screen", str(inputs["plots"]), "--forest", str(inputs["forest"]),
                     "--zoning", str(inputs["zoning"]), "--out", str(out),
                     "--note", "Data uji"])
    return code, stdout.getvalue(), stderr.getvalue(), out


def test_screen_writes_every_output(run: tuple[int, str, str, Path]) -> None:
    code, _, stderr, out = run
    assert code == 0, stderr
    assert stderr == ""
    for name in ("hasil_screening.xlsx", "hasil_screening.gpkg", "hasil_screening.geojson",
                 "hasil_screening.csv", "peta_ringkasan.png"):
        assert (out / name).stat().st_size > 0, name
    assert {p.name for p in (out / "peta_detail").iterdir()} == DETAILS  # stale map gone
    table = pd.read_csv(out / "hasil_screening.csv")
    assert table["plot_id"].tolist() == [p[0] for p in PLOTS]
    assert table["status"].tolist() == [p[3] for p in PLOTS]


def test_screen_prints_the_counts(run: tuple[int, str, str, Path]) -> None:
    _, stdout, _, out = run
    assert "Screened 7 plots from 1 file(s)." in stdout
    counts = dict(re.findall(r"^  (\w+)\s+(\d+)  ", stdout, flags=re.M))
    assert counts == {"invalid": "1", "not_permitted": "1", "needs_clearance": "2",
                      "verify": "2", "clear": "1"}
    assert "Drawing 5 detail map(s) into" in stdout and "(5 detail maps)" in stdout
    assert str(out / "hasil_screening.xlsx") in stdout


def test_workbook_links_the_detail_maps(run: tuple[int, str, str, Path]) -> None:
    out = run[3]
    ws = load_workbook(out / "hasil_screening.xlsx")["Lahan"]
    headers = [c.value for c in ws[1]]
    ids = [ws.cell(row=r, column=1).value for r in range(2, 9)]
    col = headers.index("Peta Detail") + 1
    links = {ids[r - 2]: ws.cell(row=r, column=col).value for r in range(2, 9)}
    assert links["KDMP-A"] is None and links["KDMP-F"] is None
    assert links["KDMP/D"] == "peta_detail/detail_KDMP_D.png"
    for plot_id, link in links.items():
        if link is not None:
            assert (out / link).is_file(), plot_id


def test_no_details(inputs: dict[str, Path], tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", str(inputs["plots"]), "--zoning", str(inputs["zoning"]),
                 "--out", str(tmp_path), "--no-details"])
    assert code == 0
    assert not (tmp_path / "peta_detail").exists()
    assert "detail maps" not in capsys.readouterr().out
    headers = [c.value for c in load_workbook(tmp_path / "hasil_screening.xlsx")["Lahan"][1]]
    assert "Peta Detail" not in headers


def _one_line_failure(capsys: pytest.CaptureFixture[str], code: int, *needles: str) -> str:
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("lahan-geo: ") and "Traceback" not in captured.err
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def test_missing_plots_file(inputs: dict[str, Path], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", str(tmp_path / "tidak_ada.csv"), "--forest", str(inputs["forest"]),
                 "--out", str(tmp_path / "hasil")])
    _one_line_failure(capsys, code, "tidak_ada.csv")
    assert not (tmp_path / "hasil").exists()  # nothing written for a failed run


def test_forest_layer_without_crs(inputs: dict[str, Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", str(inputs["plots"]), "--forest", str(inputs["nocrs"]),
                 "--out", str(tmp_path / "hasil")])
    _one_line_failure(capsys, code, "hutan_tanpa_crs.gpkg", "CRS")


def test_unreadable_rules_and_bad_options(inputs: dict[str, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "aturan.toml"
    broken.write_text('version = "1"\n[[rule]]\nid = "Q1"\nstatus = "maybe"\n', "utf-8")
    code = main(["screen", str(inputs["plots"]), "--rules", str(broken), "--out",
                 str(tmp_path / "hasil")])
    _one_line_failure(capsys, code, "aturan.toml", "line")
    _one_line_failure(capsys, main(["rules", "--rules", str(tmp_path / "none.toml")]),
                      "none.toml")
    _one_line_failure(capsys, main(["screen", str(inputs["plots"])]), "--out", "--help")
    _one_line_failure(capsys, main(["screen", str(inputs["plots"]), "--out", str(tmp_path),
                                    "--tolerance", "jauh"]), "--tolerance")
    _one_line_failure(capsys, main(["screen", str(inputs["plots"]), "--out", str(tmp_path),
                                    "--tolerance", "-5"]), "tolerance")
    _one_line_failure(capsys, main(["lihat"]), "lihat")


def test_output_folder_that_is_an_input_is_refused(inputs: dict[str, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = inputs["plots"].read_bytes()
    code = main(["screen", str(inputs["plots"]), "--out", str(inputs["plots"])])
    _one_line_failure(capsys, code, "one of the input files")
    inside_a_file = inputs["plots"] / "hasil"  # cannot be created
    code = main(["screen", str(inputs["plots"]), "--out", str(inside_a_file), "--no-details"])
    _one_line_failure(capsys, code, "Cannot write", "hasil", "not a folder")
    assert inputs["plots"].read_bytes() == before


def test_unexpected_error_is_one_line_unless_debug(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "screen", broken)
    argv = ["screen", str(inputs["plots"]), "--out", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom second line" in err and "--debug" in err
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", *argv])


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Rules ") and "default_rules.toml" in lines[0]
    assert lines[1].split() == ["id", "status", "title_en"]
    table = [line.split(None, 2) for line in lines[2:]]
    ruleset = lahan_geo.load_rules()
    assert [t[:2] for t in table] == [[r.id, r.status] for r in ruleset]
    assert ["F1", "not_permitted", "Plot in a conservation forest (HK)"] in table
    # an unconfirmed part is marked in the table
    assert ["F2", "needs_clearance", "Plot in protection forest (HL) (unconfirmed: whether a "
            "KDMP outlet counts as a non-commercial public facility (governor route))"] in table
    assert main(["rules", "--changelog"]) == 0
    assert f"Changes in {ruleset.version}:" in capsys.readouterr().out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lahan-geo {lahan_geo.__version__}"
    assert main(["screen", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--no-details" in text and "example:" in text and "exit status" in text


def _demo_argv(out: Path) -> list[str]:
    """The arguments of the Makefile's `demo` target, with $(OUT) set to ``out``."""
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1]
    command = recipe.split("$(BIN)/lahan-geo", 1)[1].split("\n\t@", 1)[0]
    command = command.replace("\\\n", " ").replace("$(OUT)", str(out))
    return shlex.split(command)


def test_makefile_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    if not (REPO / "sample_data" / "seruyan_plots.csv").exists():
        pytest.skip("sample_data/seruyan_plots.csv is absent (make sample-data writes it)")
    argv = _demo_argv(tmp_path / "out")
    assert argv[0] == "screen" and "--out" in argv
    monkeypatch.chdir(REPO)  # the Makefile runs from the repository root
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (tmp_path / "out" / "hasil_screening.xlsx").is_file()
    assert (tmp_path / "out" / "peta_ringkasan.png").is_file()


def test_within_and_crs_options_reach_read_plots(inputs: dict[str, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    district = tmp_path / "kabupaten.gpkg"
    gpd.GeoDataFrame({"nama": ["Uji"]}, geometry=[box(112.28, -2.52, 112.34, -2.48)],
                     crs="EPSG:4326").to_file(district, driver="GPKG")
    utm = tmp_path / "utm.csv"
    pd.DataFrame({"id_lahan": ["U1"], "x": ["643000"], "y": ["9724000"]}).to_csv(utm, index=False)
    code = main(["screen", str(inputs["plots"]), str(utm), "--crs", "49S",
                 "--within", str(district), "--forest", str(inputs["forest"]),
                 "--out", str(tmp_path / "hasil"), "--no-details"])
    assert code == 0, capsys.readouterr().err
    gpkg = tmp_path / "hasil" / "hasil_screening.gpkg"
    result = pd.concat([pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
                        for name, _ in pyogrio.list_layers(gpkg) if name.startswith("lahan_")])
    by_id = result.set_index("plot_id")
    assert "outside" in by_id.loc["KDMP-G", "input_problem"]  # 112.40 E lies east of the district
    assert by_id.loc["U1", "status"] != "invalid"  # UTM 49S read with --crs


def test_rdtr_and_programme_switches_reach_the_result_and_its_metadata(
        inputs: dict[str, Path], tmp_path: Path) -> None:
    rdtr = tmp_path / "rdtr.gpkg"
    gpd.GeoDataFrame({"NAMOBJ": ["RDTR uji"]}, geometry=[box(112.28, -2.50, 112.295, -2.48)],
                     crs="EPSG:4326").to_file(rdtr, driver="GPKG")
    out = tmp_path / "hasil"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["screen", str(inputs["plots"]), "--forest", str(inputs["forest"]),
                     "--zoning", str(inputs["zoning"]), "--rdtr", str(rdtr), "--psn",
                     "--applicant", "koperasi", "--out", str(out), "--no-details"])
    assert code == 0
    table = pd.read_csv(out / "hasil_screening.csv", keep_default_na=False).set_index("plot_id")
    assert "K1" in table.loc["KDMP-A", "rules"] and table.loc["KDMP-A", "rdtr_coverage"] == \
        "covered"
    assert "F9" in table.loc["KDMP-B", "rules"]  # the cooperative applies for the PPKH
    meta = {r[2].value: r[1].value for r in load_workbook(out / "hasil_screening.xlsx")[
        "Metadata"].iter_rows(min_row=2)}
    assert meta["programme.psn"] is True and meta["programme.applicant"] == "koperasi"
    assert str(meta["layers.rdtr.path"]).endswith("rdtr.gpkg")
