"""Hooking the scrubber into a process: the log record factory and the last-resort hooks."""
from __future__ import annotations

import logging
import sys
import threading
import traceback

from logsafety.scrub import scrub

_installed = False


def install() -> None:
    """Scrub every log record this process creates from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not hide the record
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters use exc_text when it is set: the traceback is rendered (and scrubbed)
            # here, so an exception message quoting a request body never reaches a handler.
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return record

    logging.setLogRecordFactory(scrubbed_record)
    logging.captureWarnings(True)

    def log_uncaught(kind, value, tb) -> None:
        logging.getLogger("uncaught").error("uncaught exception", exc_info=(kind, value, tb))

    sys.excepthook = log_uncaught
    threading.excepthook = lambda hook: log_uncaught(hook.exc_type, hook.exc_value, hook.exc_traceback)
