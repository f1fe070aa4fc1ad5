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
