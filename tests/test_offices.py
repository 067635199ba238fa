"""One vocabulary of offices: every rule names known offices, written one way."""

from __future__ import annotations

import pytest

import lahan_geo as lg
from lahan_geo.offices import LIST_SEPARATOR, load_offices, province_code


def test_every_rule_names_offices_of_the_vocabulary():
    book = load_offices()
    for rule in lg.load_rules():
        assert all(o in book for o in rule.offices), rule.id
        assert rule.agency_id == ", ".join(book.name(o, "id") for o in rule.offices)
        if rule.status in ("not_permitted", "needs_clearance", "verify", "invalid"):
            assert rule.offices, rule.id


def test_the_same_office_is_written_the_same_way_in_every_rule():
    names: dict[str, set[str]] = {}
    for rule in lg.load_rules():
        for office, name in zip(rule.offices, rule.agency_names("id")):
            names.setdefault(office, set()).add(name)
    assert all(len(v) == 1 for v in names.values()), names


def test_names_are_current_and_free_of_the_list_separator():
    book = load_offices()
    texts = [t for o in book.offices.values()
             for t in (o.name_id, o.name_en, *(u for _, u in o.units))]
    assert not any(LIST_SEPARATOR in t for t in texts)
    joined = " ".join(texts)
    for old in ("BPKHTL", "PKTL", "Kemen LH", "KLHK"):
        assert old not in joined
    assert book.name("klh_bplh", "id").endswith("(KLH/BPLH)")
    assert book.name("kemenhut.planologi", "id") == \
        "Kementerian Kehutanan (Ditjen Planologi Kehutanan)"


def test_only_the_confirmed_bpkh_unit_is_shipped():
    book = load_offices()
    assert book.offices["bpkh"].units == (("62", "BPKH Wilayah XXI Palangka Raya"),)
    assert book.name("bpkh", "en", "62") == "BPKH Wilayah XXI Palangka Raya"
    assert book.name("bpkh", "id", "61") == "BPKH (wilayah sesuai provinsi)"
    assert book.name("bpkh", "id", None) == "BPKH (wilayah sesuai provinsi)"


@pytest.mark.parametrize(("value", "code"), [
    ("62", "62"), (62, "62"), (62.0, "62"), ("62.0", "62"), ("Kalimantan Tengah", "62"),
    ("PROVINSI KALIMANTAN TENGAH", "62"), ("Prov. Kalimantan Tengah", "62"),
    ("kalimantan selatan", "63"), (None, None), (float("nan"), None), ("Atlantis", None),
    (5, None), (True, None),
])
def test_province_code(value, code):
    assert province_code(value) == code
