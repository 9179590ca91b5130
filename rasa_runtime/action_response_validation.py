"""Custom-action responses validated against Rasa's own schema, without the per-call waste.

Rasa 3.6 calls `jsonschema.validate(result, schema)` on every action-server response. That re-checks the
(constant) schema itself each time, and the schema's event list is a `oneOf` over 23 event shapes, so each
event of a response is tried against all 23. Both dominate a task turn's CPU (docs/performance.md).

We validate against the same schema with a validator built once, whose `oneOf` goes straight to the one
alternative a discriminating string constant picks (every event alternative has `"event": {"const": …}`):
for a valid response that is the only alternative that can match, so the verdict is the same. Anything
unusual (no discriminator, a missing or unknown value, a failure) is handed to jsonschema's own `oneOf`,
so rejections carry exactly the message they had before.

Session 14: jsonschema's machinery (a generator and an evolved validator per node) still cost ~1 ms of
every custom-action call (cProfile of a task step, docs/performance.md). A response is now first
checked by a checker compiled once from the same schema (`compile_check`), which only ever says "valid
for certain": it understands the keywords this schema uses (type, properties, required, items, a
string const, a oneOf told apart by such a const) with jsonschema's meaning, and is unsure of anything
else (another keyword, an integer written as 1.0, a non-string constant). Whatever it does not accept
goes to the validator above, whose verdict and message are the answer.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Text, Tuple

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


Check = Callable[[Any], bool]
_ANNOTATIONS = {"title", "description", "$comment", "examples", "default"}
_JSON_TYPES: Dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),  # 1.0 too, for jsonschema: unsure
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _never(_value: Any) -> bool:
    return False


def compile_check(schema: Any) -> Check:
    """A function telling, for an instance, "valid against ``schema``" (True) or "not sure" (False).

    True only where jsonschema agrees: each keyword is checked with its meaning, and a schema with any
    keyword not listed here compiles to a check that is never sure."""
    if not isinstance(schema, dict):
        return _never
    unknown = set(schema) - _ANNOTATIONS - {"type", "properties", "required", "items", "const", "oneOf"}
    if unknown:
        return _never
    checks: List[Check] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not all(name in _JSON_TYPES for name in names):
            return _never
        tests = [_JSON_TYPES[name] for name in names]
        checks.append(lambda v, tests=tests: any(test(v) for test in tests))
    if "const" in schema:
        constant = schema["const"]
        if not isinstance(constant, str):
            return _never
        checks.append(lambda v, constant=constant: isinstance(v, str) and v == constant)
    if "required" in schema:
        required = list(schema["required"])
        checks.append(lambda v, required=required: not isinstance(v, dict) or all(k in v for k in required))
    if "properties" in schema:
        properties = {name: compile_check(sub) for name, sub in schema["properties"].items()}
        checks.append(lambda v, properties=properties: not isinstance(v, dict) or all(
            properties[k](item) for k, item in v.items() if k in properties))
    if "items" in schema:
        if not isinstance(schema["items"], dict):
            return _never  # a list of schemas (tuple validation) means something else
        each = compile_check(schema["items"])
        checks.append(lambda v, each=each: not isinstance(v, list) or all(each(item) for item in v))
    if "oneOf" in schema:
        alternatives = schema["oneOf"]
        picker = discriminator_of(alternatives)
        if picker is None:
            return _never
        name, index = picker
        compiled = [compile_check(alternative) for alternative in alternatives]

        def one_of(v: Any) -> bool:
            # Exactly one alternative matches: the one whose constant the instance carries matches, and
            # every other requires a different constant for the same property.
            picked = index.get(v.get(name)) if isinstance(v, dict) and isinstance(v.get(name), str) else None
            return picked is not None and compiled[picked](v)
        checks.append(one_of)
    return lambda v: all(check(v) for check in checks)


def apply() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    validator = discriminated_validator_class(validator_class)(schema)
    surely_valid = compile_check(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if surely_valid(result):
            return True
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
