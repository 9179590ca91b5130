"""Fast NLU experiments: the pipeline's features and classifier replayed in sklearn, in seconds.

A Rasa cross-validation costs ~6 minutes of a shared 2-core machine; an idea should cost seconds.
This harness runs our spaCy/Kiwi pipeline ONCE over every training and development message (cached
in var/experiments/), rebuilds the features the way Rasa's CountVectorsFeaturizer builds its
*sentence* features (the only ones LogisticRegressionClassifier reads), and scores variants with
the same stratified 5 folds as eval/evaluate.py plus the development sets. Every figure is split
into answered right / answered wrong / fallback, because a confident wrong answer costs more than
"잘 모르겠어요". Winners are confirmed with a real Rasa run (eval/evaluate.py --no-heldout).

    python eval/experiments.py [variant ...]      # names from VARIANTS; default: all
    python eval/experiments.py --sweep baseline   # gate thresholds on the saved predictions

It never reads tests/ (the independent held-out sets).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.evaluate import all_training_examples, dev_labelled_sets, stratified_folds, unanswerable_sets  # noqa: E402

CACHE = ROOT / "var" / "experiments"
NOT_LABELS = {"nlu_fallback", "no_answer"}
Tok = Tuple[str, str, str]  # (surface, lemma, tag)


# ---- tokens, cached ---------------------------------------------------------------------------

def tokenize_all(texts: Sequence[str], user_words=None, lemma_aliases=None) -> Dict[str, List[Tok]]:
    """Kiwi tokens as Rasa's SpacyTokenizer sees them (lowercased text, no whitespace tokens)."""
    from spacy.lang.ko import Korean  # noqa: F401  (registers the language)
    import spacy

    from korean_nlp import terms
    from korean_nlp.spacy_tokenizer import KiwiTokenizer

    user_words = terms.user_words() if user_words is None else user_words
    lemma_aliases = terms.lemma_aliases() if lemma_aliases is None else lemma_aliases
    key = hashlib.sha256(json.dumps([user_words, lemma_aliases], ensure_ascii=False).encode()).hexdigest()[:12]
    path = CACHE / f"tokens-{key}.json"
    cached: Dict[str, List[Tok]] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    missing = [t for t in set(texts) if t not in cached]
    if missing:
        nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": "korean_nlp.kiwi_tokenizer.v1"}}})
        nlp.tokenizer = KiwiTokenizer(nlp.vocab, user_words, lemma_aliases)
        for text in missing:
            cached[text] = [(t.text, t.lemma_, t.tag_) for t in nlp(text.lower()) if t.text.strip()]
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
    return {t: [tuple(x) for x in cached[t]] for t in texts}


# ---- features ------------------------------------------------------------------------------------

def digits(s: str) -> str:
    return re.sub(r"\b[0-9]+\b", "__NUMBER__", s)


def lemma_text(tokens: List[Tok]) -> str:
    return digits(" ".join(t[1] for t in tokens))


def surface_text(tokens: List[Tok]) -> str:
    return digits(" ".join(t[0] for t in tokens))


@dataclass
class View:
    """One featurizer: what text it sees and how it vectorizes it."""
    name: str
    text: Callable[[str, List[Tok]], str]
    make: Callable[[], CountVectorizer]
    weight: float = 1.0


def word_view(max_ngram=2, weight=1.0):
    return View(f"word1-{max_ngram}", lambda raw, toks: lemma_text(toks),
                lambda: CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, max_ngram)), weight)


def char_view(lo=1, hi=4, weight=1.0):
    return View(f"char_wb{lo}-{hi}", lambda raw, toks: surface_text(toks),
                lambda: CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi)), weight)


def lemma_char_view(lo=1, hi=4, weight=1.0):
    """Character n-grams over the lemmas: aliases (폰 → 휴대폰) and normalized endings reach them too."""
    return View(f"lemma_char{lo}-{hi}", lambda raw, toks: lemma_text(toks).replace("+", " "),
                lambda: CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi)), weight)


def nospace_char_view(lo=2, hi=4, weight=1.0):
    """Character n-grams of the text with every space removed: 외장 하드 = 외장하드."""
    return View(f"nospace{lo}-{hi}", lambda raw, toks: re.sub(r"\s+", "", raw.lower()),
                lambda: CountVectorizer(analyzer="char", ngram_range=(lo, hi)), weight)


CONTENT_TAGS = ("NN", "VV", "VA", "XR", "SL", "MAG", "NP")


