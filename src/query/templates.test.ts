import { cellQueries, seriesQueries, describeTemplates } from './templates';
import {
  firstSeenPlan,
  firstSeenQueries,
  FIRST_SEEN_HOST_LIMIT,
  lookbackQueries,
  newDestinationQueries,
} from './newDestinationTemplates';
import { promqlErrors } from '../../test/promqlParser';
import type { EgressScope } from './selectors';

const SEL = 'reporter="source", destination_service_name=~"BlackHoleCluster|PassthroughCluster"';
const PEER = 'destination_workload, destination_workload_namespace';
/** What time series and new-destination queries add: no mesh peer, no mesh service host (selectors.ts). */
// A short name other than `unknown` (Envoy's Host for a request without one): selectors.test.ts checks it.
const SHORT_NAME =
  '(?:[^.:u][^.:]*|u[^.:n][^.:]*|u|un[^.:k][^.:]*|un|unk[^.:n][^.:]*|unk|unkn[^.:o][^.:]*|unkn|unkno[^.:w][^.:]*|unkno|unknow[^.:n][^.:]*|unknow|unknown[^.:]+)';
const EXTERNAL_HTTP = `${SEL}, destination_workload=~"|unknown", destination_service!~"(?:${SHORT_NAME}|.+\\\\.svc|.+\\\\.svc\\\\.cluster\\\\.local)\\\\.?(?::[0-9]+)?"`;

describe('cellQueries', () => {
  it('renders the catch-all instant queries, keeping the destination workload, and the dynamic-DNS one', () => {
    expect(cellQueries({}, 3600).map((q) => [q.id, q.expr])).toEqual([
      [
        'http.requests',
        `sum by (source_workload_namespace, source_workload, destination_service, destination_service_name, ${PEER}, response_code) (increase(istio_requests_total{${SEL}}[1h]))`,
      ],
      [
        'tcp.connections',
        `sum by (source_workload_namespace, source_workload, destination_ip, destination_service_name, ${PEER}) (increase(istio_tcp_connections_closed_total{${SEL}}[1h]))`,
      ],
      [
        'tcp.bytesSent',
        `sum by (source_workload_namespace, source_workload, destination_ip, destination_service_name, ${PEER}) (increase(istio_tcp_sent_bytes_total{reporter="source", destination_service_name="PassthroughCluster"}[1h]))`,
      ],
      [
        'tcp.bytesReceived',
        `sum by (source_workload_namespace, source_workload, destination_ip, destination_service_name, ${PEER}) (increase(istio_tcp_received_bytes_total{reporter="source", destination_service_name="PassthroughCluster"}[1h]))`,
      ],
      [
        'http.dynamicDns',
        `sum by (source_workload_namespace, source_workload, destination_service, destination_service_name, ${PEER}, response_code) (increase(istio_requests_total{reporter="source", destination_service_name!~"BlackHoleCluster|PassthroughCluster|InboundPassthroughCluster|InboundPassthroughClusterIpv4|InboundPassthroughClusterIpv6|unknown", destination_service_namespace="unknown"}[1h]))`,
      ],
    ]);
  });

  it('adds registered and ambient queries only when those categories are asked for', () => {
    expect(cellQueries({ include: ['registered', 'ambient'] }, 60).map((q) => [q.id, q.shape])).toEqual([
      ['http.requests', 'catchAll'],
      ['tcp.connections', 'catchAll'],
      ['tcp.bytesSent', 'catchAll'],
      ['tcp.bytesReceived', 'catchAll'],
      ['http.dynamicDns', 'dynamicDns'],
      ['http.registered.requests', 'registered'],
      ['tcp.registered.connections', 'registered'],
      ['tcp.registered.bytesSent', 'registered'],
      ['tcp.registered.bytesReceived', 'registered'],
      ['tcp.ambient.connections', 'ambient'],
      ['tcp.ambient.bytesSent', 'ambient'],
      ['tcp.ambient.bytesReceived', 'ambient'],
      ['http.waypoint.requests', 'waypoint'],
    ]);
    const [registered] = cellQueries({ include: ['registered'], listeners: ['http'] }, 60).filter(
      (q) => q.shape === 'registered'
    );
    expect(registered.expr).toContain(' or sum by ');
    expect(registered.expr).toContain('destination_service_name=~"istio-egressgateway"');
  });

  it('matches series without the destination label when asked for the destination `unknown`', () => {
    const [tcp] = cellQueries({ destination: { kind: 'values', values: ['unknown'] }, listeners: ['tcp'] }, 60);
    expect(tcp.expr).toContain('destination_ip=~"(?i:unknown|\\\\[unknown\\\\])(?::[0-9]+)?|"');
    expect(promqlErrors(tcp.expr)).toEqual([]);
  });

  it('applies filters, a custom IP label and one verdict', () => {
    const scope: EgressScope = {
      extraMatchers: [{ label: 'cluster', op: '=', value: 'eu-1' }],
      sourceNamespace: { kind: 'values', values: ['shop', 'data'] },
      sourceWorkload: { kind: 'regex', pattern: 'check.*' },
      destination: { kind: 'values', values: ['1.2.3.4'] },
      verdicts: ['blackhole'],
      listeners: ['tcp'],
      ipLabel: 'dst_addr',
    };
    expect(cellQueries(scope, 900).map((q) => q.expr)).toEqual([
      'sum by (source_workload_namespace, source_workload, dst_addr, destination_service_name, destination_workload, destination_workload_namespace) (increase(istio_tcp_connections_closed_total{reporter="source", destination_service_name="BlackHoleCluster", cluster="eu-1", source_workload_namespace=~"shop|data", source_workload=~"check.*", dst_addr=~"(?i:1\\\\.2\\\\.3\\\\.4|\\\\[1\\\\.2\\\\.3\\\\.4\\\\])(?::[0-9]+)?"}[15m]))',
    ]);
  });

  it('skips byte queries when only blackhole traffic is asked for (it moves no bytes)', () => {
    expect(cellQueries({ verdicts: ['blackhole'] }, 60).map((q) => q.id)).toEqual(['http.requests', 'tcp.connections']);
  });

  it('rejects an invalid IP label name instead of building a broken query', () => {
    expect(() => cellQueries({ ipLabel: 'dest-ip' }, 60)).toThrow(/destination IP label name/);
  });

  it('rejects an empty multi-value selection', () => {
    expect(() => cellQueries({ sourceNamespace: { kind: 'values', values: [] } }, 60)).toThrow(
      /No source namespace selected/
    );
  });
});

