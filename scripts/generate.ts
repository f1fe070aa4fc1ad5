/**
 * `npm run generate`: writes provisioning/, rules/ and deploy/ (and the app's bundled dashboards) for the
 * mesh istio-egress.yaml describes. `-- --config FILE` reads other settings, `-- --out DIR` writes under
 * another folder (the compose demo writes the demo mesh's files to .demo/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generatedFiles } from '../src/provisioning/files';
import { readSettingsFile } from '../src/cli/settingsFile';
import { SETTINGS_FILE } from './settingsFile';

function main(): void {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const settings = readSettingsFile(path.resolve(values.config ?? SETTINGS_FILE));
  const root = path.resolve(values.out ?? path.join(__dirname, '..'));
  for (const [file, content] of Object.entries(generatedFiles(settings))) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
    console.log(`wrote ${path.relative(process.cwd(), path.join(root, file))}`);
  }
}

try {
  main();
} catch (e) {
  // A wrong setting is the user's to fix: one line naming it, no stack trace.
  console.error(`generate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
