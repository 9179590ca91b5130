#!/usr/bin/env bash
# `make shell`: the certificate backend (demo mode), the action server, then Rasa's terminal chat.
# (`make run` starts the whole product with the web page: python -m launcher.)
set -euo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="${LOG_DIR:-var/log}"
mkdir -p "$LOG_DIR"
PY=.venv/bin/python
export BACKEND_PORT="${BACKEND_PORT:-8700}" BACKEND_DATA_DIR="${BACKEND_DATA_DIR:-var/backend}"
export BACKEND_DEMO_MODE="${BACKEND_DEMO_MODE:-1}"
echo "make shell: DEMO MODE (demo customers; BACKEND_DEMO_MODE=$BACKEND_DEMO_MODE). Everything binds 127.0.0.1."
# The action server answers only Rasa: a fresh shared secret per start (see endpoints.yml).
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export ACTIONS_HOST=127.0.0.1
umask 077  # logs and generated secrets: owner only
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM

wait_for_port() {  # port, pid, name
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 failed to start; see $LOG_DIR/$3.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$3 did not start in time; see $LOG_DIR/$3.log" >&2; exit 1
}

# Demo mode starts from fresh demo data, so the demo customers are always in their README states.
if [ "$BACKEND_DEMO_MODE" = 1 ] && [ -z "${BACKEND_DATABASE_URL:-}" ]; then
  rm -f "$BACKEND_DATA_DIR"/certbackend.sqlite3*
fi
$PY -m logsafety certbackend >"$LOG_DIR/backend.log" 2>&1 &
pids+=($!)
wait_for_port "$BACKEND_PORT" "${pids[-1]}" backend
export BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
[ -n "${BACKEND_TOKEN:-}" ] || export BACKEND_TOKEN_FILE="$BACKEND_DATA_DIR/api-token"

$PY -m logsafety actionserver >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)
wait_for_port "$ACTIONS_PORT" "${pids[-1]}" actions

# `rasa shell` would listen on 0.0.0.0 by default: loopback only.
$PY -m logsafety rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml --interface 127.0.0.1 --port "${RASA_PORT:-5005}"
