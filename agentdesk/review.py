"""The NLU review inbox: messages the bot was unsure about or got wrong, for an analyst to label,
and `make export-reviewed`, which writes the labelled ones as Rasa NLU YAML into a review file that
a person merges into data/nlu/ (never automatically into training, never into the held-out set).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from agentdesk.analysis import corrected_keys, walk
from agentdesk.db import reviews
from agentdesk.privacy import holds_secret_mask, is_masked
from agentdesk.settings import ROOT

DISCARD = "(제외)"  # the analyst's "not a training example"
DEFAULT_EXPORT = ROOT / "var" / "review" / "nlu-reviewed.yml"
FORBIDDEN = (ROOT / "data", ROOT / "tests")


def inbox(conversations: Dict[str, List[Dict[str, Any]]], reviewed: set) -> List[Dict[str, Any]]:
    items: Dict[str, Dict[str, Any]] = {}
    for cid, events in conversations.items():
        walked = walk(cid, events)
        by_key = {m.key: m for m in walked.messages}
        candidates = [(m.key, "fallback", None) for m in walked.messages
                      if m.intent == "nlu_fallback" and not m.payload and not m.in_step and not m.with_agent]
        candidates += [(k, "correction", None) for k in corrected_keys(walked)]
        candidates += [(k, "suggestion", label) for k, label in walked.suggestions_after.items()]
        for key, reason, suggested in candidates:
            message = by_key.get(key)
            if message is None or key in reviewed or holds_secret_mask(message.text):
                continue
            item = items.setdefault(key, {"key": key, "text": message.text, "predicted": message.label,
                                          "reasons": [], "suggested": None, "ts": message.ts})
            item["reasons"].append(reason)
            item["suggested"] = suggested or item["suggested"]
    return sorted(items.values(), key=lambda i: -i["ts"])


def reviewed_keys(engine: Engine) -> set:
    with engine.connect() as db:
        return {row[0] for row in db.execute(select(reviews.c.item_key))}


def save_label(engine: Engine, item: Dict[str, Any], label: str, login: str) -> None:
    with engine.begin() as db:
        db.execute(reviews.delete().where(reviews.c.item_key == item["key"]))
        db.execute(reviews.insert().values(item_key=item["key"], conversation_id=item["key"].rsplit(":", 1)[0],
                                           text=item["text"], predicted=item["predicted"], label=label,
                                           reviewed_by=login, reviewed_at=time.time()))


def label_choices() -> List[str]:
    """Every intent of the domain a customer can mean, with the FAQ keys spelled out (faq/<key>)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    topics = yaml.safe_load((ROOT / "actions" / "topics.yml").read_text(encoding="utf-8"))
    faq_keys = sorted((topics.get("faq") or topics.get("faqs") or {}).keys()) if isinstance(topics, dict) else []
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]
    return [*(f"faq/{k}" for k in faq_keys), *(i for i in intents if i != "faq"), DISCARD]


def export(engine: Engine, path: Path = DEFAULT_EXPORT) -> int:
    """Writes the reviewed examples as NLU YAML; returns how many. Refuses paths inside data/ or tests/."""
    resolved = path.resolve()
    if any(resolved == f or f in resolved.parents for f in FORBIDDEN):
        raise SystemExit(f"{path}: the review file must not be written into data/ or tests/; a person merges it")
    with engine.connect() as db:
        rows = db.execute(select(reviews).order_by(reviews.c.label, reviews.c.reviewed_at)).all()
    by_label: Dict[str, List[str]] = {}
    for row in rows:
        if row.label == DISCARD or is_masked(row.text) or row.text.startswith("/"):
            continue
        examples = by_label.setdefault(row.label, [])
        if row.text not in examples:
            examples.append(row.text)
    lines = ["# Reviewed by analysts in the agent console (make export-reviewed). Check each example,",
             "# then merge it by hand into the right data/nlu/*.yml file; this file is never trained on.",
             'version: "3.1"', "nlu:" if by_label else "nlu: []"]
    for label in sorted(by_label):
        lines.append(f"- intent: {label}")
        lines.append("  examples: |")
        lines += [f"    - {' '.join(text.split())}" for text in by_label[label]]
    resolved.parent.mkdir(parents=True, exist_ok=True)
    resolved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(len(v) for v in by_label.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the analysts' reviewed NLU examples as Rasa NLU YAML")
    parser.add_argument("--out", type=Path, default=DEFAULT_EXPORT)
    args = parser.parse_args(argv)
    from agentdesk.db import open_engine

    count = export(open_engine(), args.out)
    print(f"{count} reviewed examples written to {args.out} (merge them into data/nlu/ by hand).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
