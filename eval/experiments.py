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
    python eval/experiments.py --s6               # session 6: classifiers over the same counts
    python eval/experiments.py --s7 [--dev-only] [name ...]  # session 7: Kiwi CoNg morpheme embeddings
    python eval/experiments.py --s7-errors [name] # dev_h's wrong labels, with unseen and Latin words
    python eval/experiments.py --s15 [name ...]   # session 15: syllable-pair views, dev sets typed carelessly
    python eval/experiments.py --s20 [name ...]   # session 20: rare features (min_df) and C
    python eval/experiments.py --s21 [power ...]  # session 21: author-balanced example weights
    python eval/experiments.py --s22 [weight ...] # session 22: sentence embeddings beside the counts

It never reads tests/ (the independent held-out sets).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import unicodedata
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
from korean_nlp.hangul import is_syllable  # noqa: E402

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
    from korean_nlp.morphology import SPACE_TOLERANCE

    key = hashlib.sha256(json.dumps([user_words, lemma_aliases, SPACE_TOLERANCE],
                                    ensure_ascii=False).encode()).hexdigest()[:12]
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


PUNCT_TAGS = ("SF", "SP", "SS", "SE", "SO", "SW")


def final_features(toks: List[Tok]) -> List[str]:
    """Where the message ends: its last morphemes (the sentence-final ending says request vs question in
    Korean: 해 주세요 / 할게요 / 하자 against 하나요 / 방법), marked by position so they are not the same
    feature as the same morpheme mid-sentence."""
    morphemes = [(form, t) for s, l, tag in toks for form, t in zip(l.split("+"), tag.split("+"))]
    question = any(form == "?" for form, _ in morphemes)
    words = [(f, t) for f, t in morphemes if not t.startswith(PUNCT_TAGS)]
    if not words:
        return ["F0"]
    out = [f"F1={words[-1][0]}", f"FT={words[-1][1]}"]
    if len(words) > 1:
        out.append(f"F2={words[-2][0]}+{words[-1][0]}")
    content = [f for f, t in words if t.startswith(("NN", "VV", "VA", "XR", "SL"))]
    if content:
        out.append(f"FC={content[-1]}")
    if question:
        out.append("Q")
    return out


def final_view(weight=1.0):
    return View(f"final{weight}", lambda raw, toks: " ".join(final_features(toks)),
                lambda: CountVectorizer(token_pattern=r"\S+", lowercase=False), weight)


class Features:
    def __init__(self, views: Sequence[View], scale: str = "log_l2", dense_weight: Optional[float] = None,
                 centre: bool = True):
        self.views, self.scale = list(views), scale
        # Session 22: sentence embeddings appended after the counts' scaling, as FlatIntentClassifier does
        # (centred on the training mean unless centre=False, unit length, times dense_weight).
        self.dense_weight, self.centre = dense_weight, centre

    def fit(self, texts, tokens):
        self.vectorizers = []
        for view in self.views:
            v = view.make()
            v.fit([view.text(t, tokens[t]) for t in texts])
            self.vectorizers.append(v)
        if self.dense_weight is not None:
            vectors = sentence_vectors(texts)
            self.mean = vectors.mean(axis=0) if self.centre else 0.0
            self.dense_width = vectors.shape[1]
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
        if self.dense_weight is not None:
            X = csr_matrix(hstack([X, csr_matrix(normalize(sentence_vectors(texts) - self.mean) * self.dense_weight)]))
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
    optimizer: str = "sklearn"  # or "threaded_lbfgs" (nlu_components/multinomial_fit.py, session 17)
    dense_weight: Optional[float] = None  # session 22: sentence embeddings beside the counts
    centre: bool = True


def fit(variant: Variant, texts, labels, tokens):
    feats = Features(variant.views, variant.scale, variant.dense_weight, variant.centre).fit(texts, tokens)
    X = feats.transform(texts, tokens)
    clf = LogisticRegression(C=variant.C, max_iter=500, class_weight=variant.class_weight,
                             random_state=42, solver="lbfgs")
    if variant.optimizer == "threaded_lbfgs":
        from nlu_components.multinomial_fit import fit_logistic_regression

        dense_columns = feats.dense_width if variant.dense_weight is not None else 0
        return feats, fit_logistic_regression(clf, X, labels, dense_columns=dense_columns), X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, labels)
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


def cached_run(name: str, variant: Optional[Variant], compute: Optional[Callable[[], "RawResult"]] = None) -> RawResult:
    """Fitting is the slow part (~25 s a fit): a variant's raw predictions are kept in var/. ``compute``
    replaces ``run(variant)`` for a run that is not a Variant (session 21's author weights)."""
    import pickle

    key = hashlib.sha256(repr((name, data_fingerprint())).encode()).hexdigest()[:12]
    path = CACHE / f"raw-{name}-{key}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    result = compute() if compute is not None else run(variant)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (sorted((ROOT / "data" / "nlu").glob("*.yml")) + sorted((ROOT / "eval").glob("dev_*.yml"))
                 + [ROOT / "korean_nlp" / "domain_terms.yml"]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def syllable_pair_view(weight=1.0):
    """Unordered syllable pairs within each typed word (nlu_components/syllable_pairs.py, session 15)."""
    from nlu_components.syllable_pairs import syllable_pairs

    return View(f"pairs{weight}", lambda raw, toks: " ".join(syllable_pairs(raw)),
                lambda: CountVectorizer(token_pattern=r"\S+", lowercase=False), weight)


def sorted_syllables_view(weight=1.0):
    """Each typed word's Hangul syllables sorted (and of a longer word its first two and three): a
    swap-invariant key per word. Session 15's alternative to the pairs; not adopted."""
    def text(raw, _toks):
        out = []
        for word in raw.lower().split():
            hangul = "".join(c for c in word if is_syllable(c))
            if len(hangul) >= 2:
                out.append("".join(sorted(hangul)))
                if len(hangul) > 3:
                    out += ["".join(sorted(hangul[:3])), "".join(sorted(hangul[:2]))]
        return " ".join(out)
    return View("sorted_syllables", text, lambda: CountVectorizer(token_pattern=r"\S+", lowercase=False), weight)


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
    # Session 12: position-marked sentence-final morphemes (request vs question): CV and dev sets unchanged
    # within a message or two (docs/nlu-design.md, session 12). Not adopted.
    "final": Variant(BASE + [final_view()]),
}


