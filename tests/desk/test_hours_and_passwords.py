"""Agent hours, agent passwords and the Rasa wrapper that keeps the API token out of `ps`."""
from datetime import datetime, timedelta, timezone

import pytest

from agentdesk.hours import agents_available, parse_hours
from agentdesk.passwords import hash_password, verify_password
from rasa_runtime.api_token import rasa_argv

KST = timezone(timedelta(hours=9))


def test_weekday_hours():
    hours = parse_hours("mon-fri 09:00-18:00")
    assert hours.describe() == "평일 09:00~18:00"
    assert hours.is_open(datetime(2026, 12, 1, 9, 0, tzinfo=KST))  # Tuesday
    assert not hours.is_open(datetime(2026, 12, 1, 18, 0, tzinfo=KST))
    assert not hours.is_open(datetime(2026, 12, 6, 12, 0, tzinfo=KST))  # Sunday
    assert parse_hours("daily 00:00-24:00").describe() == "매일 24시간"
    assert parse_hours("never") is None
    for bad in ("weekdays 9-18", "mon-fri 18:00-09:00"):
        with pytest.raises(ValueError):
            parse_hours(bad)


def test_hours_are_read_in_the_banks_time_zone(monkeypatch):
    monkeypatch.setenv("AGENT_HOURS", "mon-fri 09:00-18:00")
    assert agents_available(datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc))  # 09:30 in Seoul
    assert not agents_available(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))  # 21:00 in Seoul
    monkeypatch.setenv("AGENT_HOURS", "never")
    assert not agents_available()


def test_passwords_are_salted_scrypt_hashes():
    first, second = hash_password("demo-agent-1234"), hash_password("demo-agent-1234")
    assert first != second and first.startswith("scrypt$") and "demo-agent" not in first
    assert verify_password("demo-agent-1234", first)
    assert not verify_password("demo-agent-1235", first)
    assert not verify_password("demo-agent-1234", "plain")


def test_rasa_api_only_with_a_token_and_never_from_the_command_line():
    assert rasa_argv(["run", "--port", "1"], "") == ["run", "--port", "1"]
    token = "t" * 32
    assert rasa_argv(["run"], token) == ["run", "--enable-api", f"--auth-token={token}"]
    # A URL-safe token may start with "-": Rasa's argparse must still read it as the token's value.
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--enable-api", action="store_true")
    parser.add_argument("-t", "--auth-token")
    dashed = "-" + "x" * 31
    assert parser.parse_args(rasa_argv([], dashed)).auth_token == dashed
    with pytest.raises(SystemExit):
        rasa_argv(["run", "--enable-api"], token)
    with pytest.raises(SystemExit):
        rasa_argv(["run"], "short")
