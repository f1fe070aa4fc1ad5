/**
 * A provisioned dashboard in the host (/d/<uid>, /dashboard.html for the overview): every panel's queries
 * issued at once through the plugin's data source (as Grafana's dashboard does), the panel's
 * transformations through @grafana/data's registry and its field config applied, then each panel drawn by
 * what draws it in Grafana: the matrix by the plugin's panel, stat panels by @grafana/ui's BigValue, tables
 * by its Table (sorted by the panel's sortBy), time series by its uPlot TimeSeries, each in PanelChrome.
 * `window.__dash` reports when every query is done and the matrix painted, with per-query durations:
 * `npm run bench dashboard` reads it.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { lastValueFrom } from 'rxjs';
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type DataTransformerConfig,
  dateTime,
  getFieldDisplayValues,
  LoadingState,
  type PanelProps,
  rangeUtil,
  ThemeContext,
  transformDataFrame,
} from '@grafana/data';
import { getTemplateSrv, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GlobalStyles,
  PanelChrome,
  Table,
  TimeSeries,
} from '@grafana/ui';
import { LegendDisplayMode, type VizLegendOptions } from '@grafana/schema';
import { registerStandardTransformers } from '../../../test/fakes/grafanaTransformers';
import { loadDataSourceAndPanel } from './plugins';
import { navigateLikeGrafana } from './navigation';
import { panelProps } from './panelProps';
import { registerShared } from './sharedModules';
import { LocationRouter } from './router';
import { fieldConfigRegistry, TIMESERIES_DEFAULTS } from './fieldConfig';
import {
  type FakeVariable,
  fakeBackendSrv,
  windowFetch,
  fakeTemplateSrv,
  runRequest,
} from '../../../test/fakes/grafana';

interface DashPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  maxDataPoints?: number;
  targets: Array<Record<string, unknown>>;
  transformations?: DataTransformerConfig[];
  options: Record<string, unknown> & {
    reduceOptions?: { calcs: string[]; fields: string; values: boolean };
    sortBy?: Array<{ displayName: string; desc?: boolean }>;
    legend?: Partial<VizLegendOptions>;
  };
  fieldConfig?: { defaults: Record<string, unknown>; overrides: [] };
}

interface DashConfig {
  pluginBase: string;
  datasource: DataSourceInstanceSettings;
  variables: FakeVariable[];
  range: { from: number; to: number };
  dashboard: { uid: string; title: string; panels: DashPanel[] };
}

interface PanelResult {
  id: number;
  title: string;
  type: string;
  ms: number;
  frames: DataFrame[];
  rows: number;
  error?: string;
  /** The PromQL each query ran (frame meta), for the benchmark's sample counts. */
  queries: string[];
  /** The panel's step (Grafana's interval for it), which its range queries ran at. */
  stepSeconds: number;
}

declare global {
  interface Window {
    __dash?: {
      ready: boolean;
      error?: string;
      totalMs?: number;
      matrixPaintedMs?: number;
      /** When the panels started asking (epoch ms), to line requests up with the timings. */
      startedAt?: number;
      panels: PanelResult[];
    };
    /** Auto-refresh runs (?refresh=N): started, completed, failed, still running. */
    __soak?: { started: number; completed: number; failed: number; inFlight: number; lastError: string };
  }
}

function withPluginDefaults(p: DashPanel) {
  const own = (p.fieldConfig as { defaults: Record<string, unknown>; overrides: [] } | undefined) ?? {
    defaults: {},
    overrides: [],
  };
  if (p.type !== 'timeseries') {
    return own as never;
  }
  const custom = { ...TIMESERIES_DEFAULTS.custom, ...((own.defaults.custom as object | undefined) ?? {}) };
  return { ...own, defaults: { ...TIMESERIES_DEFAULTS, ...own.defaults, custom } } as never;
}

const ROW_H = 30;
const COL_W = 1200 / 24;

function useTransformers() {
  useMemo(registerStandardTransformers, []);
}

const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';

