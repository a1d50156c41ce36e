# The two quickstart commands are `make demo` and `make test`; both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint fix typecheck pytest bench bench-extract bench-canonicalise bench-search \
	bench-daemon bench-dedup bench-scale bench-throughput clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m scraper.demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check scraper tests bench
	$(BIN)/ruff format --check scraper tests bench

fix: $(STAMP)
	$(BIN)/ruff check --fix scraper tests bench
	$(BIN)/ruff format scraper tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

# Each benchmark prints a table; they need PostgreSQL at 127.0.0.1:5432 where they use it.
bench: bench-extract bench-canonicalise bench-search bench-daemon bench-dedup bench-scale \
	bench-throughput

bench-extract: $(STAMP)
	$(BIN)/python -m bench.extraction

bench-canonicalise: $(STAMP)
	$(BIN)/python -m bench.canonicalise

bench-search: $(STAMP)
	$(BIN)/python -m bench.search

bench-daemon: $(STAMP)
	$(BIN)/python -m bench.daemon

bench-dedup: $(STAMP)
	$(BIN)/python -m bench.dedup

# Per-article store cost with 10,000 vs 1,000,000 articles archived (preloaded in PostgreSQL).
bench-scale: $(STAMP)
	$(BIN)/python -m bench.dedup.scale

bench-throughput: $(STAMP)
	$(BIN)/python -m bench.throughput

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
