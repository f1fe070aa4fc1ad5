/**
 * Matrix query cost on a synthetic mesh of ≥100k external series, in one real Prometheus:
 * our instant `increase` form (Prometheus reduces) against the range-query-then-reduce-in-the-client
 * form a Table-panel user builds. Figures are printed side by side, as ratios to our form. Then the rules
 * bench (rules.ts): samples touched per rule evaluation and per matrix range, recorded against raw. The
 * last line, `bench queries ok: …`, sums both up; any other last line means it failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backfill, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { scaleGrid, scaleMeshSeries, scaleMeshSize } from '../../harness/synthetic/scaleMesh';
import { writeOpenMetrics } from '../../harness/synthetic/series';
import { destinationLabel, type EgressScope } from '../../src/query/selectors';
import { type EgressQuery, plannedMeasures, selectorFor } from '../../src/query/measures';
import { cellQueries } from '../../src/query/templates';
import { benchRules } from './rules';

const MESH = { namespaces: 50, workloadsPerNamespace: 20, destinationsPerWorkload: 100 };
const RUNS = 5;

async function timed(url: string, body: URLSearchParams, endpoint: string) {
  const t0 = performance.now();
  const res = await fetch(`${url}${endpoint}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const text = await res.text();
  const json = JSON.parse(text) as {
    status: string;
    data: { result: Array<{ values?: Array<[number, string]>; value?: [number, string] }> };
  };
  const elapsed = performance.now() - t0;
  if (json.status !== 'success') {
    throw new Error(`query failed: ${text.slice(0, 200)}`);
  }
  return { ms: elapsed, bytes: text.length, json };
}

/**
 * The naive form a Table-panel user builds: raw counters over a range, reduced in the client.
 * Kept for the benchmark that shows why the matrix uses instant `increase`.
 */
function rawCounterQueries(scope: EgressScope): EgressQuery[] {
  return plannedMeasures(scope).map(({ listener, measure }) => ({
    id: `${listener}.${measure}`,
    listener,
    measure,
    expr: selectorFor(listener, measure, scope),
    shape: 'catchAll' as const,
    destinationLabel: destinationLabel(listener, scope),
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchQueries(): Promise<void> {
  const series = scaleMeshSize(MESH);
  const grid = scaleGrid(TEST_END);
  const windowSeconds = (grid.steps - 1) * grid.interval;
  const work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-bench-'));
  console.log(`query bench: ${series} external series x ${grid.steps} samples, window ${windowSeconds}s`);
  const t0 = performance.now();
  const dataDir = await backfill(work, (write) => writeOpenMetrics(Array.from(scaleMeshSeries(MESH)), grid, write));
  console.log(`  backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const prom = await startPrometheus({ dataDir });
  let summary = '';
  try {
    const scope = { listeners: ['http' as const] };
    const [instant] = cellQueries(scope, windowSeconds);
    const [raw] = rawCounterQueries(scope);
    const ours = { ms: [] as number[], bytes: 0, cells: 0 };
    const naive = { ms: [] as number[], bytes: 0, cells: 0, reduceMs: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const a = await timed(
        prom.url,
        new URLSearchParams({ query: instant.expr, time: String(grid.end) }),
        '/api/v1/query'
      );
      ours.ms.push(a.ms);
      ours.bytes = a.bytes;
      ours.cells = a.json.data.result.length;
      const b = await timed(
        prom.url,
        new URLSearchParams({
          query: raw.expr,
          start: String(grid.end - windowSeconds),
          end: String(grid.end),
          step: String(grid.interval),
        }),
        '/api/v1/query_range'
      );
      const r0 = performance.now();
      const totals = new Map<string, number>();
      for (const s of b.json.data.result) {
        const v = s.values ?? [];
        let inc = 0;
        for (let k = 1; k < v.length; k++) {
          const d = Number(v[k][1]) - Number(v[k - 1][1]);
          inc += d >= 0 ? d : Number(v[k][1]);
        }
        totals.set(JSON.stringify((s as { metric?: unknown }).metric), inc);
      }
      naive.reduceMs.push(performance.now() - r0);
      naive.ms.push(b.ms + naive.reduceMs[naive.reduceMs.length - 1]);
      naive.bytes = b.bytes;
      naive.cells = totals.size;
    }
    const row = (name: string, ms: number, bytes: number, cells: number, base: { ms: number; bytes: number }) =>
      `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(bytes / 1e6).toFixed(2).padStart(8)} MB  ${String(cells).padStart(7)} results   time x${(ms / base.ms).toFixed(2)}  bytes x${(bytes / base.bytes).toFixed(2)}`;
    const base = { ms: median(ours.ms), bytes: ours.bytes };
    console.log(`  median of ${RUNS} runs, ratios against the instant increase form:`);
    console.log(row('instant sum(increase[window]) (ours)', base.ms, ours.bytes, ours.cells, base));
    console.log(row('range query + reduce in client', median(naive.ms), naive.bytes, naive.cells, base));
    summary = `matrix instant form x${(median(naive.ms) / base.ms).toFixed(2)} faster than range + client reduce`;
  } finally {
    await prom.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const rules = await benchRules();
  console.log(`bench queries ok: ${summary}; ${rules}`);
}
