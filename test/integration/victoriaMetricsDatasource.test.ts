/**
 * @jest-environment jsdom
 */
/**
 * The data source against a real VictoriaMetrics through the data proxy (see victoriaMetrics.test.ts for
 * the query core and the CLI; this file needs Grafana's browser environment).
 */
import { DataSource } from '../../src/datasource/datasource';
import { instanceSettings, queryRequest, fakeBackendSrv, fakeTemplateSrv, runRequest } from '../fakes/grafana';
import type { EgressOptions } from '../../src/datasource/types';
import { DEMO_CLUSTER, demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { loadedVictoriaMetrics } from './victoriaMetricsSetup';
import { PROXY, proxyTo } from './dataProxy';
import { checkTitles, DEMO_HEALTH_LINES } from './expect';

const from = TEST_END - 3600;
const to = TEST_END;
const grid = demoGrid(TEST_END);
const vmUrl = loadedVictoriaMetrics();

// The data was written for 2026-01-01; the health check looks at the 24h before "now".
beforeEach(() =>
  jest.useFakeTimers({
    now: TEST_END * 1000,
    doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'],
  })
);
afterEach(() => jest.useRealTimers());

describe('the data source on VictoriaMetrics', () => {
  it('the data source through the data proxy: health check and matrix frame', async () => {
    const json: Partial<EgressOptions> = { extraMatchers: `cluster="${DEMO_CLUSTER}"`, pathPrefix: '/prometheus' };
    const ds = new DataSource(instanceSettings(json, PROXY), fakeTemplateSrv(), fakeBackendSrv(proxyTo(() => vmUrl())));
    const health = await ds.testDatasource();
    // The same report as on Prometheus: the checks' label-values and instant queries all answer alike.
    expect(health.status).toBe('success');
    expect(checkTitles(health)).toEqual(DEMO_HEALTH_LINES);
    const res = await runRequest(ds, queryRequest([{ queryType: 'matrix' }], from, to));
    expect(res.errors).toBeUndefined();
    const frame = res.data[0] as { fields: Array<{ name: string; values: unknown[] }> };
    const requests = frame.fields.find((f) => f.name === 'requests')!.values as number[];
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      grid,
      from,
      to
    );
    expect(requests.reduce((a, b) => a + b, 0)).toBe(want.reduce((a, c) => a + c.requests, 0));
  });
});
