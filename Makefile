# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## start the app on the embedded demo Xero
	$(BIN)/xerosync-desktop --demo

test: $(STAMP)  ## lint, then the whole test suite (headless)
	$(BIN)/ruff check xerosync_desktop tests packaging bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP)  ## the 10,000-client sync (calls, CPU, memory, GUI stalls); a 100,000-row client file
	$(BIN)/python bench/sync_scale.py
	$(BIN)/python bench/load_scale.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
