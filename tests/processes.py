"""Test-side names for the launcher's process helpers (one implementation, in launcher/)."""
from launcher.processes import (  # noqa: F401
    ROOT, Backend, free_port, start, start_backend, stop, wait_until,
)
