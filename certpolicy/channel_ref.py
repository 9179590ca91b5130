"""The opaque reference that ties a demo phone's texts to one chat conversation.

The action server sends it when it starts a verification; the web front computes it from the
visitor's cookie-bound conversation and shows that visitor only the texts of their own
conversation. It is a one-way digest, so the reference reveals nothing about the conversation id.
"""
from __future__ import annotations

import hashlib

_DOMAIN = b"kb-cert-demo-phone:"


def channel_ref(sender_id: str) -> str:
    return hashlib.sha256(_DOMAIN + sender_id.encode("utf-8")).hexdigest()[:32]
