"""`python -m certbackend`: start the service (settings from the environment, see settings.py)."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Optional

from certbackend import demo, idempotency
from certbackend.api import create_app
from certbackend.context import build_context
from certbackend.settings import Settings, StartupError


def configure_logging(log_file: Optional[Path]) -> None:
    handlers = [logging.StreamHandler()]
    if log_file is not None:
        # Created 0600 (and tightened if it exists): logs name customers' actions and serials.
        log_file.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(log_file, 0o600)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        handlers=handlers)


def main() -> None:
    try:
        settings = Settings.from_env()
    except StartupError as error:
        print(f"certbackend: {error}", file=sys.stderr)
        sys.exit(2)
    configure_logging(settings.log_file)
    log = logging.getLogger("certbackend")
    try:
        ctx = build_context(settings)
    except StartupError as error:
        log.error("%s", error)
        sys.exit(2)
    idempotency.prune(ctx)
    ctx.quotas.prune()
    if settings.demo_mode:
        log.warning("DEMO MODE: demo customers with known PINs, a movable clock and the demo phone "
                    "are enabled. Never use demo mode with real customers.")
    if settings.seed_demo:
        created = demo.seed(ctx)
        log.info("Demo mode: %d demo customers seeded", created)
    app = create_app(ctx)
    # Sanic (configured when the app is made) writes each access line with its own handler; passed on to
    # ours as well it came out a second time, empty ("sanic.access INFO ": the line's fields are extras
    # our format does not show) — one more formatting, scrubbing and write per request for nothing.
    logging.getLogger("sanic.access").propagate = False
    # access_log shows method, path and status only: bodies (PINs, codes) are never logged.
    app.run(host=settings.host, port=settings.port, workers=1, access_log=True, debug=False,
            motd=False)


if __name__ == "__main__":
    main()
