# Set-up and everyday jobs. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: .venv dev demo test lint bench bench-fusion clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[dev,bench]"
	touch $@ $(VENV)/.run-installed $(VENV)/.dev-installed

# The package with everything every CLI command needs.
.venv: $(VENV)/.run-installed

dev: $(VENV)/.dev-installed

DEMO_INPUTS := examples/caucasus/opensky_states.csv examples/caucasus/drones.gpx \
	examples/caucasus/helicopter.kml $(wildcard examples/traffic/*.json.gz)

demo: .venv
	$(BIN)/airwitness crossings $(DEMO_INPUTS) --table
	$(BIN)/airwitness crossings examples/radar/plots.ast --date 2025-06-16 \
	    --sensors examples/radar/sensors.csv --table
	$(BIN)/airwitness verify examples/caucasus/case.yaml -o out/caucasus
	$(BIN)/airwitness verify examples/fusion/case.yaml -o out/fusion

lint: dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

# Browser tests need Debian's headless Chromium and Firefox ESR; install them when we
# can (root with apt-get, as on CI), otherwise those tests are skipped with a reason.
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v firefox-esr >/dev/null 2>&1; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq chromium firefox-esr >/dev/null) \
	  || echo "chromium/firefox-esr not installed: browser tests will be skipped"; }

# pytest on every core, up to 4 (pytest-xdist; engine tests start processes of their own), each
# test file whole in one worker: module fixtures are built once, a file's tests run in order.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(4, os.cpu_count() or 1))")

test: dev browser
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# Side-by-side benchmarks (minutes each; results go to BENCHMARKS.md by hand).
bench: $(VENV)/.bench-installed
	$(BIN)/python bench/label.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/store_ingest.py --sizes 1000000
	$(BIN)/python bench/crossings.py --reports 10000000
	$(BIN)/python bench/watch.py
	$(MAKE) bench-fusion

# Fusion across sensors against Stone Soup's track-to-track association (~8 min CPU).
bench-fusion: $(VENV)/.bench-installed
	$(BIN)/python bench/fusion.py
	$(BIN)/python bench/fusion_engines.py
	$(BIN)/python bench/watch_association.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
