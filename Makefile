# Two commands on a fresh machine (Python 3.11 or 3.12, gcc, node/npm):
#   make run    start policyhub on 127.0.0.1:50051 and its explorer on http://127.0.0.1:8080/
#   make test   lint the code (ruff, mypy, import layers), lint and check the proto,
#               every pack's fixtures with full rule and threshold coverage,
#               pack check on every pack, the test suite, both clients against a live server
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PACKS  := $(sort $(dir $(wildcard policy_packs/*/pyproject.toml)))
BUF    := tools/buf/node_modules/.bin/buf

.PHONY: run test lint proto proto-lint proto-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Every install takes its versions from the pinned lock (requirements/, `make lock` updates it):
# runtime.txt for the image, dev.txt (runtime + dev, bench and client test extras) for the venv.
LOCK_DEV     := requirements/dev.txt
LOCK_RUNTIME := requirements/runtime.txt

# Reinstalled when the core's or any pack's pyproject, or the lock, changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml $(wildcard policy_packs/*/pyproject.toml) $(LOCK_DEV)
	$(BIN)/pip install -q -c $(LOCK_DEV) -e ".[dev]" $(foreach p,$(PACKS),-e $(p))
	touch $@

# Update the lock on purpose: `make lock` adds what pyproject.toml now asks for and keeps every
# other pin; `make lock UPGRADE=1` takes the newest allowed of everything, `make lock
# UPGRADE=grpcio` of one package. Then `make test` (and `make image-test`) on the new pins.
UV_VERSION := 0.13.8
UPGRADE ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --custom-compile-command "make lock" \
  $(if $(filter 1,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))
.PHONY: lock
lock: $(BIN)/python
	$(BIN)/pip install -q "uv==$(UV_VERSION)"
	$(UV_COMPILE) pyproject.toml -o $(LOCK_RUNTIME)
	$(UV_COMPILE) --all-extras pyproject.toml clients/python/pyproject.toml -c $(LOCK_RUNTIME) -o $(LOCK_DEV)

# The explorer (and HTTP/JSON API) on 127.0.0.1:8080 beside the gRPC service; Ctrl-C stops both.
run: $(VENV)/.installed
	@$(BIN)/policyhub explore --host 127.0.0.1 --port 8080 & explorer=$$!; \
	  trap 'kill $$explorer 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/policyhub serve --host 127.0.0.1 --port 50051 --admin-port 50052 --metrics-port 9464

test: $(VENV)/.installed lint proto-lint proto-check
	$(BIN)/policyhub test --min-coverage 100 --min-threshold-coverage 100 > /dev/null \
	  || $(BIN)/policyhub test --min-coverage 100 --min-threshold-coverage 100
	$(BIN)/policyhub pack check policy_packs/*/
	$(BIN)/python -m pytest -q
	$(MAKE) test-clients

# ruff (lint, no formatter), mypy on the core, import-linter on its layers (pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench scripts policy_packs clients/python
	$(BIN)/mypy
	$(BIN)/lint-imports

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

# The Python and Node.js clients (clients/), each tested against a live server its tests start.
.PHONY: test-clients check-client-stubs client-100k
$(VENV)/.client-installed: $(VENV)/.installed clients/python/pyproject.toml $(wildcard clients/python/src/policyhub_client/*.py clients/python/src/policyhub_client/v1/*)
	$(BIN)/pip install -q -c $(LOCK_DEV) "./clients/python[test]"
	touch $@

# The servers they start keep their decision record in a fresh directory of their own.
test-clients: $(VENV)/.client-installed check-client-stubs
	state=$$(mktemp -d) && cd clients/python && POLICYHUB_SERVE_STATE_DIR=$$state POLICYHUB_SERVER="$(CURDIR)/$(BIN)/policyhub" "$(CURDIR)/$(BIN)/python" -m pytest -q; status=$$?; rm -rf $$state; exit $$status
	cd clients/node && npm ci --no-audit --no-fund --loglevel=error
	state=$$(mktemp -d) && cd clients/node && POLICYHUB_SERVE_STATE_DIR=$$state POLICYHUB_SERVER="$(CURDIR)/$(BIN)/policyhub" npm test; status=$$?; rm -rf $$state; exit $$status

# Fails if regenerating the Python client's stubs would change them.
check-client-stubs: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" clients/python/scripts/check_stubs.sh

# 100,000 JSONL submissions through policyhub-client against a live server, with its memory measured (minutes).
client-100k: $(VENV)/.client-installed
	$(BIN)/python clients/python/scripts/jsonl_100k.py

# Long reliability runs (tests/reliability; minutes, loopback only, not CI). Figures land in reports/.
.PHONY: fuzz-long soak
FUZZ_REQUESTS ?= 100000
SOAK_SECONDS  ?= 300
SOAK_RATE     ?= 150
SOAK_KILL_EVERY ?= 0

# The fuzz tests with fresh random examples, FUZZ_REQUESTS requests in all, against a real server.
fuzz-long: $(VENV)/.installed
	mkdir -p reports
	POLICYHUB_FUZZ_PROFILE=long POLICYHUB_FUZZ_REQUESTS=$(FUZZ_REQUESTS) POLICYHUB_FUZZ_REPORT=reports/fuzz-long.json \
	  $(BIN)/python -m pytest -q -p no:cacheprovider -W ignore::hypothesis.errors.HypothesisWarning tests/reliability/test_fuzz.py

# One EvaluateStream of 100,000 messages from a client that sends as fast as it can: answers in
# order, the worker's RSS bounded (CI runs the same test with 10,000).
.PHONY: stream-long
stream-long: $(VENV)/.installed
	POLICYHUB_STREAM_MESSAGES=100000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_stream_backpressure.py

# A steady rate for SOAK_SECONDS: workers' memory, errors and latency recorded; fails on growth or errors.
# SOAK_KILL_EVERY=20: a worker is killed every 20 s under the load; no decision may be lost.
soak: $(VENV)/.installed
	$(BIN)/python -m tests.reliability.soak --duration $(SOAK_SECONDS) --rate $(SOAK_RATE) \
	  --kill-every $(SOAK_KILL_EVERY) --report reports/soak.json

# Benchmarks (bench/README.md): ratios measured side by side in one run, PASS/MISS per target.
.PHONY: bench bench-memory
$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/pip install -q -c $(LOCK_DEV) -e ".[bench]"
	touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_packs.py --rounds 3
	$(BIN)/python bench/bench_rpc.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_startup.py

# The memory target's full length: one worker's RSS across 1,000,000 evaluations (about 15 minutes).
bench-memory: $(VENV)/.bench-installed
	$(BIN)/python bench/bench_memory.py --evaluations 1000000

# The container image built, run with compose.yaml's hardening and checked (scripts/image_test.py;
# docker where a daemon answers, else podman). Removes what it built. Not part of `make test`.
.PHONY: image-test
image-test: $(VENV)/.installed
	$(BIN)/python scripts/image_test.py

clean:
	rm -rf $(VENV) tools/buf/node_modules
