"""`python -m certbackend`: start the service (settings from the environment, see settings.py)."""
from __future__ import annotations

import logging

from certbackend import demo
from certbackend.api import create_app
from certbackend.context import build_context
from certbackend.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    ctx = build_context(settings)
    if settings.seed_demo:
        created = demo.seed(ctx)
        logging.getLogger("certbackend").info("Demo mode: %d demo customers seeded", created)
    app = create_app(ctx)
    # access_log shows method, path and status only: bodies (PINs, codes) are never logged.
    app.run(host=settings.host, port=settings.port, workers=1, access_log=True, debug=False,
            motd=False)


if __name__ == "__main__":
    main()
