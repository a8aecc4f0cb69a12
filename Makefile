# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# PYTHONDONTWRITEBYTECODE makes every Python start ~3x slower here without .pyc files.
unexport PYTHONDONTWRITEBYTECODE
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrate seed worker clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# One test process per core (pytest-xdist). Tests are handed out one by one in pytest-django's
# order, so each process runs its transactional tests (which empty the database, catalogue
# and all) after the others; the demo-seed tests stay in one process (an xdist_group), so the
# seed is made once. TEST_WORKERS=0: one process, as plain pytest.
TEST_WORKERS ?= auto
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

worker: install
	$(BIN)/celery -A mhsip worker --loglevel=info --without-mingle --without-gossip

clean:
	rm -rf $(VENV) var/*.sqlite3 var/static
