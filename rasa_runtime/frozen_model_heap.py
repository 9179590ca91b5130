"""Once a model is loaded, the garbage collector stops re-walking it.

Rasa's process holds millions of long-lived objects after loading a model (TensorFlow, spaCy and
Kiwi, the model's graph and vocabularies, Rasa's own modules). CPython's full (generation 2)
collection walks every tracked object each time it runs, and it runs every few seconds under load:
measured under the chat benchmark's 20 customers, one full collection took 0.30 s of the 5.5 s of
CPU Rasa spent in the run — a 300 ms pause for every turn in flight — and collections were 7 % of
Rasa's CPU (docs/performance.md, session 7). None of those objects is ever garbage while the model
is in use.

`gc.freeze()` (Python ≥ 3.7) moves every object alive right after the model is loaded into the
permanent generation: collections skip them, everything created later (trackers, messages, events)
is collected as before, and reference counting still frees frozen objects that lose their last
reference. Before another model is loaded (Rasa's API can replace it), the heap is unfrozen so the
old model's cycles can be collected.
"""
from __future__ import annotations

import functools
import gc
from typing import Any, Callable


def frozen_after(load_model: Callable) -> Callable:
    @functools.wraps(load_model)
    def load_and_freeze(self: Any, *args: Any, **kwargs: Any) -> Any:
        gc.unfreeze()
        result = load_model(self, *args, **kwargs)
        gc.collect()  # what loading left behind goes now, not into the permanent generation
        gc.freeze()
        return result
    return load_and_freeze


def apply() -> None:
    from rasa.core.agent import Agent

    Agent.load_model = frozen_after(Agent.load_model)
