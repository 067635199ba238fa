"""explain_all groups plots by situation, yet every plot gets what a per-row evaluation gives.

The batch below repeats a few situations many times (the case grouping speeds up) and
mixes in plots whose reasons quote values of their own: boundary distances, areas,
tolerances from the plot's accuracy, constraint names, input problems. A plain loop over
the rows, written here without any grouping, is the reference.
"""

from __future__ import annotations

import math
from importlib import resources

import geopandas as gpd
import pytest
from shapely import Point, box

import lahan_geo as lg
from conftest import UTM49S, X0, Y0, plots_at, utm
from lahan_geo import pipeline
from lahan_geo.explain import (
    forest_zone_disagrees,
    functions_of,
    unknown_of,
    zone_permissions_of,
)
from lahan_geo.rules import Programme, fired_rules
from lahan_geo.statuses import most_severe

KM = 1000.0
LIST_COLUMNS = ("rules", "clearances", "clearances_id", "agencies", "agencies_id", "offices",
                "legal_basis")
COLUMNS = ("status", *LIST_COLUMNS, "reason_id", "reason_en")

# Quotes values the default rules never quote, with area conditions of both kinds
# (comparisons, and a list of exact areas).
EXTRA_RULES = """
[[rule]]
id = "Q1"
status = "verify"
when = { area_m2 = { ge = 100.0, lt = 1500.0 } }
title_en = "Test"
title_id = "Uji"
reason_en = "{forest_function} / {zone_class} / {area_m2} m2 / tol {tolerance_m} / {unknown_field}"
reason_id = "{forest_function} / {zone_class} / {area_m2} m2 / tol {zone_tolerance_m}"
clearance_en = "Check"
clearance_id = "Periksa"
offices = []
sources = [{ title = "test", consulted = "2026-12" }]
legal_basis = ""

[[rule]]
id = "Q2"
status = "clear"
when = { area_m2 = { in = [800.0, 1200.0] } }
title_en = "Test"
title_id = "Uji"
reason_en = "exactly {area_m2} m2 in {zone_name}"
reason_id = "tepat {area_m2} m2 di {zone_name}"
clearance_en = ""
clearance_id = ""
offices = []
sources = [{ title = "test", consulted = "2026-12" }]
legal_basis = "Test basis"
"""

# Leaves plots outside HK and the constraints without a rule: "no rule applies".
GAPPY_RULES = """
version = "1"
title = "Only HK"

[[rule]]
id = "F1"
status = "not_permitted"
when = { forest_functions = { any = ["HK"] } }
title_en = "HK"
title_id = "HK"
reason_en = "HK ({forest_function}, {boundary_distance_m} m)"
reason_id = "HK ({forest_function}, {boundary_distance_m} m)"
clearance_en = "None"
clearance_id = "Tidak ada"
offices = ["kemenhut.ksdae"]
sources = [{ title = "test", consulted = "2026-12" }]
legal_basis = "UU 5/1990"

[[rule]]
id = "X1"
status = "not_permitted"
when = { constraints = { any = ["X1", "X3"] } }
title_en = "Constraint"
title_id = "Kendala"
reason_en = "in {constraint_names}"
reason_id = "di {constraint_names}"
clearance_en = ""
clearance_id = ""
offices = []
sources = [{ title = "test", consulted = "2026-12" }]
legal_basis = ""

[[rule]]
id = "X3"
status = "needs_clearance"
when = { constraints = { any = ["X3"] }, settled_before_designation = { eq = true } }
title_en = "Right, settled"
title_id = "Hak, dikuasai"
reason_en = "right {constraint_names}"
reason_id = "hak {constraint_names}"
clearance_en = "Consent"
clearance_id = "Persetujuan"
offices = ["pemegang_aset", "bpkh"]
sources = [{ title = "test", consulted = "2026-12" }]
legal_basis = ""
"""


def ubox(x0_km: float, y0_km: float, x1_km: float, y1_km: float):
    return box(X0 + x0_km * KM, Y0 + y0_km * KM, X0 + x1_km * KM, Y0 + y1_km * KM)


def square(x_km: float, y_km: float, side_m: float):
    return ubox(x_km, y_km, x_km + side_m / KM, y_km + side_m / KM)


