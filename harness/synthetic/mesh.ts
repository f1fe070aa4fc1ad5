import type { Category } from '../../src/query/categories';
import { cellKey, type EgressCell } from '../../src/query/cells';
import type { Listener, Verdict } from '../../src/query/labels';
import type { Flow, FlowBase } from './flows';
import { lockdownFlows } from './lockdown';
import { shapeFlows, shapeMeshSeries } from './shapes';
import { type CounterSpec, type Grid, windowIncrease } from './series';

/**
 * The synthetic mesh: a list of egress flows (what really happened, in the plugin's own terms) rendered
 * into the Prometheus series Istio's sidecars would export for them, plus series that must never count
 * as egress. Tests compare what the plugin reads back from a real Prometheus with the flows, so the
 * expected cells never come from the code under test.
 */

const CLUSTER_NAME: Record<Verdict, string> = { blackhole: 'BlackHoleCluster', passthrough: 'PassthroughCluster' };

function commonLabels(f: { cluster: string; ns: string; wl: string }, reporter = 'source'): Record<string, string> {
  return {
    cluster: f.cluster,
    // Istio's own label for the caller's cluster (its multi-cluster meshes); `cluster` is the scrape's.
    source_cluster: f.cluster,
    reporter,
    source_workload: f.wl,
    source_workload_namespace: f.ns,
    source_app: f.wl,
    source_principal: 'unknown',
    destination_workload: 'unknown',
    destination_workload_namespace: 'unknown',
    destination_app: 'unknown',
    destination_service_namespace: 'unknown',
    destination_principal: 'unknown',
    connection_security_policy: 'unknown',
  };
}

const lifetime = (f: FlowBase) => ({ start: f.start, stop: f.stop, resetAt: f.resetAt });

/** One copy of every spec per pod, told apart by the scrape labels Prometheus' Kubernetes discovery adds. */
function perPod(flow: Flow, specs: CounterSpec[]): CounterSpec[] {
  const pods = flow.pods ?? 1;
  if (pods <= 1) {
    return specs;
  }
  const out: CounterSpec[] = [];
  for (let i = 0; i < pods; i++) {
    const pod = `${flow.wl}-7d9f8b6c5-${'abcdefghjk'[i % 10]}${i}x2q`;
    const instance = `10.244.${(flow.ns.length * 7 + i) % 250}.${(flow.wl.length * 13 + i * 3) % 250}:15020`;
    for (const spec of specs) {
      out.push({ ...spec, labels: { ...spec.labels, pod, instance } });
    }
  }
  return out;
}

export function flowSeries(flow: Flow, ipLabel = 'destination_ip'): CounterSpec[] {
  return perPod(flow, oneProxySeries(flow, ipLabel));
}

function oneProxySeries(flow: Flow, ipLabel: string): CounterSpec[] {
  const base = {
    ...commonLabels(flow, flow.reporter),
    destination_service_name: flow.serviceName ?? CLUSTER_NAME[flow.verdict],
    ...flow.labels,
  };
  if (flow.listener === 'http') {
    return Object.entries(flow.codes).map(([code, perStep]) => ({
      name: 'istio_requests_total',
      labels: {
        destination_service: flow.hostHeader ?? flow.destination ?? '',
        request_protocol: 'http',
        response_code: code,
        response_flags: '-',
        ...base,
      },
      perStep,
      ...lifetime(flow),
    }));
  }
  const labels: Record<string, string> = {
    destination_service: 'unknown',
    request_protocol: 'tcp',
    response_flags: flow.verdict === 'blackhole' ? 'UH' : '-',
    ...base,
  };
  if (flow.ipValue !== undefined) {
    labels[ipLabel] = flow.ipValue;
  }
  const specs: CounterSpec[] = [
    {
      name: 'istio_tcp_connections_opened_total',
      labels,
      perStep: flow.connsPerStep,
      initial: flow.initialConnections,
      ...lifetime(flow),
    },
    { name: 'istio_tcp_connections_closed_total', labels, perStep: flow.connsPerStep, ...lifetime(flow) },
  ];
  if (flow.verdict === 'passthrough' || flow.sentPerStep > 0 || flow.receivedPerStep > 0) {
    specs.push(
      { name: 'istio_tcp_sent_bytes_total', labels, perStep: flow.sentPerStep, ...lifetime(flow) },
      { name: 'istio_tcp_received_bytes_total', labels, perStep: flow.receivedPerStep, ...lifetime(flow) }
    );
  }
  return specs;
}

