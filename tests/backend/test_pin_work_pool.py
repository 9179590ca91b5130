"""PIN and password checks (scrypt) run on their own pool of one thread per core
(certbackend/request_io.py): quick requests never queue behind a burst of them, and a flood of PIN
checks cannot run more scrypts (16 MiB each) at once than there are cores."""
import ast
import asyncio
import threading
from pathlib import Path

from certbackend import request_io

BACKEND = Path(__file__).resolve().parents[2] / "certbackend"
# What a route hands to a worker thread that derives a key from a PIN or password.
SCRYPT_WORK = {"second_factor.verify", "certificates.change_pin", "certificates.revoke", "certificates.sign",
               "devices.connect", "open_account", "run_once"}  # run_once: issue and renew


def _dispatches(module: str):
    for node in ast.walk(ast.parse((BACKEND / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("in_thread", "in_pin_thread"):
            yield node.func.id, ast.unparse(node.args[0])


def test_every_scrypt_operation_and_only_those_go_to_the_pin_pool():
    seen = {}
    for module in ("api.py", "demo_routes.py", "system_routes.py"):
        for pool, work in _dispatches(module):
            seen.setdefault(work, set()).add(pool)
    assert {w for w, pools in seen.items() if "in_pin_thread" in pools} == SCRYPT_WORK
    assert all(pools == {"in_pin_thread"} for w, pools in seen.items() if w in SCRYPT_WORK)


def test_quick_work_runs_while_every_pin_worker_is_busy_and_pin_work_never_exceeds_the_cores():
    async def scenario():
        release = threading.Event()
        running, peak, lock = [0], [0], threading.Lock()

        def pin_check():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            release.wait(10)
            with lock:
                running[0] -= 1
            return threading.current_thread().name

        burst = [asyncio.ensure_future(request_io.in_pin_thread(pin_check))
                 for _ in range(3 * request_io.PIN_WORKERS)]
        await asyncio.sleep(0.2)
        # Every PIN worker is blocked, more PIN checks are queued: a status lookup still gets through.
        assert await asyncio.wait_for(request_io.in_thread(lambda: "status"), 5) == "status"
        assert not any(task.done() for task in burst)
        release.set()
        names = await asyncio.gather(*burst)
        return names, peak[0]

    names, peak = asyncio.run(scenario())
    assert peak == request_io.PIN_WORKERS
    assert all(name.startswith("pin-work") for name in names)
