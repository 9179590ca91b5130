import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def nlp(tmp_path_factory):
    """The project's Kiwi-backed spaCy pipeline, built once and round-tripped through disk the way
    Rasa's SpacyNLP loads it."""
    import spacy

    from korean_nlp.build_pipeline import build

    path = tmp_path_factory.mktemp("pipeline") / "ko_kiwi"
    build().to_disk(path)
    return spacy.load(path)
