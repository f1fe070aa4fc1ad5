import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

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

describe('the release archive (npm run package)', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const run = promisify(execFile);
  let listing: string[];
  let zipPath: string;
  const member = async (name: string) =>
    (
      await run('python3', [
        '-c',
        'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())',
        zipPath,
        name,
      ])
    ).stdout;

  beforeAll(async () => {
    const plugin = read('plugin.json');
    await run('npx', ['tsx', 'scripts/package.ts'], { cwd: ROOT });
    zipPath = path.join(ROOT, 'release', `${plugin.id}-${plugin.info.version}.zip`);
    // Python's zipfile reads it independently of the writer, and checks every member's CRC.
    const { stdout } = await run('python3', [
      '-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); assert bad is None, bad; print("\\n".join(z.namelist()))',
      zipPath,
    ]);
    listing = stdout.trim().split('\n');
  }, 120_000);

  it('has one top folder, the plugin id, holding dist/ and what plugin.json includes', () => {
    const plugin = read('plugin.json');
    expect(new Set(listing.map((n) => n.split('/')[0]))).toEqual(new Set([plugin.id]));
    for (const f of ['plugin.json', 'module.js', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      expect(listing).toContain(`${plugin.id}/${f}`);
    }
    // Pages have a route for a path; the other includes name files.
    for (const inc of (plugin.includes ?? []).filter((i) => i.type !== 'page')) {
      expect(listing).toContain(`${plugin.id}/${inc.path}`);
    }
  });

  it('ships a sha256 that matches, and a catalog README, LICENSE and CHANGELOG that are filled in', async () => {
    const plugin = read('plugin.json');
    const [sum, name] = readFileSync(`${zipPath}.sha256`, 'utf8').trim().split(/\s+/);
    expect(name).toBe(path.basename(zipPath));
    expect(sum).toBe(createHash('sha256').update(readFileSync(zipPath)).digest('hex'));
    const readme = await member(`${plugin.id}/README.md`);
    expect(readme).not.toMatch(/<!--/);
    // The catalog and Grafana show README.md out of context: links absolute, no images it cannot load.
    const links = Array.from(readme.matchAll(/\]\(([^)]+)\)/g)).map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !/^https:\/\//.test(l))).toEqual([]);
    expect(readme).not.toMatch(/!\[/);
    expect(await member(`${plugin.id}/LICENSE`)).toContain('Copyright 2026 Meshlens');
    expect(await member(`${plugin.id}/LICENSE`)).not.toContain('{yyyy}');
    expect(await member(`${plugin.id}/CHANGELOG.md`)).toContain(`## ${plugin.info.version}`);
  });

  it('bundles the dashboards the app lists, with unique panel ids', async () => {
    const plugin = read('plugin.json');
    const dashboards = (plugin.includes ?? []).filter((i) => i.type === 'dashboard');
    expect(dashboards.length).toBe(2);
    for (const d of dashboards) {
      const json = JSON.parse(await member(`${plugin.id}/${d.path}`));
      const ids = json.panels.map((p: { id: number }) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