def content_view(weight=1.0):
    """Content morphemes only (nouns, verb/adjective stems, roots, foreign words), unigrams."""
    def text(raw, toks):
        out = []
        for surface, lemma, tag in toks:
            for form, t in zip(lemma.split("+"), tag.split("+")):
                if t.startswith(CONTENT_TAGS):
                    out.append(form)
        return " ".join(out)
    return View("content", text, lambda: CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2)), weight)


class Features:
    def __init__(self, views: Sequence[View], scale: str = "log_l2"):
        self.views, self.scale = list(views), scale

    def fit(self, texts, tokens):
        self.vectorizers = []
        for view in self.views:
            v = view.make()
            v.fit([view.text(t, tokens[t]) for t in texts])
            self.vectorizers.append(v)
        return self

    def transform(self, texts, tokens) -> csr_matrix:
        blocks = []
        for view, v in zip(self.views, self.vectorizers):
            X = v.transform([view.text(t, tokens[t]) for t in texts]).astype(float)
            if self.scale == "log_l2_per_view":
                X.data = np.log1p(X.data)
                X = normalize(X) * view.weight
            elif view.weight != 1.0:
                X = X * view.weight
            blocks.append(X)
        X = csr_matrix(hstack(blocks))
        if self.scale == "log_l2":
            X.data = np.log1p(np.abs(X.data))
            X = normalize(X)
        elif self.scale == "log_l2_per_view":
            X = normalize(X)
        return X


# ---- decisions -----------------------------------------------------------------------------------

@dataclass
class Decision:
    gold: str
    label: str  # best answerable label
    fallback: bool
    text: str = ""
    p: float = 0.0


@dataclass
class Gates:
    intent_threshold: float = 0.3
    ambiguity: float = 0.05
    faq_threshold: float = 0.5
    novelty: Optional[float] = None  # max cosine to the predicted label's training examples below this → fallback
    # P(no_answer) at least this → fallback even when not ranked first (config.yml: NoAnswerGate min_confidence)
    no_answer_min: Optional[float] = 0.05


def decide(classes: List[str], proba: np.ndarray, gates: Gates, similarity: Optional[np.ndarray] = None,
           mash: Optional[List[bool]] = None) -> List[Tuple[str, bool, float]]:
    """The pipeline's decision: intent (FAQ keys summed), FallbackClassifier, FAQ gate, no_answer gate."""
    faq = np.array([c.startswith("faq/") for c in classes])
    out = []
    for i, row in enumerate(proba):
        intents = {c: p for c, p, f in zip(classes, row, faq) if not f}
        intents["faq"] = row[faq].sum()
        ranked = sorted(intents.items(), key=lambda kv: -kv[1])
        top, p_top = ranked[0]
        fallback = p_top < gates.intent_threshold or (len(ranked) > 1 and p_top - ranked[1][1] < gates.ambiguity)
        if top == "no_answer":
            fallback = True
        if gates.no_answer_min is not None and intents.get("no_answer", 0.0) >= gates.no_answer_min:
            fallback = True
        answerable = [(c, p) for c, p in ranked if c not in NOT_LABELS]
        label, p_label = answerable[0]
        if label == "faq":
            keys = [(c, p) for c, p, f in zip(classes, row, faq) if f]
            key, p_key = max(keys, key=lambda kv: kv[1])
            if top == "faq" and p_key / intents["faq"] < gates.faq_threshold:
                fallback = True
            label, p_label = key, p_key
        if similarity is not None and gates.novelty is not None and similarity[i] < gates.novelty:
            fallback = True
        if mash is not None and mash[i]:
            fallback = True
        out.append((label, fallback, float(p_label)))
    return out


# ---- running a variant -----------------------------------------------------------------------------

@dataclass
class Variant:
    views: Sequence[View]
    C: float = 100.0
    scale: str = "log_l2"
    gates: Gates = field(default_factory=Gates)
    class_weight: Optional[str] = "balanced"
    tokens: Optional[dict] = None  # user_words / lemma_aliases overrides


def fit(variant: Variant, texts, labels, tokens):
    feats = Features(variant.views, variant.scale).fit(texts, tokens)
    X = feats.transform(texts, tokens)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(C=variant.C, max_iter=500, class_weight=variant.class_weight,
                                 random_state=42, solver="lbfgs").fit(X, labels)
    return feats, clf, X


def nearest_similarity(X_train, y_train, X, predicted) -> np.ndarray:
    """Cosine similarity of each message to the nearest training example of its predicted label."""
    S = (X @ X_train.T).toarray()
    y = np.array(y_train)
    out = np.zeros(X.shape[0])
    for i, label in enumerate(predicted):
        mask = y == label
        out[i] = S[i, mask].max() if mask.any() else 0.0
    return out


