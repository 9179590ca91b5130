#!/usr/bin/env bash
# The browser tests' accessibility audit injects axe-core (from the npm registry) into the pages.
# Installed once, at an exact version, into var/npm/ (git-ignored); the tests read the file from disk
# and never touch the network.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
PREFIX=var/npm
FILE="$PREFIX/node_modules/axe-core/axe.min.js"
if [ -f "$FILE" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$PREFIX/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js (apt-get install -y npm) for the accessibility audit." >&2
  exit 1
fi
mkdir -p "$PREFIX"
echo "Installing axe-core $AXE_VERSION into $PREFIX (accessibility audit of the browser tests)..."
npm install --silent --no-audit --no-fund --no-save --ignore-scripts --prefix "$PREFIX" "axe-core@$AXE_VERSION"
test -f "$FILE"
