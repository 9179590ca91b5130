"""PostgreSQL, Redis and nginx from Debian's packages, as ordinary supervised processes.

Each keeps its data, configuration, pid file and logs under one directory of the run (`var/cluster/`
for `make run-cluster`, a temporary directory in tests) and listens on loopback only. Passwords are
random, written 0600 under `secrets/`. PostgreSQL refuses to run as root, so when the launcher runs
as root it starts `initdb` and `postgres` as the `postgres` user (that user then owns the data dir).
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

from launcher.supervisor import Service

ROOT = Path(__file__).resolve().parents[1]
NGINX_TEMPLATE = ROOT / "cluster" / "nginx.conf.template"
# What a customer reads when no action server answers (nginx replies for them; see the template).
ACTIONS_DOWN_TEXT = "죄송해요, 지금 잠시 처리하지 못했어요. 입력하신 내용은 그대로 있어요. 잠시 후 같은 내용을 다시 보내 주세요."


def secret(path: Path, nbytes: int = 24) -> str:
    """Read a secret file, creating it (0600, random, URL-safe) on first use."""
    import secrets as random_source
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(random_source.token_urlsafe(nbytes) + "\n")
    return path.read_text(encoding="ascii").strip()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# -- PostgreSQL ----------------------------------------------------------------------------------
def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/ensure-cluster-packages.sh")
    return found[-1].parent


def _pg_user() -> str:
    """PostgreSQL refuses root; as root we run it as Debian's `postgres` user."""
    return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


@dataclass
class Postgres:
    home: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.home / "data"

    def dsn(self, database: str, user: str = "postgres", password: str = "") -> str:
        return f"postgresql://{user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def service(self, log_dir: Path) -> Service:
        return Service(
            "postgres",
            [str(pg_bin() / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data}",
             "-c", "max_connections=200", "-c", "fsync=on"],
            log_dir / "postgres.log", user=_pg_user() if os.geteuid() == 0 else None,
            ready=lambda: port_open(self.port) and self._accepts(), ready_timeout=60,
            # Fast shutdown: the default (smart) would wait for Rasa's pooled connections to close.
            stop_signal=signal.SIGINT)

    def _accepts(self) -> bool:
        import psycopg2
        try:
            psycopg2.connect(self.dsn("postgres"), connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False


def init_postgres(home: Path, port: int) -> Postgres:
    """initdb on first use (password auth, UTF-8); the data dir survives later runs."""
    password = secret(home.parent / "secrets" / "postgres-password")
    pg = Postgres(home, port, password)
    if (pg.data / "PG_VERSION").exists():
        return pg
    user = _pg_user()
    home.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(pg.data, ignore_errors=True)
    pg.data.mkdir(mode=0o700)
    pwfile = home / "initdb-password"
    pwfile.write_text(password + "\n", encoding="ascii")
    os.chmod(pwfile, 0o600)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for path in (pg.data, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    try:
        subprocess.run([str(pg_bin() / "initdb"), "-D", str(pg.data), "-U", "postgres", "-E", "UTF8",
                        "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile}"],
                       check=True, capture_output=True, timeout=120,
                       **({"user": user, "group": user, "extra_groups": []} if os.geteuid() == 0 else {}))
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"initdb failed:\n{error.stdout.decode()}{error.stderr.decode()}") from None
    finally:
        pwfile.unlink(missing_ok=True)
    return pg


def create_databases(pg: Postgres, owners: Dict[str, str]) -> Dict[str, str]:
    """One role and one database per owner (rasa, certbackend); returns their DSNs."""
    import psycopg2
    from psycopg2 import sql
    dsns = {}
    connection = psycopg2.connect(pg.dsn("postgres"), connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for name, password in owners.items():
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
                if cursor.fetchone():
                    cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(name)), (password,))
                else:
                    cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(name)),
                                   (password,))
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if not cursor.fetchone():
                    cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
                        sql.Identifier(name), sql.Identifier(name)))
                dsns[name] = pg.dsn(name, user=name, password=password)
    finally:
        connection.close()
    return dsns


