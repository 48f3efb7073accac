# The two commands of README.md: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Where the local editor's notices go (the console, with EMAIL_URL unset): `make run` sets it.
EDITOR_EMAIL ?= editor@localhost
MIN_PYTHON := 3.12

.PHONY: run test lint format setup python-version bench intake-report bench-intake

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "The claim registry needs Python $(MIN_PYTHON) or newer (Django 6), but '$(PYTHON)' is" \
	       "$$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "Install Python 3.13 (the version in .python-version; pyenv picks it up) or run" \
	       "'make PYTHON=/path/to/python3.13 ...'."; \
	  exit 1; }

$(VENV)/.installed: requirements.txt requirements-dev.txt | python-version
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_registry
	$(PY) manage.py flag_due_claims
	@DEBUG=$${DEBUG:-1} $(PY) manage.py create_editor editor --password-file var/editor-password \
	  --email "$(EDITOR_EMAIL)" | sed 's|^|Sign in to http://127.0.0.1:$(PORT)/admin/ as an editor: |'
	@echo "Starting three processes (Procfile); Ctrl-C stops all three:"
	@echo "  web    - the site on http://127.0.0.1:$(PORT)/ (editors: /admin/)"
	@echo "  worker - Celery worker running the jobs; queue: $${REDIS_URL:+Redis at REDIS_URL}$${REDIS_URL:-files in var/broker/}"
	@echo "  beat   - Celery beat, the schedule (state in var/celerybeat-schedule; see /admin/claims/job/)"
	WEB_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

# axe-core for the browser tests, pinned by package-lock.json. Without npm the browser tests
# skip locally (and fail under CI, which installs npm first).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests will be skipped."; fi

test: setup node_modules/.package-lock.json
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The performance benchmark (docs/performance.md, "How to reproduce"): reader pages and API reads,
# cached and uncached, against /healthz, on PostgreSQL + Redis and on SQLite + the local-memory
# cache, then the flagging ratio on each; needs PostgreSQL, Redis and wrk; 10-12 minutes, plus
# the first build of each database. BENCH_DATABASE_URL names the PostgreSQL server; BENCH_ARGS
# e.g. "--rebuild", "--only sqlite", "--duration 10", "--skip-flagging". BENCH_SERVE_DB,
# BENCH_SQLITE_PATH, BENCH_REDIS_DB and BENCH_FLAGGING_DB (environment) name what it uses.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: setup
	@command -v wrk >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/serve.py $(BENCH_ARGS)

# The article intake on the seed articles: recall and precision per article (issue 13).
intake-report: setup
	$(PY) manage.py intake_report $(INTAKE_REPORT_ARGS)

# How long proposing claims for a 20,000-character article takes (bench/intake.py).
bench-intake: setup
	$(PY) bench/intake.py
