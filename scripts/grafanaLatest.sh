#!/usr/bin/env bash
# `npm run test:grafana-latest`: type check, lint and the whole jest suite (unit, integration, browser)
# against the newest Grafana packages and React 19 (compat/grafana-latest, its own lockfile), with the
# shipped dist/ (built on the oldest supported line, as it ships) running on them in the browser host.
# Installs the set once per lockfile change. `npm test` runs this after the main suite.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=compat/grafana-latest
stamp=$dir/node_modules/.installed-lock.sha256
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "grafana-latest: installing $dir (npm ci)"
  # The set pins @grafana/plugin-ui 0.18, whose engines field asks for Node 24; it runs on 20 as 0.16 does.
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
if [ ! -f dist/module.js ]; then
  echo "grafana-latest: dist/ is missing: run npm run build first (the shipped build)" >&2
  exit 1
fi

export ISTIOEGRESS_GRAFANA_PACKAGES=latest
npx tsc --noEmit -p tsconfig.grafana-latest.json
npx eslint --cache --cache-location .eslintcache-grafana-latest .
npx jest --ci
