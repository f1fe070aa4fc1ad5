/**
 * What every host page does first, as Grafana's boot does before any page renders: the shared packages
 * registered for the plugin's modules, link clicks routed like Grafana's, the host's config fetched, and
 * Grafana's backend and template services set.
 */
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { fakeBackendSrv, fakeTemplateSrv, windowFetch } from '../../../test/fakes/grafana';
import { navigateLikeGrafana } from './navigation';
import { registerShared } from './sharedModules';
import type { HostConfig } from './hostConfig';

export async function bootHost(
  opts: {
    /** Exports Grafana sets at start that its packages do not give plugins (PanelRenderer, PluginPage). */
    overrides?: Record<string, Record<string, unknown>>;
    /** The locations this page renders itself; any other is loaded from the host server. Default: this one. */
    rendersHere?: (pathname: string) => boolean;
  } = {}
): Promise<HostConfig> {
  registerShared(opts.overrides);
  const here = window.location.pathname;
  navigateLikeGrafana(opts.rendersHere ?? ((pathname) => pathname === here));
  const config = (await (await fetch(`/host/config.json${window.location.search}`)).json()) as HostConfig;
  setBackendSrv(fakeBackendSrv(windowFetch));
  setTemplateSrv(fakeTemplateSrv(config.variables));
  return config;
}
