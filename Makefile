# Everything a fresh clone needs: `make demo` and `make test` set themselves up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate check-generated update-schema lint typecheck test test-quick docs demo bench release-check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[testing,cli,mcp,dask]' --group dev
	touch $(STAMP)

generate: $(STAMP)
	$(PY) scripts/generate.py

check-generated: $(STAMP)
	$(PY) scripts/generate.py --check

# make update-schema            fetch the live schema
# make update-schema FROM=x.json  take it from a file
# make update-schema ARGS=--dry-run  report only
update-schema: $(STAMP)
	$(PY) scripts/update_schema.py $(if $(FROM),--from $(FROM)) $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy --strict sume_async scripts

test: check-generated lint typecheck
	$(PY) -m pytest

# The suite without the longest proofs (marked slow in tests/conftest.py), for the other
# supported Pythons: make test-quick PYTHON=python3.12 VENV=.venv-3.12 (what .ci/run does).
test-quick: $(STAMP)
	$(PY) -m pytest -m "not slow"

# The API reference and guides as a static site in site/ (git-ignored); warnings fail the build.
# `make test` builds it too (tests/docs/test_api_reference.py).
docs: $(STAMP)
	$(PY) -m mkdocs build --strict --site-dir site

demo: $(STAMP)
	$(PY) examples/batch_pipeline.py

bench: $(STAMP)
	$(PY) -m benchmarks

# Build the sdist and wheel, check them (twine, contents), install the wheel alone into a fresh
# venv and run, from outside the checkout, the import, `sume-async --version` and the quick start
# against the mock server.
RELEASE_VENV := build/release-venv
release-check: $(STAMP)
	rm -rf dist $(RELEASE_VENV)
	$(PY) -m build --no-isolation --outdir dist .
	$(PY) -m twine check --strict dist/*
	$(PY) scripts/release_check.py dist
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install -q "$$(ls dist/*.whl)[cli,testing]"
	$(PY) scripts/release_check.py dist --venv $(RELEASE_VENV)

clean:
	rm -rf $(VENV) .venv-3.* dist build site .mypy_cache .ruff_cache .pytest_cache
