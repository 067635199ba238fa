"""``read_plots``: every row of a plot list becomes a plot in EPSG:4326, or says why not.

Nothing is dropped and nothing is reordered: the result has one row per input row (a
row blank in every cell of a spreadsheet is no row; see :mod:`~lahan_geo.intake.tables`),
in input order, the original columns kept, plus

- ``plot_id``: from the id column (or a KML/GPX name), or ``P0001``... by position;
- ``geometry``: a Point or Polygon in EPSG:4326, or None;
- ``input_problem`` / ``input_problem_id``: None, or why the row cannot be used
  (English / Indonesian), naming the row, column, value and the fix;
- ``input_notes`` / ``input_notes_id``: what was corrected or assumed (a swap, a repair,
  a duplicate, a hemisphere taken from the header), in English / Indonesian
  (:mod:`~lahan_geo.intake.notes`);
- ``accuracy_m``: the plot's positional accuracy in metres (from an ``akurasi``
  column, raised to the written precision when that is coarser; NaN means the
  screening default, see :mod:`~lahan_geo.intake.precision`);
- ``settled_before_designation``: True/False from a "garapan lama" column, else None;
- ``land_status`` / ``land_title_class``: the land status as written (a ``status lahan``,
  ``alas hak``, ``land title``... column) and its class in the land-status mapping
  (:mod:`~lahan_geo.intake.land_status`); ``not_given`` when the list has no such column;
- ``source_file``, ``source_sheet`` (workbooks; None otherwise), ``source_row``: where
  to go back to.

How a list is read, where field teams' files differ from a clean table:

- an explicit column choice (``lat_col=``, ``columns=``) always wins over a guess; a
  guessed geometry column ("Batas Lahan", "Geometry") is not read when coordinate columns
  are chosen, nor when it holds no geometry (neighbour descriptions, "titik"), and
  ``columns={"geometry": None}`` says there is none (noted in ``blocks[i]["notes"]``);
- a hemisphere in a header ("Lintang (LS)", "Latitude (S)") applies to a column written
  without signs, noted on each row; a CRS in a header or title row ("X (UTM 50S)", "Zona
  UTM 49 S") is used when ``crs=`` is not given (:mod:`~lahan_geo.intake.table_checks`);
- a repeated header row, a "Jumlah"/total row and a footer ("Sumber: ...") stay rows,
  with an ``input_problem`` that says what they are; hidden sheets are skipped (noted)
  unless ``sheet=`` names them;
- a plot list's own column named like one of the library's in another case ("Status",
  "PLOT_ID"), or exactly like one of ``screen``'s, and a second column equal to an
  earlier one in any case, are renamed ("Status (daftar)", "desa_2"), listed in
  ``attrs["lahan_geo"]["renamed_columns"]``, so no writer meets two equal names;
- a list with a header and no rows gives an empty result and an
  :class:`~lahan_geo.errors.InputWarning`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lahan_geo.errors import CRSError, InputError, InputWarning
from lahan_geo.intake.blocks import SourceBlock, name_list, object_array
from lahan_geo.intake.boundary import check_within, load_boundary
from lahan_geo.intake.cell_geometry import parse_geometry_cell
from lahan_geo.intake.columns import (
    ROLES,
    align_columns,
    guess_columns,
    locates_plots,
    unique_column_names,
)
from lahan_geo.intake.coordinates import CoordinateParseError, empty_kind
from lahan_geo.intake.land_status import (
    LandStatusMapping,
    bare_status_note,
    guess_land_status_column,
    land_status_of,
    land_status_summary,
    load_land_status_mapping,
    unknown_values,
)
from lahan_geo.intake.notes import Note, join_notes, note, note_id
from lahan_geo.intake.plausibility import (
    check_geometry,
    check_in_indonesia,
    check_outliers,
    note_duplicates,
)
from lahan_geo.intake.precision import MAX_IMPLIED_UNCERTAINTY_M, plot_accuracy, read_accuracy
from lahan_geo.intake.projected import parse_crs_hint
from lahan_geo.intake.row_problems import quote
from lahan_geo.intake.sources import load_blocks
from lahan_geo.intake.table_checks import (
    compare_pair_column,
    header_crs,
    id_damage,
    mark_non_plots,
)
from lahan_geo.intake.table_geometry import TablePlan, locate_rows, plan_table
from lahan_geo.schema import ADDED_COLUMNS

__all__ = ["ADDED_COLUMNS", "MAX_IMPLIED_UNCERTAINTY_M", "combine_plot_lists",
           "header_only_message", "read_plots"]


_YES = {"ya", "y", "yes", "true", "1", "benar", "sudah"}
_NO = {"tidak", "t", "no", "n", "false", "0", "salah", "bukan", "belum"}


def read_plots(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    coords_col: str | None = None,
    id_col: str | None = None,
    accuracy_col: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | list[str | int] | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    crs: Any = None,
    within: gpd.GeoDataFrame | str | PathLike[str] | None = None,
    land_status_mapping: str | PathLike[str] | LandStatusMapping | None = None,
) -> gpd.GeoDataFrame:
    """Read a plot list from a file or a (Geo)DataFrame.

    Parameters
    ----------
    source : path, DataFrame or GeoDataFrame
        CSV/TSV/TXT, XLSX, GeoJSON, GeoPackage, Shapefile (also zipped), KML/KMZ, GPX
        waypoints, FlatGeobuf, or a (Geo)DataFrame.
    lat_col, lon_col, coords_col, id_col, accuracy_col : str, optional
        Override the column guess (``lintang``/``latitude``/..., ``bujur``/..., a single
        ``koordinat`` column, ``id_lahan``/..., ``akurasi``/...).
    columns : mapping, optional
        Override the guess for any role: ``{"easting": "X_UTM", "northing": "Y_UTM",
        "zone": "Zona", "geometry": "WKT", "desa": "Nama Desa", ...}`` (roles:
        :data:`lahan_geo.intake.columns.ROLES`); ``None`` says the list has no such column
        (``{"geometry": None}``). A choice always wins over the guess. The roles used are
        reported in ``attrs["lahan_geo"]["columns"]``.
    sheet : str, int or list, optional
        Workbook sheet(s) by name or 0-based number. Default: every visible sheet whose
        header names coordinate columns, in workbook order (``source_sheet`` tells them
        apart); hidden sheets are read only when named.
    layer : str or int, optional
        Layer of a multi-layer vector file (GeoPackage), or the file inside a zip archive.
    encoding, sep : str, optional
        Encoding and delimiter of a text file (default: guessed).
    crs : optional
        The coordinate system of projected coordinates (easting/northing columns, WKT
        in metres): a UTM zone ("49S", "UTM 50 S"), a TM-3 zone ("TM-3 49.2"), a datum
        and zone ("DGN95 / UTM 49S", "SRGI2013 UTM 50S") or an EPSG code (see
        :func:`~lahan_geo.intake.projected.parse_crs_hint`). A geographic CRS ("DGN95",
        "SRGI2013") is the datum of latitude/longitude columns. For a vector file without
        a CRS, its CRS. Never guessed.
    within : GeoDataFrame or path, optional
        The district (or its villages, or sub-districts): plots outside it are problems,
        and a named village that differs from the one the plot lies in is a note (see
        :mod:`~lahan_geo.intake.boundary`).
    land_status_mapping : path or LandStatusMapping, optional
        How land-status text maps to classes; default
        ``lahan_geo/data/land_status_classes.toml`` (copy and edit it for a district).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per input row in input order (see the module docstring).
        ``attrs["lahan_geo"]`` holds ``columns`` (the roles used), ``blocks`` (per sheet
        or file: rows, columns, how it was read), ``rows``, ``problems``, ``land_status``
        (column, mapping, counts per class) and ``unknown_land_status_values``.

    Raises
    ------
    InputError
        When the source as a whole cannot be read (missing file, no coordinate
        columns, projected coordinates without a CRS); a single bad row never raises,
        it gets an ``input_problem``.
    CRSError
        When ``crs=`` is not understood, or a vector source has no CRS.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id_lahan": ["A", "B", "C"],
    ...                     "lintang": ["-2,512345", "", "-2.6"],
    ...                     "bujur": ["112.2345", "112.3", "112.25"]})
    >>> plots = read_plots(raw)
    >>> plots["plot_id"].tolist()
    ['A', 'B', 'C']
    >>> plots.geometry.iloc[0].y
    -2.512345
    >>> plots["input_problem"].iloc[1]
    "row 2, column 'lintang': the coordinate is blank. Fix: fill in the surveyed coordinate."
    >>> plots["input_problem"].iloc[2][:75]
    "row 3: columns 'lintang' and 'bujur': the coordinates are written so coarse"
    """
    overrides, disabled = _overrides(columns, lat_col=lat_col, lon_col=lon_col,
                                     coords_col=coords_col, id_col=id_col,
                                     accuracy_col=accuracy_col)
    if crs is not None:
        parse_crs_hint(crs)  # a typo in crs= is the caller's error, raised here
    blocks = load_blocks(source, sheet=sheet, layer=layer, encoding=encoding, sep=sep,
                         wanted=set(overrides.values()))
    _check_overrides(blocks, overrides)
    boundary = load_boundary(within) if within is not None else None
    mapping = load_land_status_mapping(land_status_mapping)

    parts = [_read_block(block, overrides, disabled, crs) for block in blocks]
    result = _assemble(blocks, parts, boundary, mapping)
    if not len(result):
        warnings.warn(header_only_message(result), InputWarning, stacklevel=2)
    return result


def header_only_message(plots: pd.DataFrame) -> str:
    """Return the one-line message for a plot list without any data row.

    Examples
    --------
    >>> print(header_only_message(pd.DataFrame()))  # doctest: +NORMALIZE_WHITESPACE
    <DataFrame>: the plot list has a header but no plot rows. Fix: fill in one row per
    plot below the header.
    """
    meta = plots.attrs.get("lahan_geo", {}) if isinstance(plots.attrs, dict) else {}
    where = meta.get("source_file") or "<DataFrame>"
    return (f"{where}: the plot list has a header but no plot rows. Fix: fill in one row per "
            "plot below the header.")


def _overrides(columns: Mapping[str, str | None] | None, **shortcuts: str | None
               ) -> tuple[dict[str, str], set[str]]:
    """Return the explicit column choices and the roles switched off (``None``)."""
    given = dict(columns or {})
    named = {k.removesuffix("_col"): v for k, v in shortcuts.items() if v is not None}
    disabled = {r for r, c in given.items() if c is None} - set(named)
    overrides = {**{r: c for r, c in given.items() if c is not None}, **named}
    overrides = {r: c if isinstance(c, str) else str(c) for r, c in overrides.items()}
    unknown = sorted((set(overrides) | disabled) - set(ROLES))
    if unknown:
        msg = (f"columns= has unknown role(s) {', '.join(map(repr, unknown))}. Fix: use "
               f"{', '.join(ROLES)}.")
        raise InputError(msg)
    return overrides, disabled


def _check_overrides(blocks: list[SourceBlock], overrides: dict[str, str]) -> None:
    for role, name in overrides.items():
        if not any(name in block.frame.columns for block in blocks):
            names = name_list(dict.fromkeys(str(c) for b in blocks for c in b.frame.columns))
            option = f"{role}_col" if role in ("lat", "lon", "coords", "id", "accuracy") else \
                f"columns['{role}']"
            msg = (f"{blocks[0].source_file}: {option}={name!r} is not a column; columns are "
                   f"{names}.")
            raise InputError(msg)


_PLACING = ("lat", "lon", "coords", "easting", "northing")


def _roles(block: SourceBlock, overrides: dict[str, str], disabled: set[str]
           ) -> tuple[dict[str, str], list[Note]]:
    """Return the roles of the block's columns: explicit choices win over every guess."""
    roles = guess_columns(block.frame.columns)
    notes: list[Note] = []
    for role in disabled:
        roles.pop(role, None)
    for role, name in overrides.items():
        if name not in block.frame.columns:
            continue
        for other, column in list(roles.items()):
            if column == name and other != role:
                del roles[other]
        roles[role] = name
    if "lat" in roles and "lon" in roles:
        roles.pop("coords", None)
    if "id" not in roles and block.id_hint and block.id_hint in block.frame.columns:
        roles["id"] = block.id_hint
    guessed = roles.get("geometry") if "geometry" not in overrides else None
    if guessed is not None and set(overrides) & set(_PLACING):
        del roles["geometry"]
        notes.append(note(
            f"column '{guessed}' looks like a geometry column by its name, but the coordinate "
            "columns were chosen explicitly: it is not read as the plots' geometry",
            f"kolom '{guessed}' tampak seperti kolom geometri dari namanya, tetapi kolom "
            "koordinat sudah dipilih secara eksplisit: kolom ini tidak dibaca sebagai geometri"))
    elif guessed is not None and not _holds_geometry(block.frame[guessed].tolist()):
        del roles["geometry"]
        sample = next((str(v) for v in block.frame[guessed] if empty_kind(v) is None), "")
        notes.append(note(
            f"column '{guessed}' looks like a geometry column by its name, but holds no "
            f"geometry (e.g. {quote(sample)}): ignored. Fix: pass columns={{'geometry': None}} "
            "to say so, or columns={'geometry': ...} to name the geometry column",
            f"kolom '{guessed}' tampak seperti kolom geometri dari namanya, tetapi tidak berisi "
            f"geometri (mis. {quote(sample)}): diabaikan"))
    return roles, notes