function withLabels(spec: CounterSpec, labels: Record<string, string>): CounterSpec {
  return { ...spec, labels: { ...spec.labels, ...labels } };
}

export interface NoiseSeries {
  why: string;
  spec: CounterSpec;
}

/** Series near egress that must never become cells: in-mesh, inbound, ServiceEntry hosts, look-alike names. */
export function noiseSeries(cluster: string, ipLabel = 'destination_ip'): NoiseSeries[] {
  const http = (ns: string, wl: string, dsn: string, dest: string, reporter = 'source'): CounterSpec => ({
    name: 'istio_requests_total',
    labels: {
      ...commonLabels({ cluster, ns, wl }, reporter),
      destination_service_name: dsn,
      destination_service: dest,
      request_protocol: 'http',
      response_code: dsn === 'BlackHoleCluster' ? '502' : '200',
      response_flags: '-',
    },
    perStep: 3,
  });
  const tcp = (ns: string, wl: string, dsn: string, reporter: string): CounterSpec => ({
    name: 'istio_tcp_connections_closed_total',
    labels: {
      ...commonLabels({ cluster, ns, wl }, reporter),
      destination_service_name: dsn,
      destination_service: 'unknown',
      request_protocol: 'tcp',
      response_flags: '-',
      [ipLabel]: '10.0.0.9:8080',
    },
    perStep: 2,
  });
  return [
    {
      why: 'in-mesh service',
      spec: withLabels(http('shop', 'frontend', 'reviews', 'reviews.shop.svc.cluster.local'), {
        destination_workload: 'reviews-v1',
        destination_workload_namespace: 'shop',
        destination_service_namespace: 'shop',
      }),
    },
    {
      // Since Istio 1.23 a ServiceEntry host's series carry the entry's namespace (cluster metadata).
      why: 'host registered by a ServiceEntry',
      spec: withLabels(http('shop', 'checkout', 'api.partner.com', 'api.partner.com'), {
        destination_service_namespace: 'shop',
      }),
    },
    {
      why: 'inbound blackhole (reporter destination)',
      spec: http('unknown', 'unknown', 'BlackHoleCluster', 'checkout.shop.svc.cluster.local', 'destination'),
    },
    { why: 'inbound blackhole on TCP', spec: tcp('unknown', 'unknown', 'BlackHoleCluster', 'destination') },
    { why: 'inbound passthrough', spec: tcp('unknown', 'unknown', 'InboundPassthroughClusterIpv4', 'destination') },
    {
      why: 'look-alike cluster name on the source side',
      spec: tcp('shop', 'frontend', 'InboundPassthroughCluster', 'source'),
    },
    {
      why: 'passthrough seen by the destination reporter',
      spec: http('shop', 'frontend', 'PassthroughCluster', 'example.org', 'destination'),
    },
  ];
}

/**
 * Workload names full of what breaks queries: quotes, backslashes, newlines, regex metacharacters,
 * markup and non-ASCII text. Each talks to one host of its own, so a filter on it must return exactly
 * that one cell.
 */
export const NASTY_WORKLOADS: readonly string[] = [
  'quote"inside',
  'back\\slash',
  'new\nline',
  'dot.star.*',
  'a|b',
  '(group)[class]{1,2}',
  '^anchored$',
  'plus+question?',
  "single'tick`back",
  '<img src=x onerror=alert(1)>',
  'café-日本-😀',
  '  spaced  ',
  '\\"both\\"',
  '${var}',
  '',
];

export const DEMO_CLUSTER = 'demo-1';
export const LEGACY_CLUSTER = 'legacy-1';

/** The built-in demo mesh: every case the plugin must get right. Steps are 15 s; the data spans 2 h. */
/**
 * `fixtures`: add the workloads with hostile names (NASTY_WORKLOADS) that tests need; the demo that
 * `npm start`, screenshots and the compose exporter show is the realistic mesh without them.
 */
