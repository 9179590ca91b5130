"""NLU evaluation: the project pipeline against Rasa's stock pipeline, on the same data.

For each pipeline: stratified k-fold cross-validation over data/nlu, and a model trained on
all of data/nlu scored on tests/nlu_heldout.yml (never used for training). Labels count FAQ
sub-intents: a prediction of "faq" is scored as faq/<key> from the ResponseSelector.

The same full model is also scored on questions the assistant has no answer for
(tests/nlu_unanswerable.yml when present, written by the held-out author; and the helper's
own development set eval/dev_unanswerable.yml): the share that reaches the fallback
(nlu_fallback → candidate buttons + 상담원 연결) instead of a wrong answer.

    python eval/evaluate.py --out docs/nlu-eval-report.md [--folds 5] [--no-cv] [--no-heldout]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from tests.training_data import RESPONSES_DIR, examples_by_label, training_examples  # noqa: E402

PIPELINES = {"project": ROOT / "config.yml", "stock": ROOT / "eval" / "config_stock.yml"}
# Independent sets written apart from the training data (one file per author): never opened by
# the NLU helper, only scored here.
HELDOUT_FILES = sorted((ROOT / "tests").glob("nlu_heldout*.yml"))
UNANSWERABLE_FILES = sorted((ROOT / "tests").glob("nlu_unanswerable*.yml"))
DEV_UNANSWERABLE = ROOT / "eval" / "dev_unanswerable.yml"
DEV_TRICKY = ROOT / "eval" / "dev_tricky.yml"
# Labelled development sets: tuned on, never trained on (tests/test_training_data.py checks). The
# helper's tricky phrasings, then one file per new author (eval/dev_c.yml …) when present.
DEV_LABELLED = [DEV_TRICKY] + sorted(p for p in (ROOT / "eval").glob("dev_*.yml")
                                     if p not in (DEV_TRICKY, DEV_UNANSWERABLE))
CHANGES = ROOT / "eval" / "changes.md"  # what each change bought: written by hand, quoted in the report
FALLBACK_TARGET = 0.90
NOT_LABELS = {"nlu_fallback", "no_answer"}
TOPIC_GROUPS = {
    "발급": ["what_is", "identity_verification", "issue_how", "issue_requirements",
             "issue_precautions", "software_required", "cost", "eligibility", "verification_trouble",
             "abroad"],
    "저장·기기·타행": ["storage", "copy_how", "register_other_bank", "difference_joint_cert",
                 "difference_kb_cert", "where_usable", "pc_use", "device_limit", "biometric",
                 "old_phone_cleanup", "phone_changed", "lost_phone"],
    "유효기간·갱신": ["validity", "renew_how", "renew_period", "renew_precautions", "expired",
                 "after_renewal", "expiry_reminder", "renew_error"],
    "관리·보안": ["reissue", "password_forgot", "password_locked", "password_change", "delete", "security",
              "customer_center", "transfer_confirmation", "otp_still_needed"],
    "작업 요청": ["issue_certificate", "renew_certificate", "check_certificate", "copy_certificate",
              "revoke_certificate", "change_pin"],
    "대화": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "cancel",
           "human_handoff", "out_of_scope"],
}

Example = Tuple[str, str]  # (text, label)


@dataclass
class Prediction:
    gold: str
    label: str  # best label, ignoring the fallback threshold
    fallback: bool  # FallbackClassifier, the FAQ confidence gate or the gibberish gate fired
    text: str = ""
    intent_confidence: float = 0.0  # the best non-fallback intent's confidence
    faq_confidence: float = 0.0  # the selected FAQ key's confidence (FAQ predictions only)


@dataclass
class RunResult:
    predictions: List[Prediction] = field(default_factory=list)
    train_seconds: List[float] = field(default_factory=list)
    no_answer: List[Prediction] = field(default_factory=list)  # CV only: held-back no_answer examples


def write_training_dir(examples: Sequence[Example], directory: Path) -> None:
    by_label: Dict[str, List[str]] = defaultdict(list)
    for text, label in examples:
        by_label[label].append(text)
    nlu = [{"intent": label, "examples": "".join(f"- {t}\n" for t in texts)}
           for label, texts in sorted(by_label.items())]
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "nlu.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump({"version": "3.1", "nlu": nlu}, handle, allow_unicode=True, sort_keys=False)
    for response_file in RESPONSES_DIR.glob("*.yml"):
        shutil.copy(response_file, directory / response_file.name)


def train(config: Path, examples: Sequence[Example], workdir: Path) -> Tuple[str, float]:
    from rasa.model_training import train_nlu

    from korean_nlp.training_cache import use_pipeline_cache

    # Rasa's training cache of this Korean pipeline's version: a changed tokenizer or vocabulary must not
    # restore featurizers trained on the old tokens (korean_nlp/training_cache.py). Here, where training
    # happens, not at import: tests and scripts import this module for its readers only.
    use_pipeline_cache()
    data_dir = workdir / "data"
    write_training_dir(examples, data_dir)
    started = time.perf_counter()
    model = train_nlu(str(config), str(data_dir), str(workdir / "models"), domain=str(ROOT / "domain.yml"))
    return model, time.perf_counter() - started


def predict(model_path: str, examples: Sequence[Example]) -> List[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def parse_all():
        return [await agent.parse_message(text) for text, _ in examples]

    results = []
    for (text, gold), parsed in zip(examples, asyncio.run(parse_all())):
        # The best answerable label: nlu_fallback and no_answer (a certificate question without an
        # answer, which NoAnswerGate turns into the fallback) are decisions not to answer, not labels.
        ranking = [i for i in parsed.get("intent_ranking", []) if i["name"] not in NOT_LABELS]
        intent = ranking[0]["name"] if ranking else "nlu_fallback"
        label = intent
        faq_confidence = 0.0
        if intent == "faq":
            response = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
            label = response.get("intent_response_key") or "faq"
            faq_confidence = float(response.get("confidence") or 0.0)
        fallback = parsed.get("intent", {}).get("name") in NOT_LABELS
        intent_confidence = float(ranking[0]["confidence"]) if ranking else 0.0
        results.append(Prediction(gold, label, fallback, text, intent_confidence, faq_confidence))
    return results


def stratified_folds(examples: Sequence[Example], folds: int, seed: int = 42) -> List[List[Example]]:
    by_label: Dict[str, List[Example]] = defaultdict(list)
    for example in examples:
        by_label[example[1]].append(example)
    buckets: List[List[Example]] = [[] for _ in range(folds)]
    rng = random.Random(seed)
    for label in sorted(by_label):
        items = by_label[label][:]
        rng.shuffle(items)
        for index, item in enumerate(items):
            buckets[index % folds].append(item)
    return buckets


def all_training_examples() -> List[Example]:
    return [(text, label) for label, texts in training_examples().items() for text in texts]


def heldout_examples(files: Sequence[Path] = None) -> List[Example]:
    files = HELDOUT_FILES if files is None else files
    return [(text, label) for label, texts in examples_by_label(files).items() for text in texts]


def run_cv(config: Path, folds: int) -> RunResult:
    result = RunResult()
    buckets = stratified_folds(all_training_examples(), folds)
    for index in range(folds):
        train_set = [e for i, b in enumerate(buckets) if i != index for e in b]
        with tempfile.TemporaryDirectory() as workdir:
            model, seconds = train(config, train_set, Path(workdir))
            result.train_seconds.append(seconds)
            predictions = predict(model, buckets[index])
            # no_answer examples are scored as questions without an answer, not as a label.
            result.predictions.extend(p for p in predictions if p.gold not in NOT_LABELS)
            result.no_answer.extend(p for p in predictions if p.gold in NOT_LABELS)
        logging.warning("%s fold %d/%d done in %.0fs", config.name, index + 1, folds, seconds)
    return result


def texts_in(value) -> List[str]:
    """Every question in a YAML file of unknown layout: Rasa NLU blocks, lists or mappings."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # YAML reads "123123" as a number
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [t for item in value for t in texts_in(item)]
    if isinstance(value, dict):
        if "examples" in value and isinstance(value["examples"], str):
            from tests.training_data import parse_examples

            return parse_examples(value["examples"])
        return [t for key, item in value.items() if key not in ("version", "intent") for t in texts_in(item)]
    return []


