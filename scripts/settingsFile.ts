import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type GenerateSettings, parseGenerateSettings } from '../src/provisioning/settings';

const ROOT = path.join(__dirname, '..');

/** The user's mesh settings, shipped with empty lists: what `npm run generate` reads by default. */
export const SETTINGS_FILE = path.join(ROOT, 'istio-egress.yaml');
/** The demo mesh's settings: `npm start`, the compose demo and the tests. */
export const DEMO_SETTINGS_FILE = path.join(ROOT, 'harness/demo/istio-egress.yaml');

export function readSettings(file: string): GenerateSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `Cannot read the settings file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}. Pass --config FILE.`
    );
  }
  return parseGenerateSettings(text, path.relative(process.cwd(), file) || file);
}
