"""Drops examples from the named NLU files that repeat an example elsewhere.

Spacing and punctuation are ignored. An example is removed from the named file when the same
text already stands in another training file, earlier in the same file, or in the held-out set
(tests/nlu_heldout*.yml) or a development set (eval/dev_*.yml): both must stay unseen. Used when data
from several authors is merged.

    python scripts/dedupe_nlu.py data/nlu/new_file.yml [...]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from tests.training_data import NLU_DIR, examples_by_label, normalized  # noqa: E402


def main(paths) -> int:
    targets = {Path(p).resolve() for p in paths}
    others = [p for p in sorted(NLU_DIR.glob("*.yml")) if p.resolve() not in targets]
    seen = {normalized(e) for examples in examples_by_label(others).values() for e in examples}
    heldout = sorted((ROOT / "tests").glob("nlu_heldout*.yml"))
    seen |= {normalized(e) for examples in examples_by_label(heldout).values() for e in examples}
    from eval.evaluate import texts_in  # dev sets: labelled NLU files and plain question lists

    for dev in sorted((ROOT / "eval").glob("dev_*.yml")):
        seen |= {normalized(t) for t in texts_in(yaml.safe_load(dev.read_text(encoding="utf-8")))}
    for path in sorted(targets):
        kept_lines, dropped = [], 0
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith("- intent:"):
                key = normalized(stripped[2:])
                if key in seen:
                    dropped += 1
                    continue
                seen.add(key)
            kept_lines.append(line)
        path.write_text("".join(kept_lines), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: dropped {dropped} repeated examples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