def dev_set_name(path: Path) -> str:
    return "tricky" if path == DEV_TRICKY else path.stem


def dev_labelled_sets() -> Dict[str, List[Example]]:
    """Development set name ("tricky", "dev_c", …) -> labelled (text, label) examples.

    A dev set's ``no_answer`` block is not a label to get right: it is scored with the questions
    that should reach the fallback (``unanswerable_sets``)."""
    sets: Dict[str, List[Example]] = {}
    for path in DEV_LABELLED:
        sets[dev_set_name(path)] = [(t, label) for label, texts in examples_by_label([path]).items()
                                    if label not in NOT_LABELS for t in texts]
    return sets


def unanswerable_sets(include_independent: bool = True) -> Dict[str, List[str]]:
    """Named sets of questions that should reach the fallback (files that exist only).

    ``include_independent=False`` (``--no-heldout``) leaves out tests/nlu_unanswerable*.yml, so a
    development run stays blind to the independent authors' sets."""
    sets: Dict[str, List[str]] = {}
    independent: List[str] = []
    for path in UNANSWERABLE_FILES if include_independent else []:
        questions = texts_in(yaml.safe_load(path.read_text(encoding="utf-8")))
        sets[f"independent {path.stem}"] = questions
        independent += questions
    if include_independent and len(UNANSWERABLE_FILES) > 1:
        sets["independent, all"] = independent
    dev = yaml.safe_load(DEV_UNANSWERABLE.read_text(encoding="utf-8"))
    for name, questions in dev.items():
        sets[f"dev {name}"] = texts_in(questions)
    for path in DEV_LABELLED:  # the data authors' no_answer questions, one set per author
        questions = examples_by_label([path]).get("no_answer", [])
        if questions:
            sets[f"{dev_set_name(path)} no_answer"] = questions
    return sets


