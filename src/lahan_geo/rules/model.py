"""Rule sets as data: loading, validating and describing a rules file.

A rules file is TOML with a ``version``, a ``title`` and one ``[[rule]]`` table per
rule (see ``lahan_geo/data/default_rules.toml``). Loading validates every field; a
mistake raises :class:`~lahan_geo.errors.RulesError` naming the file and the line.

Examples
--------
>>> from lahan_geo.rules import load_rules
>>> rules = load_rules()
>>> rules.version
'2026.12.0'
>>> [r.id for r in rules][:4]
['V1', 'F1', 'F2', 'F3']
>>> rules["F2"].status, rules["F2"].offices
('needs_clearance', ('kemenhut.planologi', 'bpkh', 'gubernur'))
>>> rules["F2"].agency_id
'Kementerian Kehutanan (Ditjen Planologi Kehutanan), BPKH (wilayah sesuai provinsi), ...'
>>> rules["F2"].confirmation("en")
'unconfirmed: whether a KDMP outlet counts as a non-commercial public facility ...'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

from lahan_geo.datafiles import load_toml, read_data_file
from lahan_geo.errors import RulesError
from lahan_geo.offices import LIST_SEPARATOR, load_offices
from lahan_geo.rules.operators import OPERATORS
from lahan_geo.statuses import STATUSES

__all__ = ["FACTS", "OPERATORS", "Rule", "RuleSet", "load_rules"]

#: Facts a condition may test, with the kind of value ``screen`` computes for each.
FACTS: dict[str, str] = {
    "input_valid": "bool",
    "forest_functions": "list",
    "forest_unknown": "bool",
    "forest_near_boundary": "bool",
    "settled_before_designation": "bool",
    "zone_permissions": "list",
    "zone_unknown": "bool",
    "zone_near_boundary": "bool",
    "area_m2": "number",
    "constraints": "list",
    "forest_layer": "bool",
    "forest_zone_disagrees": "bool",
    "rdtr_coverage": "text",
    "programme_psn": "bool",
    "programme_public_interest": "bool",
    "applicant": "text",
    # Land title (domain notes section 6): the plot list's land status, normalized by the
    # land-status mapping (lahan_geo.intake.land_status.LAND_TITLE_CLASSES).
    "land_title": "text",
}

_TEXT_FIELDS = (
    "title_en", "title_id", "reason_en", "reason_id", "clearance_en", "clearance_id",
    "legal_basis",
)
_REQUIRED = ("id", "status", "when", *_TEXT_FIELDS, "offices", "sources")
_OPTIONAL = ("confirmed", "unconfirmed_en", "unconfirmed_id", "note")
_OPTIONAL_TEXT = ("unconfirmed_en", "unconfirmed_id", "note")
#: Written by the loader from ``offices``: a rules file may not set them.
_DERIVED = ("agency_en", "agency_id")
_SOURCE_FIELDS = ("title", "url", "consulted")
_TOP_LEVEL = ("version", "title", "changelog", "rule")
_DEFAULT = "default_rules.toml"
_UNCONFIRMED = {"en": "unconfirmed", "id": "belum terkonfirmasi"}


@dataclass(frozen=True, eq=False)
class Rule:
    """One rule: a condition on a plot's facts and what follows when it holds.

    Rules compare and hash by identity: each belongs to one loaded RuleSet.
    """

    id: str
    status: str
    when: Mapping[str, Mapping[str, Any]]
    title_en: str
    title_id: str
    reason_en: str
    reason_id: str
    clearance_en: str
    clearance_id: str
    legal_basis: str
    offices: tuple[str, ...]
    sources: tuple[Mapping[str, str], ...]
    confirmed: bool = True
    unconfirmed_en: str = ""
    unconfirmed_id: str = ""
    note: str = ""
    agency_en: str = ""
    agency_id: str = ""

    @property
    def facts(self) -> frozenset[str]:
        """Names of the facts this rule's condition reads."""
        return frozenset(self.when)

    def confirmation(self, lang: str) -> str:
        """Return "" for a confirmed rule, else what is unconfirmed, in ``lang``."""
        if self.confirmed:
            return ""
        part = self.unconfirmed_id if lang == "id" else self.unconfirmed_en
        return f"{_UNCONFIRMED[lang]}: {part}" if part else _UNCONFIRMED[lang]

    def reason(self, lang: str) -> str:
        """Return the reason template in ``lang``, its unconfirmed part marked."""
        text = self.reason_id if lang == "id" else self.reason_en
        mark = self.confirmation(lang)
        return f"{text} ({mark})" if mark else text

    def agency_names(self, lang: str, province: str | None = None) -> list[str]:
        """Return the names of the rule's offices in ``lang``, units resolved."""
        book = load_offices()
        return [book.name(o, lang, province) for o in self.offices]

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as plain, JSON-serialisable data (for provenance)."""
        out = {name: getattr(self, name) for name in (*_REQUIRED, *_OPTIONAL, *_DERIVED)}
        out["when"] = {k: dict(v) for k, v in self.when.items()}
        out["offices"] = list(self.offices)
        out["sources"] = [dict(s) for s in self.sources]
        out["source"] = " | ".join(
            " ".join(filter(None, (s["title"], s.get("url"), f"(consulted {s['consulted']})")))
            for s in self.sources)
        out["confirmation_en"] = self.confirmation("en") or "confirmed"
        out["confirmation_id"] = self.confirmation("id") or "terkonfirmasi"
        return out


@dataclass(frozen=True)
class RuleSet:
    """An ordered, validated set of rules with its version and provenance."""

    version: str
    title: str
    rules: tuple[Rule, ...]
    path: str
    sha256: str
    changelog: tuple[Mapping[str, Any], ...] = ()
    _by_id: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.rules})

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            msg = f"No rule {rule_id!r} in rules {self.version}; known: {', '.join(self._by_id)}."
            raise KeyError(msg) from None

    def provenance(self) -> dict[str, Any]:
        """Return version, path, hash and every rule as plain data."""
        return {
            "rules_version": self.version,
            "rules_title": self.title,
            "rules_path": self.path,
            "rules_sha256": self.sha256,
            "rules_changelog": [{"version": c["version"], "changes": list(c["changes"])}
                                for c in self.changelog],
            "rules": [r.to_dict() for r in self.rules],
        }


def load_rules(source: str | PathLike[str] | RuleSet | None = None) -> RuleSet:
    r"""Load and validate a rules file.

    Parameters
    ----------
    source : path, RuleSet or None
        A TOML rules file, an already loaded :class:`RuleSet` (returned as is), or
        None for the default rules shipped with lahan_geo. To write your own, copy
        ``lahan_geo/data/default_rules.toml`` and edit it.

    Returns
    -------
    RuleSet

    Raises
    ------
    RulesError
        When the file cannot be read or a rule is malformed; the message names the
        file, the line and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = bad.write_text('version = "1"\n[[rule]]\nid = "Q1"\nstatus = "maybe"\n')
    >>> load_rules(bad)
    Traceback (most recent call last):
    ...
    lahan_geo.errors.RulesError: ...rules.toml, line 4: rule 'Q1' has status 'maybe'...
    """
    if isinstance(source, RuleSet):
        return source
    text, label = read_data_file(source, _DEFAULT, "rules file", RulesError)
    return _parse(text, label)


def _parse(text: str, label: str) -> RuleSet:
    data = load_toml(text, label, RulesError)
    lines = _LineFinder(text, label)
    for key in data:
        if key not in _TOP_LEVEL:
            allowed = ", ".join(_TOP_LEVEL)
            lines.fail(None, key, f"unknown top-level key {key!r}; allowed: {allowed}")
    if not isinstance(data.get("version"), str) or not data["version"].strip():
        lines.fail(None, "version", 'the file needs a version string, e.g. version = "2026.11.0"')
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        lines.fail(None, "rule", "the file has no [[rule]] tables")
    rules = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_rules):
        rule = _parse_rule(raw, n, lines)
        if rule.id in seen:
            lines.fail(n, "id", f"rule id {rule.id!r} appears twice; ids must be unique")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(
        version=data["version"],
        title=str(data.get("title", "")),
        rules=tuple(rules),
        path=label,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        changelog=_changelog(data.get("changelog", []), lines),
    )


def _changelog(raw: Any, lines: _LineFinder) -> tuple[Mapping[str, Any], ...]:
    """Check the file's ``[[changelog]]`` entries: a version and a list of change texts."""
    if not isinstance(raw, list):
        lines.fail(None, "changelog", "changelog must be [[changelog]] tables")
    out = []
    for entry in raw:
        if (not isinstance(entry, dict) or not isinstance(entry.get("version"), str)
                or not isinstance(entry.get("changes"), list)
                or not all(isinstance(c, str) for c in entry["changes"])
                or set(entry) - {"version", "changes"}):
            lines.fail(None, "changelog", "each [[changelog]] needs version = \"...\" and "
                       "changes = [\"...\"] only")
        out.append({"version": entry["version"], "changes": tuple(entry["changes"])})
    return tuple(out)