def batch_plots() -> gpd.GeoDataFrame:
    """Many copies of a few situations, and plots whose reasons quote their own values."""
    places: list[tuple[str, object, str, float | None]] = []  # (id, geometry, settled, acc.)
    repeated = {"hk": utm(5, 5), "hl": utm(15, 5), "permukiman": utm(57, 1),
                "pertanian": utm(57, 3), "unknown_zone": utm(57, 9), "no_zoning": utm(67, 5),
                "beyond": utm(85, 5), "peat": utm(56.5, 0.5), "hgu": utm(60.5, 0.5)}
    land = ["TKD", "aset Pemkab", "", "kebun sawit", "sengketa", "kebun karet"]
    statuses: list[str] = []  # every third copy of a situation has the same land status
    for k in range(12):
        for j, (name, point) in enumerate(repeated.items()):
            places.append((f"{name}_{k}", point, ["ya", "tidak", ""][k % 3], 5.0))
            statuses.append(land[(k % 3 + j) % len(land)])
    for k, metres in enumerate(range(10, 120, 7)):  # B1 and B2: distances of their own
        accuracy = [3.0, 5.0, 20.0][k % 3]
        places.append((f"near_hpk_{metres}", utm(50 + metres / KM, 1), "tidak", accuracy))
        places.append((f"near_zone_{metres}", utm(57, 2 + metres / KM), "tidak", accuracy))
    for k, side in enumerate([20, 20, 25, 30, 31.6227766, 34.641016, 40, 20]):
        places.append((f"parcel_{k}", square(57 + k / 10, 1.2, side), "tidak", None))
    places += [("no_geometry", None, "", None), ("empty", Point(), "", None),
               ("no_geometry_2", None, "ya", None)]
    statuses += [land[k % len(land)] for k in range(len(places) - len(statuses))]
    return plots_at({p[0]: p[1] for p in places},
                    dikuasai_sebelum_penunjukan=[p[2] for p in places],
                    akurasi=[p[3] for p in places], status_lahan=statuses)


@pytest.fixture(scope="module")
def layers() -> list[gpd.GeoDataFrame]:
    peat = lg.read_constraint(gpd.GeoDataFrame(geometry=[ubox(56, 0.2, 57, 0.8)], crs=UTM49S),
                              rule="X1", name="KHG Sungai Seruyan")
    hgu = lg.read_constraint(gpd.GeoDataFrame({"jenis": ["HGU"]},
                                              geometry=[ubox(60, 0.2, 61, 0.8)], crs=UTM49S),
                             rule="X3", name="HGU PT Contoh")
    return [peat, hgu]


def default_text() -> str:
    return resources.files("lahan_geo.data").joinpath("default_rules.toml").read_text("utf-8")


@pytest.fixture(scope="module", params=["default", "extra", "gappy"])
def screened(request, forest, zoning, layers, tmp_path_factory):
    """The batch screened, with the arguments ``screen`` handed to ``explain_all``."""
    rules = None
    if request.param != "default":
        text = default_text() + EXTRA_RULES if request.param == "extra" else GAPPY_RULES
        rules = tmp_path_factory.mktemp("rules") / "rules.toml"
        rules.write_text(text, encoding="utf-8")
    calls = []

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return explain_all(*args, **kwargs)

    explain_all = pipeline.explain_all
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "explain_all", spy)
        result = lg.screen(batch_plots(), forest=forest, zoning=zoning, layers=layers,
                           rules=rules, rdtr=lg.read_rdtr(gpd.GeoDataFrame(
                               geometry=[ubox(56, 0, 58, 1.5)], crs=UTM49S)),
                           programme=Programme(psn=request.param == "extra"))
    assert len(calls) == 1
    return result, calls[0]


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _num(value) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.0f}"


