import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The rules of Grafana's plugin validator that matter to this package (the validator itself downloads a
 * binary at run time and cannot run here), checked on the built dist/.
 */
const DIST = path.join(__dirname, '..', '..', 'dist');

interface PluginJson {
  id: string;
  type: string;
  backend?: boolean;
  alerting?: boolean;
  includes?: Array<{ type: string; path?: string; name: string }>;
  info: {
    logos: { small: string; large: string };
    screenshots?: Array<{ name: string; path: string }>;
    version: string;
  };
  dependencies: { grafanaDependency?: string };
}

const read = (rel: string): PluginJson => JSON.parse(readFileSync(path.join(DIST, rel), 'utf8'));

describe('built plugin package', () => {
  beforeAll(() => {
    if (!existsSync(path.join(DIST, 'plugin.json'))) {
      throw new Error('dist/ is not built: npm test runs npm run build first.');
    }
  });

  const app = () => read('plugin.json');
  const nested = () => (app().includes ?? []).filter((i) => i.type === 'datasource' || i.type === 'panel');

  it('the app includes exactly the nested data source and panel, with matching path and type', () => {
    expect(nested().map((i) => [i.type, i.path])).toEqual([
      ['datasource', 'datasource/plugin.json'],
      ['panel', 'panel/plugin.json'],
    ]);
    for (const inc of nested()) {
      expect(read(inc.path!).type).toBe(inc.type);
    }
  });

  it('every plugin id follows <org>-<name>-<type>', () => {
    const all = [app(), ...nested().map((i) => read(i.path!))];
    expect(all.map((p) => p.id)).toEqual([
      'meshlens-istioegress-app',
      'meshlens-istioegress-datasource',
      'meshlens-istioegress-panel',
    ]);
    for (const p of all) {
      const suffix = p.type === 'datasource' ? 'datasource' : p.type;
      expect(p.id).toMatch(new RegExp(`^[a-z0-9]+-[a-z0-9]+-${suffix}$`));
    }
  });

  it('logos, screenshots, modules and source maps are in dist/', () => {
    for (const [dir, p] of [
      ['.', app()],
      ...nested().map((i) => [path.dirname(i.path!), read(i.path!)] as const),
    ] as Array<[string, PluginJson]>) {
      for (const file of [
        p.info.logos.small,
        p.info.logos.large,
        ...(p.info.screenshots ?? []).map((s) => s.path),
        'module.js',
        'module.js.map',
      ]) {
        expect(`${dir}/${file}: ${existsSync(path.join(DIST, dir, file))}`).toBe(`${dir}/${file}: true`);
      }
    }
  });

  it('sets grafanaDependency and a real version everywhere', () => {
    for (const p of [app(), ...nested().map((i) => read(i.path!))]) {
      expect(p.dependencies.grafanaDependency).toMatch(/^>=\d+\.\d+\.\d+$/);
      expect(p.info.version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('claims no alerting without a backend (Grafana evaluates alerts server-side)', () => {
    for (const p of [app(), ...nested().map((i) => read(i.path!))]) {
      if (p.alerting) {
        expect(p.backend).toBe(true);
      }
    }
  });
});
