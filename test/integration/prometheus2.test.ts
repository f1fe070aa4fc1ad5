/**
 * @jest-environment jsdom
 */
import { DataSource } from '../../src/datasource/datasource';
import { instanceSettings, queryRequest, fakeBackendSrv, fakeTemplateSrv, runRequest } from '../fakes/grafana';
import type { EgressOptions } from '../../src/datasource/types';
import { DEMO_CLUSTER, TEST_END, demoFlows, demoGrid, expectedCells } from '../../harness/synthetic/mesh';
import { LOCKDOWN_NAMESPACE } from '../../harness/synthetic/lockdown';
import { legacyPrometheusUrl, prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';
import { checkTitles, DEMO_HEALTH_LINES } from './expect';
import { cli } from './runCli';

/**
 * The oldest Prometheus the product supports, Debian's 2.42, on a copy of the blocks the Prometheus 3 of
 * every other integration test reads: the CLI and the data source give the same answers on both, and the
 * health check says which version it talks to.
 */

/**
 * Prometheus 3's range selectors are left-open: `increase(x[1h])` at `to` no longer reads the sample at
 * exactly `to - 1h`, and extrapolates over that step at the window's average slope instead. On a steady
 * counter that is the same number; across a counter reset (the mesh's legacy/batch → evil.example.net,
 * `resetAt`) it differs a little: 1195 on 2.42, 1194.979 on 3. Counts may differ only there, and by less
 * than 0.01 %; everything else is equal.
 */
const RESET_PAIRS = new Set(
  demoFlows()
    .filter((f) => f.resetAt !== undefined)
    .map((f) => `${f.ns}/${f.wl}→${f.destination}`)
);

function expectSameUpToResetExtrapolation(old: Array<Record<string, unknown>>, now: Array<Record<string, unknown>>) {
  expect(old).toHaveLength(now.length);
  const differing = new Set<string>();
  old.forEach((o, i) => {
    const n = now[i];
    const pair = `${String(o.sourceNamespace)}/${String(o.sourceWorkload)}→${String(o.destination)}`;
    for (const k of Object.keys(n)) {
      if (typeof n[k] === 'number' && typeof o[k] === 'number' && o[k] !== n[k]) {
        differing.add(pair);
        expect(Math.abs((o[k] as number) - (n[k] as number)) / Math.abs(n[k] as number)).toBeLessThan(1e-4);
      } else if (k !== 'responseCodes') {
        expect([pair, k, o[k]]).toEqual([pair, k, n[k]]);
      }
    }
  });
  expect([...differing].filter((p) => !RESET_PAIRS.has(p))).toEqual([]);
}

const demo: Partial<EgressOptions> = { extraMatchers: `cluster="${DEMO_CLUSTER}"` };
const ds = (url: () => string, json: Partial<EgressOptions> = demo) =>
  new DataSource(instanceSettings(json, PROXY), fakeTemplateSrv(), fakeBackendSrv(proxyTo(url)));
const window = ['--from', String(TEST_END - 3600), '--to', String(TEST_END)];

describe('Prometheus 2.42 (the oldest supported) beside Prometheus 3', () => {
  it('the health check passes on both and reports each version', async () => {
    jest.useFakeTimers({
      now: TEST_END * 1000,
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'],
    });
    try {
      const [old, now] = [await ds(legacyPrometheusUrl).testDatasource(), await ds(prometheusUrl).testDatasource()];
      expect(checkTitles(old)).toEqual(DEMO_HEALTH_LINES);
      expect(checkTitles(now)).toEqual(DEMO_HEALTH_LINES);
      expect(old.details?.verboseMessage).toMatch(/version 2\.42\.\d+/);
      expect(now.details?.verboseMessage).toMatch(/version 3\.\d+\.\d+/);
    } finally {
      jest.useRealTimers();
    }
  });

  it('the matrix frame: the same pairs and counts on both, and what the mesh sent', async () => {
    const req = () => queryRequest([{ queryType: 'matrix' }], TEST_END - 3600, TEST_END);
    const [old, now] = [await runRequest(ds(legacyPrometheusUrl), req()), await runRequest(ds(prometheusUrl), req())];
    expect(old.errors).toBeUndefined();
    const rows = (r: typeof old) => {
      const f = r.data[0].fields as Array<{ name: string; values: unknown[] }>;
      return f[0].values.map((_, i) => Object.fromEntries(f.map((x) => [x.name, x.values[i]])));
    };
    expectSameUpToResetExtrapolation(rows(old), rows(now));
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      demoGrid(TEST_END),
      TEST_END - 3600,
      TEST_END
    );
    expect(rows(old)).toHaveLength(want.length);
  });

  it('the CLI: matrix over every cluster, a lockdown plan and ServiceEntries, the same on both', async () => {
    const both = async (...args: string[]) => {
      const [old, now] = [
        await cli(args[0], '--prometheus', legacyPrometheusUrl(), ...args.slice(1)),
        await cli(args[0], '--prometheus', prometheusUrl(), ...args.slice(1)),
      ];
      // The range a lock-down plan read is said on stderr; nothing else may be.
      expect([old.code, old.stderr.replace(/^note: read \S+ \.\. \S+ \(--from\/--to\)\n/, '')]).toEqual([0, '']);
      expect(old.stdout.length).toBeGreaterThan(200);
      return [old.stdout, now.stdout];
    };
    const [m0, m1] = await both('matrix', ...window, '--include', 'in-mesh,registered,ambient', '--format', 'json');
    const cells = (t: string) => (JSON.parse(t) as { cells: Array<Record<string, unknown>> }).cells;
    expectSameUpToResetExtrapolation(cells(m0), cells(m1));
    const [l0, l1] = await both('lockdown', ...window, '--namespace', LOCKDOWN_NAMESPACE, '--format', 'json');
    expect(l0).toBe(l1);
    const [s0, s1] = await both('serviceentries', ...window);
    expect(s0).toBe(s1);
  });
});
