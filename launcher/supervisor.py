"""Supervision of the product's processes: start in order, restart one that dies, stop all cleanly.

One `Supervisor` owns every process a run starts (`make run`, `make run-cluster`, `make shell`, the test
fixtures). A process that exits while the supervisor is running is restarted after a backoff
(1 s, 2 s, 4 s … capped at 30 s; reset after it stayed up for a minute), each restart logged to the
launcher log; the others keep running. Logs are appended, so a restarted process keeps its history.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import requests

log = logging.getLogger("launcher")

BACKOFF_START, BACKOFF_MAX, STABLE_AFTER = 1.0, 30.0, 60.0


@dataclass
class Service:
    """How to start one process and how to tell that it is ready."""
    name: str
    argv: Sequence[str]
    log: Path
    env: Dict[str, str] = field(default_factory=dict)
    ready: Optional[Callable[[], bool]] = None
    ready_timeout: float = 60.0
    restart: bool = True
    user: Optional[str] = None          # run as this user (PostgreSQL refuses root)
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 20.0
    before_start: Optional[Callable[[], None]] = None   # e.g. re-create a pid dir
    # Told when the process died and when its restart answers its readiness check again (the cluster
    # takes an instance out of nginx meanwhile: a restarting Rasa accepts connections long before its
    # model is loaded).
    on_down: Optional[Callable[[], None]] = None
    on_ready: Optional[Callable[[], None]] = None


@dataclass
class Running:
    service: Service
    process: subprocess.Popen
    started_at: float
    restarts: int = 0
    backoff: float = BACKOFF_START
    next_start: Optional[float] = None   # set while waiting to restart after a death

    @property
    def pid(self) -> int:
        return self.process.pid


def _spawn(service: Service) -> subprocess.Popen:
    service.log.parent.mkdir(parents=True, exist_ok=True)
    if service.before_start:
        service.before_start()
    env = {**os.environ, **service.env}
    extra = {}
    if service.user and os.geteuid() == 0:
        extra = {"user": service.user, "group": service.user, "extra_groups": []}
    # Appended (a restarted process keeps its history) and readable by the owner only (0600).
    fd = os.open(service.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "ab") as out:
        # Own process group, so a terminal's Ctrl-C reaches only the launcher, which stops the
        # processes in order (Rasa before the action server before the databases).
        return subprocess.Popen(list(service.argv), env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, **extra)


def wait_ready(service: Service, process: subprocess.Popen, timeout: Optional[float] = None) -> None:
    deadline = time.monotonic() + (timeout or service.ready_timeout)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{service.name} exited early (code {process.returncode}):\n{_tail(service.log)}")
        try:
            if service.ready is None or service.ready():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{service.name} not ready after {timeout or service.ready_timeout:.0f}s:\n"
                       f"{_tail(service.log)}")


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


class Supervisor:
    def __init__(self, poll_interval: float = 0.5) -> None:
        self.running: Dict[str, Running] = {}
        self.order: List[str] = []
        self.groups: List[List[str]] = []   # one per start() call; stopped last-started first
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._poll_interval = poll_interval
        self._thread: Optional[threading.Thread] = None
        self.events: List[str] = []   # restart history, for tests and the launcher log

    # -- starting -------------------------------------------------------------------------
    def start(self, *services: Service, wait: bool = True) -> None:
        """Start services together, then wait until each is ready (stopping everything on failure)."""
        group: List[str] = []
        try:
            for service in services:
                process = _spawn(service)
                with self._lock:
                    self.running[service.name] = Running(service, process, time.monotonic())
                    self.order.append(service.name)
                    if not group:
                        self.groups.append(group)
                    group.append(service.name)
                log.info("started %s (pid %d)", service.name, process.pid)
            if wait:
                for service in services:
                    wait_ready(service, self.running[service.name].process)
        except BaseException:
            self.stop()
            raise

    def watch(self) -> None:
        """Begin restarting processes that die (after start-up: a failed start is an error)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch_loop, name="supervisor", daemon=True)
            self._thread.start()

    def _watch_loop(self) -> None:
        while not self._stopping.wait(self._poll_interval):
            with self._lock:
                for name in list(self.order):
                    self._check(self.running[name])

    def _check(self, entry: Running) -> None:
        now = time.monotonic()
        if entry.next_start is None:
            code = entry.process.poll()
            if code is None:
                if now - entry.started_at > STABLE_AFTER:
                    entry.backoff = BACKOFF_START
                return
            if not entry.service.restart:
                return
            _call(entry.service.on_down, entry.service.name)
            entry.next_start = now + entry.backoff
            self._note(f"{entry.service.name} (pid {entry.pid}) exited with code {code}; "
                       f"restarting in {entry.backoff:.0f}s")
            entry.backoff = min(entry.backoff * 2, BACKOFF_MAX)
        elif now >= entry.next_start:
            try:
                entry.process = _spawn(entry.service)
            except OSError as error:
                entry.next_start = now + entry.backoff
                self._note(f"{entry.service.name} could not start ({error}); retrying")
                return
            entry.started_at, entry.next_start = now, None
            entry.restarts += 1
            self._note(f"{entry.service.name} restarted (pid {entry.pid}, restart {entry.restarts})")
            if entry.service.on_ready is not None:
                threading.Thread(target=self._announce_ready, args=(entry, entry.process), daemon=True).start()

    def _announce_ready(self, entry: Running, process: subprocess.Popen) -> None:
        """After a restart: once the new process is ready, tell the service (in its own thread: Rasa's
        readiness check takes as long as its model takes to load)."""
        while not self._stopping.is_set() and entry.process is process and process.poll() is None:
            try:
                if entry.service.ready is None or entry.service.ready():
                    _call(entry.service.on_ready, entry.service.name)
                    self._note(f"{entry.service.name} ready again (pid {process.pid})")
                    return
            except (requests.RequestException, OSError):
                pass
            time.sleep(0.5)

    def _note(self, message: str) -> None:
        self.events.append(message)
        log.warning(message)

    # -- inspecting and faults (tests) -------------------------------------------------------
    def pid(self, name: str) -> int:
        return self.running[name].pid

    def names(self, prefix: str = "") -> List[str]:
        return [n for n in self.order if n.startswith(prefix)]

    def is_up(self, name: str) -> bool:
        entry = self.running[name]
        return entry.next_start is None and entry.process.poll() is None

    def wait_ready(self, name: str, timeout: float = 120.0) -> None:
        """Wait until a (re)started process answers its readiness check again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entry = self.running[name]
            if entry.next_start is None and entry.process.poll() is None:
                try:
                    if entry.service.ready is None or entry.service.ready():
                        return
                except (requests.RequestException, OSError):
                    pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} did not come back within {timeout:.0f}s:\n{_tail(self.running[name].service.log)}")

    def signal(self, name: str, signum: int) -> int:
        """Send a signal to one supervised process (by its pid); returns the pid."""
        pid = self.running[name].pid
        os.kill(pid, signum)
        return pid

    def restart(self, name: str, wait: bool = True) -> None:
        """Stop one process cleanly and start it again (a planned restart, e.g. of PostgreSQL)."""
        with self._lock:
            entry = self.running[name]
            _terminate([entry])
            entry.process = _spawn(entry.service)
            entry.started_at, entry.next_start = time.monotonic(), None
            entry.restarts += 1
            self._note(f"{name} restarted on request (pid {entry.pid})")
        if wait:
            self.wait_ready(name)

    # -- stopping -------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the processes group by group, last started first (the web front and Rasa before the
        action server, the backend, then the databases), waiting for each group; kill what hangs."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:
            for group in reversed(self.groups):
                _terminate([self.running[name] for name in group])

    def pids(self) -> List[int]:
        return [entry.pid for entry in self.running.values()]


def _call(hook: Optional[Callable[[], None]], name: str) -> None:
    if hook is None:
        return
    try:
        hook()
    except Exception as error:  # noqa: BLE001 - a hook must never stop the supervisor
        log.warning("%s: hook failed (%s)", name, error)


def _terminate(entries: List[Running]) -> None:
    for entry in entries:
        if entry.process.poll() is None:
            try:
                # SIGCONT first: a process frozen by a test (SIGSTOP) would never act on SIGTERM.
                os.kill(entry.process.pid, signal.SIGCONT)
                entry.process.send_signal(entry.service.stop_signal)
            except ProcessLookupError:
                pass
    for entry in entries:
        try:
            entry.process.wait(timeout=entry.service.stop_timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s (pid %d) did not stop; killing it", entry.service.name, entry.process.pid)
            entry.process.kill()
            entry.process.wait(timeout=10)