describe('seriesQueries', () => {
  it('groups by verdict and destination with the given rate interval', () => {
    expect(
      seriesQueries({ listeners: ['http'] }, { groupBy: ['verdict', 'destination'], rateIntervalSeconds: 60 })[0].expr
    ).toBe(`sum by (destination_service_name, destination_service) (rate(istio_requests_total{${EXTERNAL_HTTP}}[1m]))`);
  });

  it('turns recorded increases into rates after the sum (one division per group, not per series)', () => {
    const [fine, hourly] = [300, 3600].map(
      (rateIntervalSeconds) =>
        seriesQueries({ listeners: ['http'] }, { groupBy: ['destination'], rateIntervalSeconds, recorded: true })[0]
          .expr
    );
    expect(fine).toMatch(
      /^sum by \(destination_service\) \(sum_over_time\(istio_egress:istio_requests:increase5m\{.*\}\[5m\]\)\) \/ 300$/
    );
    expect(hourly).toMatch(
      /^sum by \(destination_service\) \(sum_over_time\(istio_egress:istio_requests:increase1h\{.*\}\[1h\]\)\) \/ 3600$/
    );
  });

  it('keeps the namespace beside a workload, since names repeat across namespaces', () => {
    expect(
      seriesQueries({ listeners: ['http'] }, { groupBy: ['sourceWorkload'], rateIntervalSeconds: 30 })[0].expr
    ).toContain('sum by (source_workload, source_workload_namespace)');
  });

  it('sums everything when nothing is grouped, and queries bytes for passthrough only', () => {
    const q = seriesQueries({}, { groupBy: [], rateIntervalSeconds: 120, kind: 'bytes' });
    expect(q.map((x) => x.expr)).toEqual([
      'sum(rate(istio_tcp_sent_bytes_total{reporter="source", destination_service_name="PassthroughCluster", destination_workload=~"|unknown"}[2m]))',
      'sum(rate(istio_tcp_received_bytes_total{reporter="source", destination_service_name="PassthroughCluster", destination_workload=~"|unknown"}[2m]))',
    ]);
  });
});

