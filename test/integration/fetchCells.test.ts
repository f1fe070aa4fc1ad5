import { fetchCells } from '../../src/query/fetchCells';
import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';
import type { EgressScope } from '../../src/query/selectors';
import { newDestinationQueries } from '../../src/query/newDestinationTemplates';
import { seriesQueries } from '../../src/query/templates';
import { SHAPES_IN_CLUSTER_CIDRS } from '../../harness/synthetic/shapes';
import {
  DEMO_CLUSTER,
  LEGACY_CLUSTER,
  NASTY_WORKLOADS,
  TEST_END,
  demoFlows,
  demoGrid,
  expectedCells,
} from '../../harness/synthetic/mesh';
import { prometheusUrl } from '../harness/state';
import { diffCells } from './expect';

const api = () => new PrometheusApi(fetchTransport({ baseUrl: prometheusUrl() }));
const to = TEST_END;
const from = TEST_END - 3600;
const grid = demoGrid(TEST_END);
const cluster = (c: string): EgressScope => ({ extraMatchers: [{ label: 'cluster', op: '=', value: c }] });

describe('matrix against a real Prometheus', () => {
  it('finds exactly the demo cluster flows: both verdicts, both listeners, IPv4/IPv6, ports, resets, partial series', async () => {
    const got = await fetchCells(api(), { scope: cluster(DEMO_CLUSTER), from, to });
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      grid,
      from,
      to
    );
    expect(want.length).toBeGreaterThan(20);
    expect(diffCells(got.cells, want)).toEqual([]);
    expect(got.warnings).toEqual([]);
  });

  it('reads TCP destinations as unknown where the IP label was never added', async () => {
    const got = await fetchCells(api(), { scope: cluster(LEGACY_CLUSTER), from, to });
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === LEGACY_CLUSTER),
      grid,
      from,
      to
    );
    expect(diffCells(got.cells, want)).toEqual([]);
    expect(got.cells.find((c) => c.listener === 'tcp')?.destination).toBe('unknown');
    // Asked for by the name shaping gives them (a pinned cell, a destination filter, first seen).
    const only = await fetchCells(api(), {
      scope: { ...cluster(LEGACY_CLUSTER), destination: { kind: 'values', values: ['unknown'] }, listeners: ['tcp'] },
      from,
      to,
    });
    expect(
      diffCells(
        only.cells,
        want.filter((c) => c.listener === 'tcp')
      )
    ).toEqual([]);
    expect(only.cells.length).toBeGreaterThan(0);
  });

  it('sees both clusters without a selector, and never inbound, in-mesh or ServiceEntry traffic', async () => {
    const got = await fetchCells(api(), { scope: { mesh: { inClusterCidrs: SHAPES_IN_CLUSTER_CIDRS } }, from, to });
    expect(diffCells(got.cells, expectedCells(demoFlows(), grid, from, to))).toEqual([]);
    const destinations = new Set(got.cells.map((c) => c.destination));
    for (const noise of [
      'reviews.shop.svc.cluster.local',
      'api.partner.com',
      'checkout.shop.svc.cluster.local',
      'example.org',
      '10.0.0.9',
    ]) {
      expect(destinations.has(noise)).toBe(false);
    }
  });

  it('narrows a shorter window: the series that stopped before it are gone', async () => {
    const shortFrom = TEST_END - 600;
    const got = await fetchCells(api(), { scope: cluster(DEMO_CLUSTER), from: shortFrom, to });
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      grid,
      shortFrom,
      to
    );
    expect(diffCells(got.cells, want)).toEqual([]);
    expect(got.cells.some((c) => c.destination === '52.217.0.20')).toBe(false);
  });
});

describe('escaping round-trips through Prometheus', () => {
  it.each(NASTY_WORKLOADS.filter((w) => w !== '').map((w) => [JSON.stringify(w), w]))(
    'workload %s matches itself and nothing else',
    async (_n, wl) => {
      const got = await fetchCells(api(), {
        scope: { ...cluster(DEMO_CLUSTER), sourceWorkload: { kind: 'values', values: [wl] } },
        from,
        to,
      });
      expect(got.cells.map((c) => c.sourceWorkload)).toEqual([wl]);
    }
  );

  it('matches several nasty workloads at once as an exact alternation', async () => {
    const values = ['a|b', 'dot.star.*', 'quote"inside', 'back\\slash'];
    const got = await fetchCells(api(), { scope: { sourceWorkload: { kind: 'values', values } }, from, to });
    expect(got.cells.map((c) => c.sourceWorkload).sort()).toEqual([...values].sort());
  });

  it('a destination filter on api.stripe.com does not match apixstripe.com, and matches IPs with ports', async () => {
    const got = await fetchCells(api(), {
      scope: { destination: { kind: 'values', values: ['api.stripe.com', '2001:db8::7', '52.216.10.4'] } },
      from,
      to,
    });
    expect(got.cells.map((c) => `${c.sourceWorkload} ${c.destination}:${c.port ?? ''}`).sort()).toEqual([
      'checkout api.stripe.com:',
      'etl 2001:db8::7:5432',
      'payments 52.216.10.4:443',
    ]);
  });

  it('a regex filter is passed as written, inside one string literal', async () => {
    const got = await fetchCells(api(), {
      scope: { sourceNamespace: { kind: 'regex', pattern: 'sh.p|leg.*' } },
      from,
      to,
    });
    expect(new Set(got.cells.map((c) => c.sourceNamespace))).toEqual(new Set(['shop', 'legacy']));
  });
});

describe('other templates against a real Prometheus', () => {
  it('range rates by verdict split blocked and allowed traffic', async () => {
    const queries = seriesQueries(cluster(DEMO_CLUSTER), {
      groupBy: ['verdict'],
      rateIntervalSeconds: 60,
      kind: 'events',
    });
    const [http] = queries;
    const res = await api().range(http.expr, from, to, 60);
    const byVerdict = Object.fromEntries(
      res.data.map((s) => [s.metric.destination_service_name, Number(s.values[s.values.length - 1][1])])
    );
    // At the end of the window: blackhole HTTP = segment 3 + pypi 2 + evil 5 per 15 s; passthrough has the rest.
    expect(byVerdict.BlackHoleCluster).toBeCloseTo((3 + 2 + 5) / 15, 5);
    expect(byVerdict.PassthroughCluster).toBeGreaterThan(0);
  });

  it('new destinations: born in the window and unseen in the look-back', async () => {
    const scope = cluster(DEMO_CLUSTER);
    const run = async (windowSeconds: number) => {
      const found = new Set<string>();
      for (const q of newDestinationQueries(scope, { windowSeconds, lookbackSeconds: 3600 })) {
        const res = await api().instant(q.expr, to);
        // PromQL keeps the Host as the client wrote it (Hooks.Slack.COM beside hooks.slack.com): the
        // pasteable query and the alert name each case; the data source names them as one.
        res.data.forEach((s) => found.add((s.metric.destination_service ?? s.metric.destination_ip).toLowerCase()));
      }
      return found;
    };
    // hooks.slack.com starts 79 scrapes (~20 min) before the end; 52.217.0.20 about 57 min before.
    expect(await run(1800)).toEqual(new Set(['hooks.slack.com']));
    expect(await run(3600)).toEqual(new Set(['hooks.slack.com', '52.217.0.20:443']));
  });
});
