# The two commands of the README: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt parse for Redshift needs a profile, not a reachable cluster.
REDSHIFT_PARSE_ENV := DBT_TARGET=prod REDSHIFT_HOST=redshift.invalid REDSHIFT_USER=parse \
	REDSHIFT_PASSWORD=parse REDSHIFT_DATABASE=parse
SCALE ?= 1.0
PYTEST_WORKERS ?= 2

.PHONY: demo test test-faults install warehouse lint pytest dbt-parse-redshift redshift-check redshift-smoke docs dashboard bench clean lab-weekly

# setup.py compiles extract/compiled_record_reader.pyx into the editable install (skipped, with a warning, without a
# C compiler: the extractor then reads records with the Python reader)
$(STAMP): pyproject.toml setup.py extract/compiled_record_reader.pyx
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dashboard]'
	@$(BIN)/python -c 'from extract.xml_records import RECORD_READER; print("the extractor reads records with:", RECORD_READER)'
	touch $(STAMP)

install: $(STAMP) profiles.yml

# dbt reads ./profiles.yml first; it is the documented example, which takes everything from the environment.
profiles.yml: profiles.yml.example
	test -f $@ || cp $< $@

warehouse: install
	$(BIN)/python -m extract warehouse start

## demo: run the whole pipeline on the bundled sample data against the embedded warehouse
demo: warehouse
	$(BIN)/python -m extract sample-data --broken-feed
# exit 1 expected: the misfiled sample export is held (the summary says why); 2 (nothing could run) stops the demo
	$(BIN)/python -m extract || test $$? -eq 1
	$(BIN)/dbt build
	@$(BIN)/python -m extract warehouse status
	@echo
	@echo "Marts are in schemas 'marts' and 'market_data' of database 'warehouse' on 127.0.0.1:54329; BI reads them as bi_reader."
	@echo "  psql:        psql postgresql://bi_reader:bi_reader_local@127.0.0.1:54329/warehouse -c 'table marts.vehicle'"
	@echo "  dbt docs:    $(BIN)/dbt docs generate && $(BIN)/dbt docs serve --port 8080"
	@echo "  dashboard:   make dashboard, then open http://127.0.0.1:8501 (market data, feed health, vehicles)"
	@echo "  BI tool:     PostgreSQL connection, host 127.0.0.1, port 54329, database warehouse, user bi_reader, password bi_reader_local"
	@echo "               (reads marts and market_data only; the superuser postgres, no password, does everything else)"
	@echo "  held feed:   the misfiled sample export waits in marts.load_audit (status held); the catalogue ignores it."
	@echo "               list held feeds: $(BIN)/python -m extract release"
	@echo "               apply one anyway: $(BIN)/python -m extract release <load id>, then $(BIN)/dbt build"
	@echo "  stop it:     $(BIN)/python -m extract warehouse stop"

## test: everything CI checks
test: lint pytest dbt-parse-redshift redshift-check

lint: install
	$(BIN)/ruff check setup.py extract tests bench sample_data dashboard dms_feeds
	$(BIN)/ruff format --check setup.py extract tests bench sample_data dashboard dms_feeds
	$(BIN)/sqlfluff lint models snapshots tests/dbt  # macros are linted through the models that render them

# test files spread over PYTEST_WORKERS processes (pytest-xdist), each with its own embedded PostgreSQL;
# a file's tests stay in one process (their module fixtures are built once)
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

## test-faults: only the crash, restart and concurrency tests (marker `faults`: kill points, random kills, a
## restarted database, four runs at once); make test runs them too
test-faults: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m faults

dbt-parse-redshift: install
	$(REDSHIFT_PARSE_ENV) $(BIN)/dbt parse --profiles-dir . \
		--target-path target/redshift-parse --warn-error-options '{"error": ["Deprecations"]}' \
		--no-partial-parse

# every model, snapshot and data test compiled for Redshift (both branches of the incremental models) and
# checked for SQL Redshift rejects, without a cluster (extract/redshift_check.py)
redshift-check: install
	$(REDSHIFT_PARSE_ENV) $(BIN)/python -m extract.redshift_check --profiles-dir .

## redshift-smoke: the sample data through the whole pipeline on a real Redshift, every mart compared with
## PostgreSQL's; needs REDSHIFT_SMOKE_DATABASE and the prod variables, else it says so and exits 0
redshift-smoke: install
	$(BIN)/python -m extract.redshift_smoke

## lab-weekly: the scheduled lab pipeline (cron: Mondays 05:00); flock makes a second run exit at once
lab-weekly: install
	flock --nonblock .lab-weekly.lock sh -c '$(BIN)/python -m extract fetch unificado \
		&& $(BIN)/python -m extract --domain lab \
		&& $(BIN)/dbt build --select +unificado +unificado_rejected +unificado_load_log'

docs: warehouse
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --port 8080

## dashboard: the Streamlit dashboard on http://127.0.0.1:8501, reading the marts as bi_reader (after make demo)
dashboard: warehouse
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true

bench: warehouse
	$(BIN)/python -m bench --scale $(SCALE)

clean:
	rm -rf target logs .pytest_cache .ruff_cache
