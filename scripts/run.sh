#!/usr/bin/env bash
# Starts the certificate backend (demo mode), the action server, then Rasa (REST channel) or the
# terminal chat; Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
mkdir -p var/log
PY=.venv/bin/python
export BACKEND_PORT="${BACKEND_PORT:-8700}" BACKEND_DATA_DIR="${BACKEND_DATA_DIR:-var/backend}"
export BACKEND_DEMO_MODE="${BACKEND_DEMO_MODE:-1}"
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

if [ "$mode" = shell ]; then
  $PY -m rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml
  exit
fi

cat <<MSG

  금융인증서 도우미 is starting on http://127.0.0.1:$RASA_PORT (about 20 s to load the model).
  Talk to it:
    curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
         -H 'Content-Type: application/json' -d '{"sender":"me","message":"금융인증서 갱신은 어떻게 해요?"}'
  Or chat in the terminal: make shell.   Stop: Ctrl-C.   Logs: var/log/

MSG
$PY -m rasa run --model models/assistant.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --interface 127.0.0.1 --port "$RASA_PORT" \
  --log-file var/log/rasa.log
