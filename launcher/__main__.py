"""The one way to start the product: `python -m launcher [--cluster | --shell]`.

- `make run` (no flag): the embedded product on loopback (BACKEND_PORT 8700, ACTIONS_PORT 5055,
  RASA_PORT 5005, WEB_PORT 8080), fresh demo data.
- `make run-cluster` (--cluster): the cluster (launcher/cluster.py); the same four ports are nginx's
  entry points, plus PG_PORT (15432) and REDIS_PORT (16379). Data under var/cluster/.
- `make shell` (--shell): backend and action server supervised, Rasa's terminal chat in the foreground.

Every process is supervised: one that dies is restarted (with backoff, logged in var/log/launcher.log)
and the others keep running. Ctrl-C stops everything. The previous run's logs are kept in
var/log/previous/ (not truncated). var/run/launcher.json says where the running stack is and where its
operator token is (`make demo-clock DAYS=…` reads it).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from launcher import services
from launcher.processes import ROOT

VAR = ROOT / "var"
LOG_DIR = Path(os.environ.get("LOG_DIR") or VAR / "log")   # tests point it elsewhere
STATE_FILE = VAR / "run" / "launcher.json"


def keep_previous_logs(log_dir: Path) -> None:
    """Move the last run's logs to log_dir/previous/ (replacing the run before it)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    old = [p for p in log_dir.iterdir() if p.is_file()]
    if not old:
        return
    previous = log_dir / "previous"
    shutil.rmtree(previous, ignore_errors=True)
    previous.mkdir()
    for path in old:
        path.rename(previous / path.name)


def _ports(defaults: dict) -> dict:
    return {name: int(os.environ.get(var, default)) for name, (var, default) in defaults.items()}


def write_state(stack, mode: str) -> None:
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    state = {"mode": mode, "pid": os.getpid(), "web_url": stack.web_url, "rasa_url": stack.rasa_url,
             "backend_url": stack.backend.url, "backend_instances": stack.backend_urls,
             # The token itself stays in its 0600 file; the state file only says where it is.
             "backend_token_file": str(stack.backend.data_dir / "api-token")}
    STATE_FILE.write_text(json.dumps(state, indent=2), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--cluster", action="store_true", help="PostgreSQL, Redis, nginx, 2 of each process")
    shape.add_argument("--shell", action="store_true", help="terminal chat instead of the web page")
    args = parser.parse_args()

    keep_previous_logs(LOG_DIR)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        handlers=[logging.FileHandler(LOG_DIR / "launcher.log"), logging.StreamHandler()])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    demo = os.environ.get("DEMO_MODE", "0").strip().lower() in ("1", "true", "yes", "on")
    print("DEMO MODE ON: demo customers, the demo phone on the page, a movable clock." if demo
          else "Demo mode off (DEMO_MODE=1 turns it on; make run does).", flush=True)
    if args.shell:
        return run_shell(demo)
    if args.cluster:
        from launcher.cluster import start_cluster
        ports = _ports({"web": ("WEB_PORT", 8080), "rasa": ("RASA_PORT", 5005), "actions": ("ACTIONS_PORT", 5055),
                        "backend": ("BACKEND_PORT", 8700), "postgres": ("PG_PORT", 15432),
                        "redis": ("REDIS_PORT", 16379)})
        print("Starting the cluster: PostgreSQL, Redis, nginx, 2 backends, 2 action servers, 2 Rasa, "
              "2 web fronts (a minute or two while the models load)...", flush=True)
        stack = start_cluster(VAR / "cluster", LOG_DIR, ports=ports, demo=demo)
    else:
        from launcher.stack import start_stack
        ports = _ports({"backend": ("BACKEND_PORT", 8700), "actions": ("ACTIONS_PORT", 5055),
                        "rasa": ("RASA_PORT", 5005), "web": ("WEB_PORT", 8080)})
        print("Starting the backend, action server, Rasa and the web page (about 30 s while the model loads)...",
              flush=True)
        # The agent desk needs Rasa's HTTP API: a fresh token per start, known only to Rasa and the web front.
        stack = start_stack(LOG_DIR, ports=ports, backend_dir=VAR / "backend", demo=demo, data_dir=VAR,
                            rasa_api_token=os.environ.get("RASA_API_TOKEN") or secrets.token_urlsafe(32))
    write_state(stack, "cluster" if args.cluster else "embedded")
    print(f"""
  Open the demo page:   {stack.web_url}/
  Rasa REST channel:    {stack.rasa_url}/webhooks/rest/webhook
  Agent console:        {stack.web_url}/agent/  (demo agents: README.md)
  Certificate backend:  {stack.backend.url}  (demo customers: README.md)
  Demo clock:           make demo-clock DAYS=30
  Logs: var/log/ (previous run: var/log/previous/)   Stop: Ctrl-C
""", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        STATE_FILE.unlink(missing_ok=True)
        stack.stop()


def run_shell(demo: bool) -> int:
    """Backend and action server supervised in the background, Rasa's terminal chat in front."""
    from launcher.processes import free_port
    from launcher.stack import backend_credentials, demo_env, desk_env
    from launcher.supervisor import Supervisor
    backend_dir = Path(os.environ.get("BACKEND_DATA_DIR") or VAR / "backend")
    for stale in backend_dir.glob("certbackend.sqlite3*"):
        stale.unlink()
    backend_dir.mkdir(parents=True, exist_ok=True)
    tokens = backend_credentials(backend_dir)
    ports = _ports({"backend": ("BACKEND_PORT", 8700), "actions": ("ACTIONS_PORT", 5055), "rasa": ("RASA_PORT", 5005)})
    supervisor = Supervisor()
    try:
        supervisor.start(services.backend("backend", ports["backend"], LOG_DIR,
                                          {"BACKEND_DATA_DIR": str(backend_dir.resolve()), **tokens,
                                           **demo_env(demo)["backend"]}))
        action_token = {"ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN") or services.action_server_token()}
        supervisor.start(services.actions("actions", ports["actions"], LOG_DIR, {
            "BACKEND_URL": services.url(ports["backend"]), "BACKEND_TOKEN": tokens["BACKEND_TOKEN"], **action_token}))
        supervisor.watch()
        shell = subprocess.Popen([*services.rasa_shell(LOG_DIR, {}), "--port", str(ports["rasa"] or free_port())],
                                 env={**os.environ, **services.BASE_ENV, "ACTIONS_PORT": str(ports["actions"]),
                                      **action_token,
                                      # endpoints.yml stores conversations in this SQLite file (make run's
                                      # too, beside the backend's folder: var/conversations.sqlite3).
                                      "CONVERSATIONS_DB": desk_env(backend_dir.parent)["CONVERSATIONS_DB"]})
        try:
            return shell.wait()
        except KeyboardInterrupt:
            return 0
        finally:   # Ctrl-C, SIGTERM or the chat ended: the shell goes too, killed if it hangs
            if shell.poll() is None:
                shell.terminate()
                try:
                    shell.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    shell.kill()
                    shell.wait(timeout=10)
    finally:
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
