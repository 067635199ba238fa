"""Time ``to_excel`` for N plots against pandas writing the same cells (issue #14).

    .venv/bin/python benchmarks/workbook.py            # 100,000 plots
    .venv/bin/python benchmarks/workbook.py 20000

The result is the output tests' six-plot result (tests/_result_factory.py: every
status, lists, Indonesian text, an invalid row) repeated to N rows with unique ids.
The comparison is ``DataFrame.to_excel(engine="xlsxwriter")`` of the very cells of
sheet ``Lahan`` (read back from the workbook just written). Never part of the tests.
"""

from __future__ import annotations

import copy
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _result_factory import make_result
from lahan_geo.outputs import to_excel


def main(n: int) -> None:
    """Print the seconds of both writers and their ratio."""
    base = make_result()
    big = pd.concat([base] * -(-n // len(base)), ignore_index=True).iloc[:n]
    big = gpd.GeoDataFrame(big, geometry="geometry", crs=base.crs)
    big["plot_id"] = [f"KDMP-{i:06d}" for i in range(n)]
    big["source_row"] = range(2, n + 2)
    big.attrs = copy.deepcopy(base.attrs)
    out = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    to_excel(big, out / "hasil.xlsx")
    ours = time.perf_counter() - start
    print(f"to_excel, {n:,} plots: {ours:.1f} s")

    from openpyxl import load_workbook

    rows = list(load_workbook(out / "hasil.xlsx", read_only=True)["Lahan"].iter_rows(
        values_only=True))
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    start = time.perf_counter()
    frame.to_excel(out / "pandas.xlsx", sheet_name="Lahan", index=False, engine="xlsxwriter")
    theirs = time.perf_counter() - start
    print(f"pandas to_excel(engine='xlsxwriter'), the same {frame.size:,} cells: "
          f"{theirs:.1f} s; to_excel / pandas = {ours / theirs:.2f} (target <= 2)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
