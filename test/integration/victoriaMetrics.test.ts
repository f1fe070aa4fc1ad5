/**
 * The query core, the CLI and the data source against a real VictoriaMetrics (harness/victoriaMetrics.ts):
 * a second Prometheus-compatible engine with its own PromQL implementation (MetricsQL). VictoriaMetrics'
 * increase() does not extrapolate, so its counts must equal the synthetic mesh's exact sample deltas,
 * where Prometheus' may differ by a scrape's increment (expect.ts `close`).
 */
import { fetchTransport } from '../../src/query/fetchTransport';
import { fetchCells } from '../../src/query/fetchCells';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { DEMO_CLUSTER, demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { SHAPES_IN_CLUSTER_CIDRS } from '../../harness/synthetic/shapes';
import { loadedVictoriaMetrics } from './victoriaMetricsSetup';
import { prometheusUrl } from '../harness/state';
import { diffCells, exactly } from './expect';
import { cli } from './runCli';

const from = TEST_END - 3600;
const to = TEST_END;
const grid = demoGrid(TEST_END);
const vmUrl = loadedVictoriaMetrics();

const mesh = { inClusterCidrs: SHAPES_IN_CLUSTER_CIDRS };

describe('VictoriaMetrics (single node, the same import as Prometheus gets)', () => {
  it('matrix: every expected pair, with counts exactly equal to the sample deltas (no extrapolation)', async () => {
    const api = new PrometheusApi(fetchTransport({ baseUrl: vmUrl() }));
    const got = await fetchCells(api, { scope: { mesh }, from, to });
    const want = expectedCells(demoFlows(), grid, from, to);
    expect(want.length).toBeGreaterThan(30);
    expect(diffCells(got.cells, want, exactly)).toEqual([]);
    expect(got.warnings).toEqual([]);
    // Prometheus on the same data: the same pairs, counts within a scrape's increment, and for a long-lived
    // series its extrapolated increase is not the exact delta that VictoriaMetrics returns.
    const prom = await fetchCells(new PrometheusApi(fetchTransport({ baseUrl: prometheusUrl() })), {
      scope: { mesh },
      from,
      to,
    });
    expect(diffCells(prom.cells, want)).toEqual([]);
    expect(diffCells(prom.cells, want, exactly).length).toBeGreaterThan(0);
  });

  it('the CLI under the /prometheus path VictoriaMetrics also serves (as Mimir does)', async () => {
    const r = await cli(
      'matrix',
      '--prometheus',
      `${vmUrl()}/prometheus`,
      // VictoriaMetrics' own parameter (skip its response cache): passed through, answered alike.
      '--query-params',
      'nocache=1',
      '--from',
      String(from),
      '--to',
      String(to),
      '--selector',
      `cluster="${DEMO_CLUSTER}"`,
      '--format',
      'json'
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cells = (JSON.parse(r.stdout) as { cells: Parameters<typeof diffCells>[0] }).cells;
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      grid,
      from,
      to
    );
    expect(diffCells(cells, want, exactly)).toEqual([]);
  });
});
