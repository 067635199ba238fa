"""Land status (status tanah): the plot list's free text to the classes of the domain notes.

Plot lists carry the land status as free text ("Tanah Kas Desa", "TKD bersertifikat",
"aset Pemkab", "hibah warga (belum akta)", "pinjam pakai Perhutani", "sengketa"). An
editable mapping file (TOML, copy ``lahan_geo/data/land_status_classes.toml``) turns
each value into one class of :data:`LAND_TITLE_CLASSES`; the rules T1..T9 of the rule
file read that class as the fact ``land_title``.

Columns: a header such as ``status lahan``, ``alas hak`` or ``land title`` is
recognized from its name (:data:`lahan_geo.intake.columns.ROLES`, role
``land_status``). A bare ``Status`` column is ambiguous (a screening result has one):
it is read as the land status only when its values are land statuses — at least half
of its filled values map to a class, and none is a screening status — and every row
then carries a note saying so.

Examples
--------
>>> mapping = load_land_status_mapping()
>>> [mapping.classify(v) for v in ["Tanah Kas Desa", "TKD bersertifikat", "aset Pemkab",
...                                "hibah warga (belum akta)", "pinjam pakai Perhutani",
...                                "sengketa", "tanah desa belum sertifikat", "-", "kebun"]]
... # doctest: +NORMALIZE_WHITESPACE
['village_uncertified', 'village_certified', 'regional_asset', 'private_no_deed',
 'state_asset', 'disputed', 'village_uncertified', 'blank', 'unrecognized']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from lahan_geo.datafiles import load_toml, read_data_file
from lahan_geo.errors import InputError
from lahan_geo.intake.columns import guess_columns, normalize_header
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES

__all__ = ["LAND_TITLE_CLASSES", "MAPPED_CLASSES", "NOT_GIVEN", "UNRECOGNIZED",
           "LandStatusMapping", "bare_status_note", "guess_land_status_column",
           "land_status_columns", "land_status_of", "land_status_summary",
           "load_land_status_mapping", "normalize_value", "status_column", "unknown_values"]

#: Classes a mapping may assign (domain notes v2, section 6).
MAPPED_CLASSES = ("village_certified", "village_uncertified", "regional_asset", "state_asset",
                  "private_deed", "private_no_deed", "disputed", "blank")
#: A value the mapping does not know (listed, screens as verify).
UNRECOGNIZED = "unrecognized"
#: The plot list has no land-status column (no default rule fires: see the rule file).
NOT_GIVEN = "not_given"
#: Every value of the ``land_title_class`` column and of the rules' ``land_title`` fact.
LAND_TITLE_CLASSES = (*MAPPED_CLASSES, UNRECOGNIZED, NOT_GIVEN)
#: Labels (Indonesian, English) of the classes the library adds.
_OWN_LABELS = {UNRECOGNIZED: ("Tidak dikenali pemetaan status lahan",
                              "Not recognized by the land-status mapping"),
               NOT_GIVEN: ("Tidak ada kolom status lahan", "No land-status column")}

_DEFAULT = "land_status_classes.toml"
_TOP_LEVEL = ("version", "blank_values", "negations", "absent", "values", "classes", "terms",
              "match")
#: Words a negation may stand from the document it negates (words in between).
_WINDOW = 2
#: Values that are a screening status, never a land status (a result read back in).
_RESULT_WORDS = frozenset(normalize_header(s) for s in (*STATUSES, *STATUS_LABELS_ID.values()))


def normalize_value(value: Any) -> str:
    """Fold a value for matching: lower case, "a.n." to "atas nama", punctuation to spaces.

    Examples
    --------
    >>> normalize_value("SHM a.n. Warga, hibah (akta PPAT)")
    'shm atas nama warga hibah akta ppat'
    >>> normalize_value(None), normalize_value(float("nan"))
    ('', '')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = re.sub(r"\ba\s*[./]\s*n\b\.?", " atas nama ", str(value).lower())
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class _Term:
    patterns: tuple[re.Pattern[str], ...]
    negatable: bool