@dataclass
class FullModelResult:
    heldout: RunResult = field(default_factory=RunResult)  # all held-out files together
    heldout_by_file: Dict[str, RunResult] = field(default_factory=dict)
    dev: Dict[str, List[Prediction]] = field(default_factory=dict)  # labelled dev sets: "tricky", "dev_c", …
    unanswerable: Dict[str, List[Prediction]] = field(default_factory=dict)


def run_full_model(config: Path, with_heldout: bool = True) -> FullModelResult:
    """One model on all training data, scored on held-out, labelled dev and unanswerable sets."""
    out = FullModelResult()
    with tempfile.TemporaryDirectory() as workdir:
        model, seconds = train(config, all_training_examples(), Path(workdir))
        out.heldout.train_seconds.append(seconds)
        if with_heldout and HELDOUT_FILES:
            for path in HELDOUT_FILES:
                part = RunResult(train_seconds=[seconds], predictions=predict(model, heldout_examples([path])))
                out.heldout_by_file[path.stem] = part
                out.heldout.predictions.extend(part.predictions)
        for name, examples in dev_labelled_sets().items():
            out.dev[name] = predict(model, examples)
        for name, questions in unanswerable_sets(include_independent=with_heldout).items():
            out.unanswerable[name] = predict(model, [(q, "nlu_fallback") for q in questions])
    return out


# ---- metrics and report -------------------------------------------------------------------

def accuracy(predictions: Sequence[Prediction]) -> float:
    return sum(p.label == p.gold for p in predictions) / len(predictions)


def answered_right(predictions: Sequence[Prediction]) -> float:
    """What a customer sees: the right answer directly, not a fallback with suggestions."""
    return sum(p.label == p.gold and not p.fallback for p in predictions) / len(predictions)


def macro_f1(predictions: Sequence[Prediction]) -> float:
    labels = sorted({p.gold for p in predictions})
    return f1_score([p.gold for p in predictions], [p.label for p in predictions], labels=labels,
                    average="macro", zero_division=0)


def per_label_f1(predictions: Sequence[Prediction]) -> Dict[str, float]:
    labels = sorted({p.gold for p in predictions})
    scores = f1_score([p.gold for p in predictions], [p.label for p in predictions], labels=labels,
                      average=None, zero_division=0)
    return dict(zip(labels, scores))


def short(label: str) -> str:
    return label.split("/", 1)[-1]