def per_row(ruleset, batch, described, on_forest, on_zoning, permission_of, hits, land_title, *,
            rdtr, programme, province, zone_forest) -> list[tuple]:
    """Evaluate the rules and word the reasons row by row, with no grouping or caching."""
    plots, valid, area = batch.plots, batch.valid, batch.area
    f_ov, forest_tol = on_forest.overlay, on_forest.tolerance
    z_ov, zone_tol = on_zoning.overlay, on_zoning.tolerance
    f_unknown = unknown_of(f_ov)
    z_unknown = unknown_of(z_ov)
    out = []
    for i in range(len(plots)):
        f_mask, z_mask = int(f_ov.core_mask[i]), int(z_ov.core_mask[i])
        settled = plots["settled_before_designation"].iloc[i]
        facts = {"input_valid": False} if not valid[i] else {
            "input_valid": True, "forest_functions": list(functions_of(f_ov, f_mask)),
            "forest_unknown": bool(f_unknown[i]),
            "forest_near_boundary": bool(f_ov.distance_m[i] <= forest_tol[i]),
            "settled_before_designation": settled if isinstance(settled, bool) else None,
            "zone_permissions": list(zone_permissions_of(z_ov, z_mask, permission_of)),
            "zone_unknown": bool(z_unknown[i]),
            "zone_near_boundary": bool(z_ov.distance_m[i] <= zone_tol[i]),
            "area_m2": None if math.isnan(area[i]) else float(area[i]),
            "constraints": sorted({r for r, _ in hits[i]}),
            "forest_layer": True,
            "forest_zone_disagrees": forest_zone_disagrees(
                functions_of(f_ov, f_mask),
                [zone_forest[c] for c in z_ov.values(z_mask) if c in zone_forest]),
            "rdtr_coverage": rdtr[i] or "no_layer", **programme.facts(),
            "land_title": land_title[i],
        }
        fired = fired_rules(ruleset, facts)
        row = described.iloc[i]
        zone_name = row["zone_name"] if isinstance(row["zone_name"], str) else "-"
        problem = row["input_problem"] if isinstance(row["input_problem"], str) else "-"
        context = {
            "forest_function": ", ".join(functions_of(f_ov, f_mask)) or "-",
            "zone_name": zone_name or "-", "zone_class": row["zone_class"],
            "input_problem": problem,
            "input_problem_id": (row["input_problem_id"]
                                 if isinstance(row["input_problem_id"], str) else None),
            "constraint_names": ", ".join(dict.fromkeys(name for _, name in hits[i])) or "-",
            "land_status": row["land_status"] if isinstance(row["land_status"], str) else "-",
            **{k: _num(row[k]) for k in ("boundary_distance_m", "tolerance_m", "area_m2",
                                         "zone_boundary_distance_m", "zone_tolerance_m")},
        }
        note_en = note_id = ""
        if row["zone_class"] is None and zone_name not in ("", "-"):
            note_en = f" (zone name '{zone_name}' is not in the zoning mapping)"
            note_id = f" (nama zona '{zone_name}' tidak dikenal pemetaan pola ruang)"
        ctx_en = _Safe(context, zone_name_note=note_en)
        ctx_id = _Safe(context, zone_name_note=note_id)
        if isinstance(row["input_problem_id"], str) and row["input_problem_id"]:
            ctx_id["input_problem"] = row["input_problem_id"]
        reason_en = " ".join(f"{r.id}: {r.reason('en').format_map(ctx_en)}" for r in fired)
        reason_id = " ".join(f"{r.id}: {r.reason('id').format_map(ctx_id)}" for r in fired)
        if not fired:
            reason_en = "No rule applies to this plot; check it by hand."
            reason_id = "Tidak ada aturan yang berlaku untuk lahan ini; periksa secara manual."
        out.append((
            most_severe(r.status for r in fired) or "verify", [r.id for r in fired],
            *(list(dict.fromkeys(v for r in fired if (v := getattr(r, field))))
              for field in ("clearance_en", "clearance_id")),
            *(list(dict.fromkeys(a for r in fired for a in r.agency_names(lang, province[i])))
              for lang in ("en", "id")),
            list(dict.fromkeys(o for r in fired for o in r.offices)),
            list(dict.fromkeys(r.legal_basis for r in fired if r.legal_basis)),
            reason_id, reason_en,
        ))
    return out


def test_batch_repeats_situations_and_quotes_values_of_its_own(screened):
    result, _ = screened
    assert 4 < result["reason_en"].nunique() < len(result) / 2
    if "B1" in result["rules"].sum():  # the default rules: distances and areas quoted
        assert result["reason_en"].nunique() > 25
        assert result["rules"].map(tuple).nunique() > 10


def test_every_plot_reads_as_a_row_by_row_evaluation(screened):
    result, args = screened
    expected = per_row(*args[0], **args[1])
    for i, (plot_id, want) in enumerate(zip(result["plot_id"], expected)):
        got = tuple(result[c].iloc[i] for c in COLUMNS)
        assert got == want, plot_id
    assert result[list(COLUMNS)].dtypes.eq(object).all()


def test_quoted_values_are_the_plots_own(screened):
    result, _ = screened
    by_id = result.set_index("plot_id")
    for plot_id, row in by_id.filter(like="near_hpk_", axis=0).iterrows():
        if "B1" in row["rules"]:
            assert f"{row['boundary_distance_m']:,.0f} m from" in row["reason_en"], plot_id
    areas = by_id.filter(like="parcel_", axis=0)
    quoted = {row["area_m2"]: row["reason_en"] for _, row in areas.iterrows()
              if "S1" in row["rules"]}
    for value, reason in quoted.items():
        assert f"{value:,.0f} m²" in reason


def test_every_plot_has_lists_of_its_own(screened):
    result, _ = screened
    cells = [cell for column in LIST_COLUMNS for cell in result[column]]
    assert all(type(cell) is list for cell in cells)
    assert len({id(cell) for cell in cells}) == len(cells)


def test_editing_one_plots_lists_leaves_its_twins_alone(screened):
    _, args = screened
    explained = pipeline.explain_all(*args[0], **args[1])  # a copy to edit
    twins = [i for i, p in enumerate(args[0][1].plots["plot_id"]) if p.startswith("hl_")][::3]
    assert len(twins) > 2
    before = {c: explained[c].iloc[twins[1]].copy() for c in LIST_COLUMNS}
    assert all(explained[c].iloc[twins[0]] == before[c] for c in LIST_COLUMNS)
    for column in LIST_COLUMNS:
        explained[column].iloc[twins[0]].append("EDITED")
    for column in LIST_COLUMNS:
        assert explained[column].iloc[twins[1]] == before[column]
        assert explained[column].iloc[twins[2]] == before[column]


def test_explaining_twice_gives_equal_frames_and_fresh_lists(screened):
    _, args = screened
    explain_all = pipeline.explain_all
    one, two = explain_all(*args[0], **args[1]), explain_all(*args[0], **args[1])
    assert one.equals(two)
    for column in LIST_COLUMNS:
        assert not {id(v) for v in one[column]} & {id(v) for v in two[column]}