def main(argv=None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["--repair"]:
        repair_table([int(a) for a in args[1:]] or [3])
        return 0
    if args[:1] == ["--sweep"]:
        sweep(args[1])
        return 0
    if args[:1] == ["--s6"]:
        s6_table()
        return 0
    if args[:1] == ["--s7"]:
        s7_table(args[1:])
        return 0
    if args[:1] == ["--s15"]:
        s15_table(args[1:])
        return 0
    if args[:1] == ["--s16"]:
        s16_table(args[1:])
        return 0
    if args[:1] == ["--s20"]:
        s20_table(args[1:])
        return 0
    if args[:1] == ["--s21"]:
        s21_table([float(a) for a in args[1:]] or [0.5, 1.0])
        return 0
    if args[:1] == ["--s22"]:
        s22_table(args[1:])
        return 0
    if args[:1] == ["--fit-check"]:
        fit_check_table()
        return 0
    if args[:1] == ["--s7-errors"]:
        s7_errors(*(args[1:2] or ["lr"]))
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



# ---- session 6: classifier variants over the same counts ---------------------------------------------
# One pass over the 6 splits (5 CV folds + the full model for the dev sets) fits the baseline's
# vectorizers once and hands the raw count matrices to every model in MODELS_S6; each model's
# probabilities are cached (var/experiments/s6-*.pkl), so an ensemble of two models costs no refit.

def log_l2(C: csr_matrix, weight: Optional[np.ndarray] = None) -> csr_matrix:
    """The committed scaling: log(1 + count), then unit length; ``weight`` rescales features first."""
    X = csr_matrix(C, dtype=float, copy=True)
    X.data = np.log1p(np.abs(X.data))
    if weight is not None:
        X = csr_matrix(X.multiply(weight.reshape(1, -1)))
    return normalize(X)


def lr_fit(X, y, C=100.0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=C, max_iter=500, class_weight="balanced", random_state=42,
                                  solver="lbfgs").fit(X, y)


def nb_class_weight(C: csr_matrix, y, alpha=1.0) -> np.ndarray:
    """A shared, per-feature discriminativeness weight from naive-Bayes statistics:
    1 - H(class | feature) / log K over the class-balanced feature distribution (1 = one class only)."""
    classes = sorted(set(y))
    yi = np.array([classes.index(l) for l in y])
    B = csr_matrix(C, copy=True)
    B.data[:] = 1.0
    counts = np.vstack([np.asarray(B[yi == k].sum(0)).ravel() / max(1, (yi == k).sum()) for k in range(len(classes))])
    P = (counts + alpha / len(yi)) / (counts + alpha / len(yi)).sum(0, keepdims=True)
    H = -(P * np.log(P)).sum(0)
    return 1.0 - H / np.log(len(classes))


def softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def geo_mix(ps: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted geometric mean of probability rows (average of log-probs), renormalized."""
    z = sum(w * np.log(np.clip(p, 1e-12, 1)) for p, w in zip(ps, weights))
    return softmax(z)


def clause_spans(toks: List[Tok]) -> List[List[Tok]]:
    """Clauses: cut after a sentence-final ending (EF) or sentence punctuation (SF), and before a
    conjunctive adverb (MAJ: 그리고, 근데 …)."""
    out, cur = [], []
    for tok in toks:
        tags = tok[2].split("+")
        if "MAJ" in tags[:1] and cur:
            out.append(cur)
            cur = []
        cur.append(tok)
        if tags[-1] in ("EF", "SF"):
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    # a clause of one or two tokens (a bare 네, a trailing 요) stays with its neighbour
    merged: List[List[Tok]] = []
    for c in out:
        if merged and (len(c) <= 2 or len(merged[-1]) <= 2):
            merged[-1] = merged[-1] + c
        else:
            merged.append(c)
    return merged


def splits(folds=5):
    """(name, train texts, train labels, {set name: items}) for each CV fold and the full model."""
    examples = all_training_examples()
    dev = dev_labelled_sets()
    unans = {k: [(t, "nlu_fallback") for t in v] for k, v in unanswerable_sets(include_independent=False).items()}
    all_texts = [t for t, _ in examples] + [t for s in dev.values() for t, _ in s] + [t for s in unans.values() for t, _ in s]
    tokens = tokenize_all(all_texts)
    buckets = stratified_folds(examples, folds)
    for k in range(folds):
        train = [e for i, b in enumerate(buckets) if i != k for e in b]
        yield f"cv{k}", [t for t, _ in train], [l for _, l in train], {"cv": buckets[k]}, tokens
    yield "full", [t for t, _ in examples], [l for _, l in examples], {**{f"dev:{k}": v for k, v in dev.items()},
                                                                      **{f"un:{k}": v for k, v in unans.items()}}, tokens


def _clause_counts(feats: Features, texts, tokens):
    """Count rows of each message's clauses (messages with one clause get none) and their owners."""
    fake, owner = {}, []
    for i, t in enumerate(texts):
        spans = clause_spans(tokens[t])
        if len(spans) < 2:
            continue
        for j, span in enumerate(spans):
            key = f"\x00{i}:{j}"
            fake[key] = span
            owner.append(i)
    if not fake:
        return None, []
    keys = list(fake)
    return feats.transform(keys, {k: [tuple(x) for x in v] for k, v in fake.items()}), owner


# Each model: (counts_train, labels, {set: counts_test}, context) -> {set: proba}. Classes are sorted labels.
def _m_lr(weighting=None, C=100.0, clauses=False):
    def model(Ctr, y, tests, ctx):
        w = None
        if weighting == "nbw":
            w = nb_class_weight(Ctr, y)
        elif weighting == "idf":
            w = idf_weight(Ctr)
        clf = lr_fit(log_l2(Ctr, w), y, C)
        out = {k: clf.predict_proba(log_l2(Ct, w)) for k, Ct in tests.items()}
        if clauses:
            for k, Ct in tests.items():
                Cc, owner = ctx["clauses"][k]
                out[k + "#clauses"] = (clf.predict_proba(log_l2(Cc, w)) if Cc is not None else np.zeros((0, len(clf.classes_))), owner)
        return out
    return model


def _m_nb(kind="mnb", alpha=0.1, binary=True):
    from sklearn.naive_bayes import ComplementNB, MultinomialNB

    def model(Ctr, y, tests, ctx):
        f = (lambda C: (C > 0).astype(float)) if binary else (lambda C: C)
        clf = (MultinomialNB(alpha=alpha) if kind == "mnb" else ComplementNB(alpha=alpha)).fit(f(Ctr), y)
        # class-balanced: equal priors, as the LR is
        clf.class_log_prior_ = np.full(len(clf.classes_), -np.log(len(clf.classes_)))
        return {k: clf.predict_proba(f(Ct)) for k, Ct in tests.items()}
    return model


def _m_svm(C=1.0):
    from sklearn.svm import LinearSVC

    def model(Ctr, y, tests, ctx):
        clf = LinearSVC(C=C, class_weight="balanced").fit(log_l2(Ctr), y)
        return {k: clf.decision_function(log_l2(Ct)) for k, Ct in tests.items()}  # scores; softmax later
    return model


def _m_sgd():
    from sklearn.linear_model import SGDClassifier

    def model(Ctr, y, tests, ctx):
        clf = SGDClassifier(loss="modified_huber", alpha=1e-5, class_weight="balanced", max_iter=50,
                            random_state=42, tol=None).fit(log_l2(Ctr), y)
        return {k: clf.decision_function(log_l2(Ct)) for k, Ct in tests.items()}
    return model


def rasa_lemma_char_view(lo=1, hi=4, weight=1.0):
    """Character n-grams over the lemmas exactly as Rasa's CountVectorsFeaturizer (use_lemma) sees them:
    a merged lemma keeps its "+" (하+었), so n-grams run across the morpheme boundary."""
    return View(f"rasa_lemma_char{lo}-{hi}", lambda raw, toks: lemma_text(toks),
                lambda: CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi)), weight)


def lemma_tag_view(weight=1.0):
    """Lemma 1–2-grams with each morpheme's POS tag attached (하/VV vs 하/XSV)."""
    def text(raw, toks):
        return digits(" ".join(f"{form}_{t}" for _, lemma, tag in toks
                               for form, t in zip(lemma.split("+"), tag.split("+"))))
    return View("lemma_tag", text, lambda: CountVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), lowercase=False), weight)


def idf_weight(C: csr_matrix) -> np.ndarray:
    """sklearn's smooth idf: log((1 + n) / (1 + document frequency)) + 1."""
    df = np.asarray((C > 0).sum(0)).ravel()
    return np.log((1 + C.shape[0]) / (1 + df)) + 1


def _m_lr_views(views, C=100.0, idf=False):
    """LR over other views than the baseline's (fits its own vectorizers)."""
    def model(Ctr, y, tests, ctx):
        feats = Features(views, scale="counts").fit(ctx["train_texts"], ctx["tokens"])
        Cv = feats.transform(ctx["train_texts"], ctx["tokens"])
        w = idf_weight(Cv) if idf else None
        clf = lr_fit(log_l2(Cv, w), y, C)
        return {k: clf.predict_proba(log_l2(feats.transform(ctx["test_texts"][k], ctx["tokens"]), w)) for k in tests}
    return model


