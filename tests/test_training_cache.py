"""korean_nlp.training_cache: a changed tokenizer or vocabulary gets a fresh Rasa training cache (Rasa
fingerprints a spaCy model by its name only, so the old cache restored featurizers built on old tokens)."""
import shutil
from pathlib import Path

from korean_nlp.training_cache import CACHE_PREFIX, pipeline_fingerprint, use_pipeline_cache

PACKAGE = Path(__file__).resolve().parent.parent / "korean_nlp"


def test_a_vocabulary_change_changes_the_fingerprint(tmp_path):
    copy = tmp_path / "korean_nlp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = pipeline_fingerprint(copy)
    assert pipeline_fingerprint(copy) == before                      # stable
    terms = copy / "domain_terms.yml"
    terms.write_text(terms.read_text(encoding="utf-8").replace("  - [인증서, NNG]\n", ""), encoding="utf-8")
    assert pipeline_fingerprint(copy) != before


def test_each_pipeline_version_trains_against_its_own_cache(tmp_path):
    parent = tmp_path / ".rasa"
    (parent / "cache").mkdir(parents=True)                           # Rasa's default, possibly stale
    (parent / f"{CACHE_PREFIX}old").mkdir()
    env = {}
    chosen = use_pipeline_cache(env, parent, fingerprint="new")
    assert env["RASA_CACHE_DIRECTORY"] == str(chosen) == str(parent / f"{CACHE_PREFIX}new")
    assert sorted(p.name for p in parent.iterdir()) == []            # the stale ones are gone
    # Somebody who set a cache directory keeps it.
    assert use_pipeline_cache({"RASA_CACHE_DIRECTORY": "/elsewhere"}, parent, fingerprint="x") == Path("/elsewhere")
