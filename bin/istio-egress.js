#!/usr/bin/env node
// The CLI is bundled by `npm run build` (build:cli) from src/cli/main.ts, sharing src/query/ with the plugin.
const path = require('path');
const bundle = path.join(__dirname, '..', 'dist-cli', 'istio-egress.js');
try {
  require.resolve(bundle);
} catch {
  process.stderr.write('istio-egress: not built yet. Run `npm run build` (or `npm run build:cli`) first.\n');
  process.exit(2);
}
require(bundle);
