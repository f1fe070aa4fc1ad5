/**
 * @jest-environment jsdom
 */
import { DataSource } from '../../src/datasource/datasource';
import { instanceSettings, queryRequest, fakeBackendSrv, fakeTemplateSrv, runRequest } from '../fakes/grafana';
import type { EgressOptions, EgressVariableQuery } from '../../src/datasource/types';
import { freePort } from '../../harness/prometheus';
import fc from 'fast-check';
import { lastValueFrom } from 'rxjs';
import type { DataQueryRequest } from '@grafana/data';
import type { EgressVariableSupport } from '../../src/datasource/variables';
import {
  DEMO_CLUSTER,
  NASTY_WORKLOADS,
  TEST_END,
  demoFlows,
  demoGrid,
  expectedCells,
} from '../../harness/synthetic/mesh';
import type { EgressCell } from '../../src/query/cells';
import { SHAPES_CLUSTER, SHAPES_IN_CLUSTER_CIDRS } from '../../harness/synthetic/shapes';
import { prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';
import { checkTitles, DEMO_HEALTH_LINES, diffCells } from './expect';

const demo: Partial<EgressOptions> = { extraMatchers: `cluster="${DEMO_CLUSTER}"` };
const makeDs = (json: Partial<EgressOptions> = demo, target = prometheusUrl, vars = fakeTemplateSrv()) =>
  new DataSource(instanceSettings(json, PROXY), vars, fakeBackendSrv(proxyTo(target)));

function frameCells(frame: { fields: Array<{ name: string; values: unknown[] }> }): EgressCell[] {
  const col = (n: string) => frame.fields.find((f) => f.name === n)!.values;
  return col('destination').map((_, i) => {
    const codes = String(col('responseCodes')[i]);
    const cell: EgressCell = {
      sourceNamespace: col('sourceNamespace')[i] as string,
      sourceWorkload: col('sourceWorkload')[i] as string,
      destination: col('destination')[i] as string,
      verdict: col('verdict')[i] as EgressCell['verdict'],
      listener: col('listener')[i] as EgressCell['listener'],
      requests: col('requests')[i] as number,
      connections: col('connections')[i] as number,
      bytesSent: col('bytesSent')[i] as number,
      bytesReceived: col('bytesReceived')[i] as number,
      category: col('category')[i] as EgressCell['category'],
    };
    if (col('port')[i] !== null) {
      cell.port = col('port')[i] as number;
    }
    if (cell.listener === 'http') {
      cell.responseCodes = Object.fromEntries(
        codes.split(', ').map((kv) => [kv.split(':')[0], Number(kv.split(':')[1])])
      );
    }
    return cell;
  });
}

describe('the data source against a real Prometheus through a data proxy', () => {
  it('matrix: every expected pair with its counts', async () => {
    const res = await runRequest(makeDs(), queryRequest([{ queryType: 'matrix' }], TEST_END - 3600, TEST_END));
    expect(res.errors).toBeUndefined();
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      demoGrid(TEST_END),
      TEST_END - 3600,
      TEST_END
    );
    // The frame rounds response codes for display; counts themselves are exact increases.
    expect(diffCells(frameCells(res.data[0]), want)).toEqual([]);
  });

  it('time series: blocked HTTP rate at the end of the range', async () => {
    const res = await runRequest(
      makeDs(),
      queryRequest(
        [{ queryType: 'series', groupBy: ['verdict'], listeners: ['http'], verdicts: ['blackhole'] }],
        TEST_END - 3600,
        TEST_END
      )
    );
    expect(res.data).toHaveLength(1);
    const values = res.data[0].fields[1].values as number[];
    expect(values[values.length - 1]).toBeCloseTo(10 / 15, 5);
  });

  it('TCP bytes: passthrough bytes per destination', async () => {
    const res = await runRequest(
      makeDs(),
      queryRequest([{ queryType: 'bytes', groupBy: ['destination'] }], TEST_END - 3600, TEST_END)
    );
    const sent = res.data.find((f) => f.name?.includes('52.216.10.4:443') && f.name?.includes('bytes sent'));
    const values = sent!.fields[1].values as number[];
    expect(values[values.length - 1]).toBeCloseTo(1000 / 15, 3);
  });

  it('new destinations: only what was not seen in the look-back', async () => {
    const res = await runRequest(
      makeDs(),
      queryRequest([{ queryType: 'newDestinations', lookback: '1h' }], TEST_END - 1800, TEST_END)
    );
    const col = (n: string) => res.data[0].fields.find((f: { name: string }) => f.name === n).values;
    expect(col('destination')).toEqual(['hooks.slack.com']);
    // First seen 79 scrapes before the end (to the 15 s subquery step); usable as an annotation.
    expect(Math.abs(col('time')[0] / 1000 - (TEST_END - 79 * 15))).toBeLessThanOrEqual(15);
    expect(col('text')).toEqual(['New passthrough destination hooks.slack.com from shop/checkout']);
  });

  it('variables: multi-value workloads with regex metacharacters match exactly', async () => {
    const vars = fakeTemplateSrv([{ name: 'wl', current: ['a|b', 'dot.star.*'], options: [] }]);
    const res = await runRequest(
      makeDs(demo, prometheusUrl, vars),
      queryRequest([{ workload: '$wl' }], TEST_END - 3600, TEST_END)
    );
    expect((res.data[0].fields[1].values as string[]).sort()).toEqual(['a|b', 'dot.star.*']);
  });

  it('variable queries list namespaces and workloads', async () => {
    const range = { from: { valueOf: () => (TEST_END - 3600) * 1000 }, to: { valueOf: () => TEST_END * 1000 } };
    const ns = await makeDs().metricFindQuery({ kind: 'namespaces' }, { range });
    expect(ns.map((v) => v.text)).toEqual(['data', 'escape-test', 'legacy', 'shop']);
    const wl = await makeDs().metricFindQuery({ kind: 'workloads', namespace: 'shop' }, { range });
    expect(wl.map((v) => v.text)).toEqual(['checkout', 'frontend', 'payments']);
  });
});

