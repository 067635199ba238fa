r"""A printable PDF dossier of a screening run: :func:`to_dossier`.

The document an official attaches to a letter: a cover page (title, district, date,
rules version, counts per status, sources), the overview map, then one A4 page per
plot that is not clear — its map, coordinates, the rules that fired (unconfirmed ones
marked), the clearance, the office, the legal basis, alternative sites, and blank
review fields (Diperiksa oleh / Tanggal / Keputusan). Labels are Indonesian.

Drawn with matplotlib's PDF backend; the file carries no creation date, so the same
inputs on the same date give the same bytes.

Examples
--------
>>> import re, tempfile
>>> from pathlib import Path
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> result = gpd.GeoDataFrame(
...     {"plot_id": ["P1", "P2"], "status": ["needs_clearance", "clear"],
...      "rules": [["F2"], ["Z4"]], "reason_id": ["F2: Di hutan lindung.", "Z4: Aman."]},
...     geometry=[Point(112.3, -2.5), Point(112.4, -2.5)], crs="EPSG:4326")
>>> folder = Path(tempfile.mkdtemp())
>>> path = to_dossier(result, folder / "dossier.pdf", date="3 Desember 2026")
>>> path.read_bytes()[:5], len(re.findall(rb"/Type /Page\b", path.read_bytes()))
(b'%PDF-', 3)
>>> import shutil; shutil.rmtree(folder)

"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd

from lahan_geo.outputs._atomic import PathLike, atomic_path, check_output_path
from lahan_geo.outputs._draw import STATUS_COLOURS, degree_label, district_name, sources_line
from lahan_geo.outputs._labels import STATUS_ORDER, status_label
from lahan_geo.outputs._tabular import plain, provenance, valid_mask
from lahan_geo.outputs.details import (
    as_list,
    decisive_reason,
    draw_locator,
    draw_plot_map,
    map_text,
    plot_row,
    prepare_maps,
    sites_by_plot,
)
from lahan_geo.outputs.maps import date_label, map_subtitle, plot_overview

__all__ = ["DOSSIER_TITLE", "dossier_plots", "to_dossier"]

DOSSIER_TITLE = "Dokumen Penyaringan Lokasi Gerai Koperasi Desa/Kelurahan Merah Putih"
_A4 = (8.27, 11.69)
_WRAP = 105  # characters per line of body text at 8.5 pt on A4


def dossier_plots(result: gpd.GeoDataFrame) -> list[int]:
    """Return the row positions that get a page: every plot that is not clear, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> dossier_plots(pd.DataFrame({"status": ["clear", "verify", "invalid", None]}))
    [1, 2, 3]

    """
    return [i for i, s in enumerate(result["status"].tolist()) if plain(s) != "clear"]


def _footer(fig: Any, page: int, pages: int, day: str, version: str) -> None:
    fig.text(0.06, 0.015, f"Aturan versi {version} · dicetak {day}", fontsize=7,
             color="#555555")
    fig.text(0.94, 0.015, f"Halaman {page} dari {pages}", fontsize=7, color="#555555",
             ha="right")


def _new_page() -> Any:
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure

    fig = Figure(figsize=_A4)
    FigureCanvasPdf(fig)
    return fig


def _cover(result: gpd.GeoDataFrame, title: str, subtitle: str, sources: str,
           note: str | None) -> Any:
    fig = _new_page()
    meta = provenance(result)
    fig.text(0.5, 0.88, textwrap.fill(title, 52), ha="center", va="top", fontsize=17,
             fontweight="bold", linespacing=1.3)
    fig.text(0.5, 0.78, subtitle, ha="center", fontsize=12)
    counts = Counter(str(plain(s)) for s in result["status"].tolist())
    y = 0.68
    fig.text(0.12, y, "Ringkasan hasil penyaringan", fontsize=12, fontweight="bold")
    y -= 0.04
    for status in STATUS_ORDER:
        colour = STATUS_COLOURS.get(status, "#bdbdbd")
        fig.patches.append(_swatch(fig, 0.12, y - 0.004, colour))
        fig.text(0.16, y, status_label(status), fontsize=11)
        fig.text(0.80, y, f"{counts.get(status, 0)}", fontsize=11, ha="right")
        y -= 0.032
    fig.text(0.16, y, "Jumlah lahan", fontsize=11, fontweight="bold")
    fig.text(0.80, y, f"{len(result)}", fontsize=11, ha="right", fontweight="bold")
    y -= 0.06
    lines = [
        f"Versi aturan: {meta.get('rules_version', '-')}"
        + (f" — {meta['rules_title']}" if meta.get("rules_title") else ""),
        f"Versi lahan_geo: {meta.get('library_version', '-')}",
        sources,
        "Isi dokumen: peta ringkasan, lalu satu halaman untuk setiap lahan yang tidak "
        "berstatus Aman, dengan kolom pemeriksaan untuk petugas.",
        "Hasil ini adalah penyaringan awal berdasarkan data spasial; keputusan akhir ada "
        "pada instansi yang berwenang.",
    ]
    if note:
        lines.append(f"Catatan: {note}")
    fig.text(0.12, y, "\n".join(textwrap.fill(map_text(t), 90) for t in lines), va="top",
             fontsize=9, linespacing=1.5)
    return fig


def _swatch(fig: Any, x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 0.025, 0.016, transform=fig.transFigure, facecolor=colour,
                     edgecolor="black", linewidth=0.6)


def _rule_lines(rules: list[str], meta_rules: dict[str, dict[str, Any]]) -> tuple[
        list[str], list[str]]:
    """Return one line per fired rule and the lines of its unconfirmed parts."""
    lines, unconfirmed = [], []
    for rule in rules:
        info = meta_rules.get(rule, {})
        title = plain(info.get("title_id")) or plain(info.get("title_en")) or ""
        flag = "" if info.get("confirmed", True) else "  [BELUM TERKONFIRMASI]"
        lines.append(f"{rule} — {title}{flag}")
        if not info.get("confirmed", True):
            note = plain(info.get("note"))
            unconfirmed.append(f"{rule}: {note}" if note else f"{rule}: dasar aturan belum "
                                                               "dikonfirmasi")
    return lines, unconfirmed


def _coordinates(geom: Any) -> str:
    if geom is None or geom.is_empty:
        return "tidak ada lokasi yang dapat digunakan"
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return (f"{degree_label(point.y, 'lat')}, {degree_label(point.x, 'lon')} "
            f"({point.y:.6f}, {point.x:.6f}; WGS 84)")


def _plot_text(row: dict[str, Any], geom: Any, meta_rules: dict[str, dict[str, Any]],
               rule_status: dict[str, str], sites: Any) -> list[tuple[str, str]]:
    rules = as_list(row.get("rules"))
    status = str(plain(row.get("status")))
    reason = row.get("reason_id") if plain(row.get("reason_id")) is not None \
        else row.get("reason_en")
    rule_lines, unconfirmed = _rule_lines(rules, meta_rules)
    where = ", ".join(str(plain(row.get(c))) for c in ("desa", "kecamatan")
                      if plain(row.get(c)) is not None)
    clearances = as_list(row.get("clearances_id")) or as_list(row.get("clearances"))
    agencies = as_list(row.get("agencies_id")) or as_list(row.get("agencies"))
    legal = as_list(row.get("legal_basis"))
    if not legal:
        legal = [str(plain(meta_rules.get(r, {}).get("legal_basis"))) for r in rules
                 if plain(meta_rules.get(r, {}).get("legal_basis"))]
    problem = plain(row.get("input_problem_id")) or plain(row.get("input_problem"))
    items = [
        ("Koordinat", _coordinates(geom)),
        ("Desa / Kecamatan", where or "-"),
        ("Aturan yang berlaku", "\n".join(rule_lines) or "-"),
        ("Alasan", decisive_reason(reason, rules, status, rule_status) or "-"),
        ("Persetujuan yang diperlukan", "; ".join(clearances) or "-"),
        ("Instansi", "; ".join(agencies) or "-"),
        ("Dasar hukum", "; ".join(dict.fromkeys(legal)) or "-"),
    ]
    if problem:
        items.append(("Masalah data", str(problem)))
    line = sites.line() if sites is not None else None
    if line:
        items.append(("Lokasi alternatif", line.split(": ", 1)[-1]))
    items.append(("Belum terkonfirmasi", "\n".join(unconfirmed) if unconfirmed else
                  "tidak ada (semua aturan yang berlaku telah terkonfirmasi)"))
    return items


def _plot_page(row: dict[str, Any], geom: Any, valid: bool, layers: dict[str, Any],
               meta_rules: dict[str, dict[str, Any]], rule_status: dict[str, str],
               sites: Any, context: gpd.GeoSeries) -> Any:
    fig = _new_page()
    status = str(plain(row.get("status")))
    fig.text(0.06, 0.955, f"Lahan {map_text(row.get('plot_id'))}", fontsize=15,
             fontweight="bold", va="top")
    fig.text(0.94, 0.955, map_text(status_label(status)), fontsize=12, fontweight="bold",
             va="top", ha="right", color=STATUS_COLOURS.get(status, "#424242"))
    top = 0.5
    if valid:
        drawn = draw_plot_map(fig, (0.09, 0.52, 0.58, 0.40), row, geom, rule_status=rule_status,
                              sites=sites, writer="to_dossier", **layers)
        draw_locator(fig, (0.71, 0.76, 0.25, 0.16), drawn.crs, drawn.window, context,
                     layers.get("within"))
        fig.legend(handles=drawn.handles, title="Keterangan", loc="upper left",
                   bbox_to_anchor=(0.70, 0.735), fontsize=6.5, title_fontsize=7.5,
                   frameon=False, alignment="left")
    else:
        fig.text(0.5, 0.75, "Lahan ini tidak dapat dipetakan: lokasinya tidak dapat digunakan.",
                 ha="center", fontsize=11,
                 bbox={"facecolor": "#eeeeee", "edgecolor": "#9e9e9e", "pad": 8})
        top = 0.66
    y = top - 0.015
    for label, text in _plot_text(row, geom if valid else None, meta_rules, rule_status,
                                  sites):
        body = "\n".join(textwrap.fill(map_text(part), _WRAP - 25, max_lines=4,
                                       placeholder=" …") for part in text.split("\n"))
        fig.text(0.06, y, label, fontsize=8.5, fontweight="bold", va="top")
        fig.text(0.27, y, body, fontsize=8.5, va="top", linespacing=1.3)
        y -= 0.017 * (body.count("\n") + 1) + 0.006
    _review_fields(fig, min(y - 0.01, 0.2))
    return fig


def _review_fields(fig: Any, top: float) -> None:
    """Draw the blank fields the official fills in by hand."""
    from matplotlib.patches import Rectangle

    height = top - 0.05
    fig.patches.append(Rectangle((0.06, 0.05), 0.88, height, transform=fig.transFigure,
                                 facecolor="none", edgecolor="black", linewidth=0.8))
    fig.text(0.08, top - 0.012, "Pemeriksaan oleh petugas", fontsize=9, fontweight="bold",
             va="top")
    rows = ["Diperiksa oleh:  ____________________________   NIP: ________________",
            "Tanggal:  ______________________   Tanda tangan:  ________________________",
            "Keputusan:   ☐ Setuju   ☐ Perlu survei lapangan   ☐ Pindah lokasi   "
            "☐ Lainnya: ________",
            "Catatan:  ______________________________________________________________"]
    step = (height - 0.03) / len(rows)
    for i, text in enumerate(rows):
        fig.text(0.08, top - 0.035 - i * step, text, fontsize=8.5, va="top")


def to_dossier(
    result: gpd.GeoDataFrame,
    path: PathLike,
    *,
    forest: gpd.GeoDataFrame | None = None,
    zoning: gpd.GeoDataFrame | None = None,
    within: gpd.GeoDataFrame | PathLike | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    district: str | None = None,
    date: dt.date | str | None = None,
    note: str | None = None,
    protect: Iterable[PathLike] = (),
) -> Path:
    """Write the printable PDF dossier of a screening result.

    Parameters
    ----------
    result : geopandas.GeoDataFrame
        The result of ``lahan_geo.screen``.
    path : str or os.PathLike
        The PDF to write (atomically); must end in ``.pdf``.
    forest, zoning, within, candidates : geopandas.GeoDataFrame, optional
        (``within`` may be a path, as for ``screen``.)
        The layers drawn on the maps, as for :func:`~lahan_geo.outputs.plot_overview`
        and :func:`~lahan_geo.outputs.plot_details`.
    title : str, optional
        Title of the cover page.
    district : str, optional
        District name; otherwise the single ``kabupaten`` value of the plots/``within``.
    date : datetime.date or str, optional
        Date printed on every page (today when omitted).
    note : str, optional
        A note on the cover, e.g. ``"Data contoh sintetis"``.
    protect : iterable of path-like, default ()
        Paths never to overwrite (the inputs of the run).

    Returns
    -------
    pathlib.Path
        The file written: cover, overview map, then one page per plot that is not
        clear (invalid rows too, without a map), in row order.

    Raises
    ------
    InputError
        Not a screening result, or a bad ``path``.
    LayerError, CRSError
        A layer is not a GeoDataFrame, has no CRS, or the forest layer has no
        ``forest_function``.

    """
    from matplotlib.backends.backend_pdf import PdfPages

    target = check_output_path(path, (".pdf",), protect=protect)
    wgs84, forest, zoning, rule_status, within = prepare_maps(
        result, forest, zoning, 250.0, 100.0, "to_dossier", within)
    day = date_label(date)
    meta = provenance(wgs84)
    version = str(meta.get("rules_version") or "-")
    meta_rules = {str(r.get("id")): r for r in meta.get("rules") or [] if isinstance(r, dict)}
    sites = sites_by_plot(candidates, "to_dossier")
    positions = dossier_plots(wgs84)
    pages = 2 + len(positions)
    valid = valid_mask(wgs84.geometry)
    layers = {"forest": forest, "zoning": zoning, "within": within}
    with atomic_path(target) as tmp, PdfPages(tmp, metadata={
            "CreationDate": None, "Title": title or DOSSIER_TITLE, "Creator": "lahan_geo",
            "Subject": district_name(wgs84, within, district) or ""}) as pdf:
        figures = [
            _cover(wgs84, title or DOSSIER_TITLE, map_subtitle(wgs84, within, district, date),
                   sources_line(wgs84, within), note),
            plot_overview(wgs84, forest=forest, zoning=zoning, within=within,
                          candidates=candidates, figsize=_A4, district=district, date=date,
                          title="Peta ringkasan hasil penyaringan", note=note),
        ]
        for number, fig in enumerate(figures, start=1):
            _footer(fig, number, pages, day, version)
            pdf.savefig(fig)
        for number, position in enumerate(positions, start=3):
            row = plot_row(wgs84, position)
            fig = _plot_page(row, wgs84.geometry.array[position], bool(valid[position]), layers,
                             meta_rules, rule_status, sites.get(plain(row.get("plot_id"))),
                             wgs84.geometry)
            _footer(fig, number, pages, day, version)
            pdf.savefig(fig)
    return target
