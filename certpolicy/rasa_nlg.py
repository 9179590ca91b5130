"""Rasa NLG that fills policy numbers into response texts.

Responses name policy values as placeholders (``{validity_years}``), and this generator
supplies them from ``policy.yml``, the same file the backend enforces. Configured in
``endpoints.yml`` as ``nlg: type: certpolicy.rasa_nlg.PolicyNaturalLanguageGenerator``.
Slot values keep working as in Rasa's templated generator; a slot can never shadow a
policy number.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from certpolicy import load_policy


class PolicyNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        policy_values: Optional[Dict[Text, Any]] = None,
    ) -> None:
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        self.policy_values = policy_values or load_policy().template_values()

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        values = {**tracker.current_slot_values(), **self.policy_values}
        return self.generate_from_slots(utter_action, values, output_channel, **kwargs)
