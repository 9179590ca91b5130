"""`make test-cluster`: one cluster (launcher/cluster.py) for the whole session, on free loopback ports.

PostgreSQL, Redis and nginx run from Debian's packages (scripts/ensure-cluster-packages.sh installs
them); 2 backends, 2 action servers, 2 Rasa, 2 web fronts. Logs and data go under
var/artifacts/cluster/ (kept for the secret search and for reading after a failure; replaced by the
next run). Figures the tests measure are written to var/artifacts/cluster/figures.json and printed;
docs/reliability.md quotes them. The teardown checks that no process the run started is left.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from launcher.cluster import start_cluster
from launcher.processes import ROOT

ARTIFACTS = ROOT / "var" / "artifacts" / "cluster"
FIGURES: dict = {}


def record_figure(name: str, value) -> None:
    FIGURES[name] = value
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures.json").write_text(json.dumps(FIGURES, ensure_ascii=False, indent=2), encoding="utf-8")


def _processes_mentioning(path: Path) -> list:
    """Pids of live processes whose command line names `path` (what this run started)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(path) in cmdline and state != "Z":
            found.append((int(proc.name), cmdline[:120]))
    return found


@pytest.fixture(scope="session")
def cluster():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    home, logs = ARTIFACTS / "home", ARTIFACTS / "log"
    started = time.monotonic()
    # Every test client is 127.0.0.1: the web fronts' per-client quotas (tested by tests/security) are
    # raised so the hostile corpus and the widget test are not simply refused with 429.
    stack = start_cluster(home, logs, web_extra_env={
        "WEB_MESSAGES_PER_MINUTE": "100000", "WEB_MESSAGE_BURST": "10000",
        "WEB_NEW_CONVERSATIONS_PER_HOUR": "100000", "WEB_PHONE_REQUESTS_PER_MINUTE": "100000"})
    record_figure("cluster_start_seconds", round(time.monotonic() - started, 1))
    try:
        yield stack
    finally:
        stopped = time.monotonic()
        stack.stop()
        record_figure("cluster_stop_seconds", round(time.monotonic() - stopped, 1))
        pids = stack.supervisor.pids()
        alive = [pid for pid in pids if _alive(pid)]
        leftovers = _processes_mentioning(home.resolve())
        record_figure("processes_left_after_stop", len(alive) + len(leftovers))
        assert not alive and not leftovers, f"processes left behind: {alive} {leftovers}"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="session")
def figures():
    return record_figure
