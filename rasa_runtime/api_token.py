"""Rasa's HTTP API: on only when RASA_API_TOKEN is set (the agent desk needs it), never by argument.

Rasa takes its API token only as a command-line argument (`--auth-token`), and a process's arguments
are readable by every local user (`ps`). This wrapper reads the token from the environment (readable
only by the same user) and adds `--enable-api --auth-token` inside the process, so the token never
shows in a process listing. Without a token the API stays off, as before.
"""
from __future__ import annotations

MIN_TOKEN_LENGTH = 24


def rasa_argv(argv, token: str):
    if "--enable-api" in argv or "--auth-token" in argv:
        raise SystemExit("rasa_runtime: pass the API token as RASA_API_TOKEN, not as an argument")
    if not token:
        return list(argv)
    if len(token) < MIN_TOKEN_LENGTH:
        raise SystemExit(f"RASA_API_TOKEN must have at least {MIN_TOKEN_LENGTH} characters")
    # "=" form: a URL-safe token may start with "-", which argparse would read as an option.
    return [*argv, "--enable-api", f"--auth-token={token}"]
