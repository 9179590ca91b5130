"""Settings for the web front, read once from the environment."""
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    port: int
    rasa_url: str
    backend_url: str
    backend_token: str
    demo_mode: bool

    @classmethod
    def from_env(cls, env=os.environ) -> "Settings":
        return cls(
            port=int(env.get("WEB_PORT", "8080")),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            backend_url=env.get("BACKEND_URL", "http://127.0.0.1:8700").rstrip("/"),
            backend_token=_token(env),
            demo_mode=env.get("DEMO_MODE", "1").strip().lower() not in ("0", "false", "no", "off", ""),
        )


def _token(env) -> str:
    # BACKEND_TOKEN wins; else the backend's generated secret file. Empty means "no header".
    if env.get("BACKEND_TOKEN"):
        return env["BACKEND_TOKEN"].strip()
    path = env.get("BACKEND_TOKEN_FILE")
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8").strip()
    return ""
