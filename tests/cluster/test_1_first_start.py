"""Three backend processes started at the same moment on an empty PostgreSQL database: all come up,
and there is exactly one CA (the one every certificate chains to). Fails while the backend's schema and
CA creation race (a DuplicateTable / UniqueViolation crash, or two different CAs)."""
import shutil

import psycopg2
import requests

from launcher import infra, services
from launcher.processes import free_port
from launcher.supervisor import Supervisor

STARTED_TOGETHER = 3


def test_backends_started_together_on_an_empty_database_share_one_ca(cluster, tmp_path, figures):
    pg = cluster.extra["postgres"]
    infra.drop_database(pg, "race")
    dsn = infra.create_databases(pg, {"race": "race-password-for-test"})["race"]
    data_dir = tmp_path / "backend"
    data_dir.mkdir()
    # Same data dir (secrets) and database for all, as in the cluster; tokens given, as the launcher does.
    env = {"BACKEND_DATA_DIR": str(data_dir), "BACKEND_TOKEN": "t" * 32, "BACKEND_PHONE_TOKEN": "p" * 32,
           "BACKEND_DEMO_MODE": "1", "BACKEND_DATABASE_URL": dsn.replace("postgresql://", "postgresql+psycopg2://")}
    ports = [free_port() for _ in range(STARTED_TOGETHER)]
    supervisor = Supervisor()
    try:
        supervisor.start(*(services.backend(f"race-{i}", port, tmp_path, env) for i, port in enumerate(ports)))
        roots = {requests.get(f"{services.url(port)}/v1/ca/certificates", timeout=10).json()["issuing_pem"]
                 for port in ports}
    finally:
        supervisor.stop()
    with psycopg2.connect(dsn, connect_timeout=5) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT name FROM ca_material ORDER BY name")
        stored = [row[0] for row in cursor.fetchall()]
    connection.close()
    infra.drop_database(pg, "race")
    shutil.rmtree(data_dir, ignore_errors=True)
    assert len(roots) == 1, "the backends started together use different CAs"
    assert stored == ["issuing", "root"]
    figures("first_start_backends_together", STARTED_TOGETHER)
