# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-quick lint audit format bench lock clean translations

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned dependencies

run: $(STAMP)  ## migrate, load the bundled data and serve on http://127.0.0.1:8000
	$(BIN)/calendar-app db upgrade
	$(BIN)/calendar-app data load
	$(BIN)/calendar-app serve

test: $(STAMP)  ## the whole suite on every core (PostgreSQL tests skip locally without a server; never in CI)
	$(BIN)/pytest -n auto

test-quick: $(STAMP)  ## everything but the tests marked slow (real-time waits, outages, browsers)
	$(BIN)/pytest -n auto -m "not slow"

lint: $(STAMP)  ## ruff (lint and format check), mypy and bandit
	$(BIN)/ruff check calendar_app tests benchmarks
	$(BIN)/ruff format --check calendar_app tests benchmarks
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r calendar_app

# --strict: a package that could not be looked up fails the audit instead of passing
# it silently. Offline (no route to PyPI's JSON API) every package fails that way, so
# run it where PyPI answers: before a release, or on a schedule.
audit: $(STAMP)  ## pip-audit --strict of constraints.txt against PyPI's advisories (needs the network)
	$(BIN)/pip-audit --strict --requirement constraints.txt --no-deps --disable-pip --progress-spinner off

format: $(STAMP)
	$(BIN)/ruff check --fix calendar_app tests benchmarks
	$(BIN)/ruff format calendar_app tests benchmarks

translations: $(STAMP)  ## re-extract interface text into the az and ru catalogs, then translate the new entries
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output --no-wrap \
		--project=calendar-app -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d calendar_app/translations --ignore-obsolete --no-wrap

bench: $(STAMP)  ## feed, reminder planning and dispatch benchmarks (figures in docs/PERFORMANCE.md)
	$(BIN)/python -m benchmarks.feed
	$(BIN)/python -m benchmarks.planning
	$(BIN)/python -m benchmarks.dispatch

lock:  ## re-pin constraints.txt from a clean environment
	rm -rf /tmp/calendar-app-lock && $(PYTHON) -m venv /tmp/calendar-app-lock
	/tmp/calendar-app-lock/bin/pip install --quiet --disable-pip-version-check '.[dev]'
	/tmp/calendar-app-lock/bin/pip freeze --exclude calendar-app | sort > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
