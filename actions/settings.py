"""Tunable thresholds of the actions, overridable by environment variables."""
import os

# Below this ResponseSelector confidence an FAQ answer is a guess: offer candidates instead.
# Chosen from the held-out evaluation (docs/nlu-eval-report.md).
FAQ_CONFIDENCE_THRESHOLD = float(os.environ.get("FAQ_CONFIDENCE_THRESHOLD", "0.4"))
