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
            common = ["--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
                      "--seed", "20261125", "--workers", "2", "--warnings", "off"]
            # The channel routes with the channel credential (the phone routes then answer 401) ...
            command = [str(ST), "run", f"{backend.url}/openapi.json",
                       "--header", f"Authorization: Bearer {backend.token}",
                       "--max-examples", "25", "--max-time", "60", *common]
            result = subprocess.run(command, cwd=ROOT)
            # ... and the demo phone's routes with the phone credential.
            phone = [str(ST), "run", f"{backend.url}/openapi.json", "--include-path-regex", "^/demo/phone/",
                     "--header", f"Authorization: Bearer {backend.phone_token}",
                     "--max-examples", "25", "--max-time", "30", *common]
            if result.returncode == 0:
                result = subprocess.run(phone, cwd=ROOT)
        finally:
            stop(backend.process)
        log = (Path(tmp) / "backend.log").read_text(encoding="utf-8")
        if "Traceback" in log:
            print("The backend logged a traceback during fuzzing:\n" + log[-3000:])
            return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