MODELS_S6: Dict[str, Callable] = {
    "lr_lemmatag": _m_lr_views([lemma_tag_view(), char_view()]),
    "lr_lemmachar": _m_lr_views([word_view(), lemma_char_view()]),
    "lr_idf_3view": _m_lr_views([word_view(), char_view(), lemma_char_view()], idf=True),
    "lr_idf_3view_plus": _m_lr_views([word_view(), char_view(), rasa_lemma_char_view()], idf=True),
    "lr": _m_lr(clauses=True),
    "lr_nbw": _m_lr("nbw"),
    "lr_idf": _m_lr("idf"),
    "lr_C300": _m_lr(C=300.0),
    "mnb": _m_nb("mnb", 0.1),
    "mnb_a03": _m_nb("mnb", 0.3),
    "cnb": _m_nb("cnb", 0.3),
    "cnb_a1": _m_nb("cnb", 1.0),
    "cnb_a01": _m_nb("cnb", 0.1),
    "cnb_counts": _m_nb("cnb", 0.3, binary=False),
    "svm": _m_svm(1.0),
    "sgd": _m_sgd(),
}


def s6_path(name: str) -> Path:
    key = hashlib.sha256(repr(data_fingerprint()).encode()).hexdigest()[:12]
    return CACHE / f"s6-{name}-{key}.pkl"


def s6_fit(names: Sequence[str]) -> None:
    """Fit the named models on every split (cached ones are skipped) and save their outputs."""
    import pickle

    names = [n for n in names if not s6_path(n).exists()]
    if not names:
        return
    results = {n: {"seconds": 0.0} for n in names}
    for split, tt, tl, sets, tokens in splits():
        feats = Features(BASE, scale="counts").fit(tt, tokens)
        Ctr = feats.transform(tt, tokens)
        tests = {k: feats.transform([t for t, _ in v], tokens) for k, v in sets.items()}
        ctx = {"clauses": {k: _clause_counts(feats, [t for t, _ in v], tokens) for k, v in sets.items()},
               "tokens": tokens, "train_texts": tt, "test_texts": {k: [t for t, _ in v] for k, v in sets.items()}}
        for n in names:
            started = time.perf_counter()
            out = MODELS_S6[n](Ctr, tl, tests, ctx)
            results[n]["seconds"] += time.perf_counter() - started
            for k, v in out.items():
                results[n].setdefault(k, []).append(v) if k.startswith("cv") else results[n].__setitem__(k, v)
            print(f"  {n} {split} {time.perf_counter() - started:.0f} s", flush=True)
    for n in names:
        s6_path(n).write_bytes(pickle.dumps(results[n]))


def s6_load(name: str) -> dict:
    import pickle

    return pickle.loads(s6_path(name).read_bytes())


def s6_items():
    """Gold items per set in the order s6 outputs are stored, with the GibberishGate's verdicts."""
    out = {}
    for split, tt, tl, sets, tokens in splits():
        vocab = vocabulary(tt, tokens)
        for k, v in sets.items():
            mash = [is_mash(tokens[t], vocab) for t, _ in v]
            out.setdefault(k, []).extend(list(zip(v, mash)))
    return out


def s6_result(proba_by_set: Dict[str, np.ndarray], items, classes) -> RawResult:
    def raws(k):
        return [Raw(t, g, p, 1.0, 0.0, m) for ((t, g), m), p in zip(items[k], proba_by_set[k])]
    return RawResult(classes, raws("cv"),
                     {k[4:]: raws(k) for k in items if k.startswith("dev:")},
                     {k[3:]: raws(k) for k in items if k.startswith("un:")}, 0.0)


def s6_probs(name: str, temperature: float = 1.0) -> Dict[str, np.ndarray]:
    """A model's probabilities per set (cv concatenated over folds); scores become probabilities by a softmax."""
    r = s6_load(name)
    out = {}
    for k, v in r.items():
        if k == "seconds" or k.endswith("#clauses"):
            continue
        p = np.vstack(v) if k == "cv" else v
        if name.startswith(("svm", "sgd")):
            p = softmax(p * temperature)
        out[k] = p
    return out


def s6_clause_combine(name: str, how: str) -> Dict[str, np.ndarray]:
    """Whole-message probabilities combined with its clauses' ("mean": average log-probs of the whole
    and every clause; "max": the most confident of whole and clauses)."""
    r = s6_load(name)
    base = s6_probs(name)
    out = {}
    for k, p in base.items():
        p = p.copy()
        parts = r[k + "#clauses"]
        # cv: one (proba, owner) per fold; owners index into the fold's rows
        chunks = parts if k == "cv" else [parts]
        offset = 0
        sizes = [len(x) for x in r["cv"]] if k == "cv" else [len(p)]
        for (Pc, owner), size in zip(chunks, sizes):
            by_owner: Dict[int, List[np.ndarray]] = {}
            for row, o in zip(Pc, owner):
                by_owner.setdefault(o, []).append(row)
            for o, rows in by_owner.items():
                whole = p[offset + o]
                if how == "mean":
                    p[offset + o] = geo_mix([whole] + rows, [0.5] + [0.5 / len(rows)] * len(rows))
                elif how == "max":
                    best = max([whole] + rows, key=lambda x: x.max())
                    p[offset + o] = best
            offset += size
        out[k] = p
    return out


def s6_row(label: str, proba_by_set, items, classes, gates=Gates()) -> str:
    r = s6_result(proba_by_set, items, classes)
    d = decisions(r, r.cv, gates)
    ans = [x for x in d if x.gold not in NOT_LABELS]
    s = score(ans)
    cells = [f"{s.accuracy:.2%}", f"{s.right:.1%}/{s.wrong:.1%}/{s.fallback:.1%}",
             f"{fallback_share([x for x in d if x.gold in NOT_LABELS]):.1%}"]
    for k in ("dev_h", "dev_c", "dev_d", "dev_e", "dev_i", "dev_j", "tricky"):
        ds = score(decisions(r, r.dev[k], gates))
        cells.append(f"{ds.accuracy:.1%}" + (f" ({ds.right:.1%}/{ds.wrong:.1%})" if k == "dev_h" else ""))
    return f"| {label} | " + " | ".join(cells + _unanswerable_cells(r, gates)) + " |"



def _unanswerable_cells(r: RawResult, gates: Gates) -> List[str]:
    """Shares reaching the fallback: dev adjacent questions, the dev sets' no_answer blocks (mean), gibberish."""
    un = {k: fallback_share(decisions(r, v, gates)) for k, v in r.unanswerable.items()}
    return [f"{un['dev adjacent']:.1%}", f"{np.mean([v for k, v in un.items() if k.endswith('no_answer')]):.1%}",
            f"{un['dev gibberish']:.1%}"]

S6_HEADER = ("| variant | CV right label | CV R/W/F | CV no_answer→F | dev_h (R/W) | dev_c | dev_d | dev_e | dev_i | dev_j "
             "| tricky | adjacent→F | dev no_answer→F (mean) | gibberish→F |")


