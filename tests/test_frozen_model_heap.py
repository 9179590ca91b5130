"""rasa_runtime.frozen_model_heap: what a model load leaves alive is frozen (full collections skip it),
what is created afterwards is still collected, and a second load unfreezes first so the old model's
cycles can go."""
import gc
import weakref

from rasa_runtime.frozen_model_heap import frozen_after


class _Node:
    pass


class _FakeAgent:
    def __init__(self):
        self.frozen_at_entry = []

    def load_model(self, path):
        self.frozen_at_entry.append(gc.get_freeze_count())
        self.model = [_Node() for _ in range(5000)]  # the "model": long-lived objects
        return path


def test_objects_alive_after_loading_are_frozen_and_later_garbage_is_still_collected():
    agent = _FakeAgent()
    load = frozen_after(_FakeAgent.load_model)
    try:
        gc.unfreeze()
        assert load(agent, "models/a.tar.gz") == "models/a.tar.gz"
        assert gc.get_freeze_count() >= 5000
        # A cycle made after loading (a turn's objects) is collected as before.
        cycle = _Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
        # Replacing the model: the heap is unfrozen before the new load.
        load(agent, "models/b.tar.gz")
        assert agent.frozen_at_entry[0] == 0 and agent.frozen_at_entry[1] == 0
        assert gc.get_freeze_count() >= 5000
    finally:
        gc.unfreeze()
