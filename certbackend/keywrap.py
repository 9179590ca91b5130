"""Customer private keys at rest: AES-256-GCM under a key derived from the PIN.

The key-encryption key is scrypt(server pepper || PIN, per-key salt). The pepper lives in a
file outside the database, so a database dump alone cannot even be brute-forced over the
10^6 possible PINs. A wrong PIN fails the GCM tag check; no PIN hash is stored anywhere.
"""
from __future__ import annotations

import os

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


def wrap_private_key(key: ec.EllipticCurvePrivateKey, pin: str, pepper: bytes) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_kek(pepper, pin, salt)).encrypt(nonce, der, _VERSION)
    return _VERSION + salt + nonce + sealed


def unwrap_private_key(blob: bytes, pin: str, pepper: bytes) -> ec.EllipticCurvePrivateKey:
    version, salt = blob[:1], blob[1:1 + _SALT_BYTES]
    nonce = blob[1 + _SALT_BYTES:1 + _SALT_BYTES + _NONCE_BYTES]
    sealed = blob[1 + _SALT_BYTES + _NONCE_BYTES:]
    try:
        der = AESGCM(_kek(pepper, pin, salt)).decrypt(nonce, sealed, version)
    except InvalidTag:
        raise WrongPin() from None
    return serialization.load_der_private_key(der, password=None)
