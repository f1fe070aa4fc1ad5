import path from 'node:path';

/** The demo mesh's settings: `npm start`, the compose demo and the tests. */
export const DEMO_SETTINGS_FILE = path.join(__dirname, 'istio-egress.yaml');