def s6_table() -> None:
    """The session 6 screening table (docs/nlu-design.md): fits what is not cached, ~6 min per LR model."""
    optional = {"lr_lemmatag", "lr_C300"}  # not measured in session 6 (time): shown once cached
    s6_fit([n for n in MODELS_S6 if n not in optional or s6_path(n).exists()])
    items = s6_items()
    classes = sorted(set(l for _, l in all_training_examples()))
    lr = s6_probs("lr")

    def mix(ps, ws):
        return {k: geo_mix([p[k] for p in ps], ws) for k in lr}

    rows = [
        ("baseline (committed LR)", lr, Gates()),
        ("clauses: mean log-prob of whole + clauses", s6_clause_combine("lr", "mean"), Gates()),
        ("clauses: most confident of whole / clauses", s6_clause_combine("lr", "max"), Gates()),
        ("LR, features × NB discriminativeness (NBSVM-like, shared weight)", s6_probs("lr_nbw"), Gates()),
        ("LR + that LR, log-prob mean", mix([lr, s6_probs("lr_nbw")], [.5, .5]), Gates()),
        ("LR, log counts × idf", s6_probs("lr_idf"), Gates()),
        ("LR, log counts × idf, no_answer ≥ 0.04", s6_probs("lr_idf"), Gates(no_answer_min=0.04)),
        ("LR C 300", s6_probs("lr_C300"), Gates()) if s6_path("lr_C300").exists() else None,
        ("LR over lemma+tag 1–2-grams + char_wb", s6_probs("lr_lemmatag"), Gates()) if s6_path("lr_lemmatag").exists() else None,
        ("LR + LR over word + lemma char n-grams (.5/.5)", mix([lr, s6_probs("lr_lemmachar")], [.5, .5]), Gates()),
        ("multinomial NB alone (binary, α 0.1)", s6_probs("mnb"), Gates()),
        ("LR + multinomial NB (.9/.1)", mix([lr, s6_probs("mnb")], [.9, .1]), Gates()),
        ("LR + complement NB α 0.3 (.9/.1)", mix([lr, s6_probs("cnb")], [.9, .1]), Gates()),
        ("LR + complement NB α 0.1 (.95/.05)", mix([lr, s6_probs("cnb_a01")], [.95, .05]), Gates()),
        ("LR + complement NB α 0.1 (.95/.05), no_answer ≥ 0.03", mix([lr, s6_probs("cnb_a01")], [.95, .05]),
         Gates(no_answer_min=0.03)),
        ("LR + complement NB α 0.3 (.9/.1), no_answer ≥ 0.03", mix([lr, s6_probs("cnb")], [.9, .1]), Gates(no_answer_min=0.03)),
        ("LinearSVC alone (softmax of scores × 10)", s6_probs("svm", 10), Gates()),
        ("LR + LinearSVC (.5/.5)", mix([lr, s6_probs("svm", 10)], [.5, .5]), Gates()),
        ("LR + LinearSVC (.5/.5), no_answer ≥ 0.02", mix([lr, s6_probs("svm", 10)], [.5, .5]), Gates(no_answer_min=0.02)),
        ("LR + SGD modified Huber (.7/.3, scores × 10)", mix([lr, s6_probs("sgd", 10)], [.7, .3]), Gates()),
        ("LR + NB-weighted LR + LinearSVC (⅓ each), no_answer ≥ 0.03",
         mix([lr, s6_probs("lr_nbw"), s6_probs("svm", 10)], [1 / 3] * 3), Gates(no_answer_min=0.03)),
        ("idf LR + lemma-char LR + complement NB (.475/.475/.05), no_answer ≥ 0.03",
         mix([s6_probs("lr_idf"), s6_probs("lr_lemmachar"), s6_probs("cnb_a01")], [.475, .475, .05]),
         Gates(no_answer_min=0.03)),
        ("one LR: word + char_wb + lemma char_wb, log counts × idf", s6_probs("lr_idf_3view"), Gates()),
        ("same, no_answer ≥ 0.04", s6_probs("lr_idf_3view"), Gates(no_answer_min=0.04)),
        ("same + complement NB α 0.1 (.95/.05)", mix([s6_probs("lr_idf_3view"), s6_probs("cnb_a01")], [.95, .05]), Gates()),
        ("**same + complement NB α 0.1 (.95/.05), no_answer ≥ 0.03 (best in the replica; Rasa did not confirm)**",
         mix([s6_probs("lr_idf_3view"), s6_probs("cnb_a01")], [.95, .05]), Gates(no_answer_min=0.03)),
        ("same, lemma n-grams as Rasa sees them (하+었 keeps its +)", mix([s6_probs("lr_idf_3view_plus"), s6_probs("cnb_a01")],
                                                                      [.95, .05]), Gates(no_answer_min=0.03)),
    ]
    print(S6_HEADER)
    print("|" + "---|" * (S6_HEADER.count("|") - 1))
    for row in rows:
        if row:
            print(s6_row(row[0], row[1], items, classes, row[2]))


# ---- session 7: Kiwi's CoNg morpheme embeddings -----------------------------------------------------
# kiwipiepy's CoNg model embeds every morpheme of its dictionary; morpheme_similarity(id, id) costs ~1 µs,
# so the cosine between every content morpheme of the data and every other one is computed once and
# cached (var/experiments/s7-sim-*.npz). Morpheme ids follow Kiwi's frequency order: a rare morpheme
# (high id: 인증서 21016, 비번) sits in a crowded corner of the space where everything is 0.85–0.92
# similar to everything, so ``max_id`` keeps only morphemes frequent enough to have a meaningful vector.
# Neighbours are always restricted to the fitted model's own training morphemes.

S7_CONTENT = ("NNG", "NNP", "VV", "VA", "MAG", "XR")


def s7_morph_ids(tokens: Dict[str, List[Tok]]) -> Dict[Tuple[str, str], int]:
    """(form, tag) -> Kiwi morpheme id, read off a plain Kiwi's analysis of every message (user words
    of korean_nlp have ids without trained vectors, so they are simply not found here)."""
    path = CACHE / f"s7-ids-{data_fingerprint()[:12]}.json"
    if path.exists():
        return {tuple(k.split("\t")): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    ids: Dict[Tuple[str, str], int] = {}
    for text in tokens:
        for t in kiwi.tokenize(text.lower()):
            if t.tag.startswith(S7_CONTENT):
                ids.setdefault((t.form, t.tag), t.id)
    # forms our tokenizer produced (aliases: 폰 → 휴대폰) that the plain analysis never showed
    for toks in tokens.values():
        for _, lemma, tag in toks:
            for form, tg in zip(lemma.split("+"), tag.split("+")):
                if tg.startswith(S7_CONTENT) and (form, tg) not in ids:
                    found = [t for t in kiwi.tokenize(form) if t.form == form and t.tag == tg]
                    if found:
                        ids[(form, tg)] = found[0].id
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({f"{f}\t{t}": v for (f, t), v in ids.items()}, ensure_ascii=False), encoding="utf-8")
    return ids


class S7Space:
    """Cosine similarities between the data's content morphemes (those with id < max_id)."""

    def __init__(self, tokens: Dict[str, List[Tok]], max_id: int = 15000):
        ids = s7_morph_ids(tokens)
        # an id shared by several forms is Kiwi's placeholder for a word outside its dictionary (our user
        # words: 출금계좌, 핸 …): it has no vector of its own, and its "neighbours" all score 1.0
        shared = {v for v, n in Counter(ids.values()).items() if n > 1}
        self.keys = sorted(k for k, v in ids.items() if v < max_id and v not in shared)
        self.index = {k: i for i, k in enumerate(self.keys)}
        path = CACHE / f"s7-sim-{max_id}-{hashlib.sha256(repr(self.keys).encode()).hexdigest()[:12]}.npy"
        if path.exists():
            self.sim = np.load(path)
        else:
            from kiwipiepy import Kiwi

            kiwi = Kiwi()
            mids = [ids[k] for k in self.keys]
            n = len(mids)
            sim = np.eye(n, dtype=np.float32)
            for i in range(n):
                for j in range(i + 1, n):
                    sim[i, j] = sim[j, i] = kiwi.morpheme_similarity(mids[i], mids[j])
            np.save(path, sim)
            self.sim = sim

    def neighbours(self, key, allowed: np.ndarray, k: int, floor: float) -> List[Tuple[str, float]]:
        """Top-k morphemes among ``allowed`` (a boolean mask over self.keys), itself excluded."""
        i = self.index.get(key)
        if i is None:
            return []
        row = np.where(allowed, self.sim[i], -1.0)
        row[i] = -1.0
        best = np.argsort(-row)[:k]
        return [(self.keys[j][0], float(row[j])) for j in best if row[j] >= floor]


def content_morphemes(toks: List[Tok]):
    for _, lemma, tag in toks:
        for form, t in zip(lemma.split("+"), tag.split("+")):
            if t.startswith(S7_CONTENT):
                yield form, t


