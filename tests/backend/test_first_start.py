"""Several backend processes starting at once on a fresh database (a cluster's first start):
schema, secrets, CA and demo data are created exactly once and every process uses the same CA."""
import sqlite3

import requests

from launcher.processes import free_port, start, stop, wait_until

PROCESSES = 4


def test_parallel_first_start_creates_one_ca_used_by_everyone(tmp_path):
    data = tmp_path / "fresh"
    ports = [free_port() for _ in range(PROCESSES)]
    env = {"BACKEND_DATA_DIR": str(data), "BACKEND_TOKEN": "t", "BACKEND_PHONE_TOKEN": "p",
           "BACKEND_DEMO_MODE": "1"}
    processes = [start(["-m", "certbackend"], tmp_path / f"b{n}.log", {**env, "BACKEND_PORT": str(port)})
                 for n, port in enumerate(ports)]
    try:
        for n, (process, port) in enumerate(zip(processes, ports)):
            wait_until(lambda port=port: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok, 90,
                       process, tmp_path / f"b{n}.log")
        roots = {requests.get(f"http://127.0.0.1:{port}/v1/ca/certificates").json()["issuing_pem"] for port in ports}
        assert len(roots) == 1
        customers = requests.get(f"http://127.0.0.1:{ports[0]}/demo/customers",
                                 headers={"Authorization": "Bearer t"}).json()["customers"]
        assert len(customers) == 5
        with sqlite3.connect(data / "certbackend.sqlite3") as db:  # seeded once, not once per process
            assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == 5
            assert db.execute("SELECT count(*) FROM certificates").fetchone()[0] == 4
            assert db.execute("SELECT count(*) FROM ca_material").fetchone()[0] == 2
        for n in range(PROCESSES):
            assert "Traceback" not in (tmp_path / f"b{n}.log").read_text(encoding="utf-8")
    finally:
        stop(*processes)
