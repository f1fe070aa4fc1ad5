/**
 * The Grafana pages the product links to, in miniature, so every link the app and panel make lands on
 * what Grafana would show there:
 * - /connections/datasources/edit/<uid>: the data source's settings page, the plugin's own ConfigEditor
 *   (read-only: the data source is provisioned, as Grafana shows provisioned ones) and "Test", which runs
 *   the data source's testDatasource and shows its answer as Grafana's settings page does.
 * - /connections/datasources/new: the data source types, this plugin's among them.
 * - /alerting/list and /alerting/grafana/<uid>/view: the provisioned alert rules, each evaluated now on the
 *   same Prometheus (its query, then Grafana's reduce "last" and threshold "> 0"), with its state.
 * - /explore: the panes in the URL (Grafana's `panes` parameter), each query run as Grafana's Prometheus
 *   data source runs a range query, drawn by @grafana/ui's TimeSeries.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  applyFieldOverrides,
  createTheme,
  dateTimeFormat,
  type DataFrame,
  type DataSourceApi,
  type DataSourcePlugin,
  type DataSourceSettings,
  dateMath,
  FieldType,
  type TestDataSourceResponse,
  ThemeContext,
  toDataFrame,
} from '@grafana/data';
import { setDataSourceSrv, getTemplateSrv } from '@grafana/runtime';
import { LegendDisplayMode } from '@grafana/schema';
import { Alert, Badge, Button, GlobalStyles, LinkButton, Stack, Text, TextLink, TimeSeries } from '@grafana/ui';
import { fakeDataSourceSrv } from '../../../test/fakes/grafana';
import { loadPlugin } from './plugins';
import { fieldConfigRegistry, TIMESERIES_DEFAULTS } from './fieldConfig';
import { GrafanaPage } from './pluginPage';
import { TestingStatus } from './testingStatus';
import { LocationRouter } from './router';
import { bootHost } from './boot';
import type { HostConfig } from './hostConfig';

declare global {
  interface Window {
    __grafana?: { ready: boolean; error?: string; rules?: RuleState[]; test?: TestDataSourceResponse };
  }
}

const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';

/** A Prometheus API call through Grafana's data proxy, as the core Prometheus data source makes it. */
async function prometheus(uid: string, api: string, params: Record<string, string>) {
  const res = await fetch(`/api/datasources/proxy/uid/${encodeURIComponent(uid)}/api/v1/${api}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await res.json()) as {
    status?: string;
    error?: string;
    message?: string;
    data?: {
      result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>;
    };
  };
  if (!res.ok || body.status !== 'success' || !body.data) {
    throw new Error(`HTTP ${res.status}: ${body.error ?? body.message ?? 'no answer'}`);
  }
  return body.data.result;
}

// Data source settings --------------------------------------------------------------------------------

/** What the pages of this bundle are given: the host's config and the loaded data source plugin. */
interface PagesProps {
  config: HostConfig;
  plugin: DataSourcePlugin<DataSourceApi>;
  ds: DataSourceApi;
}

function DataSourceSettingsPage({ config, plugin, ds }: PagesProps) {
  const uid = decodeURIComponent(window.location.pathname.split('/').pop() ?? '');
  const s = config.datasource;
  const [options, setOptions] = useState<DataSourceSettings>(() => ({
    id: s.id ?? 1,
    uid: s.uid,
    orgId: 1,
    name: s.name,
    type: s.type,
    typeName: 'Istio Egress',
    typeLogoUrl: `${config.pluginBase}/img/logo.svg`,
    access: 'proxy',
    url: config.datasourceUrl,
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: { ...s.jsonData },
    secureJsonFields: {},
    readOnly: true,
    withCredentials: false,
  }));
  const [test, setTest] = useState<TestDataSourceResponse | 'running'>();
  if (uid !== s.uid) {
    return (
      <Alert severity="error" title="Data source not found">
        No data source with uid {uid}. This Grafana has {s.name} ({s.uid}).
      </Alert>
    );
  }
  const Editor = plugin.components.ConfigEditor as unknown as React.ComponentType<{
    options: DataSourceSettings;
    onOptionsChange: (o: DataSourceSettings) => void;
  }>;
  const run = async () => {
    setTest('running');
    const r = await ds.testDatasource();
    window.__grafana = { ...window.__grafana!, test: r };
    setTest(r);
  };
  return (
    <GrafanaPage
      crumbs={[{ text: 'Connections' }, { text: 'Data sources' }, { text: s.name }]}
      title={s.name}
      subTitle="Type: Istio Egress"
    >
      <Stack direction="column" gap={2}>
        <Alert severity="info" title="Provisioned data source">
          This data source was added by config and cannot be modified using the UI. Edit provisioning/datasources (or
          istio-egress.yaml and npm run generate) to change it.
        </Alert>
        <fieldset disabled style={{ border: 'none', padding: 0, margin: 0 }} data-testid="config-editor">
          {Editor ? <Editor options={options} onOptionsChange={setOptions} /> : <p>The plugin has no ConfigEditor.</p>}
        </fieldset>
        {test && test !== 'running' && (
          <div data-testid="datasource-test">
            <TestingStatus result={test} />
          </div>
        )}
        <Stack gap={1}>
          <LinkButton variant="secondary" href="/connections/datasources/new">
            Back
          </LinkButton>
          <Button onClick={run} disabled={test === 'running'}>
            Test
          </Button>
        </Stack>
      </Stack>
    </GrafanaPage>
  );
}

function NewDataSourcePage({ config }: { config: HostConfig }) {
  return (
    <GrafanaPage
      crumbs={[{ text: 'Connections' }, { text: 'Data sources' }, { text: 'Add data source' }]}
      title="Add data source"
      subTitle="Choose a data source type"
    >
      <Stack direction="column" gap={1}>
        <Text element="h3">Istio Egress</Text>
        <Text color="secondary">
          Istio BlackHoleCluster and PassthroughCluster traffic from a Prometheus-compatible API. This Grafana has it
          provisioned as {config.datasource.name}.
        </Text>
        <div>
          <LinkButton href={`/connections/datasources/edit/${encodeURIComponent(config.datasource.uid)}`}>
            Open {config.datasource.name}
          </LinkButton>
        </div>
      </Stack>
    </GrafanaPage>
  );
}

// Alert rules ------------------------------------------------------------------------------------------

interface ProvisionedRule {
  uid: string;
  title: string;
  folder: string;
  group: string;
  interval: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  datasourceUid: string;
  expr: string;
}

export interface RuleState {
  uid: string;
  title: string;
  state: 'Firing' | 'Normal' | 'Error';
  /** The series whose last value is above 0: the rule's instances. */
  firing: Array<Record<string, string>>;
  error?: string;
}

/** A rule's state now: its query at this instant, then reduce "last" and threshold "> 0" per series. */
async function evaluate(rule: ProvisionedRule): Promise<RuleState> {
  try {
    const result = await prometheus(rule.datasourceUid, 'query', { query: rule.expr, time: String(Date.now() / 1000) });
    const firing = result.filter((r) => Number(r.value?.[1]) > 0).map((r) => r.metric);
    return { uid: rule.uid, title: rule.title, state: firing.length > 0 ? 'Firing' : 'Normal', firing };
  } catch (err) {
    return { uid: rule.uid, title: rule.title, state: 'Error', firing: [], error: String(err) };
  }
}

function useRules() {
  const [rules, setRules] = useState<Array<{ rule: ProvisionedRule; state?: RuleState }>>();
  useEffect(() => {
    (async () => {
      const list = (await (await fetch('/host/alert-rules.json')).json()) as ProvisionedRule[];
      setRules(list.map((rule) => ({ rule })));
      const states = await Promise.all(list.map(evaluate));
      setRules(list.map((rule, i) => ({ rule, state: states[i] })));
      window.__grafana = { ...window.__grafana!, rules: states };
    })().catch((err: unknown) => {
      window.__grafana = { ready: true, error: String(err) };
    });
  }, []);
  return rules;
}

function StateBadge({ state }: { state?: RuleState }) {
  if (!state) {
    return <Badge text="Evaluating" color="blue" />;
  }
  const color = state.state === 'Firing' ? 'red' : state.state === 'Normal' ? 'green' : 'orange';
  const text = state.state === 'Firing' ? `Firing (${state.firing.length})` : state.state;
  return <Badge text={text} color={color} tooltip={state.error} />;
}

function AlertListPage() {
  const rules = useRules();
  return (
    <GrafanaPage crumbs={[{ text: 'Alerting' }, { text: 'Alert rules' }]} title="Alert rules">
      {!rules ? (
        <Text>Loading…</Text>
      ) : (
        <table data-testid="alert-rules" style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr style={{ textAlign: 'left' }}>
              <th>State</th>
              <th>Name</th>
              <th>Folder › group</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {rules.map(({ rule, state }) => (
              <tr key={rule.uid} data-testid={`rule-${rule.uid}`}>
                <td style={{ padding: '6px 12px 6px 0' }}>
                  <StateBadge state={state} />
                </td>
                <td style={{ paddingRight: 12 }}>
                  <TextLink href={`/alerting/grafana/${rule.uid}/view`}>{rule.title}</TextLink>
                </td>
                <td style={{ paddingRight: 12 }}>
                  {rule.folder} › {rule.group} (every {rule.interval})
                </td>
                <td>{rule.annotations.summary ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </GrafanaPage>
  );
}

function RuleViewPage() {
  const uid = decodeURIComponent(window.location.pathname.split('/')[3] ?? '');
  const rules = useRules();
  const found = rules?.find((r) => r.rule.uid === uid);
  if (rules && !found) {
    return (
      <GrafanaPage
        crumbs={[{ text: 'Alerting' }, { text: 'Alert rules', url: '/alerting/list' }]}
        title="Rule not found"
      >
        <Alert severity="error" title={`No alert rule with uid ${uid}`}>
          The provisioned rules are listed on the alert rules page.
        </Alert>
      </GrafanaPage>
    );
  }
  return (
    <GrafanaPage
      crumbs={[
        { text: 'Alerting' },
        { text: 'Alert rules', url: '/alerting/list' },
        { text: found?.rule.title ?? uid },
      ]}
      title={found?.rule.title ?? 'Loading…'}
      actions={<StateBadge state={found?.state} />}
    >
      {found && (
        <Stack direction="column" gap={2}>
          <div data-testid="rule-view">
            <Text element="h4">Labels</Text>
            <p>
              {Object.entries(found.rule.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ') || 'none'}
            </p>
            {Object.entries(found.rule.annotations).map(([k, v]) => (
              <p key={k}>
                <strong>{k}</strong>: {v}
              </p>
            ))}
            <Text element="h4">Query (instant, every {found.rule.interval})</Text>
            <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>{found.rule.expr}</pre>
          </div>
          {found.state && found.state.firing.length > 0 && (
            <div data-testid="rule-instances">
              <Text element="h4">Instances ({found.state.firing.length})</Text>
              <ul>
                {found.state.firing.map((m, i) => (
                  <li key={i}>
                    {Object.entries(m)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </Stack>
      )}
    </GrafanaPage>
  );
}

// Explore ----------------------------------------------------------------------------------------------

interface Pane {
  datasource: string;
  queries: Array<{ refId: string; expr?: string; legendFormat?: string }>;
  range: { from: string; to: string };
}

/** Explore's panes from its URL (`panes`, Grafana 10+), or the reason there are none. */
export function explorePanes(search: string): Pane[] | string {
  const raw = new URLSearchParams(search).get('panes');
  if (!raw) {
    return 'No panes in the URL: Explore opens with its panes parameter.';
  }
  try {
    return Object.values(JSON.parse(raw) as Record<string, Pane>);
  } catch {
    return 'The panes parameter is not JSON.';
  }
}

/** A Prometheus legend format with the series' labels filled in ({{label}}), as Grafana names the series. */
function legend(format: string | undefined, metric: Record<string, string>): string {
  if (!format) {
    return JSON.stringify(metric);
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, l: string) => metric[l] ?? '');
}

function ExplorePane({ pane }: { pane: Pane }) {
  const theme = useMemo(() => createTheme({ colors: { mode } }), []);
  const [frames, setFrames] = useState<DataFrame[] | string>();
  const range = useMemo(() => {
    const parse = (v: string, roundUp: boolean) =>
      /^\d+$/.test(v) ? dateMath.toDateTime(new Date(Number(v)), {}) : dateMath.toDateTime(v, { roundUp });
    const from = parse(pane.range.from, false)!;
    const to = parse(pane.range.to, true)!;
    return { from, to, raw: { from: pane.range.from, to: pane.range.to } };
  }, [pane]);
  useEffect(() => {
    const start = Math.floor(range.from.valueOf() / 1000);
    const end = Math.floor(range.to.valueOf() / 1000);
    // Grafana's Prometheus data source: about one point per pixel, at least the scrape interval (15 s).
    const step = String(Math.max(15, Math.ceil((end - start) / 1000)));
    Promise.all(
      pane.queries
        .filter((q) => q.expr)
        .map(async (q) =>
          (
            await prometheus(pane.datasource, 'query_range', {
              query: q.expr!,
              start: String(start),
              end: String(end),
              step,
            })
          ).map((r) =>
            toDataFrame({
              refId: q.refId,
              fields: [
                { name: 'Time', type: FieldType.time, values: (r.values ?? []).map(([t]) => t * 1000) },
                {
                  name: 'Value',
                  type: FieldType.number,
                  values: (r.values ?? []).map(([, v]) => Number(v)),
                  config: { displayNameFromDS: legend(q.legendFormat, r.metric) },
                },
              ],
            })
          )
        )
    ).then(
      (all) =>
        // As the time series panel Explore draws with: its defaults and the standard field config applied.
        setFrames(
          applyFieldOverrides({
            data: all.flat(),
            fieldConfig: { defaults: TIMESERIES_DEFAULTS, overrides: [] },
            fieldConfigRegistry: fieldConfigRegistry({ defaults: TIMESERIES_DEFAULTS }),
            replaceVariables: (v: string) => v,
            theme,
            timeZone: 'utc',
          })
        ),
      (err: unknown) => setFrames(String(err))
    );
  }, [pane, range, theme]);
  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary">
        Data source {pane.datasource}, {dateTimeFormat(range.from, { timeZone: 'utc' })} to{' '}
        {dateTimeFormat(range.to, { timeZone: 'utc' })} UTC
      </Text>
      {pane.queries.map((q) => (
        <pre key={q.refId} data-testid={`explore-query-${q.refId}`} style={{ whiteSpace: 'pre-wrap', fontSize: 12 }}>
          {q.refId}: {q.expr}
        </pre>
      ))}
      {frames === undefined && <Text>Running the queries…</Text>}
      {typeof frames === 'string' && (
        <Alert severity="error" title="The query failed">
          {frames}
        </Alert>
      )}
      {Array.isArray(frames) && frames.length === 0 && <Text>No data</Text>}
      {Array.isArray(frames) && frames.length > 0 && (
        <div data-testid="explore-graph" data-series={frames.length}>
          <ThemeContext.Provider value={theme}>
            <TimeSeries
              frames={frames}
              timeRange={range}
              timeZone="utc"
              width={1100}
              height={320}
              legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
            />
          </ThemeContext.Provider>
        </div>
      )}
    </Stack>
  );
}

function ExplorePage() {
  const panes = explorePanes(window.location.search);
  return (
    <GrafanaPage crumbs={[{ text: 'Explore' }]} title="Explore">
      {typeof panes === 'string' ? (
        <Alert severity="error" title="Nothing to explore">
          {panes}
        </Alert>
      ) : (
        panes.map((p, i) => <ExplorePane key={i} pane={p} />)
      )}
    </GrafanaPage>
  );
}

// -------------------------------------------------------------------------------------------------------

function Pages({ config, plugin, ds }: PagesProps) {
  const theme = useMemo(() => createTheme({ colors: { mode } }), []);
  useEffect(() => {
    document.body.style.background = theme.colors.background.canvas;
    document.body.style.color = theme.colors.text.primary;
  }, [theme]);
  const p = window.location.pathname;
  const page = p.startsWith('/connections/datasources/edit/') ? (
    <DataSourceSettingsPage config={config} plugin={plugin} ds={ds} />
  ) : p === '/connections/datasources/new' ? (
    <NewDataSourcePage config={config} />
  ) : p === '/alerting/list' ? (
    <AlertListPage />
  ) : p.startsWith('/alerting/grafana/') ? (
    <RuleViewPage />
  ) : (
    <ExplorePage />
  );
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <LocationRouter>{page}</LocationRouter>
    </ThemeContext.Provider>
  );
}

async function main() {
  window.__grafana = { ready: false };
  const config = await bootHost();
  const plugin = await loadPlugin<DataSourcePlugin<DataSourceApi>>(`${config.pluginBase}/datasource/module.js`);
  const DataSourceClass = plugin.DataSourceClass as unknown as new (s: typeof config.datasource) => DataSourceApi;
  const ds = new DataSourceClass(config.datasource);
  setDataSourceSrv(fakeDataSourceSrv(config.datasource, ds, getTemplateSrv(), [config.prometheus]));
  createRoot(document.getElementById('root')!).render(<Pages config={config} plugin={plugin} ds={ds} />);
  window.__grafana.ready = true;
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  window.__grafana = { ready: true, error: message };
  document.body.textContent = `Host failed: ${message}`;
});