def vocabulary(texts, tokens):
    vocab = set()
    for t in texts:
        for s, l, _ in tokens[t]:
            vocab |= {s, l}
    return vocab


def is_mash(toks, vocab):
    """GibberishGate's own rule (nlu_components/gibberish_gate.py) on cached tokens."""
    from nlu_components.gibberish_gate import _WORDLIKE, is_mash as gate_is_mash

    return gate_is_mash([{s.lower(), l.lower()} for s, l, _ in toks if _WORDLIKE.search(s)], vocab)


def unseen_share(toks, vocab) -> float:
    """Share of the message's content morphemes that no training example contains."""
    content = [form for s, l, tag in toks for form, t in zip(l.split("+"), tag.split("+"))
               if t.startswith(("NN", "VV", "VA", "XR", "SL"))]
    return sum(c not in vocab for c in content) / len(content) if content else 0.0


@dataclass
class Raw:
    """What a fitted model says about one message; gates are applied later, cheaply."""
    text: str
    gold: str
    proba: np.ndarray
    similarity: float  # cosine to the nearest training example of the top label
    unseen: float
    mash: bool


def raw_predict(model, train_texts, train_labels, items, tokens) -> List[Raw]:
    feats, clf, X_train = model
    texts = [t for t, _ in items]
    X = feats.transform(texts, tokens)
    proba = clf.predict_proba(X)
    classes = list(clf.classes_)
    top = [classes[j] for j in proba.argmax(1)]
    sim = nearest_similarity(X_train, train_labels, X, top)
    vocab = vocabulary(train_texts, tokens)
    morphemes = {f for t in train_texts for _, l, _ in tokens[t] for f in l.split("+")}
    return [Raw(t, g, p, s, unseen_share(tokens[t], morphemes), is_mash(tokens[t], vocab))
            for (t, g), p, s in zip(items, proba, sim)]


@dataclass
class Score:
    n: int
    right: float
    wrong: float
    fallback: float
    accuracy: float

    def __str__(self):
        return (f"n={self.n:4d} acc {self.accuracy:6.1%} | right {self.right:6.1%} wrong {self.wrong:6.1%} "
                f"fallback {self.fallback:6.1%}")


def score(decisions: List[Decision]) -> Score:
    n = max(1, len(decisions))
    right = sum(d.label == d.gold and not d.fallback for d in decisions)
    wrong = sum(d.label != d.gold and not d.fallback for d in decisions)
    fb = sum(d.fallback for d in decisions)
    acc = sum(d.label == d.gold for d in decisions)
    return Score(len(decisions), right / n, wrong / n, fb / n, acc / n)


def fallback_share(decisions: List[Decision]) -> float:
    return sum(d.fallback for d in decisions) / max(1, len(decisions))


@dataclass
class RawResult:
    classes: List[str]
    cv: List[Raw]
    dev: Dict[str, List[Raw]]
    unanswerable: Dict[str, List[Raw]]
    seconds: float


def run(variant: Variant, folds: int = 5, with_cv: bool = True) -> RawResult:
    started = time.perf_counter()
    examples = all_training_examples()
    dev = dev_labelled_sets()
    unans = {k: [(t, "nlu_fallback") for t in v] for k, v in unanswerable_sets(include_independent=False).items()}
    all_texts = [t for t, _ in examples] + [t for s in dev.values() for t, _ in s] + [t for s in unans.values() for t, _ in s]
    tokens = tokenize_all(all_texts, **(variant.tokens or {}))
    cv = []
    classes = sorted(set(l for _, l in examples))
    if with_cv:
        buckets = stratified_folds(examples, folds)
        for k in range(folds):
            train = [e for i, b in enumerate(buckets) if i != k for e in b]
            tt, tl = [t for t, _ in train], [l for _, l in train]
            model = fit(variant, tt, tl, tokens)
            assert list(model[1].classes_) == classes
            cv += raw_predict(model, tt, tl, buckets[k], tokens)
    tt, tl = [t for t, _ in examples], [l for _, l in examples]
    model = fit(variant, tt, tl, tokens)
    dev_out = {name: raw_predict(model, tt, tl, items, tokens) for name, items in dev.items()}
    un_out = {name: raw_predict(model, tt, tl, items, tokens) for name, items in unans.items()}
    return RawResult(classes, cv, dev_out, un_out, time.perf_counter() - started)


