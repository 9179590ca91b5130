"""The same product as a cluster: PostgreSQL, Redis and nginx from Debian's packages, 2 certificate
backends, 2 action servers, 2 Rasa instances and 2 web fronts, all supervised on loopback.

    browser ──> nginx :web ──> web-1 | web-2  (page, widget, cookie-bound conversation, demo phone)
                                 │
                nginx :rasa ──> rasa-1 | rasa-2 ── PostgreSQL "rasa" (tracker store, redacted)
                                 │               └ Redis db 1 (lock store: one turn per conversation)
                nginx :actions ─> actions-1 | actions-2 ── Redis db 3 (secret vault, AES-GCM + TTL)
                                 │
                nginx :backend ─> backend-1 | backend-2 ── PostgreSQL "certbackend" (also the demo phone)

Only configuration differs from `make run`: endpoints.cluster.yml and environment variables.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

from launcher import infra, services
from launcher.processes import Backend, free_port
from launcher.stack import Stack, backend_credentials, demo_env, desk_env
from launcher.supervisor import Supervisor
from sharedstate.vault import create_key_file

INSTANCES = 2
ENTRY_PORTS = ("web", "rasa", "actions", "backend", "postgres", "redis")


def _create_rasa_schema(env: Dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "launcher.rasa_schema"], env={**os.environ, **services.BASE_ENV, **env},
                                stdout=out, stderr=subprocess.STDOUT)


def start_cluster(home: Path, log_dir: Path, ports: Optional[Dict[str, int]] = None, fresh_demo_data: bool = True,
                  demo: bool = True, supervise: bool = True, instances: int = INSTANCES,
                  web_extra_env: Optional[Dict[str, str]] = None) -> Stack:
    """Start the cluster; returns when every instance is ready. Entry ports default to free ones."""
    if not services.MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    home, log_dir = home.resolve(), log_dir.resolve()
    ports = {name: (ports or {}).get(name) or free_port() for name in ENTRY_PORTS}
    log_dir.mkdir(parents=True, exist_ok=True)
    secrets_dir = home / "secrets"
    pg = infra.init_postgres(home / "postgres", ports["postgres"])
    redis = infra.init_redis(home / "redis", ports["redis"])
    supervisor = Supervisor()
    supervisor.start(pg.service(log_dir), redis.service(log_dir))
    try:
        if fresh_demo_data:
            for database in ("certbackend", "rasa", "agentdesk"):
                infra.drop_database(pg, database)
            import redis as redis_py
            redis_py.Redis.from_url(redis.url(), socket_timeout=5).flushall()
        dsns = infra.create_databases(pg, {name: infra.secret(secrets_dir / f"{name}-db-password")
                                           for name in ("rasa", "certbackend", "agentdesk")})
        rasa_db = {"RASA_DB_PORT": str(pg.port), "RASA_DB_NAME": "rasa", "RASA_DB_USER": "rasa",
                   "RASA_DB_PASSWORD": infra.secret(secrets_dir / "rasa-db-password")}
        schema = _create_rasa_schema(rasa_db, log_dir / "rasa-schema.log")

        backend_dir = home / "backend"
        backend_dir.mkdir(parents=True, exist_ok=True)
        tokens = backend_credentials(backend_dir)
        modes = demo_env(demo)
        instance_ports = {kind: [free_port() for _ in range(instances)] for kind in ("web", "rasa", "actions", "backend")}
        backend_env = {"BACKEND_DATA_DIR": str(backend_dir), **tokens, **modes["backend"],
                       "BACKEND_DATABASE_URL": dsns["certbackend"].replace("postgresql://", "postgresql+psycopg2://", 1)}
        gate = infra.NginxGate()   # a restarting instance is out of nginx until it is ready
        nginx = infra.nginx_service(home / "nginx", log_dir,
                                    listen={k: ports[k] for k in ("web", "rasa", "actions", "backend")},
                                    upstreams=instance_ports, gate=gate)
        gate.pid = lambda: supervisor.pid("nginx") if supervisor.is_up("nginx") else None
        # Both backends at once, even on an empty database: one creates the schema and the CA, the
        # other uses them (tests/cluster/test_1_first_start.py proves it with three).
        supervisor.start(*(gate.gated(services.backend(f"backend-{i + 1}", port, log_dir, backend_env), port)
                           for i, port in enumerate(instance_ports["backend"])), nginx)

        channel = {"BACKEND_URL": services.url(ports["backend"]), "BACKEND_TOKEN": tokens["BACKEND_TOKEN"]}
        action_token = {"ACTION_SERVER_TOKEN": services.action_server_token()}
        actions_env = {**channel, **action_token, "VAULT_REDIS_URL": redis.url(3),
                       "VAULT_KEY_FILE": str(create_key_file(secrets_dir / "vault-key")),
                       "ACTION_SERVER_SANIC_WORKERS": "1"}
        # The agent desk: its own database shared by both web fronts (AGENTDESK_DATABASE_URL), the
        # conversations read from Rasa's PostgreSQL, one API token for both Rasa instances.
        desk = {**desk_env(home, services.action_server_token()),
                "AGENTDESK_DATABASE_URL": dsns["agentdesk"].replace("postgresql://", "postgresql+psycopg2://", 1),
                "CONVERSATIONS_DATABASE_URL": dsns["rasa"].replace("postgresql://", "postgresql+psycopg2://", 1)}
        rasa_env = {"ACTIONS_PORT": str(ports["actions"]), **rasa_db, **action_token, **desk,
                    "REDIS_PORT": str(redis.port), "REDIS_PASSWORD": redis.password, "SANIC_WORKERS": "1"}
        # Both web fronts sign cookies with one key file, so either accepts a visitor's cookie; nginx is
        # their only client, so they take the visitor's address from its X-Real-IP (WEB_TRUST_PROXY).
        web_env = {"BACKEND_URL": services.url(ports["backend"]), "RASA_URL": services.url(ports["rasa"]),
                   **modes["web"], "BACKEND_PHONE_TOKEN": tokens["BACKEND_PHONE_TOKEN"], **desk,
                   "WEB_REDIS_URL": redis.url(4), "WEB_TRUST_PROXY": "1",
                   "WEB_SECRET_FILE": str(secrets_dir / "web-cookie-secret"), **(web_extra_env or {})}
        infra.secret(secrets_dir / "web-cookie-secret", 32)
        if schema.wait(timeout=180) != 0:
            raise RuntimeError(f"creating Rasa's tables failed: see {log_dir / 'rasa-schema.log'}")
        supervisor.start(
            *(gate.gated(services.actions(f"actions-{i + 1}", port, log_dir, actions_env), port)
              for i, port in enumerate(instance_ports["actions"])),
            *(gate.gated(services.rasa(f"rasa-{i + 1}", port, log_dir, rasa_env, "endpoints.cluster.yml"), port)
              for i, port in enumerate(instance_ports["rasa"])),
            *(gate.gated(services.web(f"web-{i + 1}", port, log_dir, web_env), port)
              for i, port in enumerate(instance_ports["web"])))
    except BaseException:
        supervisor.stop()
        raise
    if supervise:
        supervisor.watch()
    backend = Backend(url=services.url(ports["backend"]), token=tokens["BACKEND_TOKEN"],
                      process=supervisor.running["backend-1"].process, data_dir=backend_dir,
                      log=log_dir / "backend-1.log", phone_token=tokens["BACKEND_PHONE_TOKEN"])
    return Stack(backend=backend, rasa_url=services.url(ports["rasa"]), web_url=services.url(ports["web"]),
                 log_dir=log_dir, supervisor=supervisor,
                 backend_urls=[services.url(p) for p in instance_ports["backend"]],
                 extra={"postgres": pg, "redis": redis, "dsns": dsns, "home": home, "ports": ports,
                        "instance_ports": instance_ports})
