"""Starting the product's real processes on loopback ports, for `make run`, tests and benchmarks."""
from __future__ import annotations

import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]


# Ports for our own services come from below the kernel's ephemeral range. Port 0 would return a port from
# that range, which any outgoing connection may take as its source port between this probe and the service's
# own bind: seen in CI as nginx's "bind() to 127.0.0.1:38407 failed (Address already in use)" while the cluster's
# processes were connecting to PostgreSQL and Redis.
LOWEST_SERVICE_PORT = 10000
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
PORT_ATTEMPTS = 200


def ephemeral_port_range() -> range:
    try:
        low, high = (int(v) for v in EPHEMERAL_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port() -> int:
    """A loopback port nothing is bound to now, outside the ephemeral range when there is room below it."""
    below = range(LOWEST_SERVICE_PORT, ephemeral_port_range().start)
    chooser = random.SystemRandom()
    for _ in range(PORT_ATTEMPTS if len(below) else 0):
        port = chooser.choice(below)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # no room below the range, or all tried were taken: the kernel's choice
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"not ready after {timeout}s:\n{log.read_text()[-3000:]}")


def open_private_log(log: Path):
    """A log file only its owner can read (0600, even when it already existed): logs are
    scrubbed, but a log is still nobody else's business."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w")


def start(args, log: Path, env: Dict[str, str]) -> subprocess.Popen:
    """Start ``python -m <module> ...``, through ``logsafety`` so every log line is scrubbed."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
                "RASA_TELEMETRY_ENABLED": "false", **env}
    if args[:1] == ["-m"] and args[1:2] != ["logsafety"]:
        args = ["-m", "logsafety", *args[1:]]
    with open_private_log(log) as output:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=full_env,
                                stdout=output, stderr=subprocess.STDOUT)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Backend:
    url: str
    token: str
    process: subprocess.Popen
    data_dir: Path
    log: Path
    phone_token: str = ""  # the demo phone's credential (only the web front gets it)

    @property
    def headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def phone_headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.phone_token}"}

    def phone_inbox(self, channel_ref: str) -> List[Dict]:
        """The demo phone's messages caused by one conversation, newest first."""
        reply = requests.get(f"{self.url}/demo/phone/inbox", params={"channel_ref": channel_ref},
                             headers=self.phone_headers, timeout=5)
        reply.raise_for_status()
        return reply.json()["messages"]

    def latest_sms_code(self, masked_phone: str, sender_id: Optional[str] = None,
                        channel_ref: Optional[str] = None) -> str:
        """The newest 6-digit code the demo phone holds for a phone ('010-****-2222'), as the
        conversation ``sender_id`` (or its ``channel_ref``) sees it."""
        if channel_ref is None:
            if sender_id is None:
                raise ValueError("the demo phone shows one conversation's texts: pass sender_id or channel_ref")
            from certpolicy.channel_ref import channel_ref as reference_of
            channel_ref = reference_of(sender_id)
        inbox = self.phone_inbox(channel_ref)
        text = next(m["text"] for m in inbox if m["kind"] == "sms" and m["phone"] == masked_phone)
        return re.search(r"\[(\d{6})\]", text).group(1)


def start_backend(data_dir: Path, demo: bool = True, extra_env: Optional[Dict[str, str]] = None,
                  port: Optional[int] = None, log: Optional[Path] = None) -> Backend:
    """The certificate backend with its own database in ``data_dir`` (free port unless given)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port, token = port or free_port(), os.environ.get("BACKEND_TOKEN") or secrets.token_urlsafe(24)
    phone_token = os.environ.get("BACKEND_PHONE_TOKEN") or secrets.token_urlsafe(24)
    log = log or data_dir / "backend.log"
    env = {"BACKEND_DATA_DIR": str(data_dir), "BACKEND_PORT": str(port), "BACKEND_TOKEN": token,
           "BACKEND_PHONE_TOKEN": phone_token, "BACKEND_DEMO_MODE": "1" if demo else "0", **(extra_env or {})}
    process = start(["-m", "certbackend"], log, env)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/health", timeout=2).ok, 60, process, log)
    return Backend(url=url, token=token, process=process, data_dir=data_dir, log=log, phone_token=phone_token)
