"""Counts per status (summarize) and the HTML block for notebooks (summary_html)."""

from __future__ import annotations

import pandas as pd
import pytest

from _result_factory import make_result
from lahan_geo.errors import InputError
from lahan_geo.outputs import summarize, summary_html
from lahan_geo.statuses import STATUSES


def test_overall_counts_in_severity_order() -> None:
    table = summarize(make_result())
    assert list(table.columns) == [*STATUSES, "total"]
    assert table.index.tolist() == ["all"]
    assert table.loc["all"].to_dict() == {
        "invalid": 1, "not_permitted": 1, "needs_clearance": 2, "verify": 1, "clear": 1,
        "total": 6,
    }
    assert all(str(dtype) == "int64" for dtype in table.dtypes)


def test_grouped_by_a_column_with_a_missing_value() -> None:
    result = make_result()
    result.loc[2, "kecamatan"] = None  # KDMP-003, not_permitted
    table = summarize(result, by="kecamatan")
    assert table.index.name == "kecamatan"
    assert table.index[:2].tolist() == ["Seruyan Hilir", "Seruyan Raya"]
    assert len(table) == 3 and (pd.isna(table.index[2]) or table.index[2] is None)
    assert table.loc["Seruyan Hilir"].tolist() == [0, 0, 1, 1, 1, 3]
    assert table.loc["Seruyan Raya"].tolist() == [1, 0, 1, 0, 0, 2]
    assert table.iloc[2].tolist() == [0, 1, 0, 0, 0, 1]
    assert table["total"].sum() == len(result)
    assert (table[list(STATUSES)].sum(axis=1) == table["total"]).all()


def test_grouped_by_two_columns_lists_only_existing_pairs() -> None:
    table = summarize(make_result(), by=["kecamatan", "desa"])
    assert table.index.names == ["kecamatan", "desa"]
    assert len(table) == 5  # 6 plots, two of them in Kuala Pembuang I
    assert table.loc[("Seruyan Hilir", "Kuala Pembuang I")].tolist() == [0, 0, 0, 1, 1, 2]


def test_a_status_outside_the_vocabulary_gets_its_own_column() -> None:
    result = make_result()
    result.loc[0, "status"] = "pending"
    table = summarize(result)
    assert list(table.columns) == [*STATUSES, "pending", "total"]
    assert table.loc["all", "pending"] == 1 and table.loc["all", "clear"] == 0


def test_unknown_group_column_names_the_available_ones() -> None:
    with pytest.raises(InputError) as err:
        summarize(make_result(), by="kabupaten")
    message = str(err.value)
    assert "'kabupaten'" in message and "'kecamatan'" in message and "'desa'" in message
    assert "'geometry'" not in message
    with pytest.raises(InputError, match="status"):
        summarize(pd.DataFrame({"plot_id": ["a"]}))
    with pytest.raises(InputError):
        summarize(make_result(), by=[])


def test_empty_result() -> None:
    empty = make_result().iloc[:0]
    assert summarize(empty).loc["all"].tolist() == [0] * 6
    assert summarize(empty, by="kecamatan").empty


def test_summary_html_counts_layers_and_versions() -> None:
    block = summary_html(make_result())
    assert block.startswith("<div") and block.endswith("</div>")
    for label, count in (("Data tidak valid", 1), ("Tidak diizinkan (pindah lokasi)", 1),
                         ("Perlu persetujuan", 2), ("Perlu verifikasi", 1),
                         ("Aman (lanjut KKPR)", 1)):
        assert f"{label}</td><td style=\"text-align:right;padding:1px 6px\">{count}<" in block
    assert block.index("Data tidak valid") < block.index("Perlu persetujuan") < block.index("Aman")
    assert "<b>6</b>" in block
    # file names only, not the analyst's folders
    assert "KWSHUTAN_AR_250K_kalteng.shp" in block and "/data/" not in block
    assert "rtrw_seruyan.gpkg" in block
    assert "skala 1:250.000" in block and "toleransi peta ± 125 m" in block
    assert "toleransi peta ± 25 m" in block
    assert "Aturan versi 2026.11.0" in block and "lahan_geo 0.1.0" in block


def test_summary_html_escapes_and_copes_without_provenance() -> None:
    result = make_result()
    meta = result.attrs["lahan_geo"]
    meta["layers"]["forest"]["path"] = "C:\\data\\hutan<img src=x onerror=alert(1)>.gpkg"
    meta["tolerance"]["override_m"] = 40.0
    block = summary_html(result)
    assert "<img" not in block and "hutan&lt;img src=x onerror=alert(1)&gt;.gpkg" in block
    assert "data" not in block.split("Lapisan")[1].split("</li>")[0].replace("hutan", "")
    assert "ditetapkan pengguna" in block and "± 40 m" in block
    bare = pd.DataFrame({"status": ["verify", "verify"]})
    block = summary_html(bare)
    assert "Tidak ada lapisan" in block and "Aturan versi -" in block
    with pytest.raises(InputError):
        summary_html([1, 2])
