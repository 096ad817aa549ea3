# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install system-packages run reset-demo serve test lint format fixtures lock backup restore bench bench-import bench-search reliability clean

# Chromium, npm and fonts for the tests (and RUM beside a local PostgreSQL), installed
# where this machine allows; otherwise it says in one line what to install.
system-packages:
	@sh tools/install-system-packages.sh $(PYTHON)

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes, so every install is the same.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# axe-core, injected by the browser tests to check accessibility. Without npm those
# checks skip (with a message) and the rest of the suite still runs.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser tests' accessibility checks will be skipped"; \
	fi

install: system-packages $(VENV)/.installed node_modules/.installed

# The demo data goes into an empty archive; afterwards only what is missing is added,
# so staff edits survive every `make run`.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py draw_demo_images
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Deletes every release (history and old addresses too) and every tag, then loads the
# demo afresh; it asks first. Staff accounts stay.
reset-demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --reset
	$(BIN)/python manage.py draw_demo_images

# The production configuration (gunicorn, whitenoise, DEBUG off) on this machine, over plain HTTP.
serve: install
	$(PROD_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD_ENV) $(BIN)/python manage.py migrate --noinput
	$(PROD_ENV) $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

PROD_ENV = DJANGO_ENV=production DJANGO_DEBUG=false DJANGO_SECURE_SSL_REDIRECT=false \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat .serve-secret 2>/dev/null || $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' | tee .serve-secret)}

# Page benchmark (gunicorn + wrk on PostgreSQL); BENCH_SIZE=1000000 for a million releases.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/pages.py

# 60 s load at 32 connections, then a PostgreSQL restart under load (see docs/reliability.md).
reliability: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/reliability.py

backup: install
	$(BIN)/python manage.py backup_database $(FILE)

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/archive-....sqlite3" && exit 2)
	$(BIN)/python manage.py restore_database $(FILE)

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

# Times import_releases at 10k and 100k releases on SQLite and on PostgreSQL
# (BENCH_POSTGRES_URL: a database it may drop and create); records docs/benchmarks.md.
bench-import: install
	$(BIN)/python benchmarks/bench_import.py

# Re-resolve the dependency ranges in pyproject.toml into exact versions.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^press-archive' > requirements.lock
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* staticfiles media test-artifacts
