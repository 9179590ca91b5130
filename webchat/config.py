"""Settings for the web front, read once from the environment."""
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SECRET_FILE = ROOT / "var" / "web" / "cookie-secret"


@dataclass(frozen=True)
class Settings:
    port: int
    rasa_url: str
    backend_url: str
    phone_token: str  # the demo phone's credential (BACKEND_PHONE_TOKEN); never the channel token
    demo_mode: bool
    cookie_secret: bytes
    cookie_secure: bool = False
    messages_per_minute: int = 30
    message_burst: int = 10
    new_conversations_per_hour: int = 60
    phone_requests_per_minute: int = 90

    @classmethod
    def from_env(cls, env=os.environ) -> "Settings":
        return cls(
            port=int(env.get("WEB_PORT", "8080")),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            backend_url=env.get("BACKEND_URL", "http://127.0.0.1:8700").rstrip("/"),
            phone_token=_from_env_or_file(env, "BACKEND_PHONE_TOKEN"),
            # Off unless asked for: demo customers and the demo phone have no place in a real deployment.
            demo_mode=_flag(env.get("DEMO_MODE", "0")),
            cookie_secret=_cookie_secret(env),
            cookie_secure=_flag(env.get("WEB_COOKIE_SECURE", "0")),
            messages_per_minute=int(env.get("WEB_MESSAGES_PER_MINUTE", "30")),
            message_burst=int(env.get("WEB_MESSAGE_BURST", "10")),
            new_conversations_per_hour=int(env.get("WEB_NEW_CONVERSATIONS_PER_HOUR", "60")),
            phone_requests_per_minute=int(env.get("WEB_PHONE_REQUESTS_PER_MINUTE", "90")),
        )


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _from_env_or_file(env, name: str) -> str:
    # NAME wins; else the file NAME_FILE names (the backend generates one). Empty means "no header".
    if env.get(name):
        return env[name].strip()
    path = env.get(f"{name}_FILE")
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8").strip()
    return ""


def _cookie_secret(env) -> bytes:
    """WEB_COOKIE_SECRET, else a file (WEB_SECRET_FILE, default var/web/cookie-secret) made once, 0600."""
    if env.get("WEB_COOKIE_SECRET"):
        return env["WEB_COOKIE_SECRET"].encode("utf-8")
    path = Path(env.get("WEB_SECRET_FILE") or DEFAULT_SECRET_FILE)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another web front made it meanwhile
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_bytes().strip()
