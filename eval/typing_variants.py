"""How the trained model answers the development sets when customers type carelessly.

Every development message is asked four ways: as written, with no spaces at all, with one space
inserted inside a word (between two Hangul syllables), and with two neighbouring Hangul syllables
swapped. The places are drawn from a seeded generator, so two runs on the same model print the same
table. The figure is "answered right": the right label (an FAQ's own key) and not sent to the fallback.

    python eval/typing_variants.py        # needs models/assistant.tar.gz (make train); ~1.5 min

It reads only the development sets (eval/), never tests/ (the independent held-out sets).
"""
from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.evaluate import dev_labelled_sets  # noqa: E402

MODEL = ROOT / "models" / "assistant.tar.gz"
SEED = 3


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _inner_places(text: str) -> List[int]:
    """Positions between two Hangul syllables of one word."""
    return [i for i in range(1, len(text)) if _hangul(text[i]) and _hangul(text[i - 1])]


def without_spaces(text: str, _rng: random.Random) -> str:
    return text.replace(" ", "")


def space_inside_a_word(text: str, rng: random.Random) -> str:
    places = _inner_places(text)
    if not places:
        return text
    i = rng.choice(places)
    return text[:i] + " " + text[i:]


def two_syllables_swapped(text: str, rng: random.Random) -> str:
    places = _inner_places(text)
    if not places:
        return text
    i = rng.choice(places) - 1
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


VARIANTS: List[Tuple[str, Callable[[str, random.Random], str]]] = [
    ("as written", lambda text, _rng: text), ("no spaces", without_spaces),
    ("a space inside a word", space_inside_a_word), ("two syllables swapped", two_syllables_swapped)]


def answered_label(parse: Dict) -> Optional[str]:
    """The label a customer is answered with: the FAQ's key for an FAQ, else the intent (the fallback
    when NLU sent the message there)."""
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        return response.get("intent_response_key")
    return intent


async def table(agent) -> List[str]:
    rng = random.Random(SEED)
    lines = ["| set (n) | " + " | ".join(name for name, _ in VARIANTS) + " |",
             "|---|" + "---|" * len(VARIANTS)]
    for name, examples in dev_labelled_sets().items():
        shares = []
        for _, vary in VARIANTS:
            right = 0
            for text, label in examples:
                right += answered_label(await agent.parse_message(vary(text, rng))) == label
            shares.append(f"{right / len(examples):.1%}")
        lines.append(f"| {name} ({len(examples)}) | " + " | ".join(shares) + " |")
    return lines


def main() -> int:
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 2
    import logging

    from rasa_runtime import patches

    patches.apply()
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # the table, not a debug line per parsed message

    agent = Agent.load(str(MODEL))
    print("\n".join(asyncio.run(table(agent))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
