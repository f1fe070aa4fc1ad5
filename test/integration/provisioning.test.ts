import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startDemoExporter } from '../../harness/demoExporter';
import { freePort, requireBinary, type RunningPrometheus, startPrometheus } from '../../harness/prometheus';
import { fetchCells } from '../../src/query/fetchCells';
import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { generatedFiles, ruleTestFiles } from '../../src/provisioning/files';
import { DEMO_SETTINGS_FILE } from '../../harness/demo/settingsFile';
import { SETTINGS_FILE } from '../../scripts/settingsFile';
import { readSettingsFile } from '../../src/cli/settingsFile';
import { DATASOURCE_TYPE, MATRIX_PANEL_ID, PANEL_TYPE, UID } from '../../src/provisioning/config';
import { promqlErrors } from '../promqlParser';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const shipped = () => generatedFiles(readSettingsFile(SETTINGS_FILE));

describe('generated provisioning', () => {
  it.each(Object.keys(shipped()))('%s is committed as the generator writes it from istio-egress.yaml', (file) => {
    expect(existsSync(path.join(ROOT, file))).toBe(true);
    expect(read(file)).toBe(shipped()[file]);
  });

  it('the shipped files carry no demo namespace, range or name: only what istio-egress.yaml says', () => {
    const demo = readSettingsFile(DEMO_SETTINGS_FILE);
    const values = [
      // As the rules' namespace matcher writes them.
      demo.registryOnlyNamespaces.join('|'),
      ...demo.mesh.inClusterCidrs,
      ...demo.destinationNames.flatMap((n) => [n.cidr, n.name]),
      // The ranges as the rules' regexes write them (10.244.x.x, 10.96-111.x.x).
      '10\\\\.244',
      '10\\\\.(?:96|',
    ];
    const found = (files: Record<string, string>) =>
      Object.entries(files).flatMap(([file, text]) =>
        values.filter((v) => text.includes(v)).map((v) => `${file}: ${v}`)
      );
    expect(found(shipped())).toEqual([]);
    // The same search finds every one of them in the files generated for the demo mesh.
    const inDemo = new Set(found(generatedFiles(demo)).map((f) => f.slice(f.indexOf(': ') + 2)));
    expect([...inDemo].sort()).toEqual([...values].sort());
    // And nothing left behind by an older generator that the current one no longer writes.
    expect(existsSync(path.join(ROOT, 'rules/tests'))).toBe(false);
  });

  it('promtool accepts the shipped rule file, and the unit tests pass on the rules for the demo mesh', async () => {
    const promtool = requireBinary('promtool');
    const check = await run(promtool, ['check', 'rules', path.join(ROOT, 'rules/istio-egress.rules.yml')]);
    // Eight recording rules (two tiers) and four alerts: no REGISTRY_ONLY namespaces are declared in the shipped file.
    expect(check.stdout).toContain('SUCCESS: 12 rules found');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rule-tests-'));
    try {
      const files = {
        ...ruleTestFiles(readSettingsFile(DEMO_SETTINGS_FILE)),
        'tests/istio-egress.test.yml': read('test/rules/istio-egress.test.yml'),
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
      const demoCheck = await run(promtool, ['check', 'rules', path.join(dir, 'istio-egress.rules.yml')]);
      expect(demoCheck.stdout).toContain('SUCCESS: 13 rules found');
      const tests = ['istio-egress.test.yml', 'ip-cardinality.test.yml', 'new-destination-parity.test.yml'];
      const results = await Promise.all(tests.map((t) => run(promtool, ['test', 'rules', path.join(dir, 'tests', t)])));
      results.forEach((res) => expect(res.stdout).toContain('SUCCESS'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The parity test evaluates a week at 5-minute steps: about a minute of promtool on a busy machine.
  }, 300_000);

  it('no shipped rule reads more than an hour of raw Istio series per evaluation', () => {
    const seconds = (d: string) =>
      Array.from(d.matchAll(/(\d+)([smhdwy])/g)).reduce(
        (sum, [, n, unit]) => sum + Number(n) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[unit]!,
        0
      );
    const exprs = [
      ...parse(read('rules/istio-egress.rules.yml')).groups.flatMap((g: { rules: Array<{ expr: string }> }) =>
        g.rules.map((r) => r.expr)
      ),
      ...parse(read('provisioning/alerting/istio-egress-rules.yaml')).groups.flatMap(
        (g: { rules: Array<{ data: Array<{ model: { expr?: string } }> }> }) =>
          g.rules.flatMap((r) => r.data.map((d) => d.model.expr).filter((e): e is string => !!e))
      ),
    ];
    const ranges = exprs.flatMap((e: string) =>
      Array.from(e.matchAll(/\b(istio_[a-z_]+_total|istio_egress:[a-z_:0-9]+)\{[^}]*\}\[([0-9smhdwy]+)\]/g)).map(
        ([, metric, d]) => ({ metric, seconds: seconds(d) })
      )
    );
    const raw = ranges.filter((r) => !r.metric.startsWith('istio_egress:'));
    expect(raw.length).toBeGreaterThan(10);
    expect(raw.filter((r) => r.seconds > 3600)).toEqual([]);
    // The week-long look-back is there, on recorded series.
    expect(
      ranges.filter((r) => r.metric.startsWith('istio_egress:') && r.seconds === 7 * 86400).length
    ).toBeGreaterThan(0);
  });

  it('every Grafana rule parses and queries only the provisioned Prometheus or expressions', () => {
    const rules = parse(read('provisioning/alerting/istio-egress-rules.yaml'));
    const datasources = parse(read('provisioning/datasources/datasources.yaml')).datasources as Array<{
      uid: string;
      type: string;
    }>;
    const prometheus = datasources.find((d) => d.type === 'prometheus')!;
    expect(prometheus.uid).toBe(UID.prometheus);
    // The shipped rules (no REGISTRY_ONLY namespaces declared: four) and the demo mesh's (all five).
    const demoRules = parse(
      generatedFiles(readSettingsFile(DEMO_SETTINGS_FILE))['provisioning/alerting/istio-egress-rules.yaml']
    );
    const ruleList = (doc: { groups: Array<{ rules: unknown[] }> }) => doc.groups.flatMap((g) => g.rules);
    expect(ruleList(rules)).toHaveLength(4);
    expect(ruleList(demoRules)).toHaveLength(5);
    const all = [...ruleList(rules), ...ruleList(demoRules)] as Array<{
      dashboardUid: string;
      panelId: number;
      condition: string;
      data: Array<{ refId: string; datasourceUid: string; model: { expr: string } }>;
    }>;
    for (const rule of all) {
      expect(rule.dashboardUid).toBe(UID.overview);
      expect(rule.panelId).toBe(MATRIX_PANEL_ID);
      for (const d of rule.data) {
        expect([UID.prometheus, '__expr__']).toContain(d.datasourceUid);
        if (d.datasourceUid === UID.prometheus) {
          expect(promqlErrors(d.model.expr)).toEqual([]);
        }
      }
      expect(rule.data.map((d: { refId: string }) => d.refId)).toContain(rule.condition);
    }
  });

  it('dashboards use this plugin through the datasource variable, and the matrix panel sits where alerts link', () => {
    const dash = JSON.parse(read('provisioning/dashboards/istio-egress-overview.json'));
    const ds = dash.templating.list.find((v: { type: string }) => v.type === 'datasource');
    expect(ds.query).toBe(DATASOURCE_TYPE);
    const matrix = dash.panels.find((p: { id: number }) => p.id === MATRIX_PANEL_ID);
    expect(matrix.type).toBe(PANEL_TYPE);
    for (const file of ['istio-egress-overview.json', 'istio-egress-workload.json']) {
      const d = JSON.parse(read(`provisioning/dashboards/${file}`));
      for (const p of d.panels) {
        for (const t of p.targets) {
          expect(t.datasource).toEqual({ type: DATASOURCE_TYPE, uid: '${datasource}' });
          expect(['matrix', 'series', 'bytes', 'newDestinations']).toContain(t.queryType);
        }
      }
    }
    const links = matrix.links.map((l: { url: string }) => l.url).join();
    expect(links).toContain(`/d/${UID.workload}`);
  });

  it('every dashboard has unique panel ids (Grafana renumbers a duplicate, moving what alert rules link to)', () => {
    for (const [file, content] of Object.entries(shipped()).filter(([f]) => f.endsWith('.json'))) {
      const ids = (JSON.parse(content).panels as Array<{ id: number }>).map((p) => p.id);
      expect(`${file}: ${ids.length === new Set(ids).size && ids.every((id) => id > 0)}`).toBe(`${file}: true`);
    }
  });

  it("Grafana-managed rules' annotations expand, with Grafana's own template data, to text with the numbers", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alert-template-'));
    try {
      const bin = path.join(dir, 'alert-template');
      await run('go', ['build', '-o', bin, '.'], {
        cwd: path.join(ROOT, 'test/tools/alert-template'),
        timeout: 240_000,
      });
      const rules = parse(read('provisioning/alerting/istio-egress-rules.yaml')).groups.flatMap(
        (g: { rules: unknown[] }) => g.rules
      ) as Array<{ uid: string; annotations: Record<string, string> }>;
      for (const rule of rules) {
        const input = {
          templates: rule.annotations,
          labels: { source_workload_namespace: 'shop', source_workload: 'checkout', destination: 'api.example.com' },
          values: { A: 1001, B: 1001, C: 1 },
          // What Grafana puts in $value: the whole evaluation string.
          value: "[ var='A' labels={} value=1001 ], [ var='B' labels={} value=1001 ], [ var='C' labels={} value=1 ]",
        };
        const out = JSON.parse(execFileSync(bin, { input: JSON.stringify(input) }).toString()) as Record<
          string,
          string
        >;
        for (const [name, text] of Object.entries(out)) {
          expect(`${rule.uid}.${name}: ${text}`).not.toMatch(/\[ var=|no value\]|\{\{/);
        }
        if (rule.uid === 'istio-egress-ip-cardinality') {
          expect(out.summary).toBe('1001 distinct destination IPs on catch-all TCP metrics (threshold 1000)');
        }
        if (rule.uid === 'istio-egress-blackhole') {
          expect(out.summary).toBe('shop/checkout is blocked reaching api.example.com');
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('docker-compose mounts paths that exist and points Grafana at the provisioned Prometheus', async () => {
    // `npm run server` writes the demo mesh's provisioning and rules to .demo/ before compose starts.
    const server = JSON.parse(read('package.json')).scripts.server as string;
    const generate = /npm run generate -- (--config \S+ --out \S+)/.exec(server);
    expect(generate?.[1]).toBe('--config harness/demo/istio-egress.yaml --out .demo');
    await run('npx', ['tsx', 'scripts/generate.ts', ...generate![1].split(' ')], { cwd: ROOT });
    const demoSources = parse(read('.demo/provisioning/datasources/datasources.yaml')).datasources;
    expect(demoSources[1].jsonData.inClusterCidrs).toEqual(readSettingsFile(DEMO_SETTINGS_FILE).mesh.inClusterCidrs);
    // `!override` is Compose's own tag (replace, not merge, a list from `extends`): a plain sequence here.
    const compose = parse(read('docker-compose.yaml'), { logLevel: 'error' });
    expect(read('docker-compose.yaml')).toMatch(/volumes: !override\n/);
    expect(compose.services.grafana.volumes).toContain('./.demo/provisioning:/etc/grafana/provisioning');
    expect(compose.services.prometheus.volumes).toContain('./.demo/rules:/etc/prometheus/rules:ro');
    expect(compose.services.grafana.ports).toEqual(['127.0.0.1:3000:3000/tcp']);
    expect(read('docker-compose.yaml')).toMatch(/ports: !override\n/);
    expect(compose.services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(compose.services.prometheus.ports.every((p: string) => p.startsWith('127.0.0.1:'))).toBe(true);
    const base = parse(read('.config/docker-compose-base.yaml'));
    const mounts: Array<[string, string]> = [
      ...Object.values(compose.services).flatMap((s) =>
        ((s as { volumes?: string[] }).volumes ?? []).map((v) => [ROOT, v] as [string, string])
      ),
      ...(base.services.grafana.volumes as string[]).map((v) => [path.join(ROOT, '.config'), v] as [string, string]),
    ];
    for (const [dir, volume] of mounts) {
      const host = volume.split(':')[0];
      expect(`${host}: ${existsSync(path.resolve(dir, host))}`).toBe(`${host}: true`);
    }
    expect(compose.services.grafana.environment.PROMETHEUS_URL).toBe('${PROMETHEUS_URL:-http://prometheus:9090}');
    const promConfig = parse(read('deploy/compose/prometheus.yml'));
    expect(promConfig.scrape_configs[0].static_configs[0].targets).toEqual([
      `mesh:${compose.services.mesh.environment.PORT}`,
    ]);
    const datasources = parse(read('provisioning/datasources/datasources.yaml')).datasources as Array<{
      uid: string;
      url: string;
    }>;
    expect(datasources.map((d) => [d.uid, d.url])).toEqual([
      [UID.prometheus, '$PROMETHEUS_URL'],
      [UID.egress, '$PROMETHEUS_URL'],
    ]);
  });
});

describe('the demo mesh exporter, scraped by a real Prometheus', () => {
  let exporter: Server;
  let prom: RunningPrometheus;
  let work: string;
  beforeAll(async () => {
    const port = await freePort();
    exporter = await startDemoExporter(port, '127.0.0.1');
    work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-exporter-'));
    prom = await startPrometheus({
      dataDir: path.join(work, 'data'),
      scrapeConfigs: `  - job_name: demo-mesh\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['127.0.0.1:${port}']`,
    });
  });
  afterAll(async () => {
    await prom?.stop();
    await new Promise<void>((r) => exporter.close(() => r()));
    rmSync(work, { recursive: true, force: true });
  });

  it('serves both verdicts on both listener types', async () => {
    const api = new PrometheusApi(fetchTransport({ baseUrl: prom.url }));
    let kinds = new Set<string>();
    for (let i = 0; i < 40 && kinds.size < 4; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = Date.now() / 1000;
      const result = await fetchCells(api, {
        scope: { extraMatchers: [{ label: 'cluster', op: '=', value: 'demo-1' }] },
        from: now - 30,
        to: now,
      });
      kinds = new Set(result.cells.map((c) => `${c.verdict}/${c.listener}`));
    }
    expect(Array.from(kinds).sort()).toEqual([
      'blackhole/http',
      'blackhole/tcp',
      'passthrough/http',
      'passthrough/tcp',
    ]);
  });
});
