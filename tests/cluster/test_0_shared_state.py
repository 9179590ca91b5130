"""The Redis-backed shared state against a real redis-server (its own, on a free loopback port): the
vault (encrypted, bound to the conversation, expiring) and the web front's quota (one bucket for all
web fronts)."""
from __future__ import annotations

import pytest
import redis as redis_py

from launcher import infra
from launcher.processes import free_port
from launcher.supervisor import Supervisor
from sharedstate.quota import RedisQuota
from sharedstate.vault import RedisVaultStore, create_key_file, load_key


@pytest.fixture(scope="module")
def redis_client(tmp_path_factory):
    home = tmp_path_factory.mktemp("redis")
    server = infra.init_redis(home / "redis", free_port())
    supervisor = Supervisor()
    supervisor.start(server.service(home))
    try:
        yield redis_py.Redis.from_url(server.url(), socket_timeout=5)
    finally:
        supervisor.stop()


@pytest.fixture
def vault(redis_client, tmp_path):
    redis_client.flushdb()
    return RedisVaultStore(redis_client, load_key(create_key_file(tmp_path / "vault-key")), ttl_seconds=900)


def test_vault_round_trip_is_bound_to_the_conversation(vault):
    reference = vault.put("alice", "135790")
    assert vault.get("alice", reference) == "135790"
    assert vault.get("mallory", reference) is None          # another conversation: nothing
    vault.drop("mallory", reference)                         # and it cannot drop alice's entry
    assert vault.get("alice", reference) == "135790"


def test_vault_holds_no_clear_value_and_expires(vault, redis_client):
    reference = vault.put("alice", "135790")
    for key in redis_client.scan_iter():
        kind = redis_client.type(key)
        values = [redis_client.get(key)] if kind == b"string" else list(redis_client.smembers(key))
        assert all(b"135790" not in value for value in values)
        assert b"alice" not in key
        assert 0 < redis_client.ttl(key) <= 900
    assert reference.encode() in b"".join(redis_client.scan_iter())


def test_vault_entry_moved_to_another_reference_does_not_open(vault, redis_client):
    first, second = vault.put("alice", "135790"), vault.put("alice", "246813")
    redis_client.set("vault:" + second, redis_client.get("vault:" + first))
    assert vault.get("alice", second) is None


def test_vault_retain_drops_what_no_slot_uses(vault):
    kept, dropped = vault.put("alice", "111111"), vault.put("alice", "222222")
    other = vault.put("bob", "333333")
    vault.retain("alice", [kept])
    assert vault.get("alice", kept) == "111111" and vault.get("alice", dropped) is None
    assert vault.get("bob", other) == "333333"


def test_quota_is_shared_by_every_web_front(redis_client):
    redis_client.flushdb()
    front_a = RedisQuota(redis_client, "message", capacity=5, per_seconds=60)
    front_b = RedisQuota(redis_client, "message", capacity=5, per_seconds=60)
    allowed = [(front_a if i % 2 else front_b).take("203.0.113.7")[0] for i in range(8)]
    assert allowed == [True] * 5 + [False] * 3
    refused, wait = front_a.take("203.0.113.7")
    assert not refused and 1 <= wait <= 12
    assert front_b.take("198.51.100.1") == (True, 0)          # another client has its own bucket
