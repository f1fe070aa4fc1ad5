/**
 * The two recorded tiers on a real Prometheus, backfilled as users backfill new rules: raw series, then the
 * shipped 5-minute rules with `promtool tsdb create-blocks-from rules`, Prometheus restarted on them, then
 * the hourly rules over those (they read the 5-minute series), restarted again. Long ranges read the hourly
 * tier and the 5-minute tier only at the edges; where they meet, nothing may be counted twice or missed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { backfill, backfillRecordingRules, type RunningPrometheus, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { scaleMeshSeries } from '../../harness/synthetic/scaleMesh';
import { type CounterSpec, type Grid, windowIncrease, writeOpenMetrics } from '../../harness/synthetic/series';
import { fetchCells } from '../../src/query/fetchCells';
import { tiersFor } from '../../src/query/tiers';
import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { hourlyRecordingRules, RECORDING_INTERVAL_SECONDS, recordingRules } from '../../src/query/recording';
import { instantAnswer } from '../../src/query/splitQuery';
import { cellQueries } from '../../src/query/templates';
import type { VectorSample } from '../../src/query/cells';

const HOURS = 9;
const grid: Grid = { end: TEST_END, interval: 60, steps: HOURS * 60 + 1 };
const http = Array.from(
  scaleMeshSeries({ namespaces: 2, workloadsPerNamespace: 2, destinationsPerWorkload: 3, podsPerWorkload: 2 })
);
// TCP pairs too: their closed, sent and received series differ by metric name alone.
const tcp: CounterSpec[] = ['closed', 'sent', 'received'].flatMap((m, i) =>
  [0, 1].map((d) => ({
    name: `istio_tcp_${m === 'closed' ? 'connections_closed' : `${m}_bytes`}_total`,
    labels: {
      reporter: 'source',
      source_workload_namespace: 'ns-0',
      source_workload: 'wl-0-0',
      destination_service_name: 'PassthroughCluster',
      destination_service: 'unknown',
      destination_ip: `203.0.113.${d + 1}:443`,
      request_protocol: 'tcp',
    },
    perStep: 1 + i * 100,
  }))
);
const specs = [...http, ...tcp];
const start = TEST_END - (grid.steps - 1) * grid.interval;
let prom: RunningPrometheus;
let work: string;

async function backfillRules(rules: object, dataDir: string) {
  const running = await startPrometheus({ dataDir });
  try {
    await backfillRecordingRules({
      url: running.url,
      rulesYaml: stringify({ groups: [rules] }),
      start,
      end: TEST_END,
      dataDir,
      workDir: mkdtempSync(path.join(work, 'rules-')),
    });
  } finally {
    await running.stop();
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-tiers-'));
  const dataDir = await backfill(work, (write) => writeOpenMetrics(specs, grid, write));
  await backfillRules({ name: 'five', interval: '5m', rules: recordingRules() }, dataDir);
  await backfillRules({ name: 'hourly', interval: '1h', rules: hourlyRecordingRules() }, dataDir);
  prom = await startPrometheus({ dataDir });
}, 240_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(work, { recursive: true, force: true });
});

const api = () => new PrometheusApi(fetchTransport({ baseUrl: prom.url }));
const byLabels = (samples: readonly VectorSample[]) =>
  new Map(samples.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), Number(s.value[1])]));

describe('the hourly tier beside the 5-minute one', () => {
  // Ranges that start and end off the hour, on it, and a minute either side of the recordings.
  const ranges: Array<[number, number]> = [
    [TEST_END - 6 * 3600, TEST_END],
    [TEST_END - 5 * 3600 - 123, TEST_END - 7 * 60],
    [TEST_END - 3 * 3600 - 17 * 60, TEST_END - 3600 - 2 * 60],
    [start + 61, start + 2 * 3600 + 601],
  ];

  it.each(ranges)(
    '[%d, %d]: the tiers add up to the 5-minute tier alone, exactly, in one query or in parts',
    async (from, to) => {
      const tiers = await tiersFor(api(), {}, from, to);
      expect(tiers).toBeDefined();
      expect(tiers!.lastHour - tiers!.firstHour).toBeGreaterThanOrEqual(0);
      const window = to - from;
      const tiered = cellQueries({}, window, { recorded: true, tiers }).filter((q) => q.shape === 'catchAll');
      const fiveMinute = cellQueries({}, window, { recorded: true }).filter((q) => q.shape === 'catchAll');
      expect(tiered[0].expr).toContain('istio_egress:istio_requests:increase1h');
      for (let i = 0; i < tiered.length; i++) {
        const b = byLabels((await api().instant(fiveMinute[i].expr, to)).data);
        // The expression users see, and its parts as the data source asks them (splitQuery.ts).
        expect(tiered[i].split?.parts.length).toBeGreaterThan(1);
        for (const answer of [await api().instant(tiered[i].expr, to), await instantAnswer(api(), tiered[i], to)]) {
          const a = byLabels(answer.data);
          expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
          // The same samples added in another order: equal to float rounding.
          const off = [...b].filter(([k, v]) => !(Math.abs((a.get(k) ?? NaN) - v) <= 1e-9 * Math.max(1, Math.abs(v))));
          expect(off.map(([k, v]) => `${k}: ${a.get(k)} vs ${v}`)).toEqual([]);
        }
      }
    }
  );

  it('fetchCells reads the hourly tier for long ranges, each pair within its edges of the raw count', async () => {
    const [from, to] = ranges[1];
    const got = await fetchCells(api(), { scope: {}, from, to, recorded: 'always' });
    expect(got.source.reason).toMatch(/increase5m .*, whole hours from the hourly tier istio_egress:\*:increase1h$/);
    expect(got.cells.length).toBeGreaterThan(5);
    for (const cell of got.cells.filter((c) => c.listener === 'http')) {
      const raw = http.filter(
        (s) => s.labels.source_workload === cell.sourceWorkload && s.labels.destination_service === cell.destination
      );
      const want = raw.reduce((sum, s) => sum + (windowIncrease(s, grid, from, to) ?? 0), 0);
      // A recording's 5 minutes at each edge, as for the 5-minute tier alone (recorded.test.ts).
      const slack = raw.reduce((sum, s) => sum + 2 * (RECORDING_INTERVAL_SECONDS / grid.interval) * s.perStep, 0) + 1;
      expect(Math.abs(cell.requests - want)).toBeLessThanOrEqual(slack);
    }
  });

  it('a range shorter than two hours, or before the hourly tier began, reads the 5-minute tier alone', async () => {
    expect(await tiersFor(api(), {}, TEST_END - 3600, TEST_END)).toBeUndefined();
    expect(await tiersFor(api(), {}, start - 86400, TEST_END)).toBeUndefined();
  });
});