describe('health check', () => {
  // The data was written for 2026-01-01; the check looks at the hour before "now".
  beforeAll(() =>
    jest.useFakeTimers({
      now: TEST_END * 1000,
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'],
    })
  );
  afterAll(() => jest.useRealTimers());

  it('passes on a mesh with the IP label, reporting both verdicts', async () => {
    const r = await makeDs().testDatasource();
    expect(r.status).toBe('success');
    // Grafana's page: one title line, one text line, every check in the verbose details.
    expect(r.message).toBe(`✓ ${DEMO_HEALTH_LINES.length} setup checks passed`);
    expect(r.details?.message).not.toContain('\n');
    expect(checkTitles(r)).toEqual(DEMO_HEALTH_LINES);
    expect(r.details?.verboseMessage).toMatch(/version 3\.\d+\.\d+/);
    expect(r.details?.verboseMessage).toMatch(/Both blocked and allowed egress/);
  });

  it('asks at most 5 requests, on the index or one sample per series: never a range of samples', async () => {
    const backend = fakeBackendSrv(proxyTo(prometheusUrl));
    const ds = new DataSource(instanceSettings(demo, PROXY), fakeTemplateSrv(), backend);
    expect((await ds.testDatasource()).status).toBe('success');
    expect(backend.requests.length).toBeLessThanOrEqual(5);
    const queries = backend.requests.map((r) => new URLSearchParams(String(r.data ?? '')).get('query') ?? '');
    expect(queries.filter((q) => /\[[0-9]+[smhdw]\]/.test(q))).toEqual([]);
  });

  it('warns and shows the Telemetry snippet on a mesh without it', async () => {
    const r = await makeDs({ extraMatchers: 'cluster="legacy-1"' }).testDatasource();
    expect(r.status).toBe('warning');
    expect(r.message).toBe('⚠ TCP series have no destination_ip label: TCP destinations show as "unknown"');
    // What to do in the text; the Telemetry resource, whose lines matter, in the verbose details.
    expect(r.details?.message).toMatch(/^Apply this Istio Telemetry resource/);
    expect(r.details?.message).not.toContain('\n');
    expect(r.details?.verboseMessage).toContain('kind: Telemetry');
  });

  it('fails clearly when nothing matches the matchers', async () => {
    const r = await makeDs({ extraMatchers: 'cluster="nope"' }).testDatasource();
    expect(r.status).toBe('error');
    expect(r.message).toContain('✗ No Istio metrics');
  });

  it('fails clearly on an unreachable URL', async () => {
    const port = await freePort();
    const r = await makeDs(demo, () => `http://127.0.0.1:${port}`).testDatasource();
    expect(r.status).toBe('error');
    expect(r.message).toBe('✗ Prometheus API not reachable');
    expect(r.details?.message).toMatch(/HTTP 502 Bad Gateway .*could not reach the data source "Istio Egress"/);
  });
});

