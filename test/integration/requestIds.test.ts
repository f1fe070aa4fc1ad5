/**
 * @jest-environment jsdom
 */
import { DataSource } from '../../src/datasource/datasource';
import { DEMO_CLUSTER, TEST_END } from '../../harness/synthetic/mesh';
import {
  fakeBackendSrv,
  fakeTemplateSrv,
  type FetchHandler,
  instanceSettings,
  queryRequest,
  runRequest,
} from '../fakes/grafana';
import { prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';

/**
 * Requests as Grafana runs them: its backend_srv cancels an in-flight request when another with the same
 * `requestId` starts (the fake does the same, test/fakes/grafana.ts). A dashboard runs its panels' queries
 * at once, several of them identical; none may cancel another. A panel refreshed while its query runs
 * cancels only its own stale run, and that run reads as an error, never as "no traffic".
 */

const FROM = TEST_END - 3600;
const demo = { extraMatchers: `cluster="${DEMO_CLUSTER}"` };

/**
 * The data proxy, held back until `release()` for requests `hold` picks. `holding()` resolves when the first
 * held request arrives: the test waits for that request, not for a timer.
 */
function gatedProxy(hold: (url: string, body: string) => boolean) {
  const forward = proxyTo(prometheusUrl);
  const waiting: Array<() => void> = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((resolve) => (arrived = resolve));
  const handler: FetchHandler = async (req, signal) => {
    if (hold(req.url, String(req.data ?? ''))) {
      const released = new Promise<void>((resolve) => waiting.push(resolve));
      arrived();
      await released;
    }
    if (signal.aborted) {
      return { status: 499, statusText: 'aborted', data: null };
    }
    return forward(req, signal);
  };
  return { handler, release: () => waiting.splice(0).forEach((r) => r()), holding: () => first };
}

describe('request ids, as Grafana cancels requests', () => {
  it('a dashboard of panels at once, two of them identical: every panel completes, none is cancelled', async () => {
    const backend = fakeBackendSrv(proxyTo(prometheusUrl));
    const ds = new DataSource(instanceSettings(demo, PROXY), fakeTemplateSrv(), backend);
    const panel = (panelId: number, targets: Parameters<typeof queryRequest>[0]) =>
      runRequest(ds, queryRequest(targets, FROM, TEST_END, { panelId, requestId: `SQR${panelId}` }));
    const results = await Promise.all([
      // The same matrix query in two panels (stat and matrix panels of the overview).
      panel(1, [{ refId: 'A', queryType: 'matrix' }]),
      panel(2, [{ refId: 'A', queryType: 'matrix' }]),
      panel(3, [{ refId: 'A', queryType: 'matrix', verdicts: ['passthrough'] }]),
      panel(4, [{ refId: 'A', queryType: 'series', groupBy: ['verdict'] }]),
      panel(5, [
        { refId: 'A', queryType: 'newDestinations', lookback: '1h' },
        { refId: 'B', queryType: 'matrix' },
      ]),
    ]);
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(backend.cancelled).toEqual([]);
    // Each call carries its panel's id, or, for the matrix the panels share, the shared fetch's own id.
    const ids = backend.requests.map((r) => r.requestId!);
    expect(ids.every((id) => /^(panel-\d:[AB]|shared-[0-9a-f]+):\/api\/v1\//.test(id))).toBe(true);
    // No request id twice: the identical matrix queries of panels 1 and 2 (and the slices of 3 and 5) went once.
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      results[0].data[0].fields.find((f: { name: string }) => f.name === 'destination').values.length
    ).toBeGreaterThan(5);
  });

  it('a day-long dashboard: the panels share the probes of the recording, each asked once', async () => {
    const backend = fakeBackendSrv(proxyTo(prometheusUrl));
    const ds = new DataSource(instanceSettings(demo, PROXY), fakeTemplateSrv(), backend);
    const day = TEST_END - 86400;
    const panel = (panelId: number, targets: Parameters<typeof queryRequest>[0]) =>
      runRequest(
        ds,
        queryRequest(targets, day, TEST_END, { panelId, requestId: `SQR${panelId}`, intervalMs: 600_000 })
      );
    const results = await Promise.all([
      panel(1, [{ refId: 'A', queryType: 'matrix', verdicts: ['blackhole'] }]),
      panel(2, [{ refId: 'A', queryType: 'newDestinations', lookback: '7d' }]),
      panel(3, [{ refId: 'A', queryType: 'series', groupBy: ['verdict'] }]),
      panel(4, [{ refId: 'A', queryType: 'newDestinations', lookback: '7d' }]),
    ]);
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined]);
    const asked = backend.requests.map((r) => `${r.url} ${String(r.data ?? '')}`);
    const probes = asked.filter((a) => /istio_egress%3A|istio_egress:/.test(a) && /count|timestamp/.test(a));
    // Whether the recording covers the range and where its hourly samples fall: asked by the matrix, the
    // time series and both new-destination panels, sent once each.
    expect(probes.length).toBeGreaterThan(2);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('a panel refreshed while its query runs: the stale run is cancelled and says so; the new one answers', async () => {
    let first = true;
    const gate = gatedProxy((url) => {
      // Hold the first run's range queries until the refresh has started.
      return first && url.endsWith('/api/v1/query_range');
    });
    const backend = fakeBackendSrv(gate.handler);
    const ds = new DataSource(instanceSettings(demo, PROXY), fakeTemplateSrv(), backend);
    const run = () =>
      runRequest(
        ds,
        queryRequest([{ refId: 'A', queryType: 'series', groupBy: ['verdict'] }], FROM, TEST_END, { panelId: 7 })
      );
    const stale = run();
    await gate.holding();
    first = false;
    const fresh = await run();
    gate.release();
    const old = await stale;
    expect(fresh.errors).toBeUndefined();
    expect(backend.cancelled.length).toBeGreaterThan(0);
    expect(old.data).toEqual([]);
    expect(old.errors?.[0].message).toMatch(/^Query cancelled/);
  });
});
