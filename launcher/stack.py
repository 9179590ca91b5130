"""The whole product as processes: certificate backend, action server, Rasa and the web page.

`python -m launcher` (what `make run` calls) starts all four on loopback, prints the URL and
stops them all on Ctrl-C. Tests use `start_stack()` with free ports and a temporary directory.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

from launcher.processes import ROOT, Backend, free_port, start, start_backend, stop, wait_until

MODEL = ROOT / "models" / "assistant.tar.gz"
# Tests play every visitor from one address (127.0.0.1): the web front's per-client quotas are
# raised for them (the quotas themselves are tested on a web front with the defaults).
ONE_ADDRESS_MANY_VISITORS = {"WEB_MESSAGES_PER_MINUTE": "1200", "WEB_MESSAGE_BURST": "200",
                             "WEB_NEW_CONVERSATIONS_PER_HOUR": "5000", "WEB_PHONE_REQUESTS_PER_MINUTE": "2400"}


@dataclass
class Stack:
    backend: Backend
    rasa_url: str
    web_url: str
    log_dir: Path
    processes: List = field(default_factory=list)
    actions_url: str = ""

    def stop(self) -> None:
        stop(*reversed(self.processes))
        stop(self.backend.process)


def _model_answers(rasa_url: str) -> bool:
    reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": "probe", "message": "안녕"},
                          timeout=30)
    return reply.ok and bool(reply.json())


def start_stack(log_dir: Path, ports: Optional[Dict[str, int]] = None, backend_dir: Optional[Path] = None,
                fresh_demo_data: bool = True, rasa_args: Optional[List[str]] = None,
                endpoints: str = "endpoints.yml", demo: bool = True,
                rasa_api_token: Optional[str] = None, web_env: Optional[Dict[str, str]] = None) -> Stack:
    """Start everything; returns when Rasa answers. Ports default to free ones.

    Every process binds loopback. The action server only answers Rasa (a fresh shared secret per
    start, ACTION_SERVER_TOKEN). Rasa's HTTP API is off unless a token is given (argument or
    RASA_API_TOKEN); then it is on and requires it. ``demo`` turns the demo phone on in the
    backend and the web front (tests want it; `python -m launcher` follows DEMO_MODE).
    """
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    ports = {name: (ports or {}).get(name) or free_port() for name in ("backend", "actions", "rasa", "web")}
    log_dir.mkdir(parents=True, exist_ok=True)
    backend_dir = backend_dir or log_dir / "backend"
    if fresh_demo_data and not os.environ.get("BACKEND_DATABASE_URL"):
        for stale in backend_dir.glob("certbackend.sqlite3*"):
            stale.unlink()
    backend = start_backend(backend_dir, demo=demo, port=ports["backend"], log=log_dir / "backend.log")
    env = {"ACTIONS_PORT": str(ports["actions"]), "ACTIONS_HOST": "127.0.0.1", "BACKEND_URL": backend.url,
           "ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32)}
    api_token = rasa_api_token or os.environ.get("RASA_API_TOKEN")
    api_args = ["--enable-api", "--auth-token", api_token] if api_token else []
    rasa_url, web_url = f"http://127.0.0.1:{ports['rasa']}", f"http://127.0.0.1:{ports['web']}"
    stack = Stack(backend=backend, rasa_url=rasa_url, web_url=web_url, log_dir=log_dir,
                  actions_url=f"http://127.0.0.1:{ports['actions']}")
    try:
        actions = start(["-m", "actionserver"], log_dir / "actions.log", {**env, "BACKEND_TOKEN": backend.token})
        stack.processes.append(actions)
        rasa = start(["-m", "rasa", "run", "--model", str(MODEL), "--endpoints", endpoints,
                      "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(ports["rasa"]),
                      *api_args, *(rasa_args or [])], log_dir / "rasa.log", env)
        stack.processes.append(rasa)
        web = start(["-m", "webchat.server"], log_dir / "web.log",
                    {"WEB_PORT": str(ports["web"]), "RASA_URL": rasa_url, "BACKEND_URL": backend.url,
                     "BACKEND_PHONE_TOKEN": backend.phone_token, "DEMO_MODE": "1" if demo else "0",
                     "WEB_SECRET_FILE": str(backend_dir.parent / "web" / "cookie-secret"), **(web_env or {})})
        stack.processes.append(web)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{ports['actions']}/health", timeout=2).ok,
                   60, actions, log_dir / "actions.log")
        wait_until(lambda: requests.get(f"{web_url}/healthz", timeout=2).ok, 30, web, log_dir / "web.log")
        wait_until(lambda: requests.get(rasa_url, timeout=2).ok and _model_answers(rasa_url), 300, rasa,
                   log_dir / "rasa.log")
    except BaseException:
        stack.stop()
        raise
    return stack


def clean_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
