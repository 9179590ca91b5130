"""Log lines that never carry what a customer typed or a live credential, in every process.

``install()`` wraps the logging record factory, so every record of every logger (Rasa's
structlog output, Sanic, aiohttp, our own) is scrubbed once, when it is created, before any
handler or formatter sees it; tracebacks are rendered and scrubbed at that moment too. Scrubbing
(``logsafety.scrub``) drops the values of fields that hold message text or request bodies, masks
bearer tokens and vault references, and masks any run of 6+ digits (PINs, SMS codes, resident
numbers), separators ignored.

Every process of the product is started through ``python -m logsafety <module> [args]`` (see
launcher/), which installs the filter and then runs the module as ``__main__``; the web front and
the action server also call ``install()`` themselves.
"""
from logsafety.scrub import scrub
from logsafety.install import install

__all__ = ["install", "scrub"]
