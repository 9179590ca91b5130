"""Customer private keys at rest: AES-256-GCM under a key derived from the PIN.

The key-encryption key is scrypt(server pepper || PIN, per-key salt). The pepper lives in a
file outside the database, so a database dump alone cannot even be brute-forced over the
10^6 possible PINs. A wrong PIN fails the GCM tag check; no PIN hash is stored anywhere.

A renewal seals the new key under the key-encryption key the PIN check has just derived (same salt,
fresh nonce) instead of deriving a second one: both blobs open with the same PIN, so a shared salt gives
an attacker nothing a second salt would deny them, and each guess still costs one full scrypt. The
renewal's CPU halves (one scrypt instead of two); a PIN change derives a new key with a new salt.
"""
from __future__ import annotations

import os
from typing import Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

_VERSION = b"\x01"
_SALT_BYTES = 16
_NONCE_BYTES = 12
# n=2^14, r=8: ~16 MiB and tens of ms per attempt; paid on every PIN check, on purpose.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2 ** 14, 8, 1


class WrongPin(Exception):
    """The PIN does not open the stored key."""


def _kek(pepper: bytes, pin: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return kdf.derive(pepper + b"\x00" + pin.encode("ascii"))


class PinSeal:
    """Seals private keys under one key-encryption key already derived from a PIN and its salt."""

    def __init__(self, kek: bytes, salt: bytes) -> None:
        self._aead = AESGCM(kek)
        self._salt = salt

    def seal(self, key: ec.EllipticCurvePrivateKey) -> bytes:
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        nonce = os.urandom(_NONCE_BYTES)  # fresh per blob: never two blobs under one (key, nonce)
        return _VERSION + self._salt + nonce + self._aead.encrypt(nonce, der, _VERSION)


def wrap_private_key(key: ec.EllipticCurvePrivateKey, pin: str, pepper: bytes) -> bytes:
    salt = os.urandom(_SALT_BYTES)
    return PinSeal(_kek(pepper, pin, salt), salt).seal(key)


def open_private_key(blob: bytes, pin: str, pepper: bytes) -> Tuple[ec.EllipticCurvePrivateKey, PinSeal]:
    """The key, and a seal with the same PIN-derived key for wrapping its successor (one scrypt)."""
    version, salt = blob[:1], blob[1:1 + _SALT_BYTES]
    nonce = blob[1 + _SALT_BYTES:1 + _SALT_BYTES + _NONCE_BYTES]
    sealed = blob[1 + _SALT_BYTES + _NONCE_BYTES:]
    kek = _kek(pepper, pin, salt)
    try:
        der = AESGCM(kek).decrypt(nonce, sealed, version)
    except InvalidTag:
        raise WrongPin() from None
    return serialization.load_der_private_key(der, password=None), PinSeal(kek, salt)


def unwrap_private_key(blob: bytes, pin: str, pepper: bytes) -> ec.EllipticCurvePrivateKey:
    return open_private_key(blob, pin, pepper)[0]