describe('newDestinationQueries', () => {
  it('drops destinations seen by anyone in the look-back before the window', () => {
    const [http] = newDestinationQueries({ listeners: ['http'] }, { windowSeconds: 3600, lookbackSeconds: 86400 });
    expect(http.expr).toBe(
      `(sum by (source_workload_namespace, source_workload, destination_service, destination_service_name, ${PEER}) (increase(istio_requests_total{${EXTERNAL_HTTP}}[1h])) > 0)` +
        ` unless on (destination_service) (count by (destination_service) (count_over_time(istio_requests_total{${EXTERNAL_HTTP}}[1d] offset 1h))` +
        // Istio 1.31's dynamic-DNS passthrough, which the matrix counts as external too.
        ` or count by (destination_service) (count_over_time(istio_requests_total{reporter="source", destination_service_name!~"BlackHoleCluster|PassthroughCluster|InboundPassthroughCluster|InboundPassthroughClusterIpv4|InboundPassthroughClusterIpv6|unknown", destination_service_namespace="unknown"}[1d] offset 1h)))`
    );
  });

  it('asks the look-back alone for the data source, from the hourly tier where it covers it', () => {
    const [http, tcp] = lookbackQueries(
      { verdicts: ['blackhole'] },
      { windowSeconds: 86400, lookbackSeconds: 7 * 86400, recorded: true, hourlyLookback: true }
    );
    expect(http.expr).toMatch(
      /^count by \(destination_service\) \(count_over_time\(istio_egress:istio_requests:increase1h\{.*\}\[7d\] offset 1d\)\) or count by \(destination_service\) \(count_over_time\(istio_egress:istio_requests:increase5m\{.*\}\[1h\] offset 1d\)\)$/
    );
    // Blocked only: no dynamic-DNS part (that traffic always passes).
    expect(http.expr).not.toContain('destination_service_namespace="unknown"');
    expect(tcp.destinationLabel).toBe('destination_ip');
  });
});

describe('firstSeenQueries', () => {
  const tiers = { from: 0, to: 7 * 86400, firstHour: 3600.5, lastHour: 7 * 86400 - 1799.5 };
  it('reads the hourly tier at hour steps over a week, and the 5-minute tier after its last sample', () => {
    const [http] = firstSeenQueries(
      { listeners: ['http'] },
      { windowSeconds: 7 * 86400, stepSeconds: 2016, recorded: true, tiers }
    );
    expect(http.expr).toContain('increase1h');
    expect(http.expr).toMatch(/\[7d:1h\]\) or label_replace\(min_over_time/);
    // The 5-minute part covers every 5-minute sample after the last hourly one (1799.5 s before the end), from
    // one step before it so that its first step sees a sample: at least that long, less than a step longer.
    const fine = Number(/\[(\d+)ms:5m\]/.exec(http.expr)?.[1]) / 1000;
    expect(fine).toBeGreaterThanOrEqual(tiers.to - tiers.lastHour + 300);
    expect(fine).toBeLessThan(tiers.to - tiers.lastHour + 600);
  });

  it('stays on the 5-minute tier at steps under half an hour', () => {
    const [http] = firstSeenQueries(
      { listeners: ['http'] },
      { windowSeconds: 86400, stepSeconds: 300, recorded: true, tiers }
    );
    expect(http.expr).not.toContain('increase1h');
    expect(http.expr).toMatch(/\[1d:5m\]\)\)$/);
  });
});

