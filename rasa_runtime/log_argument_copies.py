"""No deep copies of a turn's data for debug lines that are never written.

Rasa 3.6 passes `copy.deepcopy(...)` of events, parse data, slot candidates and the whole list of rule
states as arguments to `structlogger.debug(...)`. Python evaluates the arguments before structlog drops
the line, so every turn deep-copies them even at the default INFO level (~5 % of Rasa's CPU). In the
modules where every `copy.deepcopy` is such a log argument, `copy` is replaced by a stand-in whose
`deepcopy` hands the value back untouched while debug logging is off; with `--debug` it copies as before.
"""
from __future__ import annotations

import copy
import functools
import importlib
import logging
from types import ModuleType
from typing import Any

# Modules whose every copy.deepcopy(...) is an argument of a structlogger.debug(...) call (checked by
# tests/test_rasa_runtime_patches.py against the installed source). rasa.core.actions.action is not
# here: it deep-copies user events for real.
LOG_ONLY_DEEPCOPY_MODULES = ("rasa.core.processor", "rasa.core.policies.rule_policy",
                             "rasa.core.actions.forms")


@functools.lru_cache(maxsize=None)
def _quiet_wrappers() -> frozenset:
    """structlog's filtering logger classes that drop debug lines (structlog caches one per level)."""
    import structlog

    return frozenset(structlog.make_filtering_bound_logger(level)
                     for level in (logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL))


def debug_logging_enabled() -> bool:
    import structlog

    # Read on every call: `--debug` or a test may configure structlog after the patch is applied.
    # An unknown wrapper: assume it may log, and copy.
    return structlog.get_config().get("wrapper_class") not in _quiet_wrappers()


class CopyForDebugOnly(ModuleType):
    """The `copy` module, except that `deepcopy` copies only when debug lines are written."""

    def __init__(self) -> None:
        super().__init__("copy")

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return copy.deepcopy(value, memo) if debug_logging_enabled() else value


def apply() -> None:
    stand_in = CopyForDebugOnly()
    for name in LOG_ONLY_DEEPCOPY_MODULES:
        importlib.import_module(name).copy = stand_in
