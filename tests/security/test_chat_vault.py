"""Finding 11: the vault trusted any ``secret:…`` a customer typed, was not bound to a conversation,
purged expired entries only when used, and kept references after failed PIN checks.

Replayed with the real actions (the form, the flows, the vault) driven the way Rasa drives them
(tests/flows/harness.py) against the in-memory backend: a reference read from a database dump and
typed into another conversation, a wrong PIN, a cancelled task, an idle conversation.
"""
import time

from actions import task_slots as s
from actions.secret_vault import VAULT, MemoryVault, bound_to
from tests.flows.fake_backend import FakeBackend
from tests.flows.harness import Conversation

IDENTITY = ["김민준", "19850315", "010-1111-2222"]
PIN = "135790"


def at_pin_step(backend, sender, task="change_pin"):
    """At the current-PIN step: a PIN change checks it there and keeps it for the submission; a renewal
    (after its agreement) and a device connection submit with it."""
    chat = Conversation(backend, sender=sender)
    chat.start(task)
    device_name = ["내 노트북"] if task == "copy_certificate" else []
    for answer in ["휴대폰 문자로 할게요", *IDENTITY, backend.code, *device_name]:
        chat.say(answer)
    if task == "renew_certificate":
        chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN
    return chat


def held(sender):
    return VAULT.store.values_of(sender)


def test_a_reference_typed_into_another_conversation_reveals_nothing():
    backend = FakeBackend()
    victim = at_pin_step(backend, "victim")
    victim.say(PIN)
    stolen = victim.slots[s.CURRENT_PIN]  # what a dump of the victim's tracker shows
    assert stolen.startswith("secret:")

    attacker = at_pin_step(backend, "attacker", "renew_certificate")
    calls_before = len(backend.calls)
    answer = attacker.say(stolen)
    pins_sent = [call[-1] for call in backend.calls[calls_before:] if call[0] in ("check_pin", "renew")]
    assert PIN not in pins_sent  # the victim's PIN never reached the backend for the attacker
    assert backend.renewals == 0
    assert attacker.asking == s.CURRENT_PIN and attacker.slots[s.CURRENT_PIN] is None
    assert Conversation.responses(answer)  # the step explains what it expects
    with bound_to("attacker"):
        assert VAULT.get(stolen) is None
    with bound_to("victim"):
        assert VAULT.get(stolen) == PIN


def test_a_refused_pin_leaves_nothing_in_the_vault():
    backend = FakeBackend()
    for task in ("change_pin", "renew_certificate", "copy_certificate"):  # checked at the step / submitted
        chat = at_pin_step(backend, f"wrong-pin-{task}", task)
        chat.say("246813")
        assert chat.asking == s.CURRENT_PIN
        assert "246813" not in held(chat.sender)


def test_every_ending_drops_the_pins():
    backend = FakeBackend()
    done = at_pin_step(backend, "ends-done")
    done.say(PIN)
    assert PIN in held("ends-done")
    done.say("246810")
    done.say("246810")  # changed: the task ends
    assert backend.pin == "246810" and PIN not in held("ends-done")

    cancelled = at_pin_step(FakeBackend(), "ends-cancel")
    cancelled.say(PIN)
    cancelled.say("그만할래요", intent="cancel")
    cancelled.say("네", intent="affirm")
    assert cancelled.slots[s.TASK] is None or cancelled.slots[s.OUTCOME] == "cancelled"
    assert PIN not in held("ends-cancel")


def test_expired_entries_are_purged_by_the_timer_without_being_used():
    vault = MemoryVault(ttl_seconds=0.2, purge_every=0.05)
    vault.put("idle", PIN)
    deadline = time.monotonic() + 5
    while len(vault) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(vault) == 0


def test_entries_are_bound_to_their_conversation():
    vault = MemoryVault(purge_every=None)
    reference = vault.put("a", PIN)
    assert vault.get("a", reference) == PIN and vault.get("b", reference) is None
    vault.drop("b", reference)  # another conversation cannot drop it either
    assert vault.get("a", reference) == PIN
    vault.retain("a", [])
    assert vault.get("a", reference) is None
