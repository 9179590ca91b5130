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
# Rasa's SQL tracker store (SQLite) behind the redacting store: endpoints.yml names this file.
export CONVERSATIONS_DB ?= $(CURDIR)/var/conversations.sqlite3

.PHONY: help setup run run-cluster demo-clock test-cluster shell train validate test test-unit test-dialogue test-chat \
  test-security test-fuzz test-browser \
  eval bench bench-backend bench-chat backend lock clean insights export-reviewed

help:
	@echo "make run    set up, train if needed, start everything; open http://127.0.0.1:8080/"
	@echo "make test   set up, validate, train if needed, run every test"
	@echo "make shell  chat in the terminal        make train  train if data/config changed"
	@echo "make run-cluster  the same product on PostgreSQL, Redis, nginx, 2 of each process"
	@echo "make demo-clock DAYS=30  move the running demo's clock"
	@echo "make eval   compare NLU pipelines (writes docs/nlu-eval-report.md)"
	@echo "make bench  backend and chat benchmarks (bench-backend, bench-chat; docs/performance.md)"
	@echo "make backend  only the certificate backend (demo mode) on :8700"
	@echo "make insights  conversation insights over the stored conversations (tables in the terminal)"
	@echo "make export-reviewed  analysts' reviewed NLU examples → var/review/nlu-reviewed.yml"

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

# The demo (demo customers, the demo phone on the page, the movable clock, demo agents) is on only
# because these targets say so: the backend and the web front default to off. Demo agents answer
# around the clock (desk.yml has the bank's hours: weekdays 09–18).
run: train
	@echo "make run: DEMO MODE (DEMO_MODE=1, BACKEND_DEMO_MODE=1)"
	DEMO_MODE=1 BACKEND_DEMO_MODE=1 AGENT_HOURS="$${AGENT_HOURS:-daily 00:00-24:00}" $(PY) -m launcher

shell: train
	@echo "make shell: DEMO MODE (DEMO_MODE=1, BACKEND_DEMO_MODE=1)"
	DEMO_MODE=1 BACKEND_DEMO_MODE=1 $(PY) -m launcher --shell

# The same product as a cluster: PostgreSQL, Redis and nginx (Debian packages, installed when missing,
# run as ordinary processes with data under var/cluster/), 2 backends, 2 action servers, 2 Rasa, 2 web fronts.
run-cluster: train
	scripts/ensure-cluster-packages.sh
	@echo "make run-cluster: DEMO MODE (DEMO_MODE=1, BACKEND_DEMO_MODE=1)"
	DEMO_MODE=1 BACKEND_DEMO_MODE=1 $(PY) -m launcher --cluster

# Move the running demo's clock: make demo-clock DAYS=1090 (DAYS=0: back to today).
demo-clock:
	@test -n "$(DAYS)" || { echo "usage: make demo-clock DAYS=<days from today>"; exit 2; }
	$(PY) -m launcher.demo_clock $(DAYS)

# Load, kill, restart, slow-collaborator and hostile-input tests on the cluster (docs/reliability.md).
test-cluster: train
	scripts/ensure-cluster-packages.sh
	scripts/ensure-chromium.sh
	$(PY) -m pytest -q -p no:cacheprovider tests/cluster

test-unit: setup
	$(PY) -m pytest -q tests --ignore=tests/integration --ignore=tests/browser --ignore=tests/security \
	  --ignore=tests/cluster

# Attack replays of docs/security.md against the whole product (needs the model).
test-security: train
	$(PY) -m pytest -q tests/security

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
	scripts/ensure-axe.sh
	$(PY) -m pytest -q tests/browser

test: validate test-unit test-fuzz test-dialogue test-chat test-security test-browser test-cluster
	@echo "make test: all checks passed"

# Both benchmarks; each prints its figures (docs/performance.md explains them).
bench: bench-backend bench-chat

bench-backend: setup
	$(PY) bench/backend_bench.py

# The conversation beside a stock `rasa init` bot (created and trained once in var/bench/stock-bot),
# embedded and as a cluster of 1 and 2 Rasa instances (PostgreSQL, Redis, nginx installed when missing).
bench-chat: train
	scripts/ensure-cluster-packages.sh
	$(PY) -m bench.chat_bench

backend: setup
	@echo "Certificate backend in DEMO MODE (BACKEND_DEMO_MODE=1: demo customers, demo phone, movable clock)"
	BACKEND_DEMO_MODE=1 $(PY) -m certbackend

# The bot team's view of the stored conversations (agentdesk/insights.py); the console shows the same.
insights: setup
	$(PY) -m agentdesk.insights

# Labels chosen in the console's NLU review inbox → a review file a person merges into data/nlu/.
export-reviewed: setup
	$(PY) -m agentdesk.review

eval: train
	$(PY) eval/evaluate.py --out docs/nlu-eval-report.md
	$(PY) eval/typing_variants.py

# Re-pin after changing a top-level requirement: resolves and freezes the full tree.
lock: setup
	$(PY) -m pip freeze --exclude-editable | grep -viE '^(pytest|iniconfig|pluggy|exceptiongroup|tomli|hypothesis|sortedcontainers|playwright)==' \
	  | sed '1i # Runtime: exact pins for Rasa 3.6.21 on Python 3.10 (regenerate with make lock).' > requirements.txt

clean:
	rm -rf models/*.tar.gz models/.trained-hash models/spacy_ko_kiwi var .rasa .venv-fuzz
