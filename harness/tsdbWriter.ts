/**
 * harness/tools/tsdb-writer: a synthetic mesh's catch-all series and both recorded tiers written straight
 * into TSDB blocks (Go, on the pinned github.com/prometheus/prometheus tsdb package). Weeks of history in
 * seconds to minutes, where OpenMetrics text and promtool take hours. Built by `scripts/setup.sh --tools`,
 * or here once when missing or older than its source.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');
const SOURCE = path.join(ROOT, 'harness/tools/tsdb-writer');
export const TSDB_WRITER_BIN = path.join(ROOT, '.tools/bin/tsdb-writer');

function stale(): boolean {
  if (!existsSync(TSDB_WRITER_BIN)) {
    return true;
  }
  const built = statSync(TSDB_WRITER_BIN).mtimeMs;
  return ['main.go', 'go.mod', 'go.sum'].some((f) => statSync(path.join(SOURCE, f)).mtimeMs > built);
}

export async function tsdbWriter(): Promise<string> {
  if (stale()) {
    mkdirSync(path.dirname(TSDB_WRITER_BIN), { recursive: true });
    await run('go', ['build', '-o', TSDB_WRITER_BIN, '.'], { cwd: SOURCE, timeout: 900_000 });
  }
  return TSDB_WRITER_BIN;
}

export interface WrittenMesh {
  series: number;
  recordedSeries: number;
  samples: number;
}

/** Writes `series` catch-all series over `days` ending at `end` (unix seconds) into `out`. */
export async function writeMesh(opts: {
  series: number;
  days: number;
  intervalSeconds: number;
  end: number;
  out: string;
}): Promise<WrittenMesh> {
  const { stdout } = await run(
    await tsdbWriter(),
    [
      '-series',
      String(opts.series),
      '-days',
      String(opts.days),
      '-interval',
      String(opts.intervalSeconds),
      '-end',
      String(opts.end),
      '-out',
      opts.out,
    ],
    { maxBuffer: 1 << 20, timeout: 900_000 }
  );
  return JSON.parse(stdout) as WrittenMesh;
}
