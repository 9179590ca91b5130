"""What every route module needs from a request: its JSON object body, and blocking work run off the
event loop (database, scrypt, key generation) so one slow request never stalls the others."""
from __future__ import annotations

import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

from sanic.exceptions import SanicException
from sanic.request import Request

from certbackend import inputs
from certbackend.errors import ApiError


async def in_thread(function: Callable, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))


# Work that derives a key from a PIN or password (scrypt: 16 MiB and tens of ms of CPU each) has its own
# pool, one thread per core. More threads would only share the same cores and multiply the memory a
# burst of PIN checks takes; and the quick requests (verification, status, token checks) in the default
# pool no longer queue behind such a burst (under 20 concurrent renewals they did: docs/performance.md).
PIN_WORKERS = max(1, os.cpu_count() or 1)
_pin_pool: Optional[ThreadPoolExecutor] = None


def pin_executor() -> ThreadPoolExecutor:
    global _pin_pool
    if _pin_pool is None:  # created in the serving process (and only from its event loop thread)
        _pin_pool = ThreadPoolExecutor(max_workers=PIN_WORKERS, thread_name_prefix="pin-work")
    return _pin_pool


async def in_pin_thread(function: Callable, *args: Any) -> Any:
    """`in_thread` for work that runs scrypt over a PIN or password."""
    return await asyncio.get_running_loop().run_in_executor(pin_executor(), functools.partial(function, *args))


def json_body(request: Request):
    try:
        body = request.json
    except SanicException:
        raise ApiError(400, "VALIDATION", "요청 본문이 올바른 JSON이 아니에요.", field="body") from None
    return inputs.require_object(body)
