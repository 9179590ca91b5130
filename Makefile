# 금융인증서 도우미. The two commands every new user needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
STAMP := $(VENV)/.installed

export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
# Rasa's telemetry and error reporting would phone home; this product never does.
export RASA_TELEMETRY_ENABLED := false
export ACTIONS_PORT ?= 5055
export RASA_PORT ?= 5005

.PHONY: help setup run shell train validate test test-unit test-dialogue test-chat test-fuzz test-browser \
  eval bench bench-backend bench-chat backend lock clean

help:
	@echo "make run    set up, train if needed, start everything; open http://127.0.0.1:8080/"
	@echo "make test   set up, validate, train if needed, run every test"
	@echo "make shell  chat in the terminal        make train  train if data/config changed"
	@echo "make eval   compare NLU pipelines (writes docs/nlu-eval-report.md)"
	@echo "make bench  backend and chat benchmarks (bench-backend, bench-chat; docs/performance.md)"
	@echo "make backend  only the certificate backend (demo mode) on :8700"

# The venv is rebuilt whenever the pins change. Exact pins, then `pip check` must be clean.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml scripts/find-python.sh
	@python=$$(scripts/find-python.sh) && echo "Using $$python" && \
	  { [ -x $(PY) ] || $$python -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==24.0
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check
	@touch $@

setup: $(STAMP)

# Schemathesis needs a newer jsonschema than Rasa 3.6 allows, so it gets its own venv.
FUZZ_STAMP := .venv-fuzz/.installed
$(FUZZ_STAMP): requirements-fuzz.txt scripts/find-python.sh
	@python=$$(scripts/find-python.sh) && { [ -x .venv-fuzz/bin/python ] || $$python -m venv .venv-fuzz; }
	.venv-fuzz/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-fuzz.txt
	.venv-fuzz/bin/python -m pip check
	@touch $@

train: setup
	$(PY) scripts/train_if_changed.py

validate: setup
	$(PY) scripts/validate_project.py

run: train
	$(PY) -m launcher

shell: train
	scripts/run.sh

test-unit: setup
	$(PY) -m pytest -q tests --ignore=tests/integration --ignore=tests/browser

test-dialogue: train
	$(RASA) test core --model models/assistant.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out var/results/core

test-chat: train
	$(PY) -m pytest -q tests/integration

test-fuzz: setup $(FUZZ_STAMP)
	$(PY) scripts/fuzz_backend.py

# Playwright drives Debian's chromium (installed with apt-get when missing) against the whole product.
test-browser: train
	scripts/ensure-chromium.sh
	$(PY) -m pytest -q tests/browser

test: validate test-unit test-fuzz test-dialogue test-chat test-browser
	@echo "make test: all checks passed"

# Both benchmarks; each prints its figures (docs/performance.md explains them).
bench: bench-backend bench-chat

bench-backend: setup
	$(PY) bench/backend_bench.py

# The conversation beside a stock `rasa init` bot (created and trained once in var/bench/stock-bot).
bench-chat: train
	$(PY) -m bench.chat_bench

backend: setup
	@echo "Certificate backend in DEMO MODE (BACKEND_DEMO_MODE=1: demo customers, demo phone, movable clock)"
	BACKEND_DEMO_MODE=1 $(PY) -m certbackend

eval: train
	$(PY) eval/evaluate.py --out docs/nlu-eval-report.md

# Re-pin after changing a top-level requirement: resolves and freezes the full tree.
lock: setup
	$(PY) -m pip freeze --exclude-editable | grep -viE '^(pytest|iniconfig|pluggy|exceptiongroup|tomli|hypothesis|sortedcontainers|playwright)==' \
	  | sed '1i # Runtime: exact pins for Rasa 3.6.21 on Python 3.10 (regenerate with make lock).' > requirements.txt

clean:
	rm -rf models/*.tar.gz models/.trained-hash models/spacy_ko_kiwi var .rasa .venv-fuzz
