"""Turns "a certificate question this assistant has no answer for" into the fallback.

A classifier trained only on answerable topics answers everything: "네이버 인증서 발급은 어떻게
해요?" became the issuance FAQ with no hint of doubt. The training data therefore has one more
label, ``no_answer`` (data/nlu/no_answer.yml: other certificates, 공동인증서 operations, hours,
statistics, legal and developer questions …). The message goes to ``nlu_fallback`` when
``no_answer`` wins, and also when it is merely *likely* (probability ≥ ``min_confidence``): such
questions share almost every word with answerable ones (금융인증서, 비밀번호, 발급), so the label
often comes second behind a wrong answer, and a wrong answer costs more than a 잘 모르겠어요.
``no_answer`` itself never reaches the dialogue: it is removed from every ranking, so the
fallback offers only topics the assistant can answer.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from nlu_components.fallback_gate import FallbackGate


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoAnswerGate(FallbackGate):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # min_confidence 1.0: only when no_answer is ranked first (the behaviour before issue 11 part 3).
        return {"intent": "no_answer", "min_confidence": 1.0}

    def no_answer_confidence(self, message: Message) -> float:
        for item in message.get(INTENT_RANKING_KEY) or []:
            if item.get(INTENT_NAME_KEY) == self.config["intent"]:
                return float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return 0.0

    def fallback_confidence(self, message: Message) -> Optional[float]:
        confidence = self.no_answer_confidence(message)
        ranked_first = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.config["intent"]
        if ranked_first or confidence >= float(self.config["min_confidence"]):
            return confidence
        return None

    def tidy(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        answerable = [dict(i) for i in ranking if i.get(INTENT_NAME_KEY) != self.config["intent"]]
        if len(answerable) != len(ranking):
            message.set(INTENT_RANKING_KEY, answerable, add_to_output=True)
