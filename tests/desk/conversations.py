"""Builds stored conversations the way Rasa stores them: real trackers saved through the redacting
tracker store into Rasa's SQLTrackerStore on a temporary SQLite file."""
import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from redaction.tracker_store import RedactingTrackerStore
from tests.training_data import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def parse(text: str, intent: str, confidence: float = 0.9, ranking=None, faq_key: Optional[str] = None,
          entities=None) -> Dict[str, Any]:
    data = {"text": text, "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])],
            "entities": entities or []}
    if faq_key:
        data["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{faq_key}"}, "ranking": []}}
    return data


class Script:
    """A conversation written turn by turn, with explicit timestamps."""

    def __init__(self, sender: str, start: float) -> None:
        self.sender, self.t, self.events = sender, start, []

    def _add(self, event: Dict[str, Any]) -> "Script":
        self.t += 1
        self.events.append({**event, "timestamp": self.t})
        return self

    def user(self, text, intent, **kw):
        return self._add({"event": "user", "text": text, "parse_data": parse(text, intent, **kw)})

    def action(self, name):
        return self._add({"event": "action", "name": name})

    def bot(self, text, metadata=None):
        return self._add({"event": "bot", "text": text, "data": {}, "metadata": metadata or {}})

    def slot(self, name, value):
        return self._add({"event": "slot", "name": name, "value": value})

    def loop(self, name):
        return self._add({"event": "active_loop", "name": name})

    def raw(self, kind):
        return self._add({"event": kind})


def store_for(path: Path) -> RedactingTrackerStore:
    return RedactingTrackerStore(DOMAIN, store={"type": "SQL", "dialect": "sqlite", "db": str(path)})


def save(path: Path, scripts: List[Script]) -> str:
    store = store_for(path)
    for script in scripts:
        tracker = DialogueStateTracker.from_dict(script.sender, script.events, DOMAIN.slots)
        asyncio.run(store.save(tracker))
    return f"sqlite:///{path}"


def now() -> float:
    return time.time()
