#!/usr/bin/env bash
# The browser tests drive Debian's chromium package (Playwright's own browser download does not work
# here). Installs it, with Korean fonts for readable screenshots, when it is missing.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

packages=(chromium fonts-nanum)
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "$CHROMIUM is missing and this user cannot install packages (not root, no sudo)." >&2
  echo "Install it as root: apt-get install -y --no-install-recommends ${packages[*]}" >&2
  echo "or point CHROMIUM at another chromium binary." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$CHROMIUM is missing and apt-get is not available: install chromium by hand," >&2
  echo "or point CHROMIUM at a chromium binary." >&2
  exit 1
fi
echo "Installing ${packages[*]} (for the browser tests)..."
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
