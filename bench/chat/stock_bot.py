"""The baseline: a stock `rasa init` assistant, created and trained by the benchmark itself.

It lives in var/bench/stock-bot (created once, retrained only when missing), with Rasa's own
default pipeline and policies (DIET, TED, ...), started on a free loopback port.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Tuple

from launcher.processes import ROOT, free_port, start, wait_until

import requests

STOCK_DIR = ROOT / "var" / "bench" / "stock-bot"


def ensure_trained(log: Path) -> Tuple[Path, float]:
    """The stock bot's model, and its training time (0 when it was already there)."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1], 0.0
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # `rasa init --no-prompt` writes the example project and trains it (DIET + TED, defaults).
    with log.open("w") as out:
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],
                       cwd=STOCK_DIR, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=1200,
                       env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false",
                            "TF_CPP_MIN_LOG_LEVEL": "2"})
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1], time.perf_counter() - started


def start_stock(model: Path, log: Path):
    """Rasa serving the stock model on loopback; returns (process, url, load seconds)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    # Its own endpoints and credentials: Rasa would otherwise read the project's from the working
    # directory (an action server and a token the stock bot does not have).
    process = start(["-m", "rasa", "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port),
                     "--endpoints", str(STOCK_DIR / "endpoints.yml"),
                     "--credentials", str(STOCK_DIR / "credentials.yml")],
                    log, {"PYTHONPATH": str(STOCK_DIR)})
    # Same readiness test as the project: the first real answer, not just an open port.
    wait_until(lambda: requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "probe", "message": "hi"},
                                     timeout=30).ok, 600, process, log)
    return process, url, time.perf_counter() - started
