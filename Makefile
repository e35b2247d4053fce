# KPI Desk — set-up, run, test, benchmark. Everything runs in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench translations clean installer installer-test

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kpidesk

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/lint-imports
	$(BIN)/ruff check kpidesk tests benchmarks installer scripts
	$(BIN)/ruff format --check kpidesk tests benchmarks installer scripts
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check kpidesk tests benchmarks installer scripts
	$(BIN)/ruff format --check kpidesk tests benchmarks installer scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# Babel extracts the marked strings and updates resources/translations/fr.po (scripts/update_translations.py).
translations: $(STAMP)
	$(BIN)/python scripts/update_translations.py

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info benchmarks/.cache

# --- Installer (installer/README.md) ---------------------------------------------------------------
# PyInstaller runs in its own venv, build/venv: KPI Desk installed there as a wheel would install it
# (PyInstaller does not find the editable install of .venv, which goes through an import hook), with
# the run-time dependencies only, so none of the test tools can slip into the bundle.
BUILD_VENV := build/venv
BUILD_STAMP := $(BUILD_VENV)/.installed

$(BUILD_STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BUILD_VENV)/bin/python || $(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install --quiet --upgrade pip "setuptools>=68" wheel
	$(BUILD_VENV)/bin/python -m pip install --quiet ".[installer]"
	touch $(BUILD_STAMP)

installer: $(BUILD_STAMP)
	$(BUILD_VENV)/bin/python installer/build.py

installer-test: $(STAMP)
	$(BIN)/python installer/smoke_test.py --source-python $(BIN)/python
