# Two commands matter (see README): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
SCALE  ?= 1
DEBUG  ?= 0

.PHONY: run test setup install migrate demo serve worker clean mutation lock bench

# Installs the exact versions of requirements.lock (hash-checked), then the project itself without
# resolving again; CI (.ci/run) and deploy/ install the same way. After changing dependencies in
# pyproject.toml run `make lock`.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || (echo "requirements.lock does not satisfy pyproject.toml: run 'make lock'" >&2; exit 1)
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve pyproject.toml (runtime + test extras) into requirements.lock with uv (own tool venv)
LOCK_TOOLS ?= .lock-tools
lock:
	test -x $(LOCK_TOOLS)/bin/uv || ($(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/python -m pip install --quiet uv)
	$(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --extra test --python-version 3.11 --generate-hashes \
	  --quiet --custom-compile-command 'make lock' -o requirements.lock

## make run: venv, install, migrate the embedded SQLite, load reference + demo data, serve on :8000
## (DEBUG=0 by default: friendly 404/500 pages, not Django's debug page; `make run DEBUG=1` for that page)
run: install
	$(BIN)/dte setup --demo-scale $(SCALE) --url http://$(HOST):$(PORT)/
	DEBUG=$(DEBUG) $(BIN)/dte runserver $(HOST):$(PORT)

## make test: same set-up, then the test suite (SQLite, or PostgreSQL if DATABASE_URL says so)
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## make mutation [MODULE=dte.policy.packs.shanxi] [JOBS=1]: mutmut 3 on the policy engine and packs
## (config: [tool.mutmut] in pyproject.toml); one module at a time keeps a shared machine usable
MODULE ?=
JOBS   ?= 1
mutation: install
	$(BIN)/mutmut run --max-children $(JOBS) $(if $(MODULE),"$(MODULE)*",)
	$(BIN)/mutmut results

worker: install
	$(BIN)/celery -A dte worker --loglevel=info

## make bench [BENCH="verify_http scale_out"]: every bench/ script at a small size (bench/quick.py; full sizes: bench/README.md)
BENCH ?=
bench: install
	$(BIN)/python bench/quick.py $(BENCH)

clean:
	rm -rf $(VENV) var $(LOCK_TOOLS)