def _parse_rule(raw: dict[str, Any], n: int, lines: _LineFinder) -> Rule:
    rid = raw.get("id")
    name = f"rule {rid!r}" if isinstance(rid, str) else f"rule number {n + 1}"
    for key in raw:
        if key in _DERIVED:
            lines.fail(n, key, f"{name}: {key} is written from the offices vocabulary; "
                       "name the offices by id instead, e.g. offices = [\"bpkh\"] "
                       "(ids in lahan_geo/data/offices.toml)")
        if key == "source":
            lines.fail(n, key, f"{name}: source is now sources = [{{ title = \"...\", "
                       "url = \"...\", consulted = \"2026-12\" }}]")
        if key not in _REQUIRED and key not in _OPTIONAL:
            allowed = ", ".join((*_REQUIRED, *_OPTIONAL))
            lines.fail(n, key, f"{name} has unknown field {key!r}; allowed: {allowed}")
    if not isinstance(rid, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", rid):
        lines.fail(n, "id", f"{name}: id must be text such as 'F2'")
    if "status" in raw and raw["status"] not in STATUSES:
        lines.fail(
            n, "status",
            f"{name} has status {raw['status']!r}; use one of {', '.join(STATUSES)}",
        )
    for key in _REQUIRED:
        if key not in raw:
            lines.fail(n, None, f"{name} lacks the field {key!r}")
    for key in (*_TEXT_FIELDS, *_OPTIONAL_TEXT):
        if key in raw and not isinstance(raw[key], str):
            lines.fail(n, key, f"{name}: {key} must be text")
        if key in raw and LIST_SEPARATOR in raw[key]:
            lines.fail(n, key, f"{name}: {key} contains {LIST_SEPARATOR!r}, which separates "
                       "list items in the outputs; use ',' or a new sentence instead")
    if "confirmed" in raw and not isinstance(raw["confirmed"], bool):
        lines.fail(n, "confirmed", f"{name}: confirmed must be true or false")
    _check_confirmation(raw, n, name, lines)
    offices = _check_offices(raw["offices"], n, name, lines)
    sources = _check_sources(raw["sources"], n, name, lines)
    when = raw["when"]
    if not isinstance(when, dict) or not when:
        lines.fail(n, "when", f"{name}: when must be a table of conditions, e.g. "
                   "when = { forest_functions = { any = [\"HL\"] } }")
    for fact, cond in when.items():
        if fact not in FACTS:
            lines.fail(n, "when", f"{name} tests unknown fact {fact!r}; known: {', '.join(FACTS)}")
        if not isinstance(cond, dict) or not cond:
            lines.fail(n, "when",
                       f"{name}: condition on {fact!r} must be a table like {{ eq = true }}")
        for op, value in cond.items():
            if op not in OPERATORS:
                lines.fail(n, "when", f"{name} uses unknown operator {op!r} on {fact!r}; "
                           f"known: {', '.join(sorted(OPERATORS))}")
            if op in ("in", "any", "only") and not isinstance(value, list):
                lines.fail(n, "when", f"{name}: operator {op!r} on {fact!r} needs a list")
            if op in ("lt", "le", "gt", "ge") and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                lines.fail(n, "when", f"{name}: operator {op!r} on {fact!r} needs a number")
    fields = {k: raw[k] for k in (*_REQUIRED, *_OPTIONAL) if k in raw}
    fields.update(offices=offices, sources=sources)
    rule = Rule(**fields)
    object.__setattr__(rule, "agency_en", ", ".join(rule.agency_names("en")))
    object.__setattr__(rule, "agency_id", ", ".join(rule.agency_names("id")))
    return rule


def _check_confirmation(raw: dict[str, Any], n: int, name: str, lines: _LineFinder) -> None:
    """Refuse a confirmed rule naming an unconfirmed part, or a part in one language."""
    parts = [k for k in ("unconfirmed_en", "unconfirmed_id") if raw.get(k)]
    if parts and raw.get("confirmed", True):
        lines.fail(n, parts[0], f"{name} names an unconfirmed part but is confirmed; "
                   "set confirmed = false")
    if len(parts) == 1:
        lines.fail(n, parts[0], f"{name}: give both unconfirmed_en and unconfirmed_id")


def _check_offices(raw: Any, n: int, name: str, lines: _LineFinder) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
        lines.fail(n, "offices", f"{name}: offices must be a list of office ids")
    book = load_offices()
    for office in raw:
        if office not in book:
            lines.fail(n, "offices", f"{name} names unknown office {office!r}; known: "
                       f"{', '.join(book.offices)} (lahan_geo/data/offices.toml)")
    if len(set(raw)) != len(raw):
        lines.fail(n, "offices", f"{name} names an office twice")
    return tuple(raw)


def _check_sources(raw: Any, n: int, name: str, lines: _LineFinder
                   ) -> tuple[Mapping[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        lines.fail(n, "sources", f"{name}: sources must list at least one source, e.g. "
                   "sources = [{ title = \"PP 21/2021\", consulted = \"2026-12\" }]")
    out = []
    for source in raw:
        if (not isinstance(source, dict) or set(source) - set(_SOURCE_FIELDS)
                or not all(isinstance(v, str) for v in source.values())
                or not source.get("title")):
            lines.fail(n, "sources", f"{name}: each source is {{ title = \"...\", url = "
                       "\"https://...\" (where one exists), consulted = \"YYYY-MM\" }}")
        if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", source.get("consulted", "")):
            lines.fail(n, "sources", f"{name}: source {source['title']!r} needs the date it "
                       "was consulted, consulted = \"YYYY-MM\" or \"YYYY-MM-DD\"")
        if "url" in source and not re.fullmatch(r"https?://\S+", source["url"]):
            lines.fail(n, "sources", f"{name}: url {source['url']!r} is not a web address")
        if any(LIST_SEPARATOR in v for v in source.values()):
            lines.fail(n, "sources", f"{name}: a source contains {LIST_SEPARATOR!r}")
        out.append(dict(source))
    return tuple(out)


class _LineFinder:
    """Find the line of the n-th ``[[rule]]`` table (and of a key in it) for messages."""

    def __init__(self, text: str, label: str) -> None:
        self.text_lines = text.splitlines()
        self.label = label
        self.headers = [
            i for i, line in enumerate(self.text_lines) if line.strip().startswith("[[rule]]")
        ]

    def line_of(self, n: int | None, key: str | None) -> int | None:
        if n is None:
            start, stop = 0, (self.headers[0] if self.headers else len(self.text_lines))
        elif n < len(self.headers):
            start = self.headers[n]
            stop = self.headers[n + 1] if n + 1 < len(self.headers) else len(self.text_lines)
        else:  # rules written as an inline array: no header to point at
            return None
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for i in range(start, stop):
                if pattern.match(self.text_lines[i]):
                    return i + 1
        return start + 1 if n is not None else None

    def fail(self, n: int | None, key: str | None, problem: str) -> None:
        line = self.line_of(n, key)
        where = f"{self.label}, line {line}" if line else self.label
        msg = f"{where}: {problem}. Fix that line and load the rules again."
        raise RulesError(msg)
