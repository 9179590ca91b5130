"""How the trained model answers the development sets when customers type carelessly.

Every development message is asked five ways: as written, with no spaces at all, with one space
inserted inside a word (between two Hangul syllables), with two neighbouring Hangul syllables
swapped, and with one jamo typed with the key beside it on the 두벌식 keyboard (added in session 16).
The places are drawn from seeded generators, so two runs on the same model print the same
table. The figure is "answered right": the right label (an FAQ's own key) and not sent to the fallback.

    python eval/typing_variants.py        # needs models/assistant.tar.gz (make train); ~2 min

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
from korean_nlp.hangul import FINALS, INITIALS, MEDIALS, compose, decompose, is_syllable  # noqa: E402

MODEL = ROOT / "models" / "assistant.tar.gz"
SEED = 3


def _inner_places(text: str) -> List[int]:
    """Positions between two Hangul syllables of one word."""
    return [i for i in range(1, len(text)) if is_syllable(text[i]) and is_syllable(text[i - 1])]


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


# The rows of the standard 두벌식 keyboard (phones and PCs): a slip hits the key left or right of the one meant.
_KEY_ROWS = ("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅋㅌㅊㅍㅠㅜㅡ")


def _key_neighbours(jamo: str, inventory: str) -> List[str]:
    """The keys left and right of ``jamo`` on its row that can stand where it stands (a vowel for a vowel,
    and a final only if that consonant can end a syllable)."""
    for row in _KEY_ROWS:
        i = row.find(jamo)
        if i >= 0:
            return [row[k] for k in (i - 1, i + 1) if 0 <= k < len(row) and row[k] in inventory and row[k] != " "]
    return []


def one_key_off(text: str, rng: random.Random) -> str:
    """One jamo of one syllable typed with the key beside it (인증서 → 인증거, 갱신 → 갱싱): the commonest
    phone typo. A syllable is decomposed, one of its jamo moved one key left or right (a consonant stays a
    consonant, a vowel a vowel), and recomposed; text without such a place is left alone.

    Every (syllable, jamo, neighbouring key) is one equally likely draw, so a jamo with a key on each side
    slips twice as often as one at the end of its row. Jamo typed with Shift or two keys (ㄲ, ㅆ, ㅘ, ㅢ,
    ㄳ …) are not on a row and never slip; a final consonant is changed, never added or removed."""
    places = []
    for i, ch in enumerate(text):
        if not is_syllable(ch):
            continue
        parts = decompose(ch)
        for slot, inventory in enumerate((INITIALS, MEDIALS, FINALS)):
            if slot == 2 and parts[2] == 0:
                continue
            for other in _key_neighbours(inventory[parts[slot]], inventory):
                places.append((i, parts, slot, inventory.index(other)))
    if not places:
        return text
    i, parts, slot, index = rng.choice(places)
    moved = list(parts)
    moved[slot] = index
    return text[:i] + compose(*moved) + text[i + 1:]


VARIANTS: List[Tuple[str, Callable[[str, random.Random], str]]] = [
    ("as written", lambda text, _rng: text), ("no spaces", without_spaces),
    ("a space inside a word", space_inside_a_word), ("two syllables swapped", two_syllables_swapped)]
# Added in session 16 with a generator of its own, so the columns above still draw what they drew before.
OWN_GENERATOR_VARIANTS: List[Tuple[str, Callable[[str, random.Random], str]]] = [
    ("one key off (두벌식)", one_key_off)]


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
    own = [(name, vary, random.Random(SEED + k + 1)) for k, (name, vary) in enumerate(OWN_GENERATOR_VARIANTS)]
    columns = [(name, vary, rng) for name, vary in VARIANTS] + own
    lines = ["| set (n) | " + " | ".join(name for name, _, _ in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for name, examples in dev_labelled_sets().items():
        shares = []
        for _, vary, generator in columns:
            right = 0
            for text, label in examples:
                right += answered_label(await agent.parse_message(vary(text, generator))) == label
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
