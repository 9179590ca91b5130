"""The seeded demo customers are in the states the README promises."""
import pytest

from tests.backend.conftest import DEMO_PIN, Api, Person
from launcher.processes import ROOT, start_backend, stop

EXPECTED = {"김민준": "expiring", "이서윤": "active", "박지훈": "expired", "최유나": "locked", "정하늘": None}


@pytest.fixture(scope="module")
def fresh_api(tmp_path_factory):
    server = start_backend(tmp_path_factory.mktemp("demo"))
    yield Api(server)
    stop(server.process)


def test_demo_customers_are_seeded_in_their_documented_states(fresh_api: Api):
    customers = fresh_api.call("GET", "/demo/customers").json()["customers"]
    assert {c["name"] for c in customers} == set(EXPECTED)
    for customer in customers:
        token = fresh_api.verify(Person(customer["name"], customer["birth_date"], customer["phone"]))
        current = fresh_api.status(token)["current"]
        state = current["state"] if current else None
        assert state == EXPECTED[customer["name"]], customer["name"]


def test_readme_documents_every_demo_customer(fresh_api: Api):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for customer in fresh_api.call("GET", "/demo/customers").json()["customers"]:
        row = next(line for line in readme.splitlines() if line.startswith(f"| {customer['name']} |"))
        for value in (customer["birth_date"], customer["phone"], customer["account_password"]):
            assert f"| {value} |" in row, value
    assert DEMO_PIN in readme


def test_each_demo_customer_has_their_own_account_password(fresh_api: Api):
    customers = fresh_api.call("GET", "/demo/customers").json()["customers"]
    assert len({c["account_password"] for c in customers}) == len(customers)
    for customer in customers[:2]:  # scrypt per check: two are enough to show the values work
        person = Person(customer["name"], customer["birth_date"], customer["phone"], customer["account_password"])
        token = fresh_api.verify(person)
        assert fresh_api.second_factor(token).json() == {"verified": True}


def test_the_renewable_demo_customer_renews_with_the_demo_pin(fresh_api: Api):
    token = fresh_api.verify(Person("김민준", "1985-03-15", "010-1111-2222"))
    current = fresh_api.status(token)["current"]
    assert 9 <= current["days_left"] <= 10
    reply = fresh_api.call("POST", f"/v1/certificates/{current['serial']}/renew", token=token,
                           json={"pin": DEMO_PIN})
    assert reply.status_code == 201
