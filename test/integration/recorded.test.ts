/**
 * The matrix from the recording rules' series, on a real Prometheus: the demo mesh backfilled as raw
 * series, the shipped recording rules backfilled over it with `promtool tsdb create-blocks-from rules`
 * (as users do for new rules), Prometheus restarted on both.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { startDemoPrometheus } from '../../harness/demoMesh';
import { backfillRecordingRules, type RunningPrometheus, startPrometheus } from '../../harness/prometheus';
import { demoFlows, demoGrid, expectedCells, flowSeries, TEST_END } from '../../harness/synthetic/mesh';
import { SHAPES_IN_CLUSTER_CIDRS } from '../../harness/synthetic/shapes';
import { stepTime } from '../../harness/synthetic/series';
import { fetchCells } from '../../src/query/fetchCells';
import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { RECORDING_INTERVAL_SECONDS, recordingRules } from '../../src/query/recording';
import { newDestinationQueries } from '../../src/query/newDestinationTemplates';
import { cellKey, type EgressCell } from '../../src/query/cells';
import { diffCells } from './expect';
import { cli } from './runCli';

const grid = demoGrid(TEST_END);
const recordStart = stepTime(grid, 0);
let prom: RunningPrometheus;
let workDir: string;

beforeAll(async () => {
  const raw = await startDemoPrometheus(TEST_END);
  workDir = raw.workDir;
  await backfillRecordingRules({
    url: raw.url,
    rulesYaml: stringify({ groups: [{ name: 'r', interval: '5m', rules: recordingRules() }] }),
    start: recordStart,
    end: TEST_END,
    dataDir: path.join(workDir, 'data'),
    workDir,
  });
  await raw.stop();
  prom = await startPrometheus({ dataDir: path.join(workDir, 'data') });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * What a recorded 5-minute increase may add where a series begins or ends inside the range, per cell.
 * increase() extrapolates a window to its edge when the gap from its first or last sample is under 1.1
 * sample intervals (Prometheus promql/functions.go, extrapolatedRate); so the window holding a series' last
 * sample can count up to 1.1 steps the series never made, and the one holding its first sample as much
 * (as far as the counter's first value allows: a counter born at 0 is not extrapolated before it). Where
 * that happens depends on the rule group's offset, which follows the rule file's random path.
 */
function lifetimeSlack(from: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  const counted = new Set(['istio_requests_total', 'istio_tcp_connections_closed_total']);
  for (const f of demoFlows()) {
    const [cell] = expectedCells([f], grid, from, to);
    if (!cell) {
      continue;
    }
    const inside = (k: number | undefined) => k !== undefined && stepTime(grid, k) > from && stepTime(grid, k) < to;
    const add = flowSeries(f)
      .filter((s) => counted.has(s.name))
      .reduce(
        (acc, s) =>
          acc +
          (inside(s.stop) ? 1.1 * s.perStep : 0) +
          (inside(s.start) ? Math.min(1.1 * s.perStep, s.initial ?? 0) : 0),
        0
      );
    out.set(cellKey(cell), (out.get(cellKey(cell)) ?? 0) + add);
  }
  return out;
}

const api = () => new PrometheusApi(fetchTransport({ baseUrl: prom.url }));
const mesh = { inClusterCidrs: SHAPES_IN_CLUSTER_CIDRS };