function Dashboard({ config }: { config: DashConfig }) {
  useTransformers();
  const theme = useMemo(() => createTheme({ colors: { mode } }), []);
  const initial = useMemo(() => {
    const from = dateTime(config.range.from * 1000);
    const to = dateTime(config.range.to * 1000);
    return { from, to, raw: { from, to } };
  }, [config]);
  const [results, setResults] = useState<PanelResult[]>();
  const [range, setRange] = useState(initial);
  const [Matrix, setMatrix] = useState<React.ComponentType<PanelProps>>();

  useEffect(() => {
    (async () => {
      const { ds: ds, panel: panelPlugin } = await loadDataSourceAndPanel(config.pluginBase, config.datasource);
      setMatrix(() => panelPlugin.panel as React.ComponentType<PanelProps>);
      // Grafana's interval (rangeutil.calculateInterval, as its query runner calls it): the range over the
      // panel's data points (its maxDataPoints, else about its width), rounded, at least the data source's
      // own interval (the scrape interval setting).
      const intervalOf = (p: DashPanel, range: typeof initial) =>
        rangeUtil.calculateInterval(range, p.maxDataPoints ?? 1000, (ds as { interval?: string }).interval ?? '15s');
      // Every panel at once, as a dashboard opening (and each auto-refresh) does.
      const runAll = (range: typeof initial) =>
        Promise.all(
          config.dashboard.panels.map(async (p): Promise<PanelResult> => {
            const start = performance.now();
            const { interval, intervalMs } = intervalOf(p, range);
            const request = {
              requestId: `panel-${p.id}`,
              interval,
              intervalMs,
              maxDataPoints: p.maxDataPoints ?? 1000,
              range,
              scopedVars: {},
              targets: p.targets,
              timezone: 'utc',
              app: 'dashboard',
              dashboardUID: config.dashboard.uid,
              panelId: p.id,
              startTime: Date.now(),
            } as unknown as DataQueryRequest;
            const res = await runRequest(ds as never, request as never);
            const ms = performance.now() - start;
            const transformed = p.transformations?.length
              ? await lastValueFrom(transformDataFrame(p.transformations, res.data))
              : res.data;
            const fieldConfig = withPluginDefaults(p);
            const frames = applyFieldOverrides({
              data: transformed,
              fieldConfig,
              fieldConfigRegistry: fieldConfigRegistry(fieldConfig),
              replaceVariables: (s: string) => s,
              theme,
              timeZone: 'utc',
            });
            const result: PanelResult = {
              id: p.id,
              title: p.title,
              type: p.type,
              ms,
              frames,
              rows: frames.reduce((a, f) => a + f.length, 0),
              error: res.errors?.map((e) => e.message).join('; ') || undefined,
              // Once each: a time series panel's frames (one per series) all carry the same queries.
              stepSeconds: intervalMs / 1000,
              queries: [
                ...new Set(res.data.flatMap((f) => (f.meta?.executedQueryString ?? '').split('\n').filter(Boolean))),
              ],
            };
            // Drawn as soon as its data is in, as Grafana's panels are (each subscribes to its own query runner).
            setResults((prev) => [...(prev ?? []).filter((r) => r.id !== result.id), result]);
            return result;
          })
        );
      const t0 = performance.now();
      const all = await runAll(initial);
      window.__dash = {
        ready: false,
        totalMs: performance.now() - t0,
        startedAt: performance.timeOrigin + t0,
        panels: all,
      };
      // Painted: the next frame after React committed the last panel's data (the matrix's included).
      requestAnimationFrame(() =>
        setTimeout(() => {
          window.__dash = { ...window.__dash!, ready: true, matrixPaintedMs: performance.now() - t0 };
        }, 0)
      );
      // ?refresh=<seconds>: auto-refresh as Grafana's does, every panel again over the range moved on by the
      // time passed (a relative range); `window.__soak` counts the runs (npm run bench -- soak reads it).
      const every = Number(new URLSearchParams(window.location.search).get('refresh') ?? 0);
      if (every > 0) {
        const soak = { started: 0, completed: 0, failed: 0, inFlight: 0, lastError: '' };
        window.__soak = soak;
        const begin = Date.now();
        setInterval(() => {
          const elapsed = (Date.now() - begin) / 1000;
          const at = (t: number) => dateTime((t + elapsed) * 1000);
          const from = at(config.range.from);
          const to = at(config.range.to);
          soak.started += 1;
          soak.inFlight += 1;
          const moved = { from, to, raw: { from, to } };
          runAll(moved).then(
            (panels) => {
              setRange(moved);
              const failed = panels.find((p) => p.error);
              soak.inFlight -= 1;
              soak.completed += failed ? 0 : 1;
              soak.failed += failed ? 1 : 0;
              soak.lastError = failed?.error ?? soak.lastError;
              // Grafana keeps a panel's latest answer only: replace, never append.
              setResults(panels);
            },
            (err: unknown) => {
              soak.inFlight -= 1;
              soak.failed += 1;
              soak.lastError = String(err);
            }
          );
        }, every * 1000);
      }
    })().catch((err: unknown) => {
      window.__dash = { ready: true, error: err instanceof Error ? err.message : String(err), panels: [] };
    });
  }, [config, initial, theme]);

  const byId = new Map((results ?? []).map((r) => [r.id, r]));
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <h1 style={{ ...theme.typography.h3, margin: 8, color: theme.colors.text.primary }} data-testid="dashboard-title">
        {config.dashboard.title}
      </h1>
      <div
        style={{ position: 'relative', width: 1200, height: 44 * ROW_H, background: theme.colors.background.canvas }}
      >
        {config.dashboard.panels.map((p) => {
          const r = byId.get(p.id);
          const width = p.gridPos.w * COL_W - 8;
          const height = p.gridPos.h * ROW_H - 8;
          return (
            <section
              key={p.id}
              data-testid={`panel-${p.id}`}
              aria-label={p.title}
              style={{ position: 'absolute', left: p.gridPos.x * COL_W, top: p.gridPos.y * ROW_H }}
            >
              <PanelChrome
                title={getTemplateSrv().replace(p.title)}
                width={width}
                height={height}
                loadingState={!r ? LoadingState.Loading : r.error ? LoadingState.Error : LoadingState.Done}
                statusMessage={r?.error}
              >
                {(innerWidth, innerHeight) =>
                  !r ? null : r.error ? (
                    <div role="alert" style={{ padding: 8, color: theme.colors.error.text }}>
                      {r.error}
                    </div>
                  ) : (
                    <PanelBody
                      panel={p}
                      result={r}
                      width={innerWidth}
                      height={innerHeight}
                      Matrix={Matrix}
                      range={range}
                    />
                  )
                }
              </PanelChrome>
            </section>
          );
        })}
      </div>
    </ThemeContext.Provider>
  );
}

function PanelBody(props: {
  panel: DashPanel;
  result: PanelResult;
  width: number;
  height: number;
  Matrix?: React.ComponentType<PanelProps>;
  range: PanelProps['timeRange'];
}) {
  const { panel, result, width, height, Matrix, range } = props;
  const theme = useMemo(() => createTheme({ colors: { mode } }), []);
  if (panel.type === 'stat' && panel.options.reduceOptions) {
    const [value] = getFieldDisplayValues({
      data: result.frames,
      reduceOptions: panel.options.reduceOptions,
      fieldConfig: (panel.fieldConfig as never) ?? { defaults: {}, overrides: [] },
      replaceVariables: (s: string) => s,
      theme,
      timeZone: 'utc',
    });
    return value ? (
      <div data-testid={`stat-${panel.id}`}>
        <BigValue
          theme={theme}
          width={width}
          height={height}
          value={value.display}
          colorMode={BigValueColorMode.Value}
          graphMode={BigValueGraphMode.None}
          textMode={BigValueTextMode.Value}
        />
      </div>
    ) : null;
  }
  if (panel.type === 'table' && result.frames[0]) {
    // As Grafana's table panel: the first frame, sorted by the panel's sortBy (display names).
    return (
      <div data-testid={`table-${panel.id}`}>
        <Table data={result.frames[0]} width={width} height={height} initialSortBy={panel.options.sortBy} />
      </div>
    );
  }
  if (panel.type === 'timeseries') {
    if (result.frames.length === 0) {
      return <div style={{ padding: 8 }}>No data</div>;
    }
    const legend = panel.options.legend ?? {};
    return (
      <div data-testid={`timeseries-${panel.id}`}>
        <TimeSeries
          frames={result.frames}
          timeRange={range}
          timeZone="utc"
          width={width}
          height={height}
          options={panel.options}
          legend={{
            showLegend: legend.showLegend ?? true,
            displayMode: legend.displayMode ?? LegendDisplayMode.List,
            placement: legend.placement ?? 'bottom',
            calcs: legend.calcs ?? [],
          }}
        />
      </div>
    );
  }
  if (panel.type.endsWith('-panel') && Matrix) {
    return (
      <Matrix
        {...panelProps({
          id: panel.id,
          data: { series: result.frames, state: LoadingState.Done, timeRange: range },
          timeRange: range,
          options: panel.options,
          width,
          height,
          title: panel.title,
        })}
      />
    );
  }
  return (
    <div data-testid={`summary-${panel.id}`} style={{ padding: 8, fontSize: 12 }}>
      {result.frames.length} series, {result.rows} points ({panel.type} not drawn by the host)
    </div>
  );
}

async function main() {
  registerShared();
  // This page is one location: anything else is Grafana's (or the app's) to render.
  const here = window.location.pathname;
  navigateLikeGrafana((pathname) => pathname === here);
  // /d/<uid>/<slug> as Grafana's dashboard URLs; /dashboard.html is the overview.
  const uid = /^\/d\/([^/]+)/.exec(window.location.pathname)?.[1];
  const query = new URLSearchParams(window.location.search);
  if (uid) {
    query.set('uid', decodeURIComponent(uid));
  }
  const answer = await fetch(`/host/dashboard.json?${query}`);
  if (!answer.ok) {
    throw new Error(`${answer.status}: ${((await answer.json()) as { message?: string }).message ?? 'no dashboard'}`);
  }
  const config = (await answer.json()) as DashConfig;
  // A panel saved without options gets its plugin's defaults in Grafana (getPanelOptionsWithDefaults).
  for (const p of config.dashboard.panels) {
    p.options ??= {};
  }
  setBackendSrv(fakeBackendSrv(windowFetch));
  setTemplateSrv(fakeTemplateSrv(config.variables));
  createRoot(document.getElementById('root')!).render(
    <LocationRouter>
      <Dashboard config={config} />
    </LocationRouter>
  );
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  window.__dash = { ready: true, error: message, panels: [] };
  document.body.textContent = `Dashboard failed: ${message}`;
});
