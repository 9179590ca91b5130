"""`python -m rasa_runtime <rasa args>`: Rasa's CLI as this product runs it.

- the performance patches of rasa_runtime.patches (no result changes; docs/performance.md);
- Rasa's HTTP API on only when RASA_API_TOKEN is in the environment (rasa_runtime.api_token), so the
  token never appears on a command line that `ps` shows.
"""
import os
import sys

from rasa_runtime import patches
from rasa_runtime.api_token import rasa_argv

if __name__ == "__main__":
    token = os.environ.pop("RASA_API_TOKEN", "").strip()
    sys.argv = ["rasa", *rasa_argv(sys.argv[1:], token)]
    patches.apply()
    from rasa.__main__ import main

    main()