def _sheet_notes(block: SourceBlock) -> list[Note]:
    """Say which hidden sheets were left out, or that a named hidden sheet was read."""
    notes = []
    hidden = block.info.get("skipped_hidden_sheets")
    if hidden:
        listing = ", ".join(f"'{name}'" for name in hidden)
        notes.append(note(
            f"hidden sheet(s) {listing} hold coordinate columns but were not read: a hidden "
            "sheet holds old or working data as a rule. Fix: pass sheet= to read one",
            f"lembar tersembunyi {listing} berisi kolom koordinat tetapi tidak dibaca: lembar "
            "tersembunyi biasanya berisi data lama atau kerja. Perbaikan: sebutkan lembarnya "
            "dengan sheet= bila perlu dibaca"))
    if block.info.get("hidden_sheet_read"):
        notes.append(note(f"sheet '{block.sheet}' is hidden in the workbook; read because "
                          "sheet= names it",
                          f"lembar '{block.sheet}' tersembunyi di workbook; dibaca karena "
                          "disebut dengan sheet="))
    return notes


_GEOMETRY_START_RE = re.compile(r"\s*(POINT|POLYGON|MULTI|SRID|GEOMETRYCOLLECTION|\{)",
                                re.IGNORECASE)
_NUMBERS_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def _holds_geometry(values: list[Any], sample: int = 200) -> bool:
    """Tell whether a column holds geometries, even broken ones (WKT, corners...).

    A column whose first filled cells neither read as a geometry nor try to be one (WKT
    or GeoJSON text, two numbers or more) holds something else: "Utara: Jalan Desa",
    "titik".
    """
    filled = [v for v in values if empty_kind(v) is None][:sample]
    for value in filled:
        text = str(value)
        if _GEOMETRY_START_RE.match(text) or len(_NUMBERS_RE.findall(text)) >= 2:
            return True
        try:
            parse_geometry_cell(value)
        except CoordinateParseError:
            continue
        return True
    return False


