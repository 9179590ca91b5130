"""Mock 금융인증서 certificate backend: a real HTTP service with a real CA and database.

The bank and the CA are pretend; the crypto (X.509, ECDSA, scrypt + AES-GCM) and the storage
(SQLAlchemy, SQLite WAL by default) are real. Start it with ``python -m certbackend``.
"""
