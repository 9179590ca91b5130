"""Trains the assistant only when something that shapes the model has changed.

The content hash covers the config, domain, training data, the Korean NLP code and the
pinned requirements. The spaCy pipeline is rebuilt first, since the model depends on it, and Rasa's
training cache is the one of this pipeline version (korean_nlp/training_cache.py says why).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
sys.path.insert(0, str(ROOT))
from korean_nlp.training_cache import use_pipeline_cache  # noqa: E402

MODEL_NAME = "assistant"
SPACY_PIPELINE = MODELS / "spacy_ko_kiwi"
HASH_FILE = MODELS / ".trained-hash"
INPUTS = ["config.yml", "domain.yml", "data", "korean_nlp", "nlu_components", "requirements.txt"]


def content_hash() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    current = content_hash()
    model = MODELS / f"{MODEL_NAME}.tar.gz"
    if model.exists() and HASH_FILE.exists() and HASH_FILE.read_text().strip() == current:
        print(f"Model is up to date ({model.relative_to(ROOT)}); not retraining.")
        return 0
    python = sys.executable
    subprocess.run([python, "-m", "korean_nlp.build_pipeline", str(SPACY_PIPELINE)], check=True, cwd=ROOT)
    env = dict(os.environ)
    use_pipeline_cache(env)
    subprocess.run(
        [python, "-m", "rasa", "train", "--fixed-model-name", MODEL_NAME, "--out", str(MODELS)],
        check=True,
        cwd=ROOT,
        env=env,
    )
    HASH_FILE.write_text(current + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