def _m_s7(mode: str, space_args=(), **kw):
    """LR over the committed views plus an embedding-derived change (see s7_table's rows)."""
    def model(Ctr, y, tests, ctx):
        tokens, tt = ctx["tokens"], ctx["train_texts"]
        space = ctx.setdefault("s7_space", S7Space(tokens, *space_args))
        train_keys = {k for t in tt for k in content_morphemes(tokens[t])}
        train_forms = {f for t in tt for _, l, _ in tokens[t] for f in l.split("+")}
        allowed = np.array([k in train_keys for k in space.keys])
        floor, k_n, weight = kw.get("floor", 0.5), kw.get("k", 1), kw.get("weight", 1.0)
        cache: Dict = {}

        def nb(key):
            if key not in cache:
                cache[key] = space.neighbours(key, allowed, k_n, floor)
            return cache[key]

        if mode == "oov_sub":  # unseen content morpheme -> its nearest training morpheme(s), same columns
            def text(raw, toks):
                out = []
                for s, lemma, tag in toks:
                    for form, t in zip(lemma.split("+"), tag.split("+")):
                        if t.startswith(S7_CONTENT) and form not in train_forms and nb((form, t)):
                            out += [f for f, _ in nb((form, t))] if kw.get("replace", True) else [form] + [f for f, _ in nb((form, t))]
                        else:
                            out.append(form)
                return digits(" ".join(out))
            views = [View("word_oov", text, word_view().make), char_view()]
        elif mode == "expand":  # every content morpheme also counts its top-k neighbours, in a view of its own
            def text(raw, toks):
                return " ".join(f for key in content_morphemes(toks) for f, _ in nb(key))
            views = BASE + [View("neighbours", text, lambda: CountVectorizer(token_pattern=r"\S+"), weight)]
        else:  # "dense", "smooth"
            views = BASE
        feats = Features(views, scale="counts").fit(tt, tokens)
        if mode == "smooth":
            # the neighbours land in the word view's own unigram columns, at ``weight`` of a real count:
            # an unseen 바쁘 lights 힘들 a little, a seen 휴대폰 lights 핸드폰 a little
            word = feats.vectorizers[0]
            nbv = CountVectorizer(token_pattern=r"\S+", vocabulary=word.vocabulary_)
            n_word = len(word.vocabulary_)

            def counts(texts):
                C = feats.transform(texts, tokens).tolil()
                N = nbv.transform([" ".join(f for key in content_morphemes(tokens[t]) for f, _ in nb(key)) for t in texts])
                C[:, :n_word] = C[:, :n_word] + weight * N
                return csr_matrix(C)
        else:
            def counts(texts):
                return feats.transform(texts, tokens)
        Xtr = log_l2(counts(tt))
        Xte = {k: log_l2(counts(ctx["test_texts"][k])) for k in tests}
        if mode == "dense":
            # mean similarity of the message's content morphemes to the n most frequent training morphemes
            freq = Counter(k for t in tt for k in content_morphemes(tokens[t]) if k in space.index)
            anchors = [space.index[k] for k, _ in freq.most_common(kw.get("anchors", 500))]

            def raw_dense(texts):
                D = np.zeros((len(texts), len(anchors)))
                for r, t in enumerate(texts):
                    rows = [space.index[k] for k in content_morphemes(tokens[t]) if k in space.index]
                    if rows:
                        D[r] = space.sim[np.ix_(rows, anchors)].mean(0)
                return D
            # centred on the training mean: every morpheme is ~0.3–0.5 similar to every anchor, and
            # that shared part would otherwise be most of the block's length
            Dtr = raw_dense(tt)
            mu = Dtr.mean(0)

            def dense(D):
                return csr_matrix(normalize(D - mu) * weight)
            Xtr = csr_matrix(hstack([Xtr, dense(Dtr)]))
            Xte = {k: csr_matrix(hstack([X, dense(raw_dense(ctx["test_texts"][k]))])) for k, X in Xte.items()}
        clf = lr_fit(Xtr, y, kw.get("C", 100.0))
        return {k: clf.predict_proba(X) for k, X in Xte.items()}
    return model


MODELS_S7: Dict[str, Callable] = {
    "s7_oov_sub_f05": _m_s7("oov_sub", floor=0.5),
    "s7_oov_sub_f06": _m_s7("oov_sub", floor=0.6),
    "s7_oov_add_f05": _m_s7("oov_sub", floor=0.5, replace=False),
    "s7_expand_k1_w05": _m_s7("expand", k=1, floor=0.55, weight=0.5),
    "s7_expand_k3_w05": _m_s7("expand", k=3, floor=0.5, weight=0.5),
    "s7_smooth_k1_w03": _m_s7("smooth", k=1, floor=0.55, weight=0.3),
    "s7_smooth_k3_w03": _m_s7("smooth", k=3, floor=0.5, weight=0.3),
    "s7_dense_500_w05": _m_s7("dense", anchors=500, weight=0.5),
    "s7_dense_500_w1": _m_s7("dense", anchors=500, weight=1.0),
}


def s7_fit(names: Sequence[str], dev_only: bool = False) -> None:
    """Like s6_fit, for MODELS_S7 (and "lr"); ``dev_only`` fits only the full model (one fit, not six)."""
    import pickle

    models = {**MODELS_S6, **MODELS_S7}
    suffix = "-devonly" if dev_only else ""
    names = [n for n in names if not (s6_path(n + suffix)).exists() and not s6_path(n).exists()]
    if not names:
        return
    results = {n: {"seconds": 0.0} for n in names}
    ctx_space = {}
    for split, tt, tl, sets, tokens in splits():
        if dev_only and split != "full":
            continue
        feats = Features(BASE, scale="counts").fit(tt, tokens)
        Ctr = feats.transform(tt, tokens)
        tests = {k: feats.transform([t for t, _ in v], tokens) for k, v in sets.items()}
        ctx = {"clauses": {k: (None, []) for k in sets}, "tokens": tokens, "train_texts": tt,
               "test_texts": {k: [t for t, _ in v] for k, v in sets.items()}, **ctx_space}
        for n in names:
            started = time.perf_counter()
            out = models[n](Ctr, tl, tests, ctx)
            results[n]["seconds"] += time.perf_counter() - started
            for k, v in out.items():
                if k.endswith("#clauses"):
                    continue
                results[n].setdefault(k, []).append(v) if k.startswith("cv") else results[n].__setitem__(k, v)
            print(f"  {n} {split} {time.perf_counter() - started:.0f} s", flush=True)
        if "s7_space" in ctx:
            ctx_space["s7_space"] = ctx["s7_space"]
    for n in names:
        s6_path(n + suffix).write_bytes(pickle.dumps(results[n]))


def s7_probs(name: str) -> Dict[str, np.ndarray]:
    import pickle

    path = s6_path(name) if s6_path(name).exists() else s6_path(name + "-devonly")
    r = pickle.loads(path.read_bytes())
    return {k: (np.vstack(v) if k == "cv" else v) for k, v in r.items() if k != "seconds" and not k.endswith("#clauses")}


def s7_row(label, probs, items, classes, gates=Gates()) -> str:
    """s6_row with R/W/F for CV and R/W for every dev set; a dev-only model shows '–' for CV."""
    has_cv = "cv" in probs
    cv_probs = probs["cv"] if has_cv else np.zeros((len(items["cv"]), len(classes)))
    r = s6_result({**probs, "cv": cv_probs}, items, classes)
    cells = []
    if has_cv:
        d = decisions(r, r.cv, gates)
        s = score([x for x in d if x.gold not in NOT_LABELS])
        cells += [f"{s.accuracy:.2%}", f"{s.right:.1%}/{s.wrong:.1%}/{s.fallback:.1%}",
                  f"{fallback_share([x for x in d if x.gold in NOT_LABELS]):.1%}"]
    else:
        cells += ["–", "–", "–"]
    for k in ("dev_h", "dev_c", "dev_d", "dev_e", "dev_i", "dev_j", "tricky"):
        ds = score(decisions(r, r.dev[k], gates))
        cells.append(f"{ds.accuracy:.1%} ({ds.right:.1%}/{ds.wrong:.1%}" + (f"/{ds.fallback:.1%})" if k == "dev_h" else ")"))
    return f"| {label} | " + " | ".join(cells + _unanswerable_cells(r, gates)) + " |"