@dataclass(frozen=True)
class LandStatusMapping:
    """Exact values, terms and ordered matches that classify land-status text."""

    version: str
    path: str
    labels: dict[str, tuple[str, str]]
    exact: dict[str, str]
    blank: frozenset[str]
    absent: tuple[re.Pattern[str], ...]
    negations: tuple[re.Pattern[str], ...]
    terms: dict[str, _Term]
    matches: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]

    @property
    def fingerprint(self) -> str:
        """A stable digest of the mapping's content (for provenance)."""
        text = repr((self.version, sorted(self.labels.items()), sorted(self.exact.items()),
                     sorted(self.blank), [p.pattern for p in self.absent],
                     [p.pattern for p in self.negations],
                     sorted((k, [p.pattern for p in t.patterns], t.negatable)
                            for k, t in self.terms.items()), self.matches))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def classify(self, value: Any) -> str:
        """Return the class of one land-status value (``"unrecognized"`` when none matches).

        Examples
        --------
        >>> m = load_land_status_mapping()
        >>> m.classify("SHM a.n. warga, hibah akta PPAT"), m.classify("hibah akta belum dibuat")
        ('private_deed', 'private_no_deed')
        >>> m.classify("aset desa, sertifikat belum ada"), m.classify("TKD, tidak sengketa")
        ('village_uncertified', 'village_uncertified')
        """
        text = normalize_value(value)
        if text in self.exact:
            return self.exact[text]
        if text in self.blank:
            return "blank"
        for pattern in self.absent:
            text = pattern.sub(" ", text)
        text = re.sub(r"\s+", " ", text).strip()
        found = self._found(text)
        for cls, all_of, any_of in self.matches:
            if all(t in found for t in all_of) and (not any_of or any(t in found for t in any_of)):
                return cls
        return UNRECOGNIZED

    def label(self, cls: str | None, language: str = "en") -> str | None:
        """Return the label of a class in ``"en"`` or ``"id"`` (None: not a class).

        Examples
        --------
        >>> load_land_status_mapping().label("regional_asset", "id")
        'Barang milik daerah (BMD)'
        """
        pair = self.labels.get(cls or "") or _OWN_LABELS.get(cls or "")
        return None if pair is None else pair[0 if language == "id" else 1]

    def _found(self, text: str) -> set[str]:
        """Return the names of the terms that occur in ``text`` and are not negated."""
        starts = _word_starts(text)
        cues = [(_word_at(starts, m.start()), _word_at(starts, m.end() - 1))
                for p in self.negations for m in p.finditer(text)]
        found = set()
        for name, term in self.terms.items():
            for pattern in term.patterns:
                for m in pattern.finditer(text):
                    first, last = _word_at(starts, m.start()), _word_at(starts, m.end() - 1)
                    if not term.negatable or not _negated(first, last, cues):
                        found.add(name)
                        break
                if name in found:
                    break
        return found


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def _word_at(starts: list[int], offset: int) -> int:
    """Return the index of the word that holds character ``offset``."""
    index = 0
    for i, start in enumerate(starts):
        if start > offset:
            break
        index = i
    return index


def _negated(first: int, last: int, cues: list[tuple[int, int]]) -> bool:
    """Whether a negation cue stands up to ``_WINDOW`` words before or after words first..last."""
    return any(0 <= first - c_last - 1 <= _WINDOW or 0 <= c_first - last - 1 <= _WINDOW
               for c_first, c_last in cues)


def load_land_status_mapping(
    source: str | PathLike[str] | LandStatusMapping | None = None,
) -> LandStatusMapping:
    r"""Load a land-status mapping file (default: the one shipped with lahan_geo).

    Parameters
    ----------
    source : path, LandStatusMapping or None
        A TOML file laid out like ``lahan_geo/data/land_status_classes.toml``; a loaded
        mapping is returned as is.

    Returns
    -------
    LandStatusMapping

    Raises
    ------
    InputError
        When the file cannot be read or names an unknown class, term or key; the
        message names the file and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kab.toml"
    >>> _ = path.write_text('[[match]]\nclass = "tanah_koperasi"\nany = ["x"]\n')
    >>> load_land_status_mapping(path)
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: ...kab.toml: [[match]] number 1 names class 'tanah_koperasi'...
    """
    if isinstance(source, LandStatusMapping):
        return source
    text, label = read_data_file(source, _DEFAULT, "land-status mapping", InputError)
    data = load_toml(text, label, InputError)
    return _parse(data, label)


def _fail(label: str, problem: str) -> None:
    msg = f"{label}: {problem}. Fix that entry (see lahan_geo/data/{_DEFAULT})."
    raise InputError(msg)


def _compile(label: str, where: str, patterns: Any) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        _fail(label, f"{where} must be a list of texts")
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error as err:
            _fail(label, f"{where} has a bad pattern {pattern!r} ({err})")
    return tuple(out)


