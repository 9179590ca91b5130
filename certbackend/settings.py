"""Service settings, all from the environment so `make run`, tests and CI can each choose."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    port: int
    api_token: str
    demo_mode: bool
    clock_offset_days: float
    seed_demo: bool

    @classmethod
    def from_env(cls, env: Optional[dict] = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("BACKEND_DATA_DIR", "var/backend")).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        demo_mode = env.get("BACKEND_DEMO_MODE", "1") not in ("0", "false", "no", "")
        return cls(
            data_dir=data_dir,
            database_url=env.get("BACKEND_DATABASE_URL") or f"sqlite:///{data_dir / 'certbackend.sqlite3'}",
            host=env.get("BACKEND_HOST", "127.0.0.1"),
            port=int(env.get("BACKEND_PORT", "8700")),
            api_token=env.get("BACKEND_TOKEN") or read_or_create_secret(data_dir / "api-token"),
            demo_mode=demo_mode,
            clock_offset_days=float(env.get("BACKEND_CLOCK_OFFSET_DAYS", "0")),
            seed_demo=demo_mode and env.get("BACKEND_SEED_DEMO", "1") not in ("0", "false", "no"),
        )

    def secret(self, name: str) -> str:
        """A server-side secret kept outside the database (a dump alone must reveal nothing)."""
        return read_or_create_secret(self.data_dir / f"{name}.secret")


def read_or_create_secret(path: Path) -> str:
    """Read a secret file, creating it (0600, random) on first use."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
