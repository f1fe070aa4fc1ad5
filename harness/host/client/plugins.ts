import type { DataSourceApi, DataSourceInstanceSettings, DataSourcePlugin, PanelPlugin } from '@grafana/data';
import { systemJS } from './sharedModules';

/** A plugin module loaded the way Grafana loads it (SystemJS), and the plugin object it exports. */
export async function loadPlugin<T>(url: string): Promise<T> {
  const mod = await systemJS().import(url);
  const plugin = (mod.plugin ?? (mod.default as { plugin?: unknown } | undefined)?.plugin) as T | undefined;
  if (!plugin) {
    throw new Error(`${url} exports no plugin`);
  }
  return plugin;
}

/**
 * The app's nested data source, instantiated from the given settings, and its panel plugin: what both host
 * pages start from.
 */
export async function loadDataSourceAndPanel(
  pluginBase: string,
  settings: DataSourceInstanceSettings
): Promise<{ ds: DataSourceApi; panel: PanelPlugin }> {
  const [dsPlugin, panel] = await Promise.all([
    loadPlugin<DataSourcePlugin<DataSourceApi>>(`${pluginBase}/datasource/module.js`),
    loadPlugin<PanelPlugin>(`${pluginBase}/panel/module.js`),
  ]);
  const DataSourceClass = dsPlugin.DataSourceClass as unknown as new (s: DataSourceInstanceSettings) => DataSourceApi;
  return { ds: new DataSourceClass(settings), panel };
}
