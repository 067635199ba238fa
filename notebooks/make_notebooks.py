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


def write(name: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    write("01_quickstart.ipynb", QUICKSTART)
