"""The backend's quota counters on a real PostgreSQL (the cluster's backend database; its own server on a
free loopback port): one INSERT … ON CONFLICT DO UPDATE … WHERE per hit, exact under parallel hits from
separate connections, and undone with the caller's transaction. The same checks run on SQLite in
tests/backend/test_quota_counters.py."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import delete

from certbackend.database import Database
from certbackend.models import RateCounter
from launcher import infra
from launcher.processes import free_port
from launcher.supervisor import Supervisor
from tests.backend import test_quota_counters as checks
from tests.cluster.conftest import ARTIFACTS


@pytest.fixture(scope="module")
def postgres_url():
    # Under var/ like the cluster's own data: initdb runs as the `postgres` user, who cannot enter
    # pytest's root-only temporary folders.
    home = ARTIFACTS.parent / "quota-pg"
    shutil.rmtree(home, ignore_errors=True)
    server = infra.init_postgres(home / "pg", free_port())
    supervisor = Supervisor()
    supervisor.start(server.service(home))
    try:
        dsn = infra.create_databases(server, {"certbackend": infra.secret(home / "secrets" / "certbackend")})
        yield dsn["certbackend"].replace("postgresql://", "postgresql+psycopg2://", 1)
    finally:
        supervisor.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def db(postgres_url):
    database = Database(postgres_url)
    with database.transaction() as session:
        session.execute(delete(RateCounter))
    yield database
    database.engine.dispose()


@pytest.mark.parametrize("check", [
    checks.test_hits_count_up_to_the_limit_then_refuse_without_counting,
    checks.test_exactly_the_limit_of_parallel_hits_succeed,
    checks.test_a_hit_inside_a_failed_transaction_counts_nothing,
    checks.test_a_new_window_starts_from_one,
], ids=lambda check: check.__name__[5:])
def test_quota_counters_on_postgresql(db, check):
    assert db.dialect == "postgresql"
    check(db)
