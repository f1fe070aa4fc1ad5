/**
 * Thanos as users deploy it in front of several Prometheus servers, on loopback for the tests: two
 * Prometheus replicas of the same data with external labels, a sidecar on each, a store gateway over the
 * same blocks in a filesystem bucket (as a sidecar would have uploaded them), and `thanos query` in front
 * with `--query.replica-label`. The thanos binary is built by `scripts/setup.sh --tools`
 * (harness/tools/thanos: Thanos v0.42.5 with its replace lines and build tags).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, http, MissingBinaryError, type RunningPrometheus, startPrometheus, stopChild } from './prometheus';

export const THANOS_BIN = path.join(__dirname, '..', '.tools', 'bin', 'thanos');
/** The label the replicas differ by, and that `thanos query` deduplicates on. */
export const REPLICA_LABEL = 'replica';

export function requireThanos(): string {
  if (!existsSync(THANOS_BIN)) {
    throw new MissingBinaryError(
      'thanos is not built. Run: bash scripts/setup.sh --tools (it builds harness/tools/thanos into .tools/bin)'
    );
  }
  return THANOS_BIN;
}

interface Component {
  name: string;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

function start(name: string, args: string[]): Component {
  const child = spawn(requireThanos(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return { name, child, stderr: () => stderr, stop: () => stopChild(child) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, parts: Component[], ms = 90_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const dead = parts.find((p) => p.child.exitCode !== null);
    if (dead) {
      throw new Error(`thanos ${dead.name} exited with code ${dead.child.exitCode}: ${dead.stderr().trim()}`);
    }
    try {
      const v = await probe();
      if (v !== undefined) {
        return v;
      }
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `thanos: ${what} within ${ms / 1000} s. ${parts.map((p) => `${p.name}: ${p.stderr().trim()}`).join(' | ')}`
  );
}

/** The TSDB blocks of a data directory (ULID-named directories with a meta.json), with their time range. */
function blocksOf(dataDir: string): Array<{ id: string; minTime: number; maxTime: number }> {
  return readdirSync(dataDir)
    .filter((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) && existsSync(path.join(dataDir, id, 'meta.json')))
    .map((id) => {
      const meta = JSON.parse(readFileSync(path.join(dataDir, id, 'meta.json'), 'utf8')) as {
        minTime: number;
        maxTime: number;
      };
      return { id, minTime: meta.minTime, maxTime: meta.maxTime };
    });
}

/**
 * Uploads blocks into the filesystem bucket as Thanos users do (`thanos tools bucket upload-blocks`, which
 * writes each block's `thanos` meta section with the external labels), from a staging directory holding
 * only those blocks.
 */
async function uploadBlocks(
  dataDir: string,
  ids: string[],
  workDir: string,
  objstore: string,
  bucket: string
): Promise<void> {
  const staging = path.join(workDir, 'upload');
  mkdirSync(staging, { recursive: true });
  for (const id of ids) {
    cpSync(path.join(dataDir, id), path.join(staging, id), { recursive: true });
  }
  const tool = start('upload-blocks', [
    'tools',
    'bucket',
    'upload-blocks',
    `--objstore.config-file=${objstore}`,
    `--path=${staging}`,
    `--label=${REPLICA_LABEL}="store"`,
    // Blocks a Prometheus has compacted too, as Thanos' docs say for moving existing history into a bucket:
    // without it the shipper passes over them silently (a week of 100k series compacted to a 5-day block
    // left the store gateway one day, and the bench read 2 days through Thanos against 7 on Prometheus).
    '--shipper.upload-compacted',
    '--log.level=warn',
  ]);
  const code = await new Promise<number | null>((r) => tool.child.on('exit', (c) => r(c)));
  if (code !== 0) {
    throw new Error(`thanos tools bucket upload-blocks exited with code ${code}: ${tool.stderr().trim()}`);
  }
  const missing = ids.filter((id) => !existsSync(path.join(bucket, id, 'meta.json')));
  if (missing.length > 0) {
    throw new Error(`thanos tools bucket upload-blocks left out block(s) ${missing.join(', ')} of ${dataDir}`);
  }
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Copies TSDB blocks into a filesystem bucket as a sidecar uploads them: each block's meta.json gains the
 * `thanos` section (external labels, raw resolution, source) that the store gateway reads.
 */
function toBucket(dataDir: string, bucketDir: string, labels: Record<string, string>): number {
  let blocks = 0;
  for (const id of readdirSync(dataDir)) {
    const metaFile = path.join(dataDir, id, 'meta.json');
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) || !existsSync(metaFile)) {
      continue;
    }
    const dest = path.join(bucketDir, id);
    cpSync(path.join(dataDir, id), dest, { recursive: true });
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
    meta.thanos = { labels, downsample: { resolution: 0 }, source: 'sidecar' };
    writeFileSync(path.join(dest, 'meta.json'), JSON.stringify(meta));
    blocks++;
  }
  return blocks;
}

export interface ThanosTopology {
  /** `thanos query`'s HTTP address: the Prometheus API users point Grafana at. */
  url: string;
  replicas: RunningPrometheus[];
  sidecars: Component[];
  store: Component;
  query: Component;
  stop: () => Promise<void>;
}

/**
 * Starts the topology over `dataDir`'s blocks (copied: each process owns its directory). With `recent`, as
 * a long-running deployment looks: the replicas keep the blocks that reach into the last `seconds` before
 * `end` (their retention), and the older blocks are in the bucket only, uploaded with `thanos tools bucket
 * upload-blocks`, so a long range is read from the store gateway and the recent hours from the sidecars.
 */
export async function startThanos(
  dataDir: string,
  workDir: string,
  recent?: { seconds: number; end: number },
  /** More flags for `thanos query`, e.g. `--query.promql-engine=thanos`. */
  queryArgs: string[] = []
): Promise<ThanosTopology> {
  requireThanos();
  const replicas: RunningPrometheus[] = [];
  const sidecars: Component[] = [];
  const endpoints: string[] = [];
  const cutMs = recent ? (recent.end - recent.seconds) * 1000 : undefined;
  const older = cutMs === undefined ? [] : blocksOf(dataDir).filter((b) => b.maxTime <= cutMs);
  const isOlder = (src: string) => older.some((b) => src.startsWith(path.join(dataDir, b.id)));
  for (const r of ['a', 'b']) {
    const dir = path.join(workDir, `replica-${r}`, 'data');
    cpSync(dataDir, dir, { recursive: true, filter: (src) => !isOlder(src) });
    // A long-running replica keeps Prometheus' default retention (and so its blocks, harness/prometheus.ts).
    const prom = await startPrometheus({
      dataDir: dir,
      externalLabels: { [REPLICA_LABEL]: r },
      ...(recent ? { retention: '15d' } : {}),
    });
    replicas.push(prom);
    const [grpc, http] = [await freePort(), await freePort()];
    sidecars.push(
      start(`sidecar ${r}`, [
        'sidecar',
        `--prometheus.url=${prom.url}`,
        `--tsdb.path=${dir}`,
        `--grpc-address=127.0.0.1:${grpc}`,
        `--http-address=127.0.0.1:${http}`,
        '--log.level=warn',
      ])
    );
    endpoints.push(`127.0.0.1:${grpc}`);
  }
  const bucket = path.join(workDir, 'bucket');
  mkdirSync(bucket, { recursive: true });
  const objstore = path.join(workDir, 'bucket.yml');
  writeFileSync(objstore, `type: FILESYSTEM\nconfig:\n  directory: ${JSON.stringify(bucket)}\n`);
  if (recent) {
    if (older.length === 0) {
      throw new Error(`thanos: no block of ${dataDir} ends before the last ${recent.seconds} s, for the bucket`);
    }
    await uploadBlocks(
      dataDir,
      older.map((b) => b.id),
      workDir,
      objstore,
      bucket
    );
  } else if (toBucket(dataDir, bucket, { [REPLICA_LABEL]: 'store' }) === 0) {
    throw new Error(`thanos: no TSDB blocks in ${dataDir} for the store gateway's bucket`);
  }
  const [sg, sh] = [await freePort(), await freePort()];
  const store = start('store', [
    'store',
    `--data-dir=${path.join(workDir, 'store-cache')}`,
    `--objstore.config-file=${objstore}`,
    `--grpc-address=127.0.0.1:${sg}`,
    `--http-address=127.0.0.1:${sh}`,
    '--log.level=warn',
  ]);
  endpoints.push(`127.0.0.1:${sg}`);
  const [qh, qg] = [await freePort(), await freePort()];
  const query = start('query', [
    'query',
    `--http-address=127.0.0.1:${qh}`,
    `--grpc-address=127.0.0.1:${qg}`,
    ...endpoints.map((e) => `--endpoint=${e}`),
    `--query.replica-label=${REPLICA_LABEL}`,
    '--log.level=warn',
    ...queryArgs,
  ]);
  const parts = [...sidecars, store, query];
  const url = `http://127.0.0.1:${qh}`;
  const stop = async () => {
    await Promise.all(parts.map((p) => p.stop()));
    await Promise.all(replicas.map((r) => r.stop()));
  };
  try {
    // Ready when the querier sees all three stores answer (each lists its label sets).
    await until(
      'the querier did not see its three stores',
      async () => {
        const res = await http(`${url}/api/v1/stores`);
        const body = JSON.parse(res.text) as { data?: Record<string, Array<{ lastError: string | null }>> };
        const stores = Object.values(body.data ?? {}).flat();
        return stores.length === 3 && stores.every((s) => !s.lastError) ? true : undefined;
      },
      parts
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, replicas, sidecars, store, query, stop };
}
