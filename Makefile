# Companion — build / run / test entry points.
#   make setup        .venv + Python deps (requirements-dev.txt) + npm ci + compile translations
#   make system-deps  Debian packages (chromium, fonts, pango/harfbuzz for WeasyPrint)
#   make run          init demo data and serve
#   make test         pytest (PYTEST_ARGS="-m 'not browser'" ...)
#   make lint / fmt   ruff
#   make bench        load benchmark (BENCH_ARGS="--attendees 500 ..."; a dev tool in bench/)
#   make lock         regenerate requirements*.txt from requirements*.in

PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip
PYTEST_ARGS ?=
BENCH_ARGS ?=
ALLOW_NO_TESTS ?=
# The shared catalogue and each domain's own (companion/<domain>/translations).
TRANSLATIONS := $(wildcard companion/translations companion/*/translations)

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# Debian packages needed at run/test time (see system-deps).
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-deps run test lint fmt migration lock clean distclean messages audit bench

setup: $(PY_STAMP) $(NODE_STAMP)
	@for dir in $(TRANSLATIONS); do \
		if find $$dir -name '*.po' | grep -q .; then $(VENV)/bin/pybabel -q compile -d $$dir -f; fi; \
	done

$(VPY):
	$(PY) -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt | $(VPY)
	$(PIP) install -q -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Idempotent: only runs apt-get (update + install) when something is missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	dpkg-query -W -f='$${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed' \
		|| missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q 'libpango-1.0.so.0' || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpangoft2-1.0-0"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || missing="$$missing libharfbuzz-subset0"; \
	ldconfig -p | grep -q 'libfontconfig.so.1' || missing="$$missing libfontconfig1"; \
	ldconfig -p | grep -q 'libzbar.so.0' || missing="$$missing libzbar0"; \
	if [ -n "$$missing" ]; then \
		echo "system-deps: installing$$missing"; \
		$(SUDO) $(APT_GET) update && \
		$(SUDO) $(APT_GET) install --no-install-recommends $$missing; \
	fi

run: setup
	$(VPY) -m companion init-demo && $(VPY) -m companion serve

# pytest exits 5 when no test was collected; ALLOW_NO_TESTS=1 turns that into success.
test: setup system-deps
	@rc=0; $(VPY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ] && [ -n "$(ALLOW_NO_TESTS)" ]; then \
		echo "make test: no tests collected (ALLOW_NO_TESTS set)"; exit 0; fi; \
	exit $$rc

# The bench and its requirements are development tools (bench/, requirements-dev.txt).
bench: setup
	$(VPY) -m companion bench $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migration: setup
	$(VPY) -m companion db-revision

# Known vulnerabilities in the pinned dependencies (needs the PyPI JSON API / OSV on the network).
audit: setup
	$(VENV)/bin/pip-audit -r requirements.txt --disable-pip --no-deps --progress-spinner off

# The packages with a catalogue of their own (companion/X/translations, templates/X).
DOMAINS := floor mail polls questions summaries
SHARED_SOURCES := $(filter-out $(addprefix companion/,$(addsuffix /,$(DOMAINS))),$(wildcard companion/*/)) \
	companion/*.py templates/*.html templates/manage

# Extract the shared catalogue's messages (everything outside the domains) and merge them into
# fr: new messages come in untranslated (never a guessed fuzzy match, which compile -f would
# ship); tests/test_messages.py then names any message left without its French.
messages: setup
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ -k NC_:1c,2 --sort-by-file -o companion/translations/messages.pot \
		$(filter-out companion/translations/,$(SHARED_SOURCES))
	$(VENV)/bin/pybabel -q update --no-fuzzy-matching -i companion/translations/messages.pot \
		-d companion/translations -l fr

# Re-resolve the lock files from the *.in sources in throw-away venvs.
lock:
	PY=$(PY) scripts/lock-requirements.sh

clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info bench-results
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		\( -name __pycache__ -o -name '*.pyc' \) -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) node_modules
