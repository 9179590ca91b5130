"""One idempotency key per submission: a retry after an outage reuses it, so the backend
returns the first result instead of making a second certificate."""
from __future__ import annotations

import uuid

from actions import task_slots as s
from actions.secret_vault import VAULT
from actions.step_context import StepContext


def submission_key(ctx: StepContext) -> str:
    key = ctx.slot(s.SUBMISSION_KEY)
    if not key:
        # A vault reference: the backend client sends the key itself, the slot never holds it.
        key = VAULT.put(f"{ctx.tracker.sender_id[:40]}-{uuid.uuid4().hex}")
        # Visible to the rest of this run and returned with the step's updates.
        ctx.tracker.slots[s.SUBMISSION_KEY] = key
    return key
