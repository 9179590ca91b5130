"""`make run`: the whole product on loopback; Ctrl-C stops everything.

Ports: BACKEND_PORT (8700), ACTIONS_PORT (5055), RASA_PORT (5005), WEB_PORT (8080).
Logs: var/log/. Demo data: var/backend/ (fresh at every start, see README).
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import time

from launcher.processes import ROOT
from launcher.stack import start_stack


def main() -> int:
    ports = {name: int(os.environ.get(var, default)) for name, var, default in (
        ("backend", "BACKEND_PORT", 8700), ("actions", "ACTIONS_PORT", 5055),
        ("rasa", "RASA_PORT", 5005), ("web", "WEB_PORT", 8080))}
    print("금융인증서 도우미: starting the backend, action server, Rasa and the web page "
          "(about 30 s while the model loads)...", flush=True)
    # The agent desk needs Rasa's HTTP API: a fresh token per start, known only to Rasa and the web front.
    stack = start_stack(ROOT / "var" / "log", ports=ports, backend_dir=ROOT / "var" / "backend", data_dir=ROOT / "var",
                        rasa_api_token=os.environ.get("RASA_API_TOKEN") or secrets.token_urlsafe(32))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    print(f"""
  Open the demo page:   {stack.web_url}/
  Rasa REST channel:    {stack.rasa_url}/webhooks/rest/webhook
  Agent console:        {stack.web_url}/agent/  (demo agents: README.md)
  Certificate backend:  {stack.backend.url}  (demo customers: README.md)
  Logs: var/log/        Stop: Ctrl-C
""", flush=True)
    try:
        while all(p.poll() is None for p in [stack.backend.process, *stack.processes]):
            time.sleep(1)
        print("A process stopped unexpectedly; see var/log/. Stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
