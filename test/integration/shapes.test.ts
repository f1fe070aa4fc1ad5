import { parseAllDocuments } from 'yaml';
import type { Category } from '../../src/query/categories';
import type { EgressCell } from '../../src/query/cells';
import { fetchTransport } from '../../src/query/fetchTransport';
import { fetchCells } from '../../src/query/fetchCells';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { seriesQueries } from '../../src/query/templates';
import { TEST_END, demoFlows, demoGrid, expectedCells } from '../../harness/synthetic/mesh';
import { CIDR_ONLY_DESTINATION, SHAPES_CLUSTER, SHAPES_IN_CLUSTER_CIDRS } from '../../harness/synthetic/shapes';
import { prometheusUrl } from '../harness/state';
import { diffCells } from './expect';
import { cli } from './runCli';

/**
 * The shapes mesh (harness/synthetic/shapes.ts): every way traffic passes the catch-all clusters or leaves the
 * mesh otherwise, with the labels Istio writes. What the plugin calls each flow must match the flow's own
 * category, through the CLI, the query core and the PromQL the time series and rules use.
 */

const FROM = TEST_END - 3600;
const ALL: Category[] = ['external', 'in-mesh', 'registered', 'ambient'];
const flows = () => demoFlows().filter((f) => f.cluster === SHAPES_CLUSTER);
const want = (include: Category[] = ['external']) =>
  expectedCells(flows(), demoGrid(TEST_END), FROM, TEST_END, include);

const common = () => [
  '--prometheus',
  prometheusUrl(),
  '--from',
  String(FROM),
  '--to',
  String(TEST_END),
  '--selector',
  `cluster="${SHAPES_CLUSTER}"`,
  '--in-cluster-cidrs',
  SHAPES_IN_CLUSTER_CIDRS.join(','),
];

describe('istio-egress matrix on a mesh with every shape of catch-all traffic', () => {
  it('lists only external traffic by default, each cell marked external, and says what it left out', async () => {
    const r = await cli('matrix', ...common());
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.stdout).cells as EgressCell[];
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.every((c) => c.category === 'external')).toBe(true);
    expect(diffCells(cells, want())).toEqual([]);
    // Dynamic-DNS passthrough (Istio 1.31) is external traffic; pod IPs and mesh hosts are not.
    expect(cells.map((c) => c.destination)).toContain('httpbin.org');
    expect(cells.map((c) => c.destination)).not.toContain('10.244.3.17');
    expect(r.stderr).toBe('note: Not external, so not shown: 8 in-mesh pairs (--include in-mesh).\n');
    // Namespaces app and io run workloads, but no service notion or status exists: public names stay external.
    expect(cells.map((c) => c.destination)).toEqual(expect.arrayContaining(['notion.app', 'status.io']));
  });

  it('--include all lists every category with the reason, matching the flows', async () => {
    const r = await cli('matrix', ...common(), '--include', 'in-mesh,registered,ambient');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const cells = JSON.parse(r.stdout).cells as Array<EgressCell & { reason?: string }>;
    expect(diffCells(cells, want(ALL))).toEqual([]);
    const byDest = (d: string) => cells.find((c) => c.destination === d)!;
    expect(byDest('10.244.3.17').reason).toBe('reached workload kafka/kafka-broker by IP: not external');
    expect(byDest(CIDR_ONLY_DESTINATION).reason).toBe(
      `${CIDR_ONLY_DESTINATION} is in the in-cluster range 10.244.0.0/16: not external`
    );
    expect(byDest('reviews.shop').reason).toBe(
      "blocked in-mesh call: reviews.shop is service reviews in namespace shop (seen as a destination service of the mesh's own traffic), left out of the caller's Sidecar egress hosts"
    );
    expect(byDest('ledger.io').reason).toMatch(
      /^blocked in-mesh call: ledger.io is service ledger in namespace io \(seen as/
    );
    expect(byDest('inventory.news').reason).toMatch(
      /^inventory.news is service inventory in namespace news \(listed by kube-state-metrics' kube_service_info\), reached through PassthroughCluster/
    );
    expect(byDest('notion.app').category).toBe('external');
    expect(byDest('status.io').category).toBe('external');
    expect(byDest('istio-egressgateway.istio-system.svc.cluster.local').reason).toMatch(
      /egress gateway istio-egressgateway/
    );
    expect(byDest('uploads.example.net')).toMatchObject({ category: 'ambient', verdict: 'blackhole' });
    expect(cells.filter((c) => c.category === 'external').every((c) => c.reason === undefined)).toBe(true);
  });

  it('without in-cluster CIDRs, a pod IP without metadata cannot be told from an external one', async () => {
    const args = common().slice(0, -2);
    const r = await cli('matrix', ...args);
    const cells = JSON.parse(r.stdout).cells as EgressCell[];
    const cidrOnly = cells.filter((c) => c.destination === CIDR_ONLY_DESTINATION);
    expect(cidrOnly.map((c) => c.category)).toEqual(['external']);
    // The pod whose workload answered is in-mesh with or without the ranges.
    expect(cells.map((c) => c.destination)).not.toContain('10.244.7.3');
  });

  it('serviceentries never registers in-mesh, registered or ambient destinations', async () => {
    const r = await cli('serviceentries', ...common());
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .filter(Boolean);
    const hosts = docs.flatMap((d) => [...d.spec.hosts, ...(d.spec.addresses ?? [])] as string[]);
    expect(hosts.sort()).toEqual(
      [
        'api.github.com',
        // kiali, a sidecar in the root namespace: an entry of its own there.
        'api.github.com',
        'api.sendgrid.com',
        'api.weather.example',
        'httpbin.org',
        'notion.app',
        '93-184-216-34.external',
        '93.184.216.34/32',
      ].sort()
    );
  });

  it('rejects a malformed CIDR or category with one line naming it', async () => {
    const bad = await cli('matrix', ...common().slice(0, -1), '10.0.0.0/33');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'istio-egress: --in-cluster-cidrs: "10.0.0.0/33" is not an IP range. Write CIDRs such as 10.244.0.0/16 or fd00:10:244::/56.\n'
    );
    const cat = await cli('matrix', ...common(), '--include', 'mesh');
    expect(cat.code).toBe(1);
    expect(cat.stderr).toMatch(/^istio-egress: --include: "mesh" is not a category/);
  });
});

