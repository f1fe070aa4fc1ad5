import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** The user's mesh settings, shipped with empty lists: what `npm run generate` reads by default. */
export const SETTINGS_FILE = path.join(ROOT, 'istio-egress.yaml');