describe('counts from recorded series', () => {
  it('match the mesh pair for pair, to within the 5 minutes a recording can be off at each edge', async () => {
    const to = TEST_END;
    const from = to - 3600;
    const got = await fetchCells(api(), { scope: { mesh }, from, to, recorded: 'always' });
    expect(got.source.recorded).toBe(true);
    expect(got.queries.filter((q) => q.shape === 'catchAll').every((q) => q.recorded)).toBe(true);
    expect(got.queries.find((q) => q.shape === 'catchAll')?.expr).toMatch(
      /^sum by \(.*\) \(sum_over_time\(istio_egress:istio_requests:increase5m\{/
    );
    const want = expectedCells(demoFlows(), grid, from, to);
    expect(want.length).toBeGreaterThan(20);
    // Identity exactly: the same pairs, verdicts, listeners, ports and categories.
    expect(diffCells(got.cells, want, () => true)).toEqual([]);
    // Counts: a rule group records at its own times (Prometheus offsets each group's evaluations), so
    // the summed 5-minute windows can start and end up to 5 minutes before the range does. Each pair may
    // be off by what it did in the 5 minutes at each edge, and by no more.
    const edge = (a: number, b: number) => new Map(expectedCells(demoFlows(), grid, a, b).map((c) => [cellKey(c), c]));
    const [atEnd, beforeStart] = [
      edge(to - RECORDING_INTERVAL_SECONDS, to),
      edge(from - RECORDING_INTERVAL_SECONDS, from),
    ];
    const volume = (c?: EgressCell) => (c ? c.requests + c.connections : 0);
    const lifetimes = lifetimeSlack(from, to);
    const off = want.flatMap((w) => {
      const g = got.cells.find((c) => cellKey(c) === cellKey(w))!;
      const slack =
        volume(atEnd.get(cellKey(w))) + volume(beforeStart.get(cellKey(w))) + (lifetimes.get(cellKey(w)) ?? 0) + 1;
      return Math.abs(volume(g) - volume(w)) <= slack
        ? []
        : [`${cellKey(w)}: got ${volume(g)}, want ${volume(w)} ± ${slack}`];
    });
    expect(off).toEqual([]);
    // Raw series over the same range are exact to the scrape. (Whether the recorded counts differ from them
    // somewhere depends on where the rule group's offset falls, so that is not asserted: issue 27.)
    const rawCells = await fetchCells(api(), { scope: { mesh }, from, to, recorded: 'never' });
    expect(diffCells(rawCells.cells, want)).toEqual([]);
  });

  it('auto: raw series for short ranges, and for long ones the recording does not cover, saying why', async () => {
    const short = await fetchCells(api(), { scope: { mesh }, from: TEST_END - 3600, to: TEST_END, recorded: 'auto' });
    expect(short.source).toEqual({ recorded: false, reason: expect.stringMatching(/under 6h/) });
    // Six hours back reaches before the demo's two hours of data: no recordings at the start, so raw.
    const long = await fetchCells(api(), {
      scope: { mesh },
      from: TEST_END - 6 * 3600,
      to: TEST_END,
      recorded: 'auto',
    });
    expect(long.source).toEqual({
      recorded: false,
      reason: expect.stringMatching(/no recorded series at the range start/),
    });
    expect(long.queries.some((q) => q.recorded)).toBe(false);
  });

  it('new destinations: the recorded look-back finds the same ones as the raw one', async () => {
    const opts = { windowSeconds: 1800, lookbackSeconds: 3600 };
    const found = async (recorded: boolean) => {
      const out: string[] = [];
      for (const q of newDestinationQueries({ mesh }, { ...opts, recorded })) {
        const a = await api().instant(q.expr, TEST_END);
        out.push(...a.data.map((s) => `${s.metric.source_workload} → ${s.metric[q.destinationLabel!]}`));
      }
      return out.sort();
    };
    const raw = await found(false);
    // The demo's destination born 20 minutes before the end is new; the one born 45 minutes before is not.
    expect(raw).toContain('checkout → hooks.slack.com');
    expect(raw.some((r) => r.endsWith('api.segment.io'))).toBe(false);
    expect(await found(true)).toEqual(raw);
  });

  it('the CLI says which series it counted', async () => {
    const to = TEST_END;
    const r = await cli(
      'matrix',
      '--prometheus',
      prom.url,
      '--from',
      String(to - 3600),
      '--to',
      String(to),
      '--recorded',
      'always'
    );
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      'note: counted from recorded series istio_egress:*:increase5m (always, by setting)'
    );
    const bad = await cli('matrix', '--prometheus', prom.url, '--recorded', 'sometimes');
    // A bad value is an error (exit 1) that names it, as for every other option.
    expect([bad.code, bad.stderr]).toEqual([
      1,
      expect.stringContaining('--recorded "sometimes" is not auto, always or never.'),
    ]);
  });
});