def decisions(result: RawResult, raws: List[Raw], gates: Gates, unseen_max: Optional[float] = None) -> List[Decision]:
    proba = np.array([r.proba for r in raws])
    sim = np.array([r.similarity for r in raws])
    mash = [r.mash for r in raws]
    out = []
    for r, (label, fb, p) in zip(raws, decide(result.classes, proba, gates, sim, mash)):
        if unseen_max is not None and r.unseen > unseen_max:
            fb = True
        out.append(Decision(r.gold, label, fb, r.text, p))
    return out


def show(name: str, r: RawResult, gates: Gates = Gates(), unseen_max=None) -> None:
    print(f"== {name} ({r.seconds:.0f} s) {gates} unseen_max={unseen_max}")
    if r.cv:
        d = decisions(r, r.cv, gates, unseen_max)
        answerable = [x for x in d if x.gold not in NOT_LABELS]
        na = [x for x in d if x.gold in NOT_LABELS]
        print(f"  CV            {score(answerable)}   no_answer→fallback {fallback_share(na):.1%}")
    for k, v in r.dev.items():
        print(f"  dev {k:10s}{score(decisions(r, v, gates, unseen_max))}")
    print("  unanswerable→fallback: " + ", ".join(
        f"{k} {fallback_share(decisions(r, v, gates, unseen_max)):.1%} (n={len(v)})"
        for k, v in r.unanswerable.items()), flush=True)


def cached_run(name: str, variant: Variant) -> RawResult:
    """Fitting is the slow part (~25 s a fit): a variant's raw predictions are kept in var/."""
    import pickle

    key = hashlib.sha256(repr((name, data_fingerprint())).encode()).hexdigest()[:12]
    path = CACHE / f"raw-{name}-{key}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    result = run(variant)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (sorted((ROOT / "data" / "nlu").glob("*.yml")) + sorted((ROOT / "eval").glob("dev_*.yml"))
                 + [ROOT / "korean_nlp" / "domain_terms.yml"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


BASE = [word_view(), char_view()]


# The variants measured for issue 11 part 3 (docs/nlu-design.md). The Kiwi user words and aliases they were
# compared against are now in korean_nlp/domain_terms.yml, so "baseline" is the committed pipeline; a
# Variant(tokens={"user_words": …, "lemma_aliases": …}) tries other ones without rebuilding anything.
VARIANTS: Dict[str, Variant] = {
    "baseline": Variant(BASE),
    "C30": Variant(BASE, C=30),
    "C10": Variant(BASE, C=10),
    "perview": Variant(BASE, scale="log_l2_per_view"),
    "lemma_char": Variant([word_view(), lemma_char_view()]),
    "word3": Variant([word_view(3), char_view()]),
    "char2-5": Variant([word_view(), char_view(2, 5)]),
    "no_balance": Variant(BASE, class_weight=None),
    "nospace": Variant(BASE + [nospace_char_view()]),
    "content": Variant(BASE + [content_view()]),
    "nospace_content": Variant(BASE + [nospace_char_view(), content_view()]),
}


def main(argv=None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["--sweep"]:
        sweep(args[1])
        return 0
    names = args or list(VARIANTS)
    for name in names:
        show(name, cached_run(name, VARIANTS[name]))
    return 0



def line(r: RawResult, gates: Gates, unseen_max=None) -> str:
    """One row: CV right/wrong/fallback, no_answer caught, each dev set, each unanswerable set."""
    d = decisions(r, r.cv, gates, unseen_max)
    answerable = [x for x in d if x.gold not in NOT_LABELS]
    s = score(answerable)
    parts = [f"CV acc {s.accuracy:.1%} R {s.right:.1%} W {s.wrong:.1%} F {s.fallback:.1%}",
             f"no_ans {fallback_share([x for x in d if x.gold in NOT_LABELS]):.1%}"]
    for k, v in r.dev.items():
        ds = score(decisions(r, v, gates, unseen_max))
        parts.append(f"{k} acc {ds.accuracy:.1%} R {ds.right:.1%} W {ds.wrong:.1%}")
    for k, v in r.unanswerable.items():
        parts.append(f"{k.split()[-1]}→F {fallback_share(decisions(r, v, gates, unseen_max)):.1%}")
    return " | ".join(parts)


def sweep(name: str) -> None:
    """Gate thresholds on one variant's saved predictions: no refitting, so seconds."""
    r = cached_run(name, VARIANTS[name])
    for faq in (0.4, 0.5, 0.6):
        for novelty in (None, 0.4, 0.5):
            for na in (None, 0.1, 0.2, 0.3):
                print(f"faq {faq} nov {novelty} na {na}: " + line(r, Gates(faq_threshold=faq, novelty=novelty, no_answer_min=na)))


if __name__ == "__main__":
    sys.exit(main())
