"""Starts the real product (backend in demo mode, action server, Rasa, web front) on free loopback
ports through the launcher, the same way `make run` does."""
import os

import pytest

from launcher.stack import start_stack


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory):
    # Agents "never" answer here, so the handoff answer is the phone number whatever the time of day
    # (the live handoff is tested in tests/browser). Conversations: a temporary SQLite file (start_stack).
    os.environ["AGENT_HOURS"] = "never"
    stack = start_stack(tmp_path_factory.mktemp("logs"))  # raises if there is no trained model
    try:
        yield stack.rasa_url
    finally:
        stack.stop()