describe('firstSeenPlan', () => {
  const day = { from: 0, to: 86400, firstHour: 3600.5, lastHour: 86400 - 1799.5 };
  const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
  const opts = { windowSeconds: 86400, minStepSeconds: 300, recorded: true, tiers: day };

  it('asks for a few new destinations by name, at 5-minute steps over a day', () => {
    const plan = firstSeenPlan({ listeners: ['http'] }, hosts(3), opts);
    expect(plan.toTheHour).toBe(false);
    expect(plan.queries[0].expr).toContain('destination_service=~"(?i:h0\\\\.example\\\\.com|');
    expect(plan.queries[0].expr).toMatch(/\[1d:5m\]\)\)$/);
  });

  it('reads every series at hour steps from the hourly tier when too many are new to name', () => {
    const plan = firstSeenPlan({ listeners: ['http'] }, hosts(FIRST_SEEN_HOST_LIMIT + 1), opts);
    expect(plan.toTheHour).toBe(true);
    expect(plan.queries[0].expr).not.toContain('h0');
    expect(plan.queries[0].expr).toContain('increase1h');
    expect(plan.queries[0].expr).toMatch(/\[1d:1h\]\) or label_replace\(min_over_time/);
  });

  it('reads every series for `all`: at a week, at the hourly tier\'s own steps (not "to the hour" by choice)', () => {
    const week = { from: 0, to: 7 * 86400, firstHour: 3600.5, lastHour: 7 * 86400 - 1799.5 };
    const plan = firstSeenPlan({ listeners: ['http'] }, 'all', { ...opts, windowSeconds: 7 * 86400, tiers: week });
    expect(plan).toMatchObject({ toTheHour: false, hourly: true });
    expect(plan.queries[0].expr).not.toContain('destination_service=~');
    expect(plan.queries[0].expr).toMatch(/\[7d:1h\]\) or label_replace\(min_over_time/);
    expect(firstSeenPlan({ listeners: ['http'] }, 'all', opts)).toMatchObject({ toTheHour: true, hourly: true });
  });

  it('stays at 5-minute steps on every series when there is no hourly tier, and asks nothing for none', () => {
    const plan = firstSeenPlan({ listeners: ['http'] }, hosts(FIRST_SEEN_HOST_LIMIT + 1), {
      ...opts,
      tiers: undefined,
    });
    expect(plan.toTheHour).toBe(false);
    expect(plan.queries[0].expr).toMatch(/\[1d:5m\]\)\)$/);
    expect(firstSeenPlan({}, [], opts)).toEqual({ queries: [], toTheHour: false, hourly: false });
  });
});

describe('every template', () => {
  const scopes: EgressScope[] = [
    {},
    {
      verdicts: ['passthrough'],
      listeners: ['tcp'],
      ipLabel: 'dst',
      mesh: { inClusterCidrs: ['10.244.0.0/16', 'fd00::/8'] },
    },
    {
      extraMatchers: [{ label: 'mesh', op: '!~', value: 'a"b\\c\n' }],
      destination: { kind: 'values', values: ['api.x.com', '::1'] },
    },
  ];
  it.each(scopes.map((s) => [JSON.stringify(s), s]))('parses with the Prometheus grammar: %s', (_name, scope) => {
    const t = describeTemplates(scope as EgressScope, 3600, 60);
    const week = { from: 0, to: 7 * 86400, firstHour: 3600, lastHour: 7 * 86400 - 600 };
    const all = [
      ...cellQueries({ ...(scope as EgressScope), include: ['in-mesh', 'registered', 'ambient'] }, 60),
      ...cellQueries(scope as EgressScope, 7 * 86400, { recorded: true, tiers: { ...week, from: 1800 } }),
      ...t.rates,
      ...t.bytes,
      ...t.newDestinations,
      ...lookbackQueries(scope as EgressScope, { windowSeconds: 3600, lookbackSeconds: 86400, recorded: true }),
      ...firstSeenQueries(scope as EgressScope, {
        windowSeconds: 7 * 86400,
        stepSeconds: 2016,
        recorded: true,
        tiers: { from: 0, to: 7 * 86400, firstHour: 3600, lastHour: 7 * 86400 - 600 },
      }),
    ];
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((q) => q.split)).toBe(true);
    for (const q of all) {
      expect(promqlErrors(q.expr)).toEqual([]);
      for (const part of q.split?.parts ?? []) {
        expect(promqlErrors(part)).toEqual([]);
      }
    }
  });
});