S7_HEADER = ("| variant | CV right label | CV R/W/F | CV no_answer→F | dev_h (R/W/F) | dev_c | dev_d | dev_e | dev_i | dev_j "
             "| tricky | adjacent→F | dev no_answer→F (mean) | gibberish→F |")


def s7_table(args: Sequence[str]) -> None:
    """python eval/experiments.py --s7 [--dev-only] [name ...]: fit what is not cached, print the table.
    Dev sets show right label (answered right / answered wrong)."""
    dev_only = "--dev-only" in args
    named = [a for a in args if not a.startswith("--")]
    names = named or ["lr"] + list(MODELS_S7)
    # named models get a full fit (CV too) unless --dev-only; the default table fits only what has
    # no cache at all, and dev-only, so it shows what session 7 ran without hours of refitting
    s7_fit(names if named else [n for n in names if not s6_path(n + "-devonly").exists()],
           dev_only or not named)
    items = s6_items()
    classes = sorted(set(l for _, l in all_training_examples()))
    print(S7_HEADER)
    print("|" + "---|" * (S7_HEADER.count("|") - 1))
    for n in names:
        print(s7_row(S7_LABELS.get(n, n), s7_probs(n), items, classes))


S7_LABELS = {
    "lr": "baseline (committed LR)",
    "s7_oov_sub_f05": "unseen content morpheme → nearest training morpheme (cos ≥ 0.5), same columns",
    "s7_oov_sub_f06": "same, cos ≥ 0.6",
    "s7_oov_add_f05": "same, neighbour added next to the unseen morpheme (not replacing it)",
    "s7_expand_k1_w05": "every content morpheme + its nearest training morpheme (cos ≥ 0.55), own view, weight 0.5",
    "s7_expand_k3_w05": "same, top 3 (cos ≥ 0.5)",
    "s7_smooth_k1_w03": "nearest training morpheme (cos ≥ 0.55) at 0.3 of a count in the word view's own columns",
    "s7_smooth_k3_w03": "same, top 3 (cos ≥ 0.5)",
    "s7_dense_500_w05": "dense: mean cosine to the 500 most frequent training morphemes, centred, weight 0.5",
    "s7_dense_500_w1": "same, weight 1",
}


def s7_errors(name: str = "lr") -> None:
    """dev_h's wrong labels under a fitted model, each with its unseen content morphemes and its Latin
    words (Kiwi gives every SL token one shared id, so no Latin word has a vector of its own)."""
    items = s6_items()
    classes = sorted(set(l for _, l in all_training_examples()))
    tt = [t for t, _ in all_training_examples()]
    tokens = tokenize_all(tt + [t for v in items.values() for (t, _), _ in v])
    train_forms = {f for t in tt for _, l, _ in tokens[t] for f in l.split("+")}
    p = s7_probs(name)
    r = s6_result({**p, "cv": np.zeros((len(items["cv"]), len(classes)))}, items, classes)
    for set_name in ("dev_h",):
        words = Counter(k for (t, _), _mash in items["dev:" + set_name]
                        for k in content_morphemes(tokens[t]) if k[0] not in train_forms)
        errs = [x for x in decisions(r, r.dev[set_name], Gates()) if x.label != x.gold]
        print(f"{set_name}: {len(words)} unseen content morphemes ({sum(words.values())} occurrences); "
              f"{len(errs)} wrong labels, {sum(not x.fallback for x in errs)} answered")
        for x in errs:
            unseen = [f for f, _ in content_morphemes(tokens[x.text]) if f not in train_forms]
            latin = [s for s, _, t in tokens[x.text] if t == "SL"]
            print(f"  {'answered' if not x.fallback else 'fallback'} {x.gold} → {x.label} ({x.p:.2f}) "
                  f"unseen={unseen} latin={latin} | {x.text}")



# ---- session 15: features that survive two syllables typed in the wrong order -------------------------
# Every development set is also scored typed without spaces and with two neighbouring syllables swapped
# (eval/typing_variants.py's functions; each careless way draws from a fresh
# generator with its seed, so the places differ from that script's table). "baseline" here is the pipeline before session 15.
S15_VARIANTS: Dict[str, Variant] = {
    "baseline": Variant(BASE),
    "pairs": Variant(BASE + [syllable_pair_view()]),  # adopted: config.yml's SyllablePairsFeaturizer
    "pairs_w0.5": Variant(BASE + [syllable_pair_view(0.5)]),
    "pairs_w1.5": Variant(BASE + [syllable_pair_view(1.5)]),
    "sorted_syllables": Variant(BASE + [sorted_syllables_view()]),
}


def s15_table(names: Sequence[str]) -> None:
    import eval.typing_variants as typing

    careless_table(S15_VARIANTS, names, [("nospace", typing.without_spaces),
                                         ("swapped", typing.two_syllables_swapped)])


# ---- session 16: features that survive one key typed next to the right one ----------------------------
# A phone typo changes one jamo of one syllable (인증서 → 인증거, 갱신 → 갱싱): every syllable n-gram that holds
# that syllable is lost. Jamo n-grams keep the parts of the syllable that were typed right. "base" is the
# pipeline committed in session 15 (with the syllable pairs).

def jamo_text(text: str) -> str:
    """Every Hangul syllable written as its conjoining jamo (initial, medial, final: a final ㄱ is another
    letter than an initial ㄱ); Unicode's canonical decomposition does exactly that."""
    return unicodedata.normalize("NFD", text)


def jamo_view(lo=3, hi=5, weight=1.0, raw_words=False):
    """Character n-grams (within words) over the jamo of the Kiwi surfaces (or of the typed words)."""
    def text(raw, toks):
        return jamo_text(digits(raw.lower()) if raw_words else surface_text(toks))
    return View(f"jamo{lo}-{hi}{'raw' if raw_words else ''}w{weight}", text,
                lambda: CountVectorizer(analyzer="char_wb", ngram_range=(lo, hi), lowercase=False), weight)


S16_BASE = BASE + [syllable_pair_view()]
S16_VARIANTS: Dict[str, Variant] = {
    "base": Variant(S16_BASE),
    "jamo3-5": Variant(S16_BASE + [jamo_view(3, 5)]),
    "jamo2-4": Variant(S16_BASE + [jamo_view(2, 4)]),
    "jamo3-5_w0.5": Variant(S16_BASE + [jamo_view(3, 5, 0.5)]),
    "jamo3-5raw": Variant(S16_BASE + [jamo_view(3, 5, raw_words=True)]),
}


def careless_table(variants: Dict[str, Variant], names: Sequence[str], hows: Sequence[Tuple[str, Callable]]) -> None:
    """Each variant: CV, then every development set as written and typed each careless way (pooled)."""
    import random

    import eval.typing_variants as typing

    global dev_labelled_sets
    written = dev_labelled_sets

    def typed_carelessly():
        out = {}
        for name, items in written().items():
            out[name] = items
            for how, change in hows:
                rng = random.Random(typing.SEED)  # as session 15's table drew its swaps
                out[f"{name}~{how}"] = [(change(text, rng), gold) for text, gold in items]
        return out

    dev_labelled_sets = typed_carelessly
    try:
        for name in names or list(variants):
            r = run(variants[name])
            d = decisions(r, r.cv, Gates())
            cv = score([x for x in d if x.gold not in NOT_LABELS])
            print(f"== {name} ({r.seconds:.0f} s) CV acc {cv.accuracy:.2%} right {cv.right:.2%} wrong {cv.wrong:.2%}"
                  f" | held-back no_answer → fallback {fallback_share([x for x in d if x.gold in NOT_LABELS]):.1%}")
            for how in [""] + [h for h, _ in hows]:
                pooled = [x for k, v in r.dev.items() if (k.split("~")[1] if "~" in k else "") == how
                          for x in decisions(r, v, Gates())]
                s = score(pooled)
                print(f"   dev sets {how or 'as written':10s} n={s.n} right label {s.accuracy:.2%}"
                      f" answered right {s.right:.2%} wrong {s.wrong:.2%}")
            print("   unanswerable → fallback: " + ", ".join(
                f"{k} {fallback_share(decisions(r, v, Gates())):.1%}" for k, v in r.unanswerable.items()), flush=True)
    finally:
        dev_labelled_sets = written


