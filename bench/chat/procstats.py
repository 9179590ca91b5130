"""Peak memory of processes we started, read from /proc (no extra dependency)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple


def _status_kib(pid: int, field: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mib(pid: int) -> Optional[float]:
    """VmHWM: the high-water mark of resident memory since the process started."""
    kib = _status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024


def rss_mib(pid: int) -> Optional[float]:
    kib = _status_kib(pid, "VmRSS")
    return None if kib is None else kib / 1024


def cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU time the process (and its waited-for children) used so far."""
    import os
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> Optional[float]:
    """CPU time of a process and of its live descendants (PostgreSQL's per-connection backends,
    nginx's workers), which the parent's own counters include only once they have exited."""
    own = cpu_seconds(pid)
    if own is None:
        return None
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return own + sum(cpu_seconds(child) or 0.0 for child in family - {pid})


def machine_cpu_seconds() -> Optional[Tuple[float, float]]:
    """(busy, steal) CPU seconds of the whole machine so far, all cores (the first line of /proc/stat).
    Busy counts every process, ours or not; steal is time the hypervisor gave our virtual cores to
    someone else, which slows everything measured here without showing in any process."""
    import os
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick
