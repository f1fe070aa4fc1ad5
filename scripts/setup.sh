#!/usr/bin/env bash
# Makes a fresh clone ready to run: Debian's prometheus (and chromium for browser tests), then npm ci
# unless node_modules already matches package-lock.json. Used by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! npm ls --depth=0 >/dev/null 2>&1; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
