# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install run test lint format fixtures lock clean bench-search

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes, so every install is the same.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddata fixtures/*.json
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Search timings at 100,000 generated releases on SQLite and PostgreSQL (see docs/benchmarks.md).
bench-search: install
	$(BIN)/python benchmarks/search.py $(BENCH_ARGS)

fixtures: install
	$(BIN)/python manage.py build_fixtures

# Re-resolve the dependency ranges in pyproject.toml into exact versions.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^press-archive' > requirements.lock
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
