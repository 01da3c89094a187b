# The two commands: `make run` (dashboard on the seeded local Neo4j) and `make test`.
# Both work from a fresh clone: they create .venv, install what they need and
# start (and for tests, stop) their own Neo4j server.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-unit test-full test-reliability docs venv browser lint db-start db-stop clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

run: venv
	$(BIN)/explorer db start
	$(BIN)/explorer load seeds
	$(BIN)/explorer load sipri seeds/sipri/sipri-extract.csv
	$(BIN)/explorer app --port $(PORT)

# pytest starts a throwaway Neo4j (own data directory, free port) and stops it
# at the end, pass or fail; the `make run` database is never touched. The shared
# graph is the seeds + the shipped SIPRI extract: nothing beside the clone needed.
# (pyproject.toml's addopts leave out the reliability and full_export tests.)
# TEST_WORKERS pytest processes (pytest-xdist) share the test files, whole files
# each; every worker starts its own Neo4j, so the workers never see each other's
# writes. The browser tests spend most of their time waiting on the page, so two
# workers on two cores overlap that wait with the other tests' work.
TEST_WORKERS ?= 2
test: venv browser
	$(BIN)/ruff check explorer tests
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=10

# The edit loop: the tests that need no server (no Neo4j, no browser), in seconds.
test-unit: venv
	$(BIN)/pytest -m unit

# The tests whose facts only the full shared SIPRI export holds (../shared beside
# the clone, as in CI); without it they are skipped, each saying why.
test-full: venv browser
	$(BIN)/pytest -m full_export

# The long checks: fuzzing the parsers, kill and fault tests, the load test, the
# benchmarks (the load benchmark's py2neo baseline: the `bench` extra), the wheel
# installed outside the checkout.
test-reliability: venv browser $(VENV)/.bench-installed
	$(BIN)/pytest -m reliability

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $@

# The manual (docs/) as a static site in site/; --strict: a broken link fails.
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lint: venv
	$(BIN)/ruff check explorer tests

db-start: venv
	$(BIN)/explorer db start

db-stop: venv
	$(BIN)/explorer db stop

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts site build dist *.egg-info
