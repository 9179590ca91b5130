"""Agent accounts. Demo mode seeds three demo agents (passwords in the README, stored only as
scrypt hashes); otherwise accounts are added on the command line:

    python -m agentdesk.accounts add <login> <display name> agent|analyst|agent,analyst
(the password is read from the terminal, never from an argument or the environment).
"""
from __future__ import annotations

import getpass
import sys
from typing import Dict, Optional

from sqlalchemy.exc import IntegrityError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from agentdesk.db import agents, open_engine
from agentdesk.passwords import hash_password

ROLES = ("agent", "analyst")
# Demo mode only (DEMO_MODE=1): login → (display name, roles, password). Documented in the README.
DEMO_AGENTS = {
    "agent1": ("한지수", "agent", "demo-agent-1234"),
    "analyst1": ("오세린", "analyst", "demo-analyst-1234"),
    "lead1": ("문가온", "agent,analyst", "demo-lead-1234"),
}


def add_agent(engine: Engine, login: str, display_name: str, roles: str, password: str) -> None:
    if not all(role in ROLES for role in roles.split(",")):
        raise ValueError(f"roles must be among {ROLES}")
    if len(password) < 12:
        raise ValueError("passwords need at least 12 characters")
    with engine.begin() as db:
        db.execute(agents.delete().where(agents.c.login == login))
        db.execute(agents.insert().values(login=login, display_name=display_name, roles=roles,
                                          password_hash=hash_password(password), failed_logins=0, locked_until=0.0))


def seed_demo_agents(engine: Engine) -> None:
    with engine.connect() as db:
        present = {row.login for row in db.execute(select(agents.c.login))}
    for login, (name, roles, password) in DEMO_AGENTS.items():
        if login not in present:
            try:
                add_agent(engine, login, name, roles, password)
            except IntegrityError:
                pass  # another web front (the cluster runs two) seeded this agent at the same moment


def find_agent(engine: Engine, login: str) -> Optional[Dict]:
    with engine.connect() as db:
        row = db.execute(select(agents).where(agents.c.login == login)).first()
    return dict(row._mapping) if row else None


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 4 or argv[0] != "add":
        print(__doc__, file=sys.stderr)
        return 2
    _, login, name, roles = argv
    password = getpass.getpass(f"Password for {login}: ")
    if password != getpass.getpass("Again: "):
        print("The passwords differ.", file=sys.stderr)
        return 1
    add_agent(open_engine(), login, name, roles, password)
    print(f"{login} ({roles}) saved.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
