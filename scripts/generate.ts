/** `npm run generate`: writes provisioning/, rules/ and deploy/ from src/provisioning (and so from src/query). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from '../src/provisioning/files';

const root = path.join(__dirname, '..');
for (const [file, content] of Object.entries(generatedFiles())) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
  console.log(`wrote ${file}`);
}
