/**
 * @jest-environment jsdom
 */
import { readFileSync } from 'node:fs';
import { datasources } from '../../src/provisioning/datasources';
import { DEMO_SETTINGS_FILE } from '../../harness/demo/settingsFile';
import { readSettingsFile } from '../../src/cli/settingsFile';
import path from 'node:path';
import { lastValueFrom } from 'rxjs';
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type DataTransformerConfig,
  FieldType,
  getFieldDisplayValues,
  transformDataFrame,
} from '@grafana/data';
import { registerStandardTransformers } from '../fakes/grafanaTransformers';
import { DataSource } from '../../src/datasource/datasource';
import { instanceSettings, queryRequest, fakeBackendSrv, fakeTemplateSrv, runRequest } from '../fakes/grafana';
import type { EgressOptions } from '../../src/datasource/types';
import type { EgressDataQuery } from '../../src/shared/queryModel';
import { cellVolume, type EgressCell } from '../../src/query/cells';
import type { Flow } from '../../harness/synthetic/flows';
import { TEST_END, demoFlows, demoGrid, expectedCells, flowSeries } from '../../harness/synthetic/mesh';
import { stepTime, valueAt, windowIncrease } from '../../harness/synthetic/series';
import { prometheusUrl } from '../harness/state';
import { PROXY, proxyTo } from './dataProxy';
import { close } from './expect';

/**
 * Each provisioned dashboard taken as Grafana takes it: variables at their defaults, every panel's targets
 * through the real data source against the real Prometheus, the panel's transformations through
 * @grafana/data's own transformer registry, field config applied, and the panel's reduction
 * (getFieldDisplayValues for stat panels, rows for tables, last values for time series). What a user would
 * read is compared with what the synthetic mesh really did.
 */
const ROOT = path.join(__dirname, '..', '..');
const FROM = TEST_END - 3600;
const grid = demoGrid(TEST_END);
const theme = createTheme();

interface Panel {
  id: number;
  type: string;
  title: string;
  targets: EgressDataQuery[];
  transformations?: DataTransformerConfig[];
  options?: { reduceOptions?: { calcs: string[]; fields: string; values: boolean } };
  fieldConfig?: { defaults: Record<string, unknown>; overrides: [] };
}

const dashboard = JSON.parse(
  readFileSync(path.join(ROOT, 'provisioning/dashboards/istio-egress-overview.json'), 'utf8')
);
const panelByTitle = (title: string): Panel => dashboard.panels.find((p: Panel) => p.title === title);

// The data source as provisioned for the demo mesh (in-cluster CIDRs, alerting data source, names), at the test Prometheus.
const provisioned = datasources('', readSettingsFile(DEMO_SETTINGS_FILE)).find((d) => d.uid === 'istio-egress')!
  .jsonData as EgressOptions;

// Dashboard variables at their defaults: every one "All" with the allValue the dashboard declares.
const vars = fakeTemplateSrv(
  (
    dashboard.templating.list as Array<{
      name: string;
      type: string;
      allValue?: string;
      options?: Array<{ value: string }>;
    }>
  )
    .filter((v) => v.type !== 'datasource')
    .map((v) => ({
      name: v.name,
      current: '$__all',
      options: (v.options ?? []).map((o) => o.value),
      allValue: v.allValue,
    }))
);
const ds = new DataSource(instanceSettings(provisioned, PROXY), vars, fakeBackendSrv(proxyTo(prometheusUrl)));

beforeAll(registerStandardTransformers);

/** A panel's frames as the visualization receives them. */
async function panelData(panel: Panel, source: DataSource = ds): Promise<DataFrame[]> {
  const res = await runRequest(
    source,
    queryRequest(panel.targets, FROM, TEST_END, { panelId: panel.id, dashboardUID: dashboard.uid })
  );
  expect(res.errors).toBeUndefined();
  const transformed = panel.transformations?.length
    ? await lastValueFrom(transformDataFrame(panel.transformations, res.data))
    : res.data;
  return applyFieldOverrides({
    data: transformed,
    fieldConfig: (panel.fieldConfig as never) ?? { defaults: {}, overrides: [] },
    replaceVariables: (s: string) => s,
    theme,
    timeZone: 'utc',
  });
}

/**
 * What a stat panel shows: getFieldDisplayValues with the panel's reduceOptions, read as the number its text
 * says (a count over a string field has a display text but no numeric value in Grafana's display processor).
 */
async function statValue(title: string, source: DataSource = ds): Promise<number> {
  const panel = panelByTitle(title);
  const values = getFieldDisplayValues({
    data: await panelData(panel, source),
    reduceOptions: panel.options!.reduceOptions!,
    fieldConfig: (panel.fieldConfig as never) ?? { defaults: {}, overrides: [] },
    replaceVariables: (s: string) => s,
    theme,
    timeZone: 'utc',
  });
  expect(values).toHaveLength(1);
  const { numeric, text, suffix } = values[0].display;
  return Number.isFinite(numeric) ? numeric : Number(`${text}${suffix ?? ''}`);
}

