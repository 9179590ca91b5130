#!/usr/bin/env bash
# Starts the action server, then Rasa (REST channel) or the terminal chat; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
mkdir -p var/log
PY=.venv/bin/python

$PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$ACTIONS_PORT") 2>/dev/null; then break; fi
  kill -0 $actions_pid 2>/dev/null || { echo "Action server failed; see var/log/actions.log" >&2; exit 1; }
  sleep 0.5
done

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