describe('errors through the proxy', () => {
  it('a non-Prometheus JSON answer and a timeout each give a clear error', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url?.includes('query')) {
        // never answers: the proxy times out
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"version":"not prometheus"}');
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const target = () => `http://127.0.0.1:${port}`;
      const slow = new DataSource(
        instanceSettings(demo, PROXY),
        fakeTemplateSrv(),
        fakeBackendSrv(proxyTo(target, 300))
      );
      const res = await runRequest(slow, queryRequest([{}], TEST_END - 60, TEST_END));
      expect(res.errors?.[0].message).toMatch(
        /^HTTP 504 Gateway Timeout from \/api\/v1\/query\. .*within the data source's Timeout/
      );
      const odd = new DataSource(instanceSettings(demo, PROXY), fakeTemplateSrv(), fakeBackendSrv(proxyTo(target)));
      await expect(odd.metricFindQuery('namespaces')).rejects.toThrow(
        /not a Prometheus API response \(\{"version":"not prometheus"\}\)/
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('the data source on a mesh with every shape of catch-all traffic', () => {
  const shapes: Partial<EgressOptions> = {
    extraMatchers: `cluster="${SHAPES_CLUSTER}"`,
    inClusterCidrs: SHAPES_IN_CLUSTER_CIDRS,
  };

  it('matrix frames carry category and reason; other categories only when the query asks', async () => {
    const ds = makeDs(shapes);
    const plain = await runRequest(ds, queryRequest([{ queryType: 'matrix' }], TEST_END - 3600, TEST_END));
    const categories = (f: (typeof plain.data)[number]) =>
      f.fields.find((x: { name: string }) => x.name === 'category')!.values as string[];
    expect(new Set(categories(plain.data[0]))).toEqual(new Set(['external']));
    expect(plain.data[0].meta.notices).toContainEqual({
      severity: 'info',
      text: 'Not external, so not shown: 8 in-mesh pairs (turn on "in-mesh" under Show in the query editor).',
    });
    const all = await runRequest(
      ds,
      queryRequest([{ queryType: 'matrix', include: ['in-mesh', 'registered', 'ambient'] }], TEST_END - 3600, TEST_END)
    );
    const frame = all.data[0];
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === SHAPES_CLUSTER),
      demoGrid(TEST_END),
      TEST_END - 3600,
      TEST_END,
      ['external', 'in-mesh', 'registered', 'ambient']
    );
    expect(diffCells(frameCells(frame), want)).toEqual([]);
    const reasons = frame.fields.find((x: { name: string }) => x.name === 'reason')!.values as string[];
    const dests = frame.fields.find((x: { name: string }) => x.name === 'destination')!.values as string[];
    expect(reasons[dests.indexOf('10.244.7.3')]).toBe('reached workload db/postgres by IP: not external');
    // Namespaces named like top-level domains: only a service the mesh has evidence of is in-mesh.
    const cats = categories(frame);
    expect(cats[dests.indexOf('notion.app')]).toBe('external');
    expect(cats[dests.indexOf('status.io')]).toBe('external');
    expect(cats[dests.indexOf('ledger.io')]).toBe('in-mesh');
    expect(reasons[dests.indexOf('inventory.news')]).toMatch(/kube-state-metrics/);
  });

  it('new destinations never list in-mesh pod IPs or mesh hosts', async () => {
    const res = await runRequest(
      makeDs(shapes),
      queryRequest([{ queryType: 'newDestinations', lookback: '1h' }], TEST_END - 3600, TEST_END)
    );
    const dests = res.data[0].fields.find((x: { name: string }) => x.name === 'destination')!.values as string[];
    expect(
      dests.filter(
        (d) =>
          d.startsWith('10.244.') ||
          d.startsWith('reviews') ||
          d === 'ratings' ||
          d === 'ledger.io' ||
          d === 'inventory.news'
      )
    ).toEqual([]);
  });

  it('health check names the shapes it finds', async () => {
    jest.useFakeTimers({
      now: TEST_END * 1000,
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask', 'setInterval'],
    });
    const r = await makeDs({ extraMatchers: `cluster="${SHAPES_CLUSTER}"` }).testDatasource();
    const text = String(r.details?.verboseMessage);
    expect(text).toContain('Telemetry from sidecars and ambient (ztunnel, waypoints)');
    expect(text).toContain('ztunnel records no destination address');
    expect(text).toMatch(/⚠ \d+ catch-all series reach mesh workloads by IP/);
    const withRanges = await makeDs({ ...shapes }).testDatasource();
    expect(String(withRanges.details?.verboseMessage)).toMatch(/✓ \d+ catch-all series reach mesh workloads by IP/);
    expect(text).toMatch(/⚠ \d+ catch-all TCP series go to private addresses, and no in-cluster CIDRs are set/);
    expect(text).toMatch(/✓ Egress gateway traffic: \d+ series to istio-egressgateway/);
    expect(text).toMatch(/✓ ALLOW_ANY_DYNAMIC_DNS: \d+ series through AllowAnyDynamicDNSCluster/);
    const demoOnly = String((await makeDs().testDatasource()).details?.verboseMessage);
    expect(demoOnly).not.toContain('ambient');
    expect(demoOnly).not.toContain('reach mesh workloads by IP');
    jest.useRealTimers();
  });
});

describe('matchers with variables, fuzzed through the data source against the real Prometheus', () => {
  // Not the empty value: `=""` also matches series without the label, as PromQL defines it.
  const pick = fc.oneof(
    fc.constantFrom(...NASTY_WORKLOADS.filter((w) => w !== '')),
    fc.string({ minLength: 1, maxLength: 6 })
  );
  it('a variable in an exact or regex matcher selects exactly the workloads equal to one of its values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(pick, { minLength: 1, maxLength: 3 }), fc.boolean(), async (values, regex) => {
        const exact = !regex && values.length === 1;
        const vars = fakeTemplateSrv([{ name: 'wl', current: exact ? values[0] : values, options: values }]);
        const res = await runRequest(
          makeDs(demo, prometheusUrl, vars),
          queryRequest(
            [{ queryType: 'matrix', namespace: 'escape-test', matchers: `source_workload${exact ? '=' : '=~'}"$wl"` }],
            TEST_END - 3600,
            TEST_END
          )
        );
        expect(res.errors).toBeUndefined();
        const got = frameCells(res.data[0])
          .map((c) => c.sourceWorkload)
          .sort();
        expect(got).toEqual(NASTY_WORKLOADS.filter((w) => w !== '' && values.includes(w)).sort());
      }),
      { numRuns: 30 }
    );
  });
});