describe('PromQL-side classification (time series and rules) agrees with the matrix', () => {
  const api = () => new PrometheusApi(fetchTransport({ baseUrl: prometheusUrl() }));
  const scope = {
    extraMatchers: [{ label: 'cluster', op: '=' as const, value: SHAPES_CLUSTER }],
    mesh: { inClusterCidrs: SHAPES_IN_CLUSTER_CIDRS },
  };

  it('rates by destination read only external destinations (and the two-label hosts, which need evidence a selector cannot hold)', async () => {
    const queries = seriesQueries(scope, { groupBy: ['destination'], rateIntervalSeconds: 300 });
    const seen = new Set<string>();
    for (const q of queries) {
      const a = await api().instant(q.expr, TEST_END);
      a.data.forEach((s) => seen.add(s.metric.destination_service ?? s.metric.destination_ip));
    }
    // PassthroughCluster and BlackHoleCluster only: dynamic DNS shows in the matrix, not the rates.
    expect(Array.from(seen).sort()).toEqual(
      [
        '93.184.216.34:443',
        'api.github.com',
        'api.sendgrid.com',
        'pastebin.com',
        'reviews.shop',
        'notion.app',
        'status.io',
        'ledger.io',
        'inventory.news',
      ].sort()
    );
  });

  it('fetchCells with every category equals the flows, folding several pods into one cell', async () => {
    const got = await fetchCells(api(), {
      scope: { ...scope, include: ALL },
      from: FROM,
      to: TEST_END,
    });
    expect(diffCells(got.cells, want(ALL))).toEqual([]);
    expect(got.excluded).toEqual({});
    const github = got.cells.find((c) => c.destination === 'api.github.com' && c.sourceWorkload === 'frontend')!;
    // Three pods, each 4 requests a scrape.
    expect(github.requests).toBeGreaterThan(2 * 240 * 4);
  });
});
