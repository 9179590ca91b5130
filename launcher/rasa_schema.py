"""Create Rasa's conversation tables in PostgreSQL once, before the Rasa instances start.

Several Rasa processes starting together race to create the same tables (one logs DuplicateTable);
running Rasa's own SQL tracker store once first makes the schema exist before any of them look.
Reads RASA_DB_PORT, RASA_DB_NAME, RASA_DB_USER, RASA_DB_PASSWORD.
"""
import os

from rasa.core.tracker_store import SQLTrackerStore


def main() -> None:
    store = SQLTrackerStore(dialect="postgresql", host="127.0.0.1", port=int(os.environ["RASA_DB_PORT"]),
                            db=os.environ["RASA_DB_NAME"], username=os.environ["RASA_DB_USER"],
                            password=os.environ["RASA_DB_PASSWORD"])
    store.engine.dispose()


if __name__ == "__main__":
    main()
