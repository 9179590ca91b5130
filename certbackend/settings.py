"""Service settings, all from the environment so `make run`, tests and CI can each choose.

Secrets (peppers, the CA key passphrase, the demo phone key) live in a key directory that may
be kept apart from the database (``BACKEND_KEY_DIR``): a copy of the data directory alone must
not be enough to brute-force PINs or read the CA key. A secret file that other users can read is
refused at start-up instead of being trusted.
"""
from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

_OFF = ("0", "false", "no", "off", "")


class StartupError(RuntimeError):
    """A configuration problem the operator must fix; reported in one clear line, no traceback."""


class InsecureSecretFile(StartupError):
    """A secret file other users may read: the service refuses to start with it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    key_dir: Path
    database_url: str
    host: str
    port: int
    api_token: str
    phone_token: str  # demo mode only: the demo phone's credential ("" outside demo mode)
    demo_mode: bool
    clock_offset_days: float
    seed_demo: bool
    public_url: str  # where relying parties fetch the CRL (goes into every certificate)
    log_file: Optional[Path] = None

    @classmethod
    def from_env(cls, env: Optional[dict] = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = private_dir(Path(env.get("BACKEND_DATA_DIR", "var/backend")))
        key_dir = private_dir(Path(env["BACKEND_KEY_DIR"])) if env.get("BACKEND_KEY_DIR") else data_dir
        # Off unless asked for: a deployment that forgets the variable must not seed known PINs,
        # expose the movable clock or the demo phone.
        demo_mode = env.get("BACKEND_DEMO_MODE", "0").strip().lower() not in _OFF
        host, port = env.get("BACKEND_HOST", "127.0.0.1"), int(env.get("BACKEND_PORT", "8700"))
        phone_token = ""
        if demo_mode:
            phone_token = env.get("BACKEND_PHONE_TOKEN") or read_or_create_secret(data_dir / "phone-token")
        log_file = env.get("BACKEND_LOG_FILE")
        return cls(
            data_dir=data_dir,
            key_dir=key_dir,
            database_url=env.get("BACKEND_DATABASE_URL") or f"sqlite:///{data_dir / 'certbackend.sqlite3'}",
            host=host,
            port=port,
            api_token=env.get("BACKEND_TOKEN") or read_or_create_secret(data_dir / "api-token"),
            phone_token=phone_token,
            demo_mode=demo_mode,
            clock_offset_days=float(env.get("BACKEND_CLOCK_OFFSET_DAYS", "0")),
            seed_demo=demo_mode and env.get("BACKEND_SEED_DEMO", "1").strip().lower() not in _OFF,
            public_url=(env.get("BACKEND_PUBLIC_URL") or f"http://{host}:{port}").rstrip("/"),
            log_file=Path(log_file).resolve() if log_file else None,
        )

    def secret(self, name: str) -> str:
        """A server-side secret kept outside the database (a dump alone must reveal nothing)."""
        return read_or_create_secret(self.key_dir / f"{name}.secret")


def private_dir(path: Path) -> Path:
    """Create a directory only its owner can enter (an existing one keeps its mode)."""
    path = path.resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _refuse_if_readable_by_others(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InsecureSecretFile(
            f"Secret file {path} is accessible to other users (mode {stat.S_IMODE(mode):04o}); "
            f"refusing to use it. Fix with: chmod 600 {path}")


def read_or_create_secret(path: Path) -> str:
    """Read a secret file, creating it (0600, random) on first use.

    Several processes may start at once: the value is written to a private temporary file and
    linked into place, so a reader never sees a half-written file and exactly one value wins.
    """
    if not path.exists():
        value = secrets.token_urlsafe(32)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(value + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            temporary.unlink(missing_ok=True)
    _refuse_if_readable_by_others(path)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise InsecureSecretFile(f"Secret file {path} is empty; remove it to have a new one generated.")
    return value
