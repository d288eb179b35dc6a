# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
# `make run PORT=8080`; exported, so commands run outside a request build links to this port too.
PORT ?= 5000
export PORT

.PHONY: run test install install-dev lint typecheck translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when the package metadata changes.
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(BIN)/pybabel compile --use-fuzzy -d recognition/translations >/dev/null
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The server prints the demo logins last, once migrating and seeding have said all they say.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --no-logins
	$(FLASK) serve --host $(HOST) --port $(PORT)

# The suite on one process per CPU (pytest-xdist; JOBS=0 runs it in this process, for -s or --pdb),
# with hypothesis's quick "dev" profile unless HYPOTHESIS_PROFILE says otherwise (CI exports "ci").
# Your own arguments go last: `make test PYTEST_ARGS='-m "not slow and not browser" tests/review'`.
JOBS ?= auto
test: install-dev
	$(BIN)/pytest -n $(JOBS) --dist worksteal $(PYTEST_ARGS)

# The linter, the type checker (setup.cfg [mypy]: every function of recognition/ annotated), then
# the import contracts (setup.cfg [importlinter]).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy

# Re-extract the strings after changing user-visible text, then translate the new entries.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _ln:1,2 -o recognition/translations/messages.pot .
	$(BIN)/pybabel update -i recognition/translations/messages.pot -d recognition/translations --no-fuzzy-matching

# The performance benchmark (benchmarks/): generate the set, measure, write benchmarks/results/ and
# print the table. SQLite by default, PostgreSQL with DATABASE_URL; `make bench BENCH_ARGS='--applications 10000'`.
bench: install-dev
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
