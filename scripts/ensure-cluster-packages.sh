#!/usr/bin/env bash
# `make run-cluster` / `make test-cluster` run real PostgreSQL, Redis and nginx from Debian's packages,
# started by the launcher as ordinary processes (data under var/cluster/, loopback ports), never as
# system services. Installs the packages with apt-get when a binary is missing.
set -euo pipefail
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
missing=()
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "Missing ${missing[*]} and this user cannot install packages (not root, no sudo)." >&2
  echo "Install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing ${missing[*]} and apt-get is not available: install them by hand." >&2
  exit 1
fi
echo "Installing ${missing[*]} (for the cluster)..."
# policy-rc.d 101: the packages must not start system services; the launcher starts its own processes.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ] && [ "$(id -u)" -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
command -v redis-server >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || {
  echo "apt-get finished but redis-server or nginx is still missing." >&2; exit 1; }
