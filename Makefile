# The two commands a newcomer needs: `make build` and `make test`.
# Both create .venv themselves; nothing else has to be installed by hand
# (the HTML checker needs Java and Node.js, the browser tests Chromium, which
# `.ci/run` installs on CI; without them those tests say how to install them).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SITE   ?= .
BENCH_SIZES ?= 1000,10000
BENCH_ARGS  ?=
PEERS_VENV  := benchmarks/.venv-peers
PICTURES_ARGS ?= --articles 1000
PEERS_SIZES ?= 10000
PEERS_ARGS  ?=

.PHONY: build test lint clean serve bench bench-peers dist messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/js --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the HTML checker and axe-core tests will say how to install it"; fi

build: $(VENV)/.installed
	$(BIN)/newsgen build -s $(SITE)

serve: $(VENV)/.installed
	$(BIN)/newsgen serve -s $(SITE)

# The wheel a newsroom's own site installs in its CI (requirements.txt names it).
DIST ?= dist
dist: $(BIN)/python
	$(BIN)/python -m pip wheel --quiet --no-deps -w $(DIST) .
	@ls $(DIST)/newsgen-*.whl

# The message catalogs: every message in the code into locale/newsgen.pot, new ones into
# each language's .po (to translate there), and the .po compiled into the .mo newsgen
# reads. tests/test_messages.py fails until a new message is translated and compiled.
LOCALE := src/newsgen/locale
messages: $(VENV)/.installed-test
	$(BIN)/pybabel -q extract --no-location --sort-output --omit-header \
		-o $(LOCALE)/newsgen.pot src/newsgen
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
		-D newsgen -i $(LOCALE)/newsgen.pot -d $(LOCALE)
	$(BIN)/pybabel -q compile --statistics -D newsgen -d $(LOCALE)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests

test: $(VENV)/.installed-test tests/js/node_modules/.installed lint
	$(BIN)/python -m pytest

# Build times on generated 1,000- and 10,000-article sites; several minutes.
# Quicker: make bench BENCH_SIZES=1000 BENCH_ARGS="--runs 1"
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py --sizes $(BENCH_SIZES) $(BENCH_ARGS)
	$(BIN)/python benchmarks/pictures.py $(PICTURES_ARGS)

# Pelican in a venv of its own, pinned, so its dependencies never meet newsgen's.
$(PEERS_VENV)/.installed:
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet pelican==4.12.0 markdown==3.11.3
	touch $@

# newsgen, Hugo and Pelican on the same 10,000-article corpus, against newsgen's
# targets. Hugo comes from Debian (apt-get install hugo); without it, Hugo is skipped.
# Quicker: make bench-peers PEERS_SIZES=1000
bench-peers: $(VENV)/.installed $(PEERS_VENV)/.installed
	$(BIN)/python benchmarks/peers.py --sizes $(PEERS_SIZES) \
		--pelican $(PEERS_VENV)/bin/pelican $(PEERS_ARGS)

clean:
	rm -rf public .public.staging .public.old .public.new .newsgen-cache .pytest_cache .ruff_cache
