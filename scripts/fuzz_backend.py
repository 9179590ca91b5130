"""Schema-driven fuzzing of the certificate backend: schemathesis against /openapi.json.

Runs from the main venv (to start the backend) and calls the `st` CLI of .venv-fuzz, which
is separate because schemathesis needs a newer jsonschema than Rasa 3.6 allows. Fails when
any generated request gets a 5xx or a response that breaks the documented schema.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from launcher.processes import ROOT, start_backend, stop

ST = ROOT / ".venv-fuzz" / "bin" / "st"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        backend = start_backend(Path(tmp))
        try:
            command = [str(ST), "run", f"{backend.url}/openapi.json",
                       "--header", f"Authorization: Bearer {backend.token}",
                       "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
                       "--max-examples", "25", "--seed", "20261125", "--workers", "2",
                       "--max-time", "60", "--warnings", "off"]
            result = subprocess.run(command, cwd=ROOT)
        finally:
            stop(backend.process)
        log = (Path(tmp) / "backend.log").read_text(encoding="utf-8")
        if "Traceback" in log:
            print("The backend logged a traceback during fuzzing:\n" + log[-3000:])
            return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
