import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ID, APP_ROUTES, appPath } from './ids';

const plugin = JSON.parse(readFileSync(path.join(__dirname, '../plugin.json'), 'utf8')) as {
  id: string;
  includes: Array<{ type: string; name: string; path?: string }>;
};

describe("the app's routes", () => {
  it('are the ones plugin.json puts in the navigation, and each page there has a route', () => {
    expect(plugin.id).toBe(APP_ID);
    const pages = plugin.includes.filter((i) => i.type === 'page').map((i) => i.path);
    expect(pages.length).toBeGreaterThan(0);
    const routes = new Set<string>(Object.values(APP_ROUTES));
    for (const page of pages) {
      const route = page?.match(/^\/a\/%PLUGIN_ID%\/([^/]+)$/)?.[1];
      expect([page, route !== undefined && routes.has(route)]).toEqual([page, true]);
    }
    expect(pages).toEqual(
      expect.arrayContaining([`/a/%PLUGIN_ID%/${APP_ROUTES.overview}`, `/a/%PLUGIN_ID%/${APP_ROUTES.lockdown}`])
    );
  });

  it('make in-app paths Grafana routes to this app, each part escaped', () => {
    expect(appPath(APP_ROUTES.lockdown, 'a b/c')).toBe(`/a/${APP_ID}/lockdown/a%20b%2Fc`);
  });
});