describe("Grafana's current data source APIs against the real Prometheus", () => {
  const all = () => makeDs({});
  const range = () => {
    const r = queryRequest([], TEST_END - 3600, TEST_END).range;
    return r;
  };

  it('runs variable queries through `variables` (custom support), in every saved shape', async () => {
    const ds = all();
    expect(ds.variables?.getType()).toBe('custom');
    const run = async (target: unknown) => {
      const request = { ...queryRequest([], TEST_END - 3600, TEST_END), targets: [target] };
      const res = await lastValueFrom(
        (ds.variables as EgressVariableSupport).query(request as DataQueryRequest<EgressVariableQuery>)
      );
      return (res.data as Array<{ text: string }>).map((v) => v.text);
    };
    expect(await run({ refId: 'var-cluster', kind: 'labelValues', label: 'cluster' })).toEqual([
      'demo-1',
      'legacy-1',
      'lockdown-1',
      'shapes-1',
    ]);
    expect(
      await run({ refId: 'v', kind: 'labelValues', label: 'cluster', matchers: 'source_workload_namespace="ops"' })
    ).toEqual(['legacy-1']);
    expect(await run('namespaces')).toContain('shop');
    expect(await run({ query: 'label_values(cluster)' })).toEqual(['demo-1', 'legacy-1', 'lockdown-1', 'shapes-1']);
    await expect(run({ refId: 'v', kind: 'labelValues' })).rejects.toThrow(/name the label/);
  });

  it('offers ad hoc filter keys and values, narrowed by the other filters', async () => {
    const keys = (await all().getTagKeys({ filters: [], timeRange: range() })).map((k) => k.text);
    expect(keys.slice(0, 3)).toEqual(['source_workload_namespace', 'source_workload', 'destination_service']);
    expect(keys).toContain('cluster');
    expect(keys).not.toContain('reporter');
    expect(keys).not.toContain('destination_service_name');
    const values = await all().getTagValues({
      key: 'cluster',
      filters: [{ key: 'source_workload_namespace', operator: '=', value: 'ops' }],
      timeRange: range(),
    });
    expect(values.map((v) => v.text)).toEqual(['legacy-1']);
  });

  it('applies ad hoc filters to every query type, and refuses an operator instead of dropping it', async () => {
    const filters = [{ key: 'cluster', operator: '=|', value: '', values: ['legacy-1'] }];
    const res = await runRequest(
      all(),
      queryRequest(
        [{ queryType: 'matrix' }, { queryType: 'series', groupBy: ['verdict'] }],
        TEST_END - 3600,
        TEST_END,
        {
          filters,
        }
      )
    );
    expect(res.errors).toBeUndefined();
    expect(new Set(frameCells(res.data[0]).map((c) => c.sourceNamespace))).toEqual(new Set(['ops', 'shop']));
    expect(
      res.data
        .slice(1)
        .every((f: { meta?: { executedQueryString?: string } }) =>
          f.meta?.executedQueryString?.includes('cluster=~"legacy-1"')
        )
    ).toBe(true);
    const bad = await runRequest(
      all(),
      queryRequest([{ queryType: 'matrix' }], TEST_END - 3600, TEST_END, {
        filters: [{ key: 'cluster', operator: '<', value: '3' }],
      })
    );
    expect(bad.errors?.[0].message).toMatch(/^Ad hoc filter cluster < "3": /);
  });
});
