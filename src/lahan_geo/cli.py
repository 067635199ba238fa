"""Command line: ``lahan-geo screen PLOTS... --forest F --zoning Z --out DIR``.

Exit status 0 for a finished run (whatever the plots' statuses), 2 with a one-line
message for unusable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lahan_geo.errors import LahanGeoError
from lahan_geo.intake import read_plots
from lahan_geo.layers import read_forest_area, read_zoning
from lahan_geo.screen import screen
from lahan_geo.statuses import STATUS_LABELS_ID, STATUSES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lahan-geo",
        description="Screen proposed outlet plots against the forest estate (kawasan hutan) "
                    "and the spatial plan (pola ruang) before submission.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser(
        "screen", help="screen plot lists and write workbook, GeoPackage, GeoJSON and map",
        description="Screen one or more plot lists (CSV, XLSX, GeoJSON, GeoPackage, ...) and "
                    "write hasil_screening.xlsx, .gpkg, .geojson, .csv and peta_ringkasan.png "
                    "into --out.",
    )
    s.add_argument("plots", nargs="+", type=Path, help="plot list file(s); rows are kept in order")
    s.add_argument("--forest", type=Path, help="forest-area layer (KWSHUTAN-style)")
    s.add_argument("--forest-scale", type=float, default=250_000,
                   help="scale denominator of the forest layer (default 250000)")
    s.add_argument("--zoning", type=Path, help="pola ruang layer (RTRW/RDTR)")
    s.add_argument("--zoning-mapping", type=Path, help="your district's zoning mapping TOML")
    s.add_argument("--rules", type=Path, help="rules TOML (default: the shipped rules)")
    s.add_argument("--tolerance", type=float, help="one tolerance in metres for every plot")
    s.add_argument("--out", type=Path, required=True, help="output folder (created if needed)")
    s.add_argument("--note", default=None, help="footnote on the map, e.g. 'Data contoh sintetis'")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _screen(args)
    except LahanGeoError as err:
        print(f"lahan-geo: {err}", file=sys.stderr)
        return 2


def _screen(args: argparse.Namespace) -> int:
    from lahan_geo.outputs import plot_overview, to_csv, to_excel, to_geojson, to_geopackage

    plots = pd.concat([read_plots(p) for p in args.plots], ignore_index=True)
    plots.attrs["lahan_geo"] = {"source_files": [str(p) for p in args.plots]}
    forest = read_forest_area(args.forest, scale=args.forest_scale) if args.forest else None
    zoning = read_zoning(args.zoning, mapping=args.zoning_mapping) if args.zoning else None
    result = screen(plots, forest=forest, zoning=zoning, rules=args.rules,
                    tolerance_m=args.tolerance)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    protect = [p for p in (*args.plots, args.forest, args.zoning, args.rules) if p]
    written = [
        to_excel(result, out / "hasil_screening.xlsx", protect=protect),
        to_geopackage(result, out / "hasil_screening.gpkg", protect=protect,
                      layers={k: v for k, v in (("kawasan_hutan", forest),
                                                ("pola_ruang", zoning)) if v is not None}),
        to_geojson(result, out / "hasil_screening.geojson", protect=protect),
        to_csv(result, out / "hasil_screening.csv", protect=protect),
    ]
    map_path = out / "peta_ringkasan.png"
    plot_overview(result, forest=forest, zoning=zoning, path=map_path,
                  title="Hasil penyaringan lokasi gerai KDMP", note=args.note)
    written.append(map_path)
    counts = result["status"].value_counts()
    print(f"Screened {len(result)} plots from {len(args.plots)} file(s).")
    for status in STATUSES:
        print(f"  {status:<16} {int(counts.get(status, 0)):>5}  {STATUS_LABELS_ID[status]}")
    print("Wrote:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
