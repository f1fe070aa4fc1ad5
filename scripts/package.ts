/**
 * `npm run package`: the release archive that the plugin catalog and `grafana cli --pluginUrl` take, a zip
 * whose single top folder is the plugin id, holding dist/; beside it its SHA-256 (sha256sum format).
 * Written with Node's zlib: no zip tool is needed on the machine.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? files(file) : [file];
    });
}

/** A zip of `entries` (name → content), deflated, with a fixed timestamp so the same dist/ packs the same. */
export function zip(entries: Array<[string, Buffer]>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // 2026-01-01 00:00 in DOS time/date.
  const time = 0;
  const date = ((2026 - 1980) << 9) | (1 << 5) | 1;
  for (const [name, data] of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6); // UTF-8 names
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt16LE(time, 10);
    head.writeUInt16LE(date, 12);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(packed.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(nameBuf.length, 26);
    head.writeUInt16LE(0, 28);
    local.push(head, nameBuf, packed);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(0x0314, 4); // made by Unix, 2.0
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(time, 12);
    dir.writeUInt16LE(date, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE((0o100644 << 16) >>> 0, 38); // rw-r--r--
    dir.writeUInt32LE(offset, 42);
    central.push(dir, nameBuf);
    offset += head.length + nameBuf.length + packed.length;
  }
  const centralBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, centralBuf, end]);
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
