# Everything a fresh machine needs is installed from nothing by these targets.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
# mkdocs-material prints a notice about a future MkDocs on every build; it is not ours.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help venv test demo schema docs docs-gen bench fuzz lint typecheck clean redis-server

help:
	@echo "make demo    build, lint and send a flow against the local fake API"
	@echo "make test    tests, type checks, lint and drift checks"
	@echo "make schema  regenerate schema/exoml.xsd and docs/verbs.md from the catalogue"
	@echo "make docs    build the documentation site (strict)"
	@echo "make bench   side-by-side benchmarks"
	@echo "make fuzz    long differential and coverage-guided fuzzing campaign"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

test: $(STAMP)
	@command -v redis-server >/dev/null 2>&1 || $(MAKE) --no-print-directory redis-server
	$(PY) -m ruff check exoml tests bench examples
	$(PY) -m ruff format --check exoml tests bench examples
	$(PY) -m mypy --strict exoml tests
	$(PY) -m exoml._generate --check
	$(PY) -m pytest -q -p no:cacheprovider
	$(PY) -m mkdocs build --strict --quiet --site-dir .venv/site

# The event tests start a private redis-server (tests/events/conftest.py); install it when
# missing, as .ci/run does. Without it those tests are skipped, and fail under CI=true.
redis-server:
	@echo "make test: installing redis-server for the event receiver's tests"
	@(apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1 \
	  || echo "make test: could not install redis-server (Debian: apt-get install redis-server)"

demo: $(STAMP)
	$(PY) examples/demo.py

schema: $(STAMP)
	$(PY) -m exoml._generate

docs: $(STAMP)
	$(PY) -m exoml._generate --check
	$(PY) -m mkdocs build --strict

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@command -v xmllint >/dev/null 2>&1 || echo "bench: xmllint not found (Debian: apt-get install libxml2-utils); its rows will say 'not available'"
	$(PY) bench/run.py $(BENCH_ARGS)

fuzz: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,fuzz]' || echo "atheris did not install: its part of the campaign is skipped"
	$(PY) tests/fuzz/campaign.py --report=docs/reliability.md $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) site dist build .mypy_cache .ruff_cache .pytest_cache .hypothesis
