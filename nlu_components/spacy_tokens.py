"""Rasa's SpacyTokenizer, with tokens that compute their training-cache fingerprint once.

During `rasa train`, Rasa's training cache fingerprints every node's output (`TrainingHook.on_after_node`):
the whole training data, every message, and every token of every message again after each node. A
message's features keep their fingerprint once computed; a Token recomputes its own (json + md5) every
time. With ~9,000 examples of ~12 tokens after each of the six nodes that follow the tokenizer, that was
17 of 244 seconds of a profiled `rasa train` (py-spy, session 17, docs/performance.md).

``FingerprintOnceToken`` is Rasa's Token, with the same fingerprint, kept until the token changes: any
attribute assignment or ``set()`` forgets it (Token.set is the only writer of ``data`` in Rasa 3.6's NLU,
each token gets its own copy of ``data``, and nothing in this pipeline changes a token after the tokenizer).
Predictions never read fingerprints.
"""
from __future__ import annotations

from typing import Any, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

_CACHED = "_fingerprint"


class FingerprintOnceToken(Token):
    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__[_CACHED] = None
        super().__setattr__(name, value)

    def set(self, prop: Text, info: Any) -> None:
        super().set(prop, info)
        self.__dict__[_CACHED] = None

    def fingerprint(self) -> Text:
        cached = self.__dict__.get(_CACHED)
        if cached is None:
            cached = super().fingerprint()
            self.__dict__[_CACHED] = cached
        return cached

    @classmethod
    def of(cls, token: Token) -> "FingerprintOnceToken":
        # A copy of data: Rasa's token-pattern split gives the pieces of one word one shared dict, and a
        # set() on one piece must not change its siblings behind their cached fingerprints.
        return cls(token.text, token.start, token.end, dict(token.data), token.lemma)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FingerprintOnceSpacyTokenizer(SpacyTokenizer):
    """SpacyTokenizer's tokens, unchanged, as FingerprintOnceToken."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        return [FingerprintOnceToken.of(token) for token in super().tokenize(message, attribute)]