export function demoFlows(opts: { fixtures?: boolean } = {}): Flow[] {
  const c = DEMO_CLUSTER;
  const flows: Flow[] = [
    {
      cluster: c,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.stripe.com',
      codes: { '200': 4, '500': 1 },
    },
    {
      cluster: c,
      ns: 'shop',
      wl: 'frontend',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'fonts.googleapis.com',
      codes: { '200': 10 },
    },
    // The namespace moved to REGISTRY_ONLY mid-window: the same pair is seen allowed, then blocked.
    {
      cluster: c,
      ns: 'shop',
      wl: 'frontend',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.segment.io',
      codes: { '200': 3 },
      stop: 300,
    },
    {
      cluster: c,
      ns: 'shop',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'api.segment.io',
      codes: { '502': 3 },
      start: 301,
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'etl',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'pypi.org',
      codes: { '502': 2 },
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'reports',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.github.com',
      hostHeader: 'api.github.com:8443',
      port: 8443,
      codes: { '200': 1 },
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'reports',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'apixstripe.com',
      codes: { '200': 1 },
    },
    // A proxy restart: the counter drops to 0 and counts on.
    {
      cluster: c,
      ns: 'legacy',
      wl: 'batch',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'evil.example.net',
      codes: { '502': 5 },
      resetAt: 360,
    },
    // Stopped before the last hour: present in the data, absent from the window.
    {
      cluster: c,
      ns: 'data',
      wl: 'etl',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'files.pythonhosted.org',
      codes: { '200': 2 },
      stop: 200,
    },
    // Born inside the window: a new destination.
    {
      cluster: c,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'hooks.slack.com',
      codes: { '200': 2 },
      start: 400,
    },
    // The same host as another client library writes it: DNS names are case-insensitive, one destination.
    {
      cluster: c,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'hooks.slack.com',
      hostHeader: 'Hooks.Slack.COM',
      codes: { '200': 1 },
      start: 400,
    },

    {
      cluster: c,
      ns: 'shop',
      wl: 'payments',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '52.216.10.4',
      port: 443,
      ipValue: '52.216.10.4:443',
      connsPerStep: 2,
      sentPerStep: 1000,
      receivedPerStep: 5000,
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'etl',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '2001:db8::7',
      port: 5432,
      ipValue: '[2001:db8::7]:5432',
      connsPerStep: 1,
      sentPerStep: 300,
      receivedPerStep: 90000,
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'etl',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '203.0.113.10',
      // Istio before the Telemetry API wrote a bare IP: the port it used is not in the metrics.
      ipValue: '203.0.113.10',
      dialPort: 6379,
      connsPerStep: 1,
      sentPerStep: 200,
      receivedPerStep: 400,
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'reports',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '203.0.113.50',
      port: 9000,
      ipValue: '203.0.113.50:9000',
      connsPerStep: 0,
      sentPerStep: 50,
      receivedPerStep: 7000,
      initialConnections: 1,
    },
    {
      cluster: c,
      ns: 'legacy',
      wl: 'batch',
      verdict: 'blackhole',
      listener: 'tcp',
      destination: '198.51.100.7',
      port: 22,
      ipValue: '198.51.100.7:22',
      connsPerStep: 3,
      sentPerStep: 0,
      receivedPerStep: 0,
    },
    {
      cluster: c,
      ns: 'shop',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'tcp',
      destination: '2001:db8::9',
      ipValue: '2001:db8::9',
      connsPerStep: 1,
      sentPerStep: 0,
      receivedPerStep: 0,
    },
    {
      cluster: c,
      ns: 'shop',
      wl: 'payments',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '52.217.0.20',
      port: 443,
      ipValue: '52.217.0.20:443',
      connsPerStep: 1,
      sentPerStep: 100,
      receivedPerStep: 2000,
      start: 250,
      stop: 420,
    },

    // The same workload and destination as in the demo cluster: a multi-cluster mesh must not add them up
    // when asked to keep clusters apart (--by-cluster).
    {
      cluster: LEGACY_CLUSTER,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.stripe.com',
      codes: { '200': 2 },
    },
    // A cluster whose operators never added the IP label: TCP destinations are unknown.
    {
      cluster: LEGACY_CLUSTER,
      ns: 'ops',
      wl: 'backup',
      verdict: 'passthrough',
      listener: 'tcp',
      connsPerStep: 2,
      sentPerStep: 20000,
      receivedPerStep: 100,
    },
    // An HTTP/1.0 health checker sends no Host header: Envoy reports destination_service "unknown".
    {
      cluster: LEGACY_CLUSTER,
      ns: 'ops',
      wl: 'pinger',
      verdict: 'passthrough',
      listener: 'http',
      hostHeader: 'unknown',
      codes: { '200': 1 },
    },
    {
      cluster: LEGACY_CLUSTER,
      ns: 'ops',
      wl: 'cron',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'registry.npmjs.org',
      codes: { '502': 1 },
    },
  ];
  (opts.fixtures === false ? [] : NASTY_WORKLOADS).forEach((wl, i) => {
    flows.push({
      cluster: c,
      ns: 'escape-test',
      wl,
      verdict: 'passthrough',
      listener: 'http',
      destination: `nasty-${i}.example.com`,
      codes: { '200': 1 },
    });
  });
  return [...flows, ...shapeFlows(), ...lockdownFlows()];
}

