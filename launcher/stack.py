"""The whole product as processes: certificate backend, action server, Rasa and the web page.

`python -m launcher` (what `make run` calls) starts all four on loopback, prints the URL and
stops them all on Ctrl-C. Tests use `start_stack()` with free ports and a temporary directory.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

from launcher.processes import ROOT, Backend, free_port, start, start_backend, stop, wait_until

MODEL = ROOT / "models" / "assistant.tar.gz"


@dataclass
class Stack:
    backend: Backend
    rasa_url: str
    web_url: str
    log_dir: Path
    processes: List = field(default_factory=list)

    def stop(self) -> None:
        stop(*reversed(self.processes))
        stop(self.backend.process)


def _model_answers(rasa_url: str) -> bool:
    reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": "probe", "message": "안녕"},
                          timeout=30)
    return reply.ok and bool(reply.json())


def start_stack(log_dir: Path, ports: Optional[Dict[str, int]] = None, backend_dir: Optional[Path] = None,
                fresh_demo_data: bool = True, rasa_args: Optional[List[str]] = None,
                endpoints: str = "endpoints.yml") -> Stack:
    """Start everything; returns when Rasa answers. Ports default to free ones."""
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    ports = {name: (ports or {}).get(name) or free_port() for name in ("backend", "actions", "rasa", "web")}
    log_dir.mkdir(parents=True, exist_ok=True)
    backend_dir = backend_dir or log_dir / "backend"
    if fresh_demo_data and not os.environ.get("BACKEND_DATABASE_URL"):
        for stale in backend_dir.glob("certbackend.sqlite3*"):
            stale.unlink()
    backend = start_backend(backend_dir, port=ports["backend"], log=log_dir / "backend.log")
    env = {"ACTIONS_PORT": str(ports["actions"]), "BACKEND_URL": backend.url, "BACKEND_TOKEN": backend.token}
    rasa_url, web_url = f"http://127.0.0.1:{ports['rasa']}", f"http://127.0.0.1:{ports['web']}"
    stack = Stack(backend=backend, rasa_url=rasa_url, web_url=web_url, log_dir=log_dir)
    try:
        actions = start(["-m", "rasa_sdk", "--actions", "actions", "--port", str(ports["actions"])],
                        log_dir / "actions.log", env)
        stack.processes.append(actions)
        rasa = start(["-m", "rasa_runtime", "run", "--model", str(MODEL), "--endpoints", endpoints,
                      "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(ports["rasa"]),
                      *(rasa_args or [])], log_dir / "rasa.log", env)
        stack.processes.append(rasa)
        web = start(["-m", "webchat.server"], log_dir / "web.log",
                    {**env, "WEB_PORT": str(ports["web"]), "RASA_URL": rasa_url, "DEMO_MODE": "1"})
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
