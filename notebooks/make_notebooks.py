"""Write the notebooks from their cells (kept here so diffs stay readable)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

QUICKSTART = [
    new_markdown_cell(
        "# lahan_geo quickstart\n\n"
        "Screen the synthetic Seruyan-like sample (`../sample_data`, see its README: "
        "synthetic, not legal data) against the forest estate, the spatial plan and the "
        "RDTR coverage, and read the land status of each plot."
    ),
    new_code_cell(
        "from pathlib import Path\n\n"
        "import lahan_geo as lg\n"
        "from lahan_geo.statuses import STATUS_LABELS_ID\n\n"
        "SAMPLE = Path('..') / 'sample_data'\n"
        "plots = lg.read_plots(SAMPLE / 'seruyan_plots.csv')\n"
        "plots[['plot_id', 'desa', 'lintang', 'bujur', 'land_status', 'land_title_class',\n"
        "       'input_problem']].head(8)"
    ),
    new_markdown_cell("Which columns were recognized, and which rows cannot be used:"),
    new_code_cell(
        "print(plots.attrs['lahan_geo']['columns'])\n"
        "plots.loc[plots.input_problem.notna(), ['plot_id', 'source_row', 'input_problem']]"
    ),
    new_markdown_cell(
        "The legal layers. The forest layer keeps its decree fields; the load report says "
        "what was repaired and what is unknown. The RDTR layer outlines the detailed plans "
        "integrated in OSS: it decides the KKPR route."
    ),
    new_code_cell(
        "forest = lg.read_forest_area(SAMPLE / 'kawasan_hutan.gpkg')\n"
        "zoning = lg.read_zoning(SAMPLE / 'pola_ruang.gpkg')\n"
        "rdtr = lg.read_rdtr(SAMPLE / 'rdtr_terintegrasi.gpkg')\n"
        "report = forest.attrs['lahan_geo']\n"
        "print('repairs:', report['repairs'], '| tolerance (m):', report['tolerance_m'],\n"
        "      '| functions:', report['functions'])\n"
        "print('zone names the mapping does not know:', zoning.attrs['lahan_geo']['unknown_values'])"
    ),
    new_code_cell(
        "result = lg.screen(plots, forest=forest, zoning=zoning, rdtr=rdtr)\n"
        "assert len(result) == len(plots)\n"
        "result['status'].map(STATUS_LABELS_ID).value_counts()"
    ),
    new_markdown_cell("Every plot that is not clear, with what it needs, from whom, and why:"),
    new_code_cell(
        "not_clear = result[result.status != 'clear']\n"
        "not_clear[['plot_id', 'status', 'forest_function', 'zone_class', 'land_title_class',\n"
        "           'rules', 'clearances_id', 'agencies_id']]"
    ),
    new_code_cell("print(not_clear.iloc[0]['reason_id'])"),
    new_markdown_cell("How many letters go to each office:"),
    new_code_cell("lg.summarize(result, by='office')"),
    new_markdown_cell("The workbook to submit and an overview map, written to `./hasil/`:"),
    new_code_cell(
        "out = Path('hasil')\n"
        "out.mkdir(exist_ok=True)\n"
        "lg.to_excel(result, out / 'hasil_screening.xlsx')\n"
        "fig = lg.plot_overview(result, forest=forest, zoning=zoning,\n"
        "                       path=out / 'peta_ringkasan.png', note='Data contoh sintetis')\n"
        "print('written to', out.resolve())"
    ),
]

WALKTHROUGH = [
    new_markdown_cell(
        "# Kabupaten Seruyan: from the plot list to the documents officials receive\n\n"
        "The district reported 31 plots ready and named land legality and villages inside "
        "the forest estate as the obstacles. This walkthrough uses the synthetic "
        "Seruyan-like sample (`../sample_data`, see its README: synthetic, not legal data)."
        "\n\n1. your files\n2. screening\n3. how the route is decided, one plot per "
        "kind of answer\n4. letters per office\n5. where else the outlet could stand\n"
        "6. maps\n7. the workbook, GIS files and the dossier"
    ),
    new_markdown_cell(
        "## 1. Your files\n\nPut your district's plot list (CSV or Excel, coordinates in "
        "any common writing, a `status lahan` column if you have one) and layers in place "
        "of the sample paths below; everything else runs as it is. Results go to "
        "`./hasil/`."
    ),
    new_code_cell(
        "from pathlib import Path\n\n"
        "import pandas as pd\n"
        "from IPython.display import Image, display\n\n"
        "import lahan_geo as lg\n"
        "from lahan_geo.statuses import STATUS_LABELS_ID\n\n"
        "SAMPLE = Path('..') / 'sample_data'\n"
        "PLOT_LIST = SAMPLE / 'seruyan_plots.csv'      # <- your plot list\n"
        "FOREST = SAMPLE / 'kawasan_hutan.gpkg'        # <- forest-estate map (KWSHUTAN)\n"
        "ZONING = SAMPLE / 'pola_ruang.gpkg'           # <- RTRW pola ruang\n"
        "RDTR = SAMPLE / 'rdtr_terintegrasi.gpkg'      # <- RDTRs integrated in OSS, or None\n"
        "VILLAGES = SAMPLE / 'seruyan_desa.gpkg'       # <- village boundaries, or None\n"
        "OUT = Path('hasil')\n"
        "OUT.mkdir(exist_ok=True)\n"
        "print('results go to', OUT.resolve())"
    ),
    new_code_cell(
        "plots = lg.read_plots(PLOT_LIST)\n"
        "print('columns recognized:', plots.attrs['lahan_geo']['columns'])\n"
        "plots.loc[plots.input_problem.notna(), ['plot_id', 'source_row', 'input_problem_id']]"
    ),
    new_code_cell(
        "forest = lg.read_forest_area(FOREST)\n"
        "zoning = lg.read_zoning(ZONING)\n"
        "rdtr = lg.read_rdtr(RDTR) if RDTR else None\n"
        "for name, layer in (('forest', forest), ('zoning', zoning)):\n"
        "    info = layer.attrs['lahan_geo']\n"
        "    print(name, '| features', info['features'], '| repairs', info['repairs'],\n"
        "          '| tolerance', info['tolerance_m'], 'm | unknown', info.get('unknown_values'))"
    ),
    new_markdown_cell("## 2. Screening"),
    new_code_cell(
        "result = lg.screen(plots, forest=forest, zoning=zoning, rdtr=rdtr)\n"
        "shown = result.assign(status_id=result.status.map(STATUS_LABELS_ID),\n"
        "                      izin=result.clearances_id.map('; '.join),\n"
        "                      instansi=result.agencies_id.map('; '.join))\n"
        "with pd.option_context('display.max_colwidth', None, 'display.max_rows', 100):\n"
        "    display(shown[['plot_id', 'status_id', 'forest_function', 'zone_name',\n"
        "                   'land_status', 'izin', 'instansi']])"
    ),
    new_code_cell(
        "unknown = result.attrs['lahan_geo'].get('unknown_land_status_values')\n"
        "print('land-status values the mapping does not know:', unknown)\n"
        "lg.summarize(result, by='kecamatan')"
    ),
    new_markdown_cell(
        "## 3. Which route, from which office\n\n"
        "Each plot's answer combines the forest-estate map, the spatial plan and the land "
        "status; the most severe part decides the status.\n\n"
        "* **Forest estate.** HK: no route, relocate (F1). HL, HP, HPT: a PPKH, from the "
        "Minister (Ditjen Planologi Kehutanan, prepared with the BPKH) or, for "
        "non-commercial public facilities up to 5 ha, the governor; whether an outlet "
        "qualifies is marked unconfirmed (F2, F3). HPK: release to APL or a PPKH (F4).\n"
        "* **Spatial plan.** Every building needs a KKPR: a *Konfirmasi* where an RDTR "
        "integrated in OSS covers the plot (K1), a *Persetujuan* assessed against the "
        "RTRW elsewhere, which can be refused (K2); without an RDTR layer the reason says "
        "so (K3). Protected farmland (LP2B) is not permitted unless the programme is a "
        "PSN or public interest, and then needs replacement land (Z3, Z3e, Z3u).\n"
        "* **Land status.** A certified village asset or a deeded grant is clear (T1, "
        "T5); an uncertified village asset, a BMD or BMN asset or private land without a "
        "PPAT deed needs a step first (T2, T3, T4, T6); disputed land is not permitted "
        "(T7); blank or unrecognized values are verify (T8, T9).\n\n"
        "One plot for each kind of answer (the KKPR and LP2B rows are screened again "
        "without the RDTR layer and with the PSN switch on):"
    ),
    new_code_cell(
        "no_rdtr = lg.screen(plots, forest=forest, zoning=zoning)\n"
        "psn = lg.screen(plots, forest=forest, zoning=zoning, rdtr=rdtr,\n"
        "                programme=lg.Programme(psn=True))\n"
        "CASES = [\n"
        "    ('Hutan konservasi (HK)', result, 'SRY-030'),\n"
        "    ('Hutan lindung (HL)', result, 'SRY-031'),\n"
        "    ('Hutan produksi terbatas (HPT)', result, 'SRY-023'),\n"
        "    ('HP yang dapat dikonversi (HPK)', result, 'SRY-019'),\n"
        "    ('KKPR, di dalam RDTR', result, 'SRY-001'),\n"
        "    ('KKPR, di luar RDTR', result, 'SRY-003'),\n"
        "    ('KKPR, tanpa lapisan RDTR', no_rdtr, 'SRY-003'),\n"
        "    ('LP2B, PSN tidak', result, 'SRY-006'),\n"
        "    ('LP2B, PSN ya', psn, 'SRY-006'),\n"
        "    ('Aset desa bersertifikat', result, 'SRY-009'),\n"
        "    ('Aset desa belum bersertifikat', result, 'SRY-007'),\n"
        "    ('Aset Pemda (BMD)', result, 'SRY-002'),\n"
        "    ('Aset negara (BMN)', result, 'SRY-023'),\n"
        "    ('Hibah dengan akta PPAT', result, 'SRY-005'),\n"
        "    ('Tanah warga tanpa akta', result, 'SRY-008'),\n"
        "    ('Sengketa', result, 'SRY-014'),\n"
        "    ('Status lahan kosong', result, 'SRY-021'),\n"
        "    ('Status lahan tidak dikenali', result, 'SRY-013'),\n"
        "]\n"
        "rows = []\n"
        "for case, res, pid in CASES:\n"
        "    r = res.set_index('plot_id').loc[pid]\n"
        "    rows.append({'kasus': case, 'lahan': pid, 'status': STATUS_LABELS_ID[r.status],\n"
        "                 'aturan': ', '.join(r.rules), 'izin': '; '.join(r.clearances_id),\n"
        "                 'instansi': '; '.join(r.agencies_id)})\n"
        "with pd.option_context('display.max_colwidth', None):\n"
        "    display(pd.DataFrame(rows).set_index('kasus'))"
    ),
    new_markdown_cell(
        "## 4. How many letters go to each office\n\nA plot counts once under every "
        "office its rules name."
    ),
    new_code_cell("lg.summarize(result, by='office')"),
    new_markdown_cell(
        "## 5. Where else could the outlet stand?\n\nFor every plot that is not clear, "
        "up to three 20 x 30 m sites in the same village that would screen clear on the "
        "maps (the land status of a new site is not known), each verified by screening "
        "it again; where there is none, the reason. A plot held back only by its land "
        "status gets its own spot back (0 m): there the next step is the land, not a "
        "move."
    ),
    new_code_cell(
        "candidates = lg.suggest_sites(result, forest=forest, zoning=zoning, within=VILLAGES)\n"
        "moved = candidates[candidates.plot_id.isin(['SRY-017', 'SRY-024', 'SRY-020'])]\n"
        "moved[['plot_id', 'candidate', 'distance_m', 'desa', 'reason_id']]"
    ),
    new_markdown_cell(
        "## 6. Maps\n\nThe overview map (with the village boundaries and the sources), "
        "one detail map, and the interactive map, which works offline."
    ),
    new_code_cell(
        "overview = OUT / 'peta_ringkasan.png'\n"
        "fig = lg.plot_overview(result, forest=forest, zoning=zoning, candidates=candidates,\n"
        "                       within=VILLAGES, path=overview, note='Data contoh sintetis')\n"
        "fig.clf()  # shown once, from the file\n"
        "display(Image(filename=overview, width=700, alt='Peta ringkasan'))"
    ),
    new_code_cell(
        "details = lg.plot_details(result, forest=forest, zoning=zoning, candidates=candidates,\n"
        "                          within=VILLAGES, out_dir=OUT / 'peta_detail')\n"
        "print(len(details), 'detail maps in', (OUT / 'peta_detail').resolve())\n"
        "one = next(p for p in details if 'SRY-016' in p.name)\n"
        "display(Image(filename=one, width=600, alt='Peta detail SRY-016'))"
    ),
    new_code_cell(
        "interactive = lg.explore(result, forest=forest, zoning=zoning, candidates=candidates,\n"
        "                         title='Penyaringan lahan KDMP (data contoh sintetis)')\n"
        "interactive.save(OUT / 'peta_interaktif.html')\n"
        "interactive"
    ),
    new_markdown_cell(
        "## 7. The workbook, the GIS files and the dossier\n\nThe workbook prints on "
        "A4 landscape; the GeoPackage opens styled in QGIS; the dossier is one PDF with a "
        "cover, the overview map and one page per plot that is not clear."
    ),
    new_code_cell(
        "lg.to_excel(result, OUT / 'hasil_screening.xlsx', candidates=candidates,\n"
        "            detail_maps=details)\n"
        "lg.to_geopackage(result, OUT / 'hasil_screening.gpkg')\n"
        "dossier = lg.to_dossier(result, OUT / 'dokumen_penyaringan.pdf', forest=forest,\n"
        "                        zoning=zoning, within=VILLAGES, candidates=candidates,\n"
        "                        note='Data contoh sintetis (bukan data resmi)')\n"
        "for path in sorted(OUT.iterdir()):\n"
        "    print(path.resolve())\n"
        "print('dossier:', dossier.resolve(), f'({dossier.stat().st_size // 1024} KB)')"
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
