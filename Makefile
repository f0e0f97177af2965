# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package package-test clean

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

# Release builds: `make package`, then `make package-test` (not part of `make test` or CI).
PACKAGE_STAMP := $(VENV)/.packaging

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)  ## dist/xerosync-desktop/ (PyInstaller); on Linux also the .tar.gz and .deb
	$(BIN)/python packaging/icons.py build/icons
	rm -rf dist/xerosync-desktop
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/xerosync-desktop.spec
	@if [ "$$(uname -s)" = Linux ]; then $(BIN)/python packaging/linux/build_packages.py; fi

package-test: $(STAMP)  ## run the built bundle: CLI, demo sync, window, keyring, size, start-up time
	$(BIN)/python packaging/package_test.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
