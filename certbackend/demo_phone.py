"""The demo phone: what the customer's pretend phone receives (texts, notices, ARS calls).

Demo mode only; outside it nothing is kept (a real bank hands texts to an SMS gateway). Messages
sit in the database so every backend process sees the same phone, sealed with AES-GCM under a key
from the key directory (a text may hold a live code) and bound to the conversation that caused
them (``channel_ref``): the phone side reads one conversation's messages, never everyone's.
"""
from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from typing import Any, Dict, List, Optional

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, delete, insert, select

from certbackend.database import connection_of
from certbackend.models import DemoPhoneMessage, Verification

KINDS = ("sms", "notice", "ars_call")
_NONCE = 12
KEEP_FOR = timedelta(hours=1)  # the phone forgets older messages
MAX_SHOWN = 50
_MESSAGES = DemoPhoneMessage.__table__
# Built once, run with parameters on the caller's connection (database.connection_of says why).
_FORGET_OLD = delete(_MESSAGES).where(_MESSAGES.c.sent_at < bindparam("before"))
_ADD = insert(_MESSAGES)


class DemoPhone:
    def __init__(self, db, clock, secret: str, ars_max_attempts: int, ars_digits_length: int) -> None:
        self._db, self._clock = db, clock
        self._key = hashlib.sha256(b"demo-phone\x00" + secret.encode("utf-8")).digest()
        self._max_attempts, self._digits_length = ars_max_attempts, ars_digits_length

    def _seal(self, text: str, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self._key).encrypt(nonce, text.encode("utf-8"), aad)

    def _open(self, sealed: bytes, aad: bytes) -> str:
        return AESGCM(self._key).decrypt(sealed[:_NONCE], sealed[_NONCE:], aad).decode("utf-8")

    def deliver(self, session, kind: str, masked_phone: str, text: str, channel_ref: Optional[str],
                call_id: Optional[str] = None) -> None:
        """Add a message inside the caller's transaction (it lands only if the change commits)."""
        assert kind in KINDS
        # Forget old messages here, not on reading: the web front polls the inbox, and a poll
        # should never be a database write.
        now, connection = self._clock.now(), connection_of(session)
        connection.execute(_FORGET_OLD, {"before": now - KEEP_FOR})
        connection.execute(_ADD, {"channel_ref": channel_ref, "masked_phone": masked_phone, "kind": kind,
                                  "sealed_text": self._seal(text, (channel_ref or "").encode("ascii")),
                                  "call_id": call_id, "sent_at": now})

    def inbox(self, channel_ref: str) -> List[Dict[str, Any]]:
        """Newest first: only the messages the conversation ``channel_ref`` caused."""
        now = self._clock.now()
        with self._db.transaction() as session:
            rows = session.execute(select(DemoPhoneMessage).where(
                DemoPhoneMessage.channel_ref == channel_ref, DemoPhoneMessage.sent_at >= now - KEEP_FOR)
                                   .order_by(DemoPhoneMessage.id.desc()).limit(MAX_SHOWN)).scalars().all()
            call_ids = [r.call_id for r in rows if r.call_id]
            calls = {v.call_id: v for v in session.execute(
                select(Verification).where(Verification.call_id.in_(call_ids))).scalars()} if call_ids else {}
            messages = []
            for row in rows:
                message = {"id": row.id, "kind": row.kind, "phone": row.masked_phone,
                           "text": self._open(row.sealed_text, channel_ref.encode("ascii")),
                           "sent_at": row.sent_at.isoformat()}
                if row.kind == "ars_call":
                    message["call"] = {"call_id": row.call_id, "state": self._call_state(calls.get(row.call_id), now),
                                       "digits_length": self._digits_length}
                messages.append(message)
        return messages

    def _call_state(self, verification: Optional[Verification], now) -> str:
        if verification is None:
            return "expired"
        if verification.phone_confirmed:
            return "confirmed"
        if verification.attempts >= self._max_attempts:
            return "failed"
        if verification.completed or verification.expires_at <= now:
            return "expired"
        return "ringing"
