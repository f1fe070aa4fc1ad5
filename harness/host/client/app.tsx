/**
 * The app plugin's pages in the host, as Grafana mounts them: dist/module.js loaded with SystemJS, its
 * root page rendered under the route /a/<app id>/* inside a react-router v6 Router that runs on
 * @grafana/runtime's locationService history (so locationService.partial and the plugin's <Routes> see one
 * location), the nested data source listed by DataSourceSrv, and PanelRenderer drawing the plugin's own
 * panel (Grafana sets it with setPanelRenderer at start; the default renders a placeholder).
 */
import React, { useEffect, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Routes } from 'react-router-dom';
import {
  type AppPlugin,
  type AppPluginMeta,
  createTheme,
  type PanelPlugin,
  type PanelProps,
  PluginContextProvider,
  PluginType,
  ThemeContext,
} from '@grafana/data';
import { type PanelRendererProps, getTemplateSrv, setDataSourceSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { loadDataSourceAndPanel, loadPlugin } from './plugins';
import { panelProps } from './panelProps';
import { bootHost } from './boot';
import { fakeDataSourceSrv } from '../../../test/fakes/grafana';
import { APP_ID, PANEL_TYPE } from '../../../src/shared/ids';
import { defaultOptions } from '../../../src/shared/panelOptions';
import type { HostConfig } from './hostConfig';
import { HostPluginPage, setAppNav } from './pluginPage';
import { PluginDetails } from './pluginDetails';
import { LocationRouter } from './router';

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

function AppHost({ app, config, meta }: { app: AppPlugin; config: HostConfig; meta: AppPluginMeta }) {
  // Grafana gives app pages the user's theme; ?theme=light picks it here, as on the panel's page.
  const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';
  const theme = useMemo(() => createTheme({ colors: { mode } }), [mode]);
  useEffect(() => {
    document.body.style.background = theme.colors.background.canvas;
    document.body.style.color = theme.colors.text.primary;
    document.body.style.fontFamily = theme.typography.fontFamily;
  }, [theme]);
  const Root = app.root as unknown as React.ComponentType<Record<string, unknown>>;
  return (
    <ThemeContext.Provider value={theme}>
      {/* What Grafana's AppWrapper renders around every page: box-sizing, fonts, form resets. */}
      <GlobalStyles />
      <main>
        <LocationRouter>
          {/* Grafana's AppRootPage gives the app's pages its meta (jsonData: the configuration page's settings). */}
          <PluginContextProvider meta={meta}>
            <Routes>
              <Route path={`/a/${APP_ID}/*`} element={<Root meta={meta} query={{}} path={`/a/${APP_ID}`} />} />
              <Route path={`/plugins/${APP_ID}`} element={<PluginDetails app={app} meta={meta} config={config} />} />
            </Routes>
          </PluginContextProvider>
        </LocationRouter>
      </main>
    </ThemeContext.Provider>
  );
}

/** plugin.json as dist/ ships it, the part Grafana's nav and plugin page read. */
interface PluginJson {
  name: string;
  includes?: Array<{ type: string; name: string; path?: string; addToNav?: boolean }>;
}

async function main() {
  window.__app = { ready: false };
  const config = await bootHost({
    overrides: { '@grafana/runtime': { PanelRenderer, PluginPage: HostPluginPage } },
    rendersHere: (pathname) =>
      pathname.startsWith(`/a/${APP_ID}/`) || pathname === `/a/${APP_ID}` || pathname === `/plugins/${APP_ID}`,
  });
  const [{ ds, panel }, app, pluginJson, settings] = await Promise.all([
    loadDataSourceAndPanel(config.pluginBase, config.datasource),
    loadPlugin<AppPlugin>(`${config.pluginBase}/module.js`),
    fetch(`${config.pluginBase}/plugin.json`).then((r) => r.json() as Promise<PluginJson>),
    fetch(`/api/plugins/${APP_ID}/settings`).then((r) => r.json() as Promise<{ enabled: boolean; jsonData: object }>),
  ]);
  setDataSourceSrv(fakeDataSourceSrv(config.datasource, ds, getTemplateSrv(), [config.prometheus]));
  renderedPanel = panel;
  if (!app.root) {
    throw new Error('The app plugin has no root page');
  }
  setAppNav({
    app: { text: pluginJson.name, url: `/a/${APP_ID}` },
    pages: (pluginJson.includes ?? [])
      .filter((i) => i.type === 'page' && i.addToNav && i.path)
      .map((i) => ({ text: i.name, url: i.path!.replace('%PLUGIN_ID%', APP_ID) })),
  });
  const meta = {
    id: APP_ID,
    name: pluginJson.name,
    type: PluginType.app,
    info: {},
    baseUrl: config.pluginBase,
    module: `${config.pluginBase}/module.js`,
    enabled: settings.enabled,
    pinned: true,
    jsonData: settings.jsonData,
  } as unknown as AppPluginMeta;
  app.meta = meta;
  createRoot(document.getElementById('root')!).render(<AppHost app={app} config={config} meta={meta} />);
  window.__app.ready = true;
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  window.__app = { ready: true, error: message };
  document.body.textContent = `Host failed: ${message}`;
});
