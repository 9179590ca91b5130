"""`python -m actionserver`: the guarded action server.

Env: ACTIONS_PORT (5055), ACTIONS_HOST (127.0.0.1: loopback unless an operator opens it),
ACTION_SERVER_TOKEN or ACTION_SERVER_TOKEN_FILE (the secret Rasa sends; required).
"""
import logging
import os
import sys
from pathlib import Path

from logsafety import install


def secret_from_env(env=os.environ) -> str:
    if env.get("ACTION_SERVER_TOKEN"):
        return env["ACTION_SERVER_TOKEN"].strip()
    path = env.get("ACTION_SERVER_TOKEN_FILE")
    if path and Path(path).is_file():
        return Path(path).read_text(encoding="ascii").strip()
    return ""


def main() -> int:
    install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    secret = secret_from_env()
    if not secret:
        print("ACTION_SERVER_TOKEN (or ACTION_SERVER_TOKEN_FILE) is not set: refusing to serve actions "
              "without the secret Rasa sends (see endpoints.yml).", file=sys.stderr)
        return 2
    from actionserver.app import create_app

    host, port = os.environ.get("ACTIONS_HOST", "127.0.0.1"), int(os.environ.get("ACTIONS_PORT", "5055"))
    logging.getLogger("actionserver").info("action server on http://%s:%s (shared secret required)", host, port)
    create_app(secret).run(host=host, port=port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
