# ogpcocreate: `make run` serves the demo, `make test` runs the suite. Both set up everything first.
PYTHON ?= python3
# `make run PORT=5001 MAIL_PORT=8026`: the site's and the local mail catcher's ports.
PORT ?= 5000
MAIL_PORT ?= 8025
VENV := .venv
PY := $(VENV)/bin/python
FLASK := OGPCOCREATE_ENV=$${OGPCOCREATE_ENV:-development} PUBLIC_URL=$${PUBLIC_URL:-http://127.0.0.1:$(PORT)} \
	MAIL_PORT=$(MAIL_PORT) $(VENV)/bin/flask --app ogpcocreate
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard ogpcocreate/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/ogpcocreate_test
# The suite runs on one pytest-xdist worker per core (TEST_WORKERS=0: one process, for pdb or -x), an
# idle worker taking tests queued for a busy one (worksteal: the browser tests are long); then
# the tests marked slow, which start several processes of their own and time their load, run alone.
# Each run fails on pytest's exit code 5 (no test collected) like on any other failure.
TEST_WORKERS ?= auto
SUITE = $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal -m "not slow" && $(VENV)/bin/pytest -m slow

# A recipe that fails leaves no half-made target behind (pybabel writes the .mo even on errors).
.DELETE_ON_ERROR:

.PHONY: help install run FORCE test test-sqlite test-postgres test-browser lint messages translations clean bench

help:
	@echo "make run            set up, migrate, load demo data and serve on http://127.0.0.1:5000 (PORT=, MAIL_PORT=)"
	@echo "make test           set up and run the linters and the test suite (SQLite; browser tests if Chromium is installed)"
	@echo "make test-postgres  the suite against PostgreSQL (TEST_PG_URL=$(TEST_PG_URL))"
	@echo "make test-browser   only the real-browser tests"
	@echo "make messages       extract the translatable strings and update the catalogs"
	@echo "make bench          benchmarks (bench/run.py; DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Catalogs are compiled by the build, never committed as .mo.
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --ignore-dirs='.* __pycache__' \
		--no-wrap --sort-by-file --project=ogpcocreate -o ogpcocreate/translations/messages.pot ogpcocreate templates
	$(VENV)/bin/pybabel update --no-wrap --ignore-obsolete -i ogpcocreate/translations/messages.pot -d ogpcocreate/translations

# .flaskenv (read by the flask command, never by gunicorn) lets the README's commands, such as
# `.venv/bin/flask --app ogpcocreate audit verify`, run against this development site as printed.
.flaskenv: FORCE
	@printf '# Written by `make run` for the local development site; not used in production.\nOGPCOCREATE_ENV=development\nPUBLIC_URL=http://127.0.0.1:$(PORT)\nMAIL_PORT=$(MAIL_PORT)\n' > $@

FORCE:

run: $(STAMP) translations .flaskenv
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo
	@$(FLASK) demo logins
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT) . E-mails (confirmation links...) are printed below by a local"
	@echo "mail catcher on 127.0.0.1:$(MAIL_PORT). Stop with Ctrl-C."
	@echo
	@trap 'kill 0' EXIT INT TERM; \
		$(PY) -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) & \
		$(FLASK) mail send --loop --interval 2 & \
		$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check ogpcocreate tests migrations/env.py
	$(VENV)/bin/lint-imports

test: $(STAMP) translations lint
	$(SUITE)

test-postgres: $(STAMP) translations
	export TEST_DATABASE_URL=$(TEST_PG_URL) && $(SUITE)

test-browser: $(STAMP) translations
	OGP_REQUIRE_BROWSER=1 $(VENV)/bin/pytest tests/browser

# Not part of `make test`: timings depend on the machine. See README, "Benchmarks".
$(VENV)/.bench-installed: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(STAMP) $(VENV)/.bench-installed translations
	DATABASE_URL="$(DATABASE_URL)" $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .flaskenv *.egg-info $(COMPILED) .pytest_cache .ruff_cache
