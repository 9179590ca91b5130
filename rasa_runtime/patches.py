"""Two per-turn costs of Rasa 3.6.21 removed, results unchanged (measured in docs/performance.md).

1. Every custom-action response is validated with `jsonschema.validate(result, schema)`, which
   re-checks the (constant) schema itself on each call: ~35 % of Rasa's CPU on task turns.
   We validate against the same schema with a validator built once.
2. Deserialising an event looks its class up with `Event.resolve_by_type`, which walks every
   Event subclass (and `inspect.isabstract` on each) for every single event of a tracker: ~15 %
   of Rasa's CPU when trackers are loaded and saved. We memoise the name → class lookup.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional, Text, Type

_applied = False


def _cached_action_result_validation() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as error:  # the same message Rasa gives
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from "
                f"the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions")
            raise error

    RemoteAction._validate_action_result = _validate_action_result


def _memoised_event_lookup() -> None:
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


def apply() -> None:
    global _applied
    if _applied:
        return
    _cached_action_result_validation()
    _memoised_event_lookup()
    _applied = True
