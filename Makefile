# Samarbeidsportalen. `make help` lists the targets.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.DEFAULT_GOAL := help
.PHONY: help run test lint format assets lock check-deploy clean-db bench-data bench

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Locked, hash-checked installs; the stamp files re-run them only when a lock file changes.
$(VENV)/.runtime-installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime-installed

assets: $(VENV)/.runtime-installed ## Fetch Nav's design system CSS, fonts, htmx and axe-core (pinned, integrity-checked)
	$(BIN)/python -m portal.vendor_assets

run: $(VENV)/.runtime-installed assets ## Start the portal on http://127.0.0.1:8000 with worker and beat
	$(BIN)/python -m portal.launcher

test: $(VENV)/.dev-installed assets ## Run the whole test suite against PostgreSQL
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed ## Format and autofix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: ## Re-resolve requirements*.lock from pyproject.toml (needs uv)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

bench-data: $(VENV)/.dev-installed ## National-scale data for the benchmarks (own database; DATABASE_URL names the server)
	$(BIN)/python -m benchmarks.national_data $(BENCH_ARGS)

bench: $(VENV)/.dev-installed ## Every benchmark against the bench-data database; rewrites its section of docs/benchmarks.md
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python -m benchmarks.bench $(BENCH_ARGS)

check-deploy: $(VENV)/.runtime-installed ## manage.py check --deploy with production settings
	DJANGO_SETTINGS_MODULE=portal.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING

.PHONY: backup restore
backup: $(VENV)/.runtime-installed ## Back up the database (DATABASE_URL or embedded) and uploaded files to var/backups/
	$(BIN)/python manage.py backup $(if $(BACKUP_DIR),--destination $(BACKUP_DIR))

restore: $(VENV)/.runtime-installed ## Restore a backup: make restore BACKUP=var/backups/<file>.tar.gz (replaces everything)
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/<file>.tar.gz"; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)"