def group_f1(scores: Dict[str, float]) -> Dict[str, float]:
    out = {}
    for group, members in TOPIC_GROUPS.items():
        values = [v for k, v in scores.items() if short(k) in members]
        out[group] = sum(values) / len(values) if values else float("nan")
    return out


def confusions(predictions: Sequence[Prediction], top: int = 10) -> List[Tuple[Tuple[str, str], int]]:
    return Counter((p.gold, p.label) for p in predictions if p.gold != p.label).most_common(top)


def fallback_row(name: str, set_name: str, predictions: Sequence[Prediction]) -> str:
    n = len(predictions)
    reached = sum(p.fallback for p in predictions)
    wrong_faq = sum(not p.fallback and p.label.startswith("faq") for p in predictions)
    other = Counter(p.label for p in predictions if not p.fallback and not p.label.startswith("faq"))
    others = ", ".join(f"{label} {count}" for label, count in other.most_common(4)) or "—"
    return f"| {name} | {set_name} | {n} | {reached / n:.1%} | {wrong_faq} | {others} |"


def answered_wrong(predictions: Sequence[Prediction]) -> float:
    """A confident wrong answer: worse for the customer than the fallback's suggestions."""
    return sum(p.label != p.gold and not p.fallback for p in predictions) / len(predictions)


def fallback_rate(predictions: Sequence[Prediction]) -> float:
    return sum(p.fallback for p in predictions) / len(predictions)


def dev_row(name: str, set_name: str, predictions: Sequence[Prediction]) -> str:
    p = predictions
    return (f"| {name} | {set_name} | {len(p)} | {accuracy(p):.1%} | {answered_right(p):.1%} | "
            f"{answered_wrong(p):.1%} | {fallback_rate(p):.1%} |")


def summary_rows(name: str, kind: str, result: RunResult) -> str:
    p = result.predictions
    return (f"| {name} | {kind} | {len(p)} | {accuracy(p):.1%} | {macro_f1(p):.3f} | "
            f"{answered_right(p):.1%} | {answered_wrong(p):.1%} | {fallback_rate(p):.1%} | "
            f"{max(result.train_seconds):.0f} s |")


