/**
 * `npm run package`: the release archive that the plugin catalog and `grafana cli --pluginUrl` take, a zip
 * whose single top folder is the plugin id, holding dist/; beside it its SHA-256 (sha256sum format).
 * Written with fflate: no zip tool is needed on the machine.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Zippable, zipSync } from 'fflate';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? files(file) : [file];
    });
}

/**
 * A zip of `entries` (name → content), deflated by fflate, each member dated 2026-01-01 00:00 (DOS time is
 * local: a local date keeps it the same in every time zone) with rw-r--r-- Unix permissions, so the same
 * dist/ packs to the same bytes.
 */
export function zip(entries: Array<[string, Buffer]>): Buffer {
  const mtime = new Date(2026, 0, 1);
  const members: Zippable = {};
  for (const [name, data] of entries) {
    members[name] = [new Uint8Array(data), { level: 9, mtime, os: 3, attrs: (0o100644 << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(members));
}

function main() {
  const plugin = JSON.parse(readFileSync(path.join(DIST, 'plugin.json'), 'utf8'));
  const id: string = plugin.id;
  const version: string = plugin.info.version;
  if (!id || !version || version.includes('%')) {
    throw new Error('dist/ is not a built plugin: run npm run build first.');
  }
  const entries = files(DIST).map((f): [string, Buffer] => [
    `${id}/${path.relative(DIST, f).split(path.sep).join('/')}`,
    readFileSync(f),
  ]);
  const out = path.join(ROOT, 'release');
  mkdirSync(out, { recursive: true });
  const name = `${id}-${version}.zip`;
  const archive = zip(entries);
  writeFileSync(path.join(out, name), archive);
  const sha = createHash('sha256').update(archive).digest('hex');
  writeFileSync(path.join(out, `${name}.sha256`), `${sha}  ${name}\n`);
  console.log(`release/${name} (${entries.length} files, ${Math.round(archive.length / 1024)} KiB), sha256 ${sha}`);
}

if (require.main === module) {
  main();
}