def s16_table(names: Sequence[str]) -> None:
    import eval.typing_variants as typing

    careless_table(S16_VARIANTS, names, [("nospace", typing.without_spaces), ("swapped", typing.two_syllables_swapped),
                                         ("onekey", typing.one_key_off)])



# ---- session 16 (cont.): repair one-jamo typos before the tokenizer ---------------------------------------------
# korean_nlp/typo_repair.py replaces a syllable that fits neither neighbour by the one-jamo neighbour the
# training words hold in that place. Screened on the development sets only: each set as written and typed
# one key off, each as is and repaired (the repair's counts come from all training examples; no CV here:
# a repair of the CV folds would need counts per fold).

def repair_table(min_counts: Sequence[int] = (3,)) -> None:
    import random

    import eval.typing_variants as typing
    from korean_nlp.typo_repair import TypoRepair

    global dev_labelled_sets
    written = dev_labelled_sets
    training = [t for t, _ in all_training_examples()]
    for min_count in min_counts:
        repair = TypoRepair.from_texts(training, min_count)

        def sets():
            out = {}
            for name, items in written().items():
                rng = random.Random(typing.SEED + 1)
                onekey = [(typing.one_key_off(text, rng), gold) for text, gold in items]
                out[name] = items
                out[f"{name}~repaired"] = [(repair.repair(t), g) for t, g in items]
                out[f"{name}~onekey"] = onekey
                out[f"{name}~onekey+repaired"] = [(repair.repair(t), g) for t, g in onekey]
            return out

        dev_labelled_sets = sets
        try:
            r = run(Variant(S16_BASE), with_cv=False)
        finally:
            dev_labelled_sets = written
        print(f"== repair min_count={min_count} ({r.seconds:.0f} s)")
        for how in ("", "repaired", "onekey", "onekey+repaired"):
            pooled = [x for k, v in r.dev.items() if (k.split("~")[1] if "~" in k else "") == how
                      for x in decisions(r, v, Gates())]
            s = score(pooled)
            print(f"   dev sets {how or 'as written':16s} n={s.n} right label {s.accuracy:.2%}"
                  f" answered right {s.right:.2%} wrong {s.wrong:.2%}")
            for name in [k for k in r.dev if (k.split("~")[1] if "~" in k else "") == how]:
                print(f"      {name:24s} {score(decisions(r, r.dev[name], Gates())).right:.2%}")
        print("   unanswerable → fallback: " + ", ".join(
            f"{k} {fallback_share(decisions(r, v, Gates())):.1%}" for k, v in r.unanswerable.items()), flush=True)



# ---- session 17: the classifier's own L-BFGS against sklearn's L-BFGS-B -----------------------------------
# Same objective, same stopping rules, a faster optimizer (nlu_components/multinomial_fit.py). The pipeline
# as committed, fitted both ways: every CV and development decision side by side, and the time of the fits.

def fit_check_table() -> None:
    results = {name: run(Variant(S16_BASE, optimizer=name)) for name in ("sklearn", "threaded_lbfgs")}
    for name, r in results.items():
        show(name, r)

    def pooled(r):
        raws = r.cv + [x for v in r.dev.values() for x in v] + [x for v in r.unanswerable.values() for x in v]
        return raws, decisions(r, raws, Gates())

    (raws_a, da), (raws_b, db) = pooled(results["sklearn"]), pooled(results["threaded_lbfgs"])
    same = sum(a.label == b.label and a.fallback == b.fallback for a, b in zip(da, db))
    gap = max(float(np.max(np.abs(np.asarray(a.proba) - np.asarray(b.proba)))) for a, b in zip(raws_a, raws_b))
    print(f"== the same decision (label and fallback) for {same} of {len(da)} CV, development and unanswerable"
          f" messages; largest probability difference {gap:.4f}")
    for a, b in zip(da, db):
        if a.label != b.label or a.fallback != b.fallback:
            print(f"   {a.text[:60]!r}: gold {a.gold}; sklearn {a.label}{' (fallback)' * a.fallback},"
                  f" threaded {b.label}{' (fallback)' * b.fallback}")


# ---- session 20: how much the classifier trusts rare features ----------------------------------------------
# Session 16 measured that keeping only the features seen in >= 2 training messages halves the fit's columns
# (37,795 -> 22,694) without measuring accuracy; C 300 was never measured (session 6). Both ask the same thing:
# does the model lean on features too rare to generalize (an author's one-off spelling) or too little on them?
# Result (docs/nlu-design.md, "Issue 11, session 20"): the development sets preferred C 1000, the held-out sets
# did not; min_df 2 lost held-out accuracy. Nothing adopted.

def with_min_df(view: View, min_df: int) -> View:
    """The same view, its vectorizer keeping only features seen in at least min_df training messages
    (Rasa's CountVectorsFeaturizer has the same option)."""
    def make():
        v = view.make()
        v.set_params(min_df=min_df)
        return v
    return View(f"{view.name}_df{min_df}", view.text, make, view.weight)


def last_clause_view(weight=1.0, min_tokens=0):
    """Lemma 1-2-grams of the message's last clause only, as features of their own: in a long message the ask
    is usually the last clause ("폰을 바꿨는데 … 옮기려면 어떻게 해요?"), and here the model can learn to trust it
    more than the context before it (session 6 only re-scored clauses with a whole-message model).
    With min_tokens, a message whose last clause is the whole message gets no features from this view."""
    def text(raw, toks):
        clauses = clause_spans(toks)
        if len(clauses) < 2 and min_tokens:
            return ""
        return lemma_text(clauses[-1]) if clauses else ""
    return View(f"last_clause{weight}{'m' if min_tokens else ''}", text,
                lambda: CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2)), weight)


def slang_how_tokens() -> dict:
    """The committed Kiwi words plus the chat spellings of 어떻게 (어케, 어캐 …) as one adverb with its lemma:
    Kiwi reads 어케해 as 어 + 하+게 + 하+어, so "how" is lost and the message looks like a request."""
    from korean_nlp import terms

    slang = ["어케", "어캐", "어떡케", "어뜨케", "어떠케"]
    aliases = dict(terms.lemma_aliases())
    aliases.update({w: "어떻게" for w in slang})
    return {"user_words": list(terms.user_words()) + [(w, "MAG") for w in slang], "lemma_aliases": aliases}


def s20_variants() -> Dict[str, Variant]:
    """The session's variants over the committed features (S16_BASE); built when asked for, so importing the
    harness does not read the Kiwi vocabulary for slang_how."""
    base = S16_BASE
    rare_dropped = [with_min_df(v, 2) for v in base]
    return {
        "base": Variant(base, optimizer="threaded_lbfgs"),
        "min_df2": Variant(rare_dropped, optimizer="threaded_lbfgs"),
        "C300": Variant(base, C=300, optimizer="threaded_lbfgs"),
        "C50": Variant(base, C=50, optimizer="threaded_lbfgs"),
        "C1000": Variant(base, C=1000, optimizer="threaded_lbfgs"),
        "C1000_min_df2": Variant(rare_dropped, C=1000, optimizer="threaded_lbfgs"),
        "slang_how": Variant(base, optimizer="threaded_lbfgs", tokens=slang_how_tokens()),
        "last_clause": Variant(base + [last_clause_view()], optimizer="threaded_lbfgs"),
        "last_clause_multi": Variant(base + [last_clause_view(min_tokens=1)], optimizer="threaded_lbfgs"),
    }