def _parse(data: dict[str, Any], label: str) -> LandStatusMapping:
    for key in data:
        if key not in _TOP_LEVEL:
            _fail(label, f"unknown key {key!r}; allowed: {', '.join(_TOP_LEVEL)}")
    labels = {}
    for name, spec in data.get("classes", {}).items():
        if name not in MAPPED_CLASSES:
            _fail(label, f"[classes.{name}] is not a class; use {', '.join(MAPPED_CLASSES)}")
        labels[name] = (str(spec.get("label_id", name)), str(spec.get("label_en", name)))
    for name in MAPPED_CLASSES:
        labels.setdefault(name, (name, name))
    exact = {}
    for value, cls in data.get("values", {}).items():
        if cls not in MAPPED_CLASSES:
            _fail(label, f"[values] maps {value!r} to {cls!r}; use {', '.join(MAPPED_CLASSES)}")
        exact[normalize_value(value)] = cls
    terms = {}
    for name, spec in data.get("terms", {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("negatable", False), bool):
            _fail(label, f"[terms.{name}] needs patterns = [...] and negatable = true/false")
        terms[name] = _Term(_compile(label, f"[terms.{name}] patterns", spec.get("patterns", [])),
                            spec.get("negatable", False))
    matches = []
    for i, entry in enumerate(data.get("match", []), start=1):
        cls = entry.get("class")
        if cls not in MAPPED_CLASSES:
            _fail(label, f"[[match]] number {i} names class {cls!r}; use "
                         f"{', '.join(MAPPED_CLASSES)}")
        all_of, any_of = tuple(entry.get("all", ())), tuple(entry.get("any", ()))
        if not all_of and not any_of:
            _fail(label, f"[[match]] number {i} needs all = [...] or any = [...] terms")
        unknown = [t for t in (*all_of, *any_of) if t not in terms]
        if unknown:
            _fail(label, f"[[match]] number {i} names unknown term(s) {', '.join(unknown)}; "
                         f"terms are {', '.join(terms) or '(none)'}")
        matches.append((cls, all_of, any_of))
    negations = tuple(re.compile(rf"\b{re.escape(normalize_value(w))}\b")
                      for w in data.get("negations", []) if normalize_value(w))
    return LandStatusMapping(
        version=str(data.get("version", "")),
        path=label,
        labels=labels,
        exact=exact,
        blank=frozenset(normalize_value(v) for v in data.get("blank_values", [""])),
        absent=_compile(label, "absent", data.get("absent", [])),
        negations=negations,
        terms=terms,
        matches=tuple(matches),
    )


def status_column(frame: pd.DataFrame, mapping: LandStatusMapping) -> str | None:
    """Return a bare ``Status`` column of ``frame`` when its values are land statuses.

    Examples
    --------
    >>> m = load_land_status_mapping()
    >>> status_column(pd.DataFrame({"Status": ["TKD", "aset Pemda", ""]}), m)
    'Status'
    >>> status_column(pd.DataFrame({"status": ["clear", "verify"]}), m) is None
    True
    >>> status_column(pd.DataFrame({"Status": ["Aktif", "Aktif", "TKD"]}), m) is None
    True
    """
    for column in frame.columns:
        if normalize_header(column) != "status":
            continue
        values = [v for v in map(normalize_value, frame[column].tolist()) if v]
        if not values or set(values) & _RESULT_WORDS:
            continue
        classes = {v: mapping.classify(v) for v in set(values)}
        known = sum(classes[v] not in (UNRECOGNIZED, "blank") for v in values)
        if 2 * known >= len(values):
            return str(column)
    return None


def land_status_of(
    values: Sequence[Any] | None, mapping: LandStatusMapping, n: int = 0
) -> tuple[list[str | None], list[str]]:
    """Return the original texts and the classes of a land-status column.

    ``values`` None means the list has no such column: the ``n`` classes are
    ``not_given``.

    Examples
    --------
    >>> land_status_of(["Tanah Kas Desa", None, " aset Pemkab "], load_land_status_mapping())
    (['Tanah Kas Desa', None, 'aset Pemkab'], ['village_uncertified', 'blank', 'regional_asset'])
    >>> land_status_of(None, load_land_status_mapping(), 2)
    ([None, None], ['not_given', 'not_given'])
    """
    if values is None:
        return [None] * n, [NOT_GIVEN] * n
    texts = [None if v is None or (not isinstance(v, str) and pd.isna(v)) or not str(v).strip()
             else str(v).strip() for v in values]
    cache: dict[str | None, str] = {}
    classes = [cache[t] if t in cache else cache.setdefault(t, mapping.classify(t))
               for t in texts]
    return texts, classes


def land_status_summary(texts: Sequence[str | None], classes: Sequence[str], column: str | None,
            mapping: LandStatusMapping) -> dict[str, Any]:
    """Describe the land status of a batch for the provenance (bilingual when not screened)."""
    info: dict[str, Any] = {
        "column": column,
        "mapping": mapping.path,
        "mapping_version": mapping.version,
        "classes": {c: int(n) for c, n in sorted(pd.Series(classes, dtype=object)
                                                 .value_counts().items())},
    }
    if column is None:
        info["note_en"] = ("the plot list has no land-status column: land title was not "
                           "screened (no rule fires on it)")
        info["note_id"] = ("daftar lahan tidak memiliki kolom status lahan: status tanah tidak "
                           "disaring (tidak ada aturan yang berlaku)")
    return info


def unknown_values(texts: Sequence[str | None], classes: Sequence[str]) -> list[str]:
    """Return the distinct texts the mapping did not recognize, sorted."""
    return sorted({t for t, c in zip(texts, classes) if c == UNRECOGNIZED and t})


def guess_land_status_column(frame: pd.DataFrame, mapping: LandStatusMapping,
                             roles: Mapping[str, str] | None = None) -> tuple[str | None, bool]:
    """Return the land-status column of ``frame`` and whether it was a bare ``Status`` guess.

    ``roles`` are the roles already recognized (their ``land_status`` wins).

    Examples
    --------
    >>> m = load_land_status_mapping()
    >>> guess_land_status_column(pd.DataFrame(columns=["No", "Alas Hak"]), m)
    ('Alas Hak', False)
    >>> guess_land_status_column(pd.DataFrame({"Status": ["hibah warga"]}), m)
    ('Status', True)
    """
    roles = guess_columns(frame.columns) if roles is None else roles
    if "land_status" in roles:
        return roles["land_status"], False
    taken = set(roles.values())
    bare = status_column(frame[[c for c in frame.columns if c not in taken]], mapping)
    return bare, bare is not None


def bare_status_note(column: str) -> str:
    """Return the bilingual row note of a bare ``Status`` column read as the land status."""
    return (f"column '{column}' read as the land status: its values are land statuses "
            f"(pass columns={{'land_status': ...}} to choose another) / kolom '{column}' dibaca "
            "sebagai status lahan karena isinya berupa status lahan")


def land_status_columns(
    plots: pd.DataFrame, mapping: str | PathLike[str] | LandStatusMapping | None = None,
) -> tuple[list[str | None], list[str], dict[str, Any]]:
    """Return the texts, classes and provenance of the land status of plots to screen.

    Plots from :func:`~lahan_geo.read_plots` keep their ``land_title_class`` unless a
    ``mapping`` is given, which classifies their ``land_status`` text again; other
    frames have their land-status column recognized here as ``read_plots`` would.

    Examples
    --------
    >>> plots = pd.DataFrame({"land_status": ["TKD", None], "land_title_class":
    ...                       ["village_uncertified", "not_given"]})
    >>> land_status_columns(plots)[1]
    ['village_uncertified', 'not_given']
    >>> land_status_columns(pd.DataFrame({"Alas Hak": ["sengketa"]}))[:2]
    (['sengketa'], ['disputed'])
    """
    loaded = load_land_status_mapping(mapping)
    known = plots.attrs.get("lahan_geo", {}).get("land_status", {})
    if {"land_status", "land_title_class"} <= set(plots.columns):
        texts, classes = _kept(plots["land_status"], plots["land_title_class"], loaded,
                               again=mapping is not None)
        column = known.get("column") if known else "land_status"
        if NOT_GIVEN in classes and len(set(classes)) == 1:
            column = None
    else:
        column, _ = guess_land_status_column(plots, loaded)
        values = plots[column].tolist() if column is not None else None
        texts, classes = land_status_of(values, loaded, len(plots))
    info = land_status_summary(texts, classes, column, loaded)
    if mapping is None and known.get("mapping"):
        info.update(mapping=known["mapping"], mapping_version=known.get("mapping_version"))
    return texts, classes, info


def _kept(status: pd.Series, title: pd.Series, mapping: LandStatusMapping, again: bool
          ) -> tuple[list[str | None], list[str]]:
    """Return the texts and classes read_plots gave, classifying again where asked.

    Rows without a land-status column stay ``not_given``; a class that is not one of
    :data:`LAND_TITLE_CLASSES` (a hand-edited frame) is classified from its text.
    """
    texts = status.astype(object).to_numpy().copy()
    texts[pd.isna(texts)] = None
    classes = title.astype(object).to_numpy().copy()
    classes[pd.isna(classes)] = NOT_GIVEN
    redo = (classes != NOT_GIVEN) if again else ~pd.Series(classes).isin(
        LAND_TITLE_CLASSES).to_numpy()
    if redo.any():
        codes, uniques = pd.factorize(texts[redo], use_na_sentinel=False)
        found = land_status_of([None if pd.isna(u) else str(u) for u in uniques], mapping)[1]
        classes[redo] = np.asarray(found, dtype=object)[codes]
    return texts.tolist(), classes.tolist()
