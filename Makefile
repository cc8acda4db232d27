# Two commands on a fresh machine (Python 3.11 or 3.12, gcc, node/npm):
#   make run    start policyhub on 127.0.0.1:50051 with every bundled pack
#   make test   lint and check the proto, every pack's fixtures with full rule coverage, the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PACKS  := $(sort $(dir $(wildcard policy_packs/*/pyproject.toml)))
BUF    := tools/buf/node_modules/.bin/buf

.PHONY: run test proto proto-lint proto-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstalled when the core's or any pack's pyproject changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml $(wildcard policy_packs/*/pyproject.toml)
	$(BIN)/pip install -q -e ".[dev]" $(foreach p,$(PACKS),-e $(p))
	touch $@

run: $(VENV)/.installed
	$(BIN)/policyhub serve --host 127.0.0.1 --port 50051 --admin-port 50052 --metrics-port 9464

test: $(VENV)/.installed proto-lint proto-check
	$(BIN)/policyhub test --min-coverage 100 > /dev/null || $(BIN)/policyhub test --min-coverage 100
	$(BIN)/python -m pytest -q

$(BUF): tools/buf/package.json tools/buf/package-lock.json
	cd tools/buf && npm install --no-audit --no-fund --loglevel=error
	touch $@

proto-lint: $(BUF)
	cd proto && ../$(BUF) lint

# CI fails if regenerating the stubs would change them.
proto-check: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check_generated.sh

proto: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/gen_proto.sh

clean:
	rm -rf $(VENV) tools/buf/node_modules
