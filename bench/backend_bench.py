"""Backend throughput and latency: issuance and renewal over real HTTP, printed as figures.

Starts its own backend on a temporary SQLite database (loopback only), verifies N customers (each
a demo bank account, account password checked untimed), issues one certificate each with C parallel
clients, moves the clock into the renewal window
and renews them all. Every request is timed; the counts are bounded.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, List, Tuple

from tests.backend.conftest import Api
from launcher.processes import start_backend, stop


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    reply = call()
    elapsed = time.perf_counter() - started
    assert reply.status_code == 201, reply.text
    return elapsed


def run_phase(name: str, calls: List[Callable], clients: int) -> Tuple[str, float, float, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = sorted(pool.map(timed, calls))
    wall = time.perf_counter() - started
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000
    return name, len(calls) / wall, p50, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backend = start_backend(Path(tmp), extra_env={"BACKEND_SEED_DEMO": "0"})
        api = Api(backend)
        try:
            people = [api.new_person() for _ in range(args.customers)]
            tokens = [api.verify(p) for p in people]
            for token in tokens:  # the account password (second factor) is checked before, untimed
                assert api.second_factor(token).status_code == 200
            issue = run_phase("issue", [lambda t=t: api.issue(t, "482915", second_factor=False) for t in tokens],
                              args.clients)
            serials = [api.status(t)["current"]["serial"] for t in tokens]
            api.move_clock(3 * 365.25 - 10)
            tokens = [api.verify(p) for p in people]
            renew = run_phase("renew", [
                lambda t=t, s=s: api.call("POST", f"/v1/certificates/{s}/renew", token=t, json={"pin": "482915"})
                for t, s in zip(tokens, serials)], args.clients)
        finally:
            stop(backend.process)
    print(f"\ncertbackend benchmark: {args.customers} customers, {args.clients} parallel clients, SQLite (WAL)")
    print(f"{'operation':<10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, throughput, p50, p95 in (issue, renew):
        print(f"{name:<10}{throughput:>10.1f}{p50:>10.1f}{p95:>10.1f}")


if __name__ == "__main__":
    main()
