"""The cluster under the same crowd: 1 Rasa instance, then 2 (make run-cluster's layout).

Each size is a fresh cluster (PostgreSQL tracker store, Redis lock store, nginx in front; the same
number of action servers, backends and web fronts as Rasa instances), seeded with the benchmark's
customers, driven through nginx's Rasa door with the crowd shape of the embedded run. Rasa runs
several instances only with a non-memory lock store: this is Rasa's own Redis lock store.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from bench.chat.customers import seed_backend
from bench.chat.loadgen import WEB_QUOTAS_LIFTED, RunResult
from bench.chat.procstats import tree_cpu_seconds as cpu_seconds
from bench.chat.scenarios import BenchCustomer


def cluster_crowd(size: int, home: Path, people: List[BenchCustomer],
                  play: Callable[[str, object, str], RunResult]) -> Tuple[RunResult, Dict[str, float]]:
    """Start a cluster of ``size`` instances, play the crowd (``play(url, backend, label)``), stop it.
    Returns the run and the CPU milliseconds per turn of each kind of process (all instances summed)."""
    from launcher.cluster import start_cluster

    shutil.rmtree(home, ignore_errors=True)
    stack = start_cluster(home / "home", home / "log", instances=size, web_extra_env=WEB_QUOTAS_LIFTED)
    try:
        seed_backend(stack.backend.data_dir, people,
                     {"BACKEND_DATABASE_URL": stack.extra["dsns"]["certbackend"].replace(
                         "postgresql://", "postgresql+psycopg2://", 1)})
        pids = {name: entry.process.pid for name, entry in stack.supervisor.running.items()}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        result = play(stack.rasa_url + "/webhooks/rest/webhook", stack.backend,
                      f"cluster, {size} Rasa instance{'s' if size > 1 else ''} · {len(people)} customers")
        per_kind: Dict[str, float] = {}
        for name, pid in pids.items():
            used = cpu_seconds(pid)
            if used is None or before[name] is None:
                continue
            kind = name.rsplit("-", 1)[0] if name[-1].isdigit() else name
            per_kind[kind] = per_kind.get(kind, 0.0) + 1000 * (used - before[name]) / max(1, result.turns)
        return result, per_kind
    finally:
        stack.stop()
