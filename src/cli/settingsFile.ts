import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EgressError } from '../query';
import { type GenerateSettings, parseGenerateSettings } from '../provisioning/settings';

/**
 * The mesh settings file (istio-egress.yaml) as the CLI, `npm run generate`, `npm start` and the tests read
 * it: one reader, so they agree on what the file says and on what a file that cannot be read says.
 */
export function readSettingsFile(file: string): GenerateSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EgressError(
      `Cannot read the settings file ${JSON.stringify(file)} (--config): ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}. Name the istio-egress.yaml that npm run generate reads.`
    );
  }
  return parseGenerateSettings(text, path.relative(process.cwd(), file) || file);
}