class _BlockResult:
    def __init__(self, roles: dict[str, str], geoms: np.ndarray, precision: np.ndarray,
                 plan: TablePlan | None, notes: list[Note]) -> None:
        self.roles, self.geoms, self.precision, self.plan = roles, geoms, precision, plan
        self.notes = notes + (list(plan.notes) if plan else [])


def _read_block(block: SourceBlock, overrides: dict[str, str], disabled: set[str], crs: Any
                ) -> _BlockResult:
    roles, block_notes = _roles(block, overrides, disabled)
    block_notes += _sheet_notes(block)
    n = len(block)
    has_geometry = block.geometry is not None and any(g is not None for g in block.geometry)
    plan = None
    if has_geometry or (block.geometry is not None and not locates_plots(roles)):
        geoms = _vector_to_wgs84(block, crs)
        precision = np.full(n, np.nan)
    else:
        if not locates_plots(roles):
            where = f"{block.source_file}" + (f", sheet '{block.sheet}'" if block.sheet else "")
            found = name_list(block.frame.columns)
            msg = (f"{where}: no coordinate columns found among {found or '(no columns)'}. "
                   "Fix: name them lintang/bujur (or latitude/longitude, one 'koordinat' "
                   "column, easting/northing with crs=, or a WKT 'geometry' column), or pass "
                   "lat_col= and lon_col=."
                   + "".join(f" Note: {n}." for n in block_notes))
            raise InputError(msg)
        mark_non_plots(block, roles)
        crs, crs_notes = header_crs(block, roles, crs)
        plan = plan_table(block, roles, crs)
        in_metres = plan.easting is not None or plan.geometry is not None \
            or plan.coords is not None
        if in_metres or plan.projected_crs is None:  # a stated zone of unused metres: silent
            block_notes += crs_notes
        geoms, precision = locate_rows(block, plan)
        compare_pair_column(block, roles, geoms)
    for i in range(n):
        where = block.where(i)
        if block.problems[i] is not None:
            geoms[i] = None
            continue
        geom, notes, prob = check_geometry(geoms[i], where)
        if prob is None:
            geom, more, prob = check_in_indonesia(geom, where)
            notes += more
        block.notes[i].extend(notes)
        block.problems[i] = prob
        geoms[i] = geom if prob is None else None
    return _BlockResult(roles, geoms, precision, plan, block_notes)