def drop_database(pg: Postgres, name: str) -> None:
    """`make run-cluster` starts from fresh demo data, like `make run`."""
    import psycopg2
    from psycopg2 import sql
    connection = psycopg2.connect(pg.dsn("postgres"), connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


# -- Redis ---------------------------------------------------------------------------------------
@dataclass
class Redis:
    home: Path
    port: int
    password: str

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def service(self, log_dir: Path) -> Service:
        self.home.mkdir(parents=True, exist_ok=True)
        conf = self.home / "redis.conf"
        # The password goes in a 0600 file, not on the command line (ps would show it).
        conf.write_text("\n".join([
            "bind 127.0.0.1", f"port {self.port}", f"dir {self.home}", "daemonize no",
            f"requirepass {self.password}", "protected-mode yes",
            # Append-only with fsync every write: a restart loses nothing the services stored.
            "appendonly yes", "appendfsync always", 'save ""', "loglevel notice", "logfile \"\"",
        ]) + "\n", encoding="ascii")
        os.chmod(conf, 0o600)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        return Service("redis", [binary, str(conf)], log_dir / "redis.log",
                       ready=lambda: self.ping(), ready_timeout=30)

    def ping(self) -> bool:
        import redis
        try:
            return bool(redis.Redis.from_url(self.url(), socket_timeout=2).ping())
        except redis.RedisError:
            return False


def init_redis(home: Path, port: int) -> Redis:
    return Redis(home, port, secret(home.parent / "secrets" / "redis-password"))


# -- nginx ---------------------------------------------------------------------------------------
def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _upstream(ports: List[int], down: frozenset = frozenset()) -> str:
    # max_fails/fail_timeout: a dead instance is skipped for 5 s after one failed connection; an instance
    # the supervisor knows to be restarting is marked down until it is ready again.
    return "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{' down' if port in down else ''};"
                     for port in ports)


class NginxGate:
    """Takes an instance out of nginx while it restarts and puts it back once it is ready (rewrites
    the configuration and asks nginx to reload it, SIGHUP: no request in flight is dropped)."""

    def __init__(self) -> None:
        self._render: Callable[[frozenset], None] = lambda down: None
        self._down: set = set()
        self.pid: Callable[[], Optional[int]] = lambda: None   # nginx's master (it may be restarted too)
        self._lock = threading.Lock()

    def set(self, port: int, down: bool) -> None:
        with self._lock:
            (self._down.add if down else self._down.discard)(port)
            self._render(frozenset(self._down))
            pid = self.pid()
            if pid:
                os.kill(pid, signal.SIGHUP)

    def gated(self, service: Service, port: int) -> Service:
        service.on_down, service.on_ready = (lambda: self.set(port, True)), (lambda: self.set(port, False))
        return service


def nginx_service(home: Path, log_dir: Path, listen: Dict[str, int], upstreams: Dict[str, List[int]],
                  gate: Optional["NginxGate"] = None) -> Service:
    """nginx as an ordinary process: its own prefix, conf, pid and temp dirs under `home`."""
    user_directive = ""
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (home / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Started as root, nginx's workers drop to nobody; they must own their temp dirs.
            nobody = pwd.getpwnam("nobody")
            os.chown(home / sub, nobody.pw_uid, nobody.pw_gid)
    if os.geteuid() == 0:
        user_directive = "user nobody nogroup;"
    conf = home / "nginx.conf"

    def render(down: frozenset = frozenset()) -> None:
        values = {"prefix": str(home), "log_dir": str(log_dir), "user_directive": user_directive,
                  "actions_down_text": ACTIONS_DOWN_TEXT,
                  **{f"listen_{k}": str(v) for k, v in listen.items()},
                  **{f"upstream_{k}": _upstream(v, down) for k, v in upstreams.items()}}
        # {{name}} placeholders: nginx's own $variables stay untouched; an unknown name is an error.
        text = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], NGINX_TEMPLATE.read_text(encoding="utf-8"))
        conf.write_text(text, encoding="utf-8")

    render()
    if gate is not None:
        gate._render = render
    check = subprocess.run([nginx_binary(), "-t", "-p", str(home), "-c", str(conf)], capture_output=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError(f"nginx configuration rejected:\n{check.stderr.decode()}")
    return Service("nginx", [nginx_binary(), "-p", str(home), "-c", str(conf)], log_dir / "nginx.log",
                   ready=lambda: port_open(listen["web"]), ready_timeout=20, stop_signal=signal.SIGTERM,
                   stop_timeout=10)


def wait_port_free(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port) and time.monotonic() < deadline:
        time.sleep(0.2)
