"""Write the notebooks from their cells (kept here so diffs stay readable)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

QUICKSTART = [
    new_markdown_cell(
        "# lahan_geo quickstart\n\n"
        "Screen the synthetic Seruyan-like sample (`../sample_data`, see its README: "
        "synthetic, not legal data) against the forest estate and the spatial plan."
    ),
    new_code_cell(
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "import lahan_geo as lg\n\n"
        "SAMPLE = Path('..') / 'sample_data'\n"
        "plots = lg.read_plots(SAMPLE / 'seruyan_plots.csv')\n"
        "plots[['plot_id', 'desa', 'lintang', 'bujur', 'input_problem']].head(8)"
    ),
    new_markdown_cell("Which columns were recognized, and which rows cannot be used:"),
    new_code_cell(
        "print(plots.attrs['lahan_geo']['columns'])\n"
        "plots.loc[plots.input_problem.notna(), ['plot_id', 'source_row', 'input_problem']]"
    ),
    new_markdown_cell(
        "The legal layers. The forest layer keeps its decree fields; the load report says "
        "what was repaired and what is unknown."
    ),
    new_code_cell(
        "forest = lg.read_forest_area(SAMPLE / 'kawasan_hutan.gpkg')\n"
        "zoning = lg.read_zoning(SAMPLE / 'pola_ruang.gpkg')\n"
        "report = forest.attrs['lahan_geo']\n"
        "print('repairs:', report['repairs'], '| tolerance (m):', report['tolerance_m'],\n"
        "      '| functions:', report['functions'])\n"
        "print('zone names the mapping does not know:', zoning.attrs['lahan_geo']['unknown_values'])"
    ),
    new_code_cell(
        "result = lg.screen(plots, forest=forest, zoning=zoning)\n"
        "assert len(result) == len(plots)\n"
        "result['status'].value_counts()"
    ),
    new_markdown_cell("Every plot that is not clear, with what it needs, from whom, and why:"),
    new_code_cell(
        "not_clear = result[result.status != 'clear']\n"
        "not_clear[['plot_id', 'status', 'forest_function', 'zone_class', 'rules',\n"
        "           'clearances', 'agencies', 'boundary_distance_m']]"
    ),
    new_code_cell("print(not_clear.iloc[0]['reason_id'])"),
    new_markdown_cell("The workbook to submit and an overview map:"),
    new_code_cell(
        "out = Path(tempfile.mkdtemp())\n"
        "lg.to_excel(result, out / 'hasil_screening.xlsx')\n"
        "fig = lg.plot_overview(result, forest=forest, zoning=zoning,\n"
        "                       path=out / 'peta.png', note='Data contoh sintetis')\n"
        "sorted(p.name for p in out.iterdir())"
    ),
]

WALKTHROUGH = [
    new_markdown_cell(
        "# Kabupaten Seruyan: from a field team's workbook to the submitted screening\n\n"
        "The district reported 31 plots ready and named land legality and villages inside "
        "the forest estate as the obstacles. This walkthrough uses the synthetic "
        "Seruyan-like sample (`../sample_data`, see its README: synthetic, not legal data)."
        "\n\n1. the field team's messy workbook  2. the legal layers  3. screening  "
        "4. what to do about each flag: relocation candidates  5. a reviewer's decisions  "
        "6. next month's re-submission: what changed and why  7. the workbook to submit."
    ),
    new_markdown_cell(
        "## 1. The plot list as it arrives\n\nField teams write coordinates as they "
        "please. We rebuild the district's list the way it often arrives: a title row, "
        "Indonesian headers, degrees-minutes-seconds with LS/BT and decimal commas in "
        "one half, decimal degrees in the other."
    ),
    new_code_cell(
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "import pandas as pd\n\n"
        "import lahan_geo as lg\n"
        "from lahan_geo.intake.coordinates import format_coordinate\n\n"
        "SAMPLE = Path('..') / 'sample_data'\n"
        "WORK = Path(tempfile.mkdtemp())\n"
        "clean = pd.read_csv(SAMPLE / 'seruyan_plots.csv', dtype=str, keep_default_na=False)\n\n"
        "def messy(value, axis, row):\n"
        "    try:\n"
        "        degrees = float(value)\n"
        "    except ValueError:\n"
        "        return value  # blanks and 'belum disurvei' stay as the team wrote them\n"
        "    if row % 2:\n"
        "        return format_coordinate(degrees, axis, 'dms', hemisphere_style='indonesian',\n"
        "                                 decimal_comma=True)\n"
        "    return format_coordinate(degrees, axis, 'decimal', decimals=6, decimal_comma=True)\n\n"
        "field = pd.DataFrame({\n"
        "    'No': clean['no'], 'ID Lahan': clean['id_lahan'], 'Desa': clean['desa'],\n"
        "    'Kecamatan': clean['kecamatan'],\n"
        "    'Lintang': [messy(v, 'lat', i) for i, v in enumerate(clean['lintang'])],\n"
        "    'Bujur': [messy(v, 'lon', i) for i, v in enumerate(clean['bujur'])],\n"
        "    'Keterangan': clean['keterangan'],\n"
        "})\n"
        "book = WORK / 'usulan_lahan_gerai_seruyan.xlsx'\n"
        "with pd.ExcelWriter(book) as xl:\n"
        "    pd.DataFrame([['DAFTAR USULAN LAHAN GERAI KDMP KABUPATEN SERUYAN']]).to_excel(\n"
        "        xl, sheet_name='Usulan', header=False, index=False)\n"
        "    field.to_excel(xl, sheet_name='Usulan', startrow=2, index=False)\n"
        "field.head(4)"
    ),
    new_code_cell(
        "plots = lg.read_plots(book)\n"
        "print('columns recognized:', plots.attrs['lahan_geo']['columns'])\n"
        "assert len(plots) == len(field)  # nothing is lost\n"
        "plots.loc[plots.input_problem.notna(), ['plot_id', 'source_row', 'input_problem_id']]"
    ),
    new_markdown_cell("## 2. The legal layers, with their load reports"),
    new_code_cell(
        "forest = lg.read_forest_area(SAMPLE / 'kawasan_hutan.gpkg')\n"
        "zoning = lg.read_zoning(SAMPLE / 'pola_ruang.gpkg')\n"
        "desa = SAMPLE / 'seruyan_desa.gpkg'\n"
        "for name, layer in (('forest', forest), ('zoning', zoning)):\n"
        "    info = layer.attrs['lahan_geo']\n"
        "    print(name, '| features', info['features'], '| repairs', info['repairs'],\n"
        "          '| tolerance', info['tolerance_m'], 'm | unknown', info.get('unknown_values'))"
    ),
    new_markdown_cell("## 3. Screening"),
    new_code_cell(
        "result = lg.screen(plots, forest=forest, zoning=zoning)\n"
        "result"
    ),
    new_code_cell("lg.summarize(result, by='Kecamatan')"),
    new_markdown_cell(
        "## 4. Where else could the outlet stand?\n\nFor every plot that is not clear, "
        "up to three 20 x 30 m sites in the same village that would screen clear, each "
        "verified by screening it again; where there is none, the reason."
    ),
    new_code_cell(
        "candidates = lg.suggest_sites(result, forest=forest, zoning=zoning, within=desa)\n"
        "found = candidates[candidates.candidate > 0]\n"
        "recheck = lg.screen(lg.read_plots(found.assign(id_lahan=found.plot_id + '-alt'\n"
        "                                          + found.candidate.astype(str))),\n"
        "                    forest=forest, zoning=zoning)\n"
        "assert (recheck.status == 'clear').all()\n"
        "candidates[['plot_id', 'candidate', 'distance_m', 'desa', 'reason_id']].head(12)"
    ),
    new_markdown_cell("## 5. A reviewer's decisions, beside the computed status"),
    new_code_cell(
        "reviews = pd.DataFrame({\n"
        "    'id_lahan': ['SRY-017', 'SRY-021'],\n"
        "    'status_baru': ['clear', 'needs_clearance'],\n"
        "    'alasan': ['Cek lapangan BPKHTL: di luar batas HL (tata batas 2019)',\n"
        "               'BPKHTL: areal termasuk HP'],\n"
        "    'pemeriksa': ['Analis DPMD', 'Analis DPMD'],\n"
        "    'tanggal': ['2026-11-20', '2026-11-21'],\n"
        "})\n"
        "reviewed = lg.apply_review(result, reviews)\n"
        "reviewed.loc[reviewed.review_status.notna(),\n"
        "             ['plot_id', 'status', 'review_status', 'review_reason']]"
    ),
    new_markdown_cell(
        "## 6. Next month: the team moved two plots\n\nThe comparison says, per plot, "
        "what changed and why (input moved, a layer changed, the rules changed)."
    ),
    new_code_cell(
        "moved = plots.copy()\n"
        "for pid in ('SRY-016', 'SRY-020'):\n"
        "    alt = candidates[(candidates.plot_id == pid) & (candidates.candidate == 1)]\n"
        "    target = alt.geometry.iloc[0].centroid if len(alt) else None\n"
        "    if target is None:  # no clear site: the team moved it 300 m east\n"
        "        point = moved.loc[moved.plot_id == pid, 'geometry'].iloc[0]\n"
        "        target = type(point)(point.x + 0.0027, point.y)\n"
        "    moved.loc[moved.plot_id == pid, 'geometry'] = target\n"
        "next_month = lg.screen(moved, forest=forest, zoning=zoning)\n"
        "changes = lg.compare(result, next_month)\n"
        "changes[changes.change != 'unchanged']"
    ),
    new_markdown_cell("## 7. The workbook to submit, and the maps"),
    new_code_cell(
        "from openpyxl import load_workbook\n\n"
        "out = WORK / 'hasil'\n"
        "out.mkdir()\n"
        "maps = lg.plot_details(next_month, forest=forest, zoning=zoning, out_dir=out / 'peta_detail')\n"
        "book = lg.to_excel(lg.apply_review(next_month, reviews), out / 'hasil_screening.xlsx',\n"
        "                   candidates=candidates, compare_with=result, detail_maps=maps)\n"
        "lg.plot_overview(next_month, forest=forest, zoning=zoning, candidates=candidates,\n"
        "                 path=out / 'peta_ringkasan.png', note='Data contoh sintetis')\n"
        "print(load_workbook(book).sheetnames, len(maps), 'detail maps')"
    ),
]


def write(name: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    write("01_quickstart.ipynb", QUICKSTART)
    write("02_seruyan_walkthrough.ipynb", WALKTHROUGH)