def _vector_to_wgs84(block: SourceBlock, crs: Any) -> np.ndarray:
    source_crs = block.crs
    if source_crs is None:
        if crs is None:
            msg = (f"{block.source_file} has no CRS. Fix: pass crs=, e.g. read_plots(..., "
                   "crs='EPSG:4326') or the UTM zone crs='49S'.")
            raise CRSError(msg)
        source_crs = parse_crs_hint(crs)
    assert block.geometry is not None
    series = gpd.GeoSeries(block.geometry, crs=source_crs)
    if series.crs is not None and not series.crs.equals("EPSG:4326"):
        try:
            series = series.to_crs("EPSG:4326")
        except Exception as err:  # pyproj errors
            msg = (f"{block.source_file}: cannot transform from {series.crs.name} to EPSG:4326 "
                   f"({err}). Fix: check the file's CRS.")
            raise CRSError(msg) from None
        block.info["converted_from"] = series.crs.name if series.crs else None
    return object_array(series.array)


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _settled(values: Any) -> list[bool | None]:
    out: list[bool | None] = []
    for value in values:
        text = _text(value).lower()
        out.append(True if text in _YES else False if text in _NO else None)
    return out


def _land_status(block: SourceBlock, roles: dict[str, str], mapping: LandStatusMapping
                 ) -> tuple[list[str | None], list[str]]:
    """Read the block's land-status column (a bare "Status" only by its values, noted)."""
    column, bare = guess_land_status_column(block.frame, mapping, roles)
    if column is None:
        return land_status_of(None, mapping, len(block))
    roles["land_status"] = column
    if bare:
        for row_notes in block.notes:
            row_notes.append(bare_status_note(column))
    return land_status_of(block.frame[column].tolist(), mapping)


