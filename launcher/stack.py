"""The embedded product: one certificate backend (SQLite), one action server, one Rasa, one web front.

`python -m launcher` (`make run`) starts it on the usual ports and supervises it; the test fixtures
call `start_stack()` with free ports and a temporary directory. A process that dies is restarted by
the supervisor (the backend keeps its database across that restart; only a new `make run` reseeds the
demo data). `launcher/cluster.py` starts the same code as a cluster.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from launcher import services
from launcher.infra import secret
from launcher.processes import Backend, free_port
from launcher.supervisor import Supervisor

MODEL = services.MODEL
PORT_NAMES = ("backend", "actions", "rasa", "web")
# Tests drive many visitors from one address: per-client quotas high enough not to refuse them.
ONE_ADDRESS_MANY_VISITORS = {"WEB_MESSAGES_PER_MINUTE": "1200", "WEB_MESSAGE_BURST": "200",
                             "WEB_NEW_CONVERSATIONS_PER_HOUR": "5000", "WEB_PHONE_REQUESTS_PER_MINUTE": "2400"}


@dataclass
class Stack:
    backend: Backend
    rasa_url: str
    web_url: str
    log_dir: Path
    supervisor: Supervisor
    backend_urls: List[str] = field(default_factory=list)   # each backend process (demo clock)
    extra: Dict[str, object] = field(default_factory=dict)
    actions_url: str = ""

    @property
    def processes(self) -> list:
        """The current processes other than the backend (action server first), as before supervision."""
        return [entry.process for name, entry in self.supervisor.running.items() if not name.startswith("backend")]

    def stop(self) -> None:
        self.supervisor.stop()


def demo_env(demo: bool) -> Dict[str, Dict[str, str]]:
    """Demo mode is off unless asked for; `make run` and the tests ask for it."""
    flag = "1" if demo else "0"
    return {"backend": {"BACKEND_DEMO_MODE": flag}, "web": {"DEMO_MODE": flag}}


def backend_credentials(backend_dir: Path) -> Dict[str, str]:
    """The channel token and the phone-side token, kept 0600 in the backend's data dir so an operator
    can read them (`make demo-clock`) and a restarted backend keeps the same ones."""
    return {"BACKEND_TOKEN": os.environ.get("BACKEND_TOKEN") or secret(backend_dir / "api-token"),
            "BACKEND_PHONE_TOKEN": os.environ.get("BACKEND_PHONE_TOKEN") or secret(backend_dir / "phone-token")}


def start_stack(log_dir: Path, ports: Optional[Dict[str, int]] = None, backend_dir: Optional[Path] = None,
                fresh_demo_data: bool = True, rasa_args: Optional[List[str]] = None,
                endpoints: str = "endpoints.yml", demo: bool = True, supervise: bool = True,
                rasa_api_token: Optional[str] = None, web_env: Optional[Dict[str, str]] = None,
                data_dir: Optional[Path] = None) -> Stack:
    """Start everything; returns when Rasa answers. Ports default to free ones.

    Every process binds loopback. The action server answers only Rasa (a fresh shared secret per start,
    ACTION_SERVER_TOKEN). Rasa's HTTP API is off unless a token is given (argument or RASA_API_TOKEN).
    ``demo`` turns the demo phone on in the backend and the web front. Conversations (SQLite,
    through the redacting store) and the agent desk's database live in ``data_dir`` (log_dir by default).
    """
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    ports = {name: (ports or {}).get(name) or free_port() for name in PORT_NAMES}
    log_dir.mkdir(parents=True, exist_ok=True)
    backend_dir = (backend_dir or log_dir / "backend").resolve()
    backend_dir.mkdir(parents=True, exist_ok=True)
    if fresh_demo_data and not os.environ.get("BACKEND_DATABASE_URL"):
        for stale in backend_dir.glob("certbackend.sqlite3*"):
            stale.unlink()
    tokens = backend_credentials(backend_dir)
    modes = demo_env(demo)
    backend_url = services.url(ports["backend"])
    channel = {"BACKEND_URL": backend_url, "BACKEND_TOKEN": tokens["BACKEND_TOKEN"]}
    action_token = {"ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN") or services.action_server_token()}
    desk = desk_env(data_dir or log_dir, rasa_api_token)
    supervisor = Supervisor()
    supervisor.start(services.backend("backend", ports["backend"], log_dir,
                                      {"BACKEND_DATA_DIR": str(backend_dir), **tokens, **modes["backend"]}))
    rasa_url, web_url = services.url(ports["rasa"]), services.url(ports["web"])
    supervisor.start(
        services.actions("actions", ports["actions"], log_dir, {**channel, **action_token}),
        services.rasa("rasa", ports["rasa"], log_dir, {"ACTIONS_PORT": str(ports["actions"]), **action_token, **desk},
                      endpoints, list(rasa_args or [])),
        services.web("web", ports["web"], log_dir, {
            "BACKEND_URL": backend_url, "RASA_URL": rasa_url, **modes["web"],
            "BACKEND_PHONE_TOKEN": tokens["BACKEND_PHONE_TOKEN"], **desk,
            "WEB_SECRET_FILE": str(backend_dir.parent / "web" / "cookie-secret"), **(web_env or {})}))
    if supervise:
        supervisor.watch()
    backend = Backend(url=backend_url, token=tokens["BACKEND_TOKEN"], process=supervisor.running["backend"].process,
                      data_dir=backend_dir, log=log_dir / "backend.log", phone_token=tokens["BACKEND_PHONE_TOKEN"])
    return Stack(backend=backend, rasa_url=rasa_url, web_url=web_url, log_dir=log_dir, supervisor=supervisor,
                 backend_urls=[backend_url], actions_url=services.url(ports["actions"]))


def desk_env(data_dir: Path, rasa_api_token: Optional[str] = None) -> Dict[str, str]:
    """Where conversations and the agent desk's data live, and Rasa's API token (off when empty).

    Rasa receives the token in its environment, never on its command line (`ps` shows arguments);
    rasa_runtime turns it into --enable-api --auth-token inside the process.
    """
    return {"CONVERSATIONS_DB": os.environ.get("CONVERSATIONS_DB") or str(data_dir / "conversations.sqlite3"),
            "AGENTDESK_DB": os.environ.get("AGENTDESK_DB") or str(data_dir / "agentdesk.sqlite3"),
            "RASA_API_TOKEN": rasa_api_token or os.environ.get("RASA_API_TOKEN") or ""}


def clean_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
