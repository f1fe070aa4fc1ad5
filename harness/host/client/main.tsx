/**
 * The plugin host page: loads dist/ the way Grafana does (SystemJS + AMD, shared packages), wires
 * Grafana's services, builds the provisioned data source, runs the provisioned matrix panel's query and
 * renders the panel. Small on purpose: the product is the plugin.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  createTheme,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceApi,
  dateTime,
  LoadingState,
  type PanelPlugin,
  type PanelProps,
  ThemeContext,
  type MetricFindValue,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv, setDataSourceSrv } from '@grafana/runtime';
import { loadDataSourceAndPanel } from './plugins';
import { panelProps } from './panelProps';
import { bootHost } from './boot';
import type { HostConfig } from './hostConfig';
import { TestingStatus } from './testingStatus';
import { fakeDataSourceSrv, runRequest } from '../../../test/fakes/grafana';
import { runQueryVariable } from './variables';
import { HOST_PAGES } from '../pages';

interface HostState {
  ready: boolean;
  error?: string;
  frames?: DataFrame[];
  health?: TestDataSourceResponse;
  queryErrors?: string[];
  /** Each query variable's values, or the error Grafana would show for it. */
  variables?: Record<string, { values?: MetricFindValue[]; error?: string }>;
}

declare global {
  interface Window {
    __host: HostState & { testDatasource: () => Promise<TestDataSourceResponse> };
  }
}

const params = new URLSearchParams(window.location.search);

function Host({ config }: { config: HostConfig }) {
  const [mode, setMode] = useState<'light' | 'dark'>(params.get('theme') === 'light' ? 'light' : 'dark');
  const [size, setSize] = useState({
    width: Number(params.get('width') ?? 1100),
    height: Number(params.get('height') ?? 560),
  });
  const [panel, setPanel] = useState<PanelPlugin>();
  const [ds, setDs] = useState<DataSourceApi>();
  const [frames, setFrames] = useState<DataFrame[]>([]);
  const [answered, setAnswered] = useState(false);
  const [request, setRequest] = useState<DataQueryRequest>();
  const [queryErrors, setQueryErrors] = useState<string[]>([]);
  const [health, setHealth] = useState<TestDataSourceResponse>();
  const [error, setError] = useState<string>();
  const theme = useMemo(() => createTheme({ colors: { mode } }), [mode]);
  const options = useMemo(() => ({ ...config.panel.options, ...JSON.parse(params.get('options') ?? '{}') }), [config]);
  const range = useMemo(() => {
    const from = dateTime(config.range.from * 1000);
    const to = dateTime(config.range.to * 1000);
    return { from, to, raw: { from, to } };
  }, [config]);

  useEffect(() => {
    document.body.style.background = theme.colors.background.canvas;
    document.body.style.color = theme.colors.text.primary;
    document.body.style.fontFamily = theme.typography.fontFamily;
  }, [theme]);

  useEffect(() => {
    (async () => {
      const { ds: instance, panel: panelPlugin } = await loadDataSourceAndPanel(config.pluginBase, config.datasource);
      setDs(instance);
      setPanel(panelPlugin);
      setDataSourceSrv(fakeDataSourceSrv(config.datasource, instance, getTemplateSrv(), [config.prometheus]));
      window.__host.testDatasource = async () => {
        const r = await instance.testDatasource();
        setHealth(r);
        window.__host.health = r;
        return r;
      };
      const request = {
        requestId: 'host-1',
        interval: '60s',
        intervalMs: 60_000,
        range,
        scopedVars: {},
        targets: config.panel.targets,
        timezone: 'utc',
        app: 'dashboard',
        dashboardUID: config.panel.dashboardUid,
        panelId: config.panel.id,
        startTime: Date.now(),
      } as unknown as DataQueryRequest;
      setRequest(request);
      const res = await runRequest(instance as never, request as never);
      const variables: NonNullable<HostState['variables']> = {};
      for (const def of config.queryVariables) {
        try {
          variables[def.name] = { values: await runQueryVariable(instance, def, range) };
        } catch (err) {
          variables[def.name] = { error: err instanceof Error ? err.message : String(err) };
        }
      }
      window.__host.variables = variables;
      setFrames(res.data);
      setAnswered(true);
      window.__host.frames = res.data;
      window.__host.queryErrors = (res.errors ?? []).map((e) => e.message ?? '');
      setQueryErrors(window.__host.queryErrors);
      window.__host.ready = true;
    })().catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      setError(message);
      // A query that threw is an answer too: Grafana hands the panel Error with the message.
      setQueryErrors([message]);
      setAnswered(true);
      window.__host.error = message;
      window.__host.ready = true;
    });
  }, [config, range]);

  const Panel = panel?.panel as React.ComponentType<PanelProps> | null | undefined;
  const props = panelProps({
    id: config.panel.id,
    data: {
      series: frames,
      // As Grafana's PanelQueryRunner: Loading from the request until its answer, then Done or Error.
      state: !answered ? LoadingState.Loading : queryErrors.length > 0 ? LoadingState.Error : LoadingState.Done,
      errors: queryErrors.length > 0 ? queryErrors.map((message) => ({ message })) : undefined,
      timeRange: range,
      request,
    },
    timeRange: range,
    options,
    width: size.width,
    height: size.height,
    title: config.panel.title,
  });
  const button = (label: string, onClick: () => void, pressed?: boolean) => (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      style={{
        marginRight: 8,
        padding: '4px 10px',
        background: theme.colors.secondary.main,
        color: theme.colors.text.primary,
        border: `1px solid ${theme.colors.border.medium}`,
        borderRadius: 4,
      }}
    >
      {label}
    </button>
  );
  return (
    <ThemeContext.Provider value={theme}>
      <header style={{ padding: 8, borderBottom: `1px solid ${theme.colors.border.weak}` }}>
        <strong style={{ marginRight: 16 }}>Istio Egress plugin host</strong>
        {button('Dark', () => setMode('dark'), mode === 'dark')}
        {button('Light', () => setMode('light'), mode === 'light')}
        {button('Wider', () => setSize((s) => ({ ...s, width: s.width + 200 })))}
        {button('Narrower', () => setSize((s) => ({ ...s, width: Math.max(300, s.width - 200) })))}
        {button('Test data source', () => void window.__host.testDatasource())}
        <nav aria-label="Pages" style={{ display: 'inline-block', marginLeft: 16 }}>
          {HOST_PAGES.map(([label, href]) => (
            <a key={href} href={href} style={{ marginRight: 12, color: theme.colors.text.link }}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      {health && (
        <div style={{ margin: 8 }}>
          <TestingStatus result={health} />
        </div>
      )}
      {error && (
        <div role="alert" data-testid="host-error" style={{ margin: 8 }}>
          {error}
        </div>
      )}
      <main
        id="panel-chrome"
        aria-label={config.panel.title}
        style={{
          margin: 8,
          width: size.width,
          background: theme.colors.background.primary,
          border: `1px solid ${theme.colors.border.weak}`,
        }}
      >
        <h2 style={{ fontSize: 14, margin: 0, padding: '6px 8px' }}>{config.panel.title}</h2>
        {Panel && ds ? <Panel {...props} /> : <div style={{ height: size.height }}>Loading…</div>}
      </main>
    </ThemeContext.Provider>
  );
}

async function main() {
  window.__host = { ready: false, testDatasource: async () => ({ status: 'error', message: 'not loaded' }) };
  const config = await bootHost();
  createRoot(document.getElementById('root')!).render(<Host config={config} />);
}

main().catch((err: unknown) => {
  document.body.textContent = `Host failed: ${err instanceof Error ? err.message : String(err)}`;
});
