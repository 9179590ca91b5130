"""50 customers renew at once while nginx spreads their turns over both Rasa instances and both action
servers: every conversation ends correctly, PostgreSQL holds exactly what each customer sent and
received, turn by turn, and each customer has exactly one new certificate."""
from tests.cluster.customers import people, seed_renewable
from tests.cluster.load import (audit_actions, certificates_per_customer, make_customers, run_all,
                                stored_matches_transcript)

CUSTOMERS = 50


def upstreams_used(stack, listener_ports):
    """Which instances nginx sent requests to (its access log names the upstream)."""
    text = (stack.log_dir / "nginx-access.log").read_text()
    return {port: text.count(f"up=127.0.0.1:{port} ") for port in listener_ports}


def test_fifty_customers_renew_at_once_over_both_instances(cluster, figures):
    persons = people(CUSTOMERS, start=0)
    seed_renewable(cluster, persons)
    customers = make_customers(cluster, persons, "spread")
    before_rasa = upstreams_used(cluster, cluster.extra["instance_ports"]["rasa"])
    before_actions = upstreams_used(cluster, cluster.extra["instance_ports"]["actions"])
    result = run_all(customers)
    figures("spread", {k: v for k, v in result.items() if k != "failures"})
    assert not result["failures"], result["failures"]

    mismatches = [m for m in map(stored_matches_transcript, customers) if m]
    assert not mismatches, mismatches[:5]

    rasa_used = {p: n - before_rasa[p] for p, n in upstreams_used(cluster, cluster.extra["instance_ports"]["rasa"]).items()}
    actions_used = {p: n - before_actions[p]
                    for p, n in upstreams_used(cluster, cluster.extra["instance_ports"]["actions"]).items()}
    figures("spread_requests_per_rasa_instance", list(rasa_used.values()))
    figures("spread_requests_per_action_server", list(actions_used.values()))
    assert all(n > result["turns"] // 5 for n in rasa_used.values()), rasa_used
    assert all(n > 0 for n in actions_used.values()), actions_used

    certificates = certificates_per_customer(cluster, persons)
    renewed = set(audit_actions(cluster, "certificate_renewed"))
    for person in persons:
        rows = certificates[person.name]
        assert len(rows) == 2, f"{person.name}: {len(rows)} certificates"
        (old, old_state, replaced_by, _), (new, new_state, _, pem) = rows
        assert old_state == "superseded" and replaced_by == new and new_state == "active"
        assert new in renewed and "BEGIN CERTIFICATE" in pem
