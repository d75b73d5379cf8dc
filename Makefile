# The two commands of the quick start: `make demo` and `make test`. Each creates .venv when it
# is missing and installs incnet into it, so a fresh machine needs nothing but Python >= 3.10.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp is rebuilt when the project's requirements change.
STAMP  := $(VENV)/.incnet-installed
DOCS_STAMP := $(VENV)/.incnet-docs-installed
BENCH_STAMP := $(VENV)/.incnet-bench-installed

.PHONY: demo test docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,plot,progress]"
	touch $(STAMP)

$(DOCS_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	-$(BIN)/python -m pip install --quiet -e ".[bench]" || echo "some benchmark peers could not be installed; they will be skipped"
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/python -m incnet demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(DOCS_STAMP)
	rm -rf docs/reference/generated  # stubs are regenerated; stale ones hide new names
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	INCNET_DOCS_BUILT=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_docs_build.py

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf docs/_build docs/reference/generated build *.egg-info
