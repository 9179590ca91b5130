"""One idempotency key per submission: a retry after an outage reuses it, so the backend
returns the first result instead of making a second certificate."""
from __future__ import annotations

import hashlib

from actions import task_slots as s
from actions.secret_vault import VAULT
from actions.step_context import StepContext


def submission_key(ctx: StepContext) -> str:
    key = ctx.slot(s.SUBMISSION_KEY)
    if not key:
        # Derived from what is being submitted (conversation, task, certificate, verification), not
        # random: when the turn that submitted is lost (an action server or Rasa killed mid-call, found
        # by tests/cluster/test_3_kill.py), the slot never got the key, and the retry must still send
        # the same one so the backend returns the first result instead of refusing a second renewal.
        basis = "|".join(str(ctx.slot(name)) for name in (s.TASK, s.CERT_SERIAL, s.VERIFICATION_ID))
        digest = hashlib.sha256(f"{ctx.tracker.sender_id}|{basis}".encode("utf-8")).hexdigest()[:32]
        # A vault reference: the backend client sends the key itself, the slot never holds it.
        key = VAULT.put(f"{ctx.tracker.sender_id[:40]}-{digest}")
        # Visible to the rest of this run and returned with the step's updates.
        ctx.tracker.slots[s.SUBMISSION_KEY] = key
    return key
