"""Command line: ``lahan-geo screen PLOTS... --forest F --zoning Z --out DIR``.

Exit status 0 for a finished run (whatever the plots' statuses), 2 with a one-line
message on stderr for unusable input (a missing file, a layer without CRS, a rules
file with a mistake, a bad option), 1 with a one-line message for an unexpected
error (``--debug`` shows its traceback).

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
lahan-geo ...
0
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from lahan_geo.accuracy import map_accuracy_m
from lahan_geo.errors import InputError, InputWarning, LahanGeoError, LahanGeoWarning
from lahan_geo.intake import read_plots
from lahan_geo.layers import read_forest_area, read_rdtr, read_zoning
from lahan_geo.layers.service import is_address
from lahan_geo.layers.window import FILE_NEAR_M, NEAR_M, default_margin_m, has_area
from lahan_geo.layers.zoning import DEFAULT_ZONING_SCALE
from lahan_geo.outputs._atomic import describe_os_error, output_set
from lahan_geo.rules import APPLICANTS, Programme, load_rules
from lahan_geo.screening import screen
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES
from lahan_geo.threads import map_groups, threads
from lahan_geo.version import __version__

__all__ = ["CLI_OPTIONS", "DETAIL_FOLDER", "OUTPUTS", "cli_wording", "main"]

#: Sub-folder of ``--out`` that receives the detail maps.
DETAIL_FOLDER = "peta_detail"
#: What ``screen`` writes into ``--out``, in the order the new set replaces the old one
#: (the workbook last, after the maps it links to). They are replaced together.
DOSSIER = "dokumen_penyaringan.pdf"
INTERACTIVE_MAP = "peta_interaktif.html"
OUTPUTS = (DETAIL_FOLDER, "hasil_screening.gpkg", "hasil_screening.geojson",
           "hasil_screening.csv", "peta_ringkasan.png", INTERACTIVE_MAP, DOSSIER,
           "hasil_screening.xlsx")

_EPILOG = """\
example:
  lahan-geo screen usulan_lahan.csv bidang.geojson \\
      --forest KWSHUTAN_AR_250K.gpkg --zoning pola_ruang.gpkg --out hasil/

  --forest and --zoning also take an ArcGIS REST layer address, e.g.
      --forest https://geoportal.menlhk.go.id/server/rest/services/backup/KWSHUTAN_B/MapServer/0
  (only the features near the plots are fetched).

  writes hasil/hasil_screening.xlsx (the workbook to submit), .gpkg, .geojson, .csv,
  peta_ringkasan.png (overview map) and peta_detail/detail_<ID>.png (one map per plot
  that is not clear), and prints the number of plots per status.

