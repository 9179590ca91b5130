"""`rasa data validate --fail-on-warnings`, aware of responses used outside stories and rules.

Rasa's validator warns about every response not named in a story or rule, which includes
the form's questions (utter_ask_<slot>) and the responses custom actions send by name. This
runs the same checks, counts those two kinds as used, and adds the inverse check Rasa lacks:
every response name in the action code must exist in the domain (a typo there would only
show up as a silent missing message in production).
"""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Set

import rasa.cli.utils
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.validator import Validator

ROOT = Path(__file__).resolve().parents[1]
_RESPONSE_NAME = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")


def responses_named_in_actions() -> Set[str]:
    names: Set[str] = set()
    for path in (ROOT / "actions").rglob("*.py"):
        names.update(_RESPONSE_NAME.findall(path.read_text(encoding="utf-8")))
    return names


class ProjectValidator(Validator):
    def verify_utterances_in_stories(self, ignore_warnings: bool = True) -> bool:
        used_elsewhere = responses_named_in_actions()
        for form in self.domain.forms.values():
            used_elsewhere.update(f"{UTTER_PREFIX}ask_{slot}" for slot in form.get("required_slots", []))
        missing = sorted(name for name in used_elsewhere if name not in self.domain.responses)
        for name in missing:
            print(f"ERROR: actions send '{name}', which is not a response in the domain.", file=sys.stderr)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = super().verify_utterances_in_stories(ignore_warnings=True)
        unexpected = [w for w in caught if not _used_outside_stories(str(w.message), used_elsewhere)]
        for warning in unexpected:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        return result and not missing and (ignore_warnings or not unexpected)


def _used_outside_stories(message: str, used_elsewhere: Set[str]) -> bool:
    match = re.match(r"The utterance '(utter_[a-z0-9_]+)' is not used in any story or rule", message)
    return bool(match and match.group(1) in used_elsewhere)


def main() -> None:
    importer = TrainingDataImporter.load_from_config(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data")],
        config_path=str(ROOT / "config.yml"))
    rasa.validator.Validator = ProjectValidator  # validate_files builds its validator from here
    rasa.cli.utils.validate_files(fail_on_warnings=True, max_history=None, importer=importer)
    print("Project validation passed (responses used by the form and by actions counted as used).")


if __name__ == "__main__":
    main()
