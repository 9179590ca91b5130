"""Finding 13 (backend half): pepper and secret files had to sit next to the database, and an
existing secret file was trusted whatever its mode.

Attacker: another local user (or a backup, a shared volume) who can read the data directory: with
the database and the peppers side by side, a copy of one directory was enough to brute-force PINs
over scrypt. Secrets may now live in BACKEND_KEY_DIR; a group- or world-readable secret file stops
the start with a clear message; log files the backend creates (BACKEND_LOG_FILE) are 0600.
"""
import os
import stat

import pytest

from launcher.processes import start, start_backend, stop


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_can_live_apart_from_the_database(tmp_path):
    data, keys = tmp_path / "data", tmp_path / "keys"
    backend = start_backend(data, extra_env={"BACKEND_KEY_DIR": str(keys), "BACKEND_LOG_FILE": str(tmp_path / "b.log")})
    try:
        secrets = sorted(p.name for p in keys.glob("*.secret"))
        assert {"identity-pepper.secret", "key-pepper.secret", "ca-key.secret"} <= set(secrets)
        assert list(data.glob("*.secret")) == []
        assert all(_mode(keys / name) == 0o600 for name in secrets)
        assert _mode(keys) == 0o700
        assert _mode(tmp_path / "b.log") == 0o600  # (the launcher's process logs: sec-chat's part)
    finally:
        stop(backend.process)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_secret_file_others_can_read_stops_the_start(tmp_path, mode):
    data = tmp_path / "data"
    backend = start_backend(data)
    stop(backend.process)
    pepper = data / "key-pepper.secret"
    os.chmod(pepper, mode)
    log = tmp_path / "refused.log"
    process = start(["-m", "certbackend"], log, {"BACKEND_DATA_DIR": str(data), "BACKEND_TOKEN": "t",
                                                 "BACKEND_PORT": "1", "BACKEND_DEMO_MODE": "0"})
    assert process.wait(timeout=60) == 2
    text = log.read_text(encoding="utf-8")
    assert str(pepper) in text and "chmod 600" in text and "Traceback" not in text
