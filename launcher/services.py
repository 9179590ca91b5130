"""What each of the product's processes is: command line, environment, log and readiness check.

The same code runs in both shapes; only these settings differ:
- embedded (`make run`, tests): one backend (SQLite), one action server, one Rasa (conversations in
  memory or SQLite), one web front;
- cluster (`make run-cluster`): PostgreSQL, Redis and nginx from Debian's packages, 2 backends,
  2 action servers, 2 Rasa instances and 2 web fronts behind nginx (see launcher/cluster.py).
"""
from __future__ import annotations

import importlib.util
import secrets
import sys
from pathlib import Path
from typing import Dict, Optional

import requests

from launcher.supervisor import Service

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
PY = sys.executable

# Every Python process of the product gets these (no telemetry, quiet TensorFlow, the project importable).
BASE_ENV = {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1"}


def python_module(module: str, *args: str) -> list:
    """`python -m module args`, through `logsafety` (scrubs every log line) when the project has it."""
    if importlib.util.find_spec("logsafety") is not None:
        return [PY, "-m", "logsafety", module, *args]
    return [PY, "-m", module, *args]


def action_server_token() -> str:
    """The shared secret Rasa sends and the action servers require (one per start of the product)."""
    return secrets.token_urlsafe(32)


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _ok(address: str) -> bool:
    return requests.get(address, timeout=2).ok


def model_answers(rasa_url: str) -> bool:
    """Rasa is ready only once the model answers a message (its HTTP server starts earlier)."""
    reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": "launcher-probe", "message": "안녕"},
                          timeout=30)
    return reply.ok and bool(reply.json())


def backend(name: str, port: int, log_dir: Path, env: Dict[str, str]) -> Service:
    return Service(name, python_module("certbackend"), log_dir / f"{name}.log",
                   env={**BASE_ENV, "BACKEND_PORT": str(port), **env},
                   ready=lambda: _ok(f"{url(port)}/health"), ready_timeout=90)


def actions(name: str, port: int, log_dir: Path, env: Dict[str, str]) -> Service:
    # The guarded action server (refuses calls without the shared secret) when the project has it.
    argv = (python_module("actionserver") if importlib.util.find_spec("actionserver") is not None
            else python_module("rasa_sdk", "--actions", "actions", "--port", str(port)))
    return Service(name, argv, log_dir / f"{name}.log",
                   env={**BASE_ENV, "ACTIONS_PORT": str(port), "ACTIONS_HOST": "127.0.0.1", **env},
                   ready=lambda: _ok(f"{url(port)}/health"), ready_timeout=90)


def rasa(name: str, port: int, log_dir: Path, env: Dict[str, str], endpoints: str = "endpoints.yml",
         extra_args: Optional[list] = None) -> Service:
    rasa_url = url(port)
    # rasa_runtime: Rasa with the performance patches, its HTTP API on only when RASA_API_TOKEN is set.
    return Service(name, python_module("rasa_runtime", "run", "--model", str(MODEL), "--endpoints", endpoints,
                                       "--credentials", "credentials.yml", "--interface", "127.0.0.1",
                                       "--port", str(port), *(extra_args or [])),
                   log_dir / f"{name}.log", env={**BASE_ENV, **env},
                   ready=lambda: _ok(rasa_url) and model_answers(rasa_url), ready_timeout=300)


def web(name: str, port: int, log_dir: Path, env: Dict[str, str]) -> Service:
    return Service(name, python_module("webchat.server"), log_dir / f"{name}.log",
                   env={**BASE_ENV, "WEB_PORT": str(port), **env},
                   ready=lambda: _ok(f"{url(port)}/healthz"), ready_timeout=60)


def rasa_shell(log_dir: Path, env: Dict[str, str]) -> list:
    """`make shell`: Rasa's terminal chat, run in the foreground by the launcher (not supervised)."""
    return python_module("rasa", "shell", "--model", str(MODEL), "--endpoints", "endpoints.yml",
                         "--interface", "127.0.0.1")