def strangers_line(r: RawResult) -> str:
    """CV, held-back no_answer, the development sets pooled and dev_h+m+n (the authors who wrote no training
    data: the development figure closest to the held-out sets)."""
    d = decisions(r, r.cv, Gates())
    cv = score([x for x in d if x.gold not in NOT_LABELS])
    dev = {k: decisions(r, v, Gates()) for k, v in r.dev.items()}
    pooled = score([x for v in dev.values() for x in v])
    strangers = [x for k in ("dev_h", "dev_m", "dev_n") if k in dev for x in dev[k]]
    h = score(strangers) if strangers else None
    return (f"CV acc {cv.accuracy:.2%} R/W/F {cv.right:.1%}/{cv.wrong:.1%}/{cv.fallback:.1%}"
            f" | no_answer → F {fallback_share([x for x in d if x.gold in NOT_LABELS]):.1%}"
            f" | dev pooled n={pooled.n} acc {pooled.accuracy:.2%} R/W {pooled.right:.1%}/{pooled.wrong:.1%}"
            + (f" | dev_h+m+n n={h.n} acc {h.accuracy:.2%} R/W {h.right:.1%}/{h.wrong:.1%}" if h else ""))


def s20_table(names: Sequence[str]) -> None:
    """CV; the development sets pooled, and pooled over dev_h, dev_m and dev_n alone: their authors wrote no
    training data, so they are the development figure closest to the held-out sets (session 20: a change the
    other sets liked did not carry over to the held-out authors); unanswerable questions."""
    variants = s20_variants()
    for name in names or list(variants):
        r = cached_run(f"s20-{name}", variants[name])
        print(f"== {name} ({r.seconds:.0f} s) {strangers_line(r)}")
        print("   unanswerable → fallback: " + ", ".join(
            f"{k} {fallback_share(decisions(r, v, Gates())):.1%}" for k, v in r.unanswerable.items()), flush=True)


def training_authors() -> Dict[str, str]:
    """Training text → its hand: hand_<x>.yml is author x, every other data/nlu file the first author, "a"."""
    from tests.training_data import NLU_DIR, examples_by_label

    author: Dict[str, str] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        hand = re.match(r"hand_(\w+)$", path.stem)
        for texts in examples_by_label([path]).values():
            for text in texts:
                author.setdefault(text, hand.group(1) if hand else "a")
    return author


def author_weighted_run(power: float) -> RawResult:
    """The committed features and fit, each training example's class weight multiplied by
    n_author^-power (scaled to mean 1): power 0.5 evens the hands out partly, 1.0 gives each hand the same
    total weight. Session 21's question: does a model that cannot lean on the largest hand's style (the first
    author wrote 2,957 of the 9,015 training examples) generalize better to strangers? The threaded fit reads its weights
    from multinomial_fit.class_balanced_weights, so that is swapped for the run and put back after."""
    from nlu_components import multinomial_fit

    authors = training_authors()
    balanced, plain_fit = multinomial_fit.class_balanced_weights, globals()["fit"]
    rows: List[str] = []

    def fit_remembering_rows(variant, texts, labels, tokens):
        rows[:] = list(texts)
        return plain_fit(variant, texts, labels, tokens)

    def weights(label_index, n_classes):
        hands = [authors.get(t, "a") for t in rows]
        sizes = Counter(hands)
        factor = np.array([sizes[h] ** -power for h in hands])
        return balanced(label_index, n_classes) * (factor / factor.mean())

    globals()["fit"], multinomial_fit.class_balanced_weights = fit_remembering_rows, weights
    try:
        return run(Variant(S16_BASE, optimizer="threaded_lbfgs"))
    finally:
        globals()["fit"], multinomial_fit.class_balanced_weights = plain_fit, balanced


def s21_table(powers: Sequence[float]) -> None:
    """Author-balanced weights against the committed fit: CV, the development sets pooled and dev_h+m+n."""
    results = {"base": cached_run("s20-base", s20_variants()["base"])}
    for power in powers:
        results[f"author^-{power}"] = cached_run(f"s21-author{power}", None, lambda: author_weighted_run(power))
    for name, r in results.items():
        print(f"== {name} {strangers_line(r)}", flush=True)



# ---- session 22: sentence embeddings (multilingual-e5-small) beside the counts ------------------------------
_VECTORS: Dict[str, np.ndarray] = {}


def sentence_vectors(texts: Sequence[str]) -> np.ndarray:
    """The product's embedding of each text (nlu_components/sentence_embeddings.py: same encoder, same
    truncation), kept in var/experiments/ (embedding all ~12,600 texts takes ~2.5 minutes)."""
    import pickle

    from nlu_components.sentence_embeddings import DEFAULT_MAX_CHARS, Encoder, embedding_input

    path = CACHE / "e5-vectors.pkl"
    if not _VECTORS and path.exists():
        _VECTORS.update(pickle.loads(path.read_bytes()))
    missing = sorted({t for t in texts if t not in _VECTORS})
    if missing:
        vectors = Encoder().embed([embedding_input(t, DEFAULT_MAX_CHARS) for t in missing])
        _VECTORS.update(zip(missing, vectors))
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(_VECTORS))
    return np.array([_VECTORS[t] for t in texts])


def s22_table(args: Sequence[str]) -> None:
    """The committed features with the embedding appended at each weight ("0.5nc": not centred), against
    the same features without it: CV, the development sets pooled and dev_h+m+n, unanswerable questions."""
    results = {"base": cached_run("s20-base", s20_variants()["base"])}
    for arg in args or ["0.3", "0.5", "0.7", "1", "2"]:
        weight, centre = float(arg.rstrip("nc")), not arg.endswith("nc")
        variant = Variant(S16_BASE, optimizer="threaded_lbfgs", dense_weight=weight, centre=centre)
        results[f"e5 w{arg}"] = cached_run(f"s22-e5-w{arg}", variant)
    for name, r in results.items():
        print(f"== {name} ({r.seconds:.0f} s) {strangers_line(r)}")
        print("   unanswerable → fallback: " + ", ".join(
            f"{k} {fallback_share(decisions(r, v, Gates())):.1%}" for k, v in r.unanswerable.items()), flush=True)
    if "e5 w0.5" in results:
        for threshold in (0.5, 0.8, 0.9, 0.95):
            r, embedded = cascade(results["base"], results["e5 w0.5"], threshold)
            print(f"== cascade at {threshold}: embedded {embedded:.0%} of development messages | {strangers_line(r)}")


def cascade(counts_only: RawResult, joint: RawResult, threshold: float) -> Tuple[RawResult, float]:
    """FlatIntentClassifier's embed_below: the counts-only model's prediction where its top probability is at
    least ``threshold``, else the joint model's (both fitted on the same folds). Returns the mixed result
    and the share of development messages that needed the embedding."""
    def mix(sure_side: List[Raw], joint_side: List[Raw]) -> List[Raw]:
        assert [r.text for r in sure_side] == [r.text for r in joint_side]
        return [a if a.proba.max() >= threshold else b for a, b in zip(sure_side, joint_side)]

    dev = {k: mix(counts_only.dev[k], joint.dev[k]) for k in counts_only.dev}
    embedded = [a.proba.max() < threshold for k in counts_only.dev for a in counts_only.dev[k]]
    return (RawResult(counts_only.classes, mix(counts_only.cv, joint.cv), dev,
                      {k: mix(counts_only.unanswerable[k], joint.unanswerable[k]) for k in counts_only.unanswerable}, 0.0),
            sum(embedded) / max(1, len(embedded)))


if __name__ == "__main__":
    sys.exit(main())
