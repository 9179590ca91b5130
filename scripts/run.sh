#!/usr/bin/env bash
# `make shell`: the certificate backend (demo mode), the action server, then Rasa's terminal chat.
# (`make run` starts the whole product with the web page: python -m launcher.)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
PY=.venv/bin/python
export BACKEND_PORT="${BACKEND_PORT:-8700}" BACKEND_DATA_DIR="${BACKEND_DATA_DIR:-var/backend}"
export BACKEND_DEMO_MODE="${BACKEND_DEMO_MODE:-1}"
export CONVERSATIONS_DB="${CONVERSATIONS_DB:-$PWD/var/conversations.sqlite3}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM

wait_for_port() {  # port, pid, name
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 failed to start; see var/log/$3.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$3 did not start in time; see var/log/$3.log" >&2; exit 1
}

# Demo mode starts from fresh demo data, so the demo customers are always in their README states.
if [ "$BACKEND_DEMO_MODE" = 1 ] && [ -z "${BACKEND_DATABASE_URL:-}" ]; then
  rm -f "$BACKEND_DATA_DIR"/certbackend.sqlite3*
fi
$PY -m certbackend >var/log/backend.log 2>&1 &
pids+=($!)
wait_for_port "$BACKEND_PORT" "${pids[-1]}" backend
export BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
[ -n "${BACKEND_TOKEN:-}" ] || export BACKEND_TOKEN_FILE="$BACKEND_DATA_DIR/api-token"

$PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
wait_for_port "$ACTIONS_PORT" "${pids[-1]}" actions

$PY -m rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml
