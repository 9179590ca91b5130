"""Kiwi morphological analysis turned into non-overlapping, offset-safe segments.

Kiwi reports morphemes with character offsets into the input, but those spans are not a
clean partition of the text: contracted syllables give two morphemes one character
(됐 = 되 + 었), and some morphemes have no surface at all (the copula in 뭐야). Entity
extraction and spaCy both need tokens that tile the text, so overlapping morphemes are merged
into one segment and zero-length ones are folded into the segment at their position.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Iterable, List, Sequence, Tuple

from kiwipiepy import Kiwi

# High enough that a registered domain word beats Kiwi's own split of it.
USER_WORD_SCORE = 5.0
# A word may contain one stray space ("갱 신", "인증 서", "방 법"): Kiwi then reads the word, not two
# fragments. Typed that way by hurried customers; on the development sets a space inserted inside a
# word cost 3-10 points of right labels (docs/nlu-design.md, session 14).
SPACE_TOLERANCE = 1


@dataclass
class Segment:
    start: int
    end: int
    forms: List[str] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)

    @property
    def lemma(self) -> str:
        return "+".join(self.forms)

    @property
    def tag(self) -> str:
        return "+".join(self.tags)

    def absorb(self, form: str, tag: str, end: int) -> None:
        self.forms.append(form)
        self.tags.append(tag)
        self.end = max(self.end, end)


class MorphAnalyzer:
    def __init__(self, user_words: Iterable[Tuple[str, str]] = ()) -> None:
        self.user_words = list(user_words)
        self._kiwi = Kiwi()
        self._lock = threading.Lock()  # shared between pipelines (shared_analyzer): one caller at a time
        self._kiwi.global_config.space_tolerance = SPACE_TOLERANCE  # this instance's configuration
        for word, tag in self.user_words:
            self._kiwi.add_user_word(word, tag, USER_WORD_SCORE)

    def segments(self, text: str) -> List[Segment]:
        with self._lock:
            analysed = self._kiwi.tokenize(text)
        morphemes = [(t.form, t.tag, t.start, t.start + t.len) for t in analysed]
        return merge_morphemes(morphemes)


# Weak: an analyzer lives as long as a loaded pipeline holds it (a replaced model's Kiwi is freed).
_SHARED: "weakref.WeakValueDictionary[Tuple[Tuple[str, str], ...], MorphAnalyzer]" = (
    weakref.WeakValueDictionary())
_SHARED_LOCK = threading.Lock()


def shared_analyzer(user_words: Iterable[Tuple[str, str]] = ()) -> MorphAnalyzer:
    """One analyzer per set of user words in the process.

    Rasa 3.6 loads the spaCy pipeline once for each SpacyNLP node of a graph (the node that provides the
    model and the node that runs it both call ``SpacyNLP.create``), so a served model held two Kiwi
    instances of ~230 MiB each, one of them never used. Kiwi is configured once, at construction, and
    its analysis depends only on the text, so every pipeline with the same user words can share one.
    """
    key = tuple((word, tag) for word, tag in user_words)
    with _SHARED_LOCK:
        analyzer = _SHARED.get(key)
        if analyzer is None:
            analyzer = _SHARED[key] = MorphAnalyzer(key)
    return analyzer


def merge_morphemes(morphemes: Sequence[Tuple[str, str, int, int]]) -> List[Segment]:
    """Merge (form, tag, start, end) morphemes into segments that never overlap.

    A zero-length morpheme joins the segment that covers its position, or the next one that
    starts there; it never creates a segment of its own.
    """
    segments: List[Segment] = []
    pending: List[Tuple[str, str]] = []  # zero-length morphemes waiting for a segment
    for form, tag, start, end in sorted(morphemes, key=lambda m: (m[2], m[3])):
        current = segments[-1] if segments else None
        if end <= start:
            if current is not None and start < current.end:
                current.absorb(form, tag, current.end)
            else:
                pending.append((form, tag))
            continue
        if current is not None and start < current.end:
            current.absorb(form, tag, end)
            continue
        segment = Segment(start, end)
        for pending_form, pending_tag in pending:
            segment.absorb(pending_form, pending_tag, end)
        pending.clear()
        segment.absorb(form, tag, end)
        segments.append(segment)
    if pending and segments:
        for form, tag in pending:
            segments[-1].absorb(form, tag, segments[-1].end)
    return segments
