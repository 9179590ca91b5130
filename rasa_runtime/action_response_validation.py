"""Custom-action responses validated against Rasa's own schema, without the per-call waste.

Rasa 3.6 calls `jsonschema.validate(result, schema)` on every action-server response. That re-checks the
(constant) schema itself each time, and the schema's event list is a `oneOf` over 23 event shapes, so each
event of a response is tried against all 23. Both dominate a task turn's CPU (docs/performance.md).

We validate against the same schema with a validator built once, whose `oneOf` goes straight to the one
alternative a discriminating string constant picks (every event alternative has `"event": {"const": …}`):
for a valid response that is the only alternative that can match, so the verdict is the same. Anything
unusual (no discriminator, a missing or unknown value, a failure) is handed to jsonschema's own `oneOf`,
so rejections carry exactly the message they had before.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

# property name -> {constant value -> index of the alternative}
Discriminator = Tuple[Text, Dict[Text, int]]


def discriminator_of(alternatives: List[Any]) -> Optional[Discriminator]:
    """The property whose string constant tells the alternatives apart, if there is one."""
    if not alternatives or not all(isinstance(a, dict) for a in alternatives):
        return None
    first = alternatives[0].get("properties", {})
    for name in first:
        index: Dict[Text, int] = {}
        for position, alternative in enumerate(alternatives):
            constant = alternative.get("properties", {}).get(name, {})
            value = constant.get("const") if isinstance(constant, dict) else None
            if not isinstance(value, str) or value in index:
                break
            index[value] = position
        else:
            return name, index
    return None


def discriminated_validator_class(validator_class):
    """`validator_class` with a `oneOf` that checks only the alternative a constant picks."""
    from jsonschema import validators

    plain_one_of = validator_class.VALIDATORS["oneOf"]
    found: Dict[int, Tuple[List[Any], Optional[Discriminator]]] = {}

    def one_of(validator, alternatives, instance, schema) -> Iterator[Any]:
        entry = found.get(id(alternatives))
        if entry is None or entry[0] is not alternatives:  # keep the list alive: ids stay unique
            entry = found[id(alternatives)] = (alternatives, discriminator_of(alternatives))
        picked = None
        if entry[1] is not None and isinstance(instance, dict):
            name, index = entry[1]
            value = instance.get(name)
            picked = index.get(value) if isinstance(value, str) else None
        if picked is not None and validator.evolve(schema=alternatives[picked]).is_valid(instance):
            return  # the one alternative that can match does: valid, as jsonschema would say
        yield from plain_one_of(validator, alternatives, instance, schema)

    return validators.extend(validator_class, {"oneOf": one_of})


def apply() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    validator = discriminated_validator_class(validator_class)(schema)

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
