/**
 * The app plugin's pages in the host, as Grafana mounts them: dist/module.js loaded with SystemJS, its
 * root page rendered under the route /a/<app id>/* inside a react-router v6 Router that runs on
 * @grafana/runtime's locationService history (so locationService.partial and the plugin's <Routes> see one
 * location), the nested data source listed by DataSourceSrv, and PanelRenderer drawing the plugin's own
 * panel (Grafana sets it with setPanelRenderer at start; the default renders a placeholder).
 */
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Router, Routes } from 'react-router-dom';
import {
  type AppPlugin,
  createTheme,
  type PanelPlugin,
  type PanelProps,
  PluginType,
  ThemeContext,
} from '@grafana/data';
import {
  type PanelRendererProps,
  getTemplateSrv,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { loadDataSourceAndPanel, loadPlugin } from './plugins';
import { navigateLikeGrafana } from './navigation';
import { panelProps } from './panelProps';
import { registerShared } from './sharedModules';
import { fakeBackendSrv, fakeDataSourceSrv, fakeTemplateSrv, windowFetch } from '../../../test/fakes/grafana';
import { APP_ID, PANEL_TYPE } from '../../../src/shared/ids';
import { defaultOptions } from '../../../src/shared/panelOptions';
import type { HostConfig } from './main';

declare global {
  interface Window {
    __app?: { ready: boolean; error?: string };
  }
}

let renderedPanel: PanelPlugin | undefined;

/**
 * Grafana's PanelRenderer (set at Grafana's start with setPanelRenderer, which @grafana/runtime does not
 * export to plugins), for the one panel type the app embeds: the props a panel gets in a dashboard.
 */
function PanelRenderer(p: PanelRendererProps) {
  const panel = renderedPanel;
  if (!panel || p.pluginId !== PANEL_TYPE) {
    return <div>Panel plugin {p.pluginId} is not loaded in this host</div>;
  }
  {
    const Panel = panel.panel as React.ComponentType<PanelProps>;
    // Grafana fills the plugin's option defaults (getPanelOptionsWithDefaults); its editor registries, which
    // panel.defaults needs, are not set up in this host, so the panel's own default options stand in.
    const options = { ...defaultOptions, ...(p.options ?? {}) };
    if (!p.data) {
      return null;
    }
    return (
      <Panel
        {...panelProps({
          id: 0,
          data: p.data,
          timeRange: p.data.timeRange,
          timeZone: p.timeZone ?? 'browser',
          options,
          width: p.width,
          height: p.height,
          title: p.title ?? '',
        })}
      />
    );
  }
}

/** A react-router v6 Router over locationService's history (history v4: listen passes the location first). */
function LocationRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen((l: typeof location) => setLocation(l)), [history]);
  return (
    <Router location={location} navigator={history}>
      {children}
    </Router>
  );
}

function AppHost({ root: Root, config }: { root: React.ComponentType<Record<string, unknown>>; config: HostConfig }) {
  // Grafana gives app pages the user's theme; ?theme=light picks it here, as on the panel's page.
  const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';
  const theme = useMemo(() => createTheme({ colors: { mode } }), [mode]);
  useEffect(() => {
    document.body.style.background = theme.colors.background.canvas;
    document.body.style.color = theme.colors.text.primary;
    document.body.style.fontFamily = theme.typography.fontFamily;
  }, [theme]);
  const meta = {
    id: APP_ID,
    name: 'Istio Egress',
    type: PluginType.app,
    info: {},
    baseUrl: config.pluginBase,
    module: `${config.pluginBase}/module.js`,
    enabled: true,
    jsonData: {},
  };
  return (
    <ThemeContext.Provider value={theme}>
      {/* What Grafana's AppWrapper renders around every page: box-sizing, fonts, form resets. */}
      <GlobalStyles />
      <main style={{ padding: 16 }}>
        <LocationRouter>
          <Routes>
            <Route path={`/a/${APP_ID}/*`} element={<Root meta={meta} query={{}} path={`/a/${APP_ID}`} />} />
          </Routes>
        </LocationRouter>
      </main>
    </ThemeContext.Provider>
  );
}

async function main() {
  window.__app = { ready: false };
  registerShared({ '@grafana/runtime': { PanelRenderer } });
  navigateLikeGrafana((pathname) => pathname.startsWith(`/a/${APP_ID}/`) || pathname === `/a/${APP_ID}`);
  const config = (await (await fetch(`/host/config.json${window.location.search}`)).json()) as HostConfig;
  setBackendSrv(fakeBackendSrv(windowFetch));
  setTemplateSrv(fakeTemplateSrv(config.variables));
  const [{ ds, panel }, app] = await Promise.all([
    loadDataSourceAndPanel(config.pluginBase, config.datasource),
    loadPlugin<AppPlugin>(`${config.pluginBase}/module.js`),
  ]);
  setDataSourceSrv(fakeDataSourceSrv(config.datasource, ds, getTemplateSrv()));
  renderedPanel = panel;
  if (!app.root) {
    throw new Error('The app plugin has no root page');
  }
  createRoot(document.getElementById('root')!).render(
    <AppHost root={app.root as unknown as React.ComponentType<Record<string, unknown>>} config={config} />
  );
  window.__app.ready = true;
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  window.__app = { ready: true, error: message };
  document.body.textContent = `Host failed: ${message}`;
});