const truth = (): EgressCell[] => expectedCells(demoFlows(), grid, FROM, TEST_END);
const sum = (cells: EgressCell[], pick: (c: EgressCell) => number) => cells.reduce((a, c) => a + pick(c), 0);

/** The raw destination label of a flow's series, as the look-back compares it. */
const rawDestination = (f: Flow) => (f.listener === 'http' ? (f.hostHeader ?? f.destination) : f.ipValue);
const firstSample = (f: Flow) => Math.min(...flowSeries(f).map((s) => stepTime(grid, s.start ?? 0)));

describe('the overview dashboard, through Grafana’s data pipeline', () => {
  it('"Blocked requests" and "Blocked connections" show what the mesh blocked', async () => {
    const blocked = truth().filter((c) => c.verdict === 'blackhole');
    const requests = sum(
      blocked.filter((c) => c.listener === 'http'),
      (c) => c.requests
    );
    const connections = sum(
      blocked.filter((c) => c.listener === 'tcp'),
      (c) => c.connections
    );
    expect(requests).toBeGreaterThan(0);
    expect(close(await statValue('Blocked requests'), requests)).toBe(true);
    expect(close(await statValue('Blocked connections'), connections)).toBe(true);
  });

  it('"Passthrough destinations" counts distinct external destinations (distinctCount over a string field)', async () => {
    const want = new Set(
      truth()
        .filter((c) => c.verdict === 'passthrough')
        .map((c) => c.destination)
    ).size;
    expect(want).toBeGreaterThan(5);
    expect(await statValue('Passthrough destinations')).toBe(want);
  });

  it('"New destinations" and the first-seen annotations match the flows born inside the range', async () => {
    const external = demoFlows().filter((f) => (f.category ?? 'external') === 'external');
    const seenBefore = new Set(
      external.filter((f) => firstSample(f) <= FROM).map((f) => `${f.listener}|${rawDestination(f)}`)
    );
    const fresh = external.filter(
      (f) =>
        !seenBefore.has(`${f.listener}|${rawDestination(f)}`) &&
        flowSeries(f).some((s) => (windowIncrease(s, grid, FROM, TEST_END) ?? 0) > 0)
    );
    expect(fresh.length).toBeGreaterThan(0);
    expect(await statValue('New destinations')).toBe(new Set(fresh.map((f) => f.destination ?? 'unknown')).size);

    const anno = dashboard.annotations.list.find((a: { name: string }) => a.name === 'New destinations');
    const res = await runRequest(ds, queryRequest([anno.target], FROM, TEST_END));
    const frame = res.data[0] as DataFrame;
    const field = (n: string) => frame.fields.find((f) => f.name === n)!.values;
    field('destination').forEach((dest: string, i: number) => {
      const flows = fresh.filter((f) => f.destination === dest && f.verdict === 'passthrough');
      expect(flows.length).toBeGreaterThan(0);
      const born = Math.min(...flows.map(firstSample));
      // first seen is the subquery step at or after the first sample (15 s steps here).
      expect(Math.abs(Number(field('time')[i]) / 1000 - born)).toBeLessThanOrEqual(15);
    });
  });

  it('the new-destinations table dates every new destination, HTTP and TCP', async () => {
    const external = demoFlows().filter((f) => (f.category ?? 'external') === 'external');
    const key = (f: (typeof external)[number]) => `${f.listener}|${f.destination ?? 'unknown'}`;
    const seenBefore = new Set(external.filter((f) => firstSample(f) <= FROM).map(key));
    const panel = panelByTitle('New destinations (not seen in the 7 days before)');
    const res = await runRequest(ds, queryRequest(panel.targets, FROM, TEST_END, { panelId: panel.id }));
    const frame = res.data[0] as DataFrame;
    const field = (n: string) => frame.fields.find((f) => f.name === n)!.values;
    const rows = field('destination').map((d: string, i: number) => ({
      d,
      listener: field('listener')[i] as string,
      i,
    }));
    expect(new Set(rows.map((r: { listener: string }) => r.listener))).toEqual(new Set(['http', 'tcp']));
    for (const r of rows) {
      const flows = external.filter((f) => key(f) === `${r.listener}|${r.d}` && !seenBefore.has(key(f)));
      expect(flows.length).toBeGreaterThan(0);
      const born = Math.min(...flows.map(firstSample));
      // To the first-seen step (15 s here) after the first sample.
      expect(Math.abs(Number(field('time')[r.i]) / 1000 - born)).toBeLessThanOrEqual(15);
    }
  });

  it('"Top HTTP destinations" shows the HTTP pairs, their columns as organized, in the order users sort by', async () => {
    const [frame] = await panelData(panelByTitle('Top HTTP destinations'));
    expect(frame.fields.map((f) => f.name)).toEqual([
      'sourceNamespace',
      'sourceWorkload',
      'destination',
      'verdict',
      'listener',
      'requests',
      'port',
      'responseCodes',
    ]);
    const want = truth().filter((c) => c.listener === 'http');
    expect(frame.length).toBe(want.length);
    const requests = frame.fields.find((f) => f.name === 'requests')!;
    expect(requests.type).toBe(FieldType.number);
    const order = (xs: number[]) => [...xs].sort((a, b) => b - a);
    const got = order(requests.values as number[]).slice(0, 3);
    const top = order(want.map(cellVolume)).slice(0, 3);
    got.forEach((v, i) => expect(close(v, top[i])).toBe(true));
  });

  it('"Blocked rate by destination (top 10)" draws the busiest blocked destinations, each at its real rate', async () => {
    const frames = await panelData(panelByTitle('Blocked rate by destination (top 10)'));
    // The range's blocked external destinations by requests and connections (the synthetic truth).
    const volumeOf = new Map<string, number>();
    for (const c of truth().filter((x) => x.verdict === 'blackhole' && x.category === 'external')) {
      const key = `${c.listener} ${c.destination} ${c.port ?? ''}`;
      volumeOf.set(key, (volumeOf.get(key) ?? 0) + cellVolume(c));
    }
    expect(volumeOf.size).toBeGreaterThan(10);
    expect(frames[0].meta?.notices?.map((n) => n.text)).toContain(
      `Showing the top 10 of ${volumeOf.size} destinations by requests and connections in the range ("Top destinations" in the query; 0 shows all).`
    );
    // Each flow's series as the chart labels it, with the destination it ranks as and its rate at the end.
    const rateOf = new Map<string, { key: string; perSecond: number }>();
    for (const f of demoFlows().filter((x) => x.verdict === 'blackhole' && (x.category ?? 'external') === 'external')) {
      const label = f.listener === 'http' ? (f.hostHeader ?? f.destination)! : (f.ipValue ?? '');
      const alive = flowSeries(f).every((s) => valueAt(s, grid.steps - 1, grid) !== undefined);
      const perStep = f.listener === 'http' ? Object.values(f.codes).reduce((a, b) => a + b, 0) : f.connsPerStep;
      const r = rateOf.get(label) ?? { key: `${f.listener} ${f.destination} ${f.port ?? ''}`, perSecond: 0 };
      r.perSecond += alive ? (perStep * (f.pods ?? 1)) / grid.interval : 0;
      rateOf.set(label, r);
    }
    const got = new Map(
      frames.map((f) => {
        const value = f.fields.find((x) => x.type === FieldType.number)!;
        const labels = value.labels ?? {};
        return [
          labels.destination_service ?? labels.destination_ip ?? '',
          value.values[value.values.length - 1] as number,
        ];
      })
    );
    const charted = new Set([...got.keys()].map((label) => rateOf.get(label)?.key ?? `not blocked: ${label}`));
    expect(charted.size).toBe(10);
    // None left out had more traffic than one drawn (ties may fall either way).
    const least = Math.min(...[...charted].map((k) => volumeOf.get(k) ?? NaN));
    for (const [key, v] of volumeOf) {
      if (!charted.has(key)) {
        expect(`${key}: ${v <= least}`).toBe(`${key}: true`);
      }
    }
    for (const [label, rate] of got) {
      expect(`${label}: ${close(rate * 60, (rateOf.get(label)?.perSecond ?? NaN) * 60)}`).toBe(`${label}: true`);
    }
  });

  it('with chosen variable values (a cluster and a namespace), the stats narrow to them', async () => {
    const chosen = fakeTemplateSrv([
      { name: 'cluster', current: 'demo-1', options: ['demo-1', 'legacy-1', 'shapes-1'] },
      { name: 'namespace', current: ['shop', 'legacy'], options: ['shop', 'legacy', 'data'] },
      { name: 'workload', current: '$__all', options: [], allValue: '.*' },
      { name: 'verdict', current: '$__all', options: ['blackhole', 'passthrough'] },
    ]);
    const narrowed = new DataSource(
      instanceSettings(provisioned, PROXY),
      chosen,
      fakeBackendSrv(proxyTo(prometheusUrl))
    );
    const cells = expectedCells(
      demoFlows().filter((f) => f.cluster === 'demo-1' && ['shop', 'legacy'].includes(f.ns)),
      grid,
      FROM,
      TEST_END
    );
    const requests = sum(
      cells.filter((c) => c.verdict === 'blackhole' && c.listener === 'http'),
      (c) => c.requests
    );
    expect(close(await statValue('Blocked requests', narrowed), requests)).toBe(true);
    const destinations = new Set(cells.filter((c) => c.verdict === 'passthrough').map((c) => c.destination)).size;
    expect(await statValue('Passthrough destinations', narrowed)).toBe(destinations);
  });

  it.each(['istio-egress-overview.json', 'istio-egress-workload.json'])(
    'every panel of %s runs through the pipeline without errors and with data',
    async (file) => {
      const board = JSON.parse(readFileSync(path.join(ROOT, 'provisioning/dashboards', file), 'utf8'));
      for (const panel of board.panels as Panel[]) {
        const frames = await panelData(panel);
        expect(`${panel.title}: ${frames.length > 0 && frames.some((f) => f.length > 0)}`).toBe(`${panel.title}: true`);
      }
    }
  );
});
