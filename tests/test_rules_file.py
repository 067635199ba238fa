"""Rules are data: the default file is complete, a broken file names its line."""

from __future__ import annotations

from importlib import resources

import pytest

import lahan_geo as lg

DOMAIN_TABLE = ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "B1", "Z1", "Z1b", "Z1c", "Z2", "Z3",
                "Z3b", "Z4", "Z5", "X1", "X2", "X3", "X4", "X5", "S1"]


def test_default_rules_cover_the_domain_table_with_legal_basis_and_both_languages():
    rules = lg.load_rules()
    ids = [r.id for r in rules]
    assert set(DOMAIN_TABLE) <= set(ids)
    for rule in rules:
        assert rule.title_en and rule.title_id and rule.reason_en and rule.reason_id
        if rule.status in ("not_permitted", "needs_clearance"):
            assert rule.legal_basis and rule.agency_en and rule.agency_id, rule.id
        assert rule.sources and all(s["title"] and s["consulted"] for s in rule.sources)
    # the governor's 5 ha route is flagged as unconfirmed, naming the part
    assert not rules["F2"].confirmed and "governor" in rules["F2"].unconfirmed_en


def default_text() -> str:
    return resources.files("lahan_geo.data").joinpath("default_rules.toml").read_text("utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('status = "not_permitted"', 'status = "forbidden"', "has status 'forbidden'"),
        ('legal_basis = "UU 5/1990', 'legal_basys = "UU 5/1990', "unknown field 'legal_basys'"),
        ('clearance_en = "None, relocate"', 'clearance_en = "None; relocate"',
         "clearance_en contains ';'"),
        ('offices = ["kemenhut.ksdae"]', 'offices = ["kemenhut.ksda"]',
         "unknown office 'kemenhut.ksda'"),
        ('offices = ["kemenhut.ksdae"]', 'agency_en = "Ministry of Forestry"',
         "agency_en is written from the offices vocabulary"),
        ('(not in the domain table)", consulted = "2026-12" }]',
         '(not in the domain table)", consulted = "recently" }]',
         "needs the date it was consulted"),
        ('when = { forest_functions = { any = ["HK"] } }',
         'when = { forest_function = { any = ["HK"] } }', "unknown fact 'forest_function'"),
        ('when = { forest_functions = { any = ["HK"] } }',
         'when = { forest_functions = { has = ["HK"] } }', "unknown operator 'has'"),
    ],
)
def test_broken_rules_file_names_the_line(tmp_path, old, new, message):
    text = default_text()
    assert old in text
    broken = text.replace(old, new, 1)
    path = tmp_path / "rules.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(lg.RulesError) as err:
        lg.load_rules(path)
    assert message in str(err.value)
    assert f"rules.toml, line {line_of(broken, new.split(' = ')[0] + ' =')}" in str(err.value) \
        or f"line {line_of(broken, new)}" in str(err.value)


def test_duplicate_rule_id_is_refused(tmp_path):
    text = default_text().replace('id = "F3"', 'id = "F2"', 1)
    path = tmp_path / "dup.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(lg.RulesError, match="'F2' appears twice"):
        lg.load_rules(path)


def test_a_users_rules_file_changes_the_outcome(tmp_path, forest):
    from conftest import plots_at, utm
    # A stricter district: HPK is treated as not permitted.
    text = default_text().replace(
        'id = "F4"\nstatus = "needs_clearance"', 'id = "F4"\nstatus = "not_permitted"', 1)
    text = text.replace('version = "2026.12.0"', 'version = "kab-strict-1"', 1)
    path = tmp_path / "strict.toml"
    path.write_text(text, encoding="utf-8")
    plots = plots_at({"hpk": utm(45, 5)})
    result = lg.screen(plots, forest=forest, rules=path)
    assert result["status"].iloc[0] == "not_permitted"
    assert result.attrs["lahan_geo"]["rules_version"] == "kab-strict-1"
