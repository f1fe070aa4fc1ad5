/**
 * A real Prometheus for tests, `npm start` and benchmarks: backfill OpenMetrics with promtool, start the
 * Debian `prometheus` binary on a free loopback port, stop it afterwards. Nothing here is mocked.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class MissingBinaryError extends Error {}

/** node:http rather than fetch: the harness runs in jsdom test environments too, which have no fetch. */
export function http(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** The Prometheus binary to run instead of Debian's (the tests set it to Prometheus 3, see PROMETHEUS3_BIN). */
export const ENV_PROMETHEUS_BIN = 'ISTIOEGRESS_PROMETHEUS_BIN';

/** Prometheus 3, built from the Go module registry by `scripts/setup.sh --tools` (pinned there). */
export const PROMETHEUS3_BIN = path.join(__dirname, '..', '.tools', 'bin', 'prometheus');

/** The built Prometheus 3, or a one-line instruction to build it. */
export function requirePrometheus3(): string {
  if (!existsSync(PROMETHEUS3_BIN)) {
    throw new MissingBinaryError(
      'Prometheus 3 is not built. Run: bash scripts/setup.sh --tools (it go-installs the pinned version into .tools/bin)'
    );
  }
  return PROMETHEUS3_BIN;
}

/**
 * Throws a one-line instruction when the Debian package is not installed. `prometheus` is the binary
 * named by ISTIOEGRESS_PROMETHEUS_BIN when set (the test setup's Prometheus 3), Debian's otherwise.
 */
export function requireBinary(name: 'prometheus' | 'promtool'): string {
  const chosen = name === 'prometheus' ? process.env[ENV_PROMETHEUS_BIN] : undefined;
  if (chosen) {
    return chosen;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  throw new MissingBinaryError(
    `${name} is not installed. Install Debian's package: sudo apt-get install -y prometheus`
  );
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    // A plain timer cleared on exit: jsdom test environments have no Timeout.unref().
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The kernel's range for outgoing connections' local ports. A port found free inside it can be taken by any
 * client socket (another test's HTTP request) before the server we start binds it: CI saw Thanos fail with
 * "bind: address already in use" that way. So servers get ports below it.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 0;
  } catch {
    return 0;
  }
}

const SERVER_PORTS_FROM = 20_000;

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(bound));
    });
  });
}

/**
 * A loopback port nothing listens on, below the ephemeral range when there is room (see ephemeralLow), at
 * a random place in it so that parallel test workers rarely pick the same one.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  const room = low - SERVER_PORTS_FROM;
  if (room >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await tryListen(SERVER_PORTS_FROM + Math.floor(Math.random() * room));
      if (port !== undefined) {
        return port;
      }
    }
  }
  const port = await tryListen(0);
  if (port === undefined) {
    throw new Error('no free loopback port: the kernel refused to bind 127.0.0.1:0');
  }
  return port;
}

/** Streams OpenMetrics from `writeTo` into a file, then backfills it into TSDB blocks under `dataDir`. */
export async function backfill(workDir: string, writeTo: (write: (chunk: string) => void) => void): Promise<string> {
  mkdirSync(workDir, { recursive: true });
  const input = path.join(workDir, 'mesh.om.txt');
  const dataDir = path.join(workDir, 'data');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(input);
    out.on('error', reject);
    writeTo((chunk) => out.write(chunk));
    out.end(resolve);
  });
  mkdirSync(dataDir, { recursive: true });
  await run(requireBinary('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return dataDir;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  /** The prometheus binary (default: requireBinary('prometheus')). */
  binary?: string;
  /** `global.external_labels`: what a Thanos sidecar reports for this replica. */
  externalLabels?: Record<string, string>;
  /** Extra scrape configs (YAML list items), e.g. for the demo exporter. */
  scrapeConfigs?: string;
  port?: number;
  log?: string;
  /** More flags, e.g. `--query.max-samples=1000` for a limit users set. */
  extraArgs?: string[];
  /**
   * `--storage.tsdb.retention.time` (default 100y: tests read fixed dates). Prometheus keeps it from the
   * newest block, not the clock, and compacts blocks up to a tenth of it: Prometheus' own default, 15d,
   * leaves day blocks as they are, where 100y merges a week's into a 5-day block a minute after start.
   */
  retention?: string;
}

function externalLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0
    ? ''
    : `  external_labels:\n${entries.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join('')}`;
}

export async function startPrometheus(opts: StartOptions): Promise<RunningPrometheus> {
  const binary = opts.binary ?? requireBinary('prometheus');
  const port = opts.port ?? (await freePort());
  const configFile = path.join(path.dirname(opts.dataDir), 'prometheus.yml');
  writeFileSync(
    configFile,
    `global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n${externalLabels(opts.externalLabels)}scrape_configs:${opts.scrapeConfigs ? `\n${opts.scrapeConfigs}` : ' []'}\n`
  );
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${opts.dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.retention.time=${opts.retention ?? '100y'}`,
    // No --web.enable-lifecycle: a page could otherwise POST /-/quit through any proxy in front of it.
    '--log.level=warn',
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with code ${child.exitCode}: ${stderr.trim()}`);
    }
    try {
      const res = await http(`${url}/-/ready`);
      if (res.status === 200) {
        return { url, port, process: child, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url} within 60 s: ${stderr.trim()}`);
}

/**
 * Writes the history of recording rules into `dataDir` as a user backfills new rules
 * (`promtool tsdb create-blocks-from rules`, evaluating them on the running Prometheus at `url` every
 * `interval` from `start` to `end`). Prometheus loads the blocks when it starts again.
 */
export async function backfillRecordingRules(opts: {
  url: string;
  rulesYaml: string;
  start: number;
  end: number;
  dataDir: string;
  workDir: string;
}): Promise<void> {
  const rulesFile = path.join(opts.workDir, 'recording.rules.yml');
  writeFileSync(rulesFile, opts.rulesYaml);
  const blocks = path.join(opts.workDir, 'recorded-blocks');
  await run(requireBinary('promtool'), [
    'tsdb',
    'create-blocks-from',
    'rules',
    `--url=${opts.url}`,
    `--start=${opts.start}`,
    `--end=${opts.end}`,
    `--output-dir=${blocks}`,
    '--quiet',
    rulesFile,
  ]);
  for (const b of readdirSync(blocks)) {
    cpSync(path.join(blocks, b), path.join(opts.dataDir, b), { recursive: true });
  }
}
