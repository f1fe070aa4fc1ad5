/**
 * @jest-environment jsdom
 */
import {
  DEMO_CLUSTER,
  LEGACY_CLUSTER,
  TEST_END,
  demoFlows,
  demoGrid,
  expectedCells,
} from '../../harness/synthetic/mesh';
import { DataSource } from '../../src/datasource/datasource';
import type { EgressCell } from '../../src/query/cells';
import { readFrames } from '../../src/panel/model/readFrame';
import { buildMatrix } from '../../src/panel/model/matrix';
import { defaultOptions } from '../../src/shared/panelOptions';
import { fakeBackendSrv, fakeTemplateSrv, instanceSettings, queryRequest, runRequest } from '../fakes/grafana';
import { prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';
import { diffCells } from './expect';
import { cli } from './runCli';

/**
 * A multi-cluster mesh: the series carry Istio's `source_cluster`, and shop/checkout calls api.stripe.com
 * from two clusters. With "by cluster" every cell is one cluster's, and the counts are that cluster's alone.
 */

const FROM = TEST_END - 3600;
const CLUSTERS = [DEMO_CLUSTER, LEGACY_CLUSTER];
const selector = `cluster=~"${CLUSTERS.join('|')}"`;
const perCluster = (): EgressCell[] =>
  CLUSTERS.flatMap((cluster) =>
    expectedCells(
      demoFlows().filter((f) => f.cluster === cluster),
      demoGrid(TEST_END),
      FROM,
      TEST_END
    ).map((c) => ({ ...c, sourceCluster: cluster }))
  );
const args = [
  '--prometheus',
  prometheusUrl(),
  '--from',
  String(FROM),
  '--to',
  String(TEST_END),
  '--selector',
  selector,
];
const stripe = (cells: EgressCell[]) =>
  cells.filter(
    (c) => c.sourceNamespace === 'shop' && c.sourceWorkload === 'checkout' && c.destination === 'api.stripe.com'
  );

describe('a multi-cluster mesh (source_cluster)', () => {
  it('CLI --by-cluster: sourceCluster on every cell, counts never mixed across clusters', async () => {
    const r = await cli('matrix', ...args, '--by-cluster');
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.stdout).cells as EgressCell[];
    expect(diffCells(cells, perCluster())).toEqual([]);
    expect(cells.every((c) => CLUSTERS.includes(c.sourceCluster!))).toBe(true);
    const both = stripe(cells);
    expect(both.map((c) => c.sourceCluster).sort()).toEqual([...CLUSTERS].sort());
    // Without it the pair is one cell: the two clusters' requests added up.
    const plain = JSON.parse((await cli('matrix', ...args)).stdout).cells as EgressCell[];
    expect(plain.every((c) => c.sourceCluster === undefined)).toBe(true);
    const [summed] = stripe(plain);
    expect(summed.requests).toBeCloseTo(both[0].requests + both[1].requests, 0);
  });

  it('CLI table: a CLUSTER column first', async () => {
    const r = await cli('matrix', ...args, '--by-cluster', '--format', 'table');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+DESTINATION/);
    expect(lines.filter((l) => /^legacy-1\s+shop\s+checkout\s+api\.stripe\.com/.test(l))).toHaveLength(1);
  });

  it('the data source frame leads with sourceCluster, and the panel groups rows by cluster and namespace', async () => {
    const ds = new DataSource(instanceSettings({}, PROXY), fakeTemplateSrv(), fakeBackendSrv(proxyTo(prometheusUrl)));
    const res = await runRequest(
      ds,
      queryRequest([{ queryType: 'matrix', byCluster: true, matchers: selector }], FROM, TEST_END)
    );
    const frame = res.data[0];
    expect(frame.fields[0].name).toBe('sourceCluster');
    const read = readFrames(res.data);
    if (!('table' in read)) {
      throw new Error(`missing fields ${read.missing}`);
    }
    const model = buildMatrix(read.table, { ...defaultOptions, collapsedGroups: new Set() });
    const rows = model.rows.map((r) => r.key);
    expect(rows).toEqual(
      expect.arrayContaining([`${DEMO_CLUSTER} · shop/checkout`, `${LEGACY_CLUSTER} · shop/checkout`])
    );
    // Off: one row per workload, the clusters' counts together.
    const merged = readFrames(res.data, undefined, { clusterRows: false });
    if (!('table' in merged)) {
      throw new Error('missing fields');
    }
    expect(buildMatrix(merged.table, { ...defaultOptions }).rows.map((r) => r.key)).toContain('shop/checkout');
  });
});
