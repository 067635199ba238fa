# Everything a fresh machine with only Python needs: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.PHONY: demo test lint bench sample-data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The demo screens the synthetic Seruyan-like sample (sample_data/README.md), with the
# RDTR coverage layer that decides the KKPR route (Konfirmasi inside, Persetujuan outside).
demo: $(STAMP)
	$(BIN)/lahan-geo screen sample_data/seruyan_plots.csv sample_data/seruyan_bidang.geojson \
		--forest sample_data/kawasan_hutan.gpkg --zoning sample_data/pola_ruang.gpkg \
		--rdtr sample_data/rdtr_terintegrasi.gpkg \
		--within sample_data/seruyan_desa.gpkg --suggest-sites \
		--out $(OUT) --note "Data contoh sintetis (bukan data resmi)"
	@echo "Open $(OUT)/hasil_screening.xlsx (workbook), $(OUT)/dokumen_penyaringan.pdf (dossier to"
	@echo "print) and $(OUT)/peta_interaktif.html (map, works offline)."

LINTED := src tests sample_data notebooks $(wildcard benchmarks)

test: $(STAMP)
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m ruff check $(LINTED)

# Speed and memory against PostGIS, naive sjoin and a bare shapely kernel
# (benchmarks/README.md). BENCH_ARGS=--quick for a run of a couple of minutes.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

sample-data: $(STAMP)
	$(BIN)/python sample_data/make_sample_data.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
