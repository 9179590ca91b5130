"""How often careful readers agree with the authors' labels (issue 11, session 21).

Draws 600 messages from the development sets whose authors wrote no training data (dev_h, dev_m, dev_n; fixed
seed), writes them without labels for annotators who read only docs/nlu-labeling-guide.md, and compares each
annotator's labels (eval/agreement/labels_<X>.tsv: `id<TAB>label`) with the authors' labels and, given a
trained model, with the model's best answerable label. The question it answers: is the held-out gap to 98 %
label noise (careful readers would disagree too) or understanding (they would not)?

    python eval/annotator_agreement.py --write-messages /tmp/messages.tsv
    python eval/annotator_agreement.py [--model models/<file>.tar.gz]
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.evaluate import dev_labelled_sets, predict  # noqa: E402

AGREEMENT_DIR = ROOT / "eval" / "agreement"
SETS = ("dev_h", "dev_m", "dev_n")
SAMPLE_SIZE = 600
SEED = 2026


def sample() -> List[Tuple[str, str, str]]:
    """(set, text, gold label), the same 600 every time."""
    dev = dev_labelled_sets()
    items = [(name, text, gold) for name in SETS for text, gold in dev[name]]
    random.Random(SEED).shuffle(items)
    return items[:SAMPLE_SIZE]


def read_labels(path: Path) -> List[str]:
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    if [int(r[0]) for r in rows] != list(range(1, SAMPLE_SIZE + 1)):
        raise SystemExit(f"{path}: expected ids 1..{SAMPLE_SIZE} in order")
    return [r[1].strip() for r in rows]


def share(a: List[str], b: List[str]) -> str:
    same = sum(x == y for x, y in zip(a, b))
    return f"{same}/{len(a)} ({same / len(a):.1%})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-messages", type=Path, help="write the unlabelled sample for annotators and stop")
    parser.add_argument("--model", help="a trained model to compare as well")
    args = parser.parse_args()
    items = sample()
    if args.write_messages:
        lines = ["id\tmessage"] + [f"{i}\t{' '.join(text.split())}" for i, (_, text, _) in enumerate(items, 1)]
        args.write_messages.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    gold = [g for _, _, g in items]
    annotators = {p.stem.split("_", 1)[1]: read_labels(p) for p in sorted(AGREEMENT_DIR.glob("labels_*.tsv"))}
    for name, labels in annotators.items():
        print(f"annotator {name} vs authors: {share(labels, gold)}")
    names = list(annotators)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            print(f"annotator {a} vs annotator {b}: {share(annotators[a], annotators[b])}")
    if args.model:
        model = [p.label for p in predict(args.model, [(text, g) for _, text, g in items])]
        print(f"model vs authors: {share(model, gold)}")
        for (name, text, g), m, *others in zip(items, model, *annotators.values()):
            if m != g or any(o != g for o in others):
                print(f"  {name}\tauthors {g}\tmodel {m}\tannotators {' '.join(others)}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
