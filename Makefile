# The two commands of README.md: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MIN_PYTHON := 3.12

.PHONY: run test lint format setup python-version

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
	  | sed 's|^|Sign in to http://127.0.0.1:$(PORT)/admin/ as an editor: |'
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .
