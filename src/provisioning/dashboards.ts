import { FieldColorModeId, type Dashboard, type DataSourceRef, type Panel, type VariableModel } from '@grafana/schema';
import { DEFAULT_LOOKBACK } from '../query/newDestinationTemplates';
import type { EgressDataQuery } from '../shared/queryModel';
import type { MatrixField } from '../shared/matrixFrame';
import { defaultOptions, type MatrixOptions } from '../shared/panelOptions';
import { DATASOURCE_TYPE, MATRIX_PANEL_ID, PANEL_TYPE, UID } from './config';

/**
 * The provisioned dashboards, as typed builders over @grafana/schema: every query is a model of this
 * plugin's data source, so PromQL lives in src/query only.
 */

const DS: DataSourceRef = { type: DATASOURCE_TYPE, uid: '${datasource}' };
const SCOPE: Partial<EgressDataQuery> = {
  matchers: 'cluster=~"$cluster"',
  namespace: '$namespace',
  workload: '$workload',
  verdicts: ['$verdict'],
};

/**
 * The matrix panel's defaults (src/panel/types) with a dashboard's choices; field mapping stays automatic
 * and "Explore this pair" opens the provisioned Prometheus data source.
 */
function matrixOptions(over: Partial<MatrixOptions>): Omit<MatrixOptions, 'mapping'> {
  const { mapping: _automatic, ...rest } = defaultOptions;
  return { ...rest, exploreDatasource: UID.prometheus, ...over };
}

type Query = Partial<EgressDataQuery> & { refId: string };

function q(over: Partial<EgressDataQuery>, refId = 'A'): Query {
  return { refId, datasource: DS, ...SCOPE, ...over };
}

// Panel links share the dashboard link shape; only title and url matter for them.
const panelLink = {
  asDropdown: false,
  icon: '',
  includeVars: false,
  keepTime: false,
  tags: [],
  targetBlank: false,
  tooltip: '',
  type: 'link' as const,
};
/** Panels get their ids when the dashboard is put together (`numbered`); 0 means "not yet". */
function panel(p: Omit<Panel, 'id' | 'datasource'> & { id?: number }): Panel {
  return { datasource: DS, ...p, id: p.id ?? 0 } as Panel;
}

/**
 * Ids in layout order, skipping the fixed ones (the matrix's, which alert rules link to): Grafana keeps
 * the first of two equal ids and renumbers the other, so a rule's panelId would land by array order.
 */
function numbered(panels: Panel[]): Panel[] {
  const fixed = new Set(panels.map((p) => p.id).filter((id) => id !== 0));
  let next = 1;
  return panels.map((p) => {
    if (p.id !== 0) {
      return p;
    }
    while (fixed.has(next)) {
      next++;
    }
    return { ...p, id: next++ };
  });
}

function stat(
  title: string,
  x: number,
  query: Query,
  field: MatrixField,
  calc: string,
  color: string,
  description: string
): Panel {
  return panel({
    type: 'stat',
    title,
    description,
    gridPos: { x, y: 0, w: 6, h: 4 },
    targets: [query],
    options: {
      reduceOptions: { calcs: [calc], fields: `/^${field}$/`, values: false },
      colorMode: 'value',
      graphMode: 'none',
      textMode: 'value',
    },
    fieldConfig: {
      // A count, whole: 'short' with no decimals would round 4,371 blocked requests to "4 K".
      defaults: { color: { mode: FieldColorModeId.Fixed, fixedColor: color }, unit: 'none', decimals: 0 },
      overrides: [],
    },
  });
}

function queryVariable(name: string, label: string, query: Record<string, string>, multi = true): VariableModel {
  return {
    type: 'query',
    name,
    label,
    datasource: DS,
    query: { refId: `var-${name}`, ...query },
    definition: query.kind,
    refresh: 2,
    multi,
    includeAll: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    sort: 1,
  } as VariableModel;
}

function variables(opts: { singleWorkload?: boolean } = {}): VariableModel[] {
  return [
    {
      type: 'datasource',
      name: 'datasource',
      label: 'Data source',
      query: DATASOURCE_TYPE,
      current: { text: 'Istio Egress', value: UID.egress },
    } as VariableModel,
    queryVariable('cluster', 'Cluster', { kind: 'labelValues', label: 'cluster' }),
    queryVariable('namespace', 'Namespace', { kind: 'namespaces' }),
    queryVariable('workload', 'Workload', { kind: 'workloads', namespace: '$namespace' }, !opts.singleWorkload),
    {
      type: 'custom',
      name: 'verdict',
      label: 'Verdict',
      query: 'blackhole,passthrough',
      multi: true,
      includeAll: true,
      current: { text: 'All', value: '$__all' },
      options: [
        { text: 'blackhole', value: 'blackhole', selected: false },
        { text: 'passthrough', value: 'passthrough', selected: false },
      ],
    } as VariableModel,
  ];
}

