# Two commands on a fresh machine: `make run` and `make test`. Everything else is reached from them.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1:8000
VENDOR := antt/core/static/vendor
export ANTT_DEBUG ?= 0

.PHONY: install run serve test test-sqlite test-postgres lint type check clean bench soak

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Idempotent: re-running only reinstalls what changed.
install: $(BIN)/python
	# Browser journeys (antt/e2e) drive Debian's Chromium; Playwright downloads no browser of its own.
	# chromium-l10n: the Vietnamese locale, so date fields read ngày/tháng/năm as users see them.
	@test -x /usr/bin/chromium -a -f /usr/lib/chromium/locales/vi.pak || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-l10n)
	# `antt backup` / `antt restore` on PostgreSQL use pg_dump, pg_restore and psql.
	@command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	# Tinos (metric-compatible with Times New Roman, every Vietnamese glyph) embedded in the PDFs.
	mkdir -p antt/recognition/static/recognition/fonts
	cp node_modules/@expo-google-fonts/tinos/*/Tinos_*.ttf node_modules/@expo-google-fonts/tinos/LICENSE_FONT \
		antt/recognition/static/recognition/fonts/
	$(BIN)/python scripts/compile_messages.py

# ANTT_DEMO=1 shows the "demo accounts" hint on the login page; the host part of HOST is allowed
# (e.g. HOST=192.168.1.10:8000 to open the demo from another machine on the network).
run: export ANTT_DEMO ?= 1
# The demo is served over plain HTTP on the loopback: no HTTPS redirect, no Secure cookies.
run: export ANTT_HTTPS ?= 0
run: export ANTT_ALLOWED_HOSTS ?= 127.0.0.1,localhost,$(firstword $(subst :, ,$(HOST)))
run: install
	$(BIN)/antt migrate --noinput
	$(BIN)/antt load_divisions
	$(BIN)/antt load_demo --url http://$(HOST)/
	$(BIN)/antt collectstatic --noinput -v0
	@# The background worker (imports, scope evaluations, certificate batches, big exports) runs
	@# beside gunicorn and is stopped with it (Ctrl-C or any exit); it finishes its current job.
	$(BIN)/antt run_jobs & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST) --workers 2 --access-logfile -

test: install
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python scripts/db_reachable.py "$${DATABASE_URL:-$(PG_URL)}"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL không trả lời: bỏ qua lượt chạy trên PostgreSQL."; fi

test-sqlite:
	@echo "== Bộ kiểm thử trên SQLite =="
	env -u DATABASE_URL ANTT_MANIFEST_STATIC=0 $(BIN)/pytest

test-postgres:
	@echo "== Bộ kiểm thử trên PostgreSQL =="
	DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" ANTT_MANIFEST_STATIC=0 $(BIN)/pytest

# 20 clients of mixed reads and writes against gunicorn on the loopback, on a fresh database
# (SQLite; PostgreSQL when DATABASE_URL is set); SOAK_SECONDS (600), SOAK_CLIENTS (20).
soak: install
	$(BIN)/python scripts/soak.py

# Benchmarks of issue 6 (docs/operations/scaling.md): national-scale dataset on SQLite and, when
# the server answers, PostgreSQL (database BENCH_PG_URL, recreated); table on screen, figures in
# BENCH_JSON (default var/bench.json). BENCH_SCALES="province national" by default (two points of
# the growth curve; e.g. BENCH_SCALES=province for a quick run).
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/antt_bench
bench: install
	@dbs="sqlite:///$(CURDIR)/var/bench/antt-bench.sqlite3"; \
	if $(BIN)/python scripts/db_reachable.py "$(dir $(BENCH_PG_URL))postgres"; then \
		dbs="$$dbs $(BENCH_PG_URL)"; \
	else echo "PostgreSQL không trả lời: chỉ đo trên SQLite."; fi; \
	BENCH_DATABASES="$${BENCH_DATABASES:-$$dbs}" $(BIN)/antt bench

lint:
	$(BIN)/ruff check antt config scripts conftest.py
	$(BIN)/antt makemigrations --check --dry-run

type:
	$(BIN)/mypy antt config

check: install lint type test

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
