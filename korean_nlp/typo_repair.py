"""One-jamo typo repair, anchored on the words the training data uses.

A phone typo changes one jamo of one syllable: a neighbouring key (인증서 → 인증거, 갱신 → 갱싱), a
missed or doubled final (발급 → 발그, 방법 → 방볍). Kiwi's typo models did not repair these on our
messages (docs/nlu-design.md, session 12), and every syllable n-gram holding the changed syllable is
lost to the classifier.

The repair is deliberately narrow, so that text typed right is left alone:

1. Only a syllable the training words never put next to *either* neighbour is suspect: within a run of
   Hangul syllables ("#" marks the run's edges), neither (left, syllable) nor (syllable, right) was
   ever seen. 인증거를: 증거 and 거를 are both unseen, so 거 is suspect; 아내 is not (#아 is common).
2. The candidates are every syllable one jamo away (another initial, medial or final, or a final
   added or dropped).
3. A candidate wins only if the training words hold (left, candidate, right) at least
   ``min_count`` times and at least twice as often as the runner-up: 인증서를 has been seen many
   times, so 거 → 서. Most rare words and names get no candidate and stay as typed.
4. The repaired word must be familiar as a whole: every two neighbouring syllables of it occur in the
   training words, else the word stays as typed (김지훈 would become 김지문, a name turned into 지문
   "fingerprint", but 김지 never occurs). And a message of one word is never repaired: alone, 이지훈 (→
   이지문) or a rare word cannot be told from a typo, and an honest "잘 모르겠어요" beats a confident
   wrong answer. Inside a task the name step reads the text as typed anyway
   (nlu_components/typo_repair.py gives it back).

Each change keeps the text's length (one syllable for one syllable), so character offsets into the
repaired text are offsets into the text as typed. Nothing but Hangul syllables is touched: digits,
Latin letters and lone jamo stay exactly as typed.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from korean_nlp.hangul import FINALS, INITIALS, MEDIALS, compose, decompose, is_syllable

EDGE = "#"  # the edge of a run of syllables; not a syllable, so no candidate is ever "#"
MIN_COUNT = 3  # measured (docs/nlu-design.md, session 16): 2 repaired as many dev-set typos and more rare words
WINNER_MARGIN = 2.0
# Longer messages are left as typed. The longest development message is ~200 characters; the channel
# accepts 20,000, and repair time grows with the number of suspect syllables (docs/security.md).
MAX_REPAIRED_LENGTH = 1000


def syllable_runs(text: str) -> Iterator[Tuple[int, str]]:
    """(start, run) for every maximal run of Hangul syllables in the text."""
    start: Optional[int] = None
    for i, ch in enumerate(text):
        if is_syllable(ch):
            if start is None:
                start = i
        elif start is not None:
            yield start, text[start:i]
            start = None
    if start is not None:
        yield start, text[start:]


def count_contexts(texts: Iterable[str]) -> Counter:
    """Every syllable bigram and trigram of the texts' runs, edges included ("#인증", "인증서", "서#")."""
    counts: Counter = Counter()
    for text in texts:
        for _, run in syllable_runs(text.lower()):
            padded = EDGE + run + EDGE
            counts.update(padded[i:i + 2] for i in range(len(padded) - 1))
            counts.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return counts


def one_jamo_apart(first: str, second: str) -> bool:
    """Two syllables that differ in exactly one of their three jamo."""
    return sum(a != b for a, b in zip(decompose(first), decompose(second))) == 1


def one_jamo_away(syllable: str) -> Iterator[str]:
    """Every syllable that differs from this one in exactly one jamo."""
    initial, medial, final = decompose(syllable)
    for k in range(len(INITIALS)):
        if k != initial:
            yield compose(k, medial, final)
    for k in range(len(MEDIALS)):
        if k != medial:
            yield compose(initial, k, final)
    for k in range(len(FINALS)):
        if k != final:
            yield compose(initial, medial, k)


class TypoRepair:
    def __init__(self, counts: Dict[str, int], min_count: int = MIN_COUNT, whole_word: bool = True) -> None:
        self.counts = counts
        self.min_count = min_count
        self.whole_word = whole_word
        # (left, right) → the syllables seen between them, with counts: a suspect's candidates are looked
        # up here instead of trying all 65 one-jamo neighbours (a few per context, not 65 lookups).
        self._between: Dict[str, List[Tuple[int, str]]] = {}
        for key, count in counts.items():
            if len(key) == 3 and is_syllable(key[1]):
                self._between.setdefault(key[0] + key[2], []).append((count, key[1]))

    @classmethod
    def from_texts(cls, texts: Iterable[str], min_count: int = MIN_COUNT, whole_word: bool = True) -> "TypoRepair":
        return cls(dict(count_contexts(texts)), min_count, whole_word)

    def _seen(self, key: str) -> int:
        return self.counts.get(key, 0)

    def _best(self, left: str, syllable: str, right: str) -> Optional[str]:
        if self._seen(left + syllable) or self._seen(syllable + right):
            return None  # the syllable fits at least one neighbour: not a typo we can see
        ranked = sorted((c for c in self._between.get(left + right, ()) if one_jamo_apart(c[1], syllable)),
                        reverse=True)
        if not ranked or ranked[0][0] < self.min_count:
            return None
        best_count, best = ranked[0]
        second_count = ranked[1][0] if len(ranked) > 1 else 0
        return best if best_count >= WINNER_MARGIN * second_count else None

    def _familiar(self, padded: str) -> bool:
        """Every two neighbouring syllables of the run (edges included) occur in the training words."""
        return all(self._seen(padded[i:i + 2]) for i in range(len(padded) - 1))

    def repair(self, text: str) -> str:
        """The text with each suspect syllable replaced by its clear winner; the same length as before."""
        if len(text) > MAX_REPAIRED_LENGTH:
            return text  # pasted text or an attack: not worth the time, and Kiwi reads it as it is
        chars: List[str] = list(text)
        lowered = text.lower()  # only Latin letters change case; syllables and offsets stay
        runs = list(syllable_runs(lowered))
        if len(runs) < 2:
            return text  # one word alone: as likely a name or a rare word as a typo (see the module's 4.)
        for start, run in runs:
            if len(run) < 2:
                continue  # a lone syllable has no neighbour to judge it by
            padded = EDGE + run + EDGE
            for i in range(1, len(padded) - 1):
                better = self._best(padded[i - 1], padded[i], padded[i + 1])
                if better:
                    padded = padded[:i] + better + padded[i + 1:]  # later syllables see the repair
            if self.whole_word and not self._familiar(padded):
                continue
            chars[start:start + len(run)] = padded[1:-1]
        return "".join(chars)
