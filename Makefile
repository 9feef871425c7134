# Two commands matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); 2 fits the 2-core machines the suite runs on.
TEST_WORKERS ?= 2

.PHONY: run run-scaled test lint bench messages lock system-deps browser-deps clean ci

$(STAMP): requirements.lock
	@set -e; if [ ! -x $(PY) ]; then \
	  PYTHON=$$(scripts/find-python.sh); \
	  echo "Creating $(VENV) with $$PYTHON"; \
	  "$$PYTHON" -m venv $(VENV); \
	fi
	@# This machine's pip config names local mirrors that may be absent; hide that noise.
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }; \
	  test $${PIPESTATUS[0]} -eq 0
	@mkdir -p var/static
	@touch $(STAMP)

system-deps:
	@scripts/system-deps.sh

# The test suite also needs Chromium (browser tests) and Node.js (logic.js tests).
browser-deps:
	@WITH_BROWSER=1 scripts/system-deps.sh

run: $(STAMP) system-deps
	@mkdir -p var/static
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@scripts/serve.sh $(HOST) $(PORT)

# The scaled topology on one machine: PostgreSQL, Redis, 2 web + 2 RQ workers (docs/deploy.md).
run-scaled: $(STAMP) system-deps
	@mkdir -p var/static
	@scripts/run-scaled.sh

test: $(STAMP) browser-deps lint
	node --test tests/js/
	DJANGO_SETTINGS_MODULE=survey_platform.settings.test $(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS); \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing." >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	@mkdir -p var/static
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=survey_platform.settings.test $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) scripts/check_messages.py

# All benchmarks, or some: `make bench ONLY=briefing` (comma-separated script names).
# Each prints its figures, the load average around it and whether other work disturbed
# it; a summary table ends the run (bench/_run.py).
bench: $(STAMP) system-deps browser-deps var/bench-svy/.installed
	@ONLY="$(ONLY)" $(PY) bench/_run.py

# The svy package, for bench/analysis.py's comparison, in a virtualenv of its own. Best
# effort: without it (no network) the benchmark says so and skips the comparison.
var/bench-svy/.installed: bench/svy-requirements.txt
	@mkdir -p var
	@($(PY) -m venv --clear var/bench-svy && var/bench-svy/bin/pip install --quiet \
	  --disable-pip-version-check -r bench/svy-requirements.txt 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; } \
	  && touch $@) || echo "# could not install svy into var/bench-svy: no ratio_vs_svy"

# Regenerate and compile the translation catalogues (needs GNU gettext; run time does not).
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en -e html,txt,py,svg --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

lock: $(STAMP)
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip freeze --exclude-editable > requirements.lock

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
