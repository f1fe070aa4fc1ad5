/**
 * A real VictoriaMetrics for the tests: the single-node `victoria-metrics` binary, built from its Go module
 * by scripts/setup.sh (pinned there), started on a free loopback port, loaded through its import API.
 * The cluster build (`vminsert`/`vmselect`/`vmstorage` at a `-cluster` tag) is what issue 14 asked for;
 * the Go module proxy here refuses those tags (403 "This module version is not available"), so the
 * single-node build stands in: same query engine (MetricsQL, no extrapolation), same import format.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CounterSpec, formatLabels, type Grid, stepTime, valueAt } from './synthetic/series';
import { freePort, http, MissingBinaryError, type RunningPrometheus, stopChild } from './prometheus';

/** Where scripts/setup.sh installs Go tools (GOBIN, the pinned versions are there), ignored by git. */
export const TOOLS_BIN = path.join(__dirname, '..', '.tools', 'bin');

export function victoriaMetricsBinary(): string {
  const bin = process.env.VICTORIA_METRICS_BIN ?? path.join(TOOLS_BIN, 'victoria-metrics');
  if (!existsSync(bin)) {
    throw new MissingBinaryError(
      'victoria-metrics is not built. Run: bash scripts/setup.sh --tools (it go-installs the pinned version)'
    );
  }
  return bin;
}

export async function startVictoriaMetrics(): Promise<RunningPrometheus & { workDir: string }> {
  const binary = victoriaMetricsBinary();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'istioegress-vm-'));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `-storageDataPath=${path.join(workDir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      // The synthetic mesh lies in the past: keep it, and never answer from a cache filled before the import.
      '-retentionPeriod=100y',
      '-search.disableCache',
      '-loggerLevel=ERROR',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(workDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`victoria-metrics exited with code ${child.exitCode}: ${stderr.trim()}`);
    }
    try {
      if ((await http(`${url}/health`)).status === 200) {
        return { url, port, process: child, stop, workDir };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`victoria-metrics did not become ready on ${url} within 60 s: ${stderr.trim()}`);
}

/**
 * Loads counters through `/api/v1/import/prometheus` (Prometheus text, timestamps in milliseconds), then
 * flushes so queries see every sample at once (`/internal/force_flush`).
 */
export async function importSeries(url: string, specs: readonly CounterSpec[], grid: Grid): Promise<number> {
  let samples = 0;
  let body = '';
  const send = async () => {
    const res = await http(`${url}/api/v1/import/prometheus`, 'POST', body);
    if (res.status !== 204 && res.status !== 200) {
      throw new Error(`victoria-metrics import: HTTP ${res.status}: ${res.text}`);
    }
    body = '';
  };
  for (const s of specs) {
    const labels = formatLabels(s.labels);
    for (let k = 0; k < grid.steps; k++) {
      const v = valueAt(s, k, grid);
      if (v !== undefined) {
        body += `${s.name}${labels} ${v} ${stepTime(grid, k) * 1000}\n`;
        samples++;
      }
    }
    if (body.length > 4_000_000) {
      await send();
    }
  }
  await send();
  const flushed = await http(`${url}/internal/force_flush`);
  if (flushed.status !== 200) {
    throw new Error(`victoria-metrics flush: HTTP ${flushed.status}`);
  }
  return samples;
}
