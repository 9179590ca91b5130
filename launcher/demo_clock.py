"""`make demo-clock DAYS=…`: move the running demo's clock (every backend process of it).

Reads var/run/launcher.json, written by `make run` / `make run-cluster`, for the backend addresses and
the file holding the operator token (0600, in the backend's data dir), so nobody has to copy a token.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests

from launcher.__main__ import STATE_FILE


def main() -> int:
    parser = argparse.ArgumentParser(prog="make demo-clock DAYS=…")
    parser.add_argument("days", type=float, help="days to move the clock forward from today (0 = back to today)")
    args = parser.parse_args()
    if not STATE_FILE.exists():
        print("No running demo found (var/run/launcher.json): start it with `make run` first.", file=sys.stderr)
        return 1
    state = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    token = Path(state["backend_token_file"]).read_text(encoding="ascii").strip()
    for url in state["backend_instances"]:
        try:
            reply = requests.post(f"{url}/demo/clock", json={"offset_days": args.days},
                                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
        except requests.RequestException as error:
            print(f"{url}: not reachable ({type(error).__name__})", file=sys.stderr)
            return 1
        if reply.status_code != 200:
            print(f"{url}: {reply.status_code} {reply.text[:200]}", file=sys.stderr)
            return 1
        print(f"{url}: demo clock now {reply.json().get('now')} (offset {reply.json().get('offset_days')} days)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
