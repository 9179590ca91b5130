"""After everything else: no PIN, SMS code or resident number anywhere the run wrote: every log, a
dump of both PostgreSQL databases, every Redis key and Redis' append-only files, the browser's storage
(tests/cluster/test_7_widget.py saves it), and the other data directories."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import redis as redis_py

from launcher import infra
from tests.cluster.conftest import ARTIFACTS
from tests.cluster.customers import CODES_SEEN, PIN

POSTGRES_DATA = ARTIFACTS / "home" / "postgres" / "data"
RESIDENT_NUMBERS = ("850315-1234567", "8503151234567", "900101-2345678", "9001012345678", "0001013456789",
                    "850315-5234567", "8503155234567")


# Whole tokens only: a code inside a longer number, hex id or decimal fraction is not that code.
def _dump_postgres(cluster, out: Path) -> None:
    pg = cluster.extra["postgres"]
    for name, dsn in cluster.extra["dsns"].items():
        with (out / f"pg-{name}.sql").open("wb") as handle:
            subprocess.run([str(infra.pg_bin() / "pg_dump"), "--no-owner", dsn], stdout=handle, check=True, timeout=120,
                           env={**os.environ, "PGCONNECT_TIMEOUT": "5"})
    assert pg.port


def _dump_redis(cluster, out: Path) -> None:
    redis = cluster.extra["redis"]
    with (out / "redis-values.txt").open("wb") as handle:
        for db in range(16):
            client = redis_py.Redis.from_url(redis.url(db), socket_timeout=5)
            for key in client.scan_iter(count=500):
                kind = client.type(key)
                if kind == b"string":
                    values = [client.get(key) or b""]
                elif kind == b"list":
                    values = client.lrange(key, 0, -1)
                elif kind == b"hash":
                    values = [k + b"=" + v for k, v in client.hgetall(key).items()]
                elif kind == b"set":
                    values = list(client.smembers(key))
                elif kind == b"zset":
                    values = [m for m, _ in client.zrange(key, 0, -1, withscores=True)]
                else:
                    values = []
                handle.write(key + b"\n" + b"\n".join(values) + b"\n")


def test_no_secret_anywhere_the_run_wrote(cluster, figures):
    out = ARTIFACTS / "secret-search"
    out.mkdir(exist_ok=True)
    _dump_postgres(cluster, out)
    _dump_redis(cluster, out)
    secrets = {"PIN": [PIN], "SMS code": sorted(set(CODES_SEEN)), "resident number": list(RESIDENT_NUMBERS)}
    assert secrets["SMS code"], "no SMS code was used by the earlier tests: the search would prove nothing"
    # One pass per file: every secret in one alternation (whole tokens only, see _pattern).
    every = re.compile(rb"(?<![0-9A-Za-z.])(" + b"|".join(re.escape(v.encode()) for vs in secrets.values() for v in vs)
                       + rb")(?![0-9A-Za-z.])")
    kind_of = {v.encode(): kind for kind, vs in secrets.items() for v in vs}
    files = [p for p in ARTIFACTS.rglob("*") if p.is_file() and not p.is_symlink()]
    scanned, found = 0, []
    for path in files:
        if "secrets" in path.parts or path.suffix in (".pem",):
            continue   # the cluster's own random passwords and keys (no customer data)
        if POSTGRES_DATA in path.parents:
            # Searched through pg_dump instead: PostgreSQL compresses long values in its data files,
            # so a raw scan would both miss a secret and invent matches inside compressed bytes.
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        scanned += len(data)
        for value in sorted(set(every.findall(data))):
            found.append(f"{kind_of[value]} {value[:2].decode()}… in {path.relative_to(ARTIFACTS)}")
    figures("secret_search", {"files": len(files), "megabytes": round(scanned / 1e6, 1), "codes": len(secrets["SMS code"]),
                              "hits": len(found)})
    assert not found, found[:20]
