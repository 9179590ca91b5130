#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: PATH first, then pyenv. Rasa 3.6 needs 3.10.
set -euo pipefail
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
for candidate in python3.10 python3 python; do
  if path=$(command -v "$candidate" 2>/dev/null) && is_310 "$path"; then echo "$path"; exit 0; fi
done
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
  [ -n "$root" ] || continue
  for path in "$root"/versions/3.10.*/bin/python3.10; do
    if [ -x "$path" ] && is_310 "$path"; then echo "$path"; exit 0; fi
  done
done
echo "Python 3.10 was not found (Rasa 3.6 needs exactly 3.10)." >&2
echo "Install it, e.g. 'pyenv install 3.10.13', or put python3.10 on PATH, then run make again." >&2
exit 1