function base(uid: string, title: string, description: string, panels: Panel[], vars: VariableModel[]): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ['istio', 'egress', 'security'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    time: { from: 'now-1h', to: 'now' },
    refresh: '1m',
    templating: { list: vars },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        {
          name: 'New destinations',
          datasource: DS,
          enable: true,
          iconColor: 'purple',
          target: q({ queryType: 'newDestinations', lookback: DEFAULT_LOOKBACK, verdicts: ['passthrough'] }, 'Anno'),
        },
      ],
    },
    panels: numbered(panels),
    links: [
      {
        title: 'Istio egress',
        type: 'dashboards',
        tags: ['egress'],
        asDropdown: false,
        icon: 'external link',
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
  } as Dashboard;
}

/**
 * Lines per chart grouped by destination: the destinations with the most traffic in the range. A mesh
 * with thousands of external hosts draws a chart no one reads and reads every catch-all series at every
 * step; the matrix and the tables list them all.
 */
const TOP_LINES = 10;

export function overviewDashboard(): Dashboard {
  const panels: Panel[] = [
    stat(
      'Blocked requests',
      0,
      q({ queryType: 'matrix', verdicts: ['blackhole'], listeners: ['http'] }),
      'requests',
      'sum',
      'orange',
      'HTTP requests answered 502 by BlackHoleCluster in the range'
    ),
    stat(
      'Blocked connections',
      6,
      q({ queryType: 'matrix', verdicts: ['blackhole'], listeners: ['tcp'] }),
      'connections',
      'sum',
      'orange',
      'TCP connections closed by BlackHoleCluster in the range'
    ),
    stat(
      'Passthrough destinations',
      12,
      q({ queryType: 'matrix', verdicts: ['passthrough'] }),
      'destination',
      'distinctCount',
      'blue',
      'External hosts and IPs reached through PassthroughCluster'
    ),
    stat(
      'New destinations',
      18,
      q({ queryType: 'newDestinations', lookback: DEFAULT_LOOKBACK }),
      'destination',
      'distinctCount',
      'purple',
      'Destinations seen in the range and not in the 7 days before'
    ),
    panel({
      id: MATRIX_PANEL_ID,
      type: PANEL_TYPE,
      title: 'External destinations by source workload',
      description:
        'Orange: blocked (BlackHoleCluster). Blue: allowed (PassthroughCluster). Purple: both. Click cells (double-click a column) to get ServiceEntry YAML.',
      gridPos: { x: 0, y: 4, w: 24, h: 14 },
      targets: [q({ queryType: 'matrix' })],
      options: matrixOptions({ sortColumns: 'volume' }),
      // Data links of a pinned cell (shift-click or Enter): the cell's own workload and destination.
      fieldConfig: {
        defaults: {
          links: [
            {
              title: 'Drill into ${sourceNamespace}/${sourceWorkload}',
              url: `/d/${UID.workload}?\${__url_time_range}&\${cluster:queryparam}&var-namespace=\${sourceNamespace}&var-workload=\${sourceWorkload}`,
            },
          ],
        },
        overrides: [],
      },
      links: [
        {
          ...panelLink,
          title: 'Workload drill-down',
          url: `/d/${UID.workload}?\${__url_time_range}&\${cluster:queryparam}&\${namespace:queryparam}&\${workload:queryparam}`,
        },
      ],
    }),
    rateByDestination(`Blocked rate by destination (top ${TOP_LINES})`, 0, 'blackhole'),
    rateByDestination(`Passthrough rate by destination (top ${TOP_LINES})`, 12, 'passthrough'),
    topTable('Top HTTP destinations', 0, 'http', 'requests'),
    topTable('Top TCP destinations', 12, 'tcp', 'connections'),
    panel({
      type: 'timeseries',
      title: `Passthrough TCP bytes (top ${TOP_LINES})`,
      gridPos: { x: 0, y: 34, w: 12, h: 8 },
      maxDataPoints: SERIES_POINTS,
      targets: [q({ queryType: 'bytes', groupBy: ['destination'], topDestinations: TOP_LINES })],
      fieldConfig: { defaults: { unit: 'Bps', custom: { drawStyle: 'line', fillOpacity: 10 } }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi', sort: 'desc' } },
    }),
    panel({
      type: 'table',
      title: 'New destinations (not seen in the 7 days before)',
      gridPos: { x: 12, y: 34, w: 12, h: 8 },
      targets: [q({ queryType: 'newDestinations', lookback: DEFAULT_LOOKBACK })],
      transformations: [organize(['text', 'bytesSent', 'bytesReceived', 'responseCodes', 'category', 'reason'])],
      options: { sortBy: [{ displayName: COLUMN_TITLES.time, desc: true }] },
    }),
  ];
  return base(
    UID.overview,
    'Istio external traffic',
    'Traffic leaving the mesh through BlackHoleCluster (blocked) and PassthroughCluster (allowed), on HTTP and TCP listeners.',
    panels,
    variables()
  );
}

/**
 * Points per time series: a day at 5-minute steps and a week at hourly ones (Grafana rounds the interval),
 * which the recorded tiers answer with one sample per point instead of a scrape's worth per pod.
 */
const SERIES_POINTS = 200;

function rateByDestination(title: string, x: number, verdict: 'blackhole' | 'passthrough'): Panel {
  return panel({
    type: 'timeseries',
    title,
    gridPos: { x, y: 18, w: 12, h: 8 },
    maxDataPoints: SERIES_POINTS,
    targets: [q({ queryType: 'series', verdicts: [verdict], groupBy: ['destination'], topDestinations: TOP_LINES })],
    fieldConfig: { defaults: { unit: 'ops', custom: { drawStyle: 'line', fillOpacity: 10 } }, overrides: [] },
    options: {
      legend: { displayMode: 'table', placement: 'right', calcs: ['max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  });
}

/** An organize transformation's hidden fields, named by the matrix frame's contract (shared/matrixFrame.ts). */
function hidden(fields: ReadonlyArray<MatrixField | 'text'>): Record<string, true> {
  return Object.fromEntries(fields.map((f) => [f, true]));
}

/**
 * Column titles for the matrix frame's fields in the dashboards' tables. The frame keeps its field names
 * (the contract panels and users' own queries read); the tables rename them, as a Grafana user would with
 * an organize transformation, so a column says "Source namespace" rather than "sourceNamespace".
 */
export const COLUMN_TITLES: Record<MatrixField | 'time', string> = {
  time: 'First seen',
  sourceNamespace: 'Source namespace',
  sourceWorkload: 'Source workload',
  destination: 'Destination',
  destinationName: 'Name',
  verdict: 'Verdict',
  listener: 'Listener',
  requests: 'Requests',
  connections: 'Connections',
  bytesSent: 'Bytes sent',
  bytesReceived: 'Bytes received',
  port: 'Port',
  responseCodes: 'Response codes',
  category: 'Category',
  reason: 'Reason',
};

/** An organize transformation: the given fields hidden, the rest under their column titles. */
function organize(hide: ReadonlyArray<MatrixField | 'text'>) {
  return { id: 'organize', options: { excludeByName: hidden(hide), renameByName: { ...COLUMN_TITLES } } };
}

function topTable(title: string, x: number, listener: 'http' | 'tcp', measure: MatrixField & ('requests' | 'connections')): Panel {
  return panel({
    type: 'table',
    title,
    gridPos: { x, y: 26, w: 12, h: 8 },
    targets: [q({ queryType: 'matrix', listeners: [listener] })],
    // category and reason: these queries return external traffic only, so both columns say nothing.
    transformations: [
      organize(
        listener === 'http'
          ? ['connections', 'bytesSent', 'bytesReceived', 'destinationName', 'category', 'reason']
          : ['requests', 'responseCodes', 'category', 'reason']
      ),
    ],
    options: { sortBy: [{ displayName: COLUMN_TITLES[measure], desc: true }], footer: { show: false } },
    fieldConfig: {
      defaults: {},
      overrides: [
        {
          matcher: { id: 'byName', options: 'verdict' },
          properties: [
            {
              id: 'mappings',
              value: [
                {
                  type: 'value',
                  options: { blackhole: { color: 'orange', index: 0 }, passthrough: { color: 'blue', index: 1 } },
                },
              ],
            },
            { id: 'custom.cellOptions', value: { type: 'color-text' } },
          ],
        },
      ],
    },
  });
}

export function workloadDashboard(): Dashboard {
  const panels: Panel[] = [
    panel({
      type: PANEL_TYPE,
      title: 'Destinations of $namespace/$workload',
      gridPos: { x: 0, y: 0, w: 24, h: 10 },
      targets: [q({ queryType: 'matrix' })],
      options: matrixOptions({ transpose: true, sortRows: 'volume', sortColumns: 'name' }),
    }),
    panel({
      type: 'timeseries',
      title: `Egress rate by destination and verdict (top ${TOP_LINES} destinations)`,
      gridPos: { x: 0, y: 10, w: 24, h: 8 },
      targets: [q({ queryType: 'series', groupBy: ['verdict', 'destination'], topDestinations: TOP_LINES })],
      fieldConfig: { defaults: { unit: 'ops' }, overrides: [] },
    }),
    panel({
      type: 'table',
      title: 'All pairs',
      gridPos: { x: 0, y: 18, w: 24, h: 8 },
      targets: [q({ queryType: 'matrix' })],
      transformations: [organize([])],
      options: { sortBy: [{ displayName: COLUMN_TITLES.requests, desc: true }] },
    }),
  ];
  return base(
    UID.workload,
    'Istio external traffic: workload',
    'One workload’s external destinations, reached from the matrix panel of the overview.',
    panels,
    variables({ singleWorkload: true })
  );
}
