"""kill -9 one Rasa instance, then one action server, then one backend process, each in the middle of
a load of customers renewing: the conversations continue on the survivors (a customer may see the
outage message and 다시 시도), nothing is lost or doubled, every acknowledged certificate is present,
valid and whole, and the audit log matches. The supervisor restarts each killed process."""
import signal
import time

from tests.cluster.customers import people, seed_renewable
from tests.cluster.integrity import check_after_faults
from tests.cluster.load import make_customers, run_all

CUSTOMERS = 30
VICTIMS = ("rasa-1", "actions-2", "backend-1")


def test_kill_9_of_one_instance_of_each_kind_under_load(cluster, figures):
    persons = people(CUSTOMERS, start=100)
    seed_renewable(cluster, persons)
    customers = make_customers(cluster, persons, "kill")
    supervisor = cluster.supervisor
    killed = {}

    def kill_one_by_one():
        for index, name in enumerate(VICTIMS):
            target = 0.15 + 0.25 * index
            while sum(len(c.turns) for c in customers) < 9 * CUSTOMERS * target:
                time.sleep(0.2)
            killed[name] = supervisor.signal(name, signal.SIGKILL)

    result = run_all(customers, during=kill_one_by_one, when_done=0.0)
    figures("kill", {**{k: v for k, v in result.items() if k != "failures"}, "killed": list(killed)})
    assert set(killed) == set(VICTIMS), f"the load ended before every kill: {killed}"
    assert not result["failures"], result["failures"]
    check_after_faults(cluster, persons, customers)
    started = time.monotonic()
    for name in VICTIMS:
        supervisor.wait_ready(name, timeout=300)
        assert supervisor.pid(name) != killed[name]
    figures("kill_all_restarted_within_seconds_after_load", round(time.monotonic() - started, 1))