def _assemble(blocks: list[SourceBlock], parts: list[_BlockResult], boundary: Any,
              mapping: LandStatusMapping) -> gpd.GeoDataFrame:
    n = sum(len(b) for b in blocks)
    aligned = align_columns([b.frame for b in blocks])
    for block, part, renames in zip(blocks, parts, aligned):
        block.frame = block.frame.rename(columns=renames)
        part.roles = {r: renames.get(c, c) for r, c in part.roles.items()}
    labels: list[str] = []
    wheres: list[tuple[str, str]] = []
    ids: list[str] = []
    notes: list[list[str]] = []
    problems: list[Any] = []
    given = np.full(n, np.nan)
    settled: list[bool | None] = []
    land_texts: list[str | None] = []
    land_classes: list[str] = []
    places: dict[str, list[Any]] = {}
    position = 0
    for block, part in zip(blocks, parts):
        roles = part.roles
        id_values = block.frame[roles["id"]].tolist() if "id" in roles else None
        for i in range(len(block)):
            wheres.append(block.where(i))
            labels.append(block.where(i)[0])
            notes.append(block.notes[i])
            problems.append(block.problems[i])
            value = _text(id_values[i]) if id_values is not None else ""
            if not value:
                value = f"P{position + i + 1:04d}"
                if "id" in roles:
                    block.notes[i].append(f"no id in column '{roles['id']}'; generated {value}")
            elif id_values is not None:
                block.notes[i].extend(id_damage(value, roles["id"]))
            ids.append(value)
        if "accuracy" in roles:
            given[position:position + len(block)] = read_accuracy(
                block.frame[roles["accuracy"]].tolist(), roles["accuracy"],
                notes[position:position + len(block)])
        settled += (_settled(block.frame[roles["settled"]]) if "settled" in roles
                    else [None] * len(block))
        texts, classes = _land_status(block, roles, mapping)
        land_texts += texts
        land_classes += classes
        for level in ("desa", "kecamatan"):
            if level in roles:
                places.setdefault(level, [None] * n)
                places[level][position:position + len(block)] = block.frame[roles[level]].tolist()
        position += len(block)
    geoms = object_array([g for part in parts for g in part.geoms])
    precision = np.concatenate([p.precision for p in parts]) if parts else np.array([])
    accuracy = plot_accuracy(given, precision, notes)
    info: dict[str, Any] = {}
    if boundary is not None:
        info = check_within(boundary, geoms, accuracy, places, wheres, notes, problems)
        geoms = object_array([None if p is not None else g for g, p in zip(geoms, problems)])
    check_outliers(geoms, wheres, problems)
    geoms = object_array([None if p is not None else g for g, p in zip(geoms, problems)])
    note_duplicates(ids, geoms, labels, notes)

    out = pd.concat([b.frame for b in blocks], ignore_index=True) if blocks else pd.DataFrame()
    id_columns = {part.roles.get("id") for part in parts}
    # columns named exactly like ours (a result read back) are replaced by ours; any other
    # own column named like a library column in another case ("Status") is renamed, kept
    out = out.drop(columns=[c for c in ADDED_COLUMNS if c in out.columns and c not in id_columns]
                   + [c for c in ("geometry",) if c in out.columns])
    out = out.drop(columns=[c for c in ADDED_COLUMNS if c in out.columns])
    renames = unique_column_names(out.columns)
    out = out.rename(columns=renames)
    for part in parts:
        part.roles = {r: renames.get(c, c) for r, c in part.roles.items()}
    extra = {
        "plot_id": pd.Series(ids, dtype=object),
        "input_problem": pd.Series([p.en if p else None for p in problems], dtype=object),
        "input_problem_id": pd.Series([p.id if p else None for p in problems], dtype=object),
        "input_notes": pd.Series([join_notes(x) for x in notes], dtype=object),
        "input_notes_id": pd.Series([join_notes(x, indonesian=True) for x in notes],
                                    dtype=object),
        "accuracy_m": pd.Series(accuracy, dtype=float),
        "settled_before_designation": pd.Series(settled, dtype=object),
        "land_status": pd.Series(land_texts, dtype=object),
        "land_title_class": pd.Series(land_classes, dtype=object),
        "source_file": pd.Series([b.source_file for b in blocks for _ in range(len(b))],
                                 dtype=object),
        "source_sheet": pd.Series([b.sheet for b in blocks for _ in range(len(b))],
                                  dtype=object),
        "source_row": pd.Series(np.concatenate([b.source_rows for b in blocks])
                                if blocks else [], dtype="int64"),
    }
    out = pd.concat([out.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    result.index = pd.RangeIndex(n)
    result.attrs["lahan_geo"] = _provenance(blocks, parts, problems, info)
    if renames:
        result.attrs["lahan_geo"]["renamed_columns"] = renames
    columns = {part.roles.get("land_status") for part in parts} - {None}
    result.attrs["lahan_geo"]["land_status"] = land_status_summary(
        land_texts, land_classes, ", ".join(sorted(columns)) or None, mapping)
    result.attrs["lahan_geo"]["unknown_land_status_values"] = unknown_values(land_texts,
                                                                            land_classes)
    return result


def _provenance(blocks: list[SourceBlock], parts: list[_BlockResult], problems: list[Any],
                within: dict[str, Any]) -> dict[str, Any]:
    described = []
    for block, part in zip(blocks, parts):
        described.append({
            "source_file": block.source_file,
            "sheet": block.sheet,
            "rows": len(block),
            "columns": dict(part.roles),
            "read": dict(block.info),
            "notes": [str(n) for n in part.notes],
            "notes_id": [note_id(n) for n in part.notes],
        })
    return {
        "source_file": blocks[0].source_file if blocks else None,
        "columns": dict(parts[0].roles) if parts else {},
        "blocks": described,
        "read": dict(blocks[0].info) if blocks else {},
        "rows": sum(len(b) for b in blocks),
        "problems": int(sum(p is not None for p in problems)),
        **({"within": within} if within else {}),
    }



def combine_plot_lists(lists: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Put the results of several ``read_plots`` calls one after the other, in order.

    Columns whose names differ only in case ("Desa" in one file, "desa" in another) become
    one column under the first spelling (recorded in ``attrs["lahan_geo"]["aligned_columns"]``),
    so no writer meets two names that a GeoPackage or a spreadsheet user would confuse.

    Examples
    --------
    >>> a = read_plots(pd.DataFrame({"Desa": ["X"], "lintang": ["-2.5"], "bujur": ["112.2"]}))
    >>> b = read_plots(pd.DataFrame({"desa": ["Y"], "lintang": ["-2.6"], "bujur": ["112.3"]}))
    >>> both = combine_plot_lists([a, b])
    >>> both["Desa"].tolist(), both.attrs["lahan_geo"]["aligned_columns"]
    (['X', 'Y'], [{}, {'desa': 'Desa'}])
    """
    aligned = align_columns(lists)
    frames = [frame.rename(columns=renames) for frame, renames in zip(lists, aligned)]
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out = gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")
    blocks = []
    for frame, renames in zip(lists, aligned):
        for block in frame.attrs.get("lahan_geo", {}).get("blocks", []):
            columns = {r: renames.get(c, c) for r, c in block.get("columns", {}).items()}
            blocks.append({**block, "columns": columns})
    first = lists[0].attrs.get("lahan_geo", {}) if lists else {}
    out.attrs["lahan_geo"] = {"columns": dict(first.get("columns", {})), "blocks": blocks,
                              "rows": len(out), "aligned_columns": aligned}
    return out