def report(results: Dict[Tuple[str, str], RunResult], folds: int,
           full: Dict[str, FullModelResult] = None) -> str:
    lines = [
        "# NLU evaluation report",
        "",
        "Generated by `make eval` (eval/evaluate.py). Labels count FAQ sub-intents (`faq/<key>`).",
        f"Cross-validation: {folds} stratified folds over `data/nlu`. Held-out: "
        + ", ".join(f"`tests/{p.name}`" for p in HELDOUT_FILES) + ",",
        "written by independent authors from the labeling guide, never seen by the NLU helper nor trained on.",
        "",
        "- **accuracy / macro F1**: the label NLU ranks first (FallbackClassifier threshold ignored).",
        "- **answered right**: correct *and* not sent to the fallback (FallbackClassifier or the",
        "  FAQ confidence gate) — the answer a customer sees without clicking a suggestion;",
        "  **answered wrong**: a wrong label *not* sent to the fallback (a confident wrong answer).",
        "- **train time**: the slowest single training run of that row on this machine (2 cores).",
        "",
        "| pipeline | set | n | accuracy | macro F1 | answered right | answered wrong | fallback | train time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (name, kind), result in results.items():
        lines.append(summary_rows(name, kind, result))
    full = full or {}
    lines += [
        "",
        "## Questions without an answer: how many reach the fallback",
        "",
        f"Target: at least {FALLBACK_TARGET:.0%} reach `nlu_fallback` (candidate buttons + 상담원 연결), not a wrong answer.",
        "`independent …` rows are `tests/nlu_unanswerable*.yml` (the held-out authors'); the `dev` sets are",
        "`eval/dev_unanswerable.yml`, written by the NLU helper and used for tuning, so they flatter the pipeline.",
        "",
        "| pipeline | set | n | reached fallback | wrong FAQ answers | other labels (not fallback) |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in full.items():
        for set_name, predictions in result.unanswerable.items():
            lines.append(fallback_row(name, set_name, predictions))
    for (name, kind), result in results.items():
        if result.no_answer:
            lines.append(fallback_row(name, f"no_answer examples ({kind})", result.no_answer))
    lines += ["", "## Development sets (tuned on, never trained on)", "",
              "`tricky` is `eval/dev_tricky.yml` (the NLU helper's phrasings of known confusions); `dev_<x>` is",
              "`eval/dev_<x>.yml`, one file per author: `dev_h`'s author wrote no training data, `dev_m` and `dev_n`",
              "hold all their authors wrote (their training files did not help and were not kept), the others each",
              "wrote a training file (`data/nlu/hand_<x>.yml`) and, separately, their development set.", "",
              "| pipeline | set | n | right label | answered right | answered wrong | fallback |",
              "|---|---|---|---|---|---|---|"]
    for name, result in full.items():
        for set_name, predictions in result.dev.items():
            lines.append(dev_row(name, set_name, predictions))
    if CHANGES.exists():
        lines += ["", CHANGES.read_text(encoding="utf-8").strip()]
    for (name, kind), result in results.items():
        scores = per_label_f1(result.predictions)
        lines += ["", f"## {name} pipeline, {kind}", "", "| topic group | mean F1 |", "|---|---|"]
        lines += [f"| {g} | {v:.3f} |" for g, v in group_f1(scores).items()]
        lines += ["", "Per-label F1 (lowest first):", "", "| label | F1 |", "|---|---|"]
        lines += [f"| {label} | {score:.3f} |" for label, score in sorted(scores.items(), key=lambda kv: kv[1])]
        lines += ["", "Worst confusions:", "", "| gold | predicted | count |", "|---|---|---|"]
        lines += [f"| {g} | {pr} | {n} |" for (g, pr), n in confusions(result.predictions)]
    return "\n".join(lines) + "\n"


def dump_predictions(results: Dict[Tuple[str, str], RunResult], full: Dict[str, FullModelResult]) -> None:
    """Every prediction with its confidences, for threshold studies (var/eval/, git-ignored)."""
    import json
    from dataclasses import asdict

    out = ROOT / "var" / "eval"
    out.mkdir(parents=True, exist_ok=True)
    rows = {f"{name} {kind}": [asdict(p) for p in r.predictions] for (name, kind), r in results.items()}
    for name, result in full.items():
        for set_name, predictions in result.dev.items():
            rows[f"{name} {set_name}"] = [asdict(p) for p in predictions]
        for set_name, predictions in result.unanswerable.items():
            rows[f"{name} {set_name}"] = [asdict(p) for p in predictions]
    (out / "predictions.json").write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "nlu-eval-report.md")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true", help="held-out only (faster)")
    parser.add_argument("--no-heldout", action="store_true",
                        help="skip tests/nlu_heldout.yml (development runs stay blind to it)")
    parser.add_argument("--pipelines", default="project,stock")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    results: Dict[Tuple[str, str], RunResult] = {}
    full: Dict[str, FullModelResult] = {}
    for name in args.pipelines.split(","):
        config = PIPELINES.get(name) or (ROOT / name)
        full[name] = run_full_model(config, with_heldout=not args.no_heldout)
        if full[name].heldout.predictions:
            if len(full[name].heldout_by_file) > 1:
                for stem, part in full[name].heldout_by_file.items():
                    results[(name, f"held-out {stem}")] = part
                    print(summary_rows(name, f"held-out {stem}", part), flush=True)
            results[(name, "held-out")] = full[name].heldout
            print(summary_rows(name, "held-out", results[(name, "held-out")]), flush=True)
        for set_name, predictions in full[name].unanswerable.items():
            print(fallback_row(name, set_name, predictions), flush=True)
        for set_name, predictions in full[name].dev.items():
            print(dev_row(name, set_name, predictions), flush=True)
        if not args.no_cv:
            results[(name, f"{args.folds}-fold CV")] = run_cv(config, args.folds)
            print(summary_rows(name, "CV", results[(name, f"{args.folds}-fold CV")]), flush=True)
            if results[(name, f"{args.folds}-fold CV")].no_answer:
                print(fallback_row(name, "no_answer (CV)", results[(name, f"{args.folds}-fold CV")].no_answer), flush=True)
    dump_predictions(results, full)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, args.folds, full), encoding="utf-8")
    print(f"Report written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
