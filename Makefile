# vaix-client: every task of the project, from a fresh clone.
#   make demo   set up, then run the SDK's main job against the built-in fake service
#   make test   set up, then run every check (generated code, lint, types, docs, dist, tests)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
# The user-facing extras, all installed for development; the tools are in pyproject's dev group.
EXTRAS := cli,testing,fastapi,aiohttp,otel

.DEFAULT_GOAL := help
.PHONY: help venv generate check-generated patched-spec lint format typecheck verifytypes docs dist check-dist pytest test soak demo bench bench-quick profile clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "vaix-client needs Python 3.11+ (set PYTHON=python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip>=25.1'  # --group (PEP 735) needs pip 25.1+
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]' --group dev
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the package with every dev tool

generate: $(STAMP)  ## regenerate vaix_client/_generated from openapi.json + spec/fixes.json (atomic; prints what changed)
	$(PY) scripts/generate.py

check-generated: $(STAMP)  ## fail if vaix_client/_generated differs from what the generator makes
	$(PY) scripts/generate.py --check

patched-spec: $(STAMP)  ## write build/openapi.patched.json (the spec the generator sees)
	$(PY) scripts/generate.py --patched-spec

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)  ## mypy --strict on handwritten code; pyright strict on examples/ and tests/typing/
	$(BIN)/mypy
	$(BIN)/pyright --pythonpath $(PY) examples tests/typing

verifytypes: $(STAMP)  ## pyright --verifytypes: 100% of the public API typed (httpx's own gaps ignored)
	@mkdir -p build
	@# pyright finds the interpreter (and so the package) on PATH; it exits 1 below 100%.
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pyright --verifytypes vaix_client --ignoreexternal \
	  > build/verifytypes.txt || { cat build/verifytypes.txt; exit 1; }
	@grep 'Type completeness score' build/verifytypes.txt

docs: $(STAMP)  ## the API reference from the docstrings (pdoc) into build/docs
	$(PY) scripts/docs.py --output build/docs

dist: $(STAMP)  ## build the sdist and the wheel into dist/
	rm -rf dist
	$(PY) -m build --outdir dist .

check-dist: dist  ## twine check --strict on what dist builds
	$(BIN)/twine check --strict dist/*

pytest: $(STAMP)  ## the test suite with coverage (coverage starts first: the pytest11 plugin imports the package early)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest
	@echo "--- the socket tests again, on the aiohttp backend"
	VAIX_TEST_BACKEND=aiohttp $(BIN)/coverage run --append -m pytest -q \
	  tests/test_client_loopback.py tests/test_faults.py tests/test_send.py tests/test_fake_server.py tests/test_direct_lane.py \
	  tests/test_example_fastapi_app.py tests/test_observe_loopback.py tests/test_lifecycle.py
	$(BIN)/coverage report --fail-under=95

test: $(STAMP)  ## every check: generated code, lint, types, docs, dist, tests
	$(MAKE) --no-print-directory check-generated lint typecheck verifytypes docs check-dist pytest

soak: $(STAMP)  ## 20,000 calls with seeded faults per backend: outcomes by type, RSS, fds (not in make test)
	$(PY) scripts/soak.py $(SOAK_ARGS)

demo: $(STAMP)  ## the main job: query the fake Vaix service over a real socket
	$(PY) scripts/demo.py

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]' --group dev --group bench
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## benchmarks, ~6 min on 2 cores (not part of make test; the peer needs Java 11+)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

bench-quick: $(BENCH_STAMP)  ## one-minute smoke run of the benchmarks
	$(PY) benchmarks/run.py --quick

profile: $(BENCH_STAMP)  ## where an in-process call spends its time (vaix-client vs raw httpx)
	$(PY) -m benchmarks.profiling

clean:  ## remove the venv and build artefacts
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .coverage htmlcov
