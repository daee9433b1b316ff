# rippledesk: the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export RIPPLEDESK_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test venv dev-venv lint typecheck unit test-postgres bench screenshots clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## demo: install, migrate, load the bundled real sample, serve on http://127.0.0.1:$(PORT)
demo: venv
	@mkdir -p "$(RIPPLEDESK_DATA_DIR)"
	$(BIN)/rippledesk migrate --noinput -v0
	$(BIN)/rippledesk demo --port $(PORT)
	$(BIN)/rippledesk serve --port $(PORT)

## test: lint, type-check, and run every test on SQLite and on a throwaway PostgreSQL
test: dev-venv
	./scripts/ensure-test-services.sh
	# Autovacuum off in the throwaway cluster: the query-plan tests (tests/test_partial_indexes.py)
	# assume never-analysed tables, and an autoanalyze between tests, which sees tables that
	# earlier tests filled and rolled back as empty, changes which index PostgreSQL picks.
	RIPPLEDESK_PG_SERVER_OPTS="-c autovacuum=off" \
		./scripts/with-postgres.sh $(MAKE) --no-print-directory lint typecheck unit test-postgres

lint: dev-venv
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: dev-venv
	$(BIN)/mypy src benchmarks scripts

unit: dev-venv
	env -u DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider

test-postgres: dev-venv
	@if [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "!! TEST_DATABASE_URL unset: PostgreSQL pass skipped (make test sets it)"; \
		[ "$${RIPPLEDESK_REQUIRE_POSTGRES:-0}" != 1 ]; \
	else \
		DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -q -p no:cacheprovider -m "not browser"; \
	fi

## screenshots: re-take docs/screenshots/*.png from a running `make demo` (URL=... to change)
screenshots: dev-venv
	$(BIN)/python scripts/screenshots.py --url $${URL:-http://127.0.0.1:$(PORT)}

## bench: reproducible benchmarks; results go to docs/benchmarks.md by hand
bench: dev-venv
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
