"""Restart PostgreSQL, then Redis, in the middle of a load: the services recover by themselves,
customers see the outage message (or no answer, then retry) meanwhile, and nothing is lost."""
import time

from tests.cluster.customers import people, seed_renewable
from tests.cluster.integrity import check_after_faults
from tests.cluster.load import make_customers, run_all

CUSTOMERS = 20


def test_postgres_and_redis_restart_under_load(cluster, figures):
    persons = people(CUSTOMERS, start=200)
    seed_renewable(cluster, persons)
    customers = make_customers(cluster, persons, "restart")
    supervisor = cluster.supervisor
    downtime = {}

    def restart_both():
        for index, name in enumerate(("postgres", "redis")):
            while sum(len(c.turns) for c in customers) < 9 * CUSTOMERS * (0.2 + 0.35 * index):
                time.sleep(0.2)
            started = time.monotonic()
            supervisor.restart(name)
            downtime[name] = round(time.monotonic() - started, 1)

    result = run_all(customers, during=restart_both, when_done=0.0)
    figures("restart", {**{k: v for k, v in result.items() if k != "failures"}, "restart_seconds": downtime})
    assert set(downtime) == {"postgres", "redis"}, f"the load ended before both restarts: {downtime}"
    assert not result["failures"], result["failures"]
    check_after_faults(cluster, persons, customers)