exit status: 0 finished run, 2 unusable input (one line on stderr), 1 unexpected error.
"""


class _UsageError(Exception):
    """A command-line mistake, reported on one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not usage plus message."""

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing the usage and exiting."""
        msg = f"{message}. Fix: see '{self.prog} --help'."
        raise _UsageError(msg)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lahan-geo",
        description="Screen proposed outlet plots against the forest estate (kawasan hutan) "
                    "and the spatial plan (pola ruang) before submission.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lahan-geo {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{screen,rules}")
    s = sub.add_parser(
        "screen", help="screen plot lists and write workbook, GIS files and maps",
        description="Screen one or more plot lists (CSV, XLSX, GeoJSON, GeoPackage, ...) and "
                    "write hasil_screening.xlsx, .gpkg, .geojson, .csv, peta_ringkasan.png "
                    f"and {DETAIL_FOLDER}/ into --out.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("plots", nargs="+", type=Path, help="plot list file(s); rows are kept in order")
    s.add_argument("--crs", default=None,
                   help="CRS of easting/northing columns, e.g. 49S, 'TM-3 49.2', EPSG:23879")
    s.add_argument("--sheet", default=None, help="workbook sheet to read (default: every visible "
                   "sheet with coordinate headers)")
    s.add_argument("--layer", default=None, help="layer of a GeoPackage plot list, or the file "
                   "inside a zip archive")
    s.add_argument("--lat-col", metavar="COLUMN", help="the latitude column (default: guessed "
                   "from the header, e.g. lintang)")
    s.add_argument("--lon-col", metavar="COLUMN", help="the longitude column (e.g. bujur)")
    s.add_argument("--coords-col", metavar="COLUMN", help="one column holding 'lat, lon' "
                   "(or a map link)")
    s.add_argument("--id-col", metavar="COLUMN", help="the plot id column (e.g. id_lahan)")
    s.add_argument("--accuracy-col", metavar="COLUMN", help="the GPS accuracy column in metres")
    s.add_argument("--column", action="append", default=[], metavar="ROLE=COLUMN",
                   help="the column of any role, e.g. --column easting=X_UTM, --column "
                   "geometry=none (no geometry column); repeatable")
    for name, what, column_help in (
            ("forest", "forest layer", "the forest-function column (e.g. FUNGSIKWS)"),
            ("zoning", "pola ruang layer", "the zone-name column (e.g. NAMOBJ)"),
            ("rdtr", "RDTR outlines", "the RDTR name column")):
        s.add_argument(f"--{name}-layer", default=None,
                       help=f"layer of the {what} file (GeoPackage) or file inside its zip")
        s.add_argument(f"--{name}-column", default=None, metavar="COLUMN", help=column_help)
        s.add_argument(f"--{name}-crs", default=None,
                       help=f"CRS of the {what} when the file has none, e.g. EPSG:4326")
    s.add_argument("--within", type=Path, default=None,
                   help="district or village boundaries: plots outside are flagged")
    s.add_argument("--forest", type=_layer_source,
                   help="forest-area layer (KWSHUTAN-style): a file, or an ArcGIS REST layer "
                        "address https://…/MapServer/<n> (only the plots' area is fetched)")
    s.add_argument("--forest-scale", type=float, default=250_000,
                   help="scale denominator of the forest layer (default 250000)")
    s.add_argument("--zoning", type=_layer_source,
                   help="pola ruang layer (RTRW/RDTR): a file or an ArcGIS REST layer address")
    s.add_argument("--zoning-mapping", type=Path, help="your district's zoning mapping TOML")
    s.add_argument("--rules", type=Path, help="rules TOML (default: the shipped rules)")
    s.add_argument("--rdtr", type=_layer_source,
                   help="outlines of the RDTRs integrated in OSS (a file or an ArcGIS REST layer "
                        "address): decides the KKPR route (Konfirmasi inside, Persetujuan outside)")
    s.add_argument("--psn", action="store_true",
                   help="treat the outlets as a National Strategic Project (unconfirmed for "
                   "KDMP): changes the LP2B and PIPPIB outcomes, recorded in the metadata")
    s.add_argument("--public-interest", action="store_true",
                   help="treat the outlets as a public-interest use (opens LP2B conversion)")
    s.add_argument("--applicant", choices=APPLICANTS, default="pemda",
                   help="who applies for a PPKH: pemda (the bupati, default) or koperasi")
    s.add_argument("--tolerance", type=float, help="one tolerance in metres for every plot")
    s.add_argument("--out", type=Path, required=True,
                   help="output folder (created if needed); the earlier results in it are "
                        "replaced together at the end, and only if the run succeeds")
    s.add_argument("--note", default=None, help="footnote on the map, e.g. 'Data contoh sintetis'")
    s.add_argument("--details", action=argparse.BooleanOptionalAction, default=True,
                   help=f"write one detail map per plot that is not clear into "
                        f"OUT/{DETAIL_FOLDER}/, the printable dossier {DOSSIER} (cover, "
                        f"overview, one page per plot that is not clear) and the offline "
                        f"interactive map {INTERACTIVE_MAP} (default: on)")
    s.add_argument("--reviews", type=Path, default=None,
                   help="reviewers' decisions (CSV/XLSX: id_lahan, status_baru, alasan, "
                        "pemeriksa, tanggal), written beside the computed status")
    s.add_argument("--compare-with", type=Path, default=None,
                   help="an earlier hasil_screening.geojson/.gpkg/.csv: the workbook gets a "
                        "sheet 'Perubahan' (what changed, and why)")
    s.add_argument("--suggest-sites", action="store_true",
                   help="suggest up to 3 clear sites near every plot that is not clear "
                        "(inside the plot's village when --within gives village polygons)")
    s.add_argument("--search-radius", type=float, default=2000,
                   help="metres around a plot searched by --suggest-sites (default 2000)")
    s.set_defaults(func=_screen)
    r = sub.add_parser(
        "rules", help="print the rule table (id, status, title)",
        description="Print the rules of the default rule set, or of --rules, one per line.",
    )
    r.add_argument("--rules", type=Path, help="rules TOML (default: the shipped rules)")
    r.add_argument("--changelog", action="store_true",
                   help="also print what changed in each version of the rule set")
    r.set_defaults(func=_rules)
    return parser


def _layer_source(value: str) -> Path | str:
    """Take a layer as a file, or as an ArcGIS REST layer address (text, fetched later)."""
    return value.strip() if is_address(value) else Path(value)


def _read_layers(args: argparse.Namespace, plots: pd.DataFrame) -> tuple[Any, Any, Any]:
    """Read --forest, --zoning and --rdtr for the plots' area only (whole when they span it).

    The screening reads a layer wider for the plots whose nearest boundary lies beyond
    (:func:`lahan_geo.pipeline.widen`).
    """
    def window(source: Path | str, map_m: float) -> dict[str, Any]:
        if not has_area(plots):
            return {}
        default = NEAR_M if is_address(source) else FILE_NEAR_M
        near = max(default, args.search_radius + NEAR_M - 2000) if args.suggest_sites else (
            default)  # the sites searched must lie in what was read
        if near == default and args.tolerance is None:  # the reader's own margin
            return {"around": plots}
        tolerance = args.tolerance if args.tolerance is not None else map_m
        return {"around": plots, "margin_m": default_margin_m(plots, tolerance, near)}

    def forest() -> Any:
        with _reading("forest"):
            return read_forest_area(args.forest, scale=args.forest_scale,
                                    layer=args.forest_layer, crs=args.forest_crs,
                                    function_column=args.forest_column,
                                    **window(args.forest, map_accuracy_m(args.forest_scale)))

    def zoning() -> Any:
        with _reading("zoning"):
            return read_zoning(args.zoning, mapping=args.zoning_mapping,
                               layer=args.zoning_layer, crs=args.zoning_crs,
                               zone_column=args.zoning_column,
                               **window(args.zoning, map_accuracy_m(DEFAULT_ZONING_SCALE)))

    def rdtr() -> Any:  # an outline: no map tolerance of its own
        with _reading("rdtr"):
            return read_rdtr(args.rdtr, layer=args.rdtr_layer, crs=args.rdtr_crs,
                             name_column=args.rdtr_column, **window(args.rdtr, 0.0))

    # Side by side, as screen() reads them; errors come in this order.
    readers = [reader if given else None for reader, given in (
        (forest, args.forest), (zoning, args.zoning), (rdtr, args.rdtr))]

    def read(reader: Any) -> Any:
        return None if reader is None else reader()

    layers = map_groups(read, readers) if threads() > 1 else [read(r) for r in readers]
    return layers[0], layers[1], layers[2]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _fail(message: object) -> None:
    print(f"lahan-geo: {_one_line(message)}", file=sys.stderr)


#: Per reader the CLI calls: its keyword arguments and the command-line options that set
#: them. Messages of errors raised while reading are reworded with these options.
CLI_OPTIONS: dict[str, dict[str, str]] = {
    "plots": {"lat_col": "--lat-col", "lon_col": "--lon-col", "coords_col": "--coords-col",
              "id_col": "--id-col", "accuracy_col": "--accuracy-col", "layer": "--layer",
              "sheet": "--sheet", "crs": "--crs", "within": "--within"},
    "forest": {"function_column": "--forest-column", "layer": "--forest-layer",
               "crs": "--forest-crs", "scale": "--forest-scale"},
    "zoning": {"zone_column": "--zoning-column", "layer": "--zoning-layer",
               "crs": "--zoning-crs", "mapping": "--zoning-mapping"},
    "rdtr": {"name_column": "--rdtr-column", "layer": "--rdtr-layer", "crs": "--rdtr-crs"},
}
_VALUE = r"(?:'([^']*)'|\"([^\"]*)\"|([A-Za-z0-9_][^\s,;.)/=]*(?:\.[^\s,;.)/=]+)*))?"


def cli_wording(message: str, reader: str) -> str:
    """Reword a reader's message for the command line: ``lat_col=`` becomes ``--lat-col``.

    Examples
    --------
    >>> cli_wording("Fix: pass lat_col= and lon_col=, or crs='49S'.", "plots")
    "Fix: pass --lat-col and --lon-col, or --crs '49S'."
    >>> cli_wording("Fix: pass crs=, e.g. read_plots(..., crs='EPSG:4326').", "plots")
    "Fix: pass --crs, e.g. --crs 'EPSG:4326'."
    >>> cli_wording("pass columns={'geometry': None} to say so", "plots")
    'pass --column geometry=none to say so'
    >>> cli_wording("Fix: pass function_column= with the code column.", "forest")
    'Fix: pass --forest-column with the code column.'
    >>> cli_wording("or pass sheet= and lat_col=/lon_col=. Or crs=32749.", "plots")
    'or pass --sheet and --lat-col/--lon-col. Or --crs 32749.'
    """
    def flag(match: re.Match[str]) -> str:
        option = CLI_OPTIONS[reader][match[1]]
        if match[2] is not None or match[3] is not None:  # quoted: keep the quotes
            return f"{option} '{match[2] if match[2] is not None else match[3]}'"
        return f"{option} {match[4]}" if match[4] else option

    names = "|".join(sorted(CLI_OPTIONS[reader], key=len, reverse=True))
    text = re.sub(r"\bread_\w+\(\.\.\., ([^()]*)\)", r"\1", message)  # the call, not its args
    text = re.sub(rf"(?<![\w-])({names})={_VALUE}", flag, text)
    text = re.sub(r"columns=\{'(\w+)': (?:'([^']*)'|(None|\.\.\.))\}",
                  lambda m: f"--column {m[1]}={m[2] or ('none' if m[3] == 'None' else 'COLUMN')}",
                  text)
    return re.sub(r"columns\['(\w+)'\]=", r"--column \1=", text)


@contextmanager
def _reading(reader: str) -> Iterator[None]:
    """Reword the errors raised inside with :func:`cli_wording` for ``reader``."""
    try:
        yield
    except LahanGeoError as err:
        worded = cli_wording(str(err), reader)
        try:
            again = type(err)(worded)
        except TypeError:  # an error class with more arguments
            again = InputError(worded)
        raise again from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 for a finished run (also for ``--help`` and ``--version``), 2 for unusable
        input or a command-line mistake, 1 for an unexpected error.

    """
    try:
        args = _parser().parse_args(argv)
    except _UsageError as err:
        _fail(f"error: {err}")
        return 2
    except SystemExit as done:  # --help and --version print, then exit
        return done.code if isinstance(done.code, int) else 0
    try:
        return int(args.func(args))
    except LahanGeoError as err:
        _fail(err)
        return 2
    except OSError as err:  # a folder that cannot be created, a disk that is full, ...
        _fail(describe_os_error(err))
        return 2
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as err:
        if args.debug:
            raise
        _fail(f"unexpected error ({type(err).__name__}: {err}). "
              "Run again with --debug for the traceback, and please report it.")
        return 1


def _check_out(out: Path, inputs: list[Path]) -> None:
    """Refuse, before any work, an output folder that is a file or would replace an input.

    An input inside ``--out`` that has the name of an output (``hasil_screening.csv``, or
    anything in ``peta_detail/``) is refused here: the outputs are written in a staging
    folder, so the writers themselves never see the final names.
    """
    if out.exists() and not out.is_dir():
        is_input = any(out.resolve() == p.resolve() for p in inputs)
        what = "one of the input files" if is_input else "an existing file"
        msg = (f"--out '{out}' is {what}, not a folder. "
               "Fix: give a folder for the results, e.g. --out hasil/.")
        raise InputError(msg)
    if not out.is_dir():
        return
    folder = out.resolve()
    for path in inputs:
        where = path.resolve()
        if any(where == folder / name or folder / name in where.parents for name in OUTPUTS):
            msg = (f"The results in --out '{out}' would replace '{path}', which is one of "
                   "the input files. Fix: move the input out of that folder, or choose "
                   "another --out folder.")
            raise InputError(msg)


def _screen(args: argparse.Namespace) -> int:
    from lahan_geo.compare import compare
    from lahan_geo.outputs import (
        explore,
        plot_details,
        plot_overview,
        to_csv,
        to_dossier,
        to_excel,
        to_geojson,
        to_geopackage,
    )
    from lahan_geo.outputs.details import needs_detail
    from lahan_geo.relocate import suggest_sites
    from lahan_geo.review import apply_review

    protect = [p for p in (*args.plots, args.forest, args.zoning, args.rules,
                           args.zoning_mapping, args.reviews, args.rdtr)
                if isinstance(p, Path)]
    out: Path = args.out
    _check_out(out, protect)
    plots = _read_plot_lists(args)
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", LahanGeoWarning)
        forest, zoning, rdtr = _read_layers(args, plots)
    for note in notes:  # e.g. a layer re-used offline from the cache: say so, on one line
        if issubclass(note.category, LahanGeoWarning):
            _fail(f"note: {note.message}")
        else:
            warnings.warn_explicit(note.message, note.category, note.filename, note.lineno)
    programme = Programme(psn=args.psn, public_interest=args.public_interest,
                          applicant=args.applicant)
    result = screen(plots, forest=forest, zoning=zoning, rules=args.rules,
                    tolerance_m=args.tolerance,
                    rdtr=rdtr, programme=programme)
    if args.reviews:
        result = apply_review(result, args.reviews)
    # read the earlier run before this one may replace its files in the same --out
    changes = compare(args.compare_with, result) if args.compare_with else None
    counts = result["status"].value_counts()
    print(f"Screened {len(result)} plots from {len(args.plots)} file(s).")
    for status in STATUSES:
        print(f"  {status:<16} {int(counts.get(status, 0)):>5}  {STATUS_LABELS_ID[status]}")
    candidates = None
    if args.suggest_sites:
        print("Searching clear sites near the plots that are not clear ...", flush=True)
        candidates = suggest_sites(result, forest=forest, zoning=zoning, within=args.within,
                                   search_radius_m=args.search_radius, rules=args.rules,
                                   tolerance_m=args.tolerance)
        found = candidates.loc[candidates["candidate"] > 0, "plot_id"].nunique()
        print(f"  {found} of {candidates['plot_id'].nunique()} plot(s) have a clear site "
              f"within {args.search_radius:,.0f} m")

    # Everything is written into a staging folder inside --out, then swapped in as one
    # set: an error or Ctrl-C leaves the earlier results whole, and a second run into
    # the same folder is refused while this one holds its lock.
    with output_set(out, OUTPUTS, protect=protect) as run:
        if run.swept:
            print(f"Removed {run.swept} leftover(s) of an interrupted earlier run in {out}.")
        stage = run.path
        details: list[Path] = []
        if args.details:
            print(f"Drawing {int(needs_detail(result).sum())} detail map(s) into "
                  f"{out / DETAIL_FOLDER} ...", flush=True)
            details = plot_details(result, forest=forest, zoning=zoning,
                                   out_dir=stage / DETAIL_FOLDER, protect=protect,
                                   candidates=candidates, within=args.within)
        to_geopackage(result, stage / "hasil_screening.gpkg", protect=protect,
                      layers={k: v for k, v in (("kawasan_hutan", forest),
                                                ("pola_ruang", zoning)) if v is not None})
        to_geojson(result, stage / "hasil_screening.geojson", protect=protect)
        to_csv(result, stage / "hasil_screening.csv", protect=protect)
        plot_overview(result, forest=forest, zoning=zoning, path=stage / "peta_ringkasan.png",
                      title="Hasil penyaringan lokasi gerai KDMP", note=args.note,
                      candidates=candidates, within=args.within)
        if args.details:  # the dossier and the interactive map go with the detail maps
            to_dossier(result, stage / DOSSIER, forest=forest, zoning=zoning,
                       within=args.within, candidates=candidates, note=args.note,
                       protect=protect)
            explore(result, forest=forest, zoning=zoning, candidates=candidates,
                    detail_folder=DETAIL_FOLDER).save(str(stage / INTERACTIVE_MAP))
        to_excel(result, stage / "hasil_screening.xlsx", protect=protect,
                 detail_maps=details if args.details else None, candidates=candidates,
                 compare_with=changes)
        written = run.commit()
    print("Wrote:")
    for path in sorted(written, key=lambda p: p.suffix != ".xlsx"):  # the workbook first
        if path.name != DETAIL_FOLDER:
            print(f"  {path}")
    if args.details:
        print(f"  {out / DETAIL_FOLDER}{os.sep} ({len(details)} detail maps)")
    return 0


def _column_options(args: argparse.Namespace) -> dict[str, str | None]:
    """``--column ROLE=COLUMN`` (``none`` for no such column) as read_plots' ``columns=``."""
    columns: dict[str, str | None] = {}
    for item in args.column:
        role, sep, name = item.partition("=")
        if not sep or not role.strip():
            msg = (f"--column {item!r} is not ROLE=COLUMN. Fix: write e.g. --column "
                   "easting=X_UTM or --column geometry=none.")
            raise InputError(msg)
        columns[role.strip()] = None if name.strip().lower() == "none" else name
    return columns


def _read_plot_lists(args: argparse.Namespace) -> pd.DataFrame:
    """Read every plot list with the command line's options; warnings on one line each."""
    from lahan_geo.intake.plots import combine_plot_lists, header_only_message

    lists, warned = [], []
    for path in args.plots:
        with _reading("plots"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            lists.append(read_plots(
                path, crs=args.crs, sheet=args.sheet, layer=args.layer, within=args.within,
                lat_col=args.lat_col, lon_col=args.lon_col, coords_col=args.coords_col,
                id_col=args.id_col, accuracy_col=args.accuracy_col,
                columns=_column_options(args) or None))
        for warning in caught:
            if issubclass(warning.category, InputWarning):
                warned.append(str(warning.message))
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
    plots = combine_plot_lists(lists)
    if not len(plots):
        raise InputError(header_only_message(lists[0]) if len(lists) == 1 else
                         f"none of the {len(lists)} plot lists has a plot row. Fix: fill in "
                         "one row per plot below each header.")
    for message in warned:  # a file without rows among others: said, then screened
        _fail(f"warning: {message}")
    plots.attrs["lahan_geo"] = {"source_files": [str(p) for p in args.plots],
                                **plots.attrs["lahan_geo"]}
    return plots


def _rules(args: argparse.Namespace) -> int:
    ruleset = load_rules(args.rules)
    print(f"Rules {ruleset.version}: {ruleset.title} ({ruleset.path or 'default'})")
    rows = [("id", "status", "title_en")] + [
        (r.id, r.status, f"{r.title_en} ({r.confirmation('en')})" if r.confirmation("en")
         else r.title_en) for r in ruleset]
    id_width = max(len(row[0]) for row in rows)
    status_width = max(len(row[1]) for row in rows)
    for rule_id, status, title in rows:
        print(f"{rule_id:<{id_width}}  {status:<{status_width}}  {title}")
    if args.changelog:
        for entry in ruleset.changelog:
            print(f"\nChanges in {entry['version']}:")
            for change in entry["changes"]:
                print(f"  - {change}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
