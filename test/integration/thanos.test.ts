/**
 * @jest-environment jsdom
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backfill } from '../../harness/prometheus';
import { DEMO_CLUSTER, demoGrid, demoSeries, TEST_END } from '../../harness/synthetic/mesh';
import { writeOpenMetrics } from '../../harness/synthetic/series';
import { startThanos, type ThanosTopology } from '../../harness/thanos';
import { DataSource } from '../../src/datasource/datasource';
import type { EgressOptions } from '../../src/datasource/types';
import { fakeBackendSrv, fakeTemplateSrv, instanceSettings, queryRequest, runRequest } from '../fakes/grafana';
import { prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';
import { checkTitles, DEMO_HEALTH_LINES } from './expect';
import { cli } from './runCli';

/**
 * Thanos in front of two Prometheus replicas and a store gateway (harness/thanos.ts), on the same demo
 * mesh the Prometheus of the other tests holds: the product must give the same pairs and counts through
 * it, each sample counted once although three stores hold it.
 */

let thanos: ThanosTopology;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'istioegress-thanos-'));
  const dataDir = await backfill(workDir, (write) => writeOpenMetrics(demoSeries(), demoGrid(TEST_END), write));
  thanos = await startThanos(dataDir, workDir);
}, 240_000);

afterAll(async () => {
  await thanos?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const json: Partial<EgressOptions> = {
  extraMatchers: `cluster="${DEMO_CLUSTER}"`,
  customQueryParameters: 'partial_response=true&dedup=true',
};
const make = (url: () => string, over: Partial<EgressOptions> = {}) =>
  new DataSource(instanceSettings({ ...json, ...over }, PROXY), fakeTemplateSrv(), fakeBackendSrv(proxyTo(url)));
const matrixRequest = () => queryRequest([{ queryType: 'matrix' }], TEST_END - 3600, TEST_END);

const window = ['--from', String(TEST_END - 3600), '--to', String(TEST_END)];
type Cell = Record<string, unknown> & { requests: number; connections: number };
const cells = (stdout: string) => (JSON.parse(stdout) as { cells: Cell[] }).cells;
const matrix = (url: string, ...extra: string[]) =>
  cli(
    'matrix',
    '--prometheus',
    url,
    ...window,
    '--include',
    'in-mesh,registered,ambient',
    '--format',
    'json',
    ...extra
  );

describe('Thanos query in front of two Prometheus replicas and a store gateway', () => {
  it('Thanos: the CLI matrix equals Prometheus itself, replicas deduplicated', async () => {
    const [via, direct] = [await matrix(thanos.url), await matrix(prometheusUrl())];
    expect([via.code, via.stderr]).toEqual([0, '']);
    expect(cells(via.stdout).length).toBeGreaterThan(30);
    expect(cells(via.stdout)).toEqual(cells(direct.stdout));
  });

  it("Thanos: its custom query parameters reach it (dedup=false counts each store's copy)", async () => {
    const [dedup, raw] = [await matrix(thanos.url), await matrix(thanos.url, '--query-params', 'dedup=false')];
    expect(raw.code).toBe(0);
    const volume = (cs: Cell[]) => cs.reduce((s, c) => s + c.requests + c.connections, 0);
    // Three stores hold every sample: two replicas and the bucket.
    expect(volume(cells(raw.stdout)) / volume(cells(dedup.stdout))).toBeCloseTo(3, 5);
  });

  it('Thanos: the data source health check and matrix through the data proxy', async () => {
    jest.useFakeTimers({
      now: TEST_END * 1000,
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'],
    });
    const ds = make(() => thanos.url);
    try {
      const health = await ds.testDatasource();
      expect(checkTitles(health)).toEqual(DEMO_HEALTH_LINES);
      // The version line is the querier's own (Thanos answers buildinfo).
      expect(health.details?.verboseMessage).toMatch(/version 0\.42\.5/);
    } finally {
      jest.useRealTimers();
    }
    const [via, direct] = [
      await runRequest(ds, matrixRequest()),
      await runRequest(make(prometheusUrl), matrixRequest()),
    ];
    expect(via.errors).toBeUndefined();
    const rows = (r: typeof via) => {
      const f = r.data[0].fields as Array<{ name: string; values: unknown[] }>;
      return f[0].values.map((_, i) => Object.fromEntries(f.map((x) => [x.name, x.values[i]])));
    };
    expect(rows(via).length).toBeGreaterThan(30);
    expect(rows(via)).toEqual(rows(direct));
  });

  it('fault: Thanos with one store down gives the whole answer with a warning; with partial_response=false, a clear error', async () => {
    const before = await matrix(thanos.url);
    await thanos.sidecars[1].stop();
    // The querier notices at its next request to the store.
    const partial = await matrix(thanos.url, '--query-params', 'partial_response=true');
    expect(partial.code).toBe(0);
    expect(partial.stderr).toMatch(/^warning: .+/m);
    expect(cells(partial.stdout)).toEqual(cells(before.stdout));
    // The panel's frame: every pair, and the warning as a notice Grafana shows on the panel.
    const res = await runRequest(
      make(() => thanos.url),
      matrixRequest()
    );
    expect(res.errors).toBeUndefined();
    expect(res.data[0].length).toBeGreaterThan(30);
    expect(res.data[0].meta?.notices).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'warning', text: expect.stringMatching(/\S/) })])
    );
    const strict = await matrix(thanos.url, '--query-params', 'partial_response=false');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^istio-egress: .+\n$/);
    // The panel: no frame, and an error that says what partial_response=false refused and what to do.
    const refused = await runRequest(
      make(() => thanos.url, { customQueryParameters: 'partial_response=false&dedup=true' }),
      matrixRequest()
    );
    expect(refused.data).toEqual([]);
    expect(refused.errors?.[0].message).toMatch(
      /^Prometheus rejected \/api\/v1\/query.*A store behind the querier did not answer, and partial_response=false refuses a partial answer/
    );
  });
});
