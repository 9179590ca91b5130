"""The chat benchmark measures conversations it starts itself, never the product's stored ones."""
from pathlib import Path

from bench.chat_bench import forget_shared_data
from launcher.stack import desk_env


def test_a_bench_run_forgets_where_the_product_keeps_its_data():
    # `make bench-chat` exports CONVERSATIONS_DB=var/conversations.sqlite3; the bench's stack must not
    # write there, or its fixed sender ids continue the previous run's conversations.
    environment = {"CONVERSATIONS_DB": "/work/var/conversations.sqlite3", "AGENTDESK_DB": "/work/var/desk.sqlite3",
                   "PATH": "/usr/bin"}
    forget_shared_data(environment)
    assert environment == {"PATH": "/usr/bin"}


def test_the_stack_then_puts_them_under_the_runs_folder(tmp_path, monkeypatch):
    import os

    # Both set through monkeypatch, so both are restored after the bench's own call removes them.
    monkeypatch.setenv("CONVERSATIONS_DB", str(tmp_path / "shared.sqlite3"))
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "shared-desk.sqlite3"))
    forget_shared_data(os.environ)
    where = desk_env(tmp_path / "run")
    assert Path(where["CONVERSATIONS_DB"]) == tmp_path / "run" / "conversations.sqlite3"
    assert Path(where["AGENTDESK_DB"]).parent == tmp_path / "run"
