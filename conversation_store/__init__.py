"""Where conversations are kept: Rasa's SQL tracker store, made lean for the turn's hot path.

- ``lean_sql.LeanSQLTrackerStore``: the same tables and rows as Rasa's SQLTrackerStore, read and
  written without ORM objects and without re-counting stored events on every save.
- ``stored_mark``: how a tracker remembers how many of its events are stored already.
- ``sqlite_pragmas``: write-ahead logging for the embedded SQLite file (pooled connections: lean_sql).
The redacting wrapper (``redaction.tracker_store``) sits in front of it: whatever reaches these
tables was masked first.
"""