export const DEMO_GRID_STEPS = 480;
export const DEMO_INTERVAL = 15;

/** A fixed end time for tests (2026-01-01T00:00:00Z), so every run sees the same data. */
export const TEST_END = 1767225600;

export function demoGrid(end: number): Grid {
  return { end: end - (end % DEMO_INTERVAL), interval: DEMO_INTERVAL, steps: DEMO_GRID_STEPS };
}

export function demoSeries(ipLabel = 'destination_ip', opts: { fixtures?: boolean } = {}): CounterSpec[] {
  return [
    ...demoFlows(opts).flatMap((f) => flowSeries(f, ipLabel)),
    ...[DEMO_CLUSTER, LEGACY_CLUSTER].flatMap((c) => noiseSeries(c, ipLabel).map((n) => n.spec)),
    ...shapeMeshSeries(),
  ];
}

/**
 * The cells a correct reader must find for `flows` over [from, to]: derived from the flows' own terms
 * (destination, port, verdict), with counts from the samples on the grid.
 */
export function expectedCells(
  flows: readonly Flow[],
  grid: Grid,
  from: number,
  to: number,
  include: readonly Category[] = ['external']
): EgressCell[] {
  const cells: EgressCell[] = [];
  for (const f of flows) {
    if (!include.includes(f.category ?? 'external')) {
      continue;
    }
    const specs = flowSeries(f);
    const inc = specs.map((s) => windowIncrease(s, grid, from, to));
    if (inc.every((v) => v === undefined)) {
      continue;
    }
    const sumOf = (name: string) => specs.reduce((acc, s, i) => acc + (s.name === name ? (inc[i] ?? 0) : 0), 0);
    const cell: EgressCell = {
      sourceNamespace: f.ns || 'unknown',
      sourceWorkload: f.wl || 'unknown',
      destination: f.destination ?? 'unknown',
      verdict: f.verdict,
      listener: f.listener as Listener,
      requests: sumOf('istio_requests_total'),
      connections: sumOf('istio_tcp_connections_closed_total'),
      bytesSent: sumOf('istio_tcp_sent_bytes_total'),
      bytesReceived: sumOf('istio_tcp_received_bytes_total'),
      category: f.category ?? 'external',
    };
    if (f.port !== undefined) {
      cell.port = f.port;
    }
    if (f.listener === 'http') {
      const codes: Record<string, number> = {};
      specs.forEach((s, i) => {
        codes[s.labels.response_code] = (codes[s.labels.response_code] ?? 0) + (inc[i] ?? 0);
      });
      cell.responseCodes = codes;
    }
    cells.push(cell);
  }
  return mergeEqualCells(cells);
}

/**
 * Flows of two clusters with the same workload, destination and verdict are one cell unless the reader
 * keeps clusters apart (--by-cluster): their counts add up, as Prometheus' `sum by` adds them.
 */
function mergeEqualCells(cells: EgressCell[]): EgressCell[] {
  const byKey = new Map<string, EgressCell>();
  for (const c of cells) {
    const key = cellKey(c);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, c);
      continue;
    }
    seen.requests += c.requests;
    seen.connections += c.connections;
    seen.bytesSent += c.bytesSent;
    seen.bytesReceived += c.bytesReceived;
    if (c.responseCodes) {
      const codes = { ...(seen.responseCodes ?? {}) };
      for (const [code, n] of Object.entries(c.responseCodes)) {
        codes[code] = (codes[code] ?? 0) + n;
      }
      seen.responseCodes = codes;
    }
  }
  return [...byKey.values()];
}
